"""The workspace database: a SQLCipher 4 file, keyed with a passphrase, one process at a time.

Files are standard SQLCipher 4 (PBKDF2-HMAC-SHA512, 256,000 iterations, 4096-byte
pages), so any SQLCipher 4 client opens them with ``PRAGMA key`` alone.

Opening classifies a file before trusting it, and never changes a file it refuses:

* missing → WorkspaceNotFound; 0 bytes → EmptyFile; a plain SQLite file → PlainDatabase;
* page 1 does not decrypt: a whole number of pages → WrongPassphrase (a random file of
  that size cannot be told apart from a workspace with another passphrase), otherwise
  → NotAWorkspace;
* page 1 decrypts but the file is truncated, or any page fails its HMAC or SQLite's
  ``quick_check`` → WorkspaceDamaged. Every page is checked on each open: both checks
  are linear in the file size and cost a few milliseconds for a typical workspace;
* a decryptable database that is not ours (other ``application_id``) → NotAWorkspace;
* newer schema than this program knows → WorkspaceTooNew.

Every change is committed as it is made (autocommit, or one ``transaction()``); there
is no save step.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlcipher3

from saferyp_desktop.errors import (
    EmptyFile,
    FileAlreadyExists,
    NotAWorkspace,
    PlainDatabase,
    ReadOnlyLocation,
    UnsupportedCipher,
    UsageError,
    WorkspaceDamaged,
    WorkspaceInUse,
    WorkspaceNotFound,
    WorkspaceTooNew,
    WrongPassphrase,
)
from saferyp_desktop.storage import backups, migrations
from saferyp_desktop.storage._errors import (
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    from_os_error,
    from_sqlite_error,
    sqlite_code,
)
from saferyp_desktop.storage.atomic import fsync_dir, fsync_file, temp_path_for
from saferyp_desktop.storage.lock import WorkspaceLock

PAGE_SIZE = 4096
APPLICATION_ID = 0x53595044  # "SYPD": marks a SQLCipher database as a SaferYP workspace
_PLAIN_HEADER = b"SQLite format 3\x00"
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_BUSY_TIMEOUT_S = 1.0
_PROBE_LIMIT = 256 << 20

IntegrityError = sqlcipher3.IntegrityError
"""Raised by execute() when a constraint fails (a bug or a duplicate the caller must handle)."""

Params = Sequence[Any] | Mapping[str, Any]

_test_kdf_iter: int | None = None


def use_fast_kdf_for_tests(iterations: int | None) -> None:
    """TESTS ONLY: key new and opened files with ``iterations`` PBKDF2 rounds (None: default).

    Files made this way open only with the same setting. The product never calls this;
    its workspaces always use SQLCipher 4's default of 256,000 iterations.
    """
    global _test_kdf_iter
    _test_kdf_iter = None if iterations is None else int(iterations)


def _sql_string(text: str) -> str:
    """``text`` as a SQL string literal (a PRAGMA cannot take a bound parameter)."""
    return "'" + text.replace("'", "''") + "'"


def _check_new_passphrase(passphrase: str) -> None:
    # An empty key makes SQLCipher write an unencrypted file; NUL cannot go through SQL.
    if not passphrase:
        raise UsageError("The passphrase cannot be empty.")
    if "\x00" in passphrase:
        raise UsageError("The passphrase cannot contain a NUL character.")


def _mapped(exc: BaseException, folder: Path | None = None) -> BaseException:
    """The user-facing error for ``exc`` (about a file in ``folder``), else ``exc`` itself."""
    if isinstance(exc, sqlcipher3.Error):
        return from_sqlite_error(exc, folder) or exc
    if isinstance(exc, OSError):
        return from_os_error(exc) or exc
    return exc


@contextlib.contextmanager
def _user_errors(folder: Path | None = None) -> Iterator[None]:
    """Re-raise SQLite and OS failures the user can act on as SaferypErrors."""
    try:
        yield
    except (sqlcipher3.Error, OSError) as exc:
        mapped = _mapped(exc, folder)
        if mapped is exc:
            raise
        raise mapped from exc


def _keyed(path: Path, passphrase: str, create: bool = False) -> sqlcipher3.Connection:
    """A keyed connection that has not read anything yet (sqlcipher3 errors propagate)."""
    flags = sqlcipher3.SQLITE_OPEN_READWRITE
    if create:
        flags |= sqlcipher3.SQLITE_OPEN_CREATE
    # Any thread may use the connection; Database serialises them with its own lock.
    conn = sqlcipher3.connect(
        str(path),
        isolation_level=None,
        timeout=_BUSY_TIMEOUT_S,
        flags=flags,
        check_same_thread=False,
    )
    try:
        # The order matters and is fixed by the security model (DESIGN.md §5).
        conn.execute("PRAGMA cipher_log_level = NONE")  # nothing on stderr, ever
        conn.execute("PRAGMA cipher_memory_security = ON")
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not str(version[0]).startswith("4."):
            raise UnsupportedCipher()
        conn.execute(f"PRAGMA key = {_sql_string(passphrase)}")
        conn.execute("PRAGMA cipher_compatibility = 4")
        # After cipher_compatibility, which would reset it to the default.
        if _test_kdf_iter is not None:
            conn.execute(f"PRAGMA kdf_iter = {_test_kdf_iter}")
    except BaseException:
        conn.close()
        raise
    return conn


def _prove_key(conn: sqlcipher3.Connection) -> None:
    """The first read: it decrypts page 1, so it fails unless the key is right."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _connect(path: Path, passphrase: str, create: bool = False) -> sqlcipher3.Connection:
    """A keyed, configured connection whose first read has succeeded."""
    conn = _keyed(path, passphrase, create)
    try:
        _prove_key(conn)
        _configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: sqlcipher3.Connection) -> None:
    conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temporary files
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _page_one_decrypts(conn: sqlcipher3.Connection, size: int) -> bool:
    """Whether page 1 alone passes its HMAC check with this key."""
    if size > _PROBE_LIMIT:
        return False  # far bigger than any workspace; not worth reading every page
    rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    return not any(re.search(r"\bpage 1\b", str(row[0])) for row in rows)


