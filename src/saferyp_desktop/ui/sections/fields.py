"""Input widgets the record editors are built from.

Each has ``value()``, ``set_value()`` and a ``changed`` signal, so an editor can
load a record into it, read it back and know when something was edited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QDate, QSignalBlocker, QSize, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.records import Attendee, Kind, Membership, Record
from saferyp_desktop.ui.session import Session

_ID = Qt.ItemDataRole.UserRole


def _edit_triggers(read_only: bool) -> QAbstractItemView.EditTrigger:
    """A table's edit triggers: none when read-only, else Qt's defaults."""
    if read_only:
        return QAbstractItemView.EditTrigger.NoEditTriggers
    return (
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
    )


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ChoiceCombo(QComboBox):
    """A choice among (value, label) pairs; a value it does not know is shown as itself."""

    changed = Signal()

    def __init__(self, choices: Iterable[tuple[str, str]] = (), parent=None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        self.set_choices(choices)
        self.currentIndexChanged.connect(self.changed)

    def set_choices(self, choices: Iterable[tuple[str, str]]) -> None:
        current = self.value()
        with QSignalBlocker(self):
            self.clear()
            for value, label in choices:
                self.addItem(label, value)
        self.set_value(current)

    def value(self) -> str:
        data = self.currentData(_ID)
        return "" if data is None else str(data)

    def set_value(self, value: str) -> None:
        index = self.findData(value, _ID)
        if index < 0 and value:
            self.addItem(value, value)
            index = self.count() - 1
        with QSignalBlocker(self):
            self.setCurrentIndex(max(index, 0) if self.count() else -1)


class OptionalDateEdit(QWidget):
    """A date that may be left unset: a check box says whether there is one."""

    changed = Signal()

    def __init__(self, check_text: str, parent=None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(check_text, self)
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setMinimumDate(QDate(2000, 1, 1))
        self.edit.setSpecialValueText(self.tr("Not set"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.check)
        self.check.toggled.connect(self._toggled)
        self.edit.dateChanged.connect(self._date_changed)
        self.set_value(None)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt's name
        super().setAccessibleName(name)
        self.check.setAccessibleName(self.tr("%s is set") % name)
        self.edit.setAccessibleName(name)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        with QSignalBlocker(self.check), QSignalBlocker(self.edit):
            self.check.setChecked(value is not None)
            self.edit.setEnabled(value is not None)
            self.edit.setDate(to_qdate(value) if value else self.edit.minimumDate())

    def _toggled(self, on: bool) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setEnabled(on)
            self.edit.setDate(to_qdate(date.today()) if on else self.edit.minimumDate())
        self.changed.emit()

    def _date_changed(self) -> None:
        if self.check.isChecked():
            self.changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        """Shown, not changeable (a chair reading a school's submission)."""
        self.check.setEnabled(not read_only)
        self.edit.setReadOnly(read_only)
        self.edit.setCalendarPopup(not read_only)
        self.edit.setButtonSymbols(
            QDateEdit.ButtonSymbols.NoButtons if read_only else QDateEdit.ButtonSymbols.UpDownArrows
        )


class OptionalNumber(QSpinBox):
    """A whole number that may be unknown (shown as "Not known")."""

    changed = Signal()

    def __init__(self, low: int, high: int, parent=None) -> None:
        super().__init__(parent)
        self.setRange(low - 1, high)
        self.setSpecialValueText(self.tr("Not known"))
        self.valueChanged.connect(self.changed)

    def number(self) -> int | None:
        value = super().value()
        return None if value == self.minimum() else value

    def set_number(self, value: int | None) -> None:
        with QSignalBlocker(self):
            self.setValue(self.minimum() if value is None else value)


class ListTextEdit(QLineEdit):
    """A list typed as text, items separated by commas or semicolons."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("Separate several with commas"))
        self.textEdited.connect(self.changed)

    def values(self) -> list[str]:
        return [part.strip() for part in re.split(r"[,;]", self.text()) if part.strip()]

    def set_values(self, values: Iterable[str]) -> None:
        self.setText(", ".join(values))


class CheckList(QListWidget):
    """Choices ticked in a list (harm categories, agencies a young person is known to)."""

    changed = Signal()

    def __init__(self, choices: Iterable[tuple[str, str]] = (), parent=None) -> None:
        super().__init__(parent)
        self._read_only = False
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        self.set_choices(choices)

    def set_choices(self, choices: Iterable[tuple[str, str]]) -> None:
        # Every choice visible at once (no scrolling inside a form that already scrolls):
        # each row is given its height, so the list's height is known before it is shown.
        row_height = self.fontMetrics().height() + 6
        with QSignalBlocker(self):
            self.clear()
            for value, label in choices:
                item = QListWidgetItem(label, self)
                item.setData(_ID, value)
                item.setFlags(self._item_flags(item.flags()))
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setSizeHint(QSize(0, row_height))
                item.setToolTip(label)
        self.setFixedHeight(row_height * max(1, self.count()) + 2 * self.frameWidth() + 2)

    def _item_flags(self, flags: Qt.ItemFlag) -> Qt.ItemFlag:
        if self._read_only:
            return flags & ~Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsUserCheckable

    def set_read_only(self, read_only: bool) -> None:
        """Ticks shown, not changeable (a chair reading a school's submission)."""
        self._read_only = read_only
        with QSignalBlocker(self):
            for i in range(self.count()):
                item = self.item(i)
                item.setFlags(self._item_flags(item.flags()))

    def values(self) -> list[str]:
        return [
            self.item(i).data(_ID)
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_values(self, values: Iterable[str]) -> None:
        wanted = set(values)
        with QSignalBlocker(self):
            for i in range(self.count()):
                item = self.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.data(_ID) in wanted else Qt.CheckState.Unchecked
                )

    def set_checked(self, value: str, checked: bool = True) -> None:
        """Tick (or untick) one choice as a person would."""
        for i in range(self.count()):
            item = self.item(i)
            if item.data(_ID) == value:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


def record_text(session: Session, record: Record) -> str:
    """How a record is offered in pickers: its code and its name at the session's level."""
    name = session.name_of(record)
    return record.code if name == record.code else f"{record.code} {name}"


class RecordPicker(QLineEdit):
    """Type a code or a name; a completer offers the matching records."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(self)
        self._by_text: dict[str, str] = {}
        self._by_code: dict[str, str] = {}
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.setPlaceholderText(self.tr("Type a code or a name"))

    def set_candidates(self, session: Session | None, records: Iterable[Record]) -> None:
        texts: list[str] = []
        self._by_text, self._by_code = {}, {}
        if session is not None:
            for record in records:
                text = record_text(session, record)
                texts.append(text)
                self._by_text[text.casefold()] = record.id
                self._by_code[record.code.casefold()] = record.id
        self._model.setStringList(texts)

    def candidate_texts(self) -> list[str]:
        return self._model.stringList()

    def record_id(self) -> str | None:
        """The record the text names (by its code, or by the whole offered text)."""
        text = self.text().strip().casefold()
        if not text:
            return None
        if text in self._by_text:
            return self._by_text[text]
        first = text.split()[0]
        if first in self._by_code:
            return self._by_code[first]
        matches = [rid for offered, rid in self._by_text.items() if text in offered]
        return matches[0] if len(matches) == 1 else None


class LinkedRecordsEditor(QWidget):
    """A list of other records (with an optional role each), added by code or name."""

    changed = Signal()

    def __init__(self, kinds: tuple[Kind, ...], with_roles: bool = False, parent=None) -> None:
        super().__init__(parent)
        self._kinds = kinds
        self._with_roles = with_roles
        self._session: Session | None = None
        self._own_id: str | None = None
        self.table = QTableWidget(0, 2 if with_roles else 1, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Role")] if with_roles else [self.tr("Record")]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(160)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.picker = RecordPicker(self)
        self.add_button = QPushButton(self.tr("Add"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        row = QHBoxLayout()
        row.addWidget(self.picker, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_picked)
        self.picker.returnPressed.connect(self.add_picked)
        self.remove_button.clicked.connect(self.remove_selected)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt's name
        super().setAccessibleName(name)
        self.table.setAccessibleName(name)
        self.picker.setAccessibleName(self.tr("Add to %s: code or name") % name)
        self.add_button.setAccessibleName(self.tr("Add to %s") % name)
        self.remove_button.setAccessibleName(self.tr("Remove from %s") % name)

    def set_read_only(self, read_only: bool) -> None:
        """The list alone: no picker, no Add or Remove, roles not editable."""
        for widget in (self.picker, self.add_button, self.remove_button):
            widget.setVisible(not read_only)
        self.table.setEditTriggers(_edit_triggers(read_only))

    def set_session(self, session: Session | None, own_id: str | None = None) -> None:
        """Offer the records of this editor's kinds (not the record being edited)."""
        self._session, self._own_id = session, own_id
        records: list[Record] = []
        if session is not None:
            table = session.table()
            for kind in self._kinds:
                records.extend(r for r in table.of_kind(kind) if r.id != own_id)
        self.picker.set_candidates(session, records)

    def ids(self) -> list[str]:
        return [self.table.item(r, 0).data(_ID) for r in range(self.table.rowCount())]

    def members(self) -> list[Membership]:
        return [
            Membership(
                person_id=self.table.item(r, 0).data(_ID),
                role=(self.table.item(r, 1).text().strip() if self._with_roles else ""),
            )
            for r in range(self.table.rowCount())
        ]

    def set_ids(self, ids: Iterable[str]) -> None:
        self.set_members(Membership(person_id=i) for i in ids)

    def set_members(self, members: Iterable[Membership]) -> None:
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for member in members:
                self._append(member.person_id, member.role)
        self.picker.clear()

    def add_picked(self) -> None:
        record_id = self.picker.record_id()
        if record_id is None or record_id in self.ids():
            return
        with QSignalBlocker(self.table):
            self._append(record_id, "")
        self.picker.clear()
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        if not rows:
            return
        with QSignalBlocker(self.table):
            for row in rows:
                self.table.removeRow(row)
        self.changed.emit()

    def _append(self, record_id: str, role: str) -> None:
        record = self._session.table().get(record_id) if self._session else None
        text = record_text(self._session, record) if self._session and record else record_id
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = QTableWidgetItem(text)
        item.setData(_ID, record_id)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 0, item)
        if self._with_roles:
            self.table.setItem(row, 1, QTableWidgetItem(role))


class AttendeesEditor(QWidget):
    """The people at a meeting: name, role and organisation (from the profile's agencies).

    An organisation chosen here is stored as the agency's key (``"police"``), which stays
    the same when a profile's wording changes; the table shows its label, and so do the
    printed documents (``reports``' ``Namer.agency``). Text stored otherwise (a label, as
    in the demo, or an organisation the profile does not name) is kept and shown as is."""

    changed = Signal()
    NAME, ROLE, ORGANISATION = range(3)

    def __init__(self, parent=None, *, noun: str = "attendee") -> None:
        """``noun`` names one person of the list on the buttons and fields ("attendee",
        "apology")."""
        super().__init__(parent)
        self._agencies: list[tuple[str, str]] = []
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"), self.tr("Organisation")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(120)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("Name"))
        self.name_edit.setAccessibleName(self.tr("New %s: name") % noun)
        self.role_edit = QLineEdit(self)
        self.role_edit.setPlaceholderText(self.tr("Role"))
        self.role_edit.setAccessibleName(self.tr("New %s: role") % noun)
        self.organisation = ChoiceCombo(parent=self)
        self.organisation.setAccessibleName(self.tr("New %s: organisation") % noun)
        self.add_button = QPushButton(self.tr("Add %s") % noun, self)
        self.remove_button = QPushButton(self.tr("Remove %s") % noun, self)
        self._entry = QGridLayout()
        self._wide: bool | None = None
        self._arrange(wide=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(self._entry)
        self.add_button.clicked.connect(self.add_typed)
        self.name_edit.returnPressed.connect(self.add_typed)
        self.role_edit.returnPressed.connect(self.add_typed)
        self.remove_button.clicked.connect(self.remove_selected)

    # Wider than this, the new person's fields and the buttons fit on one row; narrower
    # (the editor pane beside a table), name and role get a row of their own.
    WIDE = 640

    def _arrange(self, wide: bool) -> None:
        if wide == self._wide:
            return
        self._wide = wide
        grid = self._entry
        for widget in (self.name_edit, self.role_edit, self.organisation, self.add_button,
                       self.remove_button):
            grid.removeWidget(widget)
        for column in range(5):
            grid.setColumnStretch(column, 0)
        if wide:
            for column, widget in enumerate((self.name_edit, self.role_edit, self.organisation,
                                             self.add_button, self.remove_button)):
                grid.addWidget(widget, 0, column)
            for column in range(3):
                grid.setColumnStretch(column, 1)
        else:
            grid.addWidget(self.name_edit, 0, 0)
            grid.addWidget(self.role_edit, 0, 1)
            grid.addWidget(self.organisation, 1, 0)
            grid.addWidget(self.add_button, 1, 1, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(self.remove_button, 2, 0, Qt.AlignmentFlag.AlignLeft)
            grid.setColumnStretch(0, 1)
            grid.setColumnStretch(1, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._arrange(wide=event.size().width() >= self.WIDE)

    def set_read_only(self, read_only: bool) -> None:
        """The list alone: no new-attendee row, no Remove, names not editable."""
        for widget in (self.name_edit, self.role_edit, self.organisation, self.add_button,
                       self.remove_button):
            widget.setVisible(not read_only)
        self.table.setEditTriggers(_edit_triggers(read_only))

    def set_agencies(self, agencies: list[tuple[str, str]]) -> None:
        self._agencies = agencies
        self.organisation.set_choices(agencies)

    def organisation_label(self, stored: str) -> str:
        """How a stored organisation is shown: an agency's key, or its label in any case,
        as the label (as the printed documents show it); any other text as it is."""
        folded = stored.strip().casefold()
        for key, label in self._agencies:
            if stored == key or folded in (key.casefold(), label.casefold()):
                return label
        return stored

    def attendees(self) -> list[Attendee]:
        result = []
        for r in range(self.table.rowCount()):
            organisation_item = self.table.item(r, self.ORGANISATION)
            result.append(
                Attendee(
                    name=self.table.item(r, self.NAME).text().strip(),
                    role=self.table.item(r, self.ROLE).text().strip(),
                    organisation=organisation_item.data(_ID) or organisation_item.text(),
                )
            )
        return result

    def set_attendees(self, attendees: Iterable[Attendee]) -> None:
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for attendee in attendees:
                self._append(attendee)

    def add_typed(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            return
        with QSignalBlocker(self.table):
            self._append(
                Attendee(name=name, role=self.role_edit.text().strip(), organisation=self.organisation.value())
            )
        self.name_edit.clear()
        self.role_edit.clear()
        self.name_edit.setFocus()
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows:
            return
        with QSignalBlocker(self.table):
            for row in rows:
                self.table.removeRow(row)
        self.changed.emit()

    def _append(self, attendee: Attendee) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, self.NAME, QTableWidgetItem(attendee.name))
        self.table.setItem(row, self.ROLE, QTableWidgetItem(attendee.role))
        organisation = QTableWidgetItem(self.organisation_label(attendee.organisation))
        organisation.setData(_ID, attendee.organisation)
        organisation.setFlags(organisation.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, self.ORGANISATION, organisation)
