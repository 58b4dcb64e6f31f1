"""Simple queries run over ``QueryData`` with the meaning Logseq's file graphs give them
(the Datalog rules of ``logseq.db.rules/query-dsl-rules`` and the result handling of
``frontend.db.query-dsl/query`` and ``frontend.components.query.result``).

- ``[[p]]`` / ``#p`` match blocks whose ``path_refs`` hold the page: a child of a block
  that references p matches too. Unlike Logseq (whose queries ignore aliases, issue
  #3763), a page's aliases count as the page.
- ``(page p)`` keeps blocks on page p; ``(between a b)`` blocks on journal pages dated
  a to b, both included; ``(property k v)`` blocks whose value of k names page v or is
  v (text, number or boolean; case-insensitive); ``(property k)`` blocks having k.
- A query with no block filter is a page query: ``page-property``, ``page-tags``,
  ``all-page-tags`` and ``namespace`` (direct children) select pages. In a block query
  they select the blocks whose page they match, as Logseq's ``[?b :block/page ?p]``.
- ``(not x)`` is everything x doesn't match: every block (pre-blocks of page properties
  included, as in Logseq) or every page, referenced-only pages included.
- Results keep vault order. As Logseq shows them, a block whose parent is also a result
  is left out (it is shown under its parent). Then ``(sample n)`` keeps the first n, where
  Logseq picks n at random: a build must not change from run to run. Then ``(sort-by k)``
  sorts by the typed value of property k, descending unless asc; blocks or pages without
  k come last; ties keep vault order.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from kb_compiler.parse.names import parse_journal_file_name
from kb_compiler.queries.data import PropertyData, QueryBlock, QueryData, QueryPage
from kb_compiler.queries.syntax import (
    AllPageTags,
    And,
    Between,
    DayOffset,
    Filter,
    FullText,
    Namespace,
    Not,
    Number,
    Or,
    Page,
    PageName,
    PageProperty,
    PageTags,
    Priority,
    Property,
    Query,
    QueryError,
    Ref,
    SortBy,
    Target,
    Task,
    Text,
    Value,
    Word,
    scope,
)

_Item = TypeVar("_Item", QueryBlock, QueryPage)
_BlockTest = Callable[[QueryBlock], bool]
_PageTest = Callable[[QueryPage], bool]
_MS_PER_DAY = 86_400_000
_TIMESTAMP_KEYS = {"created-at": ("created-at", "created_at"),
                   "updated-at": ("updated-at", "updated_at", "last-modified-at",
                                  "last_modified_at")}


@dataclass(frozen=True)
class QueryResult:
    kind: str  # "blocks" or "pages"
    blocks: tuple[QueryBlock, ...]  # for kind == "blocks", in order (sorted when sort-by)
    pages: tuple[QueryPage, ...]  # for kind == "pages"
    sort: tuple[str, bool] | None  # (property key, descending) when the query had sort-by


def run_query(query: Query, data: QueryData, *,
              exclude: tuple[str, int] | None = None) -> QueryResult:
    """The blocks or pages ``query`` selects. ``exclude`` is the (page id, index) of the
    block holding the query, which Logseq leaves out of its own results.

    Raises ``QueryError`` for a ``between`` date that names no journal day."""
    run = _Run(data)
    sort = (query.sort.key, query.sort.descending) if query.sort else None
    if query.kind == "pages":
        test = run.page_test(query.filter)
        pages = [page for page in sorted(data.pages.values(), key=_order) if test(page)]
        return QueryResult("pages", (), tuple(_finish(pages, query)), sort)
    block_test = run.block_test(query.filter)
    blocks = [block for block in sorted(data.blocks, key=_order)
              if block_test(block) and (block.page, block.index) != exclude]
    return QueryResult("blocks", tuple(_finish(_top_level(blocks), query)), (), sort)


def _order(item: QueryBlock | QueryPage) -> int:
    return item.order


def _top_level(blocks: list[QueryBlock]) -> list[QueryBlock]:
    """Logseq's ``tree/filter-top-level-blocks``: results whose parent is no result."""
    found = {(block.page, block.index) for block in blocks}
    return [block for block in blocks
            if block.parent is None or (block.page, block.parent) not in found]


