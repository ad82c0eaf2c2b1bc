"""Saving and loading the mapping table, workspace facts, secrets and the audit log.

Every change is committed as it is made: a method returns only once its change is
on disk. The audit log holds event names and record ids, never names or free text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class TrustedSender:
    """A school whose signing key a chair accepted (``trusted_senders``)."""

    urn: str
    name: str
    verify_key: bytes = field(repr=False)
    fingerprint: str
    age_recipient: str
    first_seen: str


@dataclass(frozen=True)
class StoredBundle:
    """A received bundle as stored (``submissions``): the exact signed bytes and facts."""

    bundle_id: str
    kind: str
    sender_urn: str
    sender_name: str
    fingerprint: str
    verify_key: bytes = field(repr=False)
    sequence: int
    created: str
    received: str
    meeting_date: str | None
    data_level: str
    manifest: bytes = field(repr=False)
    signature: bytes = field(repr=False)
    mapping: bytes = field(repr=False)
    briefing: bytes | None = field(default=None, repr=False)
    superseded_by: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class BundleFacts:
    """A received bundle's facts as stored (``submissions``), without its bytes: what a
    listing needs (which submissions are current) without reading every signed blob."""

    id: int
    bundle_id: str
    kind: str
    sender_urn: str
    sender_name: str
    fingerprint: str
    sequence: int
    created: str
    received: str
    meeting_date: str | None
    data_level: str
    superseded_by: int | None


@dataclass(frozen=True)
class MatchDecision:
    """A chair's decision on a candidate match (``match_decisions``)."""

    key: str
    decision: str  # "confirmed" or "dismissed"
    decided_at: str
    note: str = ""


@dataclass(frozen=True)
class OutcomeAction:
    """A school's action imported from outcomes (``outcome_actions``)."""

    source_id: str  # the chair's action id
    record_id: str  # the school's own action record
    bundle_id: str  # the outcomes bundle it last came from
    imported_status: str
    imported_at: str


_BUNDLE_COLUMNS = (
    "bundle_id", "kind", "sender_urn", "sender_name", "fingerprint", "verify_key", "sequence",
    "created", "received", "meeting_date", "data_level", "manifest", "signature", "mapping",
    "briefing", "superseded_by",
)  # fmt: skip
_FACT_COLUMNS = (
    "id", "bundle_id", "kind", "sender_urn", "sender_name", "fingerprint", "sequence", "created",
    "received", "meeting_date", "data_level", "superseded_by",
)  # fmt: skip
_TRUSTED_COLUMNS = ("urn", "name", "verify_key", "fingerprint", "age_recipient", "first_seen")
# The audit event of a chair replacing a school's key: [urn, old fingerprint, new fingerprint].
KEY_REPLACED = "school key replaced"


