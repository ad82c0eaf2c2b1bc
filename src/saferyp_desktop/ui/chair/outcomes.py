"""Outcomes: for each school at a meeting, the actions agreed that concern it, and the
signed, encrypted outcomes bundle the chair sends back (``services.chair.export_outcomes``),
which the school opens in its own workspace."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.records import Action
from saferyp_desktop.services import chair
from saferyp_desktop.services.exchange import BUNDLE_SUFFIX, SubmissionSummary
from saferyp_desktop.ui.chair.actions import (
    AgreedActionsModel,
    MeetingContext,
    actions_words,
    agreed_actions_table,
    count_words,
    default_date,
    gather_meeting,
    meeting_dates,
)
from saferyp_desktop.ui.chair.meeting import DateChooser, bold_label
from saferyp_desktop.ui.chair.refresh import Refresher
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.tasks import Task, TaskContext, error_sentence, run_with_progress

BUNDLE_FILTER = f"SaferYP bundles (*{BUNDLE_SUFFIX})"
_URN = Qt.ItemDataRole.UserRole


class OutcomesPage(QWidget):
    """Each school's agreed actions for a meeting, and "Export outcomes…" for it."""

    changed = Signal()  # an outcomes bundle was exported (the audit log and sequence moved on)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.setObjectName("outcomesPage")
        self.submissions: list[SubmissionSummary] = []
        self.context: MeetingContext | None = None
        self.task: Task | None = None
        self.exported: dict[str, Path] = {}  # URN → the last outcomes file written, this window
        self.school_actions: dict[str, list[Action]] = {}  # URN → the actions that concern it
        self.refresher = Refresher(self._job, self, name="saferyp-outcomes")
        self.refresher.gathered.connect(self._gathered)
        self.refresher.failed.connect(self._gather_failed)
        self.refresher.busyChanged.connect(lambda _busy: self._update_buttons())

        title = bold_label(QLabel(self.tr("Outcomes of the meeting on"), self), 1.3)
        self.date_chooser = DateChooser(self)
        self.date_chooser.setAccessibleName(self.tr("Meeting date"))
        self.date_chooser.setMinimumContentsLength(28)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.date_chooser)
        top.addStretch(1)
        intro = QLabel(
            self.tr("Send each school the actions agreed for it (and for the clusters its "
                    "records are in). The outcomes bundle is signed by you and encrypted to the "
                    "school's key from its submission; the school opens it in its own workspace."),
            self,
        )
        intro.setWordWrap(True)

        self.schools = QListWidget(self)
        self.schools.setObjectName("outcomeSchools")
        self.schools.setAccessibleName(self.tr("Schools at the meeting"))
        self.schools.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.schools.setSpacing(2)
        self._row_height = self.fontMetrics().lineSpacing() * 2 + 10
        right = QWidget(self)
        self.school_heading = bold_label(QLabel(right), 1.1)
        self.actions_model = AgreedActionsModel(self)
        self.actions_view, self.actions_columns = agreed_actions_table(
            right, self.actions_model, object_name="outcomeActions",
            name=self.tr("Actions for the school"),
        )
        self.export_button = QPushButton(self.tr("Export outcomes…"), right)
        self.export_button.setAccessibleName(self.tr("Export the school's outcomes"))
        self.export_button.setToolTip(self.tr("Export the school's outcomes bundle (Ctrl+Shift+E)"))
        self.result_label = QLabel(right)
        self.result_label.setObjectName("outcomesResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.result_label, 1)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.school_heading)
        right_layout.addWidget(self.actions_view, 1)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.schools)
        splitter.addWidget(right)
        splitter.setSizes([260, 800])  # the list's long names are elided, whole in the tooltip
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)

        self.date_chooser.currentIndexChanged.connect(lambda _i: self.refresh())
        self.schools.currentItemChanged.connect(lambda *_: self._show_school())
        self.export_button.clicked.connect(self.export_outcomes)
        self._update_buttons()

    # -- which meeting, which school ---------------------------------------------------------------
    def set_submissions(self, rows: list[SubmissionSummary]) -> None:
        self.submissions = list(rows)
        if self.session is None:
            return
        days = meeting_dates(self.session.workspace, self.submissions)
        self.date_chooser.set_dates(days, self.date_chooser.day() or default_date(days))
        self.refresh()

    def day(self) -> date | None:
        return self.date_chooser.day()

    def choose_date(self, day: date) -> bool:
        return self.date_chooser.choose(day)

    def selected_urn(self) -> str | None:
        item = self.schools.currentItem()
        return str(item.data(_URN)) if item is not None else None

    def choose_school(self, urn: str) -> bool:
        for row in range(self.schools.count()):
            if self.schools.item(row).data(_URN) == urn:
                self.schools.setCurrentRow(row)
                return True
        return False

    @property
    def busy(self) -> bool:
        return self.refresher.busy

    def refresh(self) -> None:
        """Read the meeting's schools and each one's actions again, off the GUI thread."""
        if self.session is None:
            return
        if self.date_chooser.day() is None:
            self._show_context(None, None, {})
        else:
            self.refresher.refresh()

    def _job(self):
        day = self.date_chooser.day()
        if self.session is None or day is None:
            return None
        workspace = self.session.workspace

        def gather() -> tuple[date, MeetingContext, dict[str, list[Action]]]:
            context = gather_meeting(workspace, day)
            actions = {s.urn: chair.actions_for_school(workspace, day, s.urn) for s in context.subs}
            return day, context, actions

        return gather

    def _gathered(self, result: tuple[date, MeetingContext, dict[str, list[Action]]]) -> None:
        day, context, actions = result
        if self.session is None or day != self.date_chooser.day():
            return  # another date was chosen meanwhile: its refresh follows
        self._show_context(day, context, actions)

    def _gather_failed(self, error: BaseException) -> None:
        if self.session is not None:
            dialogs().error(self, self.tr("Outcomes not read"), error_sentence(error))

    def _show_context(self, day: date | None, context: MeetingContext | None,
                      actions: dict[str, list[Action]]) -> None:
        keep = self.selected_urn()
        self.context = context
        self.school_actions = actions
        with QSignalBlocker(self.schools):
            self.schools.clear()
            if self.context is not None:
                for sub in self.context.subs:
                    words = actions_words(actions.get(sub.urn, []))
                    item = QListWidgetItem(
                        f"{sub.school}\n" + self.tr("URN %s · %s") % (sub.urn, words), self.schools
                    )
                    item.setData(_URN, sub.urn)
                    item.setToolTip(sub.school)
                    item.setSizeHint(item.sizeHint().expandedTo(QSize(0, self._row_height)))
        if not (keep and self.choose_school(keep)) and self.schools.count():
            self.schools.setCurrentRow(0)
        self._show_school()

    def _show_school(self) -> None:
        urn = self.selected_urn()
        if self.session is None or self.context is None or urn is None:
            self.actions_model.clear()
            self.school_heading.setText(
                self.tr("No schools for this date yet.") if self.session is not None else ""
            )
            self._update_buttons()
            return
        actions = self.school_actions.get(urn, [])
        self.actions_model.set_actions(actions, self.context, self.session.profile, self.session.level)
        name = self.context.schools.get(urn, urn)
        if self.context.meeting is None:
            note = self.tr("no meeting record yet")
        elif not actions:
            note = self.tr("no actions agreed for it yet")
        else:
            note = self.tr("to send: %s") % actions_words(actions)
        self.school_heading.setText(f"{name} · {note}")
        sent = self.exported.get(urn)
        self.result_label.setText(self.tr("Exported as %s") % sent.name if sent else "")
        self._update_buttons()

    def on_presentation_changed(self, _on: bool) -> None:
        self._show_school()

    # -- exporting --------------------------------------------------------------------------------------
    def export_outcomes(self) -> Task | None:
        """Ask where, then write the selected school's outcomes bundle off the GUI thread."""
        urn = self.selected_urn()
        day = self.date_chooser.day()
        if self.session is None or urn is None or day is None or self.task is not None:
            return None
        path = dialogs().save_file(
            self, self.tr("Export the school's outcomes"), self.tr(BUNDLE_FILTER),
            chair.suggested_outcomes_name(urn, day),
        )
        if path is None:
            return None
        workspace = self.session.workspace
        replace = Path(path).exists()  # the file dialog asked already

        def job(_context: TaskContext) -> chair.OutcomesResult:
            return chair.export_outcomes(workspace, day, urn, Path(path), overwrite=replace)

        task = run_with_progress(
            self, self.tr("Outcomes"), self.tr("Signing and encrypting the outcomes…"), job,
            cancellable=False,
        )
        task.succeeded.connect(self._exported)
        task.failed.connect(
            lambda error: dialogs().error(self, self.tr("Outcomes not exported"), error_sentence(error))
        )
        task.finished.connect(self._finished)
        self.task = task
        self._update_buttons()
        return task

    def _exported(self, result: chair.OutcomesResult) -> None:
        self.exported[result.urn] = result.path
        self.result_label.setText(
            self.tr("Exported %s for %s as %s (bundle no. %d). Your fingerprint, for the "
                    "school to check: %s")
            % (self._sent_words(result), result.school, result.path.name,
               result.sequence, result.fingerprint)
        )
        self.changed.emit()

    def _sent_words(self, result: chair.OutcomesResult) -> str:
        """``2 actions · 1 not taken forward``: what an outcomes bundle carried."""
        shown = {a.code: a for a in self.school_actions.get(result.urn, [])}
        sent = [shown[code] for code in result.actions if code in shown]
        if len(sent) != len(result.actions):
            return count_words(len(result.actions))
        return actions_words(sent)

    def _finished(self) -> None:
        self.task = None
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.export_button.setEnabled(
            self.session is not None and self.task is None and not self.busy
            and self.selected_urn() is not None
            and self.context is not None and self.context.meeting is not None
        )

    def focus_filter(self) -> None:
        self.schools.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clear(self) -> None:
        """Forget everything shown (the workspace is locking)."""
        self.session = None
        self.refresher.stop()
        self.context = None
        self.school_actions = {}
        self.exported = {}
        self.schools.clear()
        self.actions_model.clear()
        self.school_heading.clear()
        self.result_label.clear()
        self.date_chooser.set_dates([], None)
        self._update_buttons()
