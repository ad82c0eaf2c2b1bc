"""The mapping table as a spreadsheet: real files, real openpyxl (storage/spreadsheet.py)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import load_profile
from saferyp_desktop.domain.records import (
    Action,
    Adult,
    Attendee,
    Evidence,
    KeyConcern,
    Link,
    Location,
    Meeting,
    Membership,
    PeerGroup,
    Record,
    Strength,
    YoungPerson,
)
from saferyp_desktop.domain.serialize import to_dict
from saferyp_desktop.errors import SpreadsheetInvalid, SpreadsheetLayout, SpreadsheetUnreadable
from saferyp_desktop.storage.spreadsheet import (
    SHEET_TITLES,
    SHEETS,
    export_csv,
    export_table,
    import_changes,
    import_table,
    write_template,
)

PROFILE = load_profile()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "spreadsheet-template.md"

# Names that must not appear in a file written at the initials or codes level.
FULL_NAMES = (
    "Test Pupil One",
    "Test Pupil Two",
    "Test Adult Two",
    "Staff Member Three",
    "Chair Person Four",
    "Officer Five",
    "Worker Six",
)


def sample_table() -> MappingTable:
    one = YoungPerson(
        code="YP-01",
        name="Test Pupil One",
        year_group=9,
        age=14,
        gender="girl",
        known_to=["police", "Early Help"],
        worker_aware="yes",
        harm_categories=["cce", "county_lines"],
        concern_level="high",
        strengths="plays football",
        last_confirmed=date(2025, 1, 6),
        notes="=HYPERLINK(1); a formula-looking note",
    )
    two = YoungPerson(
        code="YP-02",
        name="Test Pupil Two",
        initials="TP",
        retired=datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC),
    )
    adult = Adult(
        code="AD-01",
        name="Test Adult Two",
        aliases=["Tee", "Big T"],
        approx_age=30,
        vehicle="blue van",
        handles=["@test_handle"],
        harm_categories=["cce"],
    )
    group = PeerGroup(
        code="PG-01",
        label="Park group",
        members=[Membership(person_id=one.id, role="organiser"), Membership(person_id=two.id)],
        harm_categories=["peer_on_peer"],
        concern_level="high",
    )
    place = Location(
        code="LC-01",
        label="The rec",
        location_kind="park",
        where="behind the shops",
        postcode="sn1 2ab",
        when="evenings",
        guardianship="park warden",
        harm_categories=["serious_youth_violence"],
        rating="red",
    )
    strength = Strength(code="ST-01", label="Football coach", linked_ids=[one.id])
    meeting = Meeting(
        code="MT-01",
        date=date(2025, 3, 1),
        venue="Town hall",
        chair="Chair Person Four",
        attendees=[
            Attendee(name="Staff Member Three", role="DSL", organisation="Example School, Town"),
            Attendee(name="Officer Five"),
            Attendee(
                name="Worker Six",
                role="Chair, contextual safeguarding lead",
                organisation="School (DSL / pastoral)",
            ),
        ],
        status="preparing",
    )
    concern = KeyConcern(
        code="KC-01",
        text="Who is collecting YP-01 after school?",
        is_question=True,
        linked_ids=[one.id, adult.id],
        meeting_id=meeting.id,
    )
    action = Action(
        code="AC-01",
        catalogue_key="mash_referral",
        sub_choice="Early Help",
        detail="refer this week",
        linked_ids=[one.id],
        owner_agency="school",
        due=date(2025, 3, 15),
        status="agreed",
        origin="meeting",
        meeting_id=meeting.id,
    )
    seen = Link(
        a_id=one.id,
        b_id=adult.id,
        relation="seen with",
        confidence="confirmed",
        note="outside school",
        last_confirmed=date(2025, 1, 7),
    )
    online = Link(a_id=one.id, b_id=adult.id, relation="online contact with")
    hangs = Link(a_id=two.id, b_id=place.id, relation="spends time at", confidence="suspected")
    evidence = [
        Evidence(
            subject_id=one.id,
            observed=date(2025, 1, 5),
            source="staff_observation",
            how_known="first-hand",
            summary="Seen getting into a blue van",
            recorded_by="Staff Member Three",
        ),
        Evidence(
            subject_id=seen.id,
            observed=date(2025, 1, 6),
            source="police",
            how_known="second-hand",
            recorded_by="Staff Member Three",
        ),
        Evidence(
            subject_id=hangs.id,
            observed=date(2025, 1, 4),
            source="peer_report",
            how_known="hearsay",
            summary="friends say so",
        ),
    ]
    return MappingTable.of(
        [one, two, adult, group, place, strength, meeting, concern, action],
        [seen, online, hangs],
        evidence,
    )


def comparable(table: MappingTable) -> tuple[dict, list, list]:
    """Records by code, links and evidence, with ids replaced by codes."""
    code = {r.id: r.code for r in table.records.values()}
    link_name = {k.id: f"{code[k.a_id]}>{code[k.b_id]}:{k.relation}" for k in table.links.values()}
    records = {}
    for record in table.records.values():
        data = to_dict(record)
        for name in ("id", "created", "updated"):
            data.pop(name)
        if "linked_ids" in data:
            data["linked_ids"] = [code[i] for i in data["linked_ids"]]
        if "members" in data:
            data["members"] = [(code[m["person_id"]], m["role"]) for m in data["members"]]
        if data.get("meeting_id"):
            data["meeting_id"] = code[data["meeting_id"]]
        records[record.code] = data
    links = []
    for link in table.links.values():
        data = to_dict(link)
        for name in ("id", "created", "updated"):
            data.pop(name)
        data["a_id"], data["b_id"] = code[link.a_id], code[link.b_id]
        links.append(sorted(data.items(), key=str))
    evidence = []
    for item in table.evidence.values():
        data = to_dict(item)
        data.pop("id")
        data["subject_id"] = code.get(item.subject_id) or link_name[item.subject_id]
        evidence.append(sorted(data.items(), key=str))
    return records, sorted(links, key=str), sorted(evidence, key=str)


def exported(tmp_path: Path, table: MappingTable | None = None, **kwargs) -> Path:
    path = tmp_path / "table.xlsx"
    export_table(
        table or sample_table(), path, kwargs.pop("level", DataLevel.FULL), PROFILE, **kwargs
    )
    return path


def edit(path: Path, sheet: str, cells: dict[str, object]) -> None:
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book[sheet][ref] = value
    book.save(path)


def append_row(path: Path, sheet: str, values: list[object]) -> int:
    book = openpyxl.load_workbook(path)
    book[sheet].append(values)
    row = book[sheet].max_row
    book.save(path)
    return row


def problems_of(path: Path, error: type[Exception] = SpreadsheetInvalid, **kwargs) -> list[str]:
    with pytest.raises(error) as caught:
        import_table(path, PROFILE, **kwargs)
    return caught.value.problems


def xml_text(path: Path) -> str:
    """Every XML part of the file, as text."""
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


# -- layout and template -----------------------------------------------------------


def test_template_has_every_sheet_in_order_and_imports_as_an_empty_table(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Read me", *SHEET_TITLES, "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    for spec in SHEETS:
        header = [cell.value for cell in book[spec.title][1]]
        assert header == [column.header for column in spec.columns]
    readme = [row for row in book["Read me"].iter_rows(values_only=True)]
    assert ("Data level", "Template (no data yet)") in readme
    table = import_table(path, PROFILE)
    assert table.records == {} and table.links == {} and table.evidence == {}


def test_enumerated_columns_have_drop_downs_from_the_lists_sheet(tmp_path):
    path = exported(tmp_path)
    sheet = openpyxl.load_workbook(path)["Young people"]
    lists = {
        str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"
    }
    assert lists["J2:J1048576"].startswith("'Lists'!$")  # Level of concern
    assert "G2:G1048576" not in lists  # Known to takes several values: no drop-down


def test_every_sheet_declares_its_size(tmp_path):
    # Without <dimension>, openpyxl (and other readers) parse each sheet twice on import.
    with zipfile.ZipFile(exported(tmp_path)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 12
        assert all(b"<dimension ref=" in archive.read(name) for name in sheets)
        assert b'<dimension ref="A1:N3"' in archive.read("xl/worksheets/sheet2.xml")


def test_readme_says_the_level_and_whether_the_data_is_fictional(tmp_path):
    path = exported(tmp_path, level=DataLevel.INITIALS, demo=True)
    rows = dict(
        row[:2]
        for row in openpyxl.load_workbook(path)["Read me"].iter_rows(values_only=True)
        if row
    )
    assert rows["Data level"] == "Initials"
    assert rows["Fictional data"].startswith("Yes. This is DEMO data")
    assert rows["Marking"] == "OFFICIAL-SENSITIVE"


def test_docs_describe_every_sheet_and_column():
    text = DOCS.read_text(encoding="utf-8")
    for spec in SHEETS:
        assert f"“{spec.title}”" in text
        for column in spec.columns:
            assert f"| {column.header} |" in text, (spec.title, column.header)


# -- round trips -------------------------------------------------------------------


def test_full_level_round_trip_gives_the_same_records_links_and_evidence(tmp_path):
    table = sample_table()
    result = import_table(exported(tmp_path, table), PROFILE)
    assert comparable(result) == comparable(table)
    for record in result.records.values():
        record.validate()
    assert result.by_code("YP-02").retired == datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert result.by_code("YP-01").notes == "=HYPERLINK(1); a formula-looking note"


def test_reimport_over_the_same_table_changes_nothing(tmp_path):
    table = sample_table()
    result = import_table(exported(tmp_path, table), PROFILE, existing=table)
    assert import_changes(table, result).empty
    assert set(result.records) == set(table.records)
    assert set(result.links) == set(table.links)
    assert set(result.evidence) == set(table.evidence)


def test_an_edited_row_updates_the_record_and_a_new_row_gets_the_next_code(tmp_path):
    table = sample_table()
    path = exported(tmp_path, table)
    edit(path, "Adults", {"D2": 31})
    row = append_row(path, "Adults", [None, "Test Adult Six", None, 40])
    assert row == 3
    result = import_table(path, PROFILE, existing=table)
    changes = import_changes(table, result)
    assert sorted(r.code for r in changes.records) == ["AD-01", "AD-02"]
    adult = result.by_code("AD-01")
    assert adult.id == table.by_code("AD-01").id and adult.approx_age == 31
    assert adult.updated >= adult.created
    assert result.by_code("AD-02").approx_age == 40
    assert table.by_code("AD-01").approx_age == 30  # the existing table is untouched


def test_links_both_ways_with_the_same_relation_round_trip_with_their_evidence(tmp_path):
    table = sample_table()
    one, adult = table.by_code("YP-01"), table.by_code("AD-01")
    back = Link(a_id=adult.id, b_id=one.id, relation="seen with")
    table.put_link(back)
    table.put_evidence(
        Evidence(
            subject_id=back.id, observed=date(2025, 1, 8), source="police", how_known="hearsay"
        )
    )
    path = exported(tmp_path, table)
    subjects = [
        row[0]
        for row in openpyxl.load_workbook(path)["Evidence"].iter_rows(min_row=2, values_only=True)
    ]
    assert "AD-01 > YP-01 (seen with)" in subjects and "YP-01 > AD-01 (seen with)" in subjects
    assert comparable(import_table(path, PROFILE)) == comparable(table)
    assert import_changes(table, import_table(path, PROFILE, existing=table)).empty


def test_a_link_written_the_other_way_round_updates_the_existing_link(tmp_path):
    table = sample_table()
    path = exported(tmp_path, table)
    edit(path, "Links", {"A4": "LC-01", "B4": "YP-02", "D4": "confirmed"})
    result = import_table(path, PROFILE, existing=table)
    changes = import_changes(table, result)
    assert [(link.relation, link.confidence) for link in changes.links] == [
        ("spends time at", "confirmed")
    ]
    assert changes.links[0].id in table.links and len(result.links) == 3


def test_the_same_link_on_two_rows(tmp_path):
    path = exported(tmp_path)
    append_row(path, "Links", ["yp-1", "AD-01", "Seen with"])
    assert problems_of(path) == [
        "Sheet “Links”, row 5: the same link (YP-01 seen with AD-01) is also on row 3."
    ]


def test_attendees_as_exported_and_as_typed(tmp_path):
    path = exported(tmp_path)
    assert openpyxl.load_workbook(path)["Meetings"]["E2"].value == (
        "Staff Member Three | DSL | Example School, Town; Officer Five; "
        "Worker Six | Chair, contextual safeguarding lead | School (DSL / pastoral)"
    )
    edit(path, "Meetings", {"E2": "Jo Bloggs (DSL, School (DSL / pastoral)); Sam | Youth worker"})
    attendees = import_table(path, PROFILE).by_code("MT-01").attendees
    assert attendees == [
        Attendee(name="Jo Bloggs", role="DSL", organisation="School (DSL / pastoral)"),
        Attendee(name="Sam", role="Youth worker"),
    ]


def test_export_can_leave_retired_records_out(tmp_path):
    result = import_table(exported(tmp_path, include_retired=False), PROFILE)
    assert result.by_code("YP-02") is None
    assert all(link.relation != "spends time at" for link in result.links.values())
    assert len(result.evidence) == 2


def test_csv_sheet_round_trip(tmp_path):
    table = sample_table()
    path = tmp_path / "adults.csv"
    export_csv(table, path, "Adults", DataLevel.FULL, PROFILE)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it right
    result = import_table(path, PROFILE)
    assert comparable(result)[0] == {"AD-01": comparable(table)[0]["AD-01"]}


def test_csv_of_links_refers_to_records_in_the_workspace(tmp_path):
    table = sample_table()
    path = tmp_path / "links.csv"
    export_csv(table, path, "Links", DataLevel.FULL, PROFILE)
    result = import_table(path, PROFILE, existing=table)
    assert import_changes(table, result).empty
    assert problems_of(path) == [
        f"Sheet “Links”, row {row}, column “{column}”: “{code}” is not the code of a record "
        "in the spreadsheet or the workspace."
        for row, column, code in [
            (2, "From", "YP-01"),
            (2, "To", "AD-01"),
            (3, "From", "YP-01"),
            (3, "To", "AD-01"),
            (4, "From", "YP-02"),
            (4, "To", "LC-01"),
        ]
    ]


def test_csv_keeps_formula_like_text_as_text(tmp_path):
    table = sample_table()
    table.by_code("AD-01").vehicle = "-minus van"
    path = tmp_path / "adults.csv"
    export_csv(table, path, "Adults", DataLevel.FULL, PROFILE)
    assert "'-minus van" in path.read_text(encoding="utf-8-sig")
    assert import_table(path, PROFILE).by_code("AD-01").vehicle == "-minus van"


def test_csv_with_unknown_columns_is_a_layout_problem(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Code,Name or description,Aliases,Approximate age,Colour\n", encoding="utf-8")
    problems = problems_of(path, SpreadsheetLayout)
    assert "The CSV file, column E: “Colour” is not a column of the “Adults” sheet." in problems
    assert "The CSV file has no column “Vehicle”." in problems


# -- data levels -------------------------------------------------------------------


def test_initials_level_has_no_full_name_anywhere(tmp_path):
    path = exported(tmp_path, level=DataLevel.INITIALS)
    text = xml_text(path)
    for name in FULL_NAMES:
        assert name not in text
    assert "Big T" not in text and "@test_handle" not in text  # aliases and handles go
    sheet = openpyxl.load_workbook(path)["Young people"]
    assert [sheet["B2"].value, sheet["B3"].value] == ["TPO", "TP"]


def test_codes_level_has_codes_and_no_names_or_free_text(tmp_path):
    path = exported(tmp_path, level=DataLevel.CODES)
    text = xml_text(path)
    for secret in (
        *FULL_NAMES,
        "TPO",
        "formula-looking note",
        "blue van",
        "outside school",
        "friends say so",
        "Chair Person Four",
        "organiser",
        "collecting",
    ):
        assert secret not in text, secret
    book = openpyxl.load_workbook(path)
    assert book["Young people"]["B2"].value == "YP-01"
    assert book["Evidence"]["A2"].value == "YP-01"


def test_an_initials_export_is_refused_on_import(tmp_path):
    path = exported(tmp_path, level=DataLevel.INITIALS)
    problems = problems_of(path, SpreadsheetLayout)
    assert problems == [
        "This spreadsheet was exported at the “Initials” level (see its Read me sheet), so its "
        "names are incomplete; only a full-names export or a filled-in template can be imported."
    ]


# -- bad input: layout ---------------------------------------------------------------


def test_missing_sheet(tmp_path):
    path = exported(tmp_path)
    book = openpyxl.load_workbook(path)
    del book["Adults"]
    book.save(path)
    assert problems_of(path, SpreadsheetLayout) == ["The spreadsheet has no sheet called “Adults”."]


def test_wrong_and_missing_columns(tmp_path):
    path = exported(tmp_path)
    edit(path, "Adults", {"D1": "Age guess"})
    assert problems_of(path, SpreadsheetLayout) == [
        "Sheet “Adults”, column D: “Age guess” is not a column of the “Adults” sheet.",
        "Sheet “Adults” has no column “Approximate age”.",
    ]


def test_columns_may_be_in_any_order_and_any_case(tmp_path):
    path = exported(tmp_path)
    edit(path, "Adults", {"B1": "approximate AGE", "D1": "Name or Description"})
    book = openpyxl.load_workbook(path)
    sheet = book["Adults"]
    sheet["B2"], sheet["D2"] = sheet["D2"].value, sheet["B2"].value
    book.save(path)
    assert import_table(path, PROFILE).by_code("AD-01").approx_age == 30


# -- bad input: values -----------------------------------------------------------------


def test_bad_date(tmp_path):
    path = exported(tmp_path)
    edit(path, "Young people", {"L2": "2025-13-01"})
    assert problems_of(path) == [
        "Sheet “Young people”, row 2, column “Last confirmed”: “2025-13-01” is not a date; "
        "use a date cell or YYYY-MM-DD."
    ]


def test_openpyxl_warnings_about_a_cell_become_a_problem_not_an_error(tmp_path):
    # A date cell whose serial is out of range makes openpyxl warn while reading; the
    # warning must not escape (pytest turns warnings into errors), the bad cell is reported.
    path = exported(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Young people"]["L2"] = 1e12
    book["Young people"]["L2"].number_format = "yyyy-mm-dd"
    book.save(path)
    assert problems_of(path) == [
        "Sheet “Young people”, row 2, column “Last confirmed”: “#VALUE!” is not a date; "
        "use a date cell or YYYY-MM-DD."
    ]


def test_bad_whole_number(tmp_path):
    path = exported(tmp_path)
    edit(path, "Adults", {"D2": "abc"})
    assert problems_of(path) == [
        "Sheet “Adults”, row 2, column “Approximate age”: “abc” is not a whole number."
    ]


def test_unknown_harm_category(tmp_path):
    path = exported(tmp_path)
    edit(path, "Young people", {"I2": "County Lines CCE; Knife crime"})
    assert problems_of(path) == [
        "Sheet “Young people”, row 2, column “Harm categories”: “Knife crime” is not in the "
        "Wiltshire Council profile's list (see the Read me sheet)."
    ]


def test_link_to_a_code_that_does_not_exist(tmp_path):
    path = exported(tmp_path)
    edit(path, "Links", {"B2": "AD-09"})
    assert problems_of(path) == [
        "Sheet “Links”, row 2, column “To”: “AD-09” is not the code of a record in the "
        "spreadsheet or the workspace."
    ]


def test_link_from_a_record_to_itself(tmp_path):
    path = exported(tmp_path)
    edit(path, "Links", {"B2": "YP-01"})
    assert problems_of(path) == [
        "Sheet “Links”, row 2, column “To”: a link must join two different records."
    ]


def test_duplicate_code(tmp_path):
    path = exported(tmp_path)
    append_row(path, "Adults", ["AD-01", "Test Adult Six"])
    assert problems_of(path) == [
        "Sheet “Adults”, row 3, column “Code”: “AD-01” is also used on row 2."
    ]


def test_evidence_for_a_missing_record(tmp_path):
    path = exported(tmp_path)
    append_row(path, "Evidence", ["LC-07", "2025-01-02", "Police", "first-hand"])
    assert problems_of(path) == [
        "Sheet “Evidence”, row 5, column “Subject”: “LC-07” is not the code of a record in the "
        "spreadsheet or the workspace."
    ]


def test_evidence_for_an_ambiguous_link_asks_for_the_relation(tmp_path):
    path = exported(tmp_path)
    append_row(path, "Evidence", ["YP-01 > AD-01", "2025-01-02", "Police", "first-hand"])
    assert problems_of(path) == [
        "Sheet “Evidence”, row 5, column “Subject”: “YP-01 > AD-01” has more than one link; add "
        "the relation in brackets, e.g. YP-01 > AD-01 (online contact with)."
    ]


def test_every_problem_is_reported_and_nothing_is_imported(tmp_path):
    table = sample_table()
    before = {key: to_dict(record) for key, record in table.records.items()}
    path = exported(tmp_path, table)
    edit(path, "Young people", {"E2": 40, "J3": "severe"})
    edit(path, "Adults", {"D2": "thirty"})
    problems = problems_of(path, existing=table)
    assert problems == [
        "Sheet “Young people”, row 2, column “Age”: “40” is not between 3 and 25.",
        "Sheet “Young people”, row 3, column “Level of concern”: “severe” is not one of: "
        "low, medium, high.",
        "Sheet “Adults”, row 2, column “Approximate age”: “thirty” is not a whole number.",
    ]
    assert {key: to_dict(record) for key, record in table.records.items()} == before


def test_free_text_and_postcodes_are_never_quoted(tmp_path):
    path = exported(tmp_path)
    edit(path, "Young people", {"B2": "   "})
    edit(path, "Locations", {"E2": "NOT A POSTCODE"})
    assert problems_of(path) == [
        "Sheet “Young people”, row 2, column “Name”: this must be filled in.",
        "Sheet “Locations”, row 2, column “Postcode”: this is not a UK postcode.",
    ]


def test_a_name_typed_where_a_code_belongs_is_not_quoted(tmp_path):
    path = exported(tmp_path)
    edit(path, "Peer groups", {"D2": "Test Pupil One (organiser); YP-02"})
    edit(path, "Strengths", {"E2": "YP-01; Test Pupil Two"})
    edit(path, "Links", {"A2": "Test Pupil One"})
    problems = problems_of(path)
    assert problems == [
        "Sheet “Peer groups”, row 2, column “Members”: entry 1 is not a young person's code; "
        "write members as YP-01 (leader); YP-02.",
        "Sheet “Strengths”, row 2, column “Linked records”: entry 2 is not a record code like "
        "YP-03.",
        "Sheet “Links”, row 2, column “From”: this is not a record code like YP-03.",
    ]
    assert not any(name in problem for problem in problems for name in FULL_NAMES)


def test_members_must_be_young_people(tmp_path):
    path = exported(tmp_path)
    edit(path, "Peer groups", {"D2": "YP-01 (leader); AD-01"})
    assert problems_of(path) == [
        "Sheet “Peer groups”, row 2, column “Members”: “AD-01” is not the right kind of record "
        "here (YP-…)."
    ]


def test_record_validation_is_reported_against_its_row(tmp_path):
    path = exported(tmp_path)
    edit(path, "Actions", {"H2": "not taken forward"})
    assert problems_of(path) == [
        "Sheet “Actions”, row 2: AC-01 is not taken forward, so it needs a rationale."
    ]


def test_lenient_spellings_a_dsl_would_type(tmp_path):
    path = exported(tmp_path)
    edit(
        path,
        "Young people",
        {"A3": "yp-2", "D2": "Year 10", "I2": "cse, CCE", "J2": "High", "L2": "07/01/2025"},
    )
    edit(path, "Evidence", {"C2": "staff_observation"})  # a profile key instead of its label
    result = import_table(path, PROFILE)
    one = result.by_code("YP-01")
    assert (one.year_group, one.harm_categories, one.concern_level) == (10, ["cse", "cce"], "high")
    assert one.last_confirmed == date(2025, 1, 7)
    assert result.by_code("YP-02") is not None


# -- not a spreadsheet -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("table.xlsx", b"this is plain text, not a workbook"),
        ("table.xlsx", b"PK\x03\x04" + b"\x00" * 40),  # a broken zip
        ("table.pdf", b"%PDF-1.7"),
        ("table.csv", b"PK\x03\x04\x00\x00binary"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpreadsheetUnreadable):
        import_table(path, PROFILE)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "table.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpreadsheetUnreadable):
        import_table(path, PROFILE)


def test_a_password_protected_workbook(tmp_path):
    # Excel stores an encrypted workbook in an OLE compound file with an EncryptionInfo stream.
    path = tmp_path / "table.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le")
    )
    with pytest.raises(SpreadsheetUnreadable, match="protected with a password"):
        import_table(path, PROFILE)


def test_a_missing_file(tmp_path):
    with pytest.raises(SpreadsheetUnreadable, match="no spreadsheet at that path"):
        import_table(tmp_path / "nothing.xlsx", PROFILE)


def test_export_replaces_the_file_atomically_and_privately(tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"old")
    export_table(sample_table(), path, DataLevel.FULL, PROFILE)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir()] == ["table.xlsx"]
    assert path.stat().st_mode & 0o077 == 0


def test_result_records_pass_validation(tmp_path):
    result = import_table(exported(tmp_path), PROFILE)
    records: list[Record] = list(result.records.values())
    assert len(records) == 9
    for record in records:
        record.validate()
    for link in result.links.values():
        link.validate()
    for item in result.evidence.values():
        item.validate()


def test_reimporting_keeps_the_fields_a_sheet_has_no_column_for(tmp_path: Path) -> None:
    """A meeting's apologies and discussions, and an agreed action's school, survive a
    round trip through Excel even though no column shows them."""
    from saferyp_desktop.domain.records import Action, Attendee, Discussion, Meeting

    meeting = Meeting(
        code="MT-01",
        date=date(2026, 12, 16),
        attendees=[Attendee(name="Test Chair", role="Chair", organisation="Other")],
        apologies=[Attendee(name="Test Apology", role="PCSO", organisation="Other")],
        discussions=[Discussion(subject="123456", summary="Fictional discussion.")],
        bundles=["bundle-1"],
    )
    action = Action(
        code="AC-01",
        catalogue_key="safety_mapping",
        status="agreed",
        origin="meeting",
        meeting_id=meeting.id,
        school_urn="123456",
        cluster_key="cluster-key-1",
    )
    existing = MappingTable.of([meeting, action])
    sheet = tmp_path / "table.xlsx"
    export_table(existing, sheet, DataLevel.FULL, PROFILE)
    imported = import_table(sheet, PROFILE, existing)
    assert to_dict(imported.get(meeting.id)) == to_dict(meeting)
    assert to_dict(imported.get(action.id)) == to_dict(action)
