"""The chair's window, driven as a meeting chair would: real workspaces, two fictional demo
schools that send real signed, encrypted bundles, and a chair who opens them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.modeltest import ModelTester

from saferyp_desktop.domain.records import ActionStatus, Kind, Meeting
from saferyp_desktop.errors import BundleNotAge, NoSubmissions
from saferyp_desktop.services import chair, exchange
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.storage.database import use_fast_kdf_for_tests
from saferyp_desktop.ui import dialogs as dialogs_module
from saferyp_desktop.ui.app_controller import default_main_window
from saferyp_desktop.ui.chair import across
from saferyp_desktop.ui.chair.across import JOINED_PREFIX
from saferyp_desktop.ui.chair.actions import ActionDialog
from saferyp_desktop.ui.chair.inbox import SubmissionsModel
from saferyp_desktop.ui.chair.school_view import TABS
from saferyp_desktop.ui.chair_window import ChairWindow
from saferyp_desktop.ui.dialogs import ScriptedDialogs
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.settings import Preferences

PASSPHRASE = "correct horse battery staple"
FAST_KDF_ITERATIONS = 64  # as tests/conftest.py: the module fixture runs before its fixture
LEFT = Qt.MouseButton.LeftButton
SCHOOL_ONE, SCHOOL_TWO, SCHOOL_THREE = "990001", "990002", "990003"


@dataclass
class Exchange:
    """Workspaces and bundles made once for the module (making demo schools takes seconds)."""

    folder: Path
    chair_template: Path
    bundles: dict[str, Path]
    fingerprints: dict[str, str]
    school_templates: dict[str, Path]
    passphrase_bundle: Path
    bundle_passphrase: str


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Iterator[Exchange]:
    use_fast_kdf_for_tests(FAST_KDF_ITERATIONS)  # before the per-test fixture runs
    folder = tmp_path_factory.mktemp("exchange")
    chair_path = folder / "chair-template.sypdb"
    with Workspace.create(
        chair_path, PASSPHRASE,
        WorkspaceDetails(role="chair", name="Test Chair", organisation="Test Council"),
    ) as chair_ws:
        card = chair_ws.key_card()
    bundles, fingerprints, templates = {}, {}, {}
    for seed in (1, 2):
        path = folder / f"school-{seed}.sypdb"
        with create_demo_workspace(path, PASSPHRASE, seed=seed) as school:
            exchange.set_chair(school, card)
            result = exchange.export_bundle(school, folder / f"submission-{seed}.sypbundle")
            urn = school.details.urn
        bundles[urn], fingerprints[urn], templates[urn] = result.path, result.fingerprint, path
    with create_demo_workspace(folder / "school-3.sypdb", PASSPHRASE, seed=3) as school:
        locked = exchange.export_bundle(school, folder / "submission-3.sypbundle")
        fingerprints[school.details.urn] = locked.fingerprint
    assert locked.passphrase
    yield Exchange(folder, chair_path, bundles, fingerprints, templates, locked.path, locked.passphrase)
    use_fast_kdf_for_tests(None)


@pytest.fixture
def scripted() -> Iterator[ScriptedDialogs]:
    service = ScriptedDialogs()
    previous = dialogs_module.install(service)
    yield service
    dialogs_module.install(previous)


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    return Preferences(QSettings(str(tmp_path / "preferences.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def chair_path(tmp_path: Path, made: Exchange) -> Path:
    path = tmp_path / "Chair.sypdb"
    shutil.copy(made.chair_template, path)
    return path


@pytest.fixture
def session(chair_path: Path) -> Iterator[Session]:
    session = Session(Workspace.open(chair_path, PASSPHRASE))
    yield session
    if not session.workspace.db.closed:
        session.close()


@pytest.fixture
def window(qtbot, session: Session, preferences: Preferences, scripted) -> Iterator[ChairWindow]:
    window = ChairWindow(session, preferences)
    qtbot.addWidget(window)
    window.resize(1300, 820)
    window.show()
    yield window
    wait_idle(qtbot, window)
    window.clear()


# -- helpers -----------------------------------------------------------------------------------
def wait_idle(qtbot, window: ChairWindow) -> None:
    """Wait for every background task of the window to end."""
    def idle() -> bool:
        pages = [window.across, window.meeting, window.outcomes]
        return not window.inbox.busy and all(
            not p.busy and getattr(p, "task", None) is None
            and getattr(p, "pack_task", None) is None
            for p in pages if p is not None
        )

    qtbot.waitUntil(idle, timeout=20000)


def open_bundle(qtbot, window: ChairWindow, scripted: ScriptedDialogs, path: Path,
                fingerprint: str, accept: bool = True) -> None:
    """Open a school's first bundle as the chair would: choose it, check the fingerprint."""
    scripted.paths.append(path)
    window.open_action.trigger()  # File ▸ Open bundles… (Ctrl+O)
    qtbot.waitUntil(lambda: window.inbox.fingerprint_dialog is not None, timeout=20000)
    dialog = window.inbox.fingerprint_dialog
    assert fingerprint in dialog.text()
    assert dialog.fingerprint_label.text() == fingerprint
    # The school's name and URN, as its signed bundle states them, beside the fingerprint.
    assert dialog.urn_label.text().isdigit() and len(dialog.urn_label.text()) == 6
    assert "(DEMO)" in dialog.school_label.text()
    assert "Check this fingerprint with the school's DSL by phone before you accept" in dialog.text()
    qtbot.mouseClick(dialog.accept_button if accept else dialog.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not window.inbox.busy, timeout=20000)


def open_both(qtbot, window: ChairWindow, scripted: ScriptedDialogs, made: Exchange) -> None:
    for urn in (SCHOOL_ONE, SCHOOL_TWO):
        open_bundle(qtbot, window, scripted, made.bundles[urn], made.fingerprints[urn])
    assert window.inbox.model.rowCount() == 2


def open_across(qtbot, window: ChairWindow):
    window.show_page("across")
    page = window.across
    qtbot.waitUntil(lambda: not page.busy and page.candidates_model.rowCount() > 0, timeout=20000)
    return page


