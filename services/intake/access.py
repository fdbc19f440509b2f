"""Who may call each of intake's routes (shared/auth/policy.py). Anonymous routes are the short
list residents and the public need: submit, track by code, the public plan and its registrations,
Open311's reads, the residents' pages, login. Everything else names its roles and API-key scopes."""

from __future__ import annotations

from shared.auth.policy import PUBLIC, Gate, Policy, allow
from shared.auth.principal import COMMUNE_STAFF, MANAGERS, Principal, Role, Scope
from shared.contracts import Source

C = "/api/v1/communes/{commune_id}"
D = C + "/dialogues/{dialogue_id}"
INTERNAL = "/internal/v1/communes/{commune_id}"
PLAN_EDITORS = allow(MANAGERS, [Scope.PLAN])
# The meeting's record (reporting) sends the items raised on the floor (source at_meeting) with
# its own token; no one else may claim that source (handlers.submissions.check_source).
MEETING_RECORDERS = frozenset({"reporting"})
# Check-in at the door and the count per hamlet: the Party office, the commune's admin, the
# hamlet cells at the door, and integrations with `plan`.
DOOR = MANAGERS | {Role.HAMLET_CELL}
# Open311 reads are public; Open311 clients send their key as `api_key`, read as any credential
OPEN311_READ = Policy(Gate.PUBLIC, key_param="api_key")

ACCESS = {
    # submissions: anyone sends (rate-limited unless a principal sends), and the meeting's record
    # service for items raised on the floor; staff and integrations read
    f"POST {C}/submissions": Policy(Gate.PUBLIC, services=MEETING_RECORDERS),
    f"GET {C}/submissions/{{submission_id}}": allow(COMMUNE_STAFF, [Scope.READ]),
    f"GET {C}/tracking/{{tracking_code}}": PUBLIC,
    # the plan: public to read (without delegates' contacts), the Party office edits
    f"POST {C}/dialogues": PLAN_EDITORS,
    f"GET {C}/dialogues": PUBLIC,
    f"GET {D}": PUBLIC,
    f"PATCH {D}": PLAN_EDITORS,
    f"DELETE {D}": PLAN_EDITORS,
    f"POST {D}/transitions": PLAN_EDITORS,
    f"POST {D}/deadlines/{{key}}/done": PLAN_EDITORS,
    f"POST {D}/registrations": PUBLIC,
    f"GET {D}/registrations/summary": PUBLIC,
    f"GET {D}/speaking-order": PUBLIC,  # names as the commune chooses to show them; staff see them whole
    # attendance at the meeting: names and phones are looked up by staff only
    f"POST {D}/check-ins": allow(DOOR, [Scope.PLAN]),
    f"GET {D}/attendance": allow(DOOR, [Scope.PLAN]),
    f"GET {D}/registrations": allow(DOOR),
    f"GET {C}/calendar": PUBLIC,
    f"PUT {C}/calendar": PLAN_EDITORS,
    f"GET {C}/office-holders": PUBLIC,  # the names printed under every issued document
    f"PUT {C}/office-holders": PLAN_EDITORS,
    # the commune's API keys: its admin alone
    f"POST {C}/api-keys": allow([Role.COMMUNE_ADMIN]),
    f"GET {C}/api-keys": allow([Role.COMMUNE_ADMIN]),
    f"DELETE {C}/api-keys/{{key_id}}": allow([Role.COMMUNE_ADMIN]),
    # an API key exchanged for a short-lived token that routing and reporting accept
    "POST /api/v1/auth/token": allow(scopes=list(Scope)),
    # residents' contacts and registrants' phones, for notification alone (never on the bus)
    f"GET {INTERNAL}/submitters": allow(services=["notification"]),
    f"GET {INTERNAL}/dialogues/{{dialogue_id}}/registrants": allow(services=["notification"]),
    # a dialogue's submissions not routed yet, and received facts: reporting counts them in its documents
    f"GET {INTERNAL}/dialogues/{{dialogue_id}}/unrouted": allow(services=["reporting"]),
    f"GET {INTERNAL}/dialogues/{{dialogue_id}}/received": allow(services=["reporting"]),
    # Open311 GeoReport v2: reads are public (what the commune has made public), POST wants an api_key;
    # an api_key sent with a read is read like any credential (another commune's: 403, revoked: 401)
    "GET /open311/v2/{commune_id}/services.{fmt}": OPEN311_READ,
    "GET /open311/v2/{commune_id}/services/{service_code}.{fmt}": OPEN311_READ,
    "POST /open311/v2/{commune_id}/requests.{fmt}": allow(scopes=[Scope.SUBMIT], key_param="api_key"),
    "GET /open311/v2/{commune_id}/requests.{fmt}": OPEN311_READ,
    "GET /open311/v2/{commune_id}/requests/{service_request_id}.{fmt}": OPEN311_READ,
    "GET /open311/v2/{commune_id}/tokens/{token}.{fmt}": OPEN311_READ,
    # the residents' pages
    "GET /": PUBLIC,
    "GET /xa/{commune_id}": PUBLIC,
    "GET /xa/{commune_id}/gui-y-kien": PUBLIC,
    "POST /xa/{commune_id}/gui-y-kien": PUBLIC,
    "GET /xa/{commune_id}/da-gui": PUBLIC,
    "GET /xa/{commune_id}/ket-luan": PUBLIC,
    "GET /xa/{commune_id}/theo-doi": PUBLIC,
    "GET /xa/{commune_id}/dang-ky": PUBLIC,
    "POST /xa/{commune_id}/dang-ky": PUBLIC,
    "GET /favicon.ico": PUBLIC,  # the site's icon, asked for by browsers whatever a page links
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
}


