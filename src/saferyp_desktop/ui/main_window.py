"""The main window: the sections of one open workspace, its menus and status bar.

Built as ``MainWindow(session, preferences)`` by the app controller, which connects
``lockRequested``, ``prepareRequested`` and ``preferencesRequested``, sends the
preparation wizard's export buttons to :meth:`MainWindow.export_briefing` and
:meth:`MainWindow.export_bundle`, and calls :meth:`MainWindow.clear` when the workspace
locks. The briefing, bundle, chair and key-card commands of the File menu are
:class:`ui.export_dialogs.ExportCommands`, made when first used. Every edit goes through the
session; the window only listens to ``Session.changed`` to keep its views in step.
Sections are built the first time they are opened, so the window opens quickly on a
large workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import Kind
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.ui import clipboard
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.opener import warm_up
from saferyp_desktop.ui.sections.overview import OverviewPage
from saferyp_desktop.ui.sections.record_section import RecordSection
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.settings import Preferences
from saferyp_desktop.ui.workspace_window import WorkspaceWindow

if TYPE_CHECKING:
    from saferyp_desktop.ui.export_dialogs import ExportCommands

OVERVIEW_DELAY_MS = 250  # after an edit, the Overview and diagram wait for a pause
DIAGRAM_DELAY_MS = 400


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    kind: Kind | None
    shortcut: str


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("overview", "Overview", None, "Ctrl+1"),
    SectionSpec("young_person", "Young people", Kind.YOUNG_PERSON, "Ctrl+2"),
    SectionSpec("adult", "Adults", Kind.ADULT, "Ctrl+3"),
    SectionSpec("peer_group", "Peer groups", Kind.PEER_GROUP, "Ctrl+4"),
    SectionSpec("location", "Locations & contexts", Kind.LOCATION, "Ctrl+5"),
    SectionSpec("strength", "Strengths", Kind.STRENGTH, "Ctrl+6"),
    SectionSpec("diagram", "Spider diagram", None, "Ctrl+7"),
    SectionSpec("key_concern", "Concerns & questions", Kind.KEY_CONCERN, "Ctrl+8"),
    SectionSpec("action", "Actions", Kind.ACTION, "Ctrl+9"),
    SectionSpec("meeting", "Meetings", Kind.MEETING, "Ctrl+0"),
)
SECTION_INDEX = {spec.key: i for i, spec in enumerate(SECTIONS)}
KIND_SECTION = {spec.kind: i for i, spec in enumerate(SECTIONS) if spec.kind is not None}

STATUS_MESSAGE_MS = 15_000  # how long "Briefing saved…" and its "Open folder" link stay
# Making a briefing loads reportlab (a second or so): imported ahead, in the background.
EXPORT_WARM_UP = ("saferyp_desktop.services.export", "saferyp_desktop.services.briefing")
EXPORT_WARM_UP_DELAY_MS = 2_000

class MainWindow(WorkspaceWindow):
    """One unlocked workspace: navigation on the left, the chosen section on the right."""

    GEOMETRY_KEY = "main_window"

    lockRequested = Signal()  # noqa: N815 - Qt naming
    prepareRequested = Signal()  # noqa: N815
    preferencesRequested = Signal()  # noqa: N815

    def __init__(self, session: Session, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.preferences = preferences
        self._cleared = False
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("SaferYP Desktop — %s") % session.workspace.path.name)

        self.sections: dict[Kind, RecordSection] = {}
        self.overview: OverviewPage | None = None
        self.diagram = None  # the SpiderDiagramView, once the page is opened
        self._diagram_stale = True
        self._diagram_pinned_loaded = False  # dragged positions are read once, at first drawing
        self._overview_stale = False
        self._exports: ExportCommands | None = None
        self._export_folder: Path | None = None

        self._build_central(session)
        self._build_actions(session)
        self._build_menus()
        self._build_status_bar(session)

        self._overview_timer = self._timer(OVERVIEW_DELAY_MS, self._refresh_overview)
        self._diagram_timer = self._timer(DIAGRAM_DELAY_MS, self._refresh_diagram)
        session.changed.connect(self._on_changed)
        session.saved.connect(self._on_saved)
        session.presentationChanged.connect(self._on_presentation_changed)
        session.closed.connect(self.clear)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

        self._restore_window_state()
        self.show_section(0)
        # Not during the first paint: importing reportlab and PDFium holds Python's lock
        # for a while, which would stall the window just as it appears.
        QTimer.singleShot(EXPORT_WARM_UP_DELAY_MS, self, lambda: warm_up(EXPORT_WARM_UP))

    # -- building -------------------------------------------------------------------------
    def _timer(self, interval: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    def _build_central(self, session: Session) -> None:
        self._build_shell(
            self.tr("Demo workspace — all people and places are fictional"),
            bool(session.workspace.details.demo), self.tr("Sections"), 200,
        )
        for spec in SECTIONS:
            item = QListWidgetItem(self.tr(spec.title), self.navigation)
            item.setToolTip(f"{self.tr(spec.title)} ({spec.shortcut})")
            item.setSizeHint(item.sizeHint().expandedTo(self.navigation.fontMetrics().size(0, "X") * 2))
        self.pages: list[QWidget] = []
        for spec in SECTIONS:
            page = QWidget(self.stack)
            page.setObjectName(f"page_{spec.key}")
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.stack.addWidget(page)
            self.pages.append(page)
        self._built: set[int] = set()
        self.navigation.currentRowChanged.connect(self._navigated)

    def _build_actions(self, session: Session) -> None:
        self.prepare_action = self._action(
            self.tr("&Prepare for a meeting…"), "Ctrl+M", self.prepareRequested.emit,
            self.tr("Walk through everything the meeting needs, step by step"),
        )
        self.preferences_action = self._action(
            self.tr("Pr&eferences…"), QKeySequence.StandardKey.Preferences, self.preferencesRequested.emit
        )
        self.lock_action = self._action(
            self.tr("&Lock"), "Ctrl+L", self.lockRequested.emit,
            self.tr("Close the workspace and ask for the passphrase again"),
        )
        self.close_action = self._action(self.tr("&Close workspace"), "Ctrl+W", self.close)
        self.export_briefing_action = self._action(
            self.tr("Export &briefing…"), "Ctrl+E", lambda: self.export_briefing(),
            self.tr("Save the meeting briefing as a PDF, at the data level you choose"),
        )
        self.print_briefing_action = self._action(
            self.tr("P&rint briefing…"), QKeySequence.StandardKey.Print, lambda: self.print_briefing(),
            self.tr("Print the meeting briefing, at the data level you choose"),
        )
        self.export_bundle_action = self._action(
            self.tr("Export b&undle for the chair…"), "Ctrl+Shift+E", lambda: self.export_bundle(),
            self.tr("Save your mapping table, signed and encrypted, for the meeting chair"),
        )
        self.set_chair_action = self._action(
            self.tr("Set the c&hair…"), None, lambda: self.set_chair(),
            self.tr("Choose the meeting chair's key card, so bundles are encrypted to them"),
        )
        self.export_key_card_action = self._action(
            self.tr("Export my &key card…"), None, lambda: self.export_key_card(),
            self.tr("Save this workspace's public keys to give to the chair"),
        )
        self.open_outcomes_action = self._action(
            self.tr("Open &outcomes from the chair…"), "Ctrl+Shift+O", lambda: self.open_outcomes(),
            self.tr("Import the actions the meeting agreed for this school"),
        )
        school = session.workspace.details.role == "school"
        self.open_outcomes_action.setEnabled(school)
        self.export_bundle_action.setEnabled(school)
        self.set_chair_action.setEnabled(school)

        self.undo_action = session.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = session.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        self.add_action = self._action(self.tr("&Add"), QKeySequence.StandardKey.New, self.add_record)
        # Del and Ctrl+C act on the records table that has focus (so Del in a text field
        # or a member list keeps its own meaning); from the menu they act on the section.
        self.retire_action = self._action(self.tr("&Retire…"), QKeySequence.StandardKey.Delete, self.retire_selected)
        self.retire_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action = self._action(self.tr("&Copy rows"), QKeySequence.StandardKey.Copy, self.copy_selection)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.find_action = self._action(self.tr("&Find"), QKeySequence.StandardKey.Find, self.focus_filter)

        self.presentation_action = self._action(
            self.tr("&Presentation mode"), "F5", None,
            self.tr("Show initials instead of names everywhere, for a projector"),
        )
        self.presentation_action.setCheckable(True)
        self.presentation_action.setChecked(session.presentation)
        self.presentation_action.toggled.connect(self._presentation_toggled)
        self.section_actions: list[QAction] = []
        group = QActionGroup(self)
        for i, spec in enumerate(SECTIONS):
            action = self._action(self.tr(spec.title).replace("&", "&&"), spec.shortcut)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, index=i: self.show_section(index, focus=True))
            group.addAction(action)
            self.section_actions.append(action)
        self.about_action = self._action(self.tr("&About SaferYP Desktop"), None, self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.prepare_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_briefing_action)
        file_menu.addAction(self.print_briefing_action)
        file_menu.addAction(self.export_bundle_action)
        file_menu.addAction(self.open_outcomes_action)
        file_menu.addSeparator()
        file_menu.addAction(self.set_chair_action)
        file_menu.addAction(self.export_key_card_action)
        file_menu.addSeparator()
        file_menu.addAction(self.preferences_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.close_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.add_action)
        edit_menu.addAction(self.retire_action)
        edit_menu.addAction(self.copy_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.presentation_action)
        view_menu.addSeparator()
        for action in self.section_actions:
            view_menu.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)
        self.file_menu, self.edit_menu, self.view_menu, self.help_menu = (
            file_menu, edit_menu, view_menu, help_menu
        )

    def _build_status_bar(self, session: Session) -> None:
        status = self.statusBar()
        self.file_label = QLabel(session.workspace.path.name, self)
        self.file_label.setObjectName("fileLabel")
        self.encryption_label = QLabel(self.tr("Encrypted (SQLCipher 4)"), self)
        self.presentation_label = QLabel(self.tr("Presentation mode: initials only"), self)
        self.presentation_label.setVisible(session.presentation)
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("savedLabel")
        if session.last_saved is not None:
            self._on_saved(session.last_saved)
        else:
            self.saved_label.setText(self.tr("No changes yet"))
        self.open_folder_label = QLabel(self)
        self.open_folder_label.setObjectName("openFolder")
        self.open_folder_label.setText(f"<a href='open-folder'>{self.tr('Open folder')}</a>")
        self.open_folder_label.setAccessibleName(self.tr("Open the folder of the file just saved"))
        self.open_folder_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.open_folder_label.linkActivated.connect(lambda _link: self.open_export_folder())
        self.open_folder_label.hide()
        status.messageChanged.connect(self._status_message_changed)
        status.addWidget(self.file_label)
        status.addWidget(self.encryption_label)
        status.addPermanentWidget(self.open_folder_label)
        status.addPermanentWidget(self.presentation_label)
        status.addPermanentWidget(self.saved_label)

    # -- sections -------------------------------------------------------------------------------
    def current_index(self) -> int:
        return self.stack.currentIndex()

    def current_section(self) -> RecordSection | None:
        kind = SECTIONS[self.current_index()].kind
        return self.sections.get(kind) if kind is not None else None

    def show_section(self, index: int | str | Kind, focus: bool = False) -> QWidget:
        """Open a section by position, key (``"adult"``, ``"diagram"``) or record kind."""
        if isinstance(index, Kind):
            index = KIND_SECTION[index]
        elif isinstance(index, str):
            index = SECTION_INDEX[index]
        self._ensure_built(index)
        if self.navigation.currentRow() != index:
            self.navigation.setCurrentRow(index)  # calls _navigated
        else:
            self._navigated(index)
        if focus:
            self._focus_page(index)
        return self.pages[index]

    def section(self, kind: Kind) -> RecordSection:
        """The section of ``kind`` (built if it was not yet opened)."""
        self._ensure_built(KIND_SECTION[kind])
        return self.sections[kind]

    def open_record(self, record_id: str) -> bool:
        """Show a record (or a link, or an evidence entry's subject) in its section."""
        if self.session is None:
            return False
        table = self.session.table()
        if record_id in table.evidence:
            return self.open_record(table.evidence[record_id].subject_id)
        link = table.links.get(record_id)
        if link is not None:
            if not self.open_record(link.a_id):
                return False
            section = self.current_section()
            if section is not None:
                section.show_link(link.id)
            return True
        record = table.get(record_id)
        if record is None or record.kind not in KIND_SECTION:
            return False
        self.show_section(record.kind)
        section = self.sections[record.kind]
        found = section.select_record(record_id)
        if found:
            section.view.setFocus(Qt.FocusReason.OtherFocusReason)
        return found

    def _ensure_built(self, index: int) -> None:
        if index in self._built or self.session is None:
            return
        self._built.add(index)
        spec = SECTIONS[index]
        page = self.pages[index]
        if spec.kind is not None:
            widget: QWidget = self._build_record_section(spec)
        elif spec.key == "overview":
            self.overview = OverviewPage(self.session, page)
            self.overview.recordActivated.connect(self.open_record)
            self.overview.setChairRequested.connect(lambda: self.set_chair())
            self.overview.exportKeyCardRequested.connect(lambda: self.export_key_card())
            self.overview.exportBriefingRequested.connect(lambda: self.export_briefing())
            self.overview.exportBundleRequested.connect(lambda: self.export_bundle())
            widget = self.overview
        else:
            widget = self._build_diagram(page)
        page.layout().addWidget(widget)

    def _build_record_section(self, spec: SectionSpec) -> RecordSection:
        assert self.session is not None and spec.kind is not None
        section = RecordSection(self.session, spec.kind, self.tr(spec.title), self.pages[SECTION_INDEX[spec.key]])
        state = self.preferences.geometry(f"table_header/{spec.kind.value}")
        if state is not None and not state.isEmpty():
            section.restore_header_state(state)
        splitter = self.preferences.geometry(f"section_splitter/{spec.kind.value}")
        if splitter is not None and not splitter.isEmpty():
            section.splitter.restoreState(splitter)
        section.view.addAction(self.retire_action)
        section.view.addAction(self.copy_action)
        section.selectionChanged.connect(self._update_actions)
        self.sections[spec.kind] = section
        return section

    def _build_diagram(self, page: QWidget) -> QWidget:
        assert self.session is not None
        # Imported when first opened: the window opens without loading the diagram's code.
        from saferyp_desktop.ui.diagram import SpiderDiagramView

        view = SpiderDiagramView(page, profile=self.session.profile, save_positions=self._save_positions)
        view.setObjectName("spiderDiagram")
        view.recordActivated.connect(self.open_record)
        view.set_presentation(self.session.presentation)
        self.diagram = view
        self._diagram_stale = True
        return view

    def _navigated(self, index: int) -> None:
        if index < 0:
            return
        self._ensure_built(index)
        self.stack.setCurrentIndex(index)
        self.section_actions[index].setChecked(True)
        key = SECTIONS[index].key
        if key == "overview" and self._overview_stale:
            self._refresh_overview()
        if key == "diagram" and self._diagram_stale:
            self._refresh_diagram()
        self._update_actions()

    def _focus_page(self, index: int) -> None:
        spec = SECTIONS[index]
        if spec.kind is not None:
            self.sections[spec.kind].view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif spec.key == "diagram" and self.diagram is not None:
            self.diagram.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.navigation.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- commands -------------------------------------------------------------------------------
    def add_record(self) -> None:
        section = self.current_section()
        if section is not None:
            section.add_new()

    def retire_selected(self) -> None:
        section = self.current_section()
        if section is not None:
            section.retire_selected()

    def copy_selection(self) -> None:
        """Copy the selected rows as text, at the level shown (initials in presentation mode)."""
        section = self.current_section()
        text = section.copy_text() if section is not None else ""
        if text:
            clipboard.copy_text(text)
            rows = text.count("\n") - 1
            self.statusBar().showMessage(self.tr("Copied %d rows") % rows, 4000)

    @property
    def copied_to_clipboard(self) -> bool:
        """True while the clipboard holds rows this program copied (clear them on lock)."""
        return clipboard.holds_ours()

    def focus_filter(self) -> None:
        section = self.current_section()
        if section is not None:
            section.focus_filter()

    def show_about(self) -> None:
        from saferyp_desktop.ui.about_dialog import AboutDialog

        AboutDialog(self).exec()

    def open_outcomes(self, path: Path | None = None) -> None:
        """File ▸ Open outcomes: verify the chair's outcomes bundle off the GUI thread, then
        add its agreed actions to Actions. A refusal is one sentence and changes nothing."""
        from saferyp_desktop.services.exchange import open_bundle
        from saferyp_desktop.ui.tasks import error_sentence, run_with_progress

        title = self.tr("Open outcomes")
        if path is None:
            path = dialogs().open_file(
                self, title, self.tr("SaferYP bundles (*.sypbundle);;All files (*)")
            )
        if path is None or self.session is None:
            return
        session, workspace = self.session, self.session.workspace
        task = run_with_progress(
            self, title, self.tr("Checking the chair's signature…"),
            lambda _context: open_bundle(workspace, Path(path)), cancellable=False,
        )

        def opened(result) -> None:
            if self.session is not session:
                return
            session.run_without_undo(lambda: None)  # the actions arrived outside undo
            added = len(result.added) + len(result.updated)
            dialogs().info(
                self, title,
                self.tr("The outcomes of the meeting on %s from %s are in Actions: %d agreed "
                        "actions added or updated.") % (result.meeting_date.isoformat(), result.chair, added),
            )
            self.show_section("action")

        task.succeeded.connect(opened)
        task.failed.connect(lambda error: dialogs().error(self, title, error_sentence(error)))
        self._outcomes_task = task  # kept alive until it ends

    # -- briefings and bundles -------------------------------------------------------------------
    @property
    def exports(self) -> ExportCommands | None:
        """The export commands (made when first used); None once the window is cleared."""
        if self._exports is None and self.session is not None:
            from saferyp_desktop.ui.export_dialogs import ExportCommands

            exports = ExportCommands(self.session, self.preferences, self)
            exports.finished.connect(self._export_finished)
            exports.chairChanged.connect(self._chair_changed)
            exports.bundleExported.connect(self._bundle_exported)
            self._exports = exports
        return self._exports

    def export_briefing(self, meeting_id: str | None = None, parent: QWidget | None = None):
        """Export briefing… (Ctrl+E): for ``meeting_id``, or the next meeting."""
        exports = self.exports
        return exports.export_briefing(meeting_id or None, parent) if exports else None

    def print_briefing(self, meeting_id: str | None = None, parent: QWidget | None = None):
        """Print briefing… (Ctrl+P)."""
        exports = self.exports
        return exports.print_briefing(meeting_id or None, parent) if exports else None

    def export_bundle(self, meeting_id: str | None = None, parent: QWidget | None = None):
        """Export bundle for the chair… (Ctrl+Shift+E)."""
        exports = self.exports
        return exports.export_bundle(meeting_id or None, parent) if exports else None

    def set_chair(self, parent: QWidget | None = None):
        exports = self.exports
        return exports.set_chair(parent) if exports else None

    def export_key_card(self, parent: QWidget | None = None):
        exports = self.exports
        return exports.export_key_card(parent) if exports else None

    def _export_finished(self, message: str, folder: Path | None) -> None:
        if self._cleared:
            return
        self._export_folder = Path(folder) if folder is not None else None
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)
        self.open_folder_label.setVisible(self._export_folder is not None)

    def _status_message_changed(self, text: str) -> None:
        if not text:
            self.open_folder_label.hide()

    def open_export_folder(self) -> None:
        """Show the folder of the file just saved in the system's file manager."""
        if self._export_folder is not None:
            from saferyp_desktop.ui.export_dialogs import open_folder

            open_folder(self._export_folder)

    def _chair_changed(self) -> None:
        if self.overview is not None and not self._cleared:
            self.overview.show_chair()

    def _bundle_exported(self, meeting_id: str) -> None:
        # The export marked the meeting "submitted" in the workspace: show it everywhere.
        if self.session is not None and meeting_id:
            self.session.changed.emit([meeting_id])

    # -- following the session --------------------------------------------------------------------
    def _on_changed(self, ids: list) -> None:
        if self._cleared:
            return
        for section in self.sections.values():
            section.on_changed(ids)
        self._overview_stale = True
        self._diagram_stale = True
        self._overview_timer.start()
        self._diagram_timer.start()
        self._update_actions()

    def _on_presentation_changed(self, on: bool) -> None:
        if self._cleared:
            return
        self.presentation_action.blockSignals(True)
        self.presentation_action.setChecked(on)
        self.presentation_action.blockSignals(False)
        self.presentation_label.setVisible(on)
        for section in self.sections.values():
            section.on_presentation_changed()
        if self.overview is not None:
            self.overview.refresh()
            self._overview_stale = False
        if self.diagram is not None:
            self.diagram.set_presentation(on)

    def _refresh_overview(self) -> None:
        self._overview_timer.stop()
        if self._cleared or self.overview is None:
            return
        if self.current_index() != SECTION_INDEX["overview"]:
            self._overview_stale = True  # worked out when next shown
            return
        self.overview.refresh()
        self._overview_stale = False

    def _refresh_diagram(self) -> None:
        self._diagram_timer.stop()
        if self._cleared or self.diagram is None or self.session is None:
            return
        if self.current_index() != SECTION_INDEX["diagram"]:
            self._diagram_stale = True
            return
        if not self._diagram_pinned_loaded:
            self._diagram_pinned_loaded = True
            self.diagram.refresh(self.session.table(), pinned=self.session.workspace.diagram_positions())
        else:
            self.diagram.refresh(self.session.table())
        self._diagram_stale = False

    def _save_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        if self.session is None:
            return
        try:
            self.session.workspace.save_diagram_positions(positions)
        except SaferypError as error:
            dialogs().error(self, self.tr("Positions not saved"), error.message)

    def _update_actions(self) -> None:
        section = self.current_section()
        on_records = section is not None and self.session is not None
        self.add_action.setEnabled(on_records)
        self.find_action.setEnabled(on_records)
        self.retire_action.setEnabled(on_records and section.retire_button.isEnabled())
        self.copy_action.setEnabled(on_records and bool(section.selected_rows()))
        if section is not None:
            self.add_action.setText(self.tr("&Add to %s") % section.title.replace("&", "&&"))
        else:
            self.add_action.setText(self.tr("&Add"))

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # The diagram's own Ctrl+0 ("Fit") wins while it has focus; elsewhere Ctrl+0 opens Meetings.
        if self._cleared:
            return
        in_diagram = self.diagram is not None and new is not None and (
            new is self.diagram or self.diagram.isAncestorOf(new)
        )
        meetings = self.section_actions[SECTION_INDEX["meeting"]]
        wanted = QKeySequence() if in_diagram else QKeySequence(SECTIONS[SECTION_INDEX["meeting"]].shortcut)
        if meetings.shortcut() != wanted:
            meetings.setShortcut(wanted)

    # -- layout kept between runs ---------------------------------------------------------------
    def _restore_window_state(self) -> None:
        self._restore_geometry()
        state = self.preferences.geometry("main_window_state")
        if state is not None and not state.isEmpty():
            self.restoreState(state)

    def save_layout(self) -> None:
        """Remember the window's size and each table's columns (never any content)."""
        self._save_geometry()
        self.preferences.set_geometry("main_window_state", self.saveState())
        for kind, section in self.sections.items():
            self.preferences.set_geometry(f"table_header/{kind.value}", section.header_state())
            self.preferences.set_geometry(f"section_splitter/{kind.value}", section.splitter.saveState())

    def reset_layout(self) -> None:
        """Forget remembered sizes and columns: back to the defaults."""
        empty = QByteArray()
        for name in ("main_window", "main_window_state"):
            self.preferences.set_geometry(name, empty)
        for spec in SECTIONS:
            if spec.kind is not None:
                self.preferences.set_geometry(f"table_header/{spec.kind.value}", empty)
                self.preferences.set_geometry(f"section_splitter/{spec.kind.value}", empty)
        self.resize(1280, 800)
        for section in self.sections.values():
            header = section.view.horizontalHeader()
            for column in range(section.model.columnCount()):
                header.moveSection(header.visualIndex(column), column)
                section.view.setColumnWidth(column, section.model.column_width(column))
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)

    # -- locking and closing -----------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything shown: models emptied, editors cleared, diagram emptied.

        Edits typed but not yet saved are saved first (quietly), as every change is.
        Called by the app controller when the workspace locks; the window is then closed.
        """
        if self._cleared:
            return
        for section in self.sections.values():
            if section.editor.dirty:
                section.editor.apply(quiet=True)
        self.save_layout()
        self._cleared = True
        self._overview_timer.stop()
        self._diagram_timer.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        session, self.session = self.session, None
        if session is not None:
            for signal, slot in (
                (session.changed, self._on_changed),
                (session.saved, self._on_saved),
                (session.presentationChanged, self._on_presentation_changed),
                (session.closed, self.clear),
            ):
                signal.disconnect(slot)
        for section in self.sections.values():
            section.clear()
        if self.overview is not None:
            self.overview.clear()
        if self.diagram is not None:
            self.diagram.set_save_positions(None)
            self.diagram.refresh(MappingTable())
        if self._exports is not None:
            self._exports.close()
        self._export_folder = None
        self.open_folder_label.hide()
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        for action in (self.add_action, self.retire_action, self.copy_action, self.find_action,
                       self.prepare_action, self.presentation_action, self.export_briefing_action,
                       self.print_briefing_action, self.export_bundle_action, self.set_chair_action,
                       self.export_key_card_action, self.open_outcomes_action):
            action.setEnabled(False)
        self.saved_label.clear()
        self.statusBar().clearMessage()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if not self._cleared:
            for section in self.sections.values():
                if section.editor.dirty and not section.editor.apply():
                    event.ignore()  # the unsaved edit was refused: let the user fix it
                    return
            self.save_layout()
        super().closeEvent(event)