def qpdf_check(path: Path) -> None:
    if shutil.which("qpdf") is None:
        assert path.read_bytes().startswith(b"%PDF-")
        return
    checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def check_models(qtmodeltester, *models) -> list[ModelTester]:
    """Every model through a model tester of its own (a proxy and its source must not share
    one), kept checking through what the test does next."""
    qtmodeltester.check(models[0], force_py=True)
    testers = []
    for model in models[1:]:
        tester = ModelTester(None)
        tester.check(model, force_py=True)
        testers.append(tester)
    return testers


def errors(scripted: ScriptedDialogs) -> list[str]:
    return [sentence for kind, _title, sentence in scripted.shown if kind == "error"]


# -- the window --------------------------------------------------------------------------------
def test_a_chair_workspace_opens_the_chair_window(qtbot, session: Session, preferences, scripted) -> None:
    window = default_main_window(session, preferences)
    qtbot.addWidget(window)
    assert isinstance(window, ChairWindow)
    assert window.windowTitle() == "SaferYP Desktop — Chair.sypdb"
    assert not window.demo_banner.isVisibleTo(window)
    assert [window.navigation.item(r).text() for r in range(window.navigation.count())] == [
        "Inbox", "Across schools", "Meeting", "Outcomes",
    ]
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.navigation.accessibleName() == "Pages"
    with qtbot.waitSignal(window.lockRequested):
        window.lock_action.trigger()
    window.clear()


def test_opening_two_schools_bundles_checks_each_fingerprint_and_lists_both(
    qtbot, qtmodeltester, window: ChairWindow, scripted, made: Exchange
) -> None:
    open_both(qtbot, window, scripted, made)
    assert errors(scripted) == []
    model = window.inbox.model
    qtmodeltester.check(model, force_py=True)
    rows = {model.index(r, SubmissionsModel.URN).data(): r for r in range(model.rowCount())}
    assert set(rows) == {SCHOOL_ONE, SCHOOL_TWO}
    one = rows[SCHOOL_ONE]
    assert model.index(one, SubmissionsModel.FINGERPRINT).data() == made.fingerprints[SCHOOL_ONE]
    assert model.index(one, SubmissionsModel.STATUS).data().startswith("Current")
    assert "60 young people" in model.index(one, SubmissionsModel.RECORDS).data()
    assert model.index(one, SubmissionsModel.MEETING).data()
    # at 1280 px every column the chair checks is in sight, findings included
    window.resize(1280, 800)
    QApplication.processEvents()
    assert all(section_shown(window.inbox.view, c) for c in range(SubmissionsModel.RECORDS))
    # each school has its entry in the navigation, and the demo banner shows
    texts = [window.navigation.item(r).text().strip() for r in range(window.navigation.count())]
    assert texts[0] == "Inbox" and texts[-3:] == ["Across schools", "Meeting", "Outcomes"]
    assert len(texts) == 6
    assert window.demo_banner.isVisibleTo(window)
    assert window.school_actions[0].isVisible()


def test_cancelling_the_fingerprint_imports_nothing(qtbot, window: ChairWindow, scripted, made) -> None:
    open_bundle(qtbot, window, scripted, made.bundles[SCHOOL_ONE], made.fingerprints[SCHOOL_ONE],
                accept=False)
    assert window.inbox.model.rowCount() == 0
    assert exchange.submissions(window.inbox.session.workspace) == []
    assert errors(scripted) == []


@dataclass
class NewKey:
    """School one set up again on a new laptop: same URN, a new key, its first bundle."""

    bundle: Path
    fingerprint: str


@pytest.fixture(scope="module")
def new_key(made: Exchange) -> NewKey:
    use_fast_kdf_for_tests(FAST_KDF_ITERATIONS)  # before the per-test fixture runs
    with Workspace.open(made.school_templates[SCHOOL_ONE], PASSPHRASE) as school:
        name, day = school.details.name, exchange.find_meeting(school).date
    with Workspace.open(made.chair_template, PASSPHRASE) as chair_ws:
        card = chair_ws.key_card()
    with Workspace.create(
        made.folder / "school-1-new.sypdb", PASSPHRASE,
        WorkspaceDetails(role="school", name=name, urn=SCHOOL_ONE),
    ) as school:
        school.save(Meeting(date=day))
        exchange.set_chair(school, card)
        sent = exchange.export_bundle(
            school, made.folder / "submission-1-new.sypbundle", include_briefing=False
        )
    return NewKey(sent.path, sent.fingerprint)


