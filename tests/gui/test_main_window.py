"""The main window, driven as a DSL would: real workspaces in tmp_path, fictional names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QSettings,
    Qt,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)
from pytestqt.modeltest import ModelTester

from saferyp_desktop.domain.records import (
    Action,
    ActionStatus,
    Adult,
    Evidence,
    KeyConcern,
    Kind,
    Link,
    Location,
    Meeting,
    Membership,
    PeerGroup,
    Relation,
    Strength,
    YoungPerson,
)
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.ui import clipboard
from saferyp_desktop.ui import dialogs as dialogs_module
from saferyp_desktop.ui.dialogs import ScriptedDialogs
from saferyp_desktop.ui.main_window import SECTIONS, MainWindow
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.settings import Preferences

PASSPHRASE = "correct horse battery staple"
LEFT = Qt.MouseButton.LeftButton
FULL_NAMES = ("Test Pupil One", "Test Pupil Two", "Test Adult One", "Test Alias")


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def scripted() -> Iterator[ScriptedDialogs]:
    service = ScriptedDialogs()
    previous = dialogs_module.install(service)
    yield service
    dialogs_module.install(previous)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sypdb"


def _new_workspace(path: Path, demo: bool = False) -> Workspace:
    return Workspace.create(
        path,
        PASSPHRASE,
        WorkspaceDetails(name="Test School", urn="123456", dsl="Test Staff One", demo=demo),
    )


@pytest.fixture
def session(workspace_path: Path) -> Iterator[Session]:
    session = Session(_new_workspace(workspace_path))
    yield session
    if not session.workspace.db.closed:
        session.close()


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    return Preferences(QSettings(str(tmp_path / "preferences.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, session: Session, preferences: Preferences, scripted) -> Iterator[MainWindow]:
    window = MainWindow(session, preferences)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.clear()


# -- helpers -----------------------------------------------------------------------------------
def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, LEFT)


def add_through_editor(qtbot, window: MainWindow, kind: Kind, first_field: str, text: str) -> str:
    """Add a record as a person would: Add, type into the first field, press Enter."""
    section = window.section(kind)
    window.show_section(kind)
    click(qtbot, section.add_button)
    field: QLineEdit = getattr(section.editor, first_field)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert not section.editor.is_new, "the record was not saved"
    return section.editor.record_id


def table_texts(window: MainWindow, kind: Kind) -> list[list[str]]:
    """What the section's table shows, row by row (after the filter)."""
    section = window.section(kind)
    proxy = section.proxy
    return [
        [proxy.index(r, c).data() for c in range(proxy.columnCount())]
        for r in range(proxy.rowCount())
    ]


def shown_codes(window: MainWindow, kind: Kind) -> list[str]:
    return [row[0] for row in table_texts(window, kind)]


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    texts = []
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal)
        if header is not None:
            texts.append(str(header))
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole):
                value = index.data(role)
                if isinstance(value, str):
                    texts.append(value)
        first = model.index(row, 0, parent)
        if not isinstance(model, QAbstractListModel | QAbstractTableModel) and model.hasChildren(first):
            texts.extend(model_texts(model, first))
    return texts


def every_text(window: MainWindow) -> list[str]:
    """Every string a person could see or a screen reader could read, in every widget
    and every model of the window, and every label and tooltip in the diagram."""
    texts = [window.windowTitle()]
    widgets = window.findChildren(QWidget)
    for widget in [window, *widgets]:
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName(), widget.statusTip()]
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        for action in widget.actions():
            texts += [action.text(), action.toolTip()]
    for model in window.findChildren(QAbstractItemModel):
        texts += model_texts(model)
    if window.diagram is not None:
        for item in window.diagram.scene().items():
            texts.append(item.toolTip())
            if hasattr(item, "text"):
                texts.append(item.text())
    return [t for t in texts if t]


def leaked(texts: list[str], names=FULL_NAMES) -> list[str]:
    return [t for t in texts if any(name.casefold() in t.casefold() for name in names)]


