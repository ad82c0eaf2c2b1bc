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
