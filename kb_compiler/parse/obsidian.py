"""Obsidian notes and plain Markdown files -> ``Page`` (FORMATS.md Part 2).

The parse runs in four steps, each in its own module: front matter
(``obsidian_frontmatter``), the block structure from markdown-it-py (``obsidian_blocks``),
a *visible* copy of the body with code, comments and math blanked (``obsidian_mask``), and
the inline scan for links, embeds and tags over that copy (``obsidian_inline``). Each
reference is then attached to the block that owns its line.

Pure: the result depends only on the arguments, and nothing is read or kept elsewhere.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from markdown_it.token import Token

from kb_compiler.config import ParseOptions
from kb_compiler.model import Dialect, Page, RefKind
from kb_compiler.parse.obsidian_blocks import (
    CODE_BLOCKS,
    Commented,
    build_blocks,
    markdown_tokens,
    opaque_line_ranges,
    paragraph_line_ranges,
)
from kb_compiler.parse.obsidian_frontmatter import frontmatter_end, read_frontmatter
from kb_compiler.parse.obsidian_inline import scan_inline
from kb_compiler.parse.obsidian_mask import (
    Span,
    blank_lines,
    blank_spans,
    comment_spans,
    line_starts,
    mask_code_spans,
    math_spans,
)

_NON_BLANK = re.compile(r"\S")


def parse_obsidian(path: str, text: str, options: ParseOptions, *, default_name: str,
                   dialect: Dialect) -> Page:
    """Parse one note. ``text`` is decoded, BOM-stripped, LF-only and repaired; problems
    come back as the page's diagnostics, never as exceptions."""
    front = read_frontmatter(path, text)
    body = blank_spans(text, [(0, front.body_start)], " ") if front.body_start else text
    starts = line_starts(text)
    tokens = markdown_tokens(body)
    visible = _without_code(body, starts, tokens)
    comments = comment_spans(visible)
    if not options.links_in_comments:
        visible = blank_spans(visible, comments)
    visible = blank_spans(visible, math_spans(visible))
    inline = scan_inline(path, text, visible)
    layout = build_blocks(path, text.split("\n"), tokens, _comment_test(text, starts, comments),
                          inline.references)
    return Page(
        path=path,
        name=default_name,
        dialect=dialect,
        text=text,
        properties=front.properties,
        blocks=layout.blocks,
        references=(*front.references, *inline.references),
        aliases=_unique(front.aliases),
        tags=_unique([*front.tags, *(ref.target for ref in inline.references
                                     if ref.kind is RefKind.TAG)]),
        frontmatter=front.raw,
        diagnostics=tuple(sorted((*front.diagnostics, *layout.diagnostics,
                                  *inline.diagnostics), key=lambda d: d.sort_key())),
    )


def without_code(text: str) -> str:
    """``text`` with its code (fences, indented code, code spans), math blocks and HTML
    blocks blanked as the parser blanks them: same length, newlines kept. The site finds
    ``%%`` comments in it, so a ``%%`` in code is no comment there either."""
    return _without_code(text, line_starts(text), markdown_tokens(text))


def code_only_masked(text: str) -> str:
    """``text`` with its code blanked and nothing else: fences and indented code in any
    container (a callout, a list), code spans. The encoding repair leaves exactly this as
    written; math and HTML blocks are text there, and so is the front matter."""
    start = frontmatter_end(text)
    body = blank_spans(text, [(0, start)], " ") if start else text
    tokens = markdown_tokens(body)
    code = opaque_line_ranges(tokens, CODE_BLOCKS)
    masked = mask_code_spans(blank_lines(body, line_starts(body), code),
                             paragraph_line_ranges(tokens))
    return text[:start] + masked[start:]


def _without_code(text: str, starts: Sequence[int], tokens: Sequence[Token]) -> str:
    return mask_code_spans(blank_lines(text, starts, opaque_line_ranges(tokens)),
                           paragraph_line_ranges(tokens))


def _comment_test(text: str, starts: Sequence[int], comments: Sequence[Span]) -> Commented:
    """Whether the text of lines ``first..last`` (1-based) lies inside one ``%%`` comment."""
    begins = [start for start, _ in comments]

    def commented(first: int, last: int) -> bool:
        if not comments or first > len(starts):
            return False
        start = starts[first - 1]
        stop = starts[last] - 1 if last < len(starts) else len(text)
        visible_start = _NON_BLANK.search(text, start, stop)
        if visible_start is None:
            return False
        visible_end = start + len(text[start:stop].rstrip())
        where = bisect.bisect_right(begins, visible_start.start()) - 1
        return where >= 0 and comments[where][1] >= visible_end

    return commented


def _unique(names: Sequence[str]) -> tuple[str, ...]:
    """Names in first-seen order, compared case-insensitively (as Obsidian's tag pane)."""
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return tuple(kept)
