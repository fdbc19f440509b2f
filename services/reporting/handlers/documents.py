"""Document use cases: the read model of a dialogue, the draft conclusion notice and the radio
text, previews, and issuing: a number from the term's register, every format rendered once and
frozen with the data it came from, an event naming the Nơi nhận it printed (notification mails
those), and for a kind that opens follow-up (the conclusion notice) one task per conclusion.

A dialogue's items are the read model's (every item routing has decided) with the submissions
intake holds that routing has not decided yet (`current_items`): when intake cannot list them
the use case refuses (`ItemsIncomplete`) rather than count part of the dialogue."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from services.reporting.documents.build import build_data
from services.reporting.documents.checks import (
    chair_not_office_holder,
    deadlines_passed,
    minutes_blank,
    speeches_unanswered,
)
from services.reporting.documents.common import of_era
from services.reporting.documents.kinds import REGISTRY, DocumentKindSpec
from services.reporting.documents.kinds.base import SIGNER_SOURCES, BuildContext, unsigned
from services.reporting.documents.kinds.conclusion_notice import other_assignee
from services.reporting.documents.model import MinutesInput, SignatureBlock
from services.reporting.documents.recipients import printed_recipients
from services.reporting.documents.record import minutes_input
from services.reporting.followup import followed_items, notice_numbers
from services.reporting.handlers.carried import carried_over
from services.reporting.handlers.errors import ItemsIncomplete, NotFound, SignerMissing, UnknownDocumentKind
from services.reporting.handlers.followup import open_follow_up
from services.reporting.handlers.ports import Doc, DocumentDeps
from services.reporting.handlers.publish import flush
from services.reporting.meeting import issue_rows, recorded
from services.reporting.numbering import document_code
from services.reporting.radio import radio_announcement
from services.reporting.raised import with_earlier_followup
from services.reporting.unrouted import received_fields, with_unrouted
from shared.clock import VIETNAM_TZ
from shared.contracts import DocumentIssuedV1, DocumentKind, Envelope, PlanStatus
from shared.deadlines import state
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError, TransientError
from shared.ids import new_id
from shared.personal_data import mask_personal_data
from shared.plan_deadlines import DUTY_DONE_BY_DOCUMENT, plan_deadlines

log = logging.getLogger(__name__)

MAX_VERSION_RACES = 20
RECEIVED_CHUNK = 100  # items whose received facts are asked of intake per call
DRAFT_NOTICE_METRIC = "thong-bao-ket-luan-du-thao"


@dataclass(frozen=True)
class IssueDocument:
    commune_id: str
    dialogue_id: str
    kind: str
    issued_by: str  # the authenticated principal
    issued_on: date | None = None  # default: today in the dialogue's time zone


def spec_for(kind: str) -> DocumentKindSpec:
    try:
        return REGISTRY[DocumentKind(kind)]
    except ValueError:
        raise UnknownDocumentKind(kind) from None


async def load_dialogue(deps: DocumentDeps, commune_id: str, dialogue_id: str) -> tuple[Commune, Dialogue]:
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None:
        raise NotFound(dialogue_id)
    return commune, dialogue


async def current_items(deps: DocumentDeps, commune_id: str, dialogue_id: str) -> list[Doc]:
    """The dialogue's items, oldest first: the read model's, and those intake holds that routing
    has not decided yet. An item routed by a routing version whose event did not carry the
    received facts gets them from intake, stored once. `ItemsIncomplete` when intake cannot list
    them all."""
    stored = await deps.items.for_dialogue(commune_id, dialogue_id)
    if deps.intake is None:
        return stored
    lacking = [str(item["_id"]) for item in stored if item.get("received_at") is None]
    chunks = [lacking[i : i + RECEIVED_CHUNK] for i in range(0, len(lacking), RECEIVED_CHUNK)]
    try:
        unrouted, answers = await asyncio.gather(
            deps.intake.unrouted(commune_id, dialogue_id),
            asyncio.gather(*(deps.intake.received(commune_id, dialogue_id, chunk) for chunk in chunks)),
        )
    except (TransientError, PermanentError) as exc:
        raise ItemsIncomplete.intake_unavailable(str(exc)) from exc
    if not unrouted.complete:
        raise ItemsIncomplete.too_many_unrouted(len(unrouted.submissions))
    facts = {str(f["id"]): received_fields(f) for answer in answers for f in answer}
    for submission_id, fields in facts.items():  # stored: the next listing asks for them no more
        await deps.items.merge(commune_id, submission_id, fields)
    stored = [{**item, **facts.get(str(item["_id"]), {})} for item in stored]
    return with_unrouted(commune_id, stored, unrouted.submissions)


async def material(deps: DocumentDeps, commune: Commune, dialogue: Dialogue) -> tuple[list[Doc], list[Doc]]:
    """This dialogue's items, and the unresolved issues of earlier dialogues (kéo dài); each
    earlier round either names is completed by how its follow-up ended (`with_earlier_followup`)."""
    items = await current_items(deps, commune.id, dialogue.id)
    carried = await carried_over(deps.tasks, deps.directory, commune.id, dialogue, deps.meetings)
    return with_earlier_followup(items, carried.earlier), carried.items


async def meeting_of(deps: DocumentDeps, commune: Commune, dialogue: Dialogue) -> Doc | None:
    """The meeting record the documents follow, once staff have recorded anything."""
    if deps.meetings is None:
        return None
    record = await deps.meetings.get(commune.id, dialogue.id)
    return record if recorded(record) else None


def _today(deps: DocumentDeps, dialogue: Dialogue) -> date:
    return deps.clock().astimezone(ZoneInfo(dialogue.timezone)).date()


async def dialogue_items(deps: DocumentDeps, commune_id: str, dialogue_id: str) -> list[Doc]:
    await load_dialogue(deps, commune_id, dialogue_id)
    return await current_items(deps, commune_id, dialogue_id)


async def draft_conclusion_notice(deps: DocumentDeps, commune_id: str, dialogue_id: str) -> bytes:
    """The conclusion notice as it stands, unnumbered (HTML), from what the issued notice prints
    (`material`): this dialogue's items and the issues earlier dialogues left unresolved (kéo dài),
    each earlier round with how it was followed up."""
    commune, dialogue = await load_dialogue(deps, commune_id, dialogue_id)
    rows, carried = await material(deps, commune, dialogue)
    html = deps.renderer.render_one(
        DocumentKind.CONCLUSION_NOTICE.value,
        "html",
        commune=commune,
        dialogue=dialogue,
        items=rows,
        carried_over=carried,
        number=None,
        issued_on=deps.clock().astimezone(VIETNAM_TZ).date(),
        meeting=await meeting_of(deps, commune, dialogue),
    )
    deps.metrics.renders.labels(commune_id, DRAFT_NOTICE_METRIC).inc()
    return html


async def radio_text(deps: DocumentDeps, commune_id: str, dialogue_id: str, drafts: bool = False) -> str:
    """The plan as the commune radio reads it aloud, with the day opinions must reach the hamlet.
    A draft plan is not announced (NotFound) unless `drafts` (its staff, previewing it)."""
    commune, dialogue = await load_dialogue(deps, commune_id, dialogue_id)
    if dialogue.status == PlanStatus.DRAFT and not drafts:
        raise NotFound(dialogue_id)
    reports = next(d for d in plan_deadlines(commune, dialogue) if d.key.startswith("hamlet_reports"))
    deps.metrics.renders.labels(commune_id, DocumentKind.RADIO_ANNOUNCEMENT.value).inc()
    return radio_announcement(deps.templates, commune, dialogue, opinions_due=reports.plan_date)


async def preview_document(
    deps: DocumentDeps, commune_id: str, dialogue_id: str, kind: str, fmt: str
) -> bytes:
    """The document as it would be issued today: unnumbered (dự thảo), not stored."""
    spec = spec_for(kind)
    commune, dialogue = await load_dialogue(deps, commune_id, dialogue_id)
    items, carried = await material(deps, commune, dialogue)
    return deps.renderer.render_one(
        spec.kind.value,
        fmt,
        commune=commune,
        dialogue=dialogue,
        items=items,
        carried_over=carried,
        number=None,
        issued_on=_today(deps, dialogue),
        meeting=await meeting_of(deps, commune, dialogue),
        duties_done=await deps.directory.deadline_marks(commune.id, dialogue.id),
    )


async def list_documents(deps: DocumentDeps, commune_id: str, dialogue_id: str) -> Doc:
    """The issued documents, and whether the conclusion notice is due, done or overdue; once
    issued, the day of its first version (`issued_on`) and whether that was after its due day
    (`late`)."""
    commune, dialogue = await load_dialogue(deps, commune_id, dialogue_id)
    issued = await deps.documents.for_dialogue(commune_id, dialogue_id)
    conclusion = next(d for d in plan_deadlines(commune, dialogue) if d.key == "conclusion")
    first = min(
        (str(d["issued_on"]) for d in issued if d["kind"] == DocumentKind.CONCLUSION_NOTICE), default=None
    )
    return {
        "dialogue_id": dialogue_id,
        "conclusion_notice": {
            "due": conclusion.due.isoformat(),
            "printed": conclusion.printed,
            "state": state(conclusion, first is not None, _today(deps, dialogue)),
            "issued_on": first,
            "late": first is not None and first > conclusion.due.isoformat(),
        },
        "documents": issued,
    }


async def issued_file(deps: DocumentDeps, commune_id: str, document_id: str, fmt: str) -> bytes:
    content = await deps.documents.issued_file(commune_id, document_id, fmt)
    if content is None:
        raise NotFound(document_id)
    return content


def refuse_unsigned(
    spec: DocumentKindSpec,
    commune: Commune,
    dialogue: Dialogue,
    issued_on: date,
    minutes: MinutesInput | None = None,
) -> None:
    """`SignerMissing` for a document that would carry no signer's name (checked before a number
    is taken from the register, so a refusal leaves no gap in it)."""
    for block in unsigned(spec, commune, dialogue, issued_on, minutes):
        what_vi, what_en = SIGNER_SOURCES.get(block.source, (block.source, block.source))
        raise SignerMissing(spec.kind.value, block.title, block.source, what_vi, what_en)


async def issue_document(deps: DocumentDeps, command: IssueDocument) -> Doc:
    """Issues a new version of the kind: numbered in the term's register for its type code
    (unless the kind is issued unnumbered), every format rendered once and stored with the
    `DocumentIssuedV1` event; two issues at once take consecutive versions. A document whose
    signer has no name yet is refused (`SignerMissing`) before anything is numbered."""
    spec = spec_for(command.kind)
    commune, dialogue = await load_dialogue(deps, command.commune_id, command.dialogue_id)
    kind = spec.kind.value
    issued_on = command.issued_on or _today(deps, dialogue)
    items, carried = await material(deps, commune, dialogue)
    record = await meeting_of(deps, commune, dialogue)
    duties_done = await deps.directory.deadline_marks(commune.id, dialogue.id)
    refuse_unsigned(spec, commune, dialogue, issued_on, minutes_input(record, dialogue))
    number = (
        await deps.numbers.next(commune.id, commune.party_term, spec.code)
        if spec.numbered_when_issued
        else None
    )
    files, title = deps.renderer.render_all(
        kind,
        commune=commune,
        dialogue=dialogue,
        items=items,
        carried_over=carried,
        number=number,
        issued_on=issued_on,
        meeting=record,
        duties_done=duties_done,
    )
    code = document_code(number, spec.code)
    # Whom the document goes to is what it printed, read back from the files as issued (edited
    # lines and a commune's own template included), never worked out again from the commune.
    recipients = printed_recipients(files["html"])
    if recipients is None:
        log.warning(
            "issued %s prints no Nơi nhận block: it is e-mailed to nobody",
            kind,
            extra={"commune_id": commune.id, "dialogue_id": dialogue.id},
        )
    for _ in range(MAX_VERSION_RACES):
        version = await deps.documents.latest_version(commune.id, dialogue.id, kind) + 1
        document_id = f"{commune.id}:{dialogue.id}:{kind}:v{version}"
        payload = DocumentIssuedV1(
            document_id=document_id,
            dialogue_id=dialogue.id,
            kind=spec.kind,
            number=number,
            code=code,
            version=version,
            title=title,
            issued_on=issued_on,
            recipients=recipients or (),
        )
        event = Envelope.wrap(payload, commune_id=commune.id, correlation_id=new_id())
        doc = {
            "_id": document_id,
            "commune_id": commune.id,
            "dialogue_id": dialogue.id,
            "kind": kind,
            "version": version,
            "number": number,
            "code": code,
            "term": commune.party_term,
            "title": title,
            "issued_on": issued_on.isoformat(),
            "issued_by": command.issued_by,
            "items": [i["_id"] for i in items],
            "carried_over": [t["_id"] for t in carried],
        }
        if await deps.documents.store(doc, files, event):
            break
    else:
        raise TransientError(f"could not store {kind} of {dialogue.id}: versions kept colliding")
    await flush(deps.outbox, deps.documents.documents, commune.id, document_id)
    if spec.opens_follow_up:
        conclusions = (record.get("conclusions") or {}) if record is not None else None
        numbers = notice_numbers(commune, dialogue, [*carried, *items], issued_on, record)
        followed = followed_items(items, carried, conclusions)  # a concluded carried-over issue too
        await open_follow_up(
            deps.tasks, deps.outbox, commune, dialogue, followed, issued_on, conclusions, numbers
        )
        if record is not None and deps.meetings is not None:
            await deps.meetings.lock(commune.id, dialogue.id)  # the record stays as it was concluded
    return {k: v for k, v in doc.items() if k != "items"} | {
        "links": {fmt: f"/api/v1/communes/{commune.id}/documents/{document_id}.{fmt}" for fmt in files}
    }


def not_concluded(issues: list[Doc], record: Doc | None) -> list[Doc]:
    """The notice's warnings for issues the Secretary has not concluded in the meeting record: the
    notice would print its default sentence for them (the routed office to examine and settle
    them within the plan's time), which nobody decided. An issue carried over from an earlier
    dialogue (`carried_over`, kéo dài) is named apart: without a conclusion it prints its earlier
    conclusion and outcome with the default sentence, and its earlier task goes on, which is
    fine but staff should know. Not blocking: a commune may issue so."""
    conclusions = (record or {}).get("conclusions") or {}
    open_ones = [i for i in issues if str(i["key"]) not in conclusions]
    this_year = [i for i in open_ones if not i.get("carried_over")]
    carried = [i for i in open_ones if i.get("carried_over")]
    return [*_not_concluded(this_year), *_carried_not_concluded(carried)]


def _named(issues: list[Doc]) -> str:
    """The issues by their first words: the notice numbers them its own way (section I, then II)."""
    named = "; ".join(f"“{_first_words(str(i.get('summary') or ''))}”" for i in issues[:5])
    return named + ("; …" if len(issues) > 5 else "")


def _carried_not_concluded(open_ones: list[Doc]) -> list[Doc]:
    if not open_ones:
        return []
    years = sorted({int(y) for i in open_ones for y in i.get("earlier_years") or ()})
    since = ", ".join(str(y) for y in years)
    return [
        {
            "code": "carried_over_not_concluded",
            "blocking": False,
            "count": len(open_ones),
            "issue_keys": [str(i["key"]) for i in open_ones],
            "message_vi": (
                f"Còn {len(open_ones)} vấn đề kéo dài từ các năm trước"
                + (f" ({since})" if since else "")
                + f" chưa có kết luận năm nay ({_named(open_ones)}): thông báo sẽ in kết luận và kết "
                "quả của đợt trước kèm câu mặc định theo kết luận đó (giao cơ quan đã được giao, hoặc "
                "kiến nghị cấp trên ở mục II), và việc theo dõi của đợt trước tiếp tục. "
                "Ghi kết luận ở trang Hội nghị trước khi ban hành nếu Bí thư đã kết luận lại."
            ),
            "message_en": (
                f"{len(open_ones)} issues carried over from earlier dialogues have no conclusion this "
                "year: the notice would print the earlier conclusion and outcome with the default "
                "sentence of that conclusion (the office assigned, or the recommendation upward in "
                "section II), and the earlier follow-up task goes on."
            ),
        }
    ]


def _not_concluded(open_ones: list[Doc]) -> list[Doc]:
    if not open_ones:
        return []
    named = _named(open_ones)
    return [
        {
            "code": "not_concluded",
            "blocking": False,
            "count": len(open_ones),
            "issue_keys": [str(i["key"]) for i in open_ones],
            "message_vi": (
                f"Còn {len(open_ones)} vấn đề chưa có kết luận của Bí thư ({named}): thông báo sẽ in "
                "câu giao mặc định (cơ quan được phân công chủ trì kiểm tra, giải quyết trong thời hạn "
                "của kế hoạch). Ghi kết luận ở trang Hội nghị trước khi ban hành nếu Bí thư đã kết luận khác."
            ),
            "message_en": (
                f"{len(open_ones)} issues have no conclusion of the Secretary: the notice "
                "would print the default assignment to the routed office within the plan's time."
            ),
        }
    ]


def _first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return mask_personal_data(" ".join(words[:count])) + ("…" if len(words) > count else "")


# The documents that print the dialogue's issues (the invitation and the radio script do not).
PRINTS_ISSUES = frozenset(
    {
        DocumentKind.SUMMARY_REPORT,
        DocumentKind.MINUTES,
        DocumentKind.CONCLUSION_NOTICE,
        DocumentKind.RECOMMENDATION,
    }
)


def issued_late(kind: DocumentKind, commune: Commune, dialogue: Dialogue, issued_on: date) -> list[Doc]:
    """Warnings (not blocking: a late document is still the record) for issuing `kind` on
    `issued_on`: after the plan's deadline for it, and an invitation on or after the meeting day."""
    problems: list[Doc] = []
    meeting = dialogue.meeting_date
    if kind is DocumentKind.INVITATION and issued_on >= meeting:
        problems.append(
            {
                "code": "after_meeting",
                "blocking": False,
                "message_vi": (
                    f"Buổi đối thoại họp ngày {meeting:%d/%m/%Y}: giấy mời ban hành ngày "
                    f"{issued_on:%d/%m/%Y} không còn kịp mời đại biểu."
                ),
                "message_en": f"The meeting is on {meeting.isoformat()}: an invitation issued "
                f"on {issued_on.isoformat()} comes too late.",
            }
        )
    duty = DUTY_DONE_BY_DOCUMENT.get(kind)
    due = next((d for d in plan_deadlines(commune, dialogue) if d.key == duty), None) if duty else None
    if due is not None and issued_on > due.due:
        problems.append(
            {
                "code": "past_plan_deadline",
                "blocking": False,
                "due": due.due.isoformat(),
                "message_vi": (
                    f"Kế hoạch định ban hành {due.printed}; ban hành ngày {issued_on:%d/%m/%Y} là trễ hạn."
                ),
                "message_en": f"The plan has it issued by {due.due.isoformat()}; "
                f"{issued_on.isoformat()} is late.",
            }
        )
    return problems


async def issuing_readiness(deps: DocumentDeps, commune_id: str, dialogue_id: str, kind: str) -> Doc:
    """What issuing the kind today would meet, read only (nothing is numbered): items still in
    the review queue, items not classified yet, issues whose resident's text would be printed as
    typed (`meeting.issue_rows`), a signer without a name (`blocking`: issuing refuses it), the
    "Nơi nhận" it goes to, who signs, and for a reissue the code the earlier version keeps."""
    spec = spec_for(kind)
    commune, dialogue = await load_dialogue(deps, commune_id, dialogue_id)
    issued_on = _today(deps, dialogue)
    items, carried = await material(deps, commune, dialogue)
    record = await meeting_of(deps, commune, dialogue)
    problems: list[Doc] = []
    for block in unsigned(spec, commune, dialogue, issued_on, minutes_input(record, dialogue)):
        what_vi, what_en = SIGNER_SOURCES.get(block.source, (block.source, block.source))
        missing = SignerMissing(spec.kind.value, block.title, block.source, what_vi, what_en)
        problems.append(
            {
                "code": "signer_missing",
                "blocking": True,
                "field": missing.field,
                "message_vi": missing.message_vi,
                "message_en": missing.message_en,
            }
        )
    problems += issued_late(spec.kind, commune, dialogue, issued_on)
    if spec.kind not in PRINTS_ISSUES:  # what is wrong with the issues does not concern it
        items = []
    awaiting = sum(1 for i in items if i.get("needs_review"))
    if awaiting:
        problems.append(
            {
                "code": "awaiting_review",
                "blocking": False,
                "count": awaiting,
                "message_vi": f"Còn {awaiting} ý kiến đang chờ rà soát phân loại.",
                "message_en": f"{awaiting} items are still awaiting review.",
            }
        )
    unclassified = sum(1 for i in items if i.get("topic") is None)
    if unclassified:
        problems.append(
            {
                "code": "not_classified",
                "blocking": False,
                "count": unclassified,
                "message_vi": f"Còn {unclassified} ý kiến chưa được phân loại.",
                "message_en": f"{unclassified} items are not classified yet.",
            }
        )
    summaries = (record or {}).get("summaries") or {}
    as_typed = [i for i in issue_rows(commune, dialogue, items, summaries) if i["warnings"]]
    if as_typed:
        problems.append(
            {
                "code": "printed_as_typed",
                "blocking": False,
                "count": len(as_typed),
                "issue_keys": [str(i["key"]) for i in as_typed],
                "message_vi": (
                    f"Còn {len(as_typed)} vấn đề sẽ in lời người dân đã gõ, chưa được rà soát câu chữ"
                    " (thông tin cá nhân vẫn được che)."
                ),
                "message_en": (
                    f"{len(as_typed)} issues would be printed in the resident's words, not yet"
                    " reviewed (personal data is still masked)."
                ),
            }
        )
    if spec.kind is DocumentKind.CONCLUSION_NOTICE:  # as printed: the carried-over issues first
        printed = [*carried, *items]
        rows = issue_rows(commune, dialogue, printed, summaries, as_of=issued_on)
        problems += not_concluded(rows, record)
        if record is not None:  # a conclusion's text assigning another body than the recorded one
            notice = build_data(
                spec.kind.value, commune, dialogue, printed, number=None, issued_on=issued_on, meeting=record
            )
            problems += other_assignee(notice)
            problems += deadlines_passed(notice, issued_on)  # overdue from the day it is issued
    if spec.kind is DocumentKind.MINUTES:
        problems += minutes_blank(record)  # attendance, interventions, conclusions printed as dots
    if spec.kind is DocumentKind.MINUTES and record is not None:
        problems += chair_not_office_holder(commune, record)  # signed by another name than the notice
        problems += speeches_unanswered(record)  # "Trả lời: ……" in print
    latest = await deps.documents.latest_version(commune.id, dialogue.id, spec.kind.value)
    issued = await deps.documents.for_dialogue(commune.id, dialogue.id)
    earlier = [d for d in issued if d.get("kind") == spec.kind.value]
    current = max(earlier, key=lambda d: int(d.get("version") or 0), default=None)
    context = BuildContext(commune, dialogue, (), issued_on, minutes_input(record, dialogue), {})
    chosen = spec.signers(context)
    blocks: list[SignatureBlock] = [b for b in (chosen.right, chosen.left) if b is not None]
    signers = [{"authority": b.authority, "title": b.title, "name": b.name} for b in blocks]
    return {
        "kind": spec.kind.value,
        "ready": not problems,
        "blocked": any(p["blocking"] for p in problems),
        "problems": problems,
        "recipients": [str(r) for r in spec.recipients(of_era(commune, dialogue, (), None)[0])],
        "signer": signers[0] if signers else None,
        "signers": signers,
        "numbered": spec.numbered_when_issued,
        "reissue": ({"current_code": (current or {}).get("code"), "version": latest} if latest else None),
    }
