"""The site's markdown layer: our markdown-it rules read the syntax right, the
sanitizer keeps harmless markup and drops what could run, and trusted markup cannot be
forged. A recording linker stands in for the site, so each test sees exactly what the
rules handed over."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kb_compiler.emit.site.highlight import may_have_diagram, pygments_css, render_math
from kb_compiler.emit.site.linker import dimensions
from kb_compiler.emit.site.pages import excerpt_of
from kb_compiler.emit.site.render import (
    TOC_SLOT,
    LinkRewrite,
    RenderOptions,
    RenderState,
    render_many,
    render_markdown,
)
from tests.site_crawl import dangerous_markup


class RecordingLinker:
    """Writes each reference as a recognisable element and keeps what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def wikilink(self, meta: dict[str, Any]) -> str:
        self.calls.append(("wikilink", dict(meta)))
        kind = "embed" if meta["embed"] else "link"
        return f'<a class="{kind}" href="x.html">{html.escape(str(meta["raw_target"]))}</a>'

    def block_ref(self, meta: dict[str, Any]) -> str:
        self.calls.append(("block_ref", dict(meta)))
        return f'<span class="bref">{html.escape(str(meta["uuid"]))}</span>'

    def macro(self, meta: dict[str, Any]) -> str:
        self.calls.append(("macro", dict(meta)))
        return f'<code class="macro">{html.escape(str(meta["name"]))}</code>'

    def tag(self, name: str) -> str:
        self.calls.append(("tag", name))
        return f'<a class="tag">#{html.escape(name)}</a>'

    def local_link(self, href: str) -> LinkRewrite | None:
        self.calls.append(("local_link", href))
        if href == "Missing.md":
            return LinkRewrite(None, "broken-link")
        return LinkRewrite("note.html", "internal")

    def image(self, src: str, alt: str, title: str | None,
              size: str | None = None) -> str | None:
        self.calls.append(("image", src))
        return None if src.startswith("http") else \
            f'<img{dimensions(size)} src="files/{html.escape(src)}">'

    def block_anchor(self, block_id: str) -> str:
        return f"block-{block_id}"

    def raw_url(self, url: str, image: bool) -> str | None:
        return url

    def base_block(self, source: str) -> str | None:
        self.calls.append(("base_block", source))
        return '<figure class="base-view"></figure>'

    def advanced_query(self, source: str) -> str | None:
        self.calls.append(("advanced_query", source))
        return None

    def of(self, kind: str) -> list[Any]:
        return [value for name, value in self.calls if name == kind]


def render(text: str, **options: Any) -> tuple[str, RecordingLinker, RenderState]:
    linker = RecordingLinker()
    state = RenderState(linker, RenderOptions(**options))
    return render_markdown(text, state), linker, state


# -- inline syntax ---------------------------------------------------------------------

def test_wikilink_parts_are_split_target_subpath_label() -> None:
    _, linker, _ = render("See [[Note#Heading|shown text]] and [[Other]].")
    first, second = linker.of("wikilink")
    assert (first["target"], first["subpath"], first["label"]) == ("Note", "Heading", "shown text")
    assert first["raw_target"] == "Note#Heading"
    assert (second["target"], second["subpath"], second["label"]) == ("Other", None, None)


def test_embed_size_is_a_size_not_a_label() -> None:
    _, linker, _ = render("![[Pasted image 20240529170714.png|400]] ![[clip.png|640x480]]",
                          obsidian_syntax=True)  # an Obsidian embed: Logseq reads "!" and a link
    first, second = linker.of("wikilink")
    assert first["embed"] and first["size"] == "400" and first["label"] is None
    assert second["size"] == "640x480"


def test_escaped_pipe_in_a_table_cell_still_splits_the_label() -> None:
    out, linker, _ = render("| a | b |\n|---|---|\n| [[Note\\|alias]] | 2 |")
    (link,) = linker.of("wikilink")
    assert (link["target"], link["label"]) == ("Note", "alias")
    assert "<table>" in out


def test_nested_brackets_and_a_stray_closing_bracket() -> None:
    out, linker, _ = render("[[outer [[inner]]]] and [[a]]]")
    names = [call["raw_target"] for call in linker.of("wikilink")]
    assert names == ["outer [[inner]]", "a"]
    assert out.rstrip().endswith("]</p>")  # the third ] stays text


@pytest.mark.parametrize(("text", "shown"), [
    ("- Q--A: [[Acme]]\n- later", "Q--A: "),
    ("- #---\n[[Acme]]", "#---"),
    ("---\ntitle: x\n---\nAfter the front matter: [[Acme]]", "After the front matter: "),
])
def test_only_front_matter_is_hidden_as_front_matter(text: str, shown: str) -> None:
    """A list item on the first line whose text starts with a character and two
    dashes was taken for front matter (mdit-py-plugins counts dashes from the second
    character): it vanished from the site with what followed."""
    out, linker, _ = render(text)
    assert shown in out and [call["target"] for call in linker.of("wikilink")] == ["Acme"]
    assert "title: x" not in out


