"""A page's content as HTML: the whole page, some of its blocks (for an embed), one
block (for backlink context) or its first lines (for block-ref text).

Logseq pages are outlines: each block is rendered on its own and nested by
``outline.py``. Obsidian and plain Markdown pages are rendered as one document (so
lists, tables and callouts keep their shape); embeds of some of their blocks render the
blocks' source lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.embeds import Node, Transcluder
from kb_compiler.emit.site.linker import LinkReport, PageLinker, Shown, quoted_in_a_link
from kb_compiler.emit.site.org_text import org_text_html, render_org_text
from kb_compiler.emit.site.outline import (
    block_source,
    is_page_properties,
    outline_blocks,
    render_outline,
)
from kb_compiler.emit.site.properties import block_properties_html, planning_html
from kb_compiler.emit.site.render import (
    SLOT_OPEN,
    RenderOptions,
    RenderState,
    render_many,
    render_markdown,
)
from kb_compiler.emit.site.text import apart, markup_text
from kb_compiler.emit.site.urls import index_anchor
from kb_compiler.model import ORG_TEXT, SHAPE_TEXT, Block, Dialect, Page
from kb_compiler.parse import ORG_SUFFIXES
from kb_compiler.parse.logseq_whiteboard import is_whiteboard
from kb_compiler.parse.text import FENCE_OPEN
from kb_compiler.resolve.blocks import heading_level

SNIPPET_CHARS = 400
# The markup a block ref's text may hold before it is cut to plain text: far more than
# one block's line of links and formatting needs.
SNIPPET_HTML_CHARS = 16 * SNIPPET_CHARS
# Block refs shown inside the text of a block ref, inside another's...: Logseq shows
# them nested; past this depth the innermost shows its page's name.
MAX_REF_DEPTH = 6
# Block kinds whose content is no Markdown: Org text, a whiteboard's plain words.
_NOT_MARKDOWN = frozenset({ORG_TEXT, SHAPE_TEXT})
# Logseq's own Publish draws no whiteboard either ("not available").
WHITEBOARD_NOTE = ('<p class="notice whiteboard-note" role="note" data-pagefind-ignore>'
                   "A Logseq whiteboard: the text on it is listed here; drawing the board "
                   "needs the Logseq app.</p>")


def _was_not_parsed(page: Page) -> bool:
    """A page its parser failed on: it has its text but no blocks, so its outline would
    show nothing. Its text is shown as a document instead (the check reports it)."""
    return not page.blocks and any(d.code == "internal-error" for d in page.diagnostics)


class BodyRenderer:
    """Renders one page's content for one site file."""

    def __init__(self, context: SiteContext, page: Page, site_file: str, report: LinkReport,
                 *, snippets: Snippets, transcluder: Transcluder | None = None,
                 embedded: bool = False, doc_id: str = "") -> None:
        self.context = context
        self.page = page
        self.file = site_file
        self.linker = PageLinker(context, page, site_file, report, snippets=snippets,
                                 transcluder=transcluder, shallow=transcluder is None)
        self.state = RenderState(self.linker, RenderOptions(
            comments=page.dialect is not Dialect.LOGSEQ,
            hard_breaks=context.line_breaks_shown(page),
            org_blocks=page.dialect is Dialect.LOGSEQ,
            hiccup=page.dialect is Dialect.LOGSEQ,
            display_math=page.dialect is Dialect.LOGSEQ,
            obsidian_syntax=page.dialect is not Dialect.LOGSEQ,
            embedded=embedded or transcluder is None,
            allow_raw_html=context.options.allow_raw_html,
            doc_id=doc_id,
        ))
        self.is_outline = page.dialect is Dialect.LOGSEQ
        self.is_whiteboard = is_whiteboard(page.path) and self.is_outline
        # Each outline block's HTML, kept from the last render (embed slots unfilled).
        self.block_html: dict[int, str] = {}

    @property
    def headings(self) -> list[tuple[int, str, str]]:
        return self.state.headings

    def whole(self) -> str:
        unparsed = _was_not_parsed(self.page)
        if self.is_whiteboard and not self.state.options.embedded:
            return WHITEBOARD_NOTE + self._outline(None)
        if self.is_outline and not unparsed:
            return self._outline(None)
        if unparsed and self.page.path.lower().endswith(ORG_SUFFIXES):
            return org_text_html(self.page.text, self.state)
        if not self.state.options.embedded:
            self.state.line_anchors = self._line_anchors()
        return render_markdown(self.page.text, self.state)

    def blocks(self, roots: Sequence[int]) -> str:
        if self.is_outline:
            return self._outline(tuple(roots))
        return render_markdown(self._slices(roots), self.state)

    def blocks_alone(self, indices: Sequence[int]) -> dict[int, str]:
        """Blocks without their children (backlink contexts), in one pass."""
        blocks = [self.page.blocks[index] for index in indices]
        if self.is_outline:
            return self._render_blocks(blocks)
        texts = [self._lines(block.line, block.end_line) for block in blocks]
        bodies = render_many(texts, self.state)
        if bodies is None:
            bodies = [render_markdown(text, self.state) for text in texts]
        return dict(zip(indices, bodies, strict=True))

    # -- Logseq outlines -------------------------------------------------------------------

    def _outline(self, roots: tuple[int, ...] | None) -> str:
        blocks = outline_blocks(self.page, roots)
        shown = [b for b in blocks if not self._is_page_properties(b)]
        if self.is_whiteboard:  # its drawings say nothing: no empty bullet for each
            shown = [b for b in shown if b.content.strip()]
        bodies = self._render_blocks(shown)
        self.block_html.update(bodies)
        return self._properties_anchor(blocks) + render_outline(
            shown, lambda block: bodies[block.index], self._anchor, _is_collapsed)

    def _properties_anchor(self, blocks: list[Block]) -> str:
        """Where ``((uuid))`` refs to the page's properties block land: that block is
        shown in the properties panel, not in the outline, yet its ``id::`` is a target."""
        hidden = blocks[0] if blocks and self._is_page_properties(blocks[0]) else None
        anchor = self._anchor(hidden) if hidden is not None and hidden.block_id else None
        return f'<span class="block-anchor" id="{anchor}"></span>' if anchor else ""

    def _render_blocks(self, blocks: list[Block]) -> dict[int, str]:
        """Every block's HTML, rendered in one markdown-it pass when possible."""
        shown_as_text = [block for block in blocks if block.kind in _NOT_MARKDOWN]
        if shown_as_text:
            markdown = self._render_blocks([b for b in blocks if b.kind not in _NOT_MARKDOWN])
            as_text = {block.index: self._decorate(block, self._text_html(block), block.marker,
                                                   block.priority)
                       for block in shown_as_text}
            return {block.index: as_text.get(block.index, markdown.get(block.index, ""))
                    for block in blocks}
        sources = [self.source(block) for block in blocks]
        texts = [text if text.strip() else "" for text, _, _ in sources]
        saved = self.state.slugs.snapshot(), len(self.state.headings)
        drawn = dict(self.linker.queries_drawn)
        bodies = render_many(texts, self.state)
        if bodies is None:  # a block swallowed its neighbours: render one by one
            self.state.slugs.restore(saved[0])
            del self.state.headings[saved[1]:]
            self.linker.queries_drawn = drawn
            bodies = [render_markdown(text, self.state) if text else "" for text in texts]
        return {
            block.index: self._decorate(block, body, marker, priority)
            for block, body, (_, marker, priority) in zip(blocks, bodies, sources, strict=True)
        }

    def _is_page_properties(self, block: Block) -> bool:
        return is_page_properties(self.page, block)

    def _anchor(self, block: Block) -> str | None:
        if self.state.options.embedded:
            return None
        return self.context.item_anchor(self.page.id, block.index)

    def _text_html(self, block: Block) -> str:
        """An Org block, or a whiteboard's text shape (its words as they are written)."""
        if block.kind == SHAPE_TEXT:
            return "<p>" + html.escape(block.content).replace("\n", "<br>\n") + "</p>"
        return org_text_html(block.content, self.state, titled=self.has_title(block))

    def has_title(self, block: Block) -> bool:
        """Whether an Org block's first row is its heading's title: all but the text
        before the first heading (the first block, on a row with no stars)."""
        if block.index:
            return True
        rows = self.page.text.split("\n", block.line)
        return len(rows) >= block.line and rows[block.line - 1].startswith("*")

    def render_block(self, block: Block) -> str:
        if block.kind in _NOT_MARKDOWN:
            return self._decorate(block, self._text_html(block), block.marker, block.priority)
        text, marker, priority = self.source(block)
        body = render_markdown(text, self.state) if text.strip() else ""
        return self._decorate(block, body, marker, priority)

    def source(self, block: Block) -> tuple[str, str | None, str | None]:
        """A block's Markdown, marker and priority (``block_source``); a PDF area
        highlight whose picture the vault has shows that picture, as Logseq shows it."""
        text, marker, priority = block_source(block)
        picture = self.context.area_picture(self.page, block)
        return (f"![]({picture})" if picture else text), marker, priority

    def _decorate(self, block: Block, body: str, marker: str | None,
                  priority: str | None) -> str:
        badges = []
        if marker:
            badges.append(f'<span class="marker marker-{marker.lower()}">{marker}</span>')
        if priority:
            badges.append(f'<span class="priority priority-{priority.lower()}">{priority}</span>')
        if badges:
            body = _with_badges(body, f'<span class="block-badges">{apart(badges)} </span>')
        if marker in _CLOSED_MARKERS:
            body = f'<div class="task-closed">{body}</div>'
        return body + planning_html(block) + block_properties_html(block, self.linker)

    # -- Markdown pages -----------------------------------------------------------------

    def _line_anchors(self) -> dict[int, list[str]]:
        anchors: dict[int, list[str]] = {}
        for block in self.page.blocks:
            if not block.block_id and heading_level(block) is None:
                anchors.setdefault(block.line, []).append(index_anchor(block.index))
        return anchors

    def _lines(self, first: int, last: int) -> str:
        lines = self.page.text.split("\n")
        return "\n".join(lines[max(first - 1, 0) : max(last, first)])

    def _slices(self, roots: Sequence[int]) -> str:
        pieces = []
        for root in roots:
            if not 0 <= root < len(self.page.blocks):
                continue
            shown = outline_blocks(self.page, (root,))
            last = max(block.end_line for block in shown)
            pieces.append(self._lines(shown[0].line, last))
        return "\n\n".join(pieces)


