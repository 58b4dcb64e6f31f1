"""Logseq's simple queries on the site: ``{{query (page-tags canvas)}}`` shows what the
query finds, run at build time (``kb_compiler.queries``) over the published pages, as
Logseq shows it in the app: the pages found, or the blocks found under the page
holding them, each a link to its block.

A query sits in a line of text, so its results are written as phrasing content (spans
styled as blocks): a list or a division there would end the paragraph around it. A
query the site cannot run (a template's ``$1``, ``<% current page %>``) is
shown as written, with the reason as its tooltip. Like a base, a query reads the whole
vault (``vaultwide.VAULT_READ``), and ``today`` (in ``between`` and ``<% today %>``) is
the build's reference time. A block found is shown by its text, a link to it, with
the blocks under it (the first ``MAX_CHILDREN``), as Logseq shows them.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from kb_compiler.emit.site.hiccup import hiccup_html
from kb_compiler.emit.site.outline import is_page_properties
from kb_compiler.emit.site.sanitize import sanitize_html
from kb_compiler.emit.site.vaultwide import VAULT_READ, reference_time
from kb_compiler.queries import (
    QueryBlock,
    QueryData,
    QueryError,
    QueryResult,
    parse_query,
    run_query,
)
from kb_compiler.queries.advanced import read_advanced
from kb_compiler.queries.vault import query_data
from kb_compiler.resolve.blocks import subtree_end

if TYPE_CHECKING:
    from kb_compiler.emit.site.context import SiteContext
    from kb_compiler.emit.site.linker import PageLinker

MAX_RESULTS = 500  # a query of a whole large vault would be a page of megabytes
MAX_CHILDREN = 20  # blocks shown under each block found
_DEEPEST = 4  # indentation levels the style sheet has


class QueryViews:
    """The queries of one build: the vault's data gathered on first use."""

    def __init__(self, context: SiteContext) -> None:
        self.context = context
        self._data: QueryData | None = None

    @property
    def data(self) -> QueryData:
        if self._data is None:
            pages = self.context.pages
            self._data = query_data(self.context.graph, reference_time().date(),
                                    include=lambda page: page.id in pages)
        return self._data

    def render(self, linker: PageLinker, written: str, source: str) -> str:
        """``{{query source}}`` (``written`` as on the page) on ``linker``'s page."""
        linker.report.reads.add(VAULT_READ)
        try:
            result = run_query(parse_query(source), self.data,
                               exclude=_holder(linker, written[2:-2]))
        except QueryError as error:
            return (f'<code class="macro" title="{_escape(f"not run on the site: {error}")}">'
                    f"{_escape(written)}</code>")
        drawing = _Drawing(self.context, linker)
        return drawing.result(f'<code class="query-source">{_escape(written)}</code>', result)

    def advanced(self, linker: PageLinker, source: str) -> str | None:
        """What the advanced query ``source`` (between ``#+BEGIN_QUERY`` and
        ``#+END_QUERY``) finds, under its title; None when the site cannot run it
        (Datalog, ``:view``; ``kbc check`` reports one that cannot be read)."""
        try:
            advanced = read_advanced(source)
            if advanced.query is None:
                return None
            linker.report.reads.add(VAULT_READ)
            result = run_query(advanced.query, self.data, exclude=_holder(linker, source))
        except QueryError:
            return None
        if advanced.title_hiccup is not None:
            title = sanitize_html(hiccup_html(advanced.title_hiccup), linker.raw_url)
        else:
            title = _escape(advanced.title or "Query")
        shown = _Drawing(self.context, linker).result(
            f'<span class="query-title">{title}</span>', result)
        return f'<div class="advanced-query">{shown}</div>'


def _holder(linker: PageLinker, written: str) -> tuple[str, int] | None:
    """The block the query is written in, which Logseq leaves out of its results."""
    page = linker.page
    inner = " ".join(written.split())
    for block in page.blocks:
        if inner in " ".join(block.content.split()):
            return page.id, block.index
    return None


class _Drawing:
    def __init__(self, context: SiteContext, linker: PageLinker) -> None:
        self.context = context
        self.linker = linker

    def result(self, label: str, result: QueryResult) -> str:
        """``result`` under a head of ``label`` (markup) and the count."""
        blocks = [block for block in result.blocks if not self._hidden(block)]
        found = len(result.pages) if result.kind == "pages" else len(blocks)
        noun = ("page" if result.kind == "pages" else "block") + ("" if found == 1 else "s")
        count = f"{found:,} {noun}" if found <= MAX_RESULTS else \
            f"first {MAX_RESULTS:,} of {found:,} {noun}"
        head = (f'<span class="query-head">{label} '
                f'<span class="query-count">{count}</span></span>')
        body = self._pages(result) if result.kind == "pages" else self._blocks(blocks)
        if not found:
            body = '<span class="query-empty">Nothing matches this query.</span>'
        return f'<span class="query" data-pagefind-ignore>{head}{body}</span>'

    def _pages(self, result: QueryResult) -> str:
        links = [self._page_link(page.id, page.name) for page in result.pages[:MAX_RESULTS]]
        return '<span class="query-pages">' + "".join(
            f'<span class="query-item">{link}</span>' for link in links) + "</span>"

    def _hidden(self, block: QueryBlock) -> bool:
        """A page's properties pre-block: its page shows it in the properties panel,
        with no anchor to link to (Logseq lists it like any block)."""
        page = self.context.pages.get(block.page)
        return page is not None and is_page_properties(page, page.blocks[block.index])

    def _blocks(self, blocks: list[QueryBlock]) -> str:
        groups: dict[str, list[str]] = {}
        for block in blocks[:MAX_RESULTS]:
            groups.setdefault(block.page, []).append(
                f'<span class="query-item">'
                f"{self.linker.block_link(block.page, block.index, None)}</span>"
                + self._children(block))
        return "".join(
            f'<span class="query-group">{self._page_link(key, self._name(key))}{"".join(items)}'
            f"</span>" for key, items in groups.items())

    def _children(self, block: QueryBlock) -> str:
        """The blocks under a block found, as Logseq shows them under it (the first
        ``MAX_CHILDREN``), indented by their depth below it."""
        page = self.context.pages.get(block.page)
        if page is None:
            return ""
        top = page.blocks[block.index].depth
        below = page.blocks[block.index + 1:subtree_end(page, block.index)]
        return "".join(
            f'<span class="query-child depth-{min(child.depth - top, _DEEPEST)}">'
            f"{self.linker.block_link(page.id, child.index, None)}</span>"
            for child in below[:MAX_CHILDREN])

    def _page_link(self, key: str, name: str) -> str:
        href = self.context.href(self.linker.file, key)
        if href is None:
            return f'<span class="query-page">{_escape(name)}</span>'
        return f'<a class="query-page internal" href="{_escape(href)}">{_escape(name)}</a>'

    def _name(self, key: str) -> str:
        return self.context.display_name(key)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


__all__ = ["MAX_RESULTS", "QueryViews"]
