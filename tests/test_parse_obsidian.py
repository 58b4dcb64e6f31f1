"""Obsidian / plain-Markdown inline syntax (FORMATS.md 2.3-2.8, 2.10): one hand-written
note per construct in tests/corpus/obsidian, one assertion per construct, and the traps
(code, comments, math, HTML, brackets, escapes) and bad input (huge lines, unclosed links,
deep nesting, CRLF)."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.config import ParseOptions
from kb_compiler.model import Dialect, Reference, RefKind, Severity, SourceFile
from kb_compiler.parse import parse_page
from tests.obsidian_corpus import CORPUS, codes, note, parse_text, refs, targets


def _only(page_refs: list[Reference]) -> Reference:
    assert len(page_refs) == 1, page_refs
    return page_refs[0]


# -- wikilinks --------------------------------------------------------------------------

def test_wikilink_names_the_note_at_its_line_and_column() -> None:
    link = _only(refs(note("wikilink")))
    assert (link.kind, link.target, link.line, link.column) == (
        RefKind.LINK, "Three laws of motion", 1, 23)


def test_wikilink_display_text_after_the_pipe_is_the_label() -> None:
    link = _only(refs(note("wikilink-label")))
    assert (link.target, link.label) == ("Three laws of motion", "the laws")


def test_heading_links_keep_the_heading_chain_as_subpath() -> None:
    page = note("wikilink-heading")
    assert [(r.target, r.subpath) for r in refs(page)] == [
        ("Physics", "Mechanics"), ("Physics", "Mechanics#Second law")]


def test_block_link_is_a_block_ref_with_the_caret_id() -> None:
    link = _only(refs(note("wikilink-block")))
    assert (link.kind, link.target, link.subpath) == (RefKind.BLOCK_REF, "Sayings", "^37066d")


def test_same_note_links_have_an_empty_target() -> None:
    page = note("same-note-link")
    assert [(r.kind, r.target, r.subpath, r.label) for r in refs(page)] == [
        (RefKind.LINK, "", "Text lists", None),
        (RefKind.BLOCK_REF, "", "^text-list", "Text"),
    ]


def test_folder_qualified_target_is_kept_as_written() -> None:
    assert targets(note("folder-link")) == ["Projects/Roadmap"]


def test_escaped_pipe_in_a_table_separates_the_label_and_the_size() -> None:
    link, embed = refs(note("table-pipe"))
    assert (link.target, link.label, link.line) == ("Physics", "the physics note", 3)
    assert (embed.target, embed.size, embed.label) == ("diagram.png", "200", None)


def test_wikilink_to_a_file_with_an_extension_is_an_asset() -> None:
    figure, web = refs(note("asset-link"))
    assert (figure.target, figure.is_asset) == ("Figure 1.png", True)
    assert (web.target, web.is_asset) == ("Web 2.0", False)  # a dotted note name


def test_empty_wikilink_is_kept_for_the_empty_link_check() -> None:
    empty = _only(refs(parse_text("Nothing here: [[]].")))
    assert (empty.target, empty.subpath, empty.column) == ("", None, 15)


def test_wikilink_with_md_suffix_names_the_note() -> None:
    assert targets(parse_text("See [[Physics.md]].")) == ["Physics"]


# -- embeds -----------------------------------------------------------------------------

def test_note_heading_and_block_embeds() -> None:
    page = note("embed-note")
    assert [(r.kind, r.target, r.subpath, r.line) for r in refs(page)] == [
        (RefKind.EMBED, "Physics", None, 1),
        (RefKind.EMBED, "Physics", "Mechanics", 3),
        (RefKind.EMBED, "Sayings", "^37066d", 5),
    ]


def test_image_embed_size_is_a_size_not_a_label() -> None:
    width, box, note_embed = refs(note("embed-image-size"))
    assert (width.size, width.label, width.is_asset) == ("400", None, True)
    assert box.size == "640x480"
    assert (note_embed.size, note_embed.label) == (None, "400")  # a note has no size


def test_pdf_embed_keeps_its_page_fragment() -> None:
    embed = _only(refs(note("embed-pdf")))
    assert (embed.target, embed.subpath, embed.is_asset) == (
        "Reports/Annual report.pdf", "page=3", True)


# -- Markdown links ---------------------------------------------------------------------

def test_markdown_links_are_decoded_and_external_ones_ignored() -> None:
    page = note("markdown-links")
    assert [(r.kind, r.target, r.subpath, r.label) for r in refs(page)] == [
        (RefKind.LINK, "Physics", None, "plain link"),
        (RefKind.LINK, "Some Note", "Heading", "spaced one"),
        (RefKind.LINK, "My Note", None, "bracketed one"),
        (RefKind.EMBED, "images/diagram.png", None, "A diagram"),
    ]


def test_markdown_image_to_a_local_file_is_an_asset_embed() -> None:
    image = refs(note("markdown-links"), RefKind.EMBED)[0]
    assert (image.is_asset, image.line, image.column) == (True, 3, 1)


# -- tags -------------------------------------------------------------------------------

def test_inline_and_nested_tags_but_not_all_digit_ones() -> None:
    page = note("tags-inline")
    assert targets(page, RefKind.TAG) == ["meeting", "inbox/to-read", "y1984"]
    assert page.tags == ("meeting", "inbox/to-read", "y1984")


def test_no_tags_from_heading_markers_urls_languages_subpaths_or_html_colours() -> None:
    page = note("tags-traps")
    assert targets(page, RefKind.TAG) == ["real"]


def test_tag_column_points_at_the_hash() -> None:
    tag = refs(note("tags-inline"), RefKind.TAG)[1]
    assert (tag.line, tag.column, tag.raw) == (1, 31, "#inbox/to-read")


def test_a_tag_keeps_its_combining_marks() -> None:
    """``\\w`` leaves out combining marks: ``#हिन्दी`` was the tag ``ह``, and a
    decomposed ``#café`` (as macOS writes it) the tag ``cafe``."""
    decomposed = unicodedata.normalize("NFD", "café tiếng")
    text = f"#हिन्दी #{decomposed.replace(' ', ' #')} #Zoë."
    assert targets(parse_text(text), RefKind.TAG) == [
        "हिन्दी", *unicodedata.normalize("NFD", "café tiếng").split(), "Zoë"]


