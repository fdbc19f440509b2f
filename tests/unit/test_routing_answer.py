"""Recording the office's prepared answer (`record_answer`) as a new revision of the decision,
over routing's in-memory decisions and recorded events (no store, no broker): the answer must be
an event-carried fact, so the revision, its change and the flush are what is checked."""

from __future__ import annotations

from services.routing.handlers import record_answer
from shared.contracts import RoutingChange, SubmissionRoutedV1
from tests.unit.test_routing_handlers import THEFT, make_deps, route_all


async def test_an_answer_is_a_new_revision_that_keeps_the_office_and_is_flushed():
    deps, store, events = make_deps()
    await route_all(deps, [("T1", "ấp Chợ", THEFT)])
    first = SubmissionRoutedV1.model_validate(await store.get("demo", "T1"))
    assert first.answer is None

    await record_answer(deps, "demo", "T1", "Đã tăng cường tuần tra", "Công an xã")
    answered = SubmissionRoutedV1.model_validate(await store.get("demo", "T1"))
    assert (answered.revision, answered.change, answered.answer) == (
        first.revision + 1,
        RoutingChange.ANSWERED,
        "Đã tăng cường tuần tra",
    )
    assert (answered.office_id, answered.previous_office_id, answered.changed_by) == (
        first.office_id,
        None,
        "Công an xã",
    )
    assert events.flushed[-1] == ("demo", "T1")

    await record_answer(deps, "demo", "T1", "Đã tuần tra ban đêm", "Công an xã")
    again = SubmissionRoutedV1.model_validate(await store.get("demo", "T1"))
    assert (again.revision, again.answer) == (first.revision + 2, "Đã tuần tra ban đêm")
