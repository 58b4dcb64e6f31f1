"""Graph pictures laid out at build time and drawn as inline SVG, so they show without
script (the site's script only adds zoom, pan and hover). The global graph is a
networkx spring layout; a page's local graph is a ring around the page.

Layouts are deterministic: nodes go in sorted order, spring layouts use a fixed seed,
and coordinates are rounded. The global graph shows at most ``MAX_GLOBAL_NODES`` pages
(the best connected; the picture says how many were left out), because a spring layout
costs quadratic time and a picture of 10,000 dots shows nothing.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from kb_compiler.atomic import write_file
from kb_compiler.errors import KbcError

MAX_GLOBAL_NODES = 400
MAX_LOCAL_NEIGHBOURS = 24
LABEL_ALL_UP_TO = 10  # local graphs with more neighbours label them on hover only
MAX_LABEL = 24
MAX_RING_LABEL = 11
SEED = 7
PALETTE = 8  # colour classes in site.css: .g0 ... .g7
ITERATIONS = 80
LAYOUT_CACHE = "site-graph-layout.json"  # in the cache folder: the last global layout


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    label: str
    href: str | None
    group: str | None = None  # metamodel type: nodes of a type share a colour
    current: bool = False


def colour_class(group: str | None) -> str:
    if not group:
        return "gn"
    return f"g{zlib.crc32(group.encode('utf-8')) % PALETTE}"


def global_graph(nodes: Sequence[GraphNode], edges: Iterable[tuple[str, str]],
                 cache_folder: Path | None = None) -> tuple[str, int]:
    """The SVG of the whole site graph and how many nodes it left out; its layout is
    kept in ``cache_folder`` (None: laid out anew each time)."""
    by_id = {node.id: node for node in sorted(nodes, key=lambda n: n.id)}
    pairs = {(a, b) if a < b else (b, a) for a, b in edges
             if a in by_id and b in by_id and a != b}
    omitted = 0
    if len(by_id) > MAX_GLOBAL_NODES:
        # The best-linked nodes, chosen before any graph is made: a graph of a whole
        # 50,000-page vault was the largest thing the site-wide pages built.
        degree = Counter(node for pair in pairs for node in pair)
        shown = set(sorted(by_id, key=lambda n: (-degree[n], n))[:MAX_GLOBAL_NODES])
        omitted = len(by_id) - MAX_GLOBAL_NODES
        pairs = {(a, b) for a, b in pairs if a in shown and b in shown}
    else:
        shown = set(by_id)
    if not shown:
        return "", omitted
    node_ids, lines = sorted(shown), sorted(pairs)  # sorted: the layout depends on it
    positions = _spring_layout(node_ids, lines, cache_folder)
    degree = Counter(node for line in lines for node in line)
    labelled = set(sorted(node_ids, key=lambda n: (-degree[n], n))[:40])
    svg = _svg(node_ids, lines, positions, by_id,
               lambda n: 3.0 + min(math.sqrt(degree[n]) * 1.6, 9.0), labelled, size=1000,
               css="graph-global")
    return svg, omitted


def _spring_layout(node_ids: list[str], lines: list[tuple[str, str]],
                   cache_folder: Path | None) -> dict[str, tuple[float, float]]:
    """The spring layout of the graph of ``node_ids`` and ``lines``, taken from the cache
    folder when the last build laid out the same graph (the layout is the costly part of
    a rebuild, and networkx, imported only to lay one out, a tenth of a small site's
    build). A float survives JSON exactly, so a cached layout draws the same picture;
    one that does not place every node at a finite point is laid out again."""
    key = hashlib.sha1(repr((node_ids, lines, SEED, ITERATIONS, version("networkx")))
                       .encode("utf-8")).hexdigest()
    path = cache_folder / LAYOUT_CACHE if cache_folder is not None else None
    cached = _cached_layout(path, key)
    if cached is not None and cached.keys() == set(node_ids):
        return cached
    import networkx as nx

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(node_ids)
    graph.add_edges_from(lines)
    laid_out = nx.spring_layout(graph, seed=SEED, iterations=ITERATIONS)
    positions = {node: (float(x), float(y)) for node, (x, y) in laid_out.items()}
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, json.dumps({"key": key, "positions": positions}).encode())
        except (OSError, KbcError):
            pass  # no cache folder: only the next build is slower
    return positions


def _cached_layout(path: Path | None, key: str) -> dict[str, tuple[float, float]] | None:
    """The layout stored for ``key``, or None (none, another graph's, or damaged)."""
    if path is None:
        return None
    try:
        cached = json.loads(path.read_text("utf-8"))
        if cached.get("key") != key:
            return None
        positions = {str(node): (float(x), float(y))
                     for node, (x, y) in cached["positions"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    finite = all(math.isfinite(c) for point in positions.values() for c in point)
    return positions if finite else None


def local_graph(center: GraphNode, neighbours: Sequence[GraphNode],
                edges: Iterable[tuple[str, str]]) -> str:
    """A small radial picture: the page in the middle, its neighbours around it."""
    shown = sorted(neighbours, key=lambda n: n.id)[:MAX_LOCAL_NEIGHBOURS]
    if not shown:
        return ""
    by_id = {node.id: node for node in [center, *shown]}
    lines = sorted({(a, b) if a < b else (b, a) for a, b in edges
                    if a in by_id and b in by_id and a != b})
    positions = _ring(center.id, [node.id for node in shown])
    labelled = set(by_id) if len(shown) <= LABEL_ALL_UP_TO else {center.id}
    return _svg(sorted(by_id), lines, positions, by_id,
                lambda n: 9.0 if n == center.id else 5.5, labelled, size=320,
                css="graph-local", radial=True)


def _ring(center: str, others: list[str]) -> dict[str, tuple[float, float]]:
    """The page in the middle and its neighbours evenly on a circle (what networkx's
    shell layout computes, without its per-call cost on every page)."""
    positions = {center: (0.0, 0.0)}
    for index, node in enumerate(others):
        angle = 2 * math.pi * index / len(others)
        positions[node] = (math.cos(angle), math.sin(angle))
    return positions


def _svg(node_ids: list[str], edges: list[tuple[str, str]], positions: dict,
         nodes: dict[str, GraphNode], radius: Callable[[str], float], labelled: set[str], *,
         size: int, css: str, radial: bool = False) -> str:
    # A labelled ring is drawn small and flat: its labels need room beside it.
    width, height = size, size
    scale = size * 0.38
    if radial:
        scale = size * (0.18 if len(labelled) > 1 else 0.34)
        height = round(size * 0.72) if len(labelled) > 1 else size

    def point(node: str) -> tuple[float, float]:
        x, y = positions[node]
        return round(width / 2 + float(x) * scale, 1), round(height / 2 + float(y) * scale, 1)

    # A group, not an img: the children of role="img" are presentational, and these
    # are links in the tab order.
    parts = [f'<svg class="graph {css}" viewBox="0 0 {width} {height}" role="group" '
             f'aria-label="Graph of linked pages" xmlns="http://www.w3.org/2000/svg">',
             '<g class="viewport"><g class="edges">']
    for a, b in edges:
        (x1, y1), (x2, y2) = point(a), point(b)
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    parts.append('</g><g class="nodes">')
    for node_id in node_ids:
        at = point(node_id)
        parts.append(_node(nodes[node_id], at, radius(node_id), node_id in labelled,
                           (at[0] - width / 2, at[1] - height / 2) if radial else None))
    parts.append("</g></g></svg>")
    return "".join(parts)


def _node(node: GraphNode, at: tuple[float, float], radius: float, labelled: bool,
          outward: tuple[float, float] | None) -> str:
    x, y = at
    title = html.escape(node.label, quote=True)
    limit = MAX_LABEL if outward is None or node.current else MAX_RING_LABEL
    short = node.label if len(node.label) <= limit else node.label[: limit - 1] + "\u2026"
    label = html.escape(short, quote=True)
    classes = ["node", colour_class(node.group)]
    if node.current:
        classes.append("current")
    if labelled:
        classes.append("labelled")
    text = f'<text x="{x}" y="{round(y - radius - 4, 1)}">{label}</text>'
    if outward is not None and not node.current:
        text = _radial_label(x, y, radius, outward, label)
    circle = f'<circle cx="{x}" cy="{y}" r="{radius:.1f}"/>{text}'
    body = f"<title>{title}</title>{circle}"
    if node.href is not None:
        body = f'<a href="{html.escape(node.href, quote=True)}">{body}</a>'
    return f'<g class="{" ".join(classes)}">{body}</g>'


def _radial_label(x: float, y: float, radius: float, outward: tuple[float, float],
                  label: str) -> str:
    """A label placed outside the ring, anchored away from the centre."""
    dx, dy = outward
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    lx, ly = round(x + ux * (radius + 5), 1), round(y + uy * (radius + 5) + 4, 1)
    anchor = "start" if ux > 0.35 else "end" if ux < -0.35 else "middle"
    if anchor == "middle":
        ly = round(y + (radius + 15 if uy > 0 else -radius - 6), 1)
    return f'<text x="{lx}" y="{ly}" style="text-anchor:{anchor}">{label}</text>'
