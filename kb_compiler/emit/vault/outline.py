"""A page as a sequence of outline units, the shape both dialects can write.

A unit is one future block (Logseq) or list item (Obsidian): the source lines it is
made of, its nesting depth and the source blocks it covers. Units name source *lines*
rather than copying text, because the links in those lines are rewritten first (edits
keep line numbers) and the units then read the rewritten lines.

- A Logseq page gives one unit per block (``logseq_units``): the outline as it is.
- An Obsidian note gives one unit per heading, paragraph, list item, quote, code block,
  table..., nested as Obsidian nests them: a heading's section under the heading, a
  list's items under their parent item (``obsidian_units``). A list item keeps its own
  later paragraphs and code as continuation lines; its nested list items become child
  units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb_compiler.model import Block, Page

LIST_MARKER = re.compile(r"([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)")
_ORDERED = re.compile(r"[ \t]*\d{1,9}[.)]")
LOGSEQ_BULLET = re.compile(r"([ \t]*)-(?:[ \t]+|$)")
_FENCE = re.compile(r"---[ \t]*$")
LONE_BLOCK_ID = re.compile(r"[ \t]*\^([A-Za-z0-9-]+)[ \t]*$")
TAB = 4
# Obsidian blocks written as one unit, whatever they hold.
_WHOLE = frozenset({"paragraph", "code", "math", "html", "table", "table-of-contents",
                    "footnote", "comment", "callout", "blockquote"})


@dataclass
class Unit:
    """One block of the outline to write.

    ``first`` is (line, characters to cut) for the first line, ``rest`` a list of
    (line, columns to dedent) for the others; lines are 1-based in the source page.
    ``bulleted`` is False for the text of a Logseq page that has no outline (no bullet
    at all), written as a document. ``blocks`` are the source block
    indices the unit covers, its head first. ``ordered`` marks a numbered list item.
    """

    depth: int
    first: tuple[int, int] | None
    rest: list[tuple[int, int]] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)
    bulleted: bool = True
    ordered: bool = False


def columns(whitespace: str) -> int:
    """The width of leading whitespace, tabs to the next multiple of ``TAB``."""
    width = 0
    for char in whitespace:
        width = (width // TAB + 1) * TAB if char == "\t" else width + 1
    return width


def dedent(line: str, width: int) -> str:
    """``line`` without up to ``width`` columns of leading whitespace."""
    column = cut = 0
    while cut < len(line) and line[cut] in " \t" and column < width:
        step = (column // TAB + 1) * TAB if line[cut] == "\t" else column + 1
        if step > width:
            break
        column = step
        cut += 1
    return line[cut:]


def frontmatter_end(page: Page) -> int:
    """The line of the front matter's closing ``---`` (0 when the page has none)."""
    if page.frontmatter is None:
        return 0
    lines = page.text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return 0
    return next((number + 1 for number in range(1, len(lines)) if _FENCE.match(lines[number])),
                0)


# --- Logseq ----------------------------------------------------------------------------


def logseq_units(page: Page, skipped: set[int]) -> list[Unit]:
    """One unit per block of a Logseq page; ``skipped`` lines (page properties, front
    matter) are left out. Block properties stay in the unit as lines.

    Text outside the outline (no bullet) is a bulleted unit too when the page has an
    outline: Logseq shows it as a block, and its children under it. Written as a
    heading and paragraphs, it would take the blocks after it into its section in
    Obsidian (Logseq's docs graph's Changelog.md opens with such a heading). Only a
    page with no bullet at all is written as a document."""
    lines = page.text.split("\n")
    outline = any(block.kind == "block" for block in page.blocks)
    odepth: list[int] = []
    units: list[Unit] = []
    for block in page.blocks:
        parent = block.parent
        nests = outline or (parent is not None and page.blocks[parent].kind == "block")
        depth = 0 if parent is None else odepth[parent] + nests
        odepth.append(depth)
        own = [n for n in range(block.line, max(block.end_line, block.line) + 1)
               if n not in skipped and n <= len(lines)]
        unit = Unit(depth, None, blocks=[block.index], bulleted=outline)
        bullet = LOGSEQ_BULLET.match(lines[block.line - 1]) if block.kind == "block" else None
        column = columns(bullet.group(1)) + 2 if bullet else 0
        if own and own[0] == block.line:
            unit.first = (block.line, bullet.end() if bullet else 0)
            own = own[1:]
        unit.rest = [(n, column) for n in own]
        if unit.first is None and not unit.rest and not _holds_children(page, block):
            continue  # a pre-block or bullet that only held page properties
        units.append(unit)
    return units


