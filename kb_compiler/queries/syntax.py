"""The AST of a Logseq simple query: values, filters, and the query around them.

``QueryError`` is what reading or running a query raises; ``scope`` tells whether a
filter binds blocks, pages or both, which decides what a query pulls.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb_compiler.errors import one_line


class QueryError(ValueError):
    """A query that cannot be read or run; ``str(error)`` is one line saying why."""

    def __init__(self, message: str) -> None:
        # Messages quote the query, which comes from a user's file: keep them one
        # printable line whatever it holds.
        super().__init__(one_line(message))


class QueryNeedsContext(QueryError):
    """A query that is not wrong but can only be run where it is shown: a macro
    template's ``$1``, ``<% current page %>``."""


@dataclass(frozen=True, slots=True)
class Word:
    """An unquoted word (a symbol to Logseq's reader)."""

    text: str


@dataclass(frozen=True, slots=True)
class Number:
    value: int | float
    text: str


@dataclass(frozen=True, slots=True)
class Text:
    """A quoted string."""

    text: str


@dataclass(frozen=True, slots=True)
class PageName:
    """``[[name]]``, ``#name`` or ``#[[name]]``, or a page name given as a word."""

    name: str


@dataclass(frozen=True, slots=True)
class DayOffset:
    """A day relative to the build's today: ``-7d``, ``today``, ``<% 2 weeks ago %>``.
    ``unit`` is d, w, m, y, h or min."""

    amount: int
    unit: str


Value = Word | Number | Text | PageName | DayOffset
Target = PageName | DayOffset


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """``(not a b)`` is Datalog's ``not`` of several clauses: not (a and b)."""

    item: Filter


@dataclass(frozen=True, slots=True)
class Ref:
    """Blocks referencing the page, directly or through an ancestor block."""

    target: Target


@dataclass(frozen=True, slots=True)
class FullText:
    text: str


@dataclass(frozen=True, slots=True)
class Task:
    markers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Priority:
    levels: frozenset[str]


@dataclass(frozen=True, slots=True)
class Between:
    """Blocks on journal pages dated start to end, both included; with a ``key``
    (created-at, updated-at), blocks whose timestamp property is in that range."""

    start: Target
    end: Target
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Property:
    key: str
    value: Value | None


@dataclass(frozen=True, slots=True)
class Page:
    target: Target


@dataclass(frozen=True, slots=True)
class PageProperty:
    key: str
    value: Value | None


@dataclass(frozen=True, slots=True)
class PageTags:
    tags: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class AllPageTags:
    pass


@dataclass(frozen=True, slots=True)
class Namespace:
    target: Target


Filter = (And | Or | Not | Ref | FullText | Task | Priority | Between | Property
           | Page | PageProperty | PageTags | AllPageTags | Namespace)


@dataclass(frozen=True, slots=True)
class SortBy:
    key: str
    descending: bool


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query; ``kind`` is "blocks" or "pages" (what Logseq's query pulls)."""

    filter: Filter
    kind: str
    sort: SortBy | None = None
    sample: int | None = None


_PAGE_FILTERS = (PageProperty, PageTags, AllPageTags, Namespace)


def scope(item: Filter) -> frozenset[str]:
    """Which entities a filter binds: {"block"}, {"page"} or both. Logseq's rules bind
    ``?b`` or ``?p``; any ``?b`` makes the query a block query, whose page filters then
    test the block's page."""
    if isinstance(item, And | Or):
        return frozenset().union(*(scope(inner) for inner in item.items))
    if isinstance(item, Not):
        return scope(item.item)
    return frozenset({"page" if isinstance(item, _PAGE_FILTERS) else "block"})
