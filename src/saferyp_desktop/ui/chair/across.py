"""Across schools: where the schools' concerns meet.

Three tabs over the current submissions (``services.chair``):

- **Candidate matches**: the same place, adult, peer group or young person possibly
  named by several schools, each with its reasons and score; the chair confirms or
  dismisses each (and can clear a decision to take it back). Nothing is merged.
- **Combined diagram**: every school's records in one spider diagram, each node ringed in
  its school's colour (the colours the printed pack uses), and the records the chair
  confirmed as the same joined by a dark bar. Each school's part is drawn as that school
  draws it (its bundle says where), the schools' parts side by side in rows.
- **Places in the area**: every place, confirmed matches counted once, by how many
  schools name it and the worst safety rating any gave it.

The work behind them (rebuilding the tables, matching) runs off the GUI thread.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.diagram import (
    EDGE_LENGTH,
    NODE_BOX,
    SAME_HEX,
    SCHOOL_HEX,
    DiagramEdge,
    Point,
)
from saferyp_desktop.domain.diagram import layout as lay_out_diagram
from saferyp_desktop.domain.levels import DataLevel, NameScrubber, display_name
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.matching import AreaPlace
from saferyp_desktop.domain.records import Confidence, Kind, Link, Relation
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.services import chair
from saferyp_desktop.services.chair import CandidateView, SchoolSubmission
from saferyp_desktop.ui.chair.columns import FittedColumns
from saferyp_desktop.ui.chair.refresh import Refresher
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.flow_layout import FlowLayout
from saferyp_desktop.ui.sections.detail_models import TextRowsModel
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.tasks import error_sentence

_DISPLAY = Qt.ItemDataRole.DisplayRole
KeyRole = Qt.ItemDataRole.UserRole.value + 21  # a candidate's key
SortRole = Qt.ItemDataRole.UserRole.value + 22
KIND_WORDS = {
    Kind.LOCATION: "Place",
    Kind.ADULT: "Adult",
    Kind.PEER_GROUP: "Peer group",
    Kind.YOUNG_PERSON: "Young person",
}
DECISION_WORDS = {chair.CONFIRMED: "Confirmed", chair.DISMISSED: "Dismissed", None: "Undecided"}
JOINED_PREFIX = "joined:"  # the id of a drawn-only link between records confirmed as the same
SCHOOLS_GAP = 2 * EDGE_LENGTH  # between two schools' parts of the combined diagram
SCHOOLS_ASPECT = 1.8  # the combined diagram's rows are filled to about this width : height
_GREY = QBrush(QColor(128, 128, 128))
_CONFIRMED_BRUSH = QBrush(QColor(46, 157, 79, 45))
RAG_BRUSHES = {
    "red": QBrush(QColor("#e0524f")),
    "amber": QBrush(QColor("#f2b33d")),
    "green": QBrush(QColor("#66bb6a")),
}


def _translate(text: str) -> str:
    return QCoreApplication.translate("AcrossSchools", text)


def school_colours(urns: list[str]) -> dict[str, tuple[str, QColor]]:
    """Each school's colour (name and colour), in the order given: those of the pack."""
    found = {}
    for n, urn in enumerate(urns):
        name, hex_ = SCHOOL_HEX[n % len(SCHOOL_HEX)]
        found[urn] = (name, QColor(hex_))
    return found


def drawing_table(table: MappingTable, joined: list[set[str]]) -> MappingTable:
    """The combined table with a drawn-only link between records confirmed as the same, so
    the layout puts them side by side (as the printed pack does). Nothing is merged."""
    links = list(table.links.values())
    for group in joined:
        present = sorted(r for r in group if r in table.records)
        for a, b in itertools.pairwise(present):
            links.append(
                Link(
                    id=f"{JOINED_PREFIX}{a}:{b}",
                    a_id=a,
                    b_id=b,
                    relation=Relation.RELATED_TO.value,
                    confidence=Confidence.CONFIRMED.value,
                )
            )
    return MappingTable.of(table.records.values(), links)


def school_drawing(sub: SchoolSubmission) -> dict[str, Point]:
    """Where a school draws each of its nodes: as its bundle says (at once), with any
    node the bundle does not place (an older bundle places none) laid out around them."""
    return lay_out_diagram(sub.table, pinned=sub.diagram_positions or None).positions()


