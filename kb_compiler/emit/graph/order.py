"""The one edge order every graph writer uses: (source, line, kind, target, key)."""

from __future__ import annotations

import networkx as nx


def sorted_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, int, dict]]:
    """Edges with their keys and data, by (source, line, kind, target, key)."""
    return sorted(
        graph.edges(keys=True, data=True),
        key=lambda e: (e[0], e[3].get("line", 0), e[3].get("kind", ""), e[1], e[2]),
    )
