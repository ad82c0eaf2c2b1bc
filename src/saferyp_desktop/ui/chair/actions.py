"""The actions agreed at a meeting: what a meeting date holds, the table of its agreed
actions, and the dialog that agrees (or changes) one.

An agreed action is for one school (linked to that school's records) or for one cluster
across schools (a candidate match; linked to its records). Everything is saved through
``services.chair.agree_action``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.levels import DataLevel, NameScrubber, display_name
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    MAPPED_KINDS,
    Action,
    ActionStatus,
    Kind,
    Meeting,
    Record,
)
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.services import chair
from saferyp_desktop.services.chair import CandidateView, SchoolSubmission
from saferyp_desktop.services.exchange import SubmissionSummary
from saferyp_desktop.ui.chair.columns import FittedColumns
from saferyp_desktop.ui.chair.submission_session import SubmissionSession
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.detail_models import TextRowsModel
from saferyp_desktop.ui.sections.fields import ChoiceCombo, LinkedRecordsEditor, OptionalDateEdit
from saferyp_desktop.ui.session import Session

_DISPLAY = Qt.ItemDataRole.DisplayRole
ActionIdRole = Qt.ItemDataRole.UserRole.value + 31
KIND_WORDS = {"location": "place", "adult": "adult", "peer_group": "peer group",
              "young_person": "young person"}


def _translate(text: str) -> str:
    return QCoreApplication.translate("AgreedActions", text)


def count_words(count: int) -> str:
    """``no actions``, ``1 action``, ``3 actions``."""
    if count == 0:
        return _translate("no actions")
    if count == 1:
        return _translate("1 action")
    return _translate("%d actions") % count


def split_actions(actions: Sequence[Action]) -> tuple[int, int]:
    """How many of ``actions`` are taken forward, and how many are not."""
    dropped = sum(1 for a in actions if a.status == ActionStatus.NOT_TAKEN_FORWARD.value)
    return len(actions) - dropped, dropped


def actions_words(actions: Sequence[Action]) -> str:
    """``2 actions``, ``1 action · 1 not taken forward``, ``1 not taken forward``: an
    action not taken forward is a decision recorded, not an action, so it is counted apart."""
    taken, dropped = split_actions(actions)
    parts = [count_words(taken)] if taken or not dropped else []
    if dropped:
        parts.append(_translate("%d not taken forward") % dropped)
    return " · ".join(parts)


def meeting_dates(workspace, submissions: list[SubmissionSummary]) -> list[date]:
    """The dates the chair may hold a meeting record for: those the current submissions
    name, and those of meeting records already kept, earliest first."""
    days = {s.meeting_date for s in submissions if not s.superseded and s.meeting_date}
    days |= {m.date for m in workspace.table().of_kind(Kind.MEETING) if isinstance(m, Meeting)}
    return sorted(days)


def default_date(days: list[date], today: date | None = None) -> date | None:
    """The next meeting from today, or else the latest one."""
    today = today or date.today()
    upcoming = [d for d in days if d >= today]
    return min(upcoming) if upcoming else max(days, default=None)


@dataclass
class MeetingContext:
    """One meeting date as the chair's pages show it."""

    day: date
    subs: list[SchoolSubmission] = field(default_factory=list)
    candidates: list[CandidateView] = field(default_factory=list)
    meeting: Meeting | None = None
    actions: list[Action] = field(default_factory=list)
    records: dict[str, tuple[str, Record]] = field(default_factory=dict)  # id → (URN, record)

    @property
    def schools(self) -> dict[str, str]:
        return {s.urn: s.school for s in self.subs}

    def cluster(self, key: str) -> CandidateView | None:
        for candidate in self.candidates:
            if candidate.key == key or key in candidate.pair_keys:
                return candidate
        return None

    def confirmed_clusters(self) -> list[CandidateView]:
        return [c for c in self.candidates if c.confirmed]

    def school_table(self, urn: str) -> MappingTable:
        sub = next((s for s in self.subs if s.urn == urn), None)
        return sub.table if sub is not None else MappingTable()

    def combined(self) -> MappingTable:
        return MappingTable.of(record for _, record in self.records.values())


