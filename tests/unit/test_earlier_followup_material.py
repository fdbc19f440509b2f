"""The documents' material (`handlers.documents.material`) completes each earlier round an item
names with how that round's follow-up ended: the task of the earlier dialogue that followed up the
earlier submission (resolved ones too, not only the open ones carried over), so the notice can
print the round's conclusion and outcome. In-memory fakes of `test_reporting_handlers`."""

from __future__ import annotations

from dataclasses import replace

from services.reporting import handlers
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, FakeDirectory, FakeItems, item, world  # noqa: F401

EARLIER = DIALOGUE.model_copy(update={"id": "demo-2016", "year": 2016})


def _task(task_id: str, submission: str, status: str, **fields: object) -> dict:
    return {
        **item(9),
        "_id": task_id,
        "dialogue_id": "demo-2016",
        "cluster_id": submission,
        "submission_ids": [submission],
        "status": status,
        "due": "2016-06-10",
        "commune_id": COMMUNE.id,
        **fields,
    }


async def test_earlier_rounds_carry_their_follow_up_into_the_documents(world):  # noqa: F811
    docs, _ = world
    repeat = item(
        5,
        cluster_id="s5",
        earlier=[{"year": 2016, "submission_id": "y1", "text": "Cống", "answer": "Sẽ làm"}],
    )
    docs = replace(docs, directory=FakeDirectory(DIALOGUE, EARLIER), items=FakeItems([repeat]))
    docs.tasks.rows["demo-2016:y1"] = _task(
        "demo-2016:y1", "y1", "resolved", text="Nạo vét cống", issue_text="Cống", conclusion_kind="assigned"
    )
    docs.tasks.rows["demo-2016:x1"] = _task("demo-2016:x1", "x1", "in_progress")
    await handlers.preview_document(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "html")
    call = docs.renderer.calls[-1]
    [entry] = next(i for i in call["items"] if i["_id"] == "s5")["earlier"]
    assert (entry["conclusion"], entry["followup_status"], entry["followup_due"]) == (
        "Nạo vét cống",
        "resolved",
        "2016-06-10",
    )
    [carried] = call["carried_over"]
    assert carried["_id"] == "x1" and carried["earlier"][0]["followup_status"] == "in_progress"


async def test_the_draft_notice_reads_earlier_rounds_the_same_way(world):  # noqa: F811
    docs, _ = world
    repeat = item(5, cluster_id="s5", earlier=[{"year": 2016, "submission_id": "y1", "text": "Cống"}])
    docs = replace(docs, directory=FakeDirectory(DIALOGUE, EARLIER), items=FakeItems([repeat]))
    docs.tasks.rows["demo-2016:y1"] = _task("demo-2016:y1", "y1", "assigned")
    docs.tasks.rows["demo-2016:x1"] = _task("demo-2016:x1", "x1", "in_progress")
    await handlers.draft_conclusion_notice(docs, COMMUNE.id, DIALOGUE.id)
    call = docs.renderer.calls[-1]
    # what the preview and the issued notice print: the issues carried over unresolved too
    carried = {c["_id"]: c for c in call["carried_over"]}
    assert set(carried) == {"x1", "y1"} and carried["x1"]["earlier"][0]["followup_status"] == "in_progress"
    [entry] = call["items"][0]["earlier"]
    assert (entry["followup_status"], entry["followup_due"]) == ("assigned", "2016-06-10")