def test_a_bare_url_ends_where_a_link_begins() -> None:
    """Both parsers read the link after a URL written against it; so does the site."""
    uuid = "6a1e1a52-0000-4000-8000-00000000beef"
    text = (f"http://x.y/[[A]] www.x.y/#[[B]] http://x.y/(({uuid})) "
            "http://x.y/{{embed [[C]]}} http://x.y/`[[in code]]`")
    out, linker, _ = render(text)
    assert [call["raw_target"] for call in linker.of("wikilink")] == ["A", "C"]
    assert linker.of("tag") == ["B"] and [ref["uuid"] for ref in linker.of("block_ref")] == [uuid]
    assert '<a href="http://x.y/">http://x.y/</a>' in out and "<code>[[in code]]</code>" in out
    _, linker, _ = render("http://x.y/[[A]] and http://x.y/((a))", obsidian_syntax=True)
    assert [call["raw_target"] for call in linker.of("wikilink")] == ["A"]


def test_a_comment_mark_in_code_is_code_as_the_parser_reads_it() -> None:
    """``%%`` in a code span over two lines, in indented code or in the front matter
    opens no comment: an unclosed one used to hide the rest of the note."""
    for text in ("`[[A]]%%---\n` [[B]]", "    %% indented code\n\n[[B]]",
                 '---\noff: "50%% off"\n---\n[[B]]'):
        _, linker, _ = render(text, obsidian_syntax=True)
        assert [call["raw_target"] for call in linker.of("wikilink")] == ["B"], text


@pytest.mark.parametrize("text", ["---\n[[A]]\n ---\n", "---\n\n[[A]]\n"])
def test_no_front_matter_where_the_parser_reads_none(text: str) -> None:
    """An indented closing fence, or none at all: the parser reads no front matter, so
    the link is the note's."""
    _, linker, _ = render(text, obsidian_syntax=True)
    assert [call["raw_target"] for call in linker.of("wikilink")] == ["A"]


def test_nothing_inside_code_is_a_link_or_tag() -> None:
    _, linker, _ = render("`[[not a link]] #nottag` and\n\n```\n[[nor this]] #no\n```\n")
    assert linker.calls == []


def test_logseq_embed_macros_and_block_refs() -> None:
    _, linker, _ = render("{{embed [[Page A]]}} {{embed ((64f1b2c3-aaaa-bbbb-cccc-1234567890ab))}} "
                          "((64f1b2c3-aaaa-bbbb-cccc-1234567890ab))")
    (embed,) = linker.of("wikilink")
    assert embed["embed"] and embed["target"] == "Page A"
    block_embed, block_ref = linker.of("block_ref")
    assert block_embed["embed"] and not block_ref["embed"]
    assert block_ref["uuid"] == "64f1b2c3-aaaa-bbbb-cccc-1234567890ab"


def test_labelled_logseq_references() -> None:
    _, linker, _ = render("[the label]([[Target Page]]) and [ref](((abc-123)))")
    (link,) = linker.of("wikilink")
    assert (link["target"], link["label"]) == ("Target Page", "the label")
    (ref,) = linker.of("block_ref")
    assert (ref["uuid"], ref["label"]) == ("abc-123", "ref")


def test_other_macros_keep_name_and_arguments() -> None:
    _, linker, _ = render("{{renderer :slider_rjxyar}} {{query (and [[a]] (task TODO))}}")
    renderer, query = linker.of("macro")
    assert renderer["name"] == "renderer" and renderer["args"] == [":slider_rjxyar"]
    assert query["name"] == "query" and query["arguments"] == "(and [[a]] (task TODO))"


@pytest.mark.parametrize(("text", "logseq", "obsidian"), [
    ("a #tag here", ["tag"], ["tag"]),
    ("#[[multi word tag]] and #nested/tag.", ["multi word tag", "nested/tag"], ["nested/tag"]),
    ("#1984 is a year, #y1984 a tag", ["1984", "y1984"], ["y1984"]),
    ("page.html#anchor and word#glued", [], []),
    ("(#paren) #end! #a*b", ["end", "a*b"], ["paren", "end", "a"]),
])
def test_tags_are_read_as_the_page_dialect_reads_them(
        text: str, logseq: list[str], obsidian: list[str]) -> None:
    """As each parser reads them (checked against both), so a tag on the page is one
    the graph holds."""
    for options, expected in (({}, logseq), ({"obsidian_syntax": True}, obsidian)):
        _, linker, _ = render(text, **options)
        assert linker.of("tag") == expected


def test_unterminated_syntax_stays_text() -> None:
    out, linker, _ = render("{{embed [[Page and [[open and ((abc")
    assert linker.calls == []
    assert "{{embed [[Page and [[open and ((abc" in html.unescape(out)


def test_highlights_in_both_dialects() -> None:
    out, _, _ = render("==marked **bold**== and ^^logseq^^ but a == b")
    assert "<mark>marked <strong>bold</strong></mark>" in out
    assert "<mark>logseq</mark>" in out
    assert "a == b" in out


def test_obsidian_comments_are_removed_but_not_inside_code() -> None:
    out, linker, _ = render("visible %%secret [[hidden link]]%% text\n\n%%\nblock secret\n%%\n\n"
                            "`%%code%%`")
    assert "secret" not in out and linker.of("wikilink") == []
    assert "visible" in out and "%%code%%" in out


