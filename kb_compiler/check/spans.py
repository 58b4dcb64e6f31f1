"""Give a diagnostic its span (``end_column``) from the reference it is about.

Resolution reports a broken link at the reference's line and column; the reference
itself (``ResolvedRef.ref.raw``) says how long the written link is, so the text format
can underline all of ``[[Missing Page]]`` rather than its first character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from kb_compiler.model import Diagnostic


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
