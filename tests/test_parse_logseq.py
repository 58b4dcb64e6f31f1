"""The Logseq parser on small hand-written pages (tests/corpus/logseq), one construct each.

Each page is read as bytes and decoded here, so the parser sees exactly the file; the
Windows line-end page goes through ``parse_page`` to include decoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.model import Dialect, Page, RefKind, Severity, SourceFile
from kb_compiler.parse import parse_page
from kb_compiler.parse.logseq import parse_logseq

CORPUS = Path(__file__).parent / "corpus" / "logseq"
UUID = "6489a1b2-3c4d-5e6f-7890-abcdef123456"


def parse(name: str, options: ParseOptions | None = None) -> Page:
    text = (CORPUS / name).read_bytes().decode("utf-8")
    return parse_logseq(f"pages/{name}", text, options or ParseOptions(),
                        default_name=Path(name).stem)


def tree(page: Page) -> list[tuple[str, int, int | None]]:
    return [(block.content, block.depth, block.parent) for block in page.blocks]


def codes(page: Page) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in page.diagnostics]


def targets(page: Page, kind: RefKind | None = None) -> list[str]:
    return [r.target for r in page.references if kind is None or r.kind is kind]


def test_corpus_has_a_page_per_construct() -> None:
    assert len(list(CORPUS.glob("*.md"))) >= 22


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.md")))
def test_every_corpus_page_parses_to_a_logseq_page(name: str) -> None:
    page = parse(name)
    assert page.dialect is Dialect.LOGSEQ
    assert all(block.index == number for number, block in enumerate(page.blocks))
    assert page == parse(name)  # pure: the same input gives the same page


def test_tab_indentation_nests_one_level_per_tab() -> None:
    assert tree(parse("tabs.md")) == [
        ("parent", 0, None), ("child", 1, 0), ("grandchild", 2, 1),
        ("second child", 1, 0), ("top sibling", 0, None),
    ]


def test_space_indentation_gives_the_same_tree_as_tabs() -> None:
    assert tree(parse("spaces.md")) == tree(parse("tabs.md"))
    assert codes(parse("spaces.md")) == []


def test_mixing_tabs_and_spaces_warns_and_nests_by_width() -> None:
    page = parse("mixed-indentation.md")
    assert codes(page) == [("mixed-indentation", 3, 1)]
    assert page.diagnostics[0].severity is Severity.WARNING
    # A tab is 4 columns wide, so four spaces sit at the tab child's level.
    assert tree(page) == [("parent", 0, None), ("child with a tab", 1, 0),
                          ("sibling with four spaces", 1, 0)]


def test_nesting_is_relative_not_a_fixed_width() -> None:
    # Bullets at 0, 4, 6 and 5 spaces (Logseq's extract_test): 5 is under 4, beside 6.
    assert [(b.depth, b.parent) for b in parse("relative-indent.md").blocks] == [
        (0, None), (1, 0), (2, 1), (2, 1), (0, None)]


def test_deep_child_keeps_its_block_properties() -> None:
    deep = parse("deep-child-property.md").blocks[-1]
    assert (deep.depth, deep.content) == (4, "level 4 holds a property")
    assert [(p.key, p.value, p.line) for p in deep.properties] == [
        ("status", ("Reviewed",), 6), ("weight", 12, 7)]
    ref = deep.references[0]
    assert (ref.kind, ref.target, ref.property, ref.line, ref.column) == (
        RefKind.PROPERTY, "Reviewed", "status", 6, 16)


def test_nothing_in_code_is_a_link_tag_ref_or_embed() -> None:
    page = parse("links-in-code.md")
    assert [(r.target, r.line) for r in page.references] == [("real link", 6)]
    assert len(page.blocks) == 3


def test_nested_brackets_name_only_the_outer_page() -> None:
    assert targets(parse("nested-brackets.md")) == ["nested [[inner]] page"]


def test_an_extra_closing_bracket_is_not_part_of_the_name() -> None:
    ref = parse("extra-bracket.md").references[0]
    assert (ref.target, ref.raw, ref.column) == ("a", "[[a]]", 16)


def test_property_that_looks_like_text_links_nothing() -> None:
    page = parse("property-like-text.md")
    assert page.property("note").value == "see http://x"
    assert page.property("homepage").value == "https://example.com/#/page/intro"
    assert page.references == ()


def test_multi_line_block_keeps_its_continuation_lines() -> None:
    first, second = parse("multi-line-block.md").blocks
    assert (first.line, first.end_line) == (1, 3)
    assert first.content == ("first line of the block\nsecond line with "
                             "[[Second Line Link]]\nthird line")
    ref = first.references[0]
    assert (ref.target, ref.line, ref.column) == ("Second Line Link", 2, 20)
    assert second.content == "next block"


def test_code_fence_in_a_block_is_kept_whole() -> None:
    page = parse("code-fence-in-block.md")
    assert [b.content.splitlines()[0] for b in page.blocks] == ["a block with code",
                                                                "next block"]
    code_block = page.blocks[0]
    assert "  - not a bullet" not in code_block.content  # dedented to the block's column
    assert "- not a bullet\nkey:: not a property" in code_block.content
    assert code_block.properties == ()
    assert page.references == ()
    assert code_block.end_line == 7


def test_backticks_with_a_backtick_after_them_open_no_fence() -> None:
    page = parse_logseq("pages/p.md", "- ```code [[Shown]]`\n- next [[Also]]\n",
                        ParseOptions(), default_name="p")
    assert [b.content for b in page.blocks] == ["```code [[Shown]]`", "next [[Also]]"]
    assert [r.target for r in page.references] == ["Shown", "Also"]


def test_math_holds_no_links_or_tags() -> None:
    """Logseq renders ``$...$`` and ``$$...$$`` as math (Calculator.md in its docs:
    ``$1 \\frac{2}{3}$``); a price is not math (``$5 or $15``, Logseq Sync.md)."""
    page = parse_logseq("pages/p.md", "- $[[Hidden]] #hidden$ and [[Shown]], $5 or $15 "
                        "[[Too]]\n- $$x [[Hidden too]]$$ #shown\n", ParseOptions(),
                        default_name="p")
    assert targets(page) == ["Shown", "Too", "shown"]


def test_dollar_math_and_code_are_read_left_to_right() -> None:
    """Whichever opens first wins, as the site's renderer reads it: math that opens
    before a code span ends inside it; a code span that opens first holds the "$"; a tag
    takes a "$" along; inline math stays on its line; a digit before "$" opens none."""
    page = parse_logseq("pages/p.md", "\n".join([
        "- $[[Hidden]]`$` and [[Shown]]",
        "- `$` [[After code]] $x$",
        "- #tag$[[After the tag]]$",
        "- $a",
        "  [[Next line]]$",
        "- 1$[[After a digit]]$",
    ]) + "\n", ParseOptions(), default_name="p")
    assert targets(page) == ["Shown", "After code", "tag$", "After the tag", "Next line",
                             "After a digit"]


def test_a_backslash_escapes_or_opens_latex_as_mldoc_reads_it() -> None:
    """mldoc (``inline.ml``): at a backslash a LaTeX fragment ``\\( \\)`` or ``\\[ \\]``
    is tried first, then an escaped ASCII punctuation mark; a tag or code span read
    before keeps its backslash, and a fragment ends at a blank line or a heading's end."""
    page = parse_logseq("pages/p.md", "\n".join([
        "- \\[[Escaped]] \\#escaped \\((6a1e1a52-0000-4000-8000-00000000beef)) [[Shown]]",
        "- \\\\[[Link after an escaped backslash]]",
        "- \\( [[In math]] #math \\) and \\[ [[Displayed]] \\] #after",
        "- \\( `\\) [[After math]] `",
        "- `\\(` [[After code]] \\)",
        "- #tag\\[[Next to the tag]]",
        "- \\( [[Unclosed here]]",
        "",
        "  \\) [[Later]]",
        "- # \\( [[In the heading]]",
        "  \\) [[Below]]",
    ]) + "\n", ParseOptions(), default_name="p")
    assert targets(page) == [
        "Shown", "Link after an escaped backslash", "after", "After math", "After code",
        "tag\\", "Next to the tag", "Unclosed here", "Later", "In the heading", "Below"]