def seed(session: Session) -> dict[str, str]:
    """A small fictional mapping table saved through the session; returns ids by name."""
    pupil = YoungPerson(name="Test Pupil One", year_group=9, harm_categories=["cce"], concern_level="high")
    other = YoungPerson(name="Test Pupil Two", year_group=10, known_to=["police"])
    adult = Adult(name="Test Adult One", aliases=["Test Alias"], harm_categories=["county_lines"])
    park = Location(label="Test Park", postcode="zz1 1zz", harm_categories=["cce"], rating="red")
    for record in (pupil, other, adult, park):
        session.save(record)
    session.save(Link(a_id=adult.id, b_id=pupil.id, relation=Relation.SUSPECTED_OF_EXPLOITING.value,
                      confidence="suspected"))
    session.save(Link(a_id=pupil.id, b_id=park.id, relation=Relation.SPENDS_TIME_AT.value))
    session.save(Evidence(subject_id=pupil.id, observed=date.today(), source="staff_observation",
                          summary="Seen with an older male after school."))
    group = PeerGroup(label="Test Group", members=[Membership(person_id=pupil.id, role="leader"),
                                                   Membership(person_id=other.id)])
    session.save(group)
    session.save(Strength(label="Test Club", linked_ids=[pupil.id]))
    session.save(KeyConcern(text="Who collects them after school?", is_question=True, linked_ids=[pupil.id]))
    session.save(Action(catalogue_key="mash_referral", sub_choice="Early Help", linked_ids=[pupil.id],
                        owner_agency="school"))
    session.save(Meeting(date=date.today() + timedelta(days=14), venue="Test Hall"))
    return {"pupil": pupil.id, "other": other.id, "adult": adult.id, "park": park.id,
            "group": group.id}


# -- the window -----------------------------------------------------------------------------------
def test_title_is_the_file_name_only_and_no_demo_banner(window: MainWindow) -> None:
    assert window.windowTitle() == "SaferYP Desktop — test.sypdb"
    assert window.demo_banner.isHidden()
    assert window.file_label.text() == "test.sypdb"
    assert window.encryption_label.text() == "Encrypted (SQLCipher 4)"


def test_demo_workspace_shows_the_demo_banner(qtbot, tmp_path: Path, preferences, scripted) -> None:
    session = Session(_new_workspace(tmp_path / "demo.sypdb", demo=True))
    try:
        window = MainWindow(session, preferences)
        qtbot.addWidget(window)
        window.show()
        assert window.demo_banner.isVisible()
        assert window.demo_banner.text() == "Demo workspace — all people and places are fictional"
        window.clear()
    finally:
        session.close()


def test_navigation_lists_every_section_with_its_shortcut(qtbot, window: MainWindow) -> None:
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == [
        "Overview", "Young people", "Adults", "Peer groups", "Locations & contexts", "Strengths",
        "Spider diagram", "Concerns & questions", "Actions", "Meetings",
    ]
    shortcuts = [a.shortcut().toString() for a in window.section_actions]
    assert shortcuts == [f"Ctrl+{n}" for n in "1234567890"]
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_index() == 2
    window.navigation.setFocus()
    qtbot.keyClick(window.navigation, Qt.Key.Key_Down)
    assert window.current_index() == 3
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert SECTIONS[window.current_index()].key == "meeting"


def test_every_editor_fits_its_pane_at_1280_wide(qtbot, window: MainWindow) -> None:
    """No editor is wider than the pane beside its table (it would scroll sideways and
    hide its right edge, as the Locations editor did with its one-line heading)."""
    window.resize(1280, 800)
    for kind in (Kind.YOUNG_PERSON, Kind.ADULT, Kind.PEER_GROUP, Kind.LOCATION,
                 Kind.STRENGTH, Kind.KEY_CONCERN, Kind.ACTION, Kind.MEETING):  # fmt: skip
        window.show_section(kind)
        section = window.section(kind)
        qtbot.waitUntil(section.scroll.isVisible)
        section.scroll.widget().layout().activate()
        assert section.scroll.horizontalScrollBar().maximum() == 0, kind


def test_menus_show_their_shortcuts(window: MainWindow) -> None:
    def shortcut(menu, text):
        action = next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))
        return action.shortcut().toString()

    assert shortcut(window.file_menu, "Prepare for a meeting") == "Ctrl+M"
    assert shortcut(window.file_menu, "Lock") == "Ctrl+L"
    assert shortcut(window.edit_menu, "Undo") == "Ctrl+Z"
    assert shortcut(window.edit_menu, "Redo") == "Ctrl+Shift+Z"
    assert shortcut(window.edit_menu, "Add") == "Ctrl+N"
    assert shortcut(window.edit_menu, "Retire") == "Del"
    assert shortcut(window.edit_menu, "Copy") == "Ctrl+C"
    assert shortcut(window.edit_menu, "Find") == "Ctrl+F"
    assert shortcut(window.view_menu, "Presentation mode") == "F5"


def test_lock_and_prepare_are_signals_for_the_controller(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.lockRequested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.prepareRequested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)


def test_status_bar_says_when_the_last_change_was_saved(qtbot, window: MainWindow) -> None:
    assert window.saved_label.text() == "No changes yet"
    add_through_editor(qtbot, window, Kind.LOCATION, "label_edit", "Test Park")
    assert window.saved_label.text().startswith("Saved ")
    assert len(window.saved_label.text()) == len("Saved 12:34:56")