def _bundle_from_row(row: tuple[Any, ...]) -> StoredBundle:
    values = dict(zip(("id", *_BUNDLE_COLUMNS), row, strict=True))
    for blob in ("verify_key", "manifest", "signature", "mapping", "briefing"):
        if values[blob] is not None:
            values[blob] = bytes(values[blob])
    return StoredBundle(**values)


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

    def delete_meta(self, keys: Iterable[str]) -> None:
        with self.db.transaction():
            self.db.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in keys])

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

    # -- received bundles and trusted senders (migration 2) -----------------
    def trusted_sender(self, urn: str) -> TrustedSender | None:
        row = self.db.query_one(
            f"SELECT {', '.join(_TRUSTED_COLUMNS)} FROM trusted_senders WHERE urn = ?",  # noqa: S608
            (urn,),
        )
        if row is None:
            return None
        values = dict(zip(_TRUSTED_COLUMNS, row, strict=True))
        values["verify_key"] = bytes(values["verify_key"])
        return TrustedSender(**values)

    def trusted_senders(self) -> list[TrustedSender]:
        urns = [u for (u,) in self.db.query("SELECT urn FROM trusted_senders ORDER BY urn")]
        return [s for s in map(self.trusted_sender, urns) if s is not None]

    def add_trusted_sender(self, sender: TrustedSender) -> None:
        """Record a sender's key the first time it is accepted (never replaces a key)."""
        self.db.execute(
            f"INSERT INTO trusted_senders({', '.join(_TRUSTED_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
            tuple(getattr(sender, c) for c in _TRUSTED_COLUMNS),
        )

    def update_trusted_sender_details(self, urn: str, name: str, age_recipient: str) -> None:
        """A known sender's name and recipient, as its latest bundle (signed with the same
        key) gives them. The signing key itself never changes here."""
        self.db.execute(
            "UPDATE trusted_senders SET name = ?, age_recipient = ? WHERE urn = ?",
            (name, age_recipient, urn),
        )

    def replace_trusted_key(self, sender: TrustedSender) -> TrustedSender:
        """Replace a known sender's signing key (and name, recipient and since when),
        keeping the key it replaces on record: the audit event "school key replaced"
        names the URN, the old fingerprint and the new one (no personal data), and every
        submission signed with the old key keeps that key. Returns the sender as it was."""
        before = self.trusted_sender(sender.urn)
        if before is None:
            raise RecordNotFound("There is no trusted school with that URN in this workspace.")
        with self.db.transaction():
            self.db.execute(
                "UPDATE trusted_senders SET name = ?, verify_key = ?, fingerprint = ?, "
                "age_recipient = ?, first_seen = ? WHERE urn = ?",
                (sender.name, sender.verify_key, sender.fingerprint, sender.age_recipient,
                 sender.first_seen, sender.urn),
            )  # fmt: skip
            self.audit(KEY_REPLACED, [sender.urn, before.fingerprint, sender.fingerprint])
        return before

    def replaced_fingerprints(self, urn: str) -> set[str]:
        """The fingerprints of the keys a sender's key replaced (each trusted once)."""
        rows = self.db.query("SELECT record_ids FROM audit WHERE event = ?", (KEY_REPLACED,))
        found: set[str] = set()
        for (ids,) in rows:
            named = json.loads(ids)
            if len(named) == 3 and named[0] == urn:
                found.add(named[1])
        return found

    def bundle_seen(self, bundle_id: str) -> bool:
        row = self.db.query_one("SELECT 1 FROM submissions WHERE bundle_id = ?", (bundle_id,))
        return row is not None

    def last_sequence(
        self, kind: str, sender_urn: str, fingerprint: str | None = None
    ) -> int | None:
        """The highest sequence number seen from a sender (and, if given, from that key:
        a new chair numbers its bundles from 1 again)."""
        sql = "SELECT max(sequence) FROM submissions WHERE kind = ? AND sender_urn = ?"
        params: tuple[str, ...] = (kind, sender_urn)
        if fingerprint is not None:
            sql += " AND fingerprint = ?"
            params += (fingerprint,)
        row = self.db.query_one(sql, params)
        return None if row is None or row[0] is None else int(row[0])

    def add_bundle(self, bundle: StoredBundle) -> int:
        """Store a received bundle; it supersedes every earlier one from the same sender for
        the same meeting that is older (a lower sequence number from the same key) or signed
        by another key (one this bundle's key replaced: each key numbers from 1). They stay
        on record. Returns its id."""
        with self.db.transaction():
            self.db.execute(
                f"INSERT INTO submissions({', '.join(_BUNDLE_COLUMNS)}) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(_BUNDLE_COLUMNS))})",
                tuple(getattr(bundle, c) for c in _BUNDLE_COLUMNS),
            )
            row = self.db.query_one(
                "SELECT id FROM submissions WHERE bundle_id = ?", (bundle.bundle_id,)
            )
            assert row is not None
            new_id = int(row[0])
            self.db.execute(
                "UPDATE submissions SET superseded_by = :new WHERE kind = :kind "
                "AND sender_urn = :urn AND meeting_date IS :meeting AND superseded_by IS NULL "
                "AND id <> :new AND (sequence < :sequence OR fingerprint <> :fingerprint)",
                {
                    "new": new_id,
                    "kind": bundle.kind,
                    "urn": bundle.sender_urn,
                    "meeting": bundle.meeting_date,
                    "sequence": bundle.sequence,
                    "fingerprint": bundle.fingerprint,
                },
            )
        return new_id

    def superseded_ids(self, new_id: int) -> list[int]:
        return [int(i) for (i,) in self.db.query(
            "SELECT id FROM submissions WHERE superseded_by = ? ORDER BY id", (new_id,)
        )]  # fmt: skip

    def stored_bundle(self, bundle_row_id: int) -> StoredBundle:
        row = self.db.query_one(
            f"SELECT id, {', '.join(_BUNDLE_COLUMNS)} FROM submissions WHERE id = ?",  # noqa: S608
            (int(bundle_row_id),),
        )
        if row is None:
            raise RecordNotFound("There is no such submission in this workspace.")
        return _bundle_from_row(row)

    def stored_bundles(self, kind: str | None = None) -> list[StoredBundle]:
        """Every received bundle (of ``kind``), oldest first, blobs included."""
        ids = self.db.query(
            "SELECT id FROM submissions WHERE ? IS NULL OR kind = ? ORDER BY id", (kind, kind)
        )
        return [self.stored_bundle(i) for (i,) in ids]

    def bundle_facts(self, kind: str | None = None) -> list[BundleFacts]:
        """Every received bundle's facts (of ``kind``), oldest first, without the blobs."""
        rows = self.db.query(
            f"SELECT {', '.join(_FACT_COLUMNS)} FROM submissions "  # noqa: S608
            "WHERE ? IS NULL OR kind = ? ORDER BY id",
            (kind, kind),
        )
        return [BundleFacts(*row) for row in rows]

    # -- match decisions and imported outcomes (migration 3) ------------------
    def match_decisions(self) -> dict[str, MatchDecision]:
        """Every decision the chair made on a candidate match, by its key."""
        rows = self.db.query("SELECT key, decision, decided_at, note FROM match_decisions")
        return {row[0]: MatchDecision(*row) for row in rows}

    def set_match_decision(self, decision: MatchDecision) -> None:
        self.db.execute(
            "INSERT INTO match_decisions(key, decision, decided_at, note) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET decision = excluded.decision, "
            "decided_at = excluded.decided_at, note = excluded.note",
            (decision.key, decision.decision, decision.decided_at, decision.note),
        )

    def delete_match_decisions(self, keys: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM match_decisions WHERE key = ?", [(k,) for k in keys])

    def outcome_actions(self) -> dict[str, OutcomeAction]:
        """The actions imported from outcomes, by the chair's action id."""
        rows = self.db.query(
            "SELECT source_id, record_id, bundle_id, imported_status, imported_at FROM outcome_actions"
        )
        return {row[0]: OutcomeAction(*row) for row in rows}

    def put_outcome_action(self, item: OutcomeAction) -> None:
        self.db.execute(
            "INSERT INTO outcome_actions(source_id, record_id, bundle_id, imported_status, "
            "imported_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET "
            "bundle_id = excluded.bundle_id, imported_status = excluded.imported_status, "
            "imported_at = excluded.imported_at",
            (item.source_id, item.record_id, item.bundle_id, item.imported_status, item.imported_at),  # fmt: skip
        )

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