def gather_meeting(workspace, day: date) -> MeetingContext:
    """The submissions, candidates, meeting record and agreed actions for ``day``."""
    found = chair.across_schools(workspace, day)  # read and matched once
    subs = found.subs
    context = MeetingContext(
        day=day,
        subs=subs,
        candidates=found.candidates() if len(subs) > 1 else [],
        meeting=chair.find_meeting(workspace, day),
        actions=[a for a in chair.meeting_actions(workspace, day) if a.active],
    )
    for sub in subs:
        for record_id, record in sub.table.records.items():
            context.records[record_id] = (sub.urn, record)
    return context


def cluster_words(candidate: CandidateView, level: DataLevel, records: dict[str, tuple[str, Record]]) -> str:
    """``Across schools: place — Bus station, Kettle St / Fernbridge Bus Station``."""
    names = []
    for member in candidate.members:
        found = records.get(member.record_id)
        names.append(display_name(found[1], level) if found else member.label)
    unique = list(dict.fromkeys(names))
    kind = _translate(KIND_WORDS.get(candidate.kind.value, candidate.kind.value))
    return _translate("Across schools: %s — %s") % (kind, " / ".join(unique))


class AgreedActionsModel(TextRowsModel):
    """Actions agreed at a meeting, by code."""

    CODE, FOR, ACTION, OUTCOME, OWNER, DUE, STATUS, RATIONALE, DETAIL, LINKED = range(10)
    HEADERS: ClassVar[tuple[str, ...]] = (
        "Code", "For", "Action", "Outcome", "Owner", "Due", "Status", "Rationale", "Detail",
        "Linked records",
    )
    WIDTHS: ClassVar[tuple[int, ...]] = (56, 190, 200, 110, 150, 86, 120, 180, 240, 240)
    # Who does what by when, and why, stay in sight (``ui.chair.columns``): these columns
    # narrow to make room, their text elided and whole in the tooltip.
    FIT_THROUGH: ClassVar[int] = RATIONALE
    ELASTIC: ClassVar[tuple[int, ...]] = (FOR, ACTION, OUTCOME, OWNER, RATIONALE)
    WHOLE_IN_TOOLTIP: ClassVar[frozenset[int]] = frozenset(
        (FOR, ACTION, OUTCOME, OWNER, RATIONALE, DETAIL, LINKED)
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Action] = []

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role == _DISPLAY:
            return self._texts[index.row()][index.column()]
        if role == ActionIdRole:
            return self._rows[index.row()].id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.whole_text(index)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and self._rows[index.row()].status == ActionStatus.NOT_TAKEN_FORWARD.value
        ):
            return QBrush(QColor(128, 128, 128))
        return None

    def set_actions(self, actions: list[Action], context: MeetingContext, profile, level: DataLevel) -> None:
        self.beginResetModel()
        self._rows = sorted(actions, key=lambda a: (len(a.code), a.code))
        # Free text without names, as the record names are, below full names.
        scrub = NameScrubber(context.combined()) if level != DataLevel.FULL else str
        self._texts = [self._texts_of(a, context, profile, level, scrub) for a in self._rows]
        self.endResetModel()

    def action_at(self, row: int) -> Action:
        return self._rows[row]

    def row_of(self, action_id: str) -> int:
        return next((n for n, a in enumerate(self._rows) if a.id == action_id), -1)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows, self._texts = [], []
        self.endResetModel()

    @staticmethod
    def _texts_of(action: Action, context: MeetingContext, profile, level: DataLevel,
                  scrub: Callable[[str], str]) -> list[str]:
        if action.school_urn:
            subject = context.schools.get(action.school_urn, action.school_urn)
        else:
            cluster = context.cluster(action.cluster_key)
            subject = cluster_words(cluster, level, context.records) if cluster else _translate("Across schools")
        linked = []
        for record_id in action.linked_ids:
            found = context.records.get(record_id)
            if found is None:
                continue
            urn, record = found
            name = display_name(record, level)
            text = record.code if name == record.code else f"{record.code} {name}"
            if not action.school_urn:
                text = f"{context.schools.get(urn, urn)}: {text}"
            linked.append(text)
        return [
            action.code,
            subject,
            profile.label("actions", action.catalogue_key),
            action.sub_choice,
            profile.label("agencies", action.owner_agency) if action.owner_agency else "",
            action.due.isoformat() if action.due else "",
            action.status,
            scrub(action.rationale),
            scrub(action.detail),
            "; ".join(linked),
        ]


