"""Data levels: a name a DSL wrote into free text is reduced like the name itself,
in the spreadsheet and in the bundle alike (one set of rules, in domain/levels)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from saferyp_desktop.domain.levels import DataLevel, NameScrubber, redact, redact_evidence
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Adult,
    Attendee,
    Discussion,
    Evidence,
    KeyConcern,
    Meeting,
    YoungPerson,
)
from saferyp_desktop.services.exchange import mapping_document
from saferyp_desktop.services.table_io import export_spreadsheet
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails

NAME = "Kestrel Vantwerp-Oakes"


@pytest.fixture
def workspace(tmp_path: Path):
    ws = Workspace.create(
        tmp_path / "W.sypdb",
        "test passphrase, fictional",
        WorkspaceDetails(name="Test School", urn="123456", dsl="Test Dsl Person"),
    )
    person = ws.save(YoungPerson(name=NAME, notes=f"{NAME} was seen with an older boy."))
    ws.save(KeyConcern(text=f"Who is {NAME} meeting after school?", linked_ids=[person.id]))
    ws.save_evidence(
        Evidence(
            subject_id=person.id,
            observed=date(2026, 11, 2),
            source="staff_observation",
            summary=f"Staff saw {NAME} at the bus station.",
            recorded_by="Test Staff Member",
        )
    )
    ws.save(
        Meeting(
            date=date(2026, 12, 16),
            apologies=[Attendee(name="Test Apology Person", role="PCSO")],
            discussions=[Discussion(subject="123456", summary=f"Concern about {NAME}.")],
        )
    )
    yield ws
    ws.close()


@pytest.mark.parametrize("level", [DataLevel.INITIALS, DataLevel.CODES])
def test_the_bundle_mapping_holds_no_name_from_free_text(workspace, level) -> None:
    text = json.dumps(mapping_document(workspace, level, None), ensure_ascii=False)
    for name in (NAME, "Test Apology Person", "Test Staff Member", "Test Dsl Person"):
        assert name not in text
    if level == DataLevel.INITIALS:
        assert "KVO" in text  # reduced, not removed


@pytest.mark.parametrize("level", [DataLevel.INITIALS, DataLevel.CODES])
def test_the_spreadsheet_holds_no_name_from_free_text(workspace, level, tmp_path: Path) -> None:
    out = tmp_path / f"{level}.xlsx"
    export_spreadsheet(workspace, out, level)
    with zipfile.ZipFile(out) as book:
        xml = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    for name in (NAME, "Test Apology Person", "Test Staff Member"):
        assert name not in xml


def test_full_level_changes_nothing() -> None:
    person = YoungPerson(name=NAME, notes=f"{NAME} again")
    assert redact(person, DataLevel.FULL) is person


def test_codes_level_keeps_a_concern_by_its_code_and_drops_summaries() -> None:
    concern = KeyConcern(code="KC-01", text=f"About {NAME}")
    assert redact(concern, DataLevel.CODES).text == "KC-01"
    item = Evidence(subject_id="x", observed=date(2026, 1, 1), source="police", summary=NAME)
    assert redact_evidence(item, DataLevel.CODES).summary == ""


def test_the_scrubber_leaves_ordinary_words_alone() -> None:
    person = YoungPerson(code="YP-01", name="Test Money")
    scrub = NameScrubber(MappingTable.of([person]))
    assert scrub("money was found; Test Money was there") == "money was found; TM was there"


def test_the_scrubber_takes_a_first_name_or_surname_on_its_own() -> None:
    child = YoungPerson(code="YP-01", name="Jordan Lee-Smith")
    adult = Adult(code="AD-01", name="Male known as 'Tiny'", aliases=["Tiny T"])
    scrub = NameScrubber(MappingTable.of([child, adult]))
    text = "Jordan was seen with Tiny T; later Lee-Smith and Smith's friend Tiny. Male adult."
    scrubbed = scrub(text)
    assert scrubbed == "J was seen with MKAT; later L and S's friend T. Male adult."
    assert "Jordan" not in scrubbed and "Smith" not in scrubbed and "Tiny" not in scrubbed
    # the full name still becomes the initials, and ordinary words stay
    assert scrub("Jordan Lee-Smith said jordan-ish things") == "JLS said jordan-ish things"
