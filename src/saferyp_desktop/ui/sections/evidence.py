"""The evidence on a record or a link: a list, and a dialog to add or edit an entry."""

from __future__ import annotations

import copy
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.records import Evidence, HowKnown, Link
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.detail_models import EvidenceTableModel
from saferyp_desktop.ui.sections.fields import ChoiceCombo, from_qdate, to_qdate
from saferyp_desktop.ui.session import Session


class EvidenceDialog(QDialog):
    """Date observed, source, how known, summary and who recorded it."""

    def __init__(self, session: Session, subject_id: str, subject_text: str,
                 existing: Evidence | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.subject_id = subject_id
        self.existing = existing
        self.setWindowTitle(self.tr("Edit evidence") if existing else self.tr("Add evidence"))
        self.setModal(True)
        about = QLabel(self.tr("Evidence about %s") % subject_text, self)
        about.setWordWrap(True)
        self.observed = QDateEdit(self)
        self.observed.setCalendarPopup(True)
        self.observed.setDisplayFormat("d MMM yyyy")
        self.observed.setMaximumDate(to_qdate(date.today()))
        self.observed.setDate(to_qdate(existing.observed if existing else date.today()))
        self.observed.setAccessibleName(self.tr("Date observed"))
        self.source = ChoiceCombo([(c.key, c.label) for c in session.profile.sources], self)
        self.source.setAccessibleName(self.tr("Source"))
        self.how_known = ChoiceCombo(
            [(h.value, h.value[:1].upper() + h.value[1:]) for h in HowKnown], self
        )
        self.how_known.setAccessibleName(self.tr("How known"))
        self.summary = QPlainTextEdit(self)
        self.summary.setTabChangesFocus(True)
        self.summary.setAccessibleName(self.tr("Summary"))
        self.recorded_by = QLineEdit(self)
        self.recorded_by.setAccessibleName(self.tr("Recorded by"))
        if existing is not None:
            self.source.set_value(existing.source)
            self.how_known.set_value(existing.how_known)
            self.summary.setPlainText(existing.summary)
            self.recorded_by.setText(existing.recorded_by)
        else:
            self.recorded_by.setText(session.workspace.details.dsl)
        form = QFormLayout()
        form.addRow(self.tr("Date &observed"), self.observed)
        form.addRow(self.tr("&Source"), self.source)
        form.addRow(self.tr("&How known"), self.how_known)
        form.addRow(self.tr("Su&mmary"), self.summary)
        form.addRow(self.tr("&Recorded by"), self.recorded_by)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save evidence"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(460, 360)

    def evidence(self) -> Evidence:
        """The entry the fields describe (a copy of the one edited, or a new one)."""
        fields = {
            "observed": from_qdate(self.observed.date()),
            "source": self.source.value(),
            "how_known": self.how_known.value(),
            "summary": self.summary.toPlainText().strip(),
            "recorded_by": self.recorded_by.text().strip(),
        }
        if self.existing is not None:
            item = copy.deepcopy(self.existing)
            for name, value in fields.items():
                setattr(item, name, value)
            return item
        return Evidence(subject_id=self.subject_id, **fields)

    def save(self) -> None:
        try:
            self.session.save(self.evidence())
        except SaferypError as error:
            dialogs().error(self, self.tr("Evidence not saved"), error.message)
            return
        self.accept()


class DialogPanel(QWidget):
    """A panel under the record editor whose entries are edited in a dialog (evidence,
    links): one dialog at a time, and the panel refreshes when it saves."""

    changed = Signal()

    def _show_dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._dialog_saved)
        dialog.finished.connect(self._dialog_finished)
        self.dialog = dialog
        dialog.open()

    def _dialog_saved(self) -> None:
        self.refresh()
        self.changed.emit()

    def _dialog_finished(self) -> None:
        self.dialog = None

    def _retire_after_asking(self, item: Evidence | Link, title: str, question: str) -> None:
        """Ask, then retire ``item`` as one undoable step; a refusal is one sentence."""
        if self.session is None or not dialogs().confirm(self, title, question, self.tr("Retire")):
            return
        try:
            self.session.retire(item)
        except SaferypError as error:
            dialogs().error(self, self.tr("Not retired"), error.message)
            return
        self.refresh()
        self.changed.emit()

    def refresh(self) -> None:  # each panel shows its own entries
        raise NotImplementedError


class EvidencePanel(DialogPanel):
    """The evidence on one record (or link), with Add, Edit and Retire.

    ``read_only``: the list alone, without its buttons (a chair reading a school's
    submission)."""

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 read_only: bool = False) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.read_only = read_only
        self.subject_id: str | None = None
        self.subject_text = ""
        self.dialog: EvidenceDialog | None = None  # the open add/edit dialog, for tests
        self.model = EvidenceTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Evidence"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setMinimumHeight(110)
        for column, width in enumerate((90, 140, 90, 220, 110)):
            self.view.setColumnWidth(column, width)
        self.add_button = QPushButton(self.tr("Add evidence…"), self)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.retire_button = QPushButton(self.tr("Retire evidence"), self)
        self.add_button.setAccessibleName(self.tr("Add evidence"))
        self.edit_button.setAccessibleName(self.tr("Edit evidence"))
        self.retire_button.setAccessibleName(self.tr("Retire evidence"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.retire_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.retire_button.clicked.connect(self.retire)
        self.view.activated.connect(lambda _index: self.edit())
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        for button in (self.add_button, self.edit_button, self.retire_button):
            button.setVisible(not read_only)
        self._update_buttons()

    def show_subject(self, subject_id: str | None, subject_text: str = "") -> None:
        self.subject_id, self.subject_text = subject_id, subject_text
        self.refresh()

    def refresh(self) -> None:
        if self.session is None:
            self.model.clear()
        else:
            self.model.show(self.session, self.subject_id)
        self._update_buttons()

    def clear(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.session = None
        self.subject_id = None
        self.subject_text = ""
        self.model.clear()
        self._update_buttons()

    def selected_id(self) -> str | None:
        index = self.view.currentIndex()
        rows = self.view.selectionModel().selectedRows()
        if rows:
            index = rows[0]
        return self.model.id_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        writable = self.session is not None and not self.read_only
        self.add_button.setEnabled(self.subject_id is not None and writable)
        chosen = self.selected_id() is not None and writable
        self.edit_button.setEnabled(chosen)
        self.retire_button.setEnabled(chosen)

    def add(self) -> None:
        self._open(None)

    def edit(self) -> None:
        item_id = self.selected_id()
        if item_id is not None and self.session is not None:
            self._open(self.session.table().evidence.get(item_id))

    def _open(self, existing: Evidence | None) -> None:
        if self.session is None or self.subject_id is None or self.read_only:
            return
        self._show_dialog(
            EvidenceDialog(self.session, self.subject_id, self.subject_text, existing, self)
        )

    def retire(self) -> None:
        item_id = self.selected_id()
        if item_id is None or self.session is None or self.read_only:
            return
        item = self.session.table().evidence.get(item_id)
        if item is not None:
            self._retire_after_asking(
                item,
                self.tr("Retire evidence"),
                self.tr("Retire this evidence? It is kept on record but no longer counts or shows."),
            )