# -- adding, linking, evidence ---------------------------------------------------------------------
def test_add_people_and_a_place_link_them_and_add_evidence(qtbot, window: MainWindow, session: Session) -> None:
    pupil_id = add_through_editor(qtbot, window, Kind.YOUNG_PERSON, "name_edit", "Test Pupil One")
    editor = window.section(Kind.YOUNG_PERSON).editor
    assert editor.initials_edit.text() == "TPO"
    # Tick a harm category with the keyboard, and set the level of concern, then save.
    editor.harm.setFocus()
    editor.harm.setCurrentRow(1)
    qtbot.keyClick(editor.harm, Qt.Key.Key_Space)
    editor.concern.setCurrentIndex(editor.concern.findData("high"))
    click(qtbot, editor.save_button)
    adult_id = add_through_editor(qtbot, window, Kind.ADULT, "name_edit", "Test Adult One")
    park_id = add_through_editor(qtbot, window, Kind.LOCATION, "label_edit", "Test Park")

    assert table_texts(window, Kind.YOUNG_PERSON)[0][:3] == ["YP-01", "Test Pupil One", "TPO"]
    assert "Child Criminal Exploitation" in table_texts(window, Kind.YOUNG_PERSON)[0]
    assert shown_codes(window, Kind.ADULT) == ["AD-01"]
    assert shown_codes(window, Kind.LOCATION) == ["LC-01"]
    stored = session.table().get(pupil_id)
    assert stored.harm_categories == ["cce"] and stored.concern_level == "high"

    # Link the young person to the adult, picking the adult by its code.
    section = window.show_section(Kind.YOUNG_PERSON) and window.section(Kind.YOUNG_PERSON)
    assert section.select_record(pupil_id)
    click(qtbot, section.links.add_button)
    dialog = section.links.dialog
    assert dialog is not None
    dialog.direction.setCurrentIndex(dialog.direction.findData("backward"))
    dialog.relation.setCurrentIndex(dialog.relation.findData(Relation.SUSPECTED_OF_EXPLOITING.value))
    qtbot.keyClicks(dialog.other, "AD-01")
    dialog.confidence.setCurrentIndex(dialog.confidence.findData("suspected"))
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert section.links.model.rowCount() == 1
    assert section.links.view.model().index(0, 0).data() == "AD-01 Test Adult One"

    # And to the park, by typing part of its name.
    click(qtbot, section.links.add_button)
    dialog = section.links.dialog
    dialog.relation.setCurrentIndex(dialog.relation.findData(Relation.SPENDS_TIME_AT.value))
    qtbot.keyClicks(dialog.other, "test park")
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    links = session.table().links_of(pupil_id)
    assert {(lk.a_id, lk.relation, lk.b_id) for lk in links} == {
        (adult_id, Relation.SUSPECTED_OF_EXPLOITING.value, pupil_id),
        (pupil_id, Relation.SPENDS_TIME_AT.value, park_id),
    }

    # Evidence on the young person.
    click(qtbot, section.evidence.add_button)
    evidence_dialog = section.evidence.dialog
    evidence_dialog.source.setCurrentIndex(evidence_dialog.source.findData("disclosure"))
    qtbot.keyClicks(evidence_dialog.summary, "Said an older male gives lifts after school.")
    click(qtbot, evidence_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert section.evidence.model.rowCount() == 1
    assert section.evidence.model.index(0, 1).data() == "Disclosure by the young person"
    item = session.table().evidence_of(pupil_id)[0]
    assert item.recorded_by == "Test Staff One" and item.observed == date.today()

    # Evidence on the link, from the Links tab.
    section.links.select_link(next(lk.id for lk in links if lk.b_id == pupil_id))
    click(qtbot, section.links.evidence_button)
    qtbot.keyClicks(section.links.dialog.summary, "Seen in the car park.")
    click(qtbot, section.links.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    link_id = next(lk.id for lk in links if lk.b_id == pupil_id)
    assert len(session.table().evidence_of(link_id)) == 1

    # The diagram draws all three and the links between them.
    window.show_section("diagram")
    scene = window.diagram.diagram_scene
    qtbot.waitUntil(lambda: scene.node_item(pupil_id) is not None, timeout=3000)
    assert {pupil_id, adult_id, park_id} <= {item.node.id for item in scene.node_items()}
    assert len(scene.drawn_edges()) == 2


def test_every_kind_of_record_can_be_added_in_its_editor(qtbot, window: MainWindow, session: Session, scripted) -> None:
    pupil = YoungPerson(name="Test Pupil One")
    session.save(pupil)
    # A peer group with a member picked by code, and a role typed in.
    group_id = add_through_editor(qtbot, window, Kind.PEER_GROUP, "label_edit", "Test Group")
    editor = window.section(Kind.PEER_GROUP).editor
    qtbot.keyClicks(editor.members.picker, "YP-01")
    qtbot.keyClick(editor.members.picker, Qt.Key.Key_Return)
    editor.members.table.item(0, 1).setText("leader")
    click(qtbot, editor.save_button)
    assert session.table().get(group_id).members == [Membership(person_id=pupil.id, role="leader")]
    assert "YP-01 Test Pupil One" in table_texts(window, Kind.PEER_GROUP)[0]

    strength_id = add_through_editor(qtbot, window, Kind.STRENGTH, "label_edit", "Test Club")
    assert session.table().get(strength_id).strength_kind == "trusted adult"

    # A concern: the text is several lines, so it is saved with the button.
    window.show_section(Kind.KEY_CONCERN)
    section = window.section(Kind.KEY_CONCERN)
    click(qtbot, section.add_button)
    qtbot.keyClicks(section.editor.text_edit, "Who collects them after school?")
    click(qtbot, section.editor.is_question)
    qtbot.keyClicks(section.editor.linked.picker, "Test Pupil")
    click(qtbot, section.editor.linked.add_button)
    click(qtbot, section.editor.save_button)
    concern = session.table().of_kind(Kind.KEY_CONCERN)[0]
    assert concern.is_question and concern.linked_ids == [pupil.id]

    # An action not taken forward needs a rationale.
    window.show_section(Kind.ACTION)
    section = window.section(Kind.ACTION)
    click(qtbot, section.add_button)
    editor = section.editor
    editor.catalogue.setCurrentIndex(editor.catalogue.findData("mash_referral"))
    assert editor.sub_choice.isVisibleTo(editor)
    editor.sub_choice.setCurrentIndex(editor.sub_choice.findData("Early Help"))
    editor.status.setCurrentIndex(editor.status.findData(ActionStatus.NOT_TAKEN_FORWARD.value))
    click(qtbot, editor.save_button)
    assert editor.is_new
    assert scripted.shown[-1][2].endswith("is not taken forward, so it needs a rationale.")
    qtbot.keyClicks(editor.rationale, "Already open to social care.")
    click(qtbot, editor.due.check)
    click(qtbot, editor.save_button)
    action = session.table().of_kind(Kind.ACTION)[0]
    assert (action.sub_choice, action.status, action.due) == ("Early Help", "not taken forward", date.today())

    # A meeting with an attendee from the profile's agencies.
    window.show_section(Kind.MEETING)
    section = window.section(Kind.MEETING)
    click(qtbot, section.add_button)
    editor = section.editor
    qtbot.keyClicks(editor.venue, "Test Hall")
    qtbot.keyClicks(editor.attendees.name_edit, "Test Chair One")
    qtbot.keyClicks(editor.attendees.role_edit, "Chair")
    editor.attendees.organisation.setCurrentIndex(editor.attendees.organisation.findData("yps"))
    click(qtbot, editor.attendees.add_button)
    click(qtbot, editor.save_button)
    meeting = session.table().of_kind(Kind.MEETING)[0]
    assert meeting.venue == "Test Hall"
    assert [(a.name, a.role, a.organisation) for a in meeting.attendees] == [("Test Chair One", "Chair", "yps")]
    assert table_texts(window, Kind.MEETING)[0][4] == "1"


def test_confirm_still_current_records_today(qtbot, window: MainWindow, session: Session) -> None:
    park_id = add_through_editor(qtbot, window, Kind.LOCATION, "label_edit", "Test Park")
    editor = window.section(Kind.LOCATION).editor
    assert session.table().get(park_id).last_confirmed is None
    click(qtbot, editor.confirm_button)
    assert session.table().get(park_id).last_confirmed == date.today()
    assert f"Last confirmed: {date.today().isoformat()}." in editor.currency_note.text()
    assert table_texts(window, Kind.LOCATION)[0][-1] == date.today().isoformat()


def test_editing_and_moving_on_saves_the_edit(qtbot, window: MainWindow, session: Session) -> None:
    ids = seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    window.show_section(Kind.YOUNG_PERSON)
    section.select_record(ids["pupil"])
    qtbot.keyClicks(section.editor.gender, "Female")
    assert section.editor.dirty
    section.select_record(ids["other"])  # moving on saves what was typed
    assert session.table().get(ids["pupil"]).gender == "Female"


# -- undo and redo ------------------------------------------------------------------------------
def test_undo_and_redo_restore_the_tables_and_the_file(qtbot, window: MainWindow, session: Session,
                                                       workspace_path: Path) -> None:
    pupil_id = add_through_editor(qtbot, window, Kind.YOUNG_PERSON, "name_edit", "Test Pupil One")
    editor = window.section(Kind.YOUNG_PERSON).editor
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "Test Pupil Two")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)
    assert table_texts(window, Kind.YOUNG_PERSON)[0][1] == "Test Pupil Two"
    add_through_editor(qtbot, window, Kind.ADULT, "name_edit", "Test Adult One")

    window.undo_action.trigger()  # the adult goes
    assert shown_codes(window, Kind.ADULT) == []
    window.undo_action.trigger()  # the rename goes
    assert table_texts(window, Kind.YOUNG_PERSON)[0][1] == "Test Pupil One"
    assert editor.name_edit.text() == "Test Pupil One"
    window.redo_action.trigger()
    assert table_texts(window, Kind.YOUNG_PERSON)[0][1] == "Test Pupil Two"
    window.redo_action.trigger()
    assert shown_codes(window, Kind.ADULT) == ["AD-01"]
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert window.undo_action.text().replace("&", "") == "Undo Add YP-01"

    window.clear()
    session.close()
    with Workspace.open(workspace_path, PASSPHRASE) as reopened:
        table = reopened.table()
        assert table.get(pupil_id).name == "Test Pupil One"
        assert [a.code for a in table.of_kind(Kind.ADULT)] == []
        assert [a.code for a in table.of_kind(Kind.ADULT, include_retired=True)] == ["AD-01"]


