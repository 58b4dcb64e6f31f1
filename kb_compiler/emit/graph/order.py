"""The one edge order every graph writer uses: (source, line, kind, target, key)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

import networkx as nx


def sorted_edges(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, int, dict]]:
    """Edges with their keys and data, by (source, line, kind, target, key): sorted a
    source at a time (the same order), so no list of a whole vault's edges is made."""
    for source in sorted(graph.nodes):
        # Target to edge key (networkx's own int) to edge data: the stubs type a
        # multigraph's successors as a plain graph's, target to data.
        successors = cast(Mapping[str, Mapping[int, dict]], graph.succ[source])
        edges = [(source, target, key, data)
                 for target, keyed in successors.items()
                 for key, data in keyed.items()]
        edges.sort(key=lambda e: (e[3].get("line", 0), e[3].get("kind", ""), e[1], e[2]))
        yield from edges
