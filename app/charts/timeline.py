"""A horizontal time axis with dated marks and today marked, as inline SVG.

Drawn on the server (no JavaScript) with SVG attributes and CSS classes only, so the page's strict
CSP (no inline styles) holds. Labels sit above the axis in as many lanes as needed so they never
overlap; a span (e.g. the pitch days) is drawn as a bar. When today lies far outside the dates, an
arrow at the edge says where it is instead of squeezing the axis.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional, Sequence

from babel.dates import format_date
from markupsafe import Markup, escape

from app.clock import AMSTERDAM
from app.i18n import _locale, format_local

WIDTH = 960
MARGIN = 28
LANE_H = 30
CHAR_W = 6.4  # average width of a label character at the chart's font size
AXIS_GAP = 22  # from the lowest label lane to the axis
BOTTOM = 40  # below the axis: tick labels and today's label


@dataclass(frozen=True)
class Mark:
    label: str
    at: datetime
    end: Optional[datetime] = None  # a span
    kind: str = ""  # extra CSS class, e.g. "deadline"


def _day(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def _short(moment: datetime) -> str:
    return format_date(_day(moment), "d MMM", locale=_locale())


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Tick days and labels: weeks for short ranges, months for up to two years, else years."""
    span = (end - start).days
    locale = _locale()
    ticks = []
    if span <= 120:
        day = start + timedelta(days=(7 - start.weekday()) % 7)  # Mondays
        while day <= end:
            ticks.append((day, format_date(day, "d MMM", locale=locale)))
            day += timedelta(days=7)
    elif span <= 730:
        day = date(start.year, start.month, 1)
        while day <= end:
            if day >= start:
                fmt = "MMM y" if day.month == 1 or not ticks else "MMM"
                ticks.append((day, format_date(day, fmt, locale=locale)))
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    else:
        for year in range(start.year + 1, end.year + 1):
            ticks.append((date(year, 1, 1), str(year)))
    return ticks


def render_timeline(marks: Sequence[Mark], today: datetime, *, title: str, today_label: str,
                    html_id: str = "timeline") -> Markup:
    """The SVG, or an empty Markup when there is nothing dated to draw."""
    marks = sorted((m for m in marks if m.at is not None), key=lambda m: m.at)
    if not marks:
        return Markup("")
    first = min(m.at for m in marks)
    last = max((m.end or m.at) for m in marks)
    span = max(last - first, timedelta(days=6))
    pad = max(span * 0.05, timedelta(days=1))
    lo, hi = first - pad, last + pad
    if lo - span * 0.5 <= today <= hi + span * 0.5:  # today close by: take it into the axis
        lo, hi = min(lo, today - pad), max(hi, today + pad)
    inner = WIDTH - 2 * MARGIN

    def x(moment: datetime) -> float:
        return round(MARGIN + inner * ((moment - lo) / (hi - lo)), 1)

    # Lanes for the labels, greedily: a label goes into the first lane where it does not overlap.
    placed = []
    lane_ends: list[float] = []
    for m in marks:
        centre = x(m.at) if m.end is None else (x(m.at) + x(m.end)) / 2
        text_w = max(len(m.label), len(_short(m.at)) + (len(_short(m.end)) + 3 if m.end else 0)) * CHAR_W
        left = min(max(centre - text_w / 2, MARGIN / 2), WIDTH - MARGIN / 2 - text_w)
        lane = next((i for i, end in enumerate(lane_ends) if end + 10 <= left), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(0)
        lane_ends[lane] = left + text_w
        placed.append((m, lane, left + text_w / 2))
    lanes = max(1, len(lane_ends))
    axis_y = 14 + lanes * LANE_H + AXIS_GAP
    height = axis_y + BOTTOM

    description = "; ".join(f"{m.label}: {format_local(m.at)}" + (f" – {format_local(m.end)}" if m.end else "")
                            for m in marks)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{html_id}-title {html_id}-desc" id="{html_id}">',
        f'<title id="{html_id}-title">{escape(title)}</title>',
        f'<desc id="{html_id}-desc">{escape(description)}. {escape(today_label)}: '
        f'{escape(format_local(today))}.</desc>',
        f'<line class="tl-axis" x1="{MARGIN}" y1="{axis_y}" x2="{WIDTH - MARGIN}" y2="{axis_y}"/>',
    ]
    for day, label in _ticks(_day(lo), _day(hi)):
        tx = x(datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM))
        if MARGIN <= tx <= WIDTH - MARGIN:
            out.append(f'<line class="tl-tick" x1="{tx}" y1="{axis_y}" x2="{tx}" y2="{axis_y + 5}"/>'
                       f'<text class="tl-tick-label" x="{tx}" y="{axis_y + 17}" text-anchor="middle">'
                       f'{escape(label)}</text>')
    for m, lane, centre in placed:
        state = "past" if (m.end or m.at) < today else "future"
        label_y = 14 + lane * LANE_H + 10
        out.append(f'<g class="tl-mark tl-{state}{" tl-" + m.kind if m.kind else ""}">')
        out.append(f'<title>{escape(m.label)}: {escape(format_local(m.at))}'
                   + (f" – {escape(format_local(m.end))}" if m.end else "") + "</title>")
        anchor_x = x(m.at) if m.end is None else (x(m.at) + x(m.end)) / 2
        out.append(f'<line class="tl-leader" x1="{round(centre, 1)}" y1="{label_y + 16}" x2="{round(anchor_x, 1)}" '
                   f'y2="{axis_y - 6}"/>')
        if m.end is None:
            out.append(f'<circle class="tl-dot" cx="{x(m.at)}" cy="{axis_y}" r="5"/>')
        else:
            out.append(f'<rect class="tl-span" x="{x(m.at)}" y="{axis_y - 5}" width="{max(2.0, x(m.end) - x(m.at))}" '
                       f'height="10" rx="3"/>')
        when = _short(m.at) + (f" – {_short(m.end)}" if m.end and _day(m.end) != _day(m.at) else "")
        out.append(f'<text class="tl-label" x="{round(centre, 1)}" y="{label_y}" text-anchor="middle">'
                   f'{escape(m.label)}</text>')
        out.append(f'<text class="tl-date" x="{round(centre, 1)}" y="{label_y + 12}" text-anchor="middle">'
                   f'{escape(when)}</text>')
        out.append("</g>")
    out.append(_today(today, lo, hi, x, axis_y, height, today_label))
    out.append("</svg>")
    return Markup("".join(out))


