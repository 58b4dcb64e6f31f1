"""Transclusion: embeds filled in with the content they show, within bounds.

Rendering a page leaves a *slot* (a placeholder) where each embed goes. ``Transcluder``
then fills the slots breadth first with an explicit queue, never by recursion; each
filled slot may open new slots one level deeper. Every slot knows the chain of
(page, blocks) that led to it:

- a slot whose target (a page, or some of its blocks) is already on its chain is a
  cycle: a note says so. Part of a page on the chain is no cycle unless it leads back:
  a note may embed its own section that does not hold the embed;
- deeper than ``MAX_EMBED_DEPTH`` levels, or past ``MAX_EMBED_BLOCKS`` included blocks
  or ``MAX_EMBED_CHARS`` of included markup for the whole page, a note says the rest was
  left out (24 pages each embedding the next twice stay a few hundred slots).

When the queue is empty the slots are put together, innermost first.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb_compiler.emit.site.outline import outline_blocks
from kb_compiler.emit.site.render import SLOT_CLOSE, SLOT_OPEN
from kb_compiler.resolve import MAX_EMBED_BLOCKS, MAX_EMBED_DEPTH

if TYPE_CHECKING:
    from kb_compiler.emit.site.context import SiteContext
    from kb_compiler.emit.site.linker import PageLinker

MAX_EMBED_CHARS = 2_000_000
# Around each filled slot: the search index leaves embedded content out (search.py).
EMBED_OPEN, EMBED_CLOSE = "<!--kbc-embed-->", "<!--/kbc-embed-->"
Node = tuple[str, tuple[int, ...] | None]
_SLOT = re.compile(f"{SLOT_OPEN}(\\d+){SLOT_CLOSE}")


@dataclass
class Slot:
    number: int
    page: str
    roots: tuple[int, ...] | None  # None: the whole page
    label: str
    chain: tuple[Node, ...]  # what led here, the host page first
    depth: int
    shallow: str = ""  # what the embed is where content is not transcluded: a link
    html: str = ""


# (page id, roots, chain including this slot, depth, slot number) -> rendered body
RenderIncluded = Callable[[str, "tuple[int, ...] | None", "tuple[Node, ...]", int, int], str]


class Transcluder:
    """Fills the embed slots of one page."""

    def __init__(self, context: SiteContext, host_file: str,
                 render: RenderIncluded | None = None) -> None:
        self.context = context
        self.host_file = host_file
        self.render: RenderIncluded = render or _nothing
        self.slots: list[Slot] = []
        self.queue: deque[Slot] = deque()
        self.blocks_used = 0
        self.chars_used = 0

    def request(self, page: str, roots: tuple[int, ...] | None, label: str,
                linker: PageLinker, shallow: str) -> str:
        """A slot for an embed written on ``linker``'s page; returns its placeholder.
        ``shallow`` is the embed shown as a link (what backlink context shows)."""
        slot = Slot(len(self.slots), page, roots, label, linker.chain, linker.depth + 1,
                    shallow)
        self.slots.append(slot)
        self.queue.append(slot)
        return f"{SLOT_OPEN}{slot.number}{SLOT_CLOSE}"

    def fill(self, body: str) -> str:
        """``body`` with every slot (and the slots inside them) filled."""
        while self.queue:
            slot = self.queue.popleft()
            slot.html = f"{EMBED_OPEN}{self._fill_one(slot)}{EMBED_CLOSE}"
        for slot in reversed(self.slots):  # children have larger numbers than parents
            slot.html = self._substitute(slot.html)
        return self._substitute(body)

    def as_links(self, text: str) -> str:
        """``text`` with its slots shown as links instead of filled."""
        if SLOT_OPEN not in text:
            return text
        return _SLOT.sub(lambda m: self.slots[int(m.group(1))].shallow, text)

    def _substitute(self, text: str) -> str:
        if SLOT_OPEN not in text:
            return text
        return _SLOT.sub(lambda m: self.slots[int(m.group(1))].html, text)

    def _fill_one(self, slot: Slot) -> str:
        node: Node = (slot.page, slot.roots)
        if node in slot.chain:
            names = [self.context.display_name(page) for page, _ in (*slot.chain, node)]
            return _note("cycle", "Embed cycle: " + " \u2192 ".join(names) + " (not repeated)")
        if slot.depth > MAX_EMBED_DEPTH:
            return _note("truncated", f"Embeds nested deeper than {MAX_EMBED_DEPTH} levels "
                         f"are not expanded: see {slot.label}", self._source(slot))
        page = self.context.pages[slot.page]
        count = len(outline_blocks(page, slot.roots)) if slot.roots is not None \
            else len(page.blocks)
        if self.blocks_used + count > MAX_EMBED_BLOCKS or self.chars_used > MAX_EMBED_CHARS:
            return _note("truncated", "This page includes too much embedded content; "
                         f"the rest is left out: see {slot.label}", self._source(slot))
        self.blocks_used += max(count, 1)
        body = self.render(slot.page, slot.roots, (*slot.chain, node), slot.depth, slot.number)
        self.chars_used += len(body)
        return self._frame(slot, body)

    def _source(self, slot: Slot) -> str:
        anchor = None
        if slot.roots:
            anchor = self.context.anchor(slot.page, slot.roots[0])
        return self.context.href(self.host_file, slot.page, anchor) or ""

    def _frame(self, slot: Slot, body: str) -> str:
        href = html.escape(self._source(slot), quote=True)
        name = html.escape(self.context.display_name(slot.page))
        section = ""
        if slot.roots:
            section = html.escape(slot.label.partition("#")[2] or "")
            section = f' <span class="embed-section">\u203a {section}</span>' if section else ""
        # Text is searched on the page where it is written: kbc's search documents leave
        # embed frames out, and the attribute does the same for tools indexing the pages.
        return (f'<div class="embed" data-depth="{slot.depth}" data-pagefind-ignore>'
                f'<div class="embed-head">'
                f'<a class="embed-source" href="{href}" title="Open the embedded page">'
                f'<span class="embed-icon" aria-hidden="true">\u29c9</span> {name}</a>{section}'
                f'</div><div class="embed-body">{body}</div></div>')


def _nothing(*_: object) -> str:
    return ""


def _note(kind: str, text: str, href: str | None = None) -> str:
    link = (f' <a href="{html.escape(href, quote=True)}">Open it</a>' if href else "")
    return (f'<div class="embed embed-note embed-{kind}" role="note" data-pagefind-ignore>'
            f'{html.escape(text)}{link}</div>')
