"""Graph export: JSON exactly as INTERFACE.md says, GraphML through networkx, DOT and
Mermaid escaped, and every format deterministic (hypothesis)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler import load
from kb_compiler.atomic import replacing, write_file
from kb_compiler.emit.graph import FORMAT_NAMES, render_graph, write_graph
from kb_compiler.errors import KbcError
from kb_compiler.model import RefKind
from kb_compiler.resolve import resolve
from tests.test_resolve_builders import block, graph_of, obsidian, page, prop, ref


@pytest.fixture
def seeds_json(seeds_vault: Path) -> dict:
    return json.loads(render_graph(resolve(load(seeds_vault, cache_dir=None)).graph, "json"))


def test_json_has_the_node_link_form(seeds_json: dict) -> None:
    assert (seeds_json["directed"], seeds_json["multigraph"]) == (True, True)
    assert set(seeds_json) == {"directed", "multigraph", "graph", "nodes", "edges"}
    stats = seeds_json["graph"]
    assert (stats["vault"], stats["pages"]) == ("seeds", 5)
    assert {"missing", "orphans", "components"} <= set(stats)
    # "What is Customer Profile" links nothing and nothing links it.
    assert stats["orphans"] == 1


def test_json_nodes_are_sorted_and_typed(seeds_json: dict) -> None:
    ids = [node["id"] for node in seeds_json["nodes"]]
    assert ids == sorted(ids)
    nodes = {node["id"]: node for node in seeds_json["nodes"]}
    persona = nodes["profile-(id)/persona"]
    assert persona["path"] == "profile-(id)___persona.md"
    assert (persona["exists"], persona["dialect"], persona["type"]) == (
        True, "logseq", "profile-(id)/persona")
    assert persona["properties"]["weight"] == 40
    assert persona["properties"]["relations"] == [
        "profile (id)", "profile (id)/segmentation", "profile (id)/goals",
        "profile (id)/emotions"]
    assert nodes["profile-(id)"]["score"] == 50.0
    missing = nodes["profile (id)"]
    assert (missing["exists"], missing["path"], missing["dialect"]) == (False, None, None)
    assert nodes["customer profile"]["dialect"] == "obsidian"


def test_json_edges_are_sorted_and_named(seeds_json: dict) -> None:
    edges = seeds_json["edges"]
    keys = [(e["source"], e["line"], e["kind"], e["target"]) for e in edges]
    assert keys == sorted(keys)
    relation = next(e for e in edges if e["target"] == "profile (id)" and e["kind"] == "property")
    assert (relation["source"], relation["property"], relation["line"]) == (
        "profile-(id)/persona", "relations", 5)
    assert list(relation)[:3] == ["source", "target", "kind"]


def test_json_reads_back_into_networkx(seeds_vault: Path) -> None:
    graph = resolve(load(seeds_vault, cache_dir=None)).graph
    back = nx.node_link_graph(json.loads(render_graph(graph, "json")), edges="edges")
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()


def test_block_ref_edges_name_their_block() -> None:
    uuid = "64f0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
    graph = graph_of(page("pages/t.md", blocks=(block(0, 1, "x", block_id=uuid),)),
                     page("pages/s.md", refs=(ref(line=2, kind=RefKind.BLOCK_REF,
                                                  block_id=uuid),)))
    data = json.loads(render_graph(graph.graph, "json"))
    (edge,) = data["edges"]
    assert (edge["kind"], edge["block"], edge["line"]) == ("block-ref", uuid, 2)


def test_graphml_holds_scalars_and_reads_back(seeds_vault: Path) -> None:
    graph = resolve(load(seeds_vault, cache_dir=None)).graph
    text = render_graph(graph, "graphml")
    back = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    persona = back.nodes["profile-(id)/persona"]
    assert json.loads(persona["properties"])["weight"] == 40
    assert persona["exists"] is True
    assert "path" not in back.nodes["profile (id)"]  # null attributes are left out


NASTY = 'Say "hi" \\ <b>#1|2</b>\nnext'


def test_dot_and_mermaid_escape_names() -> None:
    graph = graph_of(obsidian("a.md", name=NASTY, refs=(ref("b"),)), obsidian("b.md", name="b"))
    dot = render_graph(graph.graph, "dot")
    assert '[label="Say \\"hi\\" \\\\ <b>#1|2</b>\\nnext"]' in dot
    assert dot.count(" -> ") == graph.graph.number_of_edges()
    mermaid = render_graph(graph.graph, "mermaid")
    assert 'n1["Say #quot;hi#quot; \\ #lt;b#gt;#35;1#124;2#lt;/b#gt; next"]' in mermaid
    assert "  n1 -->|\"link\"| n0" in mermaid


def test_control_characters_in_names_are_written_as_escapes() -> None:
    """GraphML is XML, which cannot hold them; DOT and Mermaid go to terminals."""
    graph = graph_of(page("pages/p.md", refs=(ref("a\x01b"), ref("c\x1b]0;title\x07d"))))
    graphml = render_graph(graph.graph, "graphml")
    back = nx.read_graphml(io.BytesIO(graphml.encode("utf-8")), force_multigraph=True)
    assert {"a\\x01b", "c\\x1b]0;title\\x07d"} <= set(back.nodes)
    for output_format in ("graphml", "dot", "mermaid"):
        text = render_graph(graph.graph, output_format)
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), output_format
        assert "x1b]0;title" in text


def test_unknown_format_is_a_user_error() -> None:
    with pytest.raises(KbcError, match="unknown graph format 'png'"):
        render_graph(nx.MultiDiGraph(), "png")


def test_write_file_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "graph.json"
    target.write_text("old", encoding="utf-8")
    write_file(target, "new ✓".encode())
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]
    with pytest.raises(KbcError):
        write_file(tmp_path / "no" / "such" / "dir.json", b"x")


def test_json_is_written_as_json_dumps_would_write_it(seeds_vault: Path) -> None:
    """The JSON is streamed a node and an edge at a time, in json.dumps' own layout."""
    graph = resolve(load(seeds_vault, cache_dir=None)).graph
    text = render_graph(graph, "json")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    empty = render_graph(nx.MultiDiGraph(), "json")
    assert empty == json.dumps(json.loads(empty), ensure_ascii=False, indent=2) + "\n"
    assert json.loads(empty)["nodes"] == []