# What the Fatherland Front committee's account reads: its own items and those of the
# organisations it gathers.
_FRONT_SOURCES = (Source.FATHERLAND_FRONT.value, Source.MASS_ORGANISATION.value)


def organisation_items(organisation: str | None) -> dict[str, object]:
    """The items a Fatherland Front or mass-organisation account (front_org) reads, as a store
    filter: a mass organisation's account, what that organisation sent; the Front committee's
    (no organisation), what the Front sent and what the organisations it gathers sent (its import
    file names each one). Residents', hamlet cells', the People's Committee's and the meeting's
    items are not theirs."""
    if organisation is None:
        return {"source": {"$in": list(_FRONT_SOURCES)}}
    return {"source": Source.MASS_ORGANISATION.value, "organisation": organisation}


def organisation_reads(organisation: str | None, item: dict) -> bool:
    """`organisation_items` on one stored item."""
    source = item.get("source")
    if organisation is None:
        return source in _FRONT_SOURCES
    return source == Source.MASS_ORGANISATION.value and item.get("organisation") == organisation


# A hamlet cell's account that names no hamlet: no hamlet id is empty, so it matches no registration.
NO_HAMLET = ""


def registrations_hamlet(principal: Principal | None) -> str | None:
    """The hamlet whose registrations (names, phones) the principal reads: a hamlet cell, its own
    hamlet's alone (`NO_HAMLET` when its account names none); None for everyone else the route's
    policy lets in (the Party office, the commune admin, integrations with `plan`). Counts per
    hamlet are not registrations: they stay public."""
    if principal is None or principal.role is not Role.HAMLET_CELL:
        return None
    return principal.hamlet_id or NO_HAMLET


# The staff pages' session cookie (web/staff/pages.py): an oversize body sent without it is refused
# 401 before its size is judged (shared.auth.guard.AccessGuard.refusal_before_body).
STAFF_SESSION_COOKIE = "doithoai_staff"
STAFF_PAGE = Policy(Gate.STAFF_PAGE, session_cookie=STAFF_SESSION_COOKIE)

# The staff pages: the staff router's own guard checks the session, the CSRF token and the role
# (services/intake/web/staff/pages.py); the table still names each, so none is undeclared.
STAFF_PAGES = (
    "POST /logout",
    "GET /staff/",
    "GET /staff/items/{submission_id}",
    "GET /staff/xem-lai",
    "POST /staff/items/{submission_id}/phan-loai",
    "POST /staff/items/{submission_id}/tra-loi",
    "GET /staff/van-ban",
    "POST /staff/van-ban/{kind}",
    "GET /staff/van-ban/{kind}/ban-hanh",
    "POST /staff/van-ban/{kind}/ban-hanh",
    "GET /staff/van-ban/{kind}/du-thao.{fmt}",
    "POST /staff/van-ban/tom-tat/{issue_key}",
    "GET /staff/van-ban/da-ban-hanh/{document_id}.{fmt}",
    "GET /staff/theo-doi",
    "POST /staff/theo-doi/{task_id}",
    "POST /staff/theo-doi/{task_id}/mo-lai",
    "GET /staff/y-kien-moi",
    "POST /staff/y-kien-moi",
    "GET /staff/nhap",
    "GET /staff/nhap/mau.{fmt}",
    "POST /staff/nhap",
    "GET /staff/nhap/{job_id}",
    "GET /staff/mat-khau",
    "POST /staff/mat-khau",
    "GET /staff/hoi-nghi",
    "POST /staff/hoi-nghi/diem-danh",
    "POST /staff/hoi-nghi/chuong-trinh",
    "POST /staff/hoi-nghi/chuong-trinh/sua",
    "POST /staff/hoi-nghi/chuong-trinh/xoa",
    "POST /staff/hoi-nghi/phat-bieu",
    "POST /staff/hoi-nghi/phat-bieu/sua",
    "POST /staff/hoi-nghi/ket-luan",
    "POST /staff/hoi-nghi/thong-tin",
    "GET /staff/ke-hoach",
    "GET /staff/ke-hoach/chuyen",
    "POST /staff/ke-hoach/chuyen",
    "POST /staff/ke-hoach/viec-xong",
    "POST /staff/ke-hoach/viec-xong/hoan-tac",
    "GET /staff/dang-ky",
)
ACCESS.update({key: STAFF_PAGE for key in STAFF_PAGES})