def test_hash_inside_a_word_is_not_a_tag() -> None:
    assert refs(parse_text("issue#12 and page#top and &#039;"), RefKind.TAG) == []


# -- traps: code, comments, math, HTML, highlights, brackets, escapes --------------------

def test_nothing_in_code_spans_fences_or_indented_code_is_a_link_or_tag() -> None:
    page = note("code")
    assert [(r.kind, r.target) for r in refs(page)] == [(RefKind.LINK, "Real link")]


def test_backticks_with_a_backtick_after_them_open_no_fence() -> None:
    """CommonMark: a backtick fence's info string holds no backtick, so "```a [[b]]`"
    is a paragraph (and its link a link, as the site shows it)."""
    page = parse_text("```code [[Shown]]`\n\n```py [[Hidden]]\n[[Hidden too]]\n```\n")
    assert targets(page, RefKind.LINK) == ["Shown"]
    assert [block.kind for block in page.blocks] == ["paragraph", "code"]


def test_an_escaped_backtick_opens_no_code_span() -> None:
    """CommonMark: "\\`" is a backtick as text (a backslash inside code is text)."""
    page = parse_text("\\`not code [[Shown]]`\n\n``a\\`` [[Also]] `[[Hidden]]`\n")
    assert targets(page, RefKind.LINK) == ["Shown", "Also"]


def test_a_code_span_runs_over_the_lines_of_its_paragraph_only() -> None:
    """CommonMark: a code span may hold a line break (inside one paragraph)."""
    page = parse_text("a `b\n[[Hidden]] c` [[Shown]]\n\n> q `r\n> [[Hidden too]]` s\n\n"
                      "x `y\n\n[[Next paragraph]]` z\n")
    assert targets(page, RefKind.LINK) == ["Shown", "Next paragraph"]
    assert [ref.line for ref in refs(page)] == [2, 9]


@pytest.mark.parametrize(("text", "links"), [
    ("a <!-- [[Hidden]] --> b <!-- [[Also hidden]]\nnext line --> [[Shown]]", ["Shown"]),
    ("a <!-- [[Shown]]\n\n--> b: a blank line ends the paragraph", ["Shown"]),
    ("\\<!-- [[Shown]] --> escaped; <!--> [[Too]] --> empty comment", ["Shown", "Too"]),
    ("<to do [[Shown]]> is text; <span title='[[Hidden]]'>[[Kept]]</span>",
     ["Shown", "Kept"]),
    ("[label]([[Target]]): the wikilink, not a Markdown link", ["Target"]),
    # HTML that opens before a backtick beats the code span (CommonMark, left to right)
    ("<span title=\"`\">[[Shown]]</span> `x`", ["Shown"]),
    ("[[Shown]]<!--[[Hidden]]`<!--> `", ["Shown"]),
    ("`<!--` [[Shown]] `-->`: code first", ["Shown"]),
])
def test_html_comments_and_tags_hide_only_what_commonmark_reads_as_html(
        text: str, links: list[str]) -> None:
    assert targets(parse_text(text), RefKind.LINK) == links


@pytest.mark.parametrize(("text", "tags"), [
    ("<b>#bold-tag</b> and <span>#spanned</span>", ["bold-tag", "spanned"]),
    ("`x`#after-code [[a]]#after-link x#glued", []),
])
def test_what_may_come_before_a_tag_is_read_in_the_note_as_written(
        text: str, tags: list[str]) -> None:
    """Not in its masked copy, where an HTML tag is filler (the site reads it so too)."""
    assert targets(parse_text(text + "\n"), RefKind.TAG) == tags


def test_comments_hide_links_and_tags() -> None:
    page = note("comments")
    assert [(r.kind, r.target) for r in refs(page)] == [
        (RefKind.LINK, "Shown"), (RefKind.TAG, "visible")]


