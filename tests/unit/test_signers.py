"""Who signs each document kind, with which name, and the refusal to issue a document without one.

Pure: the documents are built from the demo plan and a few items (no rendering); issuing runs
over the in-memory fakes of `tests/unit/test_reporting_handlers.py` (directory, items, register,
documents, outbox, renderer), so a refusal can be shown to take no number from the register."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.reporting import handlers
from services.reporting.documents import KINDS, build_data
from services.reporting.documents.kinds import spec_of
from services.reporting.documents.kinds.base import SIGNER_SOURCES, unsigned
from services.reporting.documents.model import MinutesInput
from services.reporting.handlers import IssueDocument, SignerMissing
from shared.directory import Commune, OfficeHolders, Signature
from tests.unit.test_reporting_handlers import ITEMS, FakeDirectory, world  # noqa: F401 - the fixture

COMMUNE, DIALOGUE = demo_commune(), demo_dialogue()
ISSUED_ON = date(2017, 4, 5)
MINUTES = MinutesInput(
    started_at=time(7, 30),
    ended_at=time(11, 15),
    chair="Nguyễn Văn Minh, Bí thư Đảng ủy xã",
    secretary="Trần Thị Thu, cán bộ Văn phòng Đảng ủy",
    attendance=150,
)
NAMELESS = COMMUNE.model_copy(update={"office_holders": OfficeHolders(), "signature": Signature()})


def data(kind: str, commune: Commune = COMMUNE, **kw):
    return build_data(kind, commune, DIALOGUE, ITEMS, number=kw.pop("number", 5), issued_on=ISSUED_ON, **kw)


@pytest.mark.parametrize("kind", ["giay-moi", "thong-bao-ket-luan", "kien-nghi-cap-tren"])
def test_the_standing_committee_documents_are_signed_by_the_secretary(kind) -> None:
    block = data(kind).signature
    assert (block.authority, block.title, block.name) == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Minh")
    assert data(kind).left_signature is None and not data(kind).unsigned


def test_the_summary_report_is_the_party_offices_report_to_the_standing_members() -> None:
    report = data("bao-cao-tong-hop")
    block = report.signature
    assert (block.authority, block.title, block.name) == (
        "VĂN PHÒNG ĐẢNG ỦY",
        "CHÁNH VĂN PHÒNG",
        "Võ Thị Hạnh",
    )
    assert report.recipients == ("Thường trực Đảng ủy (b/c),", "Lưu Văn phòng Đảng ủy.")
    assert not any("Tỉnh ủy" in line for line in report.recipients)  # not copied to the province


def test_the_minutes_are_signed_by_the_minute_taker_and_the_chair() -> None:
    minutes = data("bien-ban", minutes=MINUTES)
    assert (minutes.left_signature.title, minutes.left_signature.name) == ("THƯ KÝ", "Trần Thị Thu")
    assert (minutes.signature.title, minutes.signature.name) == ("CHỦ TRÌ HỘI NGHỊ", "Nguyễn Văn Minh")
    assert not minutes.unsigned
    blank = data("bien-ban")  # the form printed before the meeting: names written in by hand
    assert [b.source for b in blank.unsigned] == ["meeting.chair", "meeting.minute_taker"]


def test_the_radio_script_has_no_number_and_no_party_signature() -> None:
    radio = data("thong-bao-truyen-thanh")  # even when a number is passed
    assert radio.number_line is None
    assert radio.signature.authority == "" and radio.signature.title == "ĐÀI TRUYỀN THANH XÃ TÂN PHƯỚC"
    assert radio.signature.name == "" and not radio.unsigned  # nobody signs a script read on air


def test_variants_take_the_name_of_the_office_holder_of_their_title() -> None:
    deputy = data(
        "thong-bao-ket-luan", options={"signature": {"authority": "KT. Bí thư", "title": "Phó Bí thư"}}
    )
    assert (deputy.signature.authority, deputy.signature.name) == ("K/T BÍ THƯ", "Lê Văn Hai")
    chief = data(
        "thong-bao-ket-luan",
        options={"signature": {"authority": "T/L BAN THƯỜNG VỤ", "title": "CHÁNH VĂN PHÒNG"}},
    )
    assert chief.signature.name == "Võ Thị Hạnh"
    given = data(
        "thong-bao-ket-luan", options={"signature": {"authority": "T/M", "title": "BÍ THƯ", "name": "X Y"}}
    )
    assert given.signature.name == "X Y"


def test_a_commune_that_set_only_the_signature_name_keeps_it() -> None:
    legacy = NAMELESS.model_copy(update={"signature": Signature(name="Phan Văn Cũ")})
    assert legacy.secretary_name == "Phan Văn Cũ"
    assert data("giay-moi", legacy).signature.name == "Phan Văn Cũ"
    assert data("bao-cao-tong-hop", legacy).unsigned  # the Chánh Văn phòng is still unnamed


@pytest.mark.parametrize("kind", KINDS)
def test_without_office_holders_only_the_radio_script_is_signable(kind) -> None:
    missing = unsigned(spec_of(kind), NAMELESS, DIALOGUE, ISSUED_ON, MINUTES if kind == "bien-ban" else None)
    assert bool(missing) == (kind not in ("thong-bao-truyen-thanh", "bien-ban"))
    assert all(b.source in SIGNER_SOURCES for b in missing)


async def test_issuing_without_a_signer_name_is_refused_before_numbering(world) -> None:  # noqa: F811
    docs, _ = world

    class Nameless(FakeDirectory):
        async def commune(self, commune_id: str):
            return NAMELESS if commune_id == NAMELESS.id else None

    docs = replace(docs, directory=Nameless())
    with pytest.raises(SignerMissing) as refused:
        await handlers.issue_document(
            docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "VP")
        )
    assert refused.value.field == "office_holders.secretary"
    assert "BÍ THƯ" in refused.value.message_vi and "họ tên Bí thư Đảng ủy" in refused.value.message_vi
    assert "Secretary" in refused.value.message_en
    assert docs.numbers.seq == {} and docs.documents.stored == {}  # no number taken, nothing stored
    radio = await handlers.issue_document(
        docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-truyen-thanh", "VP")
    )
    assert radio["number"] is None  # the radio script needs no signer


async def test_the_blank_minutes_cannot_be_issued(world) -> None:  # noqa: F811
    docs, _ = world
    with pytest.raises(SignerMissing) as refused:
        await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "bien-ban", "VP"))
    assert refused.value.field == "meeting.chair"
    assert docs.numbers.seq == {}


# --- where the office enters the names (intake's plan use case over an in-memory store) -------


class FakeHolders:
    """Only what `replace_office_holders` touches: the communes' office holders by id."""

    def __init__(self) -> None:
        self.communes: dict[str, dict] = {"demo": {}}

    async def set_office_holders(self, commune_id: str, holders: dict) -> bool:
        if commune_id not in self.communes:
            return False
        self.communes[commune_id]["office_holders"] = holders
        return True


async def test_the_office_holders_are_stored_trimmed_and_an_unknown_commune_is_refused() -> None:
    from services.intake.handlers.plans import PlanDeps, replace_office_holders

    async def publish(commune_id: str, doc_id: str) -> int:
        return 0

    store = FakeHolders()
    deps = PlanDeps(store, None, publish)  # type: ignore[arg-type]  # no directory read here
    entered = OfficeHolders(secretary=" Nguyễn  Văn Minh", deputy_secretaries=("Lê Văn Hai", "  "))
    assert await replace_office_holders(deps, "demo", entered)
    assert store.communes["demo"]["office_holders"] == {
        "secretary": "Nguyễn Văn Minh",
        "deputy_secretaries": ["Lê Văn Hai"],
        "chief_of_office": "",
    }
    assert not await replace_office_holders(deps, "nowhere", entered)
