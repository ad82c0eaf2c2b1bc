"""Long work off the GUI thread: a function runs on a worker thread, its result or its
error comes back to the GUI thread by a queued signal, and a progress dialog shows
meanwhile (DESIGN.md §6: "exporting never freezes the window").

:class:`Task` is the worker; :func:`run_with_progress` adds the progress dialog. The
job is a plain function of a :class:`TaskContext`, through which it reports progress
and learns that the user cancelled. Cancelling never interrupts the job: it asks it to
stop, and whatever it returns afterwards is discarded (``cancelled`` is reported
instead). Like :mod:`ui.opener`, a job may use the open workspace: the storage layer
serialises its connection between threads.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

from saferyp_desktop.errors import SaferypError

log = logging.getLogger(__name__)

# A progress dialog appears only if the work takes longer than this (a quick export
# does not flash a window).
PROGRESS_DELAY_MS = 300
# While a job runs, the GUI thread must win the GIL back quickly: every paint and every
# call into a Python-made widget needs it, and Python's default (5 ms per hand-over)
# makes a window that repaints a table wait for hundreds of them. Restored afterwards.
BUSY_SWITCH_INTERVAL_S = 0.0005
# The oldest generation's threshold while a job runs: never reached (see _SwitchInterval).
NO_FULL_COLLECTION = 1 << 30


def tr(text: str) -> str:
    return QCoreApplication.translate("Tasks", text)


class Cancelled(Exception):
    """Raised by :meth:`TaskContext.check` when the user asked the task to stop."""


class TaskContext:
    """What a running job sees of its task. Safe to use from the worker thread."""

    def __init__(self, report: Callable[[int, int, str], None]) -> None:
        self._cancel = threading.Event()
        self._report = report

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Stop here (raise :class:`Cancelled`) if the user cancelled."""
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report ``done`` of ``total`` steps (``total`` 0: no measure, just busy)."""
        self._report(done, total, text)


Job = Callable[[TaskContext], Any]


class _SwitchInterval:
    """While any task runs (GUI thread only): Python's thread switch interval shortened,
    and no full garbage collection.

    A full collection holds the GIL for as long as it walks every tracked object, on
    whichever thread it falls: with a chair's forty schools in memory, a quarter of a
    second in which the window cannot paint. So while a job runs only the young
    generations are collected (they hold the short-lived garbage, cycles included), and
    what is alive when a job starts or ends (tables, records, widgets, the job's result)
    is frozen out of collection (``gc.freeze``): it lives long.

    What a job made and dropped in reference cycles that outlived the young generations
    (a briefing pack's pages: tens of megabytes) is collected as the job ends, on its
    worker (:func:`_collect_after_job`), before it could be frozen with the rest: the
    collection walks only what was made since the job started. Frozen objects are still
    freed by reference counting; only a reference cycle among them, dropped later, waits
    for ``gc.unfreeze()``, which ``Session.close`` calls.
    """

    running = 0
    saved = 0.0
    saved_thresholds: tuple[int, ...] = ()

    @classmethod
    def enter(cls) -> None:
        if cls.running == 0:
            cls.saved = sys.getswitchinterval()
            sys.setswitchinterval(min(cls.saved, BUSY_SWITCH_INTERVAL_S))
            cls.saved_thresholds = gc.get_threshold()
            young, middle, _full = cls.saved_thresholds
            gc.set_threshold(young, middle, NO_FULL_COLLECTION)
        gc.freeze()  # cheap: the tracked objects change lists
        cls.running += 1

    @classmethod
    def leave(cls) -> None:
        cls.running = max(0, cls.running - 1)
        gc.freeze()  # the job's result, and what survived it
        if cls.running == 0:
            if cls.saved:
                sys.setswitchinterval(cls.saved)
            if cls.saved_thresholds:
                gc.set_threshold(*cls.saved_thresholds)


def _collect_after_job() -> None:
    """On a worker whose job has just ended: collect what the job dropped (the objects
    frozen when it started are not walked), and give the freed memory back."""
    gc.collect()
    _give_back_free_memory()


def _c_heap_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None (another C library, or another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM: list[Callable[[int], int] | None] = []
_TRIM_LOCK = threading.Lock()


def _give_back_free_memory() -> None:
    """Return the C heap's free pages to the system (Linux).

    glibc gives each thread that allocates its own heap ("arena"), and what a job freed
    in its worker's arena is of no use to the window's thread, nor returned by itself:
    the process would keep it, and grow again by the next large thing the window builds
    (a combined diagram). A few milliseconds.
    """
    with _TRIM_LOCK:
        if not _TRIM:
            _TRIM.append(_c_heap_trim())
    trim = _TRIM[0]
    if trim is not None:
        trim(0)


def _emit(signal, *args) -> None:
    """Emit from the worker thread; quietly nothing if the task has been deleted."""
    with contextlib.suppress(RuntimeError):  # "Signal source has been deleted"
        signal.emit(*args)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits these, queued to the task's slots."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class Task(QObject):
    """One job on one worker thread, reported by signal on the GUI thread.

    Exactly one of ``succeeded(result)``, ``failed(exception)`` or ``cancelled()`` comes,
    then ``finished()``. ``progressed(done, total, text)`` may come before.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progressed = Signal(int, int, str)
    finished = Signal()

    def __init__(self, job: Job, parent: QObject | None = None, *, name: str = "saferyp-task") -> None:
        super().__init__(parent)
        self._job = job
        self._name = name
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._relay.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        relay = self._relay
        self.context = TaskContext(lambda done, total, text: _emit(relay.progressed, done, total, text))
        self._started = False
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    @property
    def is_cancelled(self) -> bool:
        return self.context.cancelled

    def start(self) -> Task:
        if self._started:
            raise RuntimeError("A task runs once.")
        self._started = True
        self._running = True
        _SwitchInterval.enter()
        job, context, relay = self._job, self.context, self._relay

        def work() -> None:
            try:
                result = job(context)
            except BaseException as exc:  # reported to the GUI thread
                # (``exc`` is not kept in a local past this block: its traceback holds
                # this frame, and the two would make a cycle)
                _collect_after_job()
                _emit(relay.failed, exc)
                return
            _collect_after_job()
            _emit(relay.done, result)

        threading.Thread(target=work, name=self._name, daemon=True).start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop; its result, if it still comes, is discarded."""
        self.context._cancel.set()

    # -- on the GUI thread ------------------------------------------------------------
    def _finish(self) -> None:
        self._running = False
        _SwitchInterval.leave()
        self.finished.emit()

    def _on_done(self, result: object) -> None:
        if self.context.cancelled:
            self.cancelled.emit()
        else:
            self.succeeded.emit(result)
        self._finish()

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled) or self.context.cancelled:
            self.cancelled.emit()
        else:
            self.failed.emit(exc)
        self._finish()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self._running and not self.context.cancelled:
            self.progressed.emit(done, total, text)


def error_sentence(exc: BaseException) -> str:
    """The one sentence to show for a failed task."""
    if isinstance(exc, SaferypError):
        return exc.message
    if isinstance(exc, OSError):
        reason = exc.strerror or tr("the system refused")
        return tr("The file could not be written (%s); choose another folder.") % reason.lower()
    log.error("unexpected failure in a background task: %s", type(exc).__name__)
    return SaferypError.default_message


class _ProgressDialog(QProgressDialog):
    """A progress dialog that, for work that must not be abandoned, cannot be closed."""

    def __init__(self, label: str, cancellable: bool, parent: QWidget | None) -> None:
        super().__init__(label, tr("Cancel") if cancellable else "", 0, 0, parent)
        self.cancellable = cancellable
        if not cancellable:
            self.setCancelButton(None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self.cancellable and event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.cancellable:
            event.ignore()
            return
        super().closeEvent(event)


def run_with_progress(
    parent: QWidget | None,
    title: str,
    label: str,
    job: Job,
    *,
    cancellable: bool = True,
) -> Task:
    """Start ``job`` on a worker thread with a progress dialog over ``parent``.

    The dialog is modal (nothing can change the workspace meanwhile) but the window
    keeps drawing itself; it is indeterminate until the job reports a measure, and
    closes when the task finishes. Connect to the returned task's signals.
    """
    dialog = _ProgressDialog(label, cancellable, parent)
    dialog.setObjectName("taskProgress")
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(380)
    task = Task(job, dialog)
    task.progress_dialog = dialog  # type: ignore[attr-defined]  # for tests and screenshots

    def progressed(done: int, total: int, text: str) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def finished() -> None:
        # Detach first: the dialog (the task's parent) goes, but the task's last
        # signal is still being delivered to the caller's slots.
        task.setParent(None)
        if cancellable:
            dialog.canceled.disconnect(task.cancel)
        dialog.hide()
        dialog.deleteLater()
        task.deleteLater()

    if cancellable:
        dialog.canceled.connect(task.cancel)
    task.progressed.connect(progressed)
    task.finished.connect(finished)
    dialog.setValue(0)
    return task.start()
