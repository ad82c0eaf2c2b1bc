"""The PDF briefing a school's DSL takes to a Safer Young People Community Meeting.

:func:`build_briefing` turns a :class:`BriefingData` into PDF bytes with reportlab's
platypus. No Qt, no workspace: the service (``services/briefing.py``) gathers the data.

What every page carries: the classification marking at the top and the bottom, the
school, the meeting date, "Page X of Y" and the short document id (drawn once the page
count is known, by :class:`_NumberedCanvas`), and on a demo workspace a "DEMO —
fictional data" banner and watermark.

The parts, in order: a cover (school, meeting, attendees, information sharing, data
level, signing fingerprint); a summary by harm category; key concerns and questions;
the spider diagram, drawn as vector paths from :func:`domain.diagram.layout` (one page
when it is legible at one page, else an overview with a grid and one page per grid
cell); one table per record section; the links; the proposed actions; and an annex
with the findings of the four checks.

The data level is applied everywhere through :mod:`domain.levels` (``redact``,
``display_name``): at initials no full name, alias or handle of a young person or an
adult is printed, and free text is scrubbed of them as well (:class:`~saferyp_desktop.domain.levels.NameScrubber`); at
codes level there are no names, labels or free text at all. Attendees are
professionals at the meeting and keep their names at every level.

Layout decisions: A4; the cover, summary, concerns and annex in portrait; the diagram
and the wide tables in landscape. Every section starts on a new page and is named in
the running header and in the PDF's outline. Table rows never split across pages and
each page of a table starts with its header row (:class:`_PagedTable`: one reportlab
``Table`` per page, ``repeatRows=1``, ``splitInRow=0``); a cell is cut short at
:data:`MAX_CELL_LINES` lines so a row always fits a page. Cells are wrapped here into
plain strings rather than Paragraphs, and drawn through one text object per table
(:class:`_TextTable`): a large demo has some 7,000 rows and 50,000 cells, and this
keeps its build within a few seconds. The PDF is built in reportlab's invariant mode
(fixed internal dates and file id), so the same data and document id give the same
bytes; the document id is in the keywords, so different briefings' file ids differ.
"""

from __future__ import annotations

import bisect
import io
import math
import os
import re
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from saferyp_desktop.domain.checks import CHECK_TITLES, Check, Finding
from saferyp_desktop.domain.diagram import (
    LANE_SPACING,
    MEMBERSHIP_EDGE_HEX,
    NODE_BOX,
    NODE_FILL_HEX,
    RAG_FILL_HEX,
    RAG_LETTERS,
    RELATION_HEX,
    STRENGTH_EDGE_HEX,
    DiagramEdge,
    DiagramLayout,
    DiagramNode,
    EdgeKind,
    NodeType,
    layout,
    wrap_label,
)
from saferyp_desktop.domain.levels import (
    LEVEL_TITLES,
    DataLevel,
    NameScrubber,
    display_name,
    display_with_code,
    redact,
)
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import Profile
from saferyp_desktop.domain.records import (
    CODE_PATTERN,
    CODE_PREFIX,
    MAPPED_KINDS,
    Action,
    ActionStatus,
    Adult,
    Confidence,
    Evidence,
    KeyConcern,
    Kind,
    Location,
    Meeting,
    PeerGroup,
    Rag,
    Record,
    Relation,
    Strength,
    YoungPerson,
)

__all__ = [
    "BriefingData",
    "LEVEL_EXPLANATIONS",
    "build_briefing",
    "short_document_id",
    "suggested_briefing_name",
]

Point = tuple[float, float]

# -- look --------------------------------------------------------------------------------
INK = HexColor("#1f2933")
MUTED = HexColor("#52606d")
HEADING = HexColor("#1d3557")
RULE = HexColor("#9aa5b1")
GRID = HexColor("#c8d1da")
HEADER_FILL = HexColor("#e3eaf1")
STRIPE = HexColor("#f5f7fa")
PANEL = HexColor("#f1f4f7")
DEMO_COLOUR = HexColor("#b45309")
HIGH_COLOUR = HexColor("#9b1c1c")

TABLE_SIZE = 9.0  # points; the leading is 2 more
# A table cell's line that starts with this is drawn with an empty square to tick by hand.
TICK_BOX = "\u2610"
BREAK_AFTER = "/-"  # a word too long for its column is broken after one of these first
CELL_PAD = 4.0
CELL_TOP = 2.5
CELL_BOTTOM = 3.5
MAX_CELL_LINES = 24  # a row never grows taller than a page; longer cells are cut short

PORTRAIT = A4
LANDSCAPE = landscape(A4)
# (left, right, top, bottom) margins of the frame; the header and footer sit outside it.
PORTRAIT_MARGINS = (20 * mm, 20 * mm, 25 * mm, 20 * mm)
LANDSCAPE_MARGINS = (15 * mm, 15 * mm, 23 * mm, 19 * mm)

# The spider diagram, in print: layout units (see domain.diagram) times the scale.
LABEL_UNITS = 11.0  # a node label's font size, in layout units (8.5 pt at 96 dpi on screen)
TILE_MIN_SCALE = 0.45  # labels at least ~5 pt: below this the diagram is cut into parts
TILE_MAX_SCALE = 0.6
TILE_OVERLAP = 36.0  # points two neighbouring parts share
OVERVIEW_MIN_LABEL = 2.5  # points; an overview drawn smaller than this has no labels
DIAGRAM_TITLE_BAND = 22.0
DIAGRAM_LEGEND_BAND = 38.0
MAX_TILES = 60
DENSE_EDGES = 1000

NODE_FILLS = {kind: HexColor(hex_) for kind, hex_ in NODE_FILL_HEX.items()}
RAG_FILLS = {rating: HexColor(hex_) for rating, hex_ in RAG_FILL_HEX.items()}
RELATION_COLOURS = {relation: HexColor(hex_) for relation, hex_ in RELATION_HEX.items()}
STRENGTH_EDGE_COLOUR = HexColor(STRENGTH_EDGE_HEX)
MEMBERSHIP_EDGE_COLOUR = HexColor(MEMBERSHIP_EDGE_HEX)
NEUTRAL_EDGE_COLOUR = HexColor("#858585")
EDGE_WIDTH = 2.0  # layout units, as on screen
MEMBERSHIP_WIDTH = 1.4
# Dash patterns in multiples of the line width: as Qt's DashLine and DotLine.
CONFIDENCE_DASHES: dict[str, tuple[float, ...]] = {
    Confidence.CONFIRMED.value: (),
    Confidence.SUSPECTED.value: (4.0, 2.0),
    Confidence.UNCONFIRMED.value: (1.0, 2.0),
}

LEVEL_EXPLANATIONS = {
    DataLevel.FULL: (
        "Full names: young people and adults are named as the school recorded them, "
        "with aliases and handles."
    ),
    DataLevel.INITIALS: (
        "Initials: young people and adults appear by their initials; their names, aliases "
        "and handles are left out everywhere, notes included. Places and groups keep their labels."
    ),
    DataLevel.CODES: (
        "Codes only: every record appears by its code (YP-03, AD-01 …). No names, labels "
        "or free text are printed."
    ),
}

STATUS_ORDER = {status.value: i for i, status in enumerate(ActionStatus)}


# -- the data ----------------------------------------------------------------------------
@dataclass
class BriefingData:
    """Everything one briefing prints. ``findings`` are those of the four checks for the
    meeting's date; ``harm_types_seen`` holds the harm category keys the DSL ticked while
    preparing (None when the meeting was not prepared with the wizard);
    ``pinned`` the diagram positions the DSL dragged nodes to."""

    table: MappingTable
    school_name: str
    urn: str
    meeting: Meeting
    profile: Profile
    level: DataLevel
    fingerprint: str
    findings: list[Finding]
    document_id: str
    dsl: str = ""
    deputy: str = ""
    phase: str = ""
    community_area: str = ""
    wisc_confirmed: str = ""  # ISO date the school confirmed its charter membership
    harm_types_seen: list[str] | None = None
    no_harm_types: bool = False  # the DSL ticked "none of these"
    pinned: dict[str, Point] = field(default_factory=dict)
    demo: bool = False
    created: datetime | None = None  # printed on the cover; not in the PDF's metadata
    meeting_planned: bool = True  # False: no meeting is planned, the date is today's


def suggested_briefing_name(meeting_date: date) -> str:
    """``briefing-2026-12-16.pdf``: the meeting's date and nothing personal."""
    return f"briefing-{meeting_date.isoformat()}.pdf"


def short_document_id(document_id: str) -> str:
    """The first eight hex digits in two groups, upper case: ``3F2A-9C1E``."""
    digits = re.sub(r"[^0-9a-fA-F]", "", document_id).upper()[:8]
    return f"{digits[:4]}-{digits[4:]}" if len(digits) > 4 else digits


_PREFIX_ORDER: dict[str, int] = {}
for _kind in (*MAPPED_KINDS, *CODE_PREFIX):
    _PREFIX_ORDER.setdefault(CODE_PREFIX[_kind], len(_PREFIX_ORDER))


@lru_cache(maxsize=65536)
def _code_key(code: str) -> tuple[int, int, str]:
    """``YP-2`` before ``YP-10``, young people before adults (the program's order)."""
    match = CODE_PATTERN.match(code)
    if not match:
        return (len(_PREFIX_ORDER), 0, code)
    return (_PREFIX_ORDER.get(match.group(1), len(_PREFIX_ORDER)), int(match.group(2)), code)


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# -- fonts -------------------------------------------------------------------------------
_TRANSLITERATIONS = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŋ": "N",
        "ŋ": "n", "ſ": "s", "→": "->", "←": "<-", "≤": "<=", "≥": ">=", "✓": "yes",
        "✔": "yes", "✗": "x", "−": "-", "‐": "-", "‑": "-", "\u00a0": " ", "\u202f": " ",
        "≈": "~",
    }
)  # fmt: skip

# Unicode fonts tried, in order, when some text is outside Helvetica's WinAnsi set:
# (regular, bold, italic) file names in the folders below.
_UNICODE_FONTS = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"),
    ("arial.ttf", "arialbd.ttf", "ariali.ttf"),
    ("Arial.ttf", "Arial Bold.ttf", "Arial Italic.ttf"),
)


def _font_folders() -> list[Path]:
    folders = []
    windir = os.environ.get("WINDIR")
    if windir:
        folders.append(Path(windir) / "Fonts")
    if sys.platform == "darwin":
        folders += [Path("/System/Library/Fonts/Supplemental"), Path("/Library/Fonts")]
    folders += [
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/truetype/noto"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
    ]
    return folders


