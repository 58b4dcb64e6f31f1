"""Org-mode pages of a Logseq graph (``pages/*.org``, ``journals/*.org``): the outline
and its properties, read into a ``Page``; the text itself is kept as written.

What is read: ``#+KEY: value`` lines before the first heading (page properties:
``#+TITLE``, ``#+ALIAS``, ``#+TAGS``...), headings (``*``, ``**``...) as blocks nested by
their level, and each heading's ``:PROPERTIES:`` drawer (block properties, ``:id:``
making the block a target of ``((uuid))`` refs and embeds). Property values are typed
as Logseq types them. In the text, references are read as in Markdown pages (``[[page]]``,
``#tag``, ``((uuid))``, ``{{embed}}``), plus Org links ``[[target][label]]`` to a page or
a block (to a URL or a file they are no reference); nothing inside ``~code~``,
``=verbatim=`` or ``#+BEGIN_SRC`` is. Org markup is not translated: a block's content
is its Org text, and its ``kind`` is ``ORG_TEXT`` so emitters treat it as Org text
(the site: ``emit.site.org_text``).

Pure: the result depends only on the arguments.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kb_compiler.config import ParseOptions
from kb_compiler.model import (
    ORG_TEXT,
    Block,
    Diagnostic,
    Dialect,
    Page,
    Property,
    Reference,
    RefKind,
    normalize_key,
)
from kb_compiler.parse.logseq import page_aliases, page_tags, page_title
from kb_compiler.parse.logseq_blocks import (
    block_id_of,
    last_text_line,
    mask_display_math,
    mask_verbatim,
    read_task_head,
)
from kb_compiler.parse.logseq_inline import (
    BLOCK_ID,
    InlineFindings,
    ScanContext,
    may_refer,
    scan_inline,
)
from kb_compiler.parse.logseq_properties import ALIAS_KEYS, type_value
from kb_compiler.parse.names import is_media_path
from kb_compiler.parse.obsidian_mask import blank_spans
from kb_compiler.parse.text import LineIndex

_HEADING = re.compile(r"(\*+)(?:[ \t]+(.*?))?[ \t]*$")
_FILE_PROPERTY = re.compile(r"#\+([A-Za-z][\w-]*):[ \t]*(.*?)[ \t]*$")
_DRAWER_OPEN = re.compile(r"[ \t]*:PROPERTIES:[ \t]*$", re.IGNORECASE)
_DRAWER_END = re.compile(r"[ \t]*:END:[ \t]*$", re.IGNORECASE)
_DRAWER_ROW = re.compile(r"([ \t]*:)([^\s:]+):(?:[ \t]+(.*?))?[ \t]*$")
_PLANNING = re.compile(r"[ \t]*(?:SCHEDULED|DEADLINE|CLOSED):")
_VERBATIM_OPEN = re.compile(r"[ \t]*#\+BEGIN_(\w+)", re.IGNORECASE)
# [[target][label]], or [[target]] (no label: group 2 is None). A label holds no
# bracket: each try then stops at the next one (lazy ".*?" made a line of many unclosed
# "[[a][b" quadratic).
ORG_LINK = re.compile(r"\[\[([^\[\]\n]+)\](?:\[([^\[\]\n]*)\])?\]")
# Without a label, mldoc reads [[target]] as a page reference unless it is a "file:"
# link or an address "protocol://..." (inline.ml, org_link_2); a path starting with "."
# or "/" names a file here as it does in a labelled link (org_file_target).
_UNLABELLED_NOT_PAGE = re.compile(r"\s*(?:file:.|[^:]*://|[./])", re.IGNORECASE)
_FILE_TARGET = re.compile(r"(?:file:(?!//)|(?=[./]))(.+)", re.IGNORECASE)
_BLOCK_TARGET = re.compile(r"\(\(\s*(" + BLOCK_ID + r")\s*\)\)")
# A URL, or an Org link type that names no page ("Project: X" is a page name).
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|(?:file|mailto|id|doi|tel|attachment|"
                         r"shell|elisp|info|help|news|irc|docview):", re.IGNORECASE)
# ~code~ and =verbatim=: a marker after a blank or an opening mark, then text that
# neither starts nor ends with a blank. (Org also wants a blank or punctuation after the
# closing marker; authors write "~[[Page]]~s" for code all the same.)
_CODE_OPENER = re.compile(r"(?<![^\s({'\"-])([~=])(?=\S)")
_CODE_CLOSERS = {marker: re.compile(r"(?<=\S)" + marker) for marker in "~="}
_NEWLINE = re.compile("\n")


@dataclass
class _Heading:
    """A heading and the lines up to the next one (0-based, end exclusive)."""

    level: int
    first: int
    end: int


@dataclass
class _Found:
    properties: list[Property] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_org(path: str, text: str, options: ParseOptions, *, default_name: str) -> Page:
    """Parse one Org page. ``text`` is decoded, LF-only and repaired; ``default_name``
    is the name from the file name, used unless ``#+TITLE:`` says otherwise."""
    lines = text.split("\n")
    headings = _headings(lines)
    first_heading = headings[0].first if headings else len(lines)
    page_found = _Found()
    pre_text = _page_properties(lines[:first_heading], path, options, page_found)
    blocks: list[Block] = []
    if pre_text is not None:
        intro = _scan_text(lines, pre_text[0], pre_text[-1] + 1, None, path)
        blocks.append(_pre_block(lines, pre_text, intro))
        page_found.references.extend(intro.references)
        page_found.diagnostics.extend(intro.diagnostics)
    _read_headings(lines, headings, path, options, blocks, page_found)
    properties = page_found.properties
    name = page_title(properties) or default_name
    return Page(
        path=path, name=name, dialect=Dialect.LOGSEQ, text=text,
        properties=tuple(properties), blocks=tuple(blocks),
        references=tuple(page_found.references),
        aliases=page_aliases(properties, (), name), tags=page_tags(properties, ()),
        diagnostics=tuple(sorted(page_found.diagnostics, key=Diagnostic.sort_key)),
    )


