"""Core markdown-it rules: token-stream passes for what is not a single inline span.

- ``kbc_comments`` (before block parsing): Obsidian ``%%comments%%`` are blanked out of
  the source (newlines kept, code left alone), so they never reach the page.
- ``kbc_callouts`` (after block parsing): a blockquote opening with ``[!type]`` becomes
  a callout, foldable when written ``[!type]-`` or ``[!type]+``.
- ``kbc_block_ids`` (after inline parsing): an Obsidian `` ^id`` is stripped from the
  text and becomes the ``id`` of the paragraph, list item or structure it names.
- ``kbc_headings``: heading ids (deduplicated per page) and the list the
  ``table-of-contents`` block is built from.
- ``kbc_local_links``: Markdown links with local targets, and images, are handed to the
  site's linker, which rewrites them, or turns them into a broken or plain span (an
  image on the web stays one unless it is a video or sound).
- ``kbc_embed_paragraphs``: a paragraph holding a note embed becomes a ``<div>``, since
  the embed is block content.
- ``kbc_line_ids``: elements starting on a block's source line get that block's anchor.
- ``kbc_task_statuses`` (after the task-list plugin): on Obsidian pages a list item
  opening with ``[-]``, ``[/]`` or any other character is a checked task.

Every rule reads its page context from ``env["kbc"]`` (a ``render.RenderState``).
"""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from kb_compiler.parse.logseq_inline import image_size
from kb_compiler.parse.names import MEDIA_SUFFIXES, is_media_path
from kb_compiler.parse.obsidian import without_code
from kb_compiler.parse.obsidian_frontmatter import frontmatter_end
from kb_compiler.parse.obsidian_inline import size_in_alt
from kb_compiler.parse.obsidian_mask import comment_spans

if TYPE_CHECKING:
    from kb_compiler.emit.site.render import RenderState

_CALLOUT = re.compile(r"^\[!([\w-]+)\]([+-]?)[ \t]*(.*)$")
_BLOCK_ID_END = re.compile(r"(?:^|(?<=\s))\^([A-Za-z0-9-]+)\s*\Z")
_BLOCK_ID_ALONE = re.compile(r"^\^([A-Za-z0-9-]+)$")
# Blocks that are one token (no open and close), which an id on the next line names.
_LEAF_BLOCKS = frozenset({"fence", "code_block", "math_block", "math_block_label", "html_block"})
_EXTERNAL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")  # a scheme: not a vault path
BARE_URLS = "kbc_bare_urls"  # env key: an autolink rule marked an address written bare
# What an embed shows as a file rather than a note: media, and pictures and documents
# that open in a viewer.
FILE_EMBED_SUFFIXES = MEDIA_SUFFIXES | {".tif", ".tiff", ".pdf"}


def _render_state(state: StateCore) -> RenderState:
    return state.env["kbc"]


def strip_comments(state: StateCore) -> None:
    """Blank ``%%...%%`` (inline or across lines) outside code and front matter, keeping
    newlines; an unclosed ``%%`` runs to the end, as the parser reads it
    (``comment_spans``)."""
    if not _render_state(state).options.comments or "%%" not in state.src:
        return
    body = frontmatter_end(state.src)  # front matter is YAML, where "%%" is text
    state.src = state.src[:body] + without_comments(state.src[body:])


def without_comments(text: str) -> str:
    """``text`` without its Obsidian ``%%comments%%`` (outside code; newlines kept, and
    the quote marks and indentation opening each line a comment covers: blanked, a
    comment in a callout ended the quote, the rest of the callout a plain quote)."""
    if "%%" not in text:
        return text
    out: list[str] = []
    position = 0
    for start, end in comment_spans(without_code(text)):
        out.append(text[position:start])
        lines = text[start:end].split("\n")
        out.append("\n".join(["", *(line[: len(line) - len(line.lstrip(" \t>"))]
                                     for line in lines[1:])]))
        position = end
    out.append(text[position:])
    return "".join(out)


# A callout's parts around its title and body: (folding, as <details>; not folding).
CALLOUT_PARTS = {
    "callout_title_open": ('<summary class="callout-title">', '<div class="callout-title">'),
    "callout_title_close": ("</summary>", "</div>"),
    "callout_body_open": ('<div class="callout-content">', '<div class="callout-content">'),
    "callout_body_close": ("</div>", "</div>"),
    "callout_close": ("</details>", "</div>"),
}


