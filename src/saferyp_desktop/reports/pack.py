"""The briefing pack a meeting chair prints for a Safer Young People Community Meeting.

:func:`build_pack` turns a :class:`PackData` (gathered by ``services/chair.py``) into PDF
bytes, with the briefing's page template, furniture, tables and diagram drawing
(:mod:`reports.common`). In order:

1. cover and agenda: the meeting, the schools in the pack and their signing keys'
   fingerprints, the agenda, information sharing, the data level;
2. contents: each part, and each school's part with the page of each of its sections
   (the page numbers are drawn once the page count is known, as "Page X of Y" is: one
   build, no second pass);
3. a sign-in sheet: those expected and blank rows, each tall enough to sign;
4. across schools: each school's counts; the candidate matches still to decide, each
   with its records, reasons and score and boxes to tick by hand ("same" / "not the
   same"); those the chair confirmed; the area's places by how many schools name them,
   with the worst rating any gave; and the combined spider diagram, each record ringed in
   its school's colour and the records confirmed as the same joined by a dark bar (drawn
   together, never merged);
5. each school's part, drawn again by the briefing's own code from the school's signed
   mapping table at the pack's data level (never the PDF the school sent, so the level
   and the marking are the same throughout), starting with a short header (the school,
   its DSLs, when it submitted and at what level, its key's fingerprint) rather than
   the cover of the school's own briefing; its tables are set smaller and its sections
   run on rather than each starting a page;
6. the action plan: the actions agreed so far, then blank rows to fill in by hand.

Every page carries the marking at the top and the bottom, "Page X of Y" and the short
document id; the running header names the school a page is about. The data level holds
everywhere: at initials, no young person's or adult's full name, alias or handle is
printed, in the cross-school parts either (the reasons for a match are scrubbed of names
with every school's records); at codes, records are their codes and reasons their kind.
People's organisations are printed as the profile names the agency (the program stores
the agency's key).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from saferyp_desktop.domain.checks import Finding
from saferyp_desktop.domain.diagram import (
    SAME_HEX,
    SCHOOL_HEX,
    DiagramLayout,
    DiagramNode,
    Point,
    layout,
)
from saferyp_desktop.domain.levels import LEVEL_TITLES, DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.matching import AreaPlace
from saferyp_desktop.domain.profile import Profile
from saferyp_desktop.domain.records import (
    Action,
    ActionOrigin,
    Adult,
    Confidence,
    Kind,
    Link,
    Location,
    Meeting,
    Rag,
    Relation,
    YoungPerson,
)
from saferyp_desktop.reports.common import (
    DIAGRAM_LEGEND_BAND,
    DIAGRAM_TITLE_BAND,
    GRID,
    HEADER_FILL,
    HEADING,
    INK,
    LABEL_UNITS,
    LANDSCAPE,
    LANDSCAPE_MARGINS,
    LEVEL_EXPLANATIONS,
    MUTED,
    OVERVIEW_MIN_LABEL,
    RULE,
    STATUS_ORDER,
    STRIPE,
    TICK_BOX,
    TILE_MIN_SCALE,
    BriefingData,
    DiagramPage,
    DiagramPainter,
    DocumentWriter,
    Fonts,
    Namer,
    NumberedCanvas,
    OutlineMark,
    PageChrome,
    Tile,
    choose_fonts,
    code_key,
    draw_shape,
    long_date,
    plan_tiles,
    render_document,
    short_document_id,
    texts_of,
)

__all__ = [
    "BLANK_ACTION_ROWS",
    "SCHOOL_COLOURS",
    "PackData",
    "PackMatch",
    "PackSchool",
    "build_pack",
    "suggested_pack_name",
]

BLANK_ACTION_ROWS = 10
SIGN_IN_ROWS = 20
MIN_BLANK_SIGN_IN = 8
SIGN_IN_ROW_HEIGHT = 10.5 * mm  # room for a handwritten signature
SCHOOL_TABLE_SIZE = 8.0  # the schools' record tables in the pack: smaller than a briefing's
SCHOOL_TABLE_PADDING = (1.5, 2.0)
SECTION_ROOM = 55 * mm  # a school's section starts on the page before if this much is left
LONE_TILE_NODES = 6  # a diagram part holding no more than this, none linked, is not printed
PACK_TITLE = "Briefing pack"
# Okabe–Ito: told apart by most people with a colour vision deficiency; then darker shades.
SCHOOL_COLOURS: tuple[tuple[str, Color], ...] = tuple(
    (name, HexColor(hex_)) for name, hex_ in SCHOOL_HEX
)
SAME_COLOUR = HexColor(SAME_HEX)
RING_SCALE = 1.5  # a school's ring: the node's shape drawn this much larger beneath it
KIND_WORDS = {
    Kind.LOCATION: "Place",
    Kind.ADULT: "Adult",
    Kind.PEER_GROUP: "Peer group",
    Kind.YOUNG_PERSON: "Young person",
}


# -- the data ------------------------------------------------------------------------------
@dataclass
class PackSchool:
    """One school's current submission for the meeting, as the pack prints it."""

    urn: str
    name: str
    received: datetime
    level_sent: DataLevel
    fingerprint: str
    demo: bool
    table: MappingTable
    meeting: Meeting  # the school's own meeting record for the date
    meeting_planned: bool
    profile: Profile
    findings: list[Finding]
    phase: str = ""
    community_area: str = ""
    dsl: str = ""
    deputy: str = ""
    wisc_confirmed: str = ""
    # Where the school draws its diagram's nodes (from its bundle); empty: laid out here.
    diagram_positions: dict[str, Point] = field(default_factory=dict)


@dataclass(frozen=True)
class PackMatch:
    """A candidate match (confirmed, or still to decide): its records (URN, record id),
    why they may be the same, the chair's note and the program's score (0 to 1)."""

    kind: Kind
    members: list[tuple[str, str]]
    reasons: list[str]
    note: str = ""
    score: float = 0.0


@dataclass
class PackData:
    """Everything one briefing pack prints. ``combined`` holds every school's records as
    sent, ``school_of`` the URN of each, ``joined`` the records confirmed as the same."""

    meeting: Meeting  # the chair's meeting record (or a draft of it)
    profile: Profile
    level: DataLevel
    document_id: str
    created: datetime
    chair: str
    organisation: str
    fingerprint: str  # the chair's signing key
    schools: list[PackSchool]
    matches: list[PackMatch]  # confirmed by the chair
    dismissed: int
    undecided: list[PackMatch]  # to decide at the meeting, best first
    places: list[AreaPlace]
    combined: MappingTable
    school_of: dict[str, str]
    joined: list[set[str]]
    actions: list[Action]  # agreed at the meeting so far
    blank_rows: int = BLANK_ACTION_ROWS
    sign_in_rows: int = SIGN_IN_ROWS

    @property
    def demo(self) -> bool:
        return any(s.demo for s in self.schools)


