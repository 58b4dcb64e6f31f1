"""Org pages on the site: their text shown as written, what the parser reads in it
(Org links, ``[[page]]``, tags, block refs, embeds) made live, code left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.test_site_build import own_outline

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


def test_a_missing_page_is_a_broken_link(site: Path) -> None:
    outline = own_outline(site / "field-notes.html")
    assert ('<span class="broken-link" title="page \u2018Nowhere\u2019 does not exist" '
            'role="link" aria-disabled="true">no page</span>') in outline


def test_the_linked_pages_list_the_org_page_as_a_backlink(site: Path) -> None:
    goals = (site / "goals.html").read_text("utf-8")
    assert 'href="field-notes.html"' in goals.split('class="section backlinks"', 1)[1]
