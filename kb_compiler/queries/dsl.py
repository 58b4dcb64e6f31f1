"""Logseq simple queries (``{{query ...}}``) read into a small AST.

The language is the one Logseq's file graphs read (``frontend.db.query-dsl``): page
references ``[[p]]``, tags ``#t`` / ``#[[t t]]``, quoted text (a full-text search),
``and`` / ``or`` / ``not`` around filters, and the filters ``task`` (old name ``todo``),
``priority``, ``between``, ``property``, ``page``, ``page-property``, ``page-tags``,
``all-page-tags``, ``namespace``, ``sort-by``, ``sample`` and ``full-text-search``.
Operator and filter names are case-insensitive, as there.

Where Logseq silently drops a malformed piece (an unknown filter, ``(task)`` with no
marker, a wrong argument count) this reader raises ``QueryError`` instead: a build can
say what is wrong, where Logseq shows an empty result. Logseq fills in ``<% today %>``
and other dynamic variables before reading a query (``frontend.template``); the ones
that name a day are read here as that day's journal page, relative to the build's date.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
    QueryNeedsContext,
    Ref,
    SortBy,
    Target,
    Task,
    Text,
    Value,
    Word,
    scope,
)

_MAX_DEPTH = 64
_QUOTE_HINT = "quote a value with spaces"


def parse_query(text: str) -> Query:
    """The query inside ``{{query ...}}``; bare words are a full-text search for them."""
    source = text.strip()
    forms = _read(source)
    if not forms:
        raise QueryError("empty query: give it a filter, e.g. [[page]] or (task todo)")
    if all(isinstance(form, Word | Number) for form in forms):
        return Query(FullText(source), "blocks")
    if len(forms) > 1:
        raise QueryError("more than one filter at the top level: "
                         "wrap them in (and ...) or (or ...)")
    extras = _Extras()
    found = _filter(forms[0], extras)
    if found is None:
        raise QueryError("the query only sorts or samples: it has no filter to match")
    kind = "blocks" if "block" in scope(found) else "pages"
    return Query(found, kind, extras.sort, extras.sample)


# Reading: text -> nested forms ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Seq:
    items: tuple[_Form, ...]
    vector: bool


_Form = Value | _Seq
# Every character lands in one group; an "open_" group is a token left unclosed.
_TOKENS = re.compile(r"""
    (?P<space>[\s,]+)
  | (?P<ref>\#?\[\[.*?\]\])
  | (?P<open_ref>\#?\[\[)
  | (?P<dynamic><%.*?%>)
  | (?P<open_dynamic><%)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<open_string>")
  | (?P<open>[(\[])
  | (?P<close>[)\]])
  | (?P<brace>[{}])
  | (?P<atom>[^\s,()\[\]{}"]+)
""", re.DOTALL | re.VERBOSE)
_UNCLOSED = {"open_ref": ("[[", "]]"), "open_dynamic": ("<%", "%>"), "open_string": '""'}
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][+-]?[0-9]+)?")
_PLACEHOLDER = re.compile(r"\$[0-9]+")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _read(text: str) -> list[_Form]:
    """The top-level forms: commas are whitespace, as to an EDN reader."""
    forms: list[_Form] = []
    stack: list[tuple[int, str, list[_Form]]] = []
    for found in _TOKENS.finditer(text):
        kind, token, at = found.lastgroup or "", found.group(), found.start() + 1
        if kind == "open":
            if len(stack) >= _MAX_DEPTH:
                raise QueryError(f"the query nests lists more than {_MAX_DEPTH} deep")
            stack.append((at, token, []))
        elif kind == "close":
            if not stack:
                raise QueryError(f"unbalanced '{token}' at character {at}")
            start, opener, items = stack.pop()
            if "([".index(opener) != ")]".index(token):
                raise QueryError(f"'{token}' at character {at} closes the '{opener}' at "
                                 f"character {start}")
            (stack[-1][2] if stack else forms).append(_Seq(tuple(items), opener == "["))
        elif kind != "space":
            (stack[-1][2] if stack else forms).append(_token_form(kind, token, at))
    if stack:
        start, opener, _ = stack[-1]
        closer = ")" if opener == "(" else "]"
        raise QueryError(f"missing '{closer}' for the '{opener}' at character {start}")
    return forms


def _token_form(kind: str, token: str, at: int) -> Value:
    if kind in _UNCLOSED:
        opener, closer = _UNCLOSED[kind]
        raise QueryError(f"'{opener}' at character {at} has no closing '{closer}'")
    if kind == "brace":
        raise QueryError(f"unexpected '{token}' at character {at}: queries have no maps")
    if kind == "ref":
        name = token.removeprefix("#")[2:-2].strip()
        if not name:
            raise QueryError(f"empty page reference at character {at}")
        return PageName(name)
    if kind == "dynamic":
        return _dynamic_day(token[2:-2])
    if kind == "string":
        return Text(_ESCAPE.sub(lambda esc: {"n": "\n", "t": "\t"}.get(esc[1], esc[1]),
                                token[1:-1]))
    if token.startswith("#"):
        if len(token) == 1:
            raise QueryError(f"'#' at character {at} has no tag name")
        return PageName(token[1:])
    return _atom(token)


def _atom(token: str) -> Value:
    if _PLACEHOLDER.fullmatch(token):
        raise QueryNeedsContext(f"'{token}' is a macro argument placeholder, filled in "
                                "when the macro is used: this is a macro's template")
    try:
        if _INT.fullmatch(token):
            return Number(int(token), token)
        if _FLOAT.fullmatch(token):
            return Number(float(token), token)
    except ValueError:  # an int too long for Python's int() is just a word
        pass
    return Word(token)


_DAY_WORDS = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1}
_AGO = re.compile(r"([0-9]{1,6}) (day|week|month|year)s? ago")
_AHEAD = re.compile(r"in ([0-9]{1,6}) (day|week|month|year)s?")


def _dynamic_day(inner: str) -> DayOffset:
    """The day a ``<% ... %>`` names; Logseq turns it into that journal's [[title]]."""
    spoken = " ".join(inner.split()).lower()
    if spoken in _DAY_WORDS:
        return DayOffset(_DAY_WORDS[spoken], "d")
    if found := _AGO.fullmatch(spoken):
        return DayOffset(-int(found[1]), found[2][0])
    if found := _AHEAD.fullmatch(spoken):
        return DayOffset(int(found[1]), found[2][0])
    if spoken == "current page":
        raise QueryNeedsContext("'<% current page %>' is the page showing the query, "
                                "which a query run at build time does not know")
    shown = " ".join(inner.split())[:40]
    raise QueryError(f"'<% {shown} %>' can't be worked out at build time: use today, "
                     "yesterday, tomorrow, 'N days ago' or 'in N days' (or weeks, "
                     "months, years)")


# Interpreting: forms -> filters -----------------------------------------------------


@dataclass
class _Extras:
    """sort-by and sample: Logseq applies them to the results wherever they appear."""

    sort: SortBy | None = None
    sample: int | None = None


def _show(form: _Form) -> str:
    if isinstance(form, _Seq):
        return "[...]" if form.vector else "(...)"
    if isinstance(form, DayOffset):
        return "a <% %> date"
    if isinstance(form, PageName):
        shown = f"[[{form.name}]]"
    else:
        shown = f'"{form.text}"' if isinstance(form, Text) else f"'{form.text}'"
    shown = " ".join(shown.split())
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _filter(form: _Form, extras: _Extras) -> Filter | None:
    if isinstance(form, PageName | DayOffset):
        return Ref(form)
    if isinstance(form, Text):
        return _text_filter(form.text)
    if isinstance(form, Word | Number):
        shown = _show(form)
        raise QueryError(f"{shown} is not a filter: quote it to search for the text, or "
                         "write it as [[...]] for the page")
    if form.vector:
        raise QueryError("'[...]' is not a filter: square brackets group values inside "
                         "one, e.g. (task [todo doing])")
    if not form.items:
        raise QueryError("'()' is empty: a list starts with a filter name, e.g. (task todo)")
    head, args = form.items[0], form.items[1:]
    if not isinstance(head, Word):
        raise QueryError(f"a list starts with a filter name, not {_show(head)}")
    name = head.text.lower()
    if name in ("and", "or", "not"):
        return _operator(name, args, extras)
    if name == "sort-by":
        extras.sort = _sort_by(args, extras.sort)
        return None
    if name == "sample":
        extras.sample = _sample(args, extras.sample)
        return None
    build = _BUILDERS.get(name)
    if build is None:
        near = difflib.get_close_matches(name, [*_BUILDERS, "and", "or", "not", "sort-by",
                                                "sample"], n=1)
        hint = f": did you mean '{near[0]}'?" if near else ""
        raise QueryError(f"unknown filter '{head.text}'{hint}")
    return build(name, args)


def _quoted_ref(text: str) -> str | None:
    """The page name of a quoted "[[name]]": Logseq quotes every [[ref]] before reading,
    so the two are the same to it."""
    inner = text.strip()
    if inner.startswith("[[") and inner.endswith("]]") and "]]" not in inner[2:-2]:
        return inner[2:-2].strip() or None
    return None


def _text_filter(text: str) -> Filter:
    if name := _quoted_ref(text):
        return Ref(PageName(name))
    if not text.strip():
        raise QueryError('empty text search: "" matches nothing')
    return FullText(text)


def _operator(name: str, args: tuple[_Form, ...], extras: _Extras) -> Filter | None:
    if not args:
        raise QueryError(f"'({name})' is empty: give it at least one filter")
    items = tuple(found for arg in args if (found := _filter(arg, extras)) is not None)
    if not items:
        return None
    if name == "not":
        return Not(items[0] if len(items) == 1 else And(items))
    if len(items) == 1:
        return items[0]
    # Datalog's or needs every branch to bind the same variables (?b or ?p): Logseq's
    # query fails on this mix, so there is no meaning of its to follow.
    if name == "or" and len({scope(item) for item in items}) > 1:
        raise QueryError("(or ...) can't mix page filters (page-property, page-tags, "
                         "all-page-tags, namespace) with block filters")
    return And(items) if name == "and" else Or(items)


def _flat(args: tuple[_Form, ...]) -> Iterator[_Form]:
    """Arguments with [vectors] opened: (task [now later]) is (task now later)."""
    for arg in args:
        if isinstance(arg, _Seq) and arg.vector:
            yield from arg.items
        else:
            yield arg


def _word(form: _Form) -> str | None:
    if isinstance(form, Word):
        return form.text.removeprefix(":")  # a :keyword names what the word does
    if isinstance(form, Text | Number):
        return form.text.strip()
    return None


def _names(name: str, args: tuple[_Form, ...]) -> frozenset[str]:
    example = "todo or done" if name != "priority" else "a or b"
    found: set[str] = set()
    for arg in _flat(args):
        word = _word(arg)
        if not word:
            raise QueryError(f"({name} ...) takes names such as {example}, not {_show(arg)}")
        found.add(word.upper())
    if not found:
        raise QueryError(f"({name}) needs at least one name, such as {example}")
    return frozenset(found)


_RELATIVE = re.compile(r"([+-]?[0-9]{1,9})(min|[dwmyh])")
_TIMESTAMP_KEYS = {"created-at": "created-at", "updated-at": "updated-at",
                   "last-modified-at": "updated-at"}


def _between(name: str, args: tuple[_Form, ...]) -> Filter:
    if len(args) == 2:
        return Between(_day(args[0]), _day(args[1]))
    if len(args) == 3:
        key = _TIMESTAMP_KEYS.get(_key(name, args[0]))
        if key is None:
            raise QueryError("(between key start end) works with created-at or updated-at")
        return Between(_day(args[1]), _day(args[2]), key)
    raise QueryError("(between start end) takes two dates, e.g. (between -7d today)")


def _day(form: _Form) -> Target:
    if isinstance(form, PageName | DayOffset):
        return form
    word = _word(form)
    if word and isinstance(form, Word | Text):
        lowered = word.lower()
        if lowered in _DAY_WORDS:  # now as hours: a timestamp range ends at the clock
            return DayOffset(_DAY_WORDS[lowered], "h" if lowered == "now" else "d")
        if found := _RELATIVE.fullmatch(lowered):
            return DayOffset(int(found[1]), found[2])
        if isinstance(form, Text):
            return PageName(word)
    if isinstance(form, Number):
        raise QueryError(f"{_show(form)} needs a unit: d, w, m, y, h or min, e.g. -7d")
    raise QueryError("(between ...) takes dates such as today, -7d or [[Dec 5th, 2020]], "
                     f"not {_show(form)}")


def _key(name: str, form: _Form) -> str:
    word = _word(form)
    if not word or isinstance(form, Number):
        raise QueryError(f"({name} ...) needs a property name first, not {_show(form)}")
    return word.lower().replace("_", "-")


def _property(name: str, args: tuple[_Form, ...]) -> Filter:
    if not 1 <= len(args) <= 2:
        raise QueryError(f"({name} key value) takes a key and at most one value: "
                         f"{_QUOTE_HINT}")
    key = _key(name, args[0])
    value = args[1] if len(args) == 2 else None
    if isinstance(value, _Seq):
        raise QueryError(f"({name} {key} ...) takes one word, number, \"text\" or [[page]]")
    return Property(key, value) if name == "property" else PageProperty(key, value)


def _target(name: str, form: _Form) -> Target:
    if isinstance(form, PageName | DayOffset):
        return form
    word = form.text.strip() if isinstance(form, Word | Text | Number) else ""
    if not word:
        raise QueryError(f"({name} ...) takes page names, not {_show(form)}")
    return PageName(_quoted_ref(word) or word)


def _one_page(name: str, args: tuple[_Form, ...]) -> Filter:
    if len(args) != 1:
        raise QueryError(f"({name} ...) takes one page name: {_QUOTE_HINT}, "
                         f'e.g. ({name} "my page")')
    target = _target(name, args[0])
    return Page(target) if name == "page" else Namespace(target)


def _page_tags(name: str, args: tuple[_Form, ...]) -> Filter:
    tags = tuple(_target(name, arg) for arg in _flat(args))
    if not tags:
        raise QueryError("(page-tags) needs at least one tag, e.g. (page-tags book)")
    return PageTags(tags)


def _all_page_tags(name: str, args: tuple[_Form, ...]) -> Filter:
    if args:
        raise QueryError("(all-page-tags) takes nothing")
    return AllPageTags()


def _full_text(name: str, args: tuple[_Form, ...]) -> Filter:
    word = _word(args[0]) if len(args) == 1 else None
    if not word:
        raise QueryError('(full-text-search "text") takes one text')
    return FullText(word)


def _sort_by(args: tuple[_Form, ...], earlier: SortBy | None) -> SortBy:
    if earlier is not None:
        raise QueryError("more than one (sort-by ...) in the query")
    if not 1 <= len(args) <= 2:
        raise QueryError("(sort-by key) or (sort-by key asc|desc)")
    key = _key("sort-by", args[0])
    order = (_word(args[1]) or "").lower() if len(args) == 2 else "desc"
    if order not in ("asc", "desc"):
        raise QueryError(f"(sort-by {key} ...) sorts asc or desc, not {_show(args[1])}")
    return SortBy(key, order == "desc")


def _sample(args: tuple[_Form, ...], earlier: int | None) -> int:
    if earlier is not None:
        raise QueryError("more than one (sample ...) in the query")
    count = args[0] if len(args) == 1 else None
    if not isinstance(count, Number) or not isinstance(count.value, int) or count.value < 1:
        raise QueryError("(sample n) takes one whole number above 0")
    return count.value


_BUILDERS: dict[str, Callable[[str, tuple[_Form, ...]], Filter]] = {
    "task": lambda name, args: Task(_names(name, args)),
    "todo": lambda name, args: Task(_names(name, args)),
    "priority": lambda name, args: Priority(_names(name, args)), "between": _between,
    "property": _property, "page-property": _property, "page": _one_page,
    "namespace": _one_page, "page-tags": _page_tags, "all-page-tags": _all_page_tags,
    "full-text-search": _full_text,
}


__all__ = ["Filter", "Query", "QueryError", "SortBy", "Target", "Value", "parse_query",
           "scope"]