def test_a_schools_new_key_is_replaced_only_after_the_phone_check(
    qtbot, window: ChairWindow, scripted, made: Exchange, new_key: NewKey
) -> None:
    inbox = window.inbox
    workspace = inbox.session.workspace
    old_fp = made.fingerprints[SCHOOL_ONE]
    open_bundle(qtbot, window, scripted, made.bundles[SCHOOL_ONE], old_fp)
    assert inbox.model.rowCount() == 1
    trusted = workspace.repo.trusted_sender(SCHOOL_ONE)

    def ask() -> object:
        scripted.paths.append(new_key.bundle)
        window.open_action.trigger()
        qtbot.waitUntil(lambda: inbox.key_changed_dialog is not None, timeout=20000)
        return inbox.key_changed_dialog

    dialog = ask()
    assert inbox.fingerprint_dialog is None and errors(scripted) == []
    # A warning naming the school, since when its key was trusted, and the NEW fingerprint.
    assert dialog.fingerprint_label.text() == new_key.fingerprint
    assert dialog.fingerprint_label.accessibleName() == "New fingerprint"
    assert dialog.fingerprint_label.font().pointSizeF() > dialog.file_label.font().pointSizeF()
    assert (dialog.school_label.text(), dialog.urn_label.text()) == (trusted.name, SCHOOL_ONE)
    assert dialog.previous_label.text() == old_fp
    text = dialog.text()
    assert "has changed" in text and dialog.since_label.text() in text and dialog.since_label.text()
    assert "number you already have" in text and "not one in an email" in text
    # Replacing needs the tick; Cancel is the default, so Enter never replaces a key.
    assert not dialog.replace_button.isEnabled()
    assert dialog.cancel_button.isDefault() and not dialog.replace_button.isDefault()
    assert dialog.confirm_box.accessibleName() == "I compared the fingerprint with the school by phone"
    assert dialog.replace_button.accessibleName() == "Replace the key and open"
    qtbot.mouseClick(dialog.replace_button, LEFT)  # disabled: nothing happens
    assert inbox.key_changed_dialog is dialog and dialog.isVisible()
    dialog.confirm_box.setFocus()
    qtbot.keyClick(dialog.confirm_box, Qt.Key.Key_Space)  # ticked from the keyboard
    assert dialog.confirm_box.isChecked() and dialog.replace_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: inbox.key_changed_dialog is None and not inbox.busy, timeout=20000)
    # Cancelled: the inbox and the school's key are as they were, and no error box.
    assert inbox.model.rowCount() == 1 and errors(scripted) == []
    assert workspace.repo.trusted_sender(SCHOOL_ONE) == trusted
    assert len(exchange.submissions(workspace)) == 1

    dialog = ask()
    assert not dialog.confirm_box.isChecked() and not dialog.replace_button.isEnabled()
    qtbot.mouseClick(dialog.confirm_box, LEFT)
    qtbot.mouseClick(dialog.replace_button, LEFT)
    qtbot.waitUntil(lambda: inbox.key_changed_dialog is None and not inbox.busy, timeout=20000)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=20000)
    assert errors(scripted) == []
    assert workspace.repo.trusted_sender(SCHOOL_ONE).fingerprint == new_key.fingerprint
    model = inbox.model
    fingerprints = [model.index(r, SubmissionsModel.FINGERPRINT).data() for r in range(2)]
    assert fingerprints == [old_fp, new_key.fingerprint]
    assert model.index(0, SubmissionsModel.STATUS).data().startswith("Superseded")
    assert model.index(1, SubmissionsModel.STATUS).data().startswith("Current")
    assert inbox.results[-1].replaced_fingerprint == old_fp
    # The school's old key is refused from now on: the same warning, nothing opened.
    scripted.paths.append(made.bundles[SCHOOL_ONE])
    window.open_action.trigger()
    qtbot.waitUntil(lambda: inbox.key_changed_dialog is not None, timeout=20000)
    assert inbox.key_changed_dialog.fingerprint_label.text() == old_fp
    qtbot.mouseClick(inbox.key_changed_dialog.cancel_button, LEFT)
    qtbot.waitUntil(lambda: inbox.key_changed_dialog is None and not inbox.busy, timeout=20000)
    assert inbox.model.rowCount() == 2


@pytest.mark.parametrize("damage", ["truncated", "not a bundle"])
def test_a_hostile_bundle_shows_its_sentence_and_imports_nothing(
    qtbot, window: ChairWindow, scripted, made: Exchange, tmp_path: Path, damage: str
) -> None:
    hostile = tmp_path / "hostile.sypbundle"
    data = made.bundles[SCHOOL_ONE].read_bytes()
    hostile.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"PK\x03\x04" * 100)
    scripted.paths.append(hostile)
    window.open_bundles()
    qtbot.waitUntil(lambda: not window.inbox.busy and bool(scripted.shown), timeout=20000)
    assert window.inbox.fingerprint_dialog is None
    shown = errors(scripted)
    assert len(shown) == 1
    if damage == "not a bundle":
        assert shown == [BundleNotAge.default_message]
    assert shown[0].endswith(".") and "\n" not in shown[0]
    assert window.inbox.model.rowCount() == 0
    assert exchange.submissions(window.inbox.session.workspace) == []


def test_a_passphrase_bundle_asks_for_the_six_words(qtbot, window: ChairWindow, scripted, made) -> None:
    scripted.paths.append(made.passphrase_bundle)
    window.open_bundles()
    qtbot.waitUntil(lambda: window.inbox.passphrase_dialog is not None, timeout=20000)
    dialog = window.inbox.passphrase_dialog
    assert dialog.edit.echoMode() == dialog.edit.EchoMode.Normal
    qtbot.keyClicks(dialog.edit, made.bundle_passphrase)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: window.inbox.fingerprint_dialog is not None, timeout=20000)
    fingerprint = window.inbox.fingerprint_dialog
    assert made.fingerprints[SCHOOL_THREE] in fingerprint.text()
    qtbot.mouseClick(fingerprint.accept_button, LEFT)
    qtbot.waitUntil(lambda: not window.inbox.busy, timeout=20000)
    assert errors(scripted) == []
    assert window.inbox.model.rowCount() == 1
    assert SCHOOL_THREE in window.schools


def test_a_wrong_passphrase_shows_its_sentence(qtbot, window: ChairWindow, scripted, made) -> None:
    scripted.paths.append(made.passphrase_bundle)
    window.open_bundles()
    qtbot.waitUntil(lambda: window.inbox.passphrase_dialog is not None, timeout=20000)
    dialog = window.inbox.passphrase_dialog
    qtbot.keyClicks(dialog.edit, "wrong words entirely for this bundle")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not window.inbox.busy, timeout=20000)
    assert len(errors(scripted)) == 1
    assert window.inbox.model.rowCount() == 0


def test_bundles_dropped_on_the_window_are_opened(qtbot, window: ChairWindow, scripted, made) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(made.bundles[SCHOOL_ONE]))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, data, LEFT, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.inbox.fingerprint_dialog is not None, timeout=20000)
    qtbot.mouseClick(window.inbox.fingerprint_dialog.accept_button, LEFT)
    qtbot.waitUntil(lambda: not window.inbox.busy, timeout=20000)
    assert window.inbox.model.rowCount() == 1


