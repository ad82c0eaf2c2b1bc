"""A record's links to other records: a list, and a dialog to add or edit one."""

from __future__ import annotations

import copy

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.records import MAPPED_KINDS, Confidence, Link, Relation
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.detail_models import LinksTableModel, described
from saferyp_desktop.ui.sections.evidence import DialogPanel, EvidenceDialog
from saferyp_desktop.ui.sections.fields import ChoiceCombo, RecordPicker
from saferyp_desktop.ui.session import Session

_FORWARD, _BACKWARD = "forward", "backward"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class LinkDialog(QDialog):
    """Pick the other record by code or name; choose the relation, confidence and note."""

    def __init__(self, session: Session, record_id: str, existing: Link | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.record_id = record_id
        self.existing = existing
        self.setWindowTitle(self.tr("Edit link") if existing else self.tr("Add link"))
        self.setModal(True)
        table = session.table()
        this = described(session, table.get(record_id))
        self.this_label = QLabel(this, self)
        self.direction = ChoiceCombo(
            [
                (_FORWARD, self.tr("%s … the other record") % this),
                (_BACKWARD, self.tr("The other record … %s") % this),
            ],
            self,
        )
        self.direction.setAccessibleName(self.tr("Which way the relation reads"))
        self.relation = ChoiceCombo([(r.value, _capitalised(r.value)) for r in Relation], self)
        self.relation.setAccessibleName(self.tr("Relation"))
        self.other = RecordPicker(self)
        self.other.setAccessibleName(self.tr("Other record: code or name"))
        others = [r for kind in MAPPED_KINDS for r in table.of_kind(kind) if r.id != record_id]
        self.other.set_candidates(session, others)
        self.confidence = ChoiceCombo([(c.value, _capitalised(c.value)) for c in Confidence], self)
        self.confidence.setAccessibleName(self.tr("Confidence"))
        self.note = QLineEdit(self)
        self.note.setAccessibleName(self.tr("Note"))
        if existing is not None:
            other_id = existing.other(record_id)
            other = table.get(other_id)
            self.other.setText(described(session, other) if other else "")
            self.other.setEnabled(False)
            self.direction.set_value(_FORWARD if existing.a_id == record_id else _BACKWARD)
            self.relation.set_value(existing.relation)
            self.confidence.set_value(existing.confidence)
            self.note.setText(existing.note)
        form = QFormLayout()
        form.addRow(self.tr("This record"), self.this_label)
        form.addRow(self.tr("&Reads"), self.direction)
        form.addRow(self.tr("R&elation"), self.relation)
        form.addRow(self.tr("&Other record"), self.other)
        form.addRow(self.tr("&Confidence"), self.confidence)
        form.addRow(self.tr("&Note"), self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save link"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(480, 260)

    def link(self) -> Link | None:
        """The link the fields describe, or None if the other record is not known."""
        if self.existing is not None:
            other_id = self.existing.other(self.record_id)
        else:
            other_id = self.other.record_id()
        if other_id is None:
            return None
        forward = self.direction.value() == _FORWARD
        a_id, b_id = (self.record_id, other_id) if forward else (other_id, self.record_id)
        if self.existing is not None:
            link = copy.deepcopy(self.existing)
            link.a_id, link.b_id = a_id, b_id
        else:
            link = Link(a_id=a_id, b_id=b_id, relation=self.relation.value())
        link.relation = self.relation.value()
        link.confidence = self.confidence.value()
        link.note = self.note.text().strip()
        return link

    def save(self) -> None:
        link = self.link()
        if link is None:
            dialogs().error(
                self,
                self.tr("Link not saved"),
                self.tr("Choose the other record: type its code or pick it from the list."),
            )
            return
        try:
            self.session.save(link)
        except SaferypError as error:
            dialogs().error(self, self.tr("Link not saved"), error.message)
            return
        self.accept()


class LinksPanel(DialogPanel):
    """The links of one record, with Add, Edit, Evidence for a link, and Retire."""

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 read_only: bool = False) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.read_only = read_only  # the list alone, without its buttons
        self.record_id: str | None = None
        self.dialog: QDialog | None = None  # the open dialog, for tests
        self.model = LinksTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Links"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setMinimumHeight(110)
        for column, width in enumerate((150, 150, 150, 90, 150)):
            self.view.setColumnWidth(column, width)
        self.add_button = QPushButton(self.tr("Add link…"), self)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.evidence_button = QPushButton(self.tr("Evidence for link…"), self)
        self.retire_button = QPushButton(self.tr("Retire link"), self)
        for button, name in (
            (self.add_button, self.tr("Add link")),
            (self.edit_button, self.tr("Edit link")),
            (self.evidence_button, self.tr("Add evidence for the link")),
            (self.retire_button, self.tr("Retire link")),
        ):
            button.setAccessibleName(name)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.evidence_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.evidence_button.clicked.connect(self.add_evidence)
        self.retire_button.clicked.connect(self.retire)
        self.view.activated.connect(lambda _index: self.edit())
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        for button in (self.add_button, self.edit_button, self.evidence_button, self.retire_button):
            button.setVisible(not read_only)
        self._update_buttons()

    def show_record(self, record_id: str | None) -> None:
        self.record_id = record_id
        self.refresh()

    def refresh(self) -> None:
        if self.session is None:
            self.model.clear()
        else:
            self.model.show(self.session, self.record_id)
        self._update_buttons()

    def clear(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.session = None
        self.record_id = None
        self.model.clear()
        self._update_buttons()

    def select_link(self, link_id: str) -> None:
        row = self.model.row_of(link_id)
        if row >= 0:
            self.view.selectRow(row)

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        index = rows[0] if rows else self.view.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _selected_link(self) -> Link | None:
        link_id = self.selected_id()
        if link_id is None or self.session is None:
            return None
        return self.session.table().links.get(link_id)

    def _update_buttons(self) -> None:
        writable = self.session is not None and not self.read_only
        self.add_button.setEnabled(self.record_id is not None and writable)
        chosen = self.selected_id() is not None and writable
        for button in (self.edit_button, self.evidence_button, self.retire_button):
            button.setEnabled(chosen)

    def add(self) -> None:
        if self.session is None or self.record_id is None or self.read_only:
            return
        self._show_dialog(LinkDialog(self.session, self.record_id, None, self))

    def edit(self) -> None:
        link = self._selected_link()
        if link is None or self.session is None or self.record_id is None or self.read_only:
            return
        self._show_dialog(LinkDialog(self.session, self.record_id, link, self))

    def add_evidence(self) -> None:
        link = self._selected_link()
        if link is None or self.session is None or self.read_only:
            return
        table = self.session.table()
        text = self.tr("the link %s %s %s") % (
            described(self.session, table.get(link.a_id)),
            link.relation,
            described(self.session, table.get(link.b_id)),
        )
        self._show_dialog(EvidenceDialog(self.session, link.id, text, None, self))

    def retire(self) -> None:
        link = self._selected_link()
        if link is None or self.session is None or self.read_only:
            return
        self._retire_after_asking(
            link,
            self.tr("Retire link"),
            self.tr("Retire this link? It is kept on record but no longer shown or drawn."),
        )
