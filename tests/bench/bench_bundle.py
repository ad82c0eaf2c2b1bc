"""Time writing and reading a bundle that holds a large mapping table (not a test).

    uv run python tests/bench/bench_bundle.py [MEGABYTES]

Builds about MEGABYTES (default 10) of mapping.json from real domain records, then
times write_bundle and read_bundle (key-locked), and the schema check on its own.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from saferyp_desktop.crypto.bundle import SenderInfo, read_bundle, write_bundle
from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.crypto.schemas import MAPPING_SCHEMA, dump_json, schema_problem
from saferyp_desktop.domain.records import Adult, Evidence, Link, Location, YoungPerson
from saferyp_desktop.domain.serialize import to_dict


def large_mapping(megabytes: float) -> dict:
    records: dict[str, list[dict]] = {"young_person": [], "adult": [], "location": []}
    links: list[dict] = []
    evidence: list[dict] = []
    target, size, n = megabytes * 1_000_000, 0, 0
    while size < target:
        n += 1
        person = YoungPerson(
            code=f"YP-{n:02d}", name=f"Young Person {n}", year_group=9, age=14, known_to=["police"],
            harm_categories=["cce"], concern_level="high", notes="Seen near the park after school. " * 5,
        )
        place = Location(
            code=f"LC-{n:02d}", label=f"Place {n}", postcode="SN1 2AB", where="By the shops " * 4,
            harm_categories=["cce"],
        )
        adult = Adult(
            code=f"AD-{n:02d}", name=f"Adult {n}", aliases=["Big M"], vehicle="Blue car",
            handles=["@x"], harm_categories=["cce"],
        )
        link = Link(a_id=person.id, b_id=place.id, relation="spends time at", note="Most evenings")
        item = Evidence(
            subject_id=person.id, observed=date(2025, 1, 1), source="staff_observation",
            summary="Observed by staff " * 5, recorded_by="DSL",
        )  # fmt: skip
        for record in (person, place, adult):
            records[record.kind.value].append(to_dict(record))
            size += len(dump_json(records[record.kind.value][-1])) + 1
        links.append(to_dict(link))
        evidence.append(to_dict(item))
        size += len(dump_json(links[-1])) + len(dump_json(evidence[-1])) + 2
    return {
        "format": "saferyp-mapping", "version": 1, "profile": "wiltshire", "data_level": "full",
        "demo": True, "school": {"name": "Bench School", "urn": "123456"}, "meeting_date": None,
        "records": records, "links": links, "evidence": evidence,
    }  # fmt: skip


def timed(label: str, call):
    start = time.perf_counter()
    result = call()
    print(f"{label:<34} {time.perf_counter() - start:6.2f} s")
    return result


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    school, chair = WorkspaceKeys.generate(), WorkspaceKeys.generate()
    mapping = large_mapping(megabytes)
    items = sum(map(len, mapping["records"].values())) + len(mapping["links"]) + len(mapping["evidence"])
    print(f"mapping.json: {len(dump_json(mapping)) / 1e6:.1f} MB, {items} records, links and evidence")
    timed("schema check alone", lambda: schema_problem(MAPPING_SCHEMA, mapping))
    data = timed(
        "write_bundle (to the chair)",
        lambda: write_bundle(
            kind="submission", sender=SenderInfo("Bench School", "123456", "school", school),
            recipients=[chair.age_recipient], passphrase=None, mapping=mapping,
            briefing_pdf=b"%PDF-1.4\n" + bytes(2_000_000), sequence=1,
        ),  # fmt: skip
    )
    print(f"bundle: {len(data) / 1e6:.1f} MB encrypted")
    timed("read_bundle (the chair)", lambda: read_bundle(data, identity=chair.age_identity))


def run() -> list:
    """For tests/bench/run.py: a 10 MB mapping written to the chair and read back."""
    from harness import Row, median_time

    school, chair = WorkspaceKeys.generate(), WorkspaceKeys.generate()
    mapping = large_mapping(10)
    holder: dict[str, bytes] = {}

    def write() -> None:
        holder["data"] = write_bundle(
            kind="submission", sender=SenderInfo("Bench School", "123456", "school", school),
            recipients=[chair.age_recipient], passphrase=None, mapping=mapping,
            briefing_pdf=b"%PDF-1.4\n" + bytes(2_000_000), sequence=1,
        )  # fmt: skip

    written = median_time(write, repeat=3)
    read = median_time(lambda: read_bundle(holder["data"], identity=chair.age_identity), repeat=3)
    return [
        Row("bundle write, 10 MB mapping (to the chair)", written, "s"),
        Row("bundle read and verify, 10 MB mapping", read, "s"),
    ]


if __name__ == "__main__":
    main()
