"""The SVG charts: pure functions, no database. Pinned markup facts rather than whole snapshots."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from cards import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart) -> ElementTree.Element:
    """The SVG must be well-formed XML (so browsers and screen readers read it as one would expect)."""
    return ElementTree.fromstring(str(chart.svg).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def assert_accessible(chart: charts.Chart) -> ElementTree.Element:
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
    assert root.find(f"{SVG}title").get("id") == f"{chart.id}-title"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.summary
    assert "style" not in str(chart.svg)
    assert not re.search(r"fill=|stroke=|#[0-9a-f]{3,6}", str(chart.svg))  # colours come from CSS classes only
    return root


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (49, 50), (51, 100), (250, 500), (1001, 2000)],
)
def test_nice_ceiling(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


@pytest.mark.parametrize(
    ("count", "busiest", "level"),
    [(0, 0, 0), (0, 10, 0), (1, 10, 1), (3, 10, 2), (5, 10, 2), (6, 10, 3), (8, 10, 4), (10, 10, 4), (1, 1, 4)],
)
def test_activity_levels_are_quarters_of_the_busiest_day(count, busiest, level):
    assert charts.activity_level(count, busiest) == level


def test_bar_chart_scales_bars_to_a_round_axis_and_lists_its_numbers():
    chart = charts.bar_chart(
        chart_id="g",
        title="Grades",
        summary="Six grades.",
        labels=list("012345"),
        values=[1, 0, 2, 8, 4, 5],
        headers=("Grade", "Reviews"),
    )
    root = assert_accessible(chart)
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 6
    heights = [float(b.get("height")) for b in bars]
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM  # the axis tops out at 10
    assert heights == [pytest.approx(plot * v / 10, abs=0.05) for v in (1, 0, 2, 8, 4, 5)]
    assert [b.find(f"{SVG}title").text for b in bars][3] == "3: 8"
    assert chart.rows == (("0", "1"), ("1", "0"), ("2", "2"), ("3", "8"), ("4", "4"), ("5", "5"))
    assert [t.text for t in root.findall(f"{SVG}text")][:3] == ["0", "5", "10"]


def test_bar_chart_of_nothing_still_draws_an_axis():
    chart = charts.bar_chart(chart_id="e", title="Empty", summary="None.", labels=["a"], values=[0], headers=("", ""))
    root = assert_accessible(chart)
    assert root.find(f"{SVG}rect").get("height") == "0"


def test_bar_chart_needs_one_value_per_label():
    with pytest.raises(ValueError, match="one value per label"):
        charts.bar_chart(chart_id="x", title="x", summary="x", labels=["a"], values=[1, 2], headers=("", ""))


def test_text_is_escaped():
    chart = charts.bar_chart(
        chart_id="x", title="<b>&", summary='"quoted"', labels=["<script>"], values=[1], headers=("", "")
    )
    assert "<script>" not in str(chart.svg) and "&lt;script&gt;" in str(chart.svg)
    assert "<b>" not in str(chart.svg)
    parse(chart)


def test_forecast_marks_today_and_summarises():
    forecast = [3, 1] + [0] * 27 + [2]
    chart = charts.forecast_chart(forecast, date(2026, 3, 12))
    root = assert_accessible(chart)
    bars = root.findall(f"{SVG}rect")
    assert bars[0].get("class") == "chart-bar chart-bar-today" and bars[1].get("class") == "chart-bar"
    assert chart.rows[0] == ("Today", "3") and chart.rows[1] == ("13 Mar", "1") and chart.rows[29] == ("10 Apr", "2")
    assert chart.summary == (
        "6 cards fall due in the next 30 study days, 3 of them today (overdue included); "
        "the busiest day is Today with 3."
    )


def test_activity_calendar_draws_365_days_in_week_columns_with_a_month_table():
    counts = {date(2026, 3, 12): 4, date(2026, 3, 11): 1, date(2025, 3, 13): 2, date(2025, 3, 12): 99}
    chart = charts.activity_calendar(chart_id="cal", title="Activity", counts=counts, end=date(2026, 3, 12))
    root = assert_accessible(chart)
    cells = root.findall(f"{SVG}rect")
    assert len(cells) == 365
    assert cells[0].find(f"{SVG}title").text == "2025-03-13: 2"  # the first day; 12 March 2025 is outside
    assert cells[-1].get("class") == "chart-heat chart-heat-4"
    assert cells[-2].get("class") == "chart-heat chart-heat-1"
    # Thursday 13 March 2025 sits in the first column, fourth row; Thursday 12 March 2026 in the last column.
    assert (cells[0].get("x"), cells[0].get("y")) == ("30", str(16 + 3 * 13))
    assert cells[-1].get("x") == str(30 + 52 * 13)
    assert chart.summary == "7 reviews on 3 of the last 365 study days; the busiest day had 4."
    assert chart.rows[0] == ("Mar 2025", "1", "2") and chart.rows[-1] == ("Mar 2026", "2", "5")
    assert len(chart.rows) == 13


def test_retention_lines_break_over_weeks_without_reviews():
    weeks = [(date(2026, 2, 16), 1, 2, 0, 0), (date(2026, 2, 23), 0, 0, 0, 0), (date(2026, 3, 2), 3, 4, 1, 1)]
    chart = charts.retention_chart(weeks)
    root = assert_accessible(chart)
    young, mature = root.findall(f"{SVG}path")
    assert young.get("d").count("M") == 2 and "L" not in young.get("d")  # two lone points, no line across the gap
    assert mature.get("d").count("M") == 1
    assert chart.rows[0] == ("Week of 2026-02-16", "50% (1/2)", "–")
    assert chart.rows[2] == ("Week of 2026-03-02", "75% (3/4)", "100% (1/1)")
    assert chart.summary.endswith("71% (5/7) overall.")
    assert [c.find(f"{SVG}title").text for c in root.findall(f"{SVG}circle")][0] == (
        "Young (interval < 21 d), 16 Feb: 50%"
    )


def test_retention_without_reviews_says_so():
    chart = charts.retention_chart([(date(2026, 3, 2), 0, 0, 0, 0)])
    assert chart.summary.endswith("no scheduled reviews yet.")
    assert_accessible(chart)


def test_mastery_bar_splits_into_mature_learning_and_unseen():
    chart = charts.mastery_bar("m", "Mastery", 2, 1, 1)
    root = assert_accessible(chart)
    rects = root.findall(f"{SVG}rect")
    assert [(r.get("class"), r.get("x"), r.get("width")) for r in rects[1:]] == [
        ("chart-mature-part", "0", "50"),
        ("chart-learning-part", "50", "25"),
        ("chart-unseen-part", "75", "25"),
    ]
    assert chart.summary == "2 mature, 1 learning, 1 not seen (of 4)."
    assert root.get("preserveAspectRatio") == "none"


def test_grades_and_intervals_charts_colour_by_class():
    grades = charts.grades_chart([1, 1, 1, 2, 3, 1])
    classes = [r.get("class") for r in assert_accessible(grades).findall(f"{SVG}rect")]
    assert classes == [f"chart-bar chart-grade-{q}" for q in range(6)]
    assert grades.summary == "9 grades given in the last 365 study days, 6 of them 3 or more."
    intervals = charts.intervals_chart([0, 1, 0, 1, 0, 2, 0, 0, 0], ["a", "b", "c", "d", "e", "f", "g", "h", "i"])
    assert intervals.summary.startswith("The current intervals of 4 seen cards")
    assert_accessible(intervals)
