"""Backups: exact encrypted copies beside the workspace, timestamp names, newest five kept."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from storage_support import listing, make_workspace

from saferyp_desktop import errors
from saferyp_desktop.storage.backups import backups_dir_for, list_backups, write_backup
from saferyp_desktop.storage.database import Database

PASS = "backup pass"


def _count_in_copy(backup: Path, tmp_path: Path, passphrase: str) -> int:
    """Open a copy of ``backup`` as a workspace and count its records."""
    copy = tmp_path / "restored" / "R.sypdb"
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(backup, copy)
    with Database.open(copy, passphrase) as db:
        row = db.query_one("SELECT count(*) FROM records")
    copy.unlink()
    return row[0] if row else -1


def test_backup_is_an_encrypted_copy_with_the_same_passphrase(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "Oak School.sypdb", PASS, rows=5)
    with Database.open(path, PASS) as db:
        # This row is only in the WAL until the backup checkpoints it.
        db.execute(
            "INSERT INTO records VALUES ('late', 'person', 'PL', '{}', 't', 't', NULL, NULL)"
        )
        backup = db.backup()
    assert backup.parent == tmp_path / "Oak School.sypdb-backups"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z\.sypdb", backup.name)  # nothing personal
    assert backup.stat().st_mode & 0o777 == 0o600
    assert backup.parent.stat().st_mode & 0o777 == 0o700
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    assert _count_in_copy(backup, tmp_path, PASS) == 6
    with pytest.raises(errors.WrongPassphrase):
        _count_in_copy(backup, tmp_path, "other")
    assert list_backups(path) == [backup]


def test_backups_rotate_keeping_the_newest(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS, rows=1)
    made = []
    with Database.open(path, PASS) as db:
        for i in range(7):
            db.execute("INSERT INTO meta VALUES (?, 'v')", (f"k{i}",))
            made.append(db.backup())
    kept = list_backups(path)
    assert kept == made[2:]  # oldest first; same-second names sort by their -N suffix
    assert len(listing(backups_dir_for(path))) == 5
    with Database.open(tmp_path / "W.sypdb", PASS) as db:
        assert db.query_one("SELECT count(*) FROM meta") == (7,)


def test_names_within_one_second_and_stale_temporaries(tmp_path: Path) -> None:
    workspace = tmp_path / "W.sypdb"
    folder = backups_dir_for(workspace)
    folder.mkdir()
    stale = folder / ".2026-01-01T000000Z.sypdb.0123456789abcdef.tmp"  # from a crash
    stale.write_bytes(b"x")
    when = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    names = [write_backup(workspace, b"%d" % i, keep=3, now=when).name for i in range(4)]
    assert names == [
        "2026-11-26T143000Z.sypdb",
        "2026-11-26T143000Z-1.sypdb",
        "2026-11-26T143000Z-2.sypdb",
        "2026-11-26T143000Z-3.sypdb",
    ]
    assert [p.read_bytes() for p in list_backups(workspace)] == [b"1", b"2", b"3"]
    assert not stale.exists()


def test_no_backups_yet(tmp_path: Path) -> None:
    assert list_backups(tmp_path / "W.sypdb") == []