def combined_positions(drawings: list[dict[str, Point]]) -> dict[str, Point]:
    """The schools' drawings, each as it is, side by side in rows in the order given
    (that of the key), about ``SCHOOLS_ASPECT`` times as wide as high overall."""
    boxes = []
    for points in drawings:
        if not points:
            continue
        xs = [x for x, _ in points.values()]
        ys = [y for _, y in points.values()]
        left, top = min(xs), min(ys)
        boxes.append(
            (points, left, top, max(xs) - left + NODE_BOX[0], max(ys) - top + NODE_BOX[1])
        )
    if not boxes:
        return {}
    area = sum((w + SCHOOLS_GAP) * (h + SCHOOLS_GAP) for *_, w, h in boxes)
    row_width = max(math.sqrt(area * SCHOOLS_ASPECT), *(w for *_, w, _ in boxes))
    placed: dict[str, Point] = {}
    x = y = row_height = 0.0
    for points, left, top, width, height in boxes:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height + SCHOOLS_GAP, 0.0
        dx, dy = x - left + NODE_BOX[0] / 2, y - top + NODE_BOX[1] / 2
        for node_id, (px, py) in points.items():
            placed[node_id] = (round(px + dx, 2), round(py + dy, 2))
        x += width + SCHOOLS_GAP
        row_height = max(row_height, height)
    return placed


@dataclass
class AcrossData:
    """What the page shows, worked out off the GUI thread."""

    candidates: list[CandidateView] = field(default_factory=list)
    table: MappingTable = field(default_factory=MappingTable)
    school_of: dict[str, str] = field(default_factory=dict)
    joined: list[set[str]] = field(default_factory=list)
    places: list[AreaPlace] = field(default_factory=list)
    schools: dict[str, str] = field(default_factory=dict)  # URN → name, in order
    drawing: MappingTable = field(default_factory=MappingTable)  # drawing_table(table, joined)
    positions: dict[str, Point] = field(default_factory=dict)  # where the drawing's nodes go


def gather(workspace) -> AcrossData:
    """Candidates, the combined table (and its drawing) and the area's places, from the
    current submissions read and matched once."""
    found = chair.across_schools(workspace)
    table, school_of, joined = found.combined_table()
    return AcrossData(
        candidates=found.candidates(),
        table=table,
        school_of=school_of,
        joined=joined,
        places=found.area_places(),
        schools={s.urn: s.school for s in found.subs},
        drawing=drawing_table(table, joined),
        positions=combined_positions([school_drawing(s) for s in found.subs]),
    )


def same_drawing(data: AcrossData, before: AcrossData) -> AcrossData:
    """``data``, holding ``before``'s drawing and positions (the very objects) if they
    are equal to its own: the page then knows the diagram shown is still right. (Off
    the GUI thread: comparing thousands of records takes a while.)"""
    if (
        data.schools == before.schools
        and data.school_of == before.school_of
        and data.positions == before.positions
        and data.drawing == before.drawing
    ):
        data.drawing = before.drawing
        data.positions = before.positions
        data.schools = before.schools
    return data


class _Namer:
    """Names of records and words of reasons at the data level shown."""

    def __init__(self, table: MappingTable, level: DataLevel) -> None:
        self.table = table
        self.level = level
        self._scrub: NameScrubber | None = None

    def record(self, record_id: str, fallback: str) -> str:
        record = self.table.get(record_id)
        return display_name(record, self.level) if record is not None else fallback

    def text(self, text: str) -> str:
        if self.level == DataLevel.FULL:
            return text
        if self._scrub is None:
            self._scrub = NameScrubber(self.table)
        return self._scrub(text)


