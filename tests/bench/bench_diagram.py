"""Spider diagram: layout and scene build time for the large demo, and the longest the
GUI thread goes without answering (a heartbeat timer) while it is laid out and drawn.

    uv run python tests/bench/bench_diagram.py

Uses ``saferyp_desktop.domain.demo.make_demo(seed=1, size="large")`` when that module
exists, and otherwise a comparable synthetic table built here (≈1,700 records,
≈5,000 links, a few communities with cross-links), so the figure is available early.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Heartbeat, Row, format_table, median_time  # noqa: E402

from saferyp_desktop.domain.diagram import layout  # noqa: E402
from saferyp_desktop.domain.mapping import MappingTable  # noqa: E402
from saferyp_desktop.domain.records import (  # noqa: E402
    Adult,
    Confidence,
    Kind,
    Link,
    Location,
    LocationKind,
    Membership,
    PeerGroup,
    Rag,
    Relation,
    Strength,
    YoungPerson,
    format_code,
)

LAYOUT_TARGET = 1.5  # seconds, DESIGN.md / the brief
BLOCK_TARGET = 0.1  # seconds the GUI thread may go without answering, the brief


def synthetic_table(seed: int = 1, records: int = 1_700, links: int = 5_000) -> MappingTable:
    """A fictional table shaped like a large school's: people, places and groups in
    neighbourhood clusters, most links inside a cluster, some across."""
    rng = random.Random(seed)
    shares = [
        (Kind.YOUNG_PERSON, 0.55),
        (Kind.ADULT, 0.12),
        (Kind.PEER_GROUP, 0.06),
        (Kind.LOCATION, 0.20),
        (Kind.STRENGTH, 0.07),
    ]
    categories = ["cse", "cce", "county_lines", "bullying", "serious_youth_violence"]
    table = MappingTable()
    clusters = 12
    made: list[tuple[str, int]] = []
    for kind, share in shares:
        for number in range(1, int(records * share) + 1):
            code = format_code(kind, number)
            cluster = rng.randrange(clusters)
            cats = rng.sample(categories, rng.choice((0, 1, 1, 2)))
            if kind == Kind.YOUNG_PERSON:
                record = YoungPerson(code=code, name=f"Test Pupil {number}", harm_categories=cats)
            elif kind == Kind.ADULT:
                record = Adult(code=code, name=f"Test Adult {number}", harm_categories=cats)
            elif kind == Kind.PEER_GROUP:
                record = PeerGroup(code=code, label=f"Group {number}", harm_categories=cats)
            elif kind == Kind.LOCATION:
                record = Location(
                    code=code,
                    label=f"Place {number}",
                    location_kind=rng.choice(list(LocationKind)).value,
                    rating=rng.choice(list(Rag)).value,
                    harm_categories=cats,
                )
            else:
                record = Strength(code=code, label=f"Strength {number}")
            table.put(record)
            made.append((record.id, cluster))
    by_cluster: dict[int, list[str]] = {}
    for record_id, cluster in made:
        by_cluster.setdefault(cluster, []).append(record_id)
    all_ids = [record_id for record_id, _ in made]
    for _ in range(links):
        a, cluster = rng.choice(made)
        b = rng.choice(by_cluster[cluster]) if rng.random() < 0.85 else rng.choice(all_ids)
        if a == b:
            continue
        table.put_link(
            Link(
                a_id=a,
                b_id=b,
                relation=rng.choice(list(Relation)).value,
                confidence=rng.choice(list(Confidence)).value,
            )
        )
    people = [r.id for r in table.of_kind(Kind.YOUNG_PERSON)]
    for group in table.of_kind(Kind.PEER_GROUP):
        assert isinstance(group, PeerGroup)
        group.members = [Membership(person_id=p) for p in rng.sample(people, 4)]
    return table


def large_table() -> tuple[MappingTable, str]:
    try:
        from saferyp_desktop.domain.demo import make_demo
    except ImportError:
        return synthetic_table(), "synthetic"
    return make_demo(seed=1, size="large", today=date(2026, 11, 2)).table, "demo"


def run() -> list[Row]:
    table, source = large_table()
    diagram = layout(table)
    nodes, edges = len(diagram.nodes), len(diagram.edges)
    rows = [
        Row(
            f"diagram layout, {source} large ({nodes} nodes, {edges} edges), median of 5",
            median_time(lambda: layout(table), repeat=5),
            "s",
            LAYOUT_TARGET,
        ),
    ]

    from PySide6.QtWidgets import QApplication

    from saferyp_desktop.ui.diagram import SpiderDiagramView

    app = QApplication.instance() or QApplication([])
    view = SpiderDiagramView()
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    scene = view.diagram_scene
    rows.append(
        Row(
            "diagram scene build from a layout, median of 5",
            median_time(lambda: scene.show_layout(diagram), repeat=5),
            "s",
            0.5,
        )
    )

    def refresh() -> None:
        finished = []
        view.layoutFinished.connect(lambda: finished.append(True))
        view.refresh(table)  # laid out on a worker thread; the window stays responsive
        while not finished:
            app.processEvents()
            time.sleep(0.002)

    rows.append(Row("diagram refresh (layout on a worker + scene), once", _once(refresh), "s", 2.0))
    rows += _blocking_rows(app, table)

    view.fit()
    app.processEvents()

    view.viewport().grab()

    def zoom_step() -> None:
        view.zoom_in()  # every edge in view is drawn again at the new scale
        view.viewport().grab()

    rows.append(
        Row(
            "diagram zoom in one step from fitted, repainted, median of 4",
            median_time(zoom_step, 4),
            "s",
            0.25,
        )
    )
    view.set_zoom(1.0)
    app.processEvents()
    view.viewport().grab()
    rows.append(
        Row(
            "diagram zoom in to 125 %, first time, repainted (edge labels follow)",
            _once(zoom_step),
            "s",
            0.5,
        )
    )
    rows.append(
        Row(
            "GUI thread longest block while every edge label is made (zoomed in, first time)",
            _longest_block_until(
                app, lambda: all(d.label is not None for d in scene.drawn_edges() if d.edge.words)
            ),
            "s",
            BLOCK_TARGET,
        )
    )
    view.set_zoom(1.0)
    app.processEvents()
    chosen = [item.record_id for item in scene.node_items()[:: max(1, nodes // 5)]][:5]

    def select_next() -> None:
        scene.select(chosen.pop())  # dims all but the neighbourhood: every edge regrouped
        view.viewport().grab()

    rows.append(
        Row(
            "diagram select a node at 100 %, repainted, median of 5",
            median_time(select_next, 5),
            "s",
            0.25,
        )
    )
    scene.clearSelection()
    bar = view.horizontalScrollBar()

    def pan_step() -> None:
        bar.setValue(bar.value() + 20)
        app.processEvents()
        view.viewport().grab()

    rows.append(
        Row("diagram pan step at 100 % (20 px), median of 9", median_time(pan_step, 9), "s", 1 / 30)
    )
    node = scene.node_items()[len(scene.node_items()) // 2]
    view.centerOn(node)

    def drag_step() -> None:
        node.setPos(node.pos().x() + 4, node.pos().y() + 3)
        scene.nodes_moving()
        view.viewport().grab()

    rows.append(
        Row("diagram node drag step at 100 %, median of 9", median_time(drag_step, 9), "s", 0.1)
    )
    scene.nodes_released()
    view.close()
    return rows


def _blocking_rows(app, table: MappingTable) -> list[Row]:
    """The longest the GUI thread goes without answering while a new view lays out and
    draws the table (fitted, as when the section is first opened), and while it redraws
    it over the old drawing (as after an edit), the repaint afterwards included."""
    from PySide6.QtCore import QEventLoop, QTimer

    from saferyp_desktop.ui.diagram import SpiderDiagramView

    view = SpiderDiagramView()
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    heartbeat = Heartbeat()
    rows = []
    for words in ("laid out and drawn", "redrawn over the previous drawing"):
        loop = QEventLoop()
        # Half a second more after the drawing is made, so the repaint that follows counts.
        view.layoutFinished.connect(lambda loop=loop: QTimer.singleShot(500, loop.quit))
        heartbeat.start()
        QTimer.singleShot(0, lambda: view.refresh(table))
        loop.exec()
        heartbeat.stop()
        view.layoutFinished.disconnect()
        rows.append(
            Row(
                f"GUI thread longest block while the large demo's diagram is {words}",
                heartbeat.longest(),
                "s",
                BLOCK_TARGET,
            )
        )
    view.close()
    return rows


def _longest_block_until(app, done: Callable[[], bool]) -> float:
    """The longest the GUI thread went without answering while the event loop runs
    until ``done()`` (checked every 50 ms), and for 200 ms more."""
    heartbeat = Heartbeat()
    heartbeat.start()
    while not done():
        _run_loop_for(50)
    _run_loop_for(200)
    heartbeat.stop()
    return heartbeat.longest()


def _run_loop_for(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    print(format_table(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
