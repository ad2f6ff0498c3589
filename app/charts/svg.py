"""Small building blocks for the SVG charts."""
from __future__ import annotations

import itertools
import textwrap
from decimal import Decimal

from markupsafe import Markup, escape

_ids = itertools.count(1)
SERIES = 8  # number of distinct series colours in samenspel.css (.chart-s0 … .chart-s7)


def new_id(prefix: str) -> str:
    """A document-unique id for the title/description of one chart (several charts share a page)."""
    return f"{prefix}-{next(_ids)}"


def num(value) -> str:
    """Coordinates with at most one decimal, without trailing zeros."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def fmt(value) -> str:
    """A score for display: 6, 6.5, 72.25."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def wrap(label: str, width: int, lines: int = 2) -> list[str]:
    out = textwrap.wrap(label, width) or [label]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, width - 1)] + "…"
    return out


def open_svg(css_class: str, width: int, height: int, title: str, desc: str, prefix: str) -> tuple[str, str]:
    ident = new_id(prefix)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>')
    return head, ident


def text(x, y, content: str, css_class: str = "chart-label", anchor: str = "start") -> str:
    return (f'<text class="{css_class}" x="{num(x)}" y="{num(y)}" text-anchor="{anchor}">'
            f'{escape(content)}</text>')


def done(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))
