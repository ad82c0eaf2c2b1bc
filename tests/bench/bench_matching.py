"""Across schools: candidate matches among six large demo schools.

    uv run python tests/bench/run.py matching
    uv run python tests/bench/bench_matching.py

Six fictional schools (demo seeds 1–6, size "large": 1,000 young people, 200 adults,
150 peer groups and 300 places each, about 1,800 records a school) as a chair would
open them; times ``find_candidates`` from the tables in memory to the sorted list,
with the memoised name comparisons forgotten before each round (a cold run, as the
chair's first look). Target: 2 s.

Also prints what was found, and recall and precision on the demo's answer key
(``DemoSchool.shared_ids``: the town's shared places and adults). Precision on the
large demo is low by construction: the demo draws 200 adults a school from 1,800 name
combinations and places from a few templates, so different schools' random records
often share a full name, or a label and no postcode, which the matcher rightly
proposes and the answer key does not list.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, format_table  # noqa: E402

TARGET_S = 2.0
TODAY = date(2026, 5, 11)
ROUNDS = 3


def run() -> list[Row]:
    from saferyp_desktop.domain.demo import make_demo
    from saferyp_desktop.domain.matching import (
        MATCHED_KINDS,
        SchoolTable,
        clear_caches,
        find_candidates,
    )
    from saferyp_desktop.domain.records import Kind

    demos = [make_demo(seed, "large", TODAY) for seed in range(1, 7)]
    schools = [SchoolTable(d.urn, d.name, d.table) for d in demos]
    records = sum(len(d.table.of_kind(kind)) for d in demos for kind in MATCHED_KINDS)

    walls, cpus = [], []
    candidates = []
    for _ in range(ROUNDS):
        clear_caches()
        wall, cpu = time.perf_counter(), time.process_time()
        candidates = find_candidates(schools)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)

    truth = {(d.urn, rid): key for d in demos for key, rid in d.shared_ids.items()}
    true_pairs = {
        (a, b)
        for a, b in itertools.combinations(sorted(truth), 2)
        if a[0] != b[0] and truth[a] == truth[b]
    }
    found = {
        pair
        for c in candidates
        if c.kind in (Kind.LOCATION, Kind.ADULT)
        for pair in itertools.combinations(sorted(c.members), 2)
    }
    by_kind = {kind: sum(1 for c in candidates if c.kind == kind) for kind in MATCHED_KINDS}
    return [
        Row(f"find candidates, 6 large schools ({records:,} records), wall, median of {ROUNDS}", statistics.median(walls), "s", TARGET_S),
        Row("find candidates, CPU, median", statistics.median(cpus), "s", TARGET_S),
        Row("find candidates, slowest round, wall", max(walls), "s", TARGET_S),
        Row("candidates listed", len(candidates), ""),
        *(Row(f"  of which {kind.value.replace('_', ' ')}", n, "") for kind, n in by_kind.items()),
        Row("answer key recall (shared places and adults, pairwise)", len(found & true_pairs) / len(true_pairs), ""),
        Row("answer key precision (places and adults, pairwise)", len(found & true_pairs) / max(1, len(found)), ""),
    ]  # fmt: skip


if __name__ == "__main__":
    print(format_table(run()))
