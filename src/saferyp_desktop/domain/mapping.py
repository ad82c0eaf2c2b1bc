"""The whole mapping table in memory: records, links and evidence, with lookups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from saferyp_desktop.domain.records import (
    CODE_PATTERN,
    CODE_PREFIX,
    Evidence,
    Kind,
    Link,
    Meeting,
    MeetingStatus,
    Record,
    format_code,
)


@dataclass
class MappingTable:
    records: dict[str, Record] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._by_code = {r.code: r for r in self.records.values()}
        self._links_of: dict[str, list[Link]] = defaultdict(list)
        for link in self.links.values():
            self._links_of[link.a_id].append(link)
            self._links_of[link.b_id].append(link)
        self._evidence_of: dict[str, list[Evidence]] = defaultdict(list)
        for item in self.evidence.values():
            self._evidence_of[item.subject_id].append(item)

    @classmethod
    def of(
        cls,
        records: Iterable[Record] = (),
        links: Iterable[Link] = (),
        evidence: Iterable[Evidence] = (),
    ) -> MappingTable:
        return cls(
            records={r.id: r for r in records},
            links={link.id: link for link in links},
            evidence={e.id: e for e in evidence},
        )

    # -- adding (keeps the indexes right) ---------------------------------
    def put(self, record: Record) -> None:
        old = self.records.get(record.id)
        if old is not None and old.code != record.code:
            self._by_code.pop(old.code, None)
        self.records[record.id] = record
        self._by_code[record.code] = record

    def put_link(self, link: Link) -> None:
        if link.id in self.links:
            self.links[link.id] = link
            self._index()
            return
        self.links[link.id] = link
        self._links_of[link.a_id].append(link)
        self._links_of[link.b_id].append(link)

    def put_evidence(self, item: Evidence) -> None:
        if item.id in self.evidence:
            self.evidence[item.id] = item
            self._index()
            return
        self.evidence[item.id] = item
        self._evidence_of[item.subject_id].append(item)

    # -- looking up --------------------------------------------------------
    def get(self, record_id: str) -> Record | None:
        return self.records.get(record_id)

    def by_code(self, code: str) -> Record | None:
        return self._by_code.get(code)

    def of_kind(self, kind: Kind, *, include_retired: bool = False) -> list[Record]:
        found = [
            r for r in self.records.values() if r.kind == kind and (include_retired or r.active)
        ]
        return sorted(found, key=lambda r: (len(r.code), r.code))

    def active_links(self) -> Iterator[Link]:
        return (
            link
            for link in self.links.values()
            if link.active and self._is_active(link.a_id) and self._is_active(link.b_id)
        )

    def links_of(self, record_id: str, *, include_retired: bool = False) -> list[Link]:
        return [
            link
            for link in self._links_of.get(record_id, [])
            if include_retired
            or (link.active and self._is_active(link.a_id) and self._is_active(link.b_id))
        ]

    def neighbours(self, record_id: str) -> list[Record]:
        return [self.records[link.other(record_id)] for link in self.links_of(record_id)]

    def evidence_of(self, subject_id: str, *, include_retired: bool = False) -> list[Evidence]:
        items = self._evidence_of.get(subject_id, [])
        return [e for e in items if include_retired or e.active]

    def next_code(self, kind: Kind) -> str:
        prefix = CODE_PREFIX[kind] + "-"
        highest = 0
        for code in self._by_code:
            if code.startswith(prefix):
                match = CODE_PATTERN.match(code)
                if match:
                    highest = max(highest, int(match.group(2)))
        return format_code(kind, highest + 1)

    def _is_active(self, record_id: str) -> bool:
        record = self.records.get(record_id)
        return record is not None and record.active

    def meeting_on(self, day: date) -> Meeting | None:
        """The meeting on ``day``: one still being prepared first, then the lowest code.
        The one rule every part of the program uses to name a meeting by its date."""
        found = [m for m in self.of_kind(Kind.MEETING) if isinstance(m, Meeting) and m.date == day]
        preparing = [m for m in found if m.status == MeetingStatus.PREPARING.value]
        return (preparing or found or [None])[0]

    def counts(self) -> dict[Kind, int]:
        result = {kind: 0 for kind in Kind}
        for record in self.records.values():
            if record.active:
                result[record.kind] += 1
        return result
