"""How a chair's page gathers its data off the GUI thread (``ui/chair/refresh.py``)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from saferyp_desktop.ui.chair.refresh import Refresher


def test_the_job_starts_once_the_event_that_asked_is_handled(qtbot, qapp) -> None:
    """The job is made from the page's choices when the refresh is asked for, but runs
    only after the window has finished what it was doing (showing the page)."""
    ran = threading.Event()
    choice = {"day": 1}

    def make_job():
        day = choice["day"]

        def job() -> int:
            ran.set()
            return day

        return job

    owner = QObject()
    refresher = Refresher(make_job, owner, name="test-refresh")
    busy: list[bool] = []
    refresher.busyChanged.connect(busy.append)
    refresher.refresh()
    choice["day"] = 2  # changed later in the same event: the job keeps the first choice
    assert refresher.busy and busy == [True]
    assert not ran.wait(0.2)  # not started while this event is being handled
    with qtbot.waitSignal(refresher.gathered, timeout=5000) as got:
        pass
    assert ran.is_set() and got.args == [1]
    qtbot.waitUntil(lambda: not refresher.busy, timeout=5000)
    assert busy == [True, False]


def test_a_refresher_stopped_before_its_job_starts_never_runs_it(qtbot, qapp) -> None:
    ran = threading.Event()

    def make_job():
        return ran.set

    owner = QObject()
    refresher = Refresher(make_job, owner, name="test-refresh")
    refresher.refresh()
    refresher.stop()  # the workspace locks in the same event
    QApplication.processEvents()
    assert not ran.wait(0.2) and not refresher.busy