@lru_cache(maxsize=1)
def _unicode_family() -> tuple[str, str, str] | None:
    """A registered TrueType family with wide coverage, or None if none is found."""
    for names in _UNICODE_FONTS:
        for folder in _font_folders():
            paths = [folder / name for name in names]
            if all(p.is_file() for p in paths):
                try:
                    for tag, path in zip(("", "-Bold", "-Italic"), paths, strict=True):
                        pdfmetrics.registerFont(TTFont(f"SYPUnicode{tag}", str(path)))
                except Exception:  # noqa: BLE001 - a broken font file: try the next
                    continue
                return ("SYPUnicode", "SYPUnicode-Bold", "SYPUnicode-Italic")
    return None


def _fits_winansi(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class _Fonts:
    regular: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    italic: str = "Helvetica-Oblique"
    mono: str = "Courier-Bold"
    winansi_only: bool = True

    def safe(self, text: str) -> str:
        """``text`` as the fonts can draw it: with the standard fonts, characters outside
        WinAnsi are spelt without accents (``Ş`` → ``S``) or become ``?``."""
        if not self.winansi_only or _fits_winansi(text):
            return text
        out = []
        for char in text.translate(_TRANSLITERATIONS):
            if _fits_winansi(char) or char == TICK_BOX:  # a tick box is drawn, not written
                out.append(char)
                continue
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(plain if plain and _fits_winansi(plain) else "?")
        return "".join(out)


def _choose_fonts(texts: Iterable[str]) -> _Fonts:
    if all(_fits_winansi(text) for text in texts):
        return _Fonts()
    family = _unicode_family()
    if family is None:
        return _Fonts()
    return _Fonts(*family, mono="Courier-Bold", winansi_only=False)


def _texts_of(data: BriefingData) -> Iterator[str]:
    """Every string the briefing may print (to choose fonts that can draw them)."""
    yield from (data.school_name, data.dsl, data.deputy, data.phase, data.community_area)
    meeting = data.meeting
    yield from (meeting.venue, meeting.chair)
    for attendee in meeting.attendees:
        yield from (attendee.name, attendee.role, attendee.organisation)
    for record in data.table.records.values():
        for value in vars(record).values():
            if isinstance(value, str):
                yield value
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
    for link in data.table.links.values():
        yield link.note


# -- names at the data level -----------------------------------------------------------------
class _Namer:
    """What every record, reference and piece of free text says at the data level."""

    def __init__(self, table: MappingTable, level: DataLevel, profile: Profile) -> None:
        self.table = table
        self.level = level
        self.profile = profile
        self._scrub = NameScrubber(table) if level == DataLevel.INITIALS else None
        self._redacted: dict[str, Record] = {}

    def redacted(self, record: Record) -> Record:
        found = self._redacted.get(record.id)
        if found is None:
            found = self._redacted[record.id] = redact(record, self.level)
        return found

    def name(self, record: Record) -> str:
        return self._clean(display_name(record, self.level))

    def with_code(self, record: Record) -> str:
        return self._clean(display_with_code(record, self.level))

    def ref(self, record_id: str) -> str:
        record = self.table.get(record_id)
        if record is None:
            return "(a removed record)"
        text = self.with_code(record)
        return f"{text} (retired)" if not record.active else text

    def refs(self, record_ids: Iterable[str]) -> str:
        records = [self.table.get(i) for i in dict.fromkeys(record_ids)]
        known = sorted((r for r in records if r is not None), key=lambda r: _code_key(r.code))
        return ", ".join(self.ref(r.id) for r in known)

    def free(self, text: str) -> str:
        """Free text as the level allows: none at codes; scrubbed of names at initials."""
        if self.level == DataLevel.CODES:
            return ""
        return self._clean(text)

    def _clean(self, text: str) -> str:
        return self._scrub(text) if self._scrub is not None else text

    # -- words from the profile --------------------------------------------------------
    def categories(self, record: Record) -> str:
        keys = getattr(record, "harm_categories", [])
        labels = "; ".join(self.profile.label("harm_categories", k) for k in keys)
        return labels or "none recorded"

    def agency(self, text: str) -> str:
        """An organisation as the profile names it: an agency's key (``"police"``, as the
        program stores it) or its label in any case gives the label; other text is kept."""
        if not text:
            return ""
        key = self.profile.resolve("agencies", text)
        return self.profile.label("agencies", key) if key else text

    def source(self, text: str) -> str:
        key = self.profile.resolve("sources", text)
        return self.profile.label("sources", key) if key else text


# -- page furniture ----------------------------------------------------------------------
@dataclass
class _Chrome:
    """What is drawn on every page around the frame."""

    fonts: _Fonts
    marking: str
    school: str
    meeting_label: str
    document_short: str
    level_title: str
    demo: bool

    def draw(self, canv: Canvas, page: int, total: int, section: str) -> None:
        width, height = canv._pagesize
        portrait = height > width
        left, right, _, _ = PORTRAIT_MARGINS if portrait else LANDSCAPE_MARGINS
        f = self.fonts
        canv.saveState()
        canv.setFillColor(colors.black)
        # Top: the marking, centred; what the document is, left; the demo banner, right.
        top = height - 11 * mm
        canv.setFont(f.bold, 10.5)
        canv.drawCentredString(width / 2, top, self.marking)
        canv.setFont(f.regular, 8)
        canv.setFillColor(MUTED)
        canv.drawString(left, top, "Safer Young People briefing")
        if self.demo:
            self._demo_banner(canv, width - right, top)
        line = height - 16.5 * mm
        canv.setFillColor(INK)
        canv.setFont(f.bold, 8.5)
        school = f.safe(self.school)
        canv.drawString(left, line, school)
        if section:
            offset = pdfmetrics.stringWidth(school, f.bold, 8.5)
            canv.setFont(f.regular, 8.5)
            canv.setFillColor(MUTED)
            canv.drawString(left + offset, line, f"  ·  {section}")
        canv.setFont(f.regular, 8.5)
        canv.setFillColor(INK)
        canv.drawRightString(width - right, line, self.meeting_label)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(left, height - 18.5 * mm, width - right, height - 18.5 * mm)
        # Bottom: the rule, then the document, the marking and the page.
        canv.line(left, 13.5 * mm, width - right, 13.5 * mm)
        base = 8.5 * mm
        canv.setFont(f.regular, 8)
        canv.setFillColor(MUTED)
        canv.drawString(left, base, f"Document {self.document_short}  ·  {self.level_title}")
        canv.drawRightString(width - right, base, f"Page {page} of {total}")
        canv.setFillColor(colors.black)
        canv.setFont(f.bold, 10.5)
        canv.drawCentredString(width / 2, base, self.marking)
        canv.restoreState()

    def _demo_banner(self, canv: Canvas, right: float, baseline: float) -> None:
        text = "DEMO — fictional data"
        size = 8
        width = pdfmetrics.stringWidth(text, self.fonts.bold, size) + 10
        canv.setFillColor(DEMO_COLOUR)
        canv.roundRect(right - width, baseline - 2.6, width, size + 4, 2.5, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(self.fonts.bold, size)
        canv.drawRightString(right - 5, baseline, text)

    def watermark(self, canv: Canvas) -> None:
        """Over the page's content (tables would hide it beneath): a faint diagonal DEMO
        on a demo workspace's pages."""
        if not self.demo:
            return
        width, height = canv._pagesize
        canv.saveState()
        canv.translate(width / 2, height / 2)
        canv.rotate(math.degrees(math.atan2(height, width)) * 0.8)
        _draw_demo_letters(canv, min(width, height) * 0.2)
        canv.restoreState()


def _draw_demo_letters(canv: Canvas, letter_height: float) -> None:
    """The word DEMO as stroked paths centred on the origin: a watermark that is no
    text, so it never gets into the text a reader copies or searches (the banner in the
    header says the same in words)."""
    h = letter_height
    w = 0.72 * h
    gap = 0.28 * h
    stroke = 0.15 * h
    x = -(4 * w + 3 * gap) / 2
    y = -h / 2
    canv.setStrokeColor(DEMO_COLOUR)
    canv.setStrokeAlpha(0.07)
    canv.setLineWidth(stroke)
    canv.setLineJoin(1)
    canv.setLineCap(1)
    # D
    path = canv.beginPath()
    path.moveTo(x, y)
    path.lineTo(x, y + h)
    path.lineTo(x + 0.4 * w, y + h)
    path.curveTo(x + 1.05 * w, y + h, x + 1.05 * w, y, x + 0.4 * w, y)
    path.close()
    canv.drawPath(path, stroke=1, fill=0)
    # E
    x += w + gap
    path = canv.beginPath()
    path.moveTo(x + w, y + h)
    path.lineTo(x, y + h)
    path.lineTo(x, y)
    path.lineTo(x + w, y)
    path.moveTo(x, y + h / 2)
    path.lineTo(x + 0.8 * w, y + h / 2)
    canv.drawPath(path, stroke=1, fill=0)
    # M
    x += w + gap
    path = canv.beginPath()
    path.moveTo(x, y)
    path.lineTo(x, y + h)
    path.lineTo(x + w / 2, y + 0.35 * h)
    path.lineTo(x + w, y + h)
    path.lineTo(x + w, y)
    canv.drawPath(path, stroke=1, fill=0)
    # O
    x += w + gap
    canv.ellipse(x, y, x + w, y + h, stroke=1, fill=0)


class _NumberedCanvas(Canvas):
    """Keeps every page until the end, then draws the furniture with "Page X of Y" and
    files the outline entries (which need the real page objects) page by page."""

    chrome: _Chrome  # set on a subclass made per document

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._kept_pages: list[dict] = []
        self.syp_marks: list[tuple[str, str, int]] = []
        self.syp_section = ""

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._kept_pages.append(dict(self.__dict__))
        self.syp_marks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._kept_pages)
        for number, state in enumerate(self._kept_pages, start=1):
            self.__dict__.update(state)
            self.chrome.watermark(self)
            self.chrome.draw(self, number, total, self.syp_section)
            for key, title, level in self.syp_marks:
                self.bookmarkPage(key, fit="XYZ", top=self._pagesize[1])
                self.addOutlineEntry(title, key, level=level, closed=level > 0)
            Canvas.showPage(self)
        Canvas.save(self)
        # Each kept page's state holds this list too: a cycle that would keep the whole
        # document alive until a full garbage collection (a pack's took 0.1 s to collect).
        self._kept_pages.clear()


class _Mark(Flowable):
    """An invisible mark: the section named in the running header from here on, and an
    entry in the PDF's outline (bookmarks)."""

    def __init__(self, key: str, title: str, *, level: int = 0, section: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.title = title
        self.level = level
        self.section = section if section is not None else (title if level == 0 else None)
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        canv = self.canv
        if self.section is not None and hasattr(canv, "syp_section"):
            canv.syp_section = self.section
        if hasattr(canv, "syp_marks"):
            canv.syp_marks.append((self.key, self.title, self.level))


# -- text and tables ----------------------------------------------------------------------
class _TextTable(Table):
    """A Table that writes its plain-string cells through one text object for the
    whole table, rather than one per line as reportlab does: the same page, for about
    half the drawing work (a large briefing has some 50,000 cells)."""

    _text = None
    _text_state: tuple | None = None

    def draw(self) -> None:
        self._text = self.canv.beginText()
        self._text_state = None
        try:
            super().draw()
            self.canv.saveState()
            self.canv.drawText(self._text)
            self.canv.restoreState()
        finally:
            self._text = None

    def _drawCell(self, cellval, cellstyle, pos, size) -> None:  # noqa: ANN001, N802
        text = self._text
        if (
            text is None
            or not isinstance(cellval, str)
            or cellstyle.valign != "TOP"
            or cellstyle.alignment not in ("LEFT", "CENTRE", "CENTER")
            or cellstyle.href
            or cellstyle.destination
        ):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        if not cellval:
            return
        font, font_size, leading = cellstyle.fontname, cellstyle.fontsize, cellstyle.leading
        state = (font, font_size, leading, cellstyle.color)
        if state != self._text_state:
            text.setFont(font, font_size, leading)
            text.setFillColor(cellstyle.color)
            self._text_state = state
        (column, row), (width, height) = pos, size
        y = row + height - cellstyle.topPadding - font_size
        lines = cellval.split("\n")
        if TICK_BOX in cellval:
            self._draw_ticks(lines, column + cellstyle.leftPadding, y, cellstyle)
            return
        if cellstyle.alignment == "LEFT":
            text.setTextOrigin(column + cellstyle.leftPadding, y)
            for line in lines:
                text.textLine(line)
            return
        middle = column + (width + cellstyle.leftPadding - cellstyle.rightPadding) / 2
        for line in lines:
            text.setTextOrigin(middle - pdfmetrics.stringWidth(line, font, font_size) / 2, y)
            text.textOut(line)
            y -= leading

    def _draw_ticks(self, lines: list[str], x: float, y: float, cellstyle) -> None:  # noqa: ANN001
        """Left-aligned lines, those starting with TICK_BOX drawn with an empty square."""
        text = self._text
        assert text is not None
        size, leading = cellstyle.fontsize, cellstyle.leading
        box = size * 0.95
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.8)
        for line in lines:
            if line.startswith(TICK_BOX):
                canv.rect(x, y - 1.2, box, box, stroke=1, fill=0)
                text.setTextOrigin(x + box + 4, y)
                text.textOut(line[len(TICK_BOX) :].lstrip())
            else:
                text.setTextOrigin(x, y)
                text.textOut(line)
            y -= leading
        canv.restoreState()


class _PagedTable(Flowable):
    """A long table laid out a page at a time: each page's part is a reportlab
    ``Table`` of its own, with the header row first (and ``repeatRows=1``,
    ``splitInRow=0`` should it ever be split again), so the rows are never split and
    the work grows with the number of rows, not with rows times pages as when
    reportlab splits one long table over and over. Cells are plain strings, so a row's
    height is known before drawing: its most lines times the leading, plus padding."""

    def __init__(
        self,
        header: list[str],
        rows: list[list[str]],
        widths: list[float],
        style: list[tuple],
        emphasis: dict[int, list[int]],
        *,
        bold: str,
        leading: float,
        first_row: int = 0,
        heights: list[float] | None = None,
        ends: list[float] | None = None,
        padding: float = CELL_TOP + CELL_BOTTOM,
        min_height: float = 0.0,
    ) -> None:
        super().__init__()
        self.padding = padding  # above and below a row's lines, together
        self.min_height = min_height  # no body row is lower than this
        self.header = header
        self.rows = rows  # the whole table's rows, shared by its parts
        self.widths = widths
        self.style = style
        self.emphasis = emphasis  # row index → emphasised columns
        self.bold = bold
        self.leading = leading
        self.first_row = first_row  # this part starts here
        self.header_height = self._row_height(header, 0.0)
        self.heights = (
            heights if heights is not None else [self._row_height(r, min_height) for r in rows]
        )
        if ends is None:
            ends = [0.0]
            for height in self.heights:
                ends.append(ends[-1] + height)
        self.ends = ends  # ends[i]: the height of rows before i
        self.width = sum(widths)
        self.height = self.header_height + ends[-1] - ends[first_row]

    def _row_height(self, row: list[str], least: float) -> float:
        lines = max((cell.count("\n") + 1 for cell in row), default=1)
        return max(lines * self.leading + self.padding, least)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self.header_height - 1.0
        limit = self.ends[self.first_row] + room
        # The rows that fit: the last end within the room.
        stop = bisect.bisect_right(self.ends, limit, lo=self.first_row) - 1
        count = stop - self.first_row
        if count <= 0:
            return []
        rest = _PagedTable(
            self.header,
            self.rows,
            self.widths,
            self.style,
            self.emphasis,
            bold=self.bold,
            leading=self.leading,
            first_row=stop,
            heights=self.heights,
            ends=self.ends,
            padding=self.padding,
            min_height=self.min_height,
        )
        return [self.part(count), rest]

    def part(self, count: int | None = None) -> Table:
        """``count`` rows from this part's first (all by default) as a reportlab Table."""
        first = self.first_row
        count = len(self.rows) - first if count is None else count
        style = list(self.style)
        if count > 1:
            # The stripes carry on from the page before.
            stripes = [colors.white, STRIPE] if first % 2 == 0 else [STRIPE, colors.white]
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), stripes))
        for row in range(first, first + count):
            for column in self.emphasis.get(row, ()):
                cell = (column, row - first + 1)
                style.append(("FONTNAME", cell, cell, self.bold))
                style.append(("TEXTCOLOR", cell, cell, HIGH_COLOUR))
        table = _TextTable(
            [self.header, *self.rows[first : first + count]],
            colWidths=self.widths,
            rowHeights=[self.header_height, *self.heights[first : first + count]],
            repeatRows=1,
            splitByRow=1,
            splitInRow=0,
            hAlign="LEFT",
        )
        table.setStyle(TableStyle(style))
        return table

    def draw(self) -> None:
        # Everything fitted where it stands: draw it all as one table.
        table = self.part()
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


