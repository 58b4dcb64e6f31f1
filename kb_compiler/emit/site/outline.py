"""Logseq outlines as nested, collapsible lists.

The block tree is flat in the model (document order, each block with its depth), so the
nested ``<ul>``/``<li>`` markup is written with an explicit stack, never by recursion:
a 10,000-level outline renders like any other. Very deep levels are drawn at
``MAX_VISUAL_DEPTH`` (as siblings) so the page stays readable and browsers do not
flatten it themselves.

Each item carries its anchor id, a bullet that folds its children (``collapsed::
true`` starts folded; folding needs script, so without it everything stays open) and
the block's rendered content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from kb_compiler.model import Block, Page
from kb_compiler.resolve.blocks import properties_block

MAX_VISUAL_DEPTH = 48
_DRAWER = re.compile(r"^[ \t]*:(LOGBOOK|PROPERTIES):[ \t]*\n.*?^[ \t]*:END:[ \t]*$\n?",
                     re.MULTILINE | re.DOTALL)


def is_page_properties(page: Page, block: Block) -> bool:
    """Whether ``block`` is the pre-block holding the page properties, which the page
    shows in its properties panel, not in its outline."""
    return block.index == properties_block(page)


def outline_blocks(page: Page, roots: Sequence[int] | None) -> list[Block]:
    """The blocks an outline shows: the whole page, or the subtrees of ``roots``."""
    if roots is None:
        return list(page.blocks)
    shown: list[Block] = []
    for root in roots:
        if not 0 <= root < len(page.blocks):
            continue
        depth = page.blocks[root].depth
        shown.append(page.blocks[root])
        for block in page.blocks[root + 1 :]:
            if block.depth <= depth:
                break
            shown.append(block)
    return shown


def block_source(block: Block) -> tuple[str, str | None, str | None]:
    """A block's Markdown as the site renders it, time-tracking drawers removed, with
    its task marker and priority (which the parser took off its text)."""
    text = _DRAWER.sub("", block.content)
    if block.heading and not text.lstrip().startswith("#"):
        text = "#" * max(1, min(6, block.heading)) + " " + text
    return text, block.marker, block.priority


def area_picture(block: Block) -> str | None:
    """The file name of the picture a Logseq PDF area highlight shows (``hl-type:: area``,
    its text ``[:span]``): ``<hl-page>_<id>_<hl-stamp>.png``, which Logseq keeps in the
    PDF's folder under ``assets/``; None for any other block."""
    if not block.block_id:  # nearly every block: no dictionary of its properties
        return None
    values = {prop.key: prop.value for prop in block.properties}
    page, stamp = values.get("hl-page"), values.get("hl-stamp")
    if values.get("hl-type") != "area" or page is None or stamp is None:
        return None
    return f"{page}_{block.block_id}_{stamp}.png"


def render_outline(
    blocks: Iterable[Block],
    render_block: Callable[[Block], str],
    anchor: Callable[[Block], str | None],
    collapsed: Callable[[Block], bool],
) -> str:
    """Nested list markup for ``blocks`` (document order, as ``outline_blocks`` gives
    them); ``render_block`` writes one block's content."""
    items = list(blocks)
    if not items:
        return ""
    numbers = list_numbers(items)
    out = ['<ul class="outline">']
    stack: list[list[int]] = []  # [visual depth, children list opened (0/1)]
    for position, block in enumerate(items):
        depth = min(block.depth, MAX_VISUAL_DEPTH)
        while stack and stack[-1][0] >= depth:
            _, opened = stack.pop()
            out.append("</ul></li>" if opened else "</li>")
        if stack and not stack[-1][1]:
            out.append('<ul class="children">')
            stack[-1][1] = 1
        following = items[position + 1] if position + 1 < len(items) else None
        has_children = following is not None and min(following.depth, MAX_VISUAL_DEPTH) > depth
        out.append(_item_open(block, anchor(block), has_children,
                              has_children and collapsed(block), numbers.get(block.index)))
        out.append(render_block(block))
        out.append("</div></div>")
        stack.append([depth, 0])
    while stack:
        _, opened = stack.pop()
        out.append("</ul></li>" if opened else "</li>")
    out.append("</ul>")
    return "".join(out)


ORDER_KEY = "logseq.order-list-type"


def list_numbers(blocks: Sequence[Block]) -> dict[int, int]:
    """The number each block of a Logseq numbered list shows (``logseq.order-list-type::
    number``): 1, 2, 3... along siblings in a row that carry it; a sibling without it
    starts the count again, as Logseq counts (its docs' "Numbered List" page)."""
    numbers: dict[int, int] = {}
    last: dict[int | None, int] = {}  # parent -> the number of its latest child (0: none)
    for block in blocks:
        ordered = any(prop.key == ORDER_KEY and str(prop.value).strip().lower() == "number"
                      for prop in block.properties)
        number = last.get(block.parent, 0) + 1 if ordered else 0
        last[block.parent] = number
        if number:
            numbers[block.index] = number
    return numbers


def _item_open(block: Block, anchor: str | None, has_children: bool, folded: bool,
               number: int | None) -> str:
    css = "block collapsed" if folded else "block"
    id_attr = f' id="{anchor}"' if anchor else ""
    shown = f' data-number="{number}"' if number else ""
    kind = "bullet numbered" if number else "bullet"
    if has_children:
        expanded = "false" if folded else "true"
        bullet = (f'<button class="{kind}"{shown} type="button" aria-expanded="{expanded}" '
                  'aria-label="Fold or unfold this block"></button>')
    else:
        bullet = f'<span class="{kind}"{shown} aria-hidden="true"></span>'
    tint = background_of(block)
    colour = f' style="--block-bg: {tint}"' if tint else ""
    css += " tinted" if tint else ""
    return (f'<li class="{css}"{id_attr}{colour}><div class="block-row">{bullet}'
            '<div class="block-content">')


# Logseq's block colours (its context menu writes ``background-color:: yellow``), or a
# colour written as hex; the site tints the block with it (style.css mixes it with the
# page's background, so the text keeps its contrast in both themes).
BLOCK_COLOURS = frozenset({"yellow", "red", "pink", "green", "blue", "purple", "gray"})
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def background_of(block: Block) -> str | None:
    """The CSS colour of a block's ``background-color::`` (``background_color::``), or
    None: a name of Logseq's palette or a hex colour; anything else is ignored."""
    for prop in block.properties:
        if prop.key != "background-color":
            continue
        value = str(prop.value if isinstance(prop.value, str) else prop.raw).strip().strip('"')
        if value.lower() in BLOCK_COLOURS:
            return f"var(--tint-{value.lower()})"
        if _HEX_COLOUR.fullmatch(value):
            return value
    return None
