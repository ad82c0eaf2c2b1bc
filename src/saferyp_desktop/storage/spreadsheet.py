"""The mapping table as a spreadsheet a DSL fills in with Excel (DESIGN.md §3, §7).

One workbook, one sheet per record type plus the links and the evidence:

    Read me | Young people | Adults | Peer groups | Locations | Strengths |
    Key concerns | Actions | Meetings | Links | Evidence | (Lists, hidden)

Row 1 of each data sheet holds the column headers in plain words; every later row is one
record, link or piece of evidence. Records are referred to by their codes (``YP-03``),
list cells are separated by ``"; "``, dates are real Excel dates or ``YYYY-MM-DD`` text.
``docs/spreadsheet-template.md`` describes every column; the same text is written into
the "Read me" sheet, so the file explains itself.

* :func:`write_template` writes an empty, documented workbook.
* :func:`export_table` writes a mapping table at a data level (full, initials, codes).
* :func:`export_csv` writes one sheet as CSV.
* :func:`import_table` reads an ``.xlsx`` (or one sheet as ``.csv``), checks every row and
  returns a complete :class:`MappingTable`, or raises with every problem listed. It is
  all-or-nothing: with a single problem, nothing is returned.

Import merges into ``existing``: a row whose code is already in the workspace updates
that record (same id, same ``created``); a row without a code becomes a new record with
the next free code; records, links and evidence that the spreadsheet does not mention
are kept unchanged. Import never deletes: to take something out of the mapping, put a
date in its "Retired" column.

Problem sentences never quote a free-text cell (names, notes, descriptions): they
quote only codes, dates, numbers and choices, which is what was wrong.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import re
import uuid
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from saferyp_desktop.domain.levels import (
    LEVEL_TITLES,
    DataLevel,
    NameScrubber,
    redact,
    redact_evidence,
    redact_link,
)
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import Profile, load_profile
from saferyp_desktop.domain.records import (
    CODE_PATTERN,
    CODE_PREFIX,
    KIND_BY_PREFIX,
    POSTCODE_PATTERN,
    RECORD_TYPES,
    ActionOrigin,
    ActionStatus,
    Attendee,
    Awareness,
    ConcernLevel,
    Confidence,
    Evidence,
    HowKnown,
    Kind,
    KnownTo,
    Link,
    LocationKind,
    MeetingStatus,
    Membership,
    Rag,
    Record,
    Relation,
    StrengthKind,
    format_code,
    normalise_postcode,
    now,
)
from saferyp_desktop.errors import (
    RecordInvalid,
    SpreadsheetInvalid,
    SpreadsheetLayout,
    SpreadsheetUnreadable,
)
from saferyp_desktop.storage.atomic import write_atomic

# Fields every record shares that the import sets itself, not from a column.
_SET_BY_IMPORT = {"id", "created", "updated"}
_UNSHEETED: dict[type, tuple[str, ...]] = {}

README_SHEET = "Read me"
LISTS_SHEET = "Lists"
LIST_SEPARATOR = "; "
LINK_ARROW = " > "
ATTENDEE_SEPARATOR = " | "
DATA_LEVEL_LABEL = "Data level"
TEMPLATE_LEVEL_TITLE = "Template (no data yet)"

# A hostile or broken file gets one sentence, not an exhausted machine.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
_QUOTE_LIMIT = 40


# ---------------------------------------------------------------------------
# The layout: sheets and columns
# ---------------------------------------------------------------------------


class Cell(Enum):
    """How a column's cells are read and written."""

    CODE = "the row's own code"
    TEXT = "free text"
    TEXT_LIST = "free-text items"
    NUMBER = "whole number"
    YEAR = "year group"
    DATE = "date"
    STAMP = "date and time"
    CHOICE = "one value from a fixed list"
    CHOICES = "values from a fixed list"
    PROFILE = "one value from the profile"
    PROFILES = "values from the profile"
    REF = "one record code"
    REFS = "record codes"
    MEMBERS = "members"
    ATTENDEES = "attendees"
    POSTCODE = "postcode"
    SUBJECT = "record code or link"
    SUB_CHOICE = "sub-choice of the action"
    QUESTION = "concern or question"


# Cells whose contents a problem sentence may quote: they hold no names or free text.
_QUOTABLE = {
    Cell.CODE,
    Cell.NUMBER,
    Cell.YEAR,
    Cell.DATE,
    Cell.STAMP,
    Cell.CHOICE,
    Cell.CHOICES,
    Cell.PROFILE,
    Cell.PROFILES,
    Cell.REF,
    Cell.REFS,
    Cell.SUBJECT,
    Cell.SUB_CHOICE,
    Cell.QUESTION,
}
_LISTS = {Cell.TEXT_LIST, Cell.CHOICES, Cell.PROFILES, Cell.REFS, Cell.MEMBERS, Cell.ATTENDEES}
_QUESTION_WORDS = ("concern", "question")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    cell: Cell
    help: str
    required: bool = False
    choices: type[StrEnum] | None = None
    group: str = ""  # the profile list of a PROFILE(S) column
    kinds: tuple[Kind, ...] = ()  # the kinds a REF(S) column may name; empty: any
    low: int | None = None
    high: int | None = None
    width: int = 18

    def values(self, profile: Profile) -> list[str]:
        """The allowed values as written in the spreadsheet (empty: not a fixed list)."""
        if self.choices is not None:
            return [member.value for member in self.choices]
        if self.group:
            return [choice.label for choice in _profile_choices(profile, self.group)]
        if self.cell is Cell.QUESTION:
            return list(_QUESTION_WORDS)
        return []


@dataclass(frozen=True)
class SheetSpec:
    title: str
    kind: Kind | None  # None: the Links and Evidence sheets
    columns: tuple[Column, ...]
    help: str

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


def _profile_choices(profile: Profile, group: str) -> Sequence[Any]:
    return getattr(profile, group)


_CODE = Column(
    "Code",
    "code",
    Cell.CODE,
    "The record's code, e.g. YP-03. Leave it empty for a new record: it gets the next free code.",
    width=10,
)
_LAST_CONFIRMED = Column(
    "Last confirmed",
    "last_confirmed",
    Cell.DATE,
    "The date you last confirmed this is still true.",
    width=14,
)
_NOTES = Column("Notes", "notes", Cell.TEXT, "Free text.", width=40)
_RETIRED = Column(
    "Retired",
    "retired",
    Cell.STAMP,
    "Empty while it is current. A date takes it out of the mapping (it is kept, not deleted).",
    width=18,
)
_HARM = Column(
    "Harm categories",
    "harm_categories",
    Cell.PROFILES,
    "One or more harm categories, separated by “; ”.",
    group="harm_categories",
    width=36,
)
_LINKED = Column(
    "Linked records",
    "linked_ids",
    Cell.REFS,
    "Codes of the records this is about, separated by “; ”, e.g. YP-01; LC-02.",
    width=24,
)
_MEETING_REF = Column(
    "Meeting",
    "meeting_id",
    Cell.REF,
    "The code of the meeting it is for (MT-01), or empty.",
    kinds=(Kind.MEETING,),
    width=10,
)


def _concern(default: ConcernLevel) -> Column:
    return Column(
        "Level of concern",
        "concern_level",
        Cell.CHOICE,
        f"low, medium or high (empty: {default.value}).",
        choices=ConcernLevel,
        width=14,
    )


def _record_sheet(title: str, kind: Kind, help_text: str, *columns: Column) -> SheetSpec:
    return SheetSpec(title, kind, (_CODE, *columns, _LAST_CONFIRMED, _NOTES, _RETIRED), help_text)


