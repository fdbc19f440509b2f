"""Routing's API view of a stored decision: residents' texts (its own, the earlier items' it
quotes) masked unless the caller reads them as typed; answers as written; no outbox fields."""

from __future__ import annotations

from services.routing.api import _public

DOC = {
    "_id": "s1",
    "text": "Ông Nguyễn Văn Tám 0912 888 777 hỏi về cống.",
    "earlier": [
        {
            "year": 2016,
            "submission_id": "s0",
            "text": "Bà Lê Thị Hoa gọi 0987654321 về cống.",
            "answer": "Đã sửa.",
        }
    ],
    "answer": "Xã sẽ nạo vét.",
    "outbox_pending": False,
    "outbox_at": 1.0,
    "outbox_owner": "vm:31259:abc",
    "outbox_claim": "c",
    "match_keys": ["k"],
}


def test_masked_for_who_does_not_read_as_typed():
    view = _public(DOC, as_typed=False)
    assert view["text"] == "Ông [họ tên] [số điện thoại] hỏi về cống."
    (earlier,) = view["earlier"]
    assert earlier["text"] == "Bà [họ tên] gọi [số điện thoại] về cống."
    assert earlier["answer"] == "Đã sửa." and view["answer"] == "Xã sẽ nạo vét."
    assert view["submission_id"] == "s1"
    assert not [k for k in view if k.startswith("outbox") or k in ("_id", "match_keys")]
    assert DOC["text"].startswith("Ông Nguyễn")  # the stored document is left as it was


def test_as_typed_for_the_party_office():
    view = _public(DOC, as_typed=True)
    assert view["text"] == DOC["text"] and view["earlier"] == DOC["earlier"]
    assert not [k for k in view if k.startswith("outbox")]