# Reasons for a match that compare people's names or aliases (``domain.matching``'s words).
_NAME_REASONS = (
    "same name",
    "similar name",
    "same or similar surname",
    "different surnames",
    "different first names",
    "different names",
    "same first name",
    "similar description",
    "same short alias",
    "same alias",
    "alias ",
)
_NOT_NAMES = {"surname", "not", "known", "as", "the", "and", "of", "unknown", "name"}
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _reason_kind(reason: str) -> str:
    """What kind of reason it is, without its details: ``"same vehicle registration"``
    for ``"same vehicle registration ZZ19KFR"``, ``"similar alias or name"`` for
    ``"alias Shanny ≈ name Shanon"``. Its words up to the first that is not a plain
    lower-case word (a name, a number, a bracket)."""
    words = []
    for word in reason.split():
        if not (word.isalpha() and word.islower()):
            break
        words.append(word)
    kind = " ".join(words)
    if kind in ("alias", "alias matches a name") or kind.startswith("alias "):
        return "similar alias or name"
    return kind.removesuffix(" ending") or "a reason"


def _level_sentence(level: DataLevel) -> str:
    """``"Initials. Young people and adults appear by their initials; …"``"""
    title, rest = LEVEL_EXPLANATIONS[level].split(": ", 1)
    return f"{title}. {rest[:1].upper()}{rest[1:]}"


def suggested_pack_name(meeting_date: date) -> str:
    """``pack-2026-12-16.pdf``: the meeting's date and nothing personal."""
    return f"pack-{meeting_date.isoformat()}.pdf"


def school_colour(index: int) -> tuple[str, Color]:
    return SCHOOL_COLOURS[index % len(SCHOOL_COLOURS)]


# -- page furniture --------------------------------------------------------------------------
@dataclass
class _PackChrome(PageChrome):
    """The briefing's header and footer; the header names the school a page is about."""

    title: str = PACK_TITLE

    def draw(self, canv: Canvas, page: int, total: int, section: str) -> None:
        self.school = getattr(canv, "syp_school", None) or self.title
        super().draw(canv, page, total, section)
        _fill_slots(canv)


@dataclass(frozen=True)
class _Slot:
    """Where the contents prints the page an outline entry is on: drawn once every page
    is laid out (by the chrome), in the page's own coordinates."""

    key: str
    x: float
    y: float
    centred: bool
    font: str
    size: float
    rect: tuple[float, float, float, float]  # clicked, it goes to that page


def _fill_slots(canv: Canvas) -> None:
    pages: dict[str, int] = getattr(canv, "syp_pages", {})
    slots: list[_Slot] = getattr(canv, "syp_slots", [])
    if not slots:
        return
    canv.saveState()
    canv.setFillColor(INK)
    for slot in slots:
        number = pages.get(slot.key)
        if number is None:
            continue
        canv.setFont(slot.font, slot.size)
        if slot.centred:
            canv.drawCentredString(slot.x, slot.y, str(number))
        else:
            canv.drawRightString(slot.x, slot.y, str(number))
        # Named here: the canvas's own count of annotations goes back with each kept page.
        name = f"SYPContents.{slot.key}.{slot.x:.0f}.{slot.y:.0f}"
        canv.linkAbsolute("", slot.key, slot.rect, name=name, Border="[0 0 0]")
    canv.restoreState()


