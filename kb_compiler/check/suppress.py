"""Inline silencing: an author marks one line (or one file) as "known, leave it".

Write the directive as a comment the page's dialect hides when rendering, either an HTML
comment (Logseq and Markdown) or an Obsidian ``%%`` comment:

``<!-- kbc-ignore broken-link -->`` / ``%% kbc-ignore broken-link %%``
    at the end of a line silences those codes on that line. On a line of its own (a
    Logseq bullet ``- `` in front is allowed) it silences that line and the next one,
    so it can sit on the line before the one it is about.
``<!-- kbc-ignore -->``
    with no code silences every code on those lines.
``<!-- kbc-ignore-file invalid-encoding -->``
    anywhere in a page silences those codes (or, with no code, every code) for the whole
    file, including problems that concern the file as a whole (line 0).

Several codes may be listed, separated by spaces or commas, after an optional colon. A
directive shown in code (a fence or a code span) is text, not a comment, and is not
read. Only the page's own
diagnostics can be silenced this way: a directive never reaches into another file. A
code kbc does not know (a misspelling) silences nothing and is itself reported
(``unknown-ignore-code``, a warning, with the nearest known code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from kb_compiler.check.codes import KNOWN_CODES, nearest_code
from kb_compiler.model import Diagnostic, Severity
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
UNKNOWN_CODE = "unknown-ignore-code"


@dataclass
class Silencer:
    """The directives of one page: which codes are silenced on which lines."""

    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()
    unknown: list[tuple[int, int, str]] = field(default_factory=list)  # line, column, code

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
            silencer.unknown.extend(_unknown(number, match))
            if match.group("file"):
                silencer.whole_file |= codes
                continue
            silencer.add_line(number, codes)
            if alone:
                silencer.add_line(number + 1, codes)
    return silencer


def _unknown(number: int, match: re.Match[str]) -> Iterator[tuple[int, int, str]]:
    start = match.start("codes")
    for code in _CODE.finditer(match.group("codes")):
        if code.group() not in KNOWN_CODES:
            yield number, start + code.start() + 1, code.group()


def _is_directive_only(line: str) -> bool:
    rest = _DIRECTIVE.sub("", line)
    return not _BULLET.sub("", rest, count=1).strip()


def read_directives(texts: Mapping[str, str]) -> dict[str, Silencer]:
    """The directives of every page that has any, by vault-relative path (``texts`` maps
    a page's path to its text)."""
    return {path: parse_directives(text) for path, text in texts.items() if MARKER in text}


def drop_silenced(diagnostics: Iterable[Diagnostic],
                  silencers: Mapping[str, Silencer]) -> list[Diagnostic]:
    """The diagnostics that no directive in their own file silences."""
    if not silencers:
        return list(diagnostics)
    kept = []
    for diagnostic in diagnostics:
        silencer = silencers.get(diagnostic.path)
        if silencer is None or not silencer.silences(diagnostic):
            kept.append(diagnostic)
    return kept


def unknown_codes(silencers: Mapping[str, Silencer]) -> list[Diagnostic]:
    """A warning for each code a ``kbc-ignore`` directive names that kbc does not know:
    a misspelt code silences nothing, and would otherwise do so silently."""
    return [
        Diagnostic(UNKNOWN_CODE, Severity.WARNING, path, line, column,
                   f"kbc-ignore names the unknown code '{code}'; it silences nothing",
                   target=code, suggestion=nearest_code(code), end_column=column + len(code))
        for path, silencer in silencers.items()
        for line, column, code in silencer.unknown
    ]
