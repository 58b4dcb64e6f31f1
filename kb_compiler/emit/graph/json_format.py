"""The graph as JSON: networkx's node-link form with ``edges`` as the edge key, nodes
sorted by id and edges by (source, line, kind, target), as INTERFACE.md specifies."""

from __future__ import annotations

import json

import networkx as nx


def graph_data(graph: nx.MultiDiGraph) -> dict:
    """The node-link dictionary, sorted."""
    data = nx.node_link_data(graph, edges="edges")
    data["nodes"] = sorted(
        ({"id": node["id"], **{k: v for k, v in node.items() if k != "id"}}
         for node in data["nodes"]),
        key=lambda node: node["id"],
    )
    front = ("source", "target", "kind")
    data["edges"] = sorted(
        ({**{k: edge[k] for k in front if k in edge},
          **{k: v for k, v in edge.items() if k not in front}} for edge in data["edges"]),
        key=lambda e: (e["source"], e.get("line", 0), e.get("kind", ""), e["target"],
                       e.get("key", 0)),
    )
    return data


def render(graph: nx.MultiDiGraph) -> str:
    return json.dumps(graph_data(graph), ensure_ascii=False, indent=2) + "\n"
