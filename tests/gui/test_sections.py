"""The pieces of the record sections: table models, the filter, input fields, editors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableView

from saferyp_desktop.domain.records import (
    Adult,
    Evidence,
    KeyConcern,
    Kind,
    Link,
    Membership,
    PeerGroup,
    YoungPerson,
)
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.ui import clipboard
from saferyp_desktop.ui import dialogs as dialogs_module
from saferyp_desktop.ui.dialogs import ScriptedDialogs
from saferyp_desktop.ui.sections.editors import AdultEditor, YoungPersonEditor
from saferyp_desktop.ui.sections.fields import (
    CheckList,
    ListTextEdit,
    OptionalDateEdit,
    OptionalNumber,
    RecordPicker,
)
from saferyp_desktop.ui.sections.filter_proxy import RecordFilterProxy
from saferyp_desktop.ui.sections.record_models import (
    AdultsModel,
    ConcernsModel,
    PeerGroupsModel,
    YoungPeopleModel,
)
from saferyp_desktop.ui.sections.roles import RecordIdRole, RetiredRole
from saferyp_desktop.ui.session import Session

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    workspace = Workspace.create(
        tmp_path / "test.sypdb", PASSPHRASE, WorkspaceDetails(name="Test School", urn="123456")
    )
    session = Session(workspace)
    yield session
    session.close()


@pytest.fixture
def scripted() -> Iterator[ScriptedDialogs]:
    service = ScriptedDialogs()
    previous = dialogs_module.install(service)
    yield service
    dialogs_module.install(previous)


def pupils(session: Session, *names: str, **fields) -> list[YoungPerson]:
    made = []
    for name in names:
        record = YoungPerson(name=name, **fields)
        session.save(record)
        made.append(session.table().get(record.id))
    return made


def column(model, column_number: int) -> list[str]:
    return [model.index(r, column_number).data() for r in range(model.rowCount())]


# -- table models ------------------------------------------------------------------------------
def test_record_model_passes_the_model_tester(qtmodeltester, session: Session) -> None:
    pupils(session, "Test Pupil One", "Test Pupil Two")
    model = YoungPeopleModel(session)
    model.sort(YoungPeopleModel.NAME, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)
    session.changed.connect(model.on_changed)
    pupils(session, "Test Pupil Three")
    session.retire(session.table().of_kind(Kind.YOUNG_PERSON)[0])
    model.sort(YoungPeopleModel.CODE)
    session.set_presentation(True)
    model.refresh_all()
    model.clear()


def test_an_added_record_is_inserted_and_an_edit_changes_only_its_row(qtbot, session: Session) -> None:
    first, second = pupils(session, "Test Pupil One", "Test Pupil Two")
    model = YoungPeopleModel(session)
    session.changed.connect(model.on_changed)
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.rowsInserted, timeout=1000):
        pupils(session, "Test Pupil Three")
    assert column(model, YoungPeopleModel.CODE) == ["YP-01", "YP-02", "YP-03"]
    changed_rows = []
    model.dataChanged.connect(lambda top, bottom, _roles=(): changed_rows.append((top.row(), bottom.row())))
    second.year_group = 11
    session.save(second)
    assert changed_rows == [(1, 1)]
    assert model.index(1, YoungPeopleModel.YEAR).data() == "11"
    # Evidence changes the row of the record it is about ("last confirmed or evidenced").
    session.save(Evidence(subject_id=first.id, observed=date(2025, 1, 6), source="police"))
    assert model.index(0, YoungPeopleModel.LAST_SEEN).data() == "2025-01-06"
    assert resets == []


def test_model_rows_know_their_record_and_whether_it_is_retired(session: Session) -> None:
    (pupil,) = pupils(session, "Test Pupil One")
    model = YoungPeopleModel(session)
    session.changed.connect(model.on_changed)
    index = model.index(0, 0)
    assert index.data(RecordIdRole) == pupil.id
    assert index.data(RetiredRole) is False
    session.retire(pupil)
    assert model.index(0, 0).data(RetiredRole) is True
    assert model.row_of(pupil.id) == 0 and model.row_of("nobody") == -1


def test_sorting_follows_meaning_not_spelling(session: Session) -> None:
    for number in range(1, 12):
        pupils(session, f"Test Pupil {number}", year_group=None if number == 5 else number % 3 + 7,
               concern_level=("low", "medium", "high")[number % 3])
    model = YoungPeopleModel(session)
    assert column(model, YoungPeopleModel.CODE)[-2:] == ["YP-10", "YP-11"]  # not YP-10 after YP-1
    model.sort(YoungPeopleModel.YEAR)
    years = column(model, YoungPeopleModel.YEAR)
    assert years[-1] == ""  # not known sorts last
    assert years[:-1] == sorted(years[:-1], key=int)
    model.sort(YoungPeopleModel.CONCERN)
    concerns = column(model, YoungPeopleModel.CONCERN)
    assert concerns.index("low") > concerns.index("medium") > concerns.index("high") == 0


def test_sorting_keeps_the_selection_on_the_same_record(qtbot, session: Session) -> None:
    pupils(session, "Test Pupil Alpha", "Test Pupil Beta", "Test Pupil Gamma")
    model = YoungPeopleModel(session)
    proxy = RecordFilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.selectionModel().setCurrentIndex(
        proxy.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.sortByColumn(YoungPeopleModel.NAME, Qt.SortOrder.DescendingOrder)
    assert column(proxy, YoungPeopleModel.NAME) == ["Test Pupil Gamma", "Test Pupil Beta", "Test Pupil Alpha"]
    assert view.currentIndex().row() == 2
    assert view.currentIndex().data() == "YP-01"


def test_group_and_concern_rows_reword_when_a_member_is_renamed(session: Session) -> None:
    (pupil,) = pupils(session, "Test Pupil One")
    session.save(PeerGroup(label="Test Group", members=[Membership(person_id=pupil.id)]))
    session.save(KeyConcern(text="Test concern", linked_ids=[pupil.id]))
    groups, concerns = PeerGroupsModel(session), ConcernsModel(session)
    for model in (groups, concerns):
        session.changed.connect(model.on_changed)
    assert groups.index(0, PeerGroupsModel.MEMBERS).data() == "YP-01 Test Pupil One"
    pupil.name = "Test Pupil Renamed"
    session.save(pupil)
    assert groups.index(0, PeerGroupsModel.MEMBERS).data() == "YP-01 Test Pupil Renamed"
    assert concerns.index(0, ConcernsModel.LINKED).data() == "YP-01 Test Pupil Renamed"


def test_presentation_mode_reduces_people_in_the_models(session: Session) -> None:
    session.save(Adult(name="Test Adult One", aliases=["Test Alias"], handles=["@test_handle"]))
    model = AdultsModel(session)
    session.presentationChanged.connect(lambda _on: model.refresh_all())
    session.set_presentation(True)
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[AdultsModel.NAME] == "TAO"
    assert row[AdultsModel.ALIASES] == "" and row[AdultsModel.HANDLES] == ""
    assert "test adult one" not in model.haystack(0) and "alias" not in model.haystack(0)


# -- the filter ---------------------------------------------------------------------------------
def test_filter_matches_every_word_in_any_column_and_hides_retired_rows(qtmodeltester, session: Session) -> None:
    one, two, three = pupils(session, "Test Pupil One", "Test Pupil Two", "Test Pupil Three")
    model = YoungPeopleModel(session)
    session.changed.connect(model.on_changed)
    proxy = RecordFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    assert proxy.filterKeyColumn() == -1
    assert proxy.filterCaseSensitivity() == Qt.CaseSensitivity.CaseInsensitive
    proxy.set_search("PUPIL tw")
    assert column(proxy, 0) == ["YP-02"]
    proxy.set_search("yp-0 pupil")
    assert column(proxy, 0) == ["YP-01", "YP-02", "YP-03"]
    proxy.set_search("one two")
    assert column(proxy, 0) == []
    proxy.set_search("two tpt")  # name and initials, in any order
    assert column(proxy, 0) == ["YP-02"]
    proxy.set_search("")
    session.retire(three)
    assert column(proxy, 0) == ["YP-01", "YP-02"]
    proxy.set_show_retired(True)
    assert column(proxy, 0) == ["YP-01", "YP-02", "YP-03"]


# -- fields ---------------------------------------------------------------------------------------
def test_optional_date_is_set_by_its_check_box(qtbot) -> None:
    field = OptionalDateEdit("Due by")
    qtbot.addWidget(field)
    assert field.value() is None and not field.edit.isEnabled()
    with qtbot.waitSignal(field.changed, timeout=1000):
        qtbot.mouseClick(field.check, Qt.MouseButton.LeftButton)
    assert field.value() == date.today()
    field.set_value(date(2026, 3, 4))
    assert field.value() == date(2026, 3, 4) and field.check.isChecked()
    qtbot.mouseClick(field.check, Qt.MouseButton.LeftButton)
    assert field.value() is None
    assert field.edit.text() == "Not set"


def test_list_text_splits_on_commas_and_semicolons(qtbot) -> None:
    field = ListTextEdit()
    qtbot.addWidget(field)
    qtbot.keyClicks(field, "Test Alias; TA , Tee;;")
    assert field.values() == ["Test Alias", "TA", "Tee"]
    field.set_values(["a", "b"])
    assert field.text() == "a, b"


def test_optional_number_can_be_not_known(qtbot) -> None:
    field = OptionalNumber(3, 25)
    qtbot.addWidget(field)
    assert field.number() is None and field.text() == "Not known"
    field.set_number(14)
    assert field.number() == 14
    field.set_number(None)
    assert field.number() is None


def test_check_list_ticks_with_the_space_bar(qtbot) -> None:
    field = CheckList([("cse", "Child Sexual Exploitation"), ("cce", "Child Criminal Exploitation")])
    qtbot.addWidget(field)
    field.setCurrentRow(1)
    with qtbot.waitSignal(field.changed, timeout=1000):
        qtbot.keyClick(field, Qt.Key.Key_Space)
    assert field.values() == ["cce"]
    field.set_values(["cse"])
    assert field.values() == ["cse"]


def test_record_picker_understands_codes_names_and_unique_parts(qtbot, session: Session) -> None:
    one, two = pupils(session, "Test Pupil One", "Test Pupil Two")
    picker = RecordPicker()
    qtbot.addWidget(picker)
    picker.set_candidates(session, session.table().of_kind(Kind.YOUNG_PERSON))
    assert picker.candidate_texts() == ["YP-01 Test Pupil One", "YP-02 Test Pupil Two"]
    for text, expected in (("yp-02", two.id), ("YP-01 Test Pupil One", one.id), ("pupil two", two.id),
                           ("test pupil", None), ("nobody", None), ("", None)):
        picker.setText(text)
        assert picker.record_id() == expected, text
    session.set_presentation(True)
    picker.set_candidates(session, session.table().of_kind(Kind.YOUNG_PERSON))
    assert picker.candidate_texts() == ["YP-01 TPO", "YP-02 TPT"]


# -- editors ----------------------------------------------------------------------------------------
def test_initials_follow_the_name_until_edited_by_hand(qtbot, session: Session, scripted) -> None:
    editor = YoungPersonEditor(session)
    qtbot.addWidget(editor)
    editor.start_new()
    qtbot.keyClicks(editor.name_edit, "Test Pupil One")
    assert editor.initials_edit.text() == "TPO"
    editor.initials_edit.clear()
    qtbot.keyClicks(editor.initials_edit, "TP")
    assert editor.apply()
    stored = session.table().get(editor.record_id)
    assert (stored.code, stored.initials) == ("YP-01", "TP")
    qtbot.keyClicks(editor.name_edit, "x")
    assert editor.initials_edit.text() == "TP"  # edited by hand: left alone


def test_an_editor_refusal_shows_the_one_sentence_and_keeps_the_edit(qtbot, session: Session, scripted) -> None:
    editor = YoungPersonEditor(session)
    qtbot.addWidget(editor)
    editor.start_new()
    assert not editor.apply()  # no name yet
    assert scripted.shown == [("error", "Not saved", "A young person needs a name.")]
    assert editor.is_new
    assert session.table().of_kind(Kind.YOUNG_PERSON) == []


def test_adult_editor_in_presentation_mode_holds_no_personal_text(qtbot, session: Session, scripted) -> None:
    adult = Adult(name="Test Adult One", aliases=["Test Alias"], handles=["07700 900123"])
    session.save(adult)
    session.set_presentation(True)
    editor = AdultEditor(session)
    qtbot.addWidget(editor)
    editor.show_record(session.table().get(adult.id))
    assert editor.name_edit.text() == "TAO" and editor.name_edit.isReadOnly()
    assert editor.aliases.text() == "" and editor.handles.text() == ""
    assert editor.presentation_note.isVisibleTo(editor)
    assert "Test Adult One" not in editor.heading.text()


def test_link_evidence_and_link_rows_in_detail_models(qtmodeltester, session: Session) -> None:
    from saferyp_desktop.ui.sections.detail_models import EvidenceTableModel, LinksTableModel

    one, two = pupils(session, "Test Pupil One", "Test Pupil Two")
    session.save(Link(a_id=one.id, b_id=two.id, relation="friends with", confidence="confirmed"))
    session.save(Evidence(subject_id=one.id, observed=date(2025, 2, 3), source="peer_report", summary="Test"))
    links, evidence = LinksTableModel(), EvidenceTableModel()
    qtmodeltester.check(links, force_py=True)
    links.show(session, one.id)
    evidence.show(session, one.id)
    assert [links.index(0, c).data() for c in range(4)] == [
        "YP-01 Test Pupil One", "friends with", "YP-02 Test Pupil Two", "confirmed"]
    assert evidence.index(0, EvidenceTableModel.SOURCE).data() == "Peer report"
    links.clear()
    assert links.rowCount() == 0 and links.rowCount(QModelIndex()) == 0


# -- the clipboard ----------------------------------------------------------------------------------
def test_clipboard_is_cleared_only_if_it_still_holds_our_text(qapp) -> None:
    board = QGuiApplication.clipboard()
    clipboard.copy_text("YP-01\tTest Pupil One\n")
    assert clipboard.holds_ours()
    board.setText("something the user copied elsewhere")
    assert not clipboard.clear_if_ours()
    assert board.text() == "something the user copied elsewhere"
    clipboard.copy_text("YP-01\tTest Pupil One\n")
    assert clipboard.clear_if_ours()
    assert board.text() == ""
