"""The PDF briefing, read back as a reader would: real PDFs checked with qpdf and
poppler's tools (``apt-get install -y qpdf poppler-utils``; ``.ci/run`` installs them)."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pdf_reading import flat, needs_pdf_tools, page_count, pages_of, run_tool, words_by_page

from saferyp_desktop.domain.checks import CHECK_TITLES, Check, run_checks, summary
from saferyp_desktop.domain.levels import DataLevel, initials_of
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import load_profile
from saferyp_desktop.domain.records import (
    Adult,
    Attendee,
    KeyConcern,
    Kind,
    Link,
    Location,
    Meeting,
    PeerGroup,
    Record,
    YoungPerson,
)
from saferyp_desktop.errors import FileAlreadyExists, RecordNotFound, UsageError
from saferyp_desktop.reports import briefing as report
from saferyp_desktop.reports.briefing import (
    BriefingData,
    build_briefing,
    short_document_id,
    suggested_briefing_name,
)
from saferyp_desktop.services.briefing import (
    AUDIT_EVENT,
    briefing_bytes,
    export_briefing,
    find_meeting,
)
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.workspace import Workspace
from saferyp_desktop.storage.database import use_fast_kdf_for_tests

PASS = "test passphrase here"
MARKING = "OFFICIAL-SENSITIVE"
DOC_IDS = {
    DataLevel.FULL: "aa11" * 8,
    DataLevel.INITIALS: "bb22" * 8,
    DataLevel.CODES: "cc33" * 8,
}

pytestmark = needs_pdf_tools


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    use_fast_kdf_for_tests(64)
    path = tmp_path_factory.mktemp("briefing") / "Demo.sypdb"
    workspace = create_demo_workspace(path, PASS, seed=1)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def pdfs(demo: Workspace, tmp_path_factory: pytest.TempPathFactory) -> dict[DataLevel, Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    made = {}
    for level, document_id in DOC_IDS.items():
        path = folder / f"{level.value}.pdf"
        path.write_bytes(briefing_bytes(demo, level=level, document_id=document_id))
        made[level] = path
    return made


@pytest.fixture(scope="module")
def texts(pdfs: dict[DataLevel, Path]) -> dict[DataLevel, list[str]]:
    return {level: pages_of(path) for level, path in pdfs.items()}


def people(workspace: Workspace) -> list[Record]:
    table = workspace.table()
    return [*table.of_kind(Kind.YOUNG_PERSON), *table.of_kind(Kind.ADULT)]


def identifying_words(record: Record) -> list[str]:
    """A person's full name, aliases and handles (what initials must never show)."""
    if isinstance(record, YoungPerson):
        return [record.name]
    assert isinstance(record, Adult)
    return [record.name, *record.aliases, *record.handles]


def appears(phrase: str, text: str) -> bool:
    pattern = r"(?<![\w@])" + r"\s+".join(re.escape(p) for p in phrase.split()) + r"(?![\w@])"
    return re.search(pattern, text) is not None


