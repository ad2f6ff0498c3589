"""A dot chart: one row per item (e.g. a criterion), each on its own scale, with a dot per series
(e.g. an evaluator) and a diamond for the agreed value (e.g. the consensus)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from markupsafe import Markup, escape

from app.charts.svg import SERIES, done, fmt, num, open_svg, text, wrap

WIDTH, LABEL_W, RIGHT, ROW_H, TOP = 680, 200, 24, 58, 12


@dataclass
class DotRow:
    label: str
    levels: list[int]  # the scale's levels, lowest first
    points: dict[int, Optional[int]] = field(default_factory=dict)  # series index → value (None: not scored)
    agreed: Optional[int] = None
    flagged: bool = False


def _x(value, lo: int, hi: int) -> float:
    return LABEL_W + (value - lo) / (hi - lo) * (WIDTH - LABEL_W - RIGHT)


def dot_chart(rows: list[DotRow], series: list[str], title: str, agreed_label: str, flag_label: str = "") -> Markup:
    legend_rows = (len(series) + 1 + 3) // 4
    height = TOP + ROW_H * len(rows) + 18 + 20 * legend_rows
    head, _ident = open_svg("chart-dots", WIDTH, height, title, _describe(rows, series, agreed_label), "dots")
    parts = [head]
    for i, row in enumerate(rows):
        parts.append(_row(i, row, series, flag_label))
    parts.append(_legend(series, agreed_label, TOP + ROW_H * len(rows) + 14))
    return done(parts)


def _row(i: int, row: DotRow, series: list[str], flag_label: str) -> str:
    lo, hi = row.levels[0], row.levels[-1]
    y = TOP + i * ROW_H + 18
    out = [f'<g class="chart-row{" chart-flagged" if row.flagged else ""}">']
    for j, line in enumerate(wrap(row.label, 26)):
        out.append(text(8, y - 2 + j * 15, line))
    if row.flagged and flag_label:
        out.append(text(8, y + 28, flag_label, "chart-flag"))
    out.append(f'<line class="chart-axis" x1="{num(_x(lo, lo, hi))}" y1="{y}" x2="{num(_x(hi, lo, hi))}" y2="{y}"/>')
    for level in row.levels:
        x = _x(level, lo, hi)
        out.append(f'<line class="chart-tick" x1="{num(x)}" y1="{y - 4}" x2="{num(x)}" y2="{y + 4}"/>')
        out.append(text(x, y + 30, str(level), "chart-small", "middle"))
    scored = [(s, v) for s, v in sorted(row.points.items()) if v is not None]
    for s, value in scored:
        # Equal scores sit side by side above the line rather than on top of each other.
        same = [t for t, v in scored if v == value]
        offset = (same.index(s) - (len(same) - 1) / 2) * 11
        cx, cy = _x(value, lo, hi) + offset, y - 10
        out.append(f'<circle class="chart-dot chart-s{s % SERIES}" cx="{num(cx)}" cy="{num(cy)}" r="5">'
                   f'<title>{escape(series[s])}: {value}</title></circle>')
    if row.agreed is not None:
        cx = _x(row.agreed, lo, hi)
        out.append(f'<path class="chart-agreed" d="M{num(cx)},{y + 3} l7,8 l-7,8 l-7,-8 z">'
                   f'<title>{escape(row.label)}: {row.agreed}</title></path>')
    out.append("</g>")
    return "".join(out)


def _legend(series: list[str], agreed_label: str, y: int) -> str:
    out = ['<g class="chart-legend">']
    items = [(name, f"chart-dot chart-s{i % SERIES}") for i, name in enumerate(series)] + [(agreed_label, "agreed")]
    for k, (name, css) in enumerate(items):
        x, yy = 8 + (k % 4) * 165, y + (k // 4) * 20
        if css == "agreed":
            out.append(f'<path class="chart-agreed" d="M{x + 5},{yy - 12} l6,7 l-6,7 l-6,-7 z"/>')
        else:
            out.append(f'<circle class="{css}" cx="{x + 5}" cy="{yy - 5}" r="5"/>')
        out.append(text(x + 16, yy, wrap(name, 20, 1)[0], "chart-small"))
    out.append("</g>")
    return "".join(out)


def _describe(rows: list[DotRow], series: list[str], agreed_label: str) -> str:
    parts = []
    for row in rows:
        scores = ", ".join(f"{series[s]} {v}" for s, v in sorted(row.points.items()) if v is not None)
        agreed = f"; {agreed_label} {fmt(row.agreed)}" if row.agreed is not None else ""
        parts.append(f"{row.label}: {scores or '—'}{agreed}")
    return ". ".join(parts)