def test_ctrl_z_in_a_field_with_nothing_to_undo_undoes_the_last_edit(
    qtbot, window: MainWindow
) -> None:
    add_through_editor(qtbot, window, Kind.YOUNG_PERSON, "name_edit", "Test Pupil One")
    editor = window.section(Kind.YOUNG_PERSON).editor
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "Test Pupil Two")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)  # saved; the cursor stays there
    assert table_texts(window, Kind.YOUNG_PERSON)[0][1] == "Test Pupil Two"
    window.activateWindow()
    editor.name_edit.setFocus()
    qtbot.waitUntil(editor.name_edit.hasFocus)
    assert not editor.name_edit.isUndoAvailable()
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert table_texts(window, Kind.YOUNG_PERSON)[0][1] == "Test Pupil One"
    # while typing, Ctrl+Z undoes the typing in the field, as in any text box
    qtbot.keyClicks(editor.name_edit, "x")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.name_edit.text() == "Test Pupil One"
    assert table_texts(window, Kind.YOUNG_PERSON)[0][1] == "Test Pupil One"


# -- finding and retiring -----------------------------------------------------------------------
def test_filter_box_finds_by_any_column_in_any_case(qtbot, window: MainWindow, session: Session) -> None:
    seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    window.show_section(Kind.YOUNG_PERSON)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert section.filter_edit.hasFocus() or QGuiApplication.focusObject() is section.filter_edit

    def filtered(text: str) -> list[str]:
        section.filter_edit.clear()
        qtbot.keyClicks(section.filter_edit, text)
        qtbot.waitUntil(lambda: section.proxy.search_text == " ".join(text.casefold().split()), timeout=2000)
        return shown_codes(window, Kind.YOUNG_PERSON)

    assert filtered("yp-02") == ["YP-02"]  # code
    assert filtered("PUPIL ONE") == ["YP-01"]  # name, any case
    assert filtered("criminal") == ["YP-01"]  # harm category label
    assert filtered("police") == ["YP-02"]  # known to
    assert filtered("high") == ["YP-01"]  # level of concern
    assert filtered("10") == ["YP-02"]  # year group
    assert filtered("test pupil") == ["YP-01", "YP-02"]  # every word, anywhere
    assert filtered("pupil adult") == []
    # The count follows the rows a moment later (it is not redrawn on every keystroke).
    qtbot.waitUntil(lambda: section.count_label.text() == "0 of 2 shown", timeout=2000)
    section.filter_edit.clear()
    section.apply_filter()
    assert shown_codes(window, Kind.YOUNG_PERSON) == ["YP-01", "YP-02"]