class CandidatesModel(TextRowsModel):
    """The candidate matches, best first."""

    KIND, DECISION, SCORE, RECORDS, REASONS, SCHOOLS = range(6)
    HEADERS: ClassVar[tuple[str, ...]] = ("Kind", "Decision", "Score", "Records", "Reasons", "Schools")
    WIDTHS: ClassVar[tuple[int, ...]] = (80, 110, 55, 380, 460, 200)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[CandidateView] = []
        self._namer = _Namer(MappingTable(), DataLevel.FULL)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self._texts[index.row()][column]
        if role == KeyRole:
            return row.key
        if role == SortRole:
            if column == self.SCORE:
                return row.score
            if column == self.SCHOOLS:
                return len(row.schools)
            return self._texts[index.row()][column].casefold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.REASONS:
                return "\n".join(self._namer.text(r) for r in row.reasons)
            if column == self.DECISION and row.note:
                return self._namer.text(row.note)
            if column == self.RECORDS:
                return self._texts[index.row()][column].replace("; ", "\n")
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.decision == chair.DISMISSED:
            return _GREY
        if role == Qt.ItemDataRole.BackgroundRole and row.decision == chair.CONFIRMED:
            return _CONFIRMED_BRUSH
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def set_candidates(self, rows: list[CandidateView], namer: _Namer) -> None:
        self._namer = namer
        texts = [self._texts_of(row) for row in rows]
        if self._rows and rows == self._rows and texts == self._texts:
            return  # gathered again, nothing changed: no reset (the view would lay out again)
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = texts
        self.endResetModel()

    def relevel(self, namer: _Namer) -> None:
        self._namer = namer
        self._texts = [self._texts_of(row) for row in self._rows]
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def replace(self, view: CandidateView) -> None:
        """One candidate decided (or its decision cleared): its row changes."""
        for n, row in enumerate(self._rows):
            if row.key == view.key:
                self._rows[n] = view
                self._texts[n] = self._texts_of(view)
                self.dataChanged.emit(self.index(n, 0), self.index(n, len(self.HEADERS) - 1))
                return

    def candidate_at(self, row: int) -> CandidateView:
        return self._rows[row]

    def row_of(self, key: str) -> int:
        return next((n for n, row in enumerate(self._rows) if row.key == key), -1)

    def candidates(self) -> list[CandidateView]:
        return list(self._rows)

    def clear(self) -> None:
        self.set_candidates([], _Namer(MappingTable(), DataLevel.FULL))

    def _texts_of(self, row: CandidateView) -> list[str]:
        decision = _translate(DECISION_WORDS.get(row.decision, "Undecided"))
        if row.inherited:
            decision += _translate(" (its pairs)")
        records = "; ".join(
            f"{m.code} {self._namer.record(m.record_id, m.label)}".strip() for m in row.members
        )
        return [
            _translate(KIND_WORDS.get(row.kind, row.kind.value)),
            decision,
            f"{row.score:.2f}",
            records,
            "; ".join(self._namer.text(r) for r in row.reasons),
            ", ".join(row.schools),
        ]


class CandidateFilter(QSortFilterProxyModel):
    """Only the candidates of one kind and one decision (None: any)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kind: Kind | None = None
        self.decision: str | None = "any"
        self.setSortRole(SortRole)

    def set_filter(self, kind: Kind | None, decision: str | None) -> None:
        """``decision``: "any", None (undecided), or a decision."""
        self.beginFilterChange()
        self.kind, self.decision = kind, decision
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        if not isinstance(model, CandidatesModel):
            return True
        row = model.candidate_at(source_row)
        if self.kind is not None and row.kind != self.kind:
            return False
        return self.decision == "any" or row.decision == self.decision


class AreaPlacesModel(TextRowsModel):
    """The area's places, most schools first, then the worst rated."""

    PLACE, SCHOOLS, RATING, KIND, POSTCODE, NAMED_BY, OTHER_NAMES = range(7)
    HEADERS: ClassVar[tuple[str, ...]] = (
        "Place", "Schools", "Worst rating", "Kind", "Postcode", "Named by", "Also called",
    )
    WIDTHS: ClassVar[tuple[int, ...]] = (260, 64, 100, 130, 84, 300, 240)
    # What a place is, how many name it and its worst rating stay in sight
    # (``ui.chair.columns``); the other names, often none, come last.
    FIT_THROUGH: ClassVar[int] = NAMED_BY
    ELASTIC: ClassVar[tuple[int, ...]] = (PLACE, KIND, NAMED_BY)
    WHOLE_IN_TOOLTIP: ClassVar[frozenset[int]] = frozenset((PLACE, KIND, NAMED_BY, OTHER_NAMES))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AreaPlace] = []

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == _DISPLAY:
            return self._texts[index.row()][index.column()]
        if index.column() == self.RATING and role == Qt.ItemDataRole.BackgroundRole:
            return RAG_BRUSHES.get(row.rating)
        if index.column() == self.RATING and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#1b1b1b"))
        if index.column() == self.SCHOOLS and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.schools > 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._texts[index.row()][index.column()]
            if index.column() == self.PLACE and row.keys:
                return text + "\n" + _translate("Confirmed by you as the same place")
            return self.whole_text(index)
        return None

    def set_places(self, places: list[AreaPlace], schools: dict[str, str]) -> None:
        texts = [
            [
                place.label,
                str(place.schools),
                place.rating.upper(),
                place.kind,
                place.postcode,
                ", ".join(schools.get(urn, urn) for urn in place.school_ids),
                ", ".join(place.labels[1:]),
            ]
            for place in places
        ]
        if self._rows and places == self._rows and texts == self._texts:
            return  # gathered again, nothing changed: no reset
        self.beginResetModel()
        self._rows = list(places)
        self._texts = texts
        self.endResetModel()

    def place_at(self, row: int) -> AreaPlace:
        return self._rows[row]

    def clear(self) -> None:
        self.set_places([], {})