def _choices_of(enum) -> list[tuple[str, str]]:
    return [(m.value, m.value[:1].upper() + m.value[1:]) for m in enum]


def agreed_actions_table(
    parent: QWidget, model: AgreedActionsModel, *, object_name: str, name: str
) -> tuple[QTableView, FittedColumns]:
    """A read-only table of agreed actions, a row at a time, its key columns fitted to
    the window (the meeting's and the outcomes' page show the same columns)."""
    view = QTableView(parent)
    view.setObjectName(object_name)
    view.setAccessibleName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    columns = FittedColumns(
        view, AgreedActionsModel.WIDTHS,
        fit_through=AgreedActionsModel.FIT_THROUGH, elastic=AgreedActionsModel.ELASTIC,
    )
    return view, columns


class ActionDialog(QDialog):
    """Agree an action for a school or a cluster across schools, or change one."""

    def __init__(self, session: Session, context: MeetingContext, existing: Action | None = None,
                 *, subject: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.context = context
        self.existing = existing
        self.saved: Action | None = None
        self.setObjectName("actionDialog")
        self.setWindowTitle(self.tr("Change an agreed action") if existing else self.tr("Agree an action"))
        profile = session.profile
        level = session.level
        self._pickers: dict[str, SubmissionSession] = {}

        about = QLabel(self.tr("Meeting on %s") % context.day.isoformat(), self)
        self.subject = ChoiceCombo(parent=self)
        self.subject.setAccessibleName(self.tr("For"))
        choices = [(urn, name) for urn, name in context.schools.items()]
        choices += [
            (chair.CLUSTER_PREFIX + c.key, cluster_words(c, level, context.records))
            for c in context.confirmed_clusters()
        ]
        self.subject.set_choices(choices)
        self.catalogue = ChoiceCombo([(a.key, a.label) for a in profile.actions], self)
        self.catalogue.setAccessibleName(self.tr("Action"))
        self.catalogue.setMinimumContentsLength(34)
        self.sub_choice = ChoiceCombo(parent=self)
        self.sub_choice_label = QLabel(self.tr("Outcome"), self)
        self.detail = QPlainTextEdit(self)
        self.detail.setTabChangesFocus(True)
        self.detail.setAccessibleName(self.tr("Detail"))
        self.detail.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.linked = LinkedRecordsEditor(MAPPED_KINDS, parent=self)
        self.linked.setAccessibleName(self.tr("Linked records"))
        self.owner = ChoiceCombo(
            [("", self.tr("Not yet agreed")), *((c.key, c.label) for c in profile.agencies)], self
        )
        self.owner.setAccessibleName(self.tr("Owner agency"))
        self.due = OptionalDateEdit(self.tr("Due by"), self)
        self.due.setAccessibleName(self.tr("Due date"))
        self.status = ChoiceCombo(_choices_of(ActionStatus), self)
        self.status.setAccessibleName(self.tr("Status"))
        self.rationale = QPlainTextEdit(self)
        self.rationale.setTabChangesFocus(True)
        self.rationale.setAccessibleName(self.tr("Rationale"))
        self.rationale.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 12)
        self.rationale_label = QLabel(self.tr("Rationale"), self)

        form = QFormLayout()
        form.addRow(self.tr("&For"), self.subject)
        form.addRow(self.tr("&Action"), self.catalogue)
        form.addRow(self.sub_choice_label, self.sub_choice)
        form.addRow(self.tr("&Detail"), self.detail)
        form.addRow(self.tr("&Linked records"), self.linked)
        form.addRow(self.tr("&Owner agency"), self.owner)
        form.addRow(self.tr("Due &date"), self.due)
        form.addRow(self.tr("&Status"), self.status)
        form.addRow(self.rationale_label, self.rationale)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save the action"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.catalogue.changed.connect(self._catalogue_changed)
        self.status.changed.connect(self._status_changed)
        self.subject.changed.connect(self._subject_changed)
        if existing is not None:
            key = existing.school_urn or chair.CLUSTER_PREFIX + existing.cluster_key
            self.subject.set_value(key)
            self.subject.setEnabled(False)  # an action stays with whom it was agreed for
            self.catalogue.set_value(existing.catalogue_key)
            self._catalogue_changed()
            self.sub_choice.set_value(existing.sub_choice)
            self.detail.setPlainText(existing.detail)
            self.owner.set_value(existing.owner_agency)
            self.due.set_value(existing.due)
            self.status.set_value(existing.status)
            self.rationale.setPlainText(existing.rationale)
            self._subject_changed()
            self.linked.set_ids(existing.linked_ids)
        else:
            if subject:
                self.subject.set_value(subject)
            self.status.set_value(ActionStatus.AGREED.value)
            self._catalogue_changed()
            self._subject_changed()
        self._status_changed()
        self.resize(640, 0)

    # -- fields that depend on each other -------------------------------------------------------
    def _catalogue_changed(self) -> None:
        entry = self.session.profile.action(self.catalogue.value())
        choices = entry.sub_choices if entry else ()
        current = self.sub_choice.value()
        self.sub_choice.set_choices([("", self.tr("Not known yet")), *((c, c) for c in choices)])
        self.sub_choice.set_value(current if current in choices else "")
        self.sub_choice_label.setText(entry.sub_label if entry and entry.sub_label else self.tr("Outcome"))
        self.sub_choice.setAccessibleName(self.sub_choice_label.text())
        self.sub_choice.setVisible(bool(choices))
        self.sub_choice_label.setVisible(bool(choices))

    def _status_changed(self) -> None:
        needed = self.status.value() == ActionStatus.NOT_TAKEN_FORWARD.value
        self.rationale_label.setText(self.tr("Rationale (required)") if needed else self.tr("Rationale"))
        self.rationale.setPlaceholderText(
            self.tr("Required: why this is not taken forward") if needed else self.tr("Why this action")
        )

    def _picker_session(self, key: str) -> SubmissionSession:
        """The records the linked-records picker offers: the school's, or every school's
        for a cluster."""
        found = self._pickers.get(key)
        if found is None:
            if key.startswith(chair.CLUSTER_PREFIX):
                table, urn, name = self.context.combined(), "", self.tr("Across schools")
            else:
                table, urn, name = self.context.school_table(key), key, self.context.schools.get(key, key)
            found = SubmissionSession(self.session, table, meeting_date=self.context.day,
                                      school=name, urn=urn, parent=self)
            self._pickers[key] = found
        return found

    def _subject_changed(self) -> None:
        key = self.subject.value()
        if not key:
            self.linked.set_session(None)
            return
        self.linked.set_session(self._picker_session(key))  # type: ignore[arg-type]
        if key.startswith(chair.CLUSTER_PREFIX) and self.existing is None:
            cluster = self.context.cluster(key.removeprefix(chair.CLUSTER_PREFIX))
            self.linked.set_ids([m.record_id for m in cluster.members] if cluster else [])
        elif self.existing is None:
            self.linked.set_ids([])

    # -- saving -------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        key = self.subject.value()
        cluster = key.startswith(chair.CLUSTER_PREFIX)
        return {
            "catalogue_key": self.catalogue.value(),
            "school_urn": "" if cluster else key,
            "cluster_key": key.removeprefix(chair.CLUSTER_PREFIX) if cluster else "",
            "detail": self.detail.toPlainText(),
            "sub_choice": self.sub_choice.value() if self.sub_choice.isVisibleTo(self) else "",
            "linked_ids": self.linked.ids(),
            "owner_agency": self.owner.value(),
            "due": self.due.value(),
            "status": self.status.value(),
            "rationale": self.rationale.toPlainText(),
        }

    def save(self) -> None:
        """Save through the chair's service; a refusal shows its sentence and keeps the dialog."""
        values = self.values()
        if not values["school_urn"] and not values["cluster_key"]:
            dialogs().error(self, self.tr("Action not saved"), self.tr("Choose whom the action is for."))
            return
        try:
            self.saved = chair.agree_action(
                self.session.workspace,
                self.context.day,
                action_id=self.existing.id if self.existing is not None else None,
                notes=self.existing.notes if self.existing is not None else "",
                **values,
            )
        except SaferypError as error:
            dialogs().error(self, self.tr("Action not saved"), error.message)
            return
        self.accept()
