"""The program's shell: start screen, unlock dialog, new-workspace wizard, locking.

Driven as a person would (key clicks and mouse clicks), on real SQLCipher files.
Settings live in a temporary INI file; message boxes and file pickers are scripted.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from saferyp_desktop import errors
from saferyp_desktop.crypto.keys import KeyCard, WorkspaceKeys
from saferyp_desktop.domain.records import YoungPerson
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.ui import dialogs as dialog_service
from saferyp_desktop.ui.app_controller import AppController
from saferyp_desktop.ui.new_workspace import (
    NewWorkspacePlan,
    NewWorkspaceWizard,
    PassphrasePage,
    path_problem,
)
from saferyp_desktop.ui.preferences_dialog import APPEARANCE_KEY, PreferencesDialog
from saferyp_desktop.ui.settings import Preferences
from saferyp_desktop.ui.start_screen import StartScreen
from saferyp_desktop.ui.unlock import UnlockDialog

PASSPHRASE = "lantern orchard velvet tundra"
SCHOOL = "Test Academy"
DSL = "Test Staff One"
PUPIL = "Test Pupil One"
NAMES = (SCHOOL, DSL, PUPIL)


# -- fixtures -------------------------------------------------------------------------
@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    return Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def scripted() -> Iterator[dialog_service.ScriptedDialogs]:
    service = dialog_service.ScriptedDialogs()
    previous = dialog_service.install(service)
    yield service
    dialog_service.install(previous)


class PlaceholderMainWindow(QMainWindow):
    """Stands in for ui.main_window.MainWindow: shows names, offers Lock (Ctrl+L)."""

    lockRequested = Signal()

    def __init__(self, session, preferences) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle(f"SaferYP Desktop — {session.workspace.path.name}")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.school = QLabel(session.workspace.details.name, body)
        self.people = QListWidget(body)
        for record in session.table().records.values():
            self.people.addItem(session.name_of(record))
        layout.addWidget(self.school)
        layout.addWidget(self.people)
        self.setCentralWidget(body)
        lock = QAction("&Lock", self)
        lock.setShortcut(QKeySequence("Ctrl+L"))
        lock.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        lock.triggered.connect(self.lockRequested)
        self.addAction(lock)
        self.cleared = False

    def clear(self) -> None:
        self.school.clear()
        self.people.clear()
        self.cleared = True


@pytest.fixture
def controller(qtbot, prefs, scripted) -> Iterator[AppController]:
    ctl = AppController(prefs, autolock_ms=60_000, main_window_factory=PlaceholderMainWindow)
    yield ctl
    ctl.shutdown()
    if ctl.start_screen is not None:
        ctl.start_screen.close()
        ctl.start_screen.deleteLater()


def make_workspace(path: Path, passphrase: str = PASSPHRASE) -> Path:
    details = WorkspaceDetails(role="school", name=SCHOOL, urn="123456", dsl=DSL)
    with Workspace.create(path, passphrase, details) as ws:
        ws.save(YoungPerson(name=PUPIL))
    return path


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "School.sypdb")


def visible_texts() -> list[str]:
    """Every piece of text any live widget could show: labels, fields, titles, items."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
        for attr in ("text", "placeholderText", "currentText", "title", "subTitle"):
            value = getattr(widget, attr, None)
            if callable(value):
                try:
                    result = value()
                except TypeError:
                    continue
                if isinstance(result, str):
                    texts.append(result)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += _model_texts(widget.model())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    return texts


def _model_texts(model, parent=None, depth: int = 0) -> list[str]:
    """The display text of every cell of a (tree or table) model, a few levels deep."""
    parent = parent or QModelIndex()
    texts: list[str] = []
    try:
        columns = model.columnCount(parent)
    except TypeError:  # list models keep columnCount private in PySide6
        columns = 1
    for row in range(min(model.rowCount(parent), 500)):
        for column in range(columns):
            index = model.index(row, column, parent)
            value = model.data(index, Qt.ItemDataRole.DisplayRole)
            if value is not None:
                texts.append(str(value))
            if depth < 3 and column == 0 and _has_children(model, index):
                texts += _model_texts(model, index, depth + 1)
    return texts


