"""The spider diagram's layout: what is drawn, where, and that it is the same every time."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest

from saferyp_desktop.domain.diagram import (
    EDGE_LENGTH,
    EdgeKind,
    NodeType,
    code_sort_key,
    layout,
    wrap_label,
)
from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Action,
    Adult,
    Confidence,
    KeyConcern,
    Link,
    Location,
    LocationKind,
    Membership,
    PeerGroup,
    Rag,
    Relation,
    Strength,
    YoungPerson,
)

RETIRED = datetime(2026, 1, 5, tzinfo=UTC)


def link(a, b, relation=Relation.FRIENDS_WITH, confidence=Confidence.CONFIRMED, **extra) -> Link:
    return Link(a_id=a.id, b_id=b.id, relation=relation.value, confidence=confidence.value, **extra)


@pytest.fixture
def school() -> dict:
    """A small fictional table: two linked clusters, a lone adult, retired records."""
    r = {
        "yp1": YoungPerson(
            code="YP-01", name="Test Pupil One", harm_categories=["cse"], concern_level="high"
        ),
        "yp2": YoungPerson(code="YP-02", name="Test Pupil Two"),
        "yp3": YoungPerson(code="YP-03", name="Test Pupil Three", harm_categories=["bullying"]),
        "gone": YoungPerson(code="YP-04", name="Test Pupil Four", retired=RETIRED),
        "ad1": Adult(code="AD-01", name="Test Adult One", harm_categories=["cse"]),
        "ad2": Adult(code="AD-02", name="Test Adult Two"),
        "lc1": Location(
            code="LC-01", label="Test Park", rating=Rag.RED.value, harm_categories=["cse"]
        ),
        "lc2": Location(
            code="LC-02",
            label="Test Chat",
            location_kind=LocationKind.ONLINE_PLATFORM.value,
            rating=Rag.AMBER.value,
        ),
        "kc": KeyConcern(code="KC-01", text="Test concern"),
        "ac": Action(code="AC-01", catalogue_key="x"),
    }
    r["pg1"] = PeerGroup(
        code="PG-01",
        label="Test Group",
        members=[Membership(person_id=r["yp3"].id, role="leader")],
        harm_categories=["bullying"],
    )
    r["st1"] = Strength(code="ST-01", label="Test Mentor", linked_ids=[r["yp1"].id, r["yp2"].id])
    links = {
        "exploits": link(
            r["ad1"], r["yp1"], Relation.SUSPECTED_OF_EXPLOITING, Confidence.SUSPECTED
        ),
        "friends": link(r["yp1"], r["yp2"]),
        "also_seen": link(r["yp2"], r["yp1"], Relation.SEEN_WITH, Confidence.UNCONFIRMED),
        "park": link(r["yp1"], r["lc1"], Relation.SPENDS_TIME_AT, Confidence.UNCONFIRMED),
        "chat": link(r["yp2"], r["lc2"], Relation.ONLINE_CONTACT_WITH),
        "supports": link(r["st1"], r["yp1"], Relation.SUPPORTS_OR_PROTECTS),
        "to_retired": link(r["yp1"], r["gone"]),
        "retired_link": link(r["yp1"], r["yp3"], retired=RETIRED),
    }
    table = MappingTable.of(r.values(), links.values())
    return {"table": table, "r": r, "links": links}


def test_every_active_mapped_record_is_a_node_once(school) -> None:
    diagram = layout(school["table"])
    r = school["r"]
    expected = {r[k].id for k in ("yp1", "yp2", "yp3", "ad1", "ad2", "lc1", "lc2", "pg1", "st1")}
    assert set(diagram.nodes) == expected
    assert len(diagram.nodes) == len(expected)
    assert r["gone"].id not in diagram.nodes
    assert [n.code for n in diagram.nodes.values()] == sorted(
        (n.code for n in diagram.nodes.values()), key=code_sort_key
    )


def test_edges_are_active_links_memberships_and_strengths(school) -> None:
    diagram = layout(school["table"])
    r, links = school["r"], school["links"]
    ids = {e.id for e in diagram.edges}
    assert {
        links[k].id for k in ("exploits", "friends", "also_seen", "park", "chat", "supports")
    } <= ids
    assert links["to_retired"].id not in ids
    assert links["retired_link"].id not in ids
    membership = [e for e in diagram.edges if e.kind == EdgeKind.MEMBERSHIP]
    assert [(e.a_id, e.b_id, e.relation, e.words) for e in membership] == [
        (r["yp3"].id, r["pg1"].id, "member of (leader)", "leader")
    ]
    # The strength's link to YP-01 is already a Link: only the one to YP-02 is added.
    implicit = [e for e in diagram.edges if e.kind == EdgeKind.STRENGTH]
    assert [(e.a_id, e.b_id) for e in implicit] == [(r["st1"].id, r["yp2"].id)]
    exploits = next(e for e in diagram.edges if e.id == links["exploits"].id)
    assert exploits.relation == Relation.SUSPECTED_OF_EXPLOITING.value
    assert exploits.confidence == Confidence.SUSPECTED.value
    assert exploits.words == "exploiting/pressuring"


def test_two_links_between_one_pair_get_separate_lanes(school) -> None:
    diagram = layout(school["table"])
    links = school["links"]
    lanes = {e.id: e.lane for e in diagram.edges}
    assert sorted([lanes[links["friends"].id], lanes[links["also_seen"].id]], key=abs)[0] == 0
    assert {abs(lanes[links["friends"].id]), abs(lanes[links["also_seen"].id])} == {0, 1}


def test_nodes_say_what_they_are_and_are_named_by_level(school) -> None:
    diagram = layout(school["table"])
    r = school["r"]
    yp1 = diagram.nodes[r["yp1"].id]
    assert yp1.node_type == NodeType.YOUNG_PERSON
    assert yp1.label(DataLevel.FULL) == "Test Pupil One"
    assert yp1.label(DataLevel.INITIALS) == "TPO"
    assert yp1.label(DataLevel.CODES) == "YP-01"
    assert yp1.concern_level == "high"
    assert yp1.rating is None
    assert diagram.nodes[r["lc1"].id].node_type == NodeType.LOCATION
    assert diagram.nodes[r["lc1"].id].rating == "red"
    assert diagram.nodes[r["lc2"].id].node_type == NodeType.ONLINE_CONTEXT
    assert diagram.nodes[r["lc2"].id].rating == "amber"
    assert diagram.nodes[r["pg1"].id].label(DataLevel.INITIALS) == "Test Group"


def test_the_same_data_gives_the_same_positions(school) -> None:
    table = school["table"]
    first = layout(table).positions()
    assert layout(table).positions() == first
    # The order records were added in does not matter.
    shuffled = list(table.records.values())
    random.Random(3).shuffle(shuffled)
    links = list(table.links.values())
    random.Random(4).shuffle(links)
    assert layout(MappingTable.of(shuffled, links)).positions() == first


def test_nodes_do_not_sit_on_each_other() -> None:
    diagram = layout(medium_table(seed=5))
    points = list(diagram.positions().values())
    closest = min(math.dist(p, q) for i, p in enumerate(points) for q in points[i + 1 :])
    assert closest > 40


def test_pinned_positions_are_kept_and_the_rest_laid_out_around_them(school) -> None:
    table = school["table"]
    r = school["r"]
    free = layout(table)
    where = (free.position(r["yp1"].id)[0] + 900.0, free.position(r["yp1"].id)[1] - 300.0)
    pinned = layout(table, pinned={r["yp1"].id: where, "no-such-record": (1.0, 2.0)})
    assert pinned.position(r["yp1"].id) == where
    assert pinned.nodes[r["yp1"].id].pinned
    assert not pinned.nodes[r["yp2"].id].pinned
    assert set(pinned.nodes) == set(free.nodes)
    # Its neighbours came along; the lone adult, in another component, did not move.
    before = math.dist(free.position(r["yp2"].id), where)
    after = math.dist(pinned.position(r["yp2"].id), where)
    assert after < before
    assert pinned.position(r["ad2"].id) == free.position(r["ad2"].id)
    assert layout(table, pinned={r["yp1"].id: where}).positions() == pinned.positions()


def test_a_diagram_placed_in_full_is_drawn_as_placed(school) -> None:
    """A school's bundle carries every node's position: the chair draws them as given."""
    table = school["table"]
    free = layout(table)
    moved = {node_id: (x + 1000.0, -y) for node_id, (x, y) in free.positions().items()}
    placed = layout(table, pinned=moved)
    assert placed.positions() == moved
    assert [(e.a_id, e.b_id, e.lane) for e in placed.edges] == [
        (e.a_id, e.b_id, e.lane) for e in free.edges
    ]
    # One node missing: it is laid out, the others stay where they were placed.
    missing = sorted(moved)[0]
    partial = layout(table, pinned={k: v for k, v in moved.items() if k != missing})
    assert all(partial.position(k) == v for k, v in moved.items() if k != missing)
    assert missing in partial.nodes


def test_filter_by_node_type(school) -> None:
    r = school["r"]
    people = layout(school["table"], kinds=[NodeType.YOUNG_PERSON])
    assert set(people.nodes) == {r["yp1"].id, r["yp2"].id, r["yp3"].id}
    assert {e.id for e in people.edges} == {
        school["links"]["friends"].id,
        school["links"]["also_seen"].id,
    }
    online = layout(school["table"], kinds=["online_context"])
    assert set(online.nodes) == {r["lc2"].id}
    places = layout(school["table"], kinds=["location"])
    assert set(places.nodes) == {r["lc1"].id}


def test_filter_by_harm_category_keeps_what_is_linked_to_it(school) -> None:
    r = school["r"]
    diagram = layout(school["table"], harm_categories=["cse"])
    # The CSE records, and everything one edge away from them.
    assert set(diagram.nodes) == {
        r["yp1"].id,
        r["ad1"].id,
        r["lc1"].id,
        r["yp2"].id,
        r["st1"].id,
    }
    for edge in diagram.edges:
        assert edge.a_id in diagram.nodes and edge.b_id in diagram.nodes
    bullying = layout(school["table"], harm_categories=["bullying"])
    assert set(bullying.nodes) == {r["yp3"].id, r["pg1"].id}
    assert layout(school["table"], harm_categories=[]).nodes == {}


def test_an_empty_table_lays_out_to_nothing() -> None:
    diagram = layout(MappingTable())
    assert diagram.nodes == {} and diagram.edges == []
    assert diagram.bounds() == (0.0, 0.0, 0.0, 0.0)


def test_edges_have_about_the_spring_length_in_a_sparse_diagram(school) -> None:
    diagram = layout(school["table"])
    r = school["r"]
    length = math.dist(diagram.position(r["ad1"].id), diagram.position(r["yp1"].id))
    assert 0.4 * EDGE_LENGTH < length < 4 * EDGE_LENGTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Test Park", "Test Park"),
        ("Underpass by the shop on Station Road", "Underpass by the\nshop on Station…"),
        ("Averyveryveryverylongsingleword", "Averyveryveryverylo…"),
        ("", ""),
    ],
)
def test_wrap_label(text: str, expected: str) -> None:
    assert wrap_label(text) == expected


def test_code_order_is_by_kind_then_number() -> None:
    codes = ["YP-100", "AD-01", "YP-10", "ST-01", "LC-03", "PG-01", "YP-01"]
    assert sorted(codes, key=code_sort_key) == [
        "YP-01",
        "YP-10",
        "YP-100",
        "AD-01",
        "PG-01",
        "LC-03",
        "ST-01",
    ]


# -- a larger table, with fixed ids, for determinism across processes ---------------


def medium_table(seed: int = 1, records: int = 90, links: int = 160) -> MappingTable:
    rng = random.Random(seed)

    def fixed_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    made = []
    for number in range(1, records + 1):
        kind = number % 5
        if kind == 0:
            made.append(Adult(id=fixed_id(), code=f"AD-{number:02d}", name=f"Test Adult {number}"))
        elif kind == 1:
            made.append(
                Location(id=fixed_id(), code=f"LC-{number:02d}", label=f"Test Place {number}")
            )
        else:
            made.append(
                YoungPerson(id=fixed_id(), code=f"YP-{number:02d}", name=f"Test Pupil {number}")
            )
    table_links = []
    for _ in range(links):
        a, b = rng.sample(made, 2)
        table_links.append(
            Link(id=fixed_id(), a_id=a.id, b_id=b.id, relation=Relation.SEEN_WITH.value)
        )
    return MappingTable.of(made, table_links)


PRINT_LAYOUT = """
import json, sys
sys.path.insert(0, {tests!r})
from unit.test_diagram_layout import medium_table
from saferyp_desktop.domain.diagram import layout
print(json.dumps(layout(medium_table(), pinned={{}}).positions(), sort_keys=True))
"""


def test_positions_do_not_depend_on_the_process_or_its_hash_seed() -> None:
    from pathlib import Path

    tests = str(Path(__file__).resolve().parents[1])
    outputs = []
    for hash_seed in ("1", "4242"):
        result = subprocess.run(
            [sys.executable, "-c", PRINT_LAYOUT.format(tests=tests)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    here = {k: list(v) for k, v in layout(medium_table()).positions().items()}
    assert outputs[0] == here