def test_links_in_comments_count_when_the_option_says_so() -> None:
    page = note("comments", ParseOptions(links_in_comments=True))
    assert targets(page, RefKind.LINK) == ["Shown", "Inline secret", "Block secret"]


def test_math_hides_links_but_prices_are_not_math() -> None:
    assert targets(note("math")) == ["Cheap things"]


def test_no_links_from_raw_html_blocks() -> None:
    assert targets(note("html-block")) == ["Outside html"]


def test_highlight_is_plain_text_around_its_link() -> None:
    link = _only(refs(note("highlights")))
    assert (link.target, link.column) == ("Highlight link", 33)


def test_extra_and_nested_brackets() -> None:
    page = note("brackets")
    assert [(r.target, r.column) for r in refs(page)] == [
        ("Alpha", 19), ("Inner", 49), ("Gamma", 71)]


def test_escaped_brackets_and_hash_are_text() -> None:
    page = note("escaped")
    assert [(r.kind, r.target) for r in refs(page)] == [(RefKind.LINK, "Real")]


def test_footnote_definition_links_count() -> None:
    link = _only(refs(note("footnotes")))
    assert (link.target, link.line) == ("Footnote source", 3)


# -- bad input --------------------------------------------------------------------------

def test_unterminated_links_are_warnings_with_line_and_column() -> None:
    page = note("unterminated")
    assert codes(page) == [("unterminated-link", 1, 26), ("unterminated-link", 2, 14)]
    assert {d.severity for d in page.diagnostics} == {Severity.WARNING}
    assert targets(page) == ["Closed"]


def test_empty_file_is_an_empty_page() -> None:
    page = note("empty")
    assert (page.blocks, page.references, page.diagnostics, page.frontmatter) == (
        (), (), (), None)


def test_five_megabyte_line_parses_fast() -> None:
    text = "word [x " * 625_000 + "[[End]] #last"
    started = time.process_time()
    page = parse_text(text)
    elapsed = time.process_time() - started
    assert [(r.target, r.column) for r in page.references] == [
        ("End", 5_000_001), ("last", 5_000_009)]
    assert elapsed < 8, elapsed


def test_a_line_of_a_million_openers_gives_one_warning() -> None:
    started = time.process_time()
    page = parse_text("[[" * 1_000_000)
    assert codes(page) == [("unterminated-link", 1, 1)]
    assert time.process_time() - started < 5


def test_ten_thousand_nested_quotes_and_a_deep_list_do_not_raise() -> None:
    quotes = parse_text(">" * 10_000 + " [[Deep]]")
    outline = parse_text("".join("  " * level + "- item\n" for level in range(1000)))
    assert targets(quotes) == ["Deep"]
    assert max(block.depth for block in outline.blocks) >= 10


def test_plain_markdown_dialect_goes_through_the_same_parser() -> None:
    page = parse_text("A [[Link]] and #tag.", dialect=Dialect.MARKDOWN)
    assert (page.dialect, targets(page)) == (Dialect.MARKDOWN, ["Link", "tag"])


def test_crlf_file_parses_like_its_lf_twin(tmp_path: Path) -> None:
    source = (CORPUS / "callouts.md").read_bytes()
    crlf = source.replace(b"\n", b"\r\n")
    (tmp_path / "callouts.md").write_bytes(crlf)
    hint = SourceFile("callouts.md", tmp_path / "callouts.md", Dialect.OBSIDIAN)
    page = parse_page(hint, crlf, ParseOptions())
    twin = note("callouts")
    assert "\r" not in page.text
    assert page.references == twin.references
    assert [(b.kind, b.line, b.end_line, b.content) for b in page.blocks] == [
        (b.kind, b.line, b.end_line, b.content) for b in twin.blocks]


def test_image_inside_a_markdown_link_counts_as_well() -> None:
    page = note("markdown-image-link")
    assert [(r.kind, r.target, r.size, r.column) for r in refs(page)] == [
        (RefKind.LINK, "Books", None, 1), (RefKind.EMBED, "covers/book.png", "300", 2)]


_MARKUP = st.text(alphabet=st.sampled_from(list("[]!#|^%$`~>-*_=:\\\"' \n\tax1{}()<>/.")),
                  max_size=300)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(body=_MARKUP, front=st.booleans())
def test_any_text_parses_into_consistent_positions(body: str, front: bool) -> None:
    text = ("---\n" + body + "\n---\n" + body) if front else body
    page = parse_text(text)
    lines = text.split("\n")
    for ref in page.references:
        assert 1 <= ref.line <= len(lines)
        assert 1 <= ref.column <= len(lines[ref.line - 1]) + 1
    for block in page.blocks:
        assert 1 <= block.line <= block.end_line <= len(lines)
        assert block.parent is None or block.parent < block.index
    if not front:  # every body reference is owned by exactly one block
        owned = sorted((r for b in page.blocks for r in b.references),
                       key=lambda r: (r.line, r.column))
        assert owned == list(page.references)