def test_retire_hides_the_row_and_show_retired_shows_it(qtbot, window: MainWindow, session: Session,
                                                        scripted) -> None:
    ids = seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    window.show_section(Kind.YOUNG_PERSON, focus=True)
    section.select_record(ids["other"])
    section.view.setFocus()
    qtbot.keyClick(section.view, Qt.Key.Key_Delete)
    assert scripted.shown[-1][0] == "confirm"
    assert shown_codes(window, Kind.YOUNG_PERSON) == ["YP-01"]
    assert not session.table().get(ids["other"]).active
    click(qtbot, section.show_retired)
    assert shown_codes(window, Kind.YOUNG_PERSON) == ["YP-01", "YP-02"]
    row = section.model.row_of(ids["other"])
    assert section.model.index(row, 0).data(Qt.ItemDataRole.FontRole).italic()
    # The retired record opens read-only, with Restore.
    section.select_record(ids["other"])
    assert not section.editor.fields.isEnabled()
    assert section.editor.restore_button.isVisibleTo(section.editor)
    click(qtbot, section.show_retired)
    assert shown_codes(window, Kind.YOUNG_PERSON) == ["YP-01"]
    # Cancelling the question leaves the record alone.
    scripted.answers.append(False)
    section.select_record(ids["pupil"])
    section.retire_selected()
    assert session.table().get(ids["pupil"]).active
    window.undo_action.trigger()
    assert shown_codes(window, Kind.YOUNG_PERSON) == ["YP-01", "YP-02"]