def test_a_comment_inside_a_callout_leaves_the_callout_whole() -> None:
    """Blanked with its lines' quote marks, a ``%%`` comment in a callout ended the
    quote: the callout's rest became a plain quote under it."""
    out, _, _ = render("> [!note] Steps\n> First step.\n> %%\n> private remark\n> %%\n"
                       "> Second step.\n", comments=True, obsidian_syntax=True)
    assert "private" not in out and "<blockquote>" not in out
    assert re.search(r'<div class="callout-content"><p>First step.</p>\s*<p>Second step.</p>',
                     out)


def test_an_unclosed_obsidian_comment_hides_the_rest_of_the_note() -> None:
    """As the parser reads it (``comment_spans``): no link in it reaches the graph."""
    out, linker, _ = render("shown\n\n%% hidden [[Page]]\n\nstill hidden #tag", comments=True)
    assert "shown" in out and "hidden" not in out
    assert linker.calls == []


# -- block structure ------------------------------------------------------------------

def test_foldable_callout_is_details_and_plain_callout_is_div() -> None:
    out, _, _ = render("> [!faq]- Why?\n> Because.\n\n> [!note]\n> Body", obsidian_syntax=True)
    assert re.search(r'<details class="callout" data-callout="faq">'
                     r'<summary class="callout-title">Why\?</summary>', out)
    assert '<div class="callout" data-callout="note"><div class="callout-title">Note</div>' in out
    assert "[!" not in out


def test_two_callouts_of_one_type_each_hold_their_own_body() -> None:
    """The first callout's body was closed twice (closing the note's body) and the
    second's never, so every paragraph after it was drawn in its box."""
    out, _, _ = render("> [!note]\n> One\n\nbetween\n\n> [!note]\n> Two\n\nafter\n",
                       obsidian_syntax=True)
    body = '<div class="callout-content">'
    assert out.count(body) == 2
    first, second = out.split(body)[1:]
    assert re.match(r"\s*<p>One</p>\s*</div></div>\s*<p>between</p>", first)
    assert re.match(r"\s*<p>Two</p>\s*</div></div>\s*<p>after</p>\s*$", second)


def test_expanded_callout_is_open() -> None:
    out, _, _ = render("> [!tip]+ Open me\n> text", obsidian_syntax=True)
    assert '<details class="callout" data-callout="tip" open>' in out


def test_a_callout_on_a_logseq_page_is_a_quote() -> None:
    """Logseq has no callouts (its admonitions are ``#+BEGIN_NOTE`` blocks): it shows
    ``> [!note]`` as a quote, as written."""
    out, _, _ = render("> [!note]\n> Body")
    assert out == "<blockquote>\n<p>[!note]\nBody</p>\n</blockquote>\n"


def test_block_ids_are_stripped_and_become_anchors() -> None:
    out, _, _ = render("A paragraph ^para-1\n\n- one\n- two\n\n^list-id\n\n- item ^item-7\n",
                       obsidian_syntax=True)
    assert "^para-1" not in out and "^list-id" not in out and "^item-7" not in out
    assert '<p id="block-para-1">A paragraph</p>' in out
    assert '<ul id="block-list-id">' in out
    assert '<li id="block-item-7">item</li>' in out


@pytest.mark.parametrize(("block", "opening"), [
    ("```python\nx = 1\n```", '<div id="block-it" class="highlight" data-lang="python">'),
    ("    indented code", '<pre id="block-it"><code>'),
    ("$$\nx^2\n$$", '<div id="block-it" class="math math-block">'),
    ("<div>\nraw\n</div>", '<span class="block-anchor" id="block-it"></span><div>'),
    ("```mermaid\ngraph TD\n```", '<pre id="block-it" class="diagram">'),
])
def test_an_id_under_code_math_or_html_names_it(block: str, opening: str) -> None:
    """Obsidian names such blocks with an id on the next line; the parser gives them
    the id, so a link to ``Note#^it`` must find the element."""
    out, _, _ = render(f"{block}\n\n^it\n", obsidian_syntax=True)
    assert opening in out
    assert "^it" not in out


def test_an_id_on_the_paragraphs_last_line_names_the_paragraph() -> None:
    out, _, _ = render("first line\n^last", obsidian_syntax=True)
    assert out == '<p id="block-last">first line</p>\n'


def test_a_heading_that_is_only_an_id_keeps_it_as_its_text() -> None:
    """The parser reads no id on a heading, and the site's anchor for ``Note#^x`` is
    computed from the parser's heading text, which here is "^x"."""
    out, _, state = render("# ^x\n\nSetext\n^y\n===\n", obsidian_syntax=True)
    assert '<h1 id="x">^x</h1>' in out
    assert [anchor for _, _, anchor in state.headings] == ["x", "setext"]


def test_logseq_text_keeps_what_looks_like_a_block_id() -> None:
    """Logseq has no ``^id`` syntax: ``x ^2`` is text there."""
    out, _, _ = render("Powers: x ^2\n\n- a\n\n^b", hard_breaks=True)
    assert "Powers: x ^2" in out and "<p>^b</p>" in out and "id=" not in out


