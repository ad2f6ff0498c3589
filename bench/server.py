"""The app served by gunicorn on loopback, as in production (`app:create_app()`), for one run."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class Workers:
    """A gunicorn worker set-up: `sync` workers serve one request at a time and close the connection
    after it; `gthread` workers keep connections alive and run `threads` requests at once."""

    kind: str = "gthread"
    processes: int = 2
    threads: int = 4

    def args(self) -> list[str]:
        args = ["--workers", str(self.processes), "--worker-class", self.kind]
        if self.kind == "gthread":
            args += ["--threads", str(self.threads)]
        return args

    def __str__(self) -> str:
        return f"{self.kind} {self.processes}×{self.threads}" if self.kind == "gthread" else f"sync ×{self.processes}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, workers: Workers, *, ceiling: bool = True, log_name: str = "gunicorn"):
        self.database_url, self.workers, self.ceiling = database_url, workers, ceiling
        self.port = free_port()
        self.log = OUT / f"{log_name}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            "BENCH_CEILING": "1" if self.ceiling else "0",
            "SAMENSPEL_INSTANCE": str(OUT / "instance"),
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [str(gunicorn), *self.workers.args(), "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048",
               "--keep-alive", "30", "--graceful-timeout", "5", "app:create_app()"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=5) as r:
                    if r.status == 200 and len(self.worker_pids()) == self.workers.processes:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory (VmHWM), in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return peaks

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
