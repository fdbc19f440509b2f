"""Kiến nghị cấp trên (CV): a letter (công văn) to the province on the issues beyond commune
authority, grouped by the body that can settle them; its ``V/v …`` line is its subject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.reporting.documents.common import before_reform, group_issues, meeting_sentence, within_commune
from services.reporting.documents.kinds.base import Body, BuildContext, DocumentKindSpec, standing_committee
from services.reporting.documents.model import BodyGroup, EscalationPart, Issue
from services.reporting.documents.record import concluded, conclusion_of, reviewed
from shared.contracts import AuthorityLevel, ConclusionKind, DocumentKind
from shared.directory import Commune, Dialogue

_UNNAMED_BODY: dict[str, str] = {
    AuthorityLevel.DISTRICT: "Cơ quan có thẩm quyền cấp huyện",
    AuthorityLevel.PROVINCE: "Cơ quan có thẩm quyền cấp tỉnh",
}


def build(ctx: BuildContext) -> Body:
    commune, dialogue = ctx.commune, ctx.dialogue
    issues, _ = group_issues(commune, dialogue, ctx.items, ctx.issued_on)
    if ctx.meeting is not None:  # the issues the Secretary recommended, to the body he named
        above = recommended(ctx, reviewed(issues, ctx.meeting))
    else:
        above = [i for i in issues if not within_commune(i)]
    bodies: dict[str, list[Issue]] = {}
    for issue in above:
        body = issue.authority_body or _UNNAMED_BODY.get(
            issue.authority_level, "Cơ quan Trung ương có thẩm quyền"
        )
        bodies.setdefault(body, []).append(issue)
    number, groups = 1, []
    for body, members in bodies.items():
        numbered = []
        for issue in members:
            numbered.append(replace(issue, number=number))
            number += 1
        groups.append(BodyGroup(body, tuple(numbered)))
    intro = (
        meeting_sentence(commune, dialogue)
        + f" Qua đối thoại, nhân dân nêu {len(above):02d} vấn đề vượt thẩm quyền giải quyết của cấp xã. "
        f"Ban Thường vụ Đảng ủy {commune.display_name} kính đề nghị xem xét, chỉ đạo các cơ quan có "
        "thẩm quyền giải quyết các nội dung sau:",
    )
    closing = (
        f"Ban Thường vụ Đảng ủy {commune.display_name} kính đề nghị quan tâm xem xét, chỉ đạo giải quyết "
        "và thông tin kết quả để địa phương trả lời cho nhân dân được biết./.",
    )
    addressees = tuple(ctx.options.get("addressees") or higher_level(commune, dialogue))
    return Body(
        subject="kiến nghị giải quyết các vấn đề vượt thẩm quyền cấp xã qua đối thoại với nhân dân "
        f"năm {dialogue.year}",
        parts={"escalation": EscalationPart(groups=tuple(groups), closing=closing)},
        intro=intro,
        addressees=addressees,
    )


def recommended(ctx: BuildContext, issues: list[Issue]) -> list[Issue]:
    """With a meeting record: the issues concluded `recommended` (their body the one named), and
    those beyond commune authority not concluded yet."""
    out = []
    for issue in issues:
        conclusion = conclusion_of(issue, ctx.meeting)
        if conclusion is None:
            if not within_commune(issue):
                out.append(issue)
        elif conclusion["kind"] == ConclusionKind.RECOMMENDED:
            out.append(concluded(ctx.commune, issue, conclusion, ctx.issued_on))
    return out


def recipients(commune: Commune) -> Sequence[str]:
    return ["Như trên", "Thường trực Đảng ủy", f"UBND {commune.display_name}", "Chi bộ các ấp liên quan"]


SPEC = DocumentKindSpec(
    kind=DocumentKind.RECOMMENDATION,
    code="CV",
    type_title=None,
    build=build,
    recipients=recipients,
    options=frozenset({"addressees"}),
    signers=standing_committee,  # T/M BAN THƯỜNG VỤ / BÍ THƯ, the Secretary's name
)


def higher_level(commune: Commune, dialogue: Dialogue) -> tuple[str, str]:
    """Whom the commune recommends to: the district before the 2025 reform (when known), the
    province since."""
    if before_reform(dialogue) and commune.district:
        return (f"Ban Thường vụ Huyện ủy {commune.district}", f"Ủy ban nhân dân huyện {commune.district}")
    return (f"Ban Thường vụ Tỉnh ủy {commune.province}", f"Ủy ban nhân dân tỉnh {commune.province}")
