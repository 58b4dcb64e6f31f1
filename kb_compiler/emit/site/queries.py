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
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb_compiler.emit.site.hiccup import hiccup_html
from kb_compiler.emit.site.properties import properties_html, render_property
from kb_compiler.emit.site.sanitize import sanitize_html
from kb_compiler.emit.site.text import apart
from kb_compiler.emit.site.vaultwide import VAULT_READ, reference_time
from kb_compiler.model import Block, Page, Property
from kb_compiler.queries import (
    QueryBlock,
    QueryData,
    QueryError,
    QueryResult,
    parse_query,
    run_query,
)
from kb_compiler.queries.advanced import read_advanced
from kb_compiler.queries.vault import PAGE_PROPERTIES, query_data
from kb_compiler.resolve.blocks import properties_block, subtree_end

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
        holder = _holder(linker, written[2:-2])
        try:
            result = run_query(parse_query(source), self.data, exclude=holder)
        except QueryError as error:
            return (f'<code class="macro" title="{_escape(f"not run on the site: {error}")}">'
                    f"{_escape(written)}</code>")
        drawing = _Drawing(self.context, linker, holder)
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
            holder = _holder(linker, source)
            result = run_query(advanced.query, self.data, exclude=holder)
        except QueryError:
            return None
        if advanced.title_hiccup is not None:
            title = sanitize_html(hiccup_html(advanced.title_hiccup), linker.raw_url)
        else:
            title = _escape(advanced.title or "Query")
        title = f'<span class="query-title">{title}</span>'
        drawing = _Drawing(self.context, linker, holder)
        if advanced.collapsed:  # folded under its title, as Logseq starts it
            return (f'<details class="advanced-query"><summary>{title}</summary>'
                    f'{drawing.result("", result)}</details>')
        return f'<div class="advanced-query">{drawing.result(title, result)}</div>'


def _holder(linker: PageLinker, written: str) -> tuple[str, int] | None:
    """The block the query is written in, which Logseq leaves out of its results and
    whose properties set its table. Of blocks holding the same query, the n-th drawn
    on the page is the n-th (the page's blocks are drawn in order): each took the
    first one's ``query-properties``."""
    page = linker.page
    inner = " ".join(written.split())
    holders = [block.index for block in page.blocks
               if inner in " ".join(block.content.split())]
    if not holders:
        return None
    drawn = linker.queries_drawn.get(inner, 0)
    linker.queries_drawn[inner] = drawn + 1
    return page.id, holders[min(drawn, len(holders) - 1)]


