"""What one Logseq block says: its property lines, task parts (marker, priority,
SCHEDULED/DEADLINE, drawers), its text and the references and macros in that text.

Works on the lines ``logseq_outline`` assigned to the block, keeping every column as in
the file so references point at the exact place."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from kb_compiler.config import ParseOptions
from kb_compiler.model import Diagnostic, Macro, Property, Reference, Severity
from kb_compiler.parse.logseq_inline import (
    ScanContext,
    code_math_and_escape_spans,
    may_refer,
    reads_left_to_right,
    scan_inline,
)
from kb_compiler.parse.logseq_outline import BULLET, TAB_WIDTH, RawBlock, indent_width
from kb_compiler.parse.logseq_properties import property_line_match, read_property
from kb_compiler.parse.obsidian_mask import blank_spans
from kb_compiler.parse.text import LineIndex, mask_code

MARKERS = ("TODO", "DOING", "DONE", "LATER", "NOW", "WAITING", "WAIT", "CANCELED",
           "CANCELLED", "STARTED", "IN-PROGRESS")
# A task marker opening a block's first row (and the text after it).
TASK_MARKER = re.compile(r"(" + "|".join(MARKERS) + r")(?:[ \t]+|$)")
_PRIORITY = re.compile(r"\[#([A-C])\](?:[ \t]+|$)")
_PLANNING = re.compile(r"[ \t]*+(?:SCHEDULED|DEADLINE):")
_PLANNING_ITEM = re.compile(r"(SCHEDULED|DEADLINE):[ \t]*<([^>\n]*)>")
_DRAWER_OPEN = re.compile(r"[ \t]*+:([A-Za-z][A-Za-z0-9_-]*+):[ \t]*+$")
_DRAWER_END = re.compile(r"[ \t]*+:END:[ \t]*+$", re.IGNORECASE)
_HEADING = re.compile(r"(#{1,6})(?:[ \t]|$)")
_HEADING_MARKS = re.compile(r"#{1,6}[ \t]+")
# Org-style blocks whose body is code or a query, not text (Logseq reads them in
# Markdown pages too): nothing inside them is a link.
VERBATIM_OPEN = re.compile(r"[ \t]*+#\+BEGIN_(SRC|EXAMPLE|QUERY|EXPORT)\b", re.IGNORECASE)
VERBATIM_NAMES = ("SRC", "EXAMPLE", "QUERY", "EXPORT")
# The org-style blocks Logseq draws as admonitions (a box with an icon).
ADMONITIONS = frozenset({"NOTE", "TIP", "IMPORTANT", "CAUTION", "WARNING", "PINNED"})


@dataclass
class BlockParts:
    """A block read from its lines; ``property_references`` come from its property
    lines, ``references`` from its text."""

    content: str = ""
    end_line: int = 0
    properties: list[Property] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> its last line so far
    property_references: list[Reference] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    macros: list[Macro] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    starts_with_property: bool = False  # the first line is a key:: value line
    only_properties: bool = False  # every non-blank line is a property line
    marker: str | None = None
    priority: str | None = None
    scheduled: str | None = None
    deadline: str | None = None
    heading: int | None = None
    block_id: str | None = None


def read_block(lines: list[str], raw: RawBlock, path: str, options: ParseOptions) -> BlockParts:
    """Read the block whose lines ``lines[raw.first:raw.last + 1]`` are.

    The first row is cut where its text begins (after ``- ``), so the bullet's
    indentation is never scanned again; columns are shifted back when located."""
    rows = _Rows(lines[raw.first:raw.last + 1], raw)
    parts = BlockParts(end_line=last_text_line(rows.raw, raw.first))
    roles = _row_roles(rows.masked, parts)
    for index, role in enumerate(roles):
        if role == "property":
            _read_property_row(rows, index, path, options, parts)
    text_rows = [index for index, role in enumerate(roles) if role == "text"]
    parts.only_properties = bool(parts.properties) and all(
        not rows.raw[i].strip() for i in text_rows)
    head, heading = _read_task_head(rows.masked[0], raw.kind, parts) if 0 in text_rows \
        else (0, "")
    parts.content = heading + _content(rows.raw, roles, raw.content_column, head)
    _scan_text(rows, roles, head, path, parts)
    parts.heading = _heading_level(parts, raw.depth)
    parts.block_id = block_id_of(parts.properties)
    return parts


class _Rows:
    """A block's rows as written (``raw``) and with code blanked (``masked``), the
    first row starting at the block's text."""

    def __init__(self, rows: list[str], raw: RawBlock):
        rows[0] = rows[0][raw.content_start:]
        self.raw = rows
        self.first_line = raw.first + 1
        self.first_column = raw.content_start
        self.masked = _without_code(rows, spans=True)

    def fenced(self) -> list[str]:
        """The rows with fenced and verbatim code blanked, but not code spans."""
        return _without_code(self.raw, spans=False)

    def line_and_offset(self, index: int) -> tuple[int, int]:
        """The file line of row ``index`` and the 0-based column its row text starts at."""
        return self.first_line + index, self.first_column if index == 0 else 0