class _PackCanvas(NumberedCanvas):
    """The briefing's canvas, which also knows, when it comes to draw the furniture, the
    page each outline entry landed on (for the contents' page numbers)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.syp_slots: list[_Slot] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        super().showPage()
        self.syp_slots = []

    def save(self) -> None:
        pages: dict[str, int] = {}
        for number, state in enumerate(self._kept_pages, start=1):
            for key, _title, _level in state["syp_marks"]:
                pages.setdefault(key, number)
        self.syp_pages = pages  # not in the kept pages' states: it survives their restoring
        super().save()


def _slot(
    canv: Canvas,
    key: str,
    x: float,
    y: float,
    *,
    centred: bool,
    font: str,
    size: float,
    rect: tuple[float, float, float, float],
) -> None:
    """Note a page number to draw at (x, y) of the flowable being drawn."""
    ax, ay = canv.absolutePosition(x, y)
    x0, y0 = canv.absolutePosition(rect[0], rect[1])
    x1, y1 = canv.absolutePosition(rect[2], rect[3])
    if hasattr(canv, "syp_slots"):
        canv.syp_slots.append(_Slot(key, ax, ay, centred, font, size, (x0, y0, x1, y1)))


def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut short with an ellipsis to fit ``width``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _ContentsList(Flowable):
    """Lines of the contents: a part's title, a dotted leader and the page it starts on.
    ``entries`` (title, outline key, level) may be filled in after the story is made."""

    ROW = 16.0

    def __init__(self, fonts: Fonts, entries: list[tuple[str, str, int]] | None = None) -> None:
        super().__init__()
        self.fonts = fonts
        self.entries = entries if entries is not None else []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = available_width, self.ROW * len(self.entries)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        count = int(available_height // self.ROW)
        if count <= 0:
            return []
        if count >= len(self.entries):
            return [self]
        return [
            _ContentsList(self.fonts, self.entries[:count]),
            _ContentsList(self.fonts, self.entries[count:]),
        ]

    def draw(self) -> None:
        canv, fonts = self.canv, self.fonts
        canv.saveState()
        y = self.height
        for title, key, level in self.entries:
            y -= self.ROW
            base = y + 4.5
            font = fonts.bold if level == 0 else fonts.regular
            size = 10.5 if level == 0 else 9.5
            x = 16.0 * level
            text = _fit(fonts.safe(title), self.width - x - 60, font, size)
            canv.setFont(font, size)
            canv.setFillColor(HEADING if level == 0 else INK)
            canv.drawString(x, base, text)
            _leader(canv, x + pdfmetrics.stringWidth(text, font, size) + 6, self.width - 24, base)
            rect = (x, y, self.width, y + self.ROW)
            _slot(canv, key, self.width, base, centred=False, font=font, size=size, rect=rect)
        canv.restoreState()


def _leader(canv: Canvas, start: float, end: float, base: float) -> None:
    """A dotted line from a title to its page number (drawn, so it is not in the text)."""
    if end <= start:
        return
    canv.saveState()
    canv.setStrokeColor(MUTED)
    canv.setLineWidth(0.9)
    canv.setLineCap(1)
    canv.setDash([0, 3.5], 0)
    canv.line(start, base + 1, end, base + 1)
    canv.restoreState()


# A school's part in the contents: the page it starts on, then its sections' pages.
# (column title, the briefing's section title; None: the school's first page)
CONTENTS_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Starts", None),
    ("Diagram", "Spider diagram"),
    ("Young people", "Young people"),
    ("Adults", "Adults of concern"),
    ("Peer groups", "Peer groups"),
    ("Places", "Locations and contexts"),
    ("Strengths", "Strengths"),
    ("Links", "Links"),
    ("Actions", "Proposed actions"),
    ("Annex", "Annex: data quality"),
)


class _ContentsGrid(Flowable):
    """The schools in the contents, one a row: the page each school's part starts on and
    the page of each of its sections. The header row is repeated on every page."""

    ROW_LINE = 10.5
    PAD = 4.0
    HEAD = 26.0
    COLUMN = 11.6 * mm

    def __init__(self, fonts: Fonts, rows: list[tuple[str, list[str]]]) -> None:
        super().__init__()
        self.fonts = fonts
        self.rows = rows  # (school, outline key per column)
        self.lines: list[list[str]] = []

    def _name_width(self, width: float) -> float:
        return width - self.COLUMN * len(CONTENTS_COLUMNS)

    def _name_lines(self, name: str, width: float) -> list[str]:
        font, size = self.fonts.bold, 9.0
        words, lines, line = self.fonts.safe(name).split(), [], ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and pdfmetrics.stringWidth(candidate, font, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
        if len(lines) > 2:
            lines = [lines[0], _fit(" ".join(lines[1:]), width, font, size)]
        return [_fit(x, width, font, size) for x in lines]

    def _height(self, lines: list[str]) -> float:
        return len(lines) * self.ROW_LINE + 2 * self.PAD

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        name_width = self._name_width(available_width) - 8
        self.lines = [self._name_lines(name, name_width) for name, _ in self.rows]
        self.height = self.HEAD + sum(self._height(x) for x in self.lines)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        room, count = available_height - self.HEAD, 0
        for lines in self.lines:
            room -= self._height(lines)
            if room < 0:
                break
            count += 1
        if count == 0:
            return []
        if count >= len(self.rows):
            return [self]
        return [
            _ContentsGrid(self.fonts, self.rows[:count]),
            _ContentsGrid(self.fonts, self.rows[count:]),
        ]

    def draw(self) -> None:
        canv, fonts = self.canv, self.fonts
        name_width = self._name_width(self.width)
        canv.saveState()
        top = self.height
        canv.setFillColor(HEADER_FILL)
        canv.rect(0, top - self.HEAD, self.width, self.HEAD, stroke=0, fill=1)
        canv.setFillColor(HEADING)
        canv.setFont(fonts.bold, 8.5)
        canv.drawString(4, top - 16, "School")
        canv.setFont(fonts.bold, 6.8)
        for i, (title, _) in enumerate(CONTENTS_COLUMNS):
            middle = name_width + (i + 0.5) * self.COLUMN
            words = title.split(" ")
            if len(words) == 1:
                canv.drawCentredString(middle, top - 16, title)
            else:
                canv.drawCentredString(middle, top - 11, words[0])
                canv.drawCentredString(middle, top - 20, " ".join(words[1:]))
        y = top - self.HEAD
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        canv.line(0, y, self.width, y)
        canv.setLineWidth(0.3)
        for n, ((_name, keys), lines) in enumerate(zip(self.rows, self.lines, strict=True)):
            height = self._height(lines)
            if n % 2:
                canv.setFillColor(STRIPE)
                canv.rect(0, y - height, self.width, height, stroke=0, fill=1)
            base = y - self.PAD - 8.5
            canv.setFillColor(INK)
            canv.setFont(fonts.bold, 9)
            for line in lines:
                canv.drawString(4, base, line)
                base -= self.ROW_LINE
            first = y - self.PAD - 8.5
            for i, key in enumerate(keys):
                middle = name_width + (i + 0.5) * self.COLUMN
                font = fonts.bold if i == 0 else fonts.regular
                half = self.COLUMN / 2
                rect = (middle - half, y - height, middle + half, y)
                _slot(canv, key, middle, first, centred=True, font=font, size=9, rect=rect)
            y -= height
            canv.setStrokeColor(GRID)
            canv.line(0, y, self.width, y)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.rect(0, y, self.width, top - y, stroke=1, fill=0)
        canv.restoreState()


class _PackMark(OutlineMark):
    """An outline entry that also sets the school the running header names (None: the pack)."""

    def __init__(
        self,
        key: str,
        title: str,
        *,
        school: str | None,
        level: int = 0,
        section: str | None = None,
    ) -> None:
        super().__init__(key, title, level=level, section=section)
        self.school = school

    def draw(self) -> None:
        super().draw()
        self.canv.syp_school = self.school  # type: ignore[attr-defined]


class _SchoolWriter(DocumentWriter):
    """One school's part of the pack: the school's briefing drawn again at the pack's
    level, after a short header in place of the briefing's cover (whose chair and
    phone-check instructions are the school's own), its record tables set smaller and
    its sections running on. Its outline entries go one level down, under the school's
    own, with keys of their own; ``keys`` holds each section's key, for the contents."""

    section_size = SCHOOL_TABLE_SIZE
    section_padding = SCHOOL_TABLE_PADDING

    def __init__(self, school: PackSchool, pack: PackData, fonts: Fonts, number: int) -> None:
        super().__init__(_school_briefing(school, pack), fonts)
        self.school = school
        self.number = number
        self.prefix = f"k{number}-"
        self.keys: dict[str, str] = {}

    def mark(self, title: str, *, level: int = 0, section: str | None = None) -> OutlineMark:
        self._marks += 1
        if section is None and level == 0:
            section = title
        key = f"{self.prefix}{self._marks}"
        if level == 0:
            self.keys.setdefault(title, key)
        return OutlineMark(key, title, level=level + 1, section=section)

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [*self.header(), *self.summary(), *self.key_concerns()]
        story += [NextPageTemplate("landscape"), PageBreak(), *self.diagram()]
        for section in self.record_sections():
            story += [CondPageBreak(SECTION_ROOM), *section()]
        story += [NextPageTemplate("portrait"), PageBreak(), *self.annex()]
        return story

    def header(self) -> list[Flowable]:
        """Who the school is and what it sent: for reference, not to check (the chair
        checked the key's fingerprint when opening the school's first bundle)."""
        school, s = self.school, self.styles
        width = self.portrait_width
        sent = LEVEL_TITLES[school.level_sent]
        if school.level_sent != self.level:
            sent += f" (printed here at {LEVEL_TITLES[self.level].lower()})"
        pairs = [
            ("URN", school.urn),
            ("Phase", school.phase),
            ("Community area", school.community_area),
            (
                school.profile.charter.short_name,
                f"membership confirmed {school.wisc_confirmed}" if school.wisc_confirmed else "",
            ),
            ("DSL", school.dsl),
            ("Deputy DSL", school.deputy),
            ("Submitted", school.received.strftime("%Y-%m-%d %H:%M")),
            ("Data level sent", sent),
        ]
        pairs = [(k, v) for k, v in pairs if v]
        f = self.fonts
        inner = width - 18  # inside the panel's padding
        key_w, value_w = 29 * mm, inner / 2 - 29 * mm
        cells = [
            [self.wrap(k, key_w - 8, f.bold, 9), self.wrap(v, value_w - 8, f.regular, 9)]
            for k, v in pairs
        ]
        rows = [
            [*cells[i], *(cells[i + 1] if i + 1 < len(cells) else ["", ""])]
            for i in range(0, len(cells), 2)
        ]
        table = Table(rows, colWidths=[key_w, value_w, key_w, value_w], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), f.regular),
                    ("FONTNAME", (0, 0), (0, -1), f.bold),
                    ("FONTNAME", (2, 0), (2, -1), f.bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("LEADING", (0, 0), (-1, -1), 11),
                    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                    ("TEXTCOLOR", (0, 0), (0, -1), HEADING),
                    ("TEXTCOLOR", (2, 0), (2, -1), HEADING),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.3, GRID),
                ]
            )
        )
        fingerprint = school.fingerprint or "(no signing key)"
        flow: list[Flowable] = [
            self.para(f"{self.number}. {school.name}", s.title),
            table,
            self.para(
                f"Signing key fingerprint {fingerprint}, for reference: checked by the chair "
                "when the school's first bundle was opened.",
                s.note,
            ),
        ]
        if not school.meeting_planned:
            flow.append(
                self.para("The school's submission holds no meeting record for this date.", s.note)
            )
        return [self.panel(flow, width), Spacer(1, 4)]


