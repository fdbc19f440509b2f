"""Once the notice is issued, the public list of conclusions follows the notice's numbers (a task
keeps the number the notice printed for it): an outside walkthrough read "1" for the street
lights on /xa/demo/ket-luan where the notice and the follow-up board had "Kết luận số 1" for
the drain. Before the notice, rows stay by topic and hamlet. A withheld issue leaves a gap in
the notice's numbers (before the notice, none)."""

from __future__ import annotations

from services.reporting.handlers.open_data import open_rows


def task(task_id: str, topic: int, number: int | None) -> dict:
    return {
        "_id": task_id,
        "cluster_id": task_id,
        "topic": topic,
        "topic_name": f"Nội dung {topic}",
        "hamlet": "ấp Chợ",
        "office_name": "Phòng Kinh tế",
        "authority_level": "commune",
        "status": "assigned",
        "due": "2017-05-10",
        "revision": 0,
        **({"notice_number": number} if number is not None else {}),
    }


def test_after_the_notice_the_rows_follow_its_numbers():
    rows = open_rows([task("lights", 1, 2), task("drain", 3, 1), task("late", 2, None)], [])
    assert [(r["stt"], r["topic"]) for r in rows] == [(1, "Nội dung 3"), (2, "Nội dung 1"), (3, "Nội dung 2")]


def test_before_the_notice_rows_go_by_topic():
    items = [
        {"_id": "b", "cluster_id": "b", "topic": 3, "topic_name": "Nội dung 3", "hamlet": "ấp Chợ"},
        {"_id": "a", "cluster_id": "a", "topic": 1, "topic_name": "Nội dung 1", "hamlet": "ấp Chợ"},
    ]
    assert [r["topic"] for r in open_rows([], items)] == ["Nội dung 1", "Nội dung 3"]


def test_a_withheld_issue_leaves_a_gap_in_the_notices_numbers():
    """An outside walkthrough read "9." for the notice's "10." once an issue was withheld."""
    tasks = [task("drain", 3, 1), task("dispute", 2, 2), task("lights", 1, 3), task("late", 2, None)]
    rows = open_rows(tasks, [], withheld=frozenset({"dispute"}))
    assert [(r["stt"], r["topic"]) for r in rows] == [(1, "Nội dung 3"), (3, "Nội dung 1"), (4, "Nội dung 2")]


def test_before_the_notice_the_public_rows_are_numbered_in_order():
    """No notice yet to compare with, and a withheld issue is nowhere public: no gap."""
    items = [
        {"_id": i, "cluster_id": i, "topic": t, "topic_name": f"Nội dung {t}", "hamlet": "ấp Chợ"}
        for i, t in (("a", 1), ("b", 2), ("c", 3))
    ]
    rows = open_rows([], items, withheld=frozenset({"b"}))
    assert [(r["stt"], r["topic"]) for r in rows] == [(1, "Nội dung 1"), (2, "Nội dung 3")]
