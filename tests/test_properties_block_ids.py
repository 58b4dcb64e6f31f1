"""A Logseq page's properties block can carry the ``id::`` that ``((uuid))`` refs name:
Logseq makes the lines before the first bullet (or a first bullet holding only
properties) a block whose uuid is that id (graph-parser's ``with-pre-block-if-exists``;
its "id properties" test reads ``- id:: ...`` so). kbc moved those properties to the
page and dropped the id, so every ref to it was a false broken-block-ref, no edge, a
broken link on the site."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import TRIPLE_LOWBAR, write_vault
from tests.export_support import export, graph_of

PRE = "628953c1-8d75-49fe-a648-f4c6121090aa"
BULLET = "628953c1-8d75-49fe-a648-f4c612109098"


def graph_with_property_ids(root: Path) -> Path:
    return write_vault(root, {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/bar.md": f"id:: {PRE}\ntype:: note\n\n- body\n",
        "pages/foo.md": f"- id:: {BULLET}\n",
        "pages/ref.md": f"- (({BULLET})) and (({PRE}))\n- {{{{embed (({PRE}))}}}}\n"})


def test_refs_to_a_properties_block_resolve(tmp_path: Path) -> None:
    knowledge = resolve(load(graph_with_property_ids(tmp_path / "g"), cache_dir=None))
    assert not [d for d in knowledge.diagnostics if d.severity.value != "info"]
    edges = sorted((target, data["kind"], data.get("block"))
                   for source, target, data in knowledge.graph.edges(data=True)
                   if source == "ref")
    assert edges == [("bar", "block-ref", PRE), ("bar", "embed", PRE),
                     ("foo", "block-ref", BULLET)]
    bar = knowledge.page("bar")
    assert bar is not None and bar.property("type").value == "note"
    assert [b.content for b in bar.blocks] == ["", "body"]


def test_the_site_anchors_a_properties_block(tmp_path: Path) -> None:
    knowledge = resolve(load(graph_with_property_ids(tmp_path / "g"), cache_dir=None))
    build_site(knowledge, tmp_path / "site", SiteOptions(search=False))
    for name, uuid in (("bar", PRE), ("foo", BULLET)):
        page = (tmp_path / "site" / f"{name}.html").read_text()
        assert page.count(f'id="block-{uuid}"') == 1
        assert f'href="{name}.html#block-{uuid}"' in (tmp_path / "site" / "ref.html").read_text()
    assert '<span class="bullet"' not in (tmp_path / "site" / "foo.html").read_text()


def test_an_obsidian_export_points_at_the_note(tmp_path: Path) -> None:
    """In Obsidian the properties are the note's front matter, which no ``^id`` can
    name: refs to them link (and embeds show) the note; no empty item is left."""
    graph = graph_of(graph_with_property_ids(tmp_path / "g"))
    export(graph, tmp_path / "o", "obsidian")
    assert (tmp_path / "o" / "ref.md").read_text() == "- [[foo]] and [[bar]]\n- ![[bar]]\n"
    assert (tmp_path / "o" / "foo.md").read_text() == f"---\nid: {BULLET}\n---\n"
    export(graph, tmp_path / "l", "logseq")
    assert (tmp_path / "l" / "pages" / "ref.md").read_text() == \
        (tmp_path / "g" / "pages" / "ref.md").read_text()


def test_a_page_id_repeated_on_a_block_is_reported(tmp_path: Path) -> None:
    graph = write_vault(tmp_path / "g", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/z.md": f"id:: {PRE}\n- again\n  id:: {PRE}\n"})
    page = load(graph, cache_dir=None).pages[0]
    assert [(d.code, d.line) for d in page.diagnostics] == [("duplicate-block-id", 3)]
