"""Who may call each of reporting's routes (shared/auth/policy.py). Public: the conclusions page,
open data and the radio text. The handlers narrow further: office staff see and change only
their office's follow-up tasks."""

from __future__ import annotations

from shared.auth.policy import PUBLIC, allow
from shared.auth.principal import ANSWERERS, MANAGERS, Scope

C = "/api/v1/communes/{commune_id}"
D = C + "/dialogues/{dialogue_id}"
READERS = allow(MANAGERS, [Scope.READ])

ACCESS = {
    f"GET {D}/items": READERS,
    f"GET {D}/conclusion-notice/draft": READERS,
    f"GET {D}/earlier-followup": allow(ANSWERERS, [Scope.READ]),  # as the item's routing is read
    f"GET {D}/radio-announcement": PUBLIC,
    f"POST {D}/documents/{{kind}}": allow(MANAGERS, [Scope.ISSUE]),
    f"GET {D}/documents/{{kind}}/readiness": allow(MANAGERS, [Scope.ISSUE]),
    f"GET {D}/documents": READERS,
    f"GET {D}/documents/{{kind}}/preview.{{fmt}}": READERS,
    # notification attaches the issued PDF when it distributes the document (its own token)
    f"GET {C}/documents/{{document_id}}.{{fmt}}": allow(MANAGERS, [Scope.READ], services=["notification"]),
    f"GET {D}/follow-up": allow(ANSWERERS, [Scope.READ]),
    f"POST {C}/follow-up/{{task_id}}/status": allow(ANSWERERS, [Scope.FOLLOW_UP]),
    f"POST {C}/follow-up/{{task_id}}/reopen": allow(ANSWERERS, [Scope.FOLLOW_UP]),
    # the meeting record: the Party office and commune admin edit, answering offices read
    f"GET {D}/meeting": allow(ANSWERERS, [Scope.READ]),
    f"PUT {D}/meeting": allow(MANAGERS, [Scope.ISSUE]),
    f"POST {D}/meeting/programme": allow(MANAGERS, [Scope.ISSUE]),
    f"PUT {D}/meeting/programme/{{item_id}}": allow(MANAGERS, [Scope.ISSUE]),
    f"DELETE {D}/meeting/programme/{{item_id}}": allow(MANAGERS, [Scope.ISSUE]),
    f"POST {D}/meeting/interventions": allow(MANAGERS, [Scope.ISSUE]),
    f"PUT {D}/meeting/interventions/{{intervention_id}}": allow(MANAGERS, [Scope.ISSUE]),
    f"PUT {D}/meeting/issues/{{issue_key}}": allow(MANAGERS, [Scope.ISSUE]),
    # Open311 (intake) shows reviewed summaries and leaves out withheld issues (its own token)
    f"GET {D}/meeting/published": allow(MANAGERS, [Scope.READ], services=["intake"]),
    f"PUT {D}/meeting/conclusions/{{issue_key}}": allow(MANAGERS, [Scope.ISSUE]),
    "GET /public/{commune_id}/dialogues/{dialogue_id}": PUBLIC,
    f"GET {D}/open-data.{{fmt}}": PUBLIC,
}