def callout_start(kind: str, anchor: str | None, fold: str | None) -> str:
    """A callout's opening tag: ``<details>`` when it folds (``+``: open), else a div."""
    kind_attr = html.escape(kind, quote=True)
    id_attr = f' id="{html.escape(anchor, quote=True)}"' if anchor else ""
    if fold:
        state = " open" if fold == "+" else ""
        return f'<details class="callout"{id_attr} data-callout="{kind_attr}"{state}>'
    return f'<div class="callout"{id_attr} data-callout="{kind_attr}">'


def callout_html(kind: str, title: str, body: str) -> str:
    """A whole callout that does not fold, around ``title`` and ``body`` (HTML)."""
    part = {name: plain for name, (_, plain) in CALLOUT_PARTS.items()}
    return (f'{callout_start(kind, None, None)}{part["callout_title_open"]}{title}'
            f'{part["callout_title_close"]}{part["callout_body_open"]}{body}'
            f'{part["callout_body_close"]}{part["callout_close"]}')


def callouts(state: StateCore) -> None:
    """Turn ``> [!type] title`` blockquotes into callout tokens (on Obsidian pages:
    Logseq shows such a quote as written)."""
    if not _render_state(state).options.obsidian_syntax:
        return
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "blockquote_open" and index + 2 < len(tokens):
            _make_callout(tokens, index)
        index += 1


def _make_callout(tokens: list[Token], index: int) -> None:
    first = tokens[index + 2]
    if tokens[index + 1].type != "paragraph_open" or first.type != "inline":
        return
    head, _, body = first.content.partition("\n")
    match = _CALLOUT.match(head.strip())
    if not match:
        return
    kind, fold, title = match.group(1).lower(), match.group(2) or None, match.group(3)
    opening = tokens[index]
    closing = _matching_close(tokens, index, "blockquote_close")
    opening.type, closing.type = "callout_open", "callout_close"
    opening.meta = {"kind": kind, "fold": fold}
    closing.meta = opening.meta
    title_inline = Token("inline", "", 0, content=title or kind.replace("-", " ").title())
    title_inline.children, title_inline.map, title_inline.level = [], first.map, first.level
    new = [
        Token("callout_title_open", "", 1, meta=opening.meta),
        title_inline,
        Token("callout_title_close", "", -1, meta=opening.meta),
        Token("callout_body_open", "", 1, meta=opening.meta),
    ]
    if body.strip():
        first.content = body
        tokens[index + 1 : index + 1] = new
    else:
        tokens[index + 1 : index + 4] = new
    # by identity: Token compares by value, and an earlier callout's close token
    # equals this one (its body would close the page's, this one never)
    close_at = next(at for at in range(index, len(tokens)) if tokens[at] is closing)
    tokens.insert(close_at, Token("callout_body_close", "", -1, meta=opening.meta))


def _matching_close(tokens: list[Token], index: int, close_type: str) -> Token:
    level = tokens[index].level
    for token in tokens[index + 1 :]:
        if token.type == close_type and token.level == level:
            return token
    return tokens[-1]


def block_ids(state: StateCore) -> None:
    """Strip Obsidian ``^id`` marks and give the named element its anchor id, as the
    parser reads them (``parse.obsidian_blocks``): an id ending a block's text names
    that block; an id alone names the block above it in the same container (a list, a
    quote, a table, code, math, HTML or a paragraph without an id of its own), else the
    empty paragraph it stands in. Only on Obsidian and Markdown pages: Logseq shows
    ``x ^2`` as written."""
    render = _render_state(state)
    if not render.options.obsidian_syntax:
        return
    tokens = state.tokens
    index = 1  # an inline token always follows the block token that opens it
    while index < len(tokens):
        token, opening = tokens[index], tokens[index - 1]
        # Table cells are no blocks: "^id" under a table is one more row to markdown-it.
        if token.type != "inline" or "^" not in token.content \
                or opening.type not in ("paragraph_open", "heading_open"):
            index += 1
            continue
        in_paragraph = opening.type == "paragraph_open"
        alone = _BLOCK_ID_ALONE.match(token.content.strip())
        target = _previous_block(tokens, index - 1) if alone and in_paragraph else None
        if alone and target is not None and target.attrGet("id") is None:
            _set_id(target, render, alone.group(1))
            del tokens[index - 1 : index + 2]  # the paragraph it stood in
            continue  # what followed the paragraph is at index - 1 now: no inline token
        block_id = _strip_tail_id(token, whole=in_paragraph)
        if block_id:
            _set_id(_enclosing_open(tokens, index), render, block_id)
        index += 1