def _without_code(rows: list[str], *, spans: bool) -> list[str]:
    """``rows`` with fenced and verbatim code blanked, and code spans when ``spans``."""
    joined = "\n".join(rows)
    masked = mask_code(joined, spans=spans).split("\n") if "`" in joined or "~" in joined \
        else list(rows)
    if "#+" in joined:
        mask_verbatim(masked)
    return masked


def last_text_line(rows: list[str], first: int) -> int:
    """The 1-based line of the last non-blank row (``rows`` start at 0-based ``first``)."""
    for index in range(len(rows) - 1, -1, -1):
        if rows[index].strip():
            return first + index + 1
    return first + 1


def display_math_rows(rows: list[str]) -> dict[int, int]:
    """The ``$$`` formulas of ``rows`` that are blocks of their own, as mldoc reads them
    (``Displayed_Math``): first row -> last row. A row opening with ``$$`` is one alone
    when it is more than ``$$`` and ends in ``$$``, else it runs to the next row ending
    in ``$$`` before a blank row (the rule ``logseq_inline`` reads Markdown text by)."""
    found: dict[int, int] = {}
    closing: int | None = None  # the nearest row after the one at hand ending in $$
    ends: list[int | None] = [None] * len(rows)
    for number in range(len(rows) - 1, -1, -1):
        ends[number] = closing
        text = rows[number].strip()
        closing = None if not text else number if text.endswith("$$") else closing
    number = 0
    while number < len(rows):
        text = rows[number].strip()
        last = (number if len(text) > 3 and text.endswith("$$") else ends[number]) \
            if text.startswith("$$") else None
        if last is not None:
            found[number] = last
            number = last
        number += 1
    return found


def mask_display_math(masked: list[str]) -> None:
    """Blank (in place) the ``$$`` formulas that are blocks of their own."""
    for first, last in display_math_rows(masked).items():
        for number in range(first, last + 1):
            masked[number] = " " * len(masked[number])


def verbatim_blocks(rows: list[str]) -> dict[int, int]:
    """The ``#+BEGIN_SRC/EXAMPLE/QUERY/EXPORT`` blocks of ``rows``: the opening row ->
    the row that ends it (the next one starting with its ``#+END_`` marker). A block
    with no end row is no block (mldoc reads its rows as text)."""
    if "#+" not in "".join(rows):
        return {}
    ends: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        text = row.strip().upper()
        if text.startswith("#+END_"):
            for name in VERBATIM_NAMES:
                if text.startswith(name, 6):
                    ends.setdefault(name, []).append(index)
    found: dict[int, int] = {}
    index = 0
    while index < len(rows):
        opened = VERBATIM_OPEN.match(rows[index])
        closing = ends.get(opened.group(1).upper(), []) if opened else []
        at = bisect.bisect_right(closing, index)
        if at == len(closing):
            index += 1
            continue
        found[index] = closing[at]
        index = closing[at] + 1
    return found


def code_only_masked(text: str) -> str:
    """``text`` with its code blanked and nothing else: fences, code spans and the bodies
    of ``#+BEGIN_SRC`` (``EXAMPLE``, ``QUERY``, ``EXPORT``) blocks, in any bullet. The
    encoding repair leaves exactly this as written."""
    masked = mask_code(text).split("\n")
    if "#+" in text:
        mask_verbatim(masked, [_unbulleted(row) for row in masked])
    return "\n".join(masked)