SHEETS: tuple[SheetSpec, ...] = (
    _record_sheet(
        "Young people",
        Kind.YOUNG_PERSON,
        "One row per young person the school is concerned about.",
        Column(
            "Name", "name", Cell.TEXT, "The name the school knows them by.", required=True, width=24
        ),
        Column(
            "Initials",
            "initials",
            Cell.TEXT,
            "Empty: made from the name (Jordan Lee-Smith → JLS).",
            width=9,
        ),
        Column(
            "Year group",
            "year_group",
            Cell.YEAR,
            "0 (Reception) to 14; “Year 9” and “R” are understood.",
            low=0,
            high=14,
            width=10,
        ),
        Column("Age", "age", Cell.NUMBER, "A whole number from 3 to 25.", low=3, high=25, width=6),
        Column("Gender", "gender", Cell.TEXT, "Optional, in your own words.", width=10),
        Column(
            "Known to",
            "known_to",
            Cell.CHOICES,
            "Agencies that know them, separated by “; ”.",
            choices=KnownTo,
            width=22,
        ),
        Column(
            "Social worker aware",
            "worker_aware",
            Cell.CHOICE,
            "Is a social worker or key worker aware: yes, no or unknown (empty: unknown).",
            choices=Awareness,
            width=12,
        ),
        _HARM,
        _concern(ConcernLevel.LOW),
        Column(
            "Strengths",
            "strengths",
            Cell.TEXT,
            "What is going well for them, in your words.",
            width=30,
        ),
    ),
    _record_sheet(
        "Adults",
        Kind.ADULT,
        "One row per adult of concern.",
        Column(
            "Name or description",
            "name",
            Cell.TEXT,
            "A name, or a description if the name is not known.",
            required=True,
            width=26,
        ),
        Column(
            "Aliases",
            "aliases",
            Cell.TEXT_LIST,
            "Other names or nicknames, separated by “; ”.",
            width=20,
        ),
        Column(
            "Approximate age",
            "approx_age",
            Cell.NUMBER,
            "A whole number from 16 to 110.",
            low=16,
            high=110,
            width=10,
        ),
        Column("Vehicle", "vehicle", Cell.TEXT, "Make, colour, registration.", width=20),
        Column(
            "Phone or online handles",
            "handles",
            Cell.TEXT_LIST,
            "Phone numbers or online handles, separated by “; ”.",
            width=24,
        ),
        _HARM,
        _concern(ConcernLevel.MEDIUM),
    ),
    _record_sheet(
        "Peer groups",
        Kind.PEER_GROUP,
        "One row per peer group.",
        Column("Label", "label", Cell.TEXT, "What the group is called.", required=True, width=22),
        Column("Description", "description", Cell.TEXT, "Free text.", width=30),
        Column(
            "Members",
            "members",
            Cell.MEMBERS,
            "Young people's codes separated by “; ”, each with an optional role in brackets: YP-01 (leader); YP-02.",
            width=28,
        ),
        _HARM,
        _concern(ConcernLevel.MEDIUM),
    ),
    _record_sheet(
        "Locations",
        Kind.LOCATION,
        "One row per location or context (including online platforms).",
        Column("Label", "label", Cell.TEXT, "What the place is called.", required=True, width=22),
        Column(
            "Kind",
            "location_kind",
            Cell.CHOICE,
            "The kind of place (empty: other).",
            choices=LocationKind,
            width=18,
        ),
        Column("Where", "where", Cell.TEXT, "A description of where it is.", width=24),
        Column("Postcode", "postcode", Cell.POSTCODE, "A UK postcode, or empty.", width=10),
        Column("When", "when", Cell.TEXT, "Days and times.", width=18),
        Column(
            "What makes it safer",
            "guardianship",
            Cell.TEXT,
            "Guardianship: who or what makes it safer.",
            width=24,
        ),
        _HARM,
        Column(
            "Safety rating",
            "rating",
            Cell.CHOICE,
            "red, amber or green (empty: amber).",
            choices=Rag,
            width=10,
        ),
    ),
    _record_sheet(
        "Strengths",
        Kind.STRENGTH,
        "One row per strength: a trusted adult, a safe space, an activity…",
        Column(
            "Label", "label", Cell.TEXT, "What the strength is called.", required=True, width=22
        ),
        Column(
            "Kind",
            "strength_kind",
            Cell.CHOICE,
            "The kind of strength (empty: trusted adult).",
            choices=StrengthKind,
            width=18,
        ),
        Column("Description", "description", Cell.TEXT, "Free text.", width=30),
        _LINKED,
    ),
    _record_sheet(
        "Key concerns",
        Kind.KEY_CONCERN,
        "One row per key concern or question for the meeting.",
        Column(
            "Concern or question",
            "text",
            Cell.TEXT,
            "The concern or the question, in a sentence.",
            required=True,
            width=40,
        ),
        Column(
            "Type", "is_question", Cell.QUESTION, "concern or question (empty: concern).", width=10
        ),
        _LINKED,
        _MEETING_REF,
    ),
    _record_sheet(
        "Actions",
        Kind.ACTION,
        "One row per action, proposed by the school or agreed at the meeting.",
        Column(
            "Action",
            "catalogue_key",
            Cell.PROFILE,
            "An action from the profile's catalogue (its wording or its key).",
            required=True,
            group="actions",
            width=40,
        ),
        Column(
            "Sub-choice",
            "sub_choice",
            Cell.SUB_CHOICE,
            "For actions that have them (e.g. the outcome of a MASH referral), one of their choices.",
            width=18,
        ),
        Column("Detail", "detail", Cell.TEXT, "Free text.", width=30),
        _LINKED,
        Column(
            "Owner agency",
            "owner_agency",
            Cell.PROFILE,
            "The agency that owns it, or empty.",
            group="agencies",
            width=24,
        ),
        Column("Due", "due", Cell.DATE, "The due date, or empty.", width=12),
        Column(
            "Status",
            "status",
            Cell.CHOICE,
            "Where it stands (empty: proposed).",
            choices=ActionStatus,
            width=16,
        ),
        Column(
            "Rationale",
            "rationale",
            Cell.TEXT,
            "Why; needed when the status is “not taken forward”.",
            width=30,
        ),
        Column(
            "Proposed by",
            "origin",
            Cell.CHOICE,
            "school or meeting (empty: school).",
            choices=ActionOrigin,
            width=10,
        ),
        _MEETING_REF,
    ),
    _record_sheet(
        "Meetings",
        Kind.MEETING,
        "One row per Safer Young People Community Meeting.",
        Column("Date", "date", Cell.DATE, "The date of the meeting.", required=True, width=12),
        Column(
            "Venue or area",
            "venue",
            Cell.TEXT,
            "Where it is held, or the community area.",
            width=22,
        ),
        Column("Chair", "chair", Cell.TEXT, "The chair's name.", width=20),
        Column(
            "Attendees",
            "attendees",
            Cell.ATTENDEES,
            "Separated by “; ”, each as Name | role | organisation: Jo Bloggs | DSL | Example School.",
            width=40,
        ),
        Column(
            "Status",
            "status",
            Cell.CHOICE,
            "preparing, submitted or held (empty: preparing).",
            choices=MeetingStatus,
            width=12,
        ),
    ),
    SheetSpec(
        "Links",
        None,
        (
            Column("From", "a_id", Cell.REF, "The code of one record.", required=True, width=10),
            Column(
                "To", "b_id", Cell.REF, "The code of the other record.", required=True, width=10
            ),
            Column(
                "Relation",
                "relation",
                Cell.CHOICE,
                "How they are related, read as a sentence: YP-01 seen with AD-02.",
                required=True,
                choices=Relation,
                width=30,
            ),
            Column(
                "Confidence",
                "confidence",
                Cell.CHOICE,
                "confirmed, suspected or unconfirmed (empty: unconfirmed).",
                choices=Confidence,
                width=12,
            ),
            Column("Note", "note", Cell.TEXT, "Free text.", width=30),
            Column(
                "Last confirmed",
                "last_confirmed",
                Cell.DATE,
                "The date you last confirmed this link.",
                width=14,
            ),
            Column(
                "Retired",
                "retired",
                Cell.STAMP,
                "Empty while it is current; a date takes the link out of the diagram.",
                width=18,
            ),
        ),
        "One row per link between two records; links draw the spider diagram.",
    ),
    SheetSpec(
        "Evidence",
        None,
        (
            Column(
                "Subject",
                "subject_id",
                Cell.SUBJECT,
                "A record's code (YP-01), or a link as From > To (YP-01 > AD-02), with the relation in brackets if the two have more than one link: YP-01 > AD-02 (seen with).",
                required=True,
                width=24,
            ),
            Column(
                "Observed",
                "observed",
                Cell.DATE,
                "The date it was observed.",
                required=True,
                width=12,
            ),
            Column(
                "Source",
                "source",
                Cell.PROFILE,
                "Where it came from.",
                required=True,
                group="sources",
                width=26,
            ),
            Column(
                "How known",
                "how_known",
                Cell.CHOICE,
                "first-hand, second-hand or hearsay.",
                required=True,
                choices=HowKnown,
                width=12,
            ),
            Column("Summary", "summary", Cell.TEXT, "What was seen or said.", width=40),
            Column("Recorded by", "recorded_by", Cell.TEXT, "Who recorded it.", width=18),
            Column(
                "Recorded at",
                "recorded_at",
                Cell.STAMP,
                "When it was recorded (empty: the time of the import).",
                width=18,
            ),
            Column(
                "Retired",
                "retired",
                Cell.STAMP,
                "Empty while it is current; a date sets it aside.",
                width=18,
            ),
        ),
        "One row per piece of evidence about a record or a link.",
    ),
)

