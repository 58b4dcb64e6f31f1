"""Logseq's advanced queries (``#+BEGIN_QUERY`` ... ``#+END_QUERY``): an EDN map whose
``:query`` is Datalog (``[:find ...]``) or a simple query (``(page-property :type
[[Feature]])``, or the same as a string), with a ``:title`` and options.

A static site cannot run Datalog, nor ``:view`` and ``:result-transform`` (ClojureScript
functions), but an advanced query whose ``:query`` is a simple one is run as
``{{query}}`` is. ``read_advanced`` says which it is, and raises ``QueryError`` for a
text Logseq cannot use: not EDN, not a map, no ``:query``, a Datalog vector without
``:find``, or a simple query that does not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb_compiler.edn import EdnError, Keyword, read_edn
from kb_compiler.queries.dsl import parse_query
from kb_compiler.queries.syntax import Query, QueryError

# What changes how results are drawn, by code a static site cannot run.
_CODE_OPTIONS = ("view", "result-transform")
# Strings, comments and brackets: enough to find where a top-level value starts and ends.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*|[\[\](){}]|[^\s,\[\](){}";]+')
_OPEN, _CLOSE = frozenset("[({"), frozenset("])}")


@dataclass(frozen=True, slots=True)
class AdvancedQuery:
    """An advanced query as the site can use it.

    ``query`` is the simple query to run, or None when it is Datalog or its results go
    through code (``reason`` says which). ``title`` is a plain title, ``title_hiccup``
    the source of a hiccup one (``[:h3 "Tasks"]``).
    """

    query: Query | None
    reason: str = ""
    title: str | None = None
    title_hiccup: str | None = None
    collapsed: bool = False  # ``:collapsed? true``: the results start folded


def read_advanced(text: str) -> AdvancedQuery:
    """The advanced query written ``text`` (what is between the markers)."""
    try:
        form = read_edn(text)
    except EdnError as error:
        raise QueryError(f"not EDN: {error} (line {error.line})") from None
    if not isinstance(form, dict):
        raise QueryError("an advanced query is a map: {:query ... :title ...}")
    if "query" not in form:
        raise QueryError("the map has no :query")
    title, title_hiccup = _title(text, form.get("title"))
    value = form["query"]
    if isinstance(value, list):  # a vector: Datalog
        if Keyword("find") not in value:
            raise QueryError("a Datalog :query is a vector [:find ... :where ...]")
        return AdvancedQuery(None, "Datalog runs in the app only", title, title_hiccup)
    written = value if isinstance(value, str) else top_level_value(text, "query")
    if written is None:
        raise QueryError(":query is neither Datalog, nor a simple query")
    query = parse_query(written)
    code = [f":{name}" for name in _CODE_OPTIONS if name in form]
    if code:
        reason = f"{' and '.join(code)} run in the app only"
        return AdvancedQuery(None, reason, title, title_hiccup)
    return AdvancedQuery(query, "", title, title_hiccup, form.get("collapsed?") is True)


def top_level_value(text: str, key: str) -> str | None:
    """The source text of ``key``'s value in the EDN map ``text``, as written (the
    reader turns ``[[page]]`` into nested vectors and drops ``#tag``; the query's own
    reader wants the text)."""
    tokens = [token for token in _TOKEN.finditer(text) if token.group()[0] != ";"]
    depth = 0
    for at, token in enumerate(tokens):
        value = token.group()
        if depth == 1 and value == f":{key}" and at + 1 < len(tokens):
            return _form_at(text, tokens[at + 1:])
        if value in _OPEN:
            depth += 1
        elif value in _CLOSE:
            depth -= 1
    return None


def _form_at(text: str, tokens: list[re.Match[str]]) -> str | None:
    """The whole form ``tokens`` start with: one atom, or a bracket to its match."""
    first = tokens[0]
    if first.group() in _CLOSE:
        return None
    if first.group() not in _OPEN:
        return first.group()
    depth = 0
    for token in tokens:
        if token.group() in _OPEN:
            depth += 1
        elif token.group() in _CLOSE:
            depth -= 1
            if depth == 0:
                return text[first.start():token.end()]
    return None


def _title(text: str, value: object) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return value, None
    if isinstance(value, list) and value and isinstance(value[0], Keyword):
        return None, top_level_value(text, "title")
    return None, None
