"""Start-up and unlock of the desktop program, each in a fresh process (offscreen).

* start → the start screen painted: ``saferyp-desktop`` with SAFERYP_EXIT_AFTER_SHOW=1,
  from just before the process is spawned to the first paint (median of 5);
* unlock of the large demo → a usable main window: from pressing Unlock (with the
  product's key derivation, 256,000 PBKDF2 rounds) to the main window's first paint,
  in a fresh process that has shown the start screen as the program would, Unlock
  pressed 1.5 s after the dialog appeared, as a person typing (median of 5);
* the longest the GUI thread was blocked during that unlock and for a second after the
  first paint (while the Overview fills in), and while "typing", from a 5 ms heartbeat
  timer.

The machine's load average is printed too: on a busy machine every figure grows.

    uv run python tests/bench/run.py startup
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Row

RUNS = 5
PASSPHRASE_ENV = "SAFERYP_BENCH_PASSPHRASE"
TYPING_S = 1.5  # how long a person takes to type the passphrase before pressing Unlock
SETTLE_S = 1.0  # measured on after the main window's first paint, as it fills in


def _env(config: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(config)  # fresh preferences: nothing recent
    return env


def start_to_shown(config: Path) -> float:
    env = _env(config)
    env["SAFERYP_EXIT_AFTER_SHOW"] = "1"
    code = "import sys; from saferyp_desktop.app import main; sys.exit(main(['saferyp-desktop']))"
    start = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0 or not result.stdout.startswith("shown "):
        raise RuntimeError(f"start-up run failed: {result.returncode} {result.stderr[-500:]}")
    return float(result.stdout.split()[1]) - start


# Runs in a fresh process: the start screen as the program shows it, then an unlock.
_UNLOCK_DRIVER = r"""
import json, os, sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(["saferyp-desktop"])
from saferyp_desktop.ui.app_controller import AppController
from saferyp_desktop.ui.settings import Preferences

controller = AppController(Preferences())
controller.show_start()
app.processEvents()
path = Path(sys.argv[1])
dialog = controller.open_path(path)
app.processEvents()
dialog.passphrase.setText(os.environ["SAFERYP_BENCH_PASSPHRASE"])

gaps = []  # (when the beat came, how long since the one before)
last = [time.perf_counter()]
def beat():
    now = time.perf_counter()
    gaps.append((now, now - last[0]))
    last[0] = now
heartbeat = QTimer()
heartbeat.setInterval(5)
heartbeat.timeout.connect(beat)
build = controller._main_window_factory
marks = {}
def timed_build(session, preferences):
    marks["build_start"] = time.perf_counter()
    window = build(session, preferences)
    marks["build_end"] = time.perf_counter()
    return window
controller._main_window_factory = timed_build
SETTLE_MS = int(float(os.environ["SAFERYP_BENCH_SETTLE_S"]) * 1000)

result = {}
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        window = controller.main_window
        if event.type() == QEvent.Type.Paint and window is not None and watched is window:
            result["usable"] = time.perf_counter() - started
            result["records"] = len(controller.session.table().records)
            app.removeEventFilter(self)
            # The window goes on filling in after its first paint (the Overview's
            # findings, the integrity check on a worker): keep measuring for a second.
            QTimer.singleShot(SETTLE_MS, app.quit)
        return False
painted = FirstPaint()
app.installEventFilter(painted)

started = float("inf")
def press():
    global started
    started = time.perf_counter()
    dialog.unlock_button.click()
# The heartbeat runs from the moment the dialog shows; Unlock is pressed after the
# time a person takes to type a passphrase (the background warm-up runs meanwhile).
last[0] = time.perf_counter()
typing_from = last[0]
heartbeat.start()
QTimer.singleShot(int(float(os.environ["SAFERYP_BENCH_TYPING_S"]) * 1000), press)
QTimer.singleShot(30_000, app.quit)
app.exec()
result["max_gap_typing"] = max((g for when, g in gaps if when <= started), default=0.0)
result["max_gap"] = max((g for when, g in gaps if when > started), default=0.0)
# Beats that came before the main window began to be built: the unlock itself.
result["max_gap_unlock"] = max(
    (g for when, g in gaps if started < when <= marks.get("build_start", float("inf"))),
    default=0.0,
)
result["opened"] = marks.get("build_start", 0.0) - started
result["window_build"] = marks.get("build_end", 0.0) - marks.get("build_start", 0.0)
controller.shutdown()
print(json.dumps(result))
"""


def unlock_run(path: Path, passphrase: str, config: Path) -> dict:
    env = _env(config)
    env[PASSPHRASE_ENV] = passphrase
    env["SAFERYP_BENCH_TYPING_S"] = str(TYPING_S)
    env["SAFERYP_BENCH_SETTLE_S"] = str(SETTLE_S)
    result = subprocess.run(
        [sys.executable, "-c", _UNLOCK_DRIVER, str(path)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"unlock run failed: {result.returncode} {result.stderr[-800:]}")
    data = json.loads(lines[-1])
    if "usable" not in data:
        raise RuntimeError(f"the main window never painted: {result.stderr[-800:]}")
    return data


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="saferyp-bench-") as tmp:
        folder = Path(tmp)
        config = folder / "config"
        config.mkdir()
        start_to_shown(config)  # warm the file cache once, as a second start would be
        shown = [start_to_shown(config) for _ in range(RUNS)]
        rows.append(Row("start → start screen shown (fresh process, median of 5)",
                        statistics.median(shown), "s", 0.5))

        from saferyp_desktop.services.demo import create_demo_workspace

        path = folder / "Large demo.sypdb"
        passphrase = "bench lantern orchard velvet tundra"
        create_demo_workspace(path, passphrase, size="large").close()
        runs = [unlock_run(path, passphrase, config) for _ in range(RUNS)]
        records = runs[0]["records"]
        rows.append(Row(f"unlock large demo ({records} records) → main window painted "
                        "(incl. key derivation, median of 5)",
                        statistics.median(r["usable"] for r in runs), "s", 1.0))
        rows.append(Row("  of which: Unlock pressed → workspace open and table loaded (median)",
                        statistics.median(r["opened"] for r in runs), "s", None))
        rows.append(Row("  of which: building the main window on the GUI thread (median)",
                        statistics.median(r["window_build"] for r in runs), "s", None))
        rows.append(Row("GUI thread longest block while unlocking, before the window is built "
                        "(median of 5)",
                        statistics.median(r["max_gap_unlock"] for r in runs) * 1000, "ms", 100))
        rows.append(Row(f"GUI thread longest block, Unlock → main window painted and "
                        f"{SETTLE_S:g} s after (Overview filling in; median of 5)",
                        statistics.median(r["max_gap"] for r in runs) * 1000, "ms", 100))
        rows.append(Row(f"GUI thread longest block while the passphrase is typed "
                        f"({TYPING_S:g} s; background import of what opening needs)",
                        statistics.median(r["max_gap_typing"] for r in runs) * 1000, "ms", 100))
        rows.append(Row("machine load average over the last minute (context for the figures)",
                        os.getloadavg()[0], "", None))
    return rows


if __name__ == "__main__":
    from harness import format_table

    print(format_table(run()))
