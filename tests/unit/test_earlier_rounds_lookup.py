"""Reporting's earlier-followup use case (the staff item page's earlier rounds): each asked earlier
submission with the task of an earlier dialogue that followed it up, said as the documents say it
on today's date, the conclusion masked for a reader who does not read as typed. In-memory fakes of
`test_reporting_handlers`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.reporting.handlers import NotFound
from services.reporting.handlers.earlier_rounds import earlier_followup
from tests.unit.test_earlier_followup_material import EARLIER, _task
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, FakeDirectory, world  # noqa: F401

CONCLUSION = "Sửa lộ đal tổ 5, báo ông Tám 0912 888 777"


@pytest.fixture
def docs(world):  # noqa: F811
    docs, _ = world
    docs = replace(docs, directory=FakeDirectory(DIALOGUE, EARLIER))
    docs.tasks.rows["t1"] = _task(
        "t1",
        "y1",
        "in_progress",
        text=CONCLUSION,
        issue_text="Lộ đal",
        conclusion_kind="assigned",
        office_name="Phòng Kinh tế",
        due="2016-09-30",
    )
    docs.tasks.rows["t2"] = _task(
        "t2", "y2", "resolved", text="Lộ đal", issue_text="Lộ đal", office_name="Công an xã"
    )
    return docs


async def test_each_round_is_said_as_the_documents_say_it(docs):
    found = await earlier_followup(docs, COMMUNE.id, DIALOGUE.id, ["y1", "y2", "unknown"], as_typed=True)
    assert set(found) == {"y1", "y2"}  # no task followed "unknown" up: absent
    assert found["y1"]["line_vi"] == (
        f"Đợt năm 2016: kết luận “{CONCLUSION}”; kết quả: quá hạn (hạn 30/09/2016), chưa giải quyết xong."
    )
    assert (found["y1"]["dialogue_id"], found["y1"]["year"], found["y1"]["overdue"]) == (
        "demo-2016",
        2016,
        True,
    )
    # a default task (its text the resident's): the office it was given to, and how it ended
    assert found["y2"]["line_vi"] == "Đợt năm 2016: giao Công an xã giải quyết; kết quả: đã giải quyết xong."


async def test_the_conclusion_is_masked_for_who_does_not_read_as_typed(docs):
    found = await earlier_followup(docs, COMMUNE.id, DIALOGUE.id, ["y1"], as_typed=False)
    assert "0912" not in found["y1"]["conclusion"] and "0912" not in found["y1"]["line_vi"]
    assert found["y1"]["conclusion"].startswith("Sửa lộ đal tổ 5")


async def test_only_dialogues_before_this_one_are_read(docs):
    assert await earlier_followup(docs, COMMUNE.id, EARLIER.id, ["y1"], as_typed=True) == {}
    with pytest.raises(NotFound):
        await earlier_followup(docs, COMMUNE.id, "no-such", ["y1"], as_typed=True)
