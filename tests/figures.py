"""Figures the proof tests report (cells checked, inputs fuzzed, races run, messages delivered),
summed over xdist workers and printed at the end of the run:

    authz: 2,340 cells, 0 violations · fuzz: 1,200 inputs, 0 server errors · …

Each worker appends JSON lines to a shared directory; the controlling process sums them.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

DIR_ENV = "SAMENSPEL_FIGURES_DIR"

# (category, [(counter, label), …]) in the order they are printed.
LAYOUT = [
    ("authz", [("cells", "cells"), ("violations", "violations")]),
    ("fuzz", [("inputs", "inputs"), ("server_errors", "server errors"), ("unescaped", "unescaped scripts")]),
    ("races", [("attempts", "attempts"), ("double_transitions", "double transitions"),
               ("lost", "lost or half-stored submissions"), ("late", "accepted after the deadline")]),
    # "resent after a lost reply": the server took the message but the connection broke before its
    # "250" arrived; SMTP cannot tell the sender, so it is sent again with the same Message-ID.
    ("faults", [("messages", "messages"), ("lost", "lost"), ("duplicated", "duplicated"),
                ("resent", "resent after a lost reply"), ("partial_transitions", "partial transitions"),
                ("uploads", "failed uploads"), ("half_stored", "half-stored")]),
]


def record(category: str, **counts: int) -> None:
    directory = os.environ.get(DIR_ENV)
    if not directory:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(Path(directory) / f"{worker}.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"category": category, **counts}) + "\n")


def totals(directory: str) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in Path(directory).glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            category = row.pop("category")
            for key, value in row.items():
                sums[category][key] += value
    return sums


def summary_line(sums) -> str:
    parts = []
    for category, counters in LAYOUT:
        if category not in sums:
            continue
        values = sums[category]
        parts.append(f"{category}: " + ", ".join(f"{values.get(key, 0):,} {label}" for key, label in counters))
    return " · ".join(parts)