# -- a school, read-only ---------------------------------------------------------------------------
def test_a_schools_view_shows_its_tables_read_only(
    qtbot, qtmodeltester, window: ChairWindow, scripted, made: Exchange, tmp_path: Path
) -> None:
    open_both(qtbot, window, scripted, made)
    page = window.show_school(SCHOOL_ONE)
    assert window.current_key() == f"school:{SCHOOL_ONE}"
    section = page.section(Kind.YOUNG_PERSON)
    qtmodeltester.check(section.model, force_py=True)
    assert section.model.rowCount() == 60
    assert not section.add_button.isVisibleTo(section)
    assert not section.retire_button.isVisibleTo(section)
    section.view.selectRow(0)
    editor = section.editor
    assert editor.record is not None
    name = editor.name_edit.text()
    assert name and editor.name_edit.isReadOnly()
    assert not editor.save_button.isVisibleTo(editor)
    assert not editor.confirm_button.isVisibleTo(editor)
    qtbot.keyClicks(editor.name_edit, "Changed")
    assert editor.name_edit.text() == name and not editor.dirty
    assert not editor.harm.item(0).flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not editor.concern.isEnabled()
    assert not section.evidence.add_button.isVisibleTo(section.evidence)
    assert not section.links.add_button.isVisibleTo(section.links)
    # the filter works as in the school's own window
    qtbot.keyClicks(section.filter_edit, name.split()[0])
    section.apply_filter()
    assert 1 <= section.proxy.rowCount() < 60
    # nothing in the chair's workspace changed
    assert window.inbox.session.workspace.table().counts()[Kind.YOUNG_PERSON] == 0
    # the spider diagram of the school
    page.show_tab("diagram")
    assert page.diagram is not None  # drawn a slice at a time (over a hundred nodes)
    qtbot.waitUntil(lambda: bool(page.diagram.diagram_scene.node_items()))
    # drawn where the school draws it: the positions its bundle carried
    placed = chair.submission_view(window.inbox.session.workspace, page.summary.id)[1]
    qtbot.waitUntil(lambda: len(page.diagram.diagram_scene.node_items()) == len(placed))
    for item in page.diagram.diagram_scene.node_items():
        assert (item.node.x, item.node.y) == placed[item.node.id]
    # the school's briefing PDF: saved where the chair chooses, never anywhere else
    target = tmp_path / page.suggested_briefing_name()
    assert page.suggested_briefing_name() == f"briefing-{SCHOOL_ONE}-{page.summary.meeting_date}.pdf"
    scripted.paths.append(target)
    qtbot.mouseClick(page.save_briefing_button, LEFT)
    qpdf_check(target)
    assert (target.stat().st_mode & 0o077) == 0


def test_a_schools_view_says_it_is_reading_then_shows_that_schools_rows(
    qtbot, window: ChairWindow, scripted, made: Exchange
) -> None:
    open_both(qtbot, window, scripted, made)
    one, two = window.schools[SCHOOL_ONE], window.schools[SCHOOL_TWO]
    assert one.submission is None and two.submission is None  # nothing read before shown
    window.navigation.setCurrentRow(  # a click on the school in the navigation list
        next(r for r in range(window.navigation.count())
             if window.navigation.item(r).data(Qt.ItemDataRole.UserRole) == f"school:{SCHOOL_TWO}")
    )
    assert window.stack.currentWidget() is two
    # The table is read off the GUI thread: meanwhile the page says so, and shows no rows.
    assert two.loading and two.loading_label.isVisibleTo(two)
    assert two.summary.school in two.loading_label.text()
    assert not two.tabs.isVisibleTo(two) and not two.sections
    qtbot.waitUntil(lambda: not two.loading, timeout=20000)
    assert not two.loading_label.isVisibleTo(two) and two.tabs.isVisibleTo(two)
    section = two.sections[Kind.YOUNG_PERSON]
    assert section.model.rowCount() == 60
    table = two.submission.table()
    shown = {section.model.index(r, 0).data() for r in range(section.model.rowCount())}
    assert shown == {r.code for r in table.of_kind(Kind.YOUNG_PERSON)}
    # every row is the shown school's own record, none of the other school's
    other = exchange.submission_table(window.session.workspace, one.summary.id)
    assert not set(table.records) & set(other.records)
    assert all(section.model.record_at(r).id in table.records for r in range(section.model.rowCount()))
    assert one.submission is None  # the other school is still not read


def test_every_section_of_a_school_is_read_only(qtbot, window: ChairWindow, scripted, made) -> None:
    open_both(qtbot, window, scripted, made)
    page = window.show_school(SCHOOL_TWO)
    for tab in TABS:
        if tab.kind is None:
            continue
        section = page.section(tab.kind)
        assert section.model.rowCount() > 0, tab.key
        section.view.selectRow(0)
        editor = section.editor
        assert editor.record is not None
        for widget in editor.fields.findChildren(QWidget):
            if not widget.isVisibleTo(editor):
                continue
            if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
                assert widget.isReadOnly() or not widget.isEnabled(), (tab.key, widget.accessibleName())
            elif isinstance(widget, QComboBox | QCheckBox | QPushButton):
                assert not widget.isEnabled(), (tab.key, widget.accessibleName())
        section.add_new()
        section.retire_selected()
        assert not editor.is_new and editor.apply()
    assert window.session.workspace.table().counts()[Kind.YOUNG_PERSON] == 0
    assert errors(scripted) == []


