"""Charts drawn on the server as inline SVG: readable without JavaScript and allowed by the strict CSP
(no inline styles: colours come from classes in samenspel.css, positions from SVG attributes).

Each chart is an accessible image (`role="img"` with a title and a description); the page shows the
same numbers in a table next to it.
"""
from app.charts.bars import Bar, Segment, bar_chart  # noqa: F401
from app.charts.dots import DotRow, dot_chart  # noqa: F401
