"""The spider diagram widget: what it draws, how it answers the mouse and keys, exports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QToolButton

from saferyp_desktop.domain.diagram import NodeType
from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Adult,
    Confidence,
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
from saferyp_desktop.ui import diagram
from saferyp_desktop.ui.chair import across
from saferyp_desktop.ui.diagram import LabelItem, NodeItem, SpiderDiagramView

FULL_NAMES = ("Test Pupil One", "Test Pupil Two", "Test Adult One", "Test Adult Two")


@pytest.fixture
def records() -> dict:
    r = {
        "yp1": YoungPerson(
            code="YP-01", name="Test Pupil One", harm_categories=["cse"], concern_level="high"
        ),
        "yp2": YoungPerson(code="YP-02", name="Test Pupil Two", harm_categories=["bullying"]),
        "ad1": Adult(code="AD-01", name="Test Adult One", harm_categories=["cse"]),
        "ad2": Adult(code="AD-02", name="Test Adult Two", harm_categories=["cce"]),
        "park": Location(
            code="LC-01", label="Test Park", rating=Rag.RED.value, harm_categories=["cse"]
        ),
        "chat": Location(
            code="LC-02", label="Test Chat", location_kind=LocationKind.ONLINE_PLATFORM.value
        ),
    }
    r["group"] = PeerGroup(
        code="PG-01", label="Test Group", members=[Membership(person_id=r["yp2"].id)]
    )
    r["club"] = Strength(code="ST-01", label="Test Club")
    return r


@pytest.fixture
def links(records) -> dict:
    r = records

    def join(a, b, relation, confidence) -> Link:
        return Link(
            a_id=r[a].id, b_id=r[b].id, relation=relation.value, confidence=confidence.value
        )

    return {
        "exploits": join("ad1", "yp1", Relation.SUSPECTED_OF_EXPLOITING, Confidence.CONFIRMED),
        "friends": join("yp1", "yp2", Relation.FRIENDS_WITH, Confidence.SUSPECTED),
        "park": join("yp1", "park", Relation.SPENDS_TIME_AT, Confidence.UNCONFIRMED),
        "chat": join("yp2", "chat", Relation.ONLINE_CONTACT_WITH, Confidence.CONFIRMED),
        "club": join("club", "yp2", Relation.SUPPORTS_OR_PROTECTS, Confidence.CONFIRMED),
    }


@pytest.fixture
def table(records, links) -> MappingTable:
    return MappingTable.of(records.values(), links.values())


@pytest.fixture
def saved() -> list[dict]:
    return []


@pytest.fixture
def view(qtbot, table, saved) -> SpiderDiagramView:
    widget = SpiderDiagramView(save_positions=saved.append, report_error=pytest.fail)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.layoutFinished, timeout=5000):
        widget.refresh(table)
    return widget


def texts_shown(view: SpiderDiagramView) -> list[str]:
    """Every text and tooltip in the scene: labels, letters, edge labels."""
    found = []
    for item in view.diagram_scene.items():
        found.append(item.toolTip())
        if isinstance(item, LabelItem):
            found.append(item.text())
    return found


def centre_of(view: SpiderDiagramView, record_id: str) -> QPoint:
    item = view.diagram_scene.node_item(record_id)
    assert item is not None
    view.centerOn(item)
    return view.mapFromScene(item.pos())


# -- what is drawn -------------------------------------------------------------------


def test_draws_one_node_per_record_with_its_shape(view, records) -> None:
    scene = view.diagram_scene
    nodes = scene.node_items()
    assert len(nodes) == len(records)
    types = {item.node.code: item.node.node_type for item in nodes}
    assert types == {
        "YP-01": NodeType.YOUNG_PERSON,
        "YP-02": NodeType.YOUNG_PERSON,
        "AD-01": NodeType.ADULT,
        "AD-02": NodeType.ADULT,
        "PG-01": NodeType.PEER_GROUP,
        "LC-01": NodeType.LOCATION,
        "LC-02": NodeType.ONLINE_CONTEXT,
        "ST-01": NodeType.STRENGTH,
    }
    # Different shapes for different types: compare the outlines' element counts and sizes.
    outlines = {
        t: (scene_item.path().elementCount(), round(scene_item.path().boundingRect().width()))
        for scene_item in nodes
        for t in [scene_item.node.node_type]
    }
    assert len(set(outlines.values())) == len(outlines)
    park = scene.node_item(records["park"].id)
    assert park.brush().color() == QColor("#e0524f")  # red
    assert park.letter is not None and park.letter.text() == "R"
    assert (
        scene.node_item(records["yp1"].id).pen().widthF()
        > scene.node_item(records["yp2"].id).pen().widthF()
    )


def test_edges_follow_links_with_pens_by_confidence(view, links, records) -> None:
    scene = view.diagram_scene
    # Five links, and the peer group's membership.
    assert len(scene.drawn_edges()) == 6
    style = {key: scene.drawn_edge(link.id).pen.style() for key, link in links.items()}
    assert style["exploits"] == Qt.PenStyle.SolidLine
    assert style["friends"] == Qt.PenStyle.DashLine
    assert style["park"] == Qt.PenStyle.DotLine
    exploit_colour = scene.drawn_edge(links["exploits"].id).pen.color()
    assert exploit_colour.red() > 150 and exploit_colour.green() < 100
    # Edges are drawn between the nodes' centres.
    drawn = scene.drawn_edge(links["friends"].id)
    line, _ = drawn.geometry()
    ends = {(line.p1().x(), line.p1().y()), (line.p2().x(), line.p2().y())}
    assert ends == {
        (
            scene.node_item(records["yp1"].id).pos().x(),
            scene.node_item(records["yp1"].id).pos().y(),
        ),
        (
            scene.node_item(records["yp2"].id).pos().x(),
            scene.node_item(records["yp2"].id).pos().y(),
        ),
    }


def test_labels_show_names_at_full_level_and_codes_at_codes(view, records) -> None:
    scene = view.diagram_scene
    assert scene.node_item(records["yp1"].id).label.text() == "Test Pupil One"
    view.set_data_level(DataLevel.CODES)
    assert scene.node_item(records["yp1"].id).label.text() == "YP-01"
    assert scene.node_item(records["park"].id).label.text() == "LC-01"
    assert not any(name in text for text in texts_shown(view) for name in FULL_NAMES)


def test_presentation_mode_never_shows_a_full_name(view, records) -> None:
    view.set_zoom(2.0)  # every edge label too
    assert any("Test Pupil One" in text for text in texts_shown(view))
    view.set_presentation(True)
    assert view.data_level == DataLevel.INITIALS
    view.set_data_level(DataLevel.FULL)  # asking for names does not bring them back
    assert view.data_level == DataLevel.INITIALS
    view.diagram_scene.select(records["yp1"].id)
    shown = texts_shown(view)
    assert not [text for text in shown for name in FULL_NAMES if name in text]
    assert view.diagram_scene.node_item(records["yp1"].id).label.text() == "TPO"
    assert "Test Park" in shown  # places keep their labels
    view.set_presentation(False)
    assert view.diagram_scene.node_item(records["yp1"].id).label.text() == "Test Pupil One"


# -- selecting, opening, dragging ---------------------------------------------------------


def test_clicking_a_node_dims_everything_but_its_neighbourhood(qtbot, view, records, links) -> None:
    scene = view.diagram_scene
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=centre_of(view, records["yp1"].id)
    )
    assert scene.selected_ids() == [records["yp1"].id]
    for near in ("yp1", "yp2", "ad1", "park"):
        assert not scene.is_dimmed(records[near].id), near
    for far in ("ad2", "chat", "group", "club"):
        assert scene.is_dimmed(records[far].id), far
    assert not scene.drawn_edge(links["exploits"].id).dimmed
    assert scene.drawn_edge(links["chat"].id).dimmed
    # The selection's relations are labelled even at a zoom that hides the others.
    assert scene.drawn_edge(links["exploits"].id).label.isVisible()
    # Escape (or a click on the background) clears the highlight.
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not any(scene.is_dimmed(r.id) for r in records.values())


def test_double_click_and_enter_open_the_record(qtbot, view, records) -> None:
    where = centre_of(view, records["ad1"].id)
    with qtbot.waitSignal(view.recordActivated, timeout=2000) as opened:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [records["ad1"].id]
    view.diagram_scene.select(records["park"].id)
    view.setFocus()
    with qtbot.waitSignal(view.recordActivated, timeout=2000) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [records["park"].id]


def test_dragging_a_node_moves_its_edges_and_remembers_the_place(
    qtbot, view, records, links, saved
) -> None:
    scene = view.diagram_scene
    item = scene.node_item(records["ad1"].id)
    start = centre_of(view, records["ad1"].id)
    before = item.pos()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + QPoint(12 * step, 8 * step))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(60, 40))
    after = item.pos()
    assert after != before
    line, _ = scene.drawn_edge(links["exploits"].id).geometry()
    assert after in (line.p1(), line.p2())
    assert saved, "the new position was not handed to the saver"
    assert saved[-1] == {records["ad1"].id: (round(after.x(), 2), round(after.y(), 2))}
    # Laid out again (after any change to the table), the dragged node stays put.
    with qtbot.waitSignal(view.layoutFinished, timeout=5000):
        view.refresh(scene.table)
    assert scene.node_item(records["ad1"].id).pos() == after


def test_remembered_positions_are_used_when_given(qtbot, view, table, records) -> None:
    with qtbot.waitSignal(view.layoutFinished, timeout=5000):
        view.refresh(table, pinned={records["chat"].id: (-500.0, 250.0)})
    assert view.diagram_scene.node_item(records["chat"].id).pos().toTuple() == (-500.0, 250.0)


# -- zoom, level of detail, filters ----------------------------------------------------


def test_zoom_shortcuts_and_level_of_detail(qtbot, view, records) -> None:
    view.activateWindow()
    view.setFocus()
    view.set_zoom(1.0)
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(0.8)
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    whole = view.mapToScene(view.viewport().rect()).boundingRect()
    assert whole.contains(view.diagram_scene.itemsBoundingRect())

    scene = view.diagram_scene
    label = scene.node_item(records["yp1"].id).label
    view.set_zoom(0.2)
    assert not label.isVisible()
    view.set_zoom(1.0)
    assert label.isVisible()
    assert not any(e.label is not None and e.label.isVisible() for e in scene.drawn_edges())
    view.set_zoom(1.5)
    worded = [e for e in scene.drawn_edges() if e.edge.words]
    assert len(worded) == 5  # the membership has no role, so no words
    assert all(e.label is not None and e.label.isVisible() for e in worded)
    assert {e.label.text() for e in worded} >= {"exploiting/pressuring", "friends"}


def test_filter_menus(view, records) -> None:
    scene = view.diagram_scene
    view.category_actions["cse"].trigger()
    shown = {item.record_id for item in scene.node_items()}
    # The CSE records and what is linked to them.
    assert shown == {records[k].id for k in ("yp1", "ad1", "park", "yp2")}
    assert view.category_button.text() == "Harm categories (1)"
    view.all_categories_action.trigger()
    assert len(scene.node_items()) == len(records)

    view.type_actions[NodeType.ADULT.value].trigger()
    assert not [i for i in scene.node_items() if i.node.node_type == NodeType.ADULT]
    view.type_actions[NodeType.ONLINE_CONTEXT.value].trigger()
    assert scene.node_item(records["chat"].id) is None
    assert scene.node_item(records["park"].id) is not None
    view.set_kinds(None)
    assert len(scene.node_items()) == len(records)


def test_an_empty_table_says_so(qtbot, view) -> None:
    with qtbot.waitSignal(view.layoutFinished, timeout=5000):
        view.refresh(MappingTable())
    assert view.diagram_scene.node_items() == []
    assert view.empty_note.isVisible()


def test_a_large_table_is_laid_out_off_the_gui_thread(qtbot, view, table, records) -> None:
    view.diagram_scene.background_threshold = 0
    with qtbot.waitSignal(view.layoutFinished, timeout=10000):
        view.refresh(table)
        assert view.diagram_scene.busy
    assert len(view.diagram_scene.node_items()) == len(records)
    assert not view.busy_note.isVisible()


@pytest.mark.parametrize(
    "when", ["laying out", "making items", "taking old items out", "putting items in"]
)
def test_a_refresh_during_a_refresh_ends_with_the_newer_table_only(
    qtbot, view, table, records, links, monkeypatch, when
) -> None:
    scene = view.diagram_scene
    scene.background_threshold = 0  # a worker lays out, and the drawing is made in slices
    newcomer = YoungPerson(code="YP-03", name="Test Pupil Three")
    kept = [r for key, r in records.items() if key != "club"]
    newer = MappingTable.of(
        [*kept, newcomer], [link for key, link in links.items() if key != "club"]
    )
    refreshed = []

    def refresh_once() -> None:
        if not refreshed:
            refreshed.append(True)
            view.refresh(newer)

    if when == "making items":  # between two slices of the older drawing
        make_some = diagram._SceneBuild.run

        def run_then_refresh(build, seconds=None) -> bool:
            done = make_some(build, seconds)
            if not done:
                refresh_once()
            return done

        monkeypatch.setattr(diagram._SceneBuild, "run", run_then_refresh)
    elif when == "taking old items out":  # the drawing before leaves the scene, a few a slice
        monkeypatch.setattr(diagram, "REMOVING_BATCH", 1)
        take_some = diagram.SpiderDiagramScene._leave_some

        def take_then_refresh(scene_, count, gone) -> bool:
            left = take_some(scene_, count, gone)
            if left:
                refresh_once()
            return left

        monkeypatch.setattr(diagram.SpiderDiagramScene, "_leave_some", take_then_refresh)
    elif when == "putting items in":  # the older drawing's items are going in, a few a slice
        monkeypatch.setattr(diagram, "PLACING_BATCH", 1)
        scene.drawingPlaced.connect(refresh_once)

    with qtbot.waitSignal(view.layoutFinished, timeout=10000):
        view.refresh(table)
        if when == "laying out":
            refresh_once()
    assert refreshed and not scene.busy
    wanted = {r.id for r in newer.records.values()}
    assert {item.record_id for item in scene.node_items()} == wanted
    # every node is in the scene, and nothing of the older drawing is left in it
    in_scene = [item for item in scene.items() if isinstance(item, NodeItem)]
    assert sorted(item.record_id for item in in_scene) == sorted(wanted)
    ends = {end for drawn in scene.drawn_edges() for end in (drawn.edge.a_id, drawn.edge.b_id)}
    assert ends and ends <= wanted
    assert scene.drawing_bounds().contains(scene.node_item(newcomer.id).pos())


def test_a_drawing_of_many_nodes_is_made_a_slice_at_a_time(qtbot, view) -> None:
    """Laid out at once (every node placed), but its items made and put in between
    events: ``busy`` until then, and the older drawing all gone at the end."""
    people = [YoungPerson(code=f"YP-{n:03d}", name=f"Pupil {n}") for n in range(120)]
    placed = {p.id: (float(40 * (n % 12)), float(60 * (n // 12))) for n, p in enumerate(people)}
    scene = view.diagram_scene
    assert len(people) >= diagram.SLICED_BUILD_NODES
    with qtbot.waitSignal(view.layoutFinished, timeout=5000):
        view.refresh(MappingTable.of(people), pinned=placed)
        assert scene.busy  # (the window answers meanwhile)
    assert not scene.busy
    assert {item.record_id: item.pos().toTuple() for item in scene.node_items()} == placed
    in_scene = {item.record_id for item in scene.items() if isinstance(item, NodeItem)}
    assert in_scene == set(placed)


def test_a_style_for_the_next_drawing_only(qtbot, view, table) -> None:
    """``now=False``: the drawing shown keeps its style; the next one is drawn in the new."""
    scene = view.diagram_scene
    orange = QColor("#e69f00")
    view.set_combined_style(lambda _record_id: orange, now=False)
    assert all(item.ring is None for item in scene.node_items())
    with qtbot.waitSignal(view.layoutFinished, timeout=5000):
        view.refresh(table)
    assert all(item.ring is not None for item in scene.node_items())
    assert {item.ring.brush().color().name() for item in scene.node_items()} == {"#e69f00"}
    view.set_combined_style(None)  # at once
    assert all(item.ring is None for item in scene.node_items())


def _drawing_on_screen(view: SpiderDiagramView) -> QRect:
    shown = view.mapFromScene(view.diagram_scene.drawing_bounds()).boundingRect()
    return shown.translated(view.viewport().pos())


def test_fit_leaves_the_key_clear_and_is_kept_through_resizes_until_zoomed(
    qtbot, view, records
) -> None:
    view.fit()
    assert view.legend.isVisible()
    assert not _drawing_on_screen(view).intersects(view.legend.geometry())
    fitted = view.zoom()
    view.resize(640, 420)  # smaller: fitted again, all in sight, still clear of the key
    qtbot.waitUntil(lambda: view.zoom() < fitted)
    qtbot.waitUntil(  # (once the scroll bars the larger drawing needed have gone)
        lambda: view.viewport().geometry().contains(_drawing_on_screen(view))
    )
    assert not _drawing_on_screen(view).intersects(view.legend.geometry())
    assert not view.horizontalScrollBar().isVisible()
    assert not view.verticalScrollBar().isVisible()
    smaller = view.zoom()
    view.legend_action.trigger()  # the key hidden: the drawing takes its room
    assert not view.legend.isVisible() and view.zoom() > smaller
    view.legend_action.trigger()
    assert view.zoom() == pytest.approx(smaller)
    # a new drawing while fitted: fitted too, where the old one was drawn (not centred
    # in the whole view, under the key)
    with qtbot.waitSignal(view.layoutFinished, timeout=5000):
        view.refresh(view.diagram_scene.table)
    assert view.zoom() == pytest.approx(smaller)
    assert not _drawing_on_screen(view).intersects(view.legend.geometry())
    # zoomed by the chair: a new size keeps the zoom
    view.set_zoom(1.0)
    view.resize(900, 600)
    qtbot.waitUntil(lambda: view.size().toTuple() == (900, 600))
    assert view.zoom() == pytest.approx(1.0)
    # Fit again, then panned (to a node dragged far away): the same
    view.fit_action.trigger()
    fitted = view.zoom()
    view.resize(1000, 700)
    qtbot.waitUntil(lambda: view.zoom() > fitted)
    view.diagram_scene.move_node(records["chat"].id, 4000.0, 0.0)
    bar = view.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > bar.value())
    bar.setValue(bar.maximum())
    zoom = view.zoom()
    view.resize(800, 600)
    qtbot.waitUntil(lambda: view.size().toTuple() == (800, 600))
    assert view.zoom() == pytest.approx(zoom)


# -- the combined diagram's positions ------------------------------------------------------


def test_combined_positions_keep_each_schools_drawing_and_put_them_side_by_side() -> None:
    drawings = [
        {f"s{school}-{n}": (float(37 * n % 300 - 100), float(53 * n % 200)) for n in range(30)}
        for school in range(5)
    ]
    drawings.insert(2, {})  # a school with nothing to draw takes no room
    placed = across.combined_positions(drawings)
    assert placed == across.combined_positions(drawings)  # the same every time
    assert len(placed) == 5 * 30
    boxes = []
    for drawing in drawings:
        if not drawing:
            continue
        # each school's drawing moved as a whole, not laid out again
        first = next(iter(drawing))
        dx = placed[first][0] - drawing[first][0]
        dy = placed[first][1] - drawing[first][1]
        for node_id, (x, y) in drawing.items():
            assert placed[node_id] == (pytest.approx(x + dx), pytest.approx(y + dy))
        xs = [placed[n][0] for n in drawing]
        ys = [placed[n][1] for n in drawing]
        boxes.append(QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    # apart, in rows, in the order given (that of the key): the first at the top left
    for i, box in enumerate(boxes):
        assert not any(box.intersects(other) for other in boxes[i + 1 :])
    assert boxes[0].top() <= min(b.top() for b in boxes)
    assert boxes[0].left() <= min(b.left() for b in boxes)
    rows = sorted({round(b.top()) for b in boxes})
    assert 1 < len(rows) < len(boxes)  # neither one long row nor one column


def test_gathered_again_unchanged_the_combined_drawing_is_the_same_object() -> None:
    person = YoungPerson(code="YP-01", name="Test Pupil One")
    first = across.AcrossData(
        schools={"100001": "A school"},
        school_of={person.id: "100001"},
        drawing=MappingTable.of([person]),
        positions={person.id: (1.0, 2.0)},
    )
    again = across.AcrossData(
        schools={"100001": "A school"},
        school_of={person.id: "100001"},
        drawing=MappingTable.of([person]),
        positions={person.id: (1.0, 2.0)},
    )
    same = across.same_drawing(again, first)
    assert same.drawing is first.drawing and same.positions is first.positions
    moved = across.AcrossData(
        schools=first.schools,
        school_of=first.school_of,
        drawing=MappingTable.of([person]),
        positions={person.id: (5.0, 2.0)},
    )
    assert across.same_drawing(moved, first).drawing is not first.drawing


# -- export ------------------------------------------------------------------------------


def test_export_png_through_the_toolbar(view, tmp_path: Path) -> None:
    target = tmp_path / "diagram.png"
    asked = []
    view.choose_export_path = lambda *args: asked.append(args) or target
    view.export_png_action.trigger()
    assert asked and asked[0][1] == "spider-diagram.png"  # no personal data in the name offered
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() > 400 and image.height() > 300


def test_export_svg_holds_the_labels_at_the_current_level(view, tmp_path: Path) -> None:
    target = tmp_path / "diagram.svg"
    view.choose_export_path = lambda *args: target
    view.export_svg_action.trigger()
    texts = " ".join(t.strip() for t in ET.parse(target).getroot().itertext())
    assert "Test Pupil One" in texts and "Test Park" in texts
    assert "OFFICIAL-SENSITIVE" in texts

    view.set_presentation(True)
    assert view.export_svg(tmp_path / "shown.svg") == tmp_path / "shown.svg"
    texts = " ".join(t.strip() for t in ET.parse(tmp_path / "shown.svg").getroot().itertext())
    assert "TPO" in texts and "Test Park" in texts
    assert not [name for name in FULL_NAMES if name in texts]
    assert "Initials" in texts


def test_cancelled_export_writes_nothing(view, tmp_path: Path) -> None:
    view.choose_export_path = lambda *args: None
    assert view.export_png() is None
    assert view.export_svg() is None
    assert list(tmp_path.iterdir()) == []


def test_export_failure_is_one_sentence(view, tmp_path: Path) -> None:
    reported = []
    view.report_error = reported.append
    view.choose_export_path = lambda *args: tmp_path / "no-such-folder" / "d.png"
    view.export_png_action.trigger()
    assert len(reported) == 1 and reported[0].endswith(".")


# -- accessibility and themes -------------------------------------------------------------


def test_toolbar_buttons_have_accessible_names(view) -> None:
    buttons = view.toolbar.findChildren(QToolButton)
    named = [b.accessibleName() for b in buttons if b.isVisible()]
    assert {"Zoom in", "Zoom out", "Harm categories", "Show"} <= set(named)
    assert all(named), "a toolbar button has no accessible name"


def test_text_colours_follow_the_palette(view, records) -> None:
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    view.setPalette(dark)
    label = view.diagram_scene.node_item(records["yp1"].id).label
    assert label.text_colour == QColor("#eeeeee")
    assert view.diagram_scene.backgroundBrush().color() == QColor("#1e1e1e")


def test_every_node_is_a_node_item(view) -> None:
    assert all(isinstance(item, NodeItem) for item in view.diagram_scene.node_items())
