"""Spot checks of the Logseq parser on Logseq's own documentation graph
(../shared/corpora/logseq-docs). Every fact here was read in the page files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.model import Block, Dialect, Page, RefKind, SourceFile, VaultKind
from kb_compiler.parse import parse_page

DOCS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "logseq-docs"
OPTIONS = ParseOptions(vault_kind=VaultKind.LOGSEQ, name_format="triple-lowbar")


def docs_page(name: str) -> Page:
    path = DOCS / "pages" / name
    source = SourceFile(f"pages/{name}", path, dialect_hint=Dialect.LOGSEQ)
    return parse_page(source, path.read_bytes(), OPTIONS)


def block_at(page: Page, line: int) -> Block:
    return next(block for block in page.blocks if block.line == line)


def test_every_docs_page_parses_without_internal_errors() -> None:
    files = sorted((DOCS / "pages").glob("*.md")) + sorted((DOCS / "journals").glob("*.md"))
    assert len(files) > 300
    for path in files:
        page = parse_page(SourceFile(path.relative_to(DOCS).as_posix(), path,
                                     dialect_hint=Dialect.LOGSEQ), path.read_bytes(), OPTIONS)
        assert not any(d.code == "internal-error" for d in page.diagnostics), path


def test_block_reference_page_properties_and_alias() -> None:
    page = docs_page("Block Reference.md")
    assert page.property("type").value == ("Feature",)
    assert page.property("platforms").value == ("All Platforms",)
    assert page.aliases == ("term/block reference",)
    # Its description mentions ((uuid)) only inside inline code: no block ref.
    assert not any(r.kind is RefKind.BLOCK_REF for r in page.references)


def test_block_reference_page_links_tags_and_screenshot() -> None:
    page = docs_page("Block Reference.md")
    assert (RefKind.TAG, "autocompletion", 7) in [(r.kind, r.target, r.line)
                                                 for r in page.references]
    assert block_at(page, 8).references[0].target == "The basics of block references"
    shot = block_at(page, 12).references[0]
    assert (shot.kind, shot.is_asset, shot.target) == (
        RefKind.EMBED, True,
        "../assets/Screen_Shot_2023-02-22_at_5.25.02_PM_1677525043946_0.png")
    assert block_at(page, 12).depth == 2


def test_page_embed_is_named_by_its_title_and_has_headings_outside_bullets() -> None:
    page = docs_page("page_embed.md")
    assert (page.name, page.tags, page.aliases) == ("Page embed", ("embed",),
                                                    ("term/embedded page",))
    usage = block_at(page, 8)
    assert (usage.kind, usage.heading, usage.content) == ("heading", 2, "## Usage")
    assert block_at(page, 9).parent == usage.index
    embed = block_at(page, 15).references[0]
    assert (embed.kind, embed.target) == (RefKind.EMBED, "term/page")


def test_page_embed_has_a_block_of_only_properties() -> None:
    command = block_at(docs_page("page_embed.md"), 11)
    assert command.content == ""
    assert [(p.key, p.value) for p in command.properties][:2] == [
        ("type", ("Command",)), ("name", "Page embed")]


def test_title_property_wins_over_the_escaped_file_name() -> None:
    assert docs_page("New to Logseq%3F.md").name == "New to Logseq?"


def test_properties_page_embeds_a_block_of_the_markdown_page() -> None:
    embed = block_at(docs_page("Properties.md"), 13).references[0]
    assert (embed.kind, embed.block_id, embed.line) == (
        RefKind.EMBED, "60ab6f5b-4bdc-4ef0-a0f8-6cad9dcad2b2", 14)
    target = block_at(docs_page("Markdown.md"), 54)
    assert target.block_id == embed.block_id
    assert target.content == "syntax: `property:: value`"


def test_properties_page_reads_a_fenced_property_as_code() -> None:
    page = docs_page("Properties.md")
    assert not any(r.line == 27 for r in page.references)  # description:: [[Logseq]] ...
    values = block_at(page, 22)
    assert (values.heading, values.block_id) == (3, "6356e902-3b7b-4cb2-8c3e-6a904c813c40")


def test_advanced_queries_labelled_block_ref_resolves_in_the_page() -> None:
    page = docs_page("Advanced Queries.md")
    ref = next(r for r in page.references if r.kind is RefKind.BLOCK_REF)
    assert (ref.line, ref.label, ref.block_id) == (
        8, "beginner user resources", "63bc6201-53b1-47a4-834f-83934b69ad49")
    target = block_at(page, 399)
    assert (target.block_id, target.content) == (ref.block_id, "For beginner users")


def test_queries_page_timestamps_are_integers() -> None:
    block = block_at(docs_page("Queries.md"), 5)
    assert block.content == '**What are "Queries"?**'
    assert [(p.key, p.value) for p in block.properties] == [
        ("created-at", 1609230242742), ("updated-at", 1609247076654)]


def test_flashcards_tags_and_knowledge_graph_alias_and_task() -> None:
    assert docs_page("Flashcards.md").tags == ("Academic",)
    graph = docs_page("Knowledge Graph.md")
    assert graph.aliases == ("Graph view",)
    task = block_at(graph, 9)
    assert (task.marker, task.content) == ("TODO", "Fill out functionality #docs")
    assert [(r.kind, r.target) for r in task.references] == [(RefKind.TAG, "docs")]


@pytest.mark.parametrize(("name", "expected"), [
    ("Whiteboard___Action Bar.md", "Whiteboard/Action Bar"),
    ("Block Reference.md", "Block Reference"),
])
def test_names_come_from_title_or_file_name(name: str, expected: str) -> None:
    assert docs_page(name).name == expected


def test_testimonials_quotes_hold_their_lists() -> None:
    """Each testimonial is one block whose ``#+BEGIN_QUOTE`` holds a list (lines 19-32:
    eight ``- `` lines between the markers); Logseq shows a quote, not child blocks."""
    page = docs_page("testimonials.md")
    assert [block.line for block in page.blocks] == [5, 9, 17, 33]
    luke = block_at(page, 17)
    assert luke.content.startswith("Luke {{cloze @white999 on Discord}}")
    assert "\n- [[Privacy]] - local storage\n" in luke.content
    assert luke.content.endswith("#+END_QUOTE")
    assert [(r.target, r.line) for r in luke.references] == [("Privacy", 21)]
