"""gunicorn settings for `make run`: serve the app and keep its time-driven jobs running.

`make run` has no cron, so once the server is ready the gunicorn master starts one helper process that
runs, every JOBS_INTERVAL seconds (default 60; 0 turns it off), the two commands cron runs in
production: `flask --app app tenders tick` (deadlines, reminders, the end of a standstill, programme
periods) and `flask --app app outbox send` (e-mail). Each run is a fresh process, so a failing job or a
leak never builds up, and the output is exactly what cron would log.

Why a process and not a thread in the master: the master forks the workers (at start and whenever a
worker is replaced); a fork while a job thread holds a lock (logging, stdout, the import lock) leaves
that lock held forever in the new worker. The helper has its own session (Ctrl-C in the terminal goes to
gunicorn, which then stops it in `on_exit`), and it also stops by itself when its parent, the master,
is gone, so a killed server never leaves it behind. The file is not called `gunicorn.conf.py` on
purpose: gunicorn would load that name by itself for every server started in this directory (the
benchmark's and the race tests' too).

Run as a script (`python gunicorn.run.py <parent pid> <interval>`), it is that helper.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

JOBS = (("tenders", "tick"), ("outbox", "send"))

_helper: subprocess.Popen | None = None


def _interval() -> float:
    return float(os.environ.get("JOBS_INTERVAL", "60"))


def when_ready(server) -> None:
    global _helper
    if _interval() <= 0:
        server.log.info("Time-driven jobs are off (JOBS_INTERVAL=0).")
        return
    _helper = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(os.getpid()), str(_interval())],
                               start_new_session=True)
    server.log.info("Time-driven jobs (tenders tick, outbox send) every %ss in process %s", _interval(), _helper.pid)


def on_exit(server) -> None:
    if _helper is None or _helper.poll() is not None:
        return
    _helper.terminate()  # it finishes the command under way, then stops
    try:
        _helper.wait(30)
    except subprocess.TimeoutExpired:
        _helper.kill()
    server.log.info("Time-driven jobs stopped.")


# --- the helper process --------------------------------------------------------------------------------

def _run(command: tuple[str, str], last: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *command], capture_output=True, text=True)
    output = (done.stdout + done.stderr).strip()
    # Print what a run did; the same note every minute ("no MAIL_SERVER: n waiting") only once.
    if output and (output != last.get(command) or done.returncode):
        stamp = time.strftime("%H:%M:%S")
        for line in output.splitlines():
            print(f"[jobs {stamp}] {' '.join(command)}: {line}", flush=True)
    last[command] = output


def run_jobs(parent: int, interval: float) -> None:
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    def going() -> bool:  # asked before every command and every second: stop soon after the server
        return not stopping and os.getppid() == parent

    last: dict = {}
    while going():
        for command in JOBS:
            if going():
                _run(command, last)
        wake = time.monotonic() + interval
        while going() and time.monotonic() < wake:
            time.sleep(min(1.0, interval))


if __name__ == "__main__":
    run_jobs(int(sys.argv[1]), float(sys.argv[2]))
