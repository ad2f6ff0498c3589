"""Where a page spends its time: the page run in-process (Flask test client, same app and database)
under cProfile, with the time in SQL and in template rendering counted apart."""
from __future__ import annotations

import cProfile
import io
import pstats
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import event

from bench.load import CSRF


@dataclass
class Profile:
    path: str
    requests: int
    cpu_ms: float  # this process's CPU per request (the database server's is not in it)
    wall_ms: float
    sql_ms: float  # waiting for and reading query results, per request
    queries: float
    render_ms: float  # inside render_template
    top: str  # the functions with the most own time

    def summary(self) -> str:
        return (f"{self.path}: {self.wall_ms:.2f} ms per request in-process ({self.cpu_ms:.2f} ms CPU), of which "
                f"SQL {self.sql_ms:.2f} ms in {self.queries:.0f} queries and templates {self.render_ms:.2f} ms")


def profile_page(database_url: str, email: str, password: str, path: str, n: int = 100) -> Profile:
    from flask import templating

    from app import create_app

    app = create_app({"SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
                      "SESSION_COOKIE_SECURE": False, "BENCH_CEILING": True})
    client = app.test_client()
    if email:  # public pages are profiled without a session
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token}).status_code == 303
    for _ in range(5):
        client.get(path)

    engine = app.extensions["samenspel.engine"]
    sql = {"n": 0, "t": 0.0}

    def before(_conn, _cursor, _statement, _params, context, _many):
        context._bench_t0 = time.perf_counter()

    def after(_conn, _cursor, _statement, _params, context, _many):
        sql["n"] += 1
        sql["t"] += time.perf_counter() - context._bench_t0

    render = {"t": 0.0}
    original = templating._render

    def timed_render(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            render["t"] += time.perf_counter() - t0

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    templating._render = timed_render
    try:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            client.get(path)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        sql_t, sql_n, render_t = sql["t"], sql["n"], render["t"]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            client.get(path)
        profiler.disable()
    finally:
        templating._render = original
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        engine.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    top = _tidy(out.getvalue())
    return Profile(path, n, cpu / n * 1000, wall / n * 1000, sql_t / n * 1000, sql_n / n, render_t / n * 1000, top)


def _tidy(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    keep = [re.sub(r"/\S*/site-packages/", "", re.sub(r"/\S*/(app|templates|workflows)/", r"\1/", line))
            for line in lines[start:] if line.strip()]
    return "\n".join(keep)