def _has_children(model, index) -> bool:
    try:
        return model.hasChildren(index)
    except TypeError:  # private in some PySide6 models (lists, tables): no children
        return False


def unlock(qtbot, dialog: UnlockDialog, passphrase: str) -> None:
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, passphrase)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)


def click_box(qtbot, box: QAbstractButton) -> None:
    # Click the indicator, which is at the left edge of a (possibly wide) check box.
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


# -- the plan's rules, without widgets ----------------------------------------------
@pytest.mark.parametrize("urn, ok", [("123456", True), ("12345", False), ("12345a", False), ("", False)])
def test_school_page_checks_the_urn(urn: str, ok: bool) -> None:
    plan = NewWorkspacePlan(name=SCHOOL, urn=urn, phase="Secondary", community_area="North")
    assert (plan.school_problem() is None) is ok


def test_suggested_file_names_hold_no_person_name() -> None:
    assert NewWorkspacePlan(role="school", name="St Test's: C/E School").suggested_file_name() == (
        "St Test's C E School.sypdb"
    )
    chair = NewWorkspacePlan(role="chair", name="Test Chair One", organisation="Council")
    assert chair.suggested_file_name() == "Chair workspace.sypdb"


def test_path_problems(tmp_path: Path) -> None:
    assert path_problem("") is not None
    assert path_problem(str(tmp_path / "x.txt")) is not None
    assert path_problem(str(tmp_path / "nowhere" / "x.sypdb")) is not None
    (tmp_path / "taken.sypdb").write_bytes(b"")
    assert path_problem(str(tmp_path / "taken.sypdb")) is not None
    assert path_problem(str(tmp_path / "new.sypdb")) is None