SHEET_TITLES: tuple[str, ...] = tuple(spec.title for spec in SHEETS)
_SPEC_BY_TITLE = {spec.title: spec for spec in SHEETS}
_SHEET_INDEX = {spec.title: index for index, spec in enumerate(SHEETS)}


def _unsheeted_fields() -> None:
    """Per record class, the fields no column of its sheet writes."""
    for spec in SHEETS:
        if spec.kind is None:
            continue
        cls = RECORD_TYPES[spec.kind]
        written = {column.field for column in spec.columns}
        _UNSHEETED[cls] = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in written and f.name not in _SET_BY_IMPORT
        )


_unsheeted_fields()


def sheet_spec(title: str) -> SheetSpec:
    """The layout of the sheet called ``title`` (any case)."""
    for spec in SHEETS:
        if _fold(spec.title) == _fold(title):
            return spec
    raise KeyError(title)


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def write_template(path: str | Path, profile: Profile | None = None) -> None:
    """An empty, documented workbook a DSL fills in (the default profile's choices)."""
    profile = profile or load_profile()
    _save_workbook(Path(path), MappingTable(), None, profile, demo=False, include_retired=True)


def export_table(
    table: MappingTable,
    path: str | Path,
    level: DataLevel,
    profile: Profile,
    *,
    demo: bool = False,
    include_retired: bool = True,
) -> None:
    """Write ``table`` as an ``.xlsx`` at ``level``; every record goes through ``redact``.

    Retired records, links and evidence are written too, with their date in the
    "Retired" column, unless ``include_retired`` is False. The file is replaced
    atomically.
    """
    _save_workbook(
        Path(path), table, DataLevel(level), profile, demo=demo, include_retired=include_retired
    )


def export_csv(
    table: MappingTable,
    path: str | Path,
    sheet: str | SheetSpec,
    level: DataLevel,
    profile: Profile,
    *,
    include_retired: bool = True,
) -> None:
    """Write one sheet (e.g. ``"Adults"``) as a UTF-8 CSV Excel opens, at ``level``.

    Dates are ``YYYY-MM-DD`` text. A text cell starting with ``= + - @`` is written
    with a leading apostrophe so that Excel does not run it as a formula; import
    takes the apostrophe off again.
    """
    spec = sheet if isinstance(sheet, SheetSpec) else sheet_spec(sheet)
    writer = _RowWriter(table, DataLevel(level), profile, include_retired, for_csv=True)
    out = io.StringIO(newline="")
    rows = csv.writer(out)
    rows.writerow([column.header for column in spec.columns])
    for values in writer.rows(spec):
        rows.writerow([_csv_text(value) for value in values])
    write_atomic(Path(path), ("\ufeff" + out.getvalue()).encode("utf-8"))


class _RowWriter:
    """The cell values of each sheet's rows, at a data level."""

    def __init__(
        self,
        table: MappingTable,
        level: DataLevel,
        profile: Profile,
        include_retired: bool,
        *,
        for_csv: bool = False,
    ) -> None:
        self.table = table
        self.level = level
        self.profile = profile
        self.for_csv = for_csv
        self.scrub = NameScrubber(table) if level == DataLevel.INITIALS else None
        self.records: dict[Kind, list[Record]] = {
            kind: table.of_kind(kind, include_retired=include_retired) for kind in Kind
        }
        self.code_of = {r.id: r.code for group in self.records.values() for r in group}
        if include_retired:
            links = [
                link
                for link in table.links.values()
                if link.a_id in self.code_of and link.b_id in self.code_of
            ]
        else:
            links = [
                link
                for link in table.active_links()
                if link.a_id in self.code_of and link.b_id in self.code_of
            ]
        self.links = sorted(
            links,
            key=lambda lk: (
                _code_key(self.code_of[lk.a_id]),
                _code_key(self.code_of[lk.b_id]),
                lk.relation,
            ),
        )
        per_pair: dict[frozenset[str], int] = defaultdict(int)
        for link in self.links:
            per_pair[frozenset((link.a_id, link.b_id))] += 1
        self.link_label = {}
        for link in self.links:
            label = self.code_of[link.a_id] + LINK_ARROW + self.code_of[link.b_id]
            if per_pair[frozenset((link.a_id, link.b_id))] > 1:
                label += f" ({link.relation})"
            self.link_label[link.id] = label
        subjects = {**self.code_of, **self.link_label}
        self.subject_of = subjects
        self.evidence = sorted(
            (
                item
                for item in table.evidence.values()
                if item.subject_id in subjects and (include_retired or item.active)
            ),
            key=lambda e: (_subject_sort_key(subjects[e.subject_id]), e.observed, e.recorded_at),
        )

    def rows(self, spec: SheetSpec) -> Iterable[list[Any]]:
        if spec.kind is not None:
            for record in self.records[spec.kind]:
                yield self._row(spec, self._record_view(record))
        elif spec.title == "Links":
            for link in self.links:
                yield self._row(spec, self._link_view(link))
        else:
            for item in self.evidence:
                yield self._row(spec, self._evidence_view(item))

    # -- what each level keeps (domain.levels decides) ---------------------------
    def _record_view(self, record: Record) -> Record:
        return redact(record, self.level, self.scrub)

    def _link_view(self, link: Link) -> Link:
        return redact_link(link, self.level, self.scrub)

    def _evidence_view(self, item: Evidence) -> Evidence:
        return redact_evidence(item, self.level, self.scrub)

    # -- cells -----------------------------------------------------------------
    def _row(self, spec: SheetSpec, item: Any) -> list[Any]:
        return [self._cell(column, getattr(item, column.field)) for column in spec.columns]

    def _cell(self, column: Column, value: Any) -> Any:
        kind = column.cell
        if value is None or value == "" or value == []:
            if kind is Cell.QUESTION:
                return _QUESTION_WORDS[0]
            return None
        if kind in (Cell.CODE, Cell.TEXT, Cell.CHOICE, Cell.POSTCODE, Cell.SUB_CHOICE):
            return value
        if kind in (Cell.NUMBER, Cell.YEAR):
            return value
        if kind is Cell.DATE:
            return value.isoformat() if self.for_csv else value
        if kind is Cell.STAMP:
            naive = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
            return naive.isoformat(sep=" ") if self.for_csv else naive
        if kind is Cell.QUESTION:
            return _QUESTION_WORDS[1] if value else _QUESTION_WORDS[0]
        if kind is Cell.TEXT_LIST:
            return LIST_SEPARATOR.join(_list_item(v) for v in value)
        if kind is Cell.CHOICES:
            return LIST_SEPARATOR.join(value)
        if kind is Cell.PROFILE:
            return self.profile.label(column.group, value)
        if kind is Cell.PROFILES:
            return LIST_SEPARATOR.join(self.profile.label(column.group, v) for v in value)
        if kind is Cell.REF:
            return self.code_of.get(value)
        if kind is Cell.REFS:
            return LIST_SEPARATOR.join(self.code_of[v] for v in value if v in self.code_of)
        if kind is Cell.MEMBERS:
            return LIST_SEPARATOR.join(
                self.code_of[m.person_id] + (f" ({_list_item(m.role)})" if m.role else "")
                for m in value
                if m.person_id in self.code_of
            )
        if kind is Cell.ATTENDEES:
            return LIST_SEPARATOR.join(_attendee_text(a) for a in value)
        if kind is Cell.SUBJECT:
            return self.subject_of[value]
        raise AssertionError(kind)  # pragma: no cover - every kind is handled above


def _code_key(code: str) -> tuple[int, str]:
    return (len(code), code)


def _subject_sort_key(subject: str) -> tuple[tuple[int, str], str]:
    head, _, rest = subject.partition(LINK_ARROW)
    return (_code_key(head), rest)


def _list_item(text: str) -> str:
    # An item cannot hold the separator; a comma reads the same to a person.
    return text.replace(";", ",").strip()


def _attendee_text(attendee: Attendee) -> str:
    """``Name | role | organisation``, trailing empty parts left off."""
    parts = [_attendee_part(attendee.name), _attendee_part(attendee.role)]
    parts.append(_attendee_part(attendee.organisation))
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return ATTENDEE_SEPARATOR.join(parts)


