"""Files the program writes for the user (diagram images, key cards, PDFs)."""

from __future__ import annotations

from pathlib import Path

from saferyp_desktop.errors import UsageError
from saferyp_desktop.storage.atomic import write_atomic

# A workspace and what SQLite and the program keep beside it.
_WORKSPACE_ENDINGS = (".sypdb", ".sypdb-wal", ".sypdb-shm", ".sypdb-journal", ".sypdb.lock")


def refuse_workspace_files(path: Path, what: str = "file") -> None:
    """Refuse to write an export over any workspace, its side files or its backups."""
    name = Path(path).name.lower()
    parent = Path(path).resolve().parent.name.lower()
    if name.endswith(_WORKSPACE_ENDINGS) or parent.endswith(".sypdb-backups"):
        raise UsageError(
            f"A {what} cannot be written over a workspace or its own files; choose another name."
        )


def save_file(path: Path, data: bytes, *, shareable: bool = False, what: str = "file") -> None:
    """Write ``data`` to ``path`` atomically: all of it or, on any failure, the old file.

    Never over a workspace (``.sypdb``) or the files beside it. Private by default
    (readable by the user alone); ``shareable`` files such as key cards are readable by
    others too.
    """
    refuse_workspace_files(Path(path), what)
    write_atomic(Path(path), data, mode=0o644 if shareable else 0o600)
