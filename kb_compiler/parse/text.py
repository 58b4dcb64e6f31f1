"""Text primitives every dialect's inline scanner shares: masking code so nothing in it
is read as a link, bracket matching with a depth counter, and offset -> line/column."""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Sequence

# A line opening (or closing) a code fence, in a Logseq bullet too: a backtick fence's
# info string holds no backtick (CommonMark): "```a`" is inline code.
FENCE_OPEN = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(`{3,}(?=[^`\n]*$)|~{3,})")


def mask_code(text: str, *, spans: bool = True) -> str:
    """``text`` with the contents of fenced code blocks and inline code spans replaced by
    spaces (newlines kept), so offsets and line numbers stay valid while no link, tag or
    macro inside code is ever seen. Fences may sit inside a Logseq bullet (``- ```py``).
    An unterminated fence masks to the end of the text, as Markdown renders it. With
    ``spans`` False only fences are blanked."""
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            match = FENCE_OPEN.match(line)
            if match:
                fence = match.group(1)[0] * len(match.group(1))
                out.append(line[: match.end()] + " " * (len(line) - match.end()))
                continue
            out.append(blank_code_spans(line) if spans else line)
        else:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
                out.append(line)
            else:
                out.append(" " * len(line))
    return "\n".join(out)


def blank_code_spans(line: str, html: Sequence[tuple[int, int]] = ()) -> str:
    """Blank the inside of `code` spans in ``line`` (CommonMark: a run of n backticks
    closes only at the next run of exactly n backticks; a backslash before a run's
    first backtick makes that one text). Newlines are kept, so ``line`` may be the lines
    of one paragraph, over which a span may run. ``html``: the sorted spans of inline
    HTML (tags, comments) in ``line``; one that opens before a backtick run makes it
    text (CommonMark reads left to right, and HTML beats code)."""
    if "`" not in line:
        return line
    chars = list(line)
    resume, next_html = 0, 0  # where reading last resumed after a span; html to look at
    i = line.find("`")
    while i >= 0:
        if is_escaped(line, i):
            i = line.find("`", i + 1)
            continue
        while next_html < len(html) and (html[next_html][0] < resume
                                         or html[next_html][1] <= i):
            next_html += 1
        if next_html < len(html) and html[next_html][0] < i:
            resume = html[next_html][1]
            i = line.find("`", resume)
            continue
        run_end = i
        while run_end < len(line) and line[run_end] == "`":
            run_end += 1
        close = find_backtick_run(line, run_end, run_end - i)
        if close < 0:
            i = line.find("`", run_end)
            continue
        for j in range(run_end, close):
            if chars[j] != "\n":
                chars[j] = " "
        resume = close + run_end - i
        i = line.find("`", resume)
    return "".join(chars)


def is_escaped(text: str, at: int) -> bool:
    """An odd run of backslashes just before ``at``: the character there is literal
    text (``\\[[``, ``\\![[``, ``\\<!--``, a backslash before a backtick)."""
    start = at
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (at - start) % 2 == 1


def find_backtick_run(line: str, start: int, width: int, stop: int = -1) -> int:
    """Where the next run of exactly ``width`` backticks from ``start`` begins (ending
    before ``stop`` when it is not -1), or -1."""
    pos = start
    end_of_search = stop if stop >= 0 else len(line)
    while True:
        pos = line.find("`" * width, pos, end_of_search)
        if pos < 0:
            return -1
        end = pos + width
        if (pos == 0 or line[pos - 1] != "`") and (end >= len(line) or line[end] != "`"):
            return pos
        while end < len(line) and line[end] == "`":
            end += 1
        pos = end


