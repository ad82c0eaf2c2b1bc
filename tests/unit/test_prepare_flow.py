"""The "Prepare for a meeting" flow without a GUI: order, rules, resuming, review."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from saferyp_desktop.domain.checks import Check, run_checks, summary
from saferyp_desktop.domain.records import (
    ActionStatus,
    Adult,
    Attendee,
    KeyConcern,
    Kind,
    Link,
    Location,
    Meeting,
    Rag,
    Relation,
    YoungPerson,
)
from saferyp_desktop.services.prepare import (
    CURRENT_KEY,
    SECTION_KINDS,
    STEPS,
    Preparation,
    PreparationState,
    Progress,
    Step,
    StepIncomplete,
    load_state,
)
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails

PASSPHRASE = "correct horse battery staple"
TODAY = date(2026, 3, 2)


@pytest.fixture
def school(tmp_path: Path):
    details = WorkspaceDetails(name="Test School", urn="123456", dsl="Test Teacher One")
    workspace = Workspace.create(tmp_path / "school.sypdb", PASSPHRASE, details)
    yield workspace
    if not workspace.db.closed:
        workspace.close()


@pytest.fixture
def mapped(school: Workspace) -> Workspace:
    """Two young people, an adult and a place."""
    for record in (
        YoungPerson(name="Test Pupil One", harm_categories=["cce"]),
        YoungPerson(name="Test Pupil Two"),
        Adult(name="Test Adult One", harm_categories=["cce"]),
        Location(label="Test Park", rating=Rag.RED.value, harm_categories=["cce"]),
    ):
        school.save(record)
    return school


def ids_of(workspace: Workspace, kind: Kind) -> list[str]:
    return [r.id for r in workspace.table().of_kind(kind)]


# -- order and starting ------------------------------------------------------------------
def test_steps_are_in_the_order_of_the_guidance() -> None:
    assert STEPS == (
        Step.DETAILS,
        Step.SHARING,
        Step.HARM_TYPES,
        Step.YOUNG_PEOPLE,
        Step.ADULTS,
        Step.PEER_GROUPS,
        Step.LOCATIONS,
        Step.LINKS,
        Step.STRENGTHS,
        Step.CONCERNS,
        Step.ACTIONS,
        Step.REVIEW,
        Step.FINISH,
    )
    assert list(SECTION_KINDS) == [
        Step.YOUNG_PEOPLE,
        Step.ADULTS,
        Step.PEER_GROUPS,
        Step.LOCATIONS,
        Step.STRENGTHS,
    ]


def test_starting_with_no_meeting_creates_one_with_the_dsl(school: Workspace) -> None:
    prep = Preparation.start(school, today=TODAY)
    meeting = prep.meeting
    assert meeting.code == "MT-01"
    assert meeting.date == TODAY + timedelta(days=14)
    assert [(a.name, a.role) for a in meeting.attendees] == [("Test Teacher One", "DSL")]
    assert prep.step == Step.DETAILS
    assert prep.is_complete(Step.DETAILS) == (True, "")


def test_starting_uses_the_next_meeting_being_prepared(school: Workspace) -> None:
    school.save(Meeting(date=TODAY - timedelta(days=30)))  # held
    later = school.save(Meeting(date=TODAY + timedelta(days=60)))
    sooner = school.save(Meeting(date=TODAY + timedelta(days=20)))
    assert Preparation.start(school, today=TODAY).meeting.id == sooner.id
    assert later.id != sooner.id


def test_advancing_walks_the_steps_and_refuses_an_incomplete_one(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    assert prep.advance() == Step.SHARING
    with pytest.raises(StepIncomplete) as refused:
        prep.advance()
    assert refused.value.message == "Confirm that the school is signed up to the WISC."
    assert prep.step == Step.SHARING
    assert prep.back() == Step.DETAILS


# -- the rules, with their reasons -----------------------------------------------------------
def test_details_need_a_date_not_in_the_past_and_the_dsl(school: Workspace) -> None:
    prep = Preparation.start(school, today=TODAY)
    prep.set_meeting(when=TODAY - timedelta(days=1))
    assert prep.is_complete(Step.DETAILS) == (
        False,
        "The meeting date is in the past: choose the date of the next meeting.",
    )
    prep.set_meeting(when=TODAY, attendees=[Attendee(name="Test Officer", role="PCSO")])
    assert prep.is_complete(Step.DETAILS) == (False, "Add the DSL as an attendee (role “DSL”).")
    prep.set_meeting(attendees=[*prep.meeting.attendees, *prep.recommended_attendees()])
    assert prep.is_complete(Step.DETAILS) == (True, "")
    organisations = [a.organisation for a in prep.meeting.attendees]
    assert organisations[-5:] == [
        "School (DSL / pastoral)",
        "Young People's Service",
        "Exploitation Analyst",
        "Neighbourhood Police / PCSO",
        "Motiv8",
    ][-5:]
    prep.set_meeting(attendees=[*prep.meeting.attendees, Attendee(name=" ")])
    assert prep.is_complete(Step.DETAILS) == (
        False,
        "Every attendee needs a name or an organisation.",
    )


def test_details_are_saved_as_they_change(school: Workspace) -> None:
    prep = Preparation.start(school, today=TODAY)
    prep.set_meeting(when=TODAY + timedelta(days=3), venue="Test Hall", chair="Test Chair")
    stored = school.repo.record(prep.meeting.id)
    assert isinstance(stored, Meeting)
    assert (stored.date, stored.venue, stored.chair) == (TODAY + timedelta(days=3), "Test Hall", "Test Chair")


def test_dsl_role_words() -> None:
    from saferyp_desktop.services.prepare import is_dsl_role

    for role in ("DSL", "Deputy DSL", "dsl / pastoral", "Designated Safeguarding Lead"):
        assert is_dsl_role(role), role
    for role in ("", "PCSO", "Head of Year", "Youth worker"):
        assert not is_dsl_role(role), role


def test_sharing_needs_the_confirmation_and_notes_the_date(school: Workspace) -> None:
    prep = Preparation.start(school, today=TODAY)
    assert prep.is_complete(Step.SHARING)[0] is False
    prep.confirm_sharing(True)
    assert prep.is_complete(Step.SHARING) == (True, "")
    assert school.repo.meta()["wisc_confirmed"] == TODAY.isoformat()
    prep.confirm_sharing(False)
    assert prep.is_complete(Step.SHARING)[0] is False


def test_harm_types_need_a_choice_or_none(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    assert prep.is_complete(Step.HARM_TYPES) == (
        False,
        "Tick the types of harm the school has seen, or “None of these”.",
    )
    assert prep.harm_type_counts()["cce"] == 3
    prep.set_harm_type_seen("cce", True)
    prep.set_harm_type_seen("cse", True)
    assert prep.state.harm_types_seen == ["cse", "cce"]  # in the profile's order
    assert prep.is_complete(Step.HARM_TYPES) == (True, "")
    prep.set_no_harm_types(True)
    assert prep.is_complete(Step.HARM_TYPES) == (
        False,
        "Untick “None of these”, or untick the harm types.",
    )
    prep.set_harm_type_seen("cce", False)
    prep.set_harm_type_seen("cse", False)
    assert prep.is_complete(Step.HARM_TYPES) == (True, "")


def test_a_section_is_complete_when_every_record_was_looked_at(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    one, two = ids_of(mapped, Kind.YOUNG_PERSON)
    assert prep.is_complete(Step.YOUNG_PEOPLE) == (
        False,
        "2 of 2 young people are still to look at: confirm, change or retire each one, "
        "or tick “Nothing more to add”.",
    )
    prep.confirm_current(one)
    assert prep.progress_of(mapped.table().get(one)) == Progress.CONFIRMED
    assert mapped.repo.record(one).last_confirmed == TODAY
    assert prep.is_complete(Step.YOUNG_PEOPLE)[1].startswith("1 of 2 young people is still")
    prep.retire(two)
    assert prep.section_progress(Step.YOUNG_PEOPLE) == (1, 1)
    assert prep.is_complete(Step.YOUNG_PEOPLE) == (True, "")
    added = prep.add(YoungPerson(name="Test Pupil Three"))
    assert added.code == "YP-03"
    assert prep.progress_of(added) == Progress.ADDED
    assert prep.is_complete(Step.YOUNG_PEOPLE) == (True, "")


def test_a_changed_record_counts_as_looked_at(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    (adult,) = ids_of(mapped, Kind.ADULT)
    prep.mark_changed(adult)
    assert prep.progress_of(mapped.table().get(adult)) == Progress.CHANGED
    assert prep.is_complete(Step.ADULTS) == (True, "")


def test_an_empty_section_needs_the_tick(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    assert prep.is_complete(Step.PEER_GROUPS) == (
        False,
        "There are no peer groups yet: add one, or tick “Nothing more to add”.",
    )
    prep.set_nothing_more(Step.PEER_GROUPS, True)
    assert prep.is_complete(Step.PEER_GROUPS) == (True, "")
    # The tick also lets the DSL move on leaving records unconfirmed (the review shows them).
    prep.set_nothing_more(Step.LOCATIONS, True)
    assert prep.is_complete(Step.LOCATIONS) == (True, "")


def test_links_review_and_finish_are_always_complete(school: Workspace) -> None:
    prep = Preparation.start(school, today=TODAY)
    for step in (Step.LINKS, Step.REVIEW, Step.FINISH):
        assert prep.is_complete(step) == (True, "")


def test_concerns_and_actions_need_one_or_the_tick(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    one = ids_of(mapped, Kind.YOUNG_PERSON)[0]
    assert prep.is_complete(Step.CONCERNS) == (
        False,
        "Add a key concern or question, or tick “No key concerns or questions to raise”.",
    )
    concern = prep.add_key_concern("Is YP-01 being groomed?", is_question=True, linked_ids=[one])
    assert concern.meeting_id == prep.meeting.id and concern.code == "KC-01"
    assert prep.is_complete(Step.CONCERNS) == (True, "")

    assert prep.is_complete(Step.ACTIONS) == (False, "Propose an action, or tick “No actions to propose”.")
    action = prep.propose_action(
        "mash_referral", sub_choice="Early Help", linked_ids=[one], owner_agency="school",
        due=TODAY + timedelta(days=7),
    )
    assert (action.status, action.meeting_id) == (ActionStatus.PROPOSED.value, prep.meeting.id)
    assert prep.is_complete(Step.ACTIONS) == (True, "")


def test_an_action_not_taken_forward_needs_a_rationale(mapped: Workspace) -> None:
    from saferyp_desktop.errors import RecordInvalid

    prep = Preparation.start(mapped, today=TODAY)
    with pytest.raises(RecordInvalid):
        prep.propose_action("safety_mapping", taken_forward=False)
    action = prep.propose_action("safety_mapping", taken_forward=False, rationale="Already in place.")
    assert action.status == ActionStatus.NOT_TAKEN_FORWARD.value
    assert prep.proposed_actions() == [action]


# -- resuming ---------------------------------------------------------------------------------
def test_closing_and_reopening_resumes_where_it_was_left(mapped: Workspace, tmp_path: Path) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    prep.advance()
    prep.confirm_sharing(True)
    prep.advance()
    prep.set_harm_type_seen("cce", True)
    prep.advance()
    first = ids_of(mapped, Kind.YOUNG_PERSON)[0]
    prep.confirm_current(first)
    prep.set_nothing_more(Step.YOUNG_PEOPLE, True)
    prep.advance()
    meeting_id = prep.meeting.id
    mapped.close()

    with Workspace.open(tmp_path / "school.sypdb", PASSPHRASE) as again:
        assert again.repo.meta()[CURRENT_KEY] == meeting_id
        resumed = Preparation.start(again, today=TODAY)
        assert resumed.meeting.id == meeting_id
        assert resumed.step == Step.ADULTS
        assert resumed.state.wisc_confirmed
        assert resumed.state.harm_types_seen == ["cce"]
        assert resumed.state.nothing_more == {Step.YOUNG_PEOPLE}
        assert resumed.progress_of(again.table().get(first)) == Progress.CONFIRMED
        assert resumed.resume_path() == list(STEPS[: STEPS.index(Step.ADULTS) + 1])


def test_resume_stops_at_a_step_that_is_no_longer_complete(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    prep.go_to(Step.LINKS)
    prep.confirm_sharing(True)
    # The meeting date has passed since the DSL left off.
    later = Preparation.start(mapped, today=prep.meeting.date + timedelta(days=1))
    assert later.meeting.id == prep.meeting.id
    assert later.resume_path() == [Step.DETAILS]


def test_a_finished_preparation_for_a_past_meeting_is_not_resumed(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    prep.finish()
    after = Preparation.start(mapped, today=prep.meeting.date + timedelta(days=1))
    assert after.meeting.id != prep.meeting.id
    assert after.step == Step.DETAILS


def test_a_damaged_state_starts_afresh(school: Workspace) -> None:
    prep = Preparation.start(school, today=TODAY)
    school.repo.set_meta({f"preparation:{prep.meeting.id}": "{not json"})
    assert load_state(school, prep.meeting.id) is None
    assert Preparation.start(school, today=TODAY).step == Step.DETAILS


def test_the_state_round_trips_through_json() -> None:
    state = PreparationState(
        meeting_id="m",
        current=Step.ACTIONS,
        wisc_confirmed=True,
        harm_types_seen=["cse"],
        nothing_more={Step.ADULTS, Step.CONCERNS},
        edited={"a", "b"},
    )
    assert PreparationState.from_json(state.to_json()) == state
    with pytest.raises(ValueError):
        PreparationState.from_json('{"version": 99}')


# -- review -----------------------------------------------------------------------------------
def test_review_names_the_record_of_every_finding(mapped: Workspace) -> None:
    prep = Preparation.start(mapped, today=TODAY)
    one, two = ids_of(mapped, Kind.YOUNG_PERSON)
    (adult,) = ids_of(mapped, Kind.ADULT)
    link = mapped.save_link(
        Link(a_id=adult, b_id=two, relation=Relation.SEEN_WITH.value, confidence="confirmed")
    )
    findings = prep.findings()
    assert findings == run_checks(mapped.table(), prep.meeting.date, 12)
    by_check = summary(findings)
    assert by_check[Check.PLAN] == 2
    assert by_check[Check.RELEVANT] == 0  # YP-02 is linked to an adult with a category
    link_finding = next(f for f in findings if f.subject_id == link.id)
    assert link_finding.check == Check.EVIDENCED
    for finding in findings:  # each names a record or a link of the workspace
        table = mapped.table()
        assert table.get(finding.subject_id) is not None or finding.subject_id in table.links
    prep.add(KeyConcern(text="Test concern", linked_ids=[one, two]))
    assert prep.finding_counts()[Check.PLAN] == 0


def test_review_lists_exactly_the_findings_of_the_checks_on_the_demo(tmp_path: Path) -> None:
    from saferyp_desktop.services.demo import create_demo_workspace

    with create_demo_workspace(tmp_path / "demo.sypdb", PASSPHRASE, seed=1) as demo:
        prep = Preparation.start(demo)
        meeting = prep.meeting
        assert meeting.date >= date.today()
        expected = run_checks(demo.table(), meeting.date, demo.profile.currency_window_weeks)
        assert prep.findings() == expected
        counts = prep.finding_counts()
        assert counts == summary(expected)
        assert all(counts[check] > 0 for check in Check), counts
        assert prep.is_complete(Step.DETAILS) == (True, "")  # the demo's DSL attends