@dataclass
class _Styles:
    fonts: _Fonts
    title: ParagraphStyle = field(init=False)
    subtitle: ParagraphStyle = field(init=False)
    h1: ParagraphStyle = field(init=False)
    h2: ParagraphStyle = field(init=False)
    body: ParagraphStyle = field(init=False)
    small: ParagraphStyle = field(init=False)
    note: ParagraphStyle = field(init=False)
    fingerprint: ParagraphStyle = field(init=False)

    def __post_init__(self) -> None:
        f = self.fonts
        base = ParagraphStyle("body", fontName=f.regular, fontSize=10, leading=13.5, textColor=INK)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
        self.note = ParagraphStyle(
            "note",
            parent=base,
            fontName=f.italic,
            fontSize=8.5,
            leading=11,
            textColor=MUTED,
            spaceBefore=3,
        )
        self.title = ParagraphStyle(
            "title", parent=base, fontName=f.bold, fontSize=21, leading=26, textColor=HEADING
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=base, fontSize=13, leading=17, textColor=HEADING, spaceAfter=6
        )
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontName=f.bold,
            fontSize=15,
            leading=19,
            textColor=HEADING,
            spaceBefore=4,
            spaceAfter=6,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=f.bold,
            fontSize=11.5,
            leading=15,
            textColor=HEADING,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.fingerprint = ParagraphStyle(
            "fingerprint",
            parent=base,
            fontName=f.mono,
            fontSize=21,
            leading=27,
            alignment=TA_LEFT,
            textColor=colors.black,
        )


