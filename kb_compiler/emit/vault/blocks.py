"""Block anchors across dialects: Logseq ``id::`` uuids <-> Obsidian ``^ids`` and
heading links.

- Logseq -> Obsidian: a block's uuid is a valid Obsidian block id, so it is written as
  ``^uuid`` on the block and ``((uuid))`` becomes ``[[Note#^uuid]]``.
- Obsidian -> Logseq: an ``^id`` that is a uuid stays; any other id gets a uuid derived
  from the note and the id (uuid5, so exports are deterministic). A heading that a
  ``[[Note#Heading]]`` link points at gets a uuid derived from the page and the heading
  text, and the link becomes a block ref. Because that uuid can be computed again from
  the Logseq block, the way back recognises it and writes ``[[Note#Heading]]`` again.
- A Logseq block that a heading link from an Obsidian page (in a mixed folder) targets
  gets such a heading uuid written as a new ``id::`` line.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from kb_compiler.emit.vault.outline import ObsidianLayout, obsidian_units
from kb_compiler.model import Block, Dialect, Page, page_id
from kb_compiler.resolve.blocks import heading_level, heading_text, properties_block

KBC_NAMESPACE = uuid.UUID("8f4b1c2e-5a7d-4e39-9c61-2b0d7a4e5f13")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")


def is_uuid(text: str) -> bool:
    return bool(_UUID.fullmatch(text))


def block_uuid(page: str, block_id: str) -> str:
    """The Logseq uuid for Obsidian block ``^block_id`` of page id ``page``."""
    if is_uuid(block_id):
        return block_id.lower()
    return str(uuid.uuid5(KBC_NAMESPACE, f"block\0{page}\0{block_id}"))


def heading_uuid(page_name: str, heading: str) -> str:
    """The Logseq uuid for the heading ``heading`` of page ``page_name``."""
    return str(uuid.uuid5(KBC_NAMESPACE, f"heading\0{page_id(page_name)}\0{heading}"))


def heading_of(block: Block) -> str | None:
    """The text of a heading block, without its ``#`` marks; None for other blocks."""
    return heading_text(block.content) if heading_level(block) is not None else None


@dataclass(frozen=True, slots=True)
class Anchor:
    """How the target dialect points into a page: a block id or a heading text; neither
    points at the page itself (a Logseq properties block, front matter in Obsidian)."""

    block: str | None = None
    heading: str | None = None


@dataclass
class BlockPlan:
    """Anchors by (source path, block index); ids to write by source path (Logseq
    target: by unit index for Obsidian pages, by block index for Logseq pages;
    Obsidian target: by block index); the outline layout of Obsidian pages."""

    anchors: dict[tuple[str, int], Anchor] = field(default_factory=dict)
    ids: dict[str, dict[int, str]] = field(default_factory=dict)
    layouts: dict[str, ObsidianLayout] = field(default_factory=dict)

    def anchor(self, path: str, block: int) -> Anchor | None:
        return self.anchors.get((path, block))


def plan_blocks(pages: list[tuple[Page, str]], targeted: set[tuple[str, int]],
                target: Dialect) -> BlockPlan:
    """The block plan for ``pages`` (each with its name in the target vault);
    ``targeted`` holds the (source path, block index) pairs references point at."""
    plan = BlockPlan()
    for page, name in pages:
        source_is_logseq = page.dialect is Dialect.LOGSEQ
        if target is Dialect.LOGSEQ and source_is_logseq:
            _logseq_to_logseq(plan, page, name, targeted)
        elif target is Dialect.LOGSEQ:
            _obsidian_to_logseq(plan, page, name, targeted)
        else:
            _to_obsidian(plan, page, name, targeted)
    return plan


def _logseq_to_logseq(plan: BlockPlan, page: Page, name: str,
                      targeted: set[tuple[str, int]]) -> None:
    for block in page.blocks:
        if block.block_id:
            plan.anchors[(page.path, block.index)] = Anchor(block=block.block_id)
        elif (page.path, block.index) in targeted:
            made = heading_uuid(name, heading_of(block) or f"line {block.line}")
            plan.ids.setdefault(page.path, {})[block.index] = made
            plan.anchors[(page.path, block.index)] = Anchor(block=made)


def _obsidian_to_logseq(plan: BlockPlan, page: Page, name: str,
                        targeted: set[tuple[str, int]]) -> None:
    layout = obsidian_units(page)
    plan.layouts[page.path] = layout
    members: dict[int, list[int]] = {}
    for block, unit in sorted(layout.unit_of_block.items()):
        members.setdefault(unit, []).append(block)
    for unit, blocks in members.items():
        with_id = [b for b in blocks if page.blocks[b].block_id]
        wanted = [b for b in blocks if (page.path, b) in targeted]
        if not with_id and not wanted:
            continue
        if with_id:
            made = block_uuid(page.id, page.blocks[with_id[0]].block_id or "")
        else:
            head = layout.units[unit].blocks[0]
            chosen = head if heading_of(page.blocks[head]) is not None else wanted[0]
            made = heading_uuid(name, heading_of(page.blocks[chosen])
                                or f"line {page.blocks[chosen].line}")
        plan.ids.setdefault(page.path, {})[unit] = made
        for block in blocks:
            if page.blocks[block].block_id or (page.path, block) in targeted:
                plan.anchors[(page.path, block)] = Anchor(block=made)


def _to_obsidian(plan: BlockPlan, page: Page, name: str,
                 targeted: set[tuple[str, int]]) -> None:
    logseq = page.dialect is Dialect.LOGSEQ
    properties = properties_block(page) if logseq else None
    for block in page.blocks:
        if block.index == properties:  # its properties become the note's front matter
            plan.anchors[(page.path, block.index)] = Anchor()
            continue
        heading = heading_of(block)
        bid = block.block_id
        if bid and logseq and heading is not None and bid == heading_uuid(name, heading):
            bid = None  # a heading uuid kbc made: Obsidian links the heading itself
        if bid:
            plan.anchors[(page.path, block.index)] = Anchor(block=bid)
            if logseq:
                plan.ids.setdefault(page.path, {})[block.index] = bid
        elif heading is not None:
            plan.anchors[(page.path, block.index)] = Anchor(heading=heading)
