"""`build_data`: from the plan, the read-model items and the minutes to a `DocumentData` (pure:
no I/O, no clock; the same inputs give the same document, charts included).

Items are read-model dicts (see ``services/reporting/projection.py``). Items without a topic
are still being classified: they are counted ("đang phân loại") but get no conclusion.
Submissions of this dialogue raising the same issue (same ``cluster_id``, else the same
``duplicate_of``) are merged into one `Issue`, printed once; an issue raised more than once
(also in earlier years: "kéo dài") is marked first in bold ("[Nêu 3 lần, kéo dài từ năm 2015]"),
put first within its topic and section (`common.repeated_first`), and each earlier round prints
that round's conclusion and how its follow-up ended (`model.Earlier.line`).

Numbering of issues: one number per issue, the conclusion notice's (`common.notice_sections`):
the conclusions within commune authority 1..k by topic, the recommendations to the higher level
k+1..m, those answered or explained at the meeting m+1..n. The summary report's table (by topic),
the minutes' conclusions and the meeting page name each issue by that number. Deadlines for
offices are working days counted from the notice's issue date (default 30,
`options["resolution_working_days"]`, or per topic with `options["resolution_working_days_by_topic"]`).

What differs between kinds (body, type line, number code, default recipients, the options it
reads) is declared once per kind in `documents/kinds/`; this module assembles the common layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.reporting.documents.common import of_era, party_signature, province_line, source_label
from services.reporting.documents.kinds import REGISTRY, BuildContext, DocumentKindSpec, spec_of
from services.reporting.documents.model import PARTY_OFFICE_FILE_LINE, DocumentData, MinutesInput
from services.reporting.documents.record import minutes_input
from shared.directory import Commune, Dialogue

# Options every kind reads; each kind adds its own (`DocumentKindSpec.options`). An option of
# another kind is accepted and ignored, so one set of options serves every document of a dialogue.
COMMON_OPTIONS = frozenset({"numbered", "signature", "recipients", "place"})
OPTIONS = COMMON_OPTIONS.union(*(spec.options for spec in REGISTRY.values()))


def _recipients(spec: DocumentKindSpec, commune: Commune, options: Mapping[str, Any]) -> tuple[str, ...]:
    given = options.get("recipients")
    if given is not None:
        lines = [str(r).strip().lstrip("-").strip() for r in given]
    else:
        lines = list(spec.recipients(commune))
    lines = [
        line.rstrip(",;.").rstrip()
        for line in lines
        if line and line.rstrip(".") != PARTY_OFFICE_FILE_LINE.rstrip(".")
    ]
    return tuple(f"{line}," for line in lines) + (PARTY_OFFICE_FILE_LINE,)


def build_data(
    kind: str,
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    *,
    number: int | None,
    issued_on: date,
    minutes: MinutesInput | None = None,
    options: Mapping[str, Any] = {},  # noqa: B006 - read only
    meeting: Mapping[str, Any] | None = None,
    duties_done: Mapping[str, Mapping[str, Any]] | None = None,
) -> DocumentData:
    """Everything a template needs for one document of `kind` (pure).

    `number` is the next number in the committee term's register for the kind's type code;
    None prints a draft. `options` (all optional): ``numbered`` (False: no number line, for the
    invitation; a kind issued unnumbered, the radio script, prints none by default),
    ``signature`` (a `Signature` or a mapping with authority/title/name, overriding the
    commune's; without a name the office holder of its title signs, see `kinds.base`),
    ``recipients`` (lines before "Lưu Văn phòng Đảng ủy."), ``place``, ``addressees`` (letter),
    ``invitees`` (invitation),
    ``resolution_working_days`` and ``resolution_working_days_by_topic`` (conclusion notice),
    ``proposals`` (extra report proposals), ``charts`` (False: no charts), ``registration_hint``
    (radio). `meeting`: the meeting record (`services/reporting/meeting.py`) the minutes, the
    notice and the letter follow; None prints them from the plan and the items alone. Every office
    is printed by its title on the dialogue's meeting date (`common.of_era`). `duties_done`: the
    plan's duties recorded as done, by deadline key (the report's table of reports received
    counts a body whose report the Party office recorded on paper)."""
    spec = spec_of(kind)
    unknown = set(options) - OPTIONS
    if unknown:
        raise ValueError(f"unknown document options: {', '.join(sorted(unknown))}")
    if number is not None and number < 1:
        raise ValueError("a document number starts at 1")
    # Offices as named on the meeting day: pre-reform titles for a dialogue before 1 July 2025.
    commune, items, meeting, minutes = of_era(commune, dialogue, items, meeting, minutes)
    if meeting is not None and minutes is None:
        minutes = minutes_input(meeting, dialogue)  # the record names the chair and the minute-taker
    context = BuildContext(commune, dialogue, items, issued_on, minutes, options, meeting, duties_done)
    signers = spec.signers(context)
    body = spec.build(context)
    return DocumentData(
        kind=spec.kind.value,
        code=spec.code,
        province_line=province_line(commune, dialogue),
        committee_line=f"ĐẢNG ỦY {commune.display_name.upper()}",
        number=number,
        numbered=bool(options.get("numbered", spec.numbered_when_issued)),
        issued_on=issued_on,
        dated_on=body.dated_on,
        place=options.get("place") or commune.name,
        type_title=spec.type_title,
        subject=body.subject,
        addressees=body.addressees,
        intro=body.intro,
        closing=body.closing,
        signature=body.signature or signers.right,
        left_signature=body.left_signature or signers.left,
        recipients=_recipients(spec, commune, options),
        charts=body.charts,
        issuer=commune.party_committee,
        **body.parts,
    )


__all__ = ["OPTIONS", "build_data", "party_signature", "source_label"]
