"""Finding blocks inside one page: by heading chain, by ``^id``, by line; and the blocks
a heading's section spans."""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Iterable

from kb_compiler.model import Block, Dialect, Page

_HEADING_MARK = re.compile(r"^\s*#{1,6}(?:\s+|$)")
_OUTLINE_KINDS = frozenset({"block", "heading", "pre-block"})  # Logseq's block kinds
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def heading_level(block: Block) -> int | None:
    """The block's heading level, from the parser or, for a Logseq block, from a
    leading ``#`` mark (an Obsidian code or math block's ``# comment`` is no heading)."""
    if block.heading:
        return block.heading
    if block.kind not in _OUTLINE_KINDS:
        return None
    match = _HEADING_MARK.match(block.content)
    if match:
        return match.group(0).count("#")
    return None


def heading_text(text: str) -> str:
    """A heading's text as written, without its ``#`` marks."""
    return _HEADING_MARK.sub("", text.strip().split("\n", 1)[0]).strip()


def heading_key(text: str) -> str:
    """How headings compare: first line, ``#`` marks, emoji and punctuation dropped,
    case and spacing folded (``## 🔍 Definition`` matches ``definition``)."""
    first = text.strip().split("\n", 1)[0]
    first = _HEADING_MARK.sub("", first)
    first = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", first).casefold())
    return _SPACES.sub(" ", first).strip()


def nearest_heading(page: Page, wanted: str) -> str | None:
    """The heading of ``page``, as written, most like ``wanted`` (a near miss), or None."""
    written = {heading_key(block.content): heading_text(block.content)
               for block in page.blocks if heading_level(block) is not None}
    return _nearest(heading_key(wanted), written)


def nearest_block_id(ids: Iterable[str], wanted: str) -> str | None:
    """The block id of ``ids`` most like ``wanted`` (a near miss), or None."""
    return _nearest(wanted.lower(), {found.lower(): found for found in ids})


# As alike as "Heading One" and "Heading Onee": a typo, not another heading.
_NEAR = 0.75


def _nearest(wanted: str, written: dict[str, str]) -> str | None:
    close = difflib.get_close_matches(wanted, sorted(written), n=1, cutoff=_NEAR)
    return written[close[0]] if close else None


def find_heading(page: Page, chain: list[str]) -> int | None:
    """The block index of the last heading of ``chain`` (``H1#H2``: H2 inside H1's
    section), or None."""
    start, end = 0, len(page.blocks)
    found: int | None = None
    for wanted in (heading_key(part) for part in chain):
        found = next(
            (block.index for block in page.blocks[start:end]
             if heading_level(block) is not None and heading_key(block.content) == wanted),
            None,
        )
        if found is None:
            return None
        start, end = found + 1, section_end(page, found)
    return found


def section_end(page: Page, index: int) -> int:
    """One past the last block of the heading's section (document order)."""
    if page.dialect is Dialect.LOGSEQ:
        return subtree_end(page, index)
    block = page.blocks[index]
    level = heading_level(block) or 0
    for later in page.blocks[index + 1 :]:
        if later.depth < block.depth:
            return later.index
        later_level = heading_level(later)
        if later.depth == block.depth and later_level is not None and later_level <= level:
            return later.index
    return len(page.blocks)


def section_roots(page: Page, index: int) -> tuple[int, ...]:
    """The root blocks a heading embed shows. In a Logseq outline the heading block
    carries its section as children; in Markdown the section is the heading plus the
    following siblings up to the next heading of the same or a higher level."""
    block = page.blocks[index]
    if page.dialect is Dialect.LOGSEQ:
        return (index,)
    level = heading_level(block) or 0
    roots = [index]
    for later in page.blocks[index + 1 :]:
        if later.depth < block.depth:
            break
        if later.parent != block.parent:
            continue  # a descendant of an earlier root: it comes along with its root
        later_level = heading_level(later)
        if later_level is not None and later_level <= level:
            break
        roots.append(later.index)
    return tuple(roots)


def subtree_end(page: Page, index: int) -> int:
    """One past the last descendant of block ``index`` (descendants are contiguous)."""
    depth = page.blocks[index].depth
    for later in page.blocks[index + 1 :]:
        if later.depth <= depth:
            return later.index
    return len(page.blocks)


class LineMap:
    """Which block a source line belongs to: the last block starting at or before it."""

    def __init__(self, page: Page) -> None:
        self._starts = [block.line for block in page.blocks]

    def block_at(self, line: int) -> int | None:
        position = bisect.bisect_right(self._starts, line) - 1
        return position if position >= 0 else None


def properties_block(page: Page) -> int | None:
    """The block that stands for the page's properties: an empty first bullet on a
    page that has properties (written in it, or in front matter above it), which the
    site shows in the page's properties panel, not in its outline."""
    if not page.properties or not page.blocks:
        return None
    first = page.blocks[0]
    return 0 if first.parent is None and not first.content.strip() else None
