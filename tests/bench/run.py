"""Run every benchmark (or those named) and print one table.

uv run python tests/bench/run.py            # all
uv run python tests/bench/run.py workspace  # bench_workspace.py only
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from harness import Row, format_table  # noqa: E402


def main(argv: list[str]) -> int:
    wanted = set(argv)
    rows: list[Row] = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"running {path.name} …", file=sys.stderr, flush=True)
        rows.extend(module.run())
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
