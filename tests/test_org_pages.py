"""Org-mode pages of a Logseq graph: outline, properties and block ids read, the text
kept as written. Facts about Logseq's docs graph were read in its .org files."""

from __future__ import annotations

import re
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.check import check_vault
from kb_compiler.config import ParseOptions
from kb_compiler.model import ORG_TEXT, Block, Dialect, Page, Severity, SourceFile, VaultKind
from kb_compiler.parse import parse_page
from kb_compiler.parse.logseq_org import org_code_spans
from tests.test_fuzz_parsers import assert_sound
from tests.test_parse_logseq_docs import DOCS, OPTIONS

UUID = "6489a1b2-3c4d-4e6f-8890-abcdef123456"
OTHER = "5f0c1d2e-aaaa-4bbb-8ccc-123456789abc"


def docs_org(path: str) -> Page:
    source = SourceFile(path, DOCS / path, dialect_hint=Dialect.LOGSEQ)
    return parse_page(source, (DOCS / path).read_bytes(), OPTIONS)


def org(text: str, options: ParseOptions = OPTIONS) -> Page:
    source = SourceFile("pages/p.org", Path("/nonexistent/p.org"), dialect_hint=Dialect.LOGSEQ)
    return parse_page(source, text.encode(), options)


def value(block: Block, key: str) -> object:
    return next(p.value for p in block.properties if p.key == key)


def test_org_mode_page_outline_and_block_ids() -> None:
    page = docs_org("pages/Org Mode.org")
    assert page.name == "Org Mode"
    assert len(page.blocks) == 25  # one per heading line
    assert all(block.kind == ORG_TEXT for block in page.blocks)
    target = next(b for b in page.blocks if b.block_id == "60ab7357-2744-42bc-a8fd-a9c8db3051df")
    assert (target.line, target.content) == (29, "syntax: ~#+PROPERTY: value~")
    assert target.depth == 2 and page.blocks[target.parent].content == "[[Properties]]"
    assert page.blocks[3].content == "~*Bold*~ -> *Bold*"  # the text as written
    assert [d.code for d in page.diagnostics] == ["unsupported-format"]  # text not read


def test_changelog_title_drawers_and_a_drawer_in_the_heading_line() -> None:
    page = docs_org("pages/Changelog_2020.org")
    assert page.name == "Changelog 2020"  # #+TITLE:
    first = page.blocks[0]
    assert (first.line, first.content.split("\n")[0]) == (3, "[[Dec 29th, 2020]]")
    assert value(first, "created-at") == 1609250283049
    assert "PROPERTIES" not in first.content
    # '**** :PROPERTIES:' (line 227): Logseq's way to write a block with no title.
    untitled = next(b for b in page.blocks
                    if b.block_id == "60acdeba-b3fd-4f90-ab54-3093caa4d5fa")
    assert untitled.line == 227
    assert untitled.content.startswith("3. ⏱️ Time tracker\nLogseq will record")


def test_page_properties_nesting_and_source_blocks() -> None:
    page = org(
        "#+TITLE: Named\n"
        "#+ALIAS: first, [[second one]]\n"
        "#+TAGS: topic\n"
        "Intro text.\n"
        "* Top\n"
        "  :PROPERTIES:\n"
        "  :ID: 6489A1B2-3C4D-4E6F-8890-ABCDEF123456\n"
        "  :rating: 5\n"
        "  :related: [[Other]]\n"
        "  :END:\n"
        "  body line\n"
        "    deeper\n"
        "*** Skipped a level\n"
        "#+BEGIN_SRC text\n"
        "* not a heading\n"
        "#+END_SRC\n"
        "** Sibling\n"
        "* Second\n"
    )
    assert page.name == "Named"
    assert page.aliases == ("first", "second one") and page.tags == ("topic",)
    intro, top, skipped, sibling, second = page.blocks
    assert (intro.line, intro.content) == (4, "Intro text.")
    assert top.block_id == "6489a1b2-3c4d-4e6f-8890-abcdef123456"
    assert value(top, "rating") == 5
    assert top.content == "Top\nbody line\n  deeper"
    related = next(r for r in page.references if r.property == "related")
    assert (related.target, related.line, related.column) == ("Other", 9, 13)
    assert (skipped.parent, skipped.depth, skipped.end_line) == (top.index, 1, 16)
    assert skipped.content.endswith("* not a heading\n#+END_SRC")
    assert (sibling.parent, sibling.depth) == (top.index, 1)
    assert (second.parent, second.depth, second.line) == (None, 0, 18)