def test_a_newer_bundle_supersedes_the_schools_view(
    qtbot, window: ChairWindow, scripted, made: Exchange, tmp_path: Path
) -> None:
    open_both(qtbot, window, scripted, made)
    first = window.schools[SCHOOL_ONE]
    assert first.summary.sequence == 1
    school_copy = tmp_path / "school.sypdb"
    shutil.copy(made.school_templates[SCHOOL_ONE], school_copy)
    with Workspace.open(school_copy, PASSPHRASE) as school:
        newer = exchange.export_bundle(school, tmp_path / "newer.sypbundle")
    scripted.paths.append(newer.path)
    window.open_action.trigger()
    qtbot.waitUntil(lambda: not window.inbox.busy, timeout=20000)
    assert window.inbox.fingerprint_dialog is None  # the school's key is known now
    assert errors(scripted) == []
    model = window.inbox.model
    assert model.rowCount() == 3
    superseded = [r for r in range(model.rowCount()) if model.submission_at(r).superseded]
    assert len(superseded) == 1
    assert model.index(superseded[0], SubmissionsModel.STATUS).data().startswith("Superseded by #3")
    assert model.index(superseded[0], 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert window.schools[SCHOOL_ONE] is not first
    assert window.schools[SCHOOL_ONE].summary.sequence == 2
    assert window.navigation.count() == 6


def test_presentation_mode_shows_initials_in_a_schools_view(qtbot, window: ChairWindow, scripted, made) -> None:
    open_both(qtbot, window, scripted, made)
    page = window.show_school(SCHOOL_ONE)
    section = page.section(Kind.YOUNG_PERSON)
    full = section.model.index(0, 1).data()
    assert window.presentation_action.shortcut().toString() == "F5"
    window.presentation_action.trigger()
    assert window.presentation_label.isVisibleTo(window)
    shown = section.model.index(0, 1).data()
    assert shown != full and " " not in shown


# -- across schools --------------------------------------------------------------------------------
def test_across_schools_lists_the_shared_place_and_adult_and_decisions_persist(
    qtbot, qtmodeltester, window: ChairWindow, scripted, made: Exchange, chair_path: Path,
    preferences, session: Session,
) -> None:
    open_both(qtbot, window, scripted, made)
    page = open_across(qtbot, window)
    model = page.candidates_model
    testers = check_models(qtmodeltester, model, page.candidates_proxy, page.places_model)
    candidates = model.candidates()
    adult = next(c for c in candidates if c.kind == Kind.ADULT)
    place = next(c for c in candidates if c.kind == Kind.LOCATION)
    for candidate in (adult, place):
        assert set(candidate.schools) == {
            window.schools[SCHOOL_ONE].summary.school, window.schools[SCHOOL_TWO].summary.school
        }
        row = model.row_of(candidate.key)
        assert model.index(row, model.REASONS).data()
        assert model.index(row, model.DECISION).data() == "Undecided"
    # filter by kind
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(Kind.ADULT))
    assert 0 < page.candidates_proxy.rowCount() < model.rowCount()
    page.kind_filter.setCurrentIndex(0)
    # confirm the adult, dismiss the place (with the buttons, as the chair would)
    assert page.select_candidate(adult.key)
    assert adult.reasons[0] in page.reasons_label.text() or adult.members[0].code in page.reasons_label.text()
    qtbot.keyClicks(page.note_edit, "Same registration")
    qtbot.mouseClick(page.confirm_button, LEFT)
    wait_idle(qtbot, window)
    assert page.select_candidate(place.key)
    assert window.dismiss_action.shortcut().toString() == "Ctrl+Shift+D"
    window.dismiss_action.trigger()  # Meeting ▸ Dismiss the match
    wait_idle(qtbot, window)
    assert model.index(model.row_of(adult.key), model.DECISION).data() == "Confirmed"
    assert model.index(model.row_of(place.key), model.DECISION).data() == "Dismissed"
    page.decision_filter.setCurrentIndex(page.decision_filter.findData(chair.CONFIRMED))
    assert page.candidates_proxy.rowCount() == 1
    page.decision_filter.setCurrentIndex(0)
    assert window.saved_label.text().startswith("Saved")
    # the combined diagram: each node ringed, the confirmed adult joined by a bar
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.diagram is not None and bool(page.diagram.diagram_scene.node_items()))
    scene = page.diagram.diagram_scene
    joined = [e for e in scene.drawn_edges() if e.edge.id.startswith(JOINED_PREFIX)]
    assert len(joined) == 1
    assert {joined[0].edge.a_id, joined[0].edge.b_id} == {m.record_id for m in adult.members}
    assert all(item.ring is not None for item in scene.node_items())
    assert len(page.school_key.labels) == 3
    # the area's places, most schools first
    assert page.places_model.rowCount() > 0
    assert testers

    # persisted: close, reopen the workspace, and the decisions are there
    wait_idle(qtbot, window)
    window.clear()
    session.close()
    with Workspace.open(chair_path, PASSPHRASE) as reopened:
        decided = {c.key: c.decision for c in chair.candidates(reopened)}
    assert decided[adult.key] == chair.CONFIRMED
    assert decided[place.key] == chair.DISMISSED
    again = Session(Workspace.open(chair_path, PASSPHRASE))
    try:
        second = ChairWindow(again, preferences)
        qtbot.addWidget(second)
        second.show()
        page = open_across(qtbot, second)
        row = page.candidates_model.row_of(adult.key)
        assert page.candidates_model.index(row, page.candidates_model.DECISION).data() == "Confirmed"
        # and a decision is taken back by clearing it
        assert page.select_candidate(adult.key)
        qtbot.mouseClick(page.clear_button, LEFT)
        wait_idle(qtbot, second)
        row = page.candidates_model.row_of(adult.key)
        assert page.candidates_model.index(row, page.candidates_model.DECISION).data() == "Undecided"
        second.clear()
    finally:
        again.close()


def test_a_match_shows_its_record_in_the_schools_view(qtbot, window: ChairWindow, scripted, made) -> None:
    open_both(qtbot, window, scripted, made)
    page = open_across(qtbot, window)
    adult = next(c for c in page.candidates_model.candidates() if c.kind == Kind.ADULT)
    page.select_candidate(adult.key)
    qtbot.mouseClick(page.show_button, LEFT)
    first = adult.members[0]
    assert window.current_key() == f"school:{first.urn}"
    school = window.schools[first.urn]
    qtbot.waitUntil(lambda: Kind.ADULT in school.sections, timeout=20000)  # once read
    section = school.sections[Kind.ADULT]
    assert section.editor.record_id == first.record_id


def test_gathering_again_with_nothing_changed_leaves_the_lists_as_they_are(
    qtbot, window: ChairWindow, scripted, made
) -> None:
    """A second gathering (the combined diagram's tab, a refresh) does not reset the
    candidates and places: the views would lay every row out again, on the GUI thread."""
    open_both(qtbot, window, scripted, made)
    page = open_across(qtbot, window)
    resets: list[str] = []
    page.candidates_model.modelReset.connect(lambda: resets.append("candidates"))
    page.places_model.modelReset.connect(lambda: resets.append("places"))
    before = page.candidates_model.candidates()
    page.refresh()
    wait_idle(qtbot, window)
    assert resets == [] and page.candidates_model.candidates() == before
    # a decision changes its row (and only that), and what is shown follows it
    place = next(c for c in before if c.kind == Kind.LOCATION)
    page.select_candidate(place.key)
    page.decide(chair.CONFIRMED)
    wait_idle(qtbot, window)
    model = page.candidates_model
    assert model.index(model.row_of(place.key), model.DECISION).data() == "Confirmed"