def _is_collapsed(block: Block) -> bool:
    return any(p.key == "collapsed" and p.value is True for p in block.properties)


class Snippets:
    """Shallow renderings shared by all pages a process builds, cached: the text a
    block ref shows, and embed bodies that hold no further embeds."""

    def __init__(self, context: SiteContext) -> None:
        self.context = context
        self._blocks: dict[tuple[str, int, str, int], Shown] = {}
        self.embeds: dict[tuple[str, tuple[int, ...] | None, str], Shown] = {}
        self._depth = 0  # block refs being shown inside one another now

    def block_text(self, key: str, index: int, from_file: str) -> Shown:
        """The text a block ref shows: its block's first paragraph, the block refs in it
        showing theirs down to ``MAX_REF_DEPTH`` levels, then the page's name. Bounded
        so a block quoting itself, or a long chain of quotes, shows (cut) instead of
        exhausting the stack; the depth is in the cache key, so what a ref shows never
        depends on which page was rendered first."""
        folder = from_file.rpartition("/")[0]
        cache_key = (key, index, folder, self._depth)
        cached = self._blocks.get(cache_key)
        if cached is not None:
            return cached
        page = self.context.pages[key]
        if self._depth >= MAX_REF_DEPTH:
            return Shown(html.escape(page.name), frozenset(), frozenset({key}))
        self._depth += 1
        try:
            result = self._block_text(page, page.blocks[index], from_file)
        finally:
            self._depth -= 1
        self._blocks[cache_key] = result
        return result

    def _block_text(self, page: Page, block: Block, from_file: str) -> Shown:
        key = page.id
        report = LinkReport()
        renderer = BodyRenderer(self.context, page, from_file, report, snippets=self)
        if block.kind == ORG_TEXT:
            first = block.content.strip().split("\n", 1)[0][:SNIPPET_CHARS]
            rendered = render_org_text(first, renderer.state,
                                       titled=renderer.has_title(block)) if first else ""
        elif block.kind == SHAPE_TEXT:
            rendered = html.escape(block.content.strip().split("\n", 1)[0][:SNIPPET_CHARS])
        else:
            rendered = render_markdown(_snippet_source(page, renderer.source(block)[0]),
                                       renderer.state, inline=True)
        if not _TAG.sub("", rendered).strip() and not _SHOWN_ELEMENT.search(rendered):
            rendered = html.escape(page.name)  # a link must show something to click
        elif len(rendered) > SNIPPET_HTML_CHARS:
            rendered = plain_snippet(rendered)
        return Shown(quoted_in_a_link(rendered), frozenset(report.assets),
                     frozenset({key, *report.reads}))