def _classify_unreadable(conn: sqlcipher3.Connection, exc: sqlcipher3.Error, size: int) -> None:
    """Raise the error for a file whose first read failed with ``exc``, if it is one we know."""
    code = sqlite_code(exc)
    if code == SQLITE_NOTADB:
        if _page_one_decrypts(conn, size):
            raise WorkspaceDamaged() from None
        if size % PAGE_SIZE == 0:
            raise WrongPassphrase() from None
        raise NotAWorkspace() from None
    if code == SQLITE_CORRUPT:
        raise WorkspaceDamaged() from None


def _damage(conn: sqlcipher3.Connection, size: int) -> bool:
    """True if the file is not whole: truncated, a page fails its HMAC, or a b-tree is broken."""
    if size % PAGE_SIZE:
        return True
    if conn.execute("PRAGMA cipher_integrity_check").fetchall():
        return True
    try:
        return conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    except sqlcipher3.DatabaseError as exc:
        if sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return True
        raise


def _row_counts(conn: sqlcipher3.Connection) -> dict[str, int]:
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in tables}


def _workspace_version(conn: sqlcipher3.Connection) -> int:
    """The schema version of a SaferYP workspace; NotAWorkspace or WorkspaceTooNew otherwise."""
    if conn.execute("PRAGMA application_id").fetchone() != (APPLICATION_ID,):
        raise NotAWorkspace()
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > migrations.latest_version():
        raise WorkspaceTooNew()
    return int(version)


