"""Hiding the parts of an Obsidian note that can hold no link or tag: code, ``%%comments%%``,
math, HTML tags and bare URLs (FORMATS.md 2.8, 2.10).

Every function keeps the text's length and its newlines, so an offset in the masked text is
the same offset in the note and line/column positions stay exact. Masked characters become
spaces (code, front matter, whole blocks) or ``FILLER``, a character that is neither blank
nor punctuation, so a ``#`` right after a hidden part is not taken for a tag start.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from kb_compiler.parse.text import blank_code_spans, is_escaped, mask_code

FILLER = "\x00"
Span = tuple[int, int]

_NOT_NEWLINE = re.compile(r"[^\n]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_EMPTY_COMMENT = re.compile(r"<!---?>")
# Display math may run over lines but not over a blank line; inline math follows the
# Pandoc/MathJax rule Obsidian uses: no blank after the opening ``$`` or before the closing
# one, and a closing ``$`` followed by a digit is a price, not math ("$5 and $10").
_DISPLAY_MATH = re.compile(r"\$\$(?:[^$\n]|\n(?![ \t]*\n))+?\$\$")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])[^$\n]*(?<=[^\s\\$])\$(?!\d)")
# CommonMark's open and close tags (markdown-it's attribute grammar: "<to do [[A]]>" is
# text, so its link counts), except that a quoted value holds no "<": a run of unclosed
# quotes could otherwise make the search quadratic.
_ATTRIBUTE = (r"""(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*"""
              r"""(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^'<]*'|"[^"<]*"))?)""")
_HTML_TAG = re.compile(rf"<[A-Za-z][A-Za-z0-9-]*{_ATTRIBUTE}*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>")
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


def mask_code_spans(text: str, paragraphs: Iterable[tuple[int, int]]) -> str:
    """Blank inline code spans. A span may run over the lines of one paragraph
    (``paragraphs``: 0-based ``[first, end)`` line ranges, as markdown-it maps a
    paragraph's text) but never out of it; any other line is masked on its own. Fenced
    and indented code are blanked from the Markdown parse before this runs, so a line
    that merely starts with backticks (```` ```js``` ````, an inline span) cannot mask the
    rest of the note as a fence."""
    if "`" not in text:
        return text
    lines = text.split("\n")
    ends = {first: end for first, end in paragraphs if end - first > 1}
    masked: list[str] = []
    first = 0
    while first < len(lines):
        end = ends.get(first, first + 1)
        chunk = "\n".join(lines[first:end])
        if "`" not in chunk:
            masked.append(chunk)
        elif "<" in chunk:  # HTML opened before a backtick makes it text
            masked.append(blank_code_spans(chunk, sorted(html_tag_spans(chunk))))
        else:
            masked.append(mask_code(chunk) if end == first + 1 else blank_code_spans(chunk))
        first = end
    return "\n".join(masked)


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
    comments = _html_comments(text)
    masked = blank_spans(text, comments)
    return comments + [match.span() for match in _HTML_TAG.finditer(masked)]


def _html_comments(text: str) -> list[Span]:
    """``<!-- ... -->`` inside one paragraph: an inline comment cannot close past a blank
    line (CommonMark), so ``<!--`` there is text and the links after it count. (A comment
    that starts a line is an HTML block, blanked before.) The next ``-->`` is looked up
    once for all the openings before it, so many unclosed ones stay linear."""
    blank_lines = [match.start() for match in _BLANK_LINE.finditer(text)]
    spans: list[Span] = []
    position, close = 0, -1
    while (start := text.find("<!--", position)) >= 0:
        empty = _EMPTY_COMMENT.match(text, start)  # "<!-->" and "<!--->" (CommonMark)
        if empty and not is_escaped(text, start):
            spans.append(empty.span())
            position = empty.end()
            continue
        if close < start + 4:
            close = text.find("-->", start + 4)
            if close < 0:
                break
        blank = bisect.bisect_left(blank_lines, start)
        if (blank < len(blank_lines) and blank_lines[blank] < close) or is_escaped(text, start):
            position = start + 4
            continue
        spans.append((start, close + 3))
        position = close + 3
    return spans


def url_spans(text: str) -> list[Span]:
    """Bare URLs, whose ``#fragment`` is not a tag."""
    return [match.span() for match in _URL.finditer(text)]