def _headings(lines: list[str]) -> list[_Heading]:
    """Every heading line outside ``#+BEGIN_...`` / ``#+END_...`` regions."""
    found: list[_Heading] = []
    closing: str | None = None
    for number, line in enumerate(lines):
        if closing is not None:
            if line.strip().upper().startswith(closing):
                closing = None
            continue
        opened = _VERBATIM_OPEN.match(line)
        if opened:
            closing = "#+END_" + opened.group(1).upper()
            continue
        if line.startswith("*"):
            heading = _HEADING.fullmatch(line)
            if heading:
                if found:
                    found[-1].end = number
                found.append(_Heading(len(heading.group(1)), number, len(lines)))
    return found


def _page_properties(lines: list[str], path: str, options: ParseOptions,
                     found: _Found) -> list[int] | None:
    """Read the ``#+KEY: value`` lines and a property drawer before the first heading
    into ``found``; return the numbers of the other non-blank lines (None: none)."""
    drawer = _drawer(lines, 0, len(lines))
    others: list[int] = []
    for number, line in enumerate(lines):
        if drawer and drawer[0] <= number <= drawer[1]:
            continue
        match = _FILE_PROPERTY.match(line)
        if match and not _VERBATIM_OPEN.match(line):
            _add_property(match.group(1), match.group(2), number, match.start(2), path,
                          options, found)
        elif line.strip():
            others.append(number)
    if drawer:
        _drawer_properties(lines, drawer, path, options, found)
    return others or None


def _pre_block(lines: list[str], numbers: list[int], text: InlineFindings) -> Block:
    """The text before the first heading (``numbers``: its non-blank lines)."""
    first, last = numbers[0], numbers[-1]
    content = "\n".join(lines[first:last + 1]).strip("\n")
    return Block(index=0, parent=None, depth=0, line=first + 1, end_line=last + 1,
                 content=content, kind=ORG_TEXT, references=tuple(text.references),
                 macros=tuple(text.macros))


def _read_headings(lines: list[str], headings: list[_Heading], path: str,
                   options: ParseOptions, blocks: list[Block], page_found: _Found) -> None:
    """One block per heading, nested under the nearest heading of a lower level."""
    open_levels: list[tuple[int, int]] = []  # (level, block index) of the open ancestors
    for heading in headings:
        while open_levels and open_levels[-1][0] >= heading.level:
            open_levels.pop()
        parent = open_levels[-1][1] if open_levels else None
        found = _Found()
        drawer = _drawer(lines, heading.first, heading.end)
        if drawer:
            _drawer_properties(lines, drawer, path, options, found)
        text = _scan_text(lines, heading.first, heading.end, drawer, path)
        references = tuple(sorted([*found.references, *text.references],
                                  key=lambda ref: (ref.line, ref.column)))
        index = len(blocks)
        title, marker, priority = _title(lines, heading, drawer)
        blocks.append(Block(
            index=index, parent=parent,
            depth=blocks[parent].depth + 1 if parent is not None else 0,
            line=heading.first + 1,
            end_line=last_text_line(lines[heading.first:heading.end], heading.first),
            content=_content(lines, heading, drawer, title), properties=tuple(found.properties),
            references=references, marker=marker, priority=priority,
            block_id=block_id_of(found.properties), kind=ORG_TEXT, macros=tuple(text.macros),
        ))
        page_found.references.extend(references)
        page_found.diagnostics.extend([*found.diagnostics, *text.diagnostics])
        open_levels.append((heading.level, index))


