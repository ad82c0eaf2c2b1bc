"""Where every node of the spider diagram goes: the one source of positions.

The program's diagram and the PDF briefing both draw from :func:`layout`, so a
printed diagram is laid out as on screen. Plain Python (no Qt, no numpy): a
Fruchterman–Reingold spring layout with grid-based repulsion, per connected component,
components packed in rows. The same data always gives the same positions.

What is drawn:

- a node for every active record of a mapped kind (``records.MAPPED_KINDS``); a
  location whose ``online`` is true is an *online context* node;
- an edge for every active link between two drawn records, and, where no link
  already joins the pair, an edge for each peer-group membership and for each record
  a strength is linked to (so a group sits with its members and a strength with the
  people and places it protects).

Filters:

- ``kinds``: the node types to draw (:class:`NodeType` values; ``"location"`` means
  physical places only, ``"online_context"`` the online ones);
- ``harm_categories``: a record is drawn if it has one of the categories, or if it is
  joined by an edge to a record that has one (one step only). This matches the
  "relevant" check, and keeps the strengths, peer groups and places around the
  people of concern in the picture.

Units are points (1/72 inch); a node is about 36 across, an edge about 120 long.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from saferyp_desktop.domain.levels import DataLevel, display_name, display_with_code
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    CODE_PATTERN,
    CODE_PREFIX,
    MAPPED_KINDS,
    Location,
    PeerGroup,
    Rag,
    Record,
    Relation,
    Strength,
)

Point = tuple[float, float]

EDGE_LENGTH = 120.0  # the spring's ideal length
NODE_BOX = (104.0, 62.0)  # a node with its label below: kept clear of other nodes
LANE_SPACING = 14.0
SPACING = 115.0  # room per node in a large, densely linked component  # how far apart parallel edges between one pair are drawn
_MEMBERSHIP = "member of"
_STRENGTH = "supports or protects"


class NodeType(StrEnum):
    YOUNG_PERSON = "young_person"
    ADULT = "adult"
    PEER_GROUP = "peer_group"
    LOCATION = "location"
    ONLINE_CONTEXT = "online_context"
    STRENGTH = "strength"


NODE_TYPE_TITLES = {
    NodeType.YOUNG_PERSON: "Young people",
    NodeType.ADULT: "Adults",
    NodeType.PEER_GROUP: "Peer groups",
    NodeType.LOCATION: "Locations",
    NodeType.ONLINE_CONTEXT: "Online contexts",
    NodeType.STRENGTH: "Strengths",
}


# Short words drawn on an edge; the line's style already says how sure the link is.
RELATION_WORDS = {
    "friends with": "friends",
    "in a relationship with": "relationship",
    "related to": "related",
    "seen with": "seen with",
    "spends time at": "spends time at",
    "lives at or near": "lives at/near",
    "online contact with": "online contact",
    "suspected of exploiting or pressuring": "exploiting/pressuring",
    "in conflict with": "conflict",
    "supports or protects": "supports",
}


class EdgeKind(StrEnum):
    LINK = "link"  # a Link record: relation and confidence as recorded
    MEMBERSHIP = "membership"  # a young person in a peer group
    STRENGTH = "strength"  # a strength's linked record


def node_type_of(record: Record) -> NodeType | None:
    """The node a record is drawn as, or None for records the diagram does not draw."""
    if isinstance(record, Location):
        return NodeType.ONLINE_CONTEXT if record.online else NodeType.LOCATION
    if record.kind in MAPPED_KINDS:
        return NodeType(record.kind.value)
    return None


@dataclass(frozen=True)
class DiagramNode:
    id: str
    code: str
    node_type: NodeType
    record: Record = field(repr=False, compare=False)
    x: float = 0.0
    y: float = 0.0
    pinned: bool = False

    @property
    def position(self) -> Point:
        return (self.x, self.y)

    def label(self, level: DataLevel) -> str:
        """What the node is called at ``level`` (people reduced by ``levels``)."""
        return display_name(self.record, level)

    def label_with_code(self, level: DataLevel) -> str:
        return display_with_code(self.record, level)

    @property
    def rating(self) -> str | None:
        """Red, amber or green for a location or online context; None otherwise."""
        return self.record.rating if isinstance(self.record, Location) else None

    @property
    def concern_level(self) -> str | None:
        return getattr(self.record, "concern_level", None)

    @property
    def harm_categories(self) -> tuple[str, ...]:
        return tuple(getattr(self.record, "harm_categories", ()))


@dataclass(frozen=True)
class DiagramEdge:
    id: str  # the link's id, or "membership:<group>:<person>" / "strength:<strength>:<record>"
    a_id: str
    b_id: str
    kind: EdgeKind
    relation: str  # the words drawn on the edge
    confidence: str  # a Confidence value; memberships and strengths count as confirmed
    lane: int = 0  # 0 straight; ±1, ±2 … bowed sideways when several edges join one pair

    def other(self, node_id: str) -> str:
        return self.b_id if node_id == self.a_id else self.a_id

    @property
    def words(self) -> str:
        """The short words drawn on the edge (``relation`` is the full relation). A
        membership shows only the member's role, if any, and a strength's link nothing:
        their colour says what they are, and a dense diagram needs fewer labels."""
        if self.kind == EdgeKind.MEMBERSHIP:
            return self.relation.removeprefix(_MEMBERSHIP).strip().strip("()")
        if self.kind == EdgeKind.STRENGTH:
            return ""
        return RELATION_WORDS.get(self.relation, self.relation)


@dataclass
class DiagramLayout:
    nodes: dict[str, DiagramNode]  # by record id, in code order
    edges: list[DiagramEdge]

    def position(self, node_id: str) -> Point:
        return self.nodes[node_id].position

    def positions(self) -> dict[str, Point]:
        return {node_id: node.position for node_id, node in self.nodes.items()}

    def neighbours(self, node_id: str) -> set[str]:
        return {edge.other(node_id) for edge in self.edges if node_id in (edge.a_id, edge.b_id)}

    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, top, right, bottom)`` of the node centres; all zero when empty."""
        if not self.nodes:
            return (0.0, 0.0, 0.0, 0.0)
        xs = [n.x for n in self.nodes.values()]
        ys = [n.y for n in self.nodes.values()]
        return (min(xs), min(ys), max(xs), max(ys))


