"""The "Prepare for a meeting" wizard: a thin QWizard over services.prepare.

Its pages, declared in one tuple (:data:`PAGES`), fill the shared
:class:`~saferyp_desktop.services.prepare.Preparation` and ask it whether Next may be
pressed; an incomplete page says why under its content. Every change is saved as it
is made, through the Session (so it can be undone), and the wizard resumes where it
was left when it is opened again.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from datetime import date

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QObject,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from saferyp_desktop.domain.checks import CHECK_TITLES, Check, last_seen
from saferyp_desktop.domain.levels import display_with_code
from saferyp_desktop.domain.records import (
    MAPPED_KINDS,
    Action,
    Adult,
    Attendee,
    ConcernLevel,
    Kind,
    Location,
    LocationKind,
    PeerGroup,
    Rag,
    Record,
    Strength,
    StrengthKind,
    YoungPerson,
)
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.services.prepare import (
    DSL_ROLE,
    SECTION_KINDS,
    STEPS,
    Preparation,
    Progress,
    Step,
)
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.session import Session

ID_ROLE = Qt.ItemDataRole.UserRole


def tr(text: str) -> str:
    return QCoreApplication.translate("PrepareWizard", text)


def step_title(step: Step) -> str:
    return {
        Step.DETAILS: tr("Meeting details and attendees"),
        Step.SHARING: tr("Information sharing"),
        Step.HARM_TYPES: tr("Types of harm seen"),
        Step.YOUNG_PEOPLE: tr("Young people"),
        Step.ADULTS: tr("Adults of concern"),
        Step.PEER_GROUPS: tr("Peer groups"),
        Step.LOCATIONS: tr("Locations and contexts"),
        Step.LINKS: tr("Links and spider diagram"),
        Step.STRENGTHS: tr("Strengths"),
        Step.CONCERNS: tr("Key concerns and questions"),
        Step.ACTIONS: tr("Proposed actions"),
        Step.REVIEW: tr("Review: relevant, evidenced and current"),
        Step.FINISH: tr("Finish and export"),
    }[step]


def _day(value: date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def _records_text(n: int) -> str:
    return tr("on 1 record") if n == 1 else tr("on %1 records").replace("%1", str(n))


def _progress_text(progress: Progress) -> str:
    return {
        Progress.TO_LOOK_AT: tr("To look at"),
        Progress.CONFIRMED: tr("✓ Confirmed current"),
        Progress.CHANGED: tr("✓ Changed"),
        Progress.ADDED: tr("✓ Added"),
    }[progress]


# -- the guidance for schools, shown on the pages -------------------------------------------
def relevant_evidenced_current() -> str:
    return tr(
        "Please ensure that all information and concerns that are brought to the meeting are "
        "relevant, evidenced and current."
    )


def _guidance(step: Step, preparation: Preparation) -> str:
    """The words of the guidance for schools that help with ``step`` (rich text)."""
    charter = preparation.profile.charter
    section = tr(
        "In preparation for these meetings we recommend completing the mapping table. This "
        "helps to ensure that all relevant information is collated in one central place and "
        "enables you to identify the key concerns, individuals and questions that emerge to "
        "bring to the meeting."
    )
    rec = f"<b>{relevant_evidenced_current()}</b>"
    texts = {
        Step.DETAILS: tr(
            "We recommend that these meetings are attended by your DSL and any pastoral staff. "
            "Other agencies in attendance at these meetings are usually staff from our Young "
            "People's Service who are trained in Contextual Safeguarding and our Exploitation "
            "Analyst, alongside Neighbourhood Police Officers or PCSOs and Motiv8. If you feel "
            "that anyone else would be relevant to attend, please contact us."
        ),
        Step.SHARING: f"{charter.statement}<br>"
        + tr("Please ensure that you are signed up to the %1 (%2): %3.")
        .replace("%1", charter.name)
        .replace("%2", charter.short_name)
        .replace("%3", charter.url),
        Step.HARM_TYPES: tr(
            "The key purpose of the meeting is to identify any peer or location concerns in and "
            "around the school and/or the local area. Extra-familial harm can include the types "
            "listed below: tick each type the school has seen."
        ),
        Step.LINKS: tr(
            "It may also be helpful for you to physically map out the concerns in a spider "
            "diagram to identify links and networks."
        ),
        Step.STRENGTHS: tr(
            "The meetings look at young people, their peer groups, adults, locations and "
            "contexts of concern, as well as strengths, leading to a plan to increase safety. "
            "We are committed to working positively with the school and other local community "
            "groups to address concerns and to build strengths."
        ),
        Step.CONCERNS: tr(
            "Identify the key concerns, individuals and questions that emerge from the mapping "
            "table to bring to the meeting."
        )
        + f" {rec}",
        Step.ACTIONS: tr(
            "As this work is currently being developed and we are in a testing stage, we have "
            "put forward some suggested actions which may come from these meetings (the "
            "possible actions and interventions below); the pilot aims to clarify what "
            "actions and outcomes are useful for promoting safety within your school community."
        ),
        Step.REVIEW: f"{rec} "
        + tr(
            "The checks below list what may need looking at before the meeting. Click a "
            "finding to open its record; this wizard stays where it is."
        ),
        Step.FINISH: tr(
            "All meetings are confidential, and information shared is for the purposes of "
            "safeguarding. Printed and exported documents are marked %1."
        ).replace("%1", preparation.profile.marking.replace("-", "\u2011")),
    }
    lead = {
        Step.YOUNG_PEOPLE: tr("Young people the school is concerned about."),
        Step.ADULTS: tr("Adults of concern seen around the school or in contact with pupils."),
        Step.PEER_GROUPS: tr("Peer groups of concern, and who is in them."),
        Step.LOCATIONS: tr(
            "Locations and contexts of concern in and around the school, in the local area "
            "and online."
        ),
    }.get(step, "")
    return texts.get(step, f"{lead} {section} {rec}".strip())


class GuidanceBox(QLabel):
    """The guidance for schools, as a quiet framed note at the top of a page."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidance")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setText(html)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(8)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName(tr("From the guidance for schools"))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


