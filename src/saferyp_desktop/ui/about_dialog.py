"""Help ▸ About: the version, the SQLCipher in use and the licences of what is bundled."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.about import About, about


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, facts: About | None = None) -> None:
        super().__init__(parent)
        self.facts = facts or about()
        self.setWindowTitle(self.tr("About SaferYP Desktop"))
        self.setObjectName("aboutDialog")
        facts = self.facts

        heading = QLabel(f"<h2>{facts.program} {facts.version}</h2>", self)
        summary = QLabel(
            self.tr(
                "Offline, encrypted mapping of extra-familial harm for Safer Young People "
                "Community Meetings. It never connects to a network."
            ),
            self,
        )
        summary.setWordWrap(True)
        versions = QLabel(
            self.tr("Encryption: SQLCipher %s (%s)\nQt %s, PySide6 %s, Python %s on %s")
            % (
                facts.sqlcipher or "?",
                facts.sqlcipher_crypto or "?",
                facts.qt or "?",
                facts.pyside or "?",
                facts.python,
                facts.platform,
            ),
            self,
        )
        versions.setObjectName("aboutVersions")
        versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(len(facts.components), 3, self)
        self.table.setObjectName("licences")
        self.table.setAccessibleName(self.tr("Bundled libraries and their licences"))
        self.table.setHorizontalHeaderLabels([self.tr("Library"), self.tr("Version"), self.tr("Licence")])
        for row, component in enumerate(facts.components):
            name = component.name + (f" (in {component.inside})" if component.inside else "")
            for column, text in enumerate((name, component.version, component.licence)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        licences = QLabel(
            self.tr(
                "Qt and PySide6 are used under the GNU LGPL v3; its text, and the GPL v3 it "
                "builds on, are in the program's resources/licences folder."
            ),
            self,
        )
        licences.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton(self.tr("&Copy details"), self)
        copy.setAccessibleName(self.tr("Copy the version details"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (heading, summary, versions, self.table, licences, buttons):
            layout.addWidget(widget)
        self.resize(640, 480)

    def copy_details(self) -> None:
        """Versions and licences only: nothing from any workspace."""
        QGuiApplication.clipboard().setText(self.facts.as_text())
