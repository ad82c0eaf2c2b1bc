"""Writing files so that a crash leaves either the old file or the new one, never a mix."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from saferyp_desktop.storage._errors import from_os_error

_POSIX = os.name == "posix"


def temp_path_for(path: Path) -> Path:
    """A hidden, unique temporary name in ``path``'s folder (same file system, so replace works)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")


def fsync_dir(folder: Path) -> None:
    """Make a rename or deletion in ``folder`` durable (POSIX; Windows has no directory fsync)."""
    if not _POSIX:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file that another library wrote (e.g. SQLite) to the disk."""
    fd = os.open(path, os.O_RDONLY if _POSIX else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically and durably; the file gets ``mode``.

    Raises DiskFull or ReadOnlyLocation when the folder cannot take the file; the
    previous content of ``path`` (if any) is then untouched and no temporary file stays.
    """
    target = Path(path)
    temp = temp_path_for(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        # Created with the final, restrictive mode so the bytes are never readable by others.
        fd = os.open(temp, flags, mode)
        try:
            if _POSIX:
                os.fchmod(fd, mode)  # the umask may have narrowed it; set exactly what was asked
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        mapped = from_os_error(exc)
        if mapped is None:
            raise
        raise mapped from exc
