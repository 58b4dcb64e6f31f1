"""Logseq pages (FORMATS Part 1): an outline of ``- `` blocks with ``key:: value``
properties, read into a ``Page``.

The page is read in three steps: YAML front matter (rare, from imports), the outline's
line structure (``logseq_outline``), then each block's properties, task parts and
references (``logseq_blocks``). Page properties come from the front matter, the
pre-block (un-bulleted ``key:: value`` lines before the first bullet) or, as a lenient
reading of hand-written files, a first bullet that holds nothing but properties.

Pure: the result depends only on the arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kb_compiler.config import ParseOptions
from kb_compiler.model import (
    Block,
    Diagnostic,
    Dialect,
    Page,
    Property,
    Reference,
    Severity,
    last_property,
    page_id,
)
from kb_compiler.parse.logseq_blocks import BlockParts, read_block
from kb_compiler.parse.logseq_outline import Outline, RawBlock, split_outline
from kb_compiler.parse.obsidian_frontmatter import read_frontmatter


@dataclass
class _PageParts:
    """What the page is assembled from, collected in document order."""

    properties: list[Property] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_logseq(path: str, text: str, options: ParseOptions, *, default_name: str) -> Page:
    """Parse one Logseq page. ``text`` is decoded, LF-only and repaired; ``default_name``
    is the name from the file name, used unless a ``title::`` property says otherwise."""
    lines = text.split("\n")
    page = _PageParts()
    front = read_frontmatter(path, text, obsidian=False)
    page.properties.extend(front.properties)
    page.references.extend(front.references)
    page.diagnostics.extend(front.diagnostics)
    outline = split_outline(lines, front.end_line, path)
    page.diagnostics.extend(outline.diagnostics)
    _read_blocks(lines, outline, path, options, page)
    page.diagnostics.extend(_duplicate_block_ids(page.blocks, path))
    name = page_title(page.properties) or default_name
    return Page(
        path=path,
        name=name,
        dialect=Dialect.LOGSEQ,
        text=text,
        properties=tuple(page.properties),
        blocks=tuple(page.blocks),
        references=tuple(page.references),
        aliases=page_aliases(page.properties, front.aliases, name),
        tags=page_tags(page.properties, front.tags),
        frontmatter=front.raw,
        diagnostics=tuple(sorted(page.diagnostics, key=Diagnostic.sort_key)),
    )


def _read_blocks(lines: list[str], outline: Outline, path: str, options: ParseOptions,
                 page: _PageParts) -> None:
    """Read the pre-block and every block, moving page properties to the page."""
    had_page_properties = bool(page.properties)
    pre_block_text = False
    if outline.pre_block is not None:
        pre = read_block(lines, outline.pre_block, path, options)
        page.diagnostics.extend(pre.diagnostics)
        if pre.starts_with_property:
            _take_page_properties(pre, page)
        if pre.content or not pre.starts_with_property:
            pre_block_text = True
            _add_block(page, outline.pre_block, pre, parent=None)
        elif pre.block_id is not None:
            _add_block(page, outline.pre_block, _anchor(pre), parent=None)
    had_page_properties = had_page_properties or bool(page.properties)
    # Raw block index -> index in Page.blocks (a block moved to the page has none).
    placed: list[int | None] = []
    for number, raw in enumerate(outline.blocks):
        parts = read_block(lines, raw, path, options)
        page.diagnostics.extend(parts.diagnostics)
        if number == 0 and not (pre_block_text or had_page_properties) \
                and _is_property_bullet(raw, parts):
            page.diagnostics.append(_props_in_bullet(path, raw))
            _take_page_properties(parts, page)
            if not _has_children(outline.blocks) and parts.block_id is None:
                placed.append(None)
                continue
            parts = _anchor(parts)  # kept: it has children, or an id blocks point at
        parent = placed[raw.parent] if raw.parent is not None else None
        placed.append(len(page.blocks))
        _add_block(page, raw, parts, parent)


def _is_property_bullet(raw: RawBlock, parts: BlockParts) -> bool:
    return raw.kind == "block" and raw.depth == 0 and parts.only_properties \
        and parts.starts_with_property


def _has_children(blocks: list[RawBlock]) -> bool:
    return len(blocks) > 1 and blocks[1].parent == 0


def _props_in_bullet(path: str, raw: RawBlock) -> Diagnostic:
    return Diagnostic(
        "page-props-in-bullet", Severity.INFO, path, raw.first + 1, 1,
        "page properties written in a first bullet; Logseq writes them as un-bulleted "
        "lines before the first bullet",
    )


def _take_page_properties(parts: BlockParts, page: _PageParts) -> None:
    """Move a block's properties (and their references) to the page. Its ``block_id``
    stays: Logseq gives the properties block the uuid its ``id::`` names, and
    ``((uuid))`` refs land there."""
    page.properties.extend(parts.properties)
    page.references.extend(parts.property_references)
    parts.properties, parts.property_references = [], []


def _anchor(parts: BlockParts) -> BlockParts:
    """What is left of a block whose properties went to the page: no text, its id."""
    return BlockParts(end_line=parts.end_line, block_id=parts.block_id)


def _add_block(page: _PageParts, raw: RawBlock, parts: BlockParts, parent: int | None) -> None:
    references = sorted((*parts.property_references, *parts.references),
                        key=lambda ref: (ref.line, ref.column))
    depth = page.blocks[parent].depth + 1 if parent is not None else 0
    page.blocks.append(Block(
        index=len(page.blocks), parent=parent, depth=depth, line=raw.first + 1,
        end_line=parts.end_line, content=parts.content, properties=tuple(parts.properties),
        references=tuple(references), heading=parts.heading, block_id=parts.block_id,
        kind=raw.kind, macros=tuple(parts.macros), marker=parts.marker,
        priority=parts.priority, scheduled=parts.scheduled, deadline=parts.deadline,
    ))
    page.references.extend(references)


def _duplicate_block_ids(blocks: list[Block], path: str) -> list[Diagnostic]:
    """Logseq gives one of two blocks with the same ``id::`` a new uuid, so a
    ``((uuid))`` ref then means whichever it kept: report every repeat."""
    first_line: dict[str, int] = {}
    found: list[Diagnostic] = []
    for block in blocks:
        if block.block_id is None:
            continue
        id_line = next((p.line for p in block.properties if p.key == "id"), block.line)
        if block.block_id in first_line:
            found.append(Diagnostic(
                "duplicate-block-id", Severity.WARNING, path, id_line, 1,
                f"block id {block.block_id} is already used by the block at line "
                f"{first_line[block.block_id]}", target=block.block_id))
        else:
            first_line[block.block_id] = block.line
    return found


def page_title(properties: list[Property]) -> str | None:
    title = last_property(properties, "title")
    if title is not None and isinstance(title.value, str) and title.value.strip():
        return title.value.strip()
    return None


def page_aliases(properties: list[Property], front: tuple[str, ...], name: str) -> tuple[str, ...]:
    """Alias names, each once; blank ones and the page's own name are ignored. Of a key
    written twice, the last line counts (Logseq's property map keeps the last)."""
    names = list(front)
    for key in ("alias", "aliases"):
        if (prop := last_property(properties, key)) is not None:
            names.extend(prop.references)
    own = page_id(name)
    return _unique(n for n in names if n.strip() and page_id(n) != own)


def page_tags(properties: list[Property], front: tuple[str, ...]) -> tuple[str, ...]:
    names = list(front)
    if (prop := last_property(properties, "tags")) is not None:
        names.extend(prop.references)
    return _unique(n for n in names if n.strip())


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for name in names:
        if page_id(name) not in seen:
            seen.add(page_id(name))
            kept.append(name)
    return tuple(kept)
