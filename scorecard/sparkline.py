"""A small inline SVG sparkline of a trend, built server-side (no JavaScript), for the scorecard tables.

The trend's months take seven columns; at a laptop's width they push latest value, direction,
target and RAG off the screen. The sparkline takes one narrow column instead. The drawing is
decoration (``aria-hidden``); its values are in visually hidden text beside it (and on hover), so
a screen reader hears every month, and the full months are one link away (``?trend=full``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 84, 22, 3
# The page parameter that shows every trend period in its own column (?trend=full); sparklines by default.
PARAMETER = "trend"
FULL = "full"


class Point(NamedTuple):
    label: str  # the period, e.g. "Oct-24"
    value: Decimal | None  # None: a status (N/A, not supplied): a gap in the line
    text: str  # how the value reads: "76.9", "N/A"


def full_trend(query: object) -> bool:
    """The page asks for every trend period in its own column (``?trend=full``)."""
    return getattr(query, "get", lambda *_: "")(PARAMETER, "") == FULL


def _coordinates(points: Sequence[Point]) -> list[tuple[float, float] | None]:
    values = [point.value for point in points if point.value is not None]
    low, high = min(values), max(values)
    span = float(high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    return [
        None
        if point.value is None
        else (round(PAD + i * step, 1), round(HEIGHT - PAD - (float(point.value - low) / span) * (HEIGHT - 2 * PAD), 1))
        for i, point in enumerate(points)
    ]


def svg(points: Sequence[Point]) -> SafeString:
    """The drawing alone: a line through the values (broken where there is none), the latest as a dot."""
    if not any(point.value is not None for point in points):
        return mark_safe("")
    coordinates = _coordinates(points)
    runs: list[list[tuple[float, float]]] = [[]]
    for xy in coordinates:
        if xy is None:
            runs.append([])
        else:
            runs[-1].append(xy)
    lines = format_html_join(
        "", '<polyline points="{}"/>', ((" ".join(f"{x},{y}" for x, y in run),) for run in runs if len(run) > 1)
    )
    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="1.6"/>', ((x, y) for run in runs if len(run) == 1 for x, y in run)
    )
    last = next((xy for xy in reversed(coordinates) if xy is not None), None)
    latest = format_html('<circle class="spark-last" cx="{}" cy="{}" r="2.4"/>', *last) if last else ""
    return format_html(
        '<svg class="spark" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true" '
        'focusable="false">{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        lines,
        dots,
        latest,
    )


def words(points: Sequence[Point]) -> str:
    """The values as text: "Apr-24 19.9, May-24 13.7, …"."""
    return ", ".join(f"{point.label} {point.text}" for point in points if point.text)


def sparkline(points: Sequence[Point]) -> SafeString:
    """The drawing with its values as text for screen readers and on hover; empty without any point."""
    if not points:
        return mark_safe("")
    text = words(points)
    return format_html(
        '<span class="sparkline" title="{}">{}<span class="visually-hidden">Trend: {}</span></span>',
        text,
        svg(points),
        text,
    )
