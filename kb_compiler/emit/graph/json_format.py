"""The graph as JSON: networkx's node-link form with ``edges`` as the edge key, nodes
sorted by id and edges by (source, line, kind, target), as INTERFACE.md specifies.

The document is written a node and an edge at a time: for a large vault it is about as
big as the graph itself, and building it whole (node-link dictionaries, then one string)
more than doubled ``kbc graph``'s memory. The text is exactly ``json.dumps(document,
ensure_ascii=False, indent=2)``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

import networkx as nx

from kb_compiler.emit.graph.order import sorted_edges

_FRONT = ("source", "target", "kind")  # an edge's first keys, in this order
_ITEM_INDENT = "    "  # a list item inside the top-level object


def render(graph: nx.MultiDiGraph) -> str:
    out = io.StringIO()
    write(graph, out)
    return out.getvalue()


def write(graph: nx.MultiDiGraph, out: TextIO) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    out.write("{\n")
    out.write(f'  "directed": {encode(graph.is_directed())},\n')
    out.write(f'  "multigraph": {encode(graph.is_multigraph())},\n')
    out.write(f'  "graph": {_indented(encode(graph.graph), "  ")},\n')
    out.write('  "nodes": ')
    _write_list(out, (_node(node, graph.nodes[node]) for node in sorted(graph.nodes)), encode)
    out.write(',\n  "edges": ')
    _write_list(out, (_edge(*edge) for edge in sorted_edges(graph)), encode)
    out.write("\n}\n")


def _write_list(out: TextIO, items: Iterable[dict[str, Any]],
                encode: Callable[[object], str]) -> None:
    separator = "[\n"
    for item in items:
        out.write(separator)
        out.write(_ITEM_INDENT + _indented(encode(item), _ITEM_INDENT))
        separator = ",\n"
    out.write("[]" if separator == "[\n" else "\n  ]")


def _indented(text: str, indent: str) -> str:
    """``text`` with its lines after the first indented: json's layout of a nested value."""
    return text.replace("\n", "\n" + indent)


def _node(node: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": node, **{key: value for key, value in attributes.items() if key != "id"}}


def _edge(source: str, target: str, key: int, attributes: Mapping[str, Any]) -> dict[str, Any]:
    # networkx's node-link order ({**data, source, target, key}), source/target/kind first
    edge = {**attributes, "source": source, "target": target, "key": key}
    return {**{name: edge[name] for name in _FRONT if name in edge},
            **{name: value for name, value in edge.items() if name not in _FRONT}}
