"""WorkspaceLock: one holder at a time, across and within processes; nothing personal on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_support import listing, read_only_folder, start_child

from saferyp_desktop import errors
from saferyp_desktop.storage.lock import WorkspaceLock


def test_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "W.sypdb"
    with WorkspaceLock(workspace) as lock:
        assert lock.held
        assert lock.path == tmp_path / "W.sypdb.lock"
        assert lock.path.read_bytes() == b""  # holds nothing
        with pytest.raises(errors.WorkspaceInUse):
            WorkspaceLock(workspace)
    assert not lock.held
    assert listing(tmp_path) == []  # removed on release
    WorkspaceLock(workspace).release()  # and free again
    lock.release()  # releasing twice is harmless


def test_lock_held_by_another_process_until_it_dies(tmp_path: Path) -> None:
    workspace = tmp_path / "W.sypdb"
    holder = start_child(
        "from saferyp_desktop.storage.lock import WorkspaceLock\n"
        "lock = WorkspaceLock(sys.argv[1])\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n",
        str(workspace),
        kdf=None,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(errors.WorkspaceInUse):
            WorkspaceLock(workspace)
    finally:
        holder.kill()  # SIGKILL: no chance to release
        _, stderr = holder.communicate()
    assert stderr == ""
    assert listing(tmp_path) == ["W.sypdb.lock"]  # left behind by the dead process...
    with WorkspaceLock(workspace):  # ...but the OS released its lock
        pass


def test_lock_in_a_read_only_folder(tmp_path: Path) -> None:
    with read_only_folder(tmp_path), pytest.raises(errors.ReadOnlyLocation):
        WorkspaceLock(tmp_path / "W.sypdb")
