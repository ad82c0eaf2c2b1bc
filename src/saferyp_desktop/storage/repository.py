"""Saving and loading the mapping table, workspace facts, secrets and the audit log.

Every change is committed as it is made: a method returns only once its change is
on disk. The audit log holds event names and record ids, never names or free text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    CODE_PATTERN,
    CODE_PREFIX,
    Evidence,
    Kind,
    Link,
    Record,
    format_code,
    now,
)
from saferyp_desktop.domain.serialize import (
    evidence_from_dict,
    link_from_dict,
    record_from_dict,
    to_dict,
)
from saferyp_desktop.errors import RecordNotFound
from saferyp_desktop.storage.database import Database

# Columns kept outside the JSON so they can be queried and checked by SQLite.
_RECORD_COLUMNS = ("id", "kind", "code", "created", "updated", "last_confirmed", "retired")
_LINK_COLUMNS = ("id", "a_id", "b_id", "created", "updated", "last_confirmed", "retired")
_EVIDENCE_COLUMNS = ("id", "observed", "recorded_at", "retired")


def _json(data: dict[str, Any], columns: Iterable[str]) -> str:
    return json.dumps({k: v for k, v in data.items() if k not in columns}, ensure_ascii=False)


class Repository:
    """The mapping table and workspace facts stored in one open workspace."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- workspace facts -------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self.db.query("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        with self.db.transaction():
            self.db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    def secret(self, name: str) -> bytes | None:
        row = self.db.query_one("SELECT value FROM secrets WHERE name = ?", (name,))
        return bytes(row[0]) if row else None

    def set_secret(self, name: str, value: bytes) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO secrets(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # -- audit -----------------------------------------------------------
    def audit(self, event: str, record_ids: Iterable[str] = ()) -> None:
        self.db.execute(
            "INSERT INTO audit(at, event, record_ids) VALUES (?, ?, ?)",
            (_stamp(), event, json.dumps(list(record_ids))),
        )

    def audit_events(self) -> list[tuple[str, str, list[str]]]:
        rows = self.db.query("SELECT at, event, record_ids FROM audit ORDER BY seq")
        return [(at, event, json.loads(ids)) for at, event, ids in rows]

    # -- loading ---------------------------------------------------------
    def load(self) -> MappingTable:
        """The whole mapping table, retired records included."""
        records = []
        for row in self.db.query(
            "SELECT data, id, kind, code, created, updated, last_confirmed, retired FROM records"
        ):
            data = json.loads(row[0])
            data.update(zip(_RECORD_COLUMNS, row[1:], strict=True))
            records.append(record_from_dict(data))
        links = []
        for row in self.db.query(
            "SELECT data, id, a_id, b_id, created, updated, last_confirmed, retired FROM links"
        ):
            data = json.loads(row[0])
            data.update(zip(_LINK_COLUMNS, row[1:], strict=True))
            links.append(link_from_dict(data))
        evidence = []
        for row in self.db.query(
            "SELECT data, id, observed, recorded_at, retired, coalesce(record_id, link_id) FROM evidence"
        ):
            data = json.loads(row[0])
            data.update(zip(_EVIDENCE_COLUMNS, row[1:5], strict=True))
            data["subject_id"] = row[5]
            evidence.append(evidence_from_dict(data))
        return MappingTable.of(records, links, evidence)

    def record(self, record_id: str) -> Record:
        row = self.db.query_one(
            "SELECT data, id, kind, code, created, updated, last_confirmed, retired "
            "FROM records WHERE id = ?",
            (record_id,),
        )
        if row is None:
            raise RecordNotFound()
        data = json.loads(row[0])
        data.update(zip(_RECORD_COLUMNS, row[1:], strict=True))
        return record_from_dict(data)

    # -- saving ----------------------------------------------------------
    def next_code(self, kind: Kind) -> str:
        prefix = CODE_PREFIX[kind]
        highest = 0
        for (code,) in self.db.query("SELECT code FROM records WHERE kind = ?", (kind.value,)):
            match = CODE_PATTERN.match(code)
            if match and match.group(1) == prefix:
                highest = max(highest, int(match.group(2)))
        return format_code(kind, highest + 1)

    def save_record(self, record: Record) -> Record:
        """Insert or update one record (giving it a code if it has none); returns it."""
        record.validate()  # before a code is given, so a refusal names no code never issued
        with self.db.transaction():
            if not record.code:
                record.code = self.next_code(record.kind)
            self._write_records([record])
            self.audit("record changed", [record.id])
        return record

    def save_link(self, link: Link) -> Link:
        with self.db.transaction():
            self._write_links([link])
            self.audit("link changed", [link.id])
        return link

    def save_evidence(self, item: Evidence) -> Evidence:
        with self.db.transaction():
            self._write_evidence([item], self._link_ids([item.subject_id]))
            self.audit("evidence changed", [item.id])
        return item

    def retire(self, item_id: str) -> None:
        """Retire a record, link or evidence entry: kept on record, no longer shown."""
        stamp = _stamp()
        with self.db.transaction():
            changed = 0
            for table in ("records", "links", "evidence"):
                changed += self.db.execute(
                    f"UPDATE {table} SET retired = ? WHERE id = ? AND retired IS NULL",  # noqa: S608
                    (stamp, item_id),
                )
            if not changed:
                raise RecordNotFound()
            self.audit("record retired", [item_id])

    def save_table(self, table: MappingTable, event: str = "table imported") -> None:
        """Write a whole mapping table (new or changed rows) in one transaction."""
        with self.db.transaction():
            self._write_records(table.records.values())
            self._write_links(table.links.values())
            link_ids = set(table.links) | self._link_ids(e.subject_id for e in table.evidence.values())
            self._write_evidence(table.evidence.values(), link_ids)
            self.audit(event, [])

    # -- rows --------------------------------------------------------------
    def _write_records(self, records: Iterable[Record]) -> None:
        rows = []
        for record in records:
            record.validate()
            data = to_dict(record)
            rows.append((*(data[c] for c in _RECORD_COLUMNS), _json(data, _RECORD_COLUMNS)))
        self.db.executemany(
            "INSERT INTO records(id, kind, code, created, updated, last_confirmed, retired, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "code = excluded.code, updated = excluded.updated, "
            "last_confirmed = excluded.last_confirmed, retired = excluded.retired, data = excluded.data",
            rows,
        )

    def _write_links(self, links: Iterable[Link]) -> None:
        rows = []
        for link in links:
            link.validate()
            data = to_dict(link)
            rows.append((*(data[c] for c in _LINK_COLUMNS), _json(data, _LINK_COLUMNS)))
        self.db.executemany(
            "INSERT INTO links(id, a_id, b_id, created, updated, last_confirmed, retired, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "updated = excluded.updated, last_confirmed = excluded.last_confirmed, "
            "retired = excluded.retired, data = excluded.data",
            rows,
        )

    def _write_evidence(self, items: Iterable[Evidence], link_ids: set[str]) -> None:
        rows = []
        for item in items:
            item.validate()
            data = to_dict(item)
            on_link = item.subject_id in link_ids
            rows.append(
                (
                    *(data[c] for c in _EVIDENCE_COLUMNS),
                    None if on_link else item.subject_id,
                    item.subject_id if on_link else None,
                    _json(data, (*_EVIDENCE_COLUMNS, "subject_id")),
                )
            )
        self.db.executemany(
            "INSERT INTO evidence(id, observed, recorded_at, retired, record_id, link_id, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "observed = excluded.observed, retired = excluded.retired, data = excluded.data",
            rows,
        )

    def _link_ids(self, subject_ids: Iterable[str]) -> set[str]:
        ids = list(set(subject_ids))
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in self.db.query(f"SELECT id FROM links WHERE id IN ({marks})", chunk)  # noqa: S608
            )
        return found


def _stamp() -> str:
    return now().isoformat()
