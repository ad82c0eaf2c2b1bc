"""Reading what a chair's page shows off the GUI thread.

Rebuilding the schools' tables from their signed bytes and matching them takes seconds
with large schools, so each page gathers its data with a :class:`Refresher`: one job at
a time on a worker thread (``ui.tasks.Task``), the result handed back on the GUI thread;
a refresh asked for while one runs runs once more afterwards, so the page ends up
showing the latest state.

The job is made when the refresh is asked for (from the page's choices then) but its
thread starts once the window has finished handling the event that asked (a page shown,
a tab chosen): that work runs first, not sharing the interpreter with the job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from saferyp_desktop.ui.tasks import Task, TaskContext

# Makes the job for one refresh, on the GUI thread (so it can read the page's choices),
# or None when there is nothing to gather.
JobMaker = Callable[[], "Callable[[], Any] | None"]


class Refresher(QObject):
    """``gathered(result)`` or ``failed(error)`` on the GUI thread after each refresh."""

    gathered = Signal(object)
    failed = Signal(object)
    busyChanged = Signal(bool)  # noqa: N815 - Qt naming

    def __init__(self, make_job: JobMaker, parent: QObject | None = None, *, name: str) -> None:
        super().__init__(parent)
        self._make_job = make_job
        self._name = name
        self.task: Task | None = None
        self._again = False
        self._stopped = False

    @property
    def busy(self) -> bool:
        return self.task is not None

    def refresh(self) -> None:
        """Gather again (now, or as soon as the one running has finished)."""
        if self._stopped:
            return
        if self.task is not None:
            self._again = True
            return
        job = self._make_job()
        if job is None:
            return

        def run(_context: TaskContext) -> Any:
            return job()

        task = Task(run, self, name=self._name)
        task.succeeded.connect(self.gathered)
        task.failed.connect(self.failed)
        task.finished.connect(self._finished)
        self.task = task
        self.busyChanged.emit(True)
        QTimer.singleShot(0, self, lambda: self._start(task))

    def _start(self, task: Task) -> None:
        if self.task is not task:
            return
        if self._stopped:  # the workspace is locking: nothing to gather any more
            self.task = None
            task.deleteLater()
            return
        task.start()

    def _finished(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.deleteLater()
        if self._again and not self._stopped:
            self._again = False
            self.refresh()
            return
        self.busyChanged.emit(False)

    def stop(self) -> None:
        """No more refreshes; a running one's result is discarded (the workspace is locking)."""
        self._stopped = True
        self._again = False
        if self.task is not None:
            self.task.cancel()
