"""A line chart of indicator scores over the programme's periods, as inline SVG.

Every colour and font comes from classes in samenspel.css (`ic-*`), never from style attributes, so the
chart passes the strict CSP. Each point carries a <title> with its exact value, and the page shows the
same numbers in a table for screen readers and print.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 200, 16, 44
PALETTE = 8  # ic-s0 … ic-s7


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Optional[float]]  # one per x label; None where nothing was scored


def _x(i: int, n: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    return LEFT + (plot / 2 if n == 1 else plot * i / (n - 1))


def _y(value: float, lo: float, hi: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot * (hi - value) / (hi - lo)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _runs(values: Sequence[Optional[float]]) -> list[list[int]]:
    """Indexes of consecutive scored points: a gap (a period without scores) breaks the line."""
    runs, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs


def indicator_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, empty_text: str,
                    lo: int = 0, hi: int = 10, chart_id: str = "indicators") -> Markup:
    """One line per indicator across the periods in `labels`, on a fixed lo–hi scale."""
    n = len(labels)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ic-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="{chart_id}-title">',
             f'<title id="{chart_id}-title">{escape(title)}</title>']
    for tick in range(lo, hi + 1, 2):
        y = _y(tick, lo, hi)
        parts.append(f'<line class="ic-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="ic-axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text class="ic-axis" x="{_x(i, n):.1f}" y="{HEIGHT - BOTTOM + 20}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    scored = [s for s in series if any(v is not None for v in s.values)]
    if not scored or n == 0:
        parts.append(f'<text class="ic-empty" x="{(WIDTH - RIGHT + LEFT) / 2:.1f}" y="{HEIGHT / 2:.1f}" '
                     f'text-anchor="middle">{escape(empty_text)}</text>')
    for k, s in enumerate(scored):
        cls = f"ic-s{k % PALETTE}"
        parts.append(f'<g class="ic-series {cls}" data-indicator="{escape(s.name)}">')
        for run in _runs(s.values):
            points = " ".join(f"{_x(i, n):.1f},{_y(s.values[i], lo, hi):.1f}" for i in run)
            if len(run) > 1:
                parts.append(f'<polyline class="ic-line" points="{points}"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(f'<circle class="ic-point" cx="{_x(i, n):.1f}" cy="{_y(v, lo, hi):.1f}" r="4">'
                             f'<title>{escape(s.name)}, {escape(labels[i])}: {_fmt(v)}</title></circle>')
        y = TOP + 8 + k * 20
        parts.append(f'<rect class="ic-swatch" x="{WIDTH - RIGHT + 16}" y="{y - 9}" width="12" height="12" rx="2"/>'
                     f'<text class="ic-legend" x="{WIDTH - RIGHT + 34}" y="{y + 1}">{escape(s.name[:28])}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