# -- the new-workspace wizard --------------------------------------------------------
def next_page(qtbot, wizard: QWizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled(), wizard.currentPage().reason.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_wizard_creates_a_school_workspace(qtbot, controller, scripted, tmp_path: Path) -> None:
    wizard = controller.new_workspace()
    assert isinstance(wizard, NewWorkspaceWizard)
    qtbot.waitExposed(wizard)
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    assert wizard.currentId() == wizard.ROLE
    next_page(qtbot, wizard)

    page = wizard.currentPage()
    assert wizard.currentId() == wizard.SCHOOL
    assert not next_button.isEnabled() and page.reason.text()
    qtbot.keyClicks(page.name, SCHOOL)
    qtbot.keyClicks(page.urn, "12345")
    assert not next_button.isEnabled()
    assert page.reason.text() == "A school's URN is six digits."
    qtbot.keyClicks(page.urn, "6")
    qtbot.keyClick(page.phase, Qt.Key.Key_Down)  # the first phase
    qtbot.keyClicks(page.area, "Fernbridge and Villages")
    next_page(qtbot, wizard)

    page = wizard.currentPage()
    assert wizard.currentId() == wizard.STAFF
    assert not next_button.isEnabled()
    qtbot.keyClicks(page.dsl, DSL)
    next_page(qtbot, wizard)

    page = wizard.currentPage()
    assert wizard.currentId() == wizard.WISC
    assert not next_button.isEnabled() and "Confirm" in page.reason.text()
    click_box(qtbot, page.confirmed)
    assert page.confirmed.isChecked()
    next_page(qtbot, wizard)

    # The chair's key card: a chair's card is read and its fingerprint shown.
    page = wizard.currentPage()
    assert wizard.currentId() == wizard.CHAIR_KEY
    keys = WorkspaceKeys.generate()
    card = KeyCard(role="chair", name="Test Chair One", age_recipient=keys.age_recipient,
                   verify_key=keys.verify_key_bytes, organisation="Test Council")
    card_path = tmp_path / "chair.sypkey"
    card_path.write_text(card.to_text(), encoding="utf-8")
    scripted.paths.append(card_path)
    qtbot.mouseClick(page.choose, Qt.MouseButton.LeftButton)
    assert card.fingerprint in page.summary.text()
    assert wizard.plan.chair_card == card
    next_page(qtbot, wizard)

    page = wizard.currentPage()
    assert isinstance(page, PassphrasePage)
    qtbot.keyClicks(page.passphrase, "password1234")
    qtbot.keyClicks(page.confirm, "password1234")
    assert not next_button.isEnabled()
    assert "easy to guess" in page.reason.text()
    assert page.meter.value() < 3 and page.feedback.text()
    page.passphrase.clear()
    page.confirm.clear()
    qtbot.mouseClick(page.offer, Qt.MouseButton.LeftButton)
    offered = page.passphrase.text()
    assert len(offered.split()) == 6 and page.confirm.text() == offered
    assert page.meter.value() >= 3
    assert next_button.isEnabled()
    next_page(qtbot, wizard)

    page = wizard.currentPage()
    assert wizard.currentId() == wizard.SAVE
    assert page.path.text().endswith(f"{SCHOOL}.sypdb")
    target = tmp_path / f"{SCHOOL}.sypdb"
    page.path.clear()
    qtbot.keyClicks(page.path, str(target))
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isEnabled()
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)

    assert target.is_file()
    assert controller.session is not None
    details = controller.session.workspace.details
    assert (details.name, details.urn, details.dsl, details.phase) == (SCHOOL, "123456", DSL, "Primary")
    assert details.wisc_confirmed
    assert isinstance(controller.main_window, PlaceholderMainWindow)
    assert controller.main_window.isVisible()
    assert prefs_paths(controller) == [target.resolve()]
    # The passphrase is gone from the wizard once it closed.
    assert wizard.pages[wizard.PASSPHRASE].passphrase.text() == ""

    # The chair's key card was stored with the new workspace.
    from saferyp_desktop.services.exchange import chair

    stored = chair(controller.session.workspace)
    assert stored is not None and stored.recipient == card.age_recipient

    controller.close_workspace()
    with Workspace.open(target, offered) as again:
        assert again.details.name == SCHOOL


def prefs_paths(controller: AppController) -> list[Path]:
    return controller.preferences.recent_workspaces()


def test_wizard_for_a_chair_suggests_a_plain_file_name(qtbot, controller) -> None:
    wizard = controller.new_workspace()
    qtbot.waitExposed(wizard)
    click_box(qtbot, wizard.page(wizard.ROLE).chair)
    next_page(qtbot, wizard)
    page = wizard.currentPage()
    assert wizard.currentId() == wizard.CHAIR
    qtbot.keyClicks(page.name, "Test Chair One")
    qtbot.keyClicks(page.organisation, "Test Council")
    assert "area" in page.reason.text()
    qtbot.keyClicks(page.area, "Fernbridge")
    next_page(qtbot, wizard)
    page = wizard.currentPage()
    qtbot.mouseClick(page.offer, Qt.MouseButton.LeftButton)
    next_page(qtbot, wizard)
    assert Path(wizard.currentPage().path.text()).name == "Chair workspace.sypdb"
    # Back to the start, now as a school: the suggestion follows (the school's name).
    for _ in range(3):
        wizard.back()
    click_box(qtbot, wizard.page(wizard.ROLE).school)
    next_page(qtbot, wizard)
    page = wizard.currentPage()
    qtbot.keyClicks(page.name, SCHOOL)
    qtbot.keyClicks(page.urn, "123456")
    qtbot.keyClick(page.phase, Qt.Key.Key_Down)
    qtbot.keyClicks(page.area, "North")
    next_page(qtbot, wizard)
    qtbot.keyClicks(wizard.currentPage().dsl, DSL)
    next_page(qtbot, wizard)
    click_box(qtbot, wizard.currentPage().confirmed)
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    qtbot.mouseClick(wizard.currentPage().offer, Qt.MouseButton.LeftButton)
    next_page(qtbot, wizard)
    assert Path(wizard.currentPage().path.text()).name == f"{SCHOOL}.sypdb"
    wizard.reject()
    assert wizard.pages[wizard.PASSPHRASE].passphrase.text() == ""


