"""Real servers for the race and fault tests: gunicorn processes on loopback and HTTP clients with
their own cookies, speaking to them the way a browser does (CSRF tokens scraped from forms)."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_gunicorn(database_url: str, secret: str, instance: Path, workers: int = 2, env: dict | None = None) -> Server:
    port = free_port()
    instance.mkdir(parents=True, exist_ok=True)
    log = instance / "gunicorn.log"  # a file, not a pipe: a pipe nobody reads fills up and blocks the server
    environment = {
        **os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret, "SAMENSPEL_INSTANCE": str(instance),
        "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ENABLED": "0", "FLASK_DEBUG": "0", **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "2", "--log-level", "warning", "app:create_app()"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=open(log, "ab"),
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 120  # a busy CI machine takes a while to import the app twice
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(server.url + "/login", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not start in time")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HttpClient:
    """One browser-like session against one server."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, data: dict | None = None, timeout: float = 30,
                files: dict[str, tuple[str, bytes]] | None = None) -> tuple[int, str]:
        headers = {}
        if files:
            body, headers["Content-Type"] = _multipart(data or {}, files)
        else:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def csrf(self, path: str) -> str:
        status, html = self.get(path)
        match = CSRF.search(html)
        if not match:
            raise AssertionError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def post(self, path: str, data: dict, token: str, files: dict[str, tuple[str, bytes]] | None = None,
             timeout: float = 30) -> tuple[int, str]:
        return self.request("POST", path, {**data, "csrf_token": token}, timeout=timeout, files=files)

    def login(self, email: str, password: str) -> None:
        status, _ = self.post("/login", {"email": email, "password": password}, self.csrf("/login"))
        if status != 303:
            raise AssertionError(f"login of {email} failed: {status}")


def _multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it: fields, then files as (filename, bytes)."""
    boundary = "----samenspel" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f'Content-Type: application/octet-stream\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