def _scan_text(lines: list[str], first: int, end: int, drawer: tuple[int, int] | None,
               path: str) -> InlineFindings:
    """The references and macros in the text of ``lines[first:end]`` (a heading's title
    and body, or the text before the first heading), the drawer's lines left out and
    Org code (``~code~``, ``=verbatim=``, ``#+BEGIN_SRC`` ...) and ``$$`` formulas on rows
    of their own masked."""
    rows = [_text_row(lines[number]) if not drawer or not drawer[0] <= number <= drawer[1]
            else "" for number in range(first, end)]
    raw = "\n".join(rows)
    if not may_refer(raw):
        return InlineFindings()
    block_rows = raw.split("\n")  # blocks first, as mldoc reads them, then code spans
    mask_verbatim(block_rows)
    mask_display_math(block_rows)
    blocked = "\n".join(block_rows)
    masked = blank_spans(blocked, org_code_spans(blocked), " ")
    index = LineIndex(masked, first_line=first + 1)
    context = ScanContext(path, index.position)
    found = InlineFindings()
    if "[[" in masked:
        masked = _scan_org_links(raw, masked, context, found)
    found.extend(scan_inline(raw, masked, context))
    found.references.sort(key=lambda ref: (ref.line, ref.column))
    return found


def _text_row(line: str) -> str:
    """A line as text: a heading's stars are blanked (columns kept)."""
    heading = _HEADING.fullmatch(line) if line.startswith("*") else None
    if heading is None or heading.group(2) is None:
        return "" if heading else line
    return " " * heading.start(2) + heading.group(2)


def org_code_spans(text: str) -> list[tuple[int, int]]:
    """The ``~code~`` and ``=verbatim=`` spans of ``text`` (start, end, markers
    included), in order: each opener (see ``_CODE_OPENER``) closed by the first same
    marker on its line that follows a character other than a blank, as a lazy
    ``~.*?\\S~`` reads it. The closer is looked up, never searched for, so a line of
    a thousand unclosed markers stays linear (the pattern took 8 s on 60 KB of them)."""
    if "~" not in text and "=" not in text:
        return []
    closers = {marker: [m.start() for m in pattern.finditer(text)]
               for marker, pattern in _CODE_CLOSERS.items()}
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    spans: list[tuple[int, int]] = []
    for opener in _CODE_OPENER.finditer(text):
        start = opener.start()
        if spans and start < spans[-1][1]:
            continue
        ends = closers[opener.group(1)]
        at = bisect.bisect_left(ends, start + 2)
        if at == len(ends):
            continue
        line_end = bisect.bisect_left(newlines, start)
        if line_end < len(newlines) and newlines[line_end] < ends[at]:
            continue
        spans.append((start, ends[at] + 1))
    return spans


def org_link_target(target: str) -> tuple[RefKind | None, str]:
    """What the target of an Org link ``[[target][label]]`` names: a block
    ``(BLOCK_REF, uuid)``, a page ``(LINK, name)``, or neither ``(None, target)``: a URL
    or an Org link type such as ``mailto:``. A file (``org_file_target``) is none of
    these: check it first."""
    target = target.strip()
    block = _BLOCK_TARGET.fullmatch(target)
    if block:
        return RefKind.BLOCK_REF, block.group(1).lower()
    if _URL_SCHEME.match(target):
        return None, target
    return RefKind.LINK, target


def org_file_target(target: str) -> str | None:
    """The file an Org link names, or None: mldoc reads a target starting with ``.`` or
    ``/`` as a file (``[[../assets/chart.png][chart]]``), and so is a ``file:`` link to a
    path (not ``file://``, a URL)."""
    found = _FILE_TARGET.fullmatch(target.strip())
    return found.group(1) if found else None


def mask_org_links(masked: str) -> tuple[str, list[re.Match[str]]]:
    """The Org links of ``masked`` (the text with its code blanked): every
    ``[[target][label]]``, and ``[[target]]`` where it names a file or an address; and
    the text with each of them blanked from a line end on, so that no ``[[ ]]`` pair or
    macro is read across one (in ``[[[[a][b]]]]`` the link is to 'a', the outer brackets
    are text)."""
    links = [link for link in ORG_LINK.finditer(masked)
             if link.group(2) is not None or _UNLABELLED_NOT_PAGE.match(link.group(1))]
    pieces: list[str] = []
    last = 0
    for link in links:
        pieces.append(masked[last:link.start()] + "\n" + " " * (link.end() - link.start() - 1))
        last = link.end()
    return "".join(pieces) + masked[last:], links


