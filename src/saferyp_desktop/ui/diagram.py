"""The spider diagram: a scene that mirrors the mapping table, and the view around it.

Positions come from :func:`saferyp_desktop.domain.diagram.layout` only (the PDF
briefing uses it too). The scene draws one item per node and every edge in one layer
item (thousands of edge items would make panning the large demo slow); the view adds
the toolbar (zoom, fit, filters, export, key), level of detail and presentation mode.

Nothing here writes a workspace: a dragged node's new position goes to the
``save_positions`` callback, which the main window wires to
``Workspace.save_diagram_positions``.
"""

from __future__ import annotations

import contextlib
import gc
import math
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QLineF,
    QObject,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QGraphicsDropShadowEffect,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QMenu,
    QStyle,
    QStyleOptionGraphicsItem,
    QToolBar,
    QToolButton,
    QWidget,
)

from saferyp_desktop.domain.diagram import (
    LANE_SPACING,
    MEMBERSHIP_EDGE_HEX,
    NODE_FILL_HEX,
    NODE_TYPE_TITLES,
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
from saferyp_desktop.domain.levels import LEVEL_TITLES, DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import Profile, load_profile
from saferyp_desktop.domain.records import Confidence, Rag, Relation
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.services.files import save_file
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.tasks import Task, TaskContext

Point = tuple[float, float]
PositionSaver = Callable[[dict[str, Point]], None]
# Hooks for a combined diagram (the chair's, across schools): a record id → the colour of
# the ring drawn around its node (None: no ring); an edge → its own pen and words (None:
# the usual ones).
NodeColour = Callable[[str], "QColor | None"]
EdgeStyle = Callable[["DiagramEdge"], "tuple[QPen, str] | None"]
# (caption, suggested file name, name filter) → the chosen path, or None if cancelled
ExportPathChooser = Callable[[str, str, str], "str | Path | None"]

_CONTEXT = "SpiderDiagram"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


NODE_TYPE_NAMES = {
    NodeType.YOUNG_PERSON: "Young person",
    NodeType.ADULT: "Adult",
    NodeType.PEER_GROUP: "Peer group",
    NodeType.LOCATION: "Location",
    NodeType.ONLINE_CONTEXT: "Online context",
    NodeType.STRENGTH: "Strength",
}

NODE_FILLS = {kind: QColor(hex_) for kind, hex_ in NODE_FILL_HEX.items()}
RAG_FILLS = {rating: QColor(hex_) for rating, hex_ in RAG_FILL_HEX.items()}
RELATION_COLOURS = {relation: QColor(hex_) for relation, hex_ in RELATION_HEX.items()}
STRENGTH_EDGE_COLOUR = QColor(STRENGTH_EDGE_HEX)
MEMBERSHIP_EDGE_COLOUR = QColor(MEMBERSHIP_EDGE_HEX)
CONFIDENCE_STYLES = {
    Confidence.CONFIRMED.value: Qt.PenStyle.SolidLine,
    Confidence.SUSPECTED.value: Qt.PenStyle.DashLine,
    Confidence.UNCONFIRMED.value: Qt.PenStyle.DotLine,
}

# Qt enum members looked up once: thousands of items are made at a time.
_DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
_NO_BUTTON = Qt.MouseButton.NoButton
_NODE_FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
)
_POINTING = Qt.CursorShape.PointingHandCursor
_CENTRED = Qt.AlignmentFlag.AlignCenter
_NO_PEN = Qt.PenStyle.NoPen
_ANTIALIASING = QPainter.RenderHint.Antialiasing

EDGE_WIDTH = 2.0
DIM_OPACITY = 0.12
NODE_LABEL_MIN_ZOOM = 0.35  # below this scale node labels are hidden
EDGE_LABEL_MIN_ZOOM = 1.2  # below this, only the selected nodes' edges are labelled
ANTIALIAS_MIN_ZOOM = 0.3  # below this, lines are drawn without antialiasing (speed)
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.03, 6.0, 1.25
FIT_MAX_ZOOM = 1.5
EXPORT_MAX_SIDE = 4000  # pixels; a large diagram is exported smaller, not truncated
RING_SCALE = 1.5  # a ring is the node's shape drawn this much larger behind it (as printed)
BACKGROUND_LAYOUT_NODES = 400  # lay out off the GUI thread from this many records
BUILD_SLICE_SECONDS = 0.02  # a large drawing is made in slices this long, between events
PLACING_BATCH = 300  # items put in the scene between two paintings
PLACING_BAND = 600.0  # nodes are put in the scene a band this high at a time, top to bottom
REMOVING_BATCH = 1500  # items of the old drawing taken out of the scene between two paintings
SLICED_BUILD_NODES = 100  # a drawing of this many nodes is made in slices, however laid out
LABELS_AT_ONCE = 500  # more edge labels than this are made a slice at a time
FREED_PER_STEP = 200  # objects of an old drawing let go of at a time
REGROUP_STEP = 500  # edges grouped by pen at a time


# -- shapes ------------------------------------------------------------------------


def _polygon(points: Iterable[Point]) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
    path.closeSubpath()
    return path


def _regular(
    count: int, radius: float, inner: float | None = None, turn: float = -90
) -> list[Point]:
    points = []
    steps = count * 2 if inner else count
    for i in range(steps):
        r = radius if (inner is None or i % 2 == 0) else inner
        angle = math.radians(turn + 360 * i / steps)
        points.append((r * math.cos(angle), r * math.sin(angle)))
    return points


def _cloud() -> QPainterPath:
    path = QPainterPath()
    for cx, cy, r in ((-12, 3, 10), (0, -5, 13), (13, 2, 10), (-3, 6, 10), (6, 7, 9)):
        path.addEllipse(QPointF(cx, cy), r, r)
    base = QPainterPath()
    base.addRoundedRect(QRectF(-21, 1, 42, 15), 7, 7)
    return path.united(base).simplified()


def node_shape(node_type: NodeType) -> QPainterPath:
    """The outline a node type is drawn with, centred on (0, 0), about 36 across."""
    shape = _SHAPES.get(node_type)
    if shape is None:
        shape = _SHAPES[node_type] = _make_shape(node_type)
    return shape


_SHAPES: dict[NodeType, QPainterPath] = {}


def _make_shape(node_type: NodeType) -> QPainterPath:
    if node_type == NodeType.YOUNG_PERSON:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), 17, 17)
        return path
    if node_type == NodeType.ADULT:
        return _polygon([(0, -21), (21, 0), (0, 21), (-21, 0)])
    if node_type == NodeType.PEER_GROUP:
        return _polygon(_regular(6, 19, turn=0))
    if node_type == NodeType.LOCATION:
        path = QPainterPath()
        path.addRect(QRectF(-16, -16, 32, 32))
        return path
    if node_type == NodeType.ONLINE_CONTEXT:
        return _cloud()
    return _polygon(_regular(5, 21, inner=9))


def node_fill(node: DiagramNode) -> QColor:
    if node.rating is not None:
        return RAG_FILLS.get(node.rating, RAG_FILLS[Rag.AMBER.value])
    return NODE_FILLS[node.node_type]


def edge_colour(edge: DiagramEdge, text: QColor) -> QColor:
    if edge.kind == EdgeKind.STRENGTH:
        return STRENGTH_EDGE_COLOUR
    if edge.kind == EdgeKind.MEMBERSHIP:
        return MEMBERSHIP_EDGE_COLOUR
    colour = RELATION_COLOURS.get(edge.relation)
    if colour is not None:
        return colour
    neutral = QColor(text)
    neutral.setAlphaF(0.55)
    return neutral


def edge_pen(edge: DiagramEdge, text: QColor) -> QPen:
    """Solid when confirmed, dashed when suspected, dotted when unconfirmed."""
    key = (edge.kind, edge.relation, edge.confidence, text.rgba())
    pen = _PENS.get(key)
    if pen is None:
        pen = _PENS[key] = _make_edge_pen(edge, text)
    return pen


_PENS: dict[tuple[str, str, str, int], QPen] = {}


def _make_edge_pen(edge: DiagramEdge, text: QColor) -> QPen:
    pen = QPen(edge_colour(edge, text), EDGE_WIDTH)
    pen.setStyle(CONFIDENCE_STYLES.get(edge.confidence, Qt.PenStyle.DotLine))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if edge.kind == EdgeKind.MEMBERSHIP:
        pen.setWidthF(1.4)
    return pen


# -- items ---------------------------------------------------------------------------