class _Writer:
    """Builds the flowables of one briefing."""

    # The record sections' tables (the briefing pack prints them more compactly).
    section_size = TABLE_SIZE
    section_padding = (CELL_TOP, CELL_BOTTOM)

    def __init__(self, data: BriefingData, fonts: _Fonts) -> None:
        self.data = data
        self.fonts = fonts
        self.styles = _Styles(fonts)
        self.level = DataLevel(data.level)
        self.namer = _Namer(data.table, self.level, data.profile)
        self.table = data.table
        self._marks = 0

    def mark(self, title: str, *, level: int = 0, section: str | None = None) -> _Mark:
        """An outline entry (and running-header section) at this point of the story."""
        self._marks += 1
        return _Mark(f"s{self._marks}", title, level=level, section=section)

    # -- text helpers ------------------------------------------------------------------
    def para(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped here)."""
        return Paragraph(escape(self.fonts.safe(text)), style or self.styles.body)

    def markup(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of reportlab markup whose variable parts the caller escaped."""
        return Paragraph(markup, style or self.styles.body)

    def esc(self, text: str) -> str:
        return escape(self.fonts.safe(text))

    def width(self, text: str, font: str, size: float = TABLE_SIZE) -> float:
        return pdfmetrics.stringWidth(text, font, size)

    def wrap(self, text: str, width: float, font: str, size: float = TABLE_SIZE) -> str:
        """``text`` broken into lines no wider than ``width`` (long words are cut), at
        most MAX_CELL_LINES lines, joined with newlines for a plain table cell."""
        text = self.fonts.safe(text)
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            if self.width(paragraph, font, size) <= width:
                lines.append(paragraph)
                continue
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}" if line else word
                if self.width(candidate, font, size) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self.width(word, font, size) > width and len(word) > 1:
                    cut = max(1, int(len(word) * width / self.width(word, font, size)))
                    while cut > 1 and self.width(word[:cut], font, size) > width:
                        cut -= 1
                    # Rather after a slash or a hyphen ("shop/" "takeaway") than mid-word.
                    at = max(word.rfind(c, 0, cut) for c in BREAK_AFTER) + 1
                    if at > 0:
                        cut = at
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
            if len(lines) > MAX_CELL_LINES:
                break
        if len(lines) > MAX_CELL_LINES:
            lines = [*lines[: MAX_CELL_LINES - 1], "… (cut short: see the mapping table)"]
        return "\n".join(lines)

    def grid_table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        bold_columns: Iterable[int] = (0,),
        emphasis: Iterable[tuple[int, int]] = (),
        align: dict[int, str] | None = None,
        size: float = TABLE_SIZE,
        padding: tuple[float, float] = (CELL_TOP, CELL_BOTTOM),
        min_height: float = 0.0,
    ) -> _PagedTable:
        """A table with its header row repeated on every page and rows never split
        across pages; cells are plain strings wrapped here to their column. ``padding``:
        above and below each row's lines; ``min_height``: the least height of a body row
        (room to write by hand)."""
        f = self.fonts
        bold = set(bold_columns)
        inner = [w - 2 * CELL_PAD for w in widths]
        head = [self.wrap(h, w, f.bold, size) for h, w in zip(header, inner, strict=True)]
        body = [
            [
                self.wrap(str(cell), w, f.bold if i in bold else f.regular, size)
                for i, (cell, w) in enumerate(zip(row, inner, strict=True))
            ]
            for row in rows
        ]
        style = [
            ("FONTNAME", (0, 0), (-1, -1), f.regular),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), size + 2),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), padding[0]),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding[1]),
            ("FONTNAME", (0, 0), (-1, 0), f.bold),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("TEXTCOLOR", (0, 0), (-1, 0), HEADING),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ]
        for column in bold:
            style.append(("FONTNAME", (column, 1), (column, -1), f.bold))
        for column, how in (align or {}).items():
            style.append(("ALIGN", (column, 0), (column, -1), how))
        marked: dict[int, list[int]] = {}
        for column, row in emphasis:
            marked.setdefault(row, []).append(column)
        return _PagedTable(
            head,
            body,
            list(widths),
            style,
            marked,
            bold=f.bold,
            leading=size + 2,
            padding=sum(padding),
            min_height=min_height,
        )

    def key_values(self, pairs: Sequence[tuple[str, str]], widths: tuple[float, float]) -> Table:
        f = self.fonts
        data = [
            [
                self.wrap(k, widths[0] - 2 * CELL_PAD, f.bold, 10),
                self.wrap(v, widths[1] - 2 * CELL_PAD, f.regular, 10),
            ]
            for k, v in pairs
        ]
        table = Table(data, colWidths=list(widths), hAlign="LEFT", splitInRow=0)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), f.regular),
                    ("FONTNAME", (0, 0), (0, -1), f.bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("LEADING", (0, 0), (-1, -1), 12.5),
                    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                    ("TEXTCOLOR", (0, 0), (0, -1), HEADING),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.3, GRID),
                ]
            )
        )
        return table

    def panel(self, flowables: list[Flowable], width: float, fill: Color = PANEL) -> Table:
        """Flowables in a shaded box."""
        table = Table([[flowables]], colWidths=[width], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), fill),
                    ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 9),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 9),
                    ("TOPPADDING", (0, 0), (-1, -1), 7),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        return table

    # -- the document ------------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        story += self.cover()
        story += [PageBreak(), *self.summary()]
        story += self.key_concerns()
        story += [NextPageTemplate("landscape"), PageBreak(), *self.diagram()]
        for section in self.record_sections():
            story += [PageBreak(), *section()]
        story += [NextPageTemplate("portrait"), PageBreak(), *self.annex()]
        return story

    def record_sections(self) -> list[Callable[[], list[Flowable]]]:
        """The landscape sections after the diagram, in order."""
        return [
            self.young_people,
            self.adults,
            self.peer_groups,
            self.locations,
            self.strengths,
            self.links,
            self.actions,
        ]

    @property
    def portrait_width(self) -> float:
        return PORTRAIT[0] - PORTRAIT_MARGINS[0] - PORTRAIT_MARGINS[1]

    @property
    def landscape_width(self) -> float:
        return LANDSCAPE[0] - LANDSCAPE_MARGINS[0] - LANDSCAPE_MARGINS[1]

    # -- cover ----------------------------------------------------------------------------------
    def cover(self) -> list[Flowable]:
        data, s = self.data, self.styles
        meeting = data.meeting
        width = self.portrait_width
        flow: list[Flowable] = [self.mark("Cover", section="Cover")]
        flow.append(self.para("Safer Young People Community Meeting", s.title))
        flow.append(self.para(f"Briefing from {data.school_name}", s.subtitle))
        if data.demo:
            flow.append(
                self.panel(
                    [
                        self.markup(
                            "<b>DEMO — fictional data.</b> This briefing was made from the "
                            "program's demo school: every person, place and event in it is "
                            "invented.",
                            ParagraphStyle("demo", parent=s.body, textColor=DEMO_COLOUR),
                        )
                    ],
                    width,
                    fill=HexColor("#fdf3e7"),
                )
            )
        flow.append(Spacer(1, 8))
        when = long_date(meeting.date)
        when += f" ({meeting.date.isoformat()})"
        if not data.meeting_planned:
            when += " — no meeting is planned: today's date is used"
        pairs = [
            ("School", data.school_name),
            ("URN", data.urn),
            ("Phase", data.phase),
            ("Community area", data.community_area),
            ("DSL", data.dsl),
            ("Deputy DSL", data.deputy),
            ("Meeting", when),
            ("Venue", meeting.venue),
            ("Chair", meeting.chair),
        ]
        flow.append(self.key_values([(k, v) for k, v in pairs if v], (34 * mm, width - 34 * mm)))

        flow.append(self.para("Attendees", s.h2))
        if meeting.attendees:
            rows = [[a.name, a.role, self.namer.agency(a.organisation)] for a in meeting.attendees]
            flow.append(
                self.grid_table(
                    ["Name", "Role", "Organisation"],
                    rows,
                    [width * 0.3, width * 0.36, width * 0.34],
                    bold_columns=(),
                )
            )
        else:
            flow.append(self.para("No attendees are recorded for this meeting yet.", s.note))

        charter = data.profile.charter
        sharing = [
            self.para("Information sharing", s.h2),
            self.para(charter.statement),
        ]
        line = f"Charter: {charter.name}"
        if charter.url:
            line += f", {charter.url}"
        if data.wisc_confirmed:
            line += f". The school confirmed its membership on {data.wisc_confirmed}."
        sharing.append(self.para(line, s.small))
        flow.append(KeepTogether(sharing))

        flow.append(
            KeepTogether(
                [
                    self.para("Data level", s.h2),
                    self.markup(
                        f"<b>{self.esc(LEVEL_TITLES[self.level])}.</b> "
                        f"{self.esc(_sentence(LEVEL_EXPLANATIONS[self.level].split(': ', 1)[1]))}"
                    ),
                ]
            )
        )

        fingerprint = data.fingerprint or "(no signing key)"
        flow.append(
            KeepTogether(
                [
                    self.para("Signing key fingerprint", s.h2),
                    self.panel(
                        [
                            self.para(fingerprint, s.fingerprint),
                            Spacer(1, 3),
                            self.para(
                                "The school's signing key. When the chair first receives a "
                                "bundle from this school, read these groups out to them over "
                                "the phone: they must match the fingerprint the chair's "
                                "program shows.",
                                s.small,
                            ),
                        ],
                        width,
                    ),
                ]
            )
        )
        made = data.created.strftime("%Y-%m-%d %H:%M") if data.created else ""
        document = f"Document {data.document_id}"
        if made:
            document += f", prepared {made}"
        document += (
            f". {data.profile.marking}: keep this briefing secure, share it only with the "
            "meeting's attendees, and destroy it securely when it is no longer needed."
        )
        flow += [Spacer(1, 10), self.para(document, s.note)]
        return flow

    # -- summary ----------------------------------------------------------------------------
    def summary(self) -> list[Flowable]:
        data, s, table = self.data, self.styles, self.table
        width = self.portrait_width
        counts = table.counts()
        flow: list[Flowable] = [self.mark("Summary"), self.para("Summary", s.h1)]
        evidence = sum(1 for e in table.evidence.values() if e.active)
        links = sum(1 for _ in table.active_links())
        flow.append(
            self.para(
                f"The mapping table holds {counts[Kind.YOUNG_PERSON]} young people, "
                f"{counts[Kind.ADULT]} adults, {counts[Kind.PEER_GROUP]} peer groups, "
                f"{counts[Kind.LOCATION]} locations and contexts and {counts[Kind.STRENGTH]} "
                f"strengths, with {links} links between them and {evidence} pieces of evidence."
            )
        )
        seen = data.harm_types_seen
        flow.append(self.para("By harm category", s.h2))
        kinds = (Kind.YOUNG_PERSON, Kind.ADULT, Kind.PEER_GROUP, Kind.LOCATION)
        tally: dict[str, Counter[Kind]] = {c.key: Counter() for c in data.profile.harm_categories}
        uncategorised: Counter[Kind] = Counter()
        for kind in kinds:
            for record in table.of_kind(kind):
                keys = getattr(record, "harm_categories", [])
                if not keys:
                    uncategorised[kind] += 1
                for key in dict.fromkeys(keys):
                    tally.setdefault(key, Counter())[kind] += 1
        header = ["Harm category", "Young people", "Adults", "Peer groups", "Places"]
        if seen is not None:
            header.insert(1, "Seen")
        rows = []
        for key, counter in tally.items():
            row = [data.profile.label("harm_categories", key)]
            if seen is not None:
                row.append("seen" if key in seen else "")
            rows.append(row + [_count(counter[k]) for k in kinds])
        last = ["No harm category"] + ([""] if seen is not None else [])
        rows.append(last + [_count(uncategorised[k]) for k in kinds])
        numbers = [17 * mm] * 4
        columns = ([14 * mm] if seen is not None else []) + numbers
        flow.append(
            self.grid_table(
                header,
                rows,
                [width - sum(columns), *columns],
                bold_columns=(),
                align={i: "CENTER" for i in range(1, len(header))},
            )
        )
        notes = ["A record with several harm categories is counted under each."]
        if seen is None:
            notes.append(
                "The harm types seen this term were not recorded: the meeting was not "
                "prepared with the “Prepare for a meeting” wizard."
            )
        elif data.no_harm_types:
            notes.append("The school saw none of these harm types this term.")
        else:
            notes.append("“Seen”: harm types the school has seen this term.")
        flow.append(self.para(" ".join(notes), s.note))

        flow.append(self.para("Level of concern", s.h2))
        levels = []
        for kind, title in (
            (Kind.YOUNG_PERSON, "Young people"),
            (Kind.ADULT, "Adults"),
            (Kind.PEER_GROUP, "Peer groups"),
        ):
            tally_level = Counter(getattr(r, "concern_level", "") for r in table.of_kind(kind))
            levels.append([title] + [_count(tally_level[v]) for v in ("high", "medium", "low")])
        rag = Counter(r.rating for r in table.of_kind(Kind.LOCATION) if isinstance(r, Location))
        levels.append(["Places (safety rating)"] + [_count(rag[v]) for v in Rag])
        flow.append(
            self.grid_table(
                ["Records", "High or red", "Medium or amber", "Low or green"],
                levels,
                [width - 3 * 30 * mm, 30 * mm, 30 * mm, 30 * mm],
                bold_columns=(),
                align={1: "CENTER", 2: "CENTER", 3: "CENTER"},
            )
        )

        flow.append(self.para("Relevant, evidenced and current", s.h2))
        by_check = Counter(f.check for f in data.findings)
        rows = [[CHECK_TITLES[c], _CHECK_QUESTIONS[c](data), str(by_check[c])] for c in Check]
        flow.append(
            self.grid_table(
                ["Check", "What it asks", "Findings"],
                rows,
                [38 * mm, width - 38 * mm - 20 * mm, 20 * mm],
                align={2: "CENTER"},
            )
        )
        flow.append(self.para("The annex at the end lists every finding.", s.note))
        return flow

    # -- key concerns and questions -------------------------------------------------------------
    def _for_meeting(self, kind: Kind) -> list[Record]:
        meeting = self.data.meeting
        found = []
        for record in self.table.of_kind(kind):
            meeting_id = getattr(record, "meeting_id", None)
            if meeting_id is None or meeting_id == meeting.id or not self.data.meeting_planned:
                found.append(record)
        return found

    def key_concerns(self) -> list[Flowable]:
        s = self.styles
        width = self.portrait_width
        concerns = [c for c in self._for_meeting(Kind.KEY_CONCERN) if isinstance(c, KeyConcern)]
        flow: list[Flowable] = [
            CondPageBreak(60 * mm),
            self.mark("Key concerns and questions"),
            self.para(f"Key concerns and questions ({len(concerns)})", s.h1),
        ]
        if not concerns:
            flow.append(self.para("The school raises no key concerns or questions.", s.note))
            return flow
        rows = []
        for concern in concerns:
            kind = "Question" if concern.is_question else "Concern"
            text = self.namer.free(concern.text) or "(text left out at codes level)"
            rows.append([concern.code, kind, text, self.namer.refs(concern.linked_ids)])
        flow.append(
            self.grid_table(
                ["Code", "Type", "Concern or question", "About"],
                rows,
                [15 * mm, 19 * mm, width * 0.5, width * 0.5 - 34 * mm],
            )
        )
        return flow

    # -- the spider diagram -------------------------------------------------------------------------
    def diagram(self) -> list[Flowable]:
        diagram = layout(self.table, pinned=self.data.pinned or None)
        flow: list[Flowable] = [self.mark("Spider diagram")]
        if not diagram.nodes:
            flow += [
                self.para("Spider diagram", self.styles.h1),
                self.para("There are no records to draw.", self.styles.note),
            ]
            return flow
        painter = _DiagramPainter(diagram, self.namer, self.fonts)
        frame_w = self.landscape_width
        frame_h = LANDSCAPE[1] - LANDSCAPE_MARGINS[2] - LANDSCAPE_MARGINS[3]
        area_w = frame_w
        area_h = frame_h - DIAGRAM_TITLE_BAND - DIAGRAM_LEGEND_BAND - 4
        bounds = painter.bounds
        bw, bh = bounds[2] - bounds[0], bounds[3] - bounds[1]
        fit = min(area_w / bw, area_h / bh)
        summary = (
            f"{len(diagram.nodes)} records, {len(diagram.edges)} connections · "
            f"{LEVEL_TITLES[self.level].lower()}"
        )
        if fit >= TILE_MIN_SCALE:
            scale = min(fit, 1.0)
            flow.append(
                _DiagramPage(painter, bounds, scale, "Spider diagram", summary, labels=True)
            )
            return flow
        tiles, scale = _plan_tiles(bounds, area_w, area_h)
        tiles = [t for t in tiles if painter.has_nodes_in(t.rect)]
        flow.append(
            _DiagramPage(
                painter,
                bounds,
                fit,
                "Spider diagram — overview",
                f"{summary} · the parts that follow are marked on this overview",
                labels=fit * LABEL_UNITS >= OVERVIEW_MIN_LABEL,
                tiles=tiles,
            )
        )
        for tile in tiles:
            flow += [
                PageBreak(),
                self.mark(f"Part {tile.name}", level=1, section="Spider diagram"),
                _DiagramPage(
                    painter,
                    tile.rect,
                    scale,
                    f"Spider diagram — part {tile.name}",
                    f"part {tile.number} of {len(tiles)} · {summary}",
                    labels=True,
                    clip=True,
                ),
            ]
        return flow

    # -- record sections --------------------------------------------------------------------------------
    def evidence_text(self, record_id: str, confirmed: date | None = None) -> str:
        items = sorted(
            self.table.evidence_of(record_id), key=lambda e: (e.observed, e.id), reverse=True
        )
        parts = []
        if confirmed is not None:
            parts.append(f"Confirmed {confirmed.isoformat()}.")
        if not items:
            parts.append("No evidence.")
            return "\n".join(parts)
        shown = [self._evidence_item(e) for e in items[:3]]
        text = f"{len(items)} {'entry' if len(items) == 1 else 'entries'}: " + ", ".join(shown)
        if len(items) > 3:
            text += f", and {len(items) - 3} more back to {items[-1].observed.isoformat()}"
        parts.append(text)
        return "\n".join(parts)

    def _evidence_item(self, item: Evidence) -> str:
        text = f"{self.namer.source(item.source).lower()} {item.observed.isoformat()}"
        if item.how_known and item.how_known != "first-hand":
            text += f" ({item.how_known})"
        return text

    def section_head(self, title: str, count: int, note: str) -> list[Flowable]:
        return [
            self.mark(title),
            self.para(f"{title} ({count})", self.styles.h1),
            self.para(note, self.styles.note),
            Spacer(1, 4),
        ]

    def level_note(self) -> str:
        if self.level == DataLevel.CODES:
            return "Codes only: names, labels and free text are left out."
        if self.level == DataLevel.INITIALS:
            return "People are shown by their initials; aliases and handles are left out."
        return "Full names, as the school recorded them."

    def _empty(self, what: str) -> Paragraph:
        return self.para(f"No {what} are recorded.", self.styles.note)

    def section_table(
        self,
        header: list[str],
        weights: list[float],
        rows: list[list[str]],
        hidden_at_codes: Sequence[int] = (),
        emphasis: Sequence[tuple[int, int]] = (),
        *,
        bold_columns: Sequence[int] = (0,),
        hidden_at_initials: Sequence[int] = (),
    ) -> _PagedTable:
        """A record section's table across the landscape page. At codes level the
        columns of names, labels and free text (``hidden_at_codes``) are left out; at
        initials, those that would always be empty (``hidden_at_initials``)."""
        hidden = {
            DataLevel.CODES: set(hidden_at_codes) | set(hidden_at_initials),
            DataLevel.INITIALS: set(hidden_at_initials),
        }.get(self.level, set())
        keep = [i for i in range(len(header)) if i not in hidden]
        where = {old: new for new, old in enumerate(keep)}
        total = sum(weights[i] for i in keep)
        return self.grid_table(
            [header[i] for i in keep],
            [[row[i] for i in keep] for row in rows],
            [self.landscape_width * weights[i] / total for i in keep],
            bold_columns=[where[c] for c in bold_columns if c in where],
            emphasis=[(where[c], r) for c, r in emphasis if c in where],
            size=self.section_size,
            padding=self.section_padding,
        )

    def young_people(self) -> list[Flowable]:
        records = [r for r in self.table.of_kind(Kind.YOUNG_PERSON) if isinstance(r, YoungPerson)]
        flow = self.section_head(
            "Young people",
            len(records),
            f"{self.level_note()} Evidence is listed newest first, by source and date.",
        )
        if not records:
            return [*flow, self._empty("young people")]
        rows, emphasis = [], []
        for i, original in enumerate(records):
            r = self.namer.redacted(original)
            assert isinstance(r, YoungPerson)
            year_age = " / ".join(
                x
                for x in (
                    f"Y{r.year_group}" if r.year_group is not None else "",
                    str(r.age) if r.age is not None else "",
                )
                if x
            )
            if r.gender:
                year_age += f"\n{r.gender}"
            strengths = self.namer.free(r.strengths)
            notes = self.namer.free(r.notes)
            more = "\n".join(x for x in (strengths, notes and f"Notes: {notes}") if x)
            rows.append(
                [
                    r.code,
                    self.namer.name(original),
                    year_age,
                    ", ".join(r.known_to),
                    r.worker_aware,
                    self.namer.categories(r),
                    r.concern_level,
                    self.evidence_text(r.id, r.last_confirmed),
                    more,
                ]
            )
            if r.concern_level == "high":
                emphasis.append((6, i))
        header = [
            "Code",
            "Name" if self.level == DataLevel.FULL else "Initials",
            "Year / age",
            "Known to",
            "Worker aware",
            "Harm categories",
            "Concern",
            "Evidence and currency",
            "Strengths and notes",
        ]
        weights = [14, 24, 16, 24, 15, 38, 15, 48, 42]
        return [*flow, self.section_table(header, weights, rows, (1, 8), emphasis)]

    def adults(self) -> list[Flowable]:
        records = [r for r in self.table.of_kind(Kind.ADULT) if isinstance(r, Adult)]
        flow = self.section_head("Adults of concern", len(records), self.level_note())
        if not records:
            return [*flow, self._empty("adults of concern")]
        rows, emphasis = [], []
        for i, original in enumerate(records):
            r = self.namer.redacted(original)
            assert isinstance(r, Adult)
            known_as = "; ".join([*r.aliases, *r.handles])
            rows.append(
                [
                    r.code,
                    self.namer.name(original),
                    known_as,
                    str(r.approx_age) if r.approx_age else "",
                    self.namer.free(r.vehicle),
                    self.namer.categories(r),
                    r.concern_level,
                    self.evidence_text(r.id, r.last_confirmed),
                    self.namer.free(r.notes),
                ]
            )
            if r.concern_level == "high":
                emphasis.append((6, i))
        header = [
            "Code",
            "Name or description" if self.level == DataLevel.FULL else "Initials",
            "Aliases and handles",
            "Age",
            "Vehicle",
            "Harm categories",
            "Concern",
            "Evidence and currency",
            "Notes",
        ]
        weights = [14, 30, 30, 9, 30, 36, 15, 48, 34]
        # At initials aliases and handles are never printed: no column for them.
        table = self.section_table(
            header, weights, rows, (1, 2, 4, 8), emphasis, hidden_at_initials=(2,)
        )
        return [*flow, table]

    def peer_groups(self) -> list[Flowable]:
        records = [r for r in self.table.of_kind(Kind.PEER_GROUP) if isinstance(r, PeerGroup)]
        flow = self.section_head("Peer groups", len(records), self.level_note())
        if not records:
            return [*flow, self._empty("peer groups")]
        rows, emphasis = [], []
        for i, original in enumerate(records):
            r = self.namer.redacted(original)
            assert isinstance(r, PeerGroup)
            members = []
            for member in sorted(
                r.members,
                key=lambda m: _code_key(getattr(self.table.get(m.person_id), "code", "")),
            ):
                text = self.namer.ref(member.person_id)
                role = self.namer.free(member.role)
                members.append(f"{text} ({role})" if role else text)
            about = "\n".join(
                x for x in (self.namer.free(r.description), self.namer.free(r.notes)) if x
            )
            rows.append(
                [
                    r.code,
                    self.namer.name(original),
                    about,
                    ", ".join(members) or "none recorded",
                    self.namer.categories(r),
                    r.concern_level,
                    self.evidence_text(r.id, r.last_confirmed),
                ]
            )
            if r.concern_level == "high":
                emphasis.append((5, i))
        header = [
            "Code",
            "Label",
            "Description and notes",
            "Members",
            "Harm categories",
            "Concern",
            "Evidence and currency",
        ]
        weights = [14, 32, 46, 52, 36, 15, 48]
        return [*flow, self.section_table(header, weights, rows, (1, 2), emphasis)]

    def locations(self) -> list[Flowable]:
        records = [r for r in self.table.of_kind(Kind.LOCATION) if isinstance(r, Location)]
        flow = self.section_head(
            "Locations and contexts",
            len(records),
            "Safety rating: red, amber or green. " + self.level_note(),
        )
        if not records:
            return [*flow, self._empty("locations or contexts")]
        rows, emphasis = [], []
        for i, original in enumerate(records):
            r = self.namer.redacted(original)
            assert isinstance(r, Location)
            where = self.namer.free(r.where)
            if r.postcode and self.level != DataLevel.CODES:
                where = f"{where}\n{r.postcode}" if where and r.postcode not in where else where
                where = where or r.postcode
            notes = self.namer.free(r.notes)
            guardianship = self.namer.free(r.guardianship)
            rows.append(
                [
                    r.code,
                    self.namer.name(original),
                    r.location_kind,
                    where,
                    self.namer.free(r.when),
                    "\n".join(x for x in (guardianship, notes and f"Notes: {notes}") if x),
                    self.namer.categories(r),
                    r.rating,
                    self.evidence_text(r.id, r.last_confirmed),
                ]
            )
            if r.rating == Rag.RED.value:
                emphasis.append((7, i))
        header = [
            "Code",
            "Label",
            "Kind",
            "Where",
            "When",
            "What makes it safer; notes",
            "Harm categories",
            "Rating",
            "Evidence and currency",
        ]
        weights = [14, 32, 20, 30, 24, 34, 34, 13, 44]
        return [*flow, self.section_table(header, weights, rows, (1, 3, 4, 5), emphasis)]

    def strengths(self) -> list[Flowable]:
        records = [r for r in self.table.of_kind(Kind.STRENGTH) if isinstance(r, Strength)]
        note = "What keeps young people safe: trusted adults, safe spaces, positive activities."
        if self.level != DataLevel.FULL:
            note += " Trusted adults are not named at this level."
        flow = self.section_head("Strengths", len(records), note)
        if not records:
            return [*flow, self._empty("strengths")]
        rows = []
        for original in records:
            r = self.namer.redacted(original)
            assert isinstance(r, Strength)
            about = "\n".join(
                x for x in (self.namer.free(r.description), self.namer.free(r.notes)) if x
            )
            rows.append(
                [
                    r.code,
                    self.namer.name(original),
                    r.strength_kind,
                    about,
                    self.namer.refs(r.linked_ids),
                    self.evidence_text(r.id, r.last_confirmed),
                ]
            )
        header = ["Code", "Label", "Kind", "Description and notes", "Linked to", "Evidence"]
        weights = [14, 40, 24, 54, 62, 46]
        return [*flow, self.section_table(header, weights, rows, (1, 3))]

    def links(self) -> list[Flowable]:
        table = self.table
        links = sorted(
            table.active_links(),
            key=lambda k: (
                _code_key(table.records[k.a_id].code),
                _code_key(table.records[k.b_id].code),
                k.relation,
                k.id,
            ),
        )
        flow = self.section_head(
            "Links",
            len(links),
            "Confidence: confirmed, suspected or unconfirmed (drawn solid, dashed or dotted "
            "in the diagram). " + self.level_note(),
        )
        if not links:
            return [*flow, self._empty("links")]
        rows = []
        for link in links:
            rows.append(
                [
                    self.namer.ref(link.a_id),
                    link.relation,
                    self.namer.ref(link.b_id),
                    link.confidence,
                    self.evidence_text(link.id),
                    self.namer.free(link.note),
                ]
            )
        header = ["From", "Relation", "To", "Confidence", "Evidence", "Note"]
        weights = [40, 30, 48, 19, 62, 45]
        return [*flow, self.section_table(header, weights, rows, (5,), bold_columns=())]

    def actions(self) -> list[Flowable]:
        actions = [a for a in self._for_meeting(Kind.ACTION) if isinstance(a, Action)]
        actions.sort(key=lambda a: (STATUS_ORDER.get(a.status, 99), _code_key(a.code)))
        flow = self.section_head(
            "Proposed actions",
            len(actions),
            "From the local action catalogue, with the agency that would own each one. "
            "Actions the school decided not to take forward are listed with the reason.",
        )
        if not actions:
            return [*flow, self._empty("actions")]
        rows = []
        for original in actions:
            a = self.namer.redacted(original)
            assert isinstance(a, Action)
            entry = self.data.profile.action(a.catalogue_key)
            detail = self.namer.free(a.detail)
            rationale = self.namer.free(a.rationale)
            if rationale:
                detail = f"{detail}\nReason: {rationale}" if detail else f"Reason: {rationale}"
            rows.append(
                [
                    a.code,
                    entry.label if entry else a.catalogue_key,
                    a.sub_choice,
                    detail,
                    self.namer.refs(a.linked_ids),
                    self.namer.agency(a.owner_agency),
                    a.due.isoformat() if a.due else "",
                    a.status,
                ]
            )
        header = ["Code", "Action", "Choice", "Detail", "For", "Owner", "Due", "Status"]
        weights = [14, 44, 20, 48, 48, 28, 17, 19]
        return [*flow, self.section_table(header, weights, rows, (3,))]

    # -- annex -----------------------------------------------------------------------------------
    def annex(self) -> list[Flowable]:
        data, s = self.data, self.styles
        width = self.portrait_width
        flow: list[Flowable] = [
            self.mark("Annex: data quality"),
            self.para("Annex: data quality — relevant, evidenced and current", s.h1),
            self.para(
                "The guidance asks that everything brought to the meeting is relevant, "
                "evidenced and current. These are the findings of the program's four checks "
                f"for the meeting on {data.meeting.date.isoformat()}. Findings name records "
                "by their code only.",
            ),
            Spacer(1, 6),
        ]
        grouped: dict[Check, list[Finding]] = {c: [] for c in Check}
        for finding in data.findings:
            grouped.setdefault(finding.check, []).append(finding)
        flow.append(
            self.grid_table(
                ["Check", "What it asks", "Findings"],
                [[CHECK_TITLES[c], _CHECK_QUESTIONS[c](data), str(len(grouped[c]))] for c in Check],
                [38 * mm, width - 38 * mm - 20 * mm, 20 * mm],
                align={2: "CENTER"},
            )
        )
        for check in Check:
            items = sorted(grouped[check], key=lambda f: _code_key(f.subject_code))
            count = len(items)
            flow.append(
                self.para(
                    f"{CHECK_TITLES[check]} — {count} finding{'' if count == 1 else 's'}", s.h2
                )
            )
            if not items:
                flow.append(self.para("No findings: every record passes this check.", s.note))
                continue
            flow.append(
                self.grid_table(
                    ["Record", "Finding"],
                    [[f.subject_code, f.message] for f in items],
                    [32 * mm, width - 32 * mm],
                )
            )
        return flow


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(value: int) -> str:
    return str(value) if value else "–"