def test_embedded_renders_write_no_ids() -> None:
    out, _, state = render("# Title\n\nText ^abc", embedded=True)
    assert "id=" not in out and state.headings == []


def test_headings_get_unique_ids_and_feed_the_toc() -> None:
    out, _, state = render("```table-of-contents\n```\n# 🔍 Definition\n## Jobs\n## Jobs\n")
    assert TOC_SLOT in out
    assert [anchor for _, _, anchor in state.headings] == ["definition", "jobs", "jobs-1"]
    assert '<h2 id="jobs-1">' in out


@pytest.mark.parametrize(("text", "logseq", "obsidian"), [
    ("[[a [[b]] c]]", ["a [[b]] c"], ["b"]),
    ("[[[[Page]]", ["Page"], ["Page"]),
    ("[[[Other]]", ["[Other"], ["Other"]),
    ("[[a]]] and ![[b]]", ["a", "b"], ["a", "b"]),
    ("\\![[a]] \\\\![[b]]", ["a", "b"], ["b"]),
])
def test_wikilinks_are_read_as_the_page_dialect_reads_them(
        text: str, logseq: list[str], obsidian: list[str]) -> None:
    """Logseq pairs brackets, Obsidian takes the innermost ``[[`` (as each parser does,
    so the site links what the graph holds)."""
    for options, expected in (({}, logseq), ({"obsidian_syntax": True}, obsidian)):
        _, linker, _ = render(text, **options)
        assert [meta["raw_target"] for meta in linker.of("wikilink")] == expected


def test_markdown_links_and_images_go_through_the_linker() -> None:
    out, linker, _ = render("[a note](Note.md) [gone](Missing.md) [web](https://example.com) "
                            "![pic](assets/pic.png)")
    assert linker.of("local_link") == ["Note.md", "Missing.md"]
    assert '<a href="note.html" class="internal">a note</a>' in out
    assert '<span class="broken-link">gone</span>' in out
    assert '<a href="https://example.com">web</a>' in out
    assert '<img src="files/assets/pic.png">' in out


@pytest.mark.parametrize("before", ["see ", "word " * 100, "a: b: " * 100, "http: " * 100])
def test_bare_urls_are_links_whatever_text_comes_before(before: str) -> None:
    """The autolink rule is shown only the end of the text before a ``:`` when that
    text is long; the text keeps its place."""
    out, _, _ = render(f"{before}https://example.com/a and mailto:team@example.org.")
    assert out == (f"<p>{before}<a href=\"https://example.com/a\">https://example.com/a</a> "
                   f"and <a href=\"mailto:team@example.org\">mailto:team@example.org</a>.</p>\n")


def test_note_embed_paragraph_becomes_a_div() -> None:
    out, _, _ = render("![[Other note]]\n\n![[pic.png]]", obsidian_syntax=True)
    assert '<div class="embed-line"><a class="embed"' in out
    assert "<p><a class=\"embed\" href=\"x.html\">pic.png</a></p>" in out


def test_logseq_blocks_keep_their_line_breaks() -> None:
    out, _, _ = render("first line\nsecond line", hard_breaks=True)
    assert "first line<br>\nsecond line" in out
    plain, _, _ = render("first line\nsecond line")
    assert "<br>" not in plain


# -- code and math ----------------------------------------------------------------------

def test_code_is_highlighted_with_classes() -> None:
    out, _, _ = render("```python\ndef f():\n    return 1 < 2\n```")
    assert '<div class="highlight" data-lang="python">' in out
    assert '<span class="k">def</span>' in out and "&lt;" in out


def test_a_mermaid_block_is_a_diagram_on_obsidian_pages_and_code_on_logseq_pages() -> None:
    source = '```mermaid\nflowchart TD\n  A["<b>x</b>"] --> B\n```\n'
    obsidian, _, _ = render(source, obsidian_syntax=True)
    assert obsidian == ('<pre class="diagram">flowchart TD\n'
                        '  A["&lt;b&gt;x&lt;/b&gt;"] --&gt; B\n</pre>')
    logseq, _, _ = render(source)
    assert '<div class="highlight" data-lang="mermaid">' in logseq
    assert 'class="diagram"' not in logseq


@pytest.mark.parametrize(("text", "expected"), [
    ("```mermaid\ngraph TD\n```", True),
    ("- item\n  ~~~ Mermaid\n  graph TD\n  ~~~", True),
    ("> ````MERMAID", True),
    ("```python\nmermaid = 1\n```", False),
    ("A mermaid swims by.", False),
])
def test_which_pages_may_hold_a_diagram(text: str, expected: bool) -> None:
    assert may_have_diagram(text) is expected


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(["```", "~~~", "mermaid", "Mermaid", " ", "\n", "- ", "> ",
                                 "graph TD", "    ", "`", "x"]), max_size=12).map("".join))
@example("- x\n  ```` Mermaid\n  graph TD")  # the property is not vacuous
def test_every_page_with_a_diagram_is_seen_as_one(text: str) -> None:
    """The site copies the Mermaid library only when some page may hold a diagram: a
    page that renders one must never be missed."""
    out, _, _ = render(text, obsidian_syntax=True)
    if 'class="diagram"' in out:
        assert may_have_diagram(text)


