"""Logseq whiteboards (``whiteboards/*.edn``): a page whose blocks are the board's shapes
and the blocks written on it, read from the EDN map Logseq saves.

The map holds ``:pages``, whose first entry names the board (``:block/original-name``),
and ``:blocks``. A shape's block carries its tldraw shape under ``:block/properties``
``:logseq.tldraw.shape`` (older files: the properties themselves) and has the shape's
``:id`` for its uuid, as Logseq gives it; other blocks are blocks written on the board,
which its portals show.

What a block says follows Logseq's ``with-whiteboard-content``, for the shapes that hold
words: a text shape its ``:text``; another block its ``:block/content``; a portal to a
page ``[[page]]`` and one to a block of another page ``((uuid))`` (a portal to a block of
the board says nothing: that block says it). Drawings (lines, boxes, pictures...) say
nothing, but keep their uuid, so a ``((uuid))`` ref to one finds the board. A block
written on the board, and a portal, is read as a Logseq block (``read_block``), so its
links, tags, block refs and embeds count; a text shape's words are shown as they are, a
``[[link]]`` typed in one no reference (graph-parser's ``get-shape-refs`` takes a shape's
references from its portal and from the pages and blocks its link button names,
``:refs``, which count for any shape).

Places: a block's line is the line of its string in the file (its text, or its uuid or
portal target when it says nothing of its own); a reference's column is where it stands
in that string as written, escapes counted. Blocks are all top-level, in file order.

Pure: the result depends only on the arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kb_compiler.config import ParseOptions
from kb_compiler.edn import EdnError, read_edn
from kb_compiler.model import SHAPE_TEXT, Block, Diagnostic, Dialect, Page, Reference, Severity
from kb_compiler.parse.logseq_blocks import BlockParts, read_block
from kb_compiler.parse.logseq_outline import RawBlock

WHITEBOARDS_FOLDER = "whiteboards/"
WHITEBOARD_SUFFIX = ".edn"
INVALID_WHITEBOARD = "invalid-whiteboard"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# How Logseq (ClojureScript's pr-str) writes a character inside an EDN string.
_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                          "\r": "\\r", "\t": "\\t"})


def is_whiteboard(path: str) -> bool:
    """Logseq's ``whiteboard?``: the vault path holds ``whiteboards/`` and ends in
    ``.edn`` (both as written, in any folder)."""
    return WHITEBOARDS_FOLDER in path and path.endswith(WHITEBOARD_SUFFIX)


def parse_whiteboard(path: str, text: str, options: ParseOptions, *,
                     default_name: str) -> Page:
    """Read one whiteboard file. ``default_name`` (from the file name) names a board
    whose ``:pages`` entry gives no name. A file that does not read is a page without
    blocks and an ``invalid-whiteboard`` error."""
    try:
        data = read_edn(text)
    except EdnError as error:
        return _unread(path, text, default_name, error.line,
                       f"the whiteboard does not read as EDN: {error}")
    board = data if isinstance(data, dict) and ("blocks" in data or "pages" in data) else {}
    blocks, pages = board.get("blocks", ()), board.get("pages", ())
    if not board or not isinstance(blocks, (list, tuple)) or not isinstance(pages, (list, tuple)):
        return _unread(path, text, default_name, 0,
                       "not a whiteboard: Logseq's map of :pages and :blocks was expected")
    said = [entry for entry in blocks if isinstance(entry, dict)]
    on_board = {uuid.lower() for entry in said if (uuid := _uuid(entry, _shape(entry)))}
    finder = _Finder(text)
    read = [_block(index, entry, on_board, finder, path, options)
            for index, entry in enumerate(said)]
    page_blocks = [block for block, _ in read]
    diagnostics = [diagnostic for _, parts in read for diagnostic in parts]
    references = sorted((ref for block in page_blocks for ref in block.references),
                        key=lambda ref: (ref.line, ref.column))
    return Page(path=path, name=_board_name(pages) or default_name, dialect=Dialect.LOGSEQ,
                text=text, blocks=tuple(page_blocks), references=tuple(references),
                diagnostics=tuple(sorted(diagnostics, key=Diagnostic.sort_key)))


def whiteboard_name(text: str, default_name: str) -> str:
    """The name of the board a whiteboard file holds (``default_name`` when it says
    none or does not read), without reading its shapes."""
    try:
        data = read_edn(text)
    except EdnError:
        return default_name
    pages = data.get("pages", ()) if isinstance(data, dict) else ()
    return _board_name(pages if isinstance(pages, (list, tuple)) else ()) or default_name


def _unread(path: str, text: str, name: str, line: int, message: str) -> Page:
    problem = Diagnostic(INVALID_WHITEBOARD, Severity.ERROR, path, line, 0,
                         message + "; the board is a page without its shapes")
    return Page(path, name, Dialect.LOGSEQ, text, diagnostics=(problem,))


def _board_name(pages: list[object] | tuple[object, ...]) -> str | None:
    """``:block/original-name`` of the first page entry, else its ``:block/name``."""
    first = pages[0] if pages and isinstance(pages[0], dict) else {}
    for key in ("block/original-name", "block/name"):
        name = first.get(key)
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def _shape(entry: dict[object, object]) -> dict[object, object] | None:
    """The tldraw shape a block stands for, or None for a block written on the board."""
    properties = entry.get("block/properties")
    if not isinstance(properties, dict) or properties.get("ls-type") != "whiteboard-shape":
        return None
    shape = properties.get("logseq.tldraw.shape")
    return shape if isinstance(shape, dict) and shape else properties


def _uuid(entry: dict[object, object], shape: dict[object, object] | None) -> str | None:
    for value in ((shape or {}).get("id"), entry.get("block/uuid")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


@dataclass(frozen=True, slots=True)
class _Said:
    """What a block says: ``text``, and whether the file holds it as a string
    (``written``); else ``anchor`` is the string the block is found by."""

    text: str
    written: bool
    anchor: str | None


def _said(entry: dict[object, object], shape: dict[object, object] | None,
          uuid: str | None, on_board: set[str]) -> _Said:
    if shape is not None and shape.get("type") == "text":
        return _Said(_string(shape.get("text")), True, uuid)
    content = _string(entry.get("block/content"))
    if content.strip():
        return _Said(content, True, uuid)
    if shape is not None and shape.get("type") == "logseq-portal":
        target = _string(shape.get("pageId")).strip()
        if target and shape.get("blockType") == "P":
            return _Said(f"[[{target}]]", False, target)
        if target and target.lower() not in on_board:
            return _Said(f"(({target}))", False, target)
    return _Said("", False, uuid)


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _block(index: int, entry: dict[object, object], on_board: set[str], finder: _Finder,
           path: str, options: ParseOptions) -> tuple[Block, list[Diagnostic]]:
    shape = _shape(entry)
    uuid = _uuid(entry, shape)
    said = _said(entry, shape, uuid, on_board)
    place = finder.place(said)
    linked = _linked(shape, place, path, options)
    if shape is not None and shape.get("type") == "text":
        # Logseq draws a text shape's words as they are: a [[link]] typed in one is no
        # reference (graph-parser takes a shape's refs from its portal and :refs only)
        return Block(index, None, 0, place.line, place.line, said.text, kind=SHAPE_TEXT,
                     references=linked, block_id=uuid.lower() if uuid else None), []
    if not said.text.strip():
        return Block(index, None, 0, place.line, place.line, "", references=linked,
                     block_id=uuid.lower() if uuid else None), []
    rows = said.text.split("\n")
    parts = read_block(rows, RawBlock(0, len(rows) - 1, None, 0, 0, 0), path, options)
    block = Block(
        index=index, parent=None, depth=0, line=place.line, end_line=place.line,
        content=parts.content,
        properties=tuple(replace(p, line=place.line) for p in parts.properties),
        references=tuple(sorted(
            (*(replace(r, line=place.line, column=place.column(r.line, r.column))
               for r in (*parts.property_references, *parts.references)), *linked),
            key=lambda ref: ref.column)),
        heading=parts.heading, block_id=uuid.lower() if uuid else parts.block_id,
        macros=tuple(replace(m, line=place.line, column=place.column(m.line, m.column))
                     for m in parts.macros),
        marker=parts.marker, priority=parts.priority, scheduled=parts.scheduled,
        deadline=parts.deadline,
    )
    return block, _placed_diagnostics(parts, place)


def _linked(shape: dict[object, object] | None, place: _Place, path: str,
            options: ParseOptions) -> tuple[Reference, ...]:
    """The pages and blocks a shape links to with its link button (``:refs``: page names
    and block uuids), at the shape's place."""
    names = shape.get("refs") if shape is not None else None
    if not isinstance(names, (list, tuple)):
        return ()
    written = [f"(({name.strip()}))" if _UUID.fullmatch(name.strip().lower())
               else f"[[{name.strip()}]]"
               for name in names if isinstance(name, str) and name.strip()]
    if not written:
        return ()
    parts = read_block([" ".join(written)], RawBlock(0, 0, None, 0, 0, 0), path, options)
    at = _Place(place.line, place.quote, None)  # the shape's string stands for them
    return tuple(replace(ref, line=place.line, column=at.column(ref.line, ref.column))
                 for ref in parts.references)


