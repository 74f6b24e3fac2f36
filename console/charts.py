"""Bar charts drawn as inline SVG, computed in Python and rendered by ``admin/console/chart.html``.

A chart is plain geometry (rectangles, lines, text) in a fixed ``viewBox``; the
page scales it to its width, so it needs no script and works at 360 px. Every
string ends up in the template, which escapes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 400
COLUMNS_HEIGHT = 200
ROW_HEIGHT = 22
AXIS_WIDTH = 34  # left margin of column charts, for the value labels
LABEL_WIDTH = 130  # left margin of bar charts, for the item names
LABEL_CHARS = 20
MAX_TICKS = 4


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    css_class: str = "series-a"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css_class: str


@dataclass(frozen=True)
class Group:
    """One column or bar: its rectangles and the tooltip that names its value."""

    title: str
    rects: list[Rect]


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    groups: list[Group] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    legend: list[Series] = field(default_factory=list)


def ticks(maximum: int) -> list[int]:
    """Round axis values from 0 to at least ``maximum``: at most ``MAX_TICKS`` steps of 1, 2 or 5 x 10^n."""
    maximum = max(maximum, 1)
    magnitude = 10 ** max(0, math.floor(math.log10(maximum)) - 1)
    step = next(
        step
        for step in (mult * magnitude * 10**power for power in range(4) for mult in (1, 2, 5))
        if math.ceil(maximum / step) <= MAX_TICKS
    )
    return list(range(0, math.ceil(maximum / step) * step + 1, step))


def _round(value: float) -> float:
    return round(value, 2)


def columns(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    tooltips: Sequence[str],
    series: Sequence[Series],
    label_every: int = 1,
) -> Chart:
    """Vertical columns, one per label, the series stacked bottom to top (a time series).

    ``labels`` are written under every ``label_every``-th column; ``tooltips`` name each column's values.
    """
    top, right, bottom = 8, 4, 22
    plot_width = WIDTH - AXIS_WIDTH - right
    plot_height = COLUMNS_HEIGHT - top - bottom
    totals = [sum(values) for values in zip(*(s.values for s in series), strict=True)]
    axis = ticks(max(totals, default=0))
    scale = plot_height / axis[-1]
    slot = plot_width / max(len(labels), 1)
    base = top + plot_height

    chart = Chart(title, description, WIDTH, COLUMNS_HEIGHT, legend=list(series) if len(series) > 1 else [])
    for tick in axis:
        y = _round(base - tick * scale)
        chart.lines.append(Line(AXIS_WIDTH, y, WIDTH - right, y))
        chart.texts.append(Text(AXIS_WIDTH - 4, _round(y + 4), str(tick), "end"))
    for index, (label, tooltip) in enumerate(zip(labels, tooltips, strict=True)):
        x = AXIS_WIDTH + index * slot
        rects, stacked = [Rect(_round(x), top, _round(slot), plot_height, "hit")], 0
        for one in series:
            value = one.values[index]
            if value:
                height = value * scale
                rects.append(
                    Rect(
                        _round(x + slot * 0.1),
                        _round(base - stacked - height),
                        _round(slot * 0.8),
                        _round(height),
                        one.css_class,
                    )
                )
                stacked += height
        chart.groups.append(Group(tooltip, rects))
        if index % label_every == 0:
            chart.texts.append(Text(_round(x + slot / 2), COLUMNS_HEIGHT - 6, label))
    return chart


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bars(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    tooltips: Sequence[str],
    values: Sequence[int],
    css_class: str = "series-a",
) -> Chart:
    """Horizontal bars, one row per label, longest first as given (a ranking); the value ends each bar."""
    right = 40  # room for the value after the longest bar
    plot_width = WIDTH - LABEL_WIDTH - right
    height = max(len(labels), 1) * ROW_HEIGHT + 4
    scale = plot_width / max(max(values, default=0), 1)

    chart = Chart(title, description, WIDTH, height)
    chart.lines.append(Line(LABEL_WIDTH, 0, LABEL_WIDTH, height))
    for index, (label, tooltip, value) in enumerate(zip(labels, tooltips, values, strict=True)):
        y = 2 + index * ROW_HEIGHT
        rects = [Rect(0, y, WIDTH, ROW_HEIGHT, "hit")]
        if value:
            rects.append(Rect(LABEL_WIDTH, y + 3, _round(value * scale), ROW_HEIGHT - 6, css_class))
        chart.groups.append(Group(tooltip, rects))
        middle = y + ROW_HEIGHT / 2 + 4
        chart.texts.append(Text(LABEL_WIDTH - 6, middle, _shorten(label), "end"))
        chart.texts.append(Text(_round(LABEL_WIDTH + value * scale + 4), middle, str(value), "start"))
    return chart
