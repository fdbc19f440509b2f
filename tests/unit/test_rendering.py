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


def test_a_carried_over_issue_quotes_what_residents_raised_not_the_conclusion_it_carries_out():
    """A task concluded at last year's meeting holds the Secretary's conclusion as its text and
    the residents' words as its issue text. Carried into this year's notice beside this year's
    petition on the same issue, the notice quotes this year's petition (led by it), lists last
    year's round, and counts as opinions received only this year's petitions. An outside
    walkthrough saw "Ý kiến của nhân dân ấp Chợ: “Giao Phòng Kinh tế kiểm tra, xử lý dứt điểm.”"
    and 39 opinions counted where 30 had been received."""
    commune, dialogue, items, _ = demo_dataset()
    this_year = next(i for i in items if i.get("topic") == 3)
    conclusion = "Giao Phòng Kinh tế kiểm tra, xử lý dứt điểm trong quý III."
    task = {
        "dialogue_id": "demo-2016",
        "submission_ids": ["s2016"],
        "cluster_id": this_year.get("cluster_id") or this_year["_id"],
        "text": conclusion,
        "issue_text": "Cống thoát nước đầu chợ nghẹt, mưa là ngập (năm 2016).",
        "hamlet": "ấp Chợ",
        "topic": 3,
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",
        "times_raised": 1,
    }
    carried = carried_items([task], {"demo-2016": 2016})
    assert carried[0]["text"] == task["issue_text"]
    html = (
        DocumentRenderer(None)
        .render_one(
            "thong-bao-ket-luan",
            "html",
            commune=commune,
            dialogue=dialogue,
            items=items,
            carried_over=carried,
            number=None,
            issued_on=date(2017, 4, 5),
        )
        .decode()
    )
    assert conclusion not in html  # never quoted as the people's opinion
    assert f"nhân dân đã nêu {len(items)} ý kiến" in html  # this year's only
