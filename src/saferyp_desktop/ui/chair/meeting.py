"""The meeting record: date, area, chair, attendees and apologies; what was said about
each school and each cluster; the actions agreed; and the printed briefing pack.

One meeting record a date (``services.chair``); the dates offered are those the
schools' current submissions name and those already recorded.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.levels import LEVEL_TITLES, PRINT_DEFAULT, DataLevel
from saferyp_desktop.domain.records import Discussion, Meeting, MeetingStatus
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.services import chair
from saferyp_desktop.services.exchange import SubmissionSummary
from saferyp_desktop.ui.chair.actions import (
    ActionDialog,
    ActionIdRole,
    AgreedActionsModel,
    MeetingContext,
    actions_words,
    agreed_actions_table,
    cluster_words,
    count_words,
    default_date,
    gather_meeting,
    meeting_dates,
    split_actions,
)
from saferyp_desktop.ui.chair.refresh import Refresher
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.fields import AttendeesEditor, ChoiceCombo
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.tasks import Task, TaskContext, error_sentence, run_with_progress

PDF_FILTER = "PDF documents (*.pdf)"
_SUBJECT = Qt.ItemDataRole.UserRole


def bold_label(label: QLabel, factor: float = 1.0) -> QLabel:
    font = label.font()
    font.setBold(True)
    if factor != 1.0:
        font.setPointSizeF(font.pointSizeF() * factor)
    label.setFont(font)
    return label


class DateChooser(QComboBox):
    """The meeting dates the chair can work on."""

    def set_dates(self, days: list[date], chosen: date | None) -> None:
        with QSignalBlocker(self):
            self.clear()
            for day in days:
                self.addItem(f"{day:%A} {day.day} {day:%B %Y}  ({day.isoformat()})", day)
            if chosen is not None and chosen in days:
                self.setCurrentIndex(days.index(chosen))

    def day(self) -> date | None:
        value = self.currentData()
        return value if isinstance(value, date) else None

    def choose(self, day: date) -> bool:
        index = self.findData(day)
        if index < 0:
            return False
        self.setCurrentIndex(index)
        return True


class MeetingPage(QWidget):
    """The meeting on one date: its record, discussions, agreed actions and pack."""

    changed = Signal()  # the meeting record or an action was saved

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.setObjectName("meetingPage")
        self.context: MeetingContext | None = None
        self.submissions: list[SubmissionSummary] = []
        self._summaries: dict[str, str] = {}  # discussion subject → summary, as edited
        self._subject: str | None = None
        self._dirty = False
        self._loading = False
        self.action_dialog: ActionDialog | None = None
        self.pack_task: Task | None = None
        self.start_task: Task | None = None  # starting the meeting record, if now
        self._select_after: str | None = None  # an action to select once shown
        self.refresher = Refresher(self._job, self, name="saferyp-meeting")
        self.refresher.gathered.connect(self._gathered)
        self.refresher.failed.connect(self._gather_failed)
        self.refresher.busyChanged.connect(lambda _busy: self._update_buttons())

        # -- the top bar ----------------------------------------------------------------------
        title = bold_label(QLabel(self.tr("Meeting on"), self), 1.3)
        self.date_chooser = DateChooser(self)
        self.date_chooser.setAccessibleName(self.tr("Meeting date"))
        self.date_chooser.setMinimumContentsLength(28)
        self.save_button = QPushButton(self.tr("Save the meeting record"), self)
        self.save_button.setAccessibleName(self.tr("Save the meeting record"))
        self.save_button.setToolTip(self.tr("Save the meeting record (Ctrl+S)"))
        self.revert_button = QPushButton(self.tr("Revert"), self)
        self.revert_button.setAccessibleName(self.tr("Revert the meeting record"))
        self.state_label = QLabel(self)
        self.state_label.setObjectName("meetingState")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.date_chooser)
        top.addWidget(self.state_label, 1)
        top.addWidget(self.save_button)
        top.addWidget(self.revert_button)

        # -- no record yet ---------------------------------------------------------------------
        self.stack = QStackedWidget(self)
        start = QWidget(self.stack)
        self.start_label = QLabel(start)
        self.start_label.setWordWrap(True)
        self.start_button = QPushButton(self.tr("Start the meeting record"), start)
        self.start_button.setAccessibleName(self.tr("Start the meeting record"))
        start_layout = QVBoxLayout(start)
        start_layout.addWidget(self.start_label)
        start_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        start_layout.addStretch(1)
        self.stack.addWidget(start)

        # -- the record ------------------------------------------------------------------------
        self.tabs = QTabWidget(self.stack)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_record(), self.tr("Meeting record"))
        self.tabs.addTab(self._build_discussions(), self.tr("Discussions"))
        self.tabs.addTab(self._build_actions(), self.tr("Agreed actions"))
        self.stack.addWidget(self.tabs)

        # -- the pack ----------------------------------------------------------------------------
        self.level_combo = QComboBox(self)
        self.level_combo.setAccessibleName(self.tr("Names in the briefing pack"))
        for level in (DataLevel.INITIALS, DataLevel.FULL, DataLevel.CODES):
            self.level_combo.addItem(self.tr(LEVEL_TITLES[level]), level)
        self.level_combo.setCurrentIndex(self.level_combo.findData(PRINT_DEFAULT))
        self.print_button = QPushButton(self.tr("Print the briefing pack…"), self)
        self.print_button.setAccessibleName(self.tr("Print the briefing pack"))
        self.print_button.setToolTip(self.tr("Print the briefing pack (Ctrl+P)"))
        self.export_button = QPushButton(self.tr("Export the briefing pack…"), self)
        self.export_button.setAccessibleName(self.tr("Export the briefing pack"))
        self.export_button.setToolTip(self.tr("Save the briefing pack as a PDF (Ctrl+E)"))
        pack = QHBoxLayout()
        pack.addWidget(bold_label(QLabel(self.tr("Briefing pack:"), self)))
        pack.addWidget(QLabel(self.tr("names as"), self))
        pack.addWidget(self.level_combo)
        self.pack_label = QLabel(self)
        self.pack_label.setObjectName("packResult")
        self.pack_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        pack.addWidget(self.pack_label, 1)
        pack.addWidget(self.print_button)
        pack.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addLayout(pack)

        self.date_chooser.currentIndexChanged.connect(self._date_chosen)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.start_button.clicked.connect(self.start_record)
        self.print_button.clicked.connect(lambda: self.print_pack())
        self.export_button.clicked.connect(self.export_pack)
        self._update_buttons()

    def _build_record(self) -> QWidget:
        page = QWidget(self)
        self.venue_edit = QLineEdit(page)
        self.venue_edit.setAccessibleName(self.tr("Venue or area"))
        self.chair_edit = QLineEdit(page)
        self.chair_edit.setAccessibleName(self.tr("Chair"))
        self.status_combo = ChoiceCombo(
            [(s.value, s.value[:1].upper() + s.value[1:]) for s in MeetingStatus], page
        )
        self.status_combo.setAccessibleName(self.tr("Status"))
        self.attendees = AttendeesEditor(page)
        self.attendees.setAccessibleName(self.tr("Attendees"))
        self.apologies = AttendeesEditor(page, noun="apology")
        self.apologies.setAccessibleName(self.tr("Apologies"))
        self._word_apologies()
        if self.session is not None:
            agencies = [(c.key, c.label) for c in self.session.profile.agencies]
            self.attendees.set_agencies(agencies)
            self.apologies.set_agencies(agencies)
        self.bundles_label = QLabel(page)
        # Venue, chair and status share a row: the height goes to the lists of people.
        details = QHBoxLayout()
        details.addWidget(self.venue_edit, 2)
        for text, field, stretch in ((self.tr("C&hair"), self.chair_edit, 3),
                                     (self.tr("S&tatus"), self.status_combo, 0)):
            label = QLabel(text, page)
            label.setBuddy(field)
            details.addSpacing(8)
            details.addWidget(label)
            details.addWidget(field, stretch)
        venue_label = QLabel(self.tr("&Venue or area"), page)
        venue_label.setBuddy(self.venue_edit)
        form = QFormLayout()
        form.addRow(venue_label, details)
        form.addRow(self.tr("Attendees"), self.attendees)
        form.addRow(self.tr("Apologies"), self.apologies)
        form.addRow(self.tr("Submissions"), self.bundles_label)
        inner = QWidget(page)
        inner.setLayout(form)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(scroll)
        for signal in (self.venue_edit.textEdited, self.chair_edit.textEdited,
                       self.status_combo.changed, self.attendees.changed, self.apologies.changed):
            signal.connect(self._edited)
        self.attendees.changed.connect(self._share_height)
        self.apologies.changed.connect(self._share_height)
        return page

    def _word_apologies(self) -> None:
        """The apologies editor is the attendees' editor: its fields are named for who
        sent apologies (its buttons say "apology", from ``noun``)."""
        editor = self.apologies
        editor.name_edit.setAccessibleName(self.tr("Name of who sent apologies"))
        editor.role_edit.setAccessibleName(self.tr("Their role"))
        editor.organisation.setAccessibleName(self.tr("Their organisation"))

    def _share_height(self) -> None:
        """The attendees and the apologies share the page's height by how many people each
        lists, so the longer list is not the one that scrolls."""
        for editor in (self.attendees, self.apologies):
            policy = editor.sizePolicy()
            policy.setVerticalStretch(min(255, max(2, editor.table.rowCount())))
            editor.setSizePolicy(policy)

    def _build_discussions(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            self.tr("A short summary of what the meeting said about each school and each "
                    "cluster across schools. A school's summary goes back to it with its outcomes."),
            page,
        )
        intro.setWordWrap(True)
        self.subjects = QListWidget(page)
        self.subjects.setObjectName("discussionSubjects")
        self.subjects.setAccessibleName(self.tr("Schools and clusters"))
        self.subjects.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.subjects.setSpacing(3)
        self.subjects.setToolTip(self.tr("In italics: no summary yet"))
        self.summary_edit = QPlainTextEdit(page)
        self.summary_edit.setObjectName("discussionSummary")
        self.summary_edit.setAccessibleName(self.tr("Discussion summary"))
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setPlaceholderText(self.tr("What the meeting said, in a few sentences"))
        self.summary_heading = bold_label(QLabel(page))
        right = QWidget(page)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary_heading)
        right_layout.addWidget(self.summary_edit, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        splitter.addWidget(self.subjects)
        splitter.addWidget(right)
        splitter.setSizes([380, 700])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        self.subjects.currentItemChanged.connect(self._subject_chosen)
        self.summary_edit.textChanged.connect(self._summary_edited)
        return page

    def _build_actions(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            self.tr("The actions agreed at the meeting, each for one school or for a cluster "
                    "across schools, with an owner agency and a due date."),
            page,
        )
        intro.setWordWrap(True)
        self.actions_model = AgreedActionsModel(self)
        self.actions_view, self.actions_columns = agreed_actions_table(
            page, self.actions_model, object_name="agreedActions", name=self.tr("Agreed actions")
        )
        self.add_action_button = QPushButton(self.tr("Agree an action…"), page)
        self.add_action_button.setAccessibleName(self.tr("Agree an action"))
        self.add_action_button.setToolTip(self.tr("Agree an action (Ctrl+Shift+A)"))
        self.edit_action_button = QPushButton(self.tr("Change…"), page)
        self.edit_action_button.setAccessibleName(self.tr("Change the agreed action"))
        self.actions_count = QLabel(page)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_action_button)
        buttons.addWidget(self.edit_action_button)
        buttons.addStretch(1)
        buttons.addWidget(self.actions_count)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.actions_view, 1)
        layout.addLayout(buttons)
        self.add_action_button.clicked.connect(lambda: self.agree_action())
        self.edit_action_button.clicked.connect(self.change_action)
        self.actions_view.activated.connect(lambda _index: self.change_action())
        self.actions_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        return page

    # -- which meeting -------------------------------------------------------------------------
    def set_submissions(self, rows: list[SubmissionSummary]) -> None:
        """The submissions changed: offer their dates (keeping the one chosen)."""
        self.submissions = list(rows)
        self._fill_dates()

    def _fill_dates(self) -> None:
        if self.session is None:
            return
        days = meeting_dates(self.session.workspace, self.submissions)
        chosen = self.date_chooser.day() or default_date(days)
        self.date_chooser.set_dates(days, chosen)
        self.refresh()

    def day(self) -> date | None:
        return self.date_chooser.day()

    def choose_date(self, day: date) -> bool:
        return self.date_chooser.choose(day)

    def _date_chosen(self, _index: int) -> None:
        if self._dirty and not self.save():
            # The edits belong to the meeting shown: stay on it until they are saved.
            shown = self.context.day if self.context is not None else None
            if shown is not None:
                with QSignalBlocker(self.date_chooser):
                    self.date_chooser.choose(shown)
            return
        self.refresh()

    # -- showing -------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Reading the meeting, or starting its record."""
        return self.refresher.busy or self.start_task is not None

    def refresh(self) -> None:
        """Read the meeting on the chosen date again, off the GUI thread (keeping edits not
        yet saved)."""
        if self.session is None:
            return
        if self.date_chooser.day() is None:
            self._show_context(None, None)
        else:
            self.refresher.refresh()

    def _job(self):
        day = self.date_chooser.day()
        if self.session is None or day is None:
            return None
        workspace = self.session.workspace
        return lambda: (day, gather_meeting(workspace, day))

    def _gathered(self, result: tuple[date, MeetingContext]) -> None:
        day, context = result
        if self.session is None or day != self.date_chooser.day():
            return  # another date was chosen meanwhile: its refresh follows
        self._show_context(day, context)

    def _gather_failed(self, error: BaseException) -> None:
        if self.session is not None:
            dialogs().error(self, self.tr("Meeting not read"), error_sentence(error))

    def _show_context(self, day: date | None, context: MeetingContext | None) -> None:
        if day is None or context is None:
            self.context = None
            self.start_label.setText(
                self.tr("No meeting yet: open the schools' bundles first. The dates come from "
                        "their submissions.")
            )
            self.start_button.hide()
            self.stack.setCurrentIndex(0)
            self.actions_model.clear()
            self._update_buttons()
            return
        self.context = context
        if context.meeting is None:
            count = len(context.subs)
            self.start_label.setText(
                self.tr("There is no meeting record for %s yet. Starting it fills in the venue "
                        "and the attendees the schools expect, from their %d submissions.")
                % (day.isoformat(), count)
            )
            self.start_button.setVisible(bool(count))
            self.stack.setCurrentIndex(0)
        else:
            self.stack.setCurrentIndex(1)
            if not self._dirty:
                self._show_meeting(context.meeting)
        self._show_actions()
        if self._select_after is not None:
            chosen, self._select_after = self._select_after, None
            self.tabs.setCurrentIndex(2)
            self.select_action(chosen)
        self._update_buttons()

    def _show_meeting(self, record: Meeting) -> None:
        assert self.context is not None
        self._loading = True
        try:
            for edit, text in ((self.venue_edit, record.venue), (self.chair_edit, record.chair)):
                edit.setText(text)
                edit.setCursorPosition(0)  # a long name shows its beginning
            self.status_combo.set_value(record.status)
            self.attendees.set_attendees(record.attendees)
            self.apologies.set_attendees(record.apologies)
            self._share_height()
            schools = self.context.schools
            self.bundles_label.setText(
                ", ".join(schools.values()) if schools else self.tr("None for this date")
            )
            self._summaries = {d.subject: d.summary for d in record.discussions}
            self._fill_subjects()
        finally:
            self._loading = False
        self._set_dirty(False)

    def _fill_subjects(self) -> None:
        assert self.context is not None and self.session is not None
        level = self.session.level
        subjects: list[tuple[str, str]] = [(urn, name) for urn, name in self.context.schools.items()]
        for cluster in self.context.confirmed_clusters():
            subjects.append((chair.CLUSTER_PREFIX + cluster.key,
                             cluster_words(cluster, level, self.context.records)))
        known = {s for s, _ in subjects}
        for subject in self._summaries:
            if subject not in known:
                subjects.append((subject, subject))
        keep = self._subject
        with QSignalBlocker(self.subjects):
            self.subjects.clear()
            for subject, text in subjects:
                item = QListWidgetItem(text, self.subjects)
                item.setData(_SUBJECT, subject)
                item.setToolTip(text)
        self._subject = None
        rows = [self.subjects.item(r).data(_SUBJECT) for r in range(self.subjects.count())]
        row = rows.index(keep) if keep in rows else (0 if rows else -1)
        if row >= 0:
            self.subjects.setCurrentRow(row)  # shows its summary
        else:
            self._show_subject(None)
        self._mark_subjects()

    def _mark_subjects(self) -> None:
        for row in range(self.subjects.count()):
            item = self.subjects.item(row)
            font = item.font()
            font.setItalic(not self._summaries.get(item.data(_SUBJECT), "").strip())
            item.setFont(font)

    def _subject_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        self._show_subject(item.data(_SUBJECT) if item is not None else None)

    def _show_subject(self, subject: str | None) -> None:
        self._subject = subject
        loading, self._loading = self._loading, True
        try:
            self.summary_edit.setPlainText(self._summaries.get(subject, "") if subject else "")
        finally:
            self._loading = loading
        self.summary_edit.setEnabled(subject is not None)
        item = self.subjects.currentItem()
        self.summary_heading.setText(item.text() if item is not None else "")

    def _summary_edited(self) -> None:
        if self._loading or self._subject is None:
            return
        self._summaries[self._subject] = self.summary_edit.toPlainText()
        self._mark_subjects()
        self._edited()

    def _show_actions(self) -> None:
        if self.context is None or self.session is None:
            self.actions_model.clear()
            return
        chosen = self.selected_action_id()
        self.actions_model.set_actions(
            self.context.actions, self.context, self.session.profile, self.session.level
        )
        agreed, dropped = split_actions(self.context.actions)
        count = self.tr("%d agreed") % agreed
        if dropped:
            count += self.tr(" · %d not taken forward") % dropped
        self.actions_count.setText(count)
        if chosen is not None:
            self.select_action(chosen)

    def on_presentation_changed(self, _on: bool) -> None:
        if self.context is not None:
            self._show_actions()
            if self.context.meeting is not None:
                summaries = dict(self._summaries)
                self._fill_subjects()
                self._summaries = summaries

    # -- editing the record ----------------------------------------------------------------------
    def _edited(self, *_args: object) -> None:
        if not self._loading:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self._update_buttons()

    @property
    def dirty(self) -> bool:
        return self._dirty

    def edited_meeting(self) -> Meeting | None:
        """The stored meeting with the fields' values (a copy; nothing is saved)."""
        if self.context is None or self.context.meeting is None:
            return None
        discussions = [
            Discussion(subject=subject, summary=summary.strip())
            for subject, summary in self._summaries.items()
            if summary.strip()
        ]
        return dataclasses.replace(
            self.context.meeting,
            venue=self.venue_edit.text().strip(),
            chair=self.chair_edit.text().strip(),
            status=self.status_combo.value(),
            attendees=self.attendees.attendees(),
            apologies=self.apologies.attendees(),
            discussions=discussions,
        )

    def save(self) -> bool:
        """Save the meeting record; a refusal shows its sentence and keeps the edits."""
        return self._save(quiet=False)

    def _apply_quietly(self) -> bool:
        return self._save(quiet=True)

    def _save(self, quiet: bool) -> bool:
        if self.session is None or not self._dirty:
            return True
        record = self.edited_meeting()
        if record is None:
            return True
        try:
            saved = chair.save_meeting(self.session.workspace, record)
        except SaferypError as error:
            if not quiet:
                dialogs().error(self, self.tr("Meeting not saved"), error.message)
            return False
        assert self.context is not None
        self.context.meeting = saved
        self._set_dirty(False)
        self.changed.emit()
        return True

    def revert(self) -> None:
        if self.context is not None and self.context.meeting is not None:
            self._show_meeting(self.context.meeting)

    def start_record(self) -> Task | None:
        """Make the meeting record for the chosen date from the schools' submissions, off
        the GUI thread (it reads every school's submission)."""
        day = self.date_chooser.day()
        if self.session is None or day is None or self.start_task is not None:
            return None
        workspace = self.session.workspace

        def job(_context: TaskContext) -> Meeting:
            return chair.meeting(workspace, day)

        task = Task(job, self, name="saferyp-meeting-start")
        task.succeeded.connect(self._record_started)
        task.failed.connect(self._start_failed)
        task.finished.connect(self._start_finished)
        self.start_task = task
        self.start_button.setEnabled(False)
        self.start_label.setText(self.tr("Starting the meeting record for %s…") % day.isoformat())
        task.start()
        return task

    def _record_started(self, _record: Meeting) -> None:
        if self.session is None:
            return
        self.changed.emit()
        self.refresh()

    def _start_failed(self, error: BaseException) -> None:
        if self.session is not None:
            dialogs().error(self, self.tr("Meeting not started"), error_sentence(error))

    def _start_finished(self) -> None:
        task, self.start_task = self.start_task, None
        if task is not None:
            task.deleteLater()
        self.start_button.setEnabled(True)

    # -- agreed actions -------------------------------------------------------------------------------
    def selected_action_id(self) -> str | None:
        rows = self.actions_view.selectionModel().selectedRows()
        return rows[0].data(ActionIdRole) if rows else None

    def select_action(self, action_id: str) -> bool:
        row = self.actions_model.row_of(action_id)
        if row >= 0:
            self.actions_view.selectRow(row)
        return row >= 0

    def agree_action(self, subject: str = "") -> ActionDialog | None:
        """Open the dialog that agrees an action (for ``subject``, a URN or a cluster)."""
        if self.session is None or self.busy or self.context is None or not self.context.subs:
            return None
        if self._dirty and not self.save():
            return None
        return self._open_action(None, subject)

    def change_action(self) -> ActionDialog | None:
        action_id = self.selected_action_id()
        if action_id is None or self.session is None or self.context is None:
            return None
        existing = next((a for a in self.context.actions if a.id == action_id), None)
        if existing is None:
            return None
        return self._open_action(existing, "")

    def _open_action(self, existing, subject: str) -> ActionDialog:
        assert self.session is not None and self.context is not None
        dialog = ActionDialog(self.session, self.context, existing, subject=subject, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._action_saved(dialog))
        dialog.finished.connect(self._action_dialog_finished)
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def _action_saved(self, dialog: ActionDialog) -> None:
        if dialog.saved is not None:
            self._select_after = dialog.saved.id  # once the meeting is read again
        self.changed.emit()
        self.refresh()

    def _action_dialog_finished(self) -> None:
        self.action_dialog = None

    # -- the briefing pack ----------------------------------------------------------------------
    def pack_level(self) -> DataLevel:
        return DataLevel(self.level_combo.currentData())

    def export_pack(self) -> Task | None:
        """Save the briefing pack where the chair chooses, written off the GUI thread."""
        day = self.date_chooser.day()
        if self.session is None or day is None or self.pack_task is not None:
            return None
        if self._dirty and not self.save():
            return None
        path = dialogs().save_file(
            self, self.tr("Export the briefing pack"), self.tr(PDF_FILTER),
            chair.suggested_pack_name(day),
        )
        if path is None:
            return None
        workspace, level = self.session.workspace, self.pack_level()
        replace = Path(path).exists()  # the file dialog asked already

        def job(_context: TaskContext) -> chair.PackResult:
            return chair.export_pack(workspace, day, Path(path), level, overwrite=replace)

        task = run_with_progress(
            self, self.tr("Briefing pack"), self.tr("Writing the briefing pack…"), job,
            cancellable=False,
        )
        task.succeeded.connect(self._pack_exported)
        task.failed.connect(self._pack_failed)
        task.finished.connect(self._pack_finished)
        self.pack_task = task
        self._update_buttons()
        return task

    def _pack_exported(self, result: chair.PackResult) -> None:
        context = self.context
        if (context is not None and context.day == result.meeting_date
                and len(context.actions) == result.actions):
            actions = actions_words(context.actions)  # those not taken forward apart
        else:
            actions = count_words(result.actions)
        self.pack_label.setText(
            self.tr("Saved as %s (%d schools, %d confirmed matches, %s)")
            % (result.path.name, len(result.schools), result.confirmed_matches, actions)
        )
        self.changed.emit()

    def _pack_failed(self, error: BaseException) -> None:
        dialogs().error(self, self.tr("Briefing pack not saved"), error_sentence(error))

    def _pack_finished(self) -> None:
        self.pack_task = None
        self._update_buttons()

    def print_pack(self, printer=None) -> Task | None:
        """Make the briefing pack off the GUI thread, then print it (the print dialog
        first, unless ``printer`` is given)."""
        day = self.date_chooser.day()
        if self.session is None or day is None or self.pack_task is not None:
            return None
        if self._dirty and not self.save():
            return None
        workspace, level = self.session.workspace, self.pack_level()

        def job(_context: TaskContext) -> bytes:
            return chair.pack_bytes(workspace, day, level=level)

        task = run_with_progress(
            self, self.tr("Briefing pack"), self.tr("Making the briefing pack…"), job,
            cancellable=False,
        )

        def made(pdf: bytes) -> None:
            from saferyp_desktop.ui.chair.print_job import print_document

            print_document(self, self.tr("Print the briefing pack"), pdf, printer)

        task.succeeded.connect(made)
        task.failed.connect(
            lambda error: dialogs().error(self, self.tr("Briefing pack not printed"), error_sentence(error))
        )
        task.finished.connect(self._pack_finished)
        self.pack_task = task
        self._update_buttons()
        return task

    # -- state ------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        live = self.session is not None
        has_record = self.context is not None and self.context.meeting is not None
        self.save_button.setEnabled(live and has_record and self._dirty)
        self.revert_button.setEnabled(live and has_record and self._dirty)
        has_day = live and self.date_chooser.day() is not None
        idle = self.pack_task is None
        self.print_button.setEnabled(has_day and idle)
        self.export_button.setEnabled(has_day and idle)
        self.level_combo.setEnabled(has_day)
        self.add_action_button.setEnabled(
            live and not self.busy and self.context is not None and bool(self.context.subs)
        )
        self.edit_action_button.setEnabled(live and self.selected_action_id() is not None)
        if self.context is not None and self.context.meeting is not None:
            state = self.tr("%s · %s") % (self.context.meeting.code, self.context.meeting.status)
            if self._dirty:
                state += self.tr(" · changes not saved yet")
            self.state_label.setText(state)
        else:
            self.state_label.clear()

    def focus_filter(self) -> None:
        self.date_chooser.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clear(self) -> None:
        """Forget everything shown (the workspace is locking)."""
        if self._dirty:
            self._apply_quietly()  # as every change is: saved, not lost
        self.session = None
        self.refresher.stop()
        if self.action_dialog is not None:
            self.action_dialog.reject()
        self.context = None
        self._summaries = {}
        self._loading = True
        self.venue_edit.clear()
        self.chair_edit.clear()
        self.attendees.set_attendees([])
        self.apologies.set_attendees([])
        self.subjects.clear()
        self.summary_edit.clear()
        self._loading = False
        self.actions_model.clear()
        self.pack_label.clear()
        self.date_chooser.set_dates([], None)
        self._dirty = False
        self._update_buttons()

