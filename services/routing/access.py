"""Who may call each of routing's routes (shared/auth/policy.py). The handlers narrow further:
office staff see and answer only their office's items."""

from __future__ import annotations

from shared.auth.policy import allow
from shared.auth.principal import ANSWERERS, MANAGERS, Scope

C = "/api/v1/communes/{commune_id}"

ACCESS = {
    f"GET {C}/review-queue": allow(MANAGERS, [Scope.READ]),
    f"GET {C}/submissions/{{submission_id}}/routing": allow(ANSWERERS, [Scope.READ]),
    f"POST {C}/submissions/{{submission_id}}/routing/changes": allow(MANAGERS, [Scope.ROUTE]),
    f"PUT {C}/submissions/{{submission_id}}/answer": allow(ANSWERERS, [Scope.ROUTE]),
    f"GET {C}/routing/rules": allow(MANAGERS, [Scope.READ]),
    f"PUT {C}/routing/rules": allow(MANAGERS, [Scope.ROUTE]),
    f"DELETE {C}/routing/rules": allow(MANAGERS, [Scope.ROUTE]),
}
