"""Benchmarks print figures beside their targets; they are not pass/fail tests.

Each ``bench_*.py`` beside this file has ``run() -> list[Row]``. ``run.py`` calls
every one of them (or the ones named) and prints one table.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    measure: str
    value: float
    unit: str
    target: float | None = None  # the value must be at most this

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.value <= self.target else "OVER"


def median_time(
    fn: Callable[[], object], repeat: int = 5, setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``fn`` in seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def format_table(rows: list[Row]) -> str:
    header = ("measure", "value", "target", "")
    body = [
        (
            r.measure,
            f"{r.value:.3f} {r.unit}",
            f"≤ {r.target:g} {r.unit}" if r.target is not None else "",
            r.verdict,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(4)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in body
    ]
    return "\n".join(lines)


class Heartbeat:
    """The longest time the Qt event loop went without running a 5 ms timer.

    Start it, do the work with the event loop running (``app.exec()``,
    ``QEventLoop``, or ``processEvents`` in a loop), stop it, read ``longest`` (in
    seconds). ``gaps`` keeps ``(when, gap)`` pairs (``time.perf_counter``) so a
    benchmark can take the longest gap within a window of its own.
    Qt is imported only when a heartbeat is made.
    """

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[tuple[float, float]] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now, now - self._last))
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._beat()  # the time since the last beat counts too
        self._timer.stop()

    def longest(self, since: float = float("-inf"), until: float = float("inf")) -> float:
        return max((gap for when, gap in self.gaps if since < when <= until), default=0.0)