# -- the file ---------------------------------------------------------------------------------
@pytest.mark.parametrize("level", list(DataLevel))
def test_qpdf_finds_no_errors(pdfs: dict[DataLevel, Path], level: DataLevel) -> None:
    result = subprocess.run(
        ["qpdf", "--check", str(pdfs[level])], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_every_page_has_the_marking_at_top_and_bottom(pdfs: dict[DataLevel, Path]) -> None:
    pages = words_by_page(pdfs[DataLevel.INITIALS])
    assert len(pages) == page_count(pdfs[DataLevel.INITIALS]) > 10
    for number, (height, words) in enumerate(pages, start=1):
        marks = [w for w in words if w.text == MARKING]
        assert any(w.bottom < 0.08 * height for w in marks), f"no marking at the top of {number}"
        assert any(w.top > 0.92 * height for w in marks), f"no marking at the foot of {number}"


def test_every_page_is_numbered_and_carries_the_document_id(
    pdfs: dict[DataLevel, Path],
) -> None:
    pdf = pdfs[DataLevel.INITIALS]
    total = page_count(pdf)
    short = short_document_id(DOC_IDS[DataLevel.INITIALS])
    assert short == "BB22-BB22"
    for number in range(1, total + 1):
        text = run_tool("pdftotext", "-f", number, "-l", number, pdf, "-")
        assert MARKING in text
        assert f"Page {number} of {total}" in text
        assert f"Document {short}" in text
        assert "Fernbridge Academy (DEMO)" in text  # the school
        assert "Meeting " in text


def test_the_cover_has_the_school_meeting_and_fingerprint(
    demo: Workspace, texts: dict[DataLevel, list[str]]
) -> None:
    cover = texts[DataLevel.INITIALS][0]
    meeting = demo.next_meeting()
    assert meeting is not None
    assert demo.details.urn in cover
    assert meeting.date.isoformat() in cover
    assert demo.keys().fingerprint in cover
    assert demo.details.dsl in cover
    assert demo.profile.charter.statement.split(",")[0] in flat(cover)
    assert "Initials." in cover
    for attendee in meeting.attendees:  # professionals: named at every level
        assert attendee.name in cover
    assert DOC_IDS[DataLevel.INITIALS] in cover


@pytest.mark.parametrize("level", [DataLevel.INITIALS, DataLevel.CODES])
def test_no_full_name_alias_or_handle_below_full_level(
    demo: Workspace, texts: dict[DataLevel, list[str]], level: DataLevel
) -> None:
    text = flat("\n".join(texts[level]))
    everyone_initials = {initials_of(r) for r in people(demo)}
    leaks = []
    for record in people(demo):
        for phrase in identifying_words(record):
            if len(phrase) < 3 or phrase in everyone_initials:
                continue  # "DA" as an alias is the same as someone's initials
            if appears(phrase, text):
                leaks.append(f"{record.code}: {phrase!r}")
    assert not leaks


def test_full_level_names_people(demo: Workspace, texts: dict[DataLevel, list[str]]) -> None:
    text = flat("\n".join(texts[DataLevel.FULL]))
    table = demo.table()
    for record in table.of_kind(Kind.YOUNG_PERSON):
        assert isinstance(record, YoungPerson)
        assert appears(record.name, text), record.code
    named = [a for a in table.of_kind(Kind.ADULT) if appears(a.name, text)]
    assert len(named) == len(table.of_kind(Kind.ADULT))


def test_codes_level_has_no_labels_of_people_and_no_free_text(
    demo: Workspace, texts: dict[DataLevel, list[str]]
) -> None:
    text = flat("\n".join(texts[DataLevel.CODES]))
    table = demo.table()
    for record in people(demo):
        initials = initials_of(record)
        assert not re.search(rf"{record.code}\s+{re.escape(initials)}\b", text), record.code
    assert "Fictional demo record" not in text  # every demo record's notes
    for concern in table.of_kind(Kind.KEY_CONCERN):
        assert isinstance(concern, KeyConcern)
        assert concern.text[:30] not in text
    for group in table.of_kind(Kind.PEER_GROUP):
        assert isinstance(group, PeerGroup)
        assert not appears(group.label, text)
        if group.description:
            assert group.description not in text
    for place in table.of_kind(Kind.LOCATION):
        assert isinstance(place, Location)
        if len(place.label.split()) > 1:
            assert not appears(place.label, text), place.code
    # The initials level does name places and shows people by their initials.
    initials_text = flat("\n".join(texts[DataLevel.INITIALS]))
    first = table.of_kind(Kind.YOUNG_PERSON)[0]
    assert re.search(rf"{first.code}\s+{initials_of(first)}\b", initials_text)


def test_a_table_over_several_pages_repeats_its_header(
    texts: dict[DataLevel, list[str]],
) -> None:
    pages = texts[DataLevel.INITIALS]
    sections = {
        "Young people": ("Worker aware", "Harm categories", "Evidence and currency"),
        "Links": ("Relation", "Confidence", "Evidence"),
    }
    for section, header in sections.items():
        running = f"Fernbridge Academy (DEMO) · {section}\n"
        in_section = [p for p in pages if running in p]
        assert len(in_section) >= 2, section
        for page in in_section:
            for title in header:
                assert title in flat(page), (section, title)


def test_the_aliases_column_is_left_out_where_it_would_be_empty(
    texts: dict[DataLevel, list[str]],
) -> None:
    """At initials aliases and handles are never printed, so the column is not there."""
    for level, expected in ((DataLevel.FULL, True), (DataLevel.INITIALS, False)):
        adults = flat("\n".join(p for p in texts[level] if "· Adults of concern" in p))
        assert "Vehicle" in adults
        assert ("Aliases and handles" in adults) is expected, level


def test_a_narrow_column_breaks_a_word_after_its_slash_not_mid_word(
    texts: dict[DataLevel, list[str]],
) -> None:
    places = "\n".join(p for p in texts[DataLevel.INITIALS] if "· Locations and contexts" in p)
    lines = [line.strip() for line in places.splitlines()]
    assert "shop/" in lines and "takeaway" in lines  # the kind "shop/takeaway", broken
    assert not any(line.endswith("takeaw") or line.startswith("ay") for line in lines)


def test_the_legend_writes_each_label_clear_of_its_shape() -> None:
    """Every shape's reach (the cloud of an online context is the widest) is known, and
    each label starts to the right of the shape before it."""
    reach = {
        report.NodeType.ONLINE_CONTEXT: max(
            [abs(x) + r for x, _, r in report._CLOUD_CIRCLES]
            + [abs(report._CLOUD_BASE[0]), report._CLOUD_BASE[0] + report._CLOUD_BASE[2]]
        ),
        report.NodeType.YOUNG_PERSON: 17,
        **{kind: max(abs(x) for x, _ in points) for kind, points in report._POLYGONS.items()},
    }
    for kind, extent in reach.items():
        assert report._SHAPE_HALF_WIDTH[kind] >= extent - 0.5, kind

    class Recorder(report.Canvas):
        def __init__(self) -> None:
            super().__init__(io.BytesIO())
            self.events: list[tuple[str, float]] = []

        def circle(self, x_cen, y_cen, r, stroke=1, fill=0):  # noqa: ANN001, ANN201
            self.events.append(("shape", x_cen + r))
            return super().circle(x_cen, y_cen, r, stroke, fill)

        def roundRect(self, x, y, width, height, radius, stroke=1, fill=0):  # noqa: ANN001, ANN201, N802
            self.events.append(("shape", x + width))
            return super().roundRect(x, y, width, height, radius, stroke, fill)

        def drawString(self, x, y, text, *args, **kwargs):  # noqa: ANN001, ANN201, N802
            self.events.append((text, x))
            return super().drawString(x, y, text, *args, **kwargs)

    canvas = Recorder()
    report._draw_legend(canvas, report._Fonts(), 0, 0, 800)
    right = 0.0
    for what, x in canvas.events:
        if what == "shape":
            right = max(right, x)
        elif what in ("Online context", "Young person", "Thick outline: high concern"):
            assert x > right, what


def test_attendees_organisations_print_as_the_profiles_labels(tmp_path: Path) -> None:
    """The attendee editor stores an agency's key; the briefing prints its label."""
    table = MappingTable.of([YoungPerson(code="YP-01", name="Amy Bell")])
    meeting = Meeting(
        date=date(2026, 12, 16),
        attendees=[
            Attendee(name="Pat Example", role="PCSO", organisation="police"),
            Attendee(name="Sam Example", role="Worker", organisation="Motiv8"),
            Attendee(name="Kim Example", role="Governor", organisation="Parish council"),
        ],
    )
    pdf = write(tmp_path, small_data(table, DataLevel.INITIALS, meeting=meeting))
    cover = flat(pages_of(pdf)[0])
    assert "Neighbourhood Police / PCSO" in cover and "Motiv8" in cover
    assert "Parish council" in cover
    assert not re.search(r"\bpolice\b", cover)


def test_the_diagram_is_vector_and_labelled(
    demo: Workspace, pdfs: dict[DataLevel, Path], texts: dict[DataLevel, list[str]]
) -> None:
    images = run_tool("pdfimages", "-list", pdfs[DataLevel.INITIALS]).strip().splitlines()
    assert len(images) == 2, images  # the column headings and the rule: no image at all
    diagram = [p for p in texts[DataLevel.INITIALS] if "Spider diagram — " in p]
    assert diagram, "no diagram pages"
    words = set("\n".join(diagram).split())
    for person in demo.table().of_kind(Kind.YOUNG_PERSON):
        assert initials_of(person) in words, person.code
    # Part pages are listed in the PDF's outline too.
    outline = run_tool("qpdf", "--json", "--json-key=outlines", pdfs[DataLevel.INITIALS])
    assert "Spider diagram" in outline and "Young people" in outline


def test_metadata_names_no_one(demo: Workspace, pdfs: dict[DataLevel, Path]) -> None:
    meeting = demo.next_meeting()
    assert meeting is not None
    for level, pdf in pdfs.items():
        info = run_tool("pdfinfo", pdf)
        assert re.search(r"^Title:\s+Safer Young People briefing$", info, re.M)
        assert meeting.date.isoformat() in re.search(r"^Subject:.*$", info, re.M).group(0)
        names = [demo.details.dsl, demo.details.deputy, *(a.name for a in meeting.attendees)]
        names += [n for r in people(demo) for n in identifying_words(r) if len(n) > 3]
        for name in names:
            assert name not in info, (level, name)


def test_a_demo_workspace_says_so_on_every_page(texts: dict[DataLevel, list[str]]) -> None:
    for number, page in enumerate(texts[DataLevel.INITIALS], start=1):
        assert "DEMO — fictional data" in page, number


def test_the_annex_counts_what_the_checks_find(
    demo: Workspace, texts: dict[DataLevel, list[str]]
) -> None:
    meeting = demo.next_meeting()
    assert meeting is not None
    expected = summary(run_checks(demo.table(), meeting.date, demo.profile.currency_window_weeks))
    annex = flat("\n".join(p for p in texts[DataLevel.INITIALS] if "Annex: data quality" in p))
    for check in Check:
        count = expected[check]
        word = "finding" if count == 1 else "findings"
        assert f"{CHECK_TITLES[check]} — {count} {word}" in annex, check
    findings = run_checks(demo.table(), meeting.date, demo.profile.currency_window_weeks)
    for finding in findings:
        assert finding.message in annex


def test_summary_uses_the_profile_labels(
    demo: Workspace, texts: dict[DataLevel, list[str]]
) -> None:
    summary_page = flat(texts[DataLevel.INITIALS][1])
    assert "By harm category" in summary_page
    for category in demo.profile.harm_categories:
        assert category.label in summary_page


# -- ids, reproducibility, files --------------------------------------------------------------
def test_document_ids_differ_and_the_same_id_gives_the_same_bytes(demo: Workspace) -> None:
    first = briefing_bytes(demo)
    second = briefing_bytes(demo)
    ids = {re.search(rb"/ID\s*\[<(\w+)>", pdf).group(1) for pdf in (first, second)}
    assert len(ids) == 2
    assert first != second
    same = [briefing_bytes(demo, document_id="dd44" * 8) for _ in range(2)]
    assert same[0][:200] == same[1][:200]  # header and first objects alike


def test_suggested_name_is_the_date_only() -> None:
    assert suggested_briefing_name(date(2026, 12, 16)) == "briefing-2026-12-16.pdf"


def test_export_writes_atomically_refuses_to_overwrite_and_audits(
    demo: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "briefing.pdf"
    before = len(demo.repo.audit_events())
    assert export_briefing(demo, out) == out
    assert out.read_bytes().startswith(b"%PDF-")
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.pdf"]  # no temporary left
    events = demo.repo.audit_events()[before:]
    meeting = demo.next_meeting()
    assert meeting is not None
    assert [(e, ids) for _, e, ids in events] == [(AUDIT_EVENT, [meeting.id])]

    content = out.read_bytes()
    with pytest.raises(FileAlreadyExists):
        export_briefing(demo, out)
    assert out.read_bytes() == content
    export_briefing(demo, out, level="codes", overwrite=True)
    assert out.read_bytes() != content
    with pytest.raises(UsageError):
        export_briefing(demo, demo.path, overwrite=True)
    with pytest.raises(UsageError):
        export_briefing(demo, tmp_path / "missing" / "b.pdf")


def test_the_meeting_is_chosen_by_id_or_date(demo: Workspace) -> None:
    meeting = demo.next_meeting()
    assert meeting is not None
    assert find_meeting(demo, meeting.id) == (meeting, True)
    assert find_meeting(demo, meeting.date.isoformat()) == (meeting, True)
    with pytest.raises(RecordNotFound):
        find_meeting(demo, "1999-01-01")
    with pytest.raises(RecordNotFound):
        find_meeting(demo, "no such meeting")
    later = meeting.date + timedelta(days=1)
    stand_in, planned = find_meeting(demo, today=later)
    assert not planned and stand_in.date == later


# -- small tables built by hand ---------------------------------------------------------------
def small_data(table: MappingTable, level: DataLevel, **extra: object) -> BriefingData:
    profile = load_profile()
    meeting = Meeting(
        date=date(2026, 12, 16),
        venue="Town hall",
        attendees=[Attendee(name="Pat Example", role="DSL", organisation="School")],
    )
    fields = {
        "table": table,
        "school_name": "Test School",
        "urn": "123456",
        "meeting": meeting,
        "profile": profile,
        "level": level,
        "fingerprint": "ABCD-EFGH-JKMN-PQRS-TVWX",
        "findings": run_checks(table, meeting.date, profile.currency_window_weeks),
        "document_id": "ee55" * 8,
        **extra,
    }
    return BriefingData(**fields)  # type: ignore[arg-type]


def write(tmp_path: Path, data: BriefingData) -> Path:
    path = tmp_path / f"{data.level}.pdf"
    path.write_bytes(build_briefing(data))
    return path


def test_names_are_scrubbed_from_free_text_at_initials(tmp_path: Path) -> None:
    person = YoungPerson(code="YP-01", name="Jordan Lee-Smith", notes="Seen with Dazza.")
    adult = Adult(
        code="AD-01",
        name="Darren Ambrell",
        aliases=["Dazza"],
        handles=["@dazza.a (Snapchat)"],
        notes="jordan lee-smith says @dazza.a messaged them; Darren Ambrell drives.",
    )
    place = Location(code="LC-01", label="Park where Jordan Lee-Smith meets Dazza")
    concern = KeyConcern(code="KC-01", text="Is Darren Ambrell exploiting YP-01?")
    link = Link(
        a_id=person.id, b_id=adult.id, relation="seen with", note="Dazza drove Jordan Lee-Smith"
    )
    table = MappingTable.of([person, adult, place, concern], [link])
    text = flat("\n".join(pages_of(write(tmp_path, small_data(table, DataLevel.INITIALS)))))
    for phrase in ("Jordan Lee-Smith", "Dazza", "@dazza.a", "Darren Ambrell"):
        assert not appears(phrase, text), phrase
    assert "JLS" in text and "DA" in text
    assert "Is DA exploiting YP-01?" in text  # the concern, with the name reduced
    full = flat("\n".join(pages_of(write(tmp_path, small_data(table, DataLevel.FULL)))))
    assert "Darren Ambrell" in full and "Jordan Lee-Smith" in full


def test_a_small_diagram_fits_one_page_and_an_empty_table_builds(tmp_path: Path) -> None:
    a = YoungPerson(code="YP-01", name="Amy Bell", harm_categories=["cse"])
    b = Adult(code="AD-01", name="Carl Dunn", harm_categories=["cse"])
    table = MappingTable.of([a, b], [Link(a_id=a.id, b_id=b.id, relation="seen with")])
    pages = pages_of(write(tmp_path, small_data(table, DataLevel.INITIALS)))
    diagram = [p for p in pages if "Spider diagram" in p and "Young person" in p]
    assert len(diagram) == 1 and "AB" in diagram[0] and "CD" in diagram[0]
    assert not any("Spider diagram — part" in p for p in pages)
    empty = write(tmp_path, small_data(MappingTable(), DataLevel.CODES, demo=False))
    text = flat("\n".join(pages_of(empty)))
    assert "There are no records to draw" in text and "DEMO" not in text


def test_letters_outside_winansi_are_drawn_or_spelt_plainly(tmp_path: Path) -> None:
    person = YoungPerson(code="YP-01", name="Łucja Świątek", notes="Ştefan → ✓")
    table = MappingTable.of([person])
    text = flat("\n".join(pages_of(write(tmp_path, small_data(table, DataLevel.FULL)))))
    if report._unicode_family() is not None:
        assert "Łucja Świątek" in text
    else:
        assert "Lucja Swiatek" in text
    assert "■" not in text


def test_a_row_longer_than_a_page_is_cut_short(tmp_path: Path) -> None:
    person = YoungPerson(code="YP-01", name="Amy Bell", notes="word " * 3000)
    table = MappingTable.of([person])
    text = flat("\n".join(pages_of(write(tmp_path, small_data(table, DataLevel.FULL)))))
    assert "cut short" in text


def test_harm_types_seen_in_the_preparation_are_shown(tmp_path: Path) -> None:
    from saferyp_desktop.services.prepare import Preparation

    workspace = create_demo_workspace(tmp_path / "Seen.sypdb", PASS, seed=3)
    try:
        preparation = Preparation.start(workspace)
        preparation.set_harm_type_seen("county_lines", True)
        pdf = tmp_path / "seen.pdf"
        pdf.write_bytes(briefing_bytes(workspace))
    finally:
        workspace.close()
    summary_page = next(p for p in pages_of(pdf) if "By harm category" in p)
    rows = [line for line in summary_page.splitlines() if line.strip()]
    assert "Seen" in rows
    assert "seen" in rows  # the ticked category's mark
    assert "“Seen”: harm types the school has seen this term." in flat(summary_page)


# -- the large demo ------------------------------------------------------------------------------
@pytest.mark.slow  # about 10 s: making the large demo workspace is half of it
def test_the_large_demo_builds_in_seconds(tmp_path: Path) -> None:
    workspace = create_demo_workspace(tmp_path / "Large.sypdb", PASS, seed=2, size="large")
    try:
        start = time.perf_counter()
        pdf = briefing_bytes(workspace)
        took = time.perf_counter() - start
    finally:
        workspace.close()
    path = tmp_path / "large.pdf"
    path.write_bytes(pdf)
    assert page_count(path) > 100
    assert took < 30, f"the large briefing took {took:.1f} s"
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False)
    assert result.returncode == 0


def test_the_same_data_gives_the_same_bytes() -> None:
    person = YoungPerson(code="YP-01", name="Amy Bell")
    table = MappingTable.of([person])
    data = small_data(table, DataLevel.INITIALS)
    assert build_briefing(data) == build_briefing(data)
    other = small_data(table, DataLevel.INITIALS, document_id="ff66" * 8)
    assert build_briefing(other) != build_briefing(data)