def _precreate(path: Path) -> None:
    """Create an empty, owner-only file for SQLite to fill (SQLite would make it 0644)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _remove_with_sidecars(path: Path) -> None:
    for name in (path, *(Path(f"{path}{s}") for s in _SIDE_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def _remove_stale_temps(workspace: Path) -> None:
    """Delete what a crash in create() or rekey() left beside the workspace (we hold its lock)."""
    pattern = re.compile(rf"^\.{re.escape(workspace.name)}\.[0-9a-f]{{16}}\.tmp$")
    for name in os.listdir(workspace.parent):
        if pattern.match(name):
            _remove_with_sidecars(workspace.parent / name)


def _remove_new_sidecars(path: Path, existed: set[str]) -> None:
    """Remove sidecar files that appeared during a refused open, unless they hold data."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return  # committed changes (e.g. a migration) still to fold in: SQLite will do it
    # We hold the lock, so any sidecar that was not there before is ours alone.
    for suffix in set(_SIDE_SUFFIXES) - existed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _link_new(temp: Path, target: Path) -> None:
    """Give ``temp`` the name ``target`` without ever replacing a file already there."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise FileAlreadyExists() from None
    except OSError:
        # File systems without hard links (FAT, some shares): rename after a last check.
        if os.path.lexists(target):
            raise FileAlreadyExists() from None
        os.rename(temp, target)


def _checkpoint_and_close(conn: sqlcipher3.Connection, path: Path) -> None:
    """Fold the WAL into the file and close; raise unless all of it went in.

    The file is then complete on its own, so it can be copied, linked or replaced.
    """
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    wal = Path(f"{path}-wal")
    if busy or (wal.exists() and wal.stat().st_size > 0):
        raise WorkspaceInUse()


class Database:
    """An open workspace. Use ``Database.create`` or ``Database.open``, and close it.

    Usable from any thread, one at a time: a transaction keeps other threads waiting
    until it ends.
    """

    def __init__(self, path: Path, conn: sqlcipher3.Connection, lock: WorkspaceLock) -> None:
        self._path = path
        self._conn: sqlcipher3.Connection | None = conn
        self._lock = lock
        self._depth = 0
        self._mutex = threading.RLock()

    # -- creating and opening ---------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], passphrase: str) -> Database:
        """Create a new workspace at ``path`` (never over an existing file) and open it.

        Raises FileAlreadyExists, ReadOnlyLocation, DiskFull or UsageError (empty
        passphrase). If creation fails, nothing is left at ``path``.
        """
        _check_new_passphrase(passphrase)
        if os.path.lexists(path):
            raise FileAlreadyExists()
        target = Path(path).resolve()
        if not target.parent.is_dir():
            raise ReadOnlyLocation("That folder does not exist; choose a folder you can save in.")
        lock = WorkspaceLock(target)
        try:
            if os.path.lexists(target):
                raise FileAlreadyExists()
            # Build the whole workspace under a temporary name, then link it into place:
            # a crash or a failure never leaves a half-made workspace at `target`.
            temp = temp_path_for(target)
            try:
                with _user_errors(target.parent):
                    _remove_stale_temps(target)
                    _precreate(temp)
                    conn = _connect(temp, passphrase, create=True)
                    try:
                        migrations.migrate(conn, 0)
                        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    except BaseException:
                        conn.close()
                        raise
                    _checkpoint_and_close(conn, temp)
                    fsync_file(temp)
                    _link_new(temp, target)
                    fsync_dir(target.parent)
            finally:
                _remove_with_sidecars(temp)
            return cls._open_locked(target, passphrase, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def open(cls, path: str | os.PathLike[str], passphrase: str) -> Database:
        """Open an existing workspace, migrating it (after a backup) if it is older.

        Raises WorkspaceNotFound, EmptyFile, PlainDatabase, NotAWorkspace,
        WrongPassphrase, WorkspaceDamaged, WorkspaceTooNew, WorkspaceInUse,
        ReadOnlyLocation or DiskFull. A refused file is left byte-for-byte as it was.
        """
        # Resolved, so the lock, temporary files and backups sit beside the real file.
        target = Path(path).resolve()
        if not target.exists():
            raise WorkspaceNotFound()
        if not target.is_file():
            raise NotAWorkspace()
        lock = WorkspaceLock(target)
        try:
            with _user_errors(target.parent):
                _remove_stale_temps(target)
            return cls._open_locked(target, passphrase, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_locked(cls, path: Path, passphrase: str, lock: WorkspaceLock) -> Database:
        # Opened for writing (without changing it) so a read-only file is refused now, not
        # at the first change: SQLite would quietly open it read-only.
        with _user_errors(path.parent), open(path, "r+b") as f:
            head = f.read(len(_PLAIN_HEADER))
            size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise EmptyFile()
        if head == _PLAIN_HEADER:
            raise PlainDatabase()
        if not passphrase or "\x00" in passphrase:
            raise WrongPassphrase()  # no workspace is ever keyed with these
        existed = {s for s in _SIDE_SUFFIXES if os.path.lexists(f"{path}{s}")}
        conn: sqlcipher3.Connection | None = None
        try:
            with _user_errors(path.parent):
                conn = _keyed(path, passphrase)
                try:
                    _prove_key(conn)
                except sqlcipher3.DatabaseError as exc:
                    _classify_unreadable(conn, exc, size)
                    raise
                # Refuse a foreign or newer file before _configure, which may write its header.
                version = _workspace_version(conn)
                _configure(conn)
                if _damage(conn, size):
                    raise WorkspaceDamaged()
                db = cls(path, conn, lock)
                if version < migrations.latest_version():
                    db.backup()
                    migrations.migrate(conn, version)
                return db
        except BaseException:
            if conn is not None:
                conn.close()  # SQLite normally removes the WAL and SHM files it made
            _remove_new_sidecars(path, existed)
            raise

    # -- running SQL --------------------------------------------------------
    def _user_errors(self) -> contextlib.AbstractContextManager[None]:
        return _user_errors(self._path.parent)

    def _require_open(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise RuntimeError("The workspace is closed.")
        return self._conn

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlcipher3.Connection]:
        """The open connection, for this thread alone, with user-facing errors."""
        with self._mutex:
            conn = self._require_open()
            with self._user_errors():
                yield conn

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        with self._using() as conn:
            return conn.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for each parameter row; return the number of rows changed."""
        with self._using() as conn:
            return conn.executemany(sql, rows).rowcount

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """All rows of a query."""
        with self._using() as conn:
            return conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        with self._using() as conn:
            cursor = conn.execute(sql, params)
            try:
                return cursor.fetchone()
            finally:
                cursor.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together, or not at all if an exception escapes.

        Nests: an inner transaction is a savepoint of the outer one.
        """
        with self._mutex:
            conn = self._require_open()
            depth = self._depth
            savepoint = f"sp{depth}"
            with self._user_errors():
                conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth = depth
                # SQLite may already have rolled back (e.g. on SQLITE_FULL).
                if conn.in_transaction:
                    with contextlib.suppress(sqlcipher3.Error):
                        if depth == 0:
                            conn.execute("ROLLBACK")
                        else:
                            conn.execute(f"ROLLBACK TO {savepoint}")
                            conn.execute(f"RELEASE {savepoint}")
                raise
            self._depth = depth
            try:
                with self._user_errors():
                    conn.execute("COMMIT" if depth == 0 else f"RELEASE {savepoint}")
            except BaseException:
                if depth == 0 and conn.in_transaction:
                    with contextlib.suppress(sqlcipher3.Error):
                        conn.execute("ROLLBACK")
                raise

    # -- facts -------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._path

    @property
    def schema_version(self) -> int:
        row = self.query_one("PRAGMA user_version")
        assert row is not None
        return int(row[0])

    def check(self) -> list[str]:
        """Every problem the integrity checks find (page HMACs, b-trees, foreign keys)."""
        problems: list[str] = []
        for pragma in ("cipher_integrity_check", "integrity_check", "foreign_key_check"):
            try:
                rows = self.query(f"PRAGMA {pragma}")
            except (sqlcipher3.DatabaseError, WorkspaceDamaged) as exc:
                problems.append(f"{pragma}: {exc.__cause__ or exc}")
                continue
            problems += [
                f"{pragma}: " + " ".join(str(v) for v in row) for row in rows if row != ("ok",)
            ]
        return problems

    # -- backups and passphrase -----------------------------------------------
    def backup(self, keep: int = backups.DEFAULT_KEEP) -> Path:
        """Write an encrypted copy to the backup folder (same passphrase); keep the newest."""
        with self._using() as conn:
            if conn.in_transaction:
                raise RuntimeError("Cannot back up inside a transaction.")
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise WorkspaceInUse()
            # Nobody else writes while we hold the lock and the mutex: the file is complete.
            data = self._path.read_bytes()
            return backups.write_backup(self._path, data, keep)

    def rekey(self, new_passphrase: str) -> None:
        """Change the passphrase. A crash at any moment leaves a workspace that opens with
        exactly one of the old and the new passphrase, with all its data.

        A backup (old passphrase) is made first. The workspace is copied, encrypted with
        the new passphrase, into a temporary file, which is checked, synced and then
        renamed over the workspace. If a failure comes after the old connection was
        closed, this Database stays closed (lock released): reopen the workspace.
        """
        _check_new_passphrase(new_passphrase)
        with self._mutex:
            conn = self._require_open()
            if conn.in_transaction:
                raise RuntimeError("Cannot change the passphrase inside a transaction.")
            self.backup()
            self._swap_in_rekeyed_copy(conn, new_passphrase)

    def _swap_in_rekeyed_copy(self, conn: sqlcipher3.Connection, new_passphrase: str) -> None:
        temp = temp_path_for(self._path)
        try:
            self._write_rekeyed_copy(conn, temp, new_passphrase)
            # From here on the file is swapped; the connection must not outlive the old file.
            self._conn = None
            with self._user_errors():
                _checkpoint_and_close(conn, self._path)
                os.replace(temp, self._path)
                fsync_dir(self._path.parent)
            reopened = Database._open_locked(self._path, new_passphrase, self._lock)
            self._conn, reopened._conn = reopened._conn, None
        except BaseException:
            if self._conn is None:
                self._lock.release()
            raise
        finally:
            _remove_with_sidecars(temp)

    def _write_rekeyed_copy(self, conn: sqlcipher3.Connection, temp: Path, passphrase: str) -> None:
        """Export the workspace into ``temp``, keyed with ``passphrase``; check and sync it."""
        with self._user_errors():
            _precreate(temp)
            conn.execute("ATTACH DATABASE ? AS fresh KEY ?", (str(temp), passphrase))
            try:
                conn.execute("PRAGMA fresh.cipher_compatibility = 4")
                if _test_kdf_iter is not None:
                    conn.execute(f"PRAGMA fresh.kdf_iter = {_test_kdf_iter}")
                conn.execute("SELECT sqlcipher_export('fresh')")
                for pragma in ("user_version", "application_id"):
                    (value,) = conn.execute(f"PRAGMA main.{pragma}").fetchone()
                    conn.execute(f"PRAGMA fresh.{pragma} = {int(value)}")
            finally:
                conn.execute("DETACH DATABASE fresh")
            expected = _row_counts(conn)
            copy = _connect(temp, passphrase)
            try:
                if _damage(copy, os.path.getsize(temp)) or _row_counts(copy) != expected:
                    raise WorkspaceDamaged(
                        "The passphrase was not changed: the new copy failed its check."
                    )
            finally:
                copy.close()
            fsync_file(temp)

    # -- closing -----------------------------------------------------------
    def close(self) -> None:
        """Fold the WAL into the file, close, and release the lock. Safe to call twice."""
        with self._mutex:
            conn, self._conn = self._conn, None
            try:
                if conn is not None:
                    with contextlib.suppress(sqlcipher3.Error):
                        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                    conn.close()
            finally:
                self._lock.release()

    @property
    def closed(self) -> bool:
        return self._conn is None

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
