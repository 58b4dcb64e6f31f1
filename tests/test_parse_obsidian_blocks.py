"""Block structure of Obsidian notes (FORMATS.md 2.7, 2.9, 2.10): headings and their
sections, lists with parents, callouts with fold marks, tables, code, table-of-contents
fences, footnotes, comments, ``^block-ids`` and which block owns each reference."""

from __future__ import annotations

from kb_compiler.model import Callout, RefKind
from tests.obsidian_corpus import blocks_of, codes, note, parse_text


def test_headings_have_levels_and_own_their_sections() -> None:
    page = note("headings")
    heads = {b.content: b for b in blocks_of(page, "heading")}
    assert [(h.content, h.heading) for h in heads.values()] == [
        ("Top", 1), ("Section A", 2), ("Sub A1", 3), ("Section B", 2), ("Setext heading", 2)]
    assert heads["Sub A1"].parent == heads["Section A"].index
    assert (heads["Section A"].line, heads["Section A"].end_line) == (5, 11)


def test_paragraph_under_a_heading_is_its_child() -> None:
    page = note("headings")
    text = next(b for b in page.blocks if b.content == "Text of A1.")
    assert page.blocks[text.parent].content == "Sub A1"


def test_nested_list_items_name_their_parent_item_through_their_list() -> None:
    page = note("lists")
    items = {b.content: b for b in blocks_of(page, "list-item")}
    grandchild = items["grandchild"]
    nested_list = page.blocks[grandchild.parent]
    assert nested_list.kind == "list"
    assert page.blocks[nested_list.parent] is items["child one"]
    assert (grandchild.line, grandchild.depth) == (3, 5)


def test_task_items_keep_their_checkbox_text() -> None:
    items = [b.content for b in blocks_of(note("lists"), "list-item")]
    assert items[-2:] == ["[ ] open task", "[x] done task"]


def test_callout_type_title_and_fold() -> None:
    callouts = [b.callout for b in blocks_of(note("callouts"), "callout")]
    assert callouts == [
        Callout("note", "Plain title", None),
        Callout("faq", "Collapsed question", "-"),  # [!FAQ]: the type is case-insensitive
        Callout("tip", "Tip", "+"),  # no title: the type, capitalised
        Callout("warning", "Warning", None),
        Callout("todo", "Inner", None),
    ]


def test_nested_callout_is_a_child_of_the_outer_one() -> None:
    page = note("callouts")
    outer, inner = blocks_of(page, "callout")[3:]
    assert (inner.parent, inner.line, inner.end_line) == (outer.index, 11, 12)


def test_callout_body_links_belong_to_the_callout() -> None:
    first = blocks_of(note("callouts"), "callout")[0]
    assert [(r.target, r.line) for r in first.references] == [("Callout link", 2)]
    assert first.content == "Plain title\nBody with [[Callout link]]."


def test_plain_quote_is_a_blockquote() -> None:
    quote = blocks_of(note("callouts"), "blockquote")
    assert [(b.content, b.callout) for b in quote] == [("A plain quote.", None)]


def test_code_blocks_keep_their_source_lines() -> None:
    code = blocks_of(note("code"), "code")
    assert [(b.line, b.end_line) for b in code] == [(3, 5), (7, 9), (11, 11)]
    assert code[0].content.splitlines()[0] == "```python"


def test_table_of_contents_fence_is_its_own_kind() -> None:
    toc = blocks_of(note("toc"), "table-of-contents")
    assert [(b.line, b.end_line) for b in toc] == [(1, 2)]


def test_table_is_one_block_owning_its_cells_links() -> None:
    table = blocks_of(note("table-pipe"), "table")[0]
    assert (table.line, table.end_line, len(table.references)) == (1, 3, 2)


def test_math_block_and_html_block_kinds() -> None:
    assert [(b.line, b.end_line) for b in blocks_of(note("math"), "math")] == [(3, 5)]
    assert [(b.line, b.end_line) for b in blocks_of(note("html-block"), "html")] == [(1, 3)]


def test_footnote_definition_is_a_block() -> None:
    footnote = blocks_of(note("footnotes"), "footnote")[0]
    assert footnote.content == "The source is [[Footnote source]]."


def test_comment_blocks_are_marked_and_are_not_headings() -> None:
    page = note("comments")
    assert [b.line for b in blocks_of(page, "comment")] == [3, 5, 6]
    assert blocks_of(page, "heading") == []


def test_block_id_at_the_end_of_a_paragraph_is_stripped_from_its_text() -> None:
    first = note("block-ids").blocks[0]
    assert (first.block_id, first.content) == ("quote-of-the-day", "A sentence worth quoting.")


def test_block_id_on_a_list_item() -> None:
    item = next(b for b in note("block-ids").blocks if b.content == "second item")
    assert (item.kind, item.block_id) == ("list-item", "item-2")


def test_block_id_on_its_own_line_names_the_list_or_table_above() -> None:
    page = note("block-ids")
    named = {b.block_id: b for b in page.blocks if b.block_id}
    assert (named["my-list"].kind, named["my-list"].line) == ("list", 8)
    assert (named["my-table"].kind, named["my-table"].line) == ("table", 13)


def test_block_id_ending_a_heading_names_the_heading() -> None:
    """``## A heading ^hd``: [[N#^hd]] was a broken block ref and [[N#A heading]] a
    broken heading (its text kept the id), while the site showed "A heading"."""
    page = parse_text("# N\n\n## A heading ^hd\n\ntext\n")
    heading = next(b for b in page.blocks if b.heading == 2)
    assert (heading.content, heading.block_id, heading.line) == ("A heading", "hd", 3)


def test_duplicate_block_id_is_reported_at_the_second_block() -> None:
    assert codes(note("block-ids")) == [("duplicate-block-id", 19, 1)]


def test_block_id_allows_letters_digits_and_dashes_only() -> None:
    page = parse_text("Not an id ^under_score\n\nAn id ^Abc-123")
    assert [b.block_id for b in page.blocks] == [None, "Abc-123"]


def test_same_note_block_link_target_exists_as_an_id() -> None:
    page = note("same-note-link")
    link = next(r for r in page.references if r.kind is RefKind.BLOCK_REF)
    assert link.subpath == "^" + next(b.block_id for b in page.blocks if b.block_id)


def test_every_body_reference_belongs_to_exactly_one_block() -> None:
    page = note("markdown-links")
    owned = [ref for block in page.blocks for ref in block.references]
    assert owned == list(page.references)
