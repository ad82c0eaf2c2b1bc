"""Opening a workspace without freezing the window.

Unlocking derives the key from the passphrase (PBKDF2, a quarter of a second or
so) and loads the mapping table; creating a workspace derives a key twice.
:class:`WorkspaceOpener` runs that on a worker thread and hands the open
:class:`Workspace` to the GUI thread by a queued signal. From then on only the GUI
thread uses it: the storage layer opens its connection with
``check_same_thread=False`` for exactly this hand-over.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from saferyp_desktop.errors import SaferypError

if TYPE_CHECKING:
    from saferyp_desktop.services.workspace import Workspace

log = logging.getLogger(__name__)

Job = Callable[[], "Workspace"]


def _emit(signal, *args) -> bool:
    """Emit from the worker thread; False if the receiving side has been deleted."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted"
        return False
    return True


class _Relay(QObject):
    """Carries results from the worker thread to the GUI thread (queued signals)."""

    opened = Signal(object)  # _Run
    failed = Signal(object, object)  # _Run, exception


class _Run:
    """One job's hand-over: the workspace waits here until the GUI thread takes it.

    If the opener is shut down first (its dialog closed), whoever comes second closes
    the workspace, so its file lock is never left held.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workspace: Workspace | None = None
        self.abandoned = False

    def offer(self, workspace: Workspace) -> bool:
        """Worker: leave the workspace for the GUI thread; False if nobody will take it."""
        with self._lock:
            if self.abandoned:
                return False
            self._workspace = workspace
            return True

    def take(self) -> Workspace | None:
        with self._lock:
            workspace, self._workspace = self._workspace, None
            return workspace

    def abandon(self) -> None:
        with self._lock:
            self.abandoned = True
            workspace, self._workspace = self._workspace, None
        if workspace is not None:
            workspace.close()


class WorkspaceOpener(QObject):
    """Runs one job at a time that returns an open Workspace; reports by signal.

    ``opened(workspace)`` comes on the GUI thread; ``failed(error)`` with the
    exception (a SaferypError for anything a user can act on). ``shutdown()``
    abandons a running job: the workspace it opens is closed unseen.
    """

    opened = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.opened.connect(self._on_opened, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._run: _Run | None = None

    @property
    def busy(self) -> bool:
        return self._run is not None

    def start(self, job: Job) -> None:
        """Run ``job`` on a worker thread."""
        if self._run is not None:
            raise RuntimeError("A workspace is already being opened.")
        run = _Run()
        self._run = run
        relay = self._relay

        def work() -> None:
            try:
                workspace = job()
            except BaseException as exc:  # reported to the GUI thread
                _emit(relay.failed, run, exc)
                return
            if not run.offer(workspace) or not _emit(relay.opened, run):
                run.abandon()
                workspace.close()  # nobody is left to take it (closing twice is safe)

        threading.Thread(target=work, name="saferyp-open", daemon=True).start()

    def shutdown(self) -> None:
        """Abandon the running job, if any: what it opens is closed and never reported."""
        run, self._run = self._run, None
        if run is not None:
            run.abandon()

    def _on_opened(self, run: _Run) -> None:
        workspace = run.take()
        if run is not self._run or workspace is None:
            return  # abandoned: closed by abandon() or by the worker
        self._run = None
        self.opened.emit(workspace)

    def _on_failed(self, run: _Run, exc: BaseException) -> None:
        if run is self._run:
            self._run = None
            self.failed.emit(exc)


_warmed: set[str] = set()


def warm_up(modules: tuple[str, ...]) -> None:
    """Import ``modules`` on a background thread, once, while the user is busy typing.

    Opening a workspace needs the services (SQLCipher, crypto) and the main window;
    importing them ahead spares the GUI thread that wait after Unlock. These modules
    make no widgets, fonts or pixmaps at import, so any thread may import them.
    """
    wanted = tuple(m for m in modules if m not in _warmed)
    if not wanted:
        return
    _warmed.update(wanted)

    def work() -> None:
        for name in wanted:
            try:
                importlib.import_module(name)
            except Exception:  # the real import, later, reports it properly
                log.warning("warming up %s failed", name)

    threading.Thread(target=work, name="saferyp-warm-up", daemon=True).start()


def user_sentence(exc: BaseException) -> str:
    """The one sentence to show for a failure to open or create a workspace."""
    if isinstance(exc, SaferypError):
        return exc.message
    log.error("unexpected failure opening a workspace: %s", type(exc).__name__)
    return SaferypError.default_message