_CHECK_QUESTIONS: dict[Check, Callable[[BriefingData], str]] = {
    Check.RELEVANT: lambda d: (
        "Each person, group and place has a harm category, or is linked to a record that has one."
    ),
    Check.EVIDENCED: lambda d: (
        "Each record rated medium or high (amber or red for a place), and each confirmed or "
        "suspected link, has evidence with a source and a date."
    ),
    Check.CURRENT: lambda d: (
        f"Each record was confirmed, or has evidence, in the {d.profile.currency_window_weeks} "
        "weeks before the meeting."
    ),
    Check.PLAN: lambda d: (
        "Each young person has a key concern, a proposed action or a recorded “no action” "
        "rationale."
    ),
}


# -- the spider diagram, drawn ----------------------------------------------------------------
@dataclass(frozen=True)
class _Tile:
    name: str  # "B2": column B, row 2
    number: int
    rect: tuple[float, float, float, float]  # left, top, right, bottom in layout units
    cell: tuple[float, float, float, float]  # the part it owns: cut mid-way in the overlaps


def _plan_tiles(
    bounds: tuple[float, float, float, float], area_w: float, area_h: float
) -> tuple[list[_Tile], float]:
    """Cut the diagram into as few pages as keep labels legible: the grid needed at
    TILE_MIN_SCALE, then the largest scale (up to TILE_MAX_SCALE) the same grid allows."""
    left, top, right, bottom = bounds
    bw, bh = right - left, bottom - top

    def grid(scale: float) -> tuple[int, int]:
        cols = max(1, math.ceil((bw * scale - TILE_OVERLAP) / (area_w - TILE_OVERLAP)))
        rows = max(1, math.ceil((bh * scale - TILE_OVERLAP) / (area_h - TILE_OVERLAP)))
        return cols, rows

    scale = TILE_MIN_SCALE
    cols, rows = grid(scale)
    while cols * rows > MAX_TILES:
        scale *= 0.9
        cols, rows = grid(scale)
    best = min(
        (cols * (area_w - TILE_OVERLAP) + TILE_OVERLAP) / bw,
        (rows * (area_h - TILE_OVERLAP) + TILE_OVERLAP) / bh,
        TILE_MAX_SCALE,
    )
    scale = max(scale, best)
    tile_w, tile_h = area_w / scale, area_h / scale
    step_x = (area_w - TILE_OVERLAP) / scale
    step_y = (area_h - TILE_OVERLAP) / scale
    # Centre the grid on the diagram.
    x0 = left - ((cols - 1) * step_x + tile_w - bw) / 2
    y0 = top - ((rows - 1) * step_y + tile_h - bh) / 2
    half = TILE_OVERLAP / scale / 2
    tiles = []
    for row in range(rows):
        for col in range(cols):
            x, y = x0 + col * step_x, y0 + row * step_y
            name = f"{_column_name(col)}{row + 1}"
            cell = (
                x + (half if col else 0),
                y + (half if row else 0),
                x + tile_w - (half if col < cols - 1 else 0),
                y + tile_h - (half if row < rows - 1 else 0),
            )
            tiles.append(_Tile(name, len(tiles) + 1, (x, y, x + tile_w, y + tile_h), cell))
    return tiles, scale


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _darker(colour: Color, factor: float = 1.75) -> Color:
    return Color(colour.red / factor, colour.green / factor, colour.blue / factor)


