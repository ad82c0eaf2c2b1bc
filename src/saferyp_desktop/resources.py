"""Where the program's data files are, in a source checkout, a wheel or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: profiles, icons, translations."""
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen:
        candidates.append(Path(frozen) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "resources", here.parent.parent / "resources"]
    for candidate in candidates:
        if (candidate / "profiles").is_dir():
            return candidate
    raise FileNotFoundError("The program's resources folder is missing; reinstall the program.")
