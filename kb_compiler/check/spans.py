"""Give a diagnostic its span (``end_column``) from the reference it is about, and its
columns in the file as it is.

Resolution reports a broken link at the reference's line and column; the reference
itself (``ResolvedRef.ref.raw``) says how long the written link is, so the text format
can underline all of ``[[Missing Page]]`` rather than its first character.

Stages count columns in a page's text after its encoding damage was repaired; an
editor, GitHub and SARIF read the file, where ``customerâ€™s`` is two characters longer
than ``customer’s``. ``in_file_columns`` maps them back on the lines the repair changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from kb_compiler.model import Diagnostic, Page


def with_spans(diagnostics: Sequence[Diagnostic], graph: Any) -> list[Diagnostic]:
    """``diagnostics`` with ``end_column`` filled where a reference starts at exactly
    their position (path, line, column) and they had no end of their own."""
    wanted = {(d.path, d.line, d.column) for d in diagnostics
              if d.end_column is None and d.line > 0 and d.column > 0}
    if not wanted:
        return list(diagnostics)
    ends = _reference_ends(getattr(graph, "refs", ()), graph, wanted)
    return [_spanned(d, ends) for d in diagnostics]


def _reference_ends(refs: Iterable[Any], graph: Any,
                    wanted: set[tuple[str, int, int]]) -> dict[tuple[str, int, int], int]:
    lines = {(line, column) for _, line, column in wanted}
    paths: dict[str, str | None] = {}
    ends: dict[tuple[str, int, int], int] = {}
    for resolved in refs:
        ref = resolved.ref
        if (ref.line, ref.column) not in lines or not ref.raw or "\n" in ref.raw:
            continue
        if resolved.source not in paths:
            page = graph.page(resolved.source)
            paths[resolved.source] = page.path if page is not None else None
        path = paths[resolved.source]
        if path is not None and (path, ref.line, ref.column) in wanted:
            ends[(path, ref.line, ref.column)] = ref.column + len(ref.raw)
    return ends


def _spanned(diagnostic: Diagnostic, ends: dict[tuple[str, int, int], int]) -> Diagnostic:
    end = ends.get((diagnostic.path, diagnostic.line, diagnostic.column))
    if end is None or diagnostic.end_column is not None:
        return diagnostic
    return replace(diagnostic, end_column=end)


def in_file_columns(diagnostics: Sequence[Diagnostic],
                    pages: Iterable[Page]) -> list[Diagnostic]:
    """``diagnostics`` with the columns of those on a repaired line counted in the line
    as the file holds it."""
    changed = {page.path: page for page in pages if page.repaired_lines}
    if not changed:
        return list(diagnostics)
    repaired: dict[str, tuple[list[str], dict[int, str]]] = {}
    maps: dict[tuple[str, int], _ColumnMap | None] = {}
    out = []
    for diagnostic in diagnostics:
        page = changed.get(diagnostic.path)
        key = (diagnostic.path, diagnostic.line)
        if page is not None and key not in maps:
            if page.path not in repaired:
                repaired[page.path] = (page.text.split("\n"), dict(page.repaired_lines))
            lines, originals = repaired[page.path]
            original = originals.get(diagnostic.line)
            maps[key] = None if original is None else \
                _ColumnMap(lines[diagnostic.line - 1], original)
        columns = maps.get(key)
        if columns is None or diagnostic.column <= 0:
            out.append(diagnostic)
            continue
        end = diagnostic.end_column
        out.append(replace(diagnostic, column=columns.start(diagnostic.column),
                           end_column=columns.end(end) if end is not None else None))
    return out


def file_text(page: Page) -> str:
    """The page's text with each repaired line as the file holds it (for quoting)."""
    if not page.repaired_lines:
        return page.text
    lines = page.text.split("\n")
    for number, original in page.repaired_lines:
        lines[number - 1] = original
    return "\n".join(lines)


class _ColumnMap:
    """Columns of a repaired line -> columns of the same line in the file."""

    def __init__(self, repaired: str, original: str) -> None:
        matcher = difflib.SequenceMatcher(None, repaired, original, autojunk=False)
        self.opcodes = matcher.get_opcodes()

    def start(self, column: int) -> int:
        return self._map(column - 1, at_end=False) + 1

    def end(self, column: int) -> int:
        return self._map(column - 1, at_end=True) + 1

    def _map(self, index: int, at_end: bool) -> int:
        """A boundary between characters: inside a changed stretch, its start (or, for
        the end of a span, its end), so a span covers the damaged text whole."""
        for tag, start, end, file_start, file_end in self.opcodes:
            if start <= index < end or (index == end and at_end):
                if tag == "equal":
                    return file_start + index - start
                return file_end if at_end and index > start else file_start
        return self.opcodes[-1][4] if self.opcodes else index
