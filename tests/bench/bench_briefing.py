"""The PDF briefing: time to build it for the typical and the large demo school.

    uv run python tests/bench/run.py briefing
    uv run python tests/bench/bench_briefing.py

Each figure is the whole of ``services.briefing.briefing_bytes`` on an open workspace:
the four checks, the diagram layout, the tables and the PDF, at the default level
(initials). Run on a quiet machine: the figures are wall-clock times.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Row, format_table, median_time  # noqa: E402

from saferyp_desktop.domain.levels import DataLevel  # noqa: E402
from saferyp_desktop.services.briefing import briefing_bytes, export_briefing  # noqa: E402
from saferyp_desktop.services.demo import create_demo_workspace  # noqa: E402

PASSPHRASE = "benchmark passphrase, fictional data"
TARGETS = {"typical": 2.0, "large": 10.0}  # seconds


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for size, target in TARGETS.items():
            workspace = create_demo_workspace(
                Path(folder) / f"{size}.sypdb", PASSPHRASE, seed=1, size=size
            )
            try:
                workspace.table()  # loaded once, as in the program
                pdf = briefing_bytes(workspace)
                repeat = 5 if size == "typical" else 3
                took = median_time(lambda ws=workspace: briefing_bytes(ws), repeat=repeat)
                rows.append(
                    Row(
                        f"briefing, {size} demo ({len(pdf) / 1e6:.1f} MB), median of {repeat}",
                        took,
                        "s",
                        target,
                    )
                )
                if size == "large":
                    codes = median_time(
                        lambda ws=workspace: briefing_bytes(ws, level=DataLevel.CODES), repeat=1
                    )
                    rows.append(Row("briefing, large demo, codes level, once", codes, "s", target))
                    out = Path(folder) / "briefing.pdf"
                    started = time.perf_counter()
                    export_briefing(workspace, out, overwrite=True)
                    rows.append(
                        Row(
                            "export_briefing, large demo (build, write, fsync, audit), once",
                            time.perf_counter() - started,
                            "s",
                            target,
                        )
                    )
            finally:
                workspace.close()
    return rows


def main() -> int:
    print(format_table(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
