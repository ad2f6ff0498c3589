"""The benchmark's ceiling: a constant answer through the same app stack, without the database.

`make bench` measures every page as a share of this route's requests per second (issue 9). It is
registered only when the BENCH_CEILING setting is on, which only the benchmark's own server does;
otherwise the path answers 404 like any unknown page.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ceiling", __name__)

CONSTANT = "samenspel"


@bp.route("/_bench/ceiling")
def ceiling():
    return CONSTANT