class LabelItem(QGraphicsItem):
    """Centred text on a faint backing, so it stays readable over edges."""

    def __init__(self, text: str, font: QFont, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._font = font
        self._metrics = QFontMetricsF(font)
        self._text = ""
        self._rect = QRectF()
        self.text_colour = QColor(0, 0, 0)
        self.backing = QColor(255, 255, 255, 190)
        self.setCacheMode(_DEVICE_CACHE)
        self.setAcceptedMouseButtons(_NO_BUTTON)
        self.set_text(text)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text == self._text and not self._rect.isNull():
            return
        self.prepareGeometryChange()
        self._text = text
        lines = text.split("\n") if text else [""]
        width = max(self._metrics.horizontalAdvance(line) for line in lines) + 6
        height = self._metrics.lineSpacing() * len(lines) + 2
        self._rect = QRectF(-width / 2, 0, width, height)
        self.update()

    def set_colours(self, text: QColor, backing: QColor) -> None:
        self.text_colour = QColor(text)
        self.backing = QColor(backing)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._rect

    def paint(self, painter: QPainter, option: object, widget: QWidget | None = None) -> None:
        if not self._text:
            return
        if self.backing.alpha():
            painter.setPen(_NO_PEN)
            painter.setBrush(self.backing)
            painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(self._font)
        painter.setPen(self.text_colour)
        painter.drawText(self._rect, _CENTRED, self._text)


class NodeItem(QGraphicsPathItem):
    """One record: its shape, its label below, and (for places) its rating's letter."""

    def __init__(self, node: DiagramNode, label_font: QFont, letter_font: QFont) -> None:
        super().__init__(node_shape(node.node_type))
        self.node = node
        self.record_id = node.id
        self.edges: list[DrawnEdge] = []
        self.setFlags(_NODE_FLAGS)
        self.setCacheMode(_DEVICE_CACHE)
        self.setZValue(2)
        self.setCursor(_POINTING)
        self.setBrush(node_fill(node))
        self.label = LabelItem("", label_font, self)
        self.label.setPos(0, self.path().boundingRect().bottom() + 2)
        self.ring: QGraphicsPathItem | None = None
        self.letter: LabelItem | None = None
        if node.rating is not None:
            # The rating as a letter as well as a colour: for colour-blind readers and grey prints.
            self.letter = LabelItem(RAG_LETTERS.get(node.rating, ""), letter_font, self)
            self.letter.backing = QColor(0, 0, 0, 0)
            lower = 3 if node.node_type == NodeType.ONLINE_CONTEXT else 0
            self.letter.setPos(0, lower - self.letter.boundingRect().height() / 2)
        self.setPos(node.x, node.y)

    @property
    def high_concern(self) -> bool:
        return self.node.concern_level == "high"

    def set_ring(self, colour: QColor | None) -> None:
        """A ring of ``colour`` around the node (its shape, larger, behind it); None: none."""
        if colour is None:
            if self.ring is not None:
                self.ring.setParentItem(None)
                if self.scene() is not None:
                    self.scene().removeItem(self.ring)
                self.ring = None
            return
        if self.ring is None:
            shape = QPainterPath(node_shape(self.node.node_type))
            ring = QGraphicsPathItem(
                QTransform.fromScale(RING_SCALE, RING_SCALE).map(shape), self
            )
            ring.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
            ring.setPen(QPen(_NO_PEN))
            ring.setAcceptedMouseButtons(_NO_BUTTON)
            self.ring = ring
        self.ring.setBrush(QColor(colour))

    def restyle(self, text: QColor, base: QColor, highlight: QColor) -> None:
        chosen = self.isSelected()
        outline = QColor(highlight) if chosen else node_fill(self.node).darker(175)
        pen = QPen(outline, 4.0 if chosen or self.high_concern else 1.5)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.setPen(pen)
        # A glow in the highlight colour marks the selection even on a fill of that colour.
        if chosen and self.graphicsEffect() is None:
            glow = QGraphicsDropShadowEffect()
            glow.setOffset(0, 0)
            glow.setBlurRadius(22)
            glow.setColor(highlight)
            self.setGraphicsEffect(glow)
        elif not chosen and self.graphicsEffect() is not None:
            self.setGraphicsEffect(None)
        backing = QColor(base)
        backing.setAlpha(200)
        self.label.set_colours(text, backing)
        if self.letter is not None:
            self.letter.set_colours(QColor("#1b1b1b"), QColor(0, 0, 0, 0))

    def mouseMoveEvent(self, event: object) -> None:  # noqa: N802
        # Qt moves every selected node; their edges follow. (Not itemChange: that
        # would call into Python for every change to every item while building.)
        super().mouseMoveEvent(event)
        scene = self.scene()
        if isinstance(scene, SpiderDiagramScene):
            scene.nodes_moving()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        # Selection shows as the outline and the dimming of the rest, not Qt's dashed box.
        option.state &= ~QStyle.StateFlag.State_Selected
        super().paint(painter, option, widget)

    def mouseDoubleClickEvent(self, event: object) -> None:  # noqa: N802
        scene = self.scene()
        if isinstance(scene, SpiderDiagramScene):
            scene.recordActivated.emit(self.record_id)

    def mouseReleaseEvent(self, event: object) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        scene = self.scene()
        if isinstance(scene, SpiderDiagramScene):
            scene.nodes_released()


class DrawnEdge:
    """One edge as drawn: its pen, whether it is dimmed, its label once one is needed."""

    __slots__ = ("a", "b", "dimmed", "edge", "label", "pen", "shape", "slot")

    def __init__(self, edge: DiagramEdge, a: NodeItem, b: NodeItem, pen: QPen) -> None:
        self.edge = edge
        self.a = a
        self.b = b
        self.pen = pen
        self.dimmed = False
        self.label: LabelItem | None = None
        # Where the layer keeps this edge's line or curve, so a drag can replace it alone.
        self.slot: tuple[list, int] | None = None
        self.shape: QLineF | QPainterPath | None = None  # kept until an end moves

    def touches(self, record_ids: set[str]) -> bool:
        return self.edge.a_id in record_ids or self.edge.b_id in record_ids

    def geometry(self) -> tuple[QLineF | QPainterPath, QPointF]:
        """A straight line, or a bowed curve for a second or third edge between one pair,
        and the point its label sits on."""
        start = self.a.pos()
        end = self.b.pos()
        if not self.edge.lane:
            return QLineF(start, end), (start + end) / 2
        dx, dy = end.x() - start.x(), end.y() - start.y()
        length = math.hypot(dx, dy) or 1.0
        bow = 2 * LANE_SPACING * self.edge.lane
        middle = (start + end) / 2
        control = QPointF(middle.x() - dy / length * bow, middle.y() + dx / length * bow)
        path = QPainterPath(start)
        path.quadTo(control, end)
        return path, (start + control * 2 + end) / 4


class EdgeLayer(QGraphicsItem):
    """Every edge, drawn in one pass, grouped by pen.

    Thousands of separate line items would each cost several calls between Qt and
    Python on every repaint, so one layer draws them all. Its device-coordinate cache
    covers the visible part only, and Qt scrolls it when the view is panned, so a pan
    draws just the strip that comes into view. Zoomed out, edges are drawn with
    opaque one-pixel cosmetic pens, which Qt draws fastest.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # The exposed rectangle comes with each paint, so only that part is drawn.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.edges: list[DrawnEdge] = []
        self._nodes: list[NodeItem] = []
        self._groups: list[tuple[QPen, QPen, list[QLineF], list[QPainterPath]]] = []
        self._faint: list[bool] = []
        self._dirty = True
        self._rect = QRectF()
        self.background = QColor(255, 255, 255)
        self.dragging = False
        self.setZValue(0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_edges(self, edges: list[DrawnEdge], nodes: list[NodeItem]) -> None:
        self.edges = edges
        self._nodes = nodes
        self.changed(moved=True)

    def changed(self, *, moved: bool = False) -> None:
        """Something was restyled, or (``moved``) nodes moved: regroup before the next paint."""
        self._dirty = True
        if moved:
            self.moved(())
        else:
            self.update()

    def _bounds(self) -> QRectF:
        if not self.edges:
            return QRectF()
        points = [item.pos() for item in self._nodes if item.edges]
        xs = [p.x() for p in points]
        ys = [p.y() for p in points]
        margin = LANE_SPACING * 6 + EDGE_WIDTH
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(
            -margin, -margin, margin, margin
        )

    def set_background(self, colour: QColor) -> None:
        """The colour behind the edges, which faint and dimmed edges are mixed with."""
        self.background = QColor(colour)
        self.changed()

    def _regroup(self) -> None:
        for _ in self.regroup_steps():
            pass

    def regroup_steps(self) -> Iterator[bool]:
        """Group the edges by pen, yielding (False) every few hundred edges: a drawing
        being made does it a slice at a time."""
        groups: dict[
            tuple[int, int, float, bool], tuple[QPen, QPen, list[QLineF], list[QPainterPath]]
        ] = {}
        # Edges share a few pen objects: each (pen, dimmed) pair finds its group once.
        by_pen: dict[tuple[int, bool], list[list]] = {}
        for count, drawn in enumerate(self.edges, 1):
            if count % REGROUP_STEP == 0:
                yield False
            found = by_pen.get((id(drawn.pen), drawn.dimmed))
            if found is None:
                group = self._group_for(drawn.pen, drawn.dimmed, groups)
                found = by_pen[(id(drawn.pen), drawn.dimmed)] = [group[2], group[3]]
            if drawn.shape is None:
                drawn.shape = drawn.geometry()[0]
            shape = drawn.shape
            shapes = found[0] if isinstance(shape, QLineF) else found[1]
            drawn.slot = (shapes, len(shapes))
            shapes.append(shape)
        # Dimmed edges first, so the lit ones are drawn over them.
        order = sorted(groups, key=lambda k: (not k[3], k))
        self._groups = [groups[key] for key in order]
        self._faint = [key[3] for key in order]
        self._dirty = False

    def _group_for(
        self,
        own: QPen,
        dimmed: bool,
        groups: dict[
            tuple[int, int, float, bool], tuple[QPen, QPen, list[QLineF], list[QPainterPath]]
        ],
    ) -> tuple[QPen, QPen, list[QLineF], list[QPainterPath]]:
        pen = QPen(own)
        if dimmed or pen.color().alpha() < 255:  # as it would show over the background
            pen.setColor(_mixed(pen.color(), DIM_OPACITY if dimmed else 1.0, self.background))
        key = (pen.color().rgba(), pen.style().value, pen.widthF(), dimmed)
        group = groups.get(key)
        if group is None:
            thin = QPen(pen)
            thin.setCosmetic(True)
            thin.setWidthF(1.0)
            # Zoomed out, lines crowd: paler, so the nodes show.
            thin.setColor(_mixed(thin.color(), 0.6, self.background))
            group = groups[key] = (pen, thin, [], [])
        return group

    def moved(self, edges: Collection[DrawnEdge]) -> None:
        """Nodes at the ends of ``edges`` moved: redraw those edges only."""
        for drawn in edges:
            drawn.shape = None
        if not self._dirty:
            for drawn in edges:
                if drawn.slot is not None:
                    shapes, index = drawn.slot
                    drawn.shape = shapes[index] = drawn.geometry()[0]
        rect = self._bounds()
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._dirty:
            self._regroup()
        scale = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        thin = scale * EDGE_WIDTH < 1.2
        smooth = painter.testRenderHint(_ANTIALIASING)  # not while dragging: keep up with the mouse
        painter.setBrush(Qt.BrushStyle.NoBrush)
        exposed = _within_device(painter, option.exposedRect)
        whole = exposed.isEmpty() or exposed.contains(self._rect)
        margin = 2 * EDGE_WIDTH + 2 / max(scale, 1e-6)
        window = (
            exposed.left() - margin,
            exposed.top() - margin,
            exposed.right() + margin,
            exposed.bottom() + margin,
        )
        for (pen, thin_pen, lines, curves), faint in zip(self._groups, self._faint, strict=True):
            chosen = thin_pen if thin else pen
            # Dimmed edges are barely there: not worth the cost of smoothing them.
            painter.setRenderHint(_ANTIALIASING, smooth and not faint and not self.dragging)
            painter.setPen(chosen)
            if whole:
                painter.drawLines(lines)
            else:
                self._draw_clipped(painter, chosen, lines, window, scale)
            for curve in curves:
                painter.drawPath(curve)
        painter.setRenderHint(_ANTIALIASING, smooth)  # the view does not save painter state

    @staticmethod
    def _draw_clipped(
        painter: QPainter,
        pen: QPen,
        lines: list[QLineF],
        window: tuple[float, float, float, float],
        scale: float,
    ) -> None:
        """Only the parts of ``lines`` inside ``window``: a pan exposes a thin strip,
        and stroking every long edge in full for it is what made panning slow. A cut
        dashed line keeps its dashes where they were, through the pen's dash offset."""
        left, top, right, bottom = window
        dashed = pen.style() != Qt.PenStyle.SolidLine
        pen_units = (1 / scale) if pen.isCosmetic() else pen.widthF()
        straight = []
        for line in lines:
            x1, y1, x2, y2 = line.x1(), line.y1(), line.x2(), line.y2()
            if (x1 < left and x2 < left) or (x1 > right and x2 > right):
                continue
            if (y1 < top and y2 < top) or (y1 > bottom and y2 > bottom):
                continue
            cut = _clip(x1, y1, x2, y2, left, top, right, bottom)
            if cut is None:
                continue
            t0, t1 = cut
            dx, dy = x2 - x1, y2 - y1
            part = QLineF(x1 + dx * t0, y1 + dy * t0, x1 + dx * t1, y1 + dy * t1)
            if t0 == 0.0 or not dashed:
                straight.append(part)
            else:
                shifted = QPen(pen)
                shifted.setDashOffset(math.hypot(dx, dy) * t0 / pen_units)
                painter.setPen(shifted)
                painter.drawLine(part)
        painter.setPen(pen)
        if straight:
            painter.drawLines(straight)


def _within_device(painter: QPainter, exposed: QRectF) -> QRectF:
    """``exposed`` cut to what the painter's device shows. When the view's scale changes,
    Qt asks for the whole layer, though its cache holds only the part in sight: stroking
    thousands of edges that fall outside it made the first paint after a zoom slow."""
    device = painter.device()
    inverse, invertible = painter.worldTransform().inverted()
    if device is None or not invertible:
        return exposed
    shown = inverse.mapRect(QRectF(0, 0, device.width(), device.height()))
    return shown if exposed.isEmpty() else exposed.intersected(shown)


def _mixed(colour: QColor, opacity: float, background: QColor) -> QColor:
    """``colour`` at ``opacity`` over ``background``, as one opaque colour: Qt draws a
    translucent line several times slower than an opaque one, and a zoomed-out diagram
    draws thousands."""
    share = colour.alphaF() * opacity
    rest = 1.0 - share
    return QColor.fromRgbF(
        colour.redF() * share + background.redF() * rest,
        colour.greenF() * share + background.greenF() * rest,
        colour.blueF() * share + background.blueF() * rest,
    )


def _clip(
    x1: float, y1: float, x2: float, y2: float, left: float, top: float, right: float, bottom: float
) -> tuple[float, float] | None:
    """Liang–Barsky: the part of a segment inside a rectangle, as (t0, t1) along it."""
    t0, t1 = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return None
            t0 = max(t0, t)
        else:
            if t < t0:
                return None
            t1 = min(t1, t)
    return t0, t1


# -- the scene -----------------------------------------------------------------------


class _SceneBuild:
    """A drawing being made for one layout, a slice at a time.

    Every item is made outside the scene first, so the old drawing stays whole on
    screen meanwhile. Then the old items go and the new ones are put in, the nodes a
    batch per slice and the edges last: the first painting of an item is the costly
    part, and this way each slice paints only its own batch. Last, the old drawing's
    objects are freed, a few hundred a step (all at once, they take tens of ms).
    """

    def __init__(self, scene: SpiderDiagramScene, diagram: DiagramLayout) -> None:
        self.scene = scene
        self.diagram = diagram
        self.nodes: dict[str, NodeItem] = {}
        self.placed: dict[str, QPointF] = {}
        self.edges: list[DrawnEdge] = []
        self.edges_by_id: dict[str, DrawnEdge] = {}
        self.layer = EdgeLayer()
        self.leftovers: list[object] = []  # the old drawing's, to be freed
        self.bounds = QRectF()
        self.node_labels = scene._show_node_labels
        self.placing = False  # the old drawing is gone; the new items are going in
        self.discarded = False
        self._steps = self._make()

    def discard(self) -> None:
        """Stop, and let go of what is made (unless it is already on screen)."""
        self.discarded = True
        if not self._steps.gi_running:  # else it stops itself, once the signal it sent returns
            self._steps.close()
        if not self.placing:
            for item in self.nodes.values():
                item.edges = []  # no cycles left: freed at once, not by a collection

    def run(self, seconds: float | None = None) -> bool:
        """Go on for about ``seconds`` (None: to the end); True once the drawing is done."""
        if seconds is None:
            for _ in self._steps:
                pass
            return True
        deadline = time.perf_counter() + seconds
        # Steps until one asks for a pause or the time is up; done if none is left.
        return not any(pause or time.perf_counter() >= deadline for pause in self._steps)

    def _make(self) -> Iterator[bool]:
        """Yields after each piece of work: True where the event loop should paint."""
        scene = self.scene
        level = scene.level
        ring = scene.node_colour
        text = scene.colours.color(QPalette.ColorRole.Text)
        base = scene.colours.color(QPalette.ColorRole.Base)
        highlight = scene.colours.color(QPalette.ColorRole.Highlight)
        for node in self.diagram.nodes.values():
            item = NodeItem(node, scene.label_font, scene.letter_font)
            if ring is not None:
                item.set_ring(ring(node.id))
            item.label.set_text(wrap_label(node.label(level)))
            item.label.setVisible(self.node_labels)
            item.setToolTip(scene._tooltip(node, level))
            item.restyle(text, base, highlight)
            self.nodes[node.id] = item
            self.placed[node.id] = item.pos()
            self.bounds |= item.mapRectToScene(item.boundingRect() | item.childrenBoundingRect())
            yield False
        for edge in self.diagram.edges:
            a, b = self.nodes[edge.a_id], self.nodes[edge.b_id]
            drawn = DrawnEdge(edge, a, b, scene._pen_of(edge, text))
            drawn.shape = drawn.geometry()[0]
            a.edges.append(drawn)
            b.edges.append(drawn)
            self.edges.append(drawn)
            self.edges_by_id[edge.id] = drawn
            yield False
        self.layer.background = QColor(base)
        self.layer.set_edges(self.edges, list(self.nodes.values()))
        yield False
        yield from self.layer.regroup_steps()  # (else in its first painting, all at once)
        if scene._show_edge_labels:  # zoomed in: every edge is labelled
            for drawn in self.edges:
                if scene._edge_words(drawn):
                    scene._make_edge_label(drawn)
                    yield False

        yield True  # the old items go at the start of a slice of their own
        self.placing = True
        scene._take_over(self)
        if self.discarded:  # a newer drawing was asked for on drawingPlaced
            return
        # The old drawing leaves the scene a batch a slice (all at once, thousands of
        # removals held the window a tenth of a second).
        while scene._leave_some(REMOVING_BATCH, self.leftovers):
            yield True
        yield True
        # Band by band down the drawing, so each batch repaints a strip of the view, not
        # all of it (nodes in code order are all over the drawing: every painting between
        # two batches then drew every node placed so far).
        band = PLACING_BAND
        placing_order = sorted(
            self.nodes.values(), key=lambda item: (item.node.y // band, item.node.x)
        )
        # The edges first: their one painting draws them all, and each batch of nodes
        # then repaints its strip over the layer's cached picture of them.
        scene.addItem(self.layer)
        yield True
        for count, item in enumerate(placing_order, 1):
            scene.addItem(item)
            if count % PLACING_BATCH == 0:
                yield True
        yield True
        for count, drawn in enumerate(self.edges, 1):
            if drawn.label is not None and drawn.label.scene() is None:  # (not made on a zoom)
                scene.addItem(drawn.label)
                if count % PLACING_BATCH == 0:
                    yield True
        while self.leftovers:
            del self.leftovers[-FREED_PER_STEP:]
            yield False
        scene._drawing_done()


class SpiderDiagramScene(QGraphicsScene):
    """Mirrors a mapping table as a spider diagram. Call :meth:`refresh` after changes."""

    recordActivated = Signal(str)  # noqa: N815 (Qt signal naming)
    layoutStarted = Signal()  # noqa: N815
    layoutFinished = Signal()  # noqa: N815
    # The new drawing's place is known (``drawing_bounds``) and its items are going in.
    drawingPlaced = Signal()  # noqa: N815

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: MappingTable | None = None
        self.diagram = DiagramLayout({}, [])
        self.pinned: dict[str, Point] = {}
        self.save_positions: PositionSaver | None = None
        self.node_colour: NodeColour | None = None
        self.edge_style: EdgeStyle | None = None
        self.kinds: frozenset[str] | None = None
        self.harm_categories: frozenset[str] | None = None
        self.profile: Profile | None = None
        self.background_threshold = BACKGROUND_LAYOUT_NODES
        self.busy = False
        self.last_error = ""
        self._requested_level = DataLevel.FULL
        self._presentation = False
        self._nodes: dict[str, NodeItem] = {}
        self._edges: list[DrawnEdge] = []
        self._edges_by_id: dict[str, DrawnEdge] = {}
        self._layer: EdgeLayer | None = None
        self._placed: dict[str, QPointF] = {}
        self._leaving: list[QGraphicsItem] = []  # the old drawing's, still to leave the scene
        self._outlined: set[str] = set()  # the nodes drawn with the selection outline
        self._show_node_labels = True
        self._show_edge_labels = False  # the view turns them on when zoomed in
        self._layout_task: Task | None = None
        self._bounds = QRectF()  # of the nodes and their labels, as last built
        self._build: _SceneBuild | None = None  # the drawing being made, if any
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._continue_build)
        self._unlabelled: list[DrawnEdge] = []  # edges whose labels are still to be made
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(0)
        self._label_timer.timeout.connect(self._label_next_slice)
        self.label_font = QFont()
        self.label_font.setPointSizeF(8.5)
        self.edge_font = QFont()
        self.edge_font.setPointSizeF(7)
        self.letter_font = QFont()
        self.letter_font.setPointSizeF(9)
        self.letter_font.setBold(True)
        self.colours = QPalette()
        self.selectionChanged.connect(self._highlight_selection)

    # -- what is shown ------------------------------------------------------------
    @property
    def level(self) -> DataLevel:
        """The level labels are shown at: in presentation mode never above initials."""
        if self._presentation and self._requested_level == DataLevel.FULL:
            return DataLevel.INITIALS
        return self._requested_level

    def set_level(self, level: DataLevel) -> None:
        self._requested_level = DataLevel(level)
        self._relabel(every_edge=False)

    @property
    def presentation(self) -> bool:
        return self._presentation

    def set_presentation(self, on: bool) -> None:
        self._presentation = bool(on)
        self._relabel(every_edge=False)

    def set_filters(
        self, *, kinds: Iterable[str] | None = None, harm_categories: Iterable[str] | None = None
    ) -> None:
        """Draw only these node types, and records of these harm categories with what
        they are linked to (None: no filter). Lays the diagram out again."""
        self.kinds = None if kinds is None else frozenset(str(k) for k in kinds)
        self.harm_categories = None if harm_categories is None else frozenset(harm_categories)
        if self.table is not None:
            self.refresh(self.table)

    # -- building -------------------------------------------------------------------
    def refresh(self, table: MappingTable, *, pinned: dict[str, Point] | None = None) -> None:
        """Lay out ``table`` and redraw. ``pinned`` replaces the remembered dragged
        positions; without it they are kept. A large table is laid out off the GUI
        thread, and a drawing of ``SLICED_BUILD_NODES`` or more is made a slice at a
        time (``busy`` meanwhile); a smaller one is drawn before this returns.
        ``layoutFinished`` is emitted once the diagram is drawn, either way."""
        self.table = table
        if pinned is not None:
            self.pinned = dict(pinned)
        self._cancel_build()  # of an older table
        if self._layout_task is not None:
            self._layout_task.cancel()  # its layout, should it still come, is dropped
            self._layout_task = None
        kinds = None if self.kinds is None else sorted(self.kinds)
        categories = None if self.harm_categories is None else sorted(self.harm_categories)
        pins = dict(self.pinned)
        if len(table.records) < self.background_threshold:
            laid_out = layout(table, kinds=kinds, harm_categories=categories, pinned=pins)
            if len(laid_out.nodes) < SLICED_BUILD_NODES:
                self.show_layout(laid_out)
            else:  # (a school's own drawing, placed at once: its items still take a while)
                self.busy = True
                self._laid_out(laid_out)
            return
        # Copies of the dicts, so a record saved meanwhile cannot change them under the
        # worker (the table made of them is indexed there: that takes a while too).
        records, links = dict(table.records), dict(table.links)
        self.busy = True
        self.layoutStarted.emit()

        def work(_context: TaskContext) -> DiagramLayout:
            snapshot = MappingTable(records=records, links=links)
            return layout(snapshot, kinds=kinds, harm_categories=categories, pinned=pins)

        # The application's, not the scene's: a task must finish (and say so) even if
        # the window goes first.
        task = Task(work, QCoreApplication.instance(), name="saferyp-diagram-layout")
        task.succeeded.connect(self._laid_out)
        task.failed.connect(self._layout_failed)
        task.finished.connect(task.deleteLater)
        self._layout_task = task
        task.start()

    def _laid_out(self, result: object) -> None:
        self._layout_task = None
        if isinstance(result, DiagramLayout):
            # Drawn a slice at a time, so the window keeps answering; the old drawing
            # stays until the new one is made.
            self._build = _SceneBuild(self, result)
            self._build_timer.start()

    def _layout_failed(self, error: BaseException) -> None:
        """Reported by the view (its busy note says so), never lost in the thread."""
        self._layout_task = None
        self.busy = False
        self.last_error = type(error).__name__
        self.layoutFinished.emit()

    def show_layout(self, diagram: DiagramLayout) -> None:
        """Replace every item with the nodes and edges of ``diagram``, at once."""
        self._cancel_build()
        _SceneBuild(self, diagram).run()

    def _cancel_build(self) -> None:
        if self._build is not None:
            self._build.discard()
        self._build = None
        self._build_timer.stop()

    def _restart_build(self) -> None:
        """The labels or colours changed: a build still making its items starts again
        with the new ones. (Items already placed are in ``_nodes``, changed with the rest.)"""
        if self._build is not None and not self._build.placing:
            self._build.discard()
            self._build = _SceneBuild(self, self._build.diagram)

    def _continue_build(self) -> None:
        build = self._build
        if build is not None and not build.run(BUILD_SLICE_SECONDS):
            self._build_timer.start()
        # What the slice made lives as long as the drawing: out of the way of the garbage
        # collector, whose full collections would otherwise walk the tens of thousands of
        # objects of a large drawing on this thread (as ``ui.tasks`` does for a job's
        # result; the drawing leaves no reference cycles behind, see ``_take_over``).
        gc.freeze()

    def _take_over(self, build: _SceneBuild) -> None:
        """A build's items become the drawing (put in the scene next); the old items are
        to leave the scene (:meth:`_leave_some`), and the build frees them later, a few
        at a time."""
        old: list[QGraphicsItem] = [*self._nodes.values()]
        old += [drawn.label for drawn in self._edges if drawn.label is not None]
        if self._layer is not None:
            old.append(self._layer)
        if self._leaving:  # what a drawing cut short had still to take out
            old += self._leaving
        self._leaving = old
        for item in self._nodes.values():
            item.edges = []  # no cycles left: freed by reference counting, not a collection
        build.leftovers = [*self._edges]
        self.diagram = build.diagram
        self._nodes = build.nodes
        self._edges = build.edges
        self._edges_by_id = build.edges_by_id
        self._unlabelled = []
        self._outlined = set()
        self._layer = build.layer
        self._placed = build.placed
        if build.node_labels != self._show_node_labels:  # zoomed meanwhile
            for item in self._nodes.values():
                item.label.setVisible(self._show_node_labels)
        self._bounds = QRectF(build.bounds)
        margin = 400.0
        self.setSceneRect(self._bounds.adjusted(-margin, -margin, margin, margin))
        self.drawingPlaced.emit()

    def _leave_some(self, count: int | None, gone: list[object]) -> bool:
        """Take up to ``count`` (None: all) of the old drawing's items out of the scene,
        onto ``gone``; True while some are left."""
        batch = self._leaving if count is None else self._leaving[-count:]
        self.blockSignals(True)  # no highlight pass for the items being thrown away
        for item in batch:
            if item.scene() is self:  # (a drawing cut short was not all put in)
                self.removeItem(item)
        self.blockSignals(False)
        gone += batch
        del self._leaving[len(self._leaving) - len(batch):]
        return bool(self._leaving)

    def _drawing_done(self) -> None:
        self._build = None  # done: a refresh on layoutFinished starts afresh
        self._build_timer.stop()
        self._show_edge_labels_of([])
        self._follow_pins()
        self.busy = False
        self.last_error = ""
        self.layoutFinished.emit()

    def _follow_pins(self) -> None:
        """Nodes dragged while the new drawing was being made go where they were dropped."""
        moved: list[DrawnEdge] = []
        for node_id, (x, y) in self.pinned.items():
            item = self._nodes.get(node_id)
            if item is None or (item.node.x == x and item.node.y == y):
                continue  # (laid out there: every node, when a school's drawing is shown)
            where = QPointF(x, y)
            if item.pos() != where:
                item.setPos(where)
                self._placed[node_id] = where
                moved += item.edges
        for drawn in moved:
            self._place_edge_label(drawn)
        if moved and self._layer is not None:
            self._layer.moved(moved)

    def drawing_bounds(self) -> QRectF:
        """Where the nodes and their labels are (known before they are in the scene)."""
        return QRectF(self._bounds)

    def _relabel(self, *, every_edge: bool = True) -> None:
        """Words for the current level and style; after a change of level only (not
        ``every_edge``), just the edges whose words depend on the level: memberships."""
        level = self.level
        for item in self._nodes.values():
            node = item.node
            item.label.set_text(wrap_label(node.label(level)))
            item.setToolTip(self._tooltip(node, level))
        for drawn in self._edges:
            if drawn.label is not None and (every_edge or drawn.edge.kind == EdgeKind.MEMBERSHIP):
                words = self._edge_words(drawn)
                drawn.label.set_text(words)
                drawn.label.setVisible(drawn.label.isVisible() and bool(words))
        self._restart_build()

    def _tooltip(self, node: DiagramNode, level: DataLevel) -> str:
        parts = [node.label_with_code(level), _tr(NODE_TYPE_NAMES[node.node_type])]
        if node.rating:
            parts.append(_tr("rated {rating}").format(rating=_tr(node.rating)))
        elif node.concern_level:
            parts.append(_tr("{level} concern").format(level=_tr(node.concern_level)))
        if node.harm_categories:
            names = [
                self.profile.label("harm_categories", key) if self.profile else key
                for key in node.harm_categories
            ]
            parts.append(", ".join(names))
        return " · ".join(parts)

    def restyle(self, palette: QPalette | None = None) -> None:
        """Colours from ``palette`` (text, base, highlight), for light and dark themes."""
        if palette is not None:
            self.colours = QPalette(palette)
        text = self.colours.color(QPalette.ColorRole.Text)
        base = self.colours.color(QPalette.ColorRole.Base)
        highlight = self.colours.color(QPalette.ColorRole.Highlight)
        self.setBackgroundBrush(QBrush(base))
        for node in self._nodes.values():
            node.restyle(text, base, highlight)
        backing = QColor(base)
        backing.setAlpha(215)
        for drawn in self._edges:
            drawn.pen = self._pen_of(drawn.edge, text)
            if drawn.label is not None:
                drawn.label.set_colours(text, backing)
        if self._layer is not None:
            self._layer.set_background(base)
        self._restart_build()  # items made before now have the old colours

    def _pen_of(self, edge: DiagramEdge, text: QColor) -> QPen:
        own = self.edge_style(edge) if self.edge_style is not None else None
        return own[0] if own is not None else edge_pen(edge, text)

    def set_detail(self, node_labels: bool, edge_labels: bool) -> None:
        """Level of detail: labels too small to read are hidden (and edge labels are
        only made when first needed: the large demo has thousands)."""
        if node_labels != self._show_node_labels:
            for node in self._nodes.values():
                node.label.setVisible(node_labels)
        self._show_node_labels = node_labels
        changed = edge_labels != self._show_edge_labels
        self._show_edge_labels = edge_labels
        if changed:
            self._show_edge_labels_of(self._lit_edges())

    def _lit_edges(self) -> list[DrawnEdge]:
        chosen = set(self.selected_ids())
        return [drawn for drawn in self._edges if chosen and drawn.touches(chosen)]

    def _show_edge_labels_of(self, lit: list[DrawnEdge]) -> None:
        """Every edge label when zoomed in; else only those of the selected nodes' edges."""
        wanted = self._edges if self._show_edge_labels else lit
        wanted_ids = {id(drawn) for drawn in wanted}
        for drawn in self._edges:
            if drawn.label is not None and id(drawn) not in wanted_ids:
                drawn.label.setVisible(False)
        missing = []
        for drawn in wanted:
            if drawn.label is not None:
                drawn.label.setVisible(bool(self._edge_words(drawn)))
            elif self._edge_words(drawn):
                missing.append(drawn)
        self._unlabelled = self._nearest_last(missing)
        if len(missing) <= LABELS_AT_ONCE:
            self._label_some()
        else:  # thousands, when zoomed in on the large demo: made a slice at a time
            self._label_timer.start()

    def _nearest_last(self, edges: list[DrawnEdge]) -> list[DrawnEdge]:
        """``edges`` with those in sight last (labels are made from the end)."""
        views = self.views()
        if not views or len(edges) <= LABELS_AT_ONCE:
            return edges
        view = views[0]
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        twice_x, twice_y = 2 * shown.center().x(), 2 * shown.center().y()

        def distance(drawn: DrawnEdge) -> float:  # as laid out: near enough for an order
            a, b = drawn.a.node, drawn.b.node
            return -abs(a.x + b.x - twice_x) - abs(a.y + b.y - twice_y)

        return sorted(edges, key=distance)

    def _label_some(self, seconds: float | None = None) -> None:
        """Make the labels still wanted: for about ``seconds`` (None: all of them)."""
        deadline = time.perf_counter() + (seconds or 0.0)
        queue = self._unlabelled
        while queue:
            drawn = queue.pop()
            if drawn.label is None:
                self._edge_label(drawn)
            if seconds is not None and time.perf_counter() >= deadline:
                break
        if queue:
            self._label_timer.start()

    def _label_next_slice(self) -> None:
        self._label_some(BUILD_SLICE_SECONDS)

    def _edge_words(self, drawn: DrawnEdge) -> str:
        own = self.edge_style(drawn.edge) if self.edge_style is not None else None
        if own is not None:
            return own[1]
        if drawn.edge.kind == EdgeKind.MEMBERSHIP and self.level == DataLevel.CODES:
            return ""  # a role is free text, and the codes level drops free text
        return drawn.edge.words

    def _edge_label(self, drawn: DrawnEdge) -> LabelItem:
        if drawn.label is None:
            self._make_edge_label(drawn)
            self.addItem(drawn.label)
        return drawn.label

    def _make_edge_label(self, drawn: DrawnEdge) -> None:
        """Give ``drawn`` its label, placed but not yet in the scene."""
        label = LabelItem(self._edge_words(drawn), self.edge_font)
        label.setZValue(1)
        label.setToolTip(f"{_tr(drawn.edge.relation)} · {_tr(drawn.edge.confidence)}")
        backing = self.colours.color(QPalette.ColorRole.Base)
        backing.setAlpha(215)
        label.set_colours(self.colours.color(QPalette.ColorRole.Text), backing)
        drawn.label = label
        self._place_edge_label(drawn)

    @staticmethod
    def _place_edge_label(drawn: DrawnEdge) -> None:
        if drawn.label is not None:
            _, middle = drawn.geometry()
            drawn.label.setPos(middle.x(), middle.y() - drawn.label.boundingRect().height() / 2)

    @contextlib.contextmanager
    def drawing_everything(self) -> Iterator[None]:
        """For exports: every label shown, nothing dimmed, and no cached pixmaps (so
        an SVG gets text and shapes, not pictures of them)."""
        chosen = self.selected_ids()
        shown = (self._show_node_labels, self._show_edge_labels)
        self.clearSelection()
        self.set_detail(True, True)
        self._label_some()  # every label now, not a slice at a time
        cached = [
            item for item in self.items() if item.cacheMode() != QGraphicsItem.CacheMode.NoCache
        ]
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            yield
        finally:
            for item in cached:
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.set_detail(*shown)
            for record_id in chosen:
                self.select(record_id, keep=True)

    # -- looking up ------------------------------------------------------------------
    def node_item(self, record_id: str) -> NodeItem | None:
        return self._nodes.get(record_id)

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def drawn_edges(self) -> list[DrawnEdge]:
        return list(self._edges)

    def drawn_edge(self, edge_id: str) -> DrawnEdge | None:
        return self._edges_by_id.get(edge_id)

    def selected_ids(self) -> list[str]:
        return [item.record_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def select(self, record_id: str, *, keep: bool = False) -> None:
        if not keep:
            self.clearSelection()
        item = self._nodes.get(record_id)
        if item is not None:
            item.setSelected(True)

    def is_dimmed(self, record_id: str) -> bool:
        item = self._nodes.get(record_id)
        return item is not None and item.opacity() < 1.0

    # -- highlighting and dragging -----------------------------------------------------
    def _highlight_selection(self) -> None:
        """The selected nodes, their edges and their neighbours stay bright; the rest dims."""
        chosen = set(self.selected_ids())
        near = set(chosen)
        for drawn in self._edges:
            drawn.dimmed = bool(chosen) and not drawn.touches(chosen)
            if chosen and not drawn.dimmed:
                near.add(drawn.edge.a_id)
                near.add(drawn.edge.b_id)
        text = self.colours.color(QPalette.ColorRole.Text)
        base = self.colours.color(QPalette.ColorRole.Base)
        highlight = self.colours.color(QPalette.ColorRole.Highlight)
        for node_id, node in self._nodes.items():
            node.setOpacity(1.0 if not chosen or node_id in near else DIM_OPACITY)
        for node_id in chosen ^ self._outlined:  # only these change their outline
            node = self._nodes.get(node_id)
            if node is not None:
                node.restyle(text, base, highlight)
        self._outlined = chosen
        if self._layer is not None:
            self._layer.changed()
        self._show_edge_labels_of([d for d in self._edges if chosen and not d.dimmed])

    def nodes_moving(self) -> None:
        """Nodes are being dragged: their edges and edge labels follow."""
        moving = [
            drawn
            for node_id, item in self._nodes.items()
            if item.pos() != self._placed.get(node_id)
            for drawn in item.edges
        ]
        for drawn in moving:
            self._place_edge_label(drawn)
        if self._layer is not None:
            self._layer.dragging = True
            self._layer.moved(moving)

    def nodes_released(self) -> None:
        """After a drag: remember where the moved nodes are, and hand every remembered
        position to ``save_positions``."""
        moved = False
        if self._layer is not None and self._layer.dragging:
            self._layer.dragging = False
            self._layer.update()
        for node_id, item in self._nodes.items():
            where = item.pos()
            if where != self._placed.get(node_id):
                # Kept to a hundredth of a point, as it is saved, so the next layout matches.
                x, y = round(where.x(), 2), round(where.y(), 2)
                item.setPos(x, y)
                self._placed[node_id] = QPointF(x, y)
                self.pinned[node_id] = (x, y)
                moved = True
                for drawn in item.edges:
                    self._place_edge_label(drawn)
                if self._layer is not None:
                    self._layer.moved(item.edges)
        if moved:
            self._bounds = self.itemsBoundingRect()
            bounds = self._bounds.adjusted(-400, -400, 400, 400)
            self.setSceneRect(self.sceneRect().united(bounds))
            if self.save_positions is not None:
                self.save_positions(dict(self.pinned))

    def move_node(self, record_id: str, x: float, y: float) -> None:
        """Move a node as a drag and release would."""
        self._nodes[record_id].setPos(x, y)
        self.nodes_moving()
        self.nodes_released()


# -- the legend ----------------------------------------------------------------------


def _legend_entries() -> list[tuple[str, str, object]]:
    """(kind of sample, words, what to draw) in legend order."""
    return [
        ("node", _tr("Young person"), NodeType.YOUNG_PERSON),
        ("node", _tr("Adult"), NodeType.ADULT),
        ("node", _tr("Peer group"), NodeType.PEER_GROUP),
        ("rag", _tr("Location: red, amber, green"), NodeType.LOCATION),
        ("node", _tr("Online context"), NodeType.ONLINE_CONTEXT),
        ("node", _tr("Strength"), NodeType.STRENGTH),
        ("outline", _tr("Thick outline: high concern"), None),
        ("line", _tr("Confirmed"), Confidence.CONFIRMED.value),
        ("line", _tr("Suspected"), Confidence.SUSPECTED.value),
        ("line", _tr("Unconfirmed"), Confidence.UNCONFIRMED.value),
        (
            "colour",
            _tr("Exploiting or pressuring"),
            RELATION_COLOURS[Relation.SUSPECTED_OF_EXPLOITING.value],
        ),
        ("colour", _tr("In conflict"), RELATION_COLOURS[Relation.IN_CONFLICT_WITH.value]),
        ("colour", _tr("Supports or protects"), STRENGTH_EDGE_COLOUR),
        ("colour", _tr("Member of a peer group"), MEMBERSHIP_EDGE_COLOUR),
    ]


_LEGEND_ROW = 20.0
_LEGEND_ROLES = (QPalette.ColorRole.Window, QPalette.ColorRole.Mid, QPalette.ColorRole.WindowText)
_LEGEND_SAMPLE = 34.0


def legend_size(font: QFont) -> QSizeF:
    metrics = QFontMetricsF(font)
    words = max(metrics.horizontalAdvance(words) for _, words, _ in _legend_entries())
    title = metrics.lineSpacing() + 4
    return QSizeF(
        _LEGEND_SAMPLE + 8 + words + 16, title + _LEGEND_ROW * len(_legend_entries()) + 12
    )


def paint_legend(painter: QPainter, origin: QPointF, font: QFont, text: QColor) -> QSizeF:
    """Draw the legend with its top-left at ``origin``; returns the size used."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    metrics = QFontMetricsF(font)
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(text)
    x0, y = origin.x() + 8, origin.y() + 6
    painter.drawText(QPointF(x0, y + metrics.ascent()), _tr("Key"))
    y += metrics.lineSpacing() + 4
    painter.setFont(font)
    scale = 0.42
    for sample, words, what in _legend_entries():
        centre = QPointF(x0 + _LEGEND_SAMPLE / 2, y + _LEGEND_ROW / 2)
        painter.setPen(QPen(QColor("#333333"), 1.2))
        if sample == "node" and isinstance(what, NodeType):
            fill = NODE_FILLS.get(what, RAG_FILLS[Rag.AMBER.value])
            painter.setBrush(fill)
            painter.setPen(QPen(fill.darker(175), 1.2))
            painter.save()
            painter.translate(centre)
            painter.scale(scale, scale)
            painter.drawPath(node_shape(what))
            painter.restore()
        elif sample == "rag":
            for i, rating in enumerate((Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value)):
                painter.setBrush(RAG_FILLS[rating])
                painter.setPen(QPen(RAG_FILLS[rating].darker(175), 1.0))
                painter.drawRect(QRectF(centre.x() - 16 + i * 11.5, centre.y() - 4.5, 9, 9))
        elif sample == "outline":
            painter.setBrush(NODE_FILLS[NodeType.YOUNG_PERSON])
            painter.setPen(QPen(NODE_FILLS[NodeType.YOUNG_PERSON].darker(175), 2.6))
            painter.drawEllipse(centre, 6.5, 6.5)
        elif sample in ("line", "colour"):
            colour = QColor(what) if sample == "colour" else QColor(text)
            pen = QPen(colour, 2.0)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if sample == "line":
                pen.setStyle(CONFIDENCE_STYLES[str(what)])
            painter.setPen(pen)
            painter.drawLine(
                QPointF(x0 + 2, centre.y()), QPointF(x0 + _LEGEND_SAMPLE - 2, centre.y())
            )
        painter.setPen(text)
        painter.drawText(
            QPointF(x0 + _LEGEND_SAMPLE + 8, centre.y() + metrics.ascent() / 2 - 1), words
        )
        y += _LEGEND_ROW
    painter.restore()
    return legend_size(font)


class LegendWidget(QWidget):
    """The key, drawn over a corner of the diagram.

    Painted once into a picture, drawn from it after: the diagram under it is repainted
    often (a slice of a drawing being made, a pan), and the key over it with it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Diagram key"))
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._picture: QImage | None = None
        self._picture_of: tuple[object, ...] = ()

    def sizeHint(self) -> QSize:  # noqa: N802
        return legend_size(self.font()).toSize() + QSize(2, 2)

    def paintEvent(self, event: object) -> None:  # noqa: N802
        palette = self.palette()
        ratio = self.devicePixelRatioF()
        wanted = (
            self.size(),
            ratio,
            self.font().key(),
            *(palette.color(role).rgba() for role in _LEGEND_ROLES),
        )
        if self._picture is None or wanted != self._picture_of:
            picture = QImage(self.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
            picture.setDevicePixelRatio(ratio)
            # The widget's resolution, so the text comes out as measured for its size.
            picture.setDotsPerMeterX(round(self.logicalDpiX() / 0.0254))
            picture.setDotsPerMeterY(round(self.logicalDpiY() / 0.0254))
            picture.fill(Qt.GlobalColor.transparent)
            self._paint_key(QPainter(picture))
            self._picture, self._picture_of = picture, wanted
        painter = QPainter(self)
        painter.drawImage(0, 0, self._picture)
        painter.end()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._picture = None  # its words are translated anew

    def _paint_key(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        backing = self.palette().color(QPalette.ColorRole.Window)
        backing.setAlpha(228)
        painter.setBrush(backing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        paint_legend(
            painter, QPointF(0, 0), self.font(), self.palette().color(QPalette.ColorRole.WindowText)
        )
        painter.end()


# -- the view --------------------------------------------------------------------------


def _ask_for_path(parent: QWidget) -> ExportPathChooser:
    def choose(caption: str, suggested: str, name_filter: str) -> Path | None:
        return dialogs().save_file(parent, caption, name_filter, suggested)

    return choose


class SpiderDiagramView(QGraphicsView):
    """The spider diagram with its toolbar: zoom, fit, filters, export, key.

    ``save_positions`` receives every remembered (dragged) position, by record id,
    after each drag; ``choose_export_path`` asks where to export (a file dialog by
    default; tests pass a function returning a path)."""

    recordActivated = Signal(str)  # noqa: N815 (Qt signal naming)
    layoutFinished = Signal()  # noqa: N815

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        profile: Profile | None = None,
        save_positions: PositionSaver | None = None,
        choose_export_path: ExportPathChooser | None = None,
        report_error: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile = profile or load_profile()
        self.choose_export_path = choose_export_path or _ask_for_path(self)
        self.report_error = report_error or (
            lambda message: dialogs().error(self, self.tr("Export"), message)
        )
        self._scene = SpiderDiagramScene(self)
        self._scene.profile = self.profile
        self._scene.save_positions = save_positions
        self._scene.recordActivated.connect(self.recordActivated)
        self._scene.layoutFinished.connect(self._layout_finished)
        self._scene.drawingPlaced.connect(self._drawing_placed)
        self._scene.layoutStarted.connect(self._layout_started)
        self.setScene(self._scene)
        self._fitted_once = False
        # Fitted, and neither zoomed nor scrolled since: a new size of the view fits again
        # (the first fit may come before the page around the view has its final size).
        self._fit_kept = False
        self._fitting = False
        self._fitted_size = QSize()

        self.setAccessibleName(self.tr("Spider diagram"))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # Panning scrolls what is drawn; only the exposed strip is painted again. One
        # rectangle around what changed, not a region of every changed item: a region
        # of thousands (the old drawing removed, every node dimmed) is slow to build.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setOptimizationFlags(
            QGraphicsView.OptimizationFlag.DontSavePainterState
            | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing
        )
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.toolbar = QToolBar(self.tr("Diagram tools"), self)
        self.toolbar.setAccessibleName(self.tr("Diagram tools"))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._build_actions()
        self.legend = LegendWidget(self)
        self.busy_note = QLabel(self.tr("Laying out the diagram…"), self)
        self.busy_note.setAutoFillBackground(True)
        self.busy_note.setMargin(8)
        self.busy_note.hide()
        self.empty_note = QLabel(
            self.tr("Nothing to draw: add records and links, or change the filters."), self
        )
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()
        self._scene.restyle(self.palette())
        self._place_overlays()

    # -- toolbar ------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        tip: str,
        slot: Callable[[], object],
        keys: Iterable[QKeySequence | str] = (),
    ) -> QAction:
        action = QAction(text, self)
        shortcuts: list[QKeySequence] = []
        for key in keys:
            sequence = QKeySequence(key)
            if not sequence.isEmpty() and sequence not in shortcuts:
                shortcuts.append(sequence)  # the platform's ZoomIn may be Ctrl++ already
        if shortcuts:
            action.setShortcuts(shortcuts)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip = f"{tip} ({shortcuts[0].toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work while the diagram has focus
        self.toolbar.addAction(action)
        button = self.toolbar.widgetForAction(action)
        if button is not None:
            button.setAccessibleName(tip.split(" (")[0])
        return action

    def _build_actions(self) -> None:
        self.zoom_in_action = self._action(
            "+",
            self.tr("Zoom in"),
            self.zoom_in,
            ("Ctrl++", "Ctrl+=", QKeySequence.StandardKey.ZoomIn),
        )
        self.zoom_out_action = self._action(
            "−", self.tr("Zoom out"), self.zoom_out, ("Ctrl+-", QKeySequence.StandardKey.ZoomOut)
        )
        self.fit_action = self._action(
            self.tr("Fit"), self.tr("Fit the diagram in the window"), self.fit, ("Ctrl+0",)
        )
        self.toolbar.addSeparator()

        self.category_menu = QMenu(self.tr("Harm categories"), self)
        self.all_categories_action = self.category_menu.addAction(self.tr("All harm categories"))
        self.all_categories_action.setCheckable(True)
        self.all_categories_action.setChecked(True)
        self.all_categories_action.toggled.connect(self._all_categories_toggled)
        self.category_menu.addSeparator()
        self.category_actions: dict[str, QAction] = {}
        for choice in self.profile.harm_categories:
            action = self.category_menu.addAction(choice.label)
            action.setCheckable(True)
            action.setData(choice.key)
            action.toggled.connect(self._categories_changed)
            self.category_actions[choice.key] = action
        self.category_button = self._menu_button(
            self.tr("Harm categories"),
            self.tr("Show only records of some harm categories, and what they are linked to"),
            self.category_menu,
        )

        self.type_menu = QMenu(self.tr("Show"), self)
        self.type_actions: dict[str, QAction] = {}
        for node_type in NodeType:
            action = self.type_menu.addAction(_tr(NODE_TYPE_TITLES[node_type]))
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(self._types_changed)
            self.type_actions[node_type.value] = action
        self.type_button = self._menu_button(
            self.tr("Show"), self.tr("Choose which kinds of record to show"), self.type_menu
        )
        self.toolbar.addSeparator()

        self.export_png_action = self._action(
            self.tr("Export PNG…"),
            self.tr("Export the diagram as a PNG picture"),
            self._export_png_clicked,
        )
        self.export_svg_action = self._action(
            self.tr("Export SVG…"),
            self.tr("Export the diagram as an SVG drawing"),
            self._export_svg_clicked,
        )
        self.toolbar.addSeparator()
        self.legend_action = self._action(
            self.tr("Key"), self.tr("Show or hide the key"), self._legend_toggled
        )
        self.legend_action.setCheckable(True)
        self.legend_action.setChecked(True)

    def _menu_button(self, text: str, tip: str, menu: QMenu) -> QToolButton:
        button = QToolButton(self.toolbar)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setAccessibleDescription(tip)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(button)
        return button

    # -- public API ----------------------------------------------------------------------
    @property
    def diagram_scene(self) -> SpiderDiagramScene:
        return self._scene

    def refresh(self, table: MappingTable, *, pinned: dict[str, Point] | None = None) -> None:
        """Redraw from ``table`` (see :meth:`SpiderDiagramScene.refresh`)."""
        self._scene.refresh(table, pinned=pinned)

    def set_save_positions(self, saver: PositionSaver | None) -> None:
        self._scene.save_positions = saver

    def set_combined_style(
        self,
        node_colour: NodeColour | None,
        edge_style: EdgeStyle | None = None,
        *,
        now: bool = True,
    ) -> None:
        """Ring each node in ``node_colour(record_id)`` (a school's colour, say) and draw
        the edges ``edge_style`` gives a pen and words for their own way; None: as usual.
        What is drawn now is restyled at once; with ``now`` False only what is drawn next
        (a :meth:`refresh` follows: restyling thousands of items about to be replaced
        would hold the window for nothing)."""
        scene = self._scene
        scene.node_colour = node_colour
        scene.edge_style = edge_style
        if not now:
            scene._restart_build()  # a drawing being made starts again in the new style
            return
        for item in scene.node_items():
            item.set_ring(node_colour(item.record_id) if node_colour is not None else None)
        scene.restyle()
        scene._relabel()

    @property
    def data_level(self) -> DataLevel:
        """The level labels are shown at now (initials in presentation mode)."""
        return self._scene.level

    def set_data_level(self, level: DataLevel) -> None:
        self._scene.set_level(level)

    @property
    def presentation(self) -> bool:
        return self._scene.presentation

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: initials instead of names, on labels, tooltips and exports."""
        self._scene.set_presentation(on)

    def set_kinds(self, kinds: Iterable[str] | None) -> None:
        wanted = None if kinds is None else {str(k) for k in kinds}
        for key, action in self.type_actions.items():
            action.blockSignals(True)
            action.setChecked(wanted is None or key in wanted)
            action.blockSignals(False)
        self._apply_filters()

    def set_harm_categories(self, categories: Iterable[str] | None) -> None:
        wanted = None if categories is None else set(categories)
        for key, action in self.category_actions.items():
            action.blockSignals(True)
            action.setChecked(wanted is not None and key in wanted)
            action.blockSignals(False)
        self.all_categories_action.blockSignals(True)
        self.all_categories_action.setChecked(not wanted)
        self.all_categories_action.blockSignals(False)
        self._apply_filters()

    def select_record(self, record_id: str) -> None:
        self._scene.select(record_id)
        item = self._scene.node_item(record_id)
        if item is not None:
            self.centerOn(item)

    # -- zoom ---------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        self._fit_kept = False
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor / self.zoom(), factor / self.zoom())
        self.setTransformationAnchor(anchor)
        self._zoom_changed()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def fit(self) -> None:
        """Show the whole diagram beside the key (but not larger than 150 %)."""
        bounds = self._scene.drawing_bounds()
        if bounds.isEmpty():
            self.resetTransform()
            self._zoom_changed()
            return
        room = self.maximumViewportSize()  # (the scroll bars go: see below)
        reserved = self.legend.width() + 16 if self.legend.isVisible() else 0
        room_x = max(50, room.width() - reserved - 24)
        room_y = max(50, room.height() - 24)
        factor = min(room_x / bounds.width(), room_y / bounds.height(), FIT_MAX_ZOOM)
        self._fitting = True
        try:
            self.resetTransform()
            self.set_zoom(factor)
            # Centre the diagram in the room the key leaves, to the key's right.
            pixel = 1.0 / self.zoom()
            centre = bounds.center() - QPointF(reserved / 2 * pixel, 0)
            # The scene's rectangle becomes what the view shows (a pixel less, so no
            # scroll bar comes): a smaller one would be centred in the view, or clamp the
            # scrolling, and the key then covered the drawing's left while the right
            # stayed empty.
            width, height = room.width() * pixel, room.height() * pixel
            self._scene.setSceneRect(
                QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height).adjusted(
                    pixel, pixel, -pixel, -pixel
                )
            )
            self.centerOn(centre)
        finally:
            self._fitting = False
        self._fit_kept = True
        self._fitted_size = self.size()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 (Qt API)
        super().scrollContentsBy(dx, dy)
        if not self._fitting:
            self._fit_kept = False  # panned: the chair's view is kept as it is

    def _zoom_changed(self) -> None:
        scale = self.zoom()
        self._scene.set_detail(scale >= NODE_LABEL_MIN_ZOOM, scale >= EDGE_LABEL_MIN_ZOOM)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, scale >= ANTIALIAS_MIN_ZOOM)

    def wheelEvent(self, event: object) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:  # type: ignore[attr-defined]
            steps = event.angleDelta().y() / 120  # type: ignore[attr-defined]
            if steps:
                self._fit_kept = False
                factor = self.zoom() * ZOOM_STEP**steps
                factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
                self.scale(factor / self.zoom(), factor / self.zoom())
                self._zoom_changed()
            event.accept()  # type: ignore[attr-defined]
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: object) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
            chosen = self._scene.selected_ids()
            if len(chosen) == 1:
                self.recordActivated.emit(chosen[0])
                event.accept()  # type: ignore[attr-defined]
                return
        if event.key() == Qt.Key.Key_Escape:  # type: ignore[attr-defined]
            self._scene.clearSelection()
        super().keyPressEvent(event)

    # -- filters --------------------------------------------------------------------------
    def _all_categories_toggled(self, checked: bool) -> None:
        if checked:
            for action in self.category_actions.values():
                action.blockSignals(True)
                action.setChecked(False)
                action.blockSignals(False)
        elif not any(a.isChecked() for a in self.category_actions.values()):
            self.all_categories_action.blockSignals(True)
            self.all_categories_action.setChecked(True)  # "none" would draw nothing: keep all
            self.all_categories_action.blockSignals(False)
            return
        self._apply_filters()

    def _categories_changed(self) -> None:
        any_chosen = any(a.isChecked() for a in self.category_actions.values())
        self.all_categories_action.blockSignals(True)
        self.all_categories_action.setChecked(not any_chosen)
        self.all_categories_action.blockSignals(False)
        self._apply_filters()

    def _types_changed(self) -> None:
        self._apply_filters()

    def _apply_filters(self) -> None:
        chosen_types = [key for key, a in self.type_actions.items() if a.isChecked()]
        chosen_categories = [key for key, a in self.category_actions.items() if a.isChecked()]
        all_types = len(chosen_types) == len(self.type_actions)
        self.type_button.setText(self.tr("Show") if all_types else self.tr("Show (filtered)"))
        self.category_button.setText(
            self.tr("Harm categories")
            if not chosen_categories
            else self.tr("Harm categories ({count})").format(count=len(chosen_categories))
        )
        self._scene.set_filters(
            kinds=None if all_types else chosen_types,
            harm_categories=chosen_categories or None,
        )

    # -- export ---------------------------------------------------------------------------
    def _export_png_clicked(self) -> None:
        self._export_safely(self.export_png)

    def _export_svg_clicked(self) -> None:
        self._export_safely(self.export_svg)

    def _export_safely(self, export: Callable[[], Path | None]) -> None:
        try:
            export()
        except SaferypError as error:
            self.report_error(str(error))
        except OSError as error:
            self.report_error(
                self.tr("The diagram could not be written ({reason}).").format(
                    reason=error.strerror or error
                )
            )

    def export_png(self, path: str | Path | None = None) -> Path | None:
        """Write the whole diagram, with its key and marking, as a PNG; None if cancelled."""
        target = self._export_target(
            path,
            self.tr("Export the diagram as PNG"),
            "spider-diagram.png",
            self.tr("PNG pictures (*.png)"),
        )
        if target is None:
            return None
        size, scale = self._export_geometry(for_pixels=True)
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        # The screen's resolution, so text measured on screen fits the same way here.
        image.setDotsPerMeterX(round(self.logicalDpiX() / 0.0254))
        image.setDotsPerMeterY(round(self.logicalDpiY() / 0.0254))
        image.fill(self._scene.colours.color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        self._paint_export(painter, scale)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        save_file(target, bytes(data.data()))  # private: it names people
        return target

    def export_svg(self, path: str | Path | None = None) -> Path | None:
        """Write the whole diagram, with its key and marking, as SVG; None if cancelled."""
        target = self._export_target(
            path,
            self.tr("Export the diagram as SVG"),
            "spider-diagram.svg",
            self.tr("SVG drawings (*.svg)"),
        )
        if target is None:
            return None
        size, scale = self._export_geometry(for_pixels=False)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setResolution(self.logicalDpiX())
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(self.tr("Spider diagram"))
        generator.setDescription(f"{self.profile.marking}. {LEVEL_TITLES[self.data_level]}.")
        painter = QPainter(generator)
        painter.fillRect(
            QRectF(0, 0, size.width(), size.height()),
            self._scene.colours.color(QPalette.ColorRole.Base),
        )
        self._paint_export(painter, scale)
        painter.end()
        buffer.close()
        save_file(target, bytes(data.data()))  # private: it names people
        return target

    def _export_target(
        self, path: str | Path | None, caption: str, suggested: str, name_filter: str
    ) -> Path | None:
        if path is None:
            path = self.choose_export_path(caption, suggested, name_filter)
            if not path:
                return None
        return Path(path)

    _HEADER = 34.0
    _FOOTER = 26.0
    _PAD = 16.0

    def _export_geometry(self, *, for_pixels: bool) -> tuple[QSize, float]:
        """The picture's size, and its pixels per diagram unit (2 for a sharp PNG,
        less for a large diagram so the picture stays within EXPORT_MAX_SIDE)."""
        bounds = self._diagram_bounds()
        legend = legend_size(self.font())
        width = bounds.width() + legend.width() + 3 * self._PAD
        height = max(bounds.height(), legend.height()) + self._HEADER + self._FOOTER + 2 * self._PAD
        scale = min(2.0, EXPORT_MAX_SIDE / max(width, height)) if for_pixels else 1.0
        return QSize(math.ceil(width * scale), math.ceil(height * scale)), scale

    def _diagram_bounds(self) -> QRectF:
        bounds = self._scene.itemsBoundingRect()
        if bounds.isEmpty():
            bounds = QRectF(0, 0, 200, 100)
        return bounds.adjusted(-10, -10, 10, 10)

    def _paint_export(self, painter: QPainter, scale: float) -> None:
        """The marking and level at the top and bottom, the whole diagram, the key at the right."""
        scene = self._scene
        text = scene.colours.color(QPalette.ColorRole.Text)
        bounds = self._diagram_bounds()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.scale(scale, scale)
        pad = self._PAD
        heading = QFont(self.font())
        heading.setBold(True)
        painter.setFont(heading)
        painter.setPen(text)
        marking = self.profile.marking
        level_words = LEVEL_TITLES[self.data_level]
        painter.drawText(
            QRectF(
                pad, pad / 2, bounds.width() + legend_size(self.font()).width() + pad, self._HEADER
            ),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            f"{marking} · {self.tr('Spider diagram')} · {level_words} · {date.today().isoformat()}",
        )
        with scene.drawing_everything():
            target = QRectF(pad, self._HEADER + pad, bounds.width(), bounds.height())
            scene.render(painter, target, bounds, Qt.AspectRatioMode.KeepAspectRatio)
        paint_legend(
            painter, QPointF(bounds.width() + 2 * pad, self._HEADER + pad), self.font(), text
        )
        total_height = (
            max(bounds.height(), legend_size(self.font()).height()) + self._HEADER + 2 * pad
        )
        painter.setFont(heading)
        painter.drawText(
            QRectF(
                pad,
                total_height,
                bounds.width() + legend_size(self.font()).width() + pad,
                self._FOOTER,
            ),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            marking,
        )

    # -- layout of the widget itself ---------------------------------------------------------
    def _legend_toggled(self) -> None:
        self.legend.setVisible(self.legend_action.isChecked())
        if self._fit_kept:
            self.fit()  # into the room the key leaves, or no longer takes

    def _layout_started(self) -> None:
        self.busy_note.show()
        self.busy_note.raise_()

    def _layout_finished(self) -> None:
        self.busy_note.setVisible(bool(self._scene.last_error))
        if self._scene.last_error:
            self.busy_note.setText(self.tr("The diagram could not be laid out."))
        diagram = self._scene.diagram
        self.empty_note.setVisible(not diagram.nodes and not self._scene.last_error)
        self.setAccessibleDescription(
            self.tr("{nodes} records and {edges} links drawn").format(
                nodes=len(diagram.nodes), edges=len(diagram.edges)
            )
        )
        self.layoutFinished.emit()

    def _drawing_placed(self) -> None:
        # Fitted before the items go in, so they are first painted at the scale they keep.
        if not self._scene.diagram.nodes:
            self._fitted_once = False  # a new table (after a lock, say) starts fitted again
            self._zoom_changed()
        elif not self._fitted_once or self._fit_kept:  # (as Fit left it: the new one too)
            self._fitted_once = True
            self.fit()
        else:
            self._zoom_changed()

    def _place_overlays(self) -> None:
        frame = self.frameWidth()
        bar = self.toolbar.sizeHint()
        self.setViewportMargins(0, bar.height(), 0, 0)
        self.toolbar.setGeometry(frame, frame, self.width() - 2 * frame, bar.height())
        viewport = self.viewport().geometry()
        legend = self.legend.sizeHint()
        self.legend.setGeometry(
            viewport.left() + 8,
            viewport.bottom() - legend.height() - 8,
            legend.width(),
            legend.height(),
        )
        note = self.busy_note.sizeHint()
        self.busy_note.setGeometry(
            viewport.left() + (viewport.width() - note.width()) // 2,
            viewport.top() + 12,
            note.width(),
            note.height(),
        )
        self.empty_note.setGeometry(
            viewport.left() + 24, viewport.top() + 24, max(100, viewport.width() - 48), 60
        )

    def resizeEvent(self, event: object) -> None:  # noqa: N802
        kept = self._fit_kept
        self._fitting = True
        try:
            super().resizeEvent(event)
            self._place_overlays()
        finally:
            self._fitting = False
        if kept and self.size() != self._fitted_size:  # (not the viewport's own resizing)
            self.fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._scene.restyle(self.palette())
            self.legend.update()
        elif event.type() == QEvent.Type.FontChange:
            self._place_overlays()


__all__ = [
    "DrawnEdge",
    "EdgeLayer",
    "EdgeStyle",
    "LabelItem",
    "LegendWidget",
    "NodeColour",
    "NodeItem",
    "SpiderDiagramScene",
    "SpiderDiagramView",
    "edge_pen",
    "node_shape",
    "paint_legend",
]
