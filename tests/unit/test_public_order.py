"""Once the notice is issued, the public list of conclusions follows the notice's numbers (a task
keeps the number the notice printed for it): an outside walkthrough read "1" for the street
lights on /xa/demo/ket-luan where the notice and the follow-up board had "Kết luận số 1" for
the drain. Before the notice, rows stay by topic and hamlet."""

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