def _finish(found: list[_Item], query: Query) -> list[_Item]:
    if query.sample is not None:
        found = found[:query.sample]
    return _sorted(found, query.sort) if query.sort else found


def _combined(item: Filter, test_of: Callable[[Filter], Callable[[_Item], bool]]
              ) -> Callable[[_Item], bool] | None:
    """The test of an ``and``, ``or`` or ``not`` over the tests ``test_of`` makes of its
    parts (blocks and pages alike); None for any other filter."""
    match item:
        case And(items):
            tests = [test_of(inner) for inner in items]
            return lambda found: all(test(found) for test in tests)
        case Or(items):
            tests = [test_of(inner) for inner in items]
            return lambda found: any(test(found) for test in tests)
        case Not(inner):
            test = test_of(inner)
            return lambda found: not test(found)
    return None


@dataclass(frozen=True, slots=True)
class _Wanted:
    """A property value a query asks for, in each form a stored value may take."""

    ids: frozenset[str]
    texts: frozenset[str]
    number: int | float | None
    flag: bool | None


class _Run:
    """One query's evaluation: filters compiled to tests, names resolved once each."""

    def __init__(self, data: QueryData) -> None:
        self.data = data
        self.owners: dict[str, set[str]] = {}
        self.journals: dict[int, str] = {}
        for page in sorted(data.pages.values(), key=_order):
            for alias in page.aliases:
                self.owners.setdefault(alias, set()).add(page.id)
            if page.journal_day is not None:
                self.journals.setdefault(page.journal_day, page.id)

    def block_test(self, item: Filter) -> _BlockTest:
        if scope(item) == {"page"}:
            pages = self._page_ids(item)
            return lambda block: block.page in pages
        if (combined := _combined(item, self.block_test)) is not None:
            return combined
        match item:
            case Ref(target):
                ids = self.with_aliases(self.target_ids(target))
                return lambda block: not ids.isdisjoint(block.path_refs)
            case FullText(text):
                needle = text.casefold()
                return lambda block: needle in block.content.casefold()
            case Task(markers):
                return lambda block: (block.marker or "").upper() in markers
            case Priority(levels):
                return lambda block: (block.priority or "").upper() in levels
            case Page(target):
                ids = self.target_ids(target)
                return lambda block: block.page in ids
            case Between():
                return self._between(item)
            case Property(key, value):
                wanted = self._wanted(value)
                return lambda block: _has(block.properties, key, wanted)
        raise QueryError(f"not a block filter: {type(item).__name__}")

    def page_test(self, item: Filter) -> _PageTest:
        if (combined := _combined(item, self.page_test)) is not None:
            return combined
        match item:
            case PageProperty(key, value):
                wanted = self._wanted(value)
                return lambda page: _has(page.properties, key, wanted)
            case PageTags(tags):
                ids = self.with_aliases(frozenset().union(*map(self.target_ids, tags)))
                return lambda page: not ids.isdisjoint(page.tags)
            case AllPageTags():
                tagged = frozenset().union(*(page.tags for page in self.data.pages.values()))
                return lambda page: page.id in tagged
            case Namespace(target):
                ids = self.target_ids(target)
                return lambda page: page.namespace in ids
        raise QueryError(f"{type(item).__name__} is a block filter, in a page query")

    def _page_ids(self, item: Filter) -> frozenset[str]:
        test = self.page_test(item)
        return frozenset(page.id for page in self.data.pages.values() if test(page))

    def page_id(self, name: str) -> str:
        # A name no page has is still its case-folded self: refs to it can't exist,
        # but a data source that resolves lazily loses nothing.
        return self.data.resolve(name) or name.strip().casefold()

    def target_ids(self, target: Target) -> frozenset[str]:
        if isinstance(target, PageName):
            return frozenset({self.page_id(target.name)})
        journal = self.journals.get(_day_number(_shift(self.data.today, target)))
        return frozenset({journal}) if journal else frozenset()

    def with_aliases(self, ids: Iterable[str]) -> frozenset[str]:
        """The pages plus the aliases they have and the pages they are aliases of."""
        found = set(ids)
        for page_id in list(found):
            for owner in {page_id} | self.owners.get(page_id, set()):
                found.add(owner)
                if (page := self.data.pages.get(owner)) is not None:
                    found |= page.aliases
        return frozenset(found)

    def _wanted(self, value: Value | None) -> _Wanted | None:
        if value is None:
            return None
        if isinstance(value, DayOffset):
            return _Wanted(self.target_ids(value), frozenset(), None, None)
        text = (value.name if isinstance(value, PageName) else value.text).strip()
        number = value.value if isinstance(value, Number) else \
            _number(text) if isinstance(value, Text) else None
        flag = {"true": True, "false": False}.get(text.lower()) \
            if isinstance(value, Word | Text) else None
        ids = self.with_aliases({self.page_id(text)}) if text else frozenset()
        return _Wanted(ids, frozenset({text.casefold()}), number, flag)

    def _between(self, item: Between) -> _BlockTest:
        if item.key is not None:
            return self._between_times(item, item.key)
        low, high = sorted((self._journal_day(item.start), self._journal_day(item.end)))
        days = {page.id: page.journal_day for page in self.data.pages.values()
                if page.journal_day is not None}
        return lambda block: low <= days.get(block.page, low - 1) <= high

    def _journal_day(self, target: Target) -> int:
        if isinstance(target, DayOffset):
            return _day_number(_shift(self.data.today, target))
        page = self.data.pages.get(self.data.resolve(target.name) or "")
        if page is not None and page.journal_day is not None:
            return page.journal_day
        written = " ".join(target.name.split())
        day = parse_journal_file_name(written, self.data.journal_title_format) \
            or _journal_title(target.name)
        if day is None:
            raise QueryError(f"(between ...) takes journal days: '{_one_line(target.name)}' "
                             "is not a journal page's title")
        return _day_number(day)

    def _between_times(self, item: Between, key: str) -> _BlockTest:
        low, high = sorted((self._moment(item.start), self._moment(item.end)))

        def test(block: QueryBlock) -> bool:
            stamp = _timestamp(block.properties, key)
            return stamp is not None and low <= stamp < high
        return test

    def _moment(self, target: Target) -> int:
        """Milliseconds (UTC) for a timestamp bound. A build knows its date, not a clock:
        hours and minutes count from the end of today, days from their midnight."""
        if isinstance(target, DayOffset) and target.unit in ("h", "min"):
            tomorrow = self.data.today + timedelta(days=1)
            step = 3_600_000 if target.unit == "h" else 60_000
            return _midnight_ms(tomorrow) + target.amount * step
        day = self._journal_day(target)
        try:
            return _midnight_ms(_from_day_number(day))
        except ValueError:
            raise QueryError(f"journal day {day} is not a date") from None


