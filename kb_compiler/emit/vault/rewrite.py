"""What converting one page needs, and the first step of every conversion: the page's
lines with each reference rewritten in place (line numbers never change, so the
outline units and property lines found by the parser still point at the right text).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from kb_compiler.config import ParseOptions
from kb_compiler.emit.vault.blocks import BlockPlan
from kb_compiler.emit.vault.links import Edit, LinkWriter
from kb_compiler.emit.vault.outline import LOGSEQ_BULLET
from kb_compiler.emit.vault.plan import PageTarget
from kb_compiler.emit.vault.properties import Converted
from kb_compiler.emit.vault.web_embeds import embed_edits, macro_edits
from kb_compiler.model import Diagnostic, Dialect, Page, Property, Severity
from kb_compiler.parse.logseq_blocks import mask_verbatim
from kb_compiler.parse.logseq_inline import tag_at as logseq_tag_at
from kb_compiler.parse.obsidian_inline import tag_at as obsidian_tag_at
from kb_compiler.parse.obsidian_mask import blank_spans, comment_spans, math_spans
from kb_compiler.parse.text import mask_code
from kb_compiler.resolve import ResolvedRef

_MACRO = re.compile(r"\{\{[^\n]{0,4096}?\}\}")  # bounded: linear on unclosed braces


@dataclass
class PageJob:
    """One page to convert: the page, where it goes, its resolved references, and the
    vault-wide writers and settings. ``options`` are the Logseq parse options of the
    Logseq side (the source graph's, or the one being written); ``comma_keys`` the keys
    Logseq splits on commas there."""

    page: Page
    entry: PageTarget
    refs: Sequence[ResolvedRef]
    writer: LinkWriter
    blocks: BlockPlan
    options: ParseOptions
    comma_keys: frozenset[str]
    list_keys: frozenset[str] = frozenset()
    notes: list[Diagnostic] = field(default_factory=list)

    def note(self, code: str, line: int, message: str,
             severity: Severity = Severity.INFO) -> None:
        self.notes.append(Diagnostic(code, severity, self.page.path, line, 0, message))

    def property_refs(self, prop: Property) -> list[Converted]:
        """The references written in one property, converted."""
        return [self.writer.converted(self.page, r) for r in self.refs
                if r.ref.property == prop.key and r.ref.line == prop.line]

    def frontmatter_refs(self, prop: Property, last_line: int) -> list[Converted]:
        """References of a front matter entry (a YAML list spans several lines)."""
        return [self.writer.converted(self.page, r) for r in self.refs
                if r.ref.property == prop.key and r.ref.line <= last_line]


def kept_as_written(job: PageJob) -> str | None:
    """The page's text as it is, when it cannot be converted: an Org-mode page or a
    whiteboard (not translated) or a page the parser failed on (reported as
    ``kept-as-written``)."""
    if job.entry.as_written:
        return job.page.text
    if any(d.code == "internal-error" for d in job.page.diagnostics):
        job.note("kept-as-written", 0, "the page could not be parsed; its text is copied "
                 "as it is", Severity.WARNING)
        return job.page.text
    return None


def frontmatter_kept(job: PageJob, end: int) -> bool:
    """Whether the page's front matter (up to line ``end``) does not parse: it is then
    written as it is, never dropped, and the export says so."""
    if not end or not any(d.code == "invalid-frontmatter" for d in job.page.diagnostics):
        return False
    job.note("invalid-frontmatter", 1, "front matter that does not parse is kept as it is",
             Severity.WARNING)
    return True


def edited_lines(job: PageJob, skip_before: int = 0) -> list[str]:
    """The page's lines with every reference rewritten; lines up to ``skip_before``
    (front matter, written separately) are left as they are. In Obsidian text, links
    inside a Logseq ``{{macro}}`` are the macro's arguments and stay as written."""
    lines = job.page.text.split("\n")
    by_line: dict[int, list[Edit]] = {}
    commented = _obsidian_comments(job) if job.page.dialect is Dialect.LOGSEQ \
        and not job.writer.to_logseq else None
    macros: dict[int, Spans] = {}
    for resolved in job.refs:
        number = resolved.ref.line
        if number <= skip_before or not 0 < number <= len(lines):
            continue
        if job.page.dialect is not Dialect.LOGSEQ:
            if number not in macros:
                macros[number] = _macro_spans(lines[number - 1])
            if macros[number].covers(resolved.ref.column - 1, strict=True):
                continue
        if commented is not None and commented(number, resolved.ref.column - 1):
            continue  # Obsidian hides it in a %% comment: Logseq's name stays as written
        found = job.writer.edit(job.page, resolved, lines[number - 1])
        if found is not None and not job.writer.to_logseq and _TABLE_ROW.match(lines[number - 1]):
            # a "|" in a link would end the table's cell: Obsidian reads "\|" there
            found = replace(found, text=_UNESCAPED_PIPE.sub(r"\\|", found.text))
        if found is not None:
            by_line.setdefault(number, []).append(found)
    if job.page.dialect is Dialect.LOGSEQ and not job.writer.to_logseq:
        masked = _masked_by_block(job.page)
        _escape_phantom_tags(job, masked, by_line, skip_before)
        _merge(by_line, _highlights(masked, skip_before))
        _merge(by_line, macro_edits(job.page))
        _merge(by_line, _html_comments_as_obsidian(job.page.text, skip_before))
    elif job.page.dialect is not Dialect.LOGSEQ and job.writer.to_logseq:
        _merge(by_line, embed_edits(job.page, skip_before, _obsidian_comments(job)))
        _merge(by_line, _escape_logseq_only_tags(job.page, skip_before))
        _merge(by_line, _comments_as_html(job.page.text, skip_before))
    for number, edits in by_line.items():
        lines[number - 1] = apply_edits(lines[number - 1], edits)
    return lines


_HASH = re.compile("#")
# Logseq's highlight, on one line, with no blank just inside its marks.
_LOGSEQ_HIGHLIGHT = re.compile(r"\^\^(?![\s^])[^\n]*?(?<![\s^])\^\^")
# A row of a Markdown table (in a Logseq block too), and a "|" no backslash escapes.
_TABLE_ROW = re.compile(r"[ \t]*(?:[-*+][ \t]+)?\|")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _merge(by_line: dict[int, list[Edit]], more: dict[int, list[Edit]]) -> None:
    for number, edits in more.items():
        by_line.setdefault(number, []).extend(edits)


# Spans are bounded (512 characters) so a line of unclosed brackets stays linear.
_NOT_TAG_CONTEXT = re.compile(
    r"\[\[[^\n]{0,512}?\]\]|\{\{[^\n]{0,512}?\}\}|!?\[[^\]\n]{0,512}\]\([^)\n]{0,512}\)"
    r"|\b(?:[A-Za-z][A-Za-z0-9+.\-]{0,31}://|www\.|mailto:)[^\s<>()\[\]]*|<[^<>\n]*>")


def _masked_by_block(page: Page) -> list[str]:
    """The page's lines with code blanked block by block, as Logseq reads code: a fence
    left open ends with its block, and a ``#+BEGIN_SRC``/``QUERY``... block is code too
    (in Obsidian it travels in a fence)."""
    lines = page.text.split("\n")
    masked = list(lines)
    for block in page.blocks:
        first, last = block.line - 1, min(max(block.end_line, block.line), len(lines))
        rows = mask_code("\n".join(lines[first:last])).split("\n")
        head = rows[0]
        if bullet := LOGSEQ_BULLET.match(head):  # the first row as the parser reads it
            rows[0] = " " * bullet.end() + head[bullet.end():]
        mask_verbatim(rows)  # blanks rows after the first only
        masked[first:last] = [head, *rows[1:]]
    return _without_math("\n".join(masked)).split("\n")


def _without_math(text: str) -> str:
    """``text`` with its ``$math$`` and ``$$math$$`` blanked: a "#" there is TeX (a
    macro's parameter ``#1``), which neither app reads as a tag, so it needs no escape."""
    return blank_spans(text, math_spans(text)) if "$" in text else text


def _escape_phantom_tags(job: PageJob, masked: list[str], by_line: dict[int, list[Edit]],
                         skip_before: int) -> None:
    r"""Logseq -> Obsidian: a ``#word`` Logseq does not read as a tag (``"#tag"``,
    ``(#tag)``) would become one in Obsidian; escaping it (``\#tag``) keeps it text.
    ``masked``: the page's lines with code blanked (``_masked_by_block``)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for resolved in job.refs:
        ref = resolved.ref
        spans.setdefault(ref.line, []).append((ref.column - 1, ref.column - 1 + len(ref.raw)))
    for number, line in enumerate(masked, start=1):
        if number <= skip_before or "#" not in line:
            continue
        taken = Spans([*spans.get(number, []),
                       *(m.span() for m in _NOT_TAG_CONTEXT.finditer(line))])
        for at in (m.start() for m in _HASH.finditer(line)):
            if not taken.covers(at) and obsidian_tag_at(line, at) is not None:
                by_line.setdefault(number, []).append(Edit(at, at, "\\"))


def _escape_logseq_only_tags(page: Page, skip_before: int) -> dict[int, list[Edit]]:
    r"""Obsidian -> Logseq: a ``#word`` Logseq reads as a tag and Obsidian does not
    (``#1984``: an Obsidian tag needs a character that is no digit); ``\#1984`` keeps it
    text in Logseq. Each parser's own tag reading decides."""
    edits: dict[int, list[Edit]] = {}
    for number, line in enumerate(_without_math(mask_code(page.text)).split("\n"), start=1):
        if number <= skip_before or "#" not in line:
            continue
        taken = Spans(m.span() for m in _NOT_TAG_CONTEXT.finditer(line))
        for at in (m.start() for m in _HASH.finditer(line)):
            if not taken.covers(at) and logseq_tag_at(line, at) \
                    and obsidian_tag_at(line, at) is None:
                edits.setdefault(number, []).append(Edit(at, at, "\\"))
    return edits


def _highlights(masked: list[str], skip_before: int) -> dict[int, list[Edit]]:
    """Logseq -> Obsidian: ``^^text^^``, Logseq's highlight, is ``==text==`` (FORMATS.md
    part 4); Obsidian shows the carets. Logseq reads ``==text==`` too, so it stays."""
    edits: dict[int, list[Edit]] = {}
    for number, line in enumerate(masked, start=1):
        if number <= skip_before or "^^" not in line:
            continue
        for match in _LOGSEQ_HIGHLIGHT.finditer(line):
            start, end = match.span()
            edits.setdefault(number, []).extend(
                [Edit(start, start + 2, "=="), Edit(end - 2, end, "==")])
    return edits


def _comments_as_html(text: str, skip_before: int) -> dict[int, list[Edit]]:
    """Obsidian -> Logseq: ``%% comment %%`` as ``<!-- comment -->``, which Logseq hides
    and reads no links in; Logseq has no ``%%``, and showed the comment, its links made
    real. ``_html_comments_as_obsidian`` turns them back. A comment holding ``-->`` (it
    would end early) stays as written, and so does one holding a property line: that is
    how the export carries the properties Logseq never shows (``hidden_property_line``).
    One left open hides the rest of the note, so it is closed at the note's end."""
    if "%%" not in text:
        return {}
    spans = [(start, end, 2, 2 if text.startswith("%%", end - 2) and end - 2 > start else 0)
             for start, end in comment_spans(mask_code(text))]
    return _swapped_comments(text, spans, skip_before, ("<!--", "-->"), forbidden="-->")


def _html_comments_as_obsidian(text: str, skip_before: int) -> dict[int, list[Edit]]:
    """Logseq -> Obsidian: ``<!-- comment -->`` as ``%% comment %%``, the form an
    Obsidian note had before ``_comments_as_html`` (Obsidian hides both)."""
    if "<!--" not in text:
        return {}
    masked = mask_code(text)
    spans = []
    position = 0  # str.find: a line of unclosed "<!--" stays linear
    while (start := masked.find("<!--", position)) >= 0:
        if masked.startswith(("<!-->", "<!--->"), start):  # empty (CommonMark)
            position = start + 4
            continue
        end = masked.find("-->", start + 4)
        if end < 0:
            break
        spans.append((start, end + 3, 4, 3))
        position = end + 3
    return _swapped_comments(text, spans, skip_before, ("%%", "%%"), forbidden="%%")


_PROPERTY_COMMENT = re.compile(r"\s*[^\s:]+::")


def _swapped_comments(text: str, spans: list[tuple[int, int, int, int]], skip_before: int,
                      marks: tuple[str, str], forbidden: str) -> dict[int, list[Edit]]:
    """Edits writing each comment ``(start, end, opening width, closing width)`` with
    ``marks``; a closing width of 0 is a comment left open, closed at its end."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def at(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1]

    edits: dict[int, list[Edit]] = {}
    for start, end, opening_width, closing_width in spans:
        inside = text[start + opening_width:end - closing_width]
        opening = at(start)
        if forbidden in inside or _PROPERTY_COMMENT.match(inside) or opening[0] <= skip_before:
            continue
        edits.setdefault(opening[0], []).append(
            Edit(opening[1], opening[1] + opening_width, marks[0]))
        closing = at(end - closing_width)
        edits.setdefault(closing[0], []).append(
            Edit(closing[1], closing[1] + closing_width,
                 marks[1] if closing_width else f" {marks[1]}"))
    return edits


def _obsidian_comments(job: PageJob) -> Callable[[int, int], bool] | None:
    """Logseq -> Obsidian: whether (line, column) falls in what Obsidian reads as a
    ``%% comment %%`` (no links there, so names in it are left alone)."""
    text = job.page.text
    if "%%" not in text:
        return None
    spans = Spans(comment_spans(mask_code(text)))
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def inside(line: int, column: int) -> bool:
        return spans.covers(starts[line - 1] + column)

    return inside


def _macro_spans(line: str) -> Spans:
    return Spans(m.span() for m in _MACRO.finditer(line)) if "{{" in line else Spans(())


class Spans:
    """A set of [start, end) intervals answering "does one cover this offset?" in
    logarithmic time: a long line holds thousands of links, and testing each against
    every interval would be quadratic."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def covers(self, offset: int, *, strict: bool = False) -> bool:
        """Whether ``start <= offset < end`` for some interval (``strict``: the interval's
        inside only, ``start < offset < end``)."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return False
        start, end = self._starts[index], self._ends[index]
        if strict and offset == start:
            return False
        return offset < end


def apply_edits(line: str, edits: list[Edit]) -> str:
    """``line`` with non-overlapping edits applied (an overlapping one is dropped)."""
    out: list[str] = []
    position = 0
    for found in sorted(edits, key=lambda e: (e.start, e.end)):
        if found.start < position:
            continue
        out.append(line[position:found.start])
        out.append(found.text)
        position = found.end
    out.append(line[position:])
    return "".join(out)


def finish(lines: list[str]) -> str:
    """Page text with one final newline and no trailing blank lines."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[:end]) + "\n" if end else ""
