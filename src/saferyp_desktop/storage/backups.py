"""Rotating encrypted backups beside a workspace, in ``Name.sypdb-backups/``.

A backup is a byte-for-byte copy of the checkpointed workspace, so it opens with the
same passphrase the workspace had when the copy was made. Backup names are UTC
timestamps only (``2026-11-26T143000Z.sypdb``), with ``-1``, ``-2``... if several are
made within one second: nothing personal appears in the folder.
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from saferyp_desktop.storage._errors import from_os_error
from saferyp_desktop.storage.atomic import fsync_dir, write_atomic

DEFAULT_KEEP = 5

_STAMP_FORMAT = "%Y-%m-%dT%H%M%SZ"
_BACKUP_NAME = re.compile(r"^(\d{4}-\d\d-\d\dT\d{6}Z)(?:-(\d+))?\.sypdb$")
_STALE_TEMP = re.compile(r"^\..*\.[0-9a-f]{16}\.tmp$")


def backups_dir_for(workspace: str | os.PathLike[str]) -> Path:
    """The backup folder of a workspace: ``Name.sypdb-backups`` beside it."""
    path = Path(workspace)
    return path.with_name(path.name + "-backups")


def _sort_key(path: Path) -> tuple[str, int]:
    match = _BACKUP_NAME.match(path.name)
    assert match is not None
    return match.group(1), int(match.group(2) or 0)


def list_backups(workspace: str | os.PathLike[str]) -> list[Path]:
    """The workspace's backups, oldest first (empty if there are none)."""
    folder = backups_dir_for(workspace)
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted((folder / n for n in names if _BACKUP_NAME.match(n)), key=_sort_key)


def write_backup(
    workspace: str | os.PathLike[str],
    data: bytes,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
) -> Path:
    """Store ``data`` (the encrypted workspace bytes) as a new backup, keep the newest ``keep``.

    Returns the new backup's path. Raises DiskFull or ReadOnlyLocation if it cannot be
    written; older backups are then untouched.
    """
    folder = backups_dir_for(workspace)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        mapped = from_os_error(exc)
        if mapped is None:
            raise
        raise mapped from exc
    stamp = (now or datetime.now(UTC)).strftime(_STAMP_FORMAT)
    # Number after the newest of this second, even if older ones were rotated away.
    same_second = [n for s, n in map(_sort_key, list_backups(workspace)) if s == stamp]
    n = max(same_second) + 1 if same_second else 0
    target = folder / (f"{stamp}-{n}.sypdb" if n else f"{stamp}.sypdb")
    write_atomic(target, data)
    _rotate(folder, list_backups(workspace), keep)
    return target


def _rotate(folder: Path, backups: list[Path], keep: int) -> None:
    """Delete all but the newest ``keep`` backups, and temporary files a crash left behind."""
    doomed = backups[: max(len(backups) - keep, 0)]
    doomed += [folder / n for n in os.listdir(folder) if _STALE_TEMP.match(n)]
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if doomed:
        fsync_dir(folder)