def test_pygments_css_has_both_themes() -> None:
    css = pygments_css()
    assert ".highlight .k" in css and "html.theme-dark .highlight .k" in css
    assert "prefers-color-scheme: dark" in css


def test_math_is_mathml_at_build_time() -> None:
    out, _, _ = render("Inline $x^2$ and\n\n$$\\frac{a}{b}$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert "<mfrac>" in out


def test_logseq_latex_fragments_and_escapes_as_mldoc_reads_them() -> None:
    out, linker, _ = render("\\( x^2 [[In math]] \\) \\[ y \\] [[Shown]] \\[[Escaped]] "
                            "http://x.y/\\[[Not in the URL]]")
    assert out.count('<span class="math math-inline">') == 1 and "<msup>" in out
    assert out.count('<span class="math math-block">') == 1  # \[ \] is displayed math
    assert [call["target"] for call in linker.of("wikilink")] == ["Shown"]
    assert "[[Escaped]]" in out and 'href="http://x.y/"' in out
    obsidian, _, _ = render("\\( x \\)", obsidian_syntax=True)
    assert "math" not in obsidian  # Obsidian writes math with dollars only


def test_logseq_dollar_math_stays_on_its_line() -> None:
    out, linker, _ = render("a $b\nc [[Link]]$ d $x$", hard_breaks=True)
    assert out.count("<math") == 1 and [c["target"] for c in linker.of("wikilink")] == ["Link"]
    obsidian, linker, _ = render("a $b\nc [[Link]]$ d", obsidian_syntax=True)
    assert "<math" in obsidian and not linker.of("wikilink")


def test_a_logseq_code_span_stays_on_its_line() -> None:
    """mldoc's code span holds no line break: the backticks are text and the link
    counts, as the parser reads it; CommonMark (Obsidian) spans the lines."""
    out, linker, _ = render("a `b\nc [[Link]]` d", hard_breaks=True)
    assert "<code>" not in out and [call["target"] for call in linker.of("wikilink")] == ["Link"]
    obsidian, linker, _ = render("a `b\nc [[Link]]` d", obsidian_syntax=True)
    assert "<code>b c [[Link]]</code>" in obsidian and not linker.of("wikilink")


def test_logseq_raw_html_is_one_piece_as_mldoc_reads_it() -> None:
    """mldoc reads a known tag's whole element, or a comment, as raw HTML where an
    element may start (nothing inside links), and any other "<" as text; the parser
    reads the same (``parse.logseq_html``). Obsidian pages keep CommonMark's HTML."""
    out, linker, _ = render('a <span title="`">[[Inside]]</span> `x` <!-- [[Hidden]] --> '
                            "x<b>[[After a letter]]</b> <foo>[[Unknown]]</foo>",
                            hard_breaks=True)
    assert [call["target"] for call in linker.of("wikilink")] == ["After a letter", "Unknown"]
    assert '<span title="`">[[Inside]]</span> <code>x</code>' in out
    assert "x&lt;b&gt;" in out and "&lt;foo&gt;" in out and "Hidden" not in out
    obsidian, linker, _ = render("a <span>[[Inside]]</span> x<b>bold</b>", obsidian_syntax=True)
    assert [call["target"] for call in linker.of("wikilink")] == ["Inside"]
    assert "x<b>bold</b>" in obsidian
    hostile, _, _ = render('a <span onclick="alert(1)">[[A]]<script>x()</script></span>')
    assert dangerous_markup(hostile) == [] and "<script" not in hostile


def test_math_that_smuggles_markup_is_shown_as_code() -> None:
    markup = render_math(r"\text{<script>alert(1)</script>}", display=False)
    assert "<script" not in markup and markup.startswith('<code class="math-error"')


# -- safety ----------------------------------------------------------------------------

HOSTILE = """\
<script>alert(1)</script>
<img src="x.png" onerror="alert(2)">
<a href="javascript:alert(3)">js</a> <a href="JaVaScRiPt:alert(4)">js2</a>
<a href="&#106;avascript:alert(5)">js3</a>
<iframe src="https://evil.example"></iframe>
<svg onload="alert(6)"><circle/></svg>
<div style="background: url(https://evil.example/x.png); color: red" onclick="x()">styled</div>
<form action="https://evil.example"><input type="text" name="q"></form>
[md link](javascript:alert(7)) ![md image](javascript:alert(8))
"""


def test_hostile_raw_html_cannot_run() -> None:
    out, _, _ = render(HOSTILE)
    assert dangerous_markup(out) == []
    lowered = out.lower()
    for needle in ("<script", "<iframe", "<svg", "<form", "url(", 'type="text"',
                   'href="javascript'):
        assert needle not in lowered, needle
    assert "styled" in out and "color:red" in out.replace(" ", "")
    # The refused Markdown link stays visible as text, not as a link.
    assert "[md link](javascript:alert(7))" in html.unescape(out)


def test_a_frame_becomes_a_link_to_what_it_showed_without_its_empty_box() -> None:
    """Logseq's docs graph (changelog 0.7.9) embeds Loom videos in a box kept at the
    video's proportions by a padding in percent; the frame was dropped and an empty box
    430 px tall stayed, with nothing to follow."""
    out, _, _ = render('<div style="position: relative; padding-bottom: 62.5%; height: 0;">'
                       '<iframe src="https://www.loom.com/embed/b7c2" frameborder="0" '
                       'allowfullscreen style="position: absolute"></iframe></div>\n\n'
                       "<iframe src='javascript:alert(1)'></iframe>\n\n"
                       '<div style="height: 0; color: red">kept</div>')
    assert '<a class="macro-media external" href="https://www.loom.com/embed/b7c2">' in out
    assert "Embedded: https://www.loom.com/embed/b7c2</a>" in out
    assert "padding" not in out and "<iframe" not in out and "javascript" not in out
    assert "height:0;color:red" in out.replace(" ", "")  # no video box: as written


def test_the_danger_scan_sees_what_it_must() -> None:
    out, _, _ = render('<div onclick="x()">x</div>', allow_raw_html=True)
    assert dangerous_markup(out) == ["div onclick="]


def test_seed_styled_div_is_kept() -> None:
    seed = '<div style="background-color: #f5f5f5; padding: 10px;">🙎 Space Agency</div>'
    out, _, _ = render(seed)
    assert '<div style="background-color:#f5f5f5;padding:10px">' in out


def test_allow_raw_html_keeps_markup_as_written() -> None:
    out, _, _ = render('<div onclick="x()">trusted</div>', allow_raw_html=True)
    assert 'onclick="x()"' in out


def test_placeholders_cannot_be_forged_from_page_text() -> None:
    forged = "\ue0000\ue001 \ue002toc\ue003 \ue004"
    out, _, _ = render(f"[[Real]] {forged}")
    assert TOC_SLOT not in out and "\ue000" not in out and "\ue004" not in out
    assert out.count('class="link"') == 1


# -- one pass for many blocks -----------------------------------------------------------

def test_render_many_matches_one_by_one() -> None:
    texts = ["## Head", "para with [[Link]]", "", "- a\n- b", "`code` #tag"]
    linker = RecordingLinker()
    together = render_many(texts, RenderState(linker, RenderOptions()))
    separately = [render_markdown(t, RenderState(RecordingLinker(), RenderOptions()))
                  if t else "" for t in texts]
    assert together is not None
    assert [part.strip() for part in together] == [part.strip() for part in separately]


def test_render_many_gives_up_when_a_block_swallows_the_next() -> None:
    """An unclosed fence, or an HTML block that runs to its closer (``<!--``, ``<pre>``),
    would take the next blocks in as its own text: their links lost."""
    state = RenderState(RecordingLinker(), RenderOptions())
    for opener in ("```\nunclosed fence", "<!-- unclosed comment", "<pre>\nunclosed"):
        assert render_many([opener, "next block [[X]]"], state) is None, opener


def test_long_hostile_lines_render_promptly() -> None:
    import time

    started = time.monotonic()
    out, _, _ = render("[[a " * 20_000 + "{{embed " * 10_000 + "((" * 20_000 + "![x " * 20_000)
    assert time.monotonic() - started < 10
    assert out.startswith("<p>[[a [[a")


# -- Logseq's #+BEGIN_ ... #+END_ blocks ---------------------------------------------------

def logseq(text: str) -> tuple[str, RecordingLinker]:
    out, linker, _ = render(text, org_blocks=True, hard_breaks=True)
    return out, linker


def test_org_quote_is_a_blockquote_of_markdown() -> None:
    out, linker = logseq("Luke\n#+BEGIN_QUOTE\nI liked **it**:\n- [[Privacy]]\n#+END_QUOTE")
    assert re.sub(r"\s", "", out) == (
        '<p>Luke</p><blockquote><p>Iliked<strong>it</strong>:</p>'
        '<ul><li><aclass="link"href="x.html">Privacy</a></li></ul></blockquote>')
    assert [call["target"] for call in linker.of("wikilink")] == ["Privacy"]


@pytest.mark.parametrize("kind", ["NOTE", "TIP", "IMPORTANT", "CAUTION", "WARNING", "PINNED"])
def test_org_admonitions_are_callouts(kind: str) -> None:
    out, _ = logseq(f"#+BEGIN_{kind}\nRead *this* first\n#+END_{kind}")
    assert out.startswith(f'<div class="callout" data-callout="{kind.lower()}">'
                          f'<div class="callout-title">{kind.title()}</div>')
    assert "<p>Read <em>this</em> first</p>" in out


def test_org_example_and_query_are_verbatim() -> None:
    out, linker = logseq("#+BEGIN_EXAMPLE\n- a [[page]] and *not italic*\n#+END_EXAMPLE\n"
                         "#+BEGIN_QUERY\n{:title \"All\"}\n#+END_QUERY")
    # nothing is read as a link; the query is offered to the site, which runs the ones
    # it can (this linker runs none) and leaves the others as code
    assert linker.calls == [("advanced_query", '{:title "All"}\n')]
    assert "<ul>" not in out and "<em>" not in out
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert "- a [[page]] and *not italic*" in text and '{:title "All"}' in text
    assert 'data-lang="clojure"' in out  # the query's Datalog, highlighted


def test_org_src_names_its_language() -> None:
    out, _ = logseq("#+BEGIN_SRC python\nprint('hi')\n#+END_SRC")
    assert 'data-lang="python"' in out and "print" in out and "BEGIN" not in out


def test_org_center_verse_and_unknown_blocks_are_divs() -> None:
    out, _ = logseq("#+BEGIN_CENTER\nmiddle\n#+END_CENTER\n#+BEGIN_MyBox\n**x**\n#+END_MyBox")
    assert '<div class="org-block org-center"><p>middle</p>\n</div>' in out
    assert '<div class="org-block org-mybox"><p><strong>x</strong></p>\n</div>' in out


def test_org_comment_and_non_html_export_are_not_shown() -> None:
    out, _ = logseq("before\n\n#+BEGIN_COMMENT\nsecret\n#+END_COMMENT\n"
                    "#+BEGIN_EXPORT latex\n\\LaTeX\n#+END_EXPORT\n#+BEGIN_EXPORT html\n"
                    "<b>bold</b><script>alert(1)</script>\n#+END_EXPORT")
    assert "secret" not in out and "LaTeX" not in out
    assert "<b>bold</b>" in out and "<script" not in out and "alert(1)" not in out


def test_org_block_without_its_end_is_text_and_never_a_tag() -> None:
    out, linker = logseq("#+BEGIN_QUOTE\nno end here")
    assert linker.of("tag") == [] and "<blockquote>" not in out
    assert "#+BEGIN_QUOTE" in html.unescape(out)


def test_unclosed_org_blocks_render_promptly() -> None:
    """Each line of a block of 16,000 unclosed ``#+BEGIN_`` lines once looked ahead to
    the block's end (about 45 s); the end lines are now found once per source."""
    import time

    started = time.monotonic()
    out, _ = logseq("#+BEGIN_NOTE\n" * 16_000 + "#+BEGIN_QUOTE\nlast\n#+END_QUOTE")
    assert time.monotonic() - started < 10
    assert out.count("<blockquote>") == 1 and "callout" not in out


def test_org_blocks_are_logseq_only() -> None:
    out, _, _ = render("#+BEGIN_QUOTE\nquoted\n#+END_QUOTE")
    assert "<blockquote>" not in out and "#+BEGIN_QUOTE" in out


def test_org_block_never_reaches_into_the_next_outline_block() -> None:
    state = RenderState(RecordingLinker(), RenderOptions(org_blocks=True))
    parts = render_many(["#+BEGIN_NOTE\nfirst block", "#+END_NOTE\nsecond block"], state)
    assert parts is not None and "callout" not in "".join(parts)
    assert "first block" in parts[0] and "second block" in parts[1]


# -- excerpts ---------------------------------------------------------------------------

_MARKUP = st.lists(st.sampled_from([
    "<p>", "</p>", "word ", "  ", "&amp; ", "<svg viewBox='0 0 1 1'><line x1='1'/></svg>",
    "x" * 50, "\n", '<a href="x">link</a>', "é", "&lt;b&gt;", ">", "<",
]), max_size=400).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_MARKUP, st.sampled_from([280, 10, 1]))
def test_an_excerpt_is_the_start_of_the_whole_text_cut_at_a_word(markup: str,
                                                                limit: int) -> None:
    """excerpt_of reads only a prefix of the markup; what it gives must be what the
    whole text gives: tags out (links without a space), spaces collapsed, entities
    read, cut at a word."""
    inline = re.sub(r"</?a\b[^>]*>", "", markup)
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))).strip()
    whole = text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "\u2026"
    assert excerpt_of(markup, limit) == whole