def test_wizard_shows_why_the_file_cannot_be_made(qtbot, controller, tmp_path: Path, monkeypatch) -> None:
    wizard = controller.new_workspace()
    wizard.plan.role = "chair"
    wizard.page(wizard.ROLE).chair.setChecked(True)
    next_page(qtbot, wizard)
    page = wizard.currentPage()
    for edit, text in ((page.name, "Test Chair One"), (page.organisation, "Org"), (page.area, "Area")):
        qtbot.keyClicks(edit, text)
    next_page(qtbot, wizard)
    qtbot.mouseClick(wizard.currentPage().offer, Qt.MouseButton.LeftButton)
    next_page(qtbot, wizard)
    page = wizard.currentPage()
    page.path.setText(str(tmp_path / "Chair workspace.sypdb"))
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    # The disk fills up as the file is made: the wizard stays, with the sentence.
    def disk_full(path, passphrase, details):
        raise errors.DiskFull()

    monkeypatch.setattr("saferyp_desktop.ui.new_workspace._create_workspace", disk_full)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error.text() == errors.DiskFull().message)
    assert wizard.isVisible() and controller.session is None
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    # A file that is already there is refused before anything is tried.
    (tmp_path / "Taken.sypdb").write_bytes(b"")
    page.path.setText(str(tmp_path / "Taken.sypdb"))
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert page.reason.text() == errors.FileAlreadyExists().message


# -- the unlock dialog ---------------------------------------------------------------
def test_wrong_passphrase_says_so_and_selects_the_field(qtbot, controller, workspace_file) -> None:
    dialog = controller.open_path(workspace_file)
    qtbot.waitExposed(dialog)
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Password
    unlock(qtbot, dialog, "not the passphrase")
    qtbot.waitUntil(lambda: dialog.message.text() == errors.WrongPassphrase().message)
    assert dialog.isVisible() and controller.session is None
    assert dialog.passphrase.isEnabled()
    assert dialog.passphrase.selectedText() == "not the passphrase"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.passphrase)

    # Typing replaces the selection; the right passphrase opens the workspace.
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert controller.session.workspace.details.name == SCHOOL


def test_empty_passphrase_is_asked_for(qtbot, controller, workspace_file) -> None:
    dialog = controller.open_path(workspace_file)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Type the passphrase first."
    assert not dialog.busy


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _random(path: Path) -> None:
    path.write_bytes(os.urandom(5000))


def _plain_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()


def _damaged(path: Path) -> None:
    make_workspace(path)
    data = bytearray(path.read_bytes())
    assert len(data) >= 3 * 4096
    data[2 * 4096 + 100 : 2 * 4096 + 140] = os.urandom(40)
    path.write_bytes(bytes(data))


def _too_new(path: Path) -> None:
    from saferyp_desktop.storage.database import Database

    make_workspace(path)
    with Database.open(path, PASSPHRASE) as db:
        db.execute("PRAGMA user_version = 9999")


@pytest.mark.parametrize(
    "spoil, error",
    [
        (_empty, errors.EmptyFile),
        (_random, errors.NotAWorkspace),
        (_plain_sqlite, errors.PlainDatabase),
        (_damaged, errors.WorkspaceDamaged),
        (_too_new, errors.WorkspaceTooNew),
        (lambda path: None, errors.WorkspaceNotFound),
    ],
    ids=["empty", "random", "plain-sqlite", "damaged", "too-new", "missing"],
)
def test_each_bad_file_gets_its_sentence(qtbot, controller, tmp_path, spoil, error) -> None:
    path = tmp_path / "Bad.sypdb"
    spoil(path)
    before = path.read_bytes() if path.exists() else None
    dialog = controller.open_path(path)
    unlock(qtbot, dialog, PASSPHRASE)
    qtbot.waitUntil(lambda: dialog.message.text() == error().message)
    assert controller.session is None and dialog.isVisible()
    assert (path.read_bytes() if path.exists() else None) == before


