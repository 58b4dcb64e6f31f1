"""Hiding the parts of an Obsidian note that can hold no link or tag: code, ``%%comments%%``,
math, HTML tags and bare URLs (FORMATS.md 2.8, 2.10).

Every function keeps the text's length and its newlines, so an offset in the masked text is
the same offset in the note and line/column positions stay exact. Masked characters become
spaces (code, front matter, whole blocks) or ``FILLER``, a character that is neither blank
nor punctuation, so a ``#`` right after a hidden part is not taken for a tag start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kb_compiler.parse.text import mask_code

FILLER = "\x00"
Span = tuple[int, int]

_NOT_NEWLINE = re.compile(r"[^\n]")
# Display math may run over lines but not over a blank line; inline math follows the
# Pandoc/MathJax rule Obsidian uses: no blank after the opening ``$`` or before the closing
# one, and a closing ``$`` followed by a digit is a price, not math ("$5 and $10").
_DISPLAY_MATH = re.compile(r"\$\$(?:[^$\n]|\n(?![ \t]*\n))+?\$\$")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])[^$\n]*(?<=[^\s\\$])\$(?!\d)")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# The scheme is bounded so that a long "a.a.a.a..." run cannot make the search quadratic.
_URL = re.compile(r"\b(?:[A-Za-z][A-Za-z0-9+.\-]{0,31}://|www\.|mailto:)[^\s<>()\[\]]*")


def blank_spans(text: str, spans: Iterable[Span], filler: str = FILLER) -> str:
    """``text`` with each ``(start, end)`` span overwritten by ``filler`` (newlines kept).
    Spans may overlap and come in any order."""
    ordered = sorted(spans)
    if not ordered:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in ordered:
        start = max(start, last)
        if end <= start:
            continue
        pieces.append(text[last:start])
        segment = text[start:end]
        pieces.append(_NOT_NEWLINE.sub(filler, segment) if "\n" in segment
                      else filler * len(segment))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def line_starts(text: str) -> list[int]:
    """Offset of the start of each line (index 0 is line 1)."""
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    return starts


def blank_lines(text: str, starts: Sequence[int], ranges: Iterable[tuple[int, int]]) -> str:
    """Blank whole lines: each range is ``(first, end)`` in 0-based line numbers, end
    exclusive, as markdown-it's token maps give them."""
    spans = []
    for first, end in ranges:
        if first >= len(starts):
            continue
        stop = starts[end] - 1 if end < len(starts) else len(text)
        spans.append((starts[first], stop))
    return blank_spans(text, spans, " ")


def mask_code_spans(text: str) -> str:
    """Blank inline code spans line by line. Fenced and indented code are blanked from
    the Markdown parse before this runs, so a line that merely starts with backticks
    (```` ```js``` ````, an inline span) cannot mask the rest of the note as a fence."""
    if "`" not in text:
        return text
    return "\n".join(mask_code(line) if "`" in line else line for line in text.split("\n"))


def comment_spans(text: str) -> list[Span]:
    """``%%...%%`` comments, inline or over many lines; an unclosed ``%%`` runs to the
    end of the note, as Obsidian hides it."""
    return _delimited(text, "%%", "%%", unclosed_runs_to_end=True)


def _delimited(text: str, opening: str, closing: str, *, unclosed_runs_to_end: bool
               ) -> list[Span]:
    """Spans from each ``opening`` to the next ``closing``, found with ``str.find`` so
    that many unclosed openings stay linear."""
    spans: list[Span] = []
    position = 0
    while True:
        start = text.find(opening, position)
        if start < 0:
            return spans
        close = text.find(closing, start + len(opening))
        if close < 0:
            if unclosed_runs_to_end:
                spans.append((start, len(text)))
            return spans
        spans.append((start, close + len(closing)))
        position = close + len(closing)


def math_spans(text: str) -> list[Span]:
    display = [match.span() for match in _DISPLAY_MATH.finditer(text)]
    masked = blank_spans(text, display)
    return display + [match.span() for match in _INLINE_MATH.finditer(masked)]


def html_tag_spans(text: str) -> list[Span]:
    """Inline HTML tags and comments: attributes (``style="color: #f5f5f5"``) hold no tags
    or links, while Markdown between the tags still counts."""
    if "<" not in text:
        return []
    comments = _delimited(text, "<!--", "-->", unclosed_runs_to_end=False)
    masked = blank_spans(text, comments)
    return comments + [match.span() for match in _HTML_TAG.finditer(masked)]


def url_spans(text: str) -> list[Span]:
    """Bare URLs, whose ``#fragment`` is not a tag."""
    return [match.span() for match in _URL.finditer(text)]
