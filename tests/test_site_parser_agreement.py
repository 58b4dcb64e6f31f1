"""The site and the parsers read a page alike: every link, embed, block ref and tag the
parser reads (the graph's edges, the checker's findings) is one the site makes live,
and no other, on Obsidian notes and Logseq blocks made of the syntax that mixes worst.
(Org blocks: ``test_site_org_text``.)"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import unquote

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kb_compiler.config import ParseOptions
from kb_compiler.emit.site.context import heading_text
from kb_compiler.emit.site.outline import block_source
from kb_compiler.emit.site.render import RenderOptions, RenderState, render_markdown
from kb_compiler.emit.site.urls import SlugCounter
from kb_compiler.model import Reference, RefKind
from kb_compiler.parse.logseq import parse_logseq
from kb_compiler.resolve.blocks import heading_level
from tests.obsidian_corpus import parse_text
from tests.test_site_render import RecordingLinker

# Left out, where the two still part: "$" (math boundaries such as "$$[[x]]$"), "%%"
# (the site takes comments out before it reads blocks, so "%%%%```" opens a fence there
# and "%%%%#tag" is a tag; code it leaves alone, as the parser does), "|" (a table row splits
# "[[a|b]]" at the pipe), "-->" (markdown-it's comment grammar predates CommonMark
# 0.31's, which the parser follows), a lone "(" or "\\" (bracket nests around a Markdown
# link, "[[[A]]\\[x](y.md)") and a footnote definition no one refers to (the site drops
# it; its links still count in the graph).
_FRAGMENTS = st.sampled_from([
    "[[A]]", "[[B|b]]", "![[C]]", "[[D#Part]]", "#tag", "#", " ", "\n", "\n\n", "\t", "    ",
    "text", "`", "``", "```\n", "~~~\n", "[", "]", "<b>", "</b>", "<", "<!--",
    "- ", "> ", "1. ", "---\n", "*", "_", "^id", "[^1]", "[x](y.md)", "![i](i.png)",
    "{{embed [[E]]}}", "{{", "}}",  # Logseq macros, which Obsidian reads as text
])
EXAMPLES = int(os.environ.get("KBC_FUZZ_EXAMPLES", "1")) * 300


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.lists(_FRAGMENTS, max_size=16).map("".join))
def test_the_site_links_what_the_obsidian_parser_reads(body: str) -> None:
    assume("[^1][[" not in body)  # "[^1][[A]](x)": a reference-style label, read apart
    page = parse_text(body)
    read = sorted(_parsed(ref) for ref in page.references if not ref.is_asset and ref.target)
    linker = RecordingLinker()
    render_markdown(body, RenderState(linker, RenderOptions(obsidian_syntax=True)))
    shown = sorted(entry for kind, value in linker.calls
                   if (entry := _rendered(kind, value)) is not None and entry[1])
    assert shown == read


# Blocks an id on the next line can name, ids at the end of text and alone on a line.
# Left out, where the two still part: "%%" (the site takes comments out first, so an id
# before "%%c%%" ends its paragraph there, not to the parser), footnote definitions (the
# footnote plugin moves their paragraphs away), callouts continued by lazy lines, and
# a block in a list item after its first (markdown-it hides the paragraphs of a tight
# list, so an id on one has no element to go on).
_BLOCK_FRAGMENTS = st.sampled_from([
    "text ^id4", "- b ^id5\n", "<!-- x -->\n", "> ", "```\ncode\n```\n", "$$\nx\n$$\n",
    "    code\n", "<div>\nx\n</div>\n", "- a\n", "> q\n", "| a |\n|---|\n| 1 |\n",
    "para\n", "\n", "^id1\n", "^id2\n", " ^id3\n", "# H\n", "---\n", "1. x\n",
])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.lists(_BLOCK_FRAGMENTS, max_size=12).map("".join))
def test_the_site_anchors_the_block_ids_the_obsidian_parser_reads(body: str) -> None:
    """Every ``^id`` the parser gives a block is an element's id on the site (a link
    to ``Note#^id`` lands there), once (an id repeated on the page names its first
    block), and the site makes no id the parser does not read."""
    read = sorted({block.block_id for block in parse_text(body).blocks if block.block_id})
    rendered = render_markdown(body, RenderState(RecordingLinker(),
                                                 RenderOptions(obsidian_syntax=True)))
    assert sorted(re.findall(r'id="block-([^"]+)"', rendered)) == read


# Headings, ATX and setext, holding what a heading's text can. Left out: "%%" (the site
# takes comments out before it reads blocks, so "%%c%%# x" is a heading there and a
# paragraph to the parser).
_HEADING_FRAGMENTS = st.sampled_from([
    "# ", "## ", "H", " ", "^x", " ^y", "\n", "\n\n", "[[A]]", "#tag", "`c`", "**b**",
    "===\n", "---\n", "- ", "> ", "Title", "\n^z", "&amp;", "é", "#", "<b>", "[l](u)", "$x$",
])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.lists(_HEADING_FRAGMENTS, max_size=10).map("".join))
def test_links_to_a_heading_land_on_the_id_the_site_gives_it(body: str) -> None:
    """The anchor a link to ``Note#Heading`` is given comes from the parser's heading
    blocks (``SiteContext.heading_anchors``); the page's element ids come from the
    renderer. They are the same ids, in the same order."""
    slugs = SlugCounter()
    expected = [slugs.take(heading_text(block.content, obsidian=True))
                for block in parse_text(body).blocks if heading_level(block) is not None]
    state = RenderState(RecordingLinker(), RenderOptions(obsidian_syntax=True))
    render_markdown(body, state)
    assert [anchor for _, _, anchor in state.headings] == expected


UUID = "6a1e1a52-0000-4000-8000-00000000beef"
# Code spans, dollar math, \\( \\) and \\[ \\] math, escapes and raw HTML are read left
# to right, a code span and inline math each on its line, as in mldoc (inline.ml,
# raw_html.ml); the parser and the site alike. Left out, where the two still part: a
# lone "[" the escapes leave ("#tag\\[" or "\\\\[": a Markdown link nest to the site,
# "[x]((uuid))" a link to "(uuid)" there and to mldoc), a fence in a list item inside a
# block, a "$" in a bare URL, a "$" at the very start of a text that ends with a
# backslash (mdit-py-plugins reads it as escaped), a line that opens an HTML block to
# the site ("<b>" alone on its line, or "<!--", which hides the rest unclosed; mldoc
# reads a paragraph unless the HTML closes), a lone "[" or "(" (labelled-link nests),
# "> " before a fence (a quoted fence's info string) and a line indented four spaces
# after a blank one (indented code to the site; no primary source on mldoc's), and raw
# HTML or "\\(", "\\[" math before a line opening with "$$"
# (the parser reads the element or fragment on across that line; mldoc and the site end
# the paragraph at the math block).
# "#tag\\[" (the tag takes the "\\") and "\\\\[" before anything but "[": a lone "[" is left
_LONE_BRACKET = re.compile(r"#[^\s\[\]()+#,]*\\[\[\]]|(?<!\\)(?:\\\\)+\[(?!\[)")
_DOLLAR_IN_URL = re.compile(r"://[^\s]*\$")
_SPAN_BEFORE_MATH_LINE = re.compile(r"(?s)(?:<|\\[(\[]).*\n[ \t]*(?:[-*+][ \t]+)*\$\$")
_INDENTED_AFTER_BLANK = re.compile(r"(?:^|\n)[ \t]*\n(?: {4}|\t)")
_LIST_ITEM = re.compile(r"(?m)^[ \t]*[-*+](?:[ \t]|$)")
_DOLLAR_FIRST = re.compile(r"(?m)^[ \t]*(?:[-*+][ \t]+)*\$")
_BACKSLASH_LAST = re.compile(r"(?m)\\[ \t]*$")
# A line that opens a CommonMark HTML block to the site (a comment, or a tag alone on
# its line), which mldoc reads as a paragraph unless the HTML closes
_HTML_BLOCK_LINE = re.compile(r"(?m)^[ \t]*(?:[-*+][ \t]+)*(?:<!--|</?[A-Za-z][^\n>]*>[ \t]*$)")
_LOGSEQ_FRAGMENTS = st.sampled_from([
    "[[A]]", "[[B C]]", "#tag", "#[[T t]]", f"(({UUID}))", "{{embed [[E]]}}",
    f"{{{{embed (({UUID}))}}}}", "[l]([[A]])", f"[m]((({UUID})))", " ", "\n",
    "`", "``", "```\n", "]", ")", "}}", "text", "#", "*", "_", "~~", " $x$ ", "http://x.y/",
    "key:: v", "- ", "%%", "\\", "\\(", "\\)", "\\[", "\\]", "$", "$$", "\n$$\n",
    "<b>", "</b>", '<span title="`">', "</span>", "<!--", "-->", "<", "/>", "{",
    "{{{embed [[F]]}}}",
    "((b-1))", "{{embed ((b-1))}}", "[n](((b-1)))", "((see above))",  # ids no UUID: broken
])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.lists(_LOGSEQ_FRAGMENTS, max_size=14).map("".join))
def test_the_site_links_what_the_logseq_parser_reads(body: str) -> None:
    # "[x]((uuid))" (a lone "[" the escapes let through): a Markdown link to "(uuid)" to
    # mldoc and the site, a block ref to the parser
    assume(f"](({UUID}" not in body)
    assume("[[l](" not in body and "[[m](" not in body)  # a lone "[" before a labelled link
    assume(not _LONE_BRACKET.search(body))
    assume(not _DOLLAR_IN_URL.search(body))  # "http://x.y/$[[A]]$": math to the parser
    assume(not _INDENTED_AFTER_BLANK.search(body))  # indented code to the site only
    assume(not _HTML_BLOCK_LINE.search(body))
    assume(not _SPAN_BEFORE_MATH_LINE.search(body))
    # mdit-py-plugins 0.7's dollar math takes a "$" at the very start of a paragraph or
    # list item for escaped when its text ends with a backslash (is_escaped reads src[-1])
    assume(not (_DOLLAR_FIRST.search(body) and _BACKSLASH_LAST.search(body)))
    # a fence in a list item of the block ("- ```"): where the item ends, the site ends it
    assume(("```" not in body and "~~~" not in body) or not _LIST_ITEM.search(body))
    page = parse_logseq("pages/p.md", "- " + body.replace("\n", "\n  "), ParseOptions(),
                        default_name="p")
    assume(len(page.blocks) == 1)  # a "- " may open a second block
    read = sorted(_parsed(ref) for ref in page.references
                  if not ref.is_asset and ref.property is None and (ref.target or ref.block_id))
    linker = RecordingLinker()
    text, _, _ = block_source(page.blocks[0])
    render_markdown(text, RenderState(linker, RenderOptions(comments=False, hard_breaks=True,
                                                         display_math=True)))
    shown = sorted(entry for kind, value in linker.calls
                   if (entry := _rendered(kind, value)) is not None and entry[1])
    assert shown == read


def _parsed(ref: Reference) -> tuple[str, str]:
    if ref.block_id:
        return ("block", ref.block_id.lower())
    if ref.kind is RefKind.TAG:
        return ("tag", ref.target)
    kind = "embed" if ref.kind is RefKind.EMBED else "page"
    return (kind, ref.target + (f"#{ref.subpath}" if ref.subpath else ""))


def _rendered(kind: str, value: Any) -> tuple[str, str] | None:
    if kind == "tag":
        return ("tag", str(value))
    if kind == "block_ref":
        return ("block", str(value["uuid"]).lower())
    if kind == "wikilink":
        return ("embed" if value["embed"] else "page", str(value["raw_target"]))
    if kind == "local_link" and not str(value).endswith(".png"):
        target, _, part = unquote(str(value)).partition("#")
        return ("page", target.removesuffix(".md") + (f"#{part}" if part else ""))
    return None
