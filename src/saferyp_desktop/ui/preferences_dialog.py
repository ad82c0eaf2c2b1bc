"""Preferences: auto-lock minutes, appearance, and resetting the window layout."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.ui.settings import Preferences

AUTOLOCK_RANGE = (1, 120)
APPEARANCE_KEY = "appearance/color_scheme"
APPEARANCES = ("system", "light", "dark")

_SCHEMES = {
    "system": Qt.ColorScheme.Unknown,  # Unknown: follow the system again
    "light": Qt.ColorScheme.Light,
    "dark": Qt.ColorScheme.Dark,
}


def appearance(preferences: Preferences) -> str:
    value = str(preferences.value(APPEARANCE_KEY, "system"))
    return value if value in APPEARANCES else "system"


_palette_set_here = False


def apply_appearance(choice: str) -> None:
    """Light, dark, or whatever the system uses (Qt 6.8+ ``QStyleHints.setColorScheme``).

    Where the platform cannot switch (plain X11 without a desktop theme, offscreen),
    the program's own light or dark palette is used instead.
    """
    global _palette_set_here
    wanted = _SCHEMES.get(choice, Qt.ColorScheme.Unknown)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(wanted)
    if choice in ("light", "dark") and hints.colorScheme() != wanted:
        QGuiApplication.setPalette(_palette(dark=choice == "dark"))
        _palette_set_here = True
    elif _palette_set_here:
        QGuiApplication.setPalette(QPalette())  # back to the platform's own
        _palette_set_here = False


def _palette(*, dark: bool) -> QPalette:
    role = QPalette.ColorRole
    if not dark:
        palette = QPalette(QColor("#efefef"))
        palette.setColor(role.Base, QColor("#ffffff"))
        palette.setColor(role.Highlight, QColor("#2b6a74"))
        palette.setColor(role.HighlightedText, QColor("#ffffff"))
        return palette
    colours = {
        role.Window: "#2b2d30",
        role.WindowText: "#e8e8e8",
        role.Base: "#1f2023",
        role.AlternateBase: "#2b2d30",
        role.ToolTipBase: "#3a3d41",
        role.ToolTipText: "#e8e8e8",
        role.PlaceholderText: "#8c8f94",
        role.Text: "#e8e8e8",
        role.Button: "#35373b",
        role.ButtonText: "#e8e8e8",
        role.BrightText: "#ff6b6b",
        role.Light: "#4a4d52",
        role.Midlight: "#404348",
        role.Mid: "#2f3135",
        role.Dark: "#1a1b1d",
        role.Shadow: "#000000",
        role.Highlight: "#4fa3a5",
        role.HighlightedText: "#101112",
        role.Link: "#7cc4d0",
        role.LinkVisited: "#b39ddb",
    }
    palette = QPalette()
    for which, colour in colours.items():
        palette.setColor(which, QColor(colour))
    for which in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, which, QColor("#7a7d82"))
    return palette


def forget_layouts(preferences: Preferences) -> None:
    """Forget every saved window and column layout (they come back at their defaults)."""
    preferences.reset_layout()


class PreferencesDialog(QDialog):
    """Edits the preferences; OK saves them, Cancel leaves them as they were."""

    layoutResetRequested = Signal()

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefs = preferences
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences — SaferYP Desktop"))
        self.setMinimumWidth(480)

        self.autolock = QSpinBox(self)
        self.autolock.setObjectName("autolockMinutes")
        self.autolock.setRange(*AUTOLOCK_RANGE)
        self.autolock.setSuffix(self.tr(" minutes"))
        self.autolock.setValue(
            min(max(preferences.autolock_minutes(), AUTOLOCK_RANGE[0]), AUTOLOCK_RANGE[1])
        )
        self.autolock.setAccessibleName(self.tr("Lock after this many minutes without use"))

        self.appearance = QComboBox(self)
        self.appearance.setObjectName("appearance")
        self.appearance.setAccessibleName(self.tr("Appearance"))
        labels = {
            "system": self.tr("Follow the system"),
            "light": self.tr("Light"),
            "dark": self.tr("Dark"),
        }
        for key in APPEARANCES:
            self.appearance.addItem(labels[key], key)
        self.appearance.setCurrentIndex(APPEARANCES.index(appearance(preferences)))

        self.reset_button = QPushButton(self.tr("&Reset window layout"), self)
        self.reset_button.setObjectName("resetLayout")
        self.reset_button.setAccessibleName(self.tr("Reset window layout"))
        self.reset_button.setAutoDefault(False)
        self.reset_button.clicked.connect(self._reset_layout)
        self.reset_note = QLabel("", self)
        self.reset_note.setWordWrap(True)

        form = QFormLayout()
        autolock_label = QLabel(self.tr("&Lock the workspace after"), self)
        autolock_label.setBuddy(self.autolock)
        form.addRow(autolock_label, self.autolock)
        explain = QLabel(
            self.tr("When nobody uses the program for this long, the workspace closes and "
                    "the passphrase is needed again."),
            self,
        )
        explain.setWordWrap(True)
        form.addRow("", explain)
        appearance_label = QLabel(self.tr("&Appearance"), self)
        appearance_label.setBuddy(self.appearance)
        form.addRow(appearance_label, self.appearance)
        form.addRow(self.tr("Window layout"), self.reset_button)
        form.addRow("", self.reset_note)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def _reset_layout(self) -> None:
        forget_layouts(self._prefs)
        self.layoutResetRequested.emit()
        self.reset_note.setText(self.tr("Windows will open at their usual size and layout."))

    def accept(self) -> None:  # noqa: D102 - QDialog.accept
        self._prefs.set_autolock_minutes(self.autolock.value())
        choice = self.appearance.currentData()
        self._prefs.set_value(APPEARANCE_KEY, choice)
        apply_appearance(choice)
        super().accept()
