"""`flask tenders tick` runs every job in its own transaction and reports failures."""
from __future__ import annotations

from app import scheduler


def test_tick_runs_jobs_and_isolates_failures(runner, monkeypatch):
    ran = []

    def good(session):
        ran.append("good")
        return ["did something"]

    def bad(session):
        raise RuntimeError("boom")

    monkeypatch.setattr(scheduler, "_JOBS", [])
    scheduler.job("bad", order=1)(bad)
    scheduler.job("good", order=2)(good)
    result = runner.invoke(args=["tenders", "tick"])
    assert ran == ["good"]
    assert "[good] did something" in result.output
    assert "[bad] FAILED: RuntimeError: boom" in result.output
    assert result.exit_code == 1
