"""The chair's window: the inbox, a read-only view of each school, links across
schools, the meeting record and the outcomes for each school (DESIGN.md §4, "Chair").

Built as ``ChairWindow(session, preferences)`` by the app controller for a chair's
workspace, with the same contract as the school's main window: ``lockRequested`` and
``preferencesRequested`` signals, :meth:`clear` when the workspace locks, a title that
names the file only. Pages other than the inbox are built the first time they are
opened; every change the chair makes goes through ``services.chair``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop import __version__
from saferyp_desktop.services.exchange import BUNDLE_SUFFIX, SubmissionSummary
from saferyp_desktop.ui.chair.inbox import InboxPage, current_submissions
from saferyp_desktop.ui.chair.school_view import SchoolPage
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.opener import warm_up
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.settings import Preferences
from saferyp_desktop.ui.workspace_window import WorkspaceWindow

# The fixed pages, in the order the navigation lists them (the schools come after the inbox).
PAGES = (
    ("inbox", "Inbox", "Ctrl+1"),
    ("across", "Across schools", "Ctrl+2"),
    ("meeting", "Meeting", "Ctrl+3"),
    ("outcomes", "Outcomes", "Ctrl+4"),
)
PAGE_TITLES = {key: title for key, title, _ in PAGES}
SCHOOL_SHORTCUTS = 9  # Ctrl+Shift+1 … Ctrl+Shift+9 open the first nine schools
# What the pages other than the inbox import (the chair's services bring reportlab, a
# good half second): imported on a worker thread once the window shows, so opening
# a page does not stop the window for it.
PAGES_WARM_UP = (
    "saferyp_desktop.services.chair",
    "saferyp_desktop.ui.chair.across",
    "saferyp_desktop.ui.chair.meeting",
    "saferyp_desktop.ui.chair.outcomes",
    "saferyp_desktop.ui.printing",
    "saferyp_desktop.ui.diagram",
)
PAGES_WARM_UP_DELAY_MS = 500
_KEY = Qt.ItemDataRole.UserRole


def school_key(urn: str) -> str:
    return f"school:{urn}"


class ChairWindow(WorkspaceWindow):
    """One unlocked chair's workspace: pages on the left, the chosen one on the right."""

    GEOMETRY_KEY = "chair_window"

    lockRequested = Signal()  # noqa: N815 - Qt naming
    preferencesRequested = Signal()  # noqa: N815

    def __init__(self, session: Session, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.preferences = preferences
        self._cleared = False
        self.setObjectName("chairWindow")
        self.setWindowTitle(self.tr("SaferYP Desktop — %s") % session.workspace.path.name)
        self.setAcceptDrops(True)

        self.pages: dict[str, QWidget] = {}
        self.schools: dict[str, SchoolPage] = {}  # by URN: each school's current submission
        self.across = None  # AcrossSchoolsPage, once opened
        self.meeting = None  # MeetingPage, once opened
        self.outcomes = None  # OutcomesPage, once opened
        self._stale: set[str] = set()  # built pages to refresh when next shown
        self.submissions: list[SubmissionSummary] = []

        self._build_central(session)
        self._build_actions(session)
        self._build_menus()
        self._build_status_bar(session)
        session.presentationChanged.connect(self._on_presentation_changed)
        session.closed.connect(self.clear)
        self._restore_window_state()
        self.inbox.refresh()
        self.show_page("inbox")
        QTimer.singleShot(PAGES_WARM_UP_DELAY_MS, self, lambda: warm_up(PAGES_WARM_UP))

    # -- building -------------------------------------------------------------------------
    def _build_central(self, session: Session) -> None:
        self._build_shell(
            self.tr("Demo data — the schools, people and places shown are fictional"),
            bool(session.workspace.details.demo), self.tr("Pages"), 230,
        )

        self.inbox = InboxPage(session, self.stack)
        self.inbox.submissionsChanged.connect(self._submissions_changed)
        self.inbox.schoolRequested.connect(self.show_school)
        self.inbox.imported.connect(self._imported)
        self._add_page("inbox", self.inbox)
        for key, _title, _shortcut in PAGES[1:]:
            holder = QWidget(self.stack)
            holder.setObjectName(f"page_{key}")
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self._add_page(key, holder)
        self._fill_navigation()
        self.navigation.currentItemChanged.connect(self._navigated)

    def _add_page(self, key: str, widget: QWidget) -> None:
        self.pages[key] = widget
        self.stack.addWidget(widget)

    def _fill_navigation(self) -> None:
        """Inbox, one entry per school, then Across schools, Meeting, Outcomes."""
        current = self.current_key() if self.navigation.count() else "inbox"
        self.navigation.blockSignals(True)
        self.navigation.clear()
        height = self.navigation.fontMetrics().height() * 2
        for key, title, shortcut in PAGES[:1]:
            self._navigation_item(key, self.tr(title), f"{self.tr(title)} ({shortcut})", height)
        for n, page in enumerate(self.schools.values()):
            tip = self.tr("%s, URN %s") % (page.summary.school, page.urn)
            if n < SCHOOL_SHORTCUTS:
                tip += f" (Ctrl+Shift+{n + 1})"
            self._navigation_item(school_key(page.urn), "    " + page.summary.school, tip, height)
        for key, title, shortcut in PAGES[1:]:
            self._navigation_item(key, self.tr(title), f"{self.tr(title)} ({shortcut})", height)
        self.navigation.blockSignals(False)
        self._select_in_navigation(current if current in self.pages else "inbox")

    def _navigation_item(self, key: str, text: str, tip: str, height: int) -> None:
        item = QListWidgetItem(text, self.navigation)
        item.setData(_KEY, key)
        item.setToolTip(tip)
        item.setSizeHint(item.sizeHint().expandedTo(self.navigation.fontMetrics().size(0, "X") * 2))
        if height:
            size = item.sizeHint()
            size.setHeight(max(size.height(), height))
            item.setSizeHint(size)

    def _build_actions(self, session: Session) -> None:
        self.open_action = self._action(
            self.tr("&Open bundles…"), QKeySequence.StandardKey.Open, self.open_bundles,
            self.tr("Open the bundles schools sent you"),
        )
        self.key_card_action = self._action(
            self.tr("Export your &key card…"), None, self.export_key_card,
            self.tr("Save your key card to give to schools, so their bundles open only here"),
        )
        self.print_pack_action = self._action(
            self.tr("&Print the briefing pack…"), QKeySequence.StandardKey.Print, self.print_pack,
            self.tr("Print the briefing pack for the meeting"),
        )
        self.export_pack_action = self._action(
            self.tr("&Export the briefing pack…"), "Ctrl+E", self.export_pack,
            self.tr("Save the briefing pack for the meeting as a PDF"),
        )
        self.export_outcomes_action = self._action(
            self.tr("Export o&utcomes…"), "Ctrl+Shift+E", self.export_outcomes,
            self.tr("Export the agreed actions for a school, to send back to it"),
        )
        self.preferences_action = self._action(
            self.tr("Pr&eferences…"), QKeySequence.StandardKey.Preferences, self.preferencesRequested.emit
        )
        self.lock_action = self._action(
            self.tr("&Lock"), "Ctrl+L", self.lockRequested.emit,
            self.tr("Close the workspace and ask for the passphrase again"),
        )
        self.close_action = self._action(self.tr("&Close workspace"), "Ctrl+W", self.close)
        self.confirm_action = self._action(
            self.tr("&Confirm the match"), "Ctrl+Shift+C", lambda: self._decide("confirmed"),
            self.tr("The selected candidate's records are the same"),
        )
        self.dismiss_action = self._action(
            self.tr("&Dismiss the match"), "Ctrl+Shift+D", lambda: self._decide("dismissed"),
            self.tr("The selected candidate's records are not the same"),
        )
        self.clear_decision_action = self._action(
            self.tr("C&lear the decision"), None, lambda: self._decide(None),
            self.tr("Take the decision on the selected candidate back"),
        )
        self.save_meeting_action = self._action(
            self.tr("&Save the meeting record"), QKeySequence.StandardKey.Save, self.save_meeting,
            self.tr("Save the meeting record's changes"),
        )
        self.agree_action_action = self._action(
            self.tr("&Agree an action…"), "Ctrl+Shift+A", self.agree_action,
            self.tr("Record an action agreed at the meeting"),
        )
        self.find_action = self._action(
            self.tr("&Find"), QKeySequence.StandardKey.Find, self.focus_filter,
            self.tr("Filter the table shown"),
        )
        self.presentation_action = self._action(
            self.tr("&Presentation mode"), "F5", None,
            self.tr("Show initials instead of names everywhere, for a projector"),
        )
        self.presentation_action.setCheckable(True)
        self.presentation_action.setChecked(session.presentation)
        self.presentation_action.toggled.connect(self._presentation_toggled)
        self.page_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for key, title, shortcut in PAGES:
            action = self._action(self.tr(title), shortcut)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, k=key: self.show_page(k, focus=True))
            group.addAction(action)
            self.page_actions[key] = action
        self.school_actions: list[QAction] = []
        for n in range(SCHOOL_SHORTCUTS):
            action = self._action("", f"Ctrl+Shift+{n + 1}")
            action.triggered.connect(lambda _checked=False, index=n: self._show_school_number(index))
            action.setVisible(False)
            self.school_actions.append(action)
        self.about_action = self._action(self.tr("&About SaferYP Desktop"), None, self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.key_card_action)
        file_menu.addSeparator()
        file_menu.addAction(self.print_pack_action)
        file_menu.addAction(self.export_pack_action)
        file_menu.addAction(self.export_outcomes_action)
        file_menu.addSeparator()
        file_menu.addAction(self.preferences_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.close_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.find_action)
        meeting_menu = bar.addMenu(self.tr("&Meeting"))
        meeting_menu.addAction(self.confirm_action)
        meeting_menu.addAction(self.dismiss_action)
        meeting_menu.addAction(self.clear_decision_action)
        meeting_menu.addSeparator()
        meeting_menu.addAction(self.save_meeting_action)
        meeting_menu.addAction(self.agree_action_action)
        meeting_menu.addSeparator()
        meeting_menu.addAction(self.print_pack_action)
        meeting_menu.addAction(self.export_pack_action)
        meeting_menu.addAction(self.export_outcomes_action)
        self.meeting_menu = meeting_menu
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.presentation_action)
        view_menu.addSeparator()
        view_menu.addAction(self.page_actions["inbox"])
        self.schools_menu = QMenu(self.tr("&Schools"), view_menu)
        for action in self.school_actions:
            self.schools_menu.addAction(action)
        self.schools_menu.menuAction().setVisible(False)
        view_menu.addMenu(self.schools_menu)
        for key, _title, _shortcut in PAGES[1:]:
            view_menu.addAction(self.page_actions[key])
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
        self.role_label = QLabel(self.tr("Chair: %s") % session.workspace.details.organisation, self)
        self.role_label.setVisible(bool(session.workspace.details.organisation))
        self.presentation_label = QLabel(self.tr("Presentation mode: initials only"), self)
        self.presentation_label.setVisible(session.presentation)
        self.saved_label = QLabel(self.tr("No changes yet"), self)
        self.saved_label.setObjectName("savedLabel")
        status.addWidget(self.file_label)
        status.addWidget(self.encryption_label)
        status.addWidget(self.role_label)
        status.addPermanentWidget(self.presentation_label)
        status.addPermanentWidget(self.saved_label)

    # -- pages -------------------------------------------------------------------------------
    def current_key(self) -> str:
        item = self.navigation.currentItem()
        return str(item.data(_KEY)) if item is not None else "inbox"

    def current_page(self) -> QWidget:
        return self.pages[self.current_key()]

    def show_page(self, key: str, focus: bool = False) -> QWidget:
        """Open a page by key: ``"inbox"``, ``"across"``, ``"meeting"``, ``"outcomes"`` or
        ``"school:<URN>"``."""
        if key not in self.pages:
            raise KeyError(key)
        if self.current_key() != key or self.navigation.currentItem() is None:
            self._select_in_navigation(key)  # calls _navigated
        else:
            self._show(key)
        if focus:
            self.navigation.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return self.pages[key]

    def show_school(self, urn: str) -> SchoolPage | None:
        """The read-only view of a school's current submission."""
        if urn not in self.schools:
            return None
        self.show_page(school_key(urn))
        return self.schools[urn]

    def _show_school_number(self, index: int) -> None:
        pages = list(self.schools.values())
        if 0 <= index < len(pages):
            self.show_school(pages[index].urn)

    def _select_in_navigation(self, key: str) -> None:
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(_KEY) == key:
                self.navigation.setCurrentRow(row)
                return

    def _navigated(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is not None:
            self._show(str(item.data(_KEY)))

    def _show(self, key: str) -> None:
        if self._cleared:
            return
        self._ensure_built(key)
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        if key in self.page_actions:
            self.page_actions[key].setChecked(True)
        else:
            for action in self.page_actions.values():
                action.setChecked(False)
        if isinstance(page, SchoolPage):
            page.ensure_loaded()
        if key in self._stale:
            self._stale.discard(key)
            self._update_page(key)
        self._update_actions()

    def _update_page(self, key: str) -> None:
        """Bring a page built earlier up to date with the submissions and the chair's work."""
        page = self._page_object(key)
        if page is None:
            return
        set_submissions = getattr(page, "set_submissions", None)
        if set_submissions is not None:
            set_submissions(self.submissions)
        else:
            page.refresh()

    def _page_object(self, key: str):
        return {"across": self.across, "meeting": self.meeting, "outcomes": self.outcomes}.get(key)

    def _ensure_built(self, key: str) -> None:
        if key not in ("across", "meeting", "outcomes") or self._page_object(key) is not None:
            return
        if self.session is None:
            return
        holder = self.pages[key]
        page = self._make_page(key, holder)
        if page is None:
            return
        holder.layout().addWidget(page)
        setattr(self, key, page)
        self._stale.discard(key)
        set_submissions = getattr(page, "set_submissions", None)
        if set_submissions is not None:
            set_submissions(self.submissions)

    def _make_page(self, key: str, holder: QWidget) -> QWidget | None:
        assert self.session is not None
        try:
            if key == "across":
                from saferyp_desktop.ui.chair.across import AcrossSchoolsPage

                page = AcrossSchoolsPage(self.session, holder)
                page.recordActivated.connect(self.open_school_record)
            elif key == "meeting":
                from saferyp_desktop.ui.chair.meeting import MeetingPage

                page = MeetingPage(self.session, holder)
            else:
                from saferyp_desktop.ui.chair.outcomes import OutcomesPage

                page = OutcomesPage(self.session, holder)
        except ImportError:  # the chair's services are not in this build yet
            label = QLabel(self.tr("%s comes in a later version.") % self.tr(PAGE_TITLES[key]), holder)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            holder.layout().addWidget(label)
            return None
        page.changed.connect(self._chair_changed)
        return page

    # -- following the inbox -------------------------------------------------------------------
    def _submissions_changed(self, rows: list[SubmissionSummary]) -> None:
        if self._cleared or self.session is None:
            return
        self.submissions = list(rows)
        self.demo_banner.setVisible(
            bool(self.session.workspace.details.demo) or any(r.demo for r in rows)
        )
        changed = False
        for summary in current_submissions(rows):
            page = self.schools.get(summary.urn)
            if page is not None and page.summary.id == summary.id:
                continue
            changed = True
            replacement = SchoolPage(self.session, summary, self.stack)
            key = school_key(summary.urn)
            if page is not None:
                was_shown = self.stack.currentWidget() is page
                page.clear()
                self.stack.removeWidget(page)
                page.deleteLater()
                self.stack.addWidget(replacement)
                if was_shown:
                    self.stack.setCurrentWidget(replacement)
                    replacement.ensure_loaded()
            else:
                self.stack.addWidget(replacement)
            self.schools[summary.urn] = replacement
            self.pages[key] = replacement
        if changed:
            self._fill_navigation()
            self._update_school_actions()
            for key in ("across", "meeting", "outcomes"):
                self._mark_stale(key)

    def _mark_stale(self, key: str) -> None:
        if self._page_object(key) is None:
            return
        if self.current_key() == key:
            self._update_page(key)
        else:
            self._stale.add(key)

    def _update_school_actions(self) -> None:
        pages = list(self.schools.values())
        for n, action in enumerate(self.school_actions):
            if n < len(pages):
                action.setText(pages[n].summary.school.replace("&", "&&"))
                action.setVisible(True)
            else:
                action.setVisible(False)
        self.schools_menu.menuAction().setVisible(bool(pages))

    def _imported(self, result) -> None:
        self.statusBar().showMessage(
            self.tr("Opened the submission from %s (URN %s)") % (result.school, result.urn), 6000
        )
        self._on_saved(datetime.now())

    def _chair_changed(self) -> None:
        """A decision, the meeting or an action was saved: other pages follow."""
        self._on_saved(datetime.now())
        for key in ("across", "meeting", "outcomes"):
            if self._page_object(key) is not None and self.current_key() != key:
                self._stale.add(key)

    def open_school_record(self, urn: str, record_id: str = "") -> bool:
        """Show a school's record in that school's read-only view."""
        page = self.show_school(urn)
        return page.open_record(record_id) if page is not None and record_id else page is not None

    # -- commands ---------------------------------------------------------------------------------
    def open_bundles(self) -> None:
        self.show_page("inbox")
        self.inbox.open_bundles()

    def open_paths(self, paths: list[Path]) -> None:
        """Open bundle files (dropped on the window, say) through the inbox."""
        self.show_page("inbox")
        self.inbox.open_paths(paths)

    def export_key_card(self) -> None:
        if self.session is None:
            return
        from saferyp_desktop.services.export import key_card_text, suggested_key_card_name
        from saferyp_desktop.services.files import save_file

        workspace = self.session.workspace
        path = dialogs().save_file(
            self, self.tr("Export your key card"), self.tr("Key cards (*.sypkey)"),
            suggested_key_card_name(workspace),
        )
        if path is None:
            return
        try:
            save_file(path, key_card_text(workspace).encode("utf-8"), shareable=True)
        except OSError as error:
            from saferyp_desktop.ui.tasks import error_sentence

            dialogs().error(self, self.tr("Key card not saved"), error_sentence(error))
            return
        self.statusBar().showMessage(self.tr("Saved your key card as %s") % path.name, 5000)

    def print_pack(self) -> None:
        self.show_page("meeting")
        if self.meeting is not None:
            self.meeting.print_pack()

    def export_pack(self) -> None:
        self.show_page("meeting")
        if self.meeting is not None:
            self.meeting.export_pack()

    def export_outcomes(self) -> None:
        self.show_page("outcomes")
        if self.outcomes is not None:
            self.outcomes.export_outcomes()

    def _decide(self, decision: str | None) -> None:
        """Confirm, dismiss or clear the decision on the selected candidate match."""
        self.show_page("across")
        if self.across is None:
            return
        if decision is None:
            self.across.clear_decision()
        else:
            self.across.decide(decision)

    def save_meeting(self) -> None:
        if self.meeting is not None:
            self.meeting.save()

    def agree_action(self) -> None:
        self.show_page("meeting")
        if self.meeting is not None:
            self.meeting.agree_action()

    def focus_filter(self) -> None:
        page = self.current_page()
        focus = getattr(page, "focus_filter", None)
        if focus is not None:
            focus()
            return
        if isinstance(page, SchoolPage) and page.submission is not None:
            widget = page.tabs.currentWidget()
            section = next((s for s in page.sections.values() if s.parent() is widget), None)
            if section is not None:
                section.focus_filter()

    def show_about(self) -> None:
        dialogs().info(
            self,
            self.tr("About SaferYP Desktop"),
            self.tr("SaferYP Desktop %s: offline, encrypted mapping of extra-familial harm "
                    "for Safer Young People Community Meetings.") % __version__,
        )

    def _on_presentation_changed(self, on: bool) -> None:
        if self._cleared:
            return
        self.presentation_action.blockSignals(True)
        self.presentation_action.setChecked(on)
        self.presentation_action.blockSignals(False)
        self.presentation_label.setVisible(on)
        for key in ("across", "meeting", "outcomes"):
            page = self._page_object(key)
            relevel = getattr(page, "on_presentation_changed", None)
            if relevel is not None:
                relevel(on)

    def _update_actions(self) -> None:
        live = self.session is not None and not self._cleared
        for action in self._chair_actions():
            action.setEnabled(live)

    def _chair_actions(self) -> tuple[QAction, ...]:
        """What needs the open workspace."""
        return (
            self.open_action, self.print_pack_action, self.export_pack_action, self.export_outcomes_action,
            self.key_card_action, self.find_action, self.presentation_action,
            self.confirm_action, self.dismiss_action, self.clear_decision_action,
            self.save_meeting_action, self.agree_action_action,
        )

    # -- dropping bundles on the window ---------------------------------------------------------
    @staticmethod
    def _dropped_bundles(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [
            Path(url.toLocalFile())
            for url in data.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(BUNDLE_SUFFIX)
        ]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt name
        if self.session is not None and self._dropped_bundles(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.session is not None and self._dropped_bundles(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt name
        paths = self._dropped_bundles(event)
        if self.session is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_paths(paths)

    # -- layout kept between runs ---------------------------------------------------------------
    def _restore_window_state(self) -> None:
        self._restore_geometry()

    def save_layout(self) -> None:
        """Remember the window's size (never any content)."""
        self._save_geometry()

    def reset_layout(self) -> None:
        self.preferences.set_geometry("chair_window", QByteArray())
        self.resize(1280, 800)

    # -- locking and closing -----------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything shown: the inbox, each school, the pages across schools.

        Called by the app controller when the workspace locks; the window is then closed.
        """
        if self._cleared:
            return
        self.save_layout()
        self._cleared = True
        session, self.session = self.session, None
        if session is not None:
            session.presentationChanged.disconnect(self._on_presentation_changed)
            session.closed.disconnect(self.clear)
        self.inbox.clear()
        for page in self.schools.values():
            page.clear()
        for key in ("across", "meeting", "outcomes"):
            page = self._page_object(key)
            if page is not None:
                page.clear()
        self.submissions = []
        for action in self._chair_actions():
            action.setEnabled(False)
        self.saved_label.clear()
        self.statusBar().clearMessage()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if not self._cleared:
            if self.meeting is not None and self.meeting.dirty and not self.meeting.save():
                event.ignore()  # the meeting record's edits were refused: let the chair fix them
                return
            self.save_layout()
        super().closeEvent(event)