def test_retiring_a_record_with_unsaved_edits_keeps_it_retired(qtbot, window: MainWindow, session: Session,
                                                               scripted) -> None:
    ids = seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    window.show_section(Kind.YOUNG_PERSON)
    section.select_record(ids["other"])
    qtbot.keyClicks(section.editor.gender, "Male")
    section.retire_selected()
    section.select_record(ids["pupil"])
    assert not session.table().get(ids["other"]).active


def test_enter_on_a_row_moves_to_its_editor(qtbot, window: MainWindow, session: Session) -> None:
    ids = seed(session)
    section = window.section(Kind.ADULT)
    window.show_section(Kind.ADULT, focus=True)
    section.select_record(ids["adult"])
    section.view.setFocus()
    qtbot.keyClick(section.view, Qt.Key.Key_Return)
    assert QGuiApplication.focusObject() is section.editor.name_edit or section.editor.name_edit.hasFocus()


def test_delete_in_a_text_field_does_not_retire(qtbot, window: MainWindow, session: Session, scripted) -> None:
    ids = seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    window.show_section(Kind.YOUNG_PERSON)
    section.select_record(ids["pupil"])
    section.editor.gender.setFocus()
    qtbot.keyClick(section.editor.gender, Qt.Key.Key_Delete)
    assert scripted.shown == []
    assert session.table().get(ids["pupil"]).active


# -- presentation mode ---------------------------------------------------------------------------
def test_presentation_mode_shows_no_full_name_anywhere(qtbot, window: MainWindow, session: Session) -> None:
    ids = seed(session)
    for spec in SECTIONS:  # open every section, so every model and editor exists
        window.show_section(spec.key)
    for kind in (Kind.YOUNG_PERSON, Kind.ADULT, Kind.PEER_GROUP, Kind.STRENGTH, Kind.KEY_CONCERN,
                 Kind.ACTION):
        section = window.section(kind)
        section.select_record(section.model.record_at(0).id)
    window.section(Kind.ADULT).select_record(ids["adult"])
    window.show_section("diagram")
    qtbot.waitUntil(lambda: window.diagram.diagram_scene.node_item(ids["pupil"]) is not None, timeout=3000)
    assert leaked(every_text(window)), "the test data should show full names before presentation mode"

    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert session.presentation
    assert window.presentation_action.isChecked()
    assert window.presentation_label.isVisibleTo(window)
    qtbot.wait(10)
    assert leaked(every_text(window)) == []
    assert "TPO" in table_texts(window, Kind.YOUNG_PERSON)[0]
    adult_editor = window.section(Kind.ADULT).editor
    assert adult_editor.name_edit.isReadOnly() and adult_editor.name_edit.text() == "TAO"
    assert adult_editor.aliases.text() == ""

    # Editing another field in presentation mode keeps the stored name.
    qtbot.keyClicks(adult_editor.vehicle, "Blue van")
    qtbot.keyClick(adult_editor.vehicle, Qt.Key.Key_Return)
    stored = session.table().get(ids["adult"])
    assert (stored.name, stored.aliases, stored.vehicle) == ("Test Adult One", ["Test Alias"], "Blue van")
    assert leaked(every_text(window)) == []

    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert not session.presentation
    assert adult_editor.name_edit.text() == "Test Adult One"


def test_presentation_mode_reduces_names_written_into_free_text(
    qtbot, window: MainWindow, session: Session
) -> None:
    """A DSL writes names into notes, concerns, summaries and link notes; on a projector
    those become initials too (read-only, and never saved back reduced)."""
    ids = seed(session)
    pupil = session.table().get(ids["pupil"])
    pupil.notes = "Test Pupil One was seen with Test Adult One at the park."
    session.save(pupil)
    session.save(KeyConcern(text="Is Test Adult One pressuring Test Pupil Two?",
                            linked_ids=[ids["pupil"]]))
    session.save(Evidence(subject_id=ids["other"], observed=date.today(), source="peer_report",
                          summary="Peers say Test Pupil Two owes Test Adult One money."))
    for spec in SECTIONS:
        window.show_section(spec.key)
    window.section(Kind.YOUNG_PERSON).select_record(ids["pupil"])
    concerns = window.section(Kind.KEY_CONCERN)
    concerns.select_record(concerns.model.record_at(concerns.model.rowCount() - 1).id)
    window.section(Kind.YOUNG_PERSON).select_record(ids["other"])
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.wait(10)
    assert leaked(every_text(window)) == []
    window.section(Kind.YOUNG_PERSON).select_record(ids["pupil"])
    notes = window.section(Kind.YOUNG_PERSON).editor.notes
    assert not notes.isEnabled() and "TPO was seen with TAO" in notes.toPlainText()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert session.table().get(ids["pupil"]).notes.startswith("Test Pupil One was seen")


