"""A Fatherland Front or mass-organisation account's scope: which items it reads, its
organisation carried by its token, and only front_org accounts having one."""

from __future__ import annotations

import pytest

from services.demo.seed import demo_commune
from services.intake.access import organisation_items, organisation_reads
from services.intake.importer import Importer
from services.intake.web.staff.users import user_document
from shared.auth.principal import Principal, PrincipalKind, Role
from shared.auth.tokens import Tokens, random_keys
from shared.contracts import Organisation, Source
from tests.unit.test_importer import ROAD, as_csv

ITEMS = {
    "citizen": {"source": "citizen", "organisation": None},
    "cell": {"source": "hamlet_party_cell", "organisation": None},
    "front": {"source": "fatherland_front", "organisation": None},
    "women": {"source": "mass_organisation", "organisation": "womens_union"},
    "youth": {"source": "mass_organisation", "organisation": "youth_union"},
}


def matches(query: dict, item: dict) -> bool:
    """The two filter forms organisation_items writes: equality and $in."""
    return all(
        item.get(key) in want["$in"] if isinstance(want, dict) else item.get(key) == want
        for key, want in query.items()
    )


@pytest.mark.parametrize(
    ("organisation", "reads"),
    [(None, {"front", "women", "youth"}), ("womens_union", {"women"}), ("youth_union", {"youth"})],
)
def test_the_front_reads_what_it_and_the_organisations_sent_an_organisation_its_own(organisation, reads):
    assert {name for name, item in ITEMS.items() if organisation_reads(organisation, item)} == reads
    query = organisation_items(organisation)
    assert {name for name, item in ITEMS.items() if matches(query, item)} == reads


def test_the_token_carries_the_organisation():
    tokens = Tokens(random_keys(), 60)
    principal = Principal(
        kind=PrincipalKind.USER,
        subject="u1",
        name="demo.phunu",
        commune_id="demo",
        role=Role.FRONT_ORG,
        organisation="womens_union",
    )
    assert tokens.verify(tokens.issue(principal)).organisation == "womens_union"


def test_only_a_front_org_account_has_an_organisation_and_a_known_one():
    doc = user_document("phunu", "x" * 12, "front_org", "demo", organisation="womens_union")
    assert doc["organisation"] == "womens_union"
    with pytest.raises(ValueError, match="organisation"):
        user_document("a", "x" * 12, "office_staff", "demo", office_id="o", organisation="womens_union")
    with pytest.raises(ValueError, match="organisation"):
        user_document("b", "x" * 12, "front_org", "demo", organisation="chess_club")


def test_a_mass_organisation_account_imports_as_itself_and_only_itself():
    rows = [["Nội dung", "Ấp", "Đoàn thể"], [ROAD, "ấp Chợ", ""], [ROAD, "ấp Chợ", "Hội Nông dân"]]
    women = Organisation.WOMENS_UNION
    importer = Importer(demo_commune(), frozenset(range(7)), Source.FATHERLAND_FRONT, only_organisation=women)
    result = importer.read("a.csv", as_csv(rows))
    [row] = result.rows
    assert (row.submission.source, row.submission.organisation) == (
        Source.MASS_ORGANISATION,
        Organisation.WOMENS_UNION,
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "organisation")]
    assert organisation_reads("womens_union", {"source": "mass_organisation", "organisation": "womens_union"})