def test_references_in_org_text() -> None:
    page = org(
        "Before: [[Intro page]]\n"
        "* See [[Target][the label]] and [[https://x.org][a site]] #topic\n"
        f"  and [[(({UUID}))][that block]], (({OTHER})) or {{{{embed [[Embedded]]}}}}\n"
        "** ~[[in code]]~ =[[verbatim]]= ~[[Page]]~s [[file:../a.pdf][file]]\n"
        "#+BEGIN_SRC clojure\n"
        "[[in source]]\n"
        "#+END_SRC\n"
        "*** [[Last]] [[Project: X][p]] [[mailto:a@b.c][mail]] [[id:abc][by id]]\n"
    )
    found = [(r.kind.value, r.target or r.block_id, r.label, r.line, r.column)
             for r in page.references]
    assert found == [
        ("link", "Intro page", None, 1, 9),
        ("link", "Target", "the label", 2, 7),
        ("tag", "topic", None, 2, 59),
        ("block-ref", UUID, "that block", 3, 7),
        ("block-ref", OTHER, None, 3, 65),
        ("embed", "Embedded", None, 3, 109),
        ("link", "../a.pdf", "file", 4, 45),  # a file, which the check looks for
        ("link", "Last", None, 8, 5),
        ("link", "Project: X", "p", 8, 14),
    ]
    assert [len(block.references) for block in page.blocks] == [1, 5, 1, 2]
    assert [r.is_asset for r in page.references].count(True) == 1


def test_an_org_link_to_a_file_is_an_asset_reference() -> None:
    """mldoc reads an Org link target starting with "." or "/" as a file, and so is a
    ``file:`` link; Logseq shows a picture, sound or video in place. They were read as
    page names, so ``kbc check`` reported a picture in ``../assets/`` as a broken link."""
    page = org("* [[../assets/chart.png][chart]] [[./notes.txt][notes]] [[file:a.mp4][clip]]"
               " [[file:///etc/x][abs]] [[https://x.org/a.png][web]] [[Chart page][c]]\n")
    found = [(r.kind.value, r.target, r.is_asset) for r in page.references]
    assert found == [("embed", "../assets/chart.png", True), ("link", "./notes.txt", True),
                     ("embed", "a.mp4", True), ("link", "Chart page", False)]


def test_an_org_link_without_a_label_to_a_file_or_an_address_names_no_page() -> None:
    """Without a label mldoc reads ``[[file:a.pdf]]`` as a file and ``[[https://...]]`` as
    an address (inline.ml, org_link_2); any other ``[[target]]`` is a page reference. The
    parser read them all as page names: ``kbc check`` reported a ``file:`` link to a file
    in the graph as a path escaping the vault, and an address as a missing page."""
    page = org("* [[file:./z.pdf]] [[file:../assets/q.png]] [[https://e.com/a]] "
               "[[../assets/k.png]] [[mailto:x@y.z]] [[Project: X]] [[a [[b]]]]\n")
    found = [(r.kind.value, r.target, r.is_asset, r.column) for r in page.references]
    assert found == [("link", "./z.pdf", True, 3), ("embed", "../assets/q.png", True, 20),
                     ("embed", "../assets/k.png", True, 65),
                     ("link", "mailto:x@y.z", False, 85), ("link", "Project: X", False, 102),
                     ("link", "a [[b]]", False, 117)]


def test_formulas_on_rows_of_their_own_hold_no_references() -> None:
    page = org("* becomes\n  $$\n  \\frac{1}{[[Inside]]}\n  $$\n  [[After]] $$[[Row]]\n")
    assert [r.target for r in page.references] == ["After", "Row"]


def test_a_source_block_with_no_end_is_text() -> None:
    """mldoc reads a ``#+BEGIN_SRC`` with no ``#+END_SRC`` as text: its links count."""
    assert [r.target for r in org("* a\n  #+BEGIN_SRC\n  [[Open]]\n").references] == ["Open"]
    assert org("* b\n  #+BEGIN_SRC\n  [[Closed]]\n  #+END_SRC\n").references == ()


def test_docs_org_references() -> None:
    journal = docs_org("journals/2020_05_20.org")
    alias = next(r for r in journal.references if r.target == "term/alias")
    assert (alias.label, alias.line, alias.column) == ("Page alias", 3, 9)
    # about.org: every [[...]] is a URL or inside ~code~ ("~[[Page]]~s", line 37)
    assert docs_org("pages/about.org").references == ()
    changelog = docs_org("pages/Changelog_2020.org")
    assert ("faq", 351) in [(r.target, r.line) for r in changelog.references]
    assert not any(r.target == "experiment" for r in changelog.references)  # \#experiment


def test_org_page_without_headings_and_empty_page() -> None:
    assert [b.content for b in org("just text\n\nmore\n").blocks] == ["just text\n\nmore"]
    assert org("").blocks == ()
    lonely = org("*\n** \n")  # headings without a title
    assert [(b.depth, b.content) for b in lonely.blocks] == [(0, ""), (1, "")]


def test_a_heading_with_an_unclosed_drawer_keeps_its_lines() -> None:
    page = org("* Title\n:PROPERTIES:\n:id: x\n* Next\n",
               ParseOptions(vault_kind=VaultKind.LOGSEQ))
    assert page.blocks[0].block_id is None
    assert page.blocks[0].content == "Title\n:PROPERTIES:\n:id: x"


