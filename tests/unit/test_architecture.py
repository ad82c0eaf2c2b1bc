"""The layers of DESIGN.md §6: ``ui`` and ``cli`` → ``services`` → the core, and nothing
below the UI imports Qt widgets."""

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import saferyp_desktop

ROOT = Path(__file__).resolve().parents[2]
CORE = ("domain", "storage", "crypto", "reports", "services")


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]


def test_core_layers_and_cli_do_not_load_qt_widgets() -> None:
    modules = ["saferyp_desktop.cli"]
    for layer in CORE:
        package = f"saferyp_desktop.{layer}"
        path = [str(Path(saferyp_desktop.__file__).parent / layer)]
        modules.append(package)
        modules += [f"{package}.{m.name}" for m in pkgutil.iter_modules(path)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6.QtWidgets')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
