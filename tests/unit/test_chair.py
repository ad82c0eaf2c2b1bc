"""The chair's side of a meeting (``services/chair.py``): candidate matches and the chair's
decisions, the area's places and the combined table, the meeting record and its agreed
actions, the briefing pack's data, and outcomes for each school — opened by the school.

Two demo schools (seeds 1 and 2: the same fictional town, sharing places and adults) send
their submissions to one chair; each test works on its own copy of the three workspaces.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from saferyp_desktop.crypto.bundle import SenderInfo, write_bundle
from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.domain.demo import make_demo
from saferyp_desktop.domain.levels import initials_of
from saferyp_desktop.domain.records import (
    Action,
    ActionStatus,
    Adult,
    Attendee,
    Discussion,
    Kind,
    Meeting,
    MeetingStatus,
    YoungPerson,
)
from saferyp_desktop.errors import (
    AlreadyImported,
    ChairNotVerifiable,
    NoSubmissions,
    NotFromYourChair,
    OutcomesForAnotherSchool,
    RecordInvalid,
    RecordNotFound,
    Replayed,
    SchoolNotInMeeting,
    UsageError,
)
from saferyp_desktop.reports.pack import build_pack
from saferyp_desktop.services import chair as chair_service
from saferyp_desktop.services import exchange
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.storage.database import use_fast_kdf_for_tests

PASS = "correct horse battery staple"
URN1, URN2 = "990001", "990002"
SHARED_ADULT, SHARED_PLACE = "dazza", "golden_griddle"


# -- the world: a chair and two schools whose submissions it has opened ---------------------------
@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    use_fast_kdf_for_tests(64)
    folder = tmp_path_factory.mktemp("world")
    chair = Workspace.create(
        folder / "Chair.sypdb",
        PASS,
        WorkspaceDetails(role="chair", name="Sam Chair", organisation="Council"),
    )
    with chair:
        card = chair.key_card()
        for seed in (1, 2):
            with create_demo_workspace(folder / f"School{seed}.sypdb", PASS, seed=seed) as school:
                exchange.set_chair(school, card)
                sent = exchange.export_bundle(
                    school, folder / f"sub{seed}.sypbundle", include_briefing=False
                )
            exchange.open_bundle(
                chair, folder / f"sub{seed}.sypbundle", accept_new_key=sent.fingerprint
            )
    return folder


@dataclasses.dataclass
class World:
    folder: Path
    day: date

    def open(self, name: str) -> Workspace:
        return Workspace.open(self.folder / f"{name}.sypdb", PASS)


@pytest.fixture
def world(world_dir: Path, tmp_path: Path) -> World:
    folder = tmp_path / "world"
    shutil.copytree(world_dir, folder)
    return World(folder, make_demo(1).meeting_date)


@pytest.fixture
def chair(world: World) -> Iterator[Workspace]:
    with world.open("Chair") as workspace:
        yield workspace


@pytest.fixture(scope="module")
def demos() -> dict[str, object]:
    return {URN1: make_demo(1), URN2: make_demo(2)}


def shared(demos: dict, urn: str, key: str) -> str:
    return demos[urn].shared_ids[key]


def candidate_for(views: list, members: set[tuple[str, str]]):
    found = [v for v in views if {(m.urn, m.record_id) for m in v.members} == members]
    assert len(found) == 1, members
    return found[0]


def files(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- candidates and decisions -------------------------------------------------------------------
def test_candidates_name_the_shared_place_and_adult_with_reasons(
    chair: Workspace, demos: dict
) -> None:
    views = chair_service.candidates(chair)
    adult = candidate_for(
        views,
        {(URN1, shared(demos, URN1, SHARED_ADULT)), (URN2, shared(demos, URN2, SHARED_ADULT))},
    )
    place = candidate_for(
        views,
        {(URN1, shared(demos, URN1, SHARED_PLACE)), (URN2, shared(demos, URN2, SHARED_PLACE))},
    )
    assert adult.kind == Kind.ADULT and place.kind == Kind.LOCATION
    assert adult.reasons and place.reasons and adult.decision is None
    # The chair sees full detail: the school's name, the record's code and its own label.
    names = {m.school for m in adult.members}
    assert names == {demos[URN1].name, demos[URN2].name}
    table1 = demos[URN1].table
    record = table1.get(shared(demos, URN1, SHARED_ADULT))
    assert {m.label for m in adult.members if m.urn == URN1} == {record.name}
    assert {m.code for m in adult.members if m.urn == URN1} == {record.code}
    assert all(set(v.schools) == names for v in views)  # never two records of one school


def test_decisions_persist_and_survive_reopening(world: World, demos: dict) -> None:
    with world.open("Chair") as ws:
        views = chair_service.candidates(ws)
        adult = candidate_for(
            views,
            {(URN1, shared(demos, URN1, SHARED_ADULT)), (URN2, shared(demos, URN2, SHARED_ADULT))},
        )
        place = candidate_for(
            views,
            {(URN1, shared(demos, URN1, SHARED_PLACE)), (URN2, shared(demos, URN2, SHARED_PLACE))},
        )
        confirmed = chair_service.decide(ws, adult.key, "confirmed", "same man, same car")
        dismissed = chair_service.decide(ws, place.key, "dismissed")
        assert confirmed.decision == "confirmed" and confirmed.note == "same man, same car"
        assert dismissed.decision == "dismissed" and dismissed.decided_at is not None
        events = [(e, ids) for _, e, ids in ws.repo.audit_events() if e == "match decided"]
        assert [ids[0] for _, ids in events] == [adult.key, place.key]
        # Ids only: the key and the record ids, never a label or the note.
        assert all("same man" not in i and "Darren" not in i for _, ids in events for i in ids)
    with world.open("Chair") as ws:
        again = {v.key: v for v in chair_service.candidates(ws)}
        assert again[adult.key].decision == "confirmed"
        assert again[adult.key].note == "same man, same car"
        assert again[place.key].decision == "dismissed"
        assert sum(v.decision is None for v in again.values()) == len(again) - 2
        # The schools' records are untouched: the stored submissions verify as signed.
        for summary in exchange.submissions(ws):
            exchange.reverify_submission(ws, summary.id)
        chair_service.clear_decision(ws, place.key)
        assert {v.key: v for v in chair_service.candidates(ws)}[place.key].decision is None


def test_a_decision_needs_a_known_key_and_a_known_word(chair: Workspace) -> None:
    key = chair_service.candidates(chair)[0].key
    with pytest.raises(UsageError):
        chair_service.decide(chair, key, "merged")
    with pytest.raises(RecordNotFound):
        chair_service.decide(chair, "adult:0000", "confirmed")
    assert chair.repo.match_decisions() == {}


def test_a_decision_holds_when_a_third_school_joins(
    world: World, chair: Workspace, demos: dict
) -> None:
    """Decisions are kept for each pair too, so a candidate that grows keeps them."""
    adult = candidate_for(
        chair_service.candidates(chair),
        {(URN1, shared(demos, URN1, SHARED_ADULT)), (URN2, shared(demos, URN2, SHARED_ADULT))},
    )
    chair_service.decide(chair, adult.key, "confirmed")
    with create_demo_workspace(world.folder / "School3.sypdb", PASS, seed=3) as school:
        exchange.set_chair(school, chair.key_card())
        sent = exchange.export_bundle(
            school, world.folder / "sub3.sypbundle", include_briefing=False
        )
        urn3 = school.details.urn
    exchange.open_bundle(chair, world.folder / "sub3.sypbundle", accept_new_key=sent.fingerprint)
    assert SHARED_ADULT in make_demo(3).shared_ids  # the third school names the adult too
    (view,) = [
        v
        for v in chair_service.candidates(chair)
        if (URN1, shared(demos, URN1, SHARED_ADULT)) in {(m.urn, m.record_id) for m in v.members}
    ]
    assert len(view.members) == 3 and urn3 in {m.urn for m in view.members}
    assert view.key != adult.key and adult.key in view.pair_keys
    assert view.decision is None  # the new school's pairs are not decided yet
    pair = {shared(demos, URN1, SHARED_ADULT), shared(demos, URN2, SHARED_ADULT)}
    (third,) = {m.record_id for m in view.members} - pair
    # The pair the chair confirmed is still joined; the third record is not, yet.
    _, _, joined = chair_service.combined_table(chair)
    assert pair in joined
    decided = chair_service.decide(chair, view.key, "confirmed")
    assert decided.decision == "confirmed" and not decided.inherited
    _, _, joined = chair_service.combined_table(chair)
    assert pair | {third} in joined


def test_area_places_and_the_combined_table(chair: Workspace, demos: dict) -> None:
    place_ids = {shared(demos, URN1, SHARED_PLACE), shared(demos, URN2, SHARED_PLACE)}
    before = chair_service.area_places(chair)
    named = [p for p in before if {r for _, r in p.members} & place_ids]
    assert len(named) == 2 and all(p.schools == 1 for p in named)  # not decided: apart
    views = chair_service.candidates(chair)
    place = next(v for v in views if {m.record_id for m in v.members} == place_ids)
    chair_service.decide(chair, place.key, "confirmed")
    after = chair_service.area_places(chair)
    (joined_place,) = [p for p in after if {r for _, r in p.members} & place_ids]
    assert joined_place.schools == 2 and set(joined_place.school_ids) == {URN1, URN2}
    assert joined_place.rating in ("red", "amber", "green")
    assert after[0].schools == 2 and len(after) == len(before) - 1

    table, school_of, joined = chair_service.combined_table(chair)
    counts = [d.table.counts() for d in demos.values()]
    assert len(table.records) == sum(sum(c.values()) for c in counts)
    assert {school_of[i] for i in place_ids} == {URN1, URN2}
    assert place_ids in joined
    # Each school's record exactly as it came: nothing merged, nothing rewritten.
    for sub in chair_service.current_submissions(chair):
        for record_id, record in sub.table.records.items():
            assert table.records[record_id] == record
            assert school_of[record_id] == sub.urn


def test_across_schools_reads_and_matches_once_and_answers_as_each_function(
    chair: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = chair_service.candidates(chair)[0]
    chair_service.decide(chair, first.key, "confirmed")  # a joined pair, a place counted once
    reads: list[int] = []
    read = chair_service.current_submissions

    def counted(*args, **kwargs):
        reads.append(1)
        return read(*args, **kwargs)

    monkeypatch.setattr(chair_service, "current_submissions", counted)
    found = chair_service.across_schools(chair)
    candidates, (table, school_of, joined), places = (
        found.candidates(), found.combined_table(), found.area_places()
    )
    assert len(reads) == 1  # every school's table rebuilt once, matched once
    assert [s.urn for s in found.subs] == [s.urn for s in read(chair)]
    assert candidates == chair_service.candidates(chair)
    assert candidates[0].decision == "confirmed"
    table_each, school_of_each, joined_each = chair_service.combined_table(chair)
    assert table.records == table_each.records and table.links == table_each.links
    assert school_of == school_of_each and joined == joined_each and joined
    assert places == chair_service.area_places(chair)


def test_each_submission_is_read_once_and_shared_until_superseded(
    world: World, chair: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page and job asks for the same submissions: each is rebuilt from its signed
    bytes once, and the same objects are answered until a newer bundle supersedes it."""
    reads: list[int] = []
    read = chair_service.stored_table

    def counted(stored):
        reads.append(stored.id)
        return read(stored)

    monkeypatch.setattr(chair_service, "stored_table", counted)
    chair_service.forget_submissions(chair)
    first = chair_service.current_submissions(chair)
    assert sorted(reads) == sorted(s.submission_id for s in first) and len(first) == 2
    again = chair_service.across_schools(chair, world.day).subs
    assert [id(s) for s in again] == [id(s) for s in first]
    one = first[0]
    table, positions = chair_service.submission_view(chair, one.submission_id)
    assert table is one.table and positions == one.diagram_positions and positions
    assert chair_service.pack_data(chair, world.day).schools[0].table is one.table
    assert len(reads) == 2  # nothing read again
    # What the pack prints of the school comes from the submission, not kept whole.
    assert one.school_facts["dsl"] and not hasattr(one, "mapping")

    # School 1 sends its bundle again: the new one is read, the one it supersedes let go.
    by_urn = {s.urn: s for s in first}
    with world.open("School1") as school:
        exchange.export_bundle(school, world.folder / "again.sypbundle", include_briefing=False)
    exchange.open_bundle(chair, world.folder / "again.sypbundle")
    reads.clear()
    now = {s.urn: s for s in chair_service.current_submissions(chair)}
    assert now[URN2] is by_urn[URN2] and now[URN1] is not by_urn[URN1]
    assert reads == [now[URN1].submission_id]
    old = by_urn[URN1].submission_id
    for _ in range(2):  # a superseded submission is read each time it is asked for
        assert chair_service.submission_view(chair, old)[0] is not by_urn[URN1].table
    assert reads.count(old) == 2
    with pytest.raises(RecordNotFound):
        chair_service.submission_view(chair, 999)
    # The workspace closing: nothing is held any more.
    chair_service.forget_submissions(chair)
    reads.clear()
    assert [s.urn for s in chair_service.current_submissions(chair)] == [s.urn for s in first]
    assert len(reads) == 2


