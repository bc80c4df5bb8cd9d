"""Server-rendered SVG charts: pure functions from plain data to markup. No ORM, no clock, no chart library.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``, coloured only through CSS
classes (``chart-*`` in static/css/app.css, built on the theme's variables so that dark mode follows), with no
``style`` attribute (the Content-Security-Policy forbids inline styles). Each ``Chart`` also carries its numbers as
table rows, which templates/cards/_chart.html shows in a <details> as the text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 34  # plot margins, room for the axis labels
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # one or two sentences: the <desc>, and the caption above the numbers
    svg: SafeString
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _fmt(x: float) -> str:
    """Coordinates with at most one decimal, without a trailing ".0", so that the markup stays small and stable."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(
    chart_id: str, title: str, summary: str, width: int, height: int, body: list[str], css: str, extra: str = ""
) -> SafeString:
    return mark_safe(  # every piece of text inside was escaped where it was built
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}"{extra} role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>' + "".join(body) + "</svg>"
    )


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``value`` (and at least 1): the top of an axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _y_axis(top_value: int, plot_top: float, plot_height: float, suffix: str = "") -> list[str]:
    parts = []
    for fraction in (0, 0.5, 1):
        y = plot_top + plot_height * (1 - fraction)
        label = top_value * fraction
        text = f"{label:g}{suffix}"
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}"/>')
        parts.append(f'<text class="chart-label" x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{text}</text>')
    return parts


