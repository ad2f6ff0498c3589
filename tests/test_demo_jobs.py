"""`make run` keeps the time-driven jobs running: gunicorn.run.py starts a helper process in the gunicorn
master that runs `tenders tick` and `outbox send` periodically, and stops it with the server."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from app import clock
from app.models import OutboxMessage, Tender
from tests.mail_server import free_port
from tests.portal_factories import contacts, invited, open_submission, submit

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.run.py"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return predicate()


def _env(database_url: str, tmp_path: Path, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "k" * 40, "FLASK_DEBUG": "0",
            "SAMENSPEL_INSTANCE": str(tmp_path / "instance"), "SESSION_COOKIE_SECURE": "0",
            "RATELIMIT_ENABLED": "0", "JOBS_INTERVAL": "1", **extra}


def test_the_server_runs_the_tick_and_the_outbox_and_stops_them(make, session, database_url, tmp_path, mail_server):
    # A tender whose vision deadline passed a week ago (built in the past), and its invitation e-mails queued.
    clock.freeze(clock.now() - timedelta(days=27))
    tender, officer = invited(make, session)
    open_submission(session, officer, tender)
    submit(session, contacts(session, tender)[0], tender)
    clock.freeze(None)
    queued = session.exec(select(OutboxMessage).where(OutboxMessage.status == "queued")).all()
    assert tender.vision_deadline < clock.now() and queued

    log = tmp_path / "gunicorn.log"
    env = _env(database_url, tmp_path, MAIL_SERVER=mail_server.host, MAIL_PORT=str(mail_server.port),
               MAIL_USE_TLS="0")
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--workers", "1",
                                   "--bind", f"127.0.0.1:{free_port()}", "app:create_app()"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        assert _wait(lambda: "Time-driven jobs" in log.read_text(), 30), log.read_text()
        helper = int(re.search(r"every [\d.]+s in process (\d+)", log.read_text()).group(1))

        def done() -> bool:
            session.commit()  # a fresh snapshot
            state = session.exec(select(Tender.state).where(Tender.id == tender.id)).one()
            waiting = session.exec(select(OutboxMessage.id).where(OutboxMessage.status != "sent")).all()
            return state == "vision_review" and not waiting
        assert _wait(done, 60), log.read_text()
        assert len(mail_server.messages) >= len(queued)
        assert "tenders tick" in log.read_text()  # the tick's report reached the server's log
        assert _alive(helper)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(40)
    assert _wait(lambda: not _alive(helper), 10)
    assert "Time-driven jobs stopped." in log.read_text()


def test_the_helper_stops_when_the_server_is_gone(database_url, tmp_path):
    """Killed without its hooks (SIGKILL), the master leaves the helper an orphan: it stops by itself."""
    env = _env(database_url, tmp_path)
    parent = subprocess.Popen(["sh", "-c", f'"{sys.executable}" "{CONFIG}" $$ 1 & echo $!; sleep 30'],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    helper = int(parent.stdout.readline())
    assert _wait(lambda: _alive(helper), 5)
    time.sleep(1.5)
    assert _alive(helper)  # it keeps running while its parent lives
    parent.kill()
    parent.wait()
    assert _wait(lambda: not _alive(helper), 45)  # after the command under way (slow on a busy machine)


def test_jobs_can_be_turned_off(database_url, tmp_path):
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--workers", "1",
                                   "--bind", f"127.0.0.1:{free_port()}", "app:create_app()"],
                                  cwd=ROOT, env=_env(database_url, tmp_path, JOBS_INTERVAL="0"), stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        assert _wait(lambda: "Time-driven jobs are off" in log.read_text(), 30), log.read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(40)
    assert "in process" not in log.read_text()
