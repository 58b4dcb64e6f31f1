"""Org pages on the site: their text shown as written, what the parser reads in it
(Org links, ``[[page]]``, tags, block refs, embeds) made live, code left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.config import ParseOptions
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.org_text import render_org_text
from kb_compiler.emit.site.render import RenderOptions, RenderState
from kb_compiler.loader import load
from kb_compiler.model import Reference, RefKind
from kb_compiler.parse.logseq_org import parse_org
from kb_compiler.resolve import resolve
from tests.test_site_build import own_outline
from tests.test_site_render import RecordingLinker

UUID = "6a1e1a52-0000-4000-8000-00000000beef"

ORG_PAGE = f"""#+TITLE: Field notes

* See [[Persona][the persona]] and [[Goals]], tagged #research
  A URL: [[https://example.com/a?b=1&c=2][example <site>]], a bare one https://example.org/x
  A mail: [[mailto:team@example.com][write to us]]; a file: [[file:notes.txt][the notes]]
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
    assert "a file: the notes\n" in outline and "notes.txt" not in outline


def test_code_and_source_blocks_are_not_read(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert "<code>[[Persona][not a link]]</code>" in outline
    assert "<code>#not-a-tag</code>" in outline
    # the source block's rows as written (the block's indentation removed)
    assert '\n#+BEGIN_SRC python\nprint("[[Persona]] #tag")\n#+END_SRC\nAfter' in outline


def test_emphasis_is_rendered_where_org_allows_it(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert ('Emphasis: <strong>bold <a class="wikilink internal" href="goals.html">goals</a>'
            '</strong>, <em>italic</em>, <u>underlined</u>, <del>struck</del>; not: a*b*c, '
            '3/4/5,\n* spaced*, *across\nlines*</div>') in outline


def test_a_missing_page_is_a_broken_link(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert ('<span class="broken-link" title="page \u2018Nowhere\u2019 does not exist" '
            'role="link" aria-disabled="true">no page</span>') in outline


def test_the_linked_pages_list_the_org_page_as_a_backlink(site: Path) -> None:
    goals = (site / "goals.html").read_text("utf-8")
    assert 'href="field-notes.html"' in goals.split('class="section backlinks"', 1)[1]


# -- the site and the parser read Org text alike ----------------------------------------

_FRAGMENTS = st.sampled_from([
    "[[Page]]", "[[Page][label]]", "[[Other page][x]]", "[[https://a.org][web]]",
    f"[[(({UUID}))][key]]", f"(({UUID}))", "#[[multi word]]", "#tag", "#", "{{macro x}}",
    "~code [[Hidden]]~", "=verb [[Hidden]]=", "*bold*", "/it/", "_u_", "+s+", "[[", "]]",
    "][", "~", "=", "*", "/", " ", "\n", "text", "a:", "https://x.org/p ",
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
    assert isinstance(value, dict)
    if kind == "block_ref":
        return ("block", str(value["uuid"]).lower())
    return ("embed" if value["embed"] else "page", str(value["raw_target"]))
