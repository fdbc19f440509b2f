"""What tracking by code shows of a text: personal data masked, the words kept, and a history
note the same (never a staff reason)."""

from __future__ import annotations

from services.intake.tracking import resident_note, tracked_text


def test_a_tracked_text_masks_the_phone_and_keeps_the_words():
    assert tracked_text("Đèn đường hư, gọi em 0912 345 678 nhé.") == (
        "Đèn đường hư, gọi em [số điện thoại] nhé."
    )
    assert tracked_text(None) == "" and tracked_text("Rác ứ đọng ven kênh.") == "Rác ứ đọng ven kênh."


def test_a_history_note_is_masked_and_its_iso_days_read_as_dd_mm_yyyy():
    entry = {"status": "notified", "note_vi": "Đã gọi anh Ba Tèo 0912345678, hạn 2027-01-14."}
    note = resident_note(entry)
    assert "0912345678" not in note and "Ba Tèo" not in note and "hạn 14/01/2027" in note