def _placed_diagnostics(parts: BlockParts, place: _Place) -> list[Diagnostic]:
    placed = []
    for found in parts.diagnostics:
        end = found.end_column
        placed.append(replace(
            found, line=place.line, column=place.column(found.line, found.column),
            end_column=place.column(found.line, end) if end is not None else None))
    return placed


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a block's text stands in the file: its ``line``, and the column (0-based)
    of the opening quote of the string that holds it (None: not found, so columns are
    0, the line only). ``text`` is the text as that string holds it; None when the
    block's text is made from the string (a portal's target), whose first character
    then stands for every column."""

    line: int
    quote: int | None
    text: str | None

    def column(self, row: int, column: int) -> int:
        """The file column (1-based) of ``row`` and ``column`` (1-based) of the text."""
        if self.quote is None:
            return 0
        if self.text is None:
            return self.quote + 2
        offset = sum(len(line) + 1 for line in self.text.split("\n")[:row - 1]) + column - 1
        return self.quote + 2 + len(self.text[:offset].translate(_ESCAPES))


class _Finder:
    """Finds each block's string in the file, in order, from the ``:blocks`` key on (a
    board's ``:pages`` entry names its shapes' ids too)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = max(text.find(":blocks"), 0)
        self.line = text.count("\n", 0, self.at) + 1

    def place(self, said: _Said) -> _Place:
        wanted: list[tuple[str, str | None]] = [(said.text, said.text)] if said.written else []
        if said.anchor:
            wanted.append((said.anchor, None))
        for value, text in wanted:
            literal = '"' + value.translate(_ESCAPES) + '"'
            found = self.text.find(literal, self.at)
            if found >= 0:
                self.line += self.text.count("\n", self.at, found)
                self.at = found + len(literal)
                column = found - self.text.rfind("\n", 0, found) - 1
                return _Place(self.line, column, text)
        return _Place(self.line, None, None)