def _unbulleted(row: str) -> str:
    bullet = BULLET.match(row)
    return " " * bullet.end() + row[bullet.end():] if bullet else row


def mask_verbatim(masked: list[str], rows: list[str] | None = None) -> dict[int, int]:
    """Blank (in place) the body of each of the ``verbatim_blocks`` of ``rows`` (default:
    ``masked`` itself) in ``masked``; return them."""
    blocks = verbatim_blocks(masked if rows is None else rows)
    for opening, closing in blocks.items():
        for inside in range(opening + 1, closing):
            masked[inside] = " " * len(masked[inside])
    return blocks


def _row_roles(masked: list[str], parts: BlockParts) -> list[str]:
    """Each row's role: ``property`` (in the property lines right after the first line,
    or from the first line itself), ``planning``, ``drawer`` (skipped, line numbers
    kept) or ``text``."""
    roles = ["text"] * len(masked)
    parts.starts_with_property = property_line_match(masked[0]) is not None
    if len(masked) == 1:
        if parts.starts_with_property:
            roles[0] = "property"
        return roles
    ends = [i for i, row in enumerate(masked) if ":" in row and _DRAWER_END.match(row)]
    index = 0 if parts.starts_with_property else 1
    in_property_zone = True
    while index < len(masked):
        row = masked[index]
        if in_property_zone and property_line_match(row):
            roles[index] = "property"
        elif _PLANNING.match(row) and _PLANNING_ITEM.search(row):
            roles[index] = "planning"
            _read_planning(row, parts)
        elif _DRAWER_OPEN.match(row) and not _DRAWER_END.match(row):
            end = _drawer_end(ends, index)
            if end is not None:
                roles[index:end + 1] = ["drawer"] * (end + 1 - index)
                index = end + 1
                continue
            in_property_zone = False
        else:
            in_property_zone = False
        index += 1
    return roles


def _drawer_end(ends: list[int], opened: int) -> int | None:
    at = bisect.bisect_right(ends, opened)
    return ends[at] if at < len(ends) else None


def _read_planning(row: str, parts: BlockParts) -> None:
    for item in _PLANNING_ITEM.finditer(row):
        if item.group(1) == "SCHEDULED":
            parts.scheduled = item.group(2).strip()
        else:
            parts.deadline = item.group(2).strip()


def _read_property_row(rows: _Rows, index: int, path: str, options: ParseOptions,
                       parts: BlockParts) -> None:
    match = property_line_match(rows.masked[index])
    if match is None:  # cannot happen: the row was classified by the same match
        return
    line, column = rows.line_and_offset(index)
    parsed = read_property(rows.raw[index], rows.masked[index], match, line, path, options,
                           column_offset=column)
    if parsed.property is not None:
        row = rows.raw[index]
        _warn_if_repeated(parsed.property, parts, path, column + 1 + len(row) - len(row.lstrip()))
        parts.properties.append(parsed.property)
    parts.property_references.extend(parsed.findings.references)
    parts.diagnostics.extend(parsed.findings.diagnostics)


def _warn_if_repeated(prop: Property, parts: BlockParts, path: str, column: int) -> None:
    """A key written twice in one block: Logseq keeps the last value (its property map
    is built from the lines in order), which the author may not expect."""
    earlier = parts.key_lines.get(prop.key)
    parts.key_lines[prop.key] = prop.line
    if earlier is not None:
        parts.diagnostics.append(Diagnostic(
            "duplicate-property", Severity.WARNING, path, prop.line, column,
            f"property '{prop.key}' is also set on line {earlier}; Logseq keeps "
            f"this last value", target=prop.key, end_column=column + len(prop.raw_key)))


def _read_task_head(first_row: str, kind: str, parts: BlockParts) -> tuple[int, str]:
    """Strip a task marker and a priority from a bullet's first row, after its heading
    marks if it has any (mldoc reads ``- ## TODO x`` as a heading that is a task);
    return the offset in that row where the block's text then begins, and the heading
    marks that go before it."""
    if kind != "block":
        return 0, ""
    heading = _HEADING_MARKS.match(first_row)
    start = heading.end() if heading else 0
    parts.marker, parts.priority, at = read_task_head(first_row[start:])
    if at == 0:
        return 0, ""
    return start + at, first_row[:start]