# -- small shared widgets ----------------------------------------------------------------------
class RecordPicker(QWidget):
    """Tick the records a key concern or an action is about; a filter box narrows the list."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(tr("Filter by code or name"))
        self.filter.setAccessibleName(tr("Filter records"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.list = QListWidget(self)
        self.list.setAccessibleName(label)
        self.list.setObjectName("recordPicker")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)

    def fill(self, records: list[Record], name: Callable[[Record], str]) -> None:
        checked = set(self.checked_ids())
        self.list.clear()
        for record in records:
            item = QListWidgetItem(name(record), self.list)
            item.setData(ID_ROLE, record.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if record.id in checked else Qt.CheckState.Unchecked
            )
        self._apply_filter(self.filter.text())

    def checked_ids(self) -> list[str]:
        return [
            self.list.item(i).data(ID_ROLE)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, record_id: str, on: bool = True) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(ID_ROLE) == record_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def clear_checks(self) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.CheckState.Unchecked)

    def _apply_filter(self, text: str) -> None:
        folded = text.strip().casefold()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(folded) and folded not in item.text().casefold())


class ChoiceDelegate(QStyledItemDelegate):
    """An editable combo box in a table cell, offering ``choices``."""

    def __init__(self, choices: list[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._choices = choices

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt override
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(self._choices)
        return combo

    def setEditorData(self, editor, index):  # noqa: N802 - Qt override
        editor.setCurrentText(index.data() or "")

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt override
        model.setData(index, editor.currentText())


class WrapDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text in the column's current width."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(self, option, index):  # noqa: N802 - Qt override
        hint = super().sizeHint(option, index)
        width = max(40, self._tree.header().sectionSize(index.column()) - 10)
        text = str(index.data() or "")
        bounds = option.fontMetrics.boundingRect(
            QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text
        )
        return QSize(hint.width(), max(hint.height(), bounds.height() + 6))


class AddRecordDialog(QDialog):
    """The key fields of a new young person, adult, peer group, place or strength."""

    def __init__(self, kind: Kind, preparation: Preparation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName("addRecordDialog")
        self.setWindowTitle(
            {
                Kind.YOUNG_PERSON: tr("Add a young person"),
                Kind.ADULT: tr("Add an adult of concern"),
                Kind.PEER_GROUP: tr("Add a peer group"),
                Kind.LOCATION: tr("Add a location or context"),
                Kind.STRENGTH: tr("Add a strength"),
            }[kind]
        )
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setAccessibleName(tr("Name") if kind in (Kind.YOUNG_PERSON, Kind.ADULT) else tr("Label"))
        form.addRow(
            {
                Kind.YOUNG_PERSON: tr("&Name:"),
                Kind.ADULT: tr("&Name or description:"),
            }.get(kind, tr("&Label:")),
            self.name,
        )
        # Made for every kind, placed (and so parented) only where the kind has them.
        self.year = QSpinBox()
        self.kind_choice = QComboBox()
        self.level = QComboBox()
        self.description = QLineEdit()
        if kind == Kind.YOUNG_PERSON:
            self.year.setRange(-1, 14)
            self.year.setSpecialValueText(tr("not known"))
            self.year.setValue(-1)
            self.year.setAccessibleName(tr("Year group"))
            form.addRow(tr("&Year group:"), self.year)
        if kind == Kind.LOCATION:
            for value in LocationKind:
                self.kind_choice.addItem(value.value, value.value)
        if kind == Kind.STRENGTH:
            for value in StrengthKind:
                self.kind_choice.addItem(value.value, value.value)
        if kind in (Kind.LOCATION, Kind.STRENGTH):
            self.kind_choice.setAccessibleName(tr("Kind"))
            form.addRow(tr("&Kind:"), self.kind_choice)
        if kind == Kind.LOCATION:
            for value in Rag:
                self.level.addItem(value.value, value.value)
            self.level.setCurrentIndex(1)
            self.level.setAccessibleName(tr("Safety rating"))
            form.addRow(tr("&Safety rating:"), self.level)
        elif kind != Kind.STRENGTH:
            for value in ConcernLevel:
                self.level.addItem(value.value, value.value)
            self.level.setCurrentIndex(1)
            self.level.setAccessibleName(tr("Level of concern"))
            form.addRow(tr("Level of &concern:"), self.level)
        self.harms = QListWidget()
        self.harms.setAccessibleName(tr("Harm categories"))
        self.harms.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.harms.setWordWrap(True)
        if kind == Kind.STRENGTH:
            self.description.setAccessibleName(tr("Description"))
            form.addRow(tr("&Description:"), self.description)
        else:
            for category in preparation.profile.harm_categories:
                item = QListWidgetItem(category.label, self.harms)
                item.setData(ID_ROLE, category.key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            self.harms.setMinimumHeight(150)
            form.addRow(tr("&Harm categories:"), self.harms)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Add"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_ok()
        self.resize(540, self.sizeHint().height())

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.name.text().strip())
        )

    def record(self) -> Record:
        """The new record the fields describe."""
        name = self.name.text().strip()
        harms = [
            self.harms.item(i).data(ID_ROLE)
            for i in range(self.harms.count())
            if self.harms.item(i).checkState() == Qt.CheckState.Checked
        ]
        level = self.level.currentData() or ""
        if self.kind == Kind.YOUNG_PERSON:
            year = self.year.value()
            return YoungPerson(
                name=name,
                year_group=None if year < 0 else year,
                harm_categories=harms,
                concern_level=level,
            )
        if self.kind == Kind.ADULT:
            return Adult(name=name, harm_categories=harms, concern_level=level)
        if self.kind == Kind.PEER_GROUP:
            return PeerGroup(label=name, harm_categories=harms, concern_level=level)
        if self.kind == Kind.LOCATION:
            return Location(
                label=name,
                location_kind=self.kind_choice.currentData(),
                harm_categories=harms,
                rating=level,
            )
        return Strength(
            label=name,
            strength_kind=self.kind_choice.currentData(),
            description=self.description.text().strip(),
        )


# -- pages -------------------------------------------------------------------------------------
class PreparePage(QWizardPage):
    """One step: the guidance on top, the step's widgets, and why Next is not yet available."""

    def __init__(self, wizard: PrepareWizard, step: Step) -> None:
        super().__init__()
        self.ctx = wizard
        self.step = step
        self.setObjectName(f"page_{step.value}")
        self.setTitle(step_title(step))
        number = STEPS.index(step) + 1
        self.setSubTitle(tr("Step %1 of %2").replace("%1", str(number)).replace("%2", str(len(STEPS))))
        outer = QVBoxLayout(self)
        self.guidance = GuidanceBox(_guidance(step, self.prep), self)
        outer.addWidget(self.guidance)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self.reason = QLabel(self)
        self.reason.setObjectName("reason")
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName(tr("What is needed before Next"))
        self.reason.setStyleSheet(
            "QLabel#reason { background: #fff4ce; color: #4a3b00; border: 1px solid #e0c060;"
            " border-radius: 3px; padding: 6px; }"
        )
        self.reason.hide()
        outer.addWidget(self.reason)
        self.build()

    @property
    def prep(self) -> Preparation:
        return self.ctx.preparation

    @property
    def session(self) -> Session:
        return self.ctx.session

    def name(self, record: Record) -> str:
        return display_with_code(record, self.session.level)

    # to fill in by each page
    def build(self) -> None:
        """Make the page's widgets (once)."""

    def fill(self) -> None:
        """Show the state in the widgets (on arrival, and when the workspace changes)."""

    # QWizardPage: the wizard reloads the page it arrives at, forward or back
    # (see PrepareWizard._moved), so passing pages on the way to resume costs nothing.
    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Filled by the wizard on arrival."""

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        """Going Back keeps what was entered (it is saved already)."""

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.prep.is_complete(self.step)[0]

    def reload(self) -> None:
        self.fill()
        self.update_status()

    def update_status(self) -> None:
        done, reason = self.prep.is_complete(self.step)
        self.reason.setText(reason)
        self.reason.setVisible(not done and bool(reason))
        self.completeChanged.emit()
        self.ctx.step_list.refresh()

    def guarded(self, action: Callable[[], object]) -> bool:
        """Run a change; show its one-sentence message if the workspace refuses it.

        The page shows the change itself afterwards, so the workspace's ``changed``
        signal does not reload it meanwhile."""
        try:
            with self.ctx.quietly():
                action()
        except SaferypError as error:
            dialogs().error(self, step_title(self.step), error.message)
            return False
        return True


class DetailsPage(PreparePage):
    def build(self) -> None:
        form = QFormLayout()
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dddd d MMMM yyyy")
        self.date.setAccessibleName(tr("Meeting date"))
        self.date.setMaximumWidth(320)
        self.venue = QLineEdit(self)
        self.venue.setAccessibleName(tr("Venue or area"))
        self.chair = QLineEdit(self)
        self.chair.setAccessibleName(tr("Chair"))
        form.addRow(tr("Meeting &date:"), self.date)
        form.addRow(tr("&Venue or area:"), self.venue)
        form.addRow(tr("C&hair:"), self.chair)
        self.body.addLayout(form)

        label = QLabel(tr("A&ttendees:"), self)
        self.attendees = QTableWidget(0, 3, self)
        self.attendees.setObjectName("attendees")
        label.setBuddy(self.attendees)
        self.attendees.setAccessibleName(tr("Attendees"))
        self.attendees.setHorizontalHeaderLabels([tr("Name"), tr("Role"), tr("Organisation")])
        header = self.attendees.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.attendees.verticalHeader().hide()
        self.attendees.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        roles = [DSL_ROLE, tr("Deputy DSL"), tr("Pastoral staff")]
        self.attendees.setItemDelegateForColumn(1, ChoiceDelegate(roles, self.attendees))
        agencies = [a.label for a in self.prep.profile.agencies]
        self.attendees.setItemDelegateForColumn(2, ChoiceDelegate(agencies, self.attendees))
        self.body.addWidget(label)
        self.body.addWidget(self.attendees, 1)

        row = QHBoxLayout()
        self.add_button = QPushButton(tr("&Add attendee"), self)
        self.recommended_button = QPushButton(tr("Add the &recommended agencies"), self)
        self.recommended_button.setToolTip(
            tr("Adds the DSL and the agencies the guidance recommends; fill in their names.")
        )
        self.remove_button = QPushButton(tr("Re&move attendee"), self)
        for button in (self.add_button, self.recommended_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        self.body.addLayout(row)

        self.date.dateChanged.connect(self._date_changed)
        self.venue.editingFinished.connect(lambda: self._save(venue=self.venue.text().strip()))
        self.chair.editingFinished.connect(lambda: self._save(chair=self.chair.text().strip()))
        self.attendees.itemChanged.connect(self._attendees_changed)
        self.add_button.clicked.connect(self._add_row)
        self.recommended_button.clicked.connect(self._add_recommended)
        self.remove_button.clicked.connect(self._remove_row)

    def fill(self) -> None:
        meeting = self.prep.meeting
        self.date.blockSignals(True)
        self.date.setDate(QDate(meeting.date.year, meeting.date.month, meeting.date.day))
        self.date.blockSignals(False)
        self.venue.setText(meeting.venue)
        self.chair.setText(meeting.chair)
        self._show_attendees(meeting.attendees)

    def _show_attendees(self, attendees: list[Attendee]) -> None:
        self.attendees.blockSignals(True)
        self.attendees.setRowCount(0)
        for attendee in attendees:
            self._append(attendee)
        self.attendees.blockSignals(False)

    def _append(self, attendee: Attendee) -> int:
        row = self.attendees.rowCount()
        self.attendees.insertRow(row)
        for column, text in enumerate((attendee.name, attendee.role, attendee.organisation)):
            self.attendees.setItem(row, column, QTableWidgetItem(text))
        return row

    def table_attendees(self) -> list[Attendee]:
        """The attendees as shown (rows left blank are not kept)."""
        found = []
        for row in range(self.attendees.rowCount()):
            cells = [
                (self.attendees.item(row, c).text() if self.attendees.item(row, c) else "").strip()
                for c in range(3)
            ]
            if any(cells):
                found.append(Attendee(name=cells[0], role=cells[1], organisation=cells[2]))
        return found

    def _save(self, **changes) -> None:
        self.guarded(lambda: self.prep.set_meeting(**changes))
        self.update_status()

    def _date_changed(self, value: QDate) -> None:
        self._save(when=date(value.year(), value.month(), value.day()))

    def _attendees_changed(self, _item: QTableWidgetItem) -> None:
        self._save(attendees=self.table_attendees())

    def _add_row(self) -> None:
        row = self._append(Attendee(name=""))
        self.attendees.setCurrentCell(row, 0)
        self.attendees.editItem(self.attendees.item(row, 0))

    def _add_recommended(self) -> None:
        self.attendees.blockSignals(True)
        for attendee in self.prep.recommended_attendees():
            self._append(attendee)
        self.attendees.blockSignals(False)
        self._save(attendees=self.table_attendees())

    def _remove_row(self) -> None:
        rows = sorted({i.row() for i in self.attendees.selectedIndexes()}, reverse=True)
        if not rows and self.attendees.currentRow() >= 0:
            rows = [self.attendees.currentRow()]
        self.attendees.blockSignals(True)
        for row in rows:
            self.attendees.removeRow(row)
        self.attendees.blockSignals(False)
        self._save(attendees=self.table_attendees())


class SharingPage(PreparePage):
    def build(self) -> None:
        charter = self.prep.profile.charter
        self.confirm = QCheckBox(
            tr("The school is signed up to the %1 (%2)")
            .replace("%1", charter.name)
            .replace("%2", charter.short_name),
            self,
        )
        self.confirm.setObjectName("confirmSharing")
        self.confirm.setAccessibleName(tr("Signed up to the information sharing charter"))
        self.confirm.setStyleSheet("QCheckBox { spacing: 8px; }")
        self.last = QLabel(self)
        self.last.setObjectName("sharingLastConfirmed")
        self.body.addWidget(self.confirm)
        self.body.addWidget(self.last)
        self.body.addStretch(1)
        self.confirm.toggled.connect(self._toggled)

    def fill(self) -> None:
        self.confirm.blockSignals(True)
        self.confirm.setChecked(self.prep.state.wisc_confirmed)
        self.confirm.blockSignals(False)
        stamp = self.prep.workspace.details.wisc_confirmed
        self.last.setText(
            tr("Membership last confirmed on %1.").replace("%1", _day(date.fromisoformat(stamp)))
            if stamp
            else tr("Membership not confirmed before.")
        )

    def _toggled(self, on: bool) -> None:
        self.prep.confirm_sharing(on)
        self.reload()


class HarmTypesPage(PreparePage):
    def build(self) -> None:
        box = QGroupBox(tr("Types of harm the school has seen"), self)
        grid = QGridLayout(box)
        self.boxes: dict[str, QCheckBox] = {}
        counts_note = QLabel(tr("In the mapping table"), box)
        grid.addWidget(counts_note, 0, 1)
        for row, category in enumerate(self.prep.profile.harm_categories, start=1):
            check = QCheckBox(category.label, box)
            check.setAccessibleName(category.label)
            check.toggled.connect(lambda on, key=category.key: self._seen(key, on))
            count = QLabel(box)
            count.setObjectName(f"count_{category.key}")
            grid.addWidget(check, row, 0)
            grid.addWidget(count, row, 1)
            self.boxes[category.key] = check
        line = QFrame(box)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        grid.addWidget(line, len(self.boxes) + 1, 0, 1, 2)
        self.none = QCheckBox(tr("None of these"), box)
        self.none.setObjectName("noHarmTypes")
        self.none.toggled.connect(self._none)
        grid.addWidget(self.none, len(self.boxes) + 2, 0)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(32)
        self.body.addWidget(box)
        self.body.addStretch(1)

    def fill(self) -> None:
        counts = self.prep.harm_type_counts()
        seen = set(self.prep.state.harm_types_seen)
        for key, check in self.boxes.items():
            check.blockSignals(True)
            check.setChecked(key in seen)
            check.blockSignals(False)
            label = self.findChild(QLabel, f"count_{key}")
            n = counts.get(key, 0)
            label.setText(_records_text(n) if n else "—")
        self.none.blockSignals(True)
        self.none.setChecked(self.prep.state.no_harm_types)
        self.none.blockSignals(False)

    def _seen(self, key: str, on: bool) -> None:
        self.prep.set_harm_type_seen(key, on)
        self.update_status()

    def _none(self, on: bool) -> None:
        self.prep.set_no_harm_types(on)
        self.update_status()


class SectionPage(PreparePage):
    """Walk through one section of the mapping table: confirm, retire, add, edit."""

    def build(self) -> None:
        self.kind = SECTION_KINDS[self.step]
        top = QHBoxLayout()
        self.progress = QLabel(self)
        self.progress.setObjectName("sectionProgress")
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(tr("Filter"))
        self.filter.setAccessibleName(tr("Filter the list"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(240)
        self.filter.textChanged.connect(self._apply_filter)
        top.addWidget(self.progress, 1)
        top.addWidget(self.filter)
        self.body.addLayout(top)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("sectionRecords")
        self.tree.setAccessibleName(step_title(self.step))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        rating = {Kind.LOCATION: tr("Safety rating"), Kind.STRENGTH: tr("Kind")}.get(
            self.kind, tr("Concern")
        )
        self.tree.setHeaderLabels(
            [tr("Code"), tr("Name") if self.kind in (Kind.YOUNG_PERSON, Kind.ADULT) else tr("Label"),
             rating, tr("Harm categories"), tr("Last confirmed or evidenced"), tr("This preparation")]
        )
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setResizeContentsPrecision(200)  # measuring every row is slow
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self._open(item))
        self.body.addWidget(self.tree, 1)

        row = QHBoxLayout()
        self.confirm_button = QPushButton(tr("&Confirm current"), self)
        self.confirm_button.setToolTip(
            tr("The selected records are still true today (Ctrl+A selects them all).")
        )
        self.retire_button = QPushButton(tr("&Retire…"), self)
        self.retire_button.setToolTip(tr("No longer a concern: kept on record, left out of the meeting."))
        self.edit_button = QPushButton(tr("&Edit…"), self)
        self.edit_button.setToolTip(tr("Open the record in the main window."))
        self.add_button = QPushButton(tr("&Add…"), self)
        for button in (self.confirm_button, self.retire_button, self.edit_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.add_button)
        self.body.addLayout(row)
        self.nothing_more = QCheckBox(tr("Nothing m&ore to add for this section"), self)
        self.nothing_more.setObjectName("nothingMore")
        self.nothing_more.setToolTip(
            tr("Tick when there is nothing new to add; records left unconfirmed show in the review.")
        )
        self.body.addWidget(self.nothing_more)

        self.confirm_button.clicked.connect(self.confirm_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.edit_button.clicked.connect(lambda: self._open(self._first_selected()))
        self.add_button.clicked.connect(self.add_record)
        self.nothing_more.toggled.connect(self._nothing_more)
        self.add_dialog: AddRecordDialog | None = None

    def fill(self) -> None:
        prep, table = self.prep, self.prep.table
        selected = set(self.selected_ids())
        self.tree.clear()
        items = []
        for record in prep.section_records(self.step):
            seen = last_seen(table, record)
            harms = ", ".join(
                prep.profile.label("harm_categories", k) for k in getattr(record, "harm_categories", [])
            )
            texts = (
                record.code,
                self.session.name_of(record),
                _rating(record),
                harms,
                _day(seen) if seen else tr("never"),
                _progress_text(prep.progress_of(record)),
            )
            item = QTreeWidgetItem(list(texts))
            item.setData(0, ID_ROLE, record.id)
            for column in (1, 3):
                item.setToolTip(column, texts[column])
            if self.kind != Kind.STRENGTH:
                item.setIcon(2, _dot_icon(_RATING_COLOURS.get(texts[2], "")))
            if prep.progress_of(record) != Progress.TO_LOOK_AT:
                font = item.font(5)
                font.setBold(True)
                item.setFont(5, font)
            items.append(item)
        self.tree.addTopLevelItems(items)
        for item in items:
            item.setSelected(item.data(0, ID_ROLE) in selected)
        done, total = prep.section_progress(self.step)
        self.progress.setText(
            tr("%1 of %2 looked at in this preparation.").replace("%1", str(done)).replace("%2", str(total))
        )
        self.nothing_more.blockSignals(True)
        self.nothing_more.setChecked(self.step in prep.state.nothing_more)
        self.nothing_more.blockSignals(False)
        self._apply_filter(self.filter.text())
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        return [item.data(0, ID_ROLE) for item in self.tree.selectedItems()]

    def select(self, record_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, ID_ROLE) == record_id:
                self.tree.setCurrentItem(item)
                item.setSelected(True)

    def confirm_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        last = max(self._row_of(i) for i in ids)
        label = tr("Confirm %1 current").replace("%1", self._codes(ids))
        self._in_one_step(label, ids, self.prep.confirm_current)
        self._select_next_to_look_at(last)

    def _codes(self, ids: list[str]) -> str:
        codes = [self.prep.table.get(i).code for i in ids]
        return ", ".join(codes[:6]) + (f" +{len(codes) - 6}" if len(codes) > 6 else "")

    def _in_one_step(self, label: str, ids: list[str], change: Callable[[str], None]) -> None:
        """Change each record as one undoable step; show the section again once at the end."""
        stack = self.session.undo_stack
        stack.beginMacro(label)
        try:
            for record_id in ids:
                if not self.guarded(lambda record_id=record_id: change(record_id)):
                    break
        finally:
            stack.endMacro()
        self.reload()

    def _row_of(self, record_id: str) -> int:
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).data(0, ID_ROLE) == record_id:
                return i
        return -1

    def _select_next_to_look_at(self, after: int) -> None:
        """So the DSL can go down the list pressing Alt+C."""
        count = self.tree.topLevelItemCount()
        for offset in range(1, count + 1):
            item = self.tree.topLevelItem((after + offset) % count)
            if not item.isHidden() and item.text(5) == _progress_text(Progress.TO_LOOK_AT):
                self.tree.clearSelection()
                self.tree.setCurrentItem(item)
                item.setSelected(True)
                self.tree.scrollToItem(item)
                return

    def retire_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        codes = self._codes(ids)
        question = tr(
            "Retire %1? Retired records stay on record but leave the mapping table and the meeting."
        ).replace("%1", codes)
        if not dialogs().confirm(self, tr("Retire"), question, tr("Retire")):
            return
        self._in_one_step(tr("Retire %1").replace("%1", codes), ids, self.prep.retire)

    def add_record(self) -> None:
        self.add_dialog = AddRecordDialog(self.kind, self.prep, self)
        self.add_dialog.accepted.connect(self._added)
        self.add_dialog.open()

    def _added(self) -> None:
        dialog = self.add_dialog
        if dialog is None:
            return
        record = dialog.record()
        if self.guarded(lambda: self.prep.add(record)):
            self.reload()
            self.select(record.id)
        self.add_dialog = None
        dialog.deleteLater()

    def _open(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.ctx.request_open(item.data(0, ID_ROLE))

    def _nothing_more(self, on: bool) -> None:
        self.prep.set_nothing_more(self.step, on)
        self.update_status()

    def _apply_filter(self, text: str) -> None:
        folded = text.strip().casefold()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            shown = not folded or any(folded in item.text(c).casefold() for c in range(4))
            item.setHidden(not shown)

    def _first_selected(self) -> QTreeWidgetItem | None:
        chosen = self.tree.selectedItems()
        return chosen[0] if chosen else None

    def _update_buttons(self) -> None:
        chosen = len(self.tree.selectedItems())
        self.confirm_button.setEnabled(chosen > 0)
        self.retire_button.setEnabled(chosen > 0)
        self.edit_button.setEnabled(chosen == 1)


_RATING_COLOURS = {
    Rag.RED.value: "#d13438",
    Rag.AMBER.value: "#e8a317",
    Rag.GREEN.value: "#2e9e44",
    ConcernLevel.HIGH.value: "#d13438",
    ConcernLevel.MEDIUM.value: "#e8a317",
}


@functools.cache
def _dot_icon(colour: str) -> QIcon:
    pixmap = QPixmap(24, 24)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    if colour:  # no colour: an empty icon of the same size, so the words line up
        painter.setBrush(QColor(colour))
        painter.drawEllipse(QRectF(2, 2, 8, 8))
    painter.end()
    return QIcon(pixmap)


def _rating(record: Record) -> str:
    if isinstance(record, Location):
        return record.rating
    if isinstance(record, Strength):
        return record.strength_kind
    return getattr(record, "concern_level", "")


class LinksPage(PreparePage):
    """The spider diagram when this version has it, beside the list of links."""

    def build(self) -> None:
        self.summary = QLabel(self)
        self.summary.setObjectName("linksSummary")
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("links")
        self.tree.setAccessibleName(tr("Links"))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels([tr("From"), tr("Relation"), tr("To"), tr("Confidence"), tr("Evidence")])
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.itemDoubleClicked.connect(
            lambda item, _c: self.ctx.request_open(item.data(0, ID_ROLE))
        )
        self.diagram = None
        self._diagram_tried = False
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("linksTabs")
        self.tabs.addTab(self.tree, tr("&List of links"))
        self.body.addWidget(self.tabs, 1)

    def _add_diagram(self) -> None:
        """The diagram is made on the first visit: its module is slow to load."""
        self.diagram = _make_diagram(self.session, self)
        if self.diagram is not None:
            self.diagram.recordActivated.connect(self.ctx.request_open)
            self.tabs.insertTab(0, self.diagram, tr("Spider &diagram"))
            self.tabs.setCurrentIndex(0)

    def fill(self) -> None:
        if not self._diagram_tried:
            self._diagram_tried = True
            self._add_diagram()
        table = self.prep.table
        links = self.prep.links()
        self.summary.setText(
            tr("%1 links join the records of the mapping table. Double-click a record or a "
               "link to open it in the main window.").replace("%1", str(len(links)))
        )
        if self.diagram is not None:
            self.diagram.set_presentation(self.session.presentation)
            self.diagram.refresh(table, pinned=self.prep.workspace.diagram_positions())
            # The first fit happens before the page has its size; fit again once shown.
            QTimer.singleShot(0, self._fit)
        self.tree.clear()
        items = []
        for link in links:
            a, b = table.get(link.a_id), table.get(link.b_id)
            evidenced = bool(table.evidence_of(link.id))
            item = QTreeWidgetItem(
                [self.name(a), link.relation, self.name(b), link.confidence,
                 tr("yes") if evidenced else tr("none")]
            )
            item.setData(0, ID_ROLE, link.id)
            items.append(item)
        self.tree.addTopLevelItems(items)


    def _fit(self) -> None:
        if self.diagram is not None and self.diagram.isVisible():
            self.diagram.fit()


def _make_diagram(session: Session, parent: QWidget):
    """The spider diagram the main window shows, for the links page."""
    from saferyp_desktop.ui.diagram import SpiderDiagramView  # when the page is first shown

    return SpiderDiagramView(
        parent, profile=session.profile, save_positions=session.workspace.save_diagram_positions
    )


class ConcernsPage(PreparePage):
    def build(self) -> None:
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("keyConcerns")
        self.tree.setAccessibleName(tr("Key concerns and questions for this meeting"))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setItemDelegateForColumn(1, WrapDelegate(self.tree))
        self.tree.setItemDelegateForColumn(2, WrapDelegate(self.tree))
        self.tree.setHeaderLabels([tr("Code"), tr("Concern or question"), tr("About")])
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.tree.header().resizeSection(2, 300)
        # Wrapped rows take their height from the column width: lay out again on resize.
        self.tree.header().sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.ctx.request_open(item.data(0, ID_ROLE)))
        self.body.addWidget(self.tree, 3)
        retire_row = QHBoxLayout()
        self.retire_button = QPushButton(tr("&Retire…"), self)
        retire_row.addStretch(1)
        retire_row.addWidget(self.retire_button)
        self.body.addLayout(retire_row)

        box = QGroupBox(tr("Add a key concern or question"), self)
        grid = QGridLayout(box)
        self.text = QPlainTextEdit(box)
        self.text.setObjectName("concernText")
        self.text.setAccessibleName(tr("Key concern or question"))
        self.text.setPlaceholderText(tr("What concerns you, or what would you like to ask the meeting?"))
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(110)
        self.question = QCheckBox(tr("This is a &question for the meeting"), box)
        self.picker = RecordPicker(tr("Records the concern is about"), box)
        self.add_button = QPushButton(tr("&Add concern"), box)
        self.add_button.setObjectName("addConcern")
        about = QLabel(tr("About these records:"), box)
        about.setBuddy(self.picker.filter)
        left = QVBoxLayout()
        left.addWidget(self.text)
        left.addWidget(self.question)
        left.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(about)
        right.addWidget(self.picker, 1)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.body.addWidget(box, 2)
        self.nothing_more = QCheckBox(tr("No key concerns or questions to rai&se"), self)
        self.nothing_more.setObjectName("nothingMore")
        self.body.addWidget(self.nothing_more)

        self.text.textChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add_concern)
        self.retire_button.clicked.connect(self.retire_selected)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.nothing_more.toggled.connect(self._nothing_more)

    def fill(self) -> None:
        table = self.prep.table
        self.tree.clear()
        for concern in self.prep.key_concerns():
            about = [r for r in (table.get(i) for i in concern.linked_ids) if r is not None]
            names = [self.session.name_of(r) for r in about]
            shown = ", ".join(names[:4]) + (f" +{len(names) - 4}" if len(names) > 4 else "")
            kind = tr("Question: ") if concern.is_question else ""
            item = QTreeWidgetItem([concern.code, kind + concern.text, shown])
            item.setToolTip(1, concern.text)
            item.setToolTip(2, "\n".join(self.name(r) for r in about))
            for column in range(3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            item.setData(0, ID_ROLE, concern.id)
            self.tree.addTopLevelItem(item)
        self.picker.fill(_mapped_records(self.prep), self.name)
        self.nothing_more.blockSignals(True)
        self.nothing_more.setChecked(Step.CONCERNS in self.prep.state.nothing_more)
        self.nothing_more.blockSignals(False)
        self._update_buttons()

    def add_concern(self) -> None:
        text = self.text.toPlainText().strip()
        if not text:
            return
        ok = self.guarded(
            lambda: self.prep.add_key_concern(
                text, is_question=self.question.isChecked(), linked_ids=self.picker.checked_ids()
            )
        )
        if ok:
            self.text.clear()
            self.question.setChecked(False)
            self.picker.clear_checks()
            self.reload()

    def retire_selected(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        record = self.prep.table.get(item.data(0, ID_ROLE))
        question = tr("Retire %1? It will not be brought to the meeting.").replace("%1", record.code)
        if dialogs().confirm(self, tr("Retire"), question, tr("Retire")):
            self.guarded(lambda: self.session.retire(record))
            self.reload()

    def _nothing_more(self, on: bool) -> None:
        self.prep.set_nothing_more(Step.CONCERNS, on)
        self.update_status()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(bool(self.text.toPlainText().strip()))
        self.retire_button.setEnabled(self.tree.currentItem() is not None)


def _mapped_records(prep: Preparation) -> list[Record]:
    return [r for kind in MAPPED_KINDS for r in prep.table.of_kind(kind)]


class ActionsPage(PreparePage):
    def build(self) -> None:
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("proposedActions")
        self.tree.setAccessibleName(tr("Actions proposed for this meeting"))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels([tr("Code"), tr("Action"), tr("Owner"), tr("Due"), tr("Status")])
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.ctx.request_open(item.data(0, ID_ROLE)))
        self.body.addWidget(self.tree, 2)

        box = QGroupBox(tr("Propose an action"), self)
        grid = QGridLayout(box)
        catalogue_label = QLabel(tr("Possible actions/interventions:"), box)
        self.catalogue = QListWidget(box)
        self.catalogue.setObjectName("catalogue")
        self.catalogue.setAccessibleName(tr("Possible actions and interventions"))
        self.catalogue.setWordWrap(True)
        self.catalogue.setAlternatingRowColors(True)
        self.catalogue.setSpacing(1)
        catalogue_label.setBuddy(self.catalogue)
        for entry in self.prep.profile.actions:
            item = QListWidgetItem(entry.label, self.catalogue)
            item.setData(ID_ROLE, entry.key)
        left = QVBoxLayout()
        left.addWidget(catalogue_label)
        left.addWidget(self.catalogue, 1)
        grid.addLayout(left, 0, 0)

        form = QFormLayout()
        self.sub_label = QLabel(tr("Outcome:"), box)
        self.sub_choice = QComboBox(box)
        self.sub_choice.setAccessibleName(tr("Sub-choice"))
        self.sub_label.setBuddy(self.sub_choice)
        form.addRow(self.sub_label, self.sub_choice)
        self.detail = QLineEdit(box)
        self.detail.setObjectName("actionDetail")
        self.detail.setAccessibleName(tr("Detail"))
        form.addRow(tr("De&tail:"), self.detail)
        self.owner = QComboBox(box)
        self.owner.setAccessibleName(tr("Owner agency"))
        self.owner.addItem(tr("not decided"), "")
        for agency in self.prep.profile.agencies:
            self.owner.addItem(agency.label, agency.key)
        form.addRow(tr("O&wner agency:"), self.owner)
        self.has_due = QCheckBox(tr("D&ue by:"), box)
        self.due = QDateEdit(box)
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMMM yyyy")
        self.due.setAccessibleName(tr("Due date"))
        self.due.setEnabled(False)
        self.has_due.toggled.connect(self.due.setEnabled)
        form.addRow(self.has_due, self.due)
        self.not_forward = QCheckBox(tr("Not taken forward (record why)"), box)
        self.not_forward.setObjectName("notTakenForward")
        self.rationale = QLineEdit(box)
        self.rationale.setAccessibleName(tr("Rationale"))
        self.rationale.setPlaceholderText(tr("Why no action is taken"))
        self.rationale.setEnabled(False)
        form.addRow(self.not_forward)
        form.addRow(tr("R&ationale:"), self.rationale)
        self.picker = RecordPicker(tr("Records the action is about"), box)
        self.picker.setMinimumHeight(90)
        form.addRow(tr("About:"), self.picker)
        grid.addLayout(form, 0, 1)
        self.add_button = QPushButton(tr("&Propose action"), box)
        self.add_button.setObjectName("proposeAction")
        grid.addWidget(self.add_button, 1, 1, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.body.addWidget(box, 5)
        self.nothing_more = QCheckBox(tr("No actions to pr&opose"), self)
        self.nothing_more.setObjectName("nothingMore")
        self.body.addWidget(self.nothing_more)

        self.catalogue.currentItemChanged.connect(self._catalogue_changed)
        self.not_forward.toggled.connect(self._update_buttons)
        self.rationale.textChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self.propose)
        self.nothing_more.toggled.connect(self._nothing_more)
        self._catalogue_changed(None)

    def fill(self) -> None:
        self.tree.clear()
        for action in self.prep.proposed_actions():
            self.tree.addTopLevelItem(self._item(action))
        self.picker.fill(_mapped_records(self.prep), self.name)
        due = self.prep.meeting.date
        if not self.has_due.isChecked():
            self.due.setDate(QDate(due.year, due.month, due.day).addDays(28))
        self.nothing_more.blockSignals(True)
        self.nothing_more.setChecked(Step.ACTIONS in self.prep.state.nothing_more)
        self.nothing_more.blockSignals(False)
        self._update_buttons()

    def _item(self, action: Action) -> QTreeWidgetItem:
        profile = self.prep.profile
        label = profile.label("actions", action.catalogue_key)
        if action.sub_choice:
            label += f" — {action.sub_choice}"
        if action.detail:
            label += f": {action.detail}"
        item = QTreeWidgetItem(
            [
                action.code,
                label,
                profile.label("agencies", action.owner_agency) if action.owner_agency else "",
                _day(action.due) if action.due else "",
                action.status,
            ]
        )
        item.setToolTip(1, label)
        item.setData(0, ID_ROLE, action.id)
        return item

    def choose(self, catalogue_key: str) -> None:
        for i in range(self.catalogue.count()):
            if self.catalogue.item(i).data(ID_ROLE) == catalogue_key:
                self.catalogue.setCurrentRow(i)

    def _catalogue_changed(self, item: QListWidgetItem | None) -> None:
        entry = self.prep.profile.action(item.data(ID_ROLE)) if item else None
        self.sub_choice.clear()
        has_sub = bool(entry and entry.sub_choices)
        if has_sub:
            self.sub_choice.addItem(tr("not known yet"), "")
            for choice in entry.sub_choices:
                self.sub_choice.addItem(choice, choice)
            self.sub_label.setText((entry.sub_label or tr("Outcome")) + ":")
        else:
            self.sub_label.setText(tr("Outcome:"))
        self.sub_choice.setEnabled(has_sub)
        self._update_buttons()

    def propose(self) -> None:
        item = self.catalogue.currentItem()
        if item is None:
            return
        due = self.due.date()
        ok = self.guarded(
            lambda: self.prep.propose_action(
                item.data(ID_ROLE),
                sub_choice=self.sub_choice.currentData() or "",
                detail=self.detail.text(),
                linked_ids=self.picker.checked_ids(),
                owner_agency=self.owner.currentData() or "",
                due=date(due.year(), due.month(), due.day()) if self.has_due.isChecked() else None,
                taken_forward=not self.not_forward.isChecked(),
                rationale=self.rationale.text(),
            )
        )
        if ok:
            self.detail.clear()
            self.rationale.clear()
            self.not_forward.setChecked(False)
            self.has_due.setChecked(False)
            self.picker.clear_checks()
            self.reload()

    def _nothing_more(self, on: bool) -> None:
        self.prep.set_nothing_more(Step.ACTIONS, on)
        self.update_status()

    def _update_buttons(self) -> None:
        not_forward = self.not_forward.isChecked()
        self.rationale.setEnabled(not_forward)
        self.add_button.setText(tr("&Record decision") if not_forward else tr("&Propose action"))
        self.add_button.setEnabled(
            self.catalogue.currentItem() is not None
            and (not not_forward or bool(self.rationale.text().strip()))
        )


class ReviewPage(PreparePage):
    """Every finding of the four checks, grouped by check; a finding opens its record."""

    def build(self) -> None:
        self.counts = QLabel(self)
        self.counts.setObjectName("findingCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.counts)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("findings")
        self.tree.setAccessibleName(tr("Findings of the checks"))
        self.tree.setAccessibleDescription(tr("Click a finding, or press Enter, to open its record."))
        self.tree.setHeaderLabels([tr("Record"), tr("What to look at")])
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(0, 260)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.installEventFilter(self)
        self.body.addWidget(self.tree, 1)
        self.groups: dict[Check, QTreeWidgetItem] = {}

    def fill(self) -> None:
        prep = self.prep
        findings = prep.findings()
        counts = {check: 0 for check in Check}
        for finding in findings:
            counts[finding.check] += 1
        self.counts.setText(
            " &nbsp;·&nbsp; ".join(f"{CHECK_TITLES[c]}: <b>{counts[c]}</b>" for c in Check)
            + " &nbsp; "
            + tr("(for the meeting on %1)").replace("%1", _day(prep.meeting.date))
        )
        expanded = {c for c, item in self.groups.items() if item.isExpanded()} or set(Check)
        self.tree.clear()
        self.groups = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for check in Check:
            group = QTreeWidgetItem(
                [f"{CHECK_TITLES[check]} ({counts[check]})", _CHECK_HELP[check]()]
            )
            group.setFont(0, bold)
            quiet = QFont(self.tree.font())
            quiet.setItalic(True)
            group.setFont(1, quiet)
            group.setForeground(1, self.palette().placeholderText())
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(group)
            self.groups[check] = group
        for finding in findings:
            label = self._subject(finding.subject_id) or finding.subject_code
            child = QTreeWidgetItem([label, finding.message])
            child.setToolTip(0, label)
            child.setToolTip(1, finding.message)
            # A record's id, or a link's (the main window shows a link in its first record).
            child.setData(0, ID_ROLE, finding.subject_id)
            self.groups[finding.check].addChild(child)
        for check, item in self.groups.items():
            item.setExpanded(check in expanded)

    def _subject(self, subject_id: str) -> str:
        """A finding's record by code and name, or a link by its two ends."""
        table = self.prep.table
        record = table.get(subject_id)
        if record is not None:
            return self.name(record)
        link = table.links.get(subject_id)
        ends = [table.get(link.a_id), table.get(link.b_id)] if link else []
        if link is None or None in ends:
            return ""
        return " – ".join(self.name(end) for end in ends)

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        record_id = item.data(0, ID_ROLE)
        if record_id:
            self.ctx.request_open(record_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.tree
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.tree.currentItem() is not None
            and self.tree.currentItem().data(0, ID_ROLE)
        ):
            self._clicked(self.tree.currentItem())
            return True
        return super().eventFilter(watched, event)


