"""What the school's main window and the chair's window share: a demo banner, actions
with their shortcuts, the "Saved" time, presentation mode and the remembered size."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

DEMO_BANNER_STYLE = (
    "QLabel#demoBanner { background: #FFD54F; color: #3E2723; font-weight: bold; padding: 6px; }"
)
DEFAULT_SIZE = (1280, 800)


class WorkspaceWindow(QMainWindow):
    """A window on an open workspace. A subclass sets ``session``, ``preferences`` and
    ``saved_label``, and names its remembered geometry ``GEOMETRY_KEY``."""

    GEOMETRY_KEY: ClassVar[str]

    def _build_shell(self, banner: str, demo: bool, pages_name: str, width: int) -> None:
        """The window's body: the demo banner over a navigation list (``navigation``) on
        the left and the pages (``stack``) beside it; the caller fills both."""
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demo_banner = self._demo_banner(banner, central, demo)
        outer.addWidget(self.demo_banner)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.navigation = QListWidget(central)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(pages_name)
        self.navigation.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.navigation.setFixedWidth(width)
        self.stack = QStackedWidget(central)
        body.addWidget(self.navigation)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

    def _demo_banner(self, text: str, parent: QWidget, demo: bool) -> QLabel:
        """The yellow line over a demo workspace's window (hidden for a real one)."""
        banner = QLabel(text, parent)
        banner.setObjectName("demoBanner")
        banner.setStyleSheet(DEMO_BANNER_STYLE)
        banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        banner.setAccessibleName(text.split(" — ")[0])
        banner.setVisible(demo)
        return banner

    def _action(self, text: str, shortcut: QKeySequence | str | None = None, slot=None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _on_saved(self, when: datetime) -> None:
        self.saved_label.setText(self.tr("Saved %s") % when.strftime("%H:%M:%S"))

    def _presentation_toggled(self, on: bool) -> None:
        if self.session is not None:
            self.session.set_presentation(on)

    def _restore_geometry(self) -> None:
        """The size and place the window had last time, or the default size."""
        geometry = self.preferences.geometry(self.GEOMETRY_KEY)
        if geometry is None or geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)

    def _save_geometry(self) -> None:
        self.preferences.set_geometry(self.GEOMETRY_KEY, self.saveGeometry())