def _swatch(colour: QColor, width: int, height: int, *, round_: bool = False) -> QPixmap:
    """A sample of ``colour`` for the key: a disc with a grey rim (a school's ring), or a
    plain bar."""
    key = (colour.rgba(), width, height, round_)
    pixmap = _SWATCHES.get(key)
    if pixmap is None:
        pixmap = _SWATCHES[key] = _make_swatch(colour, width, height, round_=round_)
    return pixmap


_SWATCHES: dict[tuple[int, int, int, bool], QPixmap] = {}


def _make_swatch(colour: QColor, width: int, height: int, *, round_: bool) -> QPixmap:
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent if round_ else colour)
    if round_:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#555555"), 1.0))
        painter.setBrush(colour)
        painter.drawEllipse(QRectF(0.5, 0.5, width - 1.0, height - 1.0))
        painter.end()
    return pixmap


class _KeyLayout(FlowLayout):
    """The flow layout, remembering its heights for widths and its minimum size until
    invalidated: Qt asks for them again and again as the page is laid out (even hidden,
    for the window's minimum size), and each answer walks every entry in Python, which
    a worker (the matching) then slows down, taking the interpreter between calls."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent, spacing)
        self._heights: dict[int, int] = {}
        self._minimum: QSize | None = None

    def invalidate(self) -> None:
        self._heights.clear()
        self._minimum = None
        super().invalidate()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt name
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt name
        if self._minimum is None:
            self._minimum = super().minimumSize()
        return QSize(self._minimum)


class SchoolKey(QWidget):
    """The key to the combined diagram: each school's ring colour, and the bar. Its entries
    wrap onto more rows rather than widen the window, however many schools there are."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = _KeyLayout(self, spacing=14)
        self._layout.setContentsMargins(4, 2, 4, 2)
        self.labels: list[QLabel] = []
        self._shown: list[tuple[str, str, int]] = []

    def set_schools(self, schools: dict[str, str], colours: dict[str, tuple[str, QColor]]) -> None:
        shown = [(urn, name, colours[urn][1].rgba()) for urn, name in schools.items()]
        if shown == self._shown:
            return  # (forty entries made again cost the window a few tens of ms)
        self._shown = shown
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.labels = []
        entries = []
        for urn, name in schools.items():
            colour_name, colour = colours[urn]
            swatch = QLabel()
            swatch.setFixedSize(16, 16)
            swatch.setPixmap(_swatch(colour, 16, 16, round_=True))  # (a style sheet each: slow)
            swatch.setAccessibleName(_translate("%s: ringed in %s") % (name, colour_name))
            entries.append(self._add(swatch, QLabel(name)))
        if schools:
            bar = QLabel()
            bar.setFixedSize(28, 7)
            bar.setPixmap(_swatch(QColor(SAME_HEX), 28, 7))
            entries.append(
                self._add(bar, QLabel(_translate("the same record in two schools, confirmed by you")))
            )
        # Shown together, then laid out once (shown one by one, each laid out all the rows again).
        self._layout.setEnabled(False)
        for entry in entries:
            entry.show()
        self._layout.setEnabled(True)
        self._layout.invalidate()
        self.updateGeometry()  # its height for its width has changed

    def _add(self, sample: QLabel, label: QLabel) -> QWidget:
        """One entry: its sample and its words, kept together on one row."""
        entry = QWidget(self)
        row = QHBoxLayout(entry)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(sample)
        row.addWidget(label)
        self._layout.addWidget(entry)
        self.labels.append(label)
        return entry


