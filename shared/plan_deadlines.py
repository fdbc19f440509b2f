"""The deadlines of one commune's dialogue plan: the seed's duties split per mass organisation
and per hamlet party cell in the plan's scope, dated on the commune's own calendar."""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts import DocumentKind, Organisation
from shared.deadlines import DEFAULT_RULES, Deadline, DeadlineRule, derive, for_each_body
from shared.directory import Commune, Dialogue

# The bodies a deadline rule names as responsible (DeadlineRule.responsible) other than one
# organisation or one hamlet's party cell.
GROUP_NAMES_VI: Mapping[str, str] = {
    "peoples_committee": "UBND xã",
    "fatherland_front": "Ủy ban MTTQ Việt Nam xã",
    "mass_organisations": "Các đoàn thể xã",
    "hamlet_party_cells": "Chi ủy các chi bộ ấp",
    "party_office": "Văn phòng Đảng ủy",
}
# Issuing these documents is the duty the plan asks for (a deadline key of the plan): intake
# records the duty as done when one is issued, and reporting warns before issuing one late.
DUTY_DONE_BY_DOCUMENT: Mapping[DocumentKind, str] = {
    DocumentKind.CONCLUSION_NOTICE: "conclusion",
    DocumentKind.INVITATION: "delegate_invitations",
    DocumentKind.SUMMARY_REPORT: "classification",
}
PER_ORGANISATION = ("organisation_reports",)
PER_HAMLET_CELL = ("hamlet_reports", "resident_invitations")


def _cells(commune: Commune, dialogue: Dialogue) -> dict[str, str]:
    return {h.id: f"Chi ủy chi bộ {h.name}" for h in commune.hamlets if h.id in dialogue.hamlet_ids}


def plan_rules(commune: Commune, dialogue: Dialogue) -> tuple[DeadlineRule, ...]:
    rules: tuple[DeadlineRule, ...] = DEFAULT_RULES
    for key in PER_ORGANISATION:
        rules = for_each_body(rules, key, Organisation.labels_vi())
    cells = _cells(commune, dialogue)
    if cells:
        for key in PER_HAMLET_CELL:
            rules = for_each_body(rules, key, cells)
    return rules


def plan_deadlines(commune: Commune, dialogue: Dialogue) -> list[Deadline]:
    """An override of a shared duty ("hamlet_reports") applies to each body's share of it,
    unless that share has its own ("hamlet_reports:ap-cho")."""
    rules = plan_rules(commune, dialogue)
    overrides = dict(dialogue.deadline_overrides)
    for rule in rules:
        shared_key = rule.key.split(":", 1)[0]
        if rule.key not in overrides and shared_key in dialogue.deadline_overrides:
            overrides[rule.key] = dialogue.deadline_overrides[shared_key]
    return derive(dialogue.meeting_date, commune.working_calendar(), rules, overrides)


def group_of(commune: Commune, responsible: str) -> str:
    if responsible in Organisation.labels_vi():
        return "mass_organisations"
    if any(h.id == responsible for h in commune.hamlets):
        return "hamlet_party_cells"
    return responsible


def body_name(commune: Commune, responsible: str) -> str:
    if responsible in Organisation.labels_vi():
        return Organisation.label_of(responsible)
    hamlet = next((h for h in commune.hamlets if h.id == responsible), None)
    if hamlet:
        return f"Chi ủy chi bộ {hamlet.name}"
    return GROUP_NAMES_VI.get(responsible, responsible)


def body_address(commune: Commune, responsible: str) -> str | None:
    """Where reminders to a body go: its own address, its group's, else the Party office's."""
    party_office = commune.office(commune.party_office_id)
    return (
        commune.bodies.get(responsible)
        or commune.bodies.get(group_of(commune, responsible))
        or commune.bodies.get("party_office")
        or (party_office.email if party_office else None)
    )
