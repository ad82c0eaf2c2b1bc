"""Message boxes and file pickers behind one small service.

Widgets ask ``dialogs()`` instead of calling QMessageBox/QFileDialog directly, so
tests install a :class:`ScriptedDialogs` that answers without modal windows.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class UserDialogs:
    """The real dialogs."""

    def error(self, parent: QWidget | None, title: str, sentence: str) -> None:
        QMessageBox.warning(parent, title, sentence)

    def info(self, parent: QWidget | None, title: str, sentence: str) -> None:
        QMessageBox.information(parent, title, sentence)

    def confirm(self, parent: QWidget | None, title: str, question: str, yes: str = "") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
        accept = box.addButton(yes or box.tr("OK"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is accept

    def open_file(self, parent: QWidget | None, title: str, filters: str, folder: str = "") -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, folder, filters)
        return Path(name) if name else None

    def open_files(self, parent: QWidget | None, title: str, filters: str, folder: str = "") -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(parent, title, folder, filters)
        return [Path(n) for n in names]

    def save_file(self, parent: QWidget | None, title: str, filters: str, suggested: str = "") -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(name) if name else None


class ScriptedDialogs(UserDialogs):
    """For tests: answers come from queues; what was shown is kept in ``shown``."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        self.answers: deque[bool] = deque()
        self.paths: deque[Path | None] = deque()

    def error(self, parent, title, sentence):  # noqa: D102
        self.shown.append(("error", title, sentence))

    def info(self, parent, title, sentence):  # noqa: D102
        self.shown.append(("info", title, sentence))

    def confirm(self, parent, title, question, yes=""):  # noqa: D102
        self.shown.append(("confirm", title, question))
        return self.answers.popleft() if self.answers else True

    def open_file(self, parent, title, filters, folder=""):  # noqa: D102
        return self.paths.popleft() if self.paths else None

    def open_files(self, parent, title, filters, folder=""):  # noqa: D102
        path = self.paths.popleft() if self.paths else None
        return [path] if path else []

    def save_file(self, parent, title, filters, suggested=""):  # noqa: D102
        return self.paths.popleft() if self.paths else None


_current: UserDialogs = UserDialogs()


def dialogs() -> UserDialogs:
    return _current


def install(service: UserDialogs) -> UserDialogs:
    """Use ``service`` from now on; returns the one it replaces."""
    global _current
    previous, _current = _current, service
    return previous
