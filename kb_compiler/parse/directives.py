"""Reading ``kbc-ignore`` directives: which codes an author silenced on which lines.

The syntax is described in ``kb_compiler/check/suppress.py``, which applies them to the
check's diagnostics. They are read here, in the parse stage, because one of them acts on
the text itself: ``kbc-ignore encoding-repaired`` keeps its line as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb_compiler.model import Diagnostic
from kb_compiler.parse.text import mask_code

MARKER = "kbc-ignore"

# Everything up to the comment's end is read as codes, so a misspelt one ("broken_link",
# "Broken-Link") is reported rather than making the whole directive go unseen; a colon
# after the marker (as in ``noqa: E501``) is allowed. The codes stop at the next comment
# opening too, so a line of unclosed directives is read in linear time.
_DIRECTIVE = re.compile(
    r"(?:<!--|%%)\s*kbc-ignore(?P<file>-file)?(?![\w-]):?(?P<codes>(?:(?!-->|%%|<!--).)*?)"
    r"\s*(?:-->|%%)"
)
# A directive-only line: optional indentation and list bullet, then comments only.
_BULLET = re.compile(r"^\s*(?:[-*+]\s+)?")
_CODE = re.compile(r"[^\s,]+")
ALL_CODES = frozenset({"*"})


@dataclass
class Silencer:
    """The directives of one page: which codes are silenced on which lines."""

    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()
    named: list[tuple[int, int, str]] = field(default_factory=list)  # line, column, code

    def silences(self, diagnostic: Diagnostic) -> bool:
        if _covers(self.whole_file, diagnostic.code):
            return True
        return _covers(self.by_line.get(diagnostic.line, frozenset()), diagnostic.code)

    def add_line(self, line: int, codes: frozenset[str]) -> None:
        self.by_line[line] = self.by_line.get(line, frozenset()) | codes


def _covers(codes: frozenset[str], code: str) -> bool:
    return bool(codes) and ("*" in codes or code in codes)


def _codes(text: str) -> frozenset[str]:
    names = frozenset(_CODE.findall(text))
    return names or ALL_CODES


def _numbered_marker_lines(text: str) -> Iterator[tuple[int, str]]:
    """The (1-based number, text) of each line that mentions the marker; cheap on pages
    without any directive, and linear on pages with many."""
    number, counted_to = 1, 0
    start = text.find(MARKER)
    while start != -1:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        number += text.count("\n", counted_to, line_start)
        counted_to = line_start
        yield number, text[line_start:line_end]
        start = text.find(MARKER, line_end)


def parse_directives(text: str) -> Silencer:
    """Read every ``kbc-ignore`` directive in a page's text. One shown in code (a fenced
    block or a code span, as on a page about kbc) is text the reader sees, not a comment
    the dialect hides, and silences nothing."""
    silencer = Silencer()
    for number, line in _numbered_marker_lines(mask_code(text)):
        matches = list(_DIRECTIVE.finditer(line))
        if not matches:
            continue
        alone = _is_directive_only(line)
        for match in matches:
            codes = _codes(match.group("codes"))
            silencer.named.extend(_named(number, match))
            if match.group("file"):
                silencer.whole_file |= codes
                continue
            silencer.add_line(number, codes)
            if alone:
                silencer.add_line(number + 1, codes)
    return silencer


def _named(number: int, match: re.Match[str]) -> Iterator[tuple[int, int, str]]:
    """Each code the directive names, with its line and column."""
    start = match.start("codes")
    for code in _CODE.finditer(match.group("codes")):
        yield number, start + code.start() + 1, code.group()


def _is_directive_only(line: str) -> bool:
    rest = _DIRECTIVE.sub("", line)
    return not _BULLET.sub("", rest, count=1).strip()
