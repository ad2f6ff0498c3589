"""A small HTTP/1.1 load generator: one thread, non-blocking sockets, keep-alive connections.

Each of the `concurrency` connections sends a request, waits for the whole response, records the
latency and sends the next one (a closed loop, like 16 users who never pause). Requests are
prepared bytes, so the client spends a few microseconds per request and leaves the CPU to the
server. A server that closes the connection (gunicorn's sync worker does after every response) is
reconnected, and the reconnect is part of the measured latency, as it is for a browser.

Logged-in sessions come from `login()`: it fetches the login form, posts the account's e-mail and
password with the form's CSRF token, and reads the CSRF token of the first page for later POSTs.
"""
from __future__ import annotations

import http.client
import re
import selectors
import socket
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional
from urllib.parse import urlencode, urlsplit

USER_AGENT = "samenspel-bench/1"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass(frozen=True)
class Request:
    raw: bytes
    expect: tuple[int, ...] = (200,)
    path: str = ""  # for the in-process profile (bench/profile.py)
    email: str = ""


@dataclass
class Account:
    email: str
    cookie: str  # "session=…"
    csrf: str


def request(method: str, path: str, account: Optional[Account] = None, form: Optional[dict] = None,
            expect: tuple[int, ...] = (200,)) -> Request:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"User-Agent: {USER_AGENT}", "Accept-Language: nl"]
    if account is not None:
        lines.append(f"Cookie: {account.cookie}")
    body = b""
    if form is not None:
        body = urlencode(form).encode()
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return Request(("\r\n".join(lines) + "\r\n\r\n").encode() + body, expect, path,
                   account.email if account else "")


# --- logging in -------------------------------------------------------------------------------------

def _session_cookie(response: http.client.HTTPResponse, current: str) -> str:
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return current


def login(port: int, email: str, password: str) -> Account:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "nl"}
    try:
        conn.request("GET", "/login", headers=headers)
        r = conn.getresponse()
        page = r.read().decode()
        cookie = _session_cookie(r, "")
        token = CSRF.search(page).group(1)
        body = urlencode({"email": email, "password": password, "csrf_token": token})
        conn.request("POST", "/login", body=body, headers={
            **headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        if r.status != 303:
            raise RuntimeError(f"login of {email} failed: HTTP {r.status}")
        cookie = _session_cookie(r, cookie)
        path, page = "/", ""
        for _hop in range(3):  # evaluators land on /evaluation/, bureaus on /portal: follow the redirect
            conn.request("GET", path, headers={**headers, "Cookie": cookie})
            r = conn.getresponse()
            page = r.read().decode()
            cookie = _session_cookie(r, cookie)  # the CSRF secret is stored in the session on first use
            if r.status not in (301, 302, 303):
                break
            path = urlsplit(r.getheader("Location")).path
        return Account(email, cookie, CSRF.search(page).group(1))
    finally:
        conn.close()


class Accounts:
    """Logged-in sessions, one per account, made on first use."""

    def __init__(self, port: int, password: str):
        self.port, self.password, self._cache = port, password, {}

    def __call__(self, email: str) -> Account:
        if email not in self._cache:
            self._cache[email] = login(self.port, email, self.password)
        return self._cache[email]


# --- measuring --------------------------------------------------------------------------------------

@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    error_samples: list[str] = field(default_factory=list)
    exhausted: bool = False  # a finite list of requests ran out before the time was up

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        return self.pct(50)

    @property
    def p95(self) -> float:
        return self.pct(95)


class _Conn:
    __slots__ = ("sock", "buf", "started", "req", "port")

    def __init__(self, port: int):
        self.port, self.buf, self.started, self.req = port, bytearray(), 0.0, None
        self.sock = self._connect()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        return sock


def _complete(buf: bytearray) -> Optional[tuple[int, int, bool]]:
    """(status, length of the whole response, server closes) once `buf` holds a whole response."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    closes = headers.get("connection", "").lower() == "close"
    body = end + 4
    if "content-length" in headers:
        total = body + int(headers["content-length"])
        return (status, total, closes) if len(buf) >= total else None
    if headers.get("transfer-encoding", "").lower() == "chunked":
        pos = body
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None
            size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
            pos = line_end + 2 + size + 2
            if len(buf) < pos:
                return None
            if size == 0:
                return status, pos, closes
    return (status, len(buf), True) if closes else (status, body, closes)


def measure(port: int, requests: Iterable[Request], *, concurrency: int = 16, seconds: float = 5.0,
            warmup: float = 1.0) -> Result:
    """Run for `warmup` + `seconds` (or until a finite `requests` runs out); count what completes
    after the warm-up."""
    source: Iterator[Request] = iter(requests)
    selector = selectors.DefaultSelector()
    conns = [_Conn(port) for _ in range(concurrency)]
    begin = time.perf_counter()
    measure_from, stop_at = begin + warmup, begin + warmup + seconds
    latencies: list[float] = []
    errors, samples, exhausted, active = 0, [], False, 0
    last_done = begin

    def send(conn: _Conn) -> bool:
        nonlocal exhausted
        req = next(source, None)
        if req is None:
            exhausted = True
            return False
        conn.req, conn.started = req, time.perf_counter()
        _send_all(conn.sock, req.raw)
        return True

    for conn in conns:
        if send(conn):
            selector.register(conn.sock, selectors.EVENT_READ, conn)
            active += 1
    while active:
        for key, _mask in selector.select(timeout=1.0):
            conn: _Conn = key.data
            try:
                chunk = conn.sock.recv(262144)
            except BlockingIOError:
                continue
            if chunk:
                conn.buf += chunk
            done = _complete(conn.buf) if chunk else (0, len(conn.buf), True)
            if done is None:
                continue
            status, length, closes = done
            finished = time.perf_counter()
            if finished >= measure_from:
                last_done = finished
                latencies.append((finished - conn.started) * 1000)
                if status not in conn.req.expect:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(f"HTTP {status}: {bytes(conn.buf[:300])!r}")
            del conn.buf[:length]
            if closes or not chunk:
                selector.unregister(conn.sock)
                conn.sock.close()
                conn.sock = conn._connect()
                conn.buf.clear()
                selector.register(conn.sock, selectors.EVENT_READ, conn)
            if finished >= stop_at or not send(conn):
                selector.unregister(conn.sock)
                active -= 1
    for conn in conns:
        conn.sock.close()
    selector.close()
    window = (last_done if exhausted else time.perf_counter()) - measure_from
    return Result(len(latencies), max(window, 1e-9), latencies, errors, samples, exhausted)


def _send_all(sock: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            sent = sock.send(view)
        except BlockingIOError:
            time.sleep(0.0005)
            continue
        view = view[sent:]
