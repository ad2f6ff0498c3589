"""The programme pages: a fixed number of queries whatever the history's length, the history side by
side, and the indicator chart (server-side SVG, no styles, exact values in titles)."""
from __future__ import annotations

import re

import pytest

from app import clock
from app.charts.indicators import Series, indicator_chart
from app.clock import amsterdam
from tests.programme_factories import ProgrammeFactory


@pytest.fixture
def pf(make):
    clock.freeze(amsterdam(2027, 6, 1, 10))
    return ProgrammeFactory(make)


def _urls(pid: int) -> list[str]:
    return ["/programmes/", f"/programmes/{pid}", f"/programmes/{pid}/plan/1", f"/programmes/{pid}/participants",
            f"/programmes/{pid}/evaluations/1", f"/programmes/{pid}/plan/compare?a=1&b=1"]


def _counts(client, count_queries, pid) -> list[int]:
    counts = []
    for url in _urls(pid):
        with count_queries() as q:
            assert client.get(url).status_code == 200, url
        counts.append(q.count)
    return counts


def test_pages_run_a_fixed_number_of_queries(pf, login_as, count_queries):
    st = pf.programme()
    pf.agreed_plan(st, max_participants=2)
    pf.year(st)
    client = login_as(st.officer)
    small = _counts(client, count_queries, st.programme.id)
    for name in ("Anna", "Bram", "Carla"):
        client.post(f"/programmes/{st.programme.id}/participants", data={"name": name, "organisation": "Gemeente"})
    pf.year(st, {"municipality": {"Betrokkenheid": 6, "Reflectief vermogen": 7},
                 "bureau": {"Betrokkenheid": 8, "Reflectief vermogen": 9}})
    pf.year(st)
    assert _counts(client, count_queries, st.programme.id) == small
    assert max(small) <= 25, small


def test_the_history_shows_every_year_and_the_chart(pf, login_as):
    st = pf.programme()
    pf.agreed_plan(st)
    pf.year(st, {"municipality": {"Betrokkenheid": 6, "Reflectief vermogen": 5},
                 "bureau": {"Betrokkenheid": 7, "Reflectief vermogen": 5}})
    pf.year(st, {"municipality": {"Betrokkenheid": 8, "Reflectief vermogen": 7},
                 "bureau": {"Betrokkenheid": 9, "Reflectief vermogen": 8}}, decision="adjust")
    html = login_as(st.bureau_user).get(f"/programmes/{st.programme.id}").get_data(as_text=True)
    assert html.count("data-period=") == 3  # two evaluated years and the running third
    assert "6.5" in html and "8.5" in html and "Continue with adjustments" in html
    chart = re.search(r'<svg[^>]*class="ic-chart".*?</svg>', html, re.S).group(0)
    assert chart.count('class="ic-line"') == 2 and chart.count("<circle") == 4
    assert "Betrokkenheid, Year 2: 8.5" in chart
    assert "style=" not in html and "<script" not in html


def test_the_chart_breaks_lines_at_gaps_and_escapes_names():
    svg = indicator_chart(["Jaar 1", "Jaar 2", "Jaar 3"],
                          [Series("<Verbinding>", [6.0, None, 8.0]), Series("Leren", [None, None, None])],
                          title="Cijfers", empty_text="Nog niets")
    assert "&lt;Verbinding&gt;" in svg and "<Verbinding>" not in svg
    assert svg.count("<polyline") == 0 and svg.count("<circle") == 2  # no line across the unscored year
    assert 'data-indicator="Leren"' not in svg  # a series without scores is not drawn
    empty = indicator_chart([], [], title="Cijfers", empty_text="Nog niets")
    assert "Nog niets" in empty and "style" not in empty