def test_raw_html_hides_links_as_mldoc_reads_it() -> None:
    """mldoc (``raw_html.ml``, tried from ``inline.ml`` where an element may start): a
    comment, or an element of a known tag up to the closing tag that balances it (case
    ignored) or a later "/>", is one piece of raw HTML, and so is an autolink, as the
    site reads it. A closing tag in the next paragraph is out of reach. A "<" inside
    plain text, an unknown tag and a tag that never closes are text, whose links
    count."""
    page = parse_logseq("pages/p.md", "\n".join([
        "- <span>[[In a span]]</span> [[After the span]]",
        "- <!-- [[Commented out]] #old --> [[After the comment]]",
        '- <span title="`">[[Not code]]</span> `x`',
        "- <b><b>[[Nested]]</b> [[Still inside]]</B> [[Outside]]",
        "- x<b>[[After a letter]]</b>",
        "- <foo>[[Unknown tag]]</foo> <b>[[Never closed]]",
        "- [[Before]]<i>[[Right after a link]]</i>",
        "- <div>",
        "  [[Over lines]]",
        "  </div> [[Below]]",
        "- <img src=x [[In the tag]] /> [[After the image]]",
        "- x<https://x.y/[[Autolinked]]> [[After the autolink]]",
        "- <u>[[Closed by the slash]] /> [[After the slash]]",
        "",
        "  </u> [[Next paragraph]]",
    ]) + "\n", ParseOptions(), default_name="p")
    assert targets(page) == [
        "After the span", "After the comment", "Outside", "After a letter", "Unknown tag",
        "Never closed", "Before", "Below", "After the image", "After the autolink",
        "After the slash", "Next paragraph"]


