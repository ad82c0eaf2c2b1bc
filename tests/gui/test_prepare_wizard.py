"""The "Prepare for a meeting" wizard, driven as a DSL would, on the fictional demo school."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWizard

from saferyp_desktop.domain.checks import Check, run_checks, summary
from saferyp_desktop.domain.records import ActionStatus, Kind, YoungPerson
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.prepare import STEPS, Progress, Step
from saferyp_desktop.services.workspace import Workspace
from saferyp_desktop.ui import dialogs as dialog_service
from saferyp_desktop.ui.prepare_wizard import PAGES, PrepareWizard
from saferyp_desktop.ui.session import Session

PASSPHRASE = "lantern orchard velvet tundra"
NEXT = QWizard.WizardButton.NextButton
BACK = QWizard.WizardButton.BackButton


@pytest.fixture
def scripted() -> Iterator[dialog_service.ScriptedDialogs]:
    service = dialog_service.ScriptedDialogs()
    previous = dialog_service.install(service)
    yield service
    dialog_service.install(previous)


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    path = tmp_path / "demo.sypdb"
    create_demo_workspace(path, PASSPHRASE, seed=1).close()
    return path


@pytest.fixture
def session(demo_path: Path, scripted) -> Iterator[Session]:
    opened = Session(Workspace.open(demo_path, PASSPHRASE))
    yield opened
    if not opened.workspace.db.closed:
        opened.close()


def make_wizard(qtbot, session: Session) -> PrepareWizard:
    wizard = PrepareWizard(session)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def press_next(qtbot, wizard: PrepareWizard) -> None:
    button = wizard.button(NEXT)
    assert button.isEnabled(), wizard.currentPage().reason.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_pages_are_declared_once_in_step_order() -> None:
    assert tuple(step for step, _page in PAGES) == STEPS


def test_prepare_a_meeting_from_start_to_finish(qtbot, session: Session) -> None:
    wizard = make_wizard(qtbot, session)
    prep = wizard.preparation
    table = session.table()
    assert wizard.current_step() == Step.DETAILS
    assert wizard.windowTitle() == "Prepare for a meeting — SaferYP Desktop"

    # Meeting details: the demo's DSL attends; a venue typed is saved on leaving the field.
    details = wizard.page_for(Step.DETAILS)
    assert details.isComplete() and details.reason.isHidden()
    details.venue.clear()
    qtbot.keyClicks(details.venue, "Test Hall")
    details.venue.editingFinished.emit()
    assert session.workspace.repo.record(prep.meeting.id).venue == "Test Hall"
    press_next(qtbot, wizard)

    # Information sharing: Next stays disabled, with the reason, until the DSL confirms.
    sharing = wizard.page_for(Step.SHARING)
    assert not wizard.button(NEXT).isEnabled()
    assert sharing.reason.isVisible()
    assert sharing.reason.text() == "Confirm that the school is signed up to the WISC."
    sharing.confirm.click()
    assert wizard.button(NEXT).isEnabled() and sharing.reason.isHidden()
    press_next(qtbot, wizard)

    # Harm types seen.
    harm = wizard.page_for(Step.HARM_TYPES)
    assert not wizard.button(NEXT).isEnabled()
    harm.boxes["cce"].click()
    harm.boxes["county_lines"].click()
    assert prep.state.harm_types_seen == ["cce", "county_lines"]
    press_next(qtbot, wizard)

    # Young people: confirm one record current, then say there is nothing more to add.
    young = wizard.page_for(Step.YOUNG_PEOPLE)
    assert wizard.current_step() == Step.YOUNG_PEOPLE
    assert young.tree.topLevelItemCount() == len(table.of_kind(Kind.YOUNG_PERSON))
    assert not wizard.button(NEXT).isEnabled()
    assert young.reason.text().startswith("60 of 60 young people are still to look at")
    first = young.tree.topLevelItem(0)
    young.tree.setCurrentItem(first)
    qtbot.mouseClick(young.confirm_button, Qt.MouseButton.LeftButton)
    first_id = table.of_kind(Kind.YOUNG_PERSON)[0].id
    assert session.workspace.repo.record(first_id).last_confirmed == date.today()
    assert young.tree.topLevelItem(0).text(5) == "✓ Confirmed current"
    assert young.progress.text() == "1 of 60 looked at in this preparation."
    assert young.reason.text().startswith("59 of 60 young people are still to look at")
    # The next record still to look at is selected, so Alt+C walks down the list.
    assert young.selected_ids() == [table.of_kind(Kind.YOUNG_PERSON)[1].id]
    assert session.undo_stack.count() >= 1
    young.nothing_more.click()
    press_next(qtbot, wizard)

    for step in (Step.ADULTS, Step.PEER_GROUPS, Step.LOCATIONS):
        assert wizard.current_step() == step
        assert not wizard.button(NEXT).isEnabled()
        wizard.page_for(step).nothing_more.click()
        press_next(qtbot, wizard)

    # Links: always complete.
    assert wizard.current_step() == Step.LINKS
    links = wizard.page_for(Step.LINKS)
    assert links.tree.topLevelItemCount() == len(list(table.active_links()))
    press_next(qtbot, wizard)

    wizard.page_for(Step.STRENGTHS).nothing_more.click()
    press_next(qtbot, wizard)

    # Key concerns: add one about a young person of the "no name without a plan" check.
    concerns = wizard.page_for(Step.CONCERNS)
    unplanned = [f.subject_id for f in prep.findings() if f.check == Check.PLAN]
    before = len(prep.key_concerns())
    qtbot.keyClicks(concerns.text, "Is this young person being drawn into county lines?")
    concerns.question.click()
    concerns.picker.set_checked(unplanned[0])
    qtbot.mouseClick(concerns.add_button, Qt.MouseButton.LeftButton)
    assert len(prep.key_concerns()) == before + 1
    added = prep.key_concerns()[-1]
    assert added.is_question and added.linked_ids == [unplanned[0]]
    assert added.meeting_id == prep.meeting.id
    assert concerns.tree.topLevelItemCount() == before + 1
    assert concerns.text.toPlainText() == ""
    press_next(qtbot, wizard)

    # Proposed actions: a MASH referral with its outcome, owner and due date.
    actions = wizard.page_for(Step.ACTIONS)
    before = len(prep.proposed_actions())
    actions.choose("mash_referral")
    assert actions.sub_choice.isEnabled()
    assert actions.sub_label.text() == "Outcome of the MASH referral:"
    actions.sub_choice.setCurrentIndex(actions.sub_choice.findData("Early Help"))
    qtbot.keyClicks(actions.detail, "Referral about the test pupil")
    actions.owner.setCurrentIndex(actions.owner.findData("school"))
    actions.has_due.click()
    actions.due.setDate(QDate.currentDate().addDays(30))
    actions.picker.set_checked(unplanned[1])
    qtbot.mouseClick(actions.add_button, Qt.MouseButton.LeftButton)
    proposed = prep.proposed_actions()
    assert len(proposed) == before + 1
    action = next(a for a in proposed if a.detail == "Referral about the test pupil")
    assert (action.catalogue_key, action.sub_choice, action.owner_agency) == (
        "mash_referral",
        "Early Help",
        "school",
    )
    assert action.status == ActionStatus.PROPOSED.value
    assert action.due == date.today() + timedelta(days=30)
    assert action.linked_ids == [unplanned[1]]
    press_next(qtbot, wizard)

    # Review: exactly the findings of the four checks for the meeting date, per check.
    review = wizard.page_for(Step.REVIEW)
    assert wizard.current_step() == Step.REVIEW
    expected = run_checks(session.table(), prep.meeting.date, session.profile.currency_window_weeks)
    counts = summary(expected)
    assert all(counts[check] > 0 for check in (Check.RELEVANT, Check.EVIDENCED, Check.CURRENT))
    assert counts[Check.PLAN] == len(unplanned) - 2  # the two just given a plan
    for check in Check:
        group = review.groups[check]
        assert group.childCount() == counts[check]
        assert group.text(0).endswith(f"({counts[check]})")
    shown = [
        review.groups[check].child(i).text(1)
        for check in Check
        for i in range(review.groups[check].childCount())
    ]
    assert shown == [f.message for f in expected]
    for check in Check:
        assert f"{check_title(check)}: <b>{counts[check]}</b>" in review.counts.text()

    # A finding opens its record in the main window; the wizard stays where it is.
    finding = next(f for f in expected if f.check == Check.CURRENT)
    item = review.groups[Check.CURRENT].child(0)
    with qtbot.waitSignal(wizard.openRecordRequested) as opened:
        rect = review.tree.visualItemRect(item)
        qtbot.mouseClick(review.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [finding.subject_id]
    assert wizard.isVisible() and wizard.current_step() == Step.REVIEW
    press_next(qtbot, wizard)

    # Finish: both exports are offered.
    finish = wizard.page_for(Step.FINISH)
    assert finish.briefing_button.isEnabled() and finish.bundle_button.isEnabled()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert prep.state.finished
    assert not wizard.isVisible()


def check_title(check: Check) -> str:
    from saferyp_desktop.domain.checks import CHECK_TITLES

    return CHECK_TITLES[check]


def test_next_is_disabled_with_the_reason_under_an_incomplete_page(qtbot, session: Session) -> None:
    wizard = make_wizard(qtbot, session)
    details = wizard.page_for(Step.DETAILS)
    yesterday = QDate.currentDate().addDays(-1)
    details.date.setDate(yesterday)
    assert not wizard.button(NEXT).isEnabled()
    assert details.reason.isVisible()
    assert details.reason.text() == (
        "The meeting date is in the past: choose the date of the next meeting."
    )
    details.date.setDate(QDate.currentDate().addDays(7))
    assert wizard.button(NEXT).isEnabled() and details.reason.isHidden()
    assert wizard.preparation.meeting.date == date.today() + timedelta(days=7)

    # Without the DSL among the attendees, the reason says so.
    for row in range(details.attendees.rowCount()):
        if details.attendees.item(row, 1).text() == "Designated Safeguarding Lead":
            details.attendees.item(row, 1).setText("Head of Year")
    assert details.reason.text() == "Add the DSL as an attendee (role “DSL”)."
    assert not wizard.button(NEXT).isEnabled()
    qtbot.mouseClick(details.recommended_button, Qt.MouseButton.LeftButton)
    assert wizard.button(NEXT).isEnabled()
    assert any(a.role == "DSL" for a in wizard.preparation.meeting.attendees)


def test_closing_and_reopening_resumes_at_the_same_page(
    qtbot, session: Session, demo_path: Path
) -> None:
    wizard = make_wizard(qtbot, session)
    press_next(qtbot, wizard)
    wizard.page_for(Step.SHARING).confirm.click()
    press_next(qtbot, wizard)
    wizard.page_for(Step.HARM_TYPES).none.click()
    press_next(qtbot, wizard)
    young = wizard.page_for(Step.YOUNG_PEOPLE)
    young.tree.setCurrentItem(young.tree.topLevelItem(2))
    young.confirm_selected()
    assert wizard.current_step() == Step.YOUNG_PEOPLE
    wizard.reject()  # "Close"
    assert not wizard.isVisible()

    again = make_wizard(qtbot, session)
    assert again.current_step() == Step.YOUNG_PEOPLE
    page = again.page_for(Step.YOUNG_PEOPLE)
    assert page.tree.topLevelItem(2).text(5) == "✓ Confirmed current"
    again.close()

    # Also after the workspace itself is closed and unlocked again.
    session.close()
    reopened = Session(Workspace.open(demo_path, PASSPHRASE))
    try:
        third = make_wizard(qtbot, reopened)
        assert third.current_step() == Step.YOUNG_PEOPLE
        # Back still walks through the earlier pages, showing what was ticked.
        qtbot.mouseClick(third.button(BACK), Qt.MouseButton.LeftButton)
        assert third.current_step() == Step.HARM_TYPES
        assert third.page_for(Step.HARM_TYPES).none.isChecked()
        third.close()
        assert third.preparation.state.current == Step.HARM_TYPES
    finally:
        reopened.close()


def test_the_same_wizard_shown_again_resumes_and_a_closed_one_keeps_quiet(
    qtbot, session: Session
) -> None:
    wizard = make_wizard(qtbot, session)
    press_next(qtbot, wizard)
    wizard.page_for(Step.SHARING).confirm.click()
    press_next(qtbot, wizard)
    wizard.close()
    other = make_wizard(qtbot, session)
    assert other.current_step() == Step.HARM_TYPES
    other.page_for(Step.HARM_TYPES).none.click()
    press_next(qtbot, other)
    # The closed wizard does not follow changes, so it cannot save stale progress.
    young = other.page_for(Step.YOUNG_PEOPLE)
    young.tree.setCurrentItem(young.tree.topLevelItem(0))
    young.confirm_selected()
    assert wizard.preparation.state.current == Step.HARM_TYPES
    other.close()
    wizard.show()
    assert wizard.current_step() == Step.YOUNG_PEOPLE
    assert wizard.preparation.state.no_harm_types


def test_add_a_record_from_a_section_page_and_undo_it(qtbot, session: Session) -> None:
    wizard = make_wizard(qtbot, session)
    wizard.preparation.go_to(Step.YOUNG_PEOPLE)
    wizard.close()
    wizard = make_wizard(qtbot, session)
    # Resuming stops at sharing: it was never confirmed.
    assert wizard.current_step() == Step.SHARING
    wizard.page_for(Step.SHARING).confirm.click()
    press_next(qtbot, wizard)
    wizard.page_for(Step.HARM_TYPES).boxes["bullying"].click()
    press_next(qtbot, wizard)
    page = wizard.page_for(Step.YOUNG_PEOPLE)
    count = page.tree.topLevelItemCount()
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.buttons.buttons()[0].isEnabled()
    qtbot.keyClicks(dialog.name, "Test Pupil One")
    dialog.harms.item(4).setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    assert page.tree.topLevelItemCount() == count + 1
    added = next(r for r in session.table().of_kind(Kind.YOUNG_PERSON) if r.label_text() == "Test Pupil One")
    assert isinstance(added, YoungPerson) and added.harm_categories == ["bullying"]
    assert wizard.preparation.progress_of(added) == Progress.ADDED
    assert page.selected_ids() == [added.id]
    session.undo_stack.undo()  # undoing an addition retires it
    assert page.tree.topLevelItemCount() == count


def test_retire_asks_first_and_counts_as_looked_at(qtbot, session: Session, scripted) -> None:
    wizard = make_wizard(qtbot, session)
    prep = wizard.preparation
    prep.confirm_sharing(True)
    prep.set_no_harm_types(True)
    prep.set_nothing_more(Step.YOUNG_PEOPLE, True)
    prep.go_to(Step.ADULTS)
    wizard.close()
    wizard = make_wizard(qtbot, session)
    assert wizard.current_step() == Step.ADULTS
    page = wizard.page_for(Step.ADULTS)
    adults = page.tree.topLevelItemCount()
    page.tree.setCurrentItem(page.tree.topLevelItem(0))
    scripted.answers.append(False)
    qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert page.tree.topLevelItemCount() == adults
    qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert page.tree.topLevelItemCount() == adults - 1
    assert scripted.shown[-1][0] == "confirm" and "AD-01" in scripted.shown[-1][2]
    assert page.progress.text() == f"0 of {adults - 1} looked at in this preparation."


def test_presentation_mode_shows_initials(qtbot, session: Session) -> None:
    wizard = make_wizard(qtbot, session)
    wizard.preparation.confirm_sharing(True)
    wizard.preparation.set_no_harm_types(True)
    wizard.preparation.go_to(Step.YOUNG_PEOPLE)
    wizard.close()
    wizard = make_wizard(qtbot, session)
    page = wizard.page_for(Step.YOUNG_PEOPLE)
    first = session.table().of_kind(Kind.YOUNG_PERSON)[0]
    assert page.tree.topLevelItem(0).text(1) == first.name
    session.set_presentation(True)
    assert page.tree.topLevelItem(0).text(1) == first.initials
    assert first.name not in page.tree.topLevelItem(0).text(1)


def test_an_edit_requested_from_the_wizard_counts_as_looked_at(qtbot, session: Session) -> None:
    """The main window opens the record; when it saves it, the wizard counts it as changed."""
    wizard = make_wizard(qtbot, session)
    prep = wizard.preparation
    prep.confirm_sharing(True)
    prep.set_no_harm_types(True)
    for step in (Step.YOUNG_PEOPLE, Step.ADULTS):
        prep.set_nothing_more(step, True)
    prep.go_to(Step.PEER_GROUPS)
    wizard.close()
    wizard = make_wizard(qtbot, session)
    prep = wizard.preparation
    page = wizard.page_for(Step.PEER_GROUPS)
    page.tree.setCurrentItem(page.tree.topLevelItem(0))
    page.tree.topLevelItem(0).setSelected(True)
    with qtbot.waitSignal(wizard.openRecordRequested) as opened:
        qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    group = session.table().get(opened.args[0])
    assert group.kind == Kind.PEER_GROUP
    # What the main window's editor would do:
    import copy

    changed = copy.deepcopy(group)
    changed.description = "Seen together after school."
    session.save(changed)
    assert prep.progress_of(session.table().get(group.id)) == Progress.CHANGED
    assert page.tree.topLevelItem(0).text(5) == "✓ Changed"


def test_buttons_and_pages_have_accessible_names(qtbot, session: Session) -> None:
    wizard = make_wizard(qtbot, session)
    assert wizard.buttonText(NEXT) == "&Next >"  # Alt+N
    assert wizard.buttonText(BACK) == "< &Back"  # Alt+B
    for which in (NEXT, BACK, QWizard.WizardButton.CancelButton):
        assert wizard.button(which).accessibleName()
    for step in STEPS:
        page = wizard.page_for(step)
        assert page.title()
        assert page.guidance.accessibleName() == "From the guidance for schools"
        assert page.reason.accessibleName()
    assert "relevant, evidenced and current" in wizard.page_for(Step.YOUNG_PEOPLE).guidance.text()
    catalogue = wizard.page_for(Step.ACTIONS).catalogue
    assert catalogue.count() == len(session.profile.actions)


def test_locking_the_workspace_closes_the_wizard(qtbot, session: Session) -> None:
    wizard = make_wizard(qtbot, session)
    press_next(qtbot, wizard)
    session.close()  # what the idle lock does
    assert not wizard.isVisible()