def plain_snippet(rendered: str) -> str:
    """A snippet grown long through the block refs in it (each shows its block's text,
    which may quote two more: 2^n after n levels, a 2 KB page made 42 MB), cut to its
    first ``SNIPPET_CHARS`` characters of text."""
    text = markup_text(rendered)
    return html.escape(text[:SNIPPET_CHARS] + ("\u2026" if len(text) > SNIPPET_CHARS else ""))


def _snippet_source(page: Page, source: str) -> str:
    """The Markdown a block ref shows: the first paragraph of the block's ``source``,
    without heading marks, and up to its first code fence or (Logseq) ``#+BEGIN_``
    block, markers a link's one line of text would show as written."""
    text = source.strip().split("\n\n", 1)[0]
    text = _before_block(text, page.dialect is Dialect.LOGSEQ)
    return re.sub(r"^#{1,6}\s+", "", text)[:SNIPPET_CHARS]


_TAG = re.compile(r"<[^>]*>")
_SHOWN_ELEMENT = re.compile(r"<(?:img|video|audio|svg|iframe|math|input)\b")
_ORG_MARK = re.compile(r"[ \t]*#\+(?:BEGIN|END)_", re.IGNORECASE)


def _before_block(text: str, org_blocks: bool) -> str:
    """``text`` up to its first code fence or ``#+BEGIN_`` block. When it opens with
    one: a ``#+BEGIN_`` block's first lines, its title (``Pi-Yueh Chuang``, then a
    quote), or the first line of code, as code."""
    lines = text.split("\n")
    if FENCE_OPEN.match(lines[0]):
        code = next((line.strip() for line in lines[1:] if line.strip()), "")
        if FENCE_OPEN.match(code):
            return ""
        ticks = "`" * (max(map(len, re.findall("`+", code)), default=0) + 1)
        return f"{ticks} {code} {ticks}" if code else ""
    kept: list[str] = []
    for line in lines:
        if FENCE_OPEN.match(line) or (org_blocks and _ORG_MARK.match(line)):
            if kept:
                break
            continue
        kept.append(line)
    return "\n".join(kept)


