"""Text primitives every dialect's inline scanner shares: masking code so nothing in it
is read as a link, bracket matching with a depth counter, and offset -> line/column."""

from __future__ import annotations

import bisect
import re

_FENCE_OPEN = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(`{3,}|~{3,})")


def mask_code(text: str) -> str:
    """``text`` with the contents of fenced code blocks and inline code spans replaced by
    spaces (newlines kept), so offsets and line numbers stay valid while no link, tag or
    macro inside code is ever seen. Fences may sit inside a Logseq bullet (``- ```py``).
    An unterminated fence masks to the end of the text, as Markdown renders it."""
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            match = _FENCE_OPEN.match(line)
            if match:
                fence = match.group(1)[0] * len(match.group(1))
                out.append(line[: match.end()] + " " * (len(line) - match.end()))
                continue
            out.append(_mask_code_spans(line))
        else:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
                out.append(line)
            else:
                out.append(" " * len(line))
    return "\n".join(out)


def _mask_code_spans(line: str) -> str:
    """Blank the inside of `code` spans on one line (CommonMark: a run of n backticks
    closes only at the next run of exactly n backticks)."""
    if "`" not in line:
        return line
    chars = list(line)
    i = 0
    while i < len(line):
        if line[i] != "`":
            i += 1
            continue
        run_end = i
        while run_end < len(line) and line[run_end] == "`":
            run_end += 1
        ticks = line[i:run_end]
        close = _find_backtick_run(line, run_end, len(ticks))
        if close < 0:
            i = run_end
            continue
        for j in range(run_end, close):
            chars[j] = " "
        i = close + len(ticks)
    return "".join(chars)


def _find_backtick_run(line: str, start: int, width: int) -> int:
    pos = start
    while True:
        pos = line.find("`" * width, pos)
        if pos < 0:
            return -1
        end = pos + width
        if (pos == 0 or line[pos - 1] != "`") and (end >= len(line) or line[end] != "`"):
            return pos
        while end < len(line) and line[end] == "`":
            end += 1
        pos = end


def match_brackets(text: str, start: int, open_: str = "[[", close: str = "]]") -> int:
    """Given ``text[start:]`` beginning with ``open_``, return the index just past the
    matching ``close`` (nesting counted), or -1 when it is unterminated on that line."""
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


class LineIndex:
    """Maps offsets in a text to 1-based (line, column)."""

    def __init__(self, text: str, first_line: int = 1):
        self._starts = [0]
        self._starts.extend(m.end() for m in re.finditer("\n", text))
        self._first_line = first_line

    def position(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._starts, offset) - 1
        return row + self._first_line, offset - self._starts[row] + 1
