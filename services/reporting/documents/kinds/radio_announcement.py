"""Thông báo trên hệ thống truyền thanh: the script the commune radio station reads out (it
speaks as the station: "Đài truyền thanh … xin thông báo"). Not a Party document: no number
(issued unnumbered, no number line even in a draft) and no Party signature, only the station's
line; the Party office hands it to the station and files a copy (Nơi nhận)."""

from __future__ import annotations

from collections.abc import Sequence

from services.reporting.documents.kinds.base import Body, BuildContext, DocumentKindSpec, radio_station
from services.reporting.documents.model import RadioPart
from services.reporting.radio import environment, radio_announcement
from shared.contracts import DocumentKind
from shared.directory import Commune
from shared.plan_deadlines import plan_deadlines


def build(ctx: BuildContext) -> Body:
    commune, dialogue = ctx.commune, ctx.dialogue
    due = next(
        (
            d.plan_date
            for d in plan_deadlines(commune, dialogue)
            if d.key.split(":", 1)[0] == "hamlet_reports"
        ),
        None,
    )
    text = radio_announcement(
        environment(),
        commune,
        dialogue,
        registration_hint=ctx.options.get("registration_hint"),
        opinions_due=due,
    )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The template opens with "THÔNG BÁO", "Về việc …", "(Phát trên …)": the layout prints the
    # first two as type and subject.
    if lines and lines[0] == "THÔNG BÁO":
        lines = lines[1:]
    subject = (
        lines.pop(0)
        if lines and lines[0].startswith("Về việc")
        else f"Về việc tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}"
    )
    intro = (lines.pop(0),) if lines and lines[0].startswith("(") else ()
    return Body(subject=subject, parts={"radio": RadioPart(paragraphs=tuple(lines))}, intro=intro)


def recipients(commune: Commune) -> Sequence[str]:
    return [f"Đài truyền thanh {commune.display_name}", "Chi bộ các ấp"]


SPEC = DocumentKindSpec(
    kind=DocumentKind.RADIO_ANNOUNCEMENT,
    code="TB",
    type_title="THÔNG BÁO",
    build=build,
    recipients=recipients,
    options=frozenset({"registration_hint"}),
    numbered_when_issued=False,
    signers=radio_station,
)