def _scan_org_links(raw: str, masked: str, context: ScanContext,
                    found: InlineFindings) -> str:
    """``[[target][label]]`` links: a page, a block (``((uuid))``) or a file in the
    graph (``../assets/a.png``, ``file:a.pdf``); a URL is no reference. Returns
    ``masked`` with them blanked."""
    masked, links = mask_org_links(masked)
    for link in links:
        written = raw[link.start(1):link.end(1)]
        kind, target = org_link_target(written)
        label = raw[link.start(2):link.end(2)].strip() or None  # "" without a label
        line, column = context.locate(link.start())
        source = raw[link.start():link.end()]
        path = org_file_target(written)
        if path is not None:
            shown = RefKind.EMBED if is_media_path(path) else RefKind.LINK
            found.references.append(Reference(shown, path, line, column, label=label,
                                              raw=source, is_asset=True))
        elif kind is RefKind.BLOCK_REF:
            found.references.append(Reference(kind, "", line, column, label=label,
                                              block_id=target, raw=source))
        elif kind is RefKind.LINK:
            found.references.append(Reference(kind, target, line, column, label=label,
                                              raw=source))
    return masked


def _drawer(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """The ``:PROPERTIES:`` drawer (first and last line) among the first lines of
    ``lines[start:end]``: only planning lines may come before it. ``start`` may be a
    heading's line, whose title may open the drawer (``**** :PROPERTIES:``, as Logseq
    wrote a block without a title)."""
    for number in range(start, end):
        line = lines[number]
        heading = _HEADING.fullmatch(line) if line.startswith("*") else None
        if heading:
            line = heading.group(2) or ""
            if not _DRAWER_OPEN.match(line):
                continue
        if _DRAWER_OPEN.match(line):
            closing = next((n for n in range(number + 1, end) if _DRAWER_END.match(lines[n])),
                           None)
            return (number, closing) if closing is not None else None
        if line.strip() and not _PLANNING.match(line) and not _FILE_PROPERTY.match(line):
            return None
    return None


def _drawer_properties(lines: list[str], drawer: tuple[int, int], path: str,
                       options: ParseOptions, found: _Found) -> None:
    for number in range(drawer[0] + 1, drawer[1]):
        row = _DRAWER_ROW.fullmatch(lines[number])
        if row:
            _add_property(row.group(2), row.group(3) or "", number, max(row.start(3), 0),
                          path, options, found)


def _add_property(raw_key: str, raw: str, number: int, value_start: int, path: str,
                  options: ParseOptions, found: _Found) -> None:
    """A property of line ``number`` whose value starts at ``value_start`` (both
    0-based)."""
    key = normalize_key(raw_key)

    def locate(offset: int) -> tuple[int, int]:
        return number + 1, value_start + offset + 1

    value, names, findings = type_value(key, raw, raw, path, locate, options, markdown=False)
    found.properties.append(Property(key, raw_key, raw, value, number + 1, names))
    if key not in ALIAS_KEYS:
        found.references.extend(findings.references)
    found.diagnostics.extend(findings.diagnostics)


def _title(lines: list[str], heading: _Heading, drawer: tuple[int, int] | None,
           ) -> tuple[str, str | None, str | None]:
    """A heading's title, without the task marker and priority it opens with (``* TODO
    [#A] title``: a task in Logseq, as on a Markdown page), and those two."""
    found = _HEADING.fullmatch(lines[heading.first])
    if found is None or (drawer is not None and drawer[0] == heading.first):
        return "", None, None
    title = found.group(2) or ""
    marker, priority, at = read_task_head(title)
    return title[at:], marker, priority


def _content(lines: list[str], heading: _Heading, drawer: tuple[int, int] | None,
             title: str) -> str:
    rows = [title]
    for number in range(heading.first + 1, heading.end):
        if drawer and drawer[0] <= number <= drawer[1]:
            continue
        rows.append(lines[number])
    return _dedented(rows).strip("\n").rstrip()


def _dedented(rows: list[str]) -> str:
    """The heading's text, its body rows without their common indentation."""
    body = [row for row in rows[1:] if row.strip()]
    indent = min((len(row) - len(row.lstrip(" \t")) for row in body), default=0)
    return "\n".join([rows[0], *(row[indent:] for row in rows[1:])])