def test_a_tag_ends_where_a_macro_or_code_opens() -> None:
    """As the site reads it: ``#{{`` is no tag (an unclosed macro was read as a page
    named "{{"), ``#a`b`` is the tag ``a``."""
    page = parse_logseq("pages/p.md", "- #{{ x\n- #tag{{y}} #a`b` #c`d\n", ParseOptions(),
                        default_name="p")
    assert targets(page, RefKind.TAG) == ["tag", "a", "c"]


def test_a_bare_tag_leaves_emphasis_marks_and_punctuation_off_its_end() -> None:
    """Export.md in Logseq's docs: "**Removal of #tags**" tags ``tags`` (not ``tags**``)."""
    page = parse_logseq("pages/p.md", "- **Removal of #tags**: and *see #it*, #end. #a.b\n",
                        ParseOptions(), default_name="p")
    assert targets(page, RefKind.TAG) == ["tags", "it", "end", "a.b"]


def test_headings_outside_bullets_are_blocks_with_children() -> None:
    page = parse("headings-outside-bullets.md")
    assert [(b.kind, b.heading, b.content, b.parent) for b in page.blocks] == [
        ("heading", 2, "## Usage", None), ("block", None, "first child", 0),
        ("block", None, "second child", 0), ("heading", 2, "## Functionality", None),
        ("block", None, "third child", 3), ("block", None, "a top-level bullet", None),
    ]


def test_pre_block_lines_are_page_properties() -> None:
    page = parse("pre-block.md")
    assert [(p.key, p.value, p.line) for p in page.properties] == [
        ("type", ("Feature",), 1), ("platforms", ("All Platforms",), 2)]
    assert [b.content for b in page.blocks] == ["first block"]
    assert [(r.kind, r.target, r.property) for r in page.references] == [
        (RefKind.PROPERTY, "Feature", "type"), (RefKind.PROPERTY, "All Platforms", "platforms")]


def test_page_properties_in_a_first_bullet_are_accepted_with_a_note() -> None:
    page = parse("page-props-in-bullet.md")
    assert [(p.key, p.value) for p in page.properties] == [("type", ("Concept",)),
                                                           ("weight", 30)]
    assert [b.content for b in page.blocks] == ["first real block"]
    assert codes(page) == [("page-props-in-bullet", 1, 1)]
    assert page.diagnostics[0].severity is Severity.INFO


