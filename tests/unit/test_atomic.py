"""write_atomic: the new bytes or the old ones, owner-only, and no temporary file left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from storage_support import listing, read_only_folder, tiny_filesystem

from saferyp_desktop import errors
from saferyp_desktop.storage.atomic import write_atomic


def test_writes_and_replaces_with_the_requested_mode(tmp_path: Path) -> None:
    path = tmp_path / "card.sypkey"
    old_umask = os.umask(0)
    try:
        write_atomic(path, b"one")
        assert path.read_bytes() == b"one"
        assert path.stat().st_mode & 0o777 == 0o600
        write_atomic(path, b"two", mode=0o644)
        assert path.read_bytes() == b"two"
        assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old_umask)
    assert listing(tmp_path) == ["card.sypkey"]


def test_read_only_folder_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    write_atomic(path, b"old")
    with read_only_folder(tmp_path), pytest.raises(errors.ReadOnlyLocation):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert listing(tmp_path) == ["f"]


def test_full_disk_keeps_the_old_file(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "tiny", "64k") as folder:
        path = folder / "f"
        write_atomic(path, b"old")
        with pytest.raises(errors.DiskFull):
            write_atomic(path, os.urandom(256 * 1024))
        assert path.read_bytes() == b"old"
        assert listing(folder) == ["f"]