def _has(properties: Mapping[str, PropertyData], key: str, wanted: _Wanted | None) -> bool:
    found = _lookup(properties, key)
    return found is not None and (wanted is None or _matches(found, wanted))


def _lookup(properties: Mapping[str, PropertyData], key: str) -> PropertyData | None:
    # Query keys are read with "_" as "-" (as Logseq does); files may keep either.
    for candidate in (key, key.replace("-", "_")):
        if candidate in properties:
            return properties[candidate]
    return None


def _matches(prop: PropertyData, wanted: _Wanted) -> bool:
    if not wanted.ids.isdisjoint(prop.refs):
        return True
    if prop.text.strip().casefold() in wanted.texts:
        return True
    values = prop.value if isinstance(prop.value, tuple) else (prop.value,)
    return any(_same(value, wanted) for value in values)


def _same(value: object, wanted: _Wanted) -> bool:
    if isinstance(value, bool):  # before int: True == 1 must not match (property k 1)
        return wanted.flag is not None and value == wanted.flag
    if isinstance(value, int | float):
        return wanted.number is not None and value == wanted.number
    return isinstance(value, str) and value.strip().casefold() in wanted.texts


def _number(text: str) -> int | float | None:
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        return number if math.isfinite(number) else None
    return None


def _timestamp(properties: Mapping[str, PropertyData], key: str) -> int | float | None:
    for candidate in _TIMESTAMP_KEYS[key]:
        value = properties[candidate].value if candidate in properties else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None