def read_task_head(first_row: str) -> tuple[str | None, str | None, int]:
    """The task marker and the priority opening a block's first row (an Org heading's
    title too), and the offset in that row where the block's text then begins."""
    marker = TASK_MARKER.match(first_row)
    at = marker.end() if marker else 0
    priority = _PRIORITY.match(first_row, at)
    return (marker.group(1) if marker else None, priority.group(1) if priority else None,
            priority.end() if priority else at)


def _content(rows: list[str], roles: list[str], content_column: int, head: int) -> str:
    """The block's own text: its text rows, bullet and continuation indent removed."""
    pieces: list[str] = []
    for index, role in enumerate(roles):
        if role == "text":
            row = rows[index]
            pieces.append(row[head:] if index == 0 else _dedent(row, content_column))
    return "\n".join(pieces).strip("\n").rstrip()


def _dedent(row: str, width: int) -> str:
    """``row`` without up to ``width`` columns of leading whitespace."""
    blank = len(row) - len(row.lstrip(" \t"))
    if blank == 0:
        return row
    if "\t" not in row[:blank]:
        return row[min(blank, width):]
    if indent_width(row[:blank]) <= width:
        return row[blank:]
    cut = column = 0
    while cut < blank:
        column = (column // TAB_WIDTH + 1) * TAB_WIDTH if row[cut] == "\t" else column + 1
        if column > width:
            break
        cut += 1
    return row[cut:]


def _scan_text(rows: _Rows, roles: list[str], head: int, path: str,
               parts: BlockParts) -> None:
    """References and macros in the text rows. Rows that are not text are emptied
    (keeping the row count, hence line numbers); the first row starts at ``head``."""
    raw_rows = [row if role == "text" else "" for row, role in zip(rows.raw, roles, strict=True)]
    raw_rows[0] = raw_rows[0][head:]
    raw_text = "\n".join(raw_rows)
    if not may_refer(raw_text):
        return
    # A backslash, a "$" or a "<" may change where code spans are (mldoc reads left to
    # right): then code, math, escapes and raw HTML are found in one pass. None of them
    # holds links or tags.
    left_to_right = reads_left_to_right(raw_text)
    masked_rows = [row if role == "text" else ""
                   for row, role in zip(rows.fenced() if left_to_right else rows.masked,
                                        roles, strict=True)]
    masked_rows[0] = masked_rows[0][head:]
    masked_text = "\n".join(masked_rows)
    if left_to_right:
        starts = itertools.accumulate((len(row) + 1 for row in masked_rows[:-1]), initial=0)
        emptied = {start for start, role in zip(starts, roles, strict=True) if role != "text"}
        masked_text = blank_spans(masked_text, code_math_and_escape_spans(masked_text, emptied),
                                  " ")
    first_line, shift = rows.first_line, rows.first_column + head
    index = LineIndex(masked_text, first_line=first_line) if len(rows.raw) > 1 else None

    def locate(offset: int) -> tuple[int, int]:
        if index is None:  # a one-line block: no line lookup needed
            return first_line, offset + shift + 1
        line, column = index.position(offset)
        return (line, column + shift) if line == first_line else (line, column)

    found = scan_inline(raw_text, masked_text, ScanContext(path, locate))
    parts.references.extend(found.references)
    parts.macros.extend(found.macros)
    parts.diagnostics.extend(found.diagnostics)


def _heading_level(parts: BlockParts, depth: int) -> int | None:
    marked = _HEADING.match(parts.content)
    if marked:
        return len(marked.group(1))
    for prop in parts.properties:
        value = prop.value
        if prop.key == "heading" and value is True:
            # Logseq's "auto heading": as deep in the outline, as small (h1 at the top)
            return min(depth + 1, 6)
        if prop.key == "heading" and isinstance(value, int) and not isinstance(value, bool) \
                and 1 <= value <= 6:
            return value
    return None


def block_id_of(properties: list[Property]) -> str | None:
    """The block's ``id`` property, lower case (uuids are compared that way)."""
    for prop in properties:
        if prop.key == "id" and isinstance(prop.value, str) and prop.value.strip():
            return prop.value.strip().lower()
    return None
