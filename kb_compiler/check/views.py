"""The views authors write that cannot be shown: Logseq queries and Obsidian bases.

Their languages are read by their own packages (``kb_compiler.queries``,
``kb_compiler.bases``), imported here only when a vault has a query or a base, so a
check of a vault without them does not pay for loading them.

- ``invalid-query`` (warning): a ``{{query ...}}``, or an advanced query
  (``#+BEGIN_QUERY``: an EDN map with a ``:query``), whose text cannot be read, with the
  reason. Logseq shows an error in its block, or silently finds nothing. A query only
  its place completes (a macro template's ``$1``, ``<% current page %>``) is no mistake,
  nor is an empty one (Logseq shows its query builder there).
- ``invalid-base`` (error): a ``.base`` file, or a ```` ```base ```` block of an Obsidian
  or Markdown note, that is not a base (not YAML, a wrong shape, an expression that does
  not parse), at the line at fault. Obsidian shows an error in its place, as the site does.
- ``broken-embed`` (warning): ``![[Books.base#View]]`` naming a view the base does not
  have; Obsidian and the site show its first view instead.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kb_compiler.model import (
    Asset,
    Block,
    Diagnostic,
    Dialect,
    KnowledgeBase,
    Macro,
    Page,
    RefKind,
    Severity,
)
from kb_compiler.parse.names import BASE_SUFFIX

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from kb_compiler.bases.document import BaseDocument
    from kb_compiler.resolve.types import ResolvedRef

INVALID_QUERY = "invalid-query"
INVALID_BASE = "invalid-base"
_ADVANCED = re.compile(r"#\+BEGIN_QUERY", re.IGNORECASE)
_CODE_OPENING = re.compile(r"(```|~~~|#\+BEGIN_(SRC|EXAMPLE|EXPORT|COMMENT))\b")
_BASE_FENCE = re.compile(r"[ \t]*(?:`{3,}|~{3,})[ \t]*base(?=\s|$)", re.IGNORECASE)


def view_problems(kb: KnowledgeBase, refs: Iterable[ResolvedRef]) -> list[Diagnostic]:
    """The diagnostics of every query and base of ``kb``, whose references ``refs``
    resolve (for the embeds that name a view of a base)."""
    documents = _base_files(kb.root, kb.assets)
    found = [problem for problem in documents.values() if isinstance(problem, Diagnostic)]
    found.extend(_page_problems(kb.pages))
    found.extend(_view_problems(kb.pages, refs, documents))
    return found


# Logseq queries ----------------------------------------------------------------------


def query_text(macro: Macro) -> str:
    """What ``{{query ...}}`` asks, commas and all (``Macro.args`` are split at them)."""
    inner = macro.raw.removeprefix("{{").removesuffix("}}").strip()
    return inner[len(macro.name):]


def _page_problems(pages: Iterable[Page]) -> Iterator[Diagnostic]:
    """The queries and base blocks of ``pages`` that cannot be read, in one pass."""
    for page in pages:
        draws_bases = page.dialect is not Dialect.LOGSEQ  # Logseq shows a base block as code
        for block in page.blocks:
            for macro in block.macros:
                if macro.name.lower() == "query":
                    yield from _query_problem(page, macro)
            if draws_bases and block.kind == "code":
                yield from _base_block_problems(page, block)
            elif not draws_bases and _ADVANCED.search(block.content):
                yield from _advanced_query_problems(page, block)


def _query_problem(page: Page, macro: Macro) -> Iterator[Diagnostic]:
    from kb_compiler.queries.dsl import parse_query
    from kb_compiler.queries.syntax import QueryError, QueryNeedsContext

    text = query_text(macro)
    if not text.strip():  # Logseq's query builder: the author builds it in the app
        return
    try:
        parse_query(text)
    except QueryNeedsContext:
        return
    except QueryError as error:
        yield Diagnostic(INVALID_QUERY, Severity.WARNING, page.path, macro.line, macro.column,
                         f"query '{_shown(macro.raw)}' cannot be run: {error}",
                         end_column=_end(macro.column, macro.raw))


def advanced_queries(page: Page, block: Block) -> Iterator[tuple[int, int, str]]:
    """The ``#+BEGIN_QUERY`` ... ``#+END_QUERY`` of a Logseq block: for each, the line
    and column of its ``#+BEGIN_QUERY`` in the file, and the text between the markers.
    One written inside code (a fence, ``#+BEGIN_SRC``, ``#+BEGIN_EXAMPLE``) is text."""
    lines = page.text.split("\n")[block.line - 1:block.end_line]
    verbatim: str | None = None  # what closes the code the lines are in
    opened: tuple[int, int] | None = None
    inside: list[str] = []
    for number, line in enumerate(lines, start=block.line):
        marker = line.lstrip(" \t-").rstrip().upper()
        if verbatim is not None:
            verbatim = None if marker.startswith(verbatim) else verbatim
        elif opened is not None:
            if marker == "#+END_QUERY":
                yield opened[0], opened[1], "\n".join(inside)
                opened = None
            else:
                inside.append(line)
        elif marker == "#+BEGIN_QUERY":
            opened, inside = (number, len(line) - len(line.lstrip(" \t-")) + 1), []
        elif found := _CODE_OPENING.match(marker):
            verbatim = found[1][:3] if found[1][0] in "`~" else f"#+END_{found[2]}"


def _advanced_query_problems(page: Page, block: Block) -> Iterator[Diagnostic]:
    from kb_compiler.queries.advanced import read_advanced
    from kb_compiler.queries.syntax import QueryError, QueryNeedsContext

    for line, column, text in advanced_queries(page, block):
        try:
            read_advanced(text)
        except QueryNeedsContext:
            continue
        except QueryError as error:
            yield Diagnostic(INVALID_QUERY, Severity.WARNING, page.path, line, column,
                             f"advanced query cannot be run: {error}",
                             end_column=column + len("#+BEGIN_QUERY"))


# Obsidian bases ----------------------------------------------------------------------


def base_blocks(block: Block) -> Iterator[tuple[int, str]]:
    """The ```` ```base ```` fences in ``block`` (a code block of a note): for each, the
    line of the file its YAML starts on, and that YAML."""
    if block.kind != "code" or not _BASE_FENCE.match(block.content):
        return
    for token in _fence_reader().parse(block.content):
        info = token.info.strip().split(" ", 1)[0].lower() if token.info else ""
        if token.type == "fence" and info == "base" and token.map is not None:
            yield block.line + token.map[0] + 1, token.content


@functools.cache
def _fence_reader() -> MarkdownIt:
    """CommonMark's block reader, which the notes' parser reads fences with (made once:
    building one costs more than reading a block)."""
    from markdown_it import MarkdownIt

    from kb_compiler.parse.obsidian_blocks import nest_blocks_deeper

    return nest_blocks_deeper(MarkdownIt("commonmark"))


def _base_files(root: Path, assets: Iterable[Asset]) -> dict[str, BaseDocument | Diagnostic]:
    """Each ``.base`` file among ``assets``, read, or the diagnostic saying why not."""
    documents: dict[str, BaseDocument | Diagnostic] = {}
    for asset in assets:
        if asset.path.lower().endswith(BASE_SUFFIX):
            from kb_compiler.bases.document import BaseError, read_base_file

            try:
                documents[asset.path] = read_base_file(root / asset.path)
            except BaseError as error:
                documents[asset.path] = _invalid_base(asset.path, error.line, error.reason)
    return documents


def _base_block_problems(page: Page, block: Block) -> Iterator[Diagnostic]:
    for first_line, text in base_blocks(block):
        from kb_compiler.bases.document import BaseError, read_base

        try:
            read_base(text)
        except BaseError as error:
            line = first_line + max(error.line, 1) - 1
            yield _invalid_base(page.path, line, f"base block: {error.reason}")


def _invalid_base(path: str, line: int, reason: str) -> Diagnostic:
    return Diagnostic(INVALID_BASE, Severity.ERROR, path, line, 1 if line else 0,
                      f"not a base Obsidian can show: {reason}")


def _view_problems(pages: Sequence[Page], refs: Iterable[ResolvedRef],
                   documents: dict[str, BaseDocument | Diagnostic]) -> Iterator[Diagnostic]:
    if not documents:
        return
    paths = {page.id: page.path for page in pages}
    for resolved in refs:
        view = _named_view(resolved)
        document = documents.get(resolved.target.asset or "") if view else None
        if view and document is not None and not isinstance(document, Diagnostic) \
                and document.named_view(view) is None:
            yield _missing_view(resolved, paths.get(resolved.source, ""), view,
                                [shown.name for shown in document.views])


def _named_view(resolved: ResolvedRef) -> str | None:
    """The view an embed of an existing ``.base`` file names, if it names one."""
    ref, target = resolved.ref, resolved.target
    if ref.kind is not RefKind.EMBED or not target.exists or not ref.subpath:
        return None
    if not (target.asset or "").lower().endswith(BASE_SUFFIX):
        return None
    return ref.subpath.strip() or None


def _missing_view(resolved: ResolvedRef, path: str, view: str,
                  names: list[str]) -> Diagnostic:
    ref = resolved.ref
    near = difflib.get_close_matches(view, names, n=1, cutoff=0.5)
    shown = f"its first view, '{names[0]}'," if names else "a table of every file"
    return Diagnostic(
        "broken-embed", Severity.WARNING, path, ref.line, ref.column,
        f"base '{ref.target}' has no view '{view}': {shown} is shown instead",
        target=f"{ref.target}#{view}", suggestion=near[0] if near else None,
        end_column=_end(ref.column, ref.raw))


def _shown(raw: str, limit: int = 80) -> str:
    shown = " ".join(raw.split())
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."


def _end(column: int, raw: str) -> int | None:
    """The column after ``raw`` written at ``column``, when it is on one line."""
    return column + len(raw) if raw and column and "\n" not in raw else None