def _strip_tail_id(token: Token, *, whole: bool) -> str | None:
    """The id ending the inline ``token``'s text (after a space or a line break, or
    the whole text when ``whole``: a heading ``# ^x`` is the text "^x"), taken out."""
    match = _BLOCK_ID_END.search(token.content)
    children = token.children or []
    if not match or (match.start() == 0 and not whole) or not children \
            or children[-1].type != "text":
        return None
    tail = children[-1]
    tail_match = _BLOCK_ID_END.search(tail.content)
    if tail_match is None or tail_match.group(1) != match.group(1):
        return None
    tail.content = tail.content[: tail_match.start()].rstrip(" \t")
    if not tail.content:
        children.pop()
        while children and children[-1].type in ("softbreak", "hardbreak"):
            children.pop()
    token.content = token.content[: match.start()].rstrip()
    return match.group(1)


def _enclosing_open(tokens: list[Token], inline_index: int) -> Token:
    opening = tokens[inline_index - 1]
    before = tokens[inline_index - 2] if inline_index >= 2 else None
    if opening.type == "paragraph_open" and before is not None \
            and before.type == "list_item_open":
        return before
    return opening


def _previous_block(tokens: list[Token], paragraph_index: int) -> Token | None:
    """The opening token (or the only one) of the block that ends right before the
    paragraph at ``paragraph_index``, in the same container; None when there is none
    (the paragraph comes first, or follows a heading, which owns what follows it, or a
    rule). A list item's or quote's first paragraph is the container itself."""
    if paragraph_index == 0:
        return None
    closing = tokens[paragraph_index - 1]
    if closing.type in _LEAF_BLOCKS:
        return closing
    if closing.nesting != -1 or closing.type == "heading_close":
        return None
    depth = 0
    for index in range(paragraph_index - 1, -1, -1):
        depth += tokens[index].nesting
        if depth == 0:
            opened = tokens[index]
            container = tokens[index - 1] if index else None
            if opened.type == "paragraph_open" and container is not None \
                    and container.type in ("list_item_open", "blockquote_open"):
                return None
            return opened
    return None


def _set_id(token: Token, render: RenderState, block_id: str) -> None:
    """The block's anchor, once a page: a repeated id (``duplicate-block-id``) names
    the first block with it, where refs land, not a second element with that id."""
    anchor = render.linker.block_anchor(block_id)
    if not render.options.embedded and anchor not in render.block_anchors:
        render.block_anchors.add(anchor)
        token.attrSet("id", anchor)


def headings(state: StateCore) -> None:
    """Give each heading an id (unique within the page) and record it for the ToC."""
    render = _render_state(state)
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        text = plain_text(tokens[index + 1])
        if render.options.embedded:
            continue
        anchor = render.slugs.take(text)
        block_anchor = token.attrGet("id")
        if block_anchor:  # "## Heading ^id": the block's anchor goes inside the heading
            mark = Token("html_inline", "", 0)
            mark.content = f'<span id="{html.escape(str(block_anchor), quote=True)}"></span>'
            tokens[index + 1].children = [mark, *(tokens[index + 1].children or [])]
        token.attrSet("id", anchor)
        render.headings.append((int(token.tag[1:]), text, anchor))