def test_a_workspace_open_elsewhere_is_in_use(qtbot, controller, workspace_file) -> None:
    with Workspace.open(workspace_file, PASSPHRASE):
        dialog = controller.open_path(workspace_file)
        unlock(qtbot, dialog, PASSPHRASE)
        qtbot.waitUntil(lambda: dialog.message.text() == errors.WorkspaceInUse().message)


def test_cancel_while_unlocking_leaves_the_file_closed(qtbot, controller, workspace_file) -> None:
    dialog = controller.open_path(workspace_file)
    unlock(qtbot, dialog, PASSPHRASE)
    dialog.reject()
    # The late result is closed unseen: the file can be opened (its lock is free).
    def reopen() -> None:
        with Workspace.open(workspace_file, PASSPHRASE):
            pass
    qtbot.waitUntil(lambda: _opens(reopen), timeout=10_000)
    assert controller.session is None


def _opens(fn) -> bool:
    try:
        fn()
    except errors.WorkspaceInUse:
        return False
    return True


# -- the start screen ----------------------------------------------------------------
def test_recent_list_holds_paths_only(qtbot, controller, workspace_file, tmp_path) -> None:
    dialog = controller.open_path(workspace_file)
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        unlock(qtbot, dialog, PASSPHRASE)
    controller.close_workspace()
    controller.preferences._s.sync()
    stored = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert str(workspace_file.name) in stored
    for name in NAMES:
        assert name not in stored
    assert controller.preferences.recent_workspaces() == [workspace_file.resolve()]


def test_missing_recent_files_are_greyed_and_can_be_removed(qtbot, prefs, tmp_path) -> None:
    present = make_workspace(tmp_path / "Present.sypdb")
    gone = tmp_path / "Gone.sypdb"
    prefs.add_recent(gone)
    prefs.add_recent(present)
    screen = StartScreen(prefs)
    qtbot.addWidget(screen)
    screen.show()
    assert screen.recent.count() == 2
    missing = screen.recent.item(1)
    assert "missing" in missing.text()
    assert missing.foreground().color() == screen.palette().placeholderText().color()
    screen.recent.setCurrentRow(1)
    assert not screen.open_recent_button.isEnabled()
    with qtbot.assertNotEmitted(screen.openRequested):
        qtbot.keyClick(screen.recent, Qt.Key.Key_Return)
    qtbot.mouseClick(screen.remove_button, Qt.MouseButton.LeftButton)
    assert prefs.recent_workspaces() == [present.resolve()]
    assert present.exists()


def test_start_screen_keyboard(qtbot, prefs, tmp_path) -> None:
    first = make_workspace(tmp_path / "First.sypdb")
    second = make_workspace(tmp_path / "Second.sypdb")
    prefs.add_recent(first)
    prefs.add_recent(second)  # most recent first
    screen = StartScreen(prefs)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.recent.hasFocus())
    assert screen.selected_path() == second.resolve()
    qtbot.keyClick(screen.recent, Qt.Key.Key_Down)
    with qtbot.waitSignal(screen.openRequested) as opened:
        qtbot.keyClick(screen.recent, Qt.Key.Key_Return)
    assert opened.args == [first.resolve()]
    # Delete removes the selected entry from the list (not the file).
    qtbot.keyClick(screen.recent, Qt.Key.Key_Delete)
    assert prefs.recent_workspaces() == [second.resolve()]
    assert first.exists()
    # Tab reaches the buttons; every button has an accessible name.
    for button in screen.findChildren(QAbstractButton):
        assert button.accessibleName()
    assert screen.recent.accessibleName() == "Recent workspaces"
    with qtbot.waitSignal(screen.newRequested):
        qtbot.keyClick(screen, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)


