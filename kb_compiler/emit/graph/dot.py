"""The graph in Graphviz DOT. Written by hand (no pygraphviz needed): every id and
label is a quoted, escaped string, nodes by id and edges by (source, line, kind,
target). Missing pages are dashed, implied namespace pages dotted, assets as notes."""

from __future__ import annotations

import networkx as nx

from kb_compiler.emit.graph.order import sorted_edges
from kb_compiler.emit.graph.text import visible

EDGE_STYLES = {
    "embed": 'style="bold"', "block-ref": 'style="dashed"', "tag": 'color="#7a7a7a"',
    "property": 'color="#2f6fb0"', "metamodel": 'color="#9b3fb0"',
    "namespace": 'style="dotted", arrowhead="onormal"', "asset": 'color="#3f9b5f"',
    "link": "",
}


def quote(text: object) -> str:
    """A DOT double-quoted string."""
    escaped = (visible(str(text)).replace("\\", "\\\\").replace('"', '\\"')
               .replace("\r", "").replace("\n", "\\n"))
    return f'"{escaped}"'


def _node_line(node: str, data: dict) -> str:
    attributes = [f"label={quote(data.get('name', node))}"]
    if data.get("kind") == "asset":
        attributes.append('shape="note"')
    if not data.get("exists", True):
        attributes.append('style="dotted"' if data.get("implied") else 'style="dashed"')
    if data.get("type"):
        attributes.append(f"type={quote(data['type'])}")
    if data.get("score") is not None:
        attributes.append(f"score={quote(round(float(data['score']), 2))}")
    return f"  {quote(node)} [{', '.join(attributes)}];"


def _edge_line(source: str, target: str, data: dict) -> str:
    attributes = [f"kind={quote(data.get('kind', 'link'))}", f"line={data.get('line', 0)}"]
    for key in ("property", "block", "heading"):
        if data.get(key) is not None:
            attributes.append(f"{key}={quote(data[key])}")
    style = EDGE_STYLES.get(str(data.get("kind")), "")
    if style:
        attributes.append(style)
    return f"  {quote(source)} -> {quote(target)} [{', '.join(attributes)}];"


def render(graph: nx.MultiDiGraph) -> str:
    lines = [f"digraph {quote(graph.graph.get('vault', 'kbc'))} {{",
             "  graph [rankdir=\"LR\"];",
             "  node [shape=\"box\", fontname=\"Helvetica\"];"]
    lines.extend(_node_line(node, graph.nodes[node]) for node in sorted(graph.nodes))
    lines.extend(_edge_line(s, t, d) for s, t, _, d in sorted_edges(graph))
    lines.append("}")
    return "\n".join(lines) + "\n"
