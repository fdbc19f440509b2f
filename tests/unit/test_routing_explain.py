"""The Vietnamese explanation of a routing decision (services/routing/explain.py): terms as the
resident wrote them, the topic by its name, the office rule, authority, repeats; a staff change
replaces the machine's reason. And the resident's tracking headline and history (intake/tracking.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.tracking import headline, resident_note, topic_tentative, vn_dates
from services.routing import explain
from services.routing.changes import ChangeIn, apply_change
from services.routing.classifier import RuleSet
from services.routing.logic import decide, explained, with_recurrence
from services.routing.recurrence import Recurrence
from shared.contracts import Kind, Source, SubmissionReceivedV1

RULES = RuleSet.load_default()
COMMUNE, DIALOGUE = demo_commune(), demo_dialogue()
DRAIN = "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập sâu, đề nghị xã nạo vét."


def decided(text: str):
    received = SubmissionReceivedV1(
        submission_id="s1",
        dialogue_id=DIALOGUE.id,
        tracking_code="DT-AB12CD34",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text=text,
        received_at=datetime(2026, 12, 2, tzinfo=timezone.utc),
    )
    return decide(received, COMMUNE, DIALOGUE, RULES, review_threshold=0.5)


def test_terms_are_shown_as_written_and_the_office_rule_is_named():
    decision = decided(DRAIN)
    why = " ".join(decision.explanation_vi)
    assert "“Cống thoát nước”" in why and "“ngập sâu”" in why and "“nạo vét”" in why
    assert "cong thoat nuoc" not in why and "Topic" not in why
    assert f"nội dung 3 “{DIALOGUE.topic_name(3)}”" in why
    office = COMMUNE.office(decision.office_id)
    assert office is not None and f"Giao {office.name}: cơ quan mặc định của nội dung 3." in why
    assert "Thẩm quyền: cấp xã" in why
    assert "Office: topic 3 default." in decision.explanation  # the English form stays for the CLI


def test_text_without_diacritics_and_abbreviations_is_quoted_as_typed():
    why = " ".join(decided("cong thoat nuoc ko dc nao vet, ĐT.741 ngap het").explanation_vi)
    assert "“cong thoat nuoc”" in why and "“ĐT.741”" in why
    assert "Thẩm quyền: cấp tỉnh" in why and "duong tinh" not in why


def test_original_spelling_across_a_rewrite_and_when_absent():
    assert explain.original_spelling("Lộ đal ấp Rạch Tràm bể nát", "duong dal") == "Lộ đal"
    assert explain.original_spelling("Nước ngập.", "ngap") == "ngập"
    assert explain.original_spelling("không có", "cong") == "cong"  # not found: the term itself


def test_a_quote_stays_in_one_sentence_and_out_of_a_parenthesis_it_does_not_close():
    spelled = explain.original_spelling
    assert spelled("Đường hư hỏng rất nhiều. (lần trước đã báo)", "nhieu lan") == "nhiều"
    assert spelled("Đã báo nhiều. Lần này mong xã giải quyết", "nhieu lan") == "nhiều"
    assert spelled("Đã báo nhiều. Lần này thì đã báo nhiều lần rồi", "nhieu lan") == "nhiều lần"
    assert spelled("Sao vậy? Ngập hoài", "vay ngap") == "vậy"
    assert spelled("Cống thoát nước (mương ấp Chợ) bị nghẹt", "nuoc muong") == "nước"
    assert spelled("mương ấp Chợ) bị nghẹt", "cho bi nghet") == "bị nghẹt"
    assert spelled("Mương (ấp Chợ) bị nghẹt", "muong ap cho") == "Mương (ấp Chợ)"  # kept whole
    assert spelled("Đường ĐT. 741 hư hỏng", "dt #") == "ĐT. 741"  # an abbreviation's dot ends nothing


def test_the_explanation_quotes_no_sentence_break():
    why = " ".join(
        decided(
            "Đường vào chợ hư hỏng, đi lại khó khăn nhiều. (lần trước đã báo) Đề nghị sửa."
        ).explanation_vi
    )
    # "nhiều. (lần" spans a sentence end: no claim there; the claim is within the parenthesis.
    assert "Người gửi cho biết đã kiến nghị trước đây (“lần trước đã”)." in why, why


def test_repeats_are_counted_and_replaced_not_added_twice():
    decision = decided(DRAIN)
    once = with_recurrence(decision, Recurrence("c1", "s0", 3, (2015, 2016), ()))
    again = with_recurrence(once, Recurrence("c1", "s0", 4, (2015, 2016, 2017), ()))
    lines = [line for line in again.explanation_vi if line.startswith("Đã nêu trước đây")]
    assert lines == [
        "Đã nêu trước đây: 3 lần (vấn đề được nêu trong các năm 2015, 2016, 2017); các ý kiến trùng được "
        "gộp để trả lời một lần."
    ]


def test_a_reclassification_replaces_the_machine_reason_and_keeps_reason_and_note_apart():
    decision = decided(DRAIN)
    change = ChangeIn(
        action="reclassify",
        topic=6,
        reason="Nội bộ: theo ý kiến anh Tám",
        note_to_resident="  Ý kiến đã chuyển đúng cơ quan.  ",
        by="Văn phòng (demo.vanphong)",
    )
    revised = apply_change(decision, change, COMMUNE, DIALOGUE)
    why = " ".join(revised.explanation_vi)
    assert why.startswith("Cán bộ đã phân loại lại (Văn phòng (demo.vanphong)): nội dung 6")
    assert "Cống thoát nước" not in why and revised.office_name in why
    assert revised.reason == "Nội bộ: theo ý kiến anh Tám"
    assert revised.note_to_resident == "Ý kiến đã chuyển đúng cơ quan."  # trimmed, NFC
    confirmed = apply_change(revised, ChangeIn(action="confirm", reason="Đúng rồi"), COMMUNE, DIALOGUE)
    assert confirmed.note_to_resident is None  # a note belongs to the change that carried it
    assert confirmed.explanation_vi[0].startswith("Cán bộ đã xác nhận phân loại")


def test_headline_is_the_furthest_stage_reached():
    notified = {"status": "office_notified"}
    assert headline(notified) == ("office_notified", "Đã thông báo cho cơ quan chuẩn bị trả lời")
    assert headline({**notified, "answer": "Xã sẽ nạo vét."})[0] == "answered"
    assert headline({**notified, "answer": "x", "followup_status": "resolved"}) == (
        "followup_resolved",
        "Đã giải quyết",
    )
    assert headline({**notified, "followup_status": "in_progress"})[1].startswith("Đang thực hiện kết luận")


def test_the_topic_is_tentative_until_staff_act_on_the_item():
    routed = {
        "status": "office_notified",
        "topic": 4,
        "topic_name": "Vệ sinh môi trường",
        "routing_revision": 0,
    }
    assert topic_tentative(routed) and topic_tentative({**routed, "routing_revision": None})
    assert not topic_tentative({**routed, "routing_revision": 1})  # confirmed, reclassified, merged…
    assert not topic_tentative({**routed, "answer": "Xã sẽ nạo vét."})
    assert not topic_tentative({**routed, "followup_status": "assigned"})
    assert not topic_tentative({"status": "received", "topic": None, "routing_revision": -1})


def test_the_resident_never_reads_a_staff_reason_and_reads_dates_as_dd_mm_yyyy():
    legacy = {"status": "reclassified", "note_vi": "Phân loại lại: X; Y chuẩn bị trả lời. Lý do: nội bộ"}
    assert resident_note(legacy) == "Phân loại lại: X; Y chuẩn bị trả lời."
    split = {**legacy, "note_vi": "Phân loại lại: X. Ghi chú: Lý do: vì đường", "staff_note_vi": "Lý do: a"}
    assert resident_note(split) == split["note_vi"]  # the note meant for the resident is kept whole
    assert (
        vn_dates("Thực hiện kết luận: đã giao, hạn 2027-01-14")
        == "Thực hiện kết luận: đã giao, hạn 14/01/2027"
    )


def test_a_decision_stored_without_vietnamese_lines_gets_them_from_its_text():
    stored = {**decided(DRAIN).model_dump(mode="json"), "explanation_vi": []}
    lines = explained(stored, COMMUNE, DIALOGUE, RULES)["explanation_vi"]
    assert lines == list(decided(DRAIN).explanation_vi)
    changed = {
        **stored,
        "revision": 1,
        "change": "reassigned",
        "changed_by": "demo.vp",
        "office_name": "Công an xã",
    }
    lines = explained(changed, COMMUNE, DIALOGUE, RULES)["explanation_vi"]
    assert lines[0].startswith("Cán bộ đã giao lại cơ quan (demo.vp)") and "giao Công an xã" in lines[0]
