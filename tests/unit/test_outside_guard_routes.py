"""The guard finds a request's route in its own table (for requests whose body is never read):
parameters stand for one path segment, the more literal template wins, the method must match."""

from __future__ import annotations

from shared.auth.guard import AccessGuard, GuardedPolicy
from shared.auth.policy import PUBLIC, STAFF_PAGE, allow
from shared.auth.principal import Role
from shared.auth.tokens import Tokens, random_keys

EDIT = GuardedPolicy("reporting", allow([Role.PARTY_OFFICE]))
DRAFT = GuardedPolicy("intake", STAFF_PAGE)
OPEN = GuardedPolicy("intake", PUBLIC)
GUARD = AccessGuard(
    Tokens(random_keys(), 60),
    {
        "PUT /api/v1/communes/{commune_id}/meeting/{issue_key}": EDIT,
        "POST /staff/van-ban/{kind}/ban-hanh": DRAFT,
        "POST /staff/van-ban/{kind}/{step}": OPEN,
        "GET /x/{document_id}.{fmt}": OPEN,
    },
)


def test_parameters_are_read_from_one_segment_each():
    assert GUARD._route_of("PUT", "/api/v1/communes/demo/meeting/k-1") == (
        EDIT,
        {"commune_id": "demo", "issue_key": "k-1"},
    )
    assert GUARD._route_of("PUT", "/api/v1/communes/demo/meeting/k/1") is None
    assert GUARD._route_of("GET", "/x/abc.pdf") == (OPEN, {"document_id": "abc", "fmt": "pdf"})


def test_the_more_literal_template_wins_and_the_method_must_match():
    assert GUARD._route_of("POST", "/staff/van-ban/bien-ban/ban-hanh")[0] is DRAFT
    assert GUARD._route_of("POST", "/staff/van-ban/bien-ban/du-thao")[0] is OPEN
    assert GUARD._route_of("GET", "/staff/van-ban/bien-ban/ban-hanh") is None
