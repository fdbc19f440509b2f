"""Issuing the conclusion notice warns about every issue the Secretary has not concluded in the
meeting record: the notice prints a default assignment for it that nobody decided. Seen from
outside: issue 8, never concluded, was printed "Giao Công chức Văn phòng - Thống kê… chủ trì kiểm
tra, giải quyết…; thời hạn 30 ngày làm việc" and the confirmation page said nothing."""

from __future__ import annotations

from services.reporting.handlers.documents import not_concluded

ISSUES = [
    {"key": "a", "number": 1, "summary": "Cống trước chợ bị nghẹt, gọi 0912345678 để biết"},
    {"key": "b", "number": 2, "summary": "Đèn đường ấp Chợ hư"},
    {"key": "c", "number": 3, "summary": "Thủ tục cấp giấy chậm"},
]


def test_each_issue_without_a_conclusion_is_named_in_the_warning_masked() -> None:
    [warning] = not_concluded(ISSUES, {"conclusions": {"b": {"kind": "assigned"}}})
    assert warning["code"] == "not_concluded" and warning["blocking"] is False
    assert warning["count"] == 2 and warning["issue_keys"] == ["a", "c"]
    assert "“Cống trước chợ bị nghẹt, gọi [số điện thoại] để…”" in warning["message_vi"]
    assert "Thủ tục cấp giấy chậm" in warning["message_vi"] and "Đèn đường" not in warning["message_vi"]
    assert warning["message_en"].startswith("2 issues have no conclusion")


def test_no_record_warns_of_every_issue_and_a_concluded_dialogue_of_none() -> None:
    assert not_concluded(ISSUES, None)[0]["count"] == 3
    assert not_concluded(ISSUES, {"conclusions": {k: {} for k in "abc"}}) == []
