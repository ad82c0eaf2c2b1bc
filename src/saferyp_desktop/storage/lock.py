"""One process at a time per workspace: an exclusive OS lock on ``<workspace>.lock``.

The lock file holds nothing (its name is the workspace's, which the user chose). The
OS releases the lock when the process ends, however it ends, so a stale lock file left
by a crash never blocks anyone. The file is removed when the lock is released.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from saferyp_desktop.errors import WorkspaceInUse
from saferyp_desktop.storage._errors import from_os_error

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks bytes from the current position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        # flock (not fcntl/lockf) so that a second lock in the same process also conflicts.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path_for(workspace: Path) -> Path:
    """The sidecar lock file of a workspace: ``Name.sypdb.lock``."""
    return workspace.with_name(workspace.name + ".lock")


class WorkspaceLock:
    """An exclusive, non-blocking lock on a workspace, held until ``release()``.

    Raises WorkspaceInUse if another process (or another WorkspaceLock in this one)
    holds it, and ReadOnlyLocation or DiskFull if the lock file cannot be made.
    """

    def __init__(self, workspace: str | os.PathLike[str]) -> None:
        self.path = lock_path_for(Path(workspace))
        self._fd: int | None = None
        self._acquire()

    def _acquire(self) -> None:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                mapped = from_os_error(exc)
                if mapped is None:
                    raise
                raise mapped from exc
            if not _try_lock(fd):
                os.close(fd)
                raise WorkspaceInUse()
            # Another process may have removed the file between our open and our lock
            # (it releases by unlinking while still locked); then we locked an orphan.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return
            _unlock(fd)
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Release the lock and remove the lock file. Safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if os.name == "nt":  # pragma: no cover - Windows cannot unlink an open file
            _unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            return
        # Unlink while still holding the lock, so nobody can lock this file afterwards.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(fd)

    def __enter__(self) -> WorkspaceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
