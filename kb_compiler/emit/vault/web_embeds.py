"""Videos and posts on the web, written the way the target app embeds them
(``parse.web_media``): Logseq's ``{{video URL}}``, ``{{youtube ID}}`` and ``{{tweet
URL}}`` are Obsidian's ``![](URL)``, and back, ``{{video URL}}`` and ``{{twitter URL}}``
(what Logseq writes for a pasted address). Other media macros (Vimeo, Bilibili, a
``youtube-timestamp``) have no Obsidian counterpart and stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kb_compiler.emit.vault.links import Edit
from kb_compiler.model import Macro, Page
from kb_compiler.parse.text import is_escaped, mask_code
from kb_compiler.parse.web_media import logseq_macro_address, obsidian_web_embed

_MEDIA_MACROS = frozenset({"video", "youtube", "tweet", "twitter"})
# No comma, brace or blank in the address: the macro would read it differently.
_EMPTY_IMAGE = re.compile(r"!\[\]\(([^()\s<>{},]+)\)")


def obsidian_embed_of(macro: Macro) -> str | None:
    """``![](URL)`` for a Logseq macro Obsidian has a counterpart of, else None."""
    if macro.name.lower() not in _MEDIA_MACROS or not macro.args:
        return None
    url = logseq_macro_address(macro.name, macro.args[0])
    if url is None or obsidian_web_embed(url) is None or re.search(r"[()<>\s]", url):
        return None
    return f"![]({url})"


def macro_edits(page: Page) -> dict[int, list[Edit]]:
    """Logseq -> Obsidian: each media macro Obsidian can embed, as its image form."""
    edits: dict[int, list[Edit]] = {}
    for block in page.blocks:
        for macro in block.macros:
            if (written := obsidian_embed_of(macro)) is not None:
                start = macro.column - 1
                edits.setdefault(macro.line, []).append(
                    Edit(start, start + len(macro.raw), written))
    return edits


def embed_edits(page: Page, skip_before: int,
                commented: Callable[[int, int], bool] | None) -> dict[int, list[Edit]]:
    """Obsidian -> Logseq: each ``![](URL)`` of a YouTube video or a post, outside code
    and comments, as the macro Logseq writes for it. An image with a text (``![a](URL)``)
    stays: the macro has no place for the text."""
    edits: dict[int, list[Edit]] = {}
    if "![](" not in page.text:
        return edits
    for number, line in enumerate(mask_code(page.text).split("\n"), start=1):
        if number <= skip_before or "![](" not in line:
            continue
        for found in _EMPTY_IMAGE.finditer(line):
            url = found.group(1)
            kind = obsidian_web_embed(url)
            if kind is None or is_escaped(line, found.start()) or \
                    (commented is not None and commented(number, found.start())):
                continue
            macro = "video" if kind == "video" else "twitter"
            edits.setdefault(number, []).append(
                Edit(found.start(), found.end(), f"{{{{{macro} {url}}}}}"))
    return edits
