"""The server-side SVG charts: accessible, CSP-safe (no inline styles or scripts), ties marked."""
from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

from app.charts import Bar, DotRow, Segment, bar_chart, dot_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


def _csp_safe(markup) -> bool:
    text = str(markup)
    return "style=" not in text and "<script" not in text and not re.search(r"\son\w+=", text)


def test_dot_chart_shows_each_member_and_the_consensus():
    rows = [DotRow("Visie <op> leiderschap", [0, 2, 4, 6, 8, 10], {0: 2, 1: 6, 2: 8}, agreed=6, flagged=True),
            DotRow("Co-creatie", [1, 2, 3, 4, 5], {0: 3, 1: None, 2: 3})]
    svg = dot_chart(rows, ["Anna", "Bram", "Carla"], "Scores", "Consensus", "large spread")
    root = _parse(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Scores"
    dots = root.findall(f".//{SVG}circle[@class]")
    scored = [d for d in dots if d.find(f"{SVG}title") is not None]
    assert sorted(d.find(f"{SVG}title").text for d in scored) == ["Anna: 2", "Anna: 3", "Bram: 6", "Carla: 3", "Carla: 8"]
    assert len(root.findall(f".//{SVG}path[@class='chart-agreed']")) == 2  # one on the chart, one in the legend
    assert "Visie &lt;op&gt; leiderschap" in str(svg) and "large spread" in str(svg)
    # Equal scores sit side by side, not on top of each other.
    same = [d for d in scored if d.find(f"{SVG}title").text.endswith(": 3")]
    assert same[0].get("cx") != same[1].get("cx")
    assert _csp_safe(svg)


def test_bar_chart_marks_ties_and_unranked_rows():
    bars = [Bar("Meervoud", 1, True, Decimal("70.00"), [Segment(Decimal("50"), "chart-seg-vision", "visie"),
                                                       Segment(Decimal("20"), "chart-seg-pitch", "pitch")]),
            Bar("U-Lab", 1, True, Decimal("70.00"), [Segment(Decimal("70"), "chart-seg-vision", "visie")]),
            Bar("Koers", None, False, None)]
    svg = bar_chart(bars, "Ranking", legend=[("visie", "chart-seg-vision"), ("pitch", "chart-seg-pitch")],
                    empty_label="geen totaal")
    root = _parse(svg)
    ranks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-rank"]
    assert ranks == ["=1", "=1", "–"]
    assert len(root.findall(f".//{SVG}g[@class='chart-bar-row chart-tied']")) == 2
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if "chart-seg-" in (r.get("class") or "")
              and r.find(f"{SVG}title") is not None]
    assert abs(widths[0] + widths[1] - widths[2]) < 0.2  # 50 + 20 is as long as 70
    assert "geen totaal" in str(svg) and _csp_safe(svg)
