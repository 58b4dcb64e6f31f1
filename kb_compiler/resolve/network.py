"""The networkx ``MultiDiGraph`` of a resolved vault: nodes, typed edges, statistics.

Node ids are page ids (existing, missing and implied pages alike) and ``asset:<path>``
for files that are not pages. Every node has the same attributes (``name``, ``path``,
``exists``, ``dialect``, ``type``, ``properties``, ``aliases``, ``tags``, ``score``,
``kind`` = ``page`` or ``asset``, ``implied``), so writers can rely on them. Nodes and
edges are added in sorted order, which makes every export deterministic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from kb_compiler.model import Asset, Dialect, Page, Property, PropertyValue, RefKind
from kb_compiler.parse.obsidian_frontmatter import ALIAS_KEYS, TAG_KEYS, alias_names
from kb_compiler.resolve.metamodel import names_the_type
from kb_compiler.resolve.types import PageScore, ResolvedRef

if TYPE_CHECKING:
    import networkx as nx

EDGE_KINDS = ("link", "embed", "block-ref", "tag", "property", "namespace", "metamodel", "asset")


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    line: int
    property: str | None = None
    block: str | None = None
    heading: str | None = None

    def sort_key(self) -> tuple[str, int, str, str, str, str, str]:
        return (self.source, self.line, self.kind, self.target, self.property or "",
                self.block or "", self.heading or "")

    def attributes(self) -> dict[str, object]:
        found: dict[str, object] = {"kind": self.kind, "line": self.line}
        for key in ("property", "block", "heading"):
            value = getattr(self, key)
            if value is not None:
                found[key] = value
        return found


def edge_kind(resolved: ResolvedRef, page: Page) -> str:
    ref = resolved.ref
    if resolved.target.asset is not None:
        return "asset"
    if ref.kind is RefKind.TAG:
        return "tag"
    if ref.kind is RefKind.EMBED:
        return "embed"
    if ref.kind is RefKind.BLOCK_REF:
        return "block-ref"
    if names_the_type(page, ref):  # a block's metamodel-id:: is a property like any
        return "metamodel"
    if ref.kind is RefKind.PROPERTY or ref.property:
        return "property"
    return "link"


def reference_edge(resolved: ResolvedRef, pages: Mapping[str, Page]) -> Edge | None:
    target = resolved.target
    if target.node is None:
        return None
    block = heading = None
    if target.page is not None and target.block is not None:
        block_value = pages[target.page].blocks[target.block]
        subpath = resolved.ref.subpath or ""
        if resolved.ref.block_id or subpath.startswith("^"):
            block = block_value.block_id or resolved.ref.block_id or subpath[1:]
        else:
            heading = subpath
    elif resolved.ref.block_id:
        block = resolved.ref.block_id
    elif (resolved.ref.subpath or "").startswith("^"):
        block = resolved.ref.subpath[1:] if resolved.ref.subpath else None
    elif resolved.ref.subpath and target.asset is None:
        # A file's "#" part is no heading: "doc.pdf#page=3" opens the PDF at a page.
        heading = resolved.ref.subpath
    kind = edge_kind(resolved, pages[resolved.source])
    return Edge(resolved.source, target.node, kind, resolved.ref.line, resolved.ref.property,
                block, heading)


def json_value(value: PropertyValue) -> object:
    """A property value as JSON data: tuples become lists, recursively (iteratively); a
    float JSON has no number for (YAML's ``.nan``, ``.inf``) becomes its name as text."""
    if not isinstance(value, tuple):
        return _finite(value)
    result: list[object] = []
    stack: list[tuple[tuple[PropertyValue, ...], list[object]]] = [(value, result)]
    while stack:
        items, into = stack.pop()
        for item in items:
            if isinstance(item, tuple):
                nested: list[object] = []
                into.append(nested)
                stack.append((item, nested))
            else:
                into.append(_finite(item))
    return result


def _finite(value: PropertyValue) -> PropertyValue:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


_LINK_ONLY = re.compile(r"\s*\[\[[^\[\]]*\]\]\s*")  # a value that is one wikilink alone


def one_decimal(number: float) -> str:
    """A score as people read it, to one decimal with halves rounded up (51.25 is 51.3;
    ``round`` and ``format`` round a half to even, and 51.25 read 51.2)."""
    return str(Decimal(repr(float(number))).quantize(Decimal("0.1"), ROUND_HALF_UP))


def rounded(number: float | None) -> float | None:
    """Scores as written to outputs: four decimals, so every platform prints the same."""
    return None if number is None else round(number, 4)


def page_attributes(page: Page, page_type: str | None, score: PageScore | None) -> dict:
    properties: dict[str, object] = {}
    obsidian = page.dialect is Dialect.OBSIDIAN
    for prop in page.properties:
        value = _obsidian_value(prop) if obsidian else None
        # a key written twice keeps its last value, as Logseq keeps it
        properties[prop.key] = json_value(prop.value) if value is None else value
    return {
        "name": page.name, "path": page.path, "exists": True, "dialect": str(page.dialect),
        "type": page_type, "properties": properties, "aliases": list(page.aliases),
        "tags": list(page.tags), "score": rounded(score.score if score else None),
        "kind": "page", "implied": False,
    }


def _obsidian_value(prop: Property) -> list[str] | None:
    """An Obsidian property typed as INTERFACE.md asks, where YAML leaves it text, from
    what the parser read in it: links only (``"[[Paul Chambers]]"``, ``["[[Jazz]]"]``)
    as the pages they name, ``tags`` and ``aliases`` as their names (a comma string
    split, FORMATS.md 2.2); None for any other value (an empty one stays null)."""
    if prop.value is None:
        return None
    if prop.key in TAG_KEYS:
        return list(prop.references)
    if prop.key in ALIAS_KEYS:
        return alias_names(prop.value)
    items = prop.value if isinstance(prop.value, tuple) else (prop.value,)
    if prop.references and items and all(isinstance(item, str) and _LINK_ONLY.fullmatch(item)
                                         for item in items):
        return list(prop.references)
    return None


def missing_attributes(name: str, page_type: str | None, implied: bool) -> dict:
    return {
        "name": name, "path": None, "exists": False, "dialect": None, "type": page_type,
        "properties": {}, "aliases": [], "tags": [], "score": None, "kind": "page",
        "implied": implied,
    }


def asset_attributes(path: str, exists: bool) -> dict:
    return {
        "name": path, "path": path if exists else None, "exists": exists, "dialect": None,
        "type": None, "properties": {}, "aliases": [], "tags": [], "score": None,
        "kind": "asset", "implied": False,
    }


def assemble(nodes: Mapping[str, dict], edges: Iterable[Edge], vault: str) -> nx.MultiDiGraph:
    """The graph, nodes by id and edges by (source, line, kind, target), with stats."""
    import networkx as nx  # only where a graph is built: `kbc check` never needs it

    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for key in sorted(nodes):
        graph.add_node(key, **nodes[key])
    # Sorted a source at a time (the order is the same: the key starts with the source):
    # one sort of a whole vault's edges held a tuple per edge, 90 MB at 50,000 pages.
    by_source: dict[str, list[Edge]] = {}
    for edge in edges:
        by_source.setdefault(edge.source, []).append(edge)
    for source in sorted(by_source):
        for edge in sorted(by_source.pop(source), key=Edge.sort_key):
            graph.add_edge(edge.source, edge.target, **edge.attributes())
    graph.graph.update(statistics(graph, vault))
    return graph


def statistics(graph: nx.MultiDiGraph, vault: str) -> dict[str, object]:
    """``pages`` (existing), ``missing`` (page nodes without a file, implied ones
    included), ``assets``, ``edges``, ``orphans`` (existing pages with no edge to or
    from another node) and ``components`` (weakly connected, over all nodes)."""
    pages = missing = assets = orphans = 0
    for key, data in graph.nodes(data=True):
        if data["kind"] == "asset":
            assets += 1
        elif not data["exists"]:
            missing += 1
        else:
            pages += 1
            linked = any(n != key for n in graph.successors(key)) or any(
                n != key for n in graph.predecessors(key))
            orphans += not linked
    import networkx as nx

    components = nx.number_weakly_connected_components(graph) if len(graph) else 0
    return {"vault": vault, "pages": pages, "missing": missing, "assets": assets,
            "edges": graph.number_of_edges(), "orphans": orphans, "components": components}


def asset_nodes(assets: Iterable[Asset]) -> dict[str, dict]:
    return {f"asset:{asset.path}": asset_attributes(asset.path, True) for asset in assets}