def test_the_menus_show_the_chairs_commands_with_their_shortcuts(window: ChairWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&Meeting", "&View", "&Help"]
    shortcuts = {
        a.text(): a.shortcut().toString() for a in window.meeting_menu.actions() if not a.isSeparator()
    }
    assert shortcuts["&Confirm the match"] == "Ctrl+Shift+C"
    assert shortcuts["&Agree an action…"] == "Ctrl+Shift+A"
    assert shortcuts["&Save the meeting record"] == "Ctrl+S"
    assert shortcuts["&Print the briefing pack…"] == "Ctrl+P"
    pages = {a.text(): a.shortcut().toString() for a in window.view_menu.actions() if a.text()}
    assert pages["Inbox"] == "Ctrl+1" and pages["Outcomes"] == "Ctrl+4"


def test_presentation_mode_scrubs_names_from_matches(qtbot, window: ChairWindow, scripted, made) -> None:
    open_both(qtbot, window, scripted, made)
    page = open_across(qtbot, window)
    adult = next(c for c in page.candidates_model.candidates() if c.kind == Kind.ADULT)
    row = page.candidates_model.row_of(adult.key)
    full = adult.members[0].label
    assert full in page.candidates_model.index(row, page.candidates_model.RECORDS).data()
    window.presentation_action.trigger()
    records = page.candidates_model.index(row, page.candidates_model.RECORDS).data()
    reasons = page.candidates_model.index(row, page.candidates_model.REASONS).data()
    assert full not in records and full not in reasons


# -- the meeting and its outcomes ------------------------------------------------------------------
def agree_through_dialog(qtbot, page, scripted, made) -> ActionDialog:
    dialog = page.agree_action(SCHOOL_ONE)
    assert isinstance(dialog, ActionDialog)
    dialog.catalogue.set_value(dialog.catalogue.itemData(0))
    dialog._catalogue_changed()
    assert dialog.sub_choice.isVisibleTo(dialog)  # the MASH referral's outcomes
    dialog.sub_choice.setCurrentIndex(1)
    qtbot.keyClicks(dialog.detail, "Refer to MASH and follow up")
    qtbot.keyClicks(dialog.linked.picker, "YP-01")
    qtbot.mouseClick(dialog.linked.add_button, LEFT)
    assert len(dialog.linked.ids()) == 1
    dialog.owner.setCurrentIndex(2)
    dialog.due.check.setChecked(True)
    return dialog


def test_the_meeting_record_and_an_agreed_action(
    qtbot, qtmodeltester, window: ChairWindow, scripted, made: Exchange
) -> None:
    open_both(qtbot, window, scripted, made)
    window.show_page("meeting")
    page = window.meeting
    wait_idle(qtbot, window)
    assert page.day() is not None
    assert page.stack.currentIndex() == 0 and page.start_button.isVisibleTo(page)
    qtbot.mouseClick(page.start_button, LEFT)
    # Made off the GUI thread (every school's submission is read): meanwhile it says so.
    assert page.busy and page.start_task is not None and not page.start_button.isEnabled()
    assert "Starting the meeting record" in page.start_label.text()
    wait_idle(qtbot, window)
    assert page.stack.currentIndex() == 1
    meeting = chair.find_meeting(window.session.workspace, page.day())
    assert meeting is not None and meeting.attendees  # from the schools' expected attendees
    # the record: area and a discussion summary for the first school
    page.venue_edit.clear()
    qtbot.keyClicks(page.venue_edit, "Test Area Community Room")
    page.tabs.setCurrentIndex(1)
    assert page.subjects.count() >= 2
    page.subjects.setCurrentRow(0)
    qtbot.keyClicks(page.summary_edit, "Concerns about the bus station after school.")
    assert page.dirty
    qtbot.mouseClick(page.save_button, LEFT)
    assert not page.dirty
    stored = chair.find_meeting(window.session.workspace, page.day())
    assert stored.venue == "Test Area Community Room"
    assert stored.discussions[0].summary == "Concerns about the bus station after school."
    # an agreed action: "not taken forward" needs a rationale
    dialog = agree_through_dialog(qtbot, page, scripted, made)
    dialog.status.set_value(ActionStatus.NOT_TAKEN_FORWARD.value)
    dialog._status_changed()
    assert dialog.rationale_label.text() == "Rationale (required)"
    dialog.save()
    assert dialog.isVisible() and len(errors(scripted)) == 1 and "rationale" in errors(scripted)[0]
    qtbot.keyClicks(dialog.rationale, "Already known to the social worker")
    dialog.save()
    assert not dialog.isVisible()
    wait_idle(qtbot, window)
    actions = chair.meeting_actions(window.session.workspace, page.day())
    assert len(actions) == 1
    action = actions[0]
    assert action.school_urn == SCHOOL_ONE and action.sub_choice and action.linked_ids
    assert action.owner_agency and action.due is not None
    qtmodeltester.check(page.actions_model, force_py=True)
    assert page.actions_model.rowCount() == 1
    assert page.actions_model.index(0, page.actions_model.FOR).data() == window.schools[SCHOOL_ONE].summary.school
    assert page.actions_model.index(0, page.actions_model.LINKED).data().startswith("YP-01")
    # changed through the same dialog
    page.select_action(action.id)
    dialog = page.change_action()
    assert not dialog.subject.isEnabled()
    dialog.status.set_value(ActionStatus.AGREED.value)
    dialog.save()
    wait_idle(qtbot, window)
    assert chair.meeting_actions(window.session.workspace, page.day())[0].status == "agreed"


def test_pack_and_outcomes_are_exported_and_open_at_the_school(
    qtbot, window: ChairWindow, scripted, made: Exchange, tmp_path: Path
) -> None:
    open_both(qtbot, window, scripted, made)
    page = open_across(qtbot, window)
    place = next(c for c in page.candidates_model.candidates() if c.kind == Kind.LOCATION)
    page.select_candidate(place.key)
    page.decide(chair.CONFIRMED)
    wait_idle(qtbot, window)
    meeting_page = start_meeting_record(qtbot, window)
    dialog = agree_through_dialog(qtbot, meeting_page, scripted, made)
    dialog.save()
    wait_idle(qtbot, window)
    assert errors(scripted) == []
    # a cluster's action, linked to the cluster's records
    dialog = meeting_page.agree_action(chair.CLUSTER_PREFIX + place.key)
    assert len(dialog.linked.ids()) == 2
    dialog.save()
    wait_idle(qtbot, window)
    assert errors(scripted) == []
    # the briefing pack, off the GUI thread
    pack = tmp_path / chair.suggested_pack_name(meeting_page.day())
    scripted.paths.append(pack)
    assert window.export_pack_action.shortcut().toString() == "Ctrl+E"
    window.export_pack_action.trigger()
    wait_idle(qtbot, window)
    assert errors(scripted) == []
    qpdf_check(pack)
    assert pack.name in meeting_page.pack_label.text()
    # outcomes for school one, with its suggested name
    window.show_page("outcomes")
    outcomes = window.outcomes
    wait_idle(qtbot, window)
    assert outcomes.choose_school(SCHOOL_ONE)
    assert outcomes.actions_model.rowCount() == 2  # its own action and the cluster's
    target = tmp_path / chair.suggested_outcomes_name(SCHOOL_ONE, meeting_page.day())
    scripted.paths.append(target)
    qtbot.mouseClick(outcomes.export_button, LEFT)
    wait_idle(qtbot, window)
    assert errors(scripted) == []
    assert target.is_file() and target.name == f"outcomes-{SCHOOL_ONE}-{meeting_page.day()}.sypbundle"
    assert target.name in outcomes.result_label.text()
    # the school opens them in its own workspace
    school_copy = tmp_path / "school.sypdb"
    shutil.copy(made.school_templates[SCHOOL_ONE], school_copy)
    with Workspace.open(school_copy, PASSPHRASE) as school:
        opened = exchange.open_bundle(school, target)
    assert len(opened.added) == 2


def test_a_pack_for_a_meeting_without_submissions_shows_the_sentence(
    qtbot, window: ChairWindow, scripted, made: Exchange, tmp_path: Path
) -> None:
    open_both(qtbot, window, scripted, made)
    workspace = window.session.workspace
    empty_day = date.today() + timedelta(days=400)
    chair.save_meeting(workspace, Meeting(date=empty_day))
    window.show_page("meeting")
    page = window.meeting
    page.set_submissions(window.submissions)
    wait_idle(qtbot, window)
    assert page.choose_date(empty_day)
    wait_idle(qtbot, window)
    scripted.paths.append(tmp_path / "pack.pdf")
    page.export_pack()
    wait_idle(qtbot, window)
    with pytest.raises(NoSubmissions) as refused:  # the service's own sentence, shown as it is
        chair.export_pack(workspace, empty_day, tmp_path / "direct.pdf")
    assert errors(scripted) == [refused.value.message]
    assert not (tmp_path / "pack.pdf").exists()


def test_locking_clears_every_page(qtbot, window: ChairWindow, scripted, made: Exchange) -> None:
    open_both(qtbot, window, scripted, made)
    open_across(qtbot, window)
    window.show_page("meeting")
    window.show_page("outcomes")
    window.show_school(SCHOOL_ONE).section(Kind.ADULT)
    wait_idle(qtbot, window)
    window.clear()
    assert window.inbox.model.rowCount() == 0
    assert window.across.candidates_model.rowCount() == 0
    assert window.meeting.actions_model.rowCount() == 0
    assert window.schools[SCHOOL_ONE].sections[Kind.ADULT].model.rowCount() == 0
    assert not window.open_action.isEnabled()
    QApplication.processEvents()


# -- the chair's window at 1280 px -------------------------------------------------------------------
def section_shown(view, column: int) -> bool:
    """The whole of a table's column is inside the view, with no scrolling."""
    header = view.horizontalHeader()
    left = header.sectionViewportPosition(column)
    return not header.isSectionHidden(column) and left >= 0 and (
        left + header.sectionSize(column) <= view.viewport().width()
    )


def test_the_school_key_wraps_and_never_widens_the_window(
    qtbot, window: ChairWindow, monkeypatch
) -> None:
    schools = {f"99{n:04d}": f"Example Community Academy number {n + 1} (DEMO)" for n in range(12)}
    monkeypatch.setattr(across, "gather", lambda _workspace: across.AcrossData(schools=schools))
    window.resize(1280, 800)
    window.show_page("across")
    page = window.across
    wait_idle(qtbot, window)
    width = window.width()
    page.tabs.setCurrentIndex(1)  # the combined diagram, with its key of twelve schools
    QApplication.processEvents()
    window.layout().activate()
    assert len(page.school_key.labels) == 13  # twelve schools and the bar
    # the window keeps its width, and nothing in it asks for more than it has
    assert window.width() == width
    assert window.stack.minimumSizeHint().width() <= window.stack.width()
    # every school's name is in the key, inside the page: the key takes more rows instead
    key = page.school_key
    for label in key.labels:
        assert label.isVisibleTo(key)
        right = label.mapTo(key, label.rect().topRight()).x()
        assert right <= key.width()
    assert key.height() > 2 * key.labels[0].height()


def test_a_decided_match_shows_its_whole_reason_and_the_saved_note(
    qtbot, window: ChairWindow, scripted, made: Exchange
) -> None:
    open_both(qtbot, window, scripted, made)
    page = open_across(qtbot, window)
    candidates = page.candidates_model.candidates()
    adult = next(c for c in candidates if c.kind == Kind.ADULT)
    other = next(c for c in candidates if c.key != adult.key)
    assert page.select_candidate(adult.key)
    note = "Same nickname and the same grey hatchback described by both DSLs at the gates. " * 16
    qtbot.keyClicks(page.note_edit, note)
    qtbot.mouseClick(page.confirm_button, LEFT)
    wait_idle(qtbot, window)
    assert page.selected_key() == adult.key
    assert page.note_edit.text() == note.strip()  # the saved note, not an empty box
    # each candidate shows its own note in the box
    assert page.select_candidate(other.key)
    assert page.note_edit.text() == ""
    assert page.select_candidate(adult.key)
    assert page.note_edit.text() == note.strip()
    # the detail: every reason and the note, word-wrapped and none of it cut off
    label = page.reasons_label
    for reason in adult.reasons:
        assert reason in label.text()
    assert note.strip() in label.text()
    QApplication.processEvents()
    assert label.wordWrap() and label.height() >= label.heightForWidth(label.width())
    assert page.detail_scroll.verticalScrollBar().maximum() > 0  # long: it scrolls
    # in presentation mode the note is shown without names, and cannot be edited there
    window.presentation_action.trigger()
    assert page.note_edit.isReadOnly()
    window.presentation_action.trigger()
    assert not page.note_edit.isReadOnly() and page.note_edit.text() == note.strip()


def start_meeting_record(qtbot, window: ChairWindow):
    """The Meeting page, its record started (on a worker) and shown."""
    window.show_page("meeting")
    page = window.meeting
    wait_idle(qtbot, window)
    page.start_record()
    wait_idle(qtbot, window)
    return page


def agree_two(qtbot, window: ChairWindow, scripted, made: Exchange):
    """A meeting record with an action for school one and, for school two, an action not
    taken forward."""
    open_both(qtbot, window, scripted, made)
    page = start_meeting_record(qtbot, window)
    dialog = agree_through_dialog(qtbot, page, scripted, made)
    dialog.save()
    wait_idle(qtbot, window)
    dialog = page.agree_action(SCHOOL_TWO)
    dialog.status.set_value(ActionStatus.NOT_TAKEN_FORWARD.value)
    dialog._status_changed()
    qtbot.keyClicks(dialog.rationale, "Already working with Motiv8 since the autumn")
    dialog.save()
    wait_idle(qtbot, window)
    assert errors(scripted) == [] and page.actions_model.rowCount() == 2
    return page


def test_the_key_columns_show_at_1280_pixels_and_keep_a_width_chosen(
    qtbot, window: ChairWindow, scripted, made: Exchange
) -> None:
    window.resize(1280, 800)
    page = agree_two(qtbot, window, scripted, made)
    page.tabs.setCurrentIndex(2)
    QApplication.processEvents()
    model = page.actions_model
    key_columns = (model.CODE, model.FOR, model.ACTION, model.OWNER, model.DUE, model.STATUS,
                   model.RATIONALE)
    assert all(section_shown(page.actions_view, c) for c in key_columns)
    dropped = next(r for r in range(model.rowCount())
                   if model.index(r, model.STATUS).data() == ActionStatus.NOT_TAKEN_FORWARD.value)
    rationale = model.index(dropped, model.RATIONALE)
    assert rationale.data() == "Already working with Motiv8 since the autumn"
    assert rationale.data(Qt.ItemDataRole.ToolTipRole) == rationale.data()  # when elided
    # a width the chair chooses is kept through a refresh and a resize of the window
    header = page.actions_view.horizontalHeader()
    header.resizeSection(model.DETAIL, 333)
    page.refresh()
    wait_idle(qtbot, window)
    window.resize(1400, 800)
    QApplication.processEvents()
    assert header.sectionSize(model.DETAIL) == 333
    window.resize(1280, 800)

    window.show_page("outcomes")
    outcomes = window.outcomes
    wait_idle(qtbot, window)
    QApplication.processEvents()
    assert outcomes.choose_school(SCHOOL_ONE) and outcomes.actions_model.rowCount() == 1
    assert all(section_shown(outcomes.actions_view, c) for c in key_columns)

    window.show_page("across")
    places = window.across
    wait_idle(qtbot, window)
    places.tabs.setCurrentIndex(2)
    QApplication.processEvents()
    area = places.places_model
    assert all(section_shown(places.places_view, c)
               for c in (area.PLACE, area.SCHOOLS, area.RATING, area.KIND, area.NAMED_BY))


def test_actions_not_taken_forward_are_counted_apart(
    qtbot, window: ChairWindow, scripted, made: Exchange
) -> None:
    page = agree_two(qtbot, window, scripted, made)
    assert page.actions_count.text() == "1 agreed · 1 not taken forward"
    window.show_page("outcomes")
    outcomes = window.outcomes
    wait_idle(qtbot, window)
    texts = {outcomes.schools.item(r).data(Qt.ItemDataRole.UserRole): outcomes.schools.item(r).text()
             for r in range(outcomes.schools.count())}
    assert texts[SCHOOL_ONE].endswith("· 1 action")
    assert texts[SCHOOL_TWO].endswith("· 1 not taken forward")
    assert outcomes.choose_school(SCHOOL_TWO)
    assert outcomes.school_heading.text().endswith("to send: 1 not taken forward")


def test_apologies_are_called_apologies_and_the_longer_list_gets_the_room(
    qtbot, window: ChairWindow, scripted, made: Exchange
) -> None:
    window.resize(1280, 800)
    open_both(qtbot, window, scripted, made)
    page = start_meeting_record(qtbot, window)
    assert page.apologies.add_button.text() == "Add apology"
    assert page.apologies.remove_button.text() == "Remove apology"
    assert page.attendees.add_button.text() == "Add attendee"
    for n in range(10 - page.attendees.table.rowCount()):
        qtbot.keyClicks(page.attendees.name_edit, f"Attendee {n}")
        qtbot.mouseClick(page.attendees.add_button, LEFT)
    for name in ("Chris Example", "Lee Example"):
        qtbot.keyClicks(page.apologies.name_edit, name)
        qtbot.mouseClick(page.apologies.add_button, LEFT)
    assert page.attendees.table.rowCount() >= 10 and page.apologies.table.rowCount() == 2
    QApplication.processEvents()
    attendees, apologies = page.attendees.table, page.apologies.table
    assert attendees.height() > apologies.height()
    last = attendees.rowCount() - 1  # every attendee shows, with no scrolling
    assert attendees.rowViewportPosition(last) + attendees.rowHeight(last) <= attendees.viewport().height()
