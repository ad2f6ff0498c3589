"""The table on the terminal and bench/RESULTS.md."""
from __future__ import annotations

import os
import platform
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"

# Issue 9, section 3.
PAGE_SHARE = 0.15  # every GET page at >= 15 % of the ceiling's requests/s
P95_MS = 50.0  # at 16 concurrent connections
SCALE_P50 = 1.3  # p50 at the largest scale <= 1.3 x p50 at the smallest
TRANSITIONS_PER_S = 300.0  # on PostgreSQL
VERIFY_PER_S = 100_000.0
RSS_MB = 200.0  # per worker, at the largest scale


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def describe_machine(pg: str) -> dict:
    import gunicorn
    import psycopg
    import sqlalchemy

    try:
        with psycopg.connect(f"{pg.rstrip('/')}/postgres") as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        pg_version = f"unreachable ({exc.__class__.__name__})"
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    info = {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gb": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else "?",
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "gunicorn": gunicorn.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "load_before": os.getloadavg(),
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    info["summary"] = (f"{info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB, Python {info['python']}, "
                       f"SQLite {info['sqlite']}, PostgreSQL {info['postgresql']}")
    return info


def _share(result, ceiling) -> float:
    return result.rps / ceiling.rps if ceiling and ceiling.rps else 0.0


def table(runs, verifies, scaling) -> str:
    lines = [f"{'backend':11}{'endpoint':42}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'of ceiling':>12}{'errors':>8}"]
    for run in runs:
        lines.append(f"{run.backend:11}{'ceiling (constant, no database)':42}{run.ceiling.rps:9.0f}"
                     f"{run.ceiling.p50:9.1f}{run.ceiling.p95:9.1f}{'100 %':>12}{run.ceiling.errors:8}")
        for name, r in run.results.items():
            lines.append(f"{'':11}{name:42}{r.rps:9.0f}{r.p50:9.1f}{r.p95:9.1f}"
                         f"{_share(r, run.ceiling) * 100:10.1f} %{r.errors:8}")
        lines.append(f"{'':11}peak RSS per worker: {', '.join(f'{m:.0f} MB' for m in run.peak_rss_mb)}")
    for v in verifies:
        lines.append(f"audit verify on {v.backend}: {v.events:,} events, {v.rate:,.0f} events/s, "
                     f"{'OK' if v.ok else 'FAILED'}")
    if scaling:
        lines.append("")
        lines.append(f"{'scaling':11}{'endpoint':42}" + "".join(f"{s.tenders:>12,}" for s in scaling))
        for name in scaling[0].results:
            lines.append(f"{s_backend(scaling):11}{name + ' (p50 ms)':42}"
                         + "".join(f"{s.results[name].p50:12.1f}" for s in scaling))
    return "\n".join(lines)


def s_backend(scaling) -> str:
    return ",".join(sorted({s.backend for s in scaling}))


def targets(runs, verifies, scaling) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for every target of issue 9 section 3."""
    rows = []
    for run in runs:
        for name, r in run.results.items():
            if "POST" not in name:
                share = _share(r, run.ceiling)
                rows.append((f"{run.backend}: {name} ≥ {PAGE_SHARE:.0%} of ceiling", f"{share:.1%}",
                             share >= PAGE_SHARE))
        for name, r in run.results.items():
            rows.append((f"{run.backend}: {name} p95 ≤ {P95_MS:.0f} ms", f"{r.p95:.1f} ms", r.p95 <= P95_MS))
        for name, r in run.results.items():
            if "POST" in name and run.backend == "postgresql":
                rows.append((f"postgresql: transitions ≥ {TRANSITIONS_PER_S:.0f}/s", f"{r.rps:.0f}/s",
                             r.rps >= TRANSITIONS_PER_S))
    for v in verifies:
        rows.append((f"{v.backend}: audit verify ≥ {VERIFY_PER_S:,.0f} events/s", f"{v.rate:,.0f}/s",
                     v.ok and v.rate >= VERIFY_PER_S))
    by_backend: dict[str, list] = {}
    for s in scaling:
        by_backend.setdefault(s.backend, []).append(s)
    for backend, runs_ in by_backend.items():
        runs_.sort(key=lambda s: s.tenders)
        small, large = runs_[0], runs_[-1]
        if small is large:
            continue
        for name in large.results:
            ratio = large.results[name].p50 / small.results[name].p50 if small.results[name].p50 else 0
            rows.append((f"{backend}: {name} p50 at {large.tenders:,} ≤ {SCALE_P50}× p50 at {small.tenders:,}",
                         f"{ratio:.2f}×", ratio <= SCALE_P50))
        peak = max(large.peak_rss_mb or [0])
        rows.append((f"{backend}: peak RSS per worker at {large.tenders:,} tenders ≤ {RSS_MB:.0f} MB",
                     f"{peak:.0f} MB", peak <= RSS_MB))
    return rows


def _ms(value: float) -> str:
    return f"{value:.1f}"


def render(*, machine, args, workers, main, runs, verifies, scaling, scaling_data, total_seconds,
           profiles=(), comparison=()) -> str:
    m = machine
    out = [
        "# Benchmark results (issue 9)",
        "",
        f"Run of `make bench` ({' '.join(sys.argv[1:]) or 'defaults'}) started {m['started']}, "
        f"took {total_seconds / 60:.1f} minutes. Generated by bench/run.py; the analysis at the end is "
        "bench/analysis.md.",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cores: {m['cpu']}; {m['memory_gb']} GB memory; {m['os']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']} (local, 127.0.0.1:5432, "
        f"default settings), gunicorn {m['gunicorn']}, SQLAlchemy {m['sqlalchemy']}, psycopg {m['psycopg']}",
        f"- Load average before the run {', '.join(f'{x:.1f}' for x in m['load_before'])}; after "
        f"{', '.join(f'{x:.1f}' for x in m.get('load_after', (0, 0, 0)))}. The machine is shared: other "
        "processes' load lowers every number alike, which is why each page is also given as a share of the "
        "ceiling measured in the same run.",
        "",
        "## Set-up",
        "",
        f"- Data: {main.scale.tenders:,} tenders across {main.scale.organisations} organisations, "
        f"{main.scale.bureaus} bureaus, {main.scale.invitations} invitations per tender, a panel of "
        f"{main.scale.evaluators} evaluators, {main.scale.criteria} criteria per stage (with 6 scale anchors each); "
        f"{main.rows['audit_event']:,} audit events in {main.rows['audit_chain_head']:,} chains, tender 1 with a "
        f"{main.manifest['long_trail']['events']:,}-event trail; the panel's "
        f"{main.rows.get('conflict_declaration', 0):,} conflict declarations, {main.rows.get('score_sheet', 0):,} "
        f"score sheets with {main.rows.get('score', 0):,} scores (and as many revisions) and "
        f"{main.rows.get('shortlist_entry', 0):,} shortlist entries; {sum(main.rows.values()):,} rows in all, "
        f"written into both databases in {main.seconds:.0f} s.",
        f"- Tenders per state: {', '.join(f'{k} {v:,}' for k, v in main.manifest['states'].items())}.",
        f"- Server: gunicorn `app:create_app()` on 127.0.0.1, {workers} workers, no access log; "
        f"SECRET_KEY set; BENCH_CEILING=1 adds the ceiling route.",
        f"- Load: {args.concurrency} keep-alive connections in a closed loop (bench/load.py), "
        f"{args.warmup:g} s warm-up then {args.seconds:g} s measured per endpoint; logged-in sessions (officers; "
        "evaluators and bureaus for their own pages; none for the public OCDS package), CSRF token from the page. "
        "The ceiling is measured before and after the pages; both count.",
        "",
        "## Results",
        "",
    ]
    for run in runs:
        out += [f"### {run.backend} ({run.tenders:,} tenders)", "",
                "| endpoint | requests/s | p50 ms | p95 ms | share of ceiling | errors |",
                "|---|---:|---:|---:|---:|---:|"]
        c = run.ceiling
        out.append(f"| ceiling: constant, no database (runs: "
                   f"{' / '.join(f'{r.rps:.0f}' for r in run.ceilings)}/s) | {c.rps:.0f} | {_ms(c.p50)} | "
                   f"{_ms(c.p95)} | 100 % | {c.errors} |")
        for name, r in run.results.items():
            out.append(f"| {name} | {r.rps:.0f} | {_ms(r.p50)} | {_ms(r.p95)} | {_share(r, c):.1%} | {r.errors} |")
        out += ["", f"Peak RSS per worker: {', '.join(f'{x:.0f} MB' for x in run.peak_rss_mb)}.", ""]
    if comparison:
        names = list(comparison[0][1])
        out += ["### gunicorn worker set-ups (PostgreSQL, measured first, 3 s each)", "",
                "| workers | " + " | ".join(f"{n} req/s | p95 ms" for n in names) + " |",
                "|---|" + "---:|---:|" * len(names)]
        for label, results in comparison:
            out.append(f"| {label} | " + " | ".join(f"{results[n].rps:.0f} | {_ms(results[n].p95)}" for n in names)
                       + " |")
        out += ["", f"The rest of the run uses {workers}.", ""]
    out += ["### audit verify (`flask --app app audit verify`, after the POSTs above appended their events)", "",
            "| database | events | chains | seconds | events/s | result |", "|---|---:|---:|---:|---:|---|"]
    for v in verifies:
        out.append(f"| {v.backend} | {v.events:,} | {v.chains:,} | {v.seconds:.1f} | {v.rate:,.0f} | "
                   f"{'OK' if v.ok else 'FAILED: ' + v.output[:200]} |")
    out.append("")
    if scaling:
        scales = sorted({s.tenders for s in scaling})
        out += [f"### Scaling ({s_backend(scaling)}; 50 organisations throughout, so organisation 1's own "
                f"tenders grow with the data too)", "",
                "| endpoint | " + " | ".join(f"p50 ms at {n:,}" for n in scales) + " | "
                + " | ".join(f"req/s at {n:,}" for n in scales) + " |",
                "|---|" + "---:|" * (2 * len(scales))]
        for name in scaling[0].results:
            runs_ = {s.tenders: s for s in scaling}
            out.append(f"| {name} | " + " | ".join(_ms(runs_[n].results[name].p50) for n in scales) + " | "
                       + " | ".join(f"{runs_[n].results[name].rps:.0f}" for n in scales) + " |")
        out.append("| ceiling | " + " | ".join(_ms({s.tenders: s for s in scaling}[n].ceiling.p50) for n in scales)
                   + " | " + " | ".join(f"{ {s.tenders: s for s in scaling}[n].ceiling.rps:.0f}" for n in scales)
                   + " |")
        out.append("")
        for n in scales:
            data = scaling_data[n]
            s = {x.tenders: x for x in scaling}[n]
            out.append(f"- {n:,} tenders: {data.rows['audit_event']:,} audit events, {sum(data.rows.values()):,} rows "
                       f"(generated in {data.seconds:.0f} s); peak RSS per worker "
                       f"{', '.join(f'{x:.0f} MB' for x in s.peak_rss_mb)}.")
        out.append("")
    rows = targets(runs, verifies, scaling)
    out += ["## Targets (issue 9, section 3)", "", "| target | measured | met |", "|---|---:|:---:|"]
    out += [f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in rows]
    out += ["", f"{sum(ok for *_x, ok in rows)} of {len(rows)} met.", ""]
    if profiles:
        out += ["## Profiles (in-process, same app and database)", ""]
        for backend, endpoint, p in profiles:
            out += [f"### {backend}: {endpoint}", "", p.summary(), "", "```", p.top, "```", ""]
    if ANALYSIS.exists():
        out += [ANALYSIS.read_text().strip(), ""]
    return "\n".join(out)
