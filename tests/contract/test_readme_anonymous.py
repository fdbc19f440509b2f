"""README's list of what anonymous callers may call says what the access tables do: every route
any service declares PUBLIC is named in the README's "Anonymous" paragraph (by the words it is
known by there), so a route made public, or one left out of the list, fails here. Builds the
embedded app without starting it (no broker or store)."""

from __future__ import annotations

import re
from pathlib import Path

from services.deployment import build_app
from shared.auth.policy import Gate
from tests.contract.test_access import SERVICES, SETTINGS

README = Path(__file__).resolve().parents[2] / "README.md"
C = "/api/v1/communes/{commune_id}"
D = C + "/dialogues/{dialogue_id}"
# each public route -> the words README's list names it by
NAMED = {
    f"POST {C}/submissions": "`POST …/submissions`",
    f"GET {C}/tracking/{{tracking_code}}": "tracking by code",
    f"GET {C}/dialogues": "`GET …/dialogues`",
    f"GET {D}": "`GET …/dialogues/{id}`",
    f"POST {D}/registrations": "registrations",
    f"GET {D}/registrations/summary": "per-hamlet counts",
    f"GET {D}/speaking-order": "the speaking order",
    f"GET {C}/calendar": "the calendar",
    f"GET {C}/office-holders": "`GET …/office-holders`",
    "GET /": "the residents' pages",
    "GET /xa/{commune_id}": "the residents' pages",
    "GET /xa/{commune_id}/gui-y-kien": "the residents' pages",
    "POST /xa/{commune_id}/gui-y-kien": "the residents' pages",
    "GET /xa/{commune_id}/da-gui": "the residents' pages",
    "GET /xa/{commune_id}/ket-luan": "the residents' pages",
    "GET /xa/{commune_id}/theo-doi": "the residents' pages",
    "GET /xa/{commune_id}/dang-ky": "the residents' pages",
    "POST /xa/{commune_id}/dang-ky": "the residents' pages",
    "GET /favicon.ico": "the residents' pages",
    "GET /login": "`/login`",
    "POST /login": "`/login`",
    "GET /public/{commune_id}/dialogues/{dialogue_id}": "public conclusions page",
    f"GET {D}/open-data.{{fmt}}": "open data",
    f"GET {D}/radio-announcement": "the radio text",
    "GET /open311/v2/{commune_id}/services.{fmt}": "Open311's `GET`s",
    "GET /open311/v2/{commune_id}/services/{service_code}.{fmt}": "Open311's `GET`s",
    "GET /open311/v2/{commune_id}/requests.{fmt}": "Open311's `GET`s",
    "GET /open311/v2/{commune_id}/requests/{service_request_id}.{fmt}": "Open311's `GET`s",
    "GET /open311/v2/{commune_id}/tokens/{token}.{fmt}": "Open311's `GET`s",
    "GET /healthz": "`/healthz`",
}


def _anonymous_paragraph() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^- \*\*Anonymous\*\*(.*?)(?=^- \*\*)", text, re.S | re.M)
    assert found is not None, "README has no '- **Anonymous**' list"
    return " ".join(found.group(1).split())


def test_every_public_route_is_in_readmes_anonymous_list() -> None:
    app = build_app(SETTINGS, list(SERVICES.values()), title="all", in_memory=True)
    public = {key for key, guarded in app.state.guard.table.items() if guarded.policy.gate is Gate.PUBLIC}
    assert sorted(public - NAMED.keys()) == [], "a public route README's list does not name: add both"
    assert sorted(NAMED.keys() - public) == [], "README's list names a route that is not public"
    paragraph = _anonymous_paragraph()
    assert [words for words in NAMED.values() if words not in paragraph] == []
