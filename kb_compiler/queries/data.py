"""What a simple query runs over: pages and blocks reduced to the facts Logseq's query
rules look at (markers, priorities, properties, references, journal days, namespaces).

Filled from the resolved graph elsewhere; the query code reads nothing else, so a test
can build these by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PropertyData:
    """One property value."""

    text: str  # the value as written
    refs: frozenset[str]  # page ids the value names ([[x]], #x, or comma-separated names)
    value: object  # typed value: int, float, bool, str, or tuple of those


@dataclass(frozen=True, slots=True)
class QueryBlock:
    """One block of one page."""

    page: str  # page id (case-folded page name) of the page holding it
    index: int  # its index in that page's blocks
    parent: int | None  # index of its parent block on the same page
    content: str  # the block's own text (no bullet, no property lines)
    marker: str | None  # TODO, DOING, DONE, LATER, NOW, WAITING, CANCELED... upper case
    priority: str | None  # "A" / "B" / "C"
    properties: Mapping[str, PropertyData]  # lower-case key -> value
    refs: frozenset[str]  # page ids the block itself references, resolved
    path_refs: frozenset[str]  # refs of the block and its ancestors, plus its page id
    order: int  # position in the whole vault's query order (page order, then document)


@dataclass(frozen=True, slots=True)
class QueryPage:
    """One page, written or only referenced."""

    id: str  # case-folded name
    name: str  # the name as written
    properties: Mapping[str, PropertyData]
    tags: frozenset[str]  # page ids of its tags:: values
    aliases: frozenset[str]  # page ids of its alias:: values
    journal_day: int | None  # YYYYMMDD for a journal page
    namespace: str | None  # parent namespace page id ("a/b" for page "a/b/c"), None at top
    order: int  # position in the vault's page order
    exists: bool = True  # False for a page that is only referenced (no file)


@dataclass(frozen=True)
class QueryData:
    """Everything one build's queries see."""

    pages: Mapping[str, QueryPage]  # by id
    blocks: Sequence[QueryBlock]  # every block of every page, in `order`
    today: date  # what today/now/+7d are relative to (fixed for a build)
    resolve: Callable[[str], str | None]  # a name as written -> page id, None if no page
    # :journal/page-title-format: a day without a journal file is named in it too
    journal_title_format: str = "MMM do, yyyy"


__all__ = ["PropertyData", "QueryBlock", "QueryData", "QueryPage"]