def test_an_excerpt_keeps_punctuation_after_emphasis_and_links() -> None:
    """Previews and feed summaries read "Says , Thinks" and "good hands ." (every tag
    was a space); tags between blocks still separate their words."""
    markup = ('<ul><li><p><strong>Says</strong>, Thinks <em>good hands</em>.</p></li>'
              '<li><p>Next <a href="x.html">link</a>!<br>line</p></li></ul><p>end</p>')
    assert excerpt_of(markup) == "Says, Thinks good hands. Next link! line end"


# -- Logseq images and links mldoc reads and CommonMark does not --------------------------

def test_a_logseq_address_with_spaces_is_an_image_or_a_link() -> None:
    """mldoc reads ``![a](../assets/my photo.png)`` up to the ``)``: Logseq's docs graph
    embeds six pictures so (one year in logseq.md)."""
    out, linker = logseq("![my photo](../assets/my photo.png) and [the plan](files/q3 plan.pdf)")
    assert linker.of("image") == ["../assets/my%20photo.png"]
    assert linker.of("local_link") == ["files/q3%20plan.pdf"]
    assert '<img src="files/../assets/my%20photo.png">' in out
    assert '<a href="note.html" class="internal">the plan</a>' in out


@pytest.mark.parametrize("text", [
    "[open](a b",  # no closing parenthesis
    "[nested](a (b) c)",  # mldoc's address ends at the first ')': left as CommonMark has it
    "[two lines](a\nb)",
])
def test_what_is_no_spaced_address_stays_text(text: str) -> None:
    out, linker = logseq(text)
    assert linker.of("local_link") == [] and "<a" not in out


