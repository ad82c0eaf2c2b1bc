"""The fictional demo schools (DESIGN.md §7, ``saferyp demo``)."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from saferyp_desktop.domain import checks
from saferyp_desktop.domain.demo import DEMO_NOTE, SIZES, DemoSchool, make_demo
from saferyp_desktop.domain.demo_town import POSTCODE_AREA, SHARED_ADULTS, SHARED_PLACES
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import load_profile
from saferyp_desktop.domain.records import (
    CODE_PREFIX,
    MAPPED_KINDS,
    Action,
    KeyConcern,
    Kind,
    Meeting,
    MeetingStatus,
    Record,
    code_number,
)
from saferyp_desktop.domain.serialize import (
    evidence_from_dict,
    link_from_dict,
    record_from_dict,
    to_dict,
)
from saferyp_desktop.errors import UsageError

TODAY = date(2026, 5, 11)
PROFILE = load_profile()
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED", "PYTHONWARNINGS")}


def dump(school: DemoSchool) -> list:
    """Everything a demo school is, as plain data."""
    table = school.table
    return [
        [school.name, school.urn, school.phase, school.community_area, school.dsl, school.deputy],
        school.meeting_date.isoformat(),
        [to_dict(r) for r in table.records.values()],
        [to_dict(link) for link in table.links.values()],
        [to_dict(item) for item in table.evidence.values()],
    ]


@pytest.fixture(scope="module")
def typical() -> DemoSchool:
    return make_demo(1, "typical", TODAY)


@pytest.fixture(scope="module")
def large() -> tuple[DemoSchool, float]:
    started = time.perf_counter()
    school = make_demo(1, "large", TODAY)
    return school, time.perf_counter() - started


@pytest.fixture(scope="module")
def town() -> dict[int, DemoSchool]:
    """Four schools of the same town."""
    return {seed: make_demo(seed, "typical", TODAY) for seed in (1, 2, 3, 4)}


@pytest.fixture(params=["typical", "large"])
def school(request: pytest.FixtureRequest, typical: DemoSchool, large: tuple) -> DemoSchool:
    return typical if request.param == "typical" else large[0]


# -- the same every time -------------------------------------------------------------


def test_the_same_seed_gives_the_same_school(typical: DemoSchool) -> None:
    assert dump(make_demo(1, "typical", TODAY)) == dump(typical)


def test_the_same_school_in_another_process() -> None:
    """Nothing depends on hash randomisation (set order) or on the clock."""
    script = (
        "import json, sys; from datetime import date;"
        "from saferyp_desktop.domain.demo import make_demo;"
        "from saferyp_desktop.domain.serialize import to_dict;"
        f"s = make_demo(5, 'typical', date.fromisoformat('{TODAY.isoformat()}'));"
        "print(json.dumps([s.name, s.dsl, [to_dict(r) for r in s.table.records.values()],"
        "[to_dict(x) for x in s.table.links.values()],"
        "[to_dict(x) for x in s.table.evidence.values()]], sort_keys=True))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**ENV, "PYTHONHASHSEED": hash_seed},
            timeout=60,
        ).stdout
        for hash_seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1


def test_dates_come_from_today_not_the_clock(typical: DemoSchool) -> None:
    table = typical.table
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    stamps = [t for r in table.records.values() for t in (r.created, r.updated)]
    stamps += [t for link in table.links.values() for t in (link.created, link.updated)]
    stamps += [item.recorded_at for item in table.evidence.values()]
    assert all(t < midnight for t in stamps)
    assert all(item.observed < TODAY for item in table.evidence.values())
    confirmed = [r.last_confirmed for r in table.records.values() if r.last_confirmed]
    assert confirmed and all(d < TODAY for d in confirmed)
    oldest = min(item.observed for item in table.evidence.values())
    assert TODAY - oldest > timedelta(weeks=20)  # evidence spread over about six months


def test_without_a_date_the_demo_is_anchored_on_today() -> None:
    school = make_demo(1)
    assert timedelta(weeks=2) <= school.meeting_date - date.today() <= timedelta(weeks=4)


def test_an_unknown_size_is_refused() -> None:
    with pytest.raises(UsageError, match="typical or large"):
        make_demo(1, "huge", TODAY)


# -- the shape of the data ------------------------------------------------------------


@pytest.mark.parametrize("size", ["typical", "large"])
def test_sizes_are_near_their_targets(
    size: str, typical: DemoSchool, large: tuple[DemoSchool, float]
) -> None:
    school = typical if size == "typical" else large[0]
    target = SIZES[size]
    counts = school.table.counts()
    found = {
        "young people": (counts[Kind.YOUNG_PERSON], target.young_people),
        "adults": (counts[Kind.ADULT], target.adults),
        "peer groups": (counts[Kind.PEER_GROUP], target.peer_groups),
        "places": (counts[Kind.LOCATION], target.places),
        "strengths": (counts[Kind.STRENGTH], target.strengths),
        "links": (len(school.table.links), target.links),
        "evidence": (len(school.table.evidence), target.evidence),
        "key concerns": (counts[Kind.KEY_CONCERN], target.key_concerns),
    }
    for what, (count, wanted) in found.items():
        assert abs(count - wanted) <= wanted * 0.1, what
    assert target.actions <= counts[Kind.ACTION] <= target.actions * 1.2
    assert counts[Kind.MEETING] == 1


def test_the_large_demo_has_the_large_sizes(large: tuple[DemoSchool, float]) -> None:
    # How fast it builds is a benchmark figure (tests/bench), not a test.
    counts = large[0].table.counts()
    assert counts[Kind.YOUNG_PERSON] >= 900 and len(large[0].table.links) >= 4500


def test_every_record_link_and_evidence_is_valid(school: DemoSchool) -> None:
    table = school.table
    for record in table.records.values():
        record.validate()
        assert record.notes == DEMO_NOTE
    for link in table.links.values():
        link.validate()
        assert link.a_id in table.records and link.b_id in table.records
    for item in table.evidence.values():
        item.validate()
        assert item.subject_id in table.records or item.subject_id in table.links
        assert PROFILE.resolve("sources", item.source) == item.source
    ids = [*table.records, *table.links, *table.evidence]
    assert len(ids) == len(set(ids))


def test_links_join_two_records_once_per_relation(school: DemoSchool) -> None:
    pairs = [
        (frozenset((link.a_id, link.b_id)), link.relation) for link in school.table.links.values()
    ]
    assert all(len(pair) == 2 for pair, _ in pairs)
    assert len(pairs) == len(set(pairs))


def test_relations_suit_the_kinds_they_join(school: DemoSchool) -> None:
    table = school.table
    for link in table.links.values():
        a, b = table.records[link.a_id].kind, table.records[link.b_id].kind
        if link.relation == "spends time at":
            assert b == Kind.LOCATION and a != Kind.LOCATION
        elif link.relation == "suspected of exploiting or pressuring":
            assert a == Kind.ADULT and b in (Kind.YOUNG_PERSON, Kind.PEER_GROUP)
        elif link.relation == "supports or protects":
            assert a == Kind.STRENGTH
        elif link.relation in ("friends with", "in a relationship with"):
            assert a == b


def test_codes_run_from_one_without_gaps(school: DemoSchool) -> None:
    for kind in CODE_PREFIX:
        records = school.table.of_kind(kind)
        assert sorted(code_number(r.code) for r in records) == list(range(1, len(records) + 1))
        assert all(r.code.startswith(CODE_PREFIX[kind] + "-") for r in records)


def test_records_use_the_profiles_words(school: DemoSchool) -> None:
    harm_keys = {c.key for c in PROFILE.harm_categories}
    agency_keys = {c.key for c in PROFILE.agencies}
    action_keys = {a.key for a in PROFILE.actions}
    for record in school.table.records.values():
        assert set(getattr(record, "harm_categories", [])) <= harm_keys
        if isinstance(record, Action):
            assert record.catalogue_key in action_keys
            assert record.owner_agency in agency_keys
    levels = [r.concern_level for r in school.table.of_kind(Kind.YOUNG_PERSON)]
    assert levels.count("low") > levels.count("medium") > levels.count("high") > 0
    places = school.table.of_kind(Kind.LOCATION)
    assert any(p.online for p in places)
    assert {p.rating for p in places} == {"red", "amber", "green"}


def test_records_survive_serialisation(typical: DemoSchool) -> None:
    table = typical.table
    assert [record_from_dict(to_dict(r)) for r in table.records.values()] == list(
        table.records.values()
    )
    assert [link_from_dict(to_dict(x)) for x in table.links.values()] == list(table.links.values())
    assert [evidence_from_dict(to_dict(x)) for x in table.evidence.values()] == list(
        table.evidence.values()
    )


# -- the checks have something, but not much, to find -------------------------------------


def test_each_check_finds_a_few_records(school: DemoSchool) -> None:
    table = school.table
    findings = checks.run_checks(table, school.meeting_date, PROFILE.currency_window_weeks)
    people_groups_places = sum(len(table.of_kind(k)) for k in checks.PEOPLE_GROUPS_PLACES)
    checked = {
        checks.Check.RELEVANT: people_groups_places,
        checks.Check.EVIDENCED: people_groups_places + len(list(table.active_links())),
        checks.Check.CURRENT: sum(len(table.of_kind(k)) for k in MAPPED_KINDS),
        checks.Check.PLAN: len(table.of_kind(Kind.YOUNG_PERSON)),
    }
    for check, population in checked.items():
        subjects = {f.subject_id for f in findings if f.check == check}
        assert 1 <= len(subjects) < 0.25 * population, check


def test_the_plan_comes_from_key_concerns_and_actions(typical: DemoSchool) -> None:
    table, meeting = typical.table, typical.meeting
    plans = [r for r in table.records.values() if isinstance(r, KeyConcern | Action)]
    assert all(p.meeting_id == meeting.id for p in plans)
    assert all(i in table.records for p in plans for i in p.linked_ids)
    assert any(isinstance(p, Action) and p.status == "not taken forward" for p in plans)
    assert any(isinstance(p, KeyConcern) and p.is_question for p in plans)


# -- one town, several schools ------------------------------------------------------------


def test_the_meeting_is_upcoming_and_the_same_for_every_school(
    town: dict[int, DemoSchool],
) -> None:
    agencies = {c.label for c in PROFILE.agencies}
    assert len({school.meeting_date for school in town.values()}) == 1
    for school in town.values():
        meeting = school.meeting
        assert isinstance(meeting, Meeting) and meeting.status == MeetingStatus.PREPARING.value
        assert meeting.date == school.meeting_date
        assert timedelta(weeks=2) <= meeting.date - TODAY <= timedelta(weeks=4)
        assert school.dsl in {a.name for a in meeting.attendees}
        assert {a.organisation for a in meeting.attendees} <= agencies
        assert len(meeting.attendees) >= 4


def test_every_school_is_a_different_demo_school() -> None:
    schools = [make_demo(seed, "typical", TODAY) for seed in range(1, 14)]
    assert len({s.name for s in schools}) == len(schools)
    assert len({s.urn for s in schools}) == len(schools)
    for school in schools:
        assert "DEMO" in school.name
        assert len(school.urn) == 6 and school.urn.isdigit()
        assert school.dsl != school.deputy


def test_schools_have_their_own_young_people(town: dict[int, DemoSchool]) -> None:
    names = [{r.name for r in school.table.of_kind(Kind.YOUNG_PERSON)} for school in town.values()]
    for a, b in itertools.combinations(names, 2):
        assert len(a & b) < 0.2 * len(a)


def _place_keys(table: MappingTable) -> set[str]:
    """What a chair's matcher would compare places by: postcode, or an online group's
    name with everything but letters and digits taken out."""
    keys = set()
    for place in table.of_kind(Kind.LOCATION):
        if place.postcode:
            keys.add(place.postcode.replace(" ", ""))
        elif "fblinkup" in re.sub(r"[^a-z0-9]", "", place.label.lower()):
            keys.add("online:fblinkup")
    return keys


def _adult_keys(table: MappingTable) -> set[str]:
    """Registrations and phone numbers, however they were written."""
    keys = set()
    for adult in table.of_kind(Kind.ADULT):
        keys |= set(re.findall(r"[A-Z]{2}\d{2}[A-Z]{3}", adult.vehicle.upper().replace(" ", "")))
        for handle in adult.handles:
            keys |= set(re.findall(r"07\d{9}", handle.replace(" ", "")))
    return keys


def test_schools_share_places_and_adults(town: dict[int, DemoSchool]) -> None:
    for a, b in itertools.combinations(town.values(), 2):
        places = _place_keys(a.table) & _place_keys(b.table)
        adults = _adult_keys(a.table) & _adult_keys(b.table)
        assert len(places) >= 4 and "online:fblinkup" in places
        assert len(adults) >= 2


def test_shared_records_are_written_differently_by_different_schools(
    town: dict[int, DemoSchool],
) -> None:
    def written(key: str, field: str) -> set:
        found = set()
        for school in town.values():
            if key in school.shared_ids:
                record: Record = school.table.records[school.shared_ids[key]]
                found.add(str(getattr(record, field)))
        return found

    assert len(written("bus_station", "label")) > 1
    assert len(written("dazza", "aliases")) > 1 or len(written("dazza", "vehicle")) > 1
    core = {p.key for p in SHARED_PLACES if p.core} | {a.key for a in SHARED_ADULTS if a.core}
    assert all(core <= set(school.shared_ids) for school in town.values())


def test_nothing_looks_like_a_real_postcode_registration_or_phone(school: DemoSchool) -> None:
    for place in school.table.of_kind(Kind.LOCATION):
        if place.postcode:
            assert place.postcode.startswith(POSTCODE_AREA)
        for postcode in re.findall(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", place.where):
            assert postcode.startswith(POSTCODE_AREA)
    for adult in school.table.of_kind(Kind.ADULT):
        for plate in re.findall(r"\b[A-Z]{2}\d{2} ?[A-Z]{3}\b", adult.vehicle.upper()):
            assert plate.startswith(POSTCODE_AREA)
        for handle in adult.handles:
            for phone in re.findall(r"07\d{9}", handle.replace(" ", "")):
                assert phone.startswith("07700900")  # Ofcom's drama range
