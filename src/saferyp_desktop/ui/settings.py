"""Preferences and window state kept between runs (QSettings).

Only paths, sizes and choices are kept here — never a person's name or any content
of a workspace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8
DEFAULT_AUTOLOCK_MINUTES = 10


class Preferences:
    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings("SaferYP", "SaferYP Desktop")

    # recent workspaces: paths only
    def recent_workspaces(self) -> list[Path]:
        value = self._s.value("recent/workspaces", [])
        paths = [value] if isinstance(value, str) else list(value or [])
        return [Path(p) for p in paths if p]

    def add_recent(self, path: Path) -> None:
        paths = [str(path.resolve())] + [
            str(p) for p in self.recent_workspaces() if str(p) != str(path.resolve())
        ]
        self._s.setValue("recent/workspaces", paths[:MAX_RECENT])

    def remove_recent(self, path: Path) -> None:
        self._s.setValue(
            "recent/workspaces", [str(p) for p in self.recent_workspaces() if p != path]
        )

    # auto-lock
    def autolock_minutes(self) -> int:
        return int(self._s.value("security/autolock_minutes", DEFAULT_AUTOLOCK_MINUTES))

    def set_autolock_minutes(self, minutes: int) -> None:
        self._s.setValue("security/autolock_minutes", int(minutes))

    # window and column geometry, by a name the widget chooses
    def geometry(self, name: str) -> QByteArray | None:
        value = self._s.value(f"geometry/{name}")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, name: str, value: QByteArray) -> None:
        self._s.setValue(f"geometry/{name}", value)

    def reset_layout(self) -> None:
        """Forget every remembered window and column layout."""
        self._s.remove("geometry")

    def value(self, key: str, default=None):
        return self._s.value(key, default)

    def set_value(self, key: str, value) -> None:
        self._s.setValue(key, value)
