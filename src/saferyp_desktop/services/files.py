"""Files the desktop program writes for the user (diagram images, key cards)."""

from __future__ import annotations

from pathlib import Path

from saferyp_desktop.storage.atomic import write_atomic


def save_file(path: Path, data: bytes, *, shareable: bool = False) -> None:
    """Write ``data`` to ``path`` atomically: all of it or, on any failure, the old file.

    Private by default (readable by the user alone); ``shareable`` files such as key
    cards and exported images are readable by others too.
    """
    write_atomic(Path(path), data, mode=0o644 if shareable else 0o600)