def _regular(count: int, radius: float, inner: float | None = None, turn: float = -90) -> list:
    points = []
    steps = count * 2 if inner else count
    for i in range(steps):
        r = radius if (inner is None or i % 2 == 0) else inner
        angle = math.radians(turn + 360 * i / steps)
        points.append((r * math.cos(angle), r * math.sin(angle)))
    return points


# Outlines in layout units, y down, centred on the node (as the program draws them).
_POLYGONS: dict[NodeType, list[Point]] = {
    NodeType.ADULT: [(0, -21), (21, 0), (0, 21), (-21, 0)],
    NodeType.PEER_GROUP: _regular(6, 19, turn=0),
    NodeType.LOCATION: [(-16, -16), (16, -16), (16, 16), (-16, 16)],
    NodeType.STRENGTH: _regular(5, 21, inner=9),
}
_CLOUD_CIRCLES = ((-12, 3, 10), (0, -5, 13), (13, 2, 10), (-3, 6, 10), (6, 7, 9))
_CLOUD_BASE = (-21, 1, 42, 15, 7)  # x, y (top), width, height, corner radius
# How far each shape reaches left and right of its centre, in layout units.
_SHAPE_HALF_WIDTH = {
    NodeType.YOUNG_PERSON: 17,
    NodeType.ADULT: 21,
    NodeType.PEER_GROUP: 19,
    NodeType.LOCATION: 16,
    NodeType.ONLINE_CONTEXT: 23,
    NodeType.STRENGTH: 20,
}
_SHAPE_BOTTOM = {
    NodeType.YOUNG_PERSON: 17,
    NodeType.ADULT: 21,
    NodeType.PEER_GROUP: 17,
    NodeType.LOCATION: 16,
    NodeType.ONLINE_CONTEXT: 16,
    NodeType.STRENGTH: 21,
}