_CHECK_HELP: dict[Check, Callable[[], str]] = {
    Check.RELEVANT: lambda: tr("Each person, group and place has a harm category, or a link to one."),
    Check.EVIDENCED: lambda: tr("Each record or link rated medium or high has evidence with a source and a date."),
    Check.CURRENT: lambda: tr("Each record was confirmed or evidenced within the currency window."),
    Check.PLAN: lambda: tr("Each young person has a key concern, a proposed action or a “no action” rationale."),
}


class FinishPage(PreparePage):
    def build(self) -> None:
        self.summary = QLabel(self)
        self.summary.setObjectName("finishSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        row = QHBoxLayout()
        self.briefing_button = QPushButton(tr("Export the &briefing (PDF)…"), self)
        self.bundle_button = QPushButton(tr("Export the b&undle for the chair…"), self)
        for button in (self.briefing_button, self.bundle_button):
            row.addWidget(button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)
        self.briefing_button.clicked.connect(
            lambda: self.ctx.exportBriefingRequested.emit(self.prep.meeting.id)
        )
        self.bundle_button.clicked.connect(
            lambda: self.ctx.exportBundleRequested.emit(self.prep.meeting.id)
        )

    def fill(self) -> None:
        prep = self.prep
        meeting = prep.meeting
        counts = prep.table.counts()
        findings = prep.finding_counts()
        rows = [
            (tr("Meeting"), f"{_day(meeting.date)}" + (f", {meeting.venue}" if meeting.venue else "")),
            (tr("Attendees"), str(len(meeting.attendees))),
            (tr("Young people"), str(counts[Kind.YOUNG_PERSON])),
            (tr("Adults"), str(counts[Kind.ADULT])),
            (tr("Peer groups"), str(counts[Kind.PEER_GROUP])),
            (tr("Locations and contexts"), str(counts[Kind.LOCATION])),
            (tr("Strengths"), str(counts[Kind.STRENGTH])),
            (tr("Key concerns and questions"), str(len(prep.key_concerns()))),
            (tr("Proposed actions"), str(len(prep.proposed_actions()))),
            (tr("Findings to look at"), ", ".join(f"{CHECK_TITLES[c]} {findings[c]}" for c in Check)),
        ]
        body = "".join(
            f"<tr><td style='padding-right:16px'>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows
        )
        self.summary.setText(
            tr("Everything is saved. Press Finish to close the wizard; you can come back to it "
               "until the meeting.") + f"<table style='margin-top:8px'>{body}</table>"
        )


# The wizard's pages, in the order of the steps.
PAGES: tuple[tuple[Step, type[PreparePage]], ...] = (
    (Step.DETAILS, DetailsPage),
    (Step.SHARING, SharingPage),
    (Step.HARM_TYPES, HarmTypesPage),
    (Step.YOUNG_PEOPLE, SectionPage),
    (Step.ADULTS, SectionPage),
    (Step.PEER_GROUPS, SectionPage),
    (Step.LOCATIONS, SectionPage),
    (Step.LINKS, LinksPage),
    (Step.STRENGTHS, SectionPage),
    (Step.CONCERNS, ConcernsPage),
    (Step.ACTIONS, ActionsPage),
    (Step.REVIEW, ReviewPage),
    (Step.FINISH, FinishPage),
)


class StepList(QListWidget):
    """The steps down the side: done ones ticked, the current one marked."""

    def __init__(self, wizard: PrepareWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setObjectName("stepList")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setAccessibleName(tr("Steps"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setAutoFillBackground(False)
        self.setFixedWidth(230)
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setIconSize(QSize(16, 16))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for step in STEPS:
            QListWidgetItem(step_title(step), self)

    def refresh(self) -> None:
        current = self._wizard.currentId()
        prep = self._wizard.preparation
        palette = self.palette()
        for index, step in enumerate(STEPS):
            item = self.item(index)
            font = item.font()
            font.setBold(index == current)
            item.setFont(font)
            if index == current:
                mark, state = "▸", tr("current step")
            elif index < current and prep.is_complete(step)[0]:
                mark, state = "✓", tr("done")
            elif index < current:
                mark, state = "!", tr("not complete")
            else:
                mark, state = "", tr("to do")
            item.setIcon(_mark_icon(mark, palette.color(QPalette.ColorRole.Text)))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{step_title(step)}: {state}")
            item.setForeground(
                palette.text() if index <= current else palette.placeholderText()
            )


def _mark_icon(mark: str, colour: QColor) -> QIcon:
    """A step's mark (tick, arrow, exclamation or nothing) as a small icon, so titles align."""
    pixmap = QPixmap(32, 32)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    if mark:
        painter = QPainter(pixmap)
        font = QFont()
        font.setPixelSize(13)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#b06000") if mark == "!" else colour)
        painter.drawText(QRectF(0, 0, 16, 16), Qt.AlignmentFlag.AlignCenter, mark)
        painter.end()
    return QIcon(pixmap)


class PrepareWizard(QWizard):
    """Prepare for a meeting. Non-modal: records open in the main window while it stays."""

    openRecordRequested = Signal(str)  # a record id; the main window opens it
    exportBriefingRequested = Signal(str)  # a meeting id (only when export exists)
    exportBundleRequested = Signal(str)  # a meeting id (only when export exists)

    def __init__(self, session: Session, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._today = today
        self.preparation = Preparation.start(session.workspace, editor=session, today=today)
        self._quiet = False
        self._resuming = False
        self._requested: set[str] = set()
        self.setObjectName("prepareWizard")
        self.setWindowTitle(tr("Prepare for a meeting — SaferYP Desktop"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("Close"))
        self.button(QWizard.WizardButton.CancelButton).setToolTip(
            tr("Close the wizard. Everything is saved; it opens again where you left off.")
        )
        for which, name in (
            (QWizard.WizardButton.BackButton, tr("Back")),
            (QWizard.WizardButton.NextButton, tr("Next")),
            (QWizard.WizardButton.FinishButton, tr("Finish")),
            (QWizard.WizardButton.CancelButton, tr("Close")),
        ):
            self.button(which).setAccessibleName(name)
        self.step_list = StepList(self)
        self.setSideWidget(self.step_list)
        self.pages: dict[Step, PreparePage] = {}
        for index, (step, page_type) in enumerate(PAGES):
            page = page_type(self, step)
            self.setPage(index, page)
            self.pages[step] = page
        self.resize(1080, 740)
        self.currentIdChanged.connect(self._moved)
        self._listening = False
        self._listen(True)
        self._resume()

    # -- where we are ----------------------------------------------------------------------
    def current_step(self) -> Step:
        return STEPS[self.currentId()]

    def page_for(self, step: Step) -> PreparePage:
        return self.pages[step]

    def _resume(self) -> None:
        """Open at the step saved last time, having passed through the complete ones before
        it (so Back works); an earlier step that is no longer complete stops the way."""
        self._resuming = True
        try:
            self.restart()
            for step in self.preparation.resume_path()[1:]:
                if not self.currentPage().isComplete():
                    break
                self.next()
                if self.current_step() != step:
                    break
        finally:
            self._resuming = False
        self.preparation.go_to(self.current_step())
        self._reload_current()

    def _moved(self, page_id: int) -> None:
        # Closing resets a QWizard to no page, and showing it again restarts it at the
        # first: neither is the DSL moving, so neither is saved.
        if page_id < 0 or not self._listening:
            return
        if self._resuming:
            return
        self.preparation.go_to(STEPS[page_id])
        self._reload_current()

    # -- keeping pages in step with the workspace ---------------------------------------------------
    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Changes made inside do not reload the page that is making them."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    def _workspace_changed(self, ids: list) -> None:
        for record_id in ids:
            if record_id in self._requested:
                record = self.preparation.table.get(record_id)
                if record is not None and record.active:
                    self.preparation.mark_changed(record_id)
        if not self._quiet:
            self._reload_current()

    def _reload_current(self) -> None:
        page = self.currentPage()
        if isinstance(page, PreparePage):
            page.reload()

    def request_open(self, record_id: str) -> None:
        """Ask the main window to open a record; an edit saved there counts as looked at."""
        if not record_id:
            return
        self._requested.add(record_id)
        self.openRecordRequested.emit(record_id)

    # -- closing and opening again ---------------------------------------------------------------------
    def accept(self) -> None:
        self.preparation.finish()
        super().accept()

    def done(self, result: int) -> None:
        """Closed (Close, Escape, Finish, or the workspace locked): everything is saved
        already; stop listening so a closed wizard never writes stale progress."""
        self._listen(False)
        super().done(result)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._listening:  # shown again after closing: pick up where it was left
            self.preparation = Preparation.start(
                self.session.workspace, editor=self.session, today=self._today
            )
            self._listen(True)
            self._resume()
        super().showEvent(event)

    def _listen(self, on: bool) -> None:
        if on == self._listening:
            return
        self._listening = on
        session = self.session
        pairs = (
            (session.changed, self._workspace_changed),
            (session.presentationChanged, self._presentation_changed),
            (session.closed, self.close),
        )
        for signal, slot in pairs:
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    def _presentation_changed(self, _on: bool) -> None:
        self._reload_current()
