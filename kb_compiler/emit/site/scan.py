"""Linear-time lookups for the inline rules on long, hostile lines.

markdown-it calls an inline rule at every position where the text rule stops. A rule
that searches forward from there (for ``]]``, ``}}`` or ``==``) costs the rest of the
line each time, which is quadratic on a line of 50,000 unclosed ``[[``. ``Scanner``
indexes a source once per render (every occurrence of a needle, every bracket pair), so
each rule's question is a binary search or a table read.
"""

from __future__ import annotations

import bisect
import re

from markdown_it.rules_inline import StateInline

from kb_compiler.parse.text import match_brackets

SHORT = 2_000  # below this, plain string searches are as cheap as any index
_BRACKETS = re.compile(r"\[\[|\]\]|\n")


class Scanner:
    """Occurrences and ``[[``/``]]`` pairs of one source string."""

    def __init__(self, src: str) -> None:
        self.src = src
        self._positions: dict[str, list[int]] = {}
        self._pairs: dict[int, int] | None = None

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

    def closing(self, start: int) -> int:
        """Index just past the ``]]`` that closes the ``[[`` at ``start`` (nesting
        counted, on one line), or -1."""
        if len(self.src) < SHORT:
            return match_brackets(self.src, start)
        if self._pairs is None:
            self._pairs = _pairs(self.src)
        found = self._pairs.get(start)
        if found is not None:
            return found
        return match_brackets(self.src[: start + SHORT], start)


def _occurrences(src: str, needle: str) -> list[int]:
    found: list[int] = []
    position = src.find(needle)
    while position >= 0:
        found.append(position)
        position = src.find(needle, position + 1)
    return found


def _pairs(src: str) -> dict[int, int]:
    """``[[`` position -> end of its ``]]`` (-1 when unclosed on its line)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for match in _BRACKETS.finditer(src):
        token = match.group(0)
        if token == "[[":
            stack.append(match.start())
        elif token == "]]":
            if stack:
                pairs[stack.pop()] = match.end()
        else:
            for opened in stack:
                pairs[opened] = -1
            stack.clear()
    for opened in stack:
        pairs[opened] = -1
    return pairs


def scanner(state: StateInline) -> Scanner:
    """The scanner of the source being parsed (one per source per render)."""
    cache = state.env.setdefault("kbc_scanners", {})
    found = cache.get(id(state.src))
    if found is None or found.src is not state.src:
        found = cache[id(state.src)] = Scanner(state.src)
    return found