def _node_fill(node_type: NodeType, rating: str | None) -> Color:
    if rating is not None:
        return RAG_FILLS.get(rating, RAG_FILLS[Rag.AMBER.value])
    return NODE_FILLS[node_type]


def _edge_colour(edge: DiagramEdge) -> Color:
    if edge.kind == EdgeKind.STRENGTH:
        return STRENGTH_EDGE_COLOUR
    if edge.kind == EdgeKind.MEMBERSHIP:
        return MEMBERSHIP_EDGE_COLOUR
    return RELATION_COLOURS.get(edge.relation, NEUTRAL_EDGE_COLOUR)


def _draw_shape(
    canv: Canvas,
    node_type: NodeType,
    x: float,
    y: float,
    scale: float,
    fill: Color,
    outline_width: float,
) -> None:
    """One node's shape centred on page point (x, y), ``scale`` points per layout unit."""
    canv.setFillColor(fill)
    canv.setStrokeColor(_darker(fill))
    canv.setLineWidth(outline_width)
    if node_type == NodeType.YOUNG_PERSON:
        canv.circle(x, y, 17 * scale, stroke=1, fill=1)
        return
    if node_type == NodeType.ONLINE_CONTEXT:
        # The union of circles and a rounded base: stroke every part, then fill them all
        # on top, so only the outer outline shows.
        for fill_only in (False, True):
            canv.setLineWidth(0 if fill_only else outline_width * 2)
            for cx, cy, r in _CLOUD_CIRCLES:
                canv.circle(
                    x + cx * scale, y - cy * scale, r * scale, stroke=0 if fill_only else 1, fill=1
                )
            bx, by, bw, bh, br = _CLOUD_BASE
            canv.roundRect(
                x + bx * scale,
                y - (by + bh) * scale,
                bw * scale,
                bh * scale,
                br * scale,
                stroke=0 if fill_only else 1,
                fill=1,
            )
        return
    points = _POLYGONS[node_type]
    path = canv.beginPath()
    path.moveTo(x + points[0][0] * scale, y - points[0][1] * scale)
    for px, py in points[1:]:
        path.lineTo(x + px * scale, y - py * scale)
    path.close()
    canv.drawPath(path, stroke=1, fill=1)


