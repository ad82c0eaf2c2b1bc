"""What the program does between windows: start screen → unlock or new → main window,
locking (idle or asked for), the demo, and preferences.

Contract with the main window (``saferyp_desktop.ui.main_window.MainWindow``):

* it is built as ``MainWindow(session, preferences)`` and shown by the controller;
* its ``lockRequested`` signal makes the controller lock at once (Ctrl+L);
* on locking the controller calls its ``clear()`` (forget everything shown), then
  ``session.close()`` — which emits ``Session.closed``, the signal any other window
  showing workspace data (wizards, editors) connects to, to clear and close itself —
  then hides and deletes the main window. Any dialog still open after that is
  rejected, and any other window closed;
* if it has a ``preferencesRequested`` signal, the controller shows Preferences;
  if it has ``reset_layout()``, "Reset window layout" calls it;
* if it has ``prepareRequested``, the controller opens the "Prepare for a meeting"
  wizard beside it, and connects the wizard's ``openRecordRequested`` to its
  ``open_record(record_id)``, and the wizard's ``exportBriefingRequested`` and
  ``exportBundleRequested`` to its ``export_briefing(meeting_id, parent=wizard)`` and
  ``export_bundle(meeting_id, parent=wizard)`` (the dialogs open over the wizard).

Closing the main window (it may refuse, for an edit it cannot save) closes the
workspace and brings the start screen back; closing that quits.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.idle_lock import IdleMonitor
from saferyp_desktop.ui.opener import warm_up
from saferyp_desktop.ui.settings import Preferences
from saferyp_desktop.ui.start_screen import StartScreen
from saferyp_desktop.ui.unlock import UnlockDialog

if TYPE_CHECKING:
    from saferyp_desktop.services.workspace import Workspace
    from saferyp_desktop.ui.session import Session

log = logging.getLogger(__name__)

MainWindowFactory = Callable[["Session", Preferences], QWidget]
# What opening a workspace needs, imported in the background while the user types.
WARM_UP = (
    "saferyp_desktop.services.workspace",
    "saferyp_desktop.ui.session",
    "saferyp_desktop.ui.main_window",
    "saferyp_desktop.services.export",  # the Overview shows the chair bundles go to
)
WORKSPACE_FILTER = "SaferYP workspaces (*.sypdb);;All files (*)"
DEMO_FILE_NAME = "Demo workspace.sypdb"


def _bring_to_front(window: QWidget) -> None:
    window.show()
    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        window.raise_()  # these platforms print a warning for each call
    window.activateWindow()


def default_main_window(session: Session, preferences: Preferences) -> QWidget:
    """The school's main window, or the chair's window for a chair's workspace (the same
    contract)."""
    # Imported only when a workspace opens: the start screen does not need them.
    if session.workspace.details.role == "chair":
        from saferyp_desktop.ui.chair_window import ChairWindow

        return ChairWindow(session, preferences)
    from saferyp_desktop.ui.main_window import MainWindow

    return MainWindow(session, preferences)


def _make_demo(path: Path, passphrase: str) -> Workspace:
    from saferyp_desktop.services.demo import create_demo_workspace

    workspace = create_demo_workspace(path, passphrase)
    try:
        workspace.table()  # loaded here, off the GUI thread
    except BaseException:
        workspace.close()
        raise
    return workspace


class AppController(QObject):
    """Owns the start screen, the one open Session and its main window."""

    sessionOpened = Signal(object)  # Session
    locked = Signal()  # the workspace was locked (session closed, windows cleared)
    sessionClosed = Signal()

    def __init__(
        self,
        preferences: Preferences,
        *,
        autolock_ms: int | None = None,
        main_window_factory: MainWindowFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self._autolock_ms = autolock_ms  # fixed by a test; None: from the preferences
        self._main_window_factory = main_window_factory or default_main_window
        self.start_screen: StartScreen | None = None
        self.session: Session | None = None
        self.main_window: QWidget | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.wizard: QWidget | None = None
        self._demo_folder: Path | None = None
        self._demo_opener = None
        self._copied_here = False
        self._main_window_closing = False
        self._quitting = False
        self.prepare_wizard: QWidget | None = None

        self.idle = IdleMonitor(self._idle_timeout_ms(), self)
        self.idle.idle.connect(self.lock)
        clipboard = QGuiApplication.clipboard()
        clipboard.dataChanged.connect(self._clipboard_changed)

    # -- the start screen -----------------------------------------------------
    def show_start(self) -> StartScreen:
        if self.start_screen is None:
            screen = StartScreen(self.preferences)
            screen.openRequested.connect(self.open_path)
            screen.browseRequested.connect(self.browse)
            screen.newRequested.connect(self.new_workspace)
            screen.demoRequested.connect(self.open_demo)
            screen.preferencesRequested.connect(self.show_preferences)
            self.start_screen = screen
        self.start_screen.refresh()
        _bring_to_front(self.start_screen)
        return self.start_screen

    def _hide_start(self) -> None:
        if self.start_screen is not None:
            self.start_screen.hide()

    def _parent_window(self) -> QWidget | None:
        if self.start_screen is not None and self.start_screen.isVisible():
            return self.start_screen
        return None

    # -- opening --------------------------------------------------------------
    def browse(self) -> None:
        path = dialogs().open_file(
            self._parent_window(), self.tr("Open a workspace"), self.tr(WORKSPACE_FILTER)
        )
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path, *, locked: bool = False) -> UnlockDialog:
        """Ask for the passphrase of ``path`` (the unlock dialog); open it on success."""
        path = Path(path)
        if self.unlock_dialog is not None:
            self.unlock_dialog.reject()
        if self._main_window_factory is default_main_window:
            warm_up(WARM_UP)
        dialog = UnlockDialog(path, self._parent_window(), locked=locked)
        dialog.unlocked.connect(self._unlocked)
        dialog.rejected.connect(self._unlock_cancelled)
        dialog.finished.connect(dialog.deleteLater)
        self.unlock_dialog = dialog
        _bring_to_front(dialog)
        return dialog

    def _unlocked(self, workspace: Workspace) -> None:
        self.unlock_dialog = None
        self.preferences.add_recent(workspace.path)
        self.open_workspace(workspace)

    def _unlock_cancelled(self) -> None:
        self.unlock_dialog = None
        start_hidden = self.start_screen is None or not self.start_screen.isVisible()
        if self.session is None and start_hidden and not self._quitting:
            self.show_start()

    def new_workspace(self):
        """Show the new-workspace wizard; on Finish the new workspace opens."""
        from saferyp_desktop.ui.new_workspace import NewWorkspaceWizard

        if self.wizard is not None:
            _bring_to_front(self.wizard)
            return self.wizard
        wizard = NewWorkspaceWizard(self._parent_window())
        wizard.created.connect(self._created)
        wizard.finished.connect(self._wizard_finished)
        self.wizard = wizard
        wizard.show()
        return wizard

    def _created(self, workspace: Workspace) -> None:
        self.preferences.add_recent(workspace.path)
        self.open_workspace(workspace)

    def _wizard_finished(self, _result: int) -> None:
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()

    def open_demo(self) -> None:
        """A fresh fictional workspace in a private temporary folder, removed on close."""
        from saferyp_desktop.ui.opener import WorkspaceOpener, user_sentence

        if self._demo_opener is not None and self._demo_opener.busy:
            return
        if self._main_window_factory is default_main_window:
            warm_up(WARM_UP)
        folder = Path(tempfile.mkdtemp(prefix="saferyp-demo-"))
        path = folder / DEMO_FILE_NAME
        passphrase = secrets.token_urlsafe(32)  # in memory only; the demo is never reopened
        opener = WorkspaceOpener(self)
        self._demo_opener = opener
        screen = self.start_screen

        def done() -> None:
            if screen is not None:
                screen.set_busy(False)
            self._demo_opener = None
            opener.deleteLater()

        def opened(workspace: Workspace) -> None:
            done()
            if not workspace.details.demo:  # the demo service marks it; never show it unmarked
                workspace.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise RuntimeError("the demo workspace is not marked as demo data")
            self._demo_folder = folder
            self.open_workspace(workspace)

        def failed(exc: BaseException) -> None:
            done()
            shutil.rmtree(folder, ignore_errors=True)
            dialogs().error(self._parent_window(), self.tr("Try the demo"), user_sentence(exc))

        opener.opened.connect(opened)
        opener.failed.connect(failed)
        if screen is not None:
            screen.set_busy(True, self.tr("Making a fictional demo school…"))
        opener.start(lambda: _make_demo(path, passphrase))

    # -- the open workspace ---------------------------------------------------
    def open_workspace(self, workspace: Workspace) -> QWidget:
        """Show the main window on an open workspace; start the idle count."""
        from saferyp_desktop.ui.session import Session

        if self.session is not None:
            self.close_workspace()
        session = Session(workspace, self)
        try:
            window = self._main_window_factory(session, self.preferences)
        except BaseException:
            session.close()
            self._remove_demo()
            raise
        self.session = session
        self.main_window = window
        lock_requested = getattr(window, "lockRequested", None)
        if lock_requested is not None:
            lock_requested.connect(self.lock)
        preferences_requested = getattr(window, "preferencesRequested", None)
        if preferences_requested is not None:
            preferences_requested.connect(self.show_preferences)
        prepare_requested = getattr(window, "prepareRequested", None)
        if prepare_requested is not None:
            prepare_requested.connect(self.show_prepare)
        self._main_window_closing = False
        window.installEventFilter(self)
        _bring_to_front(window)
        self._hide_start()
        self.idle.set_timeout_ms(self._idle_timeout_ms())
        self.idle.start()
        self.sessionOpened.emit(session)
        return window

    def show_prepare(self) -> QWidget | None:
        """The "Prepare for a meeting" wizard, beside the main window (one at a time)."""
        if self.session is None or self.main_window is None:
            return None
        if self.prepare_wizard is not None:
            _bring_to_front(self.prepare_wizard)
            return self.prepare_wizard
        from saferyp_desktop.ui.prepare_wizard import PrepareWizard

        window = self.main_window
        wizard = PrepareWizard(self.session, window)
        open_record = getattr(window, "open_record", None)
        if open_record is not None:
            wizard.openRecordRequested.connect(open_record)
        for requested, command in (
            (wizard.exportBriefingRequested, getattr(window, "export_briefing", None)),
            (wizard.exportBundleRequested, getattr(window, "export_bundle", None)),
        ):
            if command is not None:
                requested.connect(
                    lambda meeting_id, run=command, over=wizard: run(meeting_id, parent=over)
                )
        wizard.finished.connect(self._prepare_finished)
        self.prepare_wizard = wizard
        _bring_to_front(wizard)
        return wizard

    def _prepare_finished(self, _result: int) -> None:
        wizard, self.prepare_wizard = self.prepare_wizard, None
        if wizard is not None:
            wizard.deleteLater()

    def lock(self) -> None:
        """Close the workspace, clear every window and ask for the passphrase again.

        A demo workspace is not locked but closed (its passphrase was never shown):
        the start screen comes back instead.
        """
        if self.session is None:
            return
        path = self.session.workspace.path
        demo = self._demo_folder is not None
        self._end_session()
        self._clear_clipboard()
        self.locked.emit()
        if demo:
            self.show_start()
        else:
            self.open_path(path, locked=True)

    def close_workspace(self) -> None:
        """Close the workspace and its windows (no unlock dialog)."""
        if self.session is not None:
            self._end_session()
            self._clear_clipboard()

    def _end_session(self) -> None:
        session, window = self.session, self.main_window
        self.session = None
        self.main_window = None
        self.idle.stop()
        if window is not None:
            window.removeEventFilter(self)
            clear = getattr(window, "clear", None)
            if clear is not None:
                clear()
        if session is not None:
            try:
                session.close()  # emits Session.closed: other windows clear themselves
            finally:
                session.deleteLater()
        if window is not None:
            window.hide()
            window.deleteLater()
        self._close_other_windows()
        self.prepare_wizard = None
        self._remove_demo()
        self.sessionClosed.emit()

    def _close_other_windows(self) -> None:
        keep = {self.start_screen, self.unlock_dialog}
        for widget in QApplication.topLevelWidgets():
            if widget in keep or not widget.isVisible():
                continue
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

    def _remove_demo(self) -> None:
        folder, self._demo_folder = self._demo_folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def shutdown(self) -> None:
        """At quit: close the workspace and remove a demo folder."""
        self._quitting = True
        self.idle.stop()
        if self.unlock_dialog is not None:
            self.unlock_dialog.reject()
        if self.session is not None:
            self._end_session()
        self._clear_clipboard()  # copied rows or six words must not outlive the program
        self._remove_demo()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.main_window:
            kind = event.type()
            if kind == QEvent.Type.Close:
                self._main_window_closing = True  # the window may still refuse (unsaved edit)
            elif kind in (QEvent.Type.Paint, QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
                self._main_window_closing = False  # it refused, and is in use again
            elif kind == QEvent.Type.Hide and self._main_window_closing and not event.spontaneous():
                # Closed for good: the workspace closes and the start screen comes back
                # (shown now, so the program does not quit as its last window closed).
                self._main_window_closing = False
                self.close_workspace()
                if not self._quitting:
                    self.show_start()
        return False

    # -- the clipboard --------------------------------------------------------
    def _clipboard_changed(self) -> None:
        # A copy made while this program is the active one is ours; a copy made in
        # another program (this one inactive) is not, and is left alone.
        clipboard = QGuiApplication.clipboard()
        self._copied_here = clipboard.ownsClipboard() or (
            QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive
        )

    def _clear_clipboard(self) -> None:
        from saferyp_desktop.ui import clipboard as copied_rows

        # Rows the main window copied are tracked there; text copied from a field with
        # Ctrl+C is not, so a copy made while this program was active is cleared too.
        copied_rows.clear_if_ours()
        clipboard = QGuiApplication.clipboard()
        if self._copied_here or clipboard.ownsClipboard():
            clipboard.clear(QClipboard.Mode.Clipboard)
            if clipboard.supportsSelection():
                clipboard.clear(QClipboard.Mode.Selection)
        self._copied_here = False

    # -- preferences ------------------------------------------------------------
    def _idle_timeout_ms(self) -> int:
        if self._autolock_ms is not None:
            return self._autolock_ms
        return max(1, self.preferences.autolock_minutes()) * 60_000

    def show_preferences(self) -> None:
        from saferyp_desktop.ui.preferences_dialog import PreferencesDialog

        parent = self.main_window or self._parent_window()
        dialog = PreferencesDialog(self.preferences, parent)
        dialog.layoutResetRequested.connect(self._reset_layout)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.idle.set_timeout_ms(self._idle_timeout_ms())

    def _reset_layout(self) -> None:
        reset = getattr(self.main_window, "reset_layout", None)
        if reset is not None:
            reset()