# -- the combined diagram ----------------------------------------------------------------------
_JOINED_PREFIX = "joined:"


def _drawing_table(data: PackData) -> tuple[MappingTable, set[str]]:
    """The combined table with a link between records confirmed as the same, so the layout
    draws them side by side; the links' ids, to draw them as the bar that says so."""
    links = list(data.combined.links.values())
    joined_ids: set[str] = set()
    for group in data.joined:
        ordered = sorted(group)
        for a, b in itertools.pairwise(ordered):
            if a in data.combined.records and b in data.combined.records:
                link_id = f"{_JOINED_PREFIX}{a}:{b}"
                links.append(
                    Link(
                        id=link_id,
                        a_id=a,
                        b_id=b,
                        relation=Relation.RELATED_TO.value,
                        confidence=Confidence.CONFIRMED.value,
                    )
                )
                joined_ids.add(link_id)
    return MappingTable.of(data.combined.records.values(), links), joined_ids


class _CombinedPainter(DiagramPainter):
    """The briefing's diagram drawing, each node ringed in its school's colour and the
    records confirmed as the same joined by a dark bar beneath."""

    def __init__(
        self,
        diagram: DiagramLayout,
        namer: Namer,
        fonts: Fonts,
        colours: dict[str, Color],
        joined: set[str],
    ) -> None:
        super().__init__(diagram, namer, fonts)
        self.colours = colours
        self.joined = joined

    def draw(
        self,
        canv: Canvas,
        view: tuple[float, float, float, float],
        origin: tuple[float, float],
        scale: float,
        *,
        labels: bool,
    ) -> None:
        left, top, right, bottom = view
        ox, oy = origin

        def page(x: float, y: float) -> tuple[float, float]:
            return (ox + (x - left) * scale, oy - (y - top) * scale)

        nodes = self.diagram.nodes
        canv.saveState()
        canv.setStrokeColor(SAME_COLOUR)
        canv.setLineWidth(max(9 * scale, 1.2))
        canv.setLineCap(1)
        for edge in self.diagram.edges:
            if edge.id in self.joined:
                a, b = nodes[edge.a_id], nodes[edge.b_id]
                canv.line(*page(a.x, a.y), *page(b.x, b.y))
        margin = 40.0
        for node in self.nodes_in((left - margin, top - margin, right + margin, bottom + margin)):
            colour = self.colours.get(node.id)
            if colour is not None:
                x, y = page(node.x, node.y)
                draw_shape(canv, node.node_type, x, y, scale * RING_SCALE, colour, 0.1)
        canv.restoreState()
        super().draw(canv, view, origin, scale, labels=labels)


_LEGEND_SIZE = 7.5
_LEGEND_LEADING = 12.0
_SAME_WORDS = "the same record in two schools, confirmed by the chair"


def _legend_rows(
    fonts: Fonts, schools: Sequence[tuple[str, Color]], width: float
) -> list[list[tuple[str, Color | None]]]:
    """The schools' colours (and the bar for records confirmed as the same), in rows."""
    items: list[tuple[str, Color | None]] = [(fonts.safe(n), c) for n, c in schools]
    items.append((_SAME_WORDS, None))
    rows: list[list[tuple[str, Color | None]]] = [[]]
    used = 0.0
    for text, colour in items:
        need = pdfmetrics.stringWidth(text, fonts.regular, _LEGEND_SIZE) + 30
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0.0
        rows[-1].append((text, colour))
        used += need
    return rows


def _legend_band(fonts: Fonts, schools: Sequence[tuple[str, Color]], width: float) -> float:
    return _LEGEND_LEADING * len(_legend_rows(fonts, schools, width)) + 4


def _note_lines(fonts: Fonts, text: str, width: float) -> list[str]:
    """``text`` in lines of the legend's size no wider than ``width``."""
    lines: list[str] = []
    line = ""
    for word in fonts.safe(text).split():
        candidate = f"{line} {word}" if line else word
        if line and pdfmetrics.stringWidth(candidate, fonts.regular, _LEGEND_SIZE) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


