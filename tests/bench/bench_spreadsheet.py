"""Time the spreadsheet export and import on a large, fictional mapping table.

    uv run python tests/bench/run.py spreadsheet          # with the other benchmarks' table
    uv run python tests/bench/bench_spreadsheet.py [--rounds 3]   # round by round

Targets (issue): import ≤ 5 s, export ≤ 3 s for 1,000 young people, 200 adults,
150 peer groups, 300 places, 100 strengths, 5,000 links and 8,000 pieces of evidence.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from harness import Row, median_time

from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import load_profile
from saferyp_desktop.domain.records import (
    Adult,
    Evidence,
    HowKnown,
    Kind,
    Link,
    Location,
    LocationKind,
    Membership,
    PeerGroup,
    Relation,
    Strength,
    YoungPerson,
    format_code,
)
from saferyp_desktop.storage.spreadsheet import export_table, import_table

WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
]


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def large_table(seed: int = 1) -> MappingTable:
    rng = random.Random(seed)
    profile = load_profile()
    harms = [c.key for c in profile.harm_categories]
    sources = [c.key for c in profile.sources]
    start = date(2025, 1, 1)

    people = [
        YoungPerson(
            code=format_code(Kind.YOUNG_PERSON, i + 1),
            name=f"Pupil {words(rng, 2).title()} {i}",
            year_group=rng.randint(7, 13),
            age=rng.randint(11, 18),
            known_to=rng.sample(["police", "YOT", "Early Help"], rng.randint(0, 2)),
            harm_categories=rng.sample(harms, rng.randint(1, 3)),
            concern_level=rng.choice(["low", "medium", "high"]),
            last_confirmed=start + timedelta(days=rng.randint(0, 300)),
            notes=words(rng, 12),
        )
        for i in range(1000)
    ]
    adults = [
        Adult(
            code=format_code(Kind.ADULT, i + 1),
            name=f"Adult {words(rng, 2).title()} {i}",
            aliases=[words(rng, 1)],
            approx_age=rng.randint(18, 60),
            vehicle=words(rng, 3),
            handles=[f"@{words(rng, 1)}{i}"],
            harm_categories=rng.sample(harms, 1),
            notes=words(rng, 10),
        )
        for i in range(200)
    ]
    groups = [
        PeerGroup(
            code=format_code(Kind.PEER_GROUP, i + 1),
            label=f"Group {i}",
            description=words(rng, 8),
            members=[
                Membership(person_id=p.id, role=rng.choice(["", "leader"]))
                for p in rng.sample(people, 5)
            ],
            harm_categories=rng.sample(harms, 1),
        )
        for i in range(150)
    ]
    places = [
        Location(
            code=format_code(Kind.LOCATION, i + 1),
            label=f"Place {i}",
            location_kind=rng.choice(list(LocationKind)).value,
            where=words(rng, 5),
            when="evenings",
            harm_categories=rng.sample(harms, 1),
            rating=rng.choice(["red", "amber", "green"]),
        )
        for i in range(300)
    ]
    strengths = [
        Strength(
            code=format_code(Kind.STRENGTH, i + 1),
            label=f"Strength {i}",
            description=words(rng, 6),
            linked_ids=[p.id for p in rng.sample(people, 2)],
        )
        for i in range(100)
    ]
    records = [*people, *adults, *groups, *places, *strengths]
    links: list[Link] = []
    seen: set[tuple[frozenset[str], str]] = set()
    while len(links) < 5000:
        a, b = rng.sample(records, 2)
        relation = rng.choice(list(Relation)).value
        key = (frozenset((a.id, b.id)), relation)
        if key in seen:
            continue
        seen.add(key)
        links.append(
            Link(
                a_id=a.id, b_id=b.id, relation=relation, confidence="suspected", note=words(rng, 6)
            )
        )
    subjects = [r.id for r in records] + [link.id for link in links[:1000]]
    evidence = [
        Evidence(
            subject_id=rng.choice(subjects),
            observed=start + timedelta(days=rng.randint(0, 300)),
            source=rng.choice(sources),
            how_known=rng.choice(list(HowKnown)).value,
            summary=words(rng, 15),
            recorded_by="Staff Member",
        )
        for _ in range(8000)
    ]
    return MappingTable.of(records, links, evidence)


def run() -> list[Row]:
    """The issue's targets, median of three runs each, wall and CPU time."""
    profile = load_profile()
    table = large_table()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xlsx"
        export = lambda: export_table(table, path, DataLevel.FULL, profile)  # noqa: E731
        rows.append(Row("spreadsheet export (large table)", median_time(export, 3), "s", 3.0))
        rows.append(Row("  … CPU time", median_cpu(export, 3), "s", 3.0))
        load = lambda: import_table(path, profile)  # noqa: E731
        rows.append(Row("spreadsheet import (large table)", median_time(load, 3), "s", 5.0))
        rows.append(Row("  … CPU time", median_cpu(load, 3), "s", 5.0))
        merge = lambda: import_table(path, profile, existing=table)  # noqa: E731
        rows.append(Row("spreadsheet import over the same table", median_time(merge, 3), "s", 5.0))
    return rows


def median_cpu(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.process_time()
        work()
        times.append(time.process_time() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    profile = load_profile()
    table = large_table()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xlsx"
        for round_ in range(args.rounds):
            (exported, exported_cpu), _ = timed(
                lambda: export_table(table, path, DataLevel.FULL, profile)
            )
            (imported, imported_cpu), result = timed(lambda: import_table(path, profile))
            (merged, merged_cpu), _ = timed(lambda: import_table(path, profile, existing=table))
            print(
                f"round {round_ + 1}: export {exported:.2f} s (cpu {exported_cpu:.2f}), "
                f"import {imported:.2f} s (cpu {imported_cpu:.2f}), "
                f"import over the same table {merged:.2f} s (cpu {merged_cpu:.2f}) "
                f"[{path.stat().st_size / 1e6:.1f} MB; {len(result.records)} records, "
                f"{len(result.links)} links, {len(result.evidence)} evidence]"
            )


def timed(work):
    """(wall seconds, CPU seconds of this process), result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


if __name__ == "__main__":
    main()
