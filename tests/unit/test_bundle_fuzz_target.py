"""The fuzz target runs (without atheris) over its seeds and some mutations of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "fuzz" / "fuzz_bundle_reader.py"


def test_the_fuzz_target_holds_its_oracle_over_a_short_run() -> None:
    spec = importlib.util.spec_from_file_location("fuzz_bundle_reader", TARGET)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.run_without_atheris(400, seed=1) == 404