# -- models -----------------------------------------------------------------------------------------
def test_every_model_passes_the_model_tester_through_edits(qtbot, qtmodeltester, window: MainWindow,
                                                           session: Session, scripted) -> None:
    ids = seed(session)
    for spec in SECTIONS:
        window.show_section(spec.key)
    models = []
    for section in window.sections.values():
        models += [section.model, section.proxy]
        for panel in (section.evidence, section.links):
            if panel is not None:
                models.append(panel.model)
    models += [window.overview.harm_model, *window.overview.findings_models.values()]
    qtmodeltester.check(models[0], force_py=True)
    testers = []
    for model in models[1:]:
        tester = ModelTester(None)
        tester.check(model, force_py=True)
        testers.append(tester)

    section = window.section(Kind.YOUNG_PERSON)
    section.select_record(ids["pupil"])
    section.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    add_through_editor(qtbot, window, Kind.YOUNG_PERSON, "name_edit", "Test Pupil Three")
    section.filter_edit.setText("pupil")
    section.apply_filter()
    section.select_record(ids["other"])
    section.retire_selected()
    click(qtbot, section.show_retired)
    window.undo_action.trigger()
    window.redo_action.trigger()
    session.set_presentation(True)
    session.set_presentation(False)
    session.run_without_undo(lambda: None)  # a bulk change: every model starts again
    window.show_section("overview")
    window.overview.refresh()
    window.clear()
    for tester in testers:
        tester._cleanup()


# -- the overview ----------------------------------------------------------------------------------
def test_overview_shows_counts_meeting_fingerprint_and_findings(window: MainWindow, session: Session) -> None:
    seed(session)
    window.show_section("overview")
    overview = window.overview
    overview.refresh()
    rows = {overview.harm_model.index(r, 0).data(): overview.harm_model.index(r, 5).data()
            for r in range(overview.harm_model.rowCount())}
    assert rows["Child Criminal Exploitation"] == "2"  # a young person and a place
    assert rows["County Lines CCE"] == "1"
    meeting_date = date.today() + timedelta(days=14)
    assert f"{meeting_date.day} {meeting_date:%B %Y}" in overview.meeting_label.text()
    assert "Test Hall" in overview.meeting_label.text()
    assert overview.fingerprint_label.text() == session.workspace.keys().fingerprint
    assert "chair" in overview.fingerprint_note.text()
    assert overview.findings_tabs.tabText(0).startswith("Relevant (")


def test_clicking_an_overview_finding_opens_that_record(qtbot, window: MainWindow, session: Session) -> None:
    ids = seed(session)
    window.show_section("overview")
    window.overview.refresh()
    view = window.overview.findings_views[next(iter(window.overview.findings_views))]
    model = window.overview.findings_models[next(iter(window.overview.findings_models))]
    # "Relevant": Test Pupil Two has no harm category and no link to one.
    row = next(r for r in range(model.rowCount()) if model.id_at(r) == ids["other"])
    rect = view.visualRect(model.index(row, 2))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
    assert SECTIONS[window.current_index()].key == "young_person"
    assert window.section(Kind.YOUNG_PERSON).editor.record_id == ids["other"]


def test_open_record_finds_links_and_filtered_or_retired_records(window: MainWindow, session: Session) -> None:
    ids = seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    section.filter_edit.setText("Two")
    section.apply_filter()
    assert window.open_record(ids["pupil"])  # the filter is cleared to show it
    assert section.editor.record_id == ids["pupil"]
    link = session.table().links_of(ids["park"])[0]
    assert window.open_record(link.id)
    assert section.links.selected_id() == link.id
    session.retire(session.table().get(ids["adult"]))
    assert window.open_record(ids["adult"])
    assert window.section(Kind.ADULT).show_retired.isChecked()
    assert not window.open_record("no-such-id")


