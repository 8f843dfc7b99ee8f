"""Geometry of the statistics charts, drawn on the server as SVG (web/macros/chart.html).

Pure numbers: no markup here. Colours come from CSS (currentColor and the theme's
variables), so a chart is as readable at night as the page around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 150
VALUE_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    text: str  # the value as the table beside the chart shows it
    series: int  # 0, 1, ...: the CSS class chart-s0, chart-s1 colours it


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, float, str], ...]  # x, y, text
    series: tuple[str, ...]  # legend names


def _scale(values: Sequence[int]) -> int:
    return max([1, *values])


def hbars(items: Sequence[tuple[str, int, str]], width: int = 640) -> Chart:
    """One horizontal bar per (label, value, text): the label on the left, the text at the
    bar's end (the public page draws 0 where its table shows "<5", and writes "<5")."""
    room = width - LABEL_WIDTH - VALUE_WIDTH
    top = _scale([v for _, v, _ in items])
    bars, labels = [], []
    for i, (label, value, text) in enumerate(items):
        y = i * (BAR_HEIGHT + BAR_GAP)
        w = room * max(0, value) / top
        bars.append(Bar(LABEL_WIDTH, y, round(w, 1), BAR_HEIGHT, label, value, text, 0))
        labels.append((LABEL_WIDTH - 6, y + BAR_HEIGHT * 0.75, label[:24]))
    height = max(1, len(items)) * (BAR_HEIGHT + BAR_GAP)
    return Chart(width, height, tuple(bars), tuple(labels), ())


def columns(groups: Sequence[tuple[str, Sequence[int]]], series: Sequence[str],
            width: int = 640, height: int = 200) -> Chart:
    """Grouped columns: one group per label (a month), one column per series in it."""
    plot = height - 24  # room for the labels under the columns
    top = _scale([v for _, values in groups for v in values])
    per_group = width / max(1, len(groups))
    column = max(2.0, (per_group - 4) / max(1, len(series)))
    bars, labels = [], []
    step = max(1, len(groups) // 12)  # at most ~12 labels under the axis
    for g, (label, values) in enumerate(groups):
        x0 = g * per_group + 2
        for s, value in enumerate(values):
            h = plot * max(0, value) / top
            bars.append(Bar(round(x0 + s * column, 1), round(plot - h, 1), round(column - 1, 1),
                            round(h, 1), label, value, str(value), s))
        if g % step == 0:
            labels.append((round(x0 + per_group / 2 - 2, 1), height - 6, label))
    return Chart(width, height, tuple(bars), tuple(labels), tuple(series))