def _sorted(found: list[_Item], sort: SortBy) -> list[_Item]:
    keyed = [(_sort_key(_lookup(item.properties, sort.key)), item) for item in found]
    present = [(key, item) for key, item in keyed if key is not None]
    present.sort(key=lambda pair: pair[0], reverse=sort.descending)  # stable both ways
    return [item for _, item in present] + [item for key, item in keyed if key is None]


def _sort_key(prop: PropertyData | None) -> tuple[int, float, str] | None:
    """Numbers (in number order) before text (case-insensitive)."""
    if prop is None:
        return None
    value = prop.value
    number = value if isinstance(value, int | float) and not isinstance(value, bool) \
        else _number(prop.text.strip())
    if number is not None and not math.isnan(number):
        return (0, number, "")
    return (1, 0, (value if isinstance(value, str) else prop.text).strip().casefold())


# Days ------------------------------------------------------------------------------


def _shift(today: date, offset: DayOffset) -> date:
    """today moved by ``offset``; months and years keep the day of the month where the
    month has it (Jan 31 + 1m is Feb 28 or 29), hours and minutes round toward today."""
    amount, unit = offset.amount, offset.unit
    try:
        if unit in ("m", "y"):
            return _add_months(today, amount * (12 if unit == "y" else 1))
        per_day = {"d": 1, "w": 1, "h": 24, "min": 1440}[unit]
        days = (abs(amount) // per_day) * (1 if amount >= 0 else -1)
        return today + timedelta(days=days * (7 if unit == "w" else 1))
    except (OverflowError, ValueError):
        raise QueryError(f"{amount:+d}{unit} from {today.isoformat()} is outside the "
                         "calendar") from None


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1] if 1 <= year <= 9999 else 31
    return date(year, month + 1, min(day.day, last))


def _day_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _from_day_number(number: int) -> date:
    return date(number // 10000, number // 100 % 100, number % 100)


def _midnight_ms(day: date) -> int:
    return calendar.timegm(day.timetuple()) * 1000


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_NUMBERS = {name: number for number, full in enumerate(_MONTHS, 1)
                  for name in (full, full[:3])} | {"sept": 9}
_TITLE = re.compile(r"([a-z]+)\.? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})")
_NUMERIC = re.compile(
    r"([0-9]{4})([-_/.])([0-9]{1,2})\2([0-9]{1,2})|([0-9]{4})([0-9]{2})([0-9]{2})")


def _journal_title(name: str) -> date | None:
    """The day a journal title names when no page of that title exists and the graph's
    own title format does not read it: Logseq's default ``MMM do, yyyy`` ("Dec 5th,
    2020") or a numeric year-month-day."""
    text = " ".join(name.replace(":", "").split()).lower()
    if found := _TITLE.fullmatch(text):
        parts = (int(found[3]), _MONTH_NUMBERS.get(found[1], 0), int(found[2]))
    elif found := _NUMERIC.fullmatch(text):
        year, month, day = (found[1], found[3], found[4]) if found[1] else found.group(5, 6, 7)
        parts = (int(year), int(month), int(day))
    else:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def _one_line(text: str) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


__all__ = ["QueryResult", "run_query"]
