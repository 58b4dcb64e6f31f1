"""The graph as a Mermaid flowchart. Node ids are generated (``n0``, ``n1``... in id
order) because Mermaid ids cannot hold most page-name characters; names go in quoted
labels with Mermaid's entity codes for the characters a label cannot hold."""

from __future__ import annotations

import networkx as nx

from kb_compiler.emit.graph.order import sorted_edges
from kb_compiler.emit.graph.text import visible

ARROWS = {"embed": "==>", "block-ref": "-.->", "namespace": "-.->"}


def label(text: object) -> str:
    """A quoted Mermaid label: ``#`` first (it starts entity codes), then the rest."""
    escaped = visible(str(text)).replace("#", "#35;").replace('"', "#quot;")
    escaped = escaped.replace("<", "#lt;").replace(">", "#gt;").replace("|", "#124;")
    escaped = escaped.replace("\r", "").replace("\n", " ")
    return f'"{escaped}"'


def render(graph: nx.MultiDiGraph) -> str:
    ids = {node: f"n{number}" for number, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        shape = ("[", "]") if data.get("kind") != "asset" else ("[/", "/]")
        css = ""
        if not data.get("exists", True):
            css = ":::implied" if data.get("implied") else ":::missing"
        lines.append(f"  {ids[node]}{shape[0]}{label(data.get('name', node))}{shape[1]}{css}")
    for source, target, _, data in sorted_edges(graph):
        kind = str(data.get("kind", "link"))
        text = f"{kind}: {data['property']}" if data.get("property") else kind
        arrow = ARROWS.get(kind, "-->")
        lines.append(f"  {ids[source]} {arrow}|{label(text)}| {ids[target]}")
    lines.append("  classDef missing stroke-dasharray: 5 5,color:#a33;")
    lines.append("  classDef implied stroke-dasharray: 2 2,color:#777;")
    return "\n".join(lines) + "\n"