# -- the diagram -----------------------------------------------------------------------------------
def test_diagram_opens_records_and_remembers_dragged_positions(qtbot, window: MainWindow, session: Session) -> None:
    ids = seed(session)
    window.show_section("diagram")
    scene = window.diagram.diagram_scene
    qtbot.waitUntil(lambda: scene.node_item(ids["park"]) is not None, timeout=3000)
    scene.move_node(ids["park"], 123.0, 45.0)
    assert session.workspace.diagram_positions()[ids["park"]] == (123.0, 45.0)
    window.diagram.recordActivated.emit(ids["park"])
    assert SECTIONS[window.current_index()].key == "location"
    assert window.section(Kind.LOCATION).editor.record_id == ids["park"]
    # A change while the diagram is hidden is drawn when it is shown again.
    second = Adult(name="Test Adult Two", harm_categories=["cce"])
    session.save(second)
    assert scene.node_item(second.id) is None
    window.show_section("diagram")
    qtbot.waitUntil(lambda: scene.node_item(second.id) is not None, timeout=3000)
    assert scene.node_item(ids["park"]).pos().x() == 123.0  # the dragged position is kept


def test_ctrl_0_fits_the_diagram_while_it_has_focus_and_opens_meetings_elsewhere(qtbot, window: MainWindow,
                                                                              session: Session) -> None:
    seed(session)
    window.show_section("diagram", focus=True)
    window.diagram.setFocus()
    assert window.section_actions[-1].shortcut().isEmpty()  # the diagram's "Fit" has Ctrl+0 here
    qtbot.keyClick(window.diagram, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert SECTIONS[window.current_index()].key == "diagram"
    window.navigation.setFocus()
    assert window.section_actions[-1].shortcut().toString() == "Ctrl+0"
    qtbot.keyClick(window.navigation, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert SECTIONS[window.current_index()].key == "meeting"


# -- clipboard, layout, clearing -------------------------------------------------------------------
def test_copy_puts_the_selected_rows_on_the_clipboard_at_the_level_shown(qtbot, window: MainWindow,
                                                                         session: Session) -> None:
    ids = seed(session)
    section = window.section(Kind.YOUNG_PERSON)
    window.show_section(Kind.YOUNG_PERSON)
    section.select_record(ids["pupil"])
    section.view.setFocus()
    qtbot.keyClick(section.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    assert text.splitlines()[0].startswith("Code\tName\tInitials")
    assert text.splitlines()[1].startswith("YP-01\tTest Pupil One\tTPO")
    assert window.copied_to_clipboard
    session.set_presentation(True)
    window.copy_action.trigger()
    assert "Test Pupil One" not in QGuiApplication.clipboard().text()
    assert clipboard.clear_if_ours()
    assert QGuiApplication.clipboard().text() == ""
    assert not window.copied_to_clipboard


def test_window_and_column_layout_are_remembered(qtbot, window: MainWindow, session: Session,
                                                 preferences: Preferences, scripted) -> None:
    section = window.section(Kind.ADULT)
    section.view.setColumnWidth(1, 311)
    window.resize(701, 503)
    window.close()
    assert preferences.geometry("table_header/adult") is not None
    again = MainWindow(session, preferences)
    qtbot.addWidget(again)
    assert again.section(Kind.ADULT).view.columnWidth(1) == 311
    assert (again.size().width(), again.size().height()) == (701, 503)
    again.reset_layout()
    assert again.section(Kind.ADULT).view.columnWidth(1) == again.section(Kind.ADULT).model.column_width(1)
    again.clear()
    # Preferences hold sizes, never content.
    preferences._s.sync()
    settings_text = Path(preferences._s.fileName()).read_text(encoding="utf-8", errors="replace")
    assert "Test" not in settings_text


def test_clear_forgets_everything_shown(qtbot, window: MainWindow, session: Session) -> None:
    ids = seed(session)
    for spec in SECTIONS:
        window.show_section(spec.key)
    window.section(Kind.YOUNG_PERSON).select_record(ids["pupil"])
    window.section(Kind.ADULT).select_record(ids["adult"])
    qtbot.waitUntil(lambda: bool(window.diagram.diagram_scene.node_items()), timeout=3000)
    qtbot.keyClicks(window.section(Kind.ADULT).editor.vehicle, "Blue van")  # typed, not yet saved
    window.clear()
    assert session.table().get(ids["adult"]).vehicle == "Blue van"  # saved before clearing
    for section in window.sections.values():
        assert section.model.rowCount() == 0 and section.proxy.rowCount() == 0
        assert section.editor.record_id is None
    assert window.overview.harm_model.rowCount() == 0
    assert not window.diagram.diagram_scene.node_items()
    texts = every_text(window)
    assert leaked(texts, ("Test Pupil", "Test Adult", "Test Park", "Test Group", "Test Club", "Test Hall")) == []
    assert not window.add_action.isEnabled()
    # The session goes on changing after the lock: the cleared window does not follow it.
    session.save(YoungPerson(name="Test Pupil Three"))
    assert window.section(Kind.YOUNG_PERSON).model.rowCount() == 0
