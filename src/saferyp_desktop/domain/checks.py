"""The four checks the wizard and the briefing report: relevant, evidenced, current,
and no name without a plan (DESIGN.md §3).

Each finding names the record by its id and code and says what is missing, in words
that carry no personal data, so findings can be shown, printed and counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Action,
    ActionStatus,
    Adult,
    ConcernLevel,
    Confidence,
    KeyConcern,
    Kind,
    Link,
    Location,
    PeerGroup,
    Rag,
    Record,
    YoungPerson,
)


class Check(StrEnum):
    RELEVANT = "relevant"
    EVIDENCED = "evidenced"
    CURRENT = "current"
    PLAN = "plan"


CHECK_TITLES = {
    Check.RELEVANT: "Relevant",
    Check.EVIDENCED: "Evidenced",
    Check.CURRENT: "Current",
    Check.PLAN: "No name without a plan",
}


@dataclass(frozen=True)
class Finding:
    check: Check
    subject_id: str
    subject_code: str
    message: str


PEOPLE_GROUPS_PLACES = (Kind.YOUNG_PERSON, Kind.ADULT, Kind.PEER_GROUP, Kind.LOCATION)
_RATED_HIGH = {ConcernLevel.MEDIUM.value, ConcernLevel.HIGH.value}


def harm_categories(record: Record) -> list[str]:
    return list(getattr(record, "harm_categories", []))


def rated_medium_or_high(record: Record) -> bool:
    """Medium or high concern; for a place, an amber or red safety rating."""
    if isinstance(record, Location):
        return record.rating in (Rag.RED.value, Rag.AMBER.value)
    if isinstance(record, YoungPerson | Adult | PeerGroup):
        return record.concern_level in _RATED_HIGH
    return False


def link_rated(link: Link) -> bool:
    """A link is rated by how sure it is: a confirmed or suspected link needs evidence;
    an unconfirmed one is a question for the meeting, not a claim."""
    return link.confidence in (Confidence.CONFIRMED.value, Confidence.SUSPECTED.value)


def _link_label(table: MappingTable, link: Link) -> str:
    a, b = table.get(link.a_id), table.get(link.b_id)
    return f"the link {a.code if a else '?'}–{b.code if b else '?'}"


class _Index:
    """One pass over the table for all four checks (they run on every edit, over
    thousands of records, on the GUI thread)."""

    def __init__(self, table: MappingTable) -> None:
        self.table = table
        self.by_kind: dict[Kind, list[Record]] = defaultdict(list)
        for record in table.records.values():
            if record.active:
                self.by_kind[record.kind].append(record)
        for records in self.by_kind.values():
            records.sort(key=lambda r: (len(r.code), r.code))
        active = {r.id for records in self.by_kind.values() for r in records}
        self.links = sorted(
            (
                link
                for link in table.links.values()
                if link.active and link.a_id in active and link.b_id in active
            ),
            key=lambda link: link.id,
        )
        self.neighbours: dict[str, list[str]] = defaultdict(list)
        for link in self.links:
            self.neighbours[link.a_id].append(link.b_id)
            self.neighbours[link.b_id].append(link.a_id)
        self.evidenced: set[str] = set()
        self.last_observed: dict[str, date] = {}
        for item in table.evidence.values():
            if not item.active:
                continue
            if item.source and item.observed:
                self.evidenced.add(item.subject_id)
            seen = self.last_observed.get(item.subject_id)
            if seen is None or item.observed > seen:
                self.last_observed[item.subject_id] = item.observed

    def of_kind(self, kind: Kind) -> list[Record]:
        return self.by_kind.get(kind, [])


def check_relevant(table: MappingTable, index: _Index | None = None) -> list[Finding]:
    index = index or _Index(table)
    findings = []
    for kind in PEOPLE_GROUPS_PLACES:
        for record in index.of_kind(kind):
            if harm_categories(record):
                continue
            if any(harm_categories(table.records[other]) for other in index.neighbours[record.id]):
                continue
            findings.append(
                Finding(
                    Check.RELEVANT,
                    record.id,
                    record.code,
                    f"{record.code} has no harm category and is not linked to a record that has one.",
                )
            )
    return findings


def check_evidenced(table: MappingTable, index: _Index | None = None) -> list[Finding]:
    index = index or _Index(table)
    findings = []
    for kind in PEOPLE_GROUPS_PLACES:
        for record in index.of_kind(kind):
            if rated_medium_or_high(record) and record.id not in index.evidenced:
                findings.append(
                    Finding(
                        Check.EVIDENCED,
                        record.id,
                        record.code,
                        f"{record.code} is rated {_rating_word(record)} but has no evidence "
                        "with a source and a date.",
                    )
                )
    for link in index.links:
        if link_rated(link) and link.id not in index.evidenced:
            label = _link_label(table, link)
            findings.append(
                Finding(
                    Check.EVIDENCED,
                    link.id,
                    label.removeprefix("the link "),
                    f"{label[0].upper()}{label[1:]} is {link.confidence} but has no evidence "
                    "with a source and a date.",
                )
            )
    return findings


def _rating_word(record: Record) -> str:
    if isinstance(record, Location):
        return record.rating
    return getattr(record, "concern_level", "")


def check_current(
    table: MappingTable, meeting_date: date, window_weeks: int, index: _Index | None = None
) -> list[Finding]:
    index = index or _Index(table)
    since = meeting_date - timedelta(weeks=window_weeks)
    findings = []
    for kind in (*PEOPLE_GROUPS_PLACES, Kind.STRENGTH):
        for record in index.of_kind(kind):
            dates = [d for d in (record.last_confirmed, index.last_observed.get(record.id)) if d]
            seen = max(dates) if dates else None
            if seen is not None and seen >= since:
                continue
            findings.append(
                Finding(
                    Check.CURRENT,
                    record.id,
                    record.code,
                    f"{record.code} has not been confirmed or evidenced in the {window_weeks} "
                    f"weeks before {meeting_date.isoformat()}.",
                )
            )
    return findings


def last_seen(table: MappingTable, record: Record) -> date | None:
    """The later of the last confirmation and the newest evidence observed."""
    dates = [e.observed for e in table.evidence_of(record.id)]
    if record.last_confirmed:
        dates.append(record.last_confirmed)
    return max(dates) if dates else None


def check_plan(table: MappingTable, index: _Index | None = None) -> list[Finding]:
    """Each young person of concern has a key concern, a proposed action, or a recorded
    "no action" rationale (an action not taken forward, with its rationale)."""
    planned: set[str] = set()
    for record in table.records.values():
        if not record.active:
            continue
        if (
            isinstance(record, KeyConcern)
            or isinstance(record, Action)
            and (record.status != ActionStatus.NOT_TAKEN_FORWARD.value or record.rationale.strip())
        ):
            planned.update(record.linked_ids)
    findings = []
    for record in (index or _Index(table)).of_kind(Kind.YOUNG_PERSON):
        if record.id not in planned:
            findings.append(
                Finding(
                    Check.PLAN,
                    record.id,
                    record.code,
                    f"{record.code} has no key concern, no proposed action and no recorded "
                    "“no action” rationale.",
                )
            )
    return findings


def run_checks(table: MappingTable, meeting_date: date, window_weeks: int) -> list[Finding]:
    """Every finding of the four checks, in check order, then by record code."""
    index = _Index(table)
    return [
        *check_relevant(table, index),
        *check_evidenced(table, index),
        *check_current(table, meeting_date, window_weeks, index),
        *check_plan(table, index),
    ]


def summary(findings: list[Finding]) -> dict[Check, int]:
    counts = {check: 0 for check in Check}
    for finding in findings:
        counts[finding.check] += 1
    return counts