def plain_text(inline: Token) -> str:
    """The readable text of an inline token (for anchors, the ToC and previews)."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "wikilink":
            meta: dict[str, Any] = child.meta
            parts.append(str(meta.get("label") or meta.get("raw_target") or ""))
        elif child.type == "tag":
            parts.append("#" + str(child.meta["name"]))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def local_links(state: StateCore) -> None:
    """Hand Markdown links with a local target, and images, to the linker. On Logseq
    pages a picture's web address written bare is an image, as Logseq shows it."""
    render = _render_state(state)
    linker = render.linker
    bare_urls = state.env.get(BARE_URLS) and not render.options.obsidian_syntax
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        if bare_urls:
            token.children = _bare_media_shown(token.children)
        children = token.children
        for index, child in enumerate(children):
            if child.type == "link_open":
                _rewrite_link(children, index, linker)
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if not src:  # one on the web too: it may be a video
                    continue
                alt = "".join(c.content for c in child.children or ())
                if render.options.obsidian_syntax:  # ![alt|100x145](...)
                    alt, size = size_in_alt(alt)
                    if size:
                        child.children = [Token("text", "", 0, content=alt)]
                else:  # Logseq keeps a resized image's size after it: {:height 2, :width 4}
                    size = _logseq_size(children, index)
                html = linker.image(src, alt, str(child.attrGet("title") or "") or None, size)
                if html is not None:
                    children[index] = Token("kbc_html", "", 0, content=html)
                elif size:  # an image on the web, drawn by markdown-it: its size too
                    width, _, height = size.partition("x")
                    for name, value in (("width", width), ("height", height)):
                        if value:
                            child.attrSet(name, value)


def _bare_media_shown(children: list[Token]) -> list[Token]:
    """``children`` with each bare web address of a picture, sound or video (an
    autolink's three tokens) made an image: Logseq shows a link in place when its text
    starts with ``http`` and its path names media (``show-link?`` in its block view)."""
    shown: list[Token] = []
    index = 0
    while index < len(children):
        child = children[index]
        href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
        if child.meta.get("bare_url") and href.lower().startswith(("http://", "https://")) \
                and is_media_path(urlsplit(href).path) and index + 2 < len(children) \
                and children[index + 2].type == "link_close":
            shown.append(Token("image", "img", 0, attrs={"src": href, "alt": ""},
                               children=[], content=""))
            index += 3
            continue
        shown.append(child)
        index += 1
    return shown


def _logseq_size(children: list[Token], index: int) -> str | None:
    """The size (``441x224``) of a ``{:height 224, :width 441}`` written right after the
    image at ``index``, taken out of the text; None when there is none."""
    after = children[index + 1] if index + 1 < len(children) else None
    found = image_size(after.content) if after is not None and after.type == "text" else None
    if after is None or found is None:
        return None
    width, height, end = found
    after.content = after.content[end:]
    return f"{width}x{height}" if height else width


def _rewrite_link(children: list[Token], index: int, linker: Any) -> None:
    opening = children[index]
    href = str(opening.attrGet("href") or "")
    if not href or _EXTERNAL.match(href):
        return
    rewrite = linker.local_link(href)  # '#Heading' too: the page's own heading
    if rewrite is None:
        return
    closing = _matching_close(children, index, "link_close")
    if rewrite.href is None:  # broken or unpublished: keep the text, drop the link
        opening.tag = closing.tag = "span"
        opening.attrs = {"class": rewrite.css} if rewrite.css else {}
        if rewrite.title:
            opening.attrSet("title", rewrite.title)
        return
    opening.attrSet("href", rewrite.href)
    if rewrite.css:
        opening.attrSet("class", rewrite.css)
    if rewrite.title:  # a link that still goes somewhere, with a word on why it is odd
        opening.attrSet("title", rewrite.title)


_LINE_ID_SKIP = frozenset({"thead_open", "tbody_open", "tr_open", "th_open", "td_open", "inline",
                           "heading_open", "footnote_block_open"})


def line_ids(state: StateCore) -> None:
    """Give the elements that start at a block's source line that block's anchor, so
    links to any block of a Markdown page land on it. Several blocks may start on one
    line (a list and its first item): they take the elements there in order, outer
    first."""
    anchors = _render_state(state).line_anchors
    if not anchors:
        return
    for token in state.tokens:
        if token.nesting == -1 or token.hidden or not token.map or token.type in _LINE_ID_SKIP:
            continue
        waiting = anchors.get(token.map[0] + 1)
        if waiting and token.attrGet("id") is None:
            token.attrSet("id", waiting.pop(0))


