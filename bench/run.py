"""`make bench`: generate, serve, load, verify, scale, report. See bench/RESULTS.md for a run.

    python -m bench.run                    # the full run (about 15 minutes on 2 quiet cores)
    python -m bench.run --quick            # a small run to try the harness (about 2 minutes)
    python -m bench.run --scales 1000,10000 --seconds 3
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bench import report
from bench.endpoints import CEILING, ENDPOINTS, Endpoint, accounts_needed
from bench.generate import Generated, PostgresTarget, Scale, SqliteTarget, generate
from bench.load import Account, Accounts, Result, measure
from bench.profile import profile_page
from bench.server import OUT, ROOT, Server, Workers

DEFAULT_PG = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432")


@dataclass
class BackendRun:
    backend: str
    tenders: int
    workers: str
    results: dict[str, Result] = field(default_factory=dict)  # endpoint name -> result
    ceiling: Optional[Result] = None  # both ceiling measurements together
    ceilings: list[Result] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)


@dataclass
class Verify:
    backend: str
    events: int
    chains: int
    seconds: float
    rate: float
    ok: bool
    output: str


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def progress(label: str):
    last = [0.0]

    def show(done: int, total: int, events: int) -> None:
        if time.monotonic() - last[0] > 10 or done == total:
            last[0] = time.monotonic()
            log(f"  {label}: {done:,}/{total:,} tenders, {events:,} audit events")
    return show


def merge(results: list[Result]) -> Result:
    return Result(sum(r.requests for r in results), sum(r.seconds for r in results),
                  [x for r in results for x in r.latencies_ms], sum(r.errors for r in results),
                  [s for r in results for s in r.error_samples][:3])


def serve_and_measure(url: str, backend: str, tenders: int, manifest: dict, endpoints: list[Endpoint],
                      workers: Workers, args) -> BackendRun:
    run = BackendRun(backend, tenders, str(workers))
    with Server(url, workers, log_name=f"gunicorn-{backend}-{tenders}") as server:
        accounts = Accounts(server.port, manifest["password"])
        for email in accounts_needed(manifest):
            accounts(email)

        def one(endpoint: Endpoint) -> Result:
            result = measure(server.port, endpoint.requests(manifest, accounts), concurrency=args.concurrency,
                             seconds=args.seconds, warmup=args.warmup)
            log(f"  {backend:10} {tenders:>7,} {endpoint.name:40} {result.rps:8.0f}/s  p50 {result.p50:6.1f} ms  "
                f"p95 {result.p95:6.1f} ms{f'  ERRORS {result.errors}' if result.errors else ''}")
            for sample in result.error_samples[:1]:
                log(f"    e.g. {sample[:200]}")
            return result

        # The ceiling before and after the pages, so a drift in the machine's load shows and evens out.
        run.ceilings.append(one(CEILING))
        for endpoint in endpoints:
            if endpoint.kind != "transition":
                run.results[endpoint.name] = one(endpoint)
        run.ceilings.append(one(CEILING))
        for endpoint in endpoints:  # last: they change the data
            if endpoint.kind == "transition":
                run.results[endpoint.name] = one(endpoint)
        run.ceiling = merge(run.ceilings)
        run.peak_rss_mb = server.peak_rss_mb()
    return run


def audit_verify(url: str, backend: str) -> Verify:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
           "SAMENSPEL_INSTANCE": str(OUT / "instance")}
    flask = Path(sys.executable).parent / "flask"
    done = subprocess.run([str(flask), "--app", "app", "audit", "verify"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    output = (done.stdout + done.stderr).strip()
    match = re.search(r"(\d+) events in (\d+) chains verified \(([\d.]+) s, ([\d,]+) events/s\)", output)
    if not match:
        return Verify(backend, 0, 0, 0, 0, False, output)
    events, chains, seconds, rate = match.groups()
    return Verify(backend, int(events), int(chains), float(seconds), float(rate.replace(",", "")),
                  done.returncode == 0, output)


def build(tenders: int, backends: list[str], pg: str, label: str) -> tuple[Generated, dict[str, str]]:
    targets, urls = [], {}
    if "sqlite" in backends:
        path = OUT / f"bench_{tenders}.sqlite"
        targets.append(SqliteTarget(path))
        urls["sqlite"] = f"sqlite:///{path}"
    if "postgresql" in backends:
        url = f"{pg.rstrip('/')}/bench_t{tenders}"
        targets.append(PostgresTarget(url))
        urls["postgresql"] = url
    log(f"Generating {tenders:,} tenders into {', '.join(backends)} ({label})")
    generated = generate(Scale.at(tenders), targets, progress=progress(label))
    log(f"  {sum(generated.rows.values()):,} rows ({generated.rows['audit_event']:,} audit events) "
        f"in {generated.seconds:.0f} s")
    return generated, urls


def drop_databases(pg: str, tenders: list[int]) -> None:
    import psycopg
    with psycopg.connect(f"{pg.rstrip('/')}/postgres", autocommit=True) as conn:
        for n in tenders:
            conn.execute(f'DROP DATABASE IF EXISTS "bench_t{n}" WITH (FORCE)')


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=10_000, help="size of the main data set")
    parser.add_argument("--scales", default="1000,10000,100000", help="tender counts of the scaling run ('' for none)")
    parser.add_argument("--scaling-backends", default="postgresql")
    # 4 s per endpoint: with ten endpoints, three scales and the panel's rows in the data the run stays
    # within 15 minutes; at 100-400 requests/s that is still 400-1,600 latencies for each p95.
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", default="gthread:2:4", help="kind:processes[:threads], e.g. sync:3")
    # The worker comparison chose gthread 2×4 (bench/analysis.md); it is no longer part of a default run.
    parser.add_argument("--compare-workers", default="",
                        help="set-ups measured on the ceiling and the dashboard first, e.g. "
                             "sync:2,sync:4,gthread:2:2,gthread:2:4,gthread:4:2 ('' for none)")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server (databases bench_t<N> are created)")
    parser.add_argument("--quick", action="store_true", help="1,000 tenders, scales 200/1,000, 2 s per endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.tenders, args.scales, args.seconds, args.warmup = 1000, "200,1000", 2.0, 0.5
        args.compare_workers = "sync:2,gthread:2:4"
        if args.results == ROOT / "bench" / "RESULTS.md":
            args.results = OUT / "RESULTS-quick.md"
    kind, *numbers = args.workers.split(":")
    workers = Workers(kind, *map(int, numbers))
    scales = [int(s) for s in args.scales.split(",") if s]
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    machine = report.describe_machine(args.pg)
    log(f"Machine: {machine['summary']}")
    if machine["postgresql"].startswith("unreachable"):
        log(f"PostgreSQL at {args.pg} is {machine['postgresql']}: start it (or set BENCH_DATABASE_URL / --pg).")
        return 2

    main_data, urls = build(args.tenders, ["sqlite", "postgresql"], args.pg, "main data set")
    comparison: list[tuple[str, dict[str, Result]]] = []
    if args.compare_workers:
        compare_endpoints = [CEILING, next(e for e in ENDPOINTS if e.kind == "page")]
        for option in args.compare_workers.split(","):
            kind_, *numbers_ = option.split(":")
            candidate = Workers(kind_, *map(int, numbers_))
            log(f"Worker set-up {candidate} on postgresql")
            with Server(urls["postgresql"], candidate, log_name="gunicorn-compare") as server:
                accounts = Accounts(server.port, main_data.manifest["password"])
                comparison.append((str(candidate), {e.name: measure(
                    server.port, e.requests(main_data.manifest, accounts), concurrency=args.concurrency,
                    seconds=min(args.seconds, 3.0), warmup=args.warmup) for e in compare_endpoints}))
            log("  " + ", ".join(f"{name}: {r.rps:.0f}/s p95 {r.p95:.1f} ms" for name, r in comparison[-1][1].items()))
    runs: list[BackendRun] = []
    for backend in ("sqlite", "postgresql"):
        log(f"Serving {backend} with gunicorn ({workers}), {args.concurrency} connections")
        runs.append(serve_and_measure(urls[backend], backend, args.tenders, main_data.manifest, ENDPOINTS, workers,
                                      args))
    verifies = []
    for backend in ("sqlite", "postgresql"):
        log(f"flask audit verify on {backend}")
        verifies.append(audit_verify(urls[backend], backend))
        log(f"  {verifies[-1].output.splitlines()[0] if verifies[-1].output else 'no output'}")

    profiles = []
    for backend in ("sqlite", "postgresql"):
        for endpoint in ENDPOINTS:
            if endpoint.kind == "page":
                first = next(iter(endpoint.requests(main_data.manifest, lambda email: Account(email, "", ""))))
                log(f"Profiling {endpoint.name} on {backend} in-process")
                profiles.append((backend, endpoint.name, profile_page(
                    urls[backend], first.email, main_data.manifest["password"], first.path)))
                log(f"  {profiles[-1][2].summary()}")

    scaling: list[BackendRun] = []
    scaling_data: dict[int, Generated] = {}
    page_endpoints = [e for e in ENDPOINTS if e.scaling]
    scaling_backends = [b for b in args.scaling_backends.split(",") if b]
    for n in scales:
        if n == args.tenders:
            data, scale_urls = main_data, urls
            log(f"Scaling at {n:,} tenders: measuring again the main data set")
        else:
            data, scale_urls = build(n, scaling_backends, args.pg, f"scaling {n:,}")
        scaling_data[n] = data
        for backend in scaling_backends:
            log(f"Scaling at {n:,} tenders on {backend}")
            scaling.append(serve_and_measure(scale_urls[backend], backend, n, data.manifest, page_endpoints, workers,
                                             args))
        if n != args.tenders and not args.keep and "postgresql" in scaling_backends:
            drop_databases(args.pg, [n])
        if n != args.tenders and not args.keep:
            (OUT / f"bench_{n}.sqlite").unlink(missing_ok=True)

    machine["load_after"] = os.getloadavg()
    total = time.perf_counter() - started
    text = report.render(machine=machine, args=args, workers=str(workers), main=main_data, runs=runs,
                         verifies=verifies, scaling=scaling, scaling_data=scaling_data, total_seconds=total,
                         profiles=profiles, comparison=comparison)
    print(report.table(runs, verifies, scaling))
    args.results.write_text(text)
    log(f"Done in {total / 60:.1f} min; results in {args.results}")
    if not args.keep:
        drop_databases(args.pg, [args.tenders])
    return 0


if __name__ == "__main__":
    sys.exit(main())