class _CombinedPage(DiagramPage):
    """The briefing's diagram page with a band above it: which colour is which school
    (and on the overview, the records drawn on no part, if any)."""

    def __init__(
        self,
        *args: object,
        schools: Sequence[tuple[str, Color]],
        note: str = "",
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.schools = list(schools)
        self.note = note
        self.note_lines: list[str] = []
        self.band = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width, height = super().wrap(available_width, available_height)
        self.note_lines = _note_lines(self.painter.fonts, self.note, width) if self.note else []
        self.band = _legend_band(self.painter.fonts, self.schools, width)
        self.band += _LEGEND_LEADING * len(self.note_lines)
        self.height = height - self.band  # the diagram page below the band
        return width, height

    def draw(self) -> None:
        super().draw()
        canv = self.canv
        fonts = self.painter.fonts
        canv.saveState()
        y = self.height + self.band - 9
        for row in _legend_rows(fonts, self.schools, self.width):
            x = 0.0
            for text, colour in row:
                if colour is not None:
                    canv.setFillColor(colour)
                    canv.setStrokeColor(colour)
                    canv.circle(x + 5, y + 2.5, 4.5, stroke=0, fill=1)
                else:
                    canv.setStrokeColor(SAME_COLOUR)
                    canv.setLineWidth(3)
                    canv.line(x, y + 2.5, x + 12, y + 2.5)
                canv.setFillColor(MUTED if colour is None else SAME_COLOUR)
                canv.setFont(fonts.regular, _LEGEND_SIZE)
                canv.drawString(x + 16, y, text)
                x += pdfmetrics.stringWidth(text, fonts.regular, _LEGEND_SIZE) + 30
            y -= _LEGEND_LEADING
        canv.setFillColor(INK)
        canv.setFont(fonts.regular, _LEGEND_SIZE)
        for line in self.note_lines:
            canv.drawString(0, y, line)
            y -= _LEGEND_LEADING
        canv.restoreState()


# -- the pack ----------------------------------------------------------------------------------
def _school_briefing(school: PackSchool, data: PackData) -> BriefingData:
    return BriefingData(
        table=school.table,
        school_name=school.name,
        urn=school.urn,
        meeting=school.meeting,
        profile=school.profile,
        level=data.level,
        fingerprint=school.fingerprint,
        findings=school.findings,
        document_id=data.document_id,
        dsl=school.dsl,
        deputy=school.deputy,
        phase=school.phase,
        community_area=school.community_area,
        wisc_confirmed=school.wisc_confirmed,
        harm_types_seen=None,
        demo=school.demo,
        created=data.created,
        meeting_planned=school.meeting_planned,
        pinned=school.diagram_positions,
    )


def _pack_briefing(data: PackData) -> BriefingData:
    """The pack's own parts are written with the briefing's writer over every school's
    records at once (names reduced with all of them in view)."""
    return BriefingData(
        table=data.combined,
        school_name=PACK_TITLE,
        urn="",
        meeting=data.meeting,
        profile=data.profile,
        level=data.level,
        fingerprint=data.fingerprint,
        findings=[],
        document_id=data.document_id,
        demo=data.demo,
        created=data.created,
    )


def _extra_texts(data: PackData) -> Iterator[str]:
    yield from (data.chair, data.organisation, data.meeting.venue, data.meeting.chair)
    for person in (*data.meeting.attendees, *data.meeting.apologies):
        yield from (person.name, person.role, person.organisation)
    for match in (*data.matches, *data.undecided):
        # The program's own words: "≈" is spelt "~" with the standard fonts, so it alone
        # does not call for a Unicode font (wider: more pages).
        yield from (reason.replace("≈", "~") for reason in match.reasons)
        yield match.note
    for action in data.actions:
        yield from (action.detail, action.rationale, action.sub_choice)


class _PackWriter(DocumentWriter):
    """The pack's own pages: cover and agenda, sign-in, across schools, action plan."""

    def __init__(self, data: PackData, fonts: Fonts) -> None:
        super().__init__(_pack_briefing(data), fonts)
        self.pack = data
        self.schools = {s.urn: s for s in data.schools}
        self.colour_of = {s.urn: school_colour(i) for i, s in enumerate(data.schools)}

    def mark(self, title: str, *, level: int = 0, section: str | None = None) -> OutlineMark:
        self._marks += 1
        if section is None and level == 0:
            section = title
        return _PackMark(f"p{self._marks}", title, school=None, level=level, section=section)

    # -- helpers -----------------------------------------------------------------------------
    def school_name(self, urn: str) -> str:
        school = self.schools.get(urn)
        return school.name if school else urn

    def record_text(self, record_id: str, *, with_school: bool = True) -> str:
        record = self.table.get(record_id)
        if record is None:
            return "(a record no submission holds)"
        text = self.namer.with_code(record)
        if with_school:
            text = f"{self.school_name(self.pack.school_of.get(record_id, ''))}: {text}"
        return text

    def records_by_school(self, record_ids: Sequence[str]) -> str:
        grouped: dict[str, list[str]] = {}
        for record_id in dict.fromkeys(record_ids):
            grouped.setdefault(self.pack.school_of.get(record_id, ""), []).append(record_id)
        lines = []
        for urn, ids in grouped.items():
            known = sorted(
                (i for i in ids if self.table.get(i) is not None),
                key=lambda i: code_key(self.table.records[i].code),
            )
            texts = [self.record_text(i, with_school=False) for i in known]
            lines.append(f"{self.school_name(urn)}: {', '.join(texts)}")
        return "\n".join(lines)

    def scaled(self, fractions: Sequence[float]) -> list[float]:
        """Column widths across a landscape page, in proportion to ``fractions``."""
        total = sum(fractions)
        return [self.landscape_width * f / total for f in fractions]

    def reason(self, text: str) -> str:
        """A match's reason at the pack's level: at codes, only what kind of reason it is
        (no names, plates, numbers or postcodes); at initials, scrubbed of names, and in
        the reasons that compare people's names, any word of a person's name or alias
        left (a first name alone, "Darren") cut to its initial."""
        if self.level == DataLevel.CODES:
            return _reason_kind(text)
        text = self.namer.free(text)
        if self.level == DataLevel.INITIALS and text.startswith(_NAME_REASONS):
            text = _WORD.sub(self._initial_of_name_word, text)
        return text

    def _initial_of_name_word(self, found: re.Match[str]) -> str:
        word = found.group(0)
        if len(word) <= 3 and word.isupper():  # initials already
            return word
        return f"{word[0].upper()}." if word.casefold() in self.name_words else word

    @cached_property
    def name_words(self) -> set[str]:
        """Every word of a young person's or adult's name, alias or handle (any school)."""
        words: set[str] = set()
        for record in self.table.records.values():
            if isinstance(record, YoungPerson):
                phrases = [record.name]
            elif isinstance(record, Adult):
                phrases = [record.name, *record.aliases, *record.handles]
            else:
                continue
            for phrase in phrases:
                words.update(w.casefold() for w in _WORD.findall(phrase) if len(w) >= 2)
        return words - _NOT_NAMES

    # -- the story -------------------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        before, grid, after = (
            _ContentsList(self.fonts),
            _ContentsGrid(self.fonts, []),
            _ContentsList(self.fonts),
        )
        story: list[Flowable] = [*self.cover(), PageBreak()]
        story += [*self.contents(before, grid, after), PageBreak(), *self.sign_in()]
        story += [PageBreak(), *self.across_schools()]
        story += [NextPageTemplate("landscape"), PageBreak(), *self.combined_diagram()]
        for n, school in enumerate(self.pack.schools, start=1):
            writer = _SchoolWriter(school, self.pack, self.fonts, n)
            key = f"school{n}"
            story += [
                NextPageTemplate("portrait"),
                PageBreak(),
                _PackMark(key, school.name, school=school.name, section=""),
                *writer.story(),
            ]
            keys = [key, *(writer.keys.get(title or "", key) for _, title in CONTENTS_COLUMNS[1:])]
            grid.rows.append((f"{n}. {school.name}", keys))
        story += [NextPageTemplate("landscape"), PageBreak(), *self.action_plan()]
        # The contents: the pack's own parts, in order, before and after the schools.
        entries = before.entries
        for item in story:
            if isinstance(item, _PackMark) and item.key.startswith("school"):
                entries = after.entries
            elif isinstance(item, _PackMark) and item.level <= 1 and item.title != "Contents":
                entries.append((item.title, item.key, item.level))
        return story

    # -- contents --------------------------------------------------------------------------------
    def contents(
        self, before: _ContentsList, grid: _ContentsGrid, after: _ContentsList
    ) -> list[Flowable]:
        s = self.styles
        return [
            self.mark("Contents"),
            self.para("Contents", s.h1),
            before,
            Spacer(1, 6),
            self.para("School by school", s.h2),
            self.para(
                "Each school's part starts with a short header and its summary; the page of "
                "each section follows.",
                s.note,
            ),
            Spacer(1, 4),
            grid,
            Spacer(1, 8),
            after,
        ]

    # -- cover and agenda ------------------------------------------------------------------------
    def cover(self) -> list[Flowable]:
        data, s = self.pack, self.styles
        meeting = data.meeting
        width = self.portrait_width
        flow: list[Flowable] = [self.mark("Cover and agenda")]
        flow.append(self.para("Safer Young People Community Meeting", s.title))
        flow.append(
            self.para(f"Briefing pack for the meeting on {long_date(meeting.date)}", s.subtitle)
        )
        demos = [x.name for x in data.schools if x.demo]
        if demos:
            flow.append(
                self.panel(
                    [
                        self.para(
                            "DEMO — fictional data. These schools' submissions are the program's "
                            "demo data, every person, place and event in them invented: "
                            + ", ".join(demos)
                            + "."
                        )
                    ],
                    width,
                    fill=HexColor("#fdf3e7"),
                )
            )
        flow.append(Spacer(1, 8))
        chair = meeting.chair or (
            f"{data.chair} ({data.organisation})" if data.organisation else data.chair
        )
        pairs = [
            ("Meeting", f"{long_date(meeting.date)} ({meeting.date.isoformat()})"),
            ("Venue", meeting.venue),
            ("Chair", chair),
            ("Data level", LEVEL_TITLES[self.level]),
            ("Document", data.document_id),
        ]
        flow.append(self.key_values([(k, v) for k, v in pairs if v], (34 * mm, width - 34 * mm)))

        flow.append(self.para("Schools in this pack", s.h2))
        rows = [
            [
                x.name,
                x.urn,
                x.received.strftime("%Y-%m-%d"),
                LEVEL_TITLES[x.level_sent],
                x.fingerprint,
            ]
            for x in data.schools
        ]
        flow.append(
            self.grid_table(
                ["School", "URN", "Received", "Sent at", "Signing key fingerprint"],
                rows,
                [width * 0.32, width * 0.1, width * 0.14, width * 0.13, width * 0.31],
            )
        )
        if meeting.apologies:
            flow.append(self.para("Apologies", s.h2))
            flow.append(self._people(meeting.apologies, width))

        charter = data.profile.charter
        undecided = len(data.undecided)
        agenda = [
            "Welcome, introductions and apologies: everyone signs in (the sign-in sheet).",
            f"Information sharing: every attendee works under the {charter.short_name}.",
            "Across schools: the places, adults and groups several schools name"
            + (f" ({undecided} to decide)" if undecided else "")
            + ", the area's places and the combined spider diagram.",
            "School by school: "
            + "; ".join(f"{n}. {x.name}" for n, x in enumerate(data.schools, start=1))
            + ".",
            "Agreeing actions: who does what, by when (the action plan at the end).",
            "Any other business, and the date of the next meeting.",
        ]
        flow.append(
            KeepTogether(
                [self.para("Agenda", s.h2)]
                + [self.para(f"{n}.  {item}") for n, item in enumerate(agenda, start=1)]
            )
        )
        flow.append(
            KeepTogether([self.para("Information sharing", s.h2), self.para(charter.statement)])
        )
        flow.append(
            KeepTogether(
                [
                    self.para("Data level", s.h2),
                    self.para(
                        _level_sentence(self.level)
                        + " Each school's briefing in this pack is drawn again from the "
                        "mapping table it sent, at this level."
                    ),
                ]
            )
        )
        flow += [
            Spacer(1, 8),
            self.para(
                f"Prepared {data.created:%Y-%m-%d %H:%M} by {data.chair} (signing key "
                f"{data.fingerprint}). {data.profile.marking}: keep this pack secure, share it "
                "only with the meeting's attendees, and destroy it securely after use.",
                s.note,
            ),
        ]
        return flow

    def _people(self, people: Sequence, width: float) -> Flowable:
        rows = [[p.name, p.role, self.namer.agency(p.organisation)] for p in people]
        return self.grid_table(
            ["Name", "Role", "Organisation"],
            rows,
            [width * 0.3, width * 0.36, width * 0.34],
            bold_columns=(),
        )

    # -- sign-in --------------------------------------------------------------------------------
    def sign_in(self) -> list[Flowable]:
        """Those expected (from the meeting record) first, each to sign, then blank rows."""
        s = self.styles
        width = self.portrait_width
        expected = [
            [p.name, self.namer.agency(p.organisation), p.role] for p in self.pack.meeting.attendees
        ]
        blank = max(self.pack.sign_in_rows - len(expected), MIN_BLANK_SIGN_IN)
        rows = [
            [str(n), *cells, ""]
            for n, cells in enumerate([*expected, *(["", "", ""] for _ in range(blank))], 1)
        ]
        return [
            self.mark("Sign-in sheet"),
            self.para("Sign-in sheet", s.h1),
            self.para(
                f"Meeting on {long_date(self.pack.meeting.date)}. By signing, each attendee "
                f"confirms they attend under the {self.pack.profile.charter.short_name} and "
                "will keep what is shared confidential. Those expected are printed; anyone "
                "else signs in a blank row.",
                s.small,
            ),
            Spacer(1, 6),
            self.grid_table(
                ["", "Name", "Organisation", "Role", "Signature"],
                rows,
                [8 * mm, *(x * (width - 8 * mm) for x in (0.25, 0.25, 0.22, 0.28))],
                bold_columns=(),
                min_height=SIGN_IN_ROW_HEIGHT,
            ),
        ]

    # -- across schools ---------------------------------------------------------------------------
    def across_schools(self) -> list[Flowable]:
        data, s = self.pack, self.styles
        width = self.portrait_width
        flow: list[Flowable] = [self.mark("Across schools"), self.para("Across schools", s.h1)]
        flow.append(
            self.para(
                "What the schools' submissions show together. Candidate matches are proposed "
                "by the program and confirmed or dismissed by the chair; nothing is merged: "
                "each school's records stay as the school sent them."
            )
        )
        flow.append(self.para("Schools", s.h2))
        rows = []
        for school in data.schools:
            counts = school.table.counts()
            proposed = sum(
                1
                for a in school.table.of_kind(Kind.ACTION)
                if isinstance(a, Action) and a.origin == ActionOrigin.SCHOOL.value
            )
            rows.append(
                [
                    f"{school.name}\n({self.colour_of[school.urn][0]})",
                    *(
                        str(counts[k])
                        for k in (
                            Kind.YOUNG_PERSON,
                            Kind.ADULT,
                            Kind.PEER_GROUP,
                            Kind.LOCATION,
                            Kind.STRENGTH,
                            Kind.KEY_CONCERN,
                        )
                    ),
                    str(proposed),
                    str(len(school.findings)),
                ]
            )
        header = [
            "School (colour)",
            "Young people",
            "Adults",
            "Peer groups",
            "Places",
            "Strengths",
            "Key concerns",
            "Proposed actions",
            "Findings",
        ]
        numbers = [16 * mm] * 8
        flow.append(
            self.grid_table(
                header,
                rows,
                [width - sum(numbers), *numbers],
                align={i: "CENTER" for i in range(1, len(header))},
                size=8,
            )
        )
        flow.append(
            self.para(
                "Colour: the school's colour in the combined spider diagram. Findings: of the "
                "four checks (relevant, evidenced, current, no name without a plan), as each "
                "school's briefing lists them.",
                s.note,
            )
        )
        flow += self.matches()
        flow += self.places()
        return flow

    def match_records(self, match: PackMatch) -> str:
        return "\n".join(self.record_text(record_id) for _, record_id in match.members)

    def match_reasons(self, match: PackMatch) -> str:
        return "; ".join(r for r in (self.reason(x) for x in match.reasons) if r)

    def matches(self) -> list[Flowable]:
        return [*self.to_decide(), *self.confirmed()]

    def to_decide(self) -> list[Flowable]:
        """The candidates the chair has not decided: on paper, to decide at the meeting."""
        data, s = self.pack, self.styles
        width = self.portrait_width
        flow: list[Flowable] = [
            CondPageBreak(50 * mm),
            self.mark("To decide at the meeting", level=1, section="Across schools"),
            self.para(f"To decide at the meeting ({len(data.undecided)})", s.h2),
        ]
        if not data.undecided:
            flow.append(self.para("Every candidate match has been decided.", s.note))
            return flow
        flow.append(
            self.para(
                "Records of different schools the program found may be the same place, adult, "
                "group or young person, best first, not yet confirmed or dismissed. Tick one box "
                "for each at the meeting; the chair records the decisions in the program "
                "afterwards. Score: how strongly the reasons point to one and the same (0 to 1).",
                s.note,
            )
        )
        rows = [
            [
                str(n),
                KIND_WORDS.get(match.kind, match.kind.value),
                self.match_records(match),
                self.match_reasons(match),
                f"{match.score:.2f}",
                f"{TICK_BOX} same\n{TICK_BOX} not the same",
            ]
            for n, match in enumerate(data.undecided, start=1)
        ]
        fixed = [9 * mm, 17 * mm, 13 * mm, 26 * mm]
        rest = width - sum(fixed)
        flow.append(
            self.grid_table(
                ["No.", "Kind", "Records", "Why they may be the same", "Score", "Decision"],
                rows,
                [fixed[0], fixed[1], rest * 0.45, rest * 0.55, fixed[2], fixed[3]],
                bold_columns=(0,),
                align={4: "CENTER"},
                size=8.5,
                min_height=9 * mm,
            )
        )
        return flow

    def confirmed(self) -> list[Flowable]:
        data, s = self.pack, self.styles
        width = self.portrait_width
        flow: list[Flowable] = [
            CondPageBreak(40 * mm),
            self.mark("Matches confirmed by the chair", level=1, section="Across schools"),
            self.para(f"Matches confirmed by the chair ({len(data.matches)})", s.h2),
        ]
        tail = (
            f" {data.dismissed} other candidate{' was' if data.dismissed == 1 else 's were'} "
            "dismissed by the chair; they are not listed."
            if data.dismissed
            else ""
        )
        if not data.matches:
            flow.append(self.para("The chair has confirmed no matches yet." + tail, s.note))
            return flow
        rows = [
            [
                KIND_WORDS.get(match.kind, match.kind.value),
                self.match_records(match),
                self.match_reasons(match),
                self.namer.free(match.note),
            ]
            for match in data.matches
        ]
        flow.append(
            self.grid_table(
                ["Kind", "Records", "Why they may be the same", "Chair's note"],
                rows,
                [17 * mm, width * 0.38, width * 0.4 - 17 * mm, width * 0.22],
                size=8.5,
            )
        )
        flow.append(
            self.para(
                "Each record is named by its school, its code in that school's briefing and its "
                "name at this pack's data level." + tail,
                s.note,
            )
        )
        return flow

    def places(self) -> list[Flowable]:
        data, s = self.pack, self.styles
        width = self.portrait_width
        flow: list[Flowable] = [
            CondPageBreak(50 * mm),
            self.mark("Places in the area", level=1, section="Across schools"),
            self.para(f"Places in the area ({len(data.places)})", s.h2),
            self.para(
                "Every place the schools name, most schools first, then the worst rated; "
                "places the chair confirmed as the same are counted once, with the worst "
                "rating any school gave.",
                s.note,
            ),
        ]
        if not data.places:
            flow.append(self.para("No school names a place.", s.note))
            return flow
        rows, emphasis = [], []
        for i, place in enumerate(data.places):
            records = [self.table.get(record_id) for _, record_id in place.members]
            names = list(
                dict.fromkeys(self.namer.name(r) for r in records if isinstance(r, Location))
            )
            postcode = place.postcode
            if postcode and self.level == DataLevel.CODES:
                postcode = postcode.split(" ")[0]
            rows.append(
                [
                    " / ".join(names),
                    place.kind,
                    postcode,
                    str(place.schools),
                    ", ".join(self.school_name(u) for u in place.school_ids),
                    place.rating,
                ]
            )
            if place.rating == Rag.RED.value:
                emphasis.append((5, i))
        flow.append(
            self.grid_table(
                ["Place", "Kind", "Postcode", "Schools", "Named by", "Worst rating"],
                rows,
                [width * f for f in (0.3, 0.15, 0.1, 0.08, 0.27, 0.1)],
                emphasis=emphasis,
                align={3: "CENTER"},
                size=SCHOOL_TABLE_SIZE,
                padding=SCHOOL_TABLE_PADDING,
            )
        )
        return flow

    # -- the combined diagram -------------------------------------------------------------------------
    def combined_diagram(self) -> list[Flowable]:
        data = self.pack
        table, joined = _drawing_table(data)
        diagram = layout(table)
        flow: list[Flowable] = [
            self.mark("Combined spider diagram", level=1, section="Across schools")
        ]
        if not diagram.nodes:
            return [
                *flow,
                self.para("Combined spider diagram", self.styles.h1),
                self.para("There are no records to draw.", self.styles.note),
            ]
        colours = {
            record_id: self.colour_of[urn][1]
            for record_id, urn in data.school_of.items()
            if urn in self.colour_of
        }
        painter = _CombinedPainter(diagram, self.namer, self.fonts, colours, joined)
        legend = [(self.school_name(s.urn), self.colour_of[s.urn][1]) for s in data.schools]
        frame_w = self.landscape_width
        frame_h = LANDSCAPE[1] - LANDSCAPE_MARGINS[2] - LANDSCAPE_MARGINS[3]
        band = _legend_band(self.fonts, legend, frame_w)
        area_h = frame_h - DIAGRAM_TITLE_BAND - DIAGRAM_LEGEND_BAND - band - 4
        bounds = painter.bounds
        bw, bh = bounds[2] - bounds[0], bounds[3] - bounds[1]
        fit = min(frame_w / max(bw, 1.0), area_h / max(bh, 1.0))
        summary = (
            f"{len(data.schools)} schools, {len(diagram.nodes)} records · each ringed in its "
            f"school's colour · {LEVEL_TITLES[self.level].lower()}"
        )
        title = "Across schools: combined spider diagram"
        if fit >= TILE_MIN_SCALE:
            flow.append(
                _CombinedPage(
                    painter, bounds, min(fit, 1.0), title, summary, labels=True, schools=legend
                )
            )
            return flow
        tiles, scale = plan_tiles(bounds, frame_w, area_h)
        tiles, alone = self.parts_worth_a_page(painter, tiles)
        order = {school.urn: n for n, school in enumerate(data.schools)}
        alone.sort(key=lambda n: (order.get(data.school_of.get(n.id, ""), 0), code_key(n.code)))
        note = ""
        if alone:
            note = (
                "Drawn on this overview only, with no links, alone on their part of the diagram: "
                + "; ".join(self.record_text(node.id) for node in alone)
                + "."
            )
            lines = len(_note_lines(self.fonts, note, frame_w))
            fit = min(fit, (area_h - _LEGEND_LEADING * lines) / max(bh, 1.0))
        flow.append(
            _CombinedPage(
                painter,
                bounds,
                fit,
                f"{title} — overview",
                f"{summary} · the parts that follow are marked on this overview",
                labels=fit * LABEL_UNITS >= OVERVIEW_MIN_LABEL,
                tiles=tiles,
                schools=legend,
                note=note,
            )
        )
        for number, tile in enumerate(tiles, start=1):
            flow += [
                PageBreak(),
                self.mark(f"Part {tile.name}", level=2, section="Across schools"),
                _CombinedPage(
                    painter,
                    tile.rect,
                    scale,
                    f"{title} — part {tile.name}",
                    f"part {number} of {len(tiles)} · {summary}",
                    labels=True,
                    clip=True,
                    schools=legend,
                ),
            ]
        return flow

    @staticmethod
    def parts_worth_a_page(
        painter: _CombinedPainter, tiles: Sequence[Tile]
    ) -> tuple[list[Tile], list[DiagramNode]]:
        """The parts to print: not those whose own cell (the parts' cells do not overlap)
        holds nothing, nor those whose cell holds only a few records with no links
        (LONE_TILE_NODES at most), such as the column of unlinked records beside the
        picture. Those few records are returned, to be named on the overview instead."""
        linked: set[str] = set()
        for edge in painter.diagram.edges:
            linked.update((edge.a_id, edge.b_id))
        kept: list[Tile] = []
        alone: list[DiagramNode] = []
        for tile in tiles:
            nodes = painter.nodes_in(tile.cell)
            if len(nodes) <= LONE_TILE_NODES and not any(n.id in linked for n in nodes):
                alone += nodes
            else:
                kept.append(tile)
        return kept, alone

    # -- the action plan ---------------------------------------------------------------------------------
    def action_plan(self) -> list[Flowable]:
        data, s = self.pack, self.styles
        order = {school.urn: n for n, school in enumerate(data.schools)}
        actions = sorted(
            data.actions,
            key=lambda a: (
                order.get(a.school_urn, len(order)),
                STATUS_ORDER.get(a.status, 99),
                code_key(a.code),
            ),
        )
        flow: list[Flowable] = [
            self.mark("Action plan"),
            self.para("Action plan", s.h1),
            self.para(
                "The actions agreed at the meeting: what, for whom, which agency owns it and "
                f"when it is due. The {data.blank_rows} blank rows are for actions agreed on the "
                "day; the chair records them in the program afterwards and sends each school "
                "its outcomes.",
                s.note,
            ),
            Spacer(1, 4),
        ]
        rows = []
        for original in actions:
            a = self.namer.redacted(original)
            assert isinstance(a, Action)
            entry = data.profile.action(a.catalogue_key)
            what = entry.label if entry else a.catalogue_key
            if a.sub_choice:
                what += f": {a.sub_choice}"
            detail = self.namer.free(a.detail)
            rationale = self.namer.free(a.rationale)
            if rationale:
                detail = f"{detail}\nReason: {rationale}" if detail else f"Reason: {rationale}"
            if a.school_urn:
                who = self.school_name(a.school_urn)
            else:
                words = {k.value: w for k, w in KIND_WORDS.items()}
                kind = words.get(a.cluster_key.split(":", 1)[0], "")
                who = "Across schools" + (f" ({kind.lower()})" if kind else "")
            rows.append(
                [
                    a.code,
                    who,
                    what,
                    detail,
                    self.records_by_school(a.linked_ids),
                    self.namer.agency(a.owner_agency),
                    a.due.isoformat() if a.due else "",
                    a.status,
                ]
            )
        rows += [
            [f"New {n}", "\n\n", "", "", "", "", "", ""] for n in range(1, data.blank_rows + 1)
        ]
        if not actions:
            flow.append(self.para("No actions are recorded for this meeting yet.", s.note))
        header = ["Code", "For", "Action", "Detail", "About", "Owner", "Due", "Status"]
        widths = self.scaled([15, 30, 36, 52, 52, 26, 18, 19])
        flow.append(self.grid_table(header, rows, widths))
        return flow


