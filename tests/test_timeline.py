"""The tender's timeline: server-side SVG, dates on an axis, today marked, no inline styles."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from app import clock
from app.charts.timeline import CHAR_W, Mark, render_timeline, tender_timeline
from app.models import User
from tests.opendata_factories import decided, opendata  # noqa: F401

NS = {"svg": "http://www.w3.org/2000/svg"}


def _svg(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_tender_dates_and_today_on_one_axis(app, make):
    clock.freeze(clock.amsterdam(2027, 1, 4, 9))
    tender = make.tender(start=clock.now())
    with app.test_request_context():
        svg = _svg(tender_timeline(tender, clock.now() + timedelta(days=12)))
    assert "style" not in ET.tostring(svg, encoding="unicode")
    marks = svg.findall(".//svg:g[@class]", NS)
    labels = [g.find("svg:text[@class='tl-label']", NS).text for g in marks if "tl-mark" in g.get("class")]
    assert labels == ["Invitations go out", "Questions deadline", "Vision deadline", "Pitches", "Selection decision"]
    classes = {g.find("svg:text[@class='tl-label']", NS).text: g.get("class") for g in marks if "tl-mark" in g.get("class")}
    assert "tl-past" in classes["Questions deadline"] and "tl-future" in classes["Vision deadline"]
    assert svg.find(".//svg:rect[@class='tl-span']", NS) is not None  # the pitch days as a bar
    today = svg.find(".//svg:g[@aria-current='date']", NS)
    line = today.find("svg:line", NS)
    xs = sorted(float(c.get("cx")) for c in svg.iterfind(".//svg:circle", NS))
    # Today (12 days in) lies between the questions deadline (day 10) and the vision deadline (day 20).
    assert xs[1] < float(line.get("x1")) < xs[2]
    assert svg.find("svg:title", NS).text == f"Timeline of {tender.title}"
    assert "Vision deadline: 24 Jan 2027 09:00" in svg.find("svg:desc", NS).text


def test_labels_never_overlap():
    start = clock.amsterdam(2027, 3, 1, 9)
    marks = [Mark(f"Moment number {i}", start + timedelta(hours=6 * i)) for i in range(8)]
    svg = _svg(render_timeline(marks, start, title="t", today_label="Today"))
    lanes: dict[str, list[tuple[float, float]]] = {}
    for text in svg.iterfind(".//svg:text[@class='tl-label']", NS):
        centre, width = float(text.get("x")), len(text.text) * CHAR_W
        lanes.setdefault(text.get("y"), []).append((centre - width / 2, centre + width / 2))
    assert len(lanes) > 1  # close moments are stacked in lanes
    for spans in lanes.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_today_far_away_is_an_arrow_at_the_edge():
    start = clock.amsterdam(2027, 3, 1, 9)
    marks = [Mark("A", start), Mark("B", start + timedelta(days=30))]
    later = _svg(render_timeline(marks, start + timedelta(days=400), title="t", today_label="Today"))
    today = later.find(".//svg:g[@class='tl-today tl-offscale']", NS)
    assert today is not None and today.find("svg:text", NS).text.endswith("2028 →")
    earlier = _svg(render_timeline(marks, start - timedelta(days=400), title="t", today_label="Today"))
    assert earlier.find(".//svg:g[@class='tl-today tl-offscale']/svg:text", NS).text.startswith("← Today")
    assert str(render_timeline([], start, title="t", today_label="Today")) == ""


def test_the_tender_page_shows_the_timeline(opendata, login_as, session):
    tender = opendata.tender("pitch")
    html = login_as(session.get(User, tender.created_by_id)).get(f"/tenders/{tender.id}").get_data(as_text=True)
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-chart".*?</svg>', html, re.S).group(0)
    assert f'id="timeline-{tender.id}"' in svg and 'aria-current="date"' in svg
    assert " style=" not in html and "<script" not in html