class _Drawing:
    def __init__(self, context: SiteContext, linker: PageLinker,
                 holder: tuple[str, int] | None) -> None:
        self.context = context
        self.linker = linker
        holding = context.pages.get(holder[0]) if holder else None
        self.table = TableSettings.of(holding.blocks[holder[1]]) \
            if holding is not None and holder is not None else None

    def result(self, label: str, result: QueryResult) -> str:
        """``result`` under a head of ``label`` (markup) and the count."""
        blocks = list(result.blocks)
        found = len(result.pages) if result.kind == "pages" else len(blocks)
        noun = ("page" if result.kind == "pages" else "block") + ("" if found == 1 else "s")
        count = f"{found:,} {noun}" if found <= MAX_RESULTS else \
            f"first {MAX_RESULTS:,} of {found:,} {noun}"
        head = (f'<span class="query-head">{label} '
                f'<span class="query-count">{count}</span></span>')
        if self.table is not None:
            rows: list[str] | list[QueryBlock] = [page.id for page in result.pages] \
                if result.kind == "pages" else blocks
            body = self._table(rows)
        elif result.kind == "pages":
            body = self._pages(result)
        else:
            body = self._blocks(blocks)
        if not found:
            body = '<span class="query-empty">Nothing matches this query.</span>'
        return f'<span class="query" data-pagefind-ignore>{apart([head, body])}</span>'

    def _pages(self, result: QueryResult) -> str:
        links = [self._page_link(page.id, page.name) for page in result.pages[:MAX_RESULTS]]
        return '<span class="query-pages">' + apart(
            f'<span class="query-item">{link}</span>' for link in links) + "</span>"

    def _page_properties(self, block: QueryBlock) -> Page | None:
        """The page whose properties ``block`` is (Logseq's pre-block, which its page
        shows in the properties panel, with no anchor to link to), or None."""
        page = self.context.pages.get(block.page)
        if page is None:
            return None
        if block.index in (PAGE_PROPERTIES, properties_block(page)):
            return page
        return None

    def _blocks(self, blocks: list[QueryBlock]) -> str:
        groups: dict[str, list[str]] = {}
        for block in blocks[:MAX_RESULTS]:
            if (page := self._page_properties(block)) is not None:
                # Logseq lists the properties block as it lists any block found
                shown = properties_html(page.properties, self.linker, inline=True)
                groups.setdefault(block.page, []).append(
                    f'<span class="query-item query-page-properties">{shown}</span>')
                continue
            groups.setdefault(block.page, []).append(
                apart([f'<span class="query-item">'
                       f"{self.linker.block_link(block.page, block.index, None)}</span>",
                       self._children(block)]))
        return apart(
            f'<span class="query-group">{apart([self._page_link(key, self._name(key)), *items])}'
            f"</span>" for key, items in groups.items())

    def _children(self, block: QueryBlock) -> str:
        """The blocks under a block found, as Logseq shows them under it (the first
        ``MAX_CHILDREN``), indented by their depth below it."""
        page = self.context.pages.get(block.page)
        if page is None:
            return ""
        top = page.blocks[block.index].depth
        below = page.blocks[block.index + 1:subtree_end(page, block.index)]
        return apart(
            f'<span class="query-child depth-{min(child.depth - top, _DEEPEST)}">'
            f"{self.linker.block_link(page.id, child.index, None)}</span>"
            for child in below[:MAX_CHILDREN])

    def _table(self, rows: list[str] | list[QueryBlock]) -> str:
        """The rows as Logseq's query table: a column per ``query-properties`` key
        (``page``, ``block`` and property keys), sorted by ``query-sort-by`` (before the
        first ``MAX_RESULTS`` are taken). Spans styled as a table, as the result may sit
        in a paragraph."""
        assert self.table is not None
        found = [(row, self._properties(row)) for row in rows]
        columns = self.table.columns or _default_columns(
            rows, [props for _, props in found], self.context.hidden_properties)
        key = self.table.sort_by
        if key in columns:
            def value(item: tuple[str | QueryBlock, dict[str, Property]]) -> object:
                return self._sort_value(item[0], key, item[1])
            empty = [item for item in found if value(item) is None]  # last, either way
            found = sorted((item for item in found if value(item) is not None),
                           key=lambda item: _sort_key(value(item)),
                           reverse=self.table.descending) + empty
        head = apart(f'<span class="query-cell" role="columnheader">{_escape(column)}'
                     "</span>" for column in columns)
        body = apart(
            '<span class="query-row" role="row">' + apart(
                f'<span class="query-cell" role="cell">{self._cell(row, column, props)}</span>'
                for column in columns) + "</span>" for row, props in found[:MAX_RESULTS])
        return (f'<span class="query-table-wrap"><span class="query-table" role="table">'
                f'<span class="query-row query-columns" role="row">{head}</span> {body}'
                "</span></span>")

    def _properties(self, row: str | QueryBlock) -> dict[str, Property]:
        """The properties of a page id or block found, by key; a column may name one
        the properties panel hides (``tags``)."""
        page = self.context.pages.get(row if isinstance(row, str) else row.page)
        if page is None:
            return {}
        owner: Page | Block = page if isinstance(row, str) \
            or self._page_properties(row) is not None else page.blocks[row.index]
        # of a key written twice, the last, as Logseq keeps it
        return {prop.key: prop for prop in owner.properties}

    def _sort_value(self, row: str | QueryBlock, column: str,
                    properties: dict[str, Property]) -> object:
        if column == "page":
            return self._name(row if isinstance(row, str) else row.page)
        if column == "block" and not isinstance(row, str):
            return row.content
        prop = properties.get(column)
        return prop.value if prop is not None else None

    def _cell(self, row: str | QueryBlock, column: str,
              properties: dict[str, Property]) -> str:
        page_id = row if isinstance(row, str) else row.page
        if column == "page":
            return self._page_link(page_id, self._name(page_id))
        if column == "block" and not isinstance(row, str):
            if self._page_properties(row) is not None:
                return ""  # a page's properties: no text of a block to show
            return self.linker.block_link(row.page, row.index, None)
        prop = properties.get(column)
        return render_property(prop, self.linker).value if prop is not None else ""

    def _page_link(self, key: str, name: str) -> str:
        href = self.context.href(self.linker.file, key)
        if href is None:
            return f'<span class="query-page">{_escape(name)}</span>'
        return f'<a class="query-page internal" href="{_escape(href)}">{_escape(name)}</a>'

    def _name(self, key: str) -> str:
        return self.context.display_name(key)


@dataclass(frozen=True, slots=True)
class TableSettings:
    """How Logseq draws a query as a table, from its block's properties:
    ``query-table:: true``, ``query-properties:: [:page :type]``,
    ``query-sort-by:: page``, ``query-sort-desc:: true``."""

    columns: tuple[str, ...]
    sort_by: str | None
    descending: bool

    @classmethod
    def of(cls, block: Block) -> TableSettings | None:
        """The settings of the query in ``block``; None when it is no table."""
        settings = {prop.key: prop for prop in block.properties}
        table = settings.get("query-table")
        if table is None or table.value is not True:
            return None
        shown = settings.get("query-properties")
        sort_by = settings.get("query-sort-by")
        descending = settings.get("query-sort-desc")
        return cls(
            columns=tuple(_KEYWORD.findall(shown.raw)) if shown is not None else (),
            sort_by=str(sort_by.value).lower() if sort_by is not None else None,
            descending=descending is not None and descending.value is True)


_KEYWORD = re.compile(r":?([^\s\[\],:\"]+)")


def _default_columns(rows: list[str] | list[QueryBlock], properties: list[dict[str, Property]],
                     hidden: frozenset[str]) -> tuple[str, ...]:
    """Logseq's columns when ``query-properties`` names none: a block and its page, or
    a page and every property the pages found show."""
    if rows and not isinstance(rows[0], str):
        return ("block", "page")
    keys = dict.fromkeys(key for found in properties for key in found if key not in hidden)
    return ("page", *keys)


def _sort_key(value: object) -> tuple[int, object]:
    """Numbers before text, each in order."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value).lower())


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


__all__ = ["MAX_RESULTS", "QueryViews"]