def _metadata(data: PackData) -> dict[str, str]:
    """The PDF's metadata: no personal names."""
    return {
        "title": "Safer Young People briefing pack",
        "author": "SaferYP Desktop",
        "subject": f"Safer Young People Community Meeting, {data.meeting.date.isoformat()}",
        "keywords": ", ".join(
            (
                data.profile.marking,
                "safeguarding briefing pack",
                f"data level: {DataLevel(data.level).value}",
                f"document {data.document_id}",
                *(("demo",) if data.demo else ()),
            )
        ),
        "creator": "SaferYP Desktop",
    }


def build_pack(data: PackData) -> bytes:
    """The briefing pack as PDF bytes; the same data (document id and ``created``
    included) always gives the same bytes."""
    texts = itertools.chain(
        *(texts_of(_school_briefing(s, data)) for s in data.schools),
        texts_of(_pack_briefing(data)),
        _extra_texts(data),
    )
    fonts = choose_fonts(texts)
    writer = _PackWriter(data, fonts)
    chrome = _PackChrome(
        fonts=fonts,
        marking=data.profile.marking,
        school=PACK_TITLE,
        meeting_label=f"Meeting {long_date(data.meeting.date)}",
        document_short=short_document_id(data.document_id),
        level_title=LEVEL_TITLES[DataLevel(data.level)],
        demo=data.demo,
    )
    return render_document(writer.story(), chrome, _PackCanvas, _metadata(data))
