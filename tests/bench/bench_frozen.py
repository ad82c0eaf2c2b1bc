"""The frozen (PyInstaller) build in dist/, if there is one: its size and start time.

* the one folder's size (the .app on macOS), target ≤ 160 MB before compression;
* start → start screen shown, of the frozen ``saferyp-desktop`` offscreen, in a fresh
  process each time after one warm-up run (median of 5), target ≤ 1.0 s.

Build it first with ``uv run python build_installer.py``; without a build this prints
one row saying so.

    uv run python tests/bench/run.py frozen
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
from pathlib import Path

from harness import Row

ROOT = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("SAFERYP_FROZEN_DIST", ROOT / "dist"))


def _build_installer():
    spec = importlib.util.spec_from_file_location("build_installer", ROOT / "build_installer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_installer"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def run() -> list[Row]:
    build = _build_installer()
    target = build.HOSTS.get(sys.platform, "linux")
    programs = build.program_dir(DIST, target)
    desktop = programs / build.exe_name("saferyp-desktop", target)
    if not desktop.is_file():
        return [
            Row(
                f"frozen build: not built (no {desktop.relative_to(ROOT) if desktop.is_relative_to(ROOT) else desktop}; "
                "run `uv run python build_installer.py`)",
                0.0,
                "",
                None,
            )
        ]
    folder = DIST / (f"{build.APP_NAME}.app" if target == "macos" else build.FOLDER)
    size = build.folder_size(folder) / 1e6
    times = build.start_times(programs, target)
    return [
        Row(
            f"frozen one-folder build: size of {folder.name}/ (before compression)",
            size,
            "MB",
            build.SIZE_TARGET_MB,
        ),
        Row(
            "frozen start → start screen shown, offscreen (fresh process, median of 5)",
            statistics.median(times),
            "s",
            build.START_TARGET_S,
        ),
    ]


if __name__ == "__main__":
    from harness import format_table

    print(format_table(run()))
