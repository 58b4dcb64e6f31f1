"""Graph writers: the resolved ``KnowledgeGraph`` as JSON (networkx node-link form),
GraphML, Graphviz DOT or Mermaid. One module per format, each with
``render(graph: networkx.MultiDiGraph) -> str``; JSON, the default and the largest, also
``write(graph, stream)``. Every output is deterministic (nodes by id, edges by (source,
line, kind, target))."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

import networkx as nx

from kb_compiler.emit.graph import dot, graphml, json_format, mermaid
from kb_compiler.emit.graph.order import sorted_edges
from kb_compiler.errors import KbcError

WRITERS: dict[str, Callable[[nx.MultiDiGraph], str]] = {
    "json": json_format.render,
    "graphml": graphml.render,
    "dot": dot.render,
    "mermaid": mermaid.render,
}
FORMAT_NAMES = tuple(WRITERS)


def render_graph(graph: nx.MultiDiGraph, output_format: str) -> str:
    """The graph in ``output_format`` (one of ``FORMAT_NAMES``)."""
    try:
        writer = WRITERS[output_format]
    except KeyError:
        raise KbcError(f"unknown graph format '{output_format}' "
                       f"(known: {', '.join(FORMAT_NAMES)})") from None
    return writer(graph)


def write_graph(graph: nx.MultiDiGraph, output_format: str, stream: BinaryIO) -> None:
    """Write the graph in ``output_format`` to ``stream`` as UTF-8; JSON a node and an
    edge at a time, never whole in memory."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
    try:
        if output_format == "json":
            json_format.write(graph, text)
        else:
            text.write(render_graph(graph, output_format))
        text.flush()
    finally:
        text.detach()  # the stream stays open: it is the caller's


__all__ = ["FORMAT_NAMES", "render_graph", "sorted_edges", "write_graph"]