class _DiagramPainter:
    """Draws a laid-out diagram, or a part of it, onto a canvas."""

    def __init__(self, diagram: DiagramLayout, namer: _Namer, fonts: _Fonts) -> None:
        self.diagram = diagram
        self.fonts = fonts
        self.labels: dict[str, list[str]] = {
            node_id: fonts.safe(wrap_label(namer.name(node.record))).split("\n")
            for node_id, node in diagram.nodes.items()
        }
        left, top, right, bottom = diagram.bounds()
        half_w = NODE_BOX[0] / 2
        self.bounds = (left - half_w, top - 26.0, right + half_w, bottom + NODE_BOX[1] - 22.0)
        # A dense diagram's lines are drawn thinner, so its nodes and labels stand out.
        self.line_factor = 1.0 if len(diagram.edges) <= DENSE_EDGES else 0.6
        self._grid: dict[tuple[int, int], list[DiagramNode]] = {}
        for node in diagram.nodes.values():
            self._grid.setdefault(self._cell(node.x, node.y), []).append(node)

    _CELL = 200.0

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        return (int(x // self._CELL), int(y // self._CELL))

    def nodes_in(self, rect: tuple[float, float, float, float]) -> list[DiagramNode]:
        left, top, right, bottom = rect
        a = self._cell(left, top)
        b = self._cell(right, bottom)
        found = []
        for cx in range(a[0], b[0] + 1):
            for cy in range(a[1], b[1] + 1):
                for node in self._grid.get((cx, cy), ()):
                    if left <= node.x <= right and top <= node.y <= bottom:
                        found.append(node)
        return found

    def has_nodes_in(self, rect: tuple[float, float, float, float]) -> bool:
        return bool(self.nodes_in(rect))

    def draw(
        self,
        canv: Canvas,
        view: tuple[float, float, float, float],
        origin: Point,
        scale: float,
        *,
        labels: bool,
    ) -> None:
        """Draw what falls in ``view`` (layout units), its top-left corner at the page
        point ``origin``, ``scale`` points to a layout unit."""
        ox, oy = origin
        left, top, right, bottom = view
        nodes = self.diagram.nodes

        def page(x: float, y: float) -> Point:
            return (ox + (x - left) * scale, oy - (y - top) * scale)

        margin_x = NODE_BOX[0]
        margin_y = NODE_BOX[1]
        near = (left - margin_x, top - margin_y, right + margin_x, bottom + margin_y)
        shown = self.nodes_in(near)
        shown_ids = {n.id for n in shown}

        # Edges first, grouped by pen.
        bow_margin = 2 * LANE_SPACING * 3
        groups: dict[tuple, list[DiagramEdge]] = {}
        for edge in self.diagram.edges:
            a, b = nodes[edge.a_id], nodes[edge.b_id]
            if not (edge.a_id in shown_ids or edge.b_id in shown_ids) and (
                max(a.x, b.x) < left - bow_margin
                or min(a.x, b.x) > right + bow_margin
                or max(a.y, b.y) < top - bow_margin
                or min(a.y, b.y) > bottom + bow_margin
            ):
                continue
            width = (MEMBERSHIP_WIDTH if edge.kind == EdgeKind.MEMBERSHIP else EDGE_WIDTH) * scale
            width *= self.line_factor
            key = (_edge_colour(edge).hexval(), edge.confidence, round(width, 3))
            groups.setdefault(key, []).append(edge)
        canv.saveState()
        canv.setLineCap(0)
        for (colour, confidence, width), edges in groups.items():
            canv.setStrokeColor(HexColor(colour))
            canv.setLineWidth(max(width, 0.25))
            dashes = CONFIDENCE_DASHES.get(confidence, CONFIDENCE_DASHES["unconfirmed"])
            canv.setDash([d * max(width, 0.25) for d in dashes] if dashes else [], 0)
            path = canv.beginPath()
            for edge in edges:
                a, b = nodes[edge.a_id], nodes[edge.b_id]
                start, end = page(a.x, a.y), page(b.x, b.y)
                path.moveTo(*start)
                if not edge.lane:
                    path.lineTo(*end)
                    continue
                dx, dy = b.x - a.x, b.y - a.y
                length = math.hypot(dx, dy) or 1.0
                bow = 2 * LANE_SPACING * edge.lane
                cx = (a.x + b.x) / 2 - dy / length * bow
                cy = (a.y + b.y) / 2 + dx / length * bow
                control = page(cx, cy)
                # The quadratic curve the program draws, as a cubic.
                c1 = (
                    start[0] + 2 / 3 * (control[0] - start[0]),
                    start[1] + 2 / 3 * (control[1] - start[1]),
                )
                c2 = (
                    end[0] + 2 / 3 * (control[0] - end[0]),
                    end[1] + 2 / 3 * (control[1] - end[1]),
                )
                path.curveTo(*c1, *c2, *end)
            canv.drawPath(path, stroke=1, fill=0)
        canv.restoreState()

        # Nodes on top; a thick outline marks high concern.
        canv.saveState()
        canv.setLineJoin(1)
        letters: list[tuple[float, float, str]] = []
        for node in shown:
            x, y = page(node.x, node.y)
            fill = _node_fill(node.node_type, node.rating)
            outline = (4.0 if node.concern_level == "high" else 1.5) * scale
            _draw_shape(canv, node.node_type, x, y, scale, fill, outline)
            if node.rating is not None:
                lower = 3 if node.node_type == NodeType.ONLINE_CONTEXT else 0
                letters.append((x, y - lower * scale, RAG_LETTERS.get(node.rating, "")))
        letter_size = 12 * scale
        canv.setFillColor(HexColor("#1b1b1b"))
        canv.setFont(self.fonts.bold, letter_size)
        for x, y, letter in letters:
            canv.drawCentredString(x, y - letter_size * 0.35, letter)
        canv.restoreState()

        if not labels:
            return
        size = LABEL_UNITS * scale
        leading = size * 1.15
        font = self.fonts.regular
        placed = []
        for node in shown:
            lines = self.labels[node.id]
            x, y = page(node.x, node.y)
            label_top = y - (_SHAPE_BOTTOM[node.node_type] + 2) * scale
            width = max(pdfmetrics.stringWidth(line, font, size) for line in lines)
            placed.append((x, label_top, width, lines))
        canv.saveState()
        canv.setFillColor(colors.white)
        canv.setFillAlpha(0.82)
        pad = 1.5 * scale
        for x, label_top, width, lines in placed:
            height = leading * len(lines)
            canv.rect(
                x - width / 2 - pad,
                label_top - height - pad / 2,
                width + 2 * pad,
                height + pad,
                stroke=0,
                fill=1,
            )
        canv.setFillAlpha(1)
        canv.setFillColor(INK)
        canv.setFont(font, size)
        for x, label_top, _, lines in placed:
            baseline = label_top - size * 0.9
            for line in lines:
                canv.drawCentredString(x, baseline, line)
                baseline -= leading
        canv.restoreState()


class _DiagramPage(Flowable):
    """A whole landscape frame: title, the diagram (or a part of it), and the legend."""

    def __init__(
        self,
        painter: _DiagramPainter,
        view: tuple[float, float, float, float],
        scale: float,
        title: str,
        subtitle: str,
        *,
        labels: bool,
        tiles: list[_Tile] | None = None,
        clip: bool = False,
    ) -> None:
        super().__init__()
        self.painter = painter
        self.view = view
        self.scale = scale
        self.title = title
        self.subtitle = subtitle
        self.labels = labels
        self.tiles = tiles or []
        self.clip = clip

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = available_width, available_height - 1
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        fonts = self.painter.fonts
        width, height = self.width, self.height
        canv.saveState()
        canv.setFillColor(HEADING)
        canv.setFont(fonts.bold, 13)
        canv.drawString(0, height - 14, self.title)
        canv.setFont(fonts.regular, 8)
        canv.setFillColor(MUTED)
        canv.drawRightString(width, height - 13, fonts.safe(self.subtitle))
        canv.restoreState()

        area_x, area_y = 0.0, DIAGRAM_LEGEND_BAND
        area_w = width
        area_h = height - DIAGRAM_TITLE_BAND - DIAGRAM_LEGEND_BAND
        left, top, right, bottom = self.view
        drawn_w, drawn_h = (right - left) * self.scale, (bottom - top) * self.scale
        # Centre what is drawn in the area (a part fills it; a whole diagram may not).
        offset_x = max(0.0, (area_w - drawn_w) / 2)
        offset_y = max(0.0, (area_h - drawn_h) / 2)
        origin = (area_x + offset_x, area_y + area_h - offset_y)
        canv.saveState()
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.5)
        canv.rect(area_x, area_y, area_w, area_h, stroke=1, fill=0)
        clip = canv.beginPath()
        clip.rect(area_x, area_y, area_w, area_h)
        canv.clipPath(clip, stroke=0, fill=0)
        self.painter.draw(canv, self.view, origin, self.scale, labels=self.labels)
        if self.tiles:
            self._draw_tiles(canv, origin)
        canv.restoreState()
        _draw_legend(canv, fonts, 0, 0, width)

    def _draw_tiles(self, canv: Canvas, origin: Point) -> None:
        """The parts that follow, as a grid over the overview, each named in its middle."""
        left, top = self.view[0], self.view[1]
        scale = self.scale
        fonts = self.painter.fonts
        blue = HexColor("#3b6ea5")
        canv.setStrokeColor(blue)
        canv.setLineWidth(0.7)
        canv.setDash([4, 3], 0)
        size = 20
        canv.setFont(fonts.bold, size)
        for tile in self.tiles:
            x0 = origin[0] + (tile.cell[0] - left) * scale
            y0 = origin[1] - (tile.cell[1] - top) * scale
            w = (tile.cell[2] - tile.cell[0]) * scale
            h = (tile.cell[3] - tile.cell[1]) * scale
            canv.rect(x0, y0 - h, w, h, stroke=1, fill=0)
            # The name in the middle of the part of the cell the diagram covers.
            bounds = self.painter.bounds
            cx = (max(tile.cell[0], bounds[0]) + min(tile.cell[2], bounds[2])) / 2
            cy = (max(tile.cell[1], bounds[1]) + min(tile.cell[3], bounds[3])) / 2
            canv.setFillColor(blue)
            canv.setFillAlpha(0.35)
            canv.drawCentredString(
                origin[0] + (cx - left) * scale,
                origin[1] - (cy - top) * scale - size * 0.35,
                tile.name,
            )
            canv.setFillAlpha(1)


def _draw_legend(canv: Canvas, fonts: _Fonts, x: float, y: float, width: float) -> None:
    """Two rows: what the shapes are, and what the lines are."""
    scale = 0.34
    size = 7.0
    canv.saveState()
    row_nodes = y + DIAGRAM_LEGEND_BAND - 12
    row_edges = y + 8
    cursor = x
    canv.setFont(fonts.bold, size)
    canv.setFillColor(MUTED)
    canv.drawString(cursor, row_nodes - 2.5, "Records")
    cursor += 38
    items: list[tuple[NodeType, str | None, str]] = [
        (NodeType.YOUNG_PERSON, None, "Young person"),
        (NodeType.ADULT, None, "Adult"),
        (NodeType.PEER_GROUP, None, "Peer group"),
        (NodeType.LOCATION, Rag.RED.value, ""),
        (NodeType.LOCATION, Rag.AMBER.value, ""),
        (NodeType.LOCATION, Rag.GREEN.value, "Place: red, amber, green"),
        (NodeType.ONLINE_CONTEXT, Rag.AMBER.value, "Online context"),
        (NodeType.STRENGTH, None, "Strength"),
    ]
    for node_type, rating, label in items:
        fill = _node_fill(node_type, rating)
        half = _SHAPE_HALF_WIDTH[node_type] * scale + 1  # the outline included
        _draw_shape(canv, node_type, cursor + half, row_nodes, scale, fill, 1.5 * scale)
        if rating is not None and node_type == NodeType.LOCATION:
            canv.setFillColor(HexColor("#1b1b1b"))
            canv.setFont(fonts.bold, 5)
            canv.drawCentredString(cursor + half, row_nodes - 1.8, RAG_LETTERS[rating])
        cursor += 2 * half + 2
        if label:
            canv.setFillColor(INK)
            canv.setFont(fonts.regular, size)
            canv.drawString(cursor + 1, row_nodes - 2.5, label)
            cursor += pdfmetrics.stringWidth(label, fonts.regular, size) + 14
    _draw_shape(
        canv,
        NodeType.YOUNG_PERSON,
        cursor + 8,
        row_nodes,
        scale,
        NODE_FILLS[NodeType.YOUNG_PERSON],
        4 * scale * 1.4,
    )
    canv.setFillColor(INK)
    canv.setFont(fonts.regular, size)
    canv.drawString(cursor + 18, row_nodes - 2.5, "Thick outline: high concern")

    cursor = x
    canv.setFont(fonts.bold, size)
    canv.setFillColor(MUTED)
    canv.drawString(cursor, row_edges - 2.5, "Links")
    cursor += 38
    lines: list[tuple[Color, tuple[float, ...], float, str]] = [
        (NEUTRAL_EDGE_COLOUR, (), 1.2, "confirmed"),
        (NEUTRAL_EDGE_COLOUR, CONFIDENCE_DASHES["suspected"], 1.2, "suspected"),
        (NEUTRAL_EDGE_COLOUR, CONFIDENCE_DASHES["unconfirmed"], 1.2, "unconfirmed"),
        (
            RELATION_COLOURS[Relation.SUSPECTED_OF_EXPLOITING.value],
            (),
            1.2,
            "exploiting or pressuring",
        ),
        (RELATION_COLOURS[Relation.IN_CONFLICT_WITH.value], (), 1.2, "in conflict"),
        (RELATION_COLOURS[Relation.SUPPORTS_OR_PROTECTS.value], (), 1.2, "supports or protects"),
        (MEMBERSHIP_EDGE_COLOUR, (), 0.9, "member of a peer group"),
        (NEUTRAL_EDGE_COLOUR, (), 1.2, "other relations"),
    ]
    for colour, dashes, line_width, label in lines:
        canv.setStrokeColor(colour)
        canv.setLineWidth(line_width)
        canv.setDash([d * line_width for d in dashes] if dashes else [], 0)
        canv.line(cursor, row_edges, cursor + 22, row_edges)
        cursor += 26
        canv.setFillColor(INK)
        canv.setFont(fonts.regular, size)
        canv.drawString(cursor, row_edges - 2.5, label)
        cursor += pdfmetrics.stringWidth(label, fonts.regular, size) + 12
    canv.restoreState()


# -- the document ----------------------------------------------------------------------------
def _metadata(data: BriefingData) -> dict[str, str]:
    """The PDF's metadata: no personal names, not even the DSL's."""
    return {
        "title": "Safer Young People briefing",
        "author": "SaferYP Desktop",
        "subject": f"Safer Young People Community Meeting, {data.meeting.date.isoformat()}",
        "keywords": ", ".join(
            (
                data.profile.marking,
                "safeguarding briefing",
                f"data level: {DataLevel(data.level).value}",
                f"document {data.document_id}",
                *(("demo",) if data.demo else ()),
            )
        ),
        "creator": "SaferYP Desktop",
    }


def document_template(buffer: io.BytesIO, metadata: dict[str, str]) -> BaseDocTemplate:
    """An A4 document with a "portrait" and a "landscape" page template, their frames
    inside the margins the header and footer are drawn around (the briefing's, and the
    pack's). reportlab's invariant mode: the same content always gives the same bytes."""
    doc = BaseDocTemplate(
        buffer, pagesize=PORTRAIT, invariant=1, lang="en-GB", pageCompression=1, **metadata
    )
    templates = []
    for name, size, margins in (
        ("portrait", PORTRAIT, PORTRAIT_MARGINS),
        ("landscape", LANDSCAPE, LANDSCAPE_MARGINS),
    ):
        left, right, top, bottom = margins
        frame = Frame(
            left,
            bottom,
            size[0] - left - right,
            size[1] - top - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=name,
        )
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size))
    doc.addPageTemplates(templates)
    return doc


def build_briefing(data: BriefingData) -> bytes:
    """The briefing as PDF bytes. The same data (document id and ``created`` included)
    always gives the same bytes: reportlab's invariant mode fixes the PDF's internal
    dates and file id, and the document id goes into the keywords, so two briefings'
    file ids differ as their document ids do."""
    fonts = _choose_fonts(_texts_of(data))
    writer = _Writer(data, fonts)
    chrome = _Chrome(
        fonts=fonts,
        marking=data.profile.marking,
        school=data.school_name,
        meeting_label=f"Meeting {long_date(data.meeting.date)}",
        document_short=short_document_id(data.document_id),
        level_title=LEVEL_TITLES[DataLevel(data.level)],
        demo=data.demo,
    )
    return render_document(writer.story(), chrome, _NumberedCanvas, _metadata(data))


def render_document(
    story: list[Flowable], chrome: _Chrome, canvas: type[_NumberedCanvas], metadata: dict[str, str]
) -> bytes:
    """``story`` as PDF bytes on :func:`document_template`'s pages, each page's furniture
    drawn by ``chrome`` through a ``canvas`` made for this one document."""
    canvas_class = type(f"{canvas.__name__}OfOne", (canvas,), {"chrome": chrome})
    buffer = io.BytesIO()
    doc = document_template(buffer, metadata)
    with _binary_streams():
        doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


_A85_LOCK = threading.Lock()
_a85_users = 0
_a85_before = 1


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Page streams compressed but not ASCII85-encoded while a build runs: a quarter
    smaller, and the pure-Python encoder took a fifth of a large briefing's build time.
    (reportlab reads the setting globally; it is put back when the last build ends.)"""
    global _a85_users, _a85_before
    with _A85_LOCK:
        if _a85_users == 0:
            _a85_before = rl_config.useA85
            rl_config.useA85 = 0
        _a85_users += 1
    try:
        yield
    finally:
        with _A85_LOCK:
            _a85_users -= 1
            if _a85_users == 0:
                rl_config.useA85 = _a85_before