def test_empty_start_screen_offers_the_three_ways_in(qtbot, prefs) -> None:
    screen = StartScreen(prefs)
    qtbot.addWidget(screen)
    screen.show()
    assert not screen.recent.isVisible() and screen.empty_note.isVisible()
    with qtbot.waitSignal(screen.demoRequested):
        qtbot.mouseClick(screen.demo_button, Qt.MouseButton.LeftButton)


# -- locking -------------------------------------------------------------------------
def open_unlocked(qtbot, controller: AppController, path: Path) -> PlaceholderMainWindow:
    dialog = controller.open_path(path)
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        unlock(qtbot, dialog, PASSPHRASE)
    window = controller.main_window
    assert isinstance(window, PlaceholderMainWindow)
    qtbot.waitExposed(window)
    return window


def test_idle_auto_lock_closes_and_clears_everything(qtbot, prefs, scripted, workspace_file) -> None:
    controller = AppController(prefs, autolock_ms=300, main_window_factory=PlaceholderMainWindow)
    try:
        window = open_unlocked(qtbot, controller, workspace_file)
        session = controller.session
        assert any(PUPIL in text for text in visible_texts())
        # The user copies a name in the program.
        QGuiApplication.clipboard().setText(PUPIL)
        with qtbot.waitSignal(controller.locked, timeout=5_000):
            pass
        assert window.cleared
        assert session.workspace.db.closed
        assert controller.session is None and controller.main_window is None
        assert QGuiApplication.clipboard().text() == ""
        dialog = controller.unlock_dialog
        assert isinstance(dialog, UnlockDialog) and dialog.path == workspace_file
        qtbot.waitUntil(lambda: not window.isVisible())
        QApplication.processEvents()
        for text in visible_texts():
            for name in NAMES:
                assert name not in text, (name, text)
        # The same file unlocks again.
        with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
            unlock(qtbot, dialog, PASSPHRASE)
    finally:
        controller.shutdown()


def test_input_keeps_the_workspace_open(qtbot, prefs, scripted, workspace_file) -> None:
    controller = AppController(prefs, autolock_ms=400, main_window_factory=PlaceholderMainWindow)
    try:
        window = open_unlocked(qtbot, controller, workspace_file)
        with qtbot.assertNotEmitted(controller.locked, wait=0):
            for _ in range(8):
                qtbot.wait(100)
                qtbot.keyClick(window.people, Qt.Key.Key_Down)
        assert controller.session is not None
        with qtbot.waitSignal(controller.locked, timeout=5_000):
            pass
    finally:
        controller.shutdown()


