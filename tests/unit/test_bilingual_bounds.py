"""A number out of its bounds is explained in Vietnamese as well as English, with the bound
(`shared.http.error_body`): an outside probe read only "Giá trị không hợp lệ." in Vietnamese for
`?limit=501` (at most 500) while the English said the bound."""

from __future__ import annotations

import pytest

from shared.http import error_body


@pytest.mark.parametrize(
    "kind, ctx, vi, en",
    [
        ("less_than_equal", {"le": 500}, "nhỏ hơn hoặc bằng 500", "at most 500"),
        ("greater_than_equal", {"ge": 0}, "lớn hơn hoặc bằng 0", "at least 0"),
        ("less_than", {"lt": 10}, "nhỏ hơn 10", "less than 10"),
        ("greater_than", {"gt": 0}, "lớn hơn 0", "greater than 0"),
        ("int_parsing", {}, "số nguyên", "whole number"),
    ],
)
def test_a_number_out_of_bounds_names_the_bound_in_both_languages(kind, ctx, vi, en):
    body = error_body([{"loc": ("query", "limit"), "type": kind, "msg": "Input should be …", "ctx": ctx}])
    (detail,) = body["detail"]
    assert detail["field"] == "query.limit"
    assert vi in detail["message_vi"] and en in detail["message_en"]
    assert vi in body["message_vi"]