def _attendee_part(text: str) -> str:
    return _list_item(text).replace("|", "/")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def _xlsx_value(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
    if value.startswith("="):
        # Written as text, never as a formula Excel would run.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _save_workbook(
    path: Path,
    table: MappingTable,
    level: DataLevel | None,
    profile: Profile,
    *,
    demo: bool,
    include_retired: bool,
) -> None:
    writer = _RowWriter(table, level or DataLevel.FULL, profile, include_retired)
    book = Workbook(write_only=True)
    book.properties.creator = "SaferYP Desktop"
    book.properties.title = "Mapping table"
    lists = _list_columns(profile)
    _write_readme(book, level, profile, demo)
    bold = Font(bold=True)
    for spec in SHEETS:
        sheet = book.create_sheet(spec.title)
        _mark(sheet, profile, level)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        _add_validations(sheet, spec, lists)
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = bold
            header.append(cell)
        rows = [header]
        rows += ([_xlsx_value(sheet, v) for v in values] for values in writer.rows(spec))
        _write_rows(sheet, rows)
    _write_lists(book, lists)
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())


def _mark(sheet: Any, profile: Profile, level: DataLevel | None) -> None:
    """The marking on every printed page, and the data level in the footer."""
    sheet.oddHeader.center.text = profile.marking.replace("&", "&&")  # "&" starts a code
    sheet.oddFooter.left.text = LEVEL_TITLES[level] if level else TEMPLATE_LEVEL_TITLE
    sheet.oddFooter.right.text = "Page &P of &N"


def _list_key(column: Column) -> str:
    if column.choices is not None:
        return column.choices.__name__
    return column.group or column.cell.name


def _list_columns(profile: Profile) -> dict[str, tuple[str, str, list[str]]]:
    """Each fixed list once: its title and column letter in the Lists sheet, its values."""
    uses: dict[str, list[tuple[SheetSpec, Column]]] = defaultdict(list)
    for spec in SHEETS:
        for column in spec.columns:
            if column.values(profile):
                uses[_list_key(column)].append((spec, column))
    headers = defaultdict(set)
    for key, places in uses.items():
        headers[places[0][1].header].add(key)
    found: dict[str, tuple[str, str, list[str]]] = {}
    for key, places in uses.items():
        spec, column = places[0]
        title = (
            column.header if len(headers[column.header]) == 1 else f"{spec.title}: {column.header}"
        )
        found[key] = (title, get_column_letter(len(found) + 1), column.values(profile))
    return found


