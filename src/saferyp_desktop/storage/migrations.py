"""The workspace schema, as ordered migrations on ``PRAGMA user_version``.

Migration N (1-based) takes a workspace from version N-1 to N. Each runs in its own
transaction together with the version bump, so a failing migration leaves the file at
the version before it. Never edit a released migration; append a new one.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlcipher3

Migration = Callable[[sqlcipher3.Connection], None]

_SCHEMA_1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE records (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, code TEXT NOT NULL UNIQUE,
      data TEXT NOT NULL,
      created TEXT NOT NULL, updated TEXT NOT NULL, last_confirmed TEXT, retired TEXT)""",
    "CREATE INDEX records_kind ON records(kind)",
    """CREATE TABLE links (
      id TEXT PRIMARY KEY,
      a_id TEXT NOT NULL REFERENCES records(id), b_id TEXT NOT NULL REFERENCES records(id),
      data TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
      last_confirmed TEXT, retired TEXT,
      CHECK (a_id <> b_id))""",
    "CREATE INDEX links_a ON links(a_id)",
    "CREATE INDEX links_b ON links(b_id)",
    """CREATE TABLE evidence (
      id TEXT PRIMARY KEY,
      record_id TEXT REFERENCES records(id), link_id TEXT REFERENCES links(id),
      data TEXT NOT NULL, observed TEXT NOT NULL, recorded_at TEXT NOT NULL, retired TEXT,
      CHECK ((record_id IS NULL) <> (link_id IS NULL)))""",
    "CREATE INDEX evidence_record ON evidence(record_id)",
    "CREATE INDEX evidence_link ON evidence(link_id)",
    """CREATE TABLE audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, event TEXT NOT NULL,
      record_ids TEXT NOT NULL DEFAULT '[]')""",
    # The workspace's own age identity and Ed25519 key.
    "CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
)


def _migration_1(conn: sqlcipher3.Connection) -> None:
    """The first schema: records, links, evidence, audit, meta and secrets."""
    for statement in _SCHEMA_1:
        conn.execute(statement)


_SCHEMA_2 = (
    # Bundles this workspace received and accepted, exactly as signed: a chair's
    # submissions from schools (kind "submission"); a school's outcomes from its chair
    # (kind "outcomes", sender_urn empty) use the same table. `mapping` holds the signed
    # mapping.json bytes, so `manifest` + `signature` + `mapping` (+ `briefing`) can be
    # verified again at any time. A newer bundle from the same sender for the same
    # meeting marks the older one superseded_by it; both stay on record.
    """CREATE TABLE submissions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      bundle_id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('submission', 'outcomes')),
      sender_urn TEXT NOT NULL,
      sender_name TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      verify_key BLOB NOT NULL CHECK (length(verify_key) = 32),
      sequence INTEGER NOT NULL CHECK (sequence >= 1),
      created TEXT NOT NULL,
      received TEXT NOT NULL,
      meeting_date TEXT,
      data_level TEXT NOT NULL,
      manifest BLOB NOT NULL,
      signature BLOB NOT NULL,
      mapping BLOB NOT NULL,
      briefing BLOB,
      superseded_by INTEGER REFERENCES submissions(id),
      CHECK (superseded_by IS NULL OR superseded_by <> id))""",
    "CREATE INDEX submissions_sender ON submissions(sender_urn, sequence)",
    "CREATE INDEX submissions_superseded_by ON submissions(superseded_by)",
    # A chair's schools, by URN: the signing key accepted with the first bundle (its
    # fingerprint confirmed by phone) and the age recipient to send outcomes to.
    # A school's own chair lives in `meta` (chair_recipient, chair_verify_key, ...).
    """CREATE TABLE trusted_senders (
      urn TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      verify_key BLOB NOT NULL CHECK (length(verify_key) = 32),
      fingerprint TEXT NOT NULL,
      age_recipient TEXT NOT NULL,
      first_seen TEXT NOT NULL)""",
)


def _migration_2(conn: sqlcipher3.Connection) -> None:
    """Bundle exchange: received bundles (submissions) and a chair's trusted schools."""
    for statement in _SCHEMA_2:
        conn.execute(statement)


_SCHEMA_3 = (
    # A chair's decisions on the candidate matches across schools, by the key
    # domain.matching gives a candidate (or one pair of it). A decision never changes a
    # school's records: confirmed matches are only drawn and counted together.
    """CREATE TABLE match_decisions (
      key TEXT PRIMARY KEY,
      decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
      decided_at TEXT NOT NULL,
      note TEXT NOT NULL DEFAULT '')""",
    # A school's actions imported from its chair's outcomes: the chair's action id → the
    # school's own action record, so outcomes opened again never add an action twice.
    # `imported_status` is the status as the chair sent it, to tell whether the school has
    # moved the action on since.
    """CREATE TABLE outcome_actions (
      source_id TEXT PRIMARY KEY,
      record_id TEXT NOT NULL UNIQUE REFERENCES records(id),
      bundle_id TEXT NOT NULL,
      imported_status TEXT NOT NULL,
      imported_at TEXT NOT NULL)""",
)


def _migration_3(conn: sqlcipher3.Connection) -> None:
    """The chair's match decisions; a school's actions imported from outcomes."""
    for statement in _SCHEMA_3:
        conn.execute(statement)


MIGRATIONS: list[Migration] = [_migration_1, _migration_2, _migration_3]


def latest_version() -> int:
    """The schema version this program writes."""
    return len(MIGRATIONS)


def migrate(conn: sqlcipher3.Connection, current: int) -> int:
    """Apply every migration after ``current``, each atomically; return the new version.

    ``conn`` must be in autocommit mode (isolation_level=None) with no open transaction.
    """
    for version, migration in enumerate(MIGRATIONS[current:], start=current + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration(conn)
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                conn.execute("ROLLBACK")
            raise
    return latest_version()
