"""The networkx graph is assembled only when something reads it: building the site and
checking the vault do without it, `kbc graph` and the API get it on first use."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler.check import run_checks
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import network, resolve
from tests.conftest import SAMPLE_VAULT


def test_the_graph_is_assembled_on_first_use_only(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = network.assemble

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(network, "assemble", counting)
    graph = resolve(load(SAMPLE_VAULT, cache_dir=None))
    run_checks(graph)
    build_site(graph, tmp_path / "site", SiteOptions(search=False))
    assert calls == []
    nodes = graph.graph.number_of_nodes()
    assert graph.graph.number_of_nodes() == nodes > 0
    assert calls == [1]  # assembled once, then kept
    assert graph.node_name("profile-(id)") == graph.graph.nodes["profile-(id)"]["name"]