def test_commonmark_links_are_read_as_before_on_logseq_pages() -> None:
    out, linker = logseq('[a](b.md "The title") ![c](d.png)')
    assert linker.of("local_link") == ["b.md"] and linker.of("image") == ["d.png"]
    assert 'title="The title"' in out


def test_an_obsidian_address_with_spaces_is_no_link() -> None:
    out, linker, _ = render("![my photo](my photo.png)", obsidian_syntax=True)
    assert linker.of("image") == [] and "![my photo](my photo.png)" in out


@pytest.mark.parametrize(("written", "size"), [
    ("{:height 224, :width 441}", ' width="441" height="224"'),
    ("{:width 300}", ' width="300"'),
    ("{:width 640.5 :height 360}", ' width="640.5" height="360"'),
])
def test_a_resized_logseq_image_keeps_its_size(written: str, size: str) -> None:
    out, _ = logseq(f"![a](b.png){written} after")
    assert f"<img{size} src=\"files/b.png\"> after" in out
    assert "{:" not in out


def test_a_resized_logseq_image_on_the_web_keeps_its_size() -> None:
    out, _ = logseq("![a](https://e.com/b.png){:height 224, :width 441}")
    assert out == '<p><img src="https://e.com/b.png" alt="a" width="441" height="224"></p>\n'


