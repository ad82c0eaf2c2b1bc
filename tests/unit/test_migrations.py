"""Migrations: ordered on user_version, backup first, atomic, and newer files refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3
from storage_support import listing, make_workspace, sha256

from saferyp_desktop import errors
from saferyp_desktop.storage import migrations
from saferyp_desktop.storage.backups import list_backups
from saferyp_desktop.storage.database import Database

PASS = "migrate me"


def _raw_version(path: Path, kdf: int) -> int:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = '{PASS}'")
        conn.execute(f"PRAGMA kdf_iter = {kdf}")
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _add_column(conn: sqlcipher3.Connection) -> None:
    conn.execute("ALTER TABLE records ADD COLUMN colour TEXT")


def _half_then_fail(conn: sqlcipher3.Connection) -> None:
    conn.execute("CREATE TABLE extra (x)")
    raise RuntimeError("migration bug")


def test_new_workspace_is_at_the_latest_version(tmp_path: Path) -> None:
    with Database.create(tmp_path / "W.sypdb", PASS) as db:
        assert db.schema_version == migrations.latest_version() == 3
    assert list_backups(tmp_path / "W.sypdb") == []  # nothing to back up when new


def test_older_workspace_is_backed_up_then_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_kdf: int
) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS, rows=3)
    current = migrations.latest_version()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _add_column])
    with Database.open(path, PASS) as db:
        assert db.schema_version == current + 1
        assert db.query_one("SELECT count(colour), count(*) FROM records") == (0, 3)
    (backup,) = list_backups(path)
    assert _raw_version(backup, fast_kdf) == current  # the backup is the file before migrating
    with Database.open(path, PASS) as db:  # already current: no second backup
        assert db.schema_version == current + 1
    assert len(list_backups(path)) == 1


def test_failing_migration_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_kdf: int
) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS, rows=3)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _half_then_fail])
    with pytest.raises(RuntimeError, match="migration bug"):
        Database.open(path, PASS)
    assert len(list_backups(path)) == 1
    assert listing(tmp_path) == ["W.sypdb", "W.sypdb-backups"]  # lock released, WAL folded
    monkeypatch.undo()
    with Database.open(path, PASS) as db:
        assert db.schema_version == migrations.latest_version()
        assert db.query_one("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == (0,)
        assert db.query_one("SELECT count(*) FROM records") == (3,)
        assert db.check() == []


def test_newer_workspace_is_refused_untouched(tmp_path: Path, fast_kdf: int) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS, rows=3)
    with Database.open(path, PASS) as db:
        db.execute("PRAGMA user_version = 99")
    before = sha256(path)
    with pytest.raises(errors.WorkspaceTooNew) as caught:
        Database.open(path, PASS)
    assert str(caught.value) == errors.WorkspaceTooNew.default_message
    assert sha256(path) == before
    assert listing(tmp_path) == ["W.sypdb"]  # no backup, lock, WAL or SHM
    assert _raw_version(path, fast_kdf) == 99