def test_page_property_values_are_typed() -> None:
    page = parse("typed-values.md")
    assert [(p.key, p.value) for p in page.properties] == [
        ("weight", 70), ("ratio", "0.7"), ("public", True), ("year", '"1000"'),
        ("kind", "a, b")]


def test_unterminated_macro_is_reported_and_parsing_goes_on() -> None:
    page = parse("unterminated-macro.md")
    assert codes(page) == [("unterminated-macro", 1, 9)]
    # An unclosed macro is plain text, so its [[link]] is an ordinary link.
    assert [(r.kind, r.target) for r in page.references] == [
        (RefKind.LINK, "Some Page"), (RefKind.LINK, "fine")]


def test_unterminated_link_is_reported_and_parsing_goes_on() -> None:
    page = parse("unterminated-link.md")
    assert codes(page) == [("unterminated-link", 1, 9)]
    assert targets(page) == ["fine"]


def test_block_refs_plain_and_labelled_point_at_the_id() -> None:
    page = parse("block-ref.md")
    assert page.blocks[0].block_id == UUID
    refs = [(r.kind, r.block_id, r.label, r.line, r.target) for r in page.references]
    assert refs == [(RefKind.BLOCK_REF, UUID, None, 3, ""),
                    (RefKind.BLOCK_REF, UUID, "see there", 4, "")]


def test_page_and_block_embeds_tolerate_whitespace() -> None:
    page = parse("embeds.md")
    assert [(r.kind, r.target, r.block_id, r.column) for r in page.references] == [
        (RefKind.EMBED, "Embedded Page", None, 3),
        (RefKind.EMBED, "", UUID, 3),
        (RefKind.EMBED, "Spaced Page", None, 3),
    ]
    assert all(block.macros == () for block in page.blocks)


def test_other_macros_are_kept_and_link_nothing() -> None:
    page = parse("macros.md")
    macros = [(m.name, m.args, m.line, m.column) for b in page.blocks for m in b.macros]
    assert macros == [
        ("renderer", (":slider_rjxyar",), 1, 3),
        ("query", ("(and [[project]] (task TODO))",), 2, 3),
        ("video", ("https://www.youtube.com/watch?v=abc",), 3, 3),
    ]
    assert page.references == ()


def test_a_macro_in_three_braces_is_one_macro() -> None:
    """mldoc reads ``{{{name args}}}`` before ``{{name args}}`` (inline.ml); Logseq's
    docs write embeds so. The parser read the inner pair, a column late, and the outer
    braces as text. In ``{{{{embed [[A]]}}}}`` three braces hold a macro named
    "{embed", and so do two in ``{{{embed [[B]]}}``: neither embeds anything."""
    page = parse_text("- {{{embed [[page/alias]] }}} and {{{youtube Vw-x7yTTO0s}}}\n"
                      "- {{{{embed [[A]]}}}}\n- {{{embed [[B]]}}\n")
    assert [(r.target, r.line, r.column, r.raw) for r in page.references] == [
        ("page/alias", 1, 3, "{{{embed [[page/alias]] }}}")]
    assert [(m.name, m.line, m.column) for b in page.blocks for m in b.macros] == [
        ("youtube", 1, 35), ("{embed", 2, 3), ("{embed", 3, 3)]


def test_tags_follow_logseq_rules() -> None:
    page = parse("tags.md")
    assert [(r.target, r.line) for r in page.references] == [
        ("simple", 1), ("multi word tag", 1), ("topic", 2), ("1984", 2)]
    assert {r.kind for r in page.references} == {RefKind.TAG}
    assert page.blocks[3].priority == "A"


def test_heading_markers_are_not_tags() -> None:
    page = parse("heading-marker.md")
    assert [(b.kind, b.heading) for b in page.blocks] == [("heading", 1), ("block", 2)]
    assert page.references == ()


def test_label_link_points_at_the_page() -> None:
    ref = parse("label-link.md").references[0]
    assert (ref.kind, ref.target, ref.label, ref.column) == (
        RefKind.LINK, "User Guide", "the guide", 8)