def test_the_same_submissions_are_matched_once(
    world: World, chair: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deciding, listing and gathering all ask for the candidates among the same
    submissions: they are found once, and again only when a submission changes."""
    matched: list[int] = []
    find = chair_service.find_candidates

    def counted(schools, **kwargs):
        matched.append(len(schools))
        return find(schools, **kwargs)

    monkeypatch.setattr(chair_service, "find_candidates", counted)
    chair_service.forget_submissions(chair)
    views = chair_service.candidates(chair)
    decided = chair_service.decide(chair, views[0].key, "confirmed")
    assert decided.decision == "confirmed"
    assert chair_service.candidates(chair)[0].decision == "confirmed"  # decisions still read
    chair_service.across_schools(chair, world.day).candidates()
    assert chair_service.pack_data(chair, world.day).matches
    assert matched == [2]
    with world.open("School2") as school:
        exchange.export_bundle(school, world.folder / "again.sypbundle", include_briefing=False)
    exchange.open_bundle(chair, world.folder / "again.sypbundle")
    again = chair_service.candidates(chair)
    assert matched == [2, 2] and [v.key for v in again] == [v.key for v in views]


# -- the meeting record -------------------------------------------------------------------------------
def test_the_meeting_is_made_from_the_submissions_once(world: World, chair: Workspace) -> None:
    assert chair_service.find_meeting(chair, world.day) is None
    meeting = chair_service.meeting(chair, world.day)
    assert meeting.code == "MT-01" and meeting.date == world.day
    assert meeting.venue and meeting.chair == "Sam Chair (Council)"
    assert len(meeting.bundles) == 2
    names = [a.name for a in meeting.attendees]
    assert len(names) == len(set(names)) and len(names) >= 2
    assert chair_service.meeting(chair, world.day.isoformat()).id == meeting.id

    meeting.apologies = [Attendee(name="Pat Jones", role="Head of Year", organisation="School")]
    meeting.discussions = [
        Discussion(subject=URN1, summary="Discussed the bus station."),
        Discussion(subject="cluster:adult:abc", summary="One adult, two schools."),
    ]
    meeting.status = MeetingStatus.HELD.value
    chair_service.save_meeting(chair, meeting)
    stored = chair.repo.record(meeting.id)
    assert isinstance(stored, Meeting) and stored.apologies[0].name == "Pat Jones"
    assert stored.status == "held" and len(stored.discussions) == 2

    with pytest.raises(RecordInvalid):
        chair_service.save_meeting(chair, Meeting(date=world.day))  # one meeting a date
    bad = dataclasses.replace(meeting, discussions=[Discussion(subject="Fernbridge")])
    with pytest.raises(RecordInvalid):
        chair_service.save_meeting(chair, bad)


def _some(demos: dict, urn: str, kind: Kind, n: int = 2) -> list[str]:
    return [r.id for r in demos[urn].table.of_kind(kind)[:n]]


def test_agreed_actions_for_a_school_and_for_a_cluster(
    world: World, chair: Workspace, demos: dict
) -> None:
    day = world.day
    for_school = chair_service.agree_action(
        chair,
        day,
        catalogue_key="police_pcso",
        sub_choice="Increased patrols",
        school_urn=URN1,
        linked_ids=_some(demos, URN1, Kind.YOUNG_PERSON),
        owner_agency="Neighbourhood Police / PCSO",  # a label is resolved to its key
        due="2027-01-31",
        detail="Patrols at home time.",
    )
    assert for_school.origin == "meeting" and for_school.status == "agreed"
    assert for_school.owner_agency == "police" and for_school.due == date(2027, 1, 31)
    assert for_school.meeting_id == chair_service.find_meeting(chair, day).id
    adult = candidate_for(
        chair_service.candidates(chair),
        {(URN1, shared(demos, URN1, SHARED_ADULT)), (URN2, shared(demos, URN2, SHARED_ADULT))},
    )
    for_cluster = chair_service.agree_action(
        chair, day, catalogue_key="intel_submitted", cluster_key=adult.key, owner_agency="analyst"
    )
    assert set(for_cluster.linked_ids) == {m.record_id for m in adult.members}
    other = chair_service.agree_action(
        chair,
        day,
        catalogue_key="mash_referral",
        school_urn=URN2,
        status="not taken forward",
        rationale="Already open to social care.",
    )

    assert [a.code for a in chair_service.actions_for_school(chair, day, URN1)] == [
        for_school.code,
        for_cluster.code,
    ]
    assert [a.code for a in chair_service.actions_for_school(chair, day, URN2)] == [
        for_cluster.code,
        other.code,
    ]
    changed = chair_service.agree_action(
        chair,
        day,
        catalogue_key="police_pcso",
        school_urn=URN1,
        status="in progress",
        action_id=for_school.id,
    )
    assert changed.id == for_school.id and changed.code == for_school.code
    assert chair.repo.record(for_school.id).status == "in progress"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"school_urn": URN1, "cluster_key": "adult:x"}, UsageError),
        ({}, UsageError),
        ({"school_urn": "123456"}, SchoolNotInMeeting),
        ({"cluster_key": "adult:nothing"}, RecordNotFound),
        ({"school_urn": URN1, "catalogue_key": "tea_and_biscuits"}, RecordInvalid),
        ({"school_urn": URN1, "catalogue_key": "police_pcso", "sub_choice": "Cake"}, RecordInvalid),
        ({"school_urn": URN1, "owner_agency": "The Vatican"}, RecordInvalid),
        ({"school_urn": URN1, "status": "not taken forward"}, RecordInvalid),
        ({"school_urn": URN1, "linked_ids": ["other school"]}, RecordInvalid),
        ({"school_urn": URN1, "meeting_date": date(2030, 1, 1)}, NoSubmissions),
    ],
)
def test_an_agreed_action_is_refused_whole(
    world: World, chair: Workspace, demos: dict, changes: dict, error: type
) -> None:
    arguments = {"catalogue_key": "outreach", **changes}
    if arguments.get("linked_ids") == ["other school"]:
        arguments["linked_ids"] = _some(demos, URN2, Kind.YOUNG_PERSON, 1)  # not URN1's
    day = arguments.pop("meeting_date", world.day)
    before = files(world.folder)
    with pytest.raises(error):
        chair_service.agree_action(chair, day, **arguments)
    assert chair.table().of_kind(Kind.ACTION) == [] and files(world.folder) == before


# -- the briefing pack's data and its level ----------------------------------------------------------
def test_a_pack_needs_submissions_for_the_meeting(world: World, chair: Workspace) -> None:
    before = files(world.folder)
    with pytest.raises(NoSubmissions) as caught:
        chair_service.export_pack(chair, date(2030, 1, 1), world.folder / "none.pdf")
    assert caught.value.exit_code == 80 and "2030-01-01" in str(caught.value)
    assert files(world.folder) == before
    school = Workspace.open(world.folder / "School1.sypdb", PASS)
    with school, pytest.raises(UsageError):
        chair_service.export_pack(school, world.day, world.folder / "school.pdf")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_codes_level_pack_names_nobody(
    world: World, chair: Workspace, demos: dict, tmp_path: Path
) -> None:
    adult = candidate_for(
        chair_service.candidates(chair),
        {(URN1, shared(demos, URN1, SHARED_ADULT)), (URN2, shared(demos, URN2, SHARED_ADULT))},
    )
    chair_service.decide(chair, adult.key, "confirmed")
    data = chair_service.pack_data(chair, world.day, level="codes", document_id="ab" * 16)
    pdf = tmp_path / "codes.pdf"
    pdf.write_bytes(build_pack(data))
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    assert "Matches confirmed by the chair (1)" in text
    for demo in demos.values():
        for record in [*demo.table.of_kind(Kind.YOUNG_PERSON), *demo.table.of_kind(Kind.ADULT)]:
            assert isinstance(record, YoungPerson | Adult)
            assert not re.search(rf"{record.code}\s+{re.escape(initials_of(record))}\b", text)
            assert record.name not in text
    # The same data gives the same bytes (the document id and time are in the data).
    assert build_pack(data) == pdf.read_bytes()


# -- outcomes --------------------------------------------------------------------------------------
def _agree(chair: Workspace, day: date, demos: dict) -> dict[str, Action]:
    person = demos[URN1].table.of_kind(Kind.YOUNG_PERSON)[0]
    adult = candidate_for(
        chair_service.candidates(chair),
        {(URN1, shared(demos, URN1, SHARED_ADULT)), (URN2, shared(demos, URN2, SHARED_ADULT))},
    )
    chair_service.decide(chair, adult.key, "confirmed")
    meeting = chair_service.meeting(chair, day)
    meeting.apologies = [Attendee(name="Pat Jones", role="Head of Year", organisation="School")]
    meeting.discussions = [Discussion(subject=URN1, summary=f"We talked about {person.name}.")]
    chair_service.save_meeting(chair, meeting)
    return {
        "school": chair_service.agree_action(
            chair,
            day,
            catalogue_key="outreach",
            school_urn=URN1,
            linked_ids=[person.id, shared(demos, URN1, SHARED_PLACE)],
            owner_agency="motiv8",
            due=day + timedelta(weeks=4),
            detail=f"Detached youth work where {person.name} spends time.",
            notes="The chair's own note.",
        ),
        "cluster": chair_service.agree_action(
            chair,
            day,
            catalogue_key="intel_submitted",
            cluster_key=adult.key,
            owner_agency="analyst",
        ),
        "other": chair_service.agree_action(
            chair, day, catalogue_key="outreach", school_urn=URN2, owner_agency="motiv8"
        ),
    }


def test_the_outcomes_document_holds_one_schools_actions_at_initials(
    world: World, chair: Workspace, demos: dict
) -> None:
    agreed = _agree(chair, world.day, demos)
    person = demos[URN1].table.of_kind(Kind.YOUNG_PERSON)[0]
    document = chair_service.outcomes_document(chair, world.day, URN1)
    assert document["school"]["urn"] == URN1 and document["data_level"] == "initials"
    records = document["records"]
    assert {k for k, v in records.items() if v} == {"meeting", "action"}
    assert [a["id"] for a in records["action"]] == [agreed["school"].id, agreed["cluster"].id]
    ours = set(demos[URN1].table.records)
    for action in records["action"]:
        assert set(action["linked_ids"]) <= ours and action["notes"] == ""
    assert (
        person.name not in str(document) and initials_of(person) in records["action"][0]["detail"]
    )
    (meeting,) = records["meeting"]
    assert all(len(a["name"]) <= 4 for a in meeting["attendees"] + meeting["apologies"])
    assert [d["subject"] for d in meeting["discussions"]] == [URN1]
    with pytest.raises(SchoolNotInMeeting):
        chair_service.outcomes_document(chair, world.day, "123456")


def test_outcomes_round_trip_and_every_refusal_changes_nothing(world: World, demos: dict) -> None:
    day = world.day
    folder = world.folder
    with world.open("Chair") as ws:
        agreed = _agree(ws, day, demos)
        first = chair_service.export_outcomes(ws, day, URN1, folder / "out1.sypbundle")
        chair_service.export_outcomes(ws, day, URN2, folder / "out2.sypbundle")
        assert first.actions == [agreed["school"].code, agreed["cluster"].code]
        assert [e for _, e, _ in ws.repo.audit_events()].count("outcomes exported") == 2
        with pytest.raises(SchoolNotInMeeting):
            chair_service.export_outcomes(ws, day, "123456", folder / "x.sypbundle")
        assert not (folder / "x.sypbundle").exists()

    with world.open("School1") as school:
        opened = exchange.open_bundle(school, folder / "out1.sypbundle")
        assert isinstance(opened, exchange.OutcomesOpened)
        assert len(opened.added) == 2 and opened.meeting_code == "MT-01" and not opened.unlinked
        table = school.table()
        imported = [a for a in table.of_kind(Kind.ACTION) if a.origin == "meeting"]
        assert [a.code for a in imported] == opened.added
        outreach = next(a for a in imported if a.catalogue_key == "outreach")
        assert outreach.owner_agency == "motiv8" and outreach.due == day + timedelta(weeks=4)
        assert outreach.status == "agreed" and set(outreach.linked_ids) <= set(table.records)
        assert outreach.meeting_id == opened.meeting_id and outreach.notes == ""
        assert table.get(opened.meeting_id).status == "held"
        assert [b.kind for b in exchange.outcomes_received(school)] == ["outcomes"]
        school.save(dataclasses.replace(outreach, status=ActionStatus.IN_PROGRESS.value))

    # The same outcomes again; the other school's; nothing changes.
    before = files(folder)
    with world.open("School1") as school:
        with pytest.raises(AlreadyImported):
            exchange.open_bundle(school, folder / "out1.sypbundle")
        with pytest.raises(exchange.BundleNotForThisKey, match="another school"):
            exchange.open_bundle(school, folder / "out2.sypbundle")
    assert files(folder) == before

    # The chair changes one action and adds one; the newer outcomes update the school's,
    # keeping the status the school moved on.
    with world.open("Chair") as ws:
        chair_service.agree_action(
            ws,
            day,
            catalogue_key="outreach",
            school_urn=URN1,
            owner_agency="yps",
            status="agreed",
            action_id=agreed["school"].id,
        )
        chair_service.agree_action(ws, day, catalogue_key="group_work", school_urn=URN1)
        chair_service.export_outcomes(ws, day, URN1, folder / "out1b.sypbundle")
        chair_service.export_outcomes(ws, day, URN1, folder / "out1c.sypbundle")
    with world.open("School1") as school:
        again = exchange.open_bundle(school, folder / "out1c.sypbundle")
        assert len(again.added) == 1 and again.updated == [outreach.code]
        assert again.kept_status == [outreach.code]
        now_outreach = school.table().get(outreach.id)
        assert now_outreach.owner_agency == "yps" and now_outreach.status == "in progress"
        assert len([a for a in school.table().of_kind(Kind.ACTION) if a.origin == "meeting"]) == 3
        with pytest.raises(Replayed):
            exchange.open_bundle(school, folder / "out1b.sypbundle")


def _forged(folder: Path, keys: WorkspaceKeys, document: dict, recipient: str, name: str) -> Path:
    data = write_bundle(
        kind="outcomes",
        sender=SenderInfo("Sam Chair", "", "chair", keys),
        recipients=[recipient],
        passphrase=None,
        mapping=document,
        briefing_pdf=None,
        sequence=99,
    )
    path = folder / name
    path.write_bytes(data)
    return path


def test_outcomes_from_another_chair_or_for_another_school_are_refused(
    world: World, demos: dict
) -> None:
    with world.open("Chair") as ws:
        _agree(ws, world.day, demos)
        recipient = ws.repo.trusted_sender(URN1).age_recipient
        mine = ws.keys()
        for_them = chair_service.outcomes_document(ws, world.day, URN2)
        for_us = chair_service.outcomes_document(ws, world.day, URN1)
        chair_service.export_outcomes(ws, world.day, URN1, world.folder / "out1.sypbundle")
    misaddressed = _forged(world.folder, mine, for_them, recipient, "them.sypbundle")
    rogue = _forged(world.folder, WorkspaceKeys.generate(), for_us, recipient, "rogue.sypbundle")
    before = files(world.folder)
    with world.open("School1") as school:
        with pytest.raises(OutcomesForAnotherSchool) as caught:
            exchange.open_bundle(school, misaddressed)
        assert caught.value.exit_code == 83
        with pytest.raises(NotFromYourChair) as caught:
            exchange.open_bundle(school, rogue)
        assert caught.value.exit_code == 82
    assert files(world.folder) == before

    # A chair set from a plain age key cannot be checked; from its key card it can.
    with world.open("School1") as school:
        exchange.set_chair(school, exchange.chair(school).recipient)
        with pytest.raises(ChairNotVerifiable) as caught:
            exchange.open_bundle(school, world.folder / "out1.sypbundle")
        assert caught.value.exit_code == 81 and "key card" in str(caught.value)
        with world.open("Chair") as ws:
            card = ws.key_card()
        exchange.set_chair(school, card)
        assert exchange.open_bundle(school, world.folder / "out1.sypbundle").added


def test_a_school_with_no_chair_set_cannot_check_outcomes(world: World, demos: dict) -> None:
    with world.open("Chair") as ws:
        _agree(ws, world.day, demos)
        chair_service.export_outcomes(ws, world.day, URN1, world.folder / "out1.sypbundle")
    with world.open("School1") as school:
        school.repo.delete_meta(
            [k for k in school.repo.meta() if k.startswith("chair_")]  # as if never set
        )
        with pytest.raises(ChairNotVerifiable, match="No chair is set"):
            exchange.open_bundle(school, world.folder / "out1.sypbundle")


def test_a_new_chair_s_first_outcomes_open_after_the_old_chair_s_later_ones(
    world: World, demos: dict
) -> None:
    """Outcomes are numbered per chair: a school that changes chair is not stuck refusing
    the new chair's outcomes as replays of the old chair's."""
    with world.open("Chair") as ws:
        _agree(ws, world.day, demos)
        for n in (1, 2, 3):
            chair_service.export_outcomes(ws, world.day, URN1, world.folder / f"old{n}.sypbundle")
    with world.open("School1") as school:
        assert exchange.open_bundle(school, world.folder / "old3.sypbundle").added
    new_chair = Workspace.create(
        world.folder / "Chair2.sypdb",
        PASS,
        WorkspaceDetails(role="chair", name="New Chair", organisation="Council"),
    )
    with new_chair:
        with world.open("School1") as school:
            exchange.set_chair(school, new_chair.key_card())
            sent = exchange.export_bundle(
                school, world.folder / "again.sypbundle", include_briefing=False
            )
        exchange.open_bundle(
            new_chair, world.folder / "again.sypbundle", accept_new_key=sent.fingerprint
        )
        person = demos[URN1].table.of_kind(Kind.YOUNG_PERSON)[0]
        chair_service.agree_action(
            new_chair,
            world.day,
            catalogue_key="safety_mapping",
            school_urn=URN1,
            linked_ids=[person.id],
            owner_agency="yps",
        )
        chair_service.export_outcomes(new_chair, world.day, URN1, world.folder / "new1.sypbundle")
    with world.open("School1") as school:
        assert exchange.open_bundle(school, world.folder / "new1.sypbundle").added
