"""The start screen: recent workspaces (paths only), New, Open, Try the demo.

It imports nothing but Qt widgets and the preferences, so the program shows it fast.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.ui.settings import Preferences

PATH_ROLE = Qt.ItemDataRole.UserRole
MISSING_ROLE = Qt.ItemDataRole.UserRole + 1


class StartScreen(QWidget):
    """The first window. Emits what the user asked for; the controller does it."""

    openRequested = Signal(Path)  # a recent workspace
    browseRequested = Signal()  # "Open…": pick a file
    newRequested = Signal()
    demoRequested = Signal()
    preferencesRequested = Signal()

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefs = preferences
        self.setObjectName("startScreen")
        self.setWindowTitle("SaferYP Desktop")
        self.setMinimumSize(560, 420)

        logo = QLabel(self)
        logo.setPixmap(QApplication.windowIcon().pixmap(48, 48))
        logo.setAccessibleName(self.tr("SaferYP Desktop logo"))
        title = QLabel(self.tr("SaferYP Desktop"), self)
        title.setObjectName("startTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(
            self.tr("Map extra-familial harm around your school and prepare for "
                    "Safer Young People Community Meetings. Everything stays on this computer, "
                    "encrypted."),
            self,
        )
        subtitle.setWordWrap(True)

        recent_label = QLabel(self.tr("&Recent workspaces"), self)
        self.recent = QListWidget(self)
        self.recent.setObjectName("recentList")
        self.recent.setAccessibleName(self.tr("Recent workspaces"))
        self.recent.setAccessibleDescription(
            self.tr("Press Enter to open the selected workspace; Delete removes it from the list.")
        )
        self.recent.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recent.setSpacing(2)
        self.recent.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.recent.customContextMenuRequested.connect(self._context_menu)
        self.recent.itemActivated.connect(self._activated)
        self.recent.currentItemChanged.connect(self._update_buttons)
        self.recent.installEventFilter(self)
        recent_label.setBuddy(self.recent)
        self.empty_note = QLabel(
            self.tr("No workspaces yet. Make a new one, open a file, or try the demo."), self
        )
        self.empty_note.setObjectName("emptyNote")
        self.empty_note.setWordWrap(True)
        self.status = QLabel("", self)
        self.status.setObjectName("startStatus")
        self.status.setAccessibleName(self.tr("Status"))
        self.status.setVisible(False)

        self.open_recent_button = self._button(
            self.tr("Open &selected"), self.tr("Open the selected recent workspace"), self.open_selected
        )
        self.remove_button = self._button(
            self.tr("Remo&ve from list"),
            self.tr("Remove the selected workspace from this list; the file is not deleted"),
            self.remove_selected,
        )
        self.new_button = self._button(
            self.tr("&New workspace…"), self.tr("Make a new workspace"), self.newRequested.emit
        )
        self.open_button = self._button(
            self.tr("&Open…"), self.tr("Open a workspace file"), self.browseRequested.emit
        )
        self.demo_button = self._button(
            self.tr("Try the &demo"),
            self.tr("Open a fictional demo school; nothing you do there is kept"),
            self.demoRequested.emit,
        )
        self.preferences_button = self._button(
            self.tr("&Preferences…"), self.tr("Preferences"), self.preferencesRequested.emit
        )

        self.remove_action = QAction(self.tr("Remove from list"), self)
        self.remove_action.triggered.connect(self.remove_selected)
        self.open_action = QAction(self.tr("Open"), self)
        self.open_action.triggered.connect(self.open_selected)
        open_shortcut = QAction(self)
        open_shortcut.setShortcut(QKeySequence.StandardKey.Open)
        open_shortcut.triggered.connect(self.browseRequested.emit)
        new_shortcut = QAction(self)
        new_shortcut.setShortcut(QKeySequence.StandardKey.New)
        new_shortcut.triggered.connect(self.newRequested.emit)
        self.addActions([open_shortcut, new_shortcut])

        actions = QVBoxLayout()
        for button in (self.new_button, self.open_button, self.demo_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.preferences_button)

        recent_buttons = QHBoxLayout()
        recent_buttons.addWidget(self.open_recent_button)
        recent_buttons.addWidget(self.remove_button)
        recent_buttons.addStretch(1)

        recent_box = QVBoxLayout()
        recent_box.addWidget(recent_label)
        recent_box.addWidget(self.recent, 1)
        recent_box.addWidget(self.empty_note)
        recent_box.addLayout(recent_buttons)

        body = QHBoxLayout()
        body.addLayout(recent_box, 1)
        body.addSpacing(12)
        body.addLayout(actions)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        heading = QHBoxLayout()
        heading.addWidget(logo)
        heading.addWidget(title, 1)
        layout.addLayout(heading)
        layout.addWidget(subtitle)
        layout.addSpacing(8)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)

        self.refresh()

    def _button(self, text: str, description: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def set_busy(self, busy: bool, message: str = "") -> None:
        """Show that something is being prepared (the demo); the buttons wait meanwhile."""
        for button in (self.new_button, self.open_button, self.demo_button, self.open_recent_button):
            button.setEnabled(not busy)
        self.recent.setEnabled(not busy)
        self.status.setText(message if busy else "")
        self.status.setVisible(busy and bool(message))
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
            self._update_buttons()

    # -- the recent list ------------------------------------------------------
    def refresh(self) -> None:
        """Show the recent workspaces from the preferences; missing files greyed."""
        self.recent.clear()
        for path in self._prefs.recent_workspaces():
            missing = not path.is_file()
            # The file's name, and underneath the folder it is in.
            item = QListWidgetItem(f"{path.name}\n{path.parent}", self.recent)
            item.setData(PATH_ROLE, str(path))
            item.setData(MISSING_ROLE, missing)
            folder = str(path.parent)
            if missing:
                item.setText(self.tr("%1 (missing)").replace("%1", path.name) + f"\n{path.parent}")
                item.setForeground(self.palette().placeholderText())
                item.setToolTip(
                    self.tr("This file is no longer at %1. Remove it from the list, or put it back.")
                    .replace("%1", folder)
                )
            else:
                item.setToolTip(str(path))
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, folder)
        has_items = self.recent.count() > 0
        self.recent.setVisible(has_items)
        self.empty_note.setVisible(not has_items)
        if has_items:
            self.recent.setCurrentRow(0)
            self.recent.setFocus()
        else:
            self.new_button.setFocus()
        self._update_buttons()

    def selected_path(self) -> Path | None:
        item = self.recent.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None

    def open_selected(self) -> None:
        item = self.recent.currentItem()
        if item is not None:
            self._activated(item)

    def remove_selected(self) -> None:
        path = self.selected_path()
        if path is None:
            return
        row = self.recent.currentRow()
        self._prefs.remove_recent(path)
        self.refresh()
        if self.recent.count():
            self.recent.setCurrentRow(min(row, self.recent.count() - 1))

    def _activated(self, item: QListWidgetItem) -> None:
        if item.data(MISSING_ROLE):
            return  # nothing to open; the tooltip and "Remove from list" say what to do
        self.openRequested.emit(Path(item.data(PATH_ROLE)))

    def _update_buttons(self, *_args) -> None:
        item = self.recent.currentItem()
        self.remove_button.setEnabled(item is not None)
        self.open_recent_button.setEnabled(item is not None and not item.data(MISSING_ROLE))
        self.open_recent_button.setVisible(self.recent.count() > 0)
        self.remove_button.setVisible(self.recent.count() > 0)

    def _context_menu(self, pos) -> None:
        item = self.recent.itemAt(pos)
        if item is None:
            return
        self.recent.setCurrentItem(item)
        menu = QMenu(self)
        self.open_action.setEnabled(not item.data(MISSING_ROLE))
        menu.addAction(self.open_action)
        menu.addAction(self.remove_action)
        menu.exec(self.recent.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        # Delete on the list removes the selected entry (the file stays where it is).
        if (
            watched is self.recent
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)