def bar_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    labels: Sequence[str],
    values: Sequence[int],
    headers: tuple[str, str],
    label_every: int = 1,
    bar_classes: Sequence[str] | None = None,
) -> Chart:
    """Vertical bars, one per label, on an axis from 0 to a round number above the largest value."""
    if len(labels) != len(values):
        raise ValueError("bar_chart needs one value per label")
    top = nice_ceiling(max(values, default=0))
    plot_top, plot_height = TOP, HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    gap = min(step * 0.2, 6)
    body = _y_axis(top, plot_top, plot_height)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * step + gap / 2
        h = plot_height * value / top
        y = plot_top + plot_height - h
        css = bar_classes[i] if bar_classes else "chart-bar"
        body.append(
            f'<rect class="{escape(css)}" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(step - gap)}" height="{_fmt(h)}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % label_every == 0:
            body.append(
                f'<text class="chart-label" x="{_fmt(x + (step - gap) / 2)}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    rows = tuple((str(label), str(value)) for label, value in zip(labels, values, strict=True))
    return Chart(
        chart_id, title, summary, _svg(chart_id, title, summary, WIDTH, HEIGHT, body, "chart-bars"), headers, rows
    )


def activity_level(count: int, busiest: int) -> int:
    """0 for no reviews, else 1 to 4 in equal steps of the busiest day."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / busiest)))


def activity_calendar(*, chart_id: str, title: str, counts: dict[date, int], end: date, days: int = 365) -> Chart:
    """A year of study days as a grid: one column per week (Monday on top), darker for busier days."""
    first = end - timedelta(days=days - 1)
    first_monday = first - timedelta(days=first.weekday())
    cell, pad, left, top = 11, 2, 30, 16
    weeks = (end - first_monday).days // 7 + 1
    width = left + weeks * (cell + pad)
    height = top + 7 * (cell + pad) + 4
    in_window = {d: n for d, n in counts.items() if first <= d <= end and n > 0}
    busiest = max(in_window.values(), default=0)
    total = sum(in_window.values())
    summary = f"{total} review{'s' if total != 1 else ''} on {len(in_window)} of the last {days} study days" + (
        f"; the busiest day had {busiest}." if busiest else "."
    )
    body = [
        f'<text class="chart-label" x="0" y="{top + row * (cell + pad) + cell - 1}">{WEEKDAYS[row]}</text>'
        for row in (0, 2, 4)
    ]
    last_label_col = -3
    for col in range(weeks):
        # A month's name sits above the first week column that shows one of its days, unless the previous name
        # is too close (a partial first month): three columns are the width of a name.
        shown = max(first, first_monday + timedelta(weeks=col))
        previous = shown - timedelta(days=7)
        if (col == 0 or previous.month != shown.month) and col - last_label_col >= 3:
            x = left + col * (cell + pad)
            body.append(f'<text class="chart-label" x="{x}" y="{top - 5}">{MONTHS[shown.month - 1]}</text>')
            last_label_col = col
    for offset in range(days):
        day = first + timedelta(days=offset)
        x = left + (day - first_monday).days // 7 * (cell + pad)
        y = top + day.weekday() * (cell + pad)
        n = in_window.get(day, 0)
        body.append(
            f'<rect class="chart-heat chart-heat-{activity_level(n, busiest)}" x="{x}" y="{y}" '
            f'width="{cell}" height="{cell}" rx="2"><title>{day.isoformat()}: {n}</title></rect>'
        )
    # The text alternative: one row per month, rather than 365 rows.
    months: dict[tuple[int, int], list[int]] = {}
    for offset in range(days):
        day = first + timedelta(days=offset)
        months.setdefault((day.year, day.month), []).append(in_window.get(day, 0))
    rows = tuple((f"{MONTHS[m - 1]} {y}", str(sum(1 for n in ns if n)), str(sum(ns))) for (y, m), ns in months.items())
    # Drawn at its own size (width and height in CSS pixels, so its 12 px labels stay 12 px): a grid of 53 weeks
    # cannot shrink to a phone's width and stay legible; it scrolls inside its region instead.
    svg = _svg(chart_id, title, summary, width, height, body, "chart-calendar", f' width="{width}" height="{height}"')
    return Chart(chart_id, title, summary, svg, ("Month", "Days studied", "Reviews"), rows)


def _series_path(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through the points, lifting the pen over gaps (weeks without reviews)."""
    commands, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{_fmt(point[0])} {_fmt(point[1])}")
        pen_down = True
    return " ".join(commands)


def line_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    headers: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    label_every: int = 1,
) -> Chart:
    """Lines of percentages (0 to 100) over ``labels``; ``series`` is (name, css class, values or None)."""
    plot_top, plot_height = TOP + 14, HEIGHT - TOP - 14 - BOTTOM
    count = max(len(labels), 1)
    step = (WIDTH - LEFT - RIGHT) / count
    body = _y_axis(100, plot_top, plot_height, "%")
    for i, label in enumerate(labels):
        if i % label_every == 0:
            x = LEFT + step * (i + 0.5)
            body.append(
                f'<text class="chart-label" x="{_fmt(x)}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for n, (name, css, values) in enumerate(series):
        points = [
            None if v is None else (LEFT + step * (i + 0.5), plot_top + plot_height * (1 - v / 100))
            for i, v in enumerate(values)
        ]
        body.append(f'<path class="chart-line {escape(css)}" d="{_series_path(points)}"/>')
        for i, point in enumerate(points):
            if point is not None:
                body.append(
                    f'<circle class="chart-dot {escape(css)}" cx="{_fmt(point[0])}" cy="{_fmt(point[1])}" r="3">'
                    f"<title>{escape(name)}, {escape(labels[i])}: {_fmt(values[i])}%</title></circle>"
                )
        legend_x = LEFT + 8 + n * 220  # room for the longest label at 12px
        body.append(
            f'<rect class="chart-key {escape(css)}" x="{legend_x}" y="{TOP - 2}" width="12" height="4"/>'
            f'<text class="chart-label" x="{legend_x + 16}" y="{TOP + 3}">{escape(name)}</text>'
        )
    svg = _svg(chart_id, title, summary, WIDTH, HEIGHT, body, "chart-lines")
    return Chart(chart_id, title, summary, svg, tuple(headers), tuple(tuple(r) for r in rows))


def stacked_bar(*, chart_id: str, title: str, parts: Sequence[tuple[str, str, int]]) -> Chart:
    """One horizontal bar split into parts (label, css class, count): e.g. mature / learning / not seen."""
    total = sum(n for _, _, n in parts)
    summary = ", ".join(f"{n} {label}" for label, _, n in parts) + f" (of {total})."
    body, x = ['<rect class="chart-track" x="0" y="0" width="100" height="8" rx="4"/>'], 0.0
    for label, css, n in parts:
        if total and n:
            w = 100 * n / total
            body.append(
                f'<rect class="{escape(css)}" x="{_fmt(x)}" y="0" width="{_fmt(w)}" height="8">'
                f"<title>{escape(label)}: {n}</title></rect>"
            )
            x += w
    rows = tuple((label, str(n)) for label, _, n in parts)
    return Chart(
        chart_id,
        title,
        summary,
        _svg(chart_id, title, summary, 100, 8, body, "chart-meter", ' preserveAspectRatio="none"'),
        ("", ""),
        rows,
    )


# --- The dashboard's charts, from plain numbers ------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def forecast_chart(forecast: Sequence[int], today: date, chart_id: str = "forecast") -> Chart:
    """Cards due on each of the next days; the first bar (today) includes overdue cards."""
    labels = ["Today", *((today + timedelta(days=i)).strftime("%d %b") for i in range(1, len(forecast)))]
    busiest = max(range(len(forecast)), key=lambda i: forecast[i], default=0)
    summary = f"{_plural(sum(forecast), 'card')} fall due in the next {len(forecast)} study days"
    summary += f", {forecast[0]} of them today (overdue included)" if forecast else ""
    summary += f"; the busiest day is {labels[busiest]} with {forecast[busiest]}." if any(forecast) else "."
    return bar_chart(
        chart_id=chart_id,
        title=f"Due forecast, next {len(forecast)} days",
        summary=summary,
        labels=labels,
        values=list(forecast),
        headers=("Study day", "Cards due"),
        label_every=7,
        bar_classes=["chart-bar chart-bar-today", *["chart-bar"] * (len(forecast) - 1)],
    )


def grades_chart(grades: Sequence[int], chart_id: str = "grades") -> Chart:
    total = sum(grades)
    passed = sum(grades[3:])
    summary = f"{_plural(total, 'grade')} given in the last 365 study days"
    summary += f", {passed} of them 3 or more." if total else "."
    return bar_chart(
        chart_id=chart_id,
        title="Grades given, last 365 days",
        summary=summary,
        labels=[str(q) for q in range(len(grades))],
        values=list(grades),
        headers=("Grade", "Reviews"),
        bar_classes=[f"chart-bar chart-grade-{q}" for q in range(len(grades))],
    )


def intervals_chart(counts: Sequence[int], labels: Sequence[str], chart_id: str = "intervals") -> Chart:
    seen = sum(counts)
    summary = f"The current intervals of {_plural(seen, 'seen card')}, from 1 day to over a year."
    return bar_chart(
        chart_id=chart_id,
        title="Interval distribution",
        summary=summary,
        labels=list(labels),
        values=list(counts),
        headers=("Interval", "Cards"),
    )


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _cell(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "–"


def retention_chart(weeks: Sequence[tuple[date, int, int, int, int]], chart_id: str = "retention") -> Chart:
    """Weekly retention; ``weeks`` holds (Monday, young passed, young graded, mature passed, mature graded)."""
    labels = [monday.strftime("%d %b") for monday, *_ in weeks]
    young = [_percent(yp, yn) for _, yp, yn, _, _ in weeks]
    mature = [_percent(mp, mn) for _, _, _, mp, mn in weeks]
    graded = sum(yn + mn for _, _, yn, _, mn in weeks)
    passed = sum(yp + mp for _, yp, _, mp, _ in weeks)
    summary = f"Share of scheduled reviews graded 3 or more, per week, over {len(weeks)} weeks: "
    summary += f"{_cell(passed, graded)} overall." if graded else "no scheduled reviews yet."
    rows = [(f"Week of {monday.isoformat()}", _cell(yp, yn), _cell(mp, mn)) for monday, yp, yn, mp, mn in weeks]
    return line_chart(
        chart_id=chart_id,
        title=f"Retention, last {len(weeks)} weeks",
        summary=summary,
        labels=labels,
        series=[("Young (interval < 21 d)", "chart-young", young), ("Mature (21 d or more)", "chart-mature", mature)],
        headers=("Week", "Young", "Mature"),
        rows=rows,
        label_every=4,
    )


def mastery_bar(chart_id: str, title: str, mature: int, learning: int, unseen: int) -> Chart:
    return stacked_bar(
        chart_id=chart_id,
        title=title,
        parts=[
            ("mature", "chart-mature-part", mature),
            ("learning", "chart-learning-part", learning),
            ("not seen", "chart-unseen-part", unseen),
        ],
    )


def sparkline(chart_id: str, title: str, values: Sequence[int], labels: Sequence[str]) -> Chart:
    """A small line of whole numbers (a card's interval after each grade), scaled to the largest."""
    width, height, pad = 240, 48, 4
    top = max(values, default=0) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [(pad + step * i, height - pad - (height - 2 * pad) * v / top) for i, v in enumerate(values)]
    body = [f'<path class="chart-line chart-mature" d="{_series_path(points)}"/>'] if points else []
    body += [
        f'<circle class="chart-dot chart-mature" cx="{_fmt(x)}" cy="{_fmt(y)}" r="2"><title>{escape(label)}: '
        f"{value} d</title></circle>"
        for (x, y), value, label in zip(points, values, labels, strict=True)
    ]
    summary = (
        f"Interval after each of {len(values)} grades, from {values[0]} to {values[-1]} days."
        if values
        else ("No grades yet.")
    )
    svg = _svg(chart_id, title, summary, width, height, body, "chart-sparkline")
    rows = tuple((label, f"{value} d") for label, value in zip(labels, values, strict=True))
    return Chart(chart_id, title, summary, svg, ("Grade", "Interval after"), rows)
