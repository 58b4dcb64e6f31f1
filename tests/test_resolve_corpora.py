"""Resolution on the two real corpora. Every fact here was checked by reading the files
under ../shared/corpora (file and line named in each test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler import load
from kb_compiler.resolve import KnowledgeGraph, resolve

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


@pytest.fixture(scope="module")
def logseq_docs() -> KnowledgeGraph:
    return resolve(load(CORPORA / "logseq-docs", cache_dir=None))


@pytest.fixture(scope="module")
def kepano() -> KnowledgeGraph:
    return resolve(load(CORPORA / "kepano-obsidian", cache_dir=None))


def _ref(graph: KnowledgeGraph, source: str, line: int, target: str):
    return next(r for r in graph.outgoing(source)
                if r.ref.line == line and r.ref.target == target)


def test_logseq_alias_link(logseq_docs: KnowledgeGraph) -> None:
    # pages/Glossary.md:16 links [[term/block reference]]; pages/Block Reference.md:3
    # has `alias:: term/block reference`.
    found = _ref(logseq_docs, "glossary", 16, "term/block reference").target
    assert (found.page, found.name) == ("block reference", "Block Reference")


def test_logseq_alias_in_a_property_value(logseq_docs: KnowledgeGraph) -> None:
    # pages/Page graph.md:2 `description:: Like [[Graph view]] ...`;
    # pages/Knowledge Graph.md:2 `alias:: Graph view`.
    found = _ref(logseq_docs, "page graph", 2, "Graph view")
    assert found.ref.property == "description"
    assert found.target.page == "knowledge graph"


def test_logseq_block_ref_lands_on_the_block_with_the_id(logseq_docs: KnowledgeGraph) -> None:
    # pages/Zotero.md:32 refers to ((61024cd6-...)); the block starting at line 23
    # ("Create a new API key ...") carries that id:: at line 24.
    (block_ref,) = [r for r in logseq_docs.outgoing("zotero") if r.ref.block_id]
    assert block_ref.ref.line == 32
    assert block_ref.target.page == "zotero"
    block = logseq_docs.page("zotero").blocks[block_ref.target.block]
    assert block.line == 23 and block.content.startswith("Create a new API key")
    inclusion = logseq_docs.inclusion(block_ref)
    assert inclusion.blocks == (block_ref.target.block,)


def test_logseq_embed_of_a_namespaced_page(logseq_docs: KnowledgeGraph) -> None:
    # pages/Knowledge Graph.md:16 `{{embed [[term/network of connected ideas]]}}`, and the
    # file pages/term___network of connected ideas.md exists.
    found = _ref(logseq_docs, "knowledge graph", 16, "term/network of connected ideas")
    assert found.target.page == "term/network of connected ideas"
    assert logseq_docs.graph.edges["knowledge graph", "term/network of connected ideas", 0][
        "kind"] == "embed"
    # There is no page file for `term` itself: an implied namespace parent.
    assert logseq_docs.graph.nodes["term"]["implied"] is True
    assert logseq_docs.lookup("term").implied


def test_logseq_title_property_names_the_page(logseq_docs: KnowledgeGraph) -> None:
    # pages/page_embed.md:1 `title:: Page embed`; line 15 embeds [[term/page]].
    assert logseq_docs.page("page embed").path == "pages/page_embed.md"
    assert _ref(logseq_docs, "page embed", 15, "term/page").target.exists


def test_logseq_namespace_parent_with_a_file(logseq_docs: KnowledgeGraph) -> None:
    # pages/Whiteboard___Action Bar___Bold toggle.md and pages/Whiteboard___Action Bar.md.
    assert logseq_docs.parent("whiteboard/action bar/bold toggle") == "whiteboard/action bar"
    assert "whiteboard/action bar/bold toggle" in logseq_docs.children("whiteboard/action bar")
    assert logseq_docs.graph.nodes["whiteboard/action bar"]["exists"] is True


def test_obsidian_shortest_path_links(kepano: KnowledgeGraph) -> None:
    # Notes/Evergreen notes turn ideas into objects that you can manipulate.md:17
    # `[[evergreen]]`: the only note of that name is Categories/Evergreen.md.
    source = "notes/evergreen notes turn ideas into objects that you can manipulate"
    assert _ref(kepano, source, 17, "evergreen").target.page == "categories/evergreen"
    # Frontmatter `author: - "[[Steph Ango]]"` (line 8) -> References/Steph Ango.md.
    author = _ref(kepano, source, 8, "Steph Ango")
    assert (author.ref.property, author.target.page) == ("author", "references/steph ango")
    # [[A company is a superorganism]] (line 23) has no note in the vault.
    assert not _ref(kepano, source, 23, "A company is a superorganism").target.exists


def test_obsidian_alias_lookup(kepano: KnowledgeGraph) -> None:
    # References/The Legend of Zelda Breath of the Wild.md: `aliases: - BOTW`.
    assert kepano.lookup("botw").page == "references/the legend of zelda breath of the wild"


def test_obsidian_attachment_embed_found_by_name(kepano: KnowledgeGraph) -> None:
    # Categories/Books.md embeds ![[Books.base]], which lives in Templates/Bases/.
    (embed,) = [r for r in kepano.outgoing("categories/books") if r.target.asset]
    assert (embed.target.asset, embed.target.exists) == ("Templates/Bases/Books.base", True)


def test_logseq_asset_written_from_the_graph_root(logseq_docs: KnowledgeGraph) -> None:
    # pages/Knowledge Graph.md:14 shows ![image.png](/assets/pages_knowledge_graph_
    # 1612308816189_0.png), a file of the graph's assets/ folder; pages/Refactoring_of_
    # logseq.md:39 links /refactoring-of-logseq/tree.png, which the graph does not hold.
    (image,) = [r for r in logseq_docs.outgoing("knowledge graph") if r.target.asset]
    assert (image.target.asset, image.target.exists) == (
        "assets/pages_knowledge_graph_1612308816189_0.png", True)
    escapes = [(d.path, d.line) for d in logseq_docs.diagnostics if d.code == "path-escape"]
    assert escapes == [("pages/Refactoring_of_logseq.md", 39)]


def test_corpora_graphs_are_consistent(logseq_docs: KnowledgeGraph,
                                       kepano: KnowledgeGraph) -> None:
    for graph in (logseq_docs, kepano):
        assert graph.graph.graph["pages"] == len(graph.pages())
        for _, target, data in graph.graph.edges(data=True):
            assert data["kind"] in {"link", "embed", "block-ref", "tag", "property",
                                    "namespace", "metamodel", "asset"}
            assert target in graph.graph