def test_the_lock_shortcut_locks_at_once(qtbot, controller, workspace_file) -> None:
    window = open_unlocked(qtbot, controller, workspace_file)
    session = controller.session
    QGuiApplication.clipboard().setText("copied elsewhere")
    with qtbot.waitSignal(controller.locked, timeout=2_000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert session.workspace.db.closed
    assert controller.unlock_dialog is not None
    assert controller.unlock_dialog.path == workspace_file


def test_a_clipboard_copied_in_another_program_is_left_alone(qtbot, controller, workspace_file, monkeypatch) -> None:
    open_unlocked(qtbot, controller, workspace_file)
    monkeypatch.setattr(
        QGuiApplication, "applicationState", staticmethod(lambda: Qt.ApplicationState.ApplicationInactive)
    )
    QGuiApplication.clipboard().setText("from another program")
    controller.lock()
    assert QGuiApplication.clipboard().text() == "from another program"


def test_locking_closes_dialogs_left_open(qtbot, controller, workspace_file) -> None:
    window = open_unlocked(qtbot, controller, workspace_file)
    prefs_dialog = PreferencesDialog(controller.preferences, window)
    prefs_dialog.show()
    controller.lock()
    assert not prefs_dialog.isVisible()


# -- the demo --------------------------------------------------------------------------
def open_demo(qtbot, controller: AppController, scripted) -> None:
    controller.open_demo()
    qtbot.waitUntil(lambda: controller.session is not None or bool(scripted.shown), timeout=60_000)
    assert not scripted.shown, scripted.shown  # the demo failed, with this sentence


def test_the_demo_opens_marked_and_is_removed(qtbot, controller, scripted) -> None:
    controller.show_start()
    open_demo(qtbot, controller, scripted)
    session = controller.session
    assert session.workspace.details.demo is True
    folder = session.workspace.path.parent
    assert folder.is_dir() and "demo" in folder.name
    controller.lock()  # a demo is closed, not locked: its passphrase was never shown
    assert not folder.exists()
    assert controller.unlock_dialog is None
    assert controller.start_screen.isVisible()
    assert controller.preferences.recent_workspaces() == []


# -- preferences ---------------------------------------------------------------------
def test_preferences_dialog_saves_choices(qtbot, prefs) -> None:
    prefs.set_geometry("mainWindow", b"\x01\x02")
    prefs.set_autolock_minutes(10)
    dialog = PreferencesDialog(prefs)
    qtbot.addWidget(dialog)
    assert dialog.autolock.value() == 10
    assert (dialog.autolock.minimum(), dialog.autolock.maximum()) == (1, 120)
    dialog.autolock.setValue(25)
    dialog.appearance.setCurrentIndex(dialog.appearance.findData("dark"))
    with qtbot.waitSignal(dialog.layoutResetRequested):
        qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert prefs.geometry("mainWindow") is None
    dialog.accept()
    assert prefs.autolock_minutes() == 25
    assert prefs.value(APPEARANCE_KEY) == "dark"
    # Either the platform switched, or the program's own dark palette is in use.
    assert QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark or (
        QGuiApplication.palette().window().color().lightness() < 100
    )
    # Back to following the system, so other tests see the default.
    from saferyp_desktop.ui.preferences_dialog import apply_appearance

    apply_appearance("system")


# -- with the real main window -----------------------------------------------------------
@pytest.fixture
def real_controller(qtbot, prefs, scripted) -> Iterator[AppController]:
    ctl = AppController(prefs, autolock_ms=60_000)  # the default: ui.main_window.MainWindow
    yield ctl
    ctl.shutdown()
    if ctl.start_screen is not None:
        ctl.start_screen.close()
        ctl.start_screen.deleteLater()


def test_main_window_lock_shortcut_forgets_every_name(qtbot, real_controller, workspace_file) -> None:
    from saferyp_desktop.ui.main_window import MainWindow

    controller = real_controller
    dialog = controller.open_path(workspace_file)
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        unlock(qtbot, dialog, PASSPHRASE)
    window = controller.main_window
    assert isinstance(window, MainWindow)
    qtbot.waitExposed(window)
    window.show_section("young_person")
    QApplication.processEvents()
    assert window.windowTitle() == f"SaferYP Desktop — {workspace_file.name}"
    session = controller.session
    with qtbot.waitSignal(controller.locked, timeout=2_000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert session.workspace.db.closed
    qtbot.waitUntil(lambda: controller.unlock_dialog is not None and controller.unlock_dialog.isVisible())
    for text in visible_texts():
        for name in NAMES:
            assert name not in text, (name, text)


def test_closing_the_main_window_brings_back_the_start_screen(qtbot, real_controller, workspace_file) -> None:
    controller = real_controller
    dialog = controller.open_path(workspace_file)
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        unlock(qtbot, dialog, PASSPHRASE)
    session = controller.session
    with qtbot.waitSignal(controller.sessionClosed, timeout=2_000):
        controller.main_window.close()
    assert session.workspace.db.closed
    assert controller.start_screen is not None and controller.start_screen.isVisible()
    assert controller.start_screen.selected_path() == workspace_file.resolve()


def test_prepare_opens_beside_the_main_window_and_closes_on_lock(qtbot, real_controller, workspace_file) -> None:
    controller = real_controller
    dialog = controller.open_path(workspace_file)
    with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
        unlock(qtbot, dialog, PASSPHRASE)
    controller.main_window.prepareRequested.emit()
    wizard = controller.prepare_wizard
    assert wizard is not None and wizard.isVisible()
    controller.lock()
    assert controller.prepare_wizard is None
    assert not wizard.isVisible()


def test_the_demo_shows_its_banner(qtbot, real_controller, scripted) -> None:
    controller = real_controller
    open_demo(qtbot, controller, scripted)
    banner = controller.main_window.findChild(QLabel, "demoBanner")
    assert banner is not None and banner.isVisible()


# -- the entry point -----------------------------------------------------------------------
def _run_app(args: list[str], tmp_path: Path, extra: str = "pass") -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SAFERYP_EXIT_AFTER_SHOW="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    code = (
        "import sys; from saferyp_desktop.app import main; "
        f"rc = main(['saferyp-desktop', *{args!r}]); {extra}; sys.exit(rc)"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)


def test_start_shows_the_start_screen_without_loading_storage(tmp_path: Path) -> None:
    heavy = ("sqlcipher3", "saferyp_desktop.services", "saferyp_desktop.ui.main_window",
             "saferyp_desktop.storage", "pyrage")
    result = _run_app([], tmp_path, extra=(
        f"print('loaded', [m for m in sys.modules if m.startswith({heavy!r})])"
    ))
    assert result.returncode == 0, result.stderr[-2000:]
    shown, loaded = result.stdout.splitlines()
    assert shown.startswith("shown ") and shown.endswith(" startScreen")
    assert loaded == "loaded []"


def test_a_file_argument_asks_for_its_passphrase(tmp_path: Path, workspace_file: Path) -> None:
    result = _run_app([str(workspace_file)], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith(" unlockDialog")


def test_the_application_icon_has_every_size() -> None:
    from saferyp_desktop.app import application_icon, icon_path

    assert icon_path() is not None and icon_path().suffix == ".svg"
    icon = application_icon()
    assert not icon.isNull()
    for size in (16, 32, 256):
        assert not icon.pixmap(size, size).isNull()


def test_idle_lock_with_the_real_main_window(qtbot, prefs, scripted, workspace_file) -> None:
    controller = AppController(prefs, autolock_ms=400)
    try:
        dialog = controller.open_path(workspace_file)
        with qtbot.waitSignal(controller.sessionOpened, timeout=10_000):
            unlock(qtbot, dialog, PASSPHRASE)
        window = controller.main_window
        window.show_section("young_person")
        qtbot.waitUntil(lambda: any(PUPIL in text for text in visible_texts()))
        with qtbot.waitSignal(controller.locked, timeout=5_000):
            pass
        qtbot.waitUntil(lambda: controller.unlock_dialog is not None)
        QApplication.processEvents()
        for text in visible_texts():
            for name in NAMES:
                assert name not in text, (name, text)
    finally:
        controller.shutdown()


def test_the_workspace_is_opened_off_the_gui_thread(qtbot, controller, workspace_file, monkeypatch) -> None:
    """Unlocking runs on a worker; the GUI thread then uses the workspace it opened."""
    import threading

    import saferyp_desktop.ui.unlock as unlock_module

    threads: list[int] = []
    real_open = unlock_module._open_workspace

    def recording_open(path, passphrase):
        threads.append(threading.get_ident())
        return real_open(path, passphrase)

    monkeypatch.setattr(unlock_module, "_open_workspace", recording_open)
    open_unlocked(qtbot, controller, workspace_file)
    assert threads and threads[0] != threading.get_ident()
    # The connection made on the worker is usable here (check_same_thread=False).
    session = controller.session
    pupil = next(r for r in session.table().records.values() if r.name == PUPIL)
    pupil.notes = "Seen on the GUI thread."
    session.save(pupil)
    assert session.workspace.check().healthy


def test_unlocking_is_noted_in_the_audit_log_with_no_names(qtbot, controller, workspace_file) -> None:
    open_unlocked(qtbot, controller, workspace_file)
    events = controller.session.workspace.repo.audit_events()
    assert events[-1][1] == "opened" and events[-1][2] == []