def _holds_children(page: Page, block: Block) -> bool:
    """Whether ``block`` is a bullet with children, which need it to nest under."""
    following = block.index + 1
    return block.kind == "block" and following < len(page.blocks) \
        and page.blocks[following].parent == block.index


# --- Obsidian --------------------------------------------------------------------------


@dataclass
class ObsidianLayout:
    """The units of a note and, for each source block index, the unit covering it."""

    units: list[Unit]
    unit_of_block: dict[int, int]


def obsidian_units(page: Page) -> ObsidianLayout:
    """The note's blocks as outline units (see the module docstring)."""
    lines = page.text.split("\n")
    blocks = page.blocks
    children: dict[int | None, list[int]] = {}
    for block in blocks:
        children.setdefault(block.parent, []).append(block.index)
    layout = ObsidianLayout([], {})
    atoms = [b for b in blocks if b.parent is None or blocks[b.parent].kind == "heading"]
    covered = _covered_lines(lines, atoms)
    start = frontmatter_end(page) + 1
    runs = _uncovered_runs(lines, covered, start)
    sections: list[int] = []  # levels of the headings whose sections are open
    items: list[tuple[int, Block | list[int]]] = [
        *((b.line, b) for b in atoms), *((run[0], run) for run in runs)]
    for item in sorted(items, key=lambda pair: pair[0]):
        atom = item[1]
        if isinstance(atom, list):
            layout.units.append(Unit(len(sections), (atom[0], 0), [(n, 0) for n in atom[1:]]))
            continue
        if atom.kind == "heading":
            while sections and sections[-1] >= (atom.heading or 1):
                sections.pop()
            depth = len(sections)
            sections.append(atom.heading or 1)
            _add(layout, Unit(depth, (atom.line, 0), _heading_rest(lines, atom),
                              [atom.index]), [atom.index])
        else:
            _expand(layout, lines, blocks, children, atom, len(sections))
    _resolve_list_ids(layout)
    return layout


def _heading_rest(lines: list[str], heading: Block) -> list[tuple[int, int]]:
    """A setext heading's underline (``===`` or ``---``) belongs to the heading."""
    return [(heading.line + 1, 0)] if _is_setext(lines, heading) else []


def _is_setext(lines: list[str], heading: Block) -> bool:
    if lines[heading.line - 1].lstrip().startswith("#") or heading.line >= len(lines):
        return False
    underline = lines[heading.line].strip()
    return bool(underline) and set(underline) <= {"=", "-"}


def _add(layout: ObsidianLayout, unit: Unit, covered: list[int]) -> None:
    index = len(layout.units)
    layout.units.append(unit)
    for block in covered:
        layout.unit_of_block[block] = index


