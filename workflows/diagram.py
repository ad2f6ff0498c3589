"""The workflow diagram as inline SVG, drawn from the definition itself.

Drawn here rather than with GraphMachine: Graphviz needs the system `dot` binary (not on a fresh
machine) and its layout would change with its version; this is deterministic, readable without
JavaScript, and allowed by the page's strict CSP.
"""
from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from workflows.core import Workflow

BOX_W, BOX_H, COL, ROW, PAD = 168, 50, 200, 92, 16


def _box_xy(col: int, row: int) -> tuple[int, int]:
    return PAD + col * COL, PAD + row * ROW


def _lines(label: str, width: int = 20) -> list[str]:
    return textwrap.wrap(label, width) or [label]


def _side_states(workflow: Workflow) -> set[str]:
    """Final states on the bottom row are exits (cancelled, unsuccessful): captioned, not wired."""
    if not workflow.layout:
        return set()
    bottom = max(r for _c, r in workflow.layout.values())
    if bottom == 0:
        return set()
    return {s.name for s in workflow.states if s.final and workflow.layout[s.name][1] == bottom}


def _edge(src: tuple[int, int], dst: tuple[int, int]) -> str:
    (sc, sr), (dc, dr) = src, dst
    sx, sy = _box_xy(sc, sr)
    dx, dy = _box_xy(dc, dr)
    if sr == dr and dc == sc + 1:  # next on the row
        return f'<path class="wf-edge" d="M{sx + BOX_W},{sy + BOX_H // 2} L{dx - 4},{dy + BOX_H // 2}"/>'
    if sr == dr:  # a loop back (below) or a skip ahead (above)
        if dc < sc:
            y = sy + BOX_H
            return (f'<path class="wf-edge wf-loop" d="M{sx + BOX_W // 2},{y} C{sx + BOX_W // 2},{y + 34} '
                    f'{dx + BOX_W // 2},{y + 34} {dx + BOX_W // 2},{y + 4}"/>')
        return (f'<path class="wf-edge" d="M{sx + BOX_W // 2},{sy} C{sx + BOX_W // 2},{sy - 30} '
                f'{dx + BOX_W // 2},{dy - 30} {dx + BOX_W // 2},{dy - 4}"/>')
    mid = sy + BOX_H + (dy - sy - BOX_H) // 2  # wrap to the next row through the gap between rows
    return (f'<path class="wf-edge" d="M{sx + BOX_W // 2},{sy + BOX_H} L{sx + BOX_W // 2},{mid} '
            f'L{dx + BOX_W // 2},{mid} L{dx + BOX_W // 2},{dy - 4}"/>')


def render_svg(workflow: Workflow, current: str, next_states: list[str] | None = None,
               title: str = "") -> Markup:
    side = _side_states(workflow)
    main = sorted((s for s in workflow.states if s.name not in side), key=lambda s: workflow.layout[s.name][::-1])
    order = {s.name: i for i, s in enumerate(main)}
    next_states = set(next_states or [])
    cols = max(c for c, _r in workflow.layout.values()) + 1
    rows = max(r for _c, r in workflow.layout.values()) + 1
    width, height = PAD * 2 + (cols - 1) * COL + BOX_W, PAD * 2 + (rows - 1) * ROW + BOX_H + 24

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="wf-title-{workflow.name}">',
        f'<title id="wf-title-{workflow.name}">{escape(title)}</title>',
        '<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="wf-arrowhead"/></marker></defs>',
    ]
    drawn = set()
    for t in workflow.transitions:
        if t.dest in side:
            continue
        for source in t.sources:
            if (source, t.dest) not in drawn and source in workflow.layout:
                drawn.add((source, t.dest))
                parts.append(_edge(workflow.layout[source], workflow.layout[t.dest]))
    for s in workflow.states:
        parts.append(_state_box(workflow, s, current, order, next_states, side))
    parts.append("</svg>")
    return Markup("".join(parts))


def _state_box(workflow, s, current, order, next_states, side) -> str:
    x, y = _box_xy(*workflow.layout[s.name])
    classes = ["wf-state"]
    if s.name == current:
        classes.append("wf-current")
    elif s.name in next_states:
        classes.append("wf-next")
    elif s.name in order and current in order and order[s.name] < order[current]:
        classes.append("wf-done")
    if s.name in side:
        classes.append("wf-side")
    lines = _lines(str(s.label))
    first_y = y + BOX_H // 2 - (len(lines) - 1) * 8 + 5
    text = "".join(
        f'<tspan x="{x + BOX_W // 2}" y="{first_y + i * 16}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    caption = ""
    if s.name in side:
        sources = sorted({src for t in workflow.transitions if t.dest == s.name for src in t.sources})
        caption = _side_caption(workflow, sources, x, y)
    marker = ' aria-current="step"' if s.name == current else ""
    return (f'<g class="{" ".join(classes)}" data-state="{s.name}"{marker}>'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8"/>'
            f'<text text-anchor="middle">{text}</text>{caption}</g>')


def _side_caption(workflow, sources, x, y) -> str:
    from flask_babel import gettext as _
    if len(sources) > 2:
        label = _("from any stage before the award")
    else:
        label = _("from: %(states)s", states=", ".join(str(workflow.state(src).label) for src in sources))
    return f'<text class="wf-caption" x="{x + BOX_W // 2}" y="{y + BOX_H + 16}" text-anchor="middle">{escape(label)}</text>'