@pytest.mark.parametrize("output_format", FORMAT_NAMES)
def test_write_graph_streams_the_rendered_text(seeds_vault: Path, output_format: str) -> None:
    graph = resolve(load(seeds_vault, cache_dir=None)).graph
    stream = io.BytesIO()
    write_graph(graph, output_format, stream)
    assert not stream.closed  # the caller's stream
    assert stream.getvalue() == render_graph(graph, output_format).encode("utf-8")


def test_a_failed_streamed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as stream:
        stream.write(b"half a graph")
        raise RuntimeError("stopped")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


names = st.sampled_from(["Alpha", "beta", "Gamma/Delta", "Gamma", "épée", "a b", "X-1"])


@st.composite
def small_vaults(draw: st.DrawFn) -> list:
    """Pages with random links, tags, embeds and relations between a few names."""
    chosen = draw(st.lists(names, min_size=1, max_size=5, unique_by=str.lower))
    pages = []
    for number, name in enumerate(chosen):
        links = draw(st.lists(st.tuples(names, st.sampled_from(list(RefKind))), max_size=4))
        refs = tuple(
            ref(target, line + 2, kind, property="relations" if kind is RefKind.PROPERTY
                else None) for line, (target, kind) in enumerate(links))
        make = page if number % 2 else obsidian
        pages.append(make(f"{name.replace('/', '___')}.md", name=name, refs=refs,
                          props=(prop("weight", draw(st.integers(0, 100)), 1),)))
    return pages


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(small_vaults(), st.randoms(use_true_random=False))
def test_export_is_deterministic_whatever_the_page_order(pages: list, rnd) -> None:
    first = graph_of(*pages)
    shuffled = list(pages)
    rnd.shuffle(shuffled)
    second = graph_of(*shuffled)
    for output_format in FORMAT_NAMES:
        assert render_graph(first.graph, output_format) == render_graph(
            second.graph, output_format)


def test_export_of_a_real_vault_is_byte_identical_across_runs(seeds_vault: Path) -> None:
    outputs = [
        {f: render_graph(resolve(load(seeds_vault, cache_dir=None)).graph, f)
         for f in FORMAT_NAMES}
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
