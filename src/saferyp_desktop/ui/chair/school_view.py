"""One school's current submission, read-only: every section of its mapping table with
the same tables, filter and detail as the school's own window, and its spider diagram.

The submitted table is rebuilt from the signed ``mapping.json`` the chair's workspace
holds, in memory, on a worker thread, the first time the page is shown. The school's
briefing PDF, if it sent one, is never written anywhere unasked: the chair saves it
where they choose, or prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.diagram import Point
from saferyp_desktop.domain.levels import LEVEL_TITLES
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import Kind
from saferyp_desktop.services import chair, exchange
from saferyp_desktop.services.exchange import SubmissionSummary
from saferyp_desktop.services.files import save_file
from saferyp_desktop.ui.chair.inbox import counts_text
from saferyp_desktop.ui.chair.submission_session import SubmissionSession
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.record_section import RecordSection
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.tasks import Task, TaskContext, error_sentence

PDF_FILTER = "PDF documents (*.pdf)"


@dataclass(frozen=True)
class _Tab:
    key: str
    title: str
    kind: Kind | None


TABS: tuple[_Tab, ...] = (
    _Tab("young_person", "Young people", Kind.YOUNG_PERSON),
    _Tab("adult", "Adults", Kind.ADULT),
    _Tab("peer_group", "Peer groups", Kind.PEER_GROUP),
    _Tab("location", "Locations & contexts", Kind.LOCATION),
    _Tab("strength", "Strengths", Kind.STRENGTH),
    _Tab("diagram", "Spider diagram", None),
    _Tab("key_concern", "Concerns & questions", Kind.KEY_CONCERN),
    _Tab("action", "Proposed actions", Kind.ACTION),
)
TAB_INDEX = {tab.key: i for i, tab in enumerate(TABS)}


def printing_available() -> bool:
    """Whether this build can print a PDF (the printing module and its renderer)."""
    try:
        from saferyp_desktop.ui import printing  # noqa: F401
    except ImportError:
        return False
    return True


class SchoolPage(QWidget):
    """A school's current submission, read-only.

    Made empty and cheap (the window makes one per school); the first time it is shown
    it builds its widgets and reads the submitted table on a worker thread, saying so
    meanwhile, then shows the sections; ``loaded`` tells when they can show it.
    """

    loaded = Signal()

    def __init__(self, session: Session, summary: SubmissionSummary,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.summary = summary
        self.urn = summary.urn
        self.setObjectName(f"school_{summary.urn}")
        self.submission: SubmissionSession | None = None
        self.sections: dict[Kind, RecordSection] = {}
        self.diagram = None  # the SpiderDiagramView, once its tab is opened
        self._positions: dict[str, Point] = {}  # where the school draws its diagram's nodes
        self.loader: Task | None = None  # reading the submitted table, if now
        self._built: set[int] = set()
        self._built_widgets = False
        self._pending_record = ""  # to show once the table is read
        self._print_task = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)

    def _build_widgets(self) -> None:
        if self._built_widgets:
            return
        self._built_widgets = True
        summary = self.summary
        self.title = QLabel(summary.school, self)
        self.title.setObjectName("schoolTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.facts = QLabel(self)
        self.facts.setObjectName("schoolFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.read_only_note = QLabel(
            self.tr("Read-only: this is what the school submitted. Changes are made at the "
                    "school and arrive in its next bundle."),
            self,
        )
        self.read_only_note.setObjectName("readOnlyNote")
        self.read_only_note.setWordWrap(True)
        self.save_briefing_button = QPushButton(self.tr("Save the school's briefing as…"), self)
        self.save_briefing_button.setAccessibleName(self.tr("Save the school's briefing PDF"))
        self.save_briefing_button.clicked.connect(self.save_briefing)
        self.print_briefing_button = QPushButton(self.tr("Print the school's briefing…"), self)
        self.print_briefing_button.setAccessibleName(self.tr("Print the school's briefing PDF"))
        self.print_briefing_button.clicked.connect(self.print_briefing)
        self.print_briefing_button.setVisible(printing_available())
        self.no_briefing_label = QLabel(self.tr("No briefing PDF came with this submission."), self)

        head = QVBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.facts)
        head.addWidget(self.read_only_note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_briefing_button)
        buttons.addWidget(self.print_briefing_button)
        buttons.addWidget(self.no_briefing_label)
        buttons.addStretch(1)
        head.addLayout(buttons)

        self.loading_label = QLabel(self)
        self.loading_label.setObjectName("schoolLoading")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        self.loading_label.hide()

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("schoolTabs")
        self.tabs.setDocumentMode(True)
        self.pages: list[QWidget] = []
        for tab in TABS:
            page = QWidget(self.tabs)
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(page, self.tr(tab.title).replace("&", "&&"))
            self.pages.append(page)
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = self.layout()
        layout.addLayout(head)
        layout.addWidget(self.loading_label, 1)
        layout.addWidget(self.tabs, 1)
        self._show_facts()

    # -- filling ---------------------------------------------------------------------------
    def _show_facts(self) -> None:
        s = self.summary
        parts = [
            self.tr("URN %s") % s.urn,
            self.tr("meeting %s") % (s.meeting_date.isoformat() if s.meeting_date else self.tr("not named")),
            self.tr("submission #%d (bundle no. %d)") % (s.id, s.sequence),
            self.tr("received %s") % s.received.astimezone().strftime("%Y-%m-%d %H:%M"),
            self.tr("fingerprint %s") % s.fingerprint,
            LEVEL_TITLES[s.level],
        ]
        if s.demo:
            parts.append(self.tr("fictional demo data"))
        self.facts.setText(" · ".join(parts) + "\n" + counts_text(s.counts))
        self.save_briefing_button.setEnabled(s.has_briefing)
        self.print_briefing_button.setEnabled(s.has_briefing)
        self.no_briefing_label.setVisible(not s.has_briefing)

    @property
    def loading(self) -> bool:
        """The submitted table is being read."""
        return self.loader is not None

    def ensure_loaded(self) -> None:
        """Build the page and start reading the submitted table (once), off the GUI thread:
        rebuilding a large school's from its signed bytes takes a good half second."""
        if self.session is None:
            return
        self._build_widgets()
        if self.submission is not None or self.loader is not None:
            return
        workspace, submission_id = self.session.workspace, self.summary.id

        def job(_context: TaskContext) -> tuple[MappingTable, dict[str, Point]]:
            return chair.submission_view(workspace, submission_id)

        self.loading_label.setText(self.tr("Reading the submission of %s…") % self.summary.school)
        self.loading_label.show()
        self.tabs.hide()
        task = Task(job, self, name="saferyp-school")
        task.succeeded.connect(self._table_read)
        task.failed.connect(self._read_failed)
        task.finished.connect(lambda: self._read_finished(task))
        self.loader = task
        task.start()

    def _load_now(self) -> None:
        """Read the submitted table on this thread, if it is not read yet (for a caller that
        needs a section at once); a read running meanwhile is discarded."""
        if self.session is None:
            return
        self._build_widgets()
        if self.submission is not None:
            return
        if self.loader is not None:
            self.loader.cancel()  # its result, if it still comes, is discarded
            self.loader = None
        self._table_read(chair.submission_view(self.session.workspace, self.summary.id))

    def _table_read(self, read: tuple[MappingTable, dict[str, Point]]) -> None:
        if self.session is None or self.submission is not None:
            return
        table, self._positions = read
        self.submission = SubmissionSession(
            self.session, table, meeting_date=self.summary.meeting_date,
            school=self.summary.school, urn=self.summary.urn, parent=self,
        )
        self.submission.presentationChanged.connect(self._presentation_changed)
        self.loading_label.hide()
        self.tabs.show()
        self._tab_changed(self.tabs.currentIndex())
        record_id, self._pending_record = self._pending_record, ""
        if record_id:
            self.open_record(record_id)
        self.loaded.emit()

    def _read_failed(self, error: BaseException) -> None:
        if self.session is not None:
            self.loading_label.setText(error_sentence(error))

    def _read_finished(self, task: Task) -> None:
        if self.loader is task:
            self.loader = None
        task.deleteLater()

    def section(self, kind: Kind) -> RecordSection:
        """The read-only section of ``kind``, built now (reading the table now if it is not
        read yet: for scripts and tests; the window's own paths wait for the worker)."""
        self._load_now()
        index = next(i for i, tab in enumerate(TABS) if tab.kind == kind)
        self._ensure_built(index)
        return self.sections[kind]

    def show_tab(self, key: str) -> QWidget:
        """Show one tab (its section is built once the table is read)."""
        self.ensure_loaded()
        self.tabs.setCurrentIndex(TAB_INDEX[key])
        return self.pages[TAB_INDEX[key]]

    def _tab_changed(self, index: int) -> None:
        if index >= 0 and self.submission is not None:
            self._ensure_built(index)

    def _ensure_built(self, index: int) -> None:
        if index in self._built or self.submission is None:
            return
        self._built.add(index)
        tab = TABS[index]
        page = self.pages[index]
        if tab.kind is not None:
            section = RecordSection(
                self.submission, tab.kind, self.tr(tab.title), page, read_only=True  # type: ignore[arg-type]
            )
            section.setObjectName(f"school_section_{tab.kind.value}")
            self.sections[tab.kind] = section
            page.layout().addWidget(section)
            return
        from saferyp_desktop.ui.diagram import SpiderDiagramView

        view = SpiderDiagramView(page, profile=self.submission.profile)
        view.setObjectName("schoolDiagram")
        view.recordActivated.connect(self.open_record)
        view.set_presentation(self.submission.presentation)
        page.layout().addWidget(view)
        view.show()
        page.layout().activate()  # the view has its size before the first fit
        self.diagram = view
        # Drawn where the school draws it (its bundle says where), not laid out again.
        view.refresh(self.submission.table(), pinned=self._positions)

    def open_record(self, record_id: str) -> bool:
        """Show one of this school's records in its section (once the table is read, if it
        is being read now: then True means only that it will be looked for)."""
        if self.submission is None:
            if self.session is None:
                return False
            self._pending_record = record_id
            self.ensure_loaded()
            return True
        record = self.submission.table().get(record_id)
        if record is None or not any(tab.kind == record.kind for tab in TABS):
            return False
        section = self.section(record.kind)
        self.tabs.setCurrentIndex(next(i for i, tab in enumerate(TABS) if tab.kind == record.kind))
        return section.select_record(record_id)

    def _presentation_changed(self, on: bool) -> None:
        for section in self.sections.values():
            section.on_presentation_changed()
        if self.diagram is not None:
            self.diagram.set_presentation(on)

    # -- the school's briefing -------------------------------------------------------------
    def _briefing_bytes(self) -> bytes | None:
        if self.session is None:
            return None
        data = exchange.submission_briefing(self.session.workspace, self.summary.id)
        if data is None:
            dialogs().error(self, self.tr("No briefing"), self.tr("This submission carried no briefing PDF."))
        return data

    def suggested_briefing_name(self) -> str:
        """``briefing-990001-2026-12-16.pdf``: the URN and date, never a person's name."""
        day = self.summary.meeting_date.isoformat() if self.summary.meeting_date else "undated"
        return f"briefing-{self.summary.urn}-{day}.pdf"

    def save_briefing(self) -> None:
        """Save the briefing the school sent, where the chair chooses (a private file)."""
        data = self._briefing_bytes()
        if data is None:
            return
        path = dialogs().save_file(
            self, self.tr("Save the school's briefing"), self.tr(PDF_FILTER),
            self.suggested_briefing_name(),
        )
        if path is None:
            return
        try:
            save_file(path, data)
        except OSError as error:
            dialogs().error(self, self.tr("Briefing not saved"), error_sentence(error))
            return
        window = self.window()
        status = getattr(window, "statusBar", None)
        if status is not None:
            status().showMessage(self.tr("Saved the briefing as %s") % path.name, 5000)

    def print_briefing(self) -> None:
        """Print the briefing the school sent (through the print dialog)."""
        data = self._briefing_bytes()
        if data is None:
            return
        from saferyp_desktop.ui.chair.print_job import print_document

        print_document(self, self.tr("Print the school's briefing"), data)

    # -- locking -------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget the submission and everything shown (the workspace is locking)."""
        if self.loader is not None:
            self.loader.cancel()  # its result, if it still comes, is discarded
        self._pending_record = ""
        for section in self.sections.values():
            section.clear()
        if self.diagram is not None:
            self.diagram.refresh(MappingTable())
        if self.submission is not None:
            self.submission.close()
        self.submission = None
        self.session = None
        if self._built_widgets:
            self.facts.clear()
            self.title.clear()
            self.loading_label.clear()