class AcrossSchoolsPage(QWidget):
    """Candidate matches, the combined diagram and the area's places."""

    changed = Signal()  # a decision was saved
    recordActivated = Signal(str, str)  # noqa: N815 - URN, record id: show it in its school
    refreshed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.setObjectName("acrossSchools")
        self.data = AcrossData()
        self.refresher = Refresher(self._job, self, name="saferyp-across")
        self.refresher.gathered.connect(self._gathered)
        self.refresher.failed.connect(self._gather_failed)
        self.refresher.busyChanged.connect(self._busy_changed)
        self._diagram_stale = True
        self.diagram = None  # the SpiderDiagramView, once its tab is opened
        # What the diagram was last asked to draw (the drawing, its positions, the schools
        # in order): drawn again only when that changes.
        self._diagram_shows: tuple[object, ...] | None = None
        self._dragged: dict[str, Point] = {}  # nodes the chair dragged (until the page clears)
        # The drawing asked for, started once the tab has painted (see _refresh_diagram).
        self._to_draw: tuple[MappingTable, dict[str, Point]] | None = None
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(0)
        self._draw_timer.timeout.connect(self._draw)
        self._note_shown: tuple[str | None, str] = (None, "")  # candidate key, its saved note

        title = QLabel(self.tr("Across schools"), self)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("acrossStatus")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.status_label)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_candidates(), self.tr("Candidate matches"))
        self.diagram_page = QWidget(self.tabs)
        diagram_layout = QVBoxLayout(self.diagram_page)
        diagram_layout.setContentsMargins(0, 0, 0, 0)
        self.school_key = SchoolKey(self.diagram_page)
        diagram_layout.addWidget(self.school_key)
        self.tabs.addTab(self.diagram_page, self.tr("Combined diagram"))
        self.tabs.addTab(self._build_places(), self.tr("Places in the area"))
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    # -- building --------------------------------------------------------------------------
    def _build_candidates(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            self.tr("Records from different schools that may be the same place, adult, group "
                    "or young person. Confirm the ones that are, dismiss the ones that are not: "
                    "nothing is merged, and a school's records stay as it sent them."),
            page,
        )
        intro.setWordWrap(True)
        self.kind_filter = QComboBox(page)
        self.kind_filter.setAccessibleName(self.tr("Show candidates of kind"))
        self.kind_filter.addItem(self.tr("All kinds"), None)
        for kind, words in KIND_WORDS.items():
            self.kind_filter.addItem(self.tr(words), kind)
        self.decision_filter = QComboBox(page)
        self.decision_filter.setAccessibleName(self.tr("Show candidates with decision"))
        for text, value in (
            (self.tr("Any decision"), "any"),
            (self.tr("Undecided"), None),
            (self.tr("Confirmed"), chair.CONFIRMED),
            (self.tr("Dismissed"), chair.DISMISSED),
        ):
            self.decision_filter.addItem(text, value)
        self.count_label = QLabel(page)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Show:"), page))
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.decision_filter)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.candidates_model = CandidatesModel(self)
        self.candidates_proxy = CandidateFilter(self)
        self.candidates_proxy.setSourceModel(self.candidates_model)
        self.candidates_view = QTableView(page)
        self.candidates_view.setObjectName("candidatesTable")
        self.candidates_view.setAccessibleName(self.tr("Candidate matches"))
        self.candidates_view.setModel(self.candidates_proxy)
        self.candidates_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.candidates_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.candidates_view.setWordWrap(False)
        self.candidates_view.setAlternatingRowColors(True)
        self.candidates_view.verticalHeader().hide()
        self.candidates_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate(CandidatesModel.WIDTHS):
            self.candidates_view.setColumnWidth(column, width)
        self.candidates_view.setSortingEnabled(True)
        self.candidates_view.sortByColumn(CandidatesModel.SCORE, Qt.SortOrder.DescendingOrder)

        self.note_edit = QLineEdit(page)
        self.note_edit.setPlaceholderText(self.tr("Note on the decision (optional)"))
        self.note_edit.setAccessibleName(self.tr("Note on the decision"))
        self.confirm_button = QPushButton(self.tr("Confirm: the same"), page)
        self.confirm_button.setAccessibleName(self.tr("Confirm the match"))
        self.confirm_button.setToolTip(self.tr("These records are the same (Ctrl+Shift+C)"))
        self.dismiss_button = QPushButton(self.tr("Dismiss: not the same"), page)
        self.dismiss_button.setAccessibleName(self.tr("Dismiss the match"))
        self.dismiss_button.setToolTip(self.tr("These records are not the same (Ctrl+Shift+D)"))
        self.clear_button = QPushButton(self.tr("Clear the decision"), page)
        self.clear_button.setAccessibleName(self.tr("Clear the decision"))
        self.clear_button.setToolTip(self.tr("Take the decision back: undecided again"))
        self.show_button = QPushButton(self.tr("Show in its school…"), page)
        self.show_button.setAccessibleName(self.tr("Show the first record in its school"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.note_edit, 1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.show_button)

        # The selected candidate in full: every reason and the chair's note, word-wrapped,
        # scrolling when long (never cut off).
        self.reasons_label = QLabel(page)
        self.reasons_label.setObjectName("candidateReasons")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reasons_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.reasons_label.setContentsMargins(2, 2, 2, 2)
        self.detail_scroll = QScrollArea(page)
        self.detail_scroll.setObjectName("candidateDetail")
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setWidget(self.reasons_label)
        self.detail_scroll.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(filters)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.addWidget(self.candidates_view)
        splitter.addWidget(self.detail_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        lines = self.fontMetrics().lineSpacing()
        splitter.setSizes([lines * 26, lines * 7])  # about seven lines of detail to begin with
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.kind_filter.currentIndexChanged.connect(self._filters_changed)
        self.decision_filter.currentIndexChanged.connect(self._filters_changed)
        self.candidates_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.candidates_view.activated.connect(lambda _index: self.show_selected())
        self.confirm_button.clicked.connect(lambda: self.decide(chair.CONFIRMED))
        self.dismiss_button.clicked.connect(lambda: self.decide(chair.DISMISSED))
        self.clear_button.clicked.connect(self.clear_decision)
        self.show_button.clicked.connect(self.show_selected)
        self._update_buttons()
        return page

    def _build_places(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            self.tr("Every place the schools name — the ones you confirmed as the same counted "
                    "once — by how many schools name it, then the worst safety rating any gave."),
            page,
        )
        intro.setWordWrap(True)
        self.places_model = AreaPlacesModel(self)
        self.places_view = QTableView(page)
        self.places_view.setObjectName("placesTable")
        self.places_view.setAccessibleName(self.tr("Places in the area"))
        self.places_view.setModel(self.places_model)
        self.places_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.places_view.setWordWrap(False)
        self.places_view.setAlternatingRowColors(True)
        self.places_view.verticalHeader().hide()
        self.places_columns = FittedColumns(
            self.places_view, AreaPlacesModel.WIDTHS,
            fit_through=AreaPlacesModel.FIT_THROUGH, elastic=AreaPlacesModel.ELASTIC,
        )
        self.places_view.activated.connect(self._place_activated)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.places_view, 1)
        return page

    # -- refreshing (off the GUI thread) ----------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.refresher.busy

    def refresh(self) -> None:
        """Work out the candidates, the combined table and the places again (off the GUI
        thread)."""
        self.refresher.refresh()

    def _job(self):
        if self.session is None:
            return None
        workspace = self.session.workspace
        before = self.data
        return lambda: same_drawing(gather(workspace), before)

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self.status_label.setText(self.tr("Working out the matches…"))
        self._update_buttons()
        if not busy:
            self.refreshed.emit()

    def _gathered(self, data: AcrossData) -> None:
        if self.session is None:
            return
        self.data = data
        self._show_data()

    def _gather_failed(self, error: BaseException) -> None:
        self.status_label.setText(error_sentence(error))

    def _namer(self) -> _Namer:
        level = self.session.level if self.session is not None else DataLevel.FULL
        return _Namer(self.data.table, level)

    def _show_data(self) -> None:
        data = self.data
        chosen = self.selected_key()
        self.candidates_model.set_candidates(data.candidates, self._namer())
        if chosen is not None:
            self.select_candidate(chosen)
        self.places_model.set_places(data.places, data.schools)
        decided = sum(1 for c in data.candidates if c.decision is not None)
        confirmed = sum(1 for c in data.candidates if c.confirmed)
        self.status_label.setText(
            self.tr("%d schools · %d candidates · %d confirmed · %d undecided")
            % (len(data.schools), len(data.candidates), confirmed, len(data.candidates) - decided)
        )
        self._update_count()
        self._diagram_stale = True
        if self.tabs.currentWidget() is self.diagram_page:
            self._refresh_diagram()
        self._selection_changed()

    def on_presentation_changed(self, _on: bool) -> None:
        self.candidates_model.relevel(self._namer())
        self._note_shown = (None, "")  # a note being typed may name people: shown again as saved
        self._selection_changed()
        if self.diagram is not None and self.session is not None:
            self.diagram.set_presentation(self.session.presentation)

    # -- candidates ---------------------------------------------------------------------------------
    def selected_key(self) -> str | None:
        rows = self.candidates_view.selectionModel().selectedRows()
        return rows[0].data(KeyRole) if rows else None

    def selected_candidate(self) -> CandidateView | None:
        key = self.selected_key()
        row = self.candidates_model.row_of(key) if key else -1
        return self.candidates_model.candidate_at(row) if row >= 0 else None

    def select_candidate(self, key: str) -> bool:
        row = self.candidates_model.row_of(key)
        if row < 0:
            return False
        index = self.candidates_proxy.mapFromSource(self.candidates_model.index(row, 0))
        if not index.isValid():
            return False
        self.candidates_view.selectRow(index.row())
        return True

    def decide(self, decision: str) -> None:
        """Confirm or dismiss the selected candidate (with the note typed, if any)."""
        candidate = self.selected_candidate()
        if candidate is None or self.session is None or self.busy:
            return
        # In presentation mode the box shows the note without names: keep the saved one.
        note = candidate.note if self.note_edit.isReadOnly() else self.note_edit.text()
        try:
            view = chair.decide(self.session.workspace, candidate.key, decision, note)
        except SaferypError as error:
            dialogs().error(self, self.tr("Decision not saved"), error.message)
            return
        self._decided(view)

    def clear_decision(self) -> None:
        """Take the decision on the selected candidate back: undecided again."""
        candidate = self.selected_candidate()
        if candidate is None or self.session is None or self.busy or candidate.decision is None:
            return
        try:
            view = chair.clear_decision(self.session.workspace, candidate.key)
        except SaferypError as error:
            dialogs().error(self, self.tr("Decision not cleared"), error.message)
            return
        self._decided(view)

    def _decided(self, view: CandidateView) -> None:
        self.candidates_model.replace(view)
        self.select_candidate(view.key)
        self._note_shown = (None, "")
        self._selection_changed()  # its decision and its note, as saved
        self.changed.emit()
        self.refresh()  # the combined diagram and the places follow the decision

    def show_selected(self) -> None:
        candidate = self.selected_candidate()
        if candidate is not None and candidate.members:
            member = candidate.members[0]
            self.recordActivated.emit(member.urn, member.record_id)

    def _filters_changed(self) -> None:
        self.candidates_proxy.set_filter(
            self.kind_filter.currentData(), self.decision_filter.currentData()
        )
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(
            self.tr("%d of %d shown")
            % (self.candidates_proxy.rowCount(), self.candidates_model.rowCount())
        )

    def _selection_changed(self, *_args: object) -> None:
        candidate = self.selected_candidate()
        if candidate is None:
            self.reasons_label.setText(
                self.tr("Select a candidate to see why it may be the same, and decide.")
                if self.candidates_model.rowCount()
                else self.tr("No candidate matches: open at least two schools' bundles.")
            )
        else:
            namer = self._namer()
            lines = [
                f"<b>{self.tr(KIND_WORDS.get(candidate.kind, ''))}</b> · "
                + self.tr("score %.2f") % candidate.score
                + " · " + self.tr(DECISION_WORDS.get(candidate.decision, "Undecided"))
            ]
            for member in candidate.members:
                lines.append(
                    f"{_escape(member.school)}: {member.code} "
                    f"{_escape(namer.record(member.record_id, member.label))}"
                )
            lines.append(self.tr("Why: ") + _escape("; ".join(namer.text(r) for r in candidate.reasons)))
            if candidate.note:
                lines.append(self.tr("Your note: ") + _escape(namer.text(candidate.note)))
            self.reasons_label.setText("<br>".join(lines))
        self._show_note(candidate)
        self._update_buttons()

    def _show_note(self, candidate: CandidateView | None) -> None:
        """The note box shows the selected candidate's saved note (without names in
        presentation mode, where it cannot be edited). What the chair is typing stays while
        the same candidate, with the same saved note, stays selected."""
        key, saved = (candidate.key, candidate.note) if candidate is not None else (None, "")
        hidden = self._namer().level != DataLevel.FULL
        if (key, saved) != self._note_shown:
            self.note_edit.setText(self._namer().text(saved) if hidden else saved)
        self._note_shown = (key, saved)
        self.note_edit.setReadOnly(hidden)
        self.note_edit.setPlaceholderText(
            self.tr("Notes are not edited in presentation mode") if hidden
            else self.tr("Note on the decision (optional)")
        )

    def _update_buttons(self) -> None:
        candidate = self.selected_candidate()
        live = self.session is not None and candidate is not None and not self.busy
        self.confirm_button.setEnabled(live and candidate.decision != chair.CONFIRMED)
        self.dismiss_button.setEnabled(live and candidate.decision != chair.DISMISSED)
        self.clear_button.setEnabled(live and candidate.decision is not None)
        self.show_button.setEnabled(live)

    # -- places -------------------------------------------------------------------------------------
    def _place_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            place = self.places_model.place_at(index.row())
            if place.members:
                urn, record_id = place.members[0]
                self.recordActivated.emit(urn, record_id)

    # -- the combined diagram ------------------------------------------------------------------------
    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.diagram_page and self._diagram_stale:
            self._refresh_diagram()

    def _refresh_diagram(self) -> None:
        if self.session is None:
            return
        if self.diagram is None:
            from saferyp_desktop.ui.diagram import SpiderDiagramView

            view = SpiderDiagramView(self.diagram_page, profile=self.session.profile)
            view.setObjectName("combinedDiagram")
            view.recordActivated.connect(self._diagram_record_activated)
            view.set_save_positions(self._combined_dragged)
            view.set_presentation(self.session.presentation)
            self.diagram_page.layout().addWidget(view, 1)
            view.show()
            self.diagram_page.layout().activate()
            self.diagram = view
        data = self.data
        self._diagram_stale = False
        shows = (data.drawing, data.positions, data.schools)
        if self._diagram_shows is not None and all(
            a is b for a, b in zip(shows, self._diagram_shows, strict=True)
        ):
            return  # gathered again, and the same: the drawing shown stays
        self._diagram_shows = shows
        colours = school_colours(list(data.schools))
        self.school_key.set_schools(data.schools, colours)
        ring_by_school = {urn: colour for urn, (_name, colour) in colours.items()}
        school_of = data.school_of

        def ring_of(record_id: str) -> QColor | None:  # (no table of thousands made first)
            return ring_by_school.get(school_of.get(record_id, ""))
        bar = QPen(QColor(SAME_HEX), 7.0)
        bar.setCapStyle(Qt.PenCapStyle.RoundCap)
        same_words = self.tr("same")

        def edge_style(edge: DiagramEdge) -> tuple[QPen, str] | None:
            return (bar, same_words) if edge.id.startswith(JOINED_PREFIX) else None

        # Only the new drawing takes the style: restyling the old one's thousands of items
        # first, to be replaced at once, held the window.
        self.diagram.set_combined_style(ring_of, edge_style, now=False)
        pinned = dict(data.positions)
        pinned.update((n, where) for n, where in self._dragged.items() if n in pinned)
        # Started after the tab's first painting: its layout worker, started at once, raced
        # that painting (the key's layout calls into Python many times) for the interpreter.
        self._to_draw = (data.drawing, pinned)
        self._draw_timer.start()

    def _draw(self) -> None:
        if self._to_draw is not None and self.diagram is not None:
            drawing, pinned = self._to_draw
            self._to_draw = None
            self.diagram.refresh(drawing, pinned=pinned)

    def _combined_dragged(self, pinned: dict[str, Point]) -> None:
        """The chair dragged nodes: they stay where dropped when the diagram is drawn again
        (for this page's life: nothing is saved)."""
        drawn = self.data.positions
        self._dragged = {n: where for n, where in pinned.items() if drawn.get(n) != where}

    def _diagram_record_activated(self, record_id: str) -> None:
        urn = self.data.school_of.get(record_id)
        if urn is not None:
            self.recordActivated.emit(urn, record_id)

    def focus_filter(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.kind_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- locking ------------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything shown (the workspace is locking)."""
        self.session = None
        self.refresher.stop()
        self.data = AcrossData()
        self.candidates_model.clear()
        self.places_model.clear()
        self.reasons_label.clear()
        self.note_edit.clear()
        self._note_shown = (None, "")
        self.status_label.clear()
        self._diagram_shows = None
        self._dragged = {}
        self._to_draw = None
        self._draw_timer.stop()
        if self.diagram is not None:
            self.diagram.refresh(MappingTable(), pinned={})
        self.school_key.set_schools({}, {})
        self._update_buttons()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

