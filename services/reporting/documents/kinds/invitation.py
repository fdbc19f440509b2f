"""Giấy mời (GM): the invitation to the meeting. Not in HD 36's core list of types; with
``{"numbered": False}`` it prints no number line at all."""

from __future__ import annotations

from collections.abc import Sequence

from services.reporting.documents.common import hamlet_names, when_text
from services.reporting.documents.kinds.base import Body, BuildContext, DocumentKindSpec, standing_committee
from services.reporting.documents.model import InvitationPart
from shared.contracts import DocumentKind
from shared.directory import Commune


def build(ctx: BuildContext) -> Body:
    commune, dialogue = ctx.commune, ctx.dialogue
    hamlets = hamlet_names(commune, dialogue)
    invitees = tuple(ctx.options.get("invitees") or ())
    if not invitees:
        invitees = tuple(f"Đồng chí {d.name}" for d in dialogue.delegates) + (
            (
                "Chi ủy chi bộ, Ban công tác Mặt trận, Ban quản lý tổ tự quản và đại diện nhân dân "
                + ", ".join(hamlets),
            )
            if hamlets
            else ()
        )
    topics = sorted(dialogue.topics, key=lambda t: t.number)
    content = (
        f"Dự Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}, "
        f"chủ đề: “{dialogue.theme}”.",
        f"Nội dung đối thoại tập trung vào {len(dialogue.topics):02d} vấn đề trọng tâm: "
        + "; ".join(t.name[0].lower() + t.name[1:] for t in topics)
        + ".",
    )
    part = InvitationPart(
        invitees=invitees,
        when=when_text(dialogue.meeting_date, dialogue.meeting_time),
        venue=venue_line(dialogue.venue, commune),
        content=content,
        closing="Đề nghị các đồng chí, đại biểu sắp xếp thời gian đến dự đúng giờ. Trân trọng kính mời./.",
    )
    return Body(
        subject=f"Dự Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}",
        parts={"invitation": part},
        intro=(f"Ban Thường vụ Đảng ủy {commune.display_name} trân trọng kính mời:",),
    )


def recipients(commune: Commune) -> Sequence[str]:
    return ["Như thành phần mời", "Thường trực Đảng ủy (b/c)"]


SPEC = DocumentKindSpec(
    kind=DocumentKind.INVITATION,
    code="GM",
    type_title="GIẤY MỜI",
    build=build,
    recipients=recipients,
    options=frozenset({"invitees"}),
    signers=standing_committee,  # T/M BAN THƯỜNG VỤ / BÍ THƯ, the Secretary's name
)


def venue_line(venue: str, commune: Commune) -> str:
    """The venue with the commune named once: "Nhà văn hóa xã" -> "Nhà văn hóa xã Tân Phước",
    "Hội trường UBND" -> "Hội trường UBND xã Tân Phước"; a venue naming it already is kept."""
    venue = venue.strip()
    if commune.display_name.casefold() in venue.casefold():
        return venue
    if venue.casefold().split()[-1:] == [commune.kind.casefold()]:
        return f"{venue} {commune.name}"
    return f"{venue} {commune.display_name}"
