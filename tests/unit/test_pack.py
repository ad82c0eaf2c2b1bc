"""The chair's briefing pack read back as the chair at the meeting would read it: a real
PDF from two demo schools' signed submissions, checked with qpdf and poppler's tools
(``apt-get install -y qpdf poppler-utils``). The meeting must be runnable from the paper
alone: the matches still to decide are on it, the contents gives every part's page,
organisations are named as the program shows them, each school's part starts with a
header (not the school's own cover), and signatures have room.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pdf_reading import flat, needs_pdf_tools, pages_of, words_by_page

from saferyp_desktop.domain.demo import make_demo
from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import load_profile
from saferyp_desktop.domain.records import Adult, Attendee, Kind, Meeting, YoungPerson
from saferyp_desktop.reports.common import Tile, choose_fonts
from saferyp_desktop.reports.pack import (
    LONE_TILE_NODES,
    PackData,
    PackSchool,
    _PackWriter,
    build_pack,
)
from saferyp_desktop.services import chair as chair_service
from saferyp_desktop.services import exchange
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.storage.database import use_fast_kdf_for_tests

PASS = "correct horse battery staple"
MARKING = "OFFICIAL-SENSITIVE"
CODES = ("csc", "yps", "police", "analyst", "motiv8")  # the profile's agency keys
LABELS = (
    "Children's Social Care",
    "Young People's Service",
    "Neighbourhood Police / PCSO",
    "Exploitation Analyst",
    "Motiv8",
)

pytestmark = needs_pdf_tools


@dataclass
class Pack:
    data: PackData
    pdf: Path
    pages: list[str]  # pdftotext's reading order
    layout: list[str]  # pdftotext -layout

    def page_of(self, heading: str) -> int:
        """The number of the first page with a line that is ``heading``, after the
        contents (page 2, which names every part)."""
        for number, text in enumerate(self.pages[2:], start=3):
            if any(line.strip() == heading for line in text.splitlines()):
                return number
        raise AssertionError(f"no page has {heading!r}")


# -- the world: a chair, two demo schools' submissions, a meeting record ----------------------
@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[DataLevel, Pack]:
    use_fast_kdf_for_tests(64)
    folder = tmp_path_factory.mktemp("pack")
    chair = Workspace.create(
        folder / "Chair.sypdb",
        PASS,
        WorkspaceDetails(role="chair", name="Sam Chair", organisation="Council"),
    )
    with chair:
        for seed in (1, 2):
            with create_demo_workspace(folder / f"School{seed}.sypdb", PASS, seed=seed) as school:
                exchange.set_chair(school, chair.key_card())
                sent = exchange.export_bundle(
                    school, folder / f"sub{seed}.sypbundle", include_briefing=False
                )
            exchange.open_bundle(
                chair, folder / f"sub{seed}.sypbundle", accept_new_key=sent.fingerprint
            )
        day = make_demo(1).meeting_date
        found = chair_service.candidates(chair)
        adult = next(c for c in found if c.kind == Kind.ADULT)
        place = next(c for c in found if c.kind == Kind.LOCATION)
        chair_service.decide(chair, adult.key, "confirmed", note="Same car.")
        chair_service.decide(chair, place.key, "dismissed")
        meeting = chair_service.meeting(chair, day)
        # Organisations as the attendee editor stores them: the agency's key.
        meeting.attendees += [
            Attendee(name="Priya Example", role="PCSO", organisation="police"),
            Attendee(name="Tom Example", role="Data lead", organisation="analyst"),
            Attendee(name="Dana Example", role="Youth worker", organisation="motiv8"),
        ]
        meeting.apologies = [
            Attendee(name="Chris Example", role="Social worker", organisation="csc"),
            Attendee(name="Lee Example", role="Practitioner", organisation="yps"),
        ]
        chair_service.save_meeting(chair, meeting)
        chair_service.agree_action(
            chair,
            day,
            catalogue_key="police_pcso",
            cluster_key=adult.key,
            owner_agency="police",
            due=day + timedelta(days=14),
        )
        made = {}
        for level in (DataLevel.INITIALS, DataLevel.CODES):
            data = chair_service.pack_data(
                chair, day, level=level, document_id="cd" * 16, created=datetime(2026, 12, 1, 8)
            )
            pdf = folder / f"pack-{level.value}.pdf"
            pdf.write_bytes(build_pack(data))
            made[level] = Pack(data, pdf, pages_of(pdf), pages_of(pdf, "-layout"))
    return made


@pytest.fixture(scope="module")
def pack(packs: dict[DataLevel, Pack]) -> Pack:
    return packs[DataLevel.INITIALS]


def across_text(pack: Pack) -> str:
    """The across-schools pages before the combined diagram, flattened."""
    first = pack.page_of("Across schools")
    end = next(
        n
        for n, text in enumerate(pack.pages, start=1)
        if "Across schools: combined spider diagram" in text
    )
    return flat("\n".join(pack.pages[first - 1 : end - 1]))


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


# -- the file ---------------------------------------------------------------------------------
def test_qpdf_finds_no_errors_and_every_page_is_marked_and_numbered(
    packs: dict[DataLevel, Pack],
) -> None:
    for pack in packs.values():
        checked = subprocess.run(["qpdf", "--check", str(pack.pdf)], capture_output=True)
        assert checked.returncode == 0, checked.stdout
        total = len(pack.pages)
        for number, text in enumerate(pack.layout, start=1):
            lines = [line for line in text.splitlines() if line.strip()]
            assert MARKING in lines[0] and MARKING in lines[-1], number
            assert f"Page {number} of {total}" in lines[-1], number


# -- 1: the matches still to decide are on paper ------------------------------------------------
def test_undecided_matches_are_printed_to_decide_at_the_meeting(pack: Pack) -> None:
    data = pack.data
    assert data.undecided and data.dismissed == 1 and len(data.matches) == 1
    text = across_text(pack)
    assert "not yet decided; they are not listed" not in text
    to_decide = section(
        text, f"To decide at the meeting ({len(data.undecided)})", "Matches confirmed by the chair"
    )
    writer = _PackWriter(data, choose_fonts([]))
    for match in data.undecided:
        for _, record_id in match.members:
            assert data.combined.records[record_id].code in to_decide
        for reason in match.reasons:
            assert flat(writer.reason(reason)) in to_decide, reason
        assert f"{match.score:.2f}" in to_decide
    # Two boxes to tick on each candidate (drawn: only their words are text).
    assert to_decide.count("same not the same") == len(data.undecided)
    assert "1 other candidate was dismissed" in text


def test_no_name_of_a_young_person_or_adult_at_initials(pack: Pack, packs: dict) -> None:
    """Not in the reasons for a match either, where a first name alone may stand
    ("same first name (Darren Ambrell / Darren)")."""
    text = flat("\n".join(pack.pages))
    across = across_text(pack)
    for urn in ("990001", "990002"):
        demo = make_demo(1 if urn == "990001" else 2)
        for record in [*demo.table.of_kind(Kind.YOUNG_PERSON), *demo.table.of_kind(Kind.ADULT)]:
            assert isinstance(record, YoungPerson | Adult)
            phrases = [record.name]
            if isinstance(record, Adult):
                phrases += [*record.aliases, *record.handles]
            for phrase in phrases:
                if len(phrase) > 2:
                    assert not re.search(rf"(?<![\w@]){re.escape(phrase)}(?![\w@])", text), phrase
            if isinstance(record, Adult):
                first = record.name.split()[0]
                assert not re.search(rf"\b{re.escape(first)}\b", across), first
    # At codes, a reason is only its kind: no plate, phone digits or alias.
    codes = across_text(packs[DataLevel.CODES])
    for demo in (make_demo(1), make_demo(2)):
        for adult in demo.table.of_kind(Kind.ADULT):
            assert isinstance(adult, Adult)
            for plate in re.findall(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", adult.vehicle):
                assert plate not in codes and plate.replace(" ", "") not in codes
    assert "same vehicle registration" in codes or "same phone number" in codes


# -- 2: a contents with page numbers -------------------------------------------------------------
def test_the_contents_gives_each_part_and_each_schools_first_page(pack: Pack) -> None:
    contents = 2
    assert "Contents" in pack.pages[contents - 1].splitlines()
    lines = pack.layout[contents - 1].splitlines()

    def number_after(title: str) -> int:
        line = next(x for x in lines if x.strip().startswith(title))
        return int(re.findall(r"\d+", line[line.index(title) + len(title) :])[0])

    for title in ("Sign-in sheet", "Across schools", "Action plan"):
        assert number_after(title) == pack.page_of(title), title
    assert number_after("To decide at the meeting") == pack.page_of(
        f"To decide at the meeting ({len(pack.data.undecided)})"
    )
    for n, school in enumerate(pack.data.schools, start=1):
        first = number_after(f"{n}. {school.name}")
        page = pack.pages[first - 1]
        assert f"{n}. {school.name}" in page and "URN" in page and school.urn in page
        assert school.name not in pack.pages[first - 2].splitlines()[2]  # the page before
    # The page of each school's part is also where the PDF's outline sends the reader.
    assert "Cover and agenda" in pack.layout[contents - 1]


def test_a_contents_over_two_pages_still_gives_each_schools_first_page(
    tmp_path: Path,
) -> None:
    """45 small schools: the contents runs onto a second page, its links included."""
    profile = load_profile()
    day = date(2026, 12, 16)
    schools = []
    for n in range(1, 46):
        person = YoungPerson(code="YP-01", name=f"Pupil Number{n}")
        schools.append(
            PackSchool(
                urn=f"{900000 + n}",
                name=f"School {n:02d} Academy",
                received=datetime(2026, 12, 1, 9),
                level_sent=DataLevel.FULL,
                fingerprint="ABCD-EFGH-JKMN-PQRS-TVWX",
                demo=False,
                table=MappingTable.of([person]),
                meeting=Meeting(date=day),
                meeting_planned=True,
                profile=profile,
                findings=[],
            )
        )
    combined = MappingTable.of([r for s in schools for r in s.table.records.values()])
    data = PackData(
        meeting=Meeting(date=day, chair="Sam Chair"),
        profile=profile,
        level=DataLevel.INITIALS,
        document_id="ef" * 16,
        created=datetime(2026, 12, 1, 8),
        chair="Sam Chair",
        organisation="Council",
        fingerprint="ABCD-EFGH-JKMN-PQRS-TVWX",
        schools=schools,
        matches=[],
        dismissed=0,
        undecided=[],
        places=[],
        combined=combined,
        school_of={r: s.urn for s in schools for r in s.table.records},
        joined=[],
        actions=[],
    )
    pdf = tmp_path / "many.pdf"
    pdf.write_bytes(build_pack(data))
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    pages = pages_of(pdf, "-layout")
    contents = [p for p in pages if "Briefing pack · Contents" in p]
    assert len(contents) == 2  # the schools' rows run on
    rows = "\n".join(contents).splitlines()
    for n in (1, 30, 45):
        line = next(x for x in rows if x.strip().startswith(f"{n}. School {n:02d}"))
        first = int(re.findall(r"\d+", line.split("Academy", 1)[1])[0])
        assert f"{n}. School {n:02d} Academy" in pages[first - 1], n
    assert "Pupil Number" not in "\n".join(pages)


# -- 3: organisations by the profile's label ------------------------------------------------------
def test_organisations_are_printed_as_the_profiles_labels(pack: Pack) -> None:
    cover = pack.pages[0]
    sign_in = pack.pages[pack.page_of("Sign-in sheet") - 1]
    plan = flat(pack.pages[pack.page_of("Action plan") - 1])
    for text in (cover, sign_in):
        for code in CODES:
            assert not re.search(rf"(?<![\w/]){code}(?![\w/])", text), code
    assert "Children's Social Care" in cover and "Young People's Service" in cover
    for label in ("Neighbourhood Police / PCSO", "Exploitation Analyst", "Motiv8"):
        assert label in flat(sign_in), label
    assert "Neighbourhood Police / PCSO" in plan  # the owner of the cluster's action


# -- 4: each school's part starts with its header, not its own cover ------------------------------
def test_each_schools_part_starts_with_a_header_not_the_schools_cover(pack: Pack) -> None:
    text = flat("\n".join(pack.pages))
    assert "over the phone" not in text and "read these groups out" not in text
    assert "Chair Sam Chair (Council)" in flat(pack.pages[0])
    for n, school in enumerate(pack.data.schools, start=1):
        first = pack.page_of(f"{n}. {school.name}")
        header = flat(pack.pages[first - 1])
        for expected in (school.urn, school.dsl, school.deputy, school.fingerprint, "Submitted"):
            assert expected and expected in header, expected
        assert "Data level sent" in header and "Summary" in header
        assert school.meeting.chair  # the school's own meeting names its chair …
        for page in pack.pages[first - 1 :]:
            assert school.meeting.chair not in page  # … which the pack does not print


# -- 5: room to sign -------------------------------------------------------------------------------
def test_sign_in_rows_are_tall_enough_to_sign(pack: Pack) -> None:
    number = pack.page_of("Sign-in sheet")
    [(_height, words)] = words_by_page(pack.pdf, "-f", str(number), "-l", str(number))
    left = min(w.left for w in words)
    rows = sorted(w.top for w in words if w.text.isdigit() and w.left - left < 20)
    assert len(rows) >= 20
    gaps = [b - a for a, b in zip(rows, rows[1:], strict=False)]
    mm = 72 / 25.4
    assert all(10 * mm <= gap <= 12 * mm for gap in gaps), gaps


# -- page waste --------------------------------------------------------------------------------------
@dataclass
class _Node:
    id: str


@dataclass
class _Edge:
    a_id: str
    b_id: str


class _FakePainter:
    """What ``parts_worth_a_page`` asks of a painter: its edges and the nodes in a cell."""

    def __init__(self, cells: dict[str, list[str]], edges: list[tuple[str, str]]) -> None:
        self.cells = cells
        self.diagram = type("D", (), {"edges": [_Edge(a, b) for a, b in edges]})()

    def nodes_in(self, rect: tuple) -> list[_Node]:
        return [_Node(i) for i in self.cells[rect[0]]]


def test_a_diagram_part_with_only_a_few_unlinked_records_is_not_printed() -> None:
    def tile(name: str) -> Tile:
        return Tile(name, 1, (name, 0, 0, 0), (name, 0, 0, 0))  # type: ignore[arg-type]

    cells = {
        "A1": [f"n{i}" for i in range(20)],
        "B1": ["lone1", "lone2"],  # a few records with no links: named on the overview
        "C1": [],  # nothing
        "A2": ["x", "y"],  # few, but linked: kept
        "B2": [f"u{i}" for i in range(LONE_TILE_NODES + 1)],  # many unlinked: kept
    }
    painter = _FakePainter(cells, [("n0", "n1"), ("x", "y")])
    kept, alone = _PackWriter.parts_worth_a_page(painter, [tile(n) for n in cells])  # type: ignore[arg-type]
    assert [t.name for t in kept] == ["A1", "A2", "B2"]
    assert [n.id for n in alone] == ["lone1", "lone2"]


def test_the_pack_is_shorter_than_the_schools_briefings_end_to_end(pack: Pack) -> None:
    """Each school's sections run on and its tables are set smaller: its part is
    shorter than its own briefing's pages would be (about 48 pages for a demo school)."""
    starts = [pack.page_of(f"{n}. {s.name}") for n, s in enumerate(pack.data.schools, 1)]
    part = starts[1] - starts[0]
    assert part < 40, part
    assert build_pack(pack.data) == pack.pdf.read_bytes()  # the same data, the same bytes
