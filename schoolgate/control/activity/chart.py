"""Blocks by category per day, drawn as a server-rendered SVG of stacked bars: no JavaScript, no
images to fetch, and a table with the same numbers for screen readers and for reading values.

Pure: counts in, markup out. Colours are the Okabe–Ito palette (distinguishable with the common
colour-vision deficiencies) and each bar segment carries a <title>, so hovering or a screen
reader's graphics mode says what it is; the legend names colours in text as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Final

PALETTE: Final = (
    ("#0072B2", "blue"),
    ("#E69F00", "orange"),
    ("#009E73", "green"),
    ("#CC79A7", "pink"),
    ("#56B4E9", "sky blue"),
    ("#D55E00", "vermilion"),
    ("#F0E442", "yellow"),
    ("#555555", "grey"),
)
OTHER: Final = "other"
UNCATEGORISED: Final = "uncategorised"
WIDTH: Final = 640
HEIGHT: Final = 220
MARGIN_LEFT: Final = 40
MARGIN_BOTTOM: Final = 30
MARGIN_TOP: Final = 10


@dataclass(frozen=True)
class Series:
    category: str
    colour: str
    colour_name: str
    counts: tuple[int, ...]  # one per day

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class BlockChart:
    days: tuple[dt.date, ...]
    series: tuple[Series, ...]
    totals: tuple[int, ...]  # blocked events per day (an event in two categories counts once)

    @property
    def empty(self) -> bool:
        return not any(self.totals)

    def rows(self) -> list[tuple[dt.date, list[int], int]]:
        """The table: per day, the count per series and the day's blocked events."""
        return [
            (day, [s.counts[i] for s in self.series], self.totals[i])
            for i, day in enumerate(self.days)
        ]


def last_days(today: dt.date, n: int = 14) -> tuple[dt.date, ...]:
    return tuple(today - dt.timedelta(days=n - 1 - i) for i in range(n))


def build(
    days: tuple[dt.date, ...],
    per_category: Mapping[str, Mapping[dt.date, int]],
    totals: Mapping[dt.date, int],
    *,
    top: int = len(PALETTE) - 1,
) -> BlockChart:
    """The `top` categories with the most blocks get their own colour; the rest are "other"."""
    ranked = sorted(per_category, key=lambda c: (-sum(per_category[c].values()), c))
    named, rest = ranked[:top], ranked[top:]
    series = []
    for i, category in enumerate(named):
        colour, name = PALETTE[i]
        counts = tuple(per_category[category].get(d, 0) for d in days)
        series.append(Series(category, colour, name, counts))
    if rest:
        colour, name = PALETTE[-1]
        counts = tuple(sum(per_category[c].get(d, 0) for c in rest) for d in days)
        series.append(Series(OTHER, colour, name, counts))
    return BlockChart(days, tuple(series), tuple(totals.get(d, 0) for d in days))


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def svg(chart: BlockChart, title_id: str = "blocks-chart-title") -> str:
    """The stacked-bar chart as inline SVG markup (every text escaped)."""
    days = chart.days
    heights = [sum(s.counts[i] for s in chart.series) for i in range(len(days))]
    top = _nice_max(max(heights, default=0))
    plot_w = WIDTH - MARGIN_LEFT - 10
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(days), 1)
    bar = slot * 0.7
    base = MARGIN_TOP + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{escape(title_id)}" '
        'style="max-width:40rem;font:11px system-ui,sans-serif">',
        f'<line x1="{MARGIN_LEFT}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#1a1a1a"/>',
        f'<text x="{MARGIN_LEFT - 4}" y="{MARGIN_TOP + 4}" text-anchor="end">{top}</text>',
        f'<text x="{MARGIN_LEFT - 4}" y="{base}" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        x = MARGIN_LEFT + i * slot + (slot - bar) / 2
        y = float(base)
        for series in chart.series:
            n = series.counts[i]
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            label = escape(f"{day:%b %d}: {n} blocked, {series.category}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{series.colour}" stroke="#fff" stroke-width="0.5">'
                f"<title>{label}</title></rect>"
            )
        if i % 2 == 0 or len(days) <= 7:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 14}" text-anchor="middle">'
                f"{day:%d %b}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["OTHER", "PALETTE", "UNCATEGORISED", "BlockChart", "Series", "build", "last_days", "svg"]