def _today(today: datetime, lo: datetime, hi: datetime, x, axis_y: int, height: int, label: str) -> str:
    text = f"{label} {_short(today)}"
    if today < lo:
        return (f'<g class="tl-today tl-offscale"><path class="tl-today-arrow" d="M{MARGIN - 4} {axis_y} l8 -5 v10 z"/>'
                f'<text class="tl-today-label" x="{MARGIN - 8}" y="{height - 6}" text-anchor="start">'
                f'← {escape(text)} {today.astimezone(AMSTERDAM).year}</text></g>')
    if today > hi:
        return (f'<g class="tl-today tl-offscale"><path class="tl-today-arrow" d="M{WIDTH - MARGIN + 4} {axis_y} '
                f'l-8 -5 v10 z"/><text class="tl-today-label" x="{WIDTH - MARGIN + 8}" y="{height - 6}" '
                f'text-anchor="end">{escape(text)} {today.astimezone(AMSTERDAM).year} →</text></g>')
    tx = x(today)
    anchor = "start" if tx < WIDTH / 4 else "end" if tx > WIDTH * 3 / 4 else "middle"
    return (f'<g class="tl-today" aria-current="date"><line class="tl-today-line" x1="{tx}" y1="{axis_y - 16}" '
            f'x2="{tx}" y2="{axis_y + 8}"/><text class="tl-today-label" x="{tx}" y="{height - 6}" text-anchor="{anchor}">'
            f'{escape(text)}</text></g>')


def tender_timeline(tender, today: datetime) -> Markup:
    """The tender's dates (invitation, questions, vision deadline, pitches, selection) on an axis."""
    from flask_babel import gettext as _

    from app.tenders.queries import DEADLINE_LABELS
    marks = []
    for col in ("invitation_at", "questions_deadline", "vision_deadline", "selection_at"):
        moment = getattr(tender, col)
        if moment is not None:
            marks.append(Mark(str(DEADLINE_LABELS[col]), moment, kind=col.replace("_", "-")))
    if tender.pitch_start is not None:
        end = tender.pitch_end if tender.pitch_end and tender.pitch_end > tender.pitch_start else None
        marks.append(Mark(_("Pitches"), tender.pitch_start, end, kind="pitches"))
    elif tender.pitch_end is not None:
        marks.append(Mark(str(DEADLINE_LABELS["pitch_end"]), tender.pitch_end, kind="pitch-end"))
    return render_timeline(marks, today, title=_("Timeline of %(title)s", title=tender.title),
                           today_label=_("Today"), html_id=f"timeline-{tender.id}")