def code_sort_key(code: str) -> tuple[int, int, str]:
    """``YP-2`` before ``YP-10``, young people before adults (the order of MAPPED_KINDS)."""
    match = CODE_PATTERN.match(code)
    if not match:
        return (len(CODE_PREFIX), 0, code)
    order = [CODE_PREFIX[kind] for kind in (*MAPPED_KINDS, *CODE_PREFIX)]
    return (order.index(match.group(1)), int(match.group(2)), code)


def wrap_label(text: str, width: int = 18, max_lines: int = 2) -> str:
    """``text`` broken at spaces into at most ``max_lines`` lines of about ``width``
    characters, the last shortened with an ellipsis if need be."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + "…"
    lines = [line if len(line) <= width + 2 else line[: width + 1] + "…" for line in lines]
    return "\n".join(lines)


# -- building the graph ----------------------------------------------------------


def _wanted_nodes(
    table: MappingTable, kinds: Collection[str] | None
) -> list[tuple[Record, NodeType]]:
    chosen = None if kinds is None else {str(k) for k in kinds}
    found = []
    for kind in MAPPED_KINDS:
        for record in table.of_kind(kind):
            node_type = node_type_of(record)
            if node_type is not None and (chosen is None or node_type.value in chosen):
                found.append((record, node_type))
    found.sort(key=lambda item: code_sort_key(item[0].code))
    return found


def _candidate_edges(table: MappingTable, ids: set[str]) -> list[DiagramEdge]:
    """Every edge between records in ``ids``: links first, then implicit ones."""
    edges: list[DiagramEdge] = []
    linked_pairs: set[frozenset[str]] = set()
    for link in table.active_links():
        if link.a_id in ids and link.b_id in ids and link.a_id != link.b_id:
            edges.append(
                DiagramEdge(
                    link.id, link.a_id, link.b_id, EdgeKind.LINK, link.relation, link.confidence
                )
            )
            linked_pairs.add(frozenset((link.a_id, link.b_id)))
    for record in table.records.values():
        if record.id not in ids:
            continue
        if isinstance(record, PeerGroup):
            for member in record.members:
                pair = frozenset((record.id, member.person_id))
                if member.person_id in ids and pair not in linked_pairs:
                    words = f"{_MEMBERSHIP} ({member.role})" if member.role else _MEMBERSHIP
                    edges.append(
                        DiagramEdge(
                            f"membership:{record.id}:{member.person_id}",
                            member.person_id,
                            record.id,
                            EdgeKind.MEMBERSHIP,
                            words,
                            "confirmed",
                        )
                    )
                    linked_pairs.add(pair)
        elif isinstance(record, Strength):
            for other_id in record.linked_ids:
                pair = frozenset((record.id, other_id))
                if other_id in ids and other_id != record.id and pair not in linked_pairs:
                    edges.append(
                        DiagramEdge(
                            f"strength:{record.id}:{other_id}",
                            record.id,
                            other_id,
                            EdgeKind.STRENGTH,
                            _STRENGTH,
                            "confirmed",
                        )
                    )
                    linked_pairs.add(pair)
    return edges


def _filter_by_category(
    nodes: list[tuple[Record, NodeType]],
    edges: list[DiagramEdge],
    categories: Collection[str],
) -> set[str]:
    wanted = set(categories)
    seeds = {
        record.id
        for record, _ in nodes
        if wanted.intersection(getattr(record, "harm_categories", ()))
    }
    shown = set(seeds)
    for edge in edges:
        if edge.a_id in seeds:
            shown.add(edge.b_id)
        if edge.b_id in seeds:
            shown.add(edge.a_id)
    return shown


def _with_lanes(edges: list[DiagramEdge], order: dict[str, int]) -> list[DiagramEdge]:
    """Edges in a stable order, parallel ones given lanes 0, 1, -1, 2, -2 …"""
    edges = sorted(
        edges,
        key=lambda e: (
            min(order[e.a_id], order[e.b_id]),
            max(order[e.a_id], order[e.b_id]),
            e.kind != EdgeKind.LINK,
            e.relation,
            e.confidence,
            e.id,
        ),
    )
    seen: dict[tuple[str, str], int] = {}
    result = []
    for edge in edges:
        pair = (edge.a_id, edge.b_id) if edge.a_id < edge.b_id else (edge.b_id, edge.a_id)
        index = seen.get(pair, 0)
        seen[pair] = index + 1
        lane = 0 if index == 0 else ((index + 1) // 2) * (1 if index % 2 else -1)
        if lane and edge.a_id != pair[0]:
            lane = -lane  # lanes are measured from the pair's first end, whichever way round
        result.append(
            DiagramEdge(
                edge.id, edge.a_id, edge.b_id, edge.kind, edge.relation, edge.confidence, lane
            )
        )
    return result


# -- the spring layout -------------------------------------------------------------


def _components(n: int, adjacency: list[list[int]]) -> list[list[int]]:
    seen = [False] * n
    components = []
    for start in range(n):
        if seen[start]:
            continue
        seen[start] = True
        members = [start]
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for other in adjacency[node]:
                if not seen[other]:
                    seen[other] = True
                    members.append(other)
                    queue.append(other)
        components.append(sorted(members))
    # Largest first; ties by the first code, so the packing does not depend on dict order.
    components.sort(key=lambda c: (-len(c), c[0]))
    return components


def _initial_positions(members: list[int], adjacency: list[list[int]], k: float) -> list[Point]:
    """Members on a sunflower spiral in breadth-first order from the best-linked one,
    so the hub starts in the middle and its neighbours around it."""
    index = {node: i for i, node in enumerate(members)}
    hub = max(members, key=lambda node: (len(adjacency[node]), -node))
    order = [hub]
    placed = {hub}
    queue = deque([hub])
    while queue:
        node = queue.popleft()
        for other in sorted(adjacency[node], key=lambda o: (-len(adjacency[o]), o)):
            if other not in placed:
                placed.add(other)
                order.append(other)
                queue.append(other)
    golden = math.pi * (3 - math.sqrt(5))
    spacing = 0.55 * SPACING
    positions: list[Point] = [(0.0, 0.0)] * len(members)
    for i, node in enumerate(order):
        r = spacing * math.sqrt(i)
        positions[index[node]] = (r * math.cos(i * golden), r * math.sin(i * golden))
    return positions


def _spring(
    xs: list[float],
    ys: list[float],
    edges: list[tuple[int, int]],
    movable: list[bool],
    k: float,
    iterations: int,
    t0: float,
    *,
    spacing: float = 0.0,
) -> None:
    """Fruchterman–Reingold in place: edges pull (d²/k), nodes closer than 1.5k push (k²/d).

    Repulsion is found through a grid of 1.5k cells, so a step costs about n·(nodes
    near one node) rather than n². Nodes not ``movable`` push and pull but stay put.
    With ``spacing``, every eighth step and at the end the nodes are spread out again
    if the edges have pulled them tighter than that (see :func:`_keep_spacing`): with
    the repulsion cut off, nothing else stops a densely linked component from being
    drawn into a ball whose labels lie on top of each other.
    """
    n = len(xs)
    if n < 2 or iterations <= 0:
        return
    k2 = k * k
    cell = 1.5 * k
    reach2 = cell * cell
    all_movable = all(movable)
    moving = [i for i in range(n) if movable[i]]
    neighbourhood = ((0.0, 0.0), (1.0, 0.0), (-1.0, 1.0), (0.0, 1.0), (1.0, 1.0))
    for step in range(iterations):
        t = t0 * (1.0 - step / iterations) + 0.02 * k
        fx = [0.0] * n
        fy = [0.0] * n
        grid: dict[tuple[float, float], list[int]] = {}
        for i in range(n):
            key = (xs[i] // cell, ys[i] // cell)
            members = grid.get(key)
            if members is None:
                grid[key] = [i]
            else:
                members.append(i)
        if all_movable:
            # Each pair once: a cell with itself and with four of its neighbours.
            for (gx, gy), here in grid.items():
                for ox, oy in neighbourhood:
                    same = ox == 0.0 and oy == 0.0
                    there = here if same else grid.get((gx + ox, gy + oy))
                    if there is None:
                        continue
                    for a_pos, i in enumerate(here):
                        xi = xs[i]
                        yi = ys[i]
                        pushx = pushy = 0.0
                        for j in there[a_pos + 1 :] if same else there:
                            dx = xi - xs[j]
                            dy = yi - ys[j]
                            d2 = dx * dx + dy * dy
                            if d2 >= reach2:
                                continue
                            if d2 < 1e-6:
                                # Two nodes on one spot: part them by their order.
                                dx, dy, d2 = 0.1 * (1 + i % 7), 0.1 * (1 + j % 5), 0.02
                            f = k2 / d2
                            pushx += dx * f
                            pushy += dy * f
                            fx[j] -= dx * f
                            fy[j] -= dy * f
                        fx[i] += pushx
                        fy[i] += pushy
        else:
            for i in moving:
                xi = xs[i]
                yi = ys[i]
                gx = xi // cell
                gy = yi // cell
                for ox in (-1.0, 0.0, 1.0):
                    for oy in (-1.0, 0.0, 1.0):
                        for j in grid.get((gx + ox, gy + oy), ()):
                            if j == i:
                                continue
                            dx = xi - xs[j]
                            dy = yi - ys[j]
                            d2 = dx * dx + dy * dy
                            if d2 >= reach2:
                                continue
                            if d2 < 1e-6:
                                dx, dy, d2 = 0.1 * (1 + i % 7), 0.1 * (1 + j % 5), 0.02
                            f = k2 / d2
                            fx[i] += dx * f
                            fy[i] += dy * f
        for i, j in edges:
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            f = math.sqrt(dx * dx + dy * dy) / k
            fx[i] -= dx * f
            fy[i] -= dy * f
            fx[j] += dx * f
            fy[j] += dy * f
        for i in moving:
            gx = fx[i]
            gy = fy[i]
            length2 = gx * gx + gy * gy
            if length2 > t * t:
                scale = t / math.sqrt(length2)
                gx *= scale
                gy *= scale
            xs[i] += gx
            ys[i] += gy
        if spacing and (step % 8 == 7 or step == iterations - 1):
            _keep_spacing(xs, ys, spacing)


def _keep_spacing(xs: list[float], ys: list[float], spacing: float) -> None:
    """If the nodes are packed tighter than one per ``spacing``-sided square, move each
    along its ray from the centre so that, ranked by distance, they fill a disc at that
    density: every node keeps its direction and its place in the order outwards."""
    n = len(xs)
    cx = sum(xs) / n
    cy = sum(ys) / n
    by_distance = sorted(range(n), key=lambda i: ((xs[i] - cx) ** 2 + (ys[i] - cy) ** 2, i))
    middle = by_distance[n // 2]
    median = math.hypot(xs[middle] - cx, ys[middle] - cy)
    if median >= 0.8 * spacing * math.sqrt(n / 2 / math.pi):
        return
    for rank, i in enumerate(by_distance):
        dx = xs[i] - cx
        dy = ys[i] - cy
        r = math.hypot(dx, dy)
        if r < 1e-9:
            angle = rank * 2.399963  # the golden angle: no two such nodes on one ray
            dx, dy, r = math.cos(angle), math.sin(angle), 1.0
        target = spacing * math.sqrt((rank + 0.5) / math.pi)
        xs[i] = cx + dx / r * target
        ys[i] = cy + dy / r * target


def _remove_overlaps(
    xs: list[float], ys: list[float], movable: list[bool], box: Point, rounds: int
) -> None:
    """Push apart nodes whose label boxes overlap, along the axis that needs less."""
    n = len(xs)
    width, height = box
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            grid.setdefault((math.floor(xs[i] / width), math.floor(ys[i] / height)), []).append(i)
        moved = False
        for i in range(n):
            gx = math.floor(xs[i] / width)
            gy = math.floor(ys[i] / height)
            for ox in (-1, 0, 1):
                for oy in (-1, 0, 1):
                    for j in grid.get((gx + ox, gy + oy), ()):
                        if j <= i:
                            continue
                        dx = xs[j] - xs[i]
                        dy = ys[j] - ys[i]
                        over_x = width - abs(dx)
                        over_y = height - abs(dy)
                        if over_x <= 0 or over_y <= 0 or not (movable[i] or movable[j]):
                            continue
                        moved = True
                        # Each moves half the way; all of it if the other is pinned.
                        share_i = 0.5 if movable[j] else 1.0
                        share_j = 0.5 if movable[i] else 1.0
                        if over_x * height < over_y * width:
                            push = over_x if dx >= 0 else -over_x
                            if dx == 0:
                                push = over_x if (i + j) % 2 else -over_x
                            if movable[i]:
                                xs[i] -= push * share_i
                            if movable[j]:
                                xs[j] += push * share_j
                        else:
                            push = over_y if dy >= 0 else -over_y
                            if dy == 0:
                                push = over_y if (i + j) % 2 else -over_y
                            if movable[i]:
                                ys[i] -= push * share_i
                            if movable[j]:
                                ys[j] += push * share_j
        if not moved:
            return


# Work allowed for the spring steps of the whole diagram, in node-steps: keeps the
# large demo (≈1,700 nodes) within its time budget while small diagrams get the full
# count of steps.
_MAX_STEPS = 200
_MIN_STEPS = 20
_STEP_BUDGET = 70_000


def _steps_for(sizes: list[int]) -> list[int]:
    wanted = [
        max(_MIN_STEPS, min(_MAX_STEPS, int(24_000 / size))) if size > 1 else 0 for size in sizes
    ]
    work = sum(s * size for s, size in zip(wanted, sizes, strict=True))
    if work <= _STEP_BUDGET:
        return wanted
    scale = _STEP_BUDGET / work
    return [max(_MIN_STEPS, int(s * scale)) if s else 0 for s in wanted]


def _lay_out_component(
    members: list[int], adjacency: list[list[int]], steps: int, k: float
) -> list[Point]:
    start = _initial_positions(members, adjacency, k)
    if len(members) == 1:
        return [(0.0, 0.0)]
    index = {node: i for i, node in enumerate(members)}
    xs = [p[0] for p in start]
    ys = [p[1] for p in start]
    edges = [(index[a], index[b]) for a in members for b in adjacency[a] if a < b]
    movable = [True] * len(members)
    t0 = k * min(3.0, max(1.0, math.sqrt(len(members)) / 2.5))
    _spring(xs, ys, edges, movable, k, steps, t0, spacing=SPACING)
    _remove_overlaps(xs, ys, movable, NODE_BOX, rounds=12 if len(members) <= 400 else 4)
    return list(zip(xs, ys, strict=True))


def _pack(blocks: list[list[Point]], gap: float) -> list[Point]:
    """Offsets for the components (largest first): the largest at the top left, the
    rest in columns to its right, each column filled top to bottom, so small groups
    and unlinked records sit beside the main picture rather than far below it."""
    boxes = []
    for points in blocks:
        left = min(p[0] for p in points)
        top = min(p[1] for p in points)
        right = max(p[0] for p in points)
        bottom = max(p[1] for p in points)
        boxes.append((left, top, right - left + NODE_BOX[0], bottom - top + NODE_BOX[1]))
    if not boxes:
        return []
    first_left, first_top, first_width, first_height = boxes[0]
    offsets = [(-first_left + NODE_BOX[0] / 2, -first_top + NODE_BOX[1] / 2)]
    rest_area = sum((w + gap) * (h + gap) for _, _, w, h in boxes[1:])
    column_height = max(first_height, math.sqrt(rest_area), *(h for _, _, _, h in boxes[1:2]))
    x = first_width + gap
    y = column_width = 0.0
    for left, top, width, height in boxes[1:]:
        if y > 0 and y + height > column_height:
            x += column_width + gap
            y = column_width = 0.0
        offsets.append((x - left + NODE_BOX[0] / 2, y - top + NODE_BOX[1] / 2))
        y += height + gap
        column_width = max(column_width, width)
    return offsets


def _follow_pins(
    xs: list[float],
    ys: list[float],
    adjacency: list[list[int]],
    edges: list[tuple[int, int]],
    pins: dict[int, Point],
    k: float,
) -> None:
    """Put pinned nodes where they were dragged, bring their near neighbours along
    (less the further they are), then let those neighbours settle around them."""
    n = len(xs)
    hops = 3
    pull_x = [0.0] * n
    pull_y = [0.0] * n
    weight = [0.0] * n
    near = [False] * n
    for node, (px, py) in sorted(pins.items()):
        dx = px - xs[node]
        dy = py - ys[node]
        distance = {node: 0}
        queue = deque([node])
        while queue:
            current = queue.popleft()
            if distance[current] == hops:
                continue
            for other in adjacency[current]:
                if other not in distance:
                    distance[other] = distance[current] + 1
                    queue.append(other)
        for other, d in distance.items():
            if other in pins:
                continue
            w = 0.5**d
            pull_x[other] += w * dx
            pull_y[other] += w * dy
            weight[other] += w
            near[other] = True
    for i in range(n):
        if weight[i]:
            xs[i] += pull_x[i] / (weight[i] + 1.0)
            ys[i] += pull_y[i] / (weight[i] + 1.0)
    for node, (px, py) in pins.items():
        xs[node] = px
        ys[node] = py
    movable = near
    if any(movable):
        local = [(i, j) for i, j in edges if movable[i] or movable[j]]
        _spring(xs, ys, local, movable, k, 40, 0.6 * k)
        _remove_overlaps(xs, ys, movable, NODE_BOX, rounds=6)


def layout(
    table: MappingTable,
    *,
    kinds: Iterable[str] | None = None,
    harm_categories: Iterable[str] | None = None,
    pinned: dict[str, Point] | None = None,
) -> DiagramLayout:
    """Positions for the spider diagram of ``table`` (see the module's docstring for
    what is drawn and how the filters work). ``pinned`` positions, by record id, are
    kept exactly; the other nodes are laid out around them."""
    nodes = _wanted_nodes(table, None if kinds is None else list(kinds))
    ids = {record.id for record, _ in nodes}
    edges = _candidate_edges(table, ids)
    if harm_categories is not None:
        shown = _filter_by_category(nodes, edges, list(harm_categories))
        nodes = [(record, node_type) for record, node_type in nodes if record.id in shown]
        edges = [e for e in edges if e.a_id in shown and e.b_id in shown]
    order = {record.id: i for i, (record, _) in enumerate(nodes)}
    edges = _with_lanes(edges, order)
    if pinned and nodes and all(record.id in pinned for record, _ in nodes):
        # Every node placed already (a school's own diagram, carried in its bundle, or
        # every node dragged): nothing to lay out.
        return DiagramLayout(
            {
                record.id: DiagramNode(
                    record.id,
                    record.code,
                    node_type,
                    record,
                    float(pinned[record.id][0]),
                    float(pinned[record.id][1]),
                    True,
                )
                for record, node_type in nodes
            },
            edges,
        )

    n = len(nodes)
    neighbour_sets: list[set[int]] = [set() for _ in range(n)]
    for edge in edges:
        a, b = order[edge.a_id], order[edge.b_id]
        neighbour_sets[a].add(b)
        neighbour_sets[b].add(a)
    adjacency = [sorted(s) for s in neighbour_sets]
    k = EDGE_LENGTH

    components = _components(n, adjacency)
    steps = _steps_for([len(c) for c in components])
    blocks = [
        _lay_out_component(members, adjacency, s, k)
        for members, s in zip(components, steps, strict=True)
    ]
    xs = [0.0] * n
    ys = [0.0] * n
    for members, points, (ox, oy) in zip(components, blocks, _pack(blocks, k), strict=True):
        for node, (x, y) in zip(members, points, strict=True):
            xs[node] = round(x + ox, 2)
            ys[node] = round(y + oy, 2)

    pins = {
        order[record_id]: (float(p[0]), float(p[1]))
        for record_id, p in (pinned or {}).items()
        if record_id in order
    }
    if pins:
        pairs = [(a, b) for a in range(n) for b in adjacency[a] if a < b]
        _follow_pins(xs, ys, adjacency, pairs, pins, k)

    laid_out = {}
    for i, (record, node_type) in enumerate(nodes):
        laid_out[record.id] = DiagramNode(
            record.id,
            record.code,
            node_type,
            record,
            pins[i][0] if i in pins else round(xs[i], 2),
            pins[i][1] if i in pins else round(ys[i], 2),
            i in pins,
        )
    return DiagramLayout(laid_out, edges)


__all__ = [
    "DiagramEdge",
    "DiagramLayout",
    "DiagramNode",
    "EdgeKind",
    "NodeType",
    "NODE_TYPE_TITLES",
    "RELATION_WORDS",
    "code_sort_key",
    "layout",
    "node_type_of",
    "wrap_label",
]


# -- the diagram's palette: one set of colours for the screen and the printed briefing --
# Fills chosen to read on both light and dark backgrounds; shapes carry the meaning too.
NODE_FILL_HEX = {
    NodeType.YOUNG_PERSON: "#5b9bd5",
    NodeType.ADULT: "#a97cc9",
    NodeType.PEER_GROUP: "#4db6ac",
    NodeType.STRENGTH: "#43a047",
}
RAG_FILL_HEX = {Rag.RED.value: "#e0524f", Rag.AMBER.value: "#f2b33d", Rag.GREEN.value: "#66bb6a"}
RAG_LETTERS = {Rag.RED.value: "R", Rag.AMBER.value: "A", Rag.GREEN.value: "G"}
RELATION_HEX = {
    Relation.SUSPECTED_OF_EXPLOITING.value: "#d9363e",
    Relation.IN_CONFLICT_WITH.value: "#e8833a",
    Relation.SUPPORTS_OR_PROTECTS.value: "#2e9d4f",
}
STRENGTH_EDGE_HEX = "#2e9d4f"
MEMBERSHIP_EDGE_HEX = "#2a8f86"
# Schools in the chair's combined diagram, in order (colour-blind-safe first); records
# confirmed as the same are joined in SAME_HEX.
SCHOOL_HEX: tuple[tuple[str, str], ...] = (
    ("orange", "#e69f00"),
    ("sky blue", "#56b4e9"),
    ("green", "#009e73"),
    ("yellow", "#f0e442"),
    ("blue", "#0072b2"),
    ("vermilion", "#d55e00"),
    ("purple", "#cc79a7"),
    ("grey", "#7f7f7f"),
    ("brown", "#8c510a"),
    ("teal", "#01665e"),
    ("navy", "#253494"),
    ("maroon", "#7a0177"),
)
SAME_HEX = "#1b1b1b"