def render_included(context: SiteContext, host_file: str, snippets: Snippets,
                    transcluder: Transcluder, host_report: LinkReport, key: str,
                    roots: tuple[int, ...] | None, chain: tuple[Node, ...], depth: int,
                    number: int) -> str:
    """The body of one embed slot (see ``embeds.Transcluder``). Bodies without nested
    embeds are cached and reused by every page that embeds the same blocks."""
    cache_key = (key, roots, host_file.rpartition("/")[0])
    cached = snippets.embeds.get(cache_key)
    if cached is not None:
        host_report.include(cached)
        return cached.html
    page = context.pages[key]
    report = LinkReport()
    renderer = BodyRenderer(context, page, host_file, report, snippets=snippets,
                            transcluder=transcluder, embedded=True, doc_id=f"e{number}")
    renderer.linker.chain = chain
    renderer.linker.depth = depth
    body = renderer.whole() if roots is None else renderer.blocks(roots)
    shown = Shown(body, frozenset(report.assets), frozenset({key, *report.reads}))
    host_report.include(shown)
    # Footnote ids carry the slot's number, so a body with footnotes is the slot's own:
    # a note embedded twice on one page gave both copies the first one's ids.
    if SLOT_OPEN not in body and 'class="footnote-ref"' not in body:
        snippets.embeds[cache_key] = shown
    return body


# Where a block's badges go: inside its first paragraph or heading, so they sit on its
# first line as Logseq's checkbox and marker do.
_FIRST_LINE_OPENING = re.compile(r'<(?:p|h[1-6])(?:\s[^>]*)?>|<div class="org-text">')
_CLOSED_MARKERS = frozenset({"DONE", "CANCELED", "CANCELLED"})


def _with_badges(body: str, badges: str) -> str:
    opening = _FIRST_LINE_OPENING.match(body)
    if opening is None:
        return badges + body
    return body[:opening.end()] + badges + body[opening.end():]
