"""Across schools: the candidate matcher (DESIGN.md §4, "Chair"), on a hand-built set of
true and false matches (``matching_cases``) and on the demo schools' answer key."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from matching_cases import Fixture, build_fixture

from saferyp_desktop.domain.demo import DemoSchool, make_demo
from saferyp_desktop.domain.levels import DataLevel, redact
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.matching import (
    LISTING_THRESHOLD,
    MATCHED_KINDS,
    Candidate,
    Member,
    SchoolTable,
    area_places,
    extract_handles,
    extract_phones,
    extract_plates,
    find_candidates,
    member_key,
)
from saferyp_desktop.domain.records import Kind

TODAY = date(2026, 5, 11)
HERE = Path(__file__).resolve().parent

# Measured on the hand-built cases (pairwise, every kind, at the listing threshold):
# 23 of the 24 true pairs found, and 23 of the 24 pairs proposed true. The miss is the
# adult one school only saw as "a man in a grey BMW" (no registration); the false
# proposal is two branches of one chain, "Greggs, High Street", neither with a postcode.
HAND_PRECISION = 0.958
HAND_RECALL = 0.958
# Measured on demo seeds 1–4 (size typical), places and adults (the kinds the answer key
# covers), pairwise: all 52 true pairs found and nothing else proposed.
DEMO_PRECISION = 1.0
DEMO_RECALL = 1.0


def pairs_of(candidates: list[Candidate], kinds: tuple[Kind, ...] = MATCHED_KINDS) -> set:
    return {
        pair
        for c in candidates
        if c.kind in kinds
        for pair in itertools.combinations(sorted(c.members), 2)
    }


def precision_recall(found: set, true: set) -> tuple[float, float]:
    hits = len(found & true)
    return hits / max(1, len(found)), hits / max(1, len(true))


def report(record_property, capsys, name: str, precision: float, recall: float) -> None:
    """Shown in the test output whatever the capture setting, and in the JUnit XML."""
    record_property(f"{name}_precision", round(precision, 3))
    record_property(f"{name}_recall", round(recall, 3))
    with capsys.disabled():
        print(f"\n[matching] {name}: precision {precision:.3f}, recall {recall:.3f}")


@pytest.fixture(scope="module")
def fixture() -> Fixture:
    return build_fixture()


@pytest.fixture(scope="module")
def candidates(fixture: Fixture) -> list[Candidate]:
    return find_candidates(fixture.schools)


@pytest.fixture(scope="module")
def demos() -> list[DemoSchool]:
    return [make_demo(seed, "typical", TODAY) for seed in range(1, 5)]


def demo_tables(demos: list[DemoSchool], level: DataLevel = DataLevel.FULL) -> list[SchoolTable]:
    tables = []
    for demo in demos:
        table = demo.table
        if level != DataLevel.FULL:
            table = MappingTable.of(
                [redact(r, level) for r in table.records.values()],
                table.links.values(),
                table.evidence.values(),
            )
        tables.append(SchoolTable(demo.urn, demo.name, table))
    return tables


def answer_key(demos: list[DemoSchool]) -> tuple[dict[Member, str], set]:
    truth = {(d.urn, record_id): key for d in demos for key, record_id in d.shared_ids.items()}
    true = {
        (a, b)
        for a, b in itertools.combinations(sorted(truth), 2)
        if a[0] != b[0] and truth[a] == truth[b]
    }
    return truth, true


def find(candidates: list[Candidate], *members: Member) -> Candidate | None:
    """The candidate holding all of ``members``."""
    return next((c for c in candidates if set(members) <= set(c.members)), None)


# -- the hand-built cases -----------------------------------------------------------------
def test_precision_and_recall_on_the_hand_built_cases(
    fixture: Fixture, candidates: list[Candidate], record_property, capsys
) -> None:
    precision, recall = precision_recall(pairs_of(candidates), fixture.true_pairs())
    report(record_property, capsys, "hand-built cases", precision, recall)
    assert precision >= HAND_PRECISION
    assert recall >= HAND_RECALL


@pytest.mark.parametrize(
    ("what", "members"),
    [
        ("postcode with and without a space, Pk/Park", [("990101", "victoria"), ("990102", "victoria")]),
        ("an outward code alone, with the label", [("990101", "victoria"), ("990103", "victoria")]),
        ("St/Street and the postcode's space", [("990101", "kebab"), ("990102", "kebab")]),
        ("Rd/Road, words in another order", [("990102", "busstop"), ("990103", "busstop")]),
        ("a postcode only in where", [("990103", "bowl"), ("990104", "bowl")]),
        ("no postcode, St Mary's", [("990101", "church"), ("990104", "church")]),
        ("one online group written two ways", [("990101", "crew"), ("990103", "crew")]),
        ("a misspelt surname, the same plate", [("990101", "darren"), ("990102", "darren")]),
        ("one handle written two ways", [("990103", "darren"), ("990104", "dazza")]),
        ("first name and alias only", [("990101", "darren"), ("990103", "darren")]),
        ("one phone number in three formats", [("990101", "tiny"), ("990102", "tiny"), ("990103", "tiny")]),
        ("a plate inside a description of the van", [("990102", "kieran"), ("990104", "van")]),
        ("a misspelt first name, an alias", [("990102", "shannon"), ("990103", "shannon")]),
        ("a first name and initial, one handle", [("990101", "kayleigh"), ("990104", "kayleigh")]),
        ("a peer group: label, members, place", [("990101", "boys"), ("990102", "boys")]),
        ("a young person linked to the same adult", [("990101", "jb"), ("990102", "jb")]),
        ("a young person in the same peer group", [("990101", "tk"), ("990102", "tk")]),
    ],
)  # fmt: skip
def test_true_matches_are_found(
    fixture: Fixture, candidates: list[Candidate], what: str, members: list[tuple[str, str]]
) -> None:
    wanted = [fixture.member(school, short) for school, short in members]
    assert find(candidates, *wanted) is not None, what


@pytest.mark.parametrize(
    ("what", "a", "b"),
    [
        ("a park of the same name in another postcode", ("990101", "victoria"), ("990104", "victoria")),
        ("a park of the same name, an outward code against another", ("990103", "victoria"), ("990104", "victoria")),
        ("two parks of one name in different postcodes", ("990101", "ashdown"), ("990102", "ashdown")),
        ("another account, a number on the end", ("990101", "crew"), ("990104", "crew")),
        ("two schools' own bike sheds", ("990101", "sheds"), ("990102", "sheds")),
        ("a shop and flats in one postcode", ("990103", "londis"), ("990104", "kilnflats")),
        ("two places on one street", ("990102", "alley"), ("990104", "footpath")),
        ("two adults with the same first name", ("990101", "darren2"), ("990102", "darren")),
        ("two adults with the same first name", ("990102", "darren3"), ("990101", "darren")),
        ("two adults with the same first name, one with no surname", ("990101", "darren2"), ("990103", "darren")),
        ("two men with one name, thirty years and a car apart", ("990103", "lee"), ("990104", "lee")),
        ("two adults with one nickname", ("990101", "ghost"), ("990103", "ghost")),
        ("a different peer group at the same park", ("990101", "boys"), ("990103", "girls")),
        ("young people with the same initials, different children", ("990101", "jb"), ("990103", "jb")),
        ("young people with the same name, nothing else", ("990103", "tom"), ("990104", "tom")),
    ],
)  # fmt: skip
def test_false_matches_are_not_listed(
    fixture: Fixture,
    candidates: list[Candidate],
    what: str,
    a: tuple[str, str],
    b: tuple[str, str],
) -> None:
    pair = tuple(sorted((fixture.member(*a), fixture.member(*b))))
    assert pair not in pairs_of(candidates), what


def test_young_people_are_never_matched_by_name_alone(fixture: Fixture) -> None:
    everything = find_candidates(fixture.schools, threshold=0.0)
    toms = find(everything, fixture.member("990103", "tom"), fixture.member("990104", "tom"))
    assert toms is not None, "the same name is shown below the threshold, with its reason"
    assert toms.kind == Kind.YOUNG_PERSON
    assert toms.score < LISTING_THRESHOLD
    assert any("may be different children" in r for r in toms.reasons)
    # Their reasons name them by initials only.
    assert not any("Tom" in r or "Kelly" in r for r in toms.reasons)


def test_reasons_say_why_in_plain_words(fixture: Fixture, candidates: list[Candidate]) -> None:
    def reasons(*members: tuple[str, str]) -> str:
        candidate = find(candidates, *(fixture.member(*m) for m in members))
        assert candidate is not None
        return " | ".join(candidate.reasons)

    assert "same postcode ZZ1 1AB" in reasons(("990101", "victoria"), ("990102", "victoria"))
    darren = reasons(("990101", "darren"), ("990102", "darren"))
    assert "same vehicle registration ZZ19KFR" in darren
    assert "similar name (Darren Ambrell / Darren Ambrel)" in darren
    assert "alias Dazza ≈ Daz" in darren
    assert "same online handle" in reasons(("990103", "darren"), ("990104", "dazza"))
    tiny = reasons(("990101", "tiny"), ("990102", "tiny"))
    assert "same phone number ending 417" in tiny
    assert "07700" not in tiny, "only the end of a phone number is shown"
    assert "peer groups share 2 members' initials and year group" in reasons(
        ("990101", "boys"), ("990102", "boys")
    )


def test_a_candidate_is_only_across_schools_and_well_formed(candidates: list[Candidate]) -> None:
    assert candidates
    for candidate in candidates:
        schools = [school for school, _ in candidate.members]
        assert len(schools) >= 2
        assert len(set(schools)) == len(schools), "two records of one school in a candidate"
        assert candidate.reasons and all(r.strip() for r in candidate.reasons)
        assert LISTING_THRESHOLD <= candidate.score <= 1.0
        assert candidate.key == member_key(candidate.kind, candidate.members)
        for pair in candidate.pairs:
            assert pair.a[0] != pair.b[0]
            assert pair.reasons
            assert pair.key == member_key(candidate.kind, (pair.a, pair.b))
    order = [(-c.score, MATCHED_KINDS.index(c.kind), c.key) for c in candidates]
    assert order == sorted(order)


def test_keys_do_not_depend_on_the_order_or_the_run(fixture: Fixture) -> None:
    first = find_candidates(fixture.schools)
    again = find_candidates(fixture.schools)
    backwards = find_candidates(list(reversed(fixture.schools)))
    assert [(c.key, c.score, c.reasons) for c in first] == [
        (c.key, c.score, c.reasons) for c in again
    ]
    assert {c.key for c in first} == {c.key for c in backwards}


def test_keys_survive_a_new_process_and_hash_seed(candidates: list[Candidate]) -> None:
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "from matching_cases import build_fixture\n"
        "from saferyp_desktop.domain.matching import find_candidates\n"
        "print(json.dumps([c.key for c in find_candidates(build_fixture().schools)]))\n"
    )
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout) == [c.key for c in candidates]


def test_threshold_lists_weaker_candidates_without_changing_the_strong_ones(
    fixture: Fixture, candidates: list[Candidate]
) -> None:
    everything = find_candidates(fixture.schools, threshold=0.0)
    assert len(everything) > len(candidates)
    assert all(c.score > 0 for c in everything)
    strong = find_candidates(fixture.schools, threshold=0.8)
    assert strong and all(c.score >= 0.8 for c in strong)
    # The young people's context (matched adults, places, groups) is the same whatever
    # is listed: Jayden scores the same at any threshold.
    jayden = (fixture.member("990101", "jb"), fixture.member("990102", "jb"))
    scores = {find(found, *jayden).score for found in (candidates, everything)}  # type: ignore[union-attr]
    assert len(scores) == 1


def test_school_ids_must_differ(fixture: Fixture) -> None:
    school = fixture.schools[0]
    with pytest.raises(ValueError):
        find_candidates([school, SchoolTable(school.school_id, "Again", school.table)])


def test_nothing_to_compare_finds_nothing(fixture: Fixture) -> None:
    assert find_candidates([]) == []
    assert find_candidates(fixture.schools[:1]) == []


# -- what the matcher reads out of free text ----------------------------------------------
@pytest.mark.parametrize(
    ("text", "plates"),
    [
        ("black Audi A3 ZZ19KFR", ["ZZ19KFR"]),
        ("Black Audi A3, reg ZZ19 KFR", ["ZZ19KFR"]),
        ("Red moped (zz67 wbt), no L-plates", ["ZZ67WBT"]),
        ("Grey BMW 1 Series", []),
        ("old Ford Escort, A123 BCD", ["A123BCD"]),
        ("Silver Vauxhall Corsa", []),
    ],
)
def test_registrations_come_out_of_free_text(text: str, plates: list[str]) -> None:
    assert extract_plates(text) == plates


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("07700 900417", ["7700900417"]),
        ("+44 7700 900417 (WhatsApp)", ["7700900417"]),
        ("Tel 07700-900-417", ["7700900417"]),
        ("(07700) 900 417 or 07700 900582", ["7700900417", "7700900582"]),
        ("@tiny.fb", []),
    ],
)
def test_phone_numbers_are_their_last_ten_digits(text: str, phones: list[str]) -> None:
    assert extract_phones(text) == phones


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("@dazza.a (Snapchat)", ["dazzaa"]),
        ("dazza.a on Snapchat", ["dazzaa"]),
        ("Instagram: @KD.Runs", ["kdruns"]),
        ("07700900417 (WhatsApp)", []),
        ("on Snapchat", []),
    ],
)
def test_handles_are_case_free_without_at(text: str, handles: list[str]) -> None:
    assert extract_handles(text) == handles


# -- the demo schools' answer key ---------------------------------------------------------
def test_every_shared_place_and_adult_of_the_demo_is_found(
    demos: list[DemoSchool], record_property, capsys
) -> None:
    found = find_candidates(demo_tables(demos))
    truth, true = answer_key(demos)
    precision, recall = precision_recall(pairs_of(found, (Kind.LOCATION, Kind.ADULT)), true)
    report(record_property, capsys, "demo seeds 1-4, typical", precision, recall)
    assert recall >= DEMO_RECALL
    assert precision >= DEMO_PRECISION
    # Each shared place and adult is one candidate holding every school that knows it.
    for key in sorted(set(truth.values())):
        members = sorted(m for m, k in truth.items() if k == key)
        if len({school for school, _ in members}) > 1:
            assert any(sorted(c.members) == members for c in found), key
    for candidate in found:
        assert candidate.reasons
        assert len({s for s, _ in candidate.members}) == len(candidate.members)


def test_demo_keys_are_stable(demos: list[DemoSchool]) -> None:
    first = [c.key for c in find_candidates(demo_tables(demos))]
    again = [c.key for c in find_candidates(demo_tables([make_demo(s, "typical", TODAY) for s in range(1, 5)]))]  # fmt: skip
    assert first == again


def test_bundles_at_the_initials_level_still_meet(demos: list[DemoSchool]) -> None:
    """Initials: no aliases or handles, so no phone numbers, but places and plates."""
    found = find_candidates(demo_tables(demos, DataLevel.INITIALS))
    truth, true = answer_key(demos)
    got = pairs_of(found, (Kind.LOCATION, Kind.ADULT))
    places = {p for p in true if truth[p[0]] in {"bus_station", "hollins_park", "golden_griddle"}}
    assert places <= got
    plated = {p for p in true if truth[p[0]] in {"dazza", "kd", "moped", "mozza"}}
    assert plated <= got


def test_bundles_at_the_codes_level_match_places_and_never_people(
    demos: list[DemoSchool],
) -> None:
    """Codes: no names, no initials, no vehicles, postcodes cut to their outward code."""
    found = find_candidates(demo_tables(demos, DataLevel.CODES))
    assert any(c.kind == Kind.LOCATION for c in found)
    assert not any(c.kind in (Kind.YOUNG_PERSON, Kind.ADULT) for c in found)


# -- the area's places --------------------------------------------------------------------
def test_area_places_count_confirmed_matches_as_one_place(
    fixture: Fixture, candidates: list[Candidate]
) -> None:
    victoria = [fixture.member(s, "victoria") for s in ("990101", "990102", "990103")]
    candidate = find(candidates, *victoria)
    assert candidate is not None and candidate.kind == Kind.LOCATION

    before = area_places(fixture.schools, set(), candidates)
    assert all(place.schools == 1 for place in before)
    named = sum(len(s.table.of_kind(Kind.LOCATION)) for s in fixture.schools)
    assert sum(len(place.members) for place in before) == named

    after = area_places(fixture.schools, {candidate.key}, candidates)
    place = next(p for p in after if victoria[0] in p.members)
    assert sorted(place.members) == sorted(victoria)
    assert place.schools == 3
    assert place.rating == "red"  # the worst any of the three gave it
    assert place.postcode == "ZZ1 1AB"
    assert place.keys == [candidate.key]
    assert len(place.labels) == 3
    assert after[0] is place, "most schools first"
    # The other Victoria Park, in another postcode, stays a place of its own.
    other = next(p for p in after if fixture.member("990104", "victoria") in p.members)
    assert other.schools == 1


def test_area_places_take_a_pair_confirmed_alone(
    fixture: Fixture, candidates: list[Candidate]
) -> None:
    a, b = fixture.member("990101", "victoria"), fixture.member("990102", "victoria")
    pair_key = member_key(Kind.LOCATION, (a, b))
    places = area_places(fixture.schools, {pair_key}, candidates)
    place = next(p for p in places if a in p.members)
    assert sorted(place.members) == sorted([a, b])
    assert place.schools == 2


def test_area_places_find_candidates_when_not_given(fixture: Fixture) -> None:
    kebab = [fixture.member("990101", "kebab"), fixture.member("990102", "kebab")]
    places = area_places(fixture.schools, {member_key(Kind.LOCATION, kebab)})
    place = next(p for p in places if kebab[0] in p.members)
    assert place.schools == 2
    assert place.rating == "red"
    order = [(-p.schools, ["red", "amber", "green"].index(p.rating)) for p in places]
    assert order == sorted(order)


def test_odd_records_do_not_trip_the_matcher() -> None:
    from saferyp_desktop.domain.records import Adult, Location, PeerGroup, YoungPerson

    def table(n: int) -> MappingTable:
        return MappingTable.of(
            [
                Location(code="LC-01", label="?!", location_kind="other", postcode="N/A"),
                Location(code="LC-02", label="Online", location_kind="online platform"),
                Location(code="LC-03", label="Ünïcode Café — “the” spot", location_kind="shop/takeaway", postcode=f"ZZ{n}"),
                Adult(code="AD-01", name="AD-01"),
                Adult(code="AD-02", name="  ", aliases=["", "  "], handles=["@", "+44"], vehicle="reg ?"),
                Adult(code="AD-03", name="Mr X", approx_age=30, vehicle="A3"),
                YoungPerson(code="YP-01", name="YP-01"),
                YoungPerson(code="YP-02", name="Ab", year_group=None, age=None),
                PeerGroup(code="PG-01", label="Year", members=[]),
            ]
        )  # fmt: skip

    schools = [SchoolTable(f"9900{n}", f"School {n}", table(n)) for n in range(1, 4)]
    for threshold in (0.0, LISTING_THRESHOLD):
        for candidate in find_candidates(schools, threshold=threshold):
            assert candidate.reasons
            assert len({s for s, _ in candidate.members}) == len(candidate.members)
    assert area_places(schools, set())