def embed_paragraphs(state: StateCore) -> None:
    """A paragraph holding a note embed becomes a ``<div>``: the embed is block content,
    which a ``<p>`` may not hold."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children or index == 0:
            continue
        opening = tokens[index - 1]
        if opening.type != "paragraph_open" or index + 1 >= len(tokens):
            continue
        if any(_is_block_embed(child) for child in token.children):
            opening.tag = tokens[index + 1].tag = "div"
            opening.attrSet("class", "embed-line")


def _is_block_embed(token: Token) -> bool:
    if token.type == "blockref":
        return bool(token.meta.get("embed"))
    if token.type != "wikilink" or not token.meta.get("embed"):
        return False
    return PurePosixPath(str(token.meta["target"])).suffix.lower() not in FILE_EMBED_SUFFIXES


# A task of another status than "[ ]" and "[x]" (Obsidian: any character but a space is a
# done task, its data-task attribute the character; themes draw "[-]", "[/]"...).
_TASK_STATUS = re.compile(r"\[([^\sxX\[\]])\][ \t]")
_DONE_BOX = ('<input class="task-list-item-checkbox" checked="checked" disabled="disabled" '
             'type="checkbox">')


def task_statuses(state: StateCore) -> None:
    """On Obsidian pages, ``- [-] text`` and other statuses are checked tasks, as
    Obsidian reads them (``ListItemCache.task``); the task-list plugin knows only
    ``[ ]`` and ``[x]``, and left the brackets as text."""
    if not _render_state(state).options.obsidian_syntax:
        return
    tokens = state.tokens
    for index in range(2, len(tokens)):
        inline = tokens[index]
        if inline.type != "inline" or tokens[index - 1].type != "paragraph_open" or \
                tokens[index - 2].type != "list_item_open":
            continue
        found = _TASK_STATUS.match(inline.content)
        if found is None or not _drop_leading_text(inline, len("[-]")):
            continue
        box = Token("html_inline", "", 0)
        box.content = _DONE_BOX
        assert inline.children is not None
        inline.children.insert(0, box)
        item = tokens[index - 2]
        item.attrSet("class", "task-list-item")
        item.attrSet("data-task", found.group(1))


_CHECKBOX = '<input class="task-list-item-checkbox"'


def task_labels(state: StateCore) -> None:
    """Each task's checkbox named by the task's text (``aria-label``), as a ``<label>``
    around it would name it: a screen reader said only "checkbox, not checked". A label
    element could not hold the item's nested lists, and ids would clash between embeds."""
    for token in state.tokens:
        children = token.children if token.type == "inline" else None
        if not children or children[0].type != "html_inline" or \
                not children[0].content.startswith(_CHECKBOX):
            continue
        # the text a reader sees: link labels and tags too, a line break as a space
        text = " ".join(plain_text(Token("inline", "", 0, children=children[1:])).split())
        if text:
            children[0].content = (f'{_CHECKBOX} aria-label="{html.escape(text, quote=True)}"'
                                   + children[0].content[len(_CHECKBOX):])


def _drop_leading_text(inline: Token, count: int) -> bool:
    """Take ``count`` characters off the start of ``inline``'s text children (the
    brackets may be split over several); False, changing nothing, when they are not
    all plain text."""
    children = inline.children or []
    taken, cut = 0, 0
    while taken < count:
        if cut >= len(children) or children[cut].type != "text":
            return False
        taken += len(children[cut].content)
        cut += 1
    rest = children[cut - 1].content[len(children[cut - 1].content) - (taken - count):]
    inline.children = [Token("text", "", 0, content=rest), *children[cut:]] if rest \
        else children[cut:]
    return True


def core_rules_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("normalize", "kbc_comments", strip_comments)
    md.core.ruler.after("block", "kbc_callouts", callouts)
    md.core.ruler.after("inline", "kbc_block_ids", block_ids)
    md.core.ruler.after("kbc_block_ids", "kbc_headings", headings)
    md.core.ruler.after("kbc_headings", "kbc_local_links", local_links)
    md.core.ruler.after("kbc_local_links", "kbc_embed_paragraphs", embed_paragraphs)
    md.core.ruler.after("kbc_embed_paragraphs", "kbc_line_ids", line_ids)
    md.core.ruler.after("github-tasklists", "kbc_task_statuses", task_statuses)
    md.core.ruler.after("kbc_task_statuses", "kbc_task_labels", task_labels)
