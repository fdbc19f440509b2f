"""An item raised on the floor of the meeting (source `at_meeting`) goes through intake's one
`submit` use case, sent by the service keeping the meeting's record; nobody else may claim that
source (`handlers.submissions.check_source`).

Fakes: an in-memory submission store (a dict keyed by id) and a list standing for the outbox
publisher; metrics are the real counters on a fresh registry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from services.demo.seed import demo_commune
from services.intake.handlers.submissions import SubmitCommand, SubmitDeps, submit, submit_many
from services.intake.logic import SubmissionRejected
from services.intake.metrics import IntakeMetrics
from services.intake.schemas import SubmissionIn
from shared.auth.principal import Principal, PrincipalKind, Role, service_principal

Doc = dict[str, Any]


class FakeSubmissions:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    async def insert(self, doc: Doc) -> None:
        self.docs[doc["_id"]] = doc

    async def insert_new(self, docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
        for doc in docs:
            self.docs[doc["_id"]] = doc
        return docs, []


def deps(store: FakeSubmissions, published: list[Doc]) -> SubmitDeps:
    async def publish(doc: Doc) -> int:
        published.append(doc)
        return 1

    metrics = IntakeMetrics(CollectorRegistry())
    return SubmitDeps(store, publish, metrics, meeting_recorders=frozenset({"reporting"}))


def command(principal: Principal | None, source: str = "at_meeting") -> SubmitCommand:
    body = SubmissionIn(
        source=source, kind="petition", text="Cống ấp Chợ bị sụp, đề nghị sửa.", hamlet="ap cho"
    )
    return SubmitCommand(demo_commune(), body, correlation_id="c1", principal=principal)


def staff(role: Role) -> Principal:
    return Principal(kind=PrincipalKind.USER, subject="u", name="demo.vp", commune_id="demo", role=role)


async def test_the_meeting_records_service_sends_an_item_raised_on_the_floor():
    store, published = FakeSubmissions(), []
    accepted = await submit(deps(store, published), command(service_principal("reporting", "demo")))
    doc = store.docs[accepted.submission_id]
    assert (doc["source"], doc["hamlet"], doc["submitted_by"]) == (
        "at_meeting",
        "ấp Chợ",
        "service:reporting",
    )
    assert published == [doc] and doc["outbox"][0]["payload"]["source"] == "at_meeting"


@pytest.mark.parametrize(
    "principal",
    [
        None,
        staff(Role.PARTY_OFFICE),
        Principal(kind=PrincipalKind.API_KEY, subject="k", name="api-key:x", commune_id="demo"),
        service_principal("notification", "demo"),
        service_principal("reporting", "other-commune"),
    ],
    ids=["anonymous", "staff", "api-key", "another-service", "another-commune"],
)
async def test_no_one_else_may_claim_the_meeting_as_source(principal: Principal | None):
    store, published = FakeSubmissions(), []
    d = deps(store, published)
    with pytest.raises(SubmissionRejected) as caught:
        await submit(d, command(principal))
    assert (caught.value.code, caught.value.field) == ("source_not_allowed", "source")
    assert await submit_many(d, [command(principal)]) == []  # a batch skips it too
    assert store.docs == {} and published == []
    rejected = d.metrics.submissions.labels("demo", "rejected")._value.get()
    assert rejected == 2


async def test_other_sources_keep_their_rules_and_name_no_author():
    store, published = FakeSubmissions(), []
    d = deps(store, published)
    for principal in (None, service_principal("reporting", "demo")):
        accepted = await submit(d, command(principal, source="citizen"))
        assert "submitted_by" not in store.docs[accepted.submission_id]


def held_plans(**statuses: str):
    """The commune's plans by id with these statuses (the directory's dialogue look-up)."""
    from services.demo.seed import demo_dialogue

    plans = {
        plan_id: demo_dialogue().model_copy(update={"id": plan_id, "status": s})
        for plan_id, s in statuses.items()
    }

    async def dialogue(commune_id: str, dialogue_id: str):
        return plans.get(dialogue_id) if commune_id == "demo" else None

    return dialogue


def at_meeting_of(dialogue_id: str | None, *, commune_open: str | None) -> SubmitCommand:
    body = SubmissionIn(
        source="at_meeting",
        kind="petition",
        text="Đèn đường ấp Chợ hư, đề nghị sửa.",
        dialogue_id=dialogue_id,
    )
    commune = demo_commune().model_copy(update={"current_dialogue_id": commune_open})
    return SubmitCommand(commune, body, correlation_id="c2", principal=service_principal("reporting", "demo"))


async def test_an_item_raised_at_a_meeting_held_goes_to_that_dialogue_after_its_end_was_saved():
    """The meeting's end moves the plan to held and the commune has no open plan (or next
    year's): an issue raised on the floor is still recorded, in the meeting's own dialogue."""
    store, published = FakeSubmissions(), []
    d = replace(
        deps(store, published), dialogues=held_plans(**{"demo-2017": "held", "demo-2018": "collecting"})
    )
    for commune_open in (None, "demo-2018"):
        accepted = await submit(d, at_meeting_of("demo-2017", commune_open=commune_open))
        assert store.docs[accepted.submission_id]["dialogue_id"] == "demo-2017"
    open_one = await submit(d, at_meeting_of("demo-2018", commune_open="demo-2018"))
    assert store.docs[open_one.submission_id]["dialogue_id"] == "demo-2018"


@pytest.mark.parametrize("status", ["concluded", "closed", "collecting", "cancelled"])
async def test_a_dialogue_not_open_and_not_held_takes_no_item_raised_at_its_meeting(status: str):
    store, published = FakeSubmissions(), []
    d = replace(deps(store, published), dialogues=held_plans(**{"demo-2017": status}))
    with pytest.raises(SubmissionRejected) as caught:
        await submit(d, at_meeting_of("demo-2017", commune_open="demo-2018"))
    assert (caught.value.code, caught.value.field) == ("dialogue_not_taking", "dialogue_id")
    with pytest.raises(SubmissionRejected):
        await submit(d, at_meeting_of("no-such-plan", commune_open="demo-2018"))
    assert store.docs == {} and published == []


def test_only_an_item_raised_at_the_meeting_names_its_dialogue():
    with pytest.raises(ValidationError) as caught:
        SubmissionIn(
            source="citizen", kind="petition", text="Đèn đường hư, đề nghị sửa.", dialogue_id="demo-2017"
        )
    assert caught.value.errors()[0]["loc"] == ("dialogue_id",)
