"""Bad and huge input to the Logseq parser: deep outlines, 5 MB lines, unclosed
syntax. Each must give a page (with diagnostics where something is wrong), quickly,
and never raise."""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.model import Page, RefKind, SourceFile
from kb_compiler.parse import parse_page
from kb_compiler.parse.logseq import parse_logseq

FIVE_MB = 5_000_000
# Generous bounds: they catch a quadratic step (minutes), not a slow machine.
SECONDS = 15.0


def parse(text: str) -> Page:
    return parse_logseq("pages/hostile.md", text, ParseOptions(), default_name="hostile")


def timed(text: str) -> tuple[Page, float]:
    start = time.process_time()
    page = parse(text)
    return page, time.process_time() - start


@pytest.mark.parametrize("indent", ["\t", " "])
def test_ten_thousand_level_outline(indent: str) -> None:
    levels = 10_000
    text = "".join(f"{indent * level}- level {level} [[p{level}]]\n" for level in range(levels))
    page, seconds = timed(text)
    assert seconds < SECONDS
    assert len(page.blocks) == levels
    deepest = page.blocks[-1]
    assert (deepest.depth, deepest.parent, deepest.content) == (
        levels - 1, levels - 2, f"level {levels - 1} [[p{levels - 1}]]")
    assert deepest.references[0].target == f"p{levels - 1}"
    assert pickle.loads(pickle.dumps(page)) == page  # the flat tree pickles at any depth


def test_deep_outline_needs_no_recursion() -> None:
    text = "".join("\t" * level + f"- {level}\n  k:: {level}\n" for level in range(3000))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the depth: any recursive walk would fail
    try:
        page = parse(text)
    finally:
        sys.setrecursionlimit(limit)
    assert page.blocks[-1].depth == 2999


@pytest.mark.parametrize("line", [
    "a" * FIVE_MB,
    "[[" * (FIVE_MB // 2),
    "{{" * (FIVE_MB // 2),
    "#" * FIVE_MB,
    "((" * (FIVE_MB // 2),
    "[a](" * (FIVE_MB // 4),
    "`a" * (FIVE_MB // 2),
    "x:: " * (FIVE_MB // 4),
], ids=["letters", "openers", "macros", "hashes", "parens", "link-heads", "ticks", "props"])
def test_five_megabyte_line(line: str) -> None:
    page, seconds = timed("- " + line + "\n- after [[End]]\n")
    assert seconds < SECONDS
    assert page.blocks[-1].content == "after [[End]]"
    assert page.references[-1].target == "End"


def test_five_megabyte_line_of_links_finds_them_all() -> None:
    unit = "lorem ipsum dolor sit amet, [[a]] #tag, and more "
    count = FIVE_MB // len(unit)
    page, seconds = timed("- " + unit * count)
    assert seconds < SECONDS
    kinds = [ref.kind for ref in page.references]
    assert (kinds.count(RefKind.LINK), kinds.count(RefKind.TAG)) == (count, count)


def test_unclosed_openers_on_a_huge_line_are_one_diagnostic_each() -> None:
    page = parse("- " + "[[" * 1000 + " {{embed" * 1000 + "\n")
    assert sorted(d.code for d in page.diagnostics) == ["unterminated-link",
                                                        "unterminated-macro"]
    assert all(d.line == 1 for d in page.diagnostics)


@pytest.mark.parametrize("text", [
    "\n" * 1000, "- ", "-", "::", "a::", "---", "---\n---\n", "---\n[\n---\n- b",
    "```", "- ```\n- still in the fence", ":LOGBOOK:", "- a\n  :LOGBOOK:\n",
    "#+BEGIN_QUERY", "\t\t\t- orphan deep bullet", "- [[]]", "- {{}}", "- {{embed}}",
    "- ((not-a-uuid))", "- [](", "- ![", "title::", "- #", "\x00\x01- x",
    "- a\n" + " " * 7 + "- b\n  - c\n\t\t\t- d\n- e",
])
def test_odd_pages_never_raise(text: str) -> None:
    page = parse(text)
    assert page.name == "hostile" or page.name
    for block in page.blocks:
        assert block.parent is None or 0 <= block.parent < block.index


def test_binary_bytes_through_parse_page_become_a_page(tmp_path: Path) -> None:
    data = bytes(range(256)) * 64
    target = tmp_path / "binary.md"
    target.write_bytes(data)
    page = parse_page(SourceFile("binary.md", target), data, ParseOptions())
    assert page.name == "binary"
    assert not any(d.code == "internal-error" for d in page.diagnostics)


def test_many_properties_in_one_block_take_linear_time() -> None:
    """The warning for a key written twice looked for the key among the block's earlier
    properties, one by one: 40,000 properties in a block took 15 s to check."""
    text = "- block\n" + "".join(f"  key{n}:: v{n}\n" for n in range(60_000)) + "  key7:: again\n"
    page, seconds = timed(text)
    assert seconds < SECONDS
    assert len(page.blocks[0].properties) == 60_001
    assert [(d.code, d.line) for d in page.diagnostics] == [("duplicate-property", 60_002)]
