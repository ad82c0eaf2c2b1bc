"""The Overview: harm categories counted, open findings of the four checks, the
next meeting, what is stale, this school's key card (fingerprint, export) and the
meeting chair its bundles go to."""

from __future__ import annotations

import contextlib
import threading
from datetime import date

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.checks import CHECK_TITLES, Check, Finding, run_checks
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.ui.sections.detail_models import FindingsModel, HarmCountsModel
from saferyp_desktop.ui.sections.roles import RecordIdRole
from saferyp_desktop.ui.session import Session

OPEN_CHECKS = (Check.RELEVANT, Check.EVIDENCED, Check.PLAN)


def long_date(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


class OverviewPage(QWidget):
    """A summary of the workspace; every finding opens its record."""

    recordActivated = Signal(str)  # noqa: N815 - Qt naming
    setChairRequested = Signal()  # noqa: N815
    exportBriefingRequested = Signal()  # noqa: N815
    exportBundleRequested = Signal()  # noqa: N815
    exportKeyCardRequested = Signal()  # noqa: N815
    _integrity_done = Signal(list)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.setObjectName("overview")
        self.findings: list[Finding] = []
        self.integrity_problems: list[str] = []
        self._integrity_done.connect(self._show_integrity)

        content = QWidget(self)
        self.title = QLabel(self.tr("Overview"), content)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.integrity_note = QLabel(content)
        self.integrity_note.setObjectName("integrityNote")
        self.integrity_note.setWordWrap(True)
        self.integrity_note.hide()

        # Next meeting
        self.meeting_box = QGroupBox(self.tr("Next meeting"), content)
        self.meeting_label = QLabel(self.meeting_box)
        self.meeting_label.setWordWrap(True)
        self.meeting_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.briefing_button = QPushButton(self.tr("Export briefing…"), self.meeting_box)
        self.briefing_button.setObjectName("overviewExportBriefing")
        self.briefing_button.setToolTip(self.tr("Save the meeting briefing as a PDF (Ctrl+E)"))
        self.briefing_button.clicked.connect(self.exportBriefingRequested.emit)
        self.bundle_button = QPushButton(self.tr("Export bundle for the chair…"), self.meeting_box)
        self.bundle_button.setObjectName("overviewExportBundle")
        self.bundle_button.setToolTip(
            self.tr("Save your mapping table, signed and encrypted, for the chair (Ctrl+Shift+E)")
        )
        self.bundle_button.clicked.connect(self.exportBundleRequested.emit)
        meeting_buttons = QHBoxLayout()
        meeting_buttons.addWidget(self.briefing_button)
        meeting_buttons.addWidget(self.bundle_button)
        meeting_buttons.addStretch(1)
        meeting_layout = QVBoxLayout(self.meeting_box)
        meeting_layout.addWidget(self.meeting_label)
        meeting_layout.addStretch(1)
        meeting_layout.addLayout(meeting_buttons)

        # Key card fingerprint
        self.key_box = QGroupBox(self.tr("Your key card"), content)
        self.fingerprint_label = QLabel(self.key_box)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(font.pointSizeF())
        mono.setWeight(QFont.Weight.Bold)
        self.fingerprint_label.setFont(mono)
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label.setAccessibleName(self.tr("Key card fingerprint"))
        self.fingerprint_note = QLabel(
            self.tr(
                "Read this out to the meeting chair by phone when they first import a bundle "
                "from you, so they know it really came from this workspace."
            ),
            self.key_box,
        )
        self.fingerprint_note.setWordWrap(True)
        self.export_key_button = QPushButton(self.tr("Export my key card…"), self.key_box)
        self.export_key_button.setObjectName("exportKeyCard")
        self.export_key_button.setToolTip(
            self.tr("Save this workspace's key card (public keys only) to give to the chair")
        )
        self.export_key_button.clicked.connect(self.exportKeyCardRequested.emit)
        self.export_key_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        fingerprint_row = QHBoxLayout()
        fingerprint_row.addWidget(self.fingerprint_label, 1)
        fingerprint_row.addWidget(self.export_key_button)
        key_layout = QVBoxLayout(self.key_box)
        key_layout.addLayout(fingerprint_row)
        key_layout.addWidget(self.fingerprint_note)

        # The meeting chair this school's bundles are encrypted to
        self.chair_box = QGroupBox(self.tr("Meeting chair"), content)
        self.chair_label = QLabel(self.chair_box)
        self.chair_label.setObjectName("chairLabel")
        self.chair_label.setWordWrap(True)
        self.chair_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chair_fingerprint_label = QLabel(self.chair_box)
        self.chair_fingerprint_label.setObjectName("chairFingerprint")
        self.chair_fingerprint_label.setFont(mono)
        self.chair_fingerprint_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.chair_fingerprint_label.setAccessibleName(self.tr("Chair's fingerprint"))
        self.chair_button = QPushButton(self.tr("Set the chair…"), self.chair_box)
        self.chair_button.setObjectName("setChair")
        self.chair_button.clicked.connect(self.setChairRequested.emit)
        self.chair_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        chair_row = QHBoxLayout()
        chair_row.addWidget(self.chair_fingerprint_label, 1)
        chair_row.addStretch(0)
        chair_row.addWidget(self.chair_button)
        self.chair_note = QLabel(self.chair_box)
        self.chair_note.setObjectName("chairNote")
        self.chair_note.setWordWrap(True)
        chair_layout = QVBoxLayout(self.chair_box)
        chair_layout.addWidget(self.chair_label)
        chair_layout.addLayout(chair_row)
        chair_layout.addWidget(self.chair_note)
        self.chair: object | None = None  # the ChairInfo shown, or None

        # Harm categories
        self.harm_box = QGroupBox(self.tr("Records by harm category"), content)
        self.harm_model = HarmCountsModel(self)
        self.harm_view = self._table(self.harm_model, self.tr("Records by harm category"), self.harm_box)
        self.harm_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.harm_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.harm_model.columnCount()):
            self.harm_view.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        QVBoxLayout(self.harm_box).addWidget(self.harm_view)

        # Open findings of the checks, one tab each
        self.findings_box = QGroupBox(self.tr("Open findings of the checks"), content)
        self.findings_note = QLabel(self.findings_box)
        self.findings_note.setWordWrap(True)
        self.findings_tabs = QTabWidget(self.findings_box)
        self.findings_models: dict[Check, FindingsModel] = {}
        self.findings_views: dict[Check, QTableView] = {}
        for check in OPEN_CHECKS:
            model = FindingsModel((check,), self)
            view = self._findings_view(model, CHECK_TITLES[check])
            self.findings_models[check] = model
            self.findings_views[check] = view
            self.findings_tabs.addTab(view, self.tr(CHECK_TITLES[check]))
        findings_layout = QVBoxLayout(self.findings_box)
        findings_layout.addWidget(self.findings_note)
        findings_layout.addWidget(self.findings_tabs)

        # What is stale: the "current" check
        self.stale_box = QGroupBox(self.tr("What is stale"), content)
        self.stale_note = QLabel(self.stale_box)
        self.stale_note.setWordWrap(True)
        self.findings_models[Check.CURRENT] = FindingsModel((Check.CURRENT,), self)
        self.stale_view = self._findings_view(self.findings_models[Check.CURRENT], self.tr("What is stale"))
        self.findings_views[Check.CURRENT] = self.stale_view
        stale_layout = QVBoxLayout(self.stale_box)
        stale_layout.addWidget(self.stale_note)
        stale_layout.addWidget(self.stale_view)

        grid = QGridLayout(content)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.integrity_note, 1, 0, 1, 2)
        grid.addWidget(self.meeting_box, 2, 0, 2, 1)
        grid.addWidget(self.key_box, 2, 1)
        grid.addWidget(self.chair_box, 3, 1)
        grid.addWidget(self.harm_box, 4, 0)
        grid.addWidget(self.stale_box, 4, 1)
        grid.addWidget(self.findings_box, 5, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(6, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        # Filled in after the window is built, in two steps (the meeting, keys and
        # counts, then the four checks), so that opening never makes one long pause: over
        # a large table each takes a few hundredths of a second. Timers (not 0 ms, which
        # would run before any waiting input or timer) let the event loop in between.
        QTimer.singleShot(1, self, self._first_refresh)

    def _table(self, model, name: str, parent: QWidget) -> QTableView:
        view = QTableView(parent)
        view.setModel(model)
        view.setAccessibleName(name)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows = 10
        view.setMinimumHeight(view.verticalHeader().defaultSectionSize() * rows + 30)
        return view

    def _findings_view(self, model: FindingsModel, name: str) -> QTableView:
        view = self._table(model, name, self)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setColumnWidth(FindingsModel.RECORD, 90)
        view.setColumnWidth(FindingsModel.NAME, 160)
        view.horizontalHeader().setStretchLastSection(True)
        view.setToolTip(self.tr("Click a finding (or press Enter) to open its record"))
        view.setCursor(Qt.CursorShape.PointingHandCursor)
        view.clicked.connect(self._activated)
        view.activated.connect(self._activated)
        return view

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            subject = index.data(RecordIdRole)
            if subject:
                self.recordActivated.emit(str(subject))

    # -- showing -------------------------------------------------------------------------------
    def refresh(self, check_integrity: bool = False) -> None:
        """Work everything out again from the workspace."""
        if self.session is None:
            return
        self._show_workspace()
        self._show_findings()
        if check_integrity:
            self._check_integrity_in_background(self.session.workspace)

    def _first_refresh(self) -> None:
        if self.session is None:
            return
        self._show_workspace()
        QTimer.singleShot(1, self, self._first_findings)

    def _first_findings(self) -> None:
        if self.session is None:
            return
        self._show_findings()
        # Last: while it reads every page it holds the workspace, which the lines above
        # need (the key card's fingerprint, the chair).
        self._check_integrity_in_background(self.session.workspace)

    def _show_workspace(self) -> None:
        """The next meeting, the key card, the chair and the counts by harm category."""
        session = self.session
        assert session is not None
        workspace = session.workspace
        meeting = workspace.next_meeting()
        is_school = workspace.details.role == "school"
        self.bundle_button.setVisible(is_school)
        if meeting is None:
            self.meeting_label.setText(
                self.tr("No meeting is planned. Add one in Meetings (Ctrl+0), or use "
                        "File ▸ Prepare for a meeting (Ctrl+M).")
            )
        else:
            venue = meeting.venue or self.tr("venue not yet known")
            self.meeting_label.setText(
                self.tr("%s\n%s\nStatus: %s") % (long_date(meeting.date), venue, meeting.status)
            )
        try:
            self.fingerprint_label.setText(workspace.keys().fingerprint)
        except SaferypError as error:
            self.fingerprint_label.setText(error.message)
        self.show_chair()
        self.harm_model.show(session)

    def _show_findings(self) -> None:
        """The four checks against the next meeting (or today), and what is stale."""
        session = self.session
        assert session is not None
        meeting = session.workspace.next_meeting()
        meeting_date = meeting.date if meeting else date.today()
        window = session.profile.currency_window_weeks
        self.findings = run_checks(session.table(), meeting_date, window)
        for model in self.findings_models.values():
            model.show(session, self.findings)
        counts = {check: model.rowCount() for check, model in self.findings_models.items()}
        for i, check in enumerate(OPEN_CHECKS):
            self.findings_tabs.setTabText(i, f"{self.tr(CHECK_TITLES[check])} ({counts[check]})")
        open_total = sum(counts[c] for c in OPEN_CHECKS)
        if not any(r.active for r in session.table().records.values()):
            self.findings_note.setText(
                self.tr("The mapping table is empty. Start with Young people (Ctrl+2) and "
                        "press Ctrl+N, or use File ▸ Prepare for a meeting (Ctrl+M), which walks "
                        "through every section.")
            )
        else:
            self.findings_note.setText(
                self.tr("Nothing to do: every record is relevant, evidenced and has a plan.")
                if not open_total
                else self.tr("%d open findings for the meeting on %s. Click one to open its record.")
                % (open_total, meeting_date.isoformat())
            )
        stale = counts[Check.CURRENT]
        self.stale_note.setText(
            self.tr("Everything was confirmed or evidenced in the %d weeks before %s.")
            % (window, meeting_date.isoformat())
            if not stale
            else self.tr(
                "%d records were not confirmed or evidenced in the %d weeks before %s. "
                "Open one and choose “Confirm still current”, or add evidence."
            )
            % (stale, window, meeting_date.isoformat())
        )

    def show_chair(self) -> None:
        """The chair this school sends its bundles to, or how to set one."""
        session = self.session
        if session is None:
            return
        workspace = session.workspace
        is_school = workspace.details.role == "school"
        self.chair_box.setVisible(is_school)
        if not is_school:
            return
        from saferyp_desktop.services.export import chair  # loaded ahead, with the window

        try:
            info = chair(workspace)
        except SaferypError as error:
            info = None
            self.chair_label.setText(error.message)
        self.chair = info
        if info is None:
            self.chair_label.setText(
                self.tr("No chair set — bundles are locked with six words you read to the "
                        "chair by phone.")
            )
            self.chair_fingerprint_label.clear()
            self.chair_fingerprint_label.hide()
            self.chair_note.clear()
            self.chair_note.hide()
            self.chair_button.setText(self.tr("Set the chair…"))
            return
        who = info.name or self.tr("The chair (no name given)")
        if info.organisation:
            who = f"{who}, {info.organisation}"
        if info.fingerprint:
            self.chair_label.setText(who)
            self.chair_fingerprint_label.setText(info.fingerprint)
            self.chair_note.setText(
                self.tr("Bundles are encrypted to this chair. Their fingerprint should match "
                        "the one they read to you by phone.")
            )
        else:
            self.chair_label.setText(
                self.tr("A chair known by their age key only: outcomes cannot be verified. "
                        "Ask the chair for their key card.")
            )
            self.chair_fingerprint_label.setText(info.recipient[:20] + "…")
            self.chair_note.setText(self.tr("Bundles are encrypted to this age key."))
        self.chair_fingerprint_label.show()
        self.chair_note.show()
        self.chair_button.setText(self.tr("Change the chair…"))

    def _check_integrity_in_background(self, workspace) -> None:
        """The file's full integrity check reads every page: off the GUI thread, once."""
        done = self._integrity_done

        def work() -> None:
            try:
                problems = workspace.check_integrity()
            except SaferypError as error:
                problems = [error.message]
            except Exception:  # noqa: BLE001 - the workspace closed (locked) meanwhile
                return
            with contextlib.suppress(RuntimeError):  # the page itself is gone
                done.emit(problems)

        threading.Thread(target=work, name="integrity-check", daemon=True).start()

    def _show_integrity(self, problems: list[str]) -> None:
        if self.session is None:
            return
        self.integrity_problems = list(problems)
        self.integrity_note.setVisible(bool(problems))
        self.integrity_note.setText(
            self.tr("This workspace has a problem: %s Restore it from a backup if it persists.")
            % " ".join(problems)
        )

    def clear(self) -> None:
        """Forget everything shown (the workspace is locking)."""
        self.session = None
        self.findings = []
        self.integrity_problems = []
        self.harm_model.clear()
        for model in self.findings_models.values():
            model.clear()
        self.chair = None
        for button in (self.export_key_button, self.chair_button, self.briefing_button,
                       self.bundle_button):
            button.setEnabled(False)
        for label in (self.meeting_label, self.fingerprint_label, self.findings_note, self.stale_note,
                      self.integrity_note, self.chair_label, self.chair_fingerprint_label,
                      self.chair_note):
            label.clear()
