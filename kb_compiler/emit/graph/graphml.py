"""The graph as GraphML, through networkx's own writer. GraphML attributes are scalars,
so lists and mappings (``properties``, ``aliases``, ``tags``) are written as JSON text
and null attributes are left out; control characters in ids and text, which XML cannot
hold, as ``\\xNN``."""

from __future__ import annotations

import io
import json

import networkx as nx

from kb_compiler.emit.graph.order import sorted_edges
from kb_compiler.emit.graph.text import visible


def _scalar(value: object) -> str | int | float | bool:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _attributes(data: dict) -> dict[str, str | int | float | bool]:
    return {key: _scalar(value) for key, value in data.items() if value is not None}


def graphml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attribute values GraphML can hold, nodes and edges in sorted order."""
    copy: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    copy.graph.update(_attributes(dict(graph.graph)))
    for node in sorted(graph.nodes):
        copy.add_node(visible(node), **_attributes(graph.nodes[node]))
    for source, target, key, data in sorted_edges(graph):
        copy.add_edge(visible(source), visible(target), key=key, **_attributes(data))
    return copy


def render(graph: nx.MultiDiGraph) -> str:
    buffer = io.BytesIO()
    nx.write_graphml(graphml_graph(graph), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")