def _add_validations(
    sheet: Any, spec: SheetSpec, lists: dict[str, tuple[str, str, list[str]]]
) -> None:
    """A drop-down for each single-choice column; a short prompt on every column."""
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        prompt = column.help
        named = lists.get(_list_key(column))
        if named is not None and column.cell not in _LISTS:
            _, list_letter, values = named
            validation = DataValidation(
                type="list",
                formula1=f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${len(values) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Not in the list",
                error="This value is not in the list; the import will report it.",
            )
        else:
            validation = DataValidation(allow_blank=True)
            if named is not None:
                prompt += " The allowed values are in the Read me sheet."
        validation.showInputMessage = True
        validation.promptTitle = column.header[:32]
        validation.prompt = prompt[:255]
        validation.add(f"{letter}2:{letter}1048576")
        sheet.data_validations.append(validation)


def _write_lists(book: Workbook, lists: dict[str, tuple[str, str, list[str]]]) -> None:
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    columns = list(lists.values())
    longest = max((len(values) for _, _, values in columns), default=0)
    rows: list[list[Any]] = [[title for title, _, _ in columns]]
    for row in range(longest):
        rows.append([values[row] if row < len(values) else None for _, _, values in columns])
    _write_rows(sheet, rows)


def _write_rows(sheet: Any, rows: list[list[Any]]) -> None:
    """Append ``rows``, after declaring the sheet's size: without a <dimension> element a
    reader (openpyxl's among them) must parse the whole sheet once more to find it."""
    width = max((len(row) for row in rows), default=0)
    ref = f"A1:{get_column_letter(max(width, 1))}{max(len(rows), 1)}"
    # openpyxl's worksheet writer asks a sheet for calculate_dimension() if it has one;
    # a write-only sheet has none of its own.
    sheet.calculate_dimension = lambda: ref
    for row in rows:
        sheet.append(row)


def _write_readme(book: Workbook, level: DataLevel | None, profile: Profile, demo: bool) -> None:
    sheet = book.create_sheet(README_SHEET)
    _mark(sheet, profile, level)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 110
    bold = Font(bold=True)

    rows: list[list[Any]] = []

    def heading(text: str) -> None:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        rows.append([cell])

    heading("SaferYP Desktop — mapping table")
    rows.append(["Marking", profile.marking])
    rows.append([DATA_LEVEL_LABEL, LEVEL_TITLES[level] if level else TEMPLATE_LEVEL_TITLE])
    rows.append(
        [
            "Fictional data",
            "Yes. This is DEMO data: every person, place and event in it is made up."
            if demo
            else "No. Treat this file as real safeguarding data: keep it as safely as the "
            "workspace, and delete it when you have finished with it.",
        ]
    )
    rows.append(["Local profile", profile.name])
    rows.append(["Written", date.today().isoformat()])
    rows.append([])
    heading("How to fill it in")
    for line in (
        "Each sheet holds one kind of record; row 1 holds the column headers: keep them as they are.",
        "Refer to records by their codes (YP-03, AD-01, PG-02, LC-07, ST-04, KC-01, AC-05, MT-01).",
        "Leave the Code empty for a new record: it gets the next free code when it is imported.",
        "Separate several values in one cell with “; ” (a semicolon).",
        "Dates: a date cell, or text as YYYY-MM-DD (or DD/MM/YYYY).",
        "Choices: the wording shown below (or in the cell's drop-down), in any case; profile lists also accept their key.",
        "Links: one row per link, From code, To code and the relation, e.g. YP-01 friends with YP-02.",
        "Evidence: the Subject is a record's code, or a link written From > To, e.g. YP-01 > AD-02.",
        "To take something out of the mapping, put a date in its Retired column; import never deletes.",
        "Import checks every row first. If anything is wrong, nothing is imported and every problem is listed with its sheet, row and column.",
        "This sheet is not imported; only a full-names export or this template can be imported.",
    ):
        rows.append(["", line])
    for spec in SHEETS:
        rows.append([])
        heading(f"Sheet “{spec.title}”")
        rows.append(["", spec.help])
        for column in spec.columns:
            text = column.help + (" Must be filled in." if column.required else "")
            values = column.values(profile)
            if values:
                text += " Allowed: " + "; ".join(values) + "."
            rows.append([column.header, text])
    _write_rows(sheet, rows)


# ---------------------------------------------------------------------------
# Reading the file (any failure here: SpreadsheetUnreadable)
# ---------------------------------------------------------------------------


@dataclass
class _RawBook:
    sheets: dict[str, list[tuple[Any, ...]]]  # by the sheet's folded title
    titles: dict[str, str]  # folded title → the title in the file
    level: str | None = None  # the Read me sheet's data level, if any
    single: str | None = None  # a CSV: the one sheet it holds


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_NOT_SPREADSHEET = (
    "This file is not a spreadsheet SaferYP can read; save it from Excel as .xlsx "
    "(Excel Workbook) or .csv (CSV UTF-8) and try again."
)


def _read_file(path: Path) -> _RawBook:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SpreadsheetUnreadable("There is no spreadsheet at that path.") from None
    except OSError:
        raise SpreadsheetUnreadable("The spreadsheet cannot be opened.") from None
    if not path.is_file():
        raise SpreadsheetUnreadable("That path is not a file; choose an .xlsx or .csv file.")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetUnreadable("The spreadsheet is too large to import.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xls", ".ods", ".numbers"):
        raise SpreadsheetUnreadable(
            f"SaferYP cannot read {suffix} files; open it in your spreadsheet program, "
            "save it as .xlsx (Excel Workbook) and import that."
        )
    raise SpreadsheetUnreadable(_NOT_SPREADSHEET)


def _read_xlsx(path: Path) -> _RawBook:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        raise SpreadsheetUnreadable("The spreadsheet cannot be opened.") from None
    if head == _OLE_MAGIC:
        if _ENCRYPTED_MARK in path.read_bytes():
            raise SpreadsheetUnreadable(
                "This spreadsheet is protected with a password; remove the password in Excel "
                "(File > Info > Protect Workbook), save it, and import it again."
            )
        raise SpreadsheetUnreadable(
            "This is an old-style Excel file; open it in Excel, save it as .xlsx "
            "(Excel Workbook) and import that."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetUnreadable(
            "This file is damaged or is not an Excel workbook; open it in Excel, save it "
            "as .xlsx and try again."
        ) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise SpreadsheetUnreadable("The spreadsheet is too large to import.")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it does not read (extensions, styles,
            # conditional formats); only cell values matter here.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
            return _read_workbook(path)
    except SpreadsheetUnreadable:
        raise
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise SpreadsheetUnreadable(
            "This file is damaged or is not an Excel workbook; open it in Excel, save it "
            "as .xlsx and try again."
        ) from None


def _read_workbook(path: Path) -> _RawBook:
    with path.open("rb") as handle:
        book = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        try:
            wanted = {_fold(title) for title in SHEET_TITLES}
            raw = _RawBook(sheets={}, titles={})
            for sheet in book.worksheets:
                folded = _fold(sheet.title)
                if folded == _fold(README_SHEET):
                    raw.level = _readme_level(sheet)
                    continue
                if folded not in wanted or folded in raw.sheets:
                    continue  # the Lists sheet, or a sheet of the DSL's own
                if hasattr(sheet, "reset_dimensions"):
                    sheet.reset_dimensions()  # do not trust a file's own idea of its size
                raw.titles[folded] = sheet.title
                raw.sheets[folded] = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            return raw
        finally:
            book.close()


def _readme_level(sheet: Any) -> str | None:
    for row in sheet.iter_rows(min_row=1, max_row=30, max_col=2, values_only=True):
        if row and isinstance(row[0], str) and _fold(row[0]) == _fold(DATA_LEVEL_LABEL):
            return str(row[1]) if len(row) > 1 and row[1] is not None else None
    return None


def _read_csv(path: Path) -> _RawBook:
    try:
        data = path.read_bytes()
    except OSError:
        raise SpreadsheetUnreadable("The spreadsheet cannot be opened.") from None
    if b"\x00" in data or data[:2] == b"PK" or data[:8] == _OLE_MAGIC:
        raise SpreadsheetUnreadable(_NOT_SPREADSHEET)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            raise SpreadsheetUnreadable(
                "The CSV file's characters cannot be read; save it from Excel as “CSV UTF-8”."
            ) from None
    try:
        rows = [tuple(_from_csv(cell) for cell in row) for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise SpreadsheetUnreadable(
            "The CSV file is damaged; save it from Excel as “CSV UTF-8” and try again."
        ) from None
    spec = _sheet_for_header(rows[0] if rows else ())
    folded = _fold(spec.title)
    return _RawBook(sheets={folded: rows}, titles={folded: spec.title}, single=spec.title)


def _from_csv(cell: str) -> str | None:
    if cell == "":
        return None
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def _sheet_for_header(header: Sequence[Any]) -> SheetSpec:
    """The sheet a CSV file holds, known from its header row: the sheet whose column
    headers are exactly the file's (any order, any case). Failing that, the sheet that has
    most of the file's headers, so that the problems can name the wrong columns."""
    found = {_fold(h) for h in header if h not in (None, "")}
    if not found:
        raise SpreadsheetLayout(problems=["The CSV file has no column headers in its first row."])
    best, best_matched = None, 0
    for spec in SHEETS:
        wanted = {_fold(c.header) for c in spec.columns}
        if wanted == found:
            return spec
        matched = len(wanted & found)
        if matched > best_matched:
            best, best_matched = spec, matched
    if best is None or best_matched < 2 or best_matched * 2 < len(found):
        raise SpreadsheetLayout(
            problems=[
                "The CSV file's first row matches none of the template's sheets; it must hold "
                "the column headers of one sheet, e.g. Code, Name, Initials… for young people."
            ]
        )
    return best


# ---------------------------------------------------------------------------
# Checking and building (every problem collected; all or nothing)
# ---------------------------------------------------------------------------


class _Bad(Exception):
    """One problem with one cell; the text follows "Sheet …, row …, column …: "."""


@dataclass(order=True, frozen=True)
class _Problem:
    sheet: int
    row: int
    column: int
    text: str


@dataclass
class _Row:
    spec: SheetSpec
    number: int  # as Excel numbers it: the header is row 1
    values: dict[str, Any]  # field → parsed value (codes not yet resolved)


def _quote(value: Any) -> str:
    text = value if isinstance(value, str) else _plain(value)
    text = " ".join(text.split())
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return f"“{text}”"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ")
            if value.time() != datetime.min.time()
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_CODE_TEXT = re.compile(r"^([A-Za-z]{2})\s*-?\s*(\d{1,6})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_UK_STAMP = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_YEAR_TEXT = re.compile(r"^(?:year|yr|y)?\s*(\d{1,2})$", re.IGNORECASE)
_MEMBER = re.compile(r"^(?P<code>[^()]+?)\s*(?:\((?P<role>.*)\))?$", re.DOTALL)
_ATTENDEE = re.compile(r"^(?P<name>[^()]*?)\s*(?:\((?P<inner>.*)\))?$", re.DOTALL)
_SUBJECT_LINK = re.compile(
    r"^(?P<a>[^>()]+?)\s*>\s*(?P<b>[^>()]+?)\s*(?:\((?P<relation>[^()]*)\))?$"
)


def normalise_code(text: str) -> str | None:
    """``"yp-3"`` → ``"YP-03"``; None if ``text`` is not a record code."""
    match = _CODE_TEXT.match(text.strip())
    if not match or match.group(1).upper() not in KIND_BY_PREFIX:
        return None
    digits = match.group(2)
    return f"{match.group(1).upper()}-{digits.zfill(2)}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return _plain(value)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


class _Importer:
    def __init__(self, profile: Profile, existing: MappingTable | None) -> None:
        self.profile = profile
        self.existing = existing or MappingTable()
        self.problems: list[_Problem] = []
        self.stamp = now()
        self.lookup: dict[str, dict[str, str]] = {}
        for group in ("harm_categories", "agencies", "sources", "actions"):
            table: dict[str, str] = {}
            for choice in _profile_choices(profile, group):
                table.setdefault(_fold(choice.label), choice.key)
            for choice in _profile_choices(profile, group):
                table[_fold(choice.key)] = choice.key
            self.lookup[group] = table
        self.enum_lookup: dict[type[StrEnum], dict[str, str]] = {}

    # -- problems ---------------------------------------------------------------
    def problem(self, spec: SheetSpec, row: int, column: Column | None, text: str) -> None:
        index = spec.columns.index(column) + 1 if column is not None else 0
        where = f"Sheet “{spec.title}”, row {row}"
        if column is not None:
            where += f", column “{column.header}”"
        self.problems.append(_Problem(_SHEET_INDEX[spec.title], row, index, f"{where}: {text}"))

    # -- the whole import -------------------------------------------------------
    def run(self, raw: _RawBook) -> MappingTable:
        positions = self._check_layout(raw)
        rows: dict[str, list[_Row]] = {}
        for spec in SHEETS:
            if spec.title in positions:
                rows[spec.title] = self._parse_sheet(
                    spec, raw.sheets[_fold(spec.title)], positions[spec.title]
                )
        self._assign_codes(rows)
        records = self._build_records(rows)
        links = self._build_links(rows.get("Links", []))
        evidence = self._build_evidence(rows.get("Evidence", []), links)
        if self.problems:
            problems = [p.text for p in sorted(self.problems)]
            count = len(problems)
            raise SpreadsheetInvalid(
                f"The spreadsheet has {count} problem{'s' if count != 1 else ''}; "
                "nothing was imported.",
                problems=problems,
            )
        return MappingTable.of(records.values(), links.values(), evidence.values())

    # -- layout -----------------------------------------------------------------
    def _check_layout(self, raw: _RawBook) -> dict[str, dict[str, int]]:
        problems: list[str] = []
        if raw.level is not None and _fold(raw.level) in {
            _fold(LEVEL_TITLES[DataLevel.INITIALS]),
            _fold(LEVEL_TITLES[DataLevel.CODES]),
        }:
            problems.append(
                f"This spreadsheet was exported at the “{raw.level}” level (see its Read me "
                "sheet), so its names are incomplete; only a full-names export or a filled-in "
                "template can be imported."
            )
        positions: dict[str, dict[str, int]] = {}
        for spec in SHEETS:
            folded = _fold(spec.title)
            if folded not in raw.sheets:
                if raw.single is None:
                    problems.append(f"The spreadsheet has no sheet called “{spec.title}”.")
                continue
            sheet_rows = raw.sheets[folded]
            header = sheet_rows[0] if sheet_rows else ()
            where = f"Sheet “{spec.title}”" if raw.single is None else "The CSV file"
            if not any(cell not in (None, "") for cell in header):
                problems.append(f"{where} has no column headers in row 1.")
                continue
            known = {_fold(c.header): c for c in spec.columns}
            found: dict[str, int] = {}
            for index, cell in enumerate(header):
                if cell is None or _text(cell) == "":
                    continue
                folded_header = _fold(_text(cell))
                letter = get_column_letter(index + 1)
                column = known.get(folded_header)
                if column is None:
                    problems.append(
                        f"{where}, column {letter}: {_quote(_text(cell))} is not a column of "
                        f"the “{spec.title}” sheet."
                    )
                elif column.field in found:
                    problems.append(
                        f"{where}, column {letter}: the column “{column.header}” appears twice."
                    )
                else:
                    found[column.field] = index
            for column in spec.columns:
                if column.field not in found:
                    problems.append(f"{where} has no column “{column.header}”.")
            positions[spec.title] = found
        if problems:
            raise SpreadsheetLayout(
                "The spreadsheet does not follow the template; nothing was imported.",
                problems=problems,
            )
        return positions

    # -- cells ------------------------------------------------------------------
    def _parse_sheet(
        self, spec: SheetSpec, sheet_rows: list[tuple[Any, ...]], position: dict[str, int]
    ) -> list[_Row]:
        parsed = []
        used = sorted(position.values())
        for offset, cells in enumerate(sheet_rows[1:], start=2):
            if all(_blank(cells[i]) for i in used if i < len(cells)):
                continue  # an empty row (a cell under an unlabelled column does not count)
            values: dict[str, Any] = {}
            for column in spec.columns:
                index = position[column.field]
                cell = cells[index] if index < len(cells) else None
                try:
                    value = self._parse_cell(column, cell)
                except _Bad as bad:
                    self.problem(spec, offset, column, str(bad))
                    continue
                if value is None:
                    if column.required:
                        self.problem(spec, offset, column, "this must be filled in.")
                    continue
                values[column.field] = value
            parsed.append(_Row(spec, offset, values))
        return parsed

    def _parse_cell(self, column: Column, cell: Any) -> Any:
        """The cell's value for the record; None when the cell is empty."""
        if isinstance(cell, str):
            cell = cell.strip()
        if cell is None or cell == "":
            return None
        kind = column.cell
        if kind is Cell.TEXT:
            return _text(cell)
        if kind is Cell.TEXT_LIST:
            return _split(_text(cell))
        if kind is Cell.CODE:
            code = normalise_code(_text(cell))
            if code is None:
                raise _Bad(_NOT_A_CODE)
            return code
        if kind in (Cell.NUMBER, Cell.YEAR):
            return self._number(column, cell)
        if kind is Cell.DATE:
            return _date(cell)
        if kind is Cell.STAMP:
            return _stamp(cell)
        if kind is Cell.CHOICE:
            return self._choice(column, cell)
        if kind is Cell.CHOICES:
            return self._many(column, cell, lambda item: self._choice(column, item))
        if kind is Cell.PROFILE:
            return self._profile(column, cell)
        if kind is Cell.PROFILES:
            return self._many(column, cell, lambda item: self._profile(column, item))
        if kind is Cell.QUESTION:
            word = _fold(_text(cell))
            if word not in _QUESTION_WORDS:
                raise _Bad(f"{_quote(cell)} is not “concern” or “question”.")
            return word == "question"
        if kind is Cell.REF:
            return _ref(_text(cell))
        if kind is Cell.REFS:
            items = _split(_text(cell))
            codes = [
                _ref(item, number if len(items) > 1 else 0) for number, item in enumerate(items, 1)
            ]
            return list(dict.fromkeys(codes))
        if kind is Cell.MEMBERS:
            return _members(_text(cell))
        if kind is Cell.ATTENDEES:
            return _attendees(_text(cell))
        if kind is Cell.POSTCODE:
            postcode = normalise_postcode(_text(cell))
            if not POSTCODE_PATTERN.match(postcode):
                raise _Bad("this is not a UK postcode.")  # a postcode may locate a person
            return postcode
        if kind is Cell.SUBJECT:
            return self._subject(_text(cell))
        if kind is Cell.SUB_CHOICE:
            return _text(cell)
        raise AssertionError(kind)  # pragma: no cover

    def _number(self, column: Column, cell: Any) -> int:
        number: int | None = None
        if isinstance(cell, bool):
            number = None
        elif isinstance(cell, int):
            number = cell
        elif isinstance(cell, float) and cell.is_integer():
            number = int(cell)
        elif isinstance(cell, str):
            text = cell.strip()
            if column.cell is Cell.YEAR:
                if _fold(text) in ("r", "reception", "year r"):
                    return 0
                match = _YEAR_TEXT.match(text)
                if match:
                    text = match.group(1)
            if re.fullmatch(r"\d{1,4}", text):
                number = int(text)
        if number is None:
            raise _Bad(f"{_quote(cell)} is not a whole number.")
        if (column.low is not None and number < column.low) or (
            column.high is not None and number > column.high
        ):
            raise _Bad(f"{_quote(cell)} is not between {column.low} and {column.high}.")
        return number

    def _choice(self, column: Column, cell: Any) -> str:
        assert column.choices is not None
        table = self.enum_lookup.get(column.choices)
        if table is None:
            table = {_fold(member.value): member.value for member in column.choices}
            self.enum_lookup[column.choices] = table
        if isinstance(cell, bool) and column.choices is Awareness:
            return Awareness.YES.value if cell else Awareness.NO.value
        found = table.get(_fold(_text(cell)))
        if found is None:
            allowed = ", ".join(member.value for member in column.choices)
            raise _Bad(f"{_quote(cell)} is not one of: {allowed}.")
        return found

    def _profile(self, column: Column, cell: Any) -> str:
        found = self.lookup[column.group].get(_fold(_text(cell)))
        if found is None:
            what = {
                "harm_categories": "a harm category",
                "agencies": "an agency",
                "sources": "a source of evidence",
                "actions": "an action in the catalogue",
            }[column.group]
            raise _Bad(
                f"{_quote(cell)} is not {what} of the {self.profile.name} profile "
                "(see the Read me sheet)."
            )
        return found

    def _many(self, column: Column, cell: Any, one: Callable[[str], str]) -> list[str]:
        result: list[str] = []
        bad: list[str] = []
        for item in _split(_text(cell)):
            try:
                result.append(one(item))
            except _Bad:
                # "CSE, CCE" written with commas: accept it if every part is known.
                parts = [p.strip() for p in item.split(",") if p.strip()]
                try:
                    if len(parts) < 2:
                        raise
                    result.extend(one(part) for part in parts)
                except _Bad:
                    bad.append(item)
        if bad:
            quoted = ", ".join(_quote(item) for item in bad)
            if column.cell is Cell.PROFILES:
                raise _Bad(
                    f"{quoted} {'is' if len(bad) == 1 else 'are'} not in the "
                    f"{self.profile.name} profile's list (see the Read me sheet)."
                )
            allowed = ", ".join(column.values(self.profile))
            raise _Bad(f"{quoted} {'is' if len(bad) == 1 else 'are'} not one of: {allowed}.")
        return list(dict.fromkeys(result))

    def _subject(self, text: str) -> tuple[str, ...]:
        code = normalise_code(text)
        if code is not None:
            return (code,)
        match = _SUBJECT_LINK.match(text)
        if match:
            a, b = normalise_code(match.group("a")), normalise_code(match.group("b"))
            relation = match.group("relation")
            if a and b:
                if relation is None:
                    return (a, b)
                found = {_fold(r.value): r.value for r in Relation}.get(_fold(relation))
                if found is None:
                    raise _Bad(f"{_quote(relation)} is not a relation a link can have.")
                return (a, b, found)
        raise _Bad("this is not a record code (YP-01) or a link (YP-01 > AD-02).")

    # -- codes ------------------------------------------------------------------
    def _assign_codes(self, rows: dict[str, list[_Row]]) -> None:
        """Check the sheets' codes and give rows without a code the next free one."""
        self.ids: dict[str, str] = {code: r.id for code, r in _codes_of(self.existing).items()}
        highest: dict[Kind, int] = defaultdict(int)
        for code in self.ids:
            kind = KIND_BY_PREFIX[code[:2]]
            highest[kind] = max(highest[kind], int(code[3:]))
        for spec in SHEETS:
            if spec.kind is None:
                continue
            column = spec.column("Code")
            seen: dict[str, int] = {}
            for row in rows.get(spec.title, []):
                code = row.values.get("code")
                if code is None:
                    continue
                if not code.startswith(CODE_PREFIX[spec.kind] + "-"):
                    self.problem(
                        spec,
                        row.number,
                        column,
                        f"{_quote(code)} is not a code for this sheet; its codes start with "
                        f"{CODE_PREFIX[spec.kind]}-.",
                    )
                    row.values.pop("code")
                    continue
                if code in seen:
                    self.problem(
                        spec,
                        row.number,
                        column,
                        f"{_quote(code)} is also used on row {seen[code]}.",
                    )
                    continue
                seen[code] = row.number
                highest[spec.kind] = max(highest[spec.kind], int(code[3:]))
                self.ids.setdefault(code, str(uuid.uuid4()))
        for spec in SHEETS:
            if spec.kind is None:
                continue
            for row in rows.get(spec.title, []):
                if "code" not in row.values:
                    highest[spec.kind] += 1
                    code = format_code(spec.kind, highest[spec.kind])
                    row.values["code"] = code
                    self.ids[code] = str(uuid.uuid4())

    def _resolve(
        self,
        spec: SheetSpec,
        row: _Row,
        column: Column,
        code: str,
        kinds: tuple[Kind, ...] = (),
    ) -> str | None:
        kinds = kinds or column.kinds
        if kinds and KIND_BY_PREFIX[code[:2]] not in kinds:
            wanted = " or ".join(f"{CODE_PREFIX[k]}-…" for k in kinds)
            self.problem(
                spec,
                row.number,
                column,
                f"{_quote(code)} is not the right kind of record here ({wanted}).",
            )
            return None
        found = self.ids.get(code)
        if found is None:
            self.problem(
                spec,
                row.number,
                column,
                f"{_quote(code)} is not the code of a record in the spreadsheet or the workspace.",
            )
        return found

    # -- records ----------------------------------------------------------------
    def _build_records(self, rows: dict[str, list[_Row]]) -> dict[str, Record]:
        records: dict[str, Record] = dict(self.existing.records)
        for spec in SHEETS:
            if spec.kind is None:
                continue
            cls = _record_class(spec.kind)
            for row in rows.get(spec.title, []):
                values = dict(row.values)
                code = values["code"]
                record_id = self.ids[code]
                ok = self._resolve_record_refs(spec, row, values, record_id)
                if not ok or any(c.required and c.field not in values for c in spec.columns):
                    continue
                before = self.existing.get(record_id)
                if before is not None and type(before) is cls:
                    # Fields the sheet has no column for (a meeting's bundles, apologies
                    # and discussions; an agreed action's school) are kept as they were.
                    for name in _UNSHEETED[cls]:
                        values.setdefault(name, copy.deepcopy(getattr(before, name)))
                values["retired"] = _same_retired(before, values.get("retired"))
                created = before.created if before is not None else self.stamp
                try:
                    record = cls(
                        id=record_id,
                        created=created,
                        updated=before.updated if before is not None else self.stamp,
                        **values,
                    )
                    if not self._check_sub_choice(spec, row, record):
                        continue
                    record.validate()
                except (RecordInvalid, TypeError, ValueError) as error:
                    self.problem(spec, row.number, None, _sentence(error))
                    continue
                if before is not None and record == before:
                    record = before
                elif before is not None:
                    record.updated = max(self.stamp, before.created)
                records[record_id] = record
        return records

    def _resolve_record_refs(
        self, spec: SheetSpec, row: _Row, values: dict[str, Any], record_id: str
    ) -> bool:
        ok = True
        for column in spec.columns:
            if column.field not in values:
                continue
            value = values[column.field]
            if column.cell is Cell.REF:
                resolved = self._resolve(spec, row, column, value)
                ok = ok and resolved is not None
                values[column.field] = resolved
            elif column.cell is Cell.REFS:
                ids = []
                for code in value:
                    resolved = self._resolve(spec, row, column, code)
                    if resolved == record_id:
                        self.problem(
                            spec, row.number, column, f"{_quote(code)} is this record itself."
                        )
                        resolved = None
                    ok = ok and resolved is not None
                    ids.append(resolved)
                values[column.field] = ids
            elif column.cell is Cell.MEMBERS:
                members = []
                seen: set[str] = set()
                for code, role in value:
                    if code in seen:
                        self.problem(spec, row.number, column, f"{_quote(code)} is listed twice.")
                        ok = False
                        continue
                    seen.add(code)
                    resolved = self._resolve(spec, row, column, code, (Kind.YOUNG_PERSON,))
                    ok = ok and resolved is not None
                    members.append(Membership(person_id=resolved or "", role=role))
                values[column.field] = members
        return ok

    def _check_sub_choice(self, spec: SheetSpec, row: _Row, record: Record) -> bool:
        sub = getattr(record, "sub_choice", "")
        key = getattr(record, "catalogue_key", "")
        if not sub or not key:
            return True
        action = self.profile.action(key)
        column = spec.column("Sub-choice")
        choices = action.sub_choices if action else ()
        if not choices:
            self.problem(
                spec, row.number, column, "this action has no sub-choices; leave it empty."
            )
            return False
        found = next((c for c in choices if _fold(c) == _fold(sub)), None)
        if found is None:
            self.problem(
                spec, row.number, column, f"{_quote(sub)} is not one of: {', '.join(choices)}."
            )
            return False
        record.sub_choice = found  # type: ignore[attr-defined]
        return True

    # -- links ------------------------------------------------------------------
    def _build_links(self, rows: list[_Row]) -> dict[str, Link]:
        """Links of the sheet; one that the workspace already has (same two records, same
        relation; the same direction first, else the other way) keeps its identity."""
        spec = _SPEC_BY_TITLE["Links"]
        checked: list[tuple[_Row, dict[str, Any], tuple[str, str, str]]] = []
        seen: dict[tuple[str, str, str], int] = {}
        for row in rows:
            values = dict(row.values)
            ok = True
            for header in ("From", "To"):
                column = spec.column(header)
                if column.field in values:
                    values[column.field] = self._resolve(spec, row, column, values[column.field])
                    ok = ok and values[column.field] is not None
            if not ok or any(c.required and c.field not in values for c in spec.columns):
                continue
            if values["a_id"] == values["b_id"]:
                self.problem(
                    spec, row.number, spec.column("To"), "a link must join two different records."
                )
                continue
            key = (values["a_id"], values["b_id"], values["relation"])
            if key in seen:
                self.problem(
                    spec,
                    row.number,
                    None,
                    f"the same link ({row.values['a_id']} {values['relation']} "
                    f"{row.values['b_id']}) is also on row {seen[key]}.",
                )
                continue
            seen[key] = row.number
            checked.append((row, values, key))

        held: dict[tuple[str, str, str], list[Link]] = defaultdict(list)
        for link in self.existing.links.values():
            held[(link.a_id, link.b_id, link.relation)].append(link)
        claimed: set[str] = set()
        before_of: dict[int, Link] = {}
        for reverse in (False, True):
            for row, _, (a, b, relation) in checked:
                if row.number in before_of:
                    continue
                for link in held.get((b, a, relation) if reverse else (a, b, relation), []):
                    if link.id not in claimed:
                        claimed.add(link.id)
                        before_of[row.number] = link
                        break

        links: dict[str, Link] = dict(self.existing.links)
        for row, values, _ in checked:
            before = before_of.get(row.number)
            values["retired"] = _same_retired(before, values.get("retired"))
            link = Link(
                id=before.id if before else str(uuid.uuid4()),
                created=before.created if before else self.stamp,
                updated=before.updated if before else self.stamp,
                **values,
            )
            try:
                link.validate()
            except RecordInvalid as error:
                self.problem(spec, row.number, None, _sentence(error))
                continue
            if before is not None and link == before:
                link = before
            elif before is not None:
                link.updated = max(self.stamp, before.created)
            links[link.id] = link
        return links

    # -- evidence ---------------------------------------------------------------
    def _build_evidence(self, rows: list[_Row], links: dict[str, Link]) -> dict[str, Evidence]:
        evidence: dict[str, Evidence] = dict(self.existing.evidence)
        by_pair: dict[frozenset[str], list[Link]] = defaultdict(list)
        for link in links.values():
            by_pair[frozenset((link.a_id, link.b_id))].append(link)
        unmatched: dict[tuple[Any, ...], list[Evidence]] = defaultdict(list)
        for item in self.existing.evidence.values():
            unmatched[_evidence_key(item)].append(item)
        spec = _SPEC_BY_TITLE["Evidence"]
        column = spec.column("Subject")
        for row in rows:
            values = dict(row.values)
            subject = values.get("subject_id")
            if subject is not None:
                values["subject_id"] = self._evidence_subject(spec, row, column, subject, by_pair)
            if any(c.required and values.get(c.field) is None for c in spec.columns):
                continue
            recorded_at = values.get("recorded_at", self.stamp)
            if values["observed"] > recorded_at.date():
                self.problem(
                    spec,
                    row.number,
                    spec.column("Observed"),
                    f"{_quote(values['observed'])} is later than the date it was recorded.",
                )
                continue
            key = (
                values["subject_id"],
                values["observed"],
                values["source"],
                values["how_known"],
                values.get("summary", ""),
                values.get("recorded_by", ""),
            )
            before = unmatched[key].pop(0) if unmatched.get(key) else None
            values.setdefault("recorded_at", before.recorded_at if before else self.stamp)
            values["retired"] = _same_retired(before, values.get("retired"))
            item = Evidence(id=before.id if before else str(uuid.uuid4()), **values)
            try:
                item.validate()
            except RecordInvalid as error:
                self.problem(spec, row.number, None, _sentence(error))
                continue
            if before is not None and item == before:
                item = before
            evidence[item.id] = item
        return evidence

    def _evidence_subject(
        self,
        spec: SheetSpec,
        row: _Row,
        column: Column,
        subject: tuple[str, ...],
        by_pair: dict[frozenset[str], list[Link]],
    ) -> str | None:
        if len(subject) == 1:
            return self._resolve(spec, row, column, subject[0])
        a, b = (self._resolve(spec, row, column, code) for code in subject[:2])
        if a is None or b is None:
            return None
        candidates = by_pair.get(frozenset((a, b)), [])
        if len(subject) == 3:
            candidates = [link for link in candidates if link.relation == subject[2]]
        if len(candidates) > 1:  # the direction written decides, then being current
            forward = [link for link in candidates if (link.a_id, link.b_id) == (a, b)]
            candidates = forward or candidates
        if len(candidates) > 1:
            active = [link for link in candidates if link.active]
            candidates = active or candidates
        written = f"{subject[0]}{LINK_ARROW}{subject[1]}"
        if not candidates:
            relation = f" ({subject[2]})" if len(subject) == 3 else ""
            self.problem(
                spec,
                row.number,
                column,
                f"{_quote(written + relation)}: there is no such link in the Links sheet or the "
                "workspace.",
            )
            return None
        if len(candidates) > 1:
            candidates.sort(key=lambda link: link.relation)
            self.problem(
                spec,
                row.number,
                column,
                f"{_quote(written)} has more than one link; add the relation in brackets, e.g. "
                f"{written} ({candidates[0].relation}).",
            )
            return None
        return candidates[0].id


def _codes_of(table: MappingTable) -> dict[str, Record]:
    return {
        record.code: record for record in table.records.values() if CODE_PATTERN.match(record.code)
    }


def _same_retired(before: Any, retired: datetime | None) -> datetime | None:
    """A retirement date typed as a date keeps the existing record's exact time."""
    old = getattr(before, "retired", None)
    if old is not None and retired is not None and old.date() == retired.date():
        return old
    return retired


def _record_class(kind: Kind) -> type[Record]:
    return RECORD_TYPES[kind]


def _evidence_key(item: Evidence) -> tuple[Any, ...]:
    """What makes two pieces of evidence the same (the order of the import's own key)."""
    return (
        item.subject_id,
        item.observed,
        item.source,
        item.how_known,
        item.summary,
        item.recorded_by,
    )


def _sentence(error: Exception) -> str:
    return str(error).strip()


def _date(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, str):
        text = cell.strip()
        try:
            if _ISO_DATE.match(text):
                return date.fromisoformat(text)
            match = _UK_DATE.match(text)
            if match:
                day, month, year = (int(g) for g in match.groups())
                return date(year, month, day)
        except ValueError:
            pass
    raise _Bad(f"{_quote(cell)} is not a date; use a date cell or YYYY-MM-DD.")


def _stamp(cell: Any) -> datetime:
    if isinstance(cell, datetime):
        value = cell
    elif isinstance(cell, date):
        value = datetime(cell.year, cell.month, cell.day)
    else:
        text = str(cell).strip() if isinstance(cell, str) else ""
        value = None
        try:
            if _ISO_DATE.match(text):
                value = datetime.fromisoformat(text)
            elif _ISO_STAMP.match(text):
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            elif match := _UK_DATE.match(text):
                day, month, year = (int(g) for g in match.groups())
                value = datetime(year, month, day)
            elif match := _UK_STAMP.match(text):
                day, month, year, hour, minute = (int(g) for g in match.groups()[:5])
                value = datetime(year, month, day, hour, minute, int(match.group(6) or 0))
        except ValueError:
            value = None
        if value is None:
            raise _Bad(f"{_quote(cell)} is not a date; use a date cell or YYYY-MM-DD.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.microsecond:
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    return value


# A reference that is not code-shaped may be a name typed in the wrong place: never quoted.
_NOT_A_CODE = "this is not a record code like YP-03."


def _ref(text: str, number: int = 0) -> str:
    """The code ``text`` names; ``number`` is its place in a list cell (0: a single value)."""
    code = normalise_code(text)
    if code is None:
        raise _Bad(f"entry {number} is not a record code like YP-03." if number else _NOT_A_CODE)
    return code


def _members(text: str) -> list[tuple[str, str]]:
    members = []
    items = _split(text)
    for number, item in enumerate(items, start=1):
        match = _MEMBER.match(item)
        code = normalise_code(match.group("code")) if match else None
        if code is None:
            which = f"entry {number}" if len(items) > 1 else "this"
            raise _Bad(
                f"{which} is not a young person's code; write members as YP-01 (leader); YP-02."
            )
        members.append((code, (match.group("role") or "").strip()))
    return members


def _attendees(text: str) -> list[Attendee]:
    """``Name | role | organisation`` (what export writes), or ``Name (role, organisation)``
    as a person would type it; role and organisation are optional."""
    attendees = []
    items = _split(text)
    for number, item in enumerate(items, start=1):
        which = f"attendee {number}" if len(items) > 1 else "the attendee"
        if "|" in item:
            parts = [part.strip() for part in item.split("|")]
            if len(parts) > 3:
                raise _Bad(f"{which} has more than three parts; write Name | role | organisation.")
            name, role, organisation = (parts + ["", ""])[:3]
        else:
            match = _ATTENDEE.match(item)
            if match is None:
                raise _Bad(f"{which} is not written as Name | role | organisation.")
            name = match.group("name").strip()
            role, _, organisation = (match.group("inner") or "").partition(",")
        attendees.append(Attendee(name=name, role=role.strip(), organisation=organisation.strip()))
    return attendees


# ---------------------------------------------------------------------------
# Import: the public entry
# ---------------------------------------------------------------------------


def import_table(
    path: str | Path, profile: Profile, existing: MappingTable | None = None
) -> MappingTable:
    """Read a filled-in template (``.xlsx``) or one sheet (``.csv``) into a mapping table.

    Every row of every sheet is checked before anything is built. Raises
    SpreadsheetUnreadable (not a spreadsheet), SpreadsheetLayout (sheets or columns
    missing or unknown) or SpreadsheetInvalid (bad values), each listing every problem
    in ``problems``; otherwise returns ``existing`` merged with the spreadsheet (see the
    module docstring). ``existing`` itself is never changed.

    A ``.csv`` file holds one sheet, known from its header row: the sheet whose column
    headers are exactly the file's. Its codes may refer to records in ``existing``.
    """
    raw = _read_file(Path(path))
    return _Importer(profile, existing).run(raw)


@dataclass(frozen=True)
class ImportChanges:
    """What an import adds or changes, compared with the table it was merged into."""

    records: list[Record]
    links: list[Link]
    evidence: list[Evidence]

    @property
    def empty(self) -> bool:
        return not (self.records or self.links or self.evidence)


def import_changes(existing: MappingTable, imported: MappingTable) -> ImportChanges:
    """The records, links and evidence of ``imported`` that are new or different from
    ``existing`` (unchanged ones are the very same objects), for saving and auditing."""
    return ImportChanges(
        records=[r for r in imported.records.values() if existing.records.get(r.id) is not r],
        links=[k for k in imported.links.values() if existing.links.get(k.id) is not k],
        evidence=[e for e in imported.evidence.values() if existing.evidence.get(e.id) is not e],
    )
