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

Several codes may be listed, separated by spaces or commas. Only the page's own
diagnostics can be silenced this way: a directive never reaches into another file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kb_compiler.model import Diagnostic

MARKER = "kbc-ignore"

_DIRECTIVE = re.compile(
    r"(?:<!--|%%)\s*kbc-ignore(?P<file>-file)?(?P<codes>(?:[\s,]+[a-z][a-z0-9-]*)*)\s*(?:-->|%%)"
)
# A directive-only line: optional indentation and list bullet, then comments only.
_BULLET = re.compile(r"^\s*(?:[-*+]\s+)?")
ALL_CODES = frozenset({"*"})


@dataclass
class Silencer:
    """The directives of one page: which codes are silenced on which lines."""

    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()

    def silences(self, diagnostic: Diagnostic) -> bool:
        if _covers(self.whole_file, diagnostic.code):
            return True
        return _covers(self.by_line.get(diagnostic.line, frozenset()), diagnostic.code)

    def add_line(self, line: int, codes: frozenset[str]) -> None:
        self.by_line[line] = self.by_line.get(line, frozenset()) | codes


def _covers(codes: frozenset[str], code: str) -> bool:
    return bool(codes) and ("*" in codes or code in codes)


def _codes(text: str) -> frozenset[str]:
    names = frozenset(part for part in re.split(r"[\s,]+", text) if part)
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
    """Read every ``kbc-ignore`` directive in a page's text."""
    silencer = Silencer()
    for number, line in _numbered_marker_lines(text):
        matches = list(_DIRECTIVE.finditer(line))
        if not matches:
            continue
        alone = _is_directive_only(line)
        for match in matches:
            codes = _codes(match.group("codes"))
            if match.group("file"):
                silencer.whole_file |= codes
                continue
            silencer.add_line(number, codes)
            if alone:
                silencer.add_line(number + 1, codes)
    return silencer


def _is_directive_only(line: str) -> bool:
    rest = _DIRECTIVE.sub("", line)
    return not _BULLET.sub("", rest, count=1).strip()


def drop_silenced(diagnostics: Iterable[Diagnostic], texts: dict[str, str]) -> list[Diagnostic]:
    """The diagnostics that no directive in their own file silences. ``texts`` maps a
    vault-relative page path to the page's text."""
    silencers: dict[str, Silencer] = {}
    for path, text in texts.items():
        if MARKER in text:
            silencers[path] = parse_directives(text)
    if not silencers:
        return list(diagnostics)
    kept = []
    for diagnostic in diagnostics:
        silencer = silencers.get(diagnostic.path)
        if silencer is None or not silencer.silences(diagnostic):
            kept.append(diagnostic)
    return kept