def test_a_label_keeps_its_code_as_written() -> None:
    """A label holding inline code: code spans are blanked in the text the parser scans,
    and labels were taken from it, so the export wrote '[[Filename format#^id|`       `
    filename format]]' for the docs graph's ``[`:legacy` filename format](((uuid)))``."""
    page = parse_text(f"- [see `x` and **y**]((({UUID})))\n- [`code` only]([[Src]])\n")
    assert [ref.label for ref in page.references] == ["see `x` and **y**", "`code` only"]


def test_local_files_are_asset_references_and_urls_are_not() -> None:
    page = parse("assets.md")
    assert [(r.kind, r.target, r.label, r.is_asset) for r in page.references] == [
        (RefKind.EMBED, "../assets/diagram.png", "diagram", True),
        (RefKind.LINK, "../assets/manual.pdf", "manual", True),
    ]


def test_task_parts_are_read_and_drawers_skipped() -> None:
    task, later = parse("tasks.md").blocks
    assert (task.marker, task.priority, task.scheduled, task.deadline) == (
        "DONE", "B", "2024-01-15 Mon", "2024-01-20 Sat")
    assert task.content == "write the parser\nnotes after the drawer [[Parser]]"
    assert [(p.key, p.value, p.line) for p in task.properties] == [("done", True, 7)]
    assert [(r.target, r.line) for r in task.references] == [("Parser", 8)]
    assert (task.end_line, later.line, later.marker, later.content) == (
        8, 9, "LATER", "read the docs")


def test_a_heading_may_be_a_task() -> None:
    """mldoc reads heading marks, then a marker and a priority: ``- ## TODO x`` is a
    level-2 heading that is a task, which ``(task todo)`` finds and the site draws with
    its marker; it was a heading whose text began with "TODO"."""
    page = parse_logseq("pages/t.md", "- ## TODO write the [[report]]\n- ### [#A] urgent\n"
                        "- ## plain heading\n- ##TODO no heading\n", ParseOptions(),
                        default_name="t")
    assert [(b.content, b.marker, b.priority, b.heading) for b in page.blocks] == [
        ("## write the [[report]]", "TODO", None, 2), ("### urgent", None, "A", 3),
        ("## plain heading", None, None, 2), ("##TODO no heading", None, None, None)]
    assert [(r.target, r.column) for r in page.references] == [("report", 21)]


def test_duplicate_block_ids_are_reported() -> None:
    page = parse("duplicate-block-id.md")
    assert codes(page) == [("duplicate-block-id", 4, 1)]
    assert [b.block_id for b in page.blocks] == [UUID, UUID]


def test_title_alias_and_tags_name_the_page() -> None:
    page = parse("title-alias-tags.md")
    assert page.name == "Customer Profile"
    assert page.aliases == ("Persona", "User type", "Kunde")  # ASCII and full-width commas
    assert page.tags == ("motor", "steering wheel", "car")
    assert [(r.kind, r.target) for r in page.references] == [
        (RefKind.TAG, "motor"), (RefKind.TAG, "steering wheel"), (RefKind.TAG, "car")]


def test_yaml_front_matter_gives_page_properties() -> None:
    page = parse("frontmatter.md")
    assert page.name == "Imported Page"
    assert page.tags == ("imported", "notes")
    assert page.property("weight").value == 5
    assert page.frontmatter is not None and "weight: 5" in page.frontmatter
    assert [(b.line, b.content) for b in page.blocks] == [(6, "body links [[Somewhere]]")]


def test_empty_file_is_an_empty_page() -> None:
    page = parse("empty.md")
    assert (page.name, page.blocks, page.properties, page.diagnostics) == ("empty", (), (), ())


def test_empty_relation_is_no_reference_but_a_warning() -> None:
    page = parse("empty-relation.md")
    assert page.property("relations").value == ()
    assert page.property("owner").value == ""
    assert page.references == ()
    assert codes(page) == [("empty-link", 1, 13)]