def test_refs_into_an_org_page_resolve_and_unknown_ones_still_fail(tmp_path: Path) -> None:
    vault = tmp_path / "graph"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq/config.edn").write_text("{}\n")
    (vault / "pages/notes.org").write_text(
        "#+TITLE: Org notes\n* Intro\n** Kept\n:PROPERTIES:\n"
        f":id: {UUID}\n:END:\nthe kept text\n")
    (vault / "pages/reader.md").write_text(
        f"- {{{{embed (({UUID}))}}}}\n- see (({UUID})) and [[Org notes]]\n"
        f"- {{{{embed (({OTHER}))}}}}\n")
    (vault / "pages/links.org").write_text(
        f"* [[reader]] and [[gone]], (({UUID}))\n"
        "* [[../assets/chart.png][chart]] and [[../assets/lost.png][lost]]\n"
        "* [[file:../assets/chart.png]] [[https://example.com/a]] [[file:gone.pdf]]\n")
    # text before the first heading: the page's text was replaced by what was read in
    # it, and check, build and export ended in a traceback
    (vault / "pages/intro.org").write_text("Intro about [[reader]].\n* First heading\n")
    (vault / "assets").mkdir()
    (vault / "assets/chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = check_vault(vault, cache_dir=None)
    errors = [(d.code, d.path, d.line, d.column) for d in result.diagnostics
              if d.severity is Severity.ERROR]
    assert errors == [("broken-link", "pages/links.org", 1, 18),
                      ("missing-asset", "pages/links.org", 2, 38),
                      ("missing-asset", "pages/links.org", 3, 58),
                      ("broken-embed", "pages/reader.md", 3, 3)]


ORG_PIECES = ["* ", "** ", "*** ", "*", ":PROPERTIES:", ":END:", f":id: {UUID}", ":k: [[v]]",
              "#+TITLE: t", "#+ALIAS: a, b", "#+BEGIN_SRC", "#+END_SRC", "[[a][b]]",
              "[[a][", "~[[c]]~", "=x", f"(({UUID}))", "{{embed [[x]]}}", "{{", "#tag",
              "[[", "]]", "][", "~", "  ", "\t", "text"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.lists(st.sampled_from(ORG_PIECES), max_size=6).map("".join), max_size=12))
def test_any_org_page_parses_soundly(rows: list[str]) -> None:
    text = "\n".join(rows)
    page = org(text)
    assert_sound(page, text.encode())
    assert page.text == text  # the page's text is its file's (text before a heading too)
    assert org(text) == page
    assert all(block.kind == ORG_TEXT for block in page.blocks)


def test_huge_org_lines_parse_promptly() -> None:
    """A quadratic step takes minutes here (a lazy label pattern took 14 s for 20,000
    unclosed '[[a][b' openers, the ~code~ pattern 8 s for 20,000 '~a' in a block that
    has a link); linear ones well under the bound."""
    for line in ("[[a][b " * 200_000, "~a " * 200_000 + "[[x]]", "=a " * 200_000 + "#t",
                 "[[" * 200_000):
        start = time.process_time()
        page = org("* " + line + "\n* after [[End]]\n")
        assert time.process_time() - start < 15.0
        assert page.blocks[-1].references[-1].target == "End"
    assert [ref.target for ref in org("* " + "~a " * 200_000 + "[[x]]\n").references] == ["x"]


OLD_CODE_PATTERN = re.compile(r"(?<![^\s({'\"-])([~=])(?=\S)(.*?\S)\1")


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet="~= \tab\n({-'\"x.", max_size=40))
def test_code_spans_are_those_of_the_lazy_pattern(text: str) -> None:
    """``org_code_spans`` finds in linear time what the lazy pattern finds (a line at a
    time: its ``.`` stops at a newline)."""
    assert org_code_spans(text) == [m.span() for m in OLD_CODE_PATTERN.finditer(text)]


def test_no_link_is_read_across_an_org_link() -> None:
    """``[[[[a][b]]]]``: the Org link is to 'a'; the outer brackets are text (they
    once also linked a page named '[[a][b]]')."""
    source = SourceFile("pages/p.org", Path("/nonexistent/p.org"), dialect_hint=Dialect.LOGSEQ)
    page = parse_page(source, b"* x [[[[a][b]]]] and [[c][d]]\n", ParseOptions())
    assert [r.target for r in page.references] == ["a", "c"]


def test_org_values_keep_their_links_after_a_backslash() -> None:
    """Org has no backslash escapes (mldoc reads "\\" as text there, then the link), so
    the Markdown value rules (``\\[[A]]`` names no page) stay off Org pages."""
    page = org("* Top\n  :PROPERTIES:\n  :related: \\[[Other]]\n  :END:\n")
    assert [(r.target, r.property) for r in page.references] == [("Other", "related")]