def _expand(layout: ObsidianLayout, lines: list[str], blocks: tuple[Block, ...],
            children: dict[int | None, list[int]], root: Block, depth: int) -> None:
    """Units for one top-level block; lists are walked with an explicit stack."""
    stack: list[tuple[Block, int, Block | None]] = [(root, depth, None)]
    while stack:
        block, level, list_block = stack.pop()
        if block.kind == "list":
            items = children.get(block.index, [])
            if block.block_id and items:
                layout.unit_of_block[block.index] = -1 - items[0]  # resolved below
            stack.extend((blocks[i], level, block) for i in reversed(items))
            continue
        if block.kind == "list-item":
            pushed = _list_item(layout, lines, blocks, children, block, level, list_block)
            stack.extend(reversed(pushed))
            continue
        covered = [block.index, *_descendants(children, block.index)]
        head = lines[block.line - 1]
        cut = len(head) - len(head.lstrip(" \t"))
        rest = [(n, columns(head[:cut])) for n in range(block.line + 1, block.end_line + 1)]
        _add(layout, Unit(level, (block.line, cut), rest, covered), covered)


def _list_item(layout: ObsidianLayout, lines: list[str], blocks: tuple[Block, ...],
               children: dict[int | None, list[int]], item: Block, level: int,
               list_block: Block | None) -> list[tuple[Block, int, Block | None]]:
    """The item's unit: its own lines plus every child up to its first nested list;
    nested lists (and anything after them) become child units."""
    kids = children.get(item.index, [])
    # A list opening on the item's own line (``- 3. text``) is the item's text.
    first_list = next((i for i, k in enumerate(kids)
                       if blocks[k].kind == "list" and blocks[k].line > item.line), len(kids))
    merged = kids[:first_list]
    end = blocks[kids[first_list]].line - 1 if first_list < len(kids) \
        else max(item.end_line, item.line)
    marker = LIST_MARKER.match(lines[item.line - 1])
    cut = marker.end() if marker else 0
    content = _content_column(marker) if marker else 0
    covered = [item.index]
    for kid in merged:
        covered.extend([kid, *_descendants(children, kid)])
    rest = [(n, content) for n in range(item.line + 1, end + 1)]
    while rest and not lines[rest[-1][0] - 1].strip():
        rest.pop()
    ordered = bool(list_block and _ORDERED.match(lines[list_block.line - 1]))
    _add(layout, Unit(level, (item.line, cut), rest, covered, ordered=ordered), covered)
    return [(blocks[k], level + 1, None) for k in kids[first_list:]]


def _content_column(marker: re.Match[str]) -> int:
    """Where a list item's text begins (CommonMark: after the marker and 1-4 spaces;
    five or more spaces start indented code, so the text begins after one)."""
    before = columns(marker.group(1)) + len(marker.group(2))
    spaces = columns(marker.group(1) + marker.group(2) + marker.group(3)) - before
    return before + (spaces if 1 <= spaces <= 4 else 1)


def _resolve_list_ids(layout: ObsidianLayout) -> None:
    """A ``^id`` naming a whole list names its first item's unit in the outline."""
    for block, unit in list(layout.unit_of_block.items()):
        if unit < 0:
            layout.unit_of_block[block] = layout.unit_of_block.get(-1 - unit, 0)


def _descendants(children: dict[int | None, list[int]], index: int) -> list[int]:
    found: list[int] = []
    stack = list(reversed(children.get(index, [])))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children.get(current, [])))
    return found


def _covered_lines(lines: list[str], atoms: list[Block]) -> set[int]:
    covered: set[int] = set()
    for atom in atoms:
        if atom.kind == "heading":
            covered.update(n for n, _ in [(atom.line, 0), *_heading_rest(lines, atom)])
        else:
            covered.update(range(atom.line, max(atom.end_line, atom.line) + 1))
    return covered


def _uncovered_runs(lines: list[str], covered: set[int], start: int) -> list[list[int]]:
    """Runs of non-blank lines no block claims (thematic breaks, link definitions...),
    without lone ``^id`` lines: those name the block above them."""
    runs: list[list[int]] = []
    current: list[int] = []
    for number in range(start, len(lines) + 1):
        text = lines[number - 1]
        if number in covered or not text.strip() or LONE_BLOCK_ID.fullmatch(text):
            if current:
                runs.append(current)
                current = []
            continue
        current.append(number)
    if current:
        runs.append(current)
    return runs