def test_invalid_property_key_is_dropped_and_reported() -> None:
    page = parse("invalid-key.md")
    assert [p.key for p in page.properties] == ["good-key"]
    assert codes(page) == [("invalid-property-key", 1, 1)]


def test_namespaced_names_are_plain_names_here() -> None:
    assert targets(parse("namespace.md"), RefKind.LINK) == ["a/b/c"]


def test_windows_line_ends_through_parse_page() -> None:
    path = CORPUS / "crlf.md"
    data = path.read_bytes()
    assert b"\r\n" in data  # the fixture really has Windows line ends
    source = SourceFile("pages/crlf.md", path, dialect_hint=Dialect.LOGSEQ)
    page = parse_page(source, data, ParseOptions())
    assert (page.name, page.tags) == ("Windows Page", ("crlf",))
    assert tree(page) == [("first [[Line End]]", 0, None), ("child", 1, 0)]
    link = page.blocks[0].references[0]
    assert (link.target, link.line, link.column) == ("Line End", 4, 9)
    assert all("\r" not in p.raw for p in page.properties)


def parse_text(text: str) -> Page:
    return parse_logseq("pages/org.md", text, ParseOptions(), default_name="org")


def test_org_block_in_a_block_keeps_its_list_lines() -> None:
    """A ``- `` line inside ``#+BEGIN_QUOTE`` ... ``#+END_QUOTE`` is the quote's text (a
    list in the quote), not a child block; its links still count."""
    page = parse_text("- Luke\n  #+BEGIN_QUOTE\n  I liked:\n  - [[Privacy]]\n  - speed\n"
                      "  #+end_quote\n- next\n")
    assert [b.content.splitlines()[0] for b in page.blocks] == ["Luke", "next"]
    assert page.blocks[0].content.endswith("- [[Privacy]]\n- speed\n#+end_quote")
    assert [(r.target, r.line) for r in page.references] == [("Privacy", 4)]


def test_org_block_opened_on_the_bullet_line() -> None:
    page = parse_text("- #+BEGIN_NOTE\n  - still the note\n  #+END_NOTE\n\t- a child\n")
    assert [(b.content.splitlines()[0], b.depth) for b in page.blocks] == [
        ("#+BEGIN_NOTE", 0), ("a child", 1)]


def test_org_block_without_its_end_opens_nothing() -> None:
    """No ``#+END_QUOTE`` after it (an ``#+END_NOTE`` does not close a quote): the
    ``- `` lines are child blocks, as without the marker."""
    page = parse_text("- parent\n  #+BEGIN_QUOTE\n  - child one\n  - child two\n"
                      "- #+END_NOTE\n")
    assert [(b.content, b.depth) for b in page.blocks] == [
        ("parent\n#+BEGIN_QUOTE", 0), ("child one", 1), ("child two", 1),
        ("#+END_NOTE", 0)]


def test_a_shallower_bullet_ends_an_org_block() -> None:
    page = parse_text("\t- deep\n\t  #+BEGIN_EXAMPLE\n\t  text\n- top\n  #+END_EXAMPLE\n")
    assert [b.content.splitlines()[0] for b in page.blocks] == ["deep", "top"]


def test_a_code_block_with_no_end_in_its_block_is_text() -> None:
    """mldoc reads ``#+BEGIN_SRC`` with no ``#+END_SRC`` as text, and so does the site:
    a link after it counts. One that ends hides its links."""
    page = parse_text("- #+BEGIN_SRC\n  [[Open]]\n- #+BEGIN_EXAMPLE\n  [[Closed]]\n"
                      "  #+END_EXAMPLE\n")
    assert [ref.target for ref in page.references] == ["Open"]


def test_auto_heading_is_as_deep_as_its_block() -> None:
    """``heading:: true`` (Logseq's "auto heading") made no heading: the level follows
    the block's depth in the outline, h1 at the top; ``heading:: 3`` is an h3."""
    page = parse_text("- top\n  heading:: true\n  - child\n    heading:: true\n"
                      "    - fixed\n      heading:: 3\n  - plain\n")
    assert [(b.content, b.heading) for b in page.blocks] == [
        ("top", 1), ("child", 2), ("fixed", 3), ("plain", None)]