class NextOccurrence:
    """``str.find`` over one text, remembering each needle's last answer: asked again
    from a later start, the same answer holds while it lies at or after that start, so
    a line of a thousand openers costs one search for their closer, not a thousand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[str, int] = {}

    def find(self, needle: str, start: int) -> int:
        found = self._found.get(needle, -2)
        if found == -1 or found >= start:
            return found
        found = self._found[needle] = self.text.find(needle, start)
        return found


def match_brackets(text: str, start: int, open_: str = "[[", close: str = "]]") -> int:
    """Given ``text[start:]`` beginning with ``open_``, return the index just past the
    matching ``close`` (nesting counted), or -1 when it is unterminated on that line.

    On a long line of doubled brackets (``[[``/``]]``, ``((``/``))``...) the answer comes
    from an index of the whole text built once: scanning to the end of the line for every
    unclosed ``[[`` of a hostile 5 MB line of ``[[a [[a ...`` would take hours."""
    # Only the next _LONG_LINE characters are searched: finding the end of a 5 MB line
    # for each of its brackets would be quadratic in itself.
    short = text.find("\n", start, start + _LONG_LINE) >= 0 or len(text) - start < _LONG_LINE
    if (not short and _doubled(open_) and _doubled(close)
            and open_ != close and text.startswith(open_, start)):
        return _bracket_index(text, open_, close).match(start)
    return _scan_brackets(text, start, open_, close)


# Lines shorter than this are scanned directly: indexing costs more than it saves.
_LONG_LINE = 2048


def _doubled(token: str) -> bool:
    return len(token) == 2 and token[0] == token[1]


def _scan_brackets(text: str, start: int, open_: str, close: str) -> int:
    depth = 0
    i = start
    end = len(text)
    while i < end:
        if text.startswith(open_, i):
            depth += 1
            i += len(open_)
        elif text.startswith(close, i):
            depth -= 1
            i += len(close)
            if depth == 0:
                return i
        elif text[i] == "\n":
            return -1
        else:
            i += 1
    return -1


class _BracketIndex:
    """Every ``open_`` of a text paired with its ``close``, in one pass.

    A forward scan splits a run of opening characters into doubled tokens from wherever
    it starts, so the index tokenizes each run from its first character and answers a
    start inside a run through the indexed start that leaves as many tokens in the run
    (the rest of the line is then read identically)."""

    def __init__(self, text: str, open_: str, close: str):
        opening = re.escape(open_[0])
        tokens = re.compile(f"{opening}{{2,}}|{re.escape(close[0])}{{2,}}|\n")
        self.run_starts: list[int] = []
        self.run_ends: list[int] = []
        self.pairs: dict[int, int] = {}
        stack: list[int] = []
        for found in tokens.finditer(text):
            first, end = found.span()
            if found.group() == "\n":
                stack.clear()  # brackets never close across lines
            elif text[first] == open_[0]:
                self.run_starts.append(first)
                self.run_ends.append(end)
                stack.extend(range(first, end - 1, 2))
            else:
                for position in range(first, end - 1, 2):
                    if stack:
                        self.pairs[stack.pop()] = position + 2

    def match(self, start: int) -> int:
        run = bisect.bisect_right(self.run_starts, start) - 1
        first, end = self.run_starts[run], self.run_ends[run]
        remaining = (end - start) // 2
        for candidate in (start, start - 1, start + 1):
            if (candidate >= first and (candidate - first) % 2 == 0
                    and (end - candidate) // 2 == remaining):
                return self.pairs.get(candidate, -1)
        return -1


@functools.lru_cache(maxsize=4)
def _bracket_index(text: str, open_: str, close: str) -> _BracketIndex:
    # Keyed by the text itself: the renderer asks about every "[[" of the same string.
    return _BracketIndex(text, open_, close)


class LineIndex:
    """Maps offsets in a text to 1-based (line, column)."""

    def __init__(self, text: str, first_line: int = 1):
        starts = [0]
        find = text.find
        at = find("\n")
        while at >= 0:  # str.find beats a regex scan on the short texts of most blocks
            starts.append(at + 1)
            at = find("\n", at + 1)
        self._starts = starts
        self._first_line = first_line

    def position(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._starts, offset) - 1
        return row + self._first_line, offset - self._starts[row] + 1


@functools.cache
def combining_marks() -> str:
    """A regular expression's character class (brackets included) of every combining
    mark (Unicode categories Mn, Mc, Me). ``\\w`` leaves them out, though they belong to
    the letter before them: a Devanagari vowel sign, the accent of a decomposed ``é``
    (as macOS writes names). Built on first use: it takes a few tens of milliseconds."""
    ranges: list[str] = []
    # No marks below U+0300, nor in the planes of CJK ideographs and private use.
    for low, high in ((0x300, 0x20000), (0xE0000, 0xE1000)):
        start = None
        for code in range(low, high + 1):
            is_mark = code < high and unicodedata.category(chr(code))[0] == "M"
            if is_mark and start is None:
                start = code
            elif not is_mark and start is not None:
                ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
                start = None
    return f"[{''.join(ranges)}]"
