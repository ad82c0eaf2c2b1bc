"""Turning OS and SQLite failures into the errors a user can act on (saferyp_desktop.errors)."""

from __future__ import annotations

import errno
import os
import shutil

from saferyp_desktop.errors import (
    DiskFull,
    ReadOnlyLocation,
    SaferypError,
    WorkspaceDamaged,
    WorkspaceInUse,
)

_READ_ONLY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}

# Primary SQLite result codes (the low byte of an extended code).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_CORRUPT = 11
SQLITE_IOERR = 10
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def from_os_error(exc: OSError) -> SaferypError | None:
    """The user-facing error for a failed file operation, or None if it is not one we know."""
    if exc.errno in _FULL_ERRNOS:
        return DiskFull()
    if exc.errno in _READ_ONLY_ERRNOS:
        return ReadOnlyLocation()
    return None


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code carried by a sqlcipher3 error, if any."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


# SQLite reports some out-of-space failures (growing the -shm file, syncing) as a bare
# I/O error; below this much free space we call it what it most likely is.
_NEARLY_FULL_BYTES = 1 << 20


def _nearly_full(folder: str | os.PathLike[str]) -> bool:
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


def from_sqlite_error(
    exc: BaseException, folder: str | os.PathLike[str] | None = None
) -> SaferypError | None:
    """The user-facing error for a failed SQLite call on a file in ``folder``, or None."""
    code = sqlite_code(exc)
    if code == SQLITE_FULL or (
        code == SQLITE_IOERR and folder is not None and _nearly_full(folder)
    ):
        return DiskFull()
    if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM):
        return ReadOnlyLocation()
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return WorkspaceInUse()
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return WorkspaceDamaged()
    return None
