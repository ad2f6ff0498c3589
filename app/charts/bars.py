"""A horizontal bar chart for rankings: one bar per item, made of stacked segments (e.g. what the vision
and the pitch add to a final score), with the rank in front; equal ranks are marked as ties."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from markupsafe import Markup, escape

from app.charts.svg import done, fmt, num, open_svg, text, wrap

WIDTH, LABEL_W, RIGHT, BAR_H, GAP, TOP = 720, 230, 110, 22, 12, 8


@dataclass
class Segment:
    value: Decimal
    css: str  # a class from samenspel.css, e.g. chart-seg-vision
    label: str


@dataclass
class Bar:
    label: str
    rank: Optional[int]
    tied: bool
    total: Optional[Decimal]
    segments: list[Segment] = field(default_factory=list)


def _rank_text(bar: Bar) -> str:
    if bar.rank is None:
        return "–"
    return f"={bar.rank}" if bar.tied else f"{bar.rank}."


def bar_chart(bars: list[Bar], title: str, maximum: Decimal = Decimal(100), empty_label: str = "—",
              legend: Optional[list[tuple[str, str]]] = None) -> Markup:
    legend = legend or []
    height = TOP + len(bars) * (BAR_H + GAP) + (26 if legend else 4)
    desc = ". ".join(f"{_rank_text(b)} {b.label}: {fmt(b.total) if b.total is not None else empty_label}"
                     for b in bars)
    head, _ident = open_svg("chart-bars", WIDTH, height, title, desc, "bars")
    parts = [head]
    scale = (WIDTH - LABEL_W - RIGHT) / float(maximum or 1)
    for i, bar in enumerate(bars):
        y = TOP + i * (BAR_H + GAP)
        css = "chart-bar-row" + (" chart-tied" if bar.tied else "")
        parts.append(f'<g class="{css}">')
        parts.append(text(34, y + BAR_H - 6, _rank_text(bar), "chart-rank", "end"))
        parts.append(text(42, y + BAR_H - 6, wrap(bar.label, 26, 1)[0]))
        parts.append(f'<rect class="chart-track" x="{LABEL_W}" y="{y}" width="{num(float(maximum) * scale)}" '
                     f'height="{BAR_H}"/>')
        x = float(LABEL_W)
        for seg in bar.segments:
            w = max(0.0, float(seg.value) * scale)
            parts.append(f'<rect class="chart-seg {seg.css}" x="{num(x)}" y="{y}" width="{num(w)}" height="{BAR_H}">'
                         f'<title>{escape(seg.label)}: {fmt(seg.value)}</title></rect>')
            x += w
        value = fmt(bar.total) if bar.total is not None else empty_label
        parts.append(text(WIDTH - RIGHT + 8, y + BAR_H - 6, value, "chart-value"))
        parts.append("</g>")
    if legend:
        y = TOP + len(bars) * (BAR_H + GAP) + 12
        parts.append('<g class="chart-legend">')
        for k, (label, css) in enumerate(legend):
            x = LABEL_W + k * 170
            parts.append(f'<rect class="chart-seg {css}" x="{x}" y="{y - 10}" width="14" height="10"/>')
            parts.append(text(x + 20, y, label, "chart-small"))
        parts.append("</g>")
    return done(parts)
