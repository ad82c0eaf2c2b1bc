"""The workspace database: creating, opening, refusing bad files, transactions, checks."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3
from storage_support import (
    immutable_file,
    listing,
    make_workspace,
    read_only_folder,
    run_child,
    sha256,
    start_child,
    tiny_filesystem,
)

from saferyp_desktop import errors
from saferyp_desktop.storage import database, migrations
from saferyp_desktop.storage.database import PAGE_SIZE, Database

PASS = "correct horse 'battery' \"staple\" ; -- é"

SCHEMA = {
    ("table", "meta"),
    ("table", "records"),
    ("table", "links"),
    ("table", "evidence"),
    ("table", "audit"),
    ("table", "secrets"),
    ("table", "sqlite_sequence"),
    ("index", "records_kind"),
    ("index", "links_a"),
    ("index", "links_b"),
    ("index", "evidence_record"),
    ("index", "evidence_link"),
    # migration 2: bundle exchange
    ("table", "submissions"),
    ("table", "trusted_senders"),
    ("index", "submissions_sender"),
    ("index", "submissions_superseded_by"),
    # migration 3: the chair's match decisions; a school's actions imported from outcomes
    ("table", "match_decisions"),
    ("table", "outcome_actions"),
}


def _raw(path: Path, passphrase: str, kdf: int | None) -> sqlcipher3.Connection:
    """A plain sqlcipher3 connection keyed the standard way (no SaferYP code)."""
    conn = sqlcipher3.connect(str(path))
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
    if kdf is not None:
        conn.execute(f"PRAGMA kdf_iter = {kdf}")
    return conn


# -- creating ----------------------------------------------------------------


def test_create_makes_the_schema_with_the_security_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "School.sypdb"
    with Database.create(path, PASS) as db:
        assert db.path == path
        assert db.schema_version == migrations.latest_version() == 3
        names = db.query("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_auto%'")
        assert set(names) == SCHEMA
        assert db.query_one("PRAGMA journal_mode") == ("wal",)
        assert db.query_one("PRAGMA foreign_keys") == (1,)
        assert db.query_one("PRAGMA synchronous") == (2,)  # FULL
        assert db.query_one("PRAGMA temp_store") == (2,)  # MEMORY
        assert db.query_one("PRAGMA cipher_page_size") == ("4096",)
        assert db.check() == []
    assert (path.stat().st_mode & 0o777) == 0o600
    assert listing(tmp_path) == ["School.sypdb"]  # no lock, WAL, SHM or temporary file left


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(b"not a workspace"),
        lambda p: p.mkdir(),
        lambda p: p.symlink_to(p.parent / "nowhere"),
        lambda p: make_workspace(p, "other"),
    ],
    ids=["empty", "foreign", "directory", "dangling-symlink", "workspace"],
)
def test_create_never_replaces_an_existing_file(
    tmp_path: Path, make: Callable[[Path], object]
) -> None:
    path = tmp_path / "School.sypdb"
    make(path)
    before = sha256(path) if path.is_file() else None
    names = listing(tmp_path)
    with pytest.raises(errors.FileAlreadyExists):
        Database.create(path, PASS)
    assert (sha256(path) if path.is_file() else None) == before
    assert listing(tmp_path) == names


def test_create_refuses_an_empty_passphrase(tmp_path: Path) -> None:
    # SQLCipher would write an unencrypted file for an empty key.
    with pytest.raises(errors.UsageError):
        Database.create(tmp_path / "W.sypdb", "")
    assert listing(tmp_path) == []


def test_create_in_a_read_only_folder_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only_folder(folder), pytest.raises(errors.ReadOnlyLocation):
        Database.create(folder / "W.sypdb", PASS)
    assert listing(folder) == []


def test_create_in_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(errors.ReadOnlyLocation):
        Database.create(tmp_path / "nope" / "W.sypdb", PASS)


def test_create_on_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "tiny", "32k") as folder:
        with pytest.raises(errors.DiskFull):
            Database.create(folder / "W.sypdb", PASS)
        assert listing(folder) == []


def test_real_kdf_file_opens_with_plain_sqlcipher_and_key_only(
    tmp_path: Path, real_kdf: None, record_property: Callable[[str, object], None]
) -> None:
    path = tmp_path / "W.sypdb"
    started = time.perf_counter()
    make_workspace(path, PASS, rows=3)
    created = time.perf_counter()
    with Database.open(path, PASS) as db:
        opened = time.perf_counter()
        assert db.query_one("SELECT count(*) FROM records") == (3,)
    record_property("create_s", round(created - started, 3))
    record_property("open_s", round(opened - created, 3))

    conn = _raw(path, PASS, kdf=None)  # standard SQLCipher 4: PRAGMA key and nothing else
    try:
        assert conn.execute("SELECT count(*) FROM records").fetchone() == (3,)
        assert conn.execute("PRAGMA kdf_iter").fetchone() == ("256000",)
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        conn.close()


def test_fast_kdf_really_changes_the_key_derivation(tmp_path: Path, fast_kdf: int) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS, rows=1)
    conn = _raw(path, PASS, kdf=None)
    try:
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM records")
    finally:
        conn.close()
    conn = _raw(path, PASS, kdf=fast_kdf)
    try:
        assert conn.execute("SELECT count(*) FROM records").fetchone() == (1,)
    finally:
        conn.close()


# -- refusing bad files ----------------------------------------------------------


def _flip_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


def _plain_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _foreign_sqlcipher(path: Path) -> None:
    """Encrypted with the right passphrase, but made by another program."""
    conn = _raw(path, PASS, kdf=64)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _from_workspace(cut: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        make_workspace(path, PASS)
        path.write_bytes(cut(path.read_bytes()))

    return make


BAD_FILES: dict[str, tuple[Callable[[Path], object], str, type[errors.SaferypError]]] = {
    "missing": (lambda p: None, PASS, errors.WorkspaceNotFound),
    "directory": (lambda p: p.mkdir(), PASS, errors.NotAWorkspace),
    "empty": (lambda p: p.write_bytes(b""), PASS, errors.EmptyFile),
    "plain-sqlite": (_plain_sqlite, PASS, errors.PlainDatabase),
    "random": (lambda p: p.write_bytes(os.urandom(10_000)), PASS, errors.NotAWorkspace),
    "short": (_from_workspace(lambda b: b[:1000]), PASS, errors.NotAWorkspace),
    # Indistinguishable from a workspace keyed with another passphrase: documented.
    "random-whole-pages": (lambda p: p.write_bytes(os.urandom(8192)), PASS, errors.WrongPassphrase),
    "wrong-passphrase": (_from_workspace(lambda b: b), "not it", errors.WrongPassphrase),
    "empty-passphrase": (_from_workspace(lambda b: b), "", errors.WrongPassphrase),
    "truncated-mid-page": (
        _from_workspace(lambda b: b[: 3 * PAGE_SIZE + 100]),
        PASS,
        errors.WorkspaceDamaged,
    ),
    "truncated-at-page": (
        _from_workspace(lambda b: b[: 3 * PAGE_SIZE]),
        PASS,
        errors.WorkspaceDamaged,
    ),
    "corrupted-last-page": (
        _from_workspace(lambda b: _flip_byte(b, len(b) - PAGE_SIZE // 2)),
        PASS,
        errors.WorkspaceDamaged,
    ),
    "foreign-sqlcipher": (_foreign_sqlcipher, PASS, errors.NotAWorkspace),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_untouched_and_silently(
    tmp_path: Path, case: str, fast_kdf: int
) -> None:
    make, passphrase, expected = BAD_FILES[case]
    path = tmp_path / "W.sypdb"
    make(path)
    before = sha256(path) if path.is_file() else None
    names = listing(tmp_path)

    with pytest.raises(expected) as caught:
        Database.open(path, passphrase)
    assert type(caught.value) is expected
    assert str(caught.value) == expected.default_message

    # Again in a fresh process, to see everything SQLCipher writes to fd 2.
    done = run_child(
        "try:\n"
        "    Database.open(sys.argv[1], os.environ['SYP_PASS']).close()\n"
        "except SaferypError as e:\n"
        "    print(type(e).__name__)\n",
        str(path),
        kdf=fast_kdf,
        SYP_PASS=passphrase,
    )
    assert (done.stdout.strip(), done.stderr) == (expected.__name__, "")
    assert (sha256(path) if path.is_file() else None) == before
    assert listing(tmp_path) == names  # no lock, WAL or SHM file left behind


def test_corruption_while_open_is_reported_by_check(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS)
    with Database.open(path, PASS) as db:
        assert db.check() == []
        size = path.stat().st_size
        with open(path, "r+b") as f:  # damage the last page on disk behind SQLite's back
            f.seek(size - PAGE_SIZE // 2)
            f.write(b"\x00" * 16)
        problems = db.check()
        assert any("cipher_integrity_check" in p for p in problems)


def test_check_reports_broken_foreign_keys(tmp_path: Path) -> None:
    with Database.create(tmp_path / "W.sypdb", PASS) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("INSERT INTO links VALUES ('l1', 'a', 'b', '{}', 't', 't', NULL, NULL)")
        db.execute("PRAGMA foreign_keys = ON")
        assert [p for p in db.check() if p.startswith("foreign_key_check")]


# -- one process at a time ---------------------------------------------------------


def test_second_open_in_the_same_process_is_refused(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS)
    with Database.open(path, PASS):
        with pytest.raises(errors.WorkspaceInUse):
            Database.open(path, PASS)
        with pytest.raises(errors.WorkspaceInUse):
            Database.open(path, "even a wrong passphrase")
    with Database.open(path, PASS) as db:  # released on close
        assert db.query_one("SELECT count(*) FROM records") == (40,)


def test_second_process_is_refused(tmp_path: Path, fast_kdf: int) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS)
    holder = start_child(
        "db = Database.open(sys.argv[1], os.environ['SYP_PASS'])\n"
        "print('open', flush=True)\n"
        "sys.stdin.read()\n",
        str(path),
        kdf=fast_kdf,
        SYP_PASS=PASS,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(errors.WorkspaceInUse):
            Database.open(path, PASS)
        done = run_child(
            "try:\n"
            "    Database.open(sys.argv[1], os.environ['SYP_PASS'])\n"
            "except SaferypError as e:\n"
            "    print(type(e).__name__)\n",
            str(path),
            kdf=fast_kdf,
            SYP_PASS=PASS,
        )
        assert (done.stdout.strip(), done.stderr) == ("WorkspaceInUse", "")
    finally:
        holder.kill()
        holder.communicate()
    with Database.open(path, PASS) as db:  # the OS released the dead process's lock
        assert db.check() == []


# -- read-only and full ---------------------------------------------------------------


def test_open_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = make_workspace(folder / "W.sypdb", PASS)
    before = sha256(path)
    with read_only_folder(folder), pytest.raises(errors.ReadOnlyLocation):
        Database.open(path, PASS)
    assert sha256(path) == before
    assert listing(folder) == ["W.sypdb"]


def test_open_a_read_only_file(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "W.sypdb", PASS)
    before = sha256(path)
    with immutable_file(path), pytest.raises(errors.ReadOnlyLocation):
        Database.open(path, PASS)
    assert sha256(path) == before
    assert listing(tmp_path) == ["W.sypdb"]


def test_disk_full_rolls_back_and_the_workspace_stays_usable(tmp_path: Path) -> None:
    with Database.create(tmp_path / "W.sypdb", PASS) as db:
        db.execute("INSERT INTO meta VALUES ('a', '1')")
        (pages,) = db.query_one("PRAGMA page_count") or (0,)
        db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, for real
        with pytest.raises(errors.DiskFull), db.transaction():
            db.execute("INSERT INTO meta VALUES ('b', '2')")
            db.execute("INSERT INTO meta VALUES ('big', ?)", ("x" * 100_000,))
        with pytest.raises(errors.DiskFull):
            db.execute("INSERT INTO meta VALUES ('big', ?)", ("x" * 100_000,))
        assert db.query("SELECT key FROM meta") == [("a",)]
        db.execute("INSERT INTO meta VALUES ('c', '3')")
        assert db.check() == []


# -- running SQL ----------------------------------------------------------------------


def test_transactions_commit_roll_back_and_nest(tmp_path: Path) -> None:
    path = tmp_path / "W.sypdb"
    with Database.create(path, PASS) as db:
        with db.transaction():
            db.execute("INSERT INTO meta VALUES ('a', '1')")
            with pytest.raises(ValueError), db.transaction():
                db.execute("INSERT INTO meta VALUES ('b', '2')")
                raise ValueError
            db.execute("INSERT INTO meta VALUES ('c', '3')")
        with pytest.raises(ValueError), db.transaction():
            db.execute("INSERT INTO meta VALUES ('d', '4')")
            raise ValueError
        assert db.query("SELECT key FROM meta ORDER BY key") == [("a",), ("c",)]
        assert db.query_one("SELECT value FROM meta WHERE key = ?", ("zz",)) is None
        assert db.executemany("INSERT INTO meta VALUES (?, ?)", [("e", "5"), ("f", "6")]) == 2
        assert db.execute("UPDATE meta SET value = 'x'") == 4
        with pytest.raises(database.IntegrityError):
            db.execute("INSERT INTO meta VALUES ('a', '1')")
    with Database.open(path, PASS) as db:  # committed as made, no save step
        assert db.query("SELECT key, value FROM meta ORDER BY key")[0] == ("a", "x")


def test_close_twice_and_use_after_close(tmp_path: Path) -> None:
    db = Database.create(tmp_path / "W.sypdb", PASS)
    db.close()
    db.close()
    assert db.closed
    with pytest.raises(RuntimeError):
        db.query("SELECT 1")
    assert listing(tmp_path) == ["W.sypdb"]


def test_threads_take_turns_and_transactions_stay_whole(tmp_path: Path) -> None:
    with Database.create(tmp_path / "W.sypdb", PASS) as db:

        def writer(name: str) -> None:
            for i in range(50):
                with db.transaction():
                    db.execute("INSERT INTO meta VALUES (?, 'a')", (f"{name}{i}",))
                    db.execute("UPDATE meta SET value = 'b' WHERE key = ?", (f"{name}{i}",))

        threads = [threading.Thread(target=writer, args=(n,)) for n in "xyz"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert db.query("SELECT value, count(*) FROM meta GROUP BY value") == [("b", 150)]


def test_a_symlinked_workspace_is_locked_at_its_real_path(tmp_path: Path) -> None:
    real = make_workspace(tmp_path / "W.sypdb", PASS)
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "Alias.sypdb"
    link.symlink_to(real)
    with Database.open(link, PASS) as db:
        assert db.path == real
        with pytest.raises(errors.WorkspaceInUse):
            Database.open(real, PASS)
    assert listing(tmp_path / "links") == ["Alias.sypdb"]
