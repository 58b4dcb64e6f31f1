"""Org pages on the site: their text shown as written, what the parser reads in it
(Org links, ``[[page]]``, tags, block refs, embeds) made live, code left alone."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.config import ParseOptions
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.org_text import MAX_NESTING, render_org_text
from kb_compiler.emit.site.render import RenderOptions, RenderState
from kb_compiler.loader import load
from kb_compiler.model import Reference, RefKind
from kb_compiler.parse.logseq_org import parse_org
from kb_compiler.resolve import resolve
from tests.conftest import LOGSEQ_DOCS
from tests.test_site_build import own_outline
from tests.test_site_render import RecordingLinker

UUID = "6a1e1a52-0000-4000-8000-00000000beef"

ORG_PAGE = f"""#+TITLE: Field notes

* See [[Persona][the persona]] and [[Goals]], tagged #research
  A URL: [[https://example.com/a?b=1&c=2][example <site>]], a bare one https://example.org/x
  A mail: [[mailto:team@example.com][write to us]]; a file: [[file:notes.txt][the notes]]
  Unlabelled: [[file:notes.txt]], [[https://example.com/u]], [[../assets/chart.png]]
  Missing: [[Nowhere][no page]]; code: ~[[Persona][not a link]]~ and =#not-a-tag=
* The key block, quoted: [[(({UUID}))][the key]] and (({UUID}))
  {{{{embed [[Goals]]}}}}
  #+BEGIN_SRC python
  print("[[Persona]] #tag")
  #+END_SRC
  After the code, [[Persona]] again.
* Emphasis: *bold [[Goals][goals]]*, /italic/, _underlined_, +struck+; not: a*b*c, 3/4/5,
  * spaced*, *across
  lines*
* Files: [[../assets/chart.png][the chart]]{{:height 20, :width 30}}, [[./gone.pdf][gone]],
  [[https://example.com/logo.svg?v=2][logo]] https://example.org/pic.gif; ^^marked^^
  and [:span {{:class "x"}} "hiccup"]
  #+BEGIN_NOTE
  A /note/ with [[Goals]]
  #+END_NOTE
  Before a formula
  $$
  \\frac{{1}}{{[[Not a link]]}}
  $$
  #+BEGIN_SRC python
  unclosed [[Goals]]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("org") / "graph"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq" / "config.edn").write_text("{}\n", encoding="utf-8")
    (vault / "pages" / "Persona.md").write_text(
        f"- The key of a persona\n  id:: {UUID}\n", encoding="utf-8")
    (vault / "pages" / "Goals.md").write_text("- Grow the business\n", encoding="utf-8")
    (vault / "pages" / "Field notes.org").write_text(ORG_PAGE, encoding="utf-8")
    (vault / "pages" / "notes.txt").write_text("plain notes\n", encoding="utf-8")
    (vault / "assets").mkdir()
    (vault / "assets" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = vault.parent / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    return out


def test_org_links_to_pages_and_blocks_are_links(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert '<a class="wikilink internal" href="persona.html">the persona</a>' in outline
    assert '<a class="wikilink internal" href="goals.html">Goals</a>' in outline
    assert outline.count('href="persona.html">Persona</a>') == 1  # after the code only
    assert '<a class="tag" href="research.html">#research</a>' in outline
    block_link = f'href="persona.html#block-{UUID}"'
    assert outline.count(block_link) == 2  # the Org link and the bare ((uuid))
    assert f'{block_link} title="Block in Persona">the key</a>' in outline
    assert 'data-pagefind-ignore' in outline and "Grow the business" in outline  # the embed


def test_urls_are_links_and_other_link_types_their_label(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert '<a href="https://example.com/a?b=1&amp;c=2">example &lt;site&gt;</a>' in outline
    assert '<a href="https://example.org/x">https://example.org/x</a>' in outline
    assert '<a href="mailto:team@example.com">write to us</a>' in outline
    assert '<a href="files/pages/notes.txt" class="asset">the notes</a>' in outline


def test_unlabelled_org_links_to_files_and_addresses_are_no_page_links(site: Path) -> None:
    """mldoc reads ``[[file:...]]`` and ``[[protocol://...]]`` without a label as a file
    and an address, not as page names (``org_link_2``)."""
    outline = own_outline(site / "field-notes.html")
    assert ('Unlabelled: <a href="files/pages/notes.txt" class="asset">notes.txt</a>, '
            '<a href="https://example.com/u">https://example.com/u</a>, '
            '<img src="files/assets/chart.png" alt="" loading="lazy">') in outline


def test_files_are_shown_as_logseq_shows_them(site: Path) -> None:
    """mldoc reads a target starting with "." or "/" as a file, and Logseq shows a
    picture an Org link names (in the graph or on the web) in place, its size after it."""
    outline = own_outline(site / "field-notes.html")
    assert ('<img width="30" height="20" src="files/assets/chart.png" alt="the chart" '
            'loading="lazy">, ') in outline
    assert (site / "files/assets/chart.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert 'title="file \u2018pages/gone.pdf\u2019 is not in the vault">gone</span>' in outline
    assert '<img src="https://example.com/logo.svg?v=2" alt="logo">' in outline
    assert '<img src="https://example.org/pic.gif" alt="">; ' in outline  # a bare address


def test_code_and_source_blocks_are_not_read(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert "<code>[[Persona][not a link]]</code>" in outline
    assert "<code>#not-a-tag</code>" in outline
    # the source block is highlighted code, and its text ends at the block
    assert ('<div class="org-markup"><div class="highlight" data-lang="python"><pre>'
            in outline)
    # Pygments 2.20 writes the quotes as &quot;, earlier releases as they are
    assert '"[[Persona]] #tag"</span>' in unescape(outline)
    assert "</div></div>After the code" in outline


def test_blocks_formulas_highlights_and_hiccup_are_drawn(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert ('<div class="callout" data-callout="note"><div class="callout-title">Note'
            '</div><div class="callout-content">A <em>note</em> with <a class="wikilink '
            'internal" href="goals.html">Goals</a></div></div>Before a formula') in outline
    assert "<mark>marked</mark>" in outline and '<span class="x">hiccup</span>' in outline
    assert '<div class="org-markup"><div class="math math-block">' in outline
    assert "<mfrac>" in outline and "Not a link" not in outline.split("mfrac")[0][-400:]
    # a source block with no end is no block: its text is shown, its link live
    assert 'unclosed <a class="wikilink internal" href="goals.html">Goals</a>' in outline


def test_emphasis_is_rendered_where_org_allows_it(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert ('Emphasis: <strong>bold <a class="wikilink internal" href="goals.html">goals</a>'
            '</strong>, <em>italic</em>, <u>underlined</u>, <del>struck</del>; not: a*b*c, '
            '3/4/5,\n* spaced*, *across\nlines*</div>') in outline


def test_a_page_with_no_file_is_a_page_of_the_links_to_it(site: Path) -> None:
    """Logseq makes a page of any name a page links to; the site, a page that lists the
    links (it showed each link broken: 1,085 on the docs graph's Changelog)."""
    outline = own_outline(site / "field-notes.html")
    assert '<a class="wikilink internal implied" href="nowhere.html">no page</a>' in outline
    nowhere = (site / "nowhere.html").read_text("utf-8")
    assert '<h1 class="note-title"><span data-pagefind-meta="title">Nowhere</span></h1>' in nowhere
    assert 'href="field-notes.html"' in nowhere.split('class="section backlinks"', 1)[1]


def test_the_linked_pages_list_the_org_page_as_a_backlink(site: Path) -> None:
    goals = (site / "goals.html").read_text("utf-8")
    assert 'href="field-notes.html"' in goals.split('class="section backlinks"', 1)[1]


def test_a_block_in_a_list_item_is_drawn_as_a_block() -> None:
    """mldoc parses a list item's rows, trimmed, with its block parsers (``lists.ml``),
    so a source block in an item is code (the docs graph's 2020_05_30.org has two). It
    was shown as text, a link in it live that the parser does not read."""
    text = ("Steps:\n1. Add this\n   #+BEGIN_SRC clojure\n   {:query [[Page]]}\n"
            "   #+END_SRC\n2. Done [[Goals]]")
    linker = RecordingLinker()
    html = render_org_text(text, RenderState(linker, RenderOptions()))
    assert [call[1]["target"] for call in linker.calls] == ["Goals"]  # type: ignore[index]
    assert '<ol><li>Add this<div class="org-markup"><div class="highlight" ' in html
    assert '<span class="ss">:query</span>' in html and "#+" not in html


def test_urls_in_angle_brackets_are_links_as_mldoc_reads_them() -> None:
    """mldoc reads ``<protocol:link>`` as a link labelled with the URL (``quick_link``
    in ``inline.ml``); the docs graph's 2020_05_14.org has ``<https://logseq.com/draw>``,
    which the site showed as text in its brackets. Timestamps and targets stay text."""
    text = ("Draw at <https://logseq.com/draw>, mail <mailto:team@example.com>;\n"
            "not: <2020-05-14 Thu>, <<target>>, <javascript:alert(1)>, ~<https://a.org>~")
    html = render_org_text(text, RenderState(RecordingLinker(), RenderOptions()))
    assert '<a href="https://logseq.com/draw">https://logseq.com/draw</a>,' in html
    assert '<a href="mailto:team@example.com">mailto:team@example.com</a>;' in html
    assert "&lt;2020-05-14 Thu&gt;, &lt;&lt;target&gt;&gt;, &lt;javascript:alert(1)&gt;" in html
    assert "<code>&lt;https://a.org&gt;</code>" in html
    assert html.count("<a ") == 2


# -- the site and the parser read Org text alike ----------------------------------------

_FRAGMENTS = st.sampled_from([
    "[[Page]]", "[[Page][label]]", "[[Other page][x]]", "[[https://a.org][web]]",
    f"[[(({UUID}))][key]]", f"(({UUID}))", "#[[multi word]]", "#tag", "#", "{{macro x}}",
    "~code [[Hidden]]~", "=verb [[Hidden]]=", "*bold*", "/it/", "_u_", "+s+", "[[", "]]",
    "][", "~", "=", "*", "/", " ", "\n", "text", "a:", "https://x.org/p ",
    "\n#+BEGIN_SRC\n", "\n#+END_SRC\n", "\n#+BEGIN_NOTE\n", "\n#+END_NOTE\n", "\n$$\n", "$$",
    "[[./a.png][pic]]", "[[file:b.pdf][doc]]", "^^", "[:b \"x\"]", "[[file:c.pdf]]",
    "[[https://a.org/d]]", "[[../e.png]]", "\n- ", "\n  + ", "\n1. ",
])


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.lists(_FRAGMENTS, max_size=14).map("".join))
def test_the_site_links_what_the_parser_reads(body: str) -> None:
    """Every page link, tag and block ref the parser reads in an Org block is one the
    site renders, and no other: the graph's backlinks and the page's links agree. (A
    tag counts as a link to its page. Left out: embeds, which the parser also reads
    inside a ``[[...]]`` that holds them (the fixture page above has one), and a lone
    ``(``, whose ``[label]([[x]])`` forms nest past agreement.)"""
    text = "* " + body.replace("\n", "\n  ")
    page = parse_org("pages/p.org", text, ParseOptions(), default_name="p")
    read = sorted(_parsed(ref) for ref in page.references)
    linker = RecordingLinker()
    render_org_text(page.blocks[0].content, RenderState(linker, RenderOptions()))
    shown = sorted(_rendered(kind, value) for kind, value in linker.calls if kind != "macro")
    # "[[]]" is shown as an empty link; the parser reports it (empty-link), no reference
    assert [entry for entry in shown if entry != ("page", "")] == read
    assert len(shown) - len(read) == sum(d.code == "empty-link" for d in page.diagnostics)


def _parsed(ref: Reference) -> tuple[str, str]:
    if ref.block_id:
        return ("block", ref.block_id.lower())
    return ("embed" if ref.kind is RefKind.EMBED else "page", ref.target)


def _rendered(kind: str, value: object) -> tuple[str, str]:
    if kind == "tag":
        return ("page", str(value))
    if kind in ("image", "local_link"):  # a file: shown in place, or a link to it
        return ("embed" if kind == "image" else "page", str(value))
    assert isinstance(value, dict)
    if kind == "block_ref":
        return ("block", str(value["uuid"]).lower())
    return ("embed" if value["embed"] else "page", str(value["raw_target"]))


# -- Logseq's docs graph: its Org pages as Logseq shows them -----------------------------

DOCS_ORG = ("journals/2020_06_01.org", "pages/Org Mode.org", "pages/Changelog_2020.org",
            "pages/about.org", "journals/2020_05_28.org", "journals/2020_05_30.org")


@pytest.fixture(scope="module")
def docs_org_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("docs-org") / "graph"
    shutil.copytree(LOGSEQ_DOCS / "logseq", vault / "logseq")
    for path in DOCS_ORG:
        (vault / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(LOGSEQ_DOCS / path, vault / path)
    out = vault.parent / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    return out


def test_the_docs_graphs_admonitions_are_callouts(docs_org_site: Path) -> None:
    """2020_06_01.org writes five admonitions (``#+BEGIN_NOTE`` ...), the first holding
    ``*/formats/*``: the site showed their markers as text."""
    outline = own_outline(docs_org_site / "jun-1st-2020.html")
    kinds = re.findall(r'<div class="callout" data-callout="(\w+)">', outline)
    assert kinds == ["note", "tip", "important", "caution", "warning"]
    assert "It supports <strong><em>formats</em></strong> too." in outline
    assert "#+BEGIN_" not in outline


def test_the_docs_graphs_org_syntax_page_shows_what_it_describes(docs_org_site: Path) -> None:
    """Org Mode.org pairs each syntax, as code, with what it gives."""
    outline = own_outline(docs_org_site / "org-mode.html")
    assert "<code>^^Highlight^^</code> -&gt; <mark>Highlight</mark>" in outline
    assert "<div><code>~Code~</code> -&gt; <code>Code</code></div>" in outline  # hiccup
    assert ('-&gt; <img src="https://asset.logseq.com/static/img/logo.png" alt="image" '
            'width="42" height="53">') in outline


def test_the_docs_graphs_changelog_shows_code_and_formulas(docs_org_site: Path) -> None:
    outline = own_outline(docs_org_site / "changelog-2020.html")
    assert outline.count('<div class="highlight" data-lang="clojure">') >= 1
    assert "#+BEGIN_SRC" not in outline and "#+END_EXAMPLE" not in outline
    formulas = re.findall(r'<div class="math math-block">(.*?)</div>', outline, re.DOTALL)
    assert formulas and all("<mfrac>" in formula for formula in formulas)


def test_the_docs_graphs_lists_and_tables_are_drawn(docs_org_site: Path) -> None:
    """about.org lists the features (eight, the last with four of its own);
    2020_05_28.org has a table of shortcuts under a rule; Changelog_2020.org's headings
    "1. Fixed ..." stay titles, not lists."""
    about = own_outline(docs_org_site / "about.html")
    features = about[about.index("<li>Backlinks between"):]
    features = features[:features.index("</ul></li></ul>")]
    assert features.count("<li>") == 12 and "<li>Raw html" in features
    assert "Code highlights</li><li>Katex latex" in features
    journal = own_outline(docs_org_site / "may-28th-2020.html")
    assert ("<table><thead><tr><th>Name</th> <th>Shortcut</th></tr></thead><tbody><tr><td>"
            "Undo</td> <td><code>Ctrl-c</code></td></tr>") in journal
    changelog = own_outline(docs_org_site / "changelog-2020.html")
    assert '<div class="org-text">1. Fixed' in changelog
    # 2020_05_30.org: a source block in each of two numbered items is code
    queries = own_outline(docs_org_site / "may-30th-2020.html")
    assert "#+BEGIN_SRC" not in queries
    assert re.search(r'<li>Add multiple queries .*?<div class="org-markup"><div class='
                     r'"highlight" data-lang="clojure">.*?:default-queries', queries, re.S)


def render(text: str, *, titled: bool = False) -> str:
    return render_org_text(text, RenderState(RecordingLinker(), RenderOptions()),
                           titled=titled)


def test_org_lists_nest_by_indentation() -> None:
    shown = render("- a [[A]]\n  carried on\n  + b\n  + [X] c\n- d\n1. one\n2. two\n* edge")
    assert shown == (
        '<div class="org-markup"><ul><li>a <a class="link" href="x.html">A</a>\ncarried on'
        '<ul><li>b</li><li><input class="task-list-item-checkbox" type="checkbox" disabled'
        ' checked> c</li></ul></li><li>d</li></ul><ol><li>one</li><li>two</li></ol></div>'
        '* edge')  # a star at the left edge starts a heading, not an item


def test_a_blank_row_ends_a_list_and_a_title_is_no_item() -> None:
    assert render("- a\n\n- b").count("<ul>") == 2
    assert render("1. Fixed the title\n- an item", titled=True).startswith(
        '1. Fixed the title<div class="org-markup"><ul><li>an item')


def test_org_tables_take_their_head_from_the_rule_after_the_first_row() -> None:
    assert render("| a | *b* |\n|---+---|\n| 1 | 2 |\n|---+---|\n| 3 |") == (
        '<div class="org-markup"><table><thead><tr><th>a</th> <th><strong>b</strong></th>'
        '</tr></thead><tbody><tr><td>1</td> <td>2</td></tr><tr><td>3</td></tr></tbody>'
        '</table></div>')
    assert render("| a | b |\n| 1 | 2 |").startswith("<div class=\"org-markup\"><table><tr>")


def test_long_lists_and_tables_render_in_one_pass() -> None:
    assert render("- item\n" * 3000).count("<li>") == 3000
    assert render("| a | b |\n" * 3000).count("<tr>") == 3000
    assert render("  - deeper\n- item\n" * 1500).count("<li>") == 3000


def test_blocks_nest_to_a_bounded_depth() -> None:
    """Each nested block is drawn by a call of its own: past ``MAX_NESTING`` levels a
    block is text, so a hostile page cannot exhaust the stack."""
    depth = MAX_NESTING + 8
    text = "".join(f"#+BEGIN_B{level}\n" for level in range(depth)) + "core\n" + "".join(
        f"#+END_B{level}\n" for level in reversed(range(depth)))
    shown = render(text)
    assert shown.count('<div class="org-block') == MAX_NESTING
    assert f"#+BEGIN_B{MAX_NESTING}" in shown and "core" in shown


def test_emphasis_nests_as_mldoc_reads_it() -> None:
    assert render("*/both/* and /*both*/") == (
        "<strong><em>both</em></strong> and <em><strong>both</strong></em>")
    assert render("*a*/b/") == "*a*/b/"  # "/" after a closing mark: no emphasis
