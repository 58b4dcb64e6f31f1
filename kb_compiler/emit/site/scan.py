"""Linear-time lookups for the inline rules on long, hostile lines.

markdown-it calls an inline rule at every position where the text rule stops. A rule
that searches forward from there (for ``]]``, ``}}`` or ``==``) costs the rest of the
line each time, which is quadratic on a line of 50,000 unclosed ``[[``. ``Scanner``
indexes a source once per render (every occurrence of a needle; bracket pairs through
``parse.text.match_brackets``, which indexes them once per text), so
each rule's question is a binary search or a table read.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TypeVar

from markdown_it.rules_inline import StateInline

from kb_compiler.parse.logseq_html import RawHtml
from kb_compiler.parse.text import is_escaped, match_brackets

_Indexed = TypeVar("_Indexed", "Scanner", RawHtml)

SHORT = 2_000  # below this, plain string searches are as cheap as any index
_RUN = re.compile(r"\[{2,}")
_BACKSLASHES_BRACKET = re.compile(r"\\*[\[\]]")


class Scanner:
    """Occurrences of needles in one source string, and its ``[[``/``]]`` pairs."""

    def __init__(self, src: str) -> None:
        self.src = src
        self._positions: dict[str, list[int]] = {}
        self._runs: list[int] | None = None  # where each run of "[[" or more starts
        self._brackets: list[int] | None = None  # where each unescaped bracket is

    def find(self, needle: str, start: int, stop: int | None = None) -> int:
        """Like ``str.find``: the first ``needle`` at or after ``start`` (and starting
        before ``stop``), or -1."""
        if len(self.src) < SHORT:
            found = self.src.find(needle, start)
            return found if found >= 0 and (stop is None or found < stop) else -1
        positions = self._positions.get(needle)
        if positions is None:
            positions = self._positions[needle] = _occurrences(self.src, needle)
        index = bisect.bisect_left(positions, start)
        if index == len(positions) or (stop is not None and positions[index] >= stop):
            return -1
        return positions[index]

    def opens(self, start: int) -> bool:
        """Whether the ``[[`` at ``start`` is one the parser reads: it reads a run of
        ``[`` two by two from its first, so ``[[[[Page]]`` opens at 0 and 2, not 1."""
        if start == 0 or self.src[start - 1] != "[":
            return True
        if self._runs is None:  # an escaped first "[" is text: "\\[[[A]]" opens at 2
            self._runs = [match.start() + is_escaped(self.src, match.start())
                          for match in _RUN.finditer(self.src)]
        starts = self._runs
        run = bisect.bisect_right(starts, start) - 1
        return (start - starts[run]) % 2 == 0

    def has_bracket(self, start: int, stop: int) -> bool:
        """Whether a ``[`` or ``]`` no backslash escapes lies in ``src[start:stop]``."""
        if self._brackets is None:  # a run of backslashes escapes when it is odd
            self._brackets = [match.end() - 1 for match in _BACKSLASHES_BRACKET.finditer(self.src)
                              if (match.end() - match.start()) % 2 == 1]
        index = bisect.bisect_left(self._brackets, start)
        return index < len(self._brackets) and self._brackets[index] < stop

    def closing(self, start: int) -> int:
        """Index just past the ``]]`` that closes the ``[[`` at ``start`` (nesting
        counted, on one line), or -1: ``match_brackets``, which indexes a long line's
        brackets once (a run such as ``[[x][[[x][`` is read the way a scan from
        ``start`` reads it)."""
        return match_brackets(self.src, start)


def _occurrences(src: str, needle: str) -> list[int]:
    found: list[int] = []
    position = src.find(needle)
    while position >= 0:
        found.append(position)
        position = src.find(needle, position + 1)
    return found


def scanner(state: StateInline) -> Scanner:
    """The scanner of the source being parsed (one per source per render)."""
    return _per_source(state, "kbc_scanners", Scanner)


def raw_html(state: StateInline) -> RawHtml:
    """Logseq's raw HTML spans in the source being parsed (one reader per source)."""
    return _per_source(state, "kbc_raw_html", RawHtml)


def _per_source(state: StateInline, kind: str, make: Callable[[str], _Indexed]) -> _Indexed:
    cache = state.env.setdefault(kind, {})
    found = cache.get(id(state.src))
    if found is None or found.src is not state.src:
        found = cache[id(state.src)] = make(state.src)
    return found
