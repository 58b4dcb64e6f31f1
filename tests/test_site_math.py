"""Displayed math on Logseq pages, as mldoc reads it: a line opening with ``$$`` is a
block of its own that ends the paragraph before it, and ``$$...$$`` in a line is shown
in display mode. Obsidian pages keep CommonMark's paragraphs, and show ``$$...$$``
displayed too."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kb_compiler.emit.site.highlight import render_math
from kb_compiler.emit.site.render import RenderOptions, RenderState, render_many
from tests.conftest import LOGSEQ_DOCS
from tests.test_site_build import build
from tests.test_site_render import RecordingLinker, render

BLOCK = '<div class="math math-block"><math xmlns="http://www.w3.org/1998/Math/MathML" ' \
        'display="block">'


def logseq(text: str) -> tuple[str, RecordingLinker]:
    out, linker, _ = render(text, hard_breaks=True, org_blocks=True, display_math=True)
    return out, linker


def test_a_dollar_line_ends_the_paragraph_and_opens_a_formula() -> None:
    out, linker = logseq("becomes\n$$\n\\frac{1}{[[x]]}\n$$\nafter [[Shown]]")
    assert out.startswith("<p>becomes</p>\n" + BLOCK)
    assert "<mfrac>" in out and "$$" not in out
    assert [call["target"] for call in linker.of("wikilink")] == ["Shown"]
    assert "after" in out.split(BLOCK)[1]


def test_a_formula_on_one_line_after_text_is_a_block_too() -> None:
    out, _ = logseq("see\n$$a^2$$")
    assert out.startswith("<p>see</p>\n" + BLOCK) and "<msup>" in out


def test_obsidian_pages_keep_the_paragraph_and_display_the_formula() -> None:
    """Obsidian shows ``$$...$$`` as displayed math wherever it is (FORMATS.md: display
    ``$$…$$``); a formula after a line of text or opening a callout was drawn inline,
    in the text's size."""
    out, _, _ = render("becomes\n$$\na\n$$", obsidian_syntax=True)
    assert out.startswith("<p>becomes") and '<span class="math math-block">' in out
    assert 'display="block"' in out and 'display="inline"' not in out
    callout, _, _ = render("> [!note]\n> $$\n> z^2\n> $$", obsidian_syntax=True)
    assert 'class="callout"' in callout and 'display="block"' in callout


def test_a_dollar_line_with_no_closing_line_in_its_paragraph_is_text() -> None:
    """The parser reads no formula there (a blank line ends the paragraph), so the link
    after it counts; the dollar-math plugin's own block, which reads on across blank
    lines, stays off Logseq pages."""
    out, linker = logseq("$$\n[[A]]\n\n$$ b")
    assert "<math" not in out and "$$" in out
    assert [call["target"] for call in linker.of("wikilink")] == ["A"]


def test_an_empty_formula_between_two_dollar_lines_is_read_as_one() -> None:
    out, linker = logseq("$$\n$$\n[[A]]\n$$\n[[B]]")
    assert [call["target"] for call in linker.of("wikilink")] == ["A", "B"]
    assert "math" not in out and out.count("$$") == 1  # the empty one shows nothing


def test_a_formula_stops_at_the_block_it_is_in() -> None:
    """``render_many`` renders a page's blocks in one pass: a formula opened in one
    block does not close in the next."""
    state = RenderState(RecordingLinker(), RenderOptions(hard_breaks=True, display_math=True))
    shown = render_many(["text\n$$\na", "b\n$$"], state)
    assert shown is not None and all("<math" not in part for part in shown)


def test_double_dollars_in_a_line_are_displayed_on_logseq_pages() -> None:
    out, _ = logseq("x $$c+d$$ y")
    assert '<p>x <span class="math math-block"><math xmlns="http://www.w3.org/1998/Math/' \
           'MathML" display="block">' in out
    obsidian, _, _ = render("x $$c+d$$ y $e$", obsidian_syntax=True)
    assert obsidian.count('display="block"') == obsidian.count('display="inline"') == 1


def test_a_page_of_unclosed_dollar_lines_renders_in_one_pass() -> None:
    out, _ = logseq("$$x\n" * 5000)
    assert "<math" not in out and out.count("$$x") == 5000


def test_a_command_mathml_has_no_word_for_is_shown_as_written() -> None:
    """latex2mathml turns a command it does not know (mhchem's ``\\ce``) into a letter
    run "\\ce"; the formula is shown as its LaTeX instead."""
    shown = render_math(r"\ce{Hg^2+ ->[I-] HgI2}", display=False)
    assert shown.startswith('<code class="math-error"') and "\\ce{Hg^2+" in shown
    assert "<mfrac>" in render_math(r"\frac{1}{2}", display=True)


def test_the_docs_graphs_math_page_shows_its_formula(tmp_path: Path) -> None:
    """Math Block.md writes "becomes" and a ``$$`` formula over the next lines, which
    Logseq shows as a formula and the site showed as dollars and LaTeX."""
    vault = tmp_path / "graph"
    (vault / "pages").mkdir(parents=True)
    shutil.copytree(LOGSEQ_DOCS / "logseq", vault / "logseq")
    shutil.copy(LOGSEQ_DOCS / "pages" / "Math Block.md", vault / "pages")
    out = tmp_path / "site"
    build(vault, out, search=False)
    page = (out / "math-block.html").read_text(encoding="utf-8")
    shown = re.search(r"<p>becomes</p>\s*<div class=\"math math-block\">(.*?)</div>", page,
                      re.DOTALL)
    assert shown is not None and "<mfrac>" in shown.group(1)
    assert "\\frac{1}" not in page.split("</pre>")[-1]  # only the example shows the LaTeX