def test_a_bare_web_address_of_a_picture_is_shown_on_logseq_pages() -> None:
    """Logseq shows a link in place when its text starts with "http" and its path names
    a picture, sound or video (``show-link?``); an address in angle brackets, a labelled
    link, another address and an Obsidian page keep the link."""
    out, linker = logseq("a https://e.com/b.png?x=1 <https://e.com/c.png> [d](https://e.com/d.png) "
                         "https://e.com/page https://e.com/clip.MP4")
    assert out == ('<p>a <img src="https://e.com/b.png?x=1" alt=""> <a href="https://e.com/'
                   'c.png">https://e.com/c.png</a> <a href="https://e.com/d.png">d</a> <a '
                   'href="https://e.com/page">https://e.com/page</a> <img src="https://e.com/'
                   'clip.MP4" alt=""></p>\n')
    assert [value for kind, value in linker.calls if kind == "image"] == [
        "https://e.com/b.png?x=1", "https://e.com/clip.MP4"]  # a player for the video
    obsidian, _, _ = render("a https://e.com/b.png", obsidian_syntax=True)
    assert "<img" not in obsidian


def test_a_size_on_an_obsidian_page_is_text() -> None:
    out, _, _ = render("![a](b.png){:width 300}", obsidian_syntax=True)
    assert "{:width 300}" in out


def test_a_task_checkbox_is_named_by_its_task() -> None:
    """Obsidian task checkboxes had no accessible name: a screen reader said only
    "checkbox, not checked" (axe: label, critical)."""
    out, _, _ = render("- [ ] open *task* `x`\n- [x] done 1 < 2\n- [-] dropped\n",
                       obsidian_syntax=True)
    boxes = re.findall(r"<input[^>]*>", out)
    assert [re.search(r'aria-label="([^"]*)"', box).group(1) for box in boxes] == [
        "open task x", "done 1 &lt; 2", "dropped"]


def test_a_task_checkbox_is_named_by_all_its_visible_text() -> None:
    """Only plain text named a checkbox: a Kanban card ``- [ ] [[Card One]]`` had no
    name, ``[[Alice]] review #urgent`` was "review", and a second line ran into the
    first ("@{2024-01-15}Description")."""
    out, _, _ = render("- [ ] [[Card One]]\n- [ ] [[Alice]] review #urgent\n"
                       "- [ ] Review [[Alice|the boss]] draft\n"
                       "- [ ] card @{2024-01-15}\n  Description\n", obsidian_syntax=True)
    boxes = re.findall(r"<input[^>]*>", out)
    assert [re.search(r'aria-label="([^"]*)"', box).group(1) for box in boxes] == [
        "Card One", "Alice review #urgent", "Review the boss draft",
        "card @{2024-01-15} Description"]


def test_each_page_reads_only_its_own_dialects_embeds_and_block_refs() -> None:
    """The site embedded ``![[B]]`` on a Logseq page (an embed cycle drawn there) and
    resolved ``((uuid))`` on an Obsidian one, while the parsers, hence the check and
    the graph, read "!" and a link, and text: the two told different stories."""
    uuid = "dddddddd-1111-2222-3333-444444444444"
    out, linker, _ = render(f"A embeds ![[B]] and (({uuid}))")
    (link,) = linker.of("wikilink")
    assert not link["embed"] and "A embeds !" in out
    assert len(linker.of("block_ref")) == 1
    out, linker, _ = render(f"A embeds ![[B]] and (({uuid}))", obsidian_syntax=True)
    (link,) = linker.of("wikilink")
    assert link["embed"] and linker.of("block_ref") == []
    assert f"(({uuid}))" in out
