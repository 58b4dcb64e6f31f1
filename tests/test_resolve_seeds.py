"""The graph issue's "done when" list, on the five seeds laid out as pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler import load
from kb_compiler.resolve import KnowledgeGraph, resolve


@pytest.fixture
def seeds(seeds_vault: Path) -> KnowledgeGraph:
    return resolve(load(seeds_vault, cache_dir=None))


def edges(graph: KnowledgeGraph, source: str, kind: str) -> list[tuple[str, int]]:
    return sorted((target, data["line"]) for _, target, data
                  in graph.graph.out_edges(source, data=True) if data["kind"] == kind)


def test_profile_is_typed_by_its_metamodel_id_and_scores_50(seeds: KnowledgeGraph) -> None:
    assert seeds.page_type("profile-(id)") == "profile-(id)"
    assert seeds.graph.nodes["profile-(id)"]["type"] == "profile-(id)"
    assert seeds.score("profile-(id)").score == 50
    assert seeds.graph.nodes["profile-(id)"]["score"] == 50.0
    assert ("profile-(id)", 4) in edges(seeds, "profile-(id)", "metamodel")


def test_five_embeds_of_missing_example_pages(seeds: KnowledgeGraph) -> None:
    examples = [(t, line) for t, line in edges(seeds, "profile-(id)", "embed")]
    assert examples == sorted([
        ("profile-(id)/examples/space x", 40), ("profile-(id)/examples/vein visualizer", 42),
        ("profile-(id)/examples/extinguished animals meat", 44),
        ("profile-(id)/examples/exotic pet rental", 46),
        ("profile-(id)/examples/underwater restaurant", 48)])
    for target, _ in examples:
        assert seeds.graph.nodes[target]["exists"] is False
    assert seeds.graph.nodes["profile-(id)/examples/space x"]["name"] == \
        "profile-(id)/examples/Space X"


def test_six_tool_links(seeds: KnowledgeGraph) -> None:
    tools = [t for t, line in edges(seeds, "profile-(id)", "link") if line >= 52]
    assert sorted(tools) == sorted([
        "business model canvas", "value proposition canvas", "persona development",
        "empathy map", "market segmentation", "jobs to be done framework"])


def test_namespace_edge_from_persona_to_profile(seeds: KnowledgeGraph) -> None:
    assert ("profile-(id)", 1) in edges(seeds, "profile-(id)/persona", "namespace")
    assert seeds.parent("profile-(id)/persona") == "profile-(id)"
    assert "profile-(id)/persona" in seeds.children("profile-(id)")


def test_tag_edge_from_profiles_to_profile(seeds: KnowledgeGraph) -> None:
    assert "profile" in [t for t, _ in edges(seeds, "profiles", "tag")]


def test_asset_edge_from_customer_profile(seeds: KnowledgeGraph) -> None:
    (asset,) = edges(seeds, "customer profile", "asset")
    assert asset == ("asset:Pasted image 20240529170714.png", 5)
    assert seeds.graph.nodes[asset[0]]["exists"] is False  # the image is not in the seeds


def test_profile_with_a_space_is_unresolved_with_a_suggestion(seeds: KnowledgeGraph) -> None:
    (relation,) = [r for r in seeds.outgoing("profile-(id)/persona")
                   if r.ref.target == "profile (id)"]
    assert (relation.target.exists, relation.target.suggestion) == (False, "profile-(id)")
    (problem,) = [d for d in seeds.diagnostics if d.target == "profile (id)"]
    assert (problem.code, problem.path, problem.line) == (
        "broken-relation", "profile-(id)___persona.md", 5)
    assert problem.suggestion == "profile-(id)"


def test_persona_relations_are_property_edges(seeds: KnowledgeGraph) -> None:
    assert edges(seeds, "profile-(id)/persona", "property") == sorted([
        ("artifact info", 2), ("profile (id)", 5), ("profile (id)/segmentation", 5),
        ("profile (id)/goals", 5), ("profile (id)/emotions", 5)])


def test_backlinks_and_url_names(seeds: KnowledgeGraph) -> None:
    sources = {r.source for r in seeds.backlinks("profile-(id)")}
    assert sources == {"profile-(id)"}  # the key blocks link their own page
    assert seeds.url_name("profile-(id)/persona") == "profile-id-persona"
    assert len({seeds.url_name(p.id) for p in seeds.pages()}) == 5
