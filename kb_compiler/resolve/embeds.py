"""Embeds and block refs: what each one includes (one level), and embed cycles.

The cycle search runs on an *inclusion graph* whose nodes are what an embed can show: a
whole page ``(page, ())`` or some root blocks of a page ``(page, roots)``. A node's edges
are the embeds written inside what it shows (the whole page, or the roots' subtrees), so
a page that embeds a block of another page only closes a cycle when that block itself
leads back. Every elementary cycle is reported once, as ``A -> B -> A``, at the embed
that closes it, with the cycle rotated to start at its smallest node so the report is
the same every run.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter

from kb_compiler.model import Diagnostic, Page, RefKind, Severity
from kb_compiler.resolve.blocks import LineMap, heading_text, section_roots, subtree_end
from kb_compiler.resolve.types import Inclusion, ResolvedRef

MAX_CYCLES_REPORTED = 200  # a clique of mutual embeds has factorially many cycles
MAX_SHOWN = 12  # names shown in one cycle message

Node = tuple[str, tuple[int, ...]]
Edges = dict[Node, dict[Node, Inclusion]]  # node -> the nodes it embeds, by first embed


def build_inclusions(
    pages: Mapping[str, Page], refs: Iterable[ResolvedRef]
) -> dict[ResolvedRef, Inclusion]:
    """One ``Inclusion`` per EMBED and BLOCK_REF reference to a page or block."""
    result: dict[ResolvedRef, Inclusion] = {}
    for resolved in refs:
        if resolved.ref.kind not in (RefKind.EMBED, RefKind.BLOCK_REF):
            continue
        result[resolved] = inclusion_of(pages, resolved)
    return result


def inclusion_of(pages: Mapping[str, Page], resolved: ResolvedRef) -> Inclusion:
    target = resolved.target
    page = pages.get(target.page) if target.page else None
    if page is None or not target.exists:
        return Inclusion(resolved, target.page, (), False)
    if target.block is None:
        roots = tuple(b.index for b in page.blocks if b.parent is None)
        return Inclusion(resolved, page.id, roots, True)
    if resolved.ref.kind is RefKind.EMBED and _is_heading_target(resolved):
        return Inclusion(resolved, page.id, section_roots(page, target.block), True)
    return Inclusion(resolved, page.id, (target.block,), True)


def _is_heading_target(resolved: ResolvedRef) -> bool:
    subpath = resolved.ref.subpath or ""
    return bool(subpath) and not subpath.startswith("^") and not resolved.ref.block_id


def find_embed_cycles(
    pages: Mapping[str, Page], inclusions: Mapping[ResolvedRef, Inclusion]
) -> list[Diagnostic]:
    """An ``embed-cycle`` error per elementary cycle of embeds."""
    embeds = sorted(
        (inc for inc in inclusions.values() if inc.exists and inc.source.ref.kind is RefKind.EMBED),
        key=lambda inc: (pages[inc.source.source].path if inc.source.source in pages else "",
                         inc.source.ref.line, inc.source.ref.column),
    )
    if not embeds:
        return []
    edges = _inclusion_edges(pages, embeds)
    if _acyclic(edges):
        return []
    # Imported only now: networkx takes 90 ms to import, a quarter of a small vault's
    # `kbc check`, and most vaults have no embed cycle to enumerate.
    import networkx as nx

    graph: nx.DiGraph[Node] = nx.DiGraph()
    for node, targets in edges.items():  # in the order found: the cycles' order
        graph.add_edges_from((node, target) for target in targets)
    return [_cycle_diagnostic(pages, edges, cycle)
            for cycle in itertools.islice(nx.simple_cycles(graph), MAX_CYCLES_REPORTED)]


def _acyclic(edges: Edges) -> bool:
    try:
        TopologicalSorter(edges).prepare()
    except CycleError:
        return False
    return True


def _inclusion_edges(pages: Mapping[str, Page], embeds: list[Inclusion]) -> Edges:
    """Edges from each node that embeds lead to the node they show; each edge keeps the
    first embed (by file and line) that makes it."""
    by_source: dict[str, list[Inclusion]] = {}
    for inc in embeds:
        by_source.setdefault(inc.source.source, []).append(inc)
    line_maps: dict[str, LineMap] = {}
    edges: Edges = {}
    pending: list[Node] = []
    for inc in embeds:
        pending.append((inc.source.source, ()))
    seen: set[Node] = set()
    while pending:  # explicit worklist: embed chains can be long
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        owner, roots = node
        for inc in by_source.get(owner, ()):
            if roots and not _inside(pages[owner], roots, inc, line_maps):
                continue
            target = _node_of(pages, inc)
            edges.setdefault(node, {}).setdefault(target, inc)
            pending.append(target)
    return edges


def _node_of(pages: Mapping[str, Page], inc: Inclusion) -> Node:
    page = pages[inc.page] if inc.page else None
    if page is None or inc.source.target.block is None:
        return (inc.page or "", ())
    return (inc.page or "", inc.blocks)


def _inside(page: Page, roots: tuple[int, ...], inc: Inclusion,
            line_maps: dict[str, LineMap]) -> bool:
    """Whether the embed ``inc`` is written inside the subtrees of ``roots``."""
    line_map = line_maps.get(page.id)
    if line_map is None:
        line_map = line_maps[page.id] = LineMap(page)
    block = line_map.block_at(inc.source.ref.line)
    if block is None:
        return False
    return any(root <= block < subtree_end(page, root) for root in roots)


def _cycle_diagnostic(pages: Mapping[str, Page], edges: Edges,
                      cycle: list[Node]) -> Diagnostic:
    start = min(range(len(cycle)), key=lambda i: _node_order(pages, cycle[i]))
    ordered = cycle[start:] + cycle[:start]
    closing = edges[ordered[-1]][ordered[0]]
    names = [_display(pages, node) for node in [*ordered, ordered[0]]]
    if len(names) > MAX_SHOWN:  # a 5,000-page ring: keep the message readable
        hidden = len(names) - MAX_SHOWN
        names = [*names[: MAX_SHOWN - 3], f"... ({hidden} more)", *names[-3:]]
    shown = " -> ".join(names)
    ref = closing.source.ref
    source = pages[closing.source.source]
    return Diagnostic(
        "embed-cycle", Severity.ERROR, source.path, ref.line, ref.column,
        f"embed cycle: {shown}", target=closing.source.target.name,
        end_column=ref.column + len(ref.raw) if ref.raw and ref.column else None,
    )


def _node_order(pages: Mapping[str, Page], node: Node) -> tuple[str, tuple[int, ...]]:
    page = pages.get(node[0])
    return (page.path if page else node[0], node[1])


def _display(pages: Mapping[str, Page], node: Node) -> str:
    page = pages[node[0]]
    if not node[1]:
        return page.name
    block = page.blocks[node[1][0]]
    if block.block_id:
        return f"{page.name}#^{block.block_id}"
    return f"{page.name}#{heading_text(block.content) or block.index}"
