"""Chart geometry of the staff dashboard (pure)."""

from datetime import date

from services.intake.web.staff.charts import bars, stacked, timeline


def test_bars_scale_to_the_largest_value():
    rows = bars([("a", 10, "/x"), ("b", 5), ("c", 0)])
    assert [(b.label, b.percent, b.href) for b in rows] == [
        ("a", 100.0, "/x"),
        ("b", 50.0, None),
        ("c", 0.0, None),
    ]
    assert bars([]) == [] and bars([("a", 0)])[0].percent == 0.0


def test_stacked_segments_fill_the_bar_without_gaps_and_skip_empty_parts():
    segments = stacked(
        [("resolved", "Đã giải quyết", 3), ("assigned", "Đã giao", 0), ("in_progress", "Đang giải quyết", 1)]
    )
    assert [s.key for s in segments] == ["resolved", "in_progress"]
    assert segments[0].x == 0 and segments[1].x == segments[0].width == 75.0 and segments[1].width == 25.0
    assert stacked([("a", "A", 0)]) == []


def test_timeline_places_deadlines_in_date_order_and_today_between():
    views = [
        {"key": "k2", "title": "B", "due": "2017-03-21", "state": "pending"},
        {"key": "k1", "title": "A", "due": "2017-03-15", "state": "done"},
        {"key": "k3", "title": "C", "due": "2017-04-10", "state": "overdue"},
    ]
    line = timeline(views, date(2017, 3, 18))
    assert (
        line is not None
        and [m.key for m in line.marks] == ["k1", "k2", "k3"]
        and [m.number for m in line.marks] == [1, 2, 3]
    )
    assert line.marks[0].x == 5 and line.marks[-1].x == 95 and 5 < line.today_x < line.marks[1].x
    assert timeline(views, date(2018, 1, 1)).today_x is None and timeline([], date(2017, 1, 1)) is None
