"""The data a Logseq query runs over, made from a resolved knowledge graph.

Every included page and its blocks, each reference resolved as the graph resolved it
(a page named but never written is a page too, as in Logseq, whose database holds one
for every name), page properties, tags and aliases as page ids, and each block's
``path_refs``: its own references, its ancestors' and its page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from kb_compiler.config import ParseOptions
from kb_compiler.gcpause import no_gc_pauses
from kb_compiler.model import Page, Property, namespaced, page_id
from kb_compiler.parse.names import journal_file_date
from kb_compiler.queries.data import PropertyData, QueryBlock, QueryData, QueryPage
from kb_compiler.resolve import KnowledgeGraph, ResolvedRef, target_id
from kb_compiler.resolve.blocks import LineMap, properties_block


def query_data(graph: KnowledgeGraph, today: date, *,
               include: Callable[[Page], bool] = lambda page: True) -> QueryData:
    """The pages ``include`` keeps (a site: the published ones) and their blocks."""
    included = [page for page in graph.pages() if include(page)]
    included.sort(key=lambda page: page.path)
    named = _Names(graph)
    pages: dict[str, QueryPage] = {}
    blocks: list[QueryBlock] = []
    with no_gc_pauses():  # a record per page and block, and no cycles among them
        for page in included:
            pages[page.id] = _page(page, len(pages), named, graph)
            blocks.extend(_blocks(page, graph.outgoing(page.id), len(blocks), named))
    named_only = {ref for block in blocks for ref in block.refs}
    for query_page in list(pages.values()):
        named_only.update(query_page.tags, query_page.aliases,
                          *(value.refs for value in query_page.properties.values()))
    for referenced in sorted(named_only - set(pages)):
        pages[referenced] = QueryPage(referenced, graph.node_name(referenced) or referenced,
                                      {}, frozenset(), frozenset(), None,
                                      _namespace(referenced), len(pages), exists=False)
    return QueryData(pages, tuple(blocks), today, named.resolve,
                     _parse_options(graph).journal_title_format)


class _Names:
    """Page names as written, resolved once each (a name Logseq would make a page of
    resolves to that page's id even without a file)."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self.resolve = lru_cache(maxsize=None)(self._resolve)

    def _resolve(self, name: str) -> str | None:
        written = name.strip().removeprefix("#").removeprefix("[[").removesuffix("]]")
        if not written.strip():
            return None
        return target_id(self.graph.lookup(written.strip())) or page_id(written)

    def ids(self, names: tuple[str, ...]) -> frozenset[str]:
        return frozenset(found for name in names if (found := self.resolve(name)))


def _page(page: Page, order: int, named: _Names, graph: KnowledgeGraph) -> QueryPage:
    return QueryPage(
        id=page.id, name=page.name,
        properties={prop.key: _property(prop, named) for prop in page.properties},
        tags=named.ids(page.tags), aliases=named.ids(page.aliases),
        journal_day=_journal_day(page, graph), namespace=_namespace(page.id), order=order)


def _journal_day(page: Page, graph: KnowledgeGraph) -> int | None:
    if not page.is_journal:
        return None
    day = journal_file_date(page.path, _parse_options(graph))
    return day.year * 10000 + day.month * 100 + day.day if day else None


def _parse_options(graph: KnowledgeGraph) -> ParseOptions:
    options = getattr(graph.kb.config, "parse", None)
    return options if isinstance(options, ParseOptions) else ParseOptions()


def _namespace(key: str) -> str | None:
    return key.rsplit("/", 1)[0] if namespaced(key) else None


def _property(prop: Property, named: _Names) -> PropertyData:
    return PropertyData(prop.raw, named.ids(prop.references), prop.value)


PAGE_PROPERTIES = -1  # the index of a page's properties block when no block holds them


def _blocks(page: Page, outgoing: tuple[ResolvedRef, ...], first: int,
            named: _Names) -> list[QueryBlock]:
    """The page's blocks, each with the pages its own lines reference, after the block
    of its page properties: in Logseq a page's properties are its first block (the
    pre-block), which ``(property type book)`` and ``[[Book]]`` find like any other."""
    starts = LineMap(page)
    refs: list[set[str]] = [set() for _ in page.blocks]
    page_refs: set[str] = set()
    for resolved in outgoing:
        index = starts.block_at(resolved.ref.line)
        found_id = target_id(resolved.target)
        if found_id is None:
            continue
        if index is not None:
            refs[index].add(found_id)
        elif resolved.ref.property:  # a page property line before the first bullet
            page_refs.add(found_id)
    page_properties = {prop.key: _property(prop, named) for prop in page.properties}
    holder = properties_block(page)
    if holder is not None:  # front matter above the empty bullet that stands for it
        refs[holder].update(page_refs)
    found: list[QueryBlock] = []
    if page_properties and holder is None:
        found.append(QueryBlock(
            page=page.id, index=PAGE_PROPERTIES, parent=None, content="", marker=None,
            priority=None, properties=page_properties, refs=frozenset(page_refs),
            path_refs=frozenset({page.id, *page_refs}), order=first))
    start = first + len(found)
    shift = len(found)
    for block in page.blocks:
        own = frozenset(refs[block.index])
        above = found[block.parent + shift].path_refs if block.parent is not None \
            else frozenset({page.id})
        properties = page_properties if block.index == holder else \
            {prop.key: _property(prop, named) for prop in block.properties}
        found.append(QueryBlock(
            page=page.id, index=block.index, parent=block.parent, content=block.content,
            marker=block.marker, priority=block.priority, properties=properties,
            refs=own, path_refs=above | own, order=start + block.index))
    return found



__all__ = ["PAGE_PROPERTIES", "query_data"]
