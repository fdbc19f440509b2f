"""A commune's own template wins over the built-in one; unresolved tasks of earlier dialogues
come back as long-running items."""

from __future__ import annotations

from datetime import date

from services.demo.documents import demo_dataset
from services.reporting.rendering import DocumentRenderer, carried_items


def test_a_communes_template_overrides_the_default(tmp_path):
    commune, dialogue, items, _ = demo_dataset()
    own = tmp_path / commune.id
    own.mkdir()
    (own / "thong-bao-truyen-thanh.html").write_text(
        "<p>Mẫu riêng của xã {{ d.place }}</p>", encoding="utf-8"
    )
    context = {
        "commune": commune,
        "dialogue": dialogue,
        "items": items,
        "carried_over": [],
        "number": None,
        "issued_on": date(2017, 3, 10),
    }
    assert (
        DocumentRenderer(str(tmp_path))
        .render_one("thong-bao-truyen-thanh", "html", **context)
        .decode()
        .startswith("<p>Mẫu riêng của xã")
    )
    default = DocumentRenderer(None).render_one("thong-bao-truyen-thanh", "html", **context).decode()
    assert "Mẫu riêng" not in default and "ĐẢNG CỘNG SẢN VIỆT NAM" in default


def test_open_tasks_of_earlier_dialogues_carry_over_with_their_year():
    task = {
        "dialogue_id": "demo-2016",
        "submission_ids": ["s1", "s2"],
        "cluster_id": "s1",
        "text": "Cống nghẹt",
        "hamlet": "ấp Chợ",
        "topic": 3,
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",
        "times_raised": 2,
    }
    [item] = carried_items([task], {"demo-2016": 2016})
    assert (item["_id"], item["years_raised"], item["earlier"][0]["year"], item["source"]) == (
        "s1",
        [2016],
        2016,
        "carried_over",
    )
