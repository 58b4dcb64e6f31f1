"""The block structure of an Obsidian / plain-Markdown note, from markdown-it-py's token
stream: headings, paragraphs, lists and list items, blockquotes and callouts (FORMATS.md
2.9), code and math, tables, HTML, footnotes and ``table-of-contents`` fences, each with
its lines, its parent and its ``^block-id`` (2.7).

Block kinds: ``heading``, ``paragraph``, ``list`` (a container, so an id after a list can
name it), ``list-item``, ``blockquote``, ``callout`` (``Block.callout`` set), ``code``,
``math``, ``html``, ``table``, ``table-of-contents``, ``footnote`` and ``comment`` (a block
wholly inside ``%% %%``). Raw kinds (code, math, html, table, toc) keep their source lines
as content.

The tree is flat (``Block.parent``). Containers own their first paragraph (a list item's
text is its content); later paragraphs, nested lists and quotes are children. Top-level
blocks after a heading are children of that heading, so a heading block *is* its section
(``![[Note#Heading]]`` embeds the heading and its descendants).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from kb_compiler.model import Block, Callout, Diagnostic, Property, Reference, Severity
from kb_compiler.parse.obsidian_fields import inline_fields

# How deep lists and quotes nest before markdown-it stops reading blocks (and takes the
# rest of the enclosing block as text): each list level is two (list, item). CommonMark's
# preset says 20, ten list levels, which Logseq outlines exported as lists reach and
# which swallowed every item after them; the site and the check read notes alike.
MARKDOWN_NESTING = 200
# Inline markup (a link in a link's text, emphasis in emphasis) keeps markdown-it's 20:
# deeper, a line of unclosed brackets took ten times as long to read.
INLINE_NESTING = 20


def nest_blocks_deeper(md: MarkdownIt) -> MarkdownIt:
    """``md`` reading blocks ``MARKDOWN_NESTING`` deep and inline markup
    ``INLINE_NESTING`` deep (one option holds both: it is set before each stage)."""

    def blocks(state: StateCore) -> None:
        state.md.options["maxNesting"] = MARKDOWN_NESTING

    def inline(state: StateCore) -> None:
        state.md.options["maxNesting"] = INLINE_NESTING

    md.core.ruler.before("block", "kbc_deep_blocks", blocks)
    md.core.ruler.after("block", "kbc_shallow_inline", inline)
    return md

# Configured once and never changed: parsing keeps no state between calls. Inline parsing
# is off (references come from our own scanner), which also keeps huge lines fast.
_MARKDOWN = (
    MarkdownIt("commonmark", {"maxNesting": MARKDOWN_NESTING})
    .enable("table")
    .use(footnote_plugin)
    .use(dollarmath_plugin)
    .disable(["inline", "footnote_tail"])
)

_CONTAINERS = {
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "list_item_open": "list-item",
    "blockquote_open": "blockquote",
    "footnote_reference_open": "footnote",
}
_CLOSERS = frozenset(
    {"bullet_list_close", "ordered_list_close", "list_item_close", "blockquote_close",
     "footnote_reference_close"}
)
_RAW_KINDS = {"code_block": "code", "math_block": "math", "math_block_label": "math",
              "html_block": "html"}
# Kinds whose lines hold no links (blanked before the inline scan).
_OPAQUE = frozenset({"fence", *_RAW_KINDS})
_BLOCK_ID = re.compile(r"(?:^|(?<=\s))\^([A-Za-z0-9-]+)\s*\Z")
_LONE_BLOCK_ID = re.compile(r"\^([A-Za-z0-9-]+)")
_FIELD_KINDS = frozenset({"paragraph", "list-item"})  # where Dataview fields are read
_CALLOUT = re.compile(r"\[!([\w-]+)\]([+-]?)[ \t]*([^\n]*)\n?")

Commented = Callable[[int, int], bool]  # (first line, last line), 1-based -> in a %% comment


def markdown_tokens(text: str) -> list[Token]:
    """markdown-it's block tokens for ``text`` (front matter already blanked)."""
    return _MARKDOWN.parse(text)


def paragraph_line_ranges(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """0-based ``[first, end)`` line ranges of the inline text of paragraphs, headings
    and table cells (one line each): a code span may run over the lines of one of them."""
    return [(token.map[0], token.map[1]) for token in tokens
            if token.type == "inline" and token.map]


CODE_BLOCKS = frozenset({"fence", "code_block"})


def opaque_line_ranges(tokens: Sequence[Token],
                       kinds: frozenset[str] = _OPAQUE) -> list[tuple[int, int]]:
    """0-based ``[first, end)`` line ranges of code, math and HTML blocks (of the token
    types ``kinds``)."""
    return [(token.map[0], token.map[1]) for token in tokens
            if token.type in kinds and token.map]


@dataclass(slots=True)
class _Draft:
    kind: str
    parent: int | None
    depth: int
    line: int
    end_line: int
    content: str = ""
    heading: int | None = None
    block_id: str | None = None
    callout: Callout | None = None
    own: tuple[int, int] | None = None  # 1-based lines of the block's own text
    awaiting: bool = False  # a container that has not met its first paragraph yet


@dataclass(frozen=True, slots=True)
class BlockLayout:
    """Blocks, each with the references written on the lines it owns, and problems
    found (duplicate block ids)."""

    blocks: tuple[Block, ...]
    diagnostics: tuple[Diagnostic, ...]


def build_blocks(path: str, lines: Sequence[str], tokens: Sequence[Token],
                 commented: Commented, references: Sequence[Reference] = ()) -> BlockLayout:
    """The note's blocks, each given the ``references`` written on the lines it owns."""
    builder = _Builder(lines, commented)
    builder.walk(tokens)
    return builder.finish(path, references)


class _Builder:
    def __init__(self, lines: Sequence[str], commented: Commented):
        self.lines = lines
        self.commented = commented
        self.drafts: list[_Draft] = []
        self.containers: list[int] = []  # open lists, items, quotes, footnotes
        self.sections: list[int] = []  # open top-level headings, outermost first
        self.last_child: dict[int | None, int] = {}

    def walk(self, tokens: Sequence[Token]) -> None:
        position = 0
        while position < len(tokens):
            position = self._step(tokens, position)

    def _step(self, tokens: Sequence[Token], position: int) -> int:
        token = tokens[position]
        kind = token.type
        if kind in _CONTAINERS:
            index = self._add(_CONTAINERS[kind], token.map)
            self.drafts[index].awaiting = True
            self.containers.append(index)
        elif kind in _CLOSERS:
            if self.containers:
                self.containers.pop()
        elif kind == "paragraph_open":
            self._paragraph(token, tokens[position + 1])
            return position + 3
        elif kind == "heading_open":
            self._heading(token, tokens[position + 1])
            return position + 3
        elif kind == "fence":
            is_toc = token.info.strip() == "table-of-contents"
            self._raw("table-of-contents" if is_toc else "code", token.map)
        elif kind in _RAW_KINDS:
            self._raw(_RAW_KINDS[kind], token.map)
        elif kind == "table_open":
            self._raw("table", token.map)
            while position < len(tokens) and tokens[position].type != "table_close":
                position += 1
        return position + 1

    # -- block kinds -------------------------------------------------------------------

    def _paragraph(self, token: Token, inline: Token) -> None:
        content = inline.content
        own = _lines(token.map)
        if self.containers and self.drafts[self.containers[-1]].awaiting:
            container = self.drafts[self.containers[-1]]
            container.awaiting = False
            container.own = own
            if container.kind == "blockquote" and not self._is_commented(own):
                content = self._callout(container, content)
            container.content, container.block_id = _split_block_id(content)
            return
        lone = _LONE_BLOCK_ID.fullmatch(content.strip())
        previous = self.last_child.get(self._parent())
        if (lone and previous is not None and self.drafts[previous].block_id is None
                and not self._is_commented(own)):
            self.drafts[previous].block_id = lone.group(1)  # names the structure above
            return
        index = self._add("paragraph", token.map, own=own)
        draft = self.drafts[index]
        draft.content, draft.block_id = _split_block_id(content)

    def _callout(self, quote: _Draft, content: str) -> str:
        head = _CALLOUT.match(content)
        if head is None:
            return content
        type_ = head.group(1).lower()
        title = head.group(3).strip() or type_[:1].upper() + type_[1:]
        quote.kind = "callout"
        quote.callout = Callout(type_, title, head.group(2) or None)
        body = content[head.end():].strip()
        return f"{head.group(3).strip()}\n{body}".strip()

    def _heading(self, token: Token, inline: Token) -> None:
        level = int(token.tag[1:])
        own = _lines(token.map)
        if self._is_commented(own):
            self._add("comment", token.map, own=own, content=inline.content)
            return
        top_level = not self.containers
        if top_level:
            while self.sections and (self.drafts[self.sections[-1]].heading or 0) >= level:
                self.sections.pop()
        # "## Heading ^id" names the heading's block as it names a paragraph's; the
        # heading reads without it (the site drops it too)
        text = inline.content.strip()
        content, block_id = _split_block_id(text)
        if not content:  # "# ^x" is a heading reading "^x", as the site shows it
            content, block_id = text, None
        index = self._add("heading", token.map, own=own, content=content)
        self.drafts[index].heading = level
        self.drafts[index].block_id = block_id
        if top_level:
            self.sections.append(index)

    def _raw(self, kind: str, span: list[int] | None) -> None:
        if span is None:
            return
        first, end = span[0], _trim_end(self.lines, span[0], span[1])
        content = "\n".join(self.lines[first:end])
        self._add(kind, [first, end], own=(first + 1, end), content=content)

    # -- bookkeeping -------------------------------------------------------------------

    def _parent(self) -> int | None:
        if self.containers:
            return self.containers[-1]
        return self.sections[-1] if self.sections else None

    def _add(self, kind: str, span: list[int] | None, *, own: tuple[int, int] | None = None,
             content: str = "") -> int:
        first, end = (span[0], span[1]) if span else (0, 1)
        end = _trim_end(self.lines, first, end)
        parent = self._parent()
        if parent is not None:
            self.drafts[parent].awaiting = False
        depth = 0 if parent is None else self.drafts[parent].depth + 1
        if kind != "comment" and self._is_commented((first + 1, end)):
            kind = "comment"
        index = len(self.drafts)
        self.drafts.append(_Draft(kind, parent, depth, first + 1, end, content, own=own))
        self.last_child[parent] = index
        return index

    def _fields(self, draft: _Draft) -> tuple[Property, ...]:
        if draft.own is None or draft.kind not in _FIELD_KINDS:
            return ()
        return inline_fields(self.lines, *draft.own)

    def _is_commented(self, own: tuple[int, int]) -> bool:
        return self.commented(own[0], own[1])

    def finish(self, path: str, references: Sequence[Reference]) -> BlockLayout:
        for draft in reversed(self.drafts):  # children follow parents: one pass suffices
            if draft.parent is not None:
                parent = self.drafts[draft.parent]
                parent.end_line = max(parent.end_line, draft.end_line)
        owner = [-1] * (len(self.lines) + 1)
        for index, draft in enumerate(self.drafts):
            if draft.own is not None:
                for line in range(draft.own[0], min(draft.own[1], len(self.lines)) + 1):
                    owner[line - 1] = index
        owned: dict[int, list[Reference]] = {}
        for ref in references:
            index = owner[ref.line - 1] if 0 < ref.line <= len(owner) else -1
            if index >= 0:
                owned.setdefault(index, []).append(ref)
        blocks = tuple(
            Block(index, d.parent, d.depth, d.line, d.end_line, d.content,
                  properties=self._fields(d),
                  references=tuple(owned.get(index, ())), heading=d.heading,
                  block_id=d.block_id, kind=d.kind, callout=d.callout)
            for index, d in enumerate(self.drafts)
        )
        return BlockLayout(blocks, tuple(_duplicate_ids(path, blocks)))


def _lines(span: list[int] | None) -> tuple[int, int]:
    """A token map (0-based, end exclusive) as 1-based first and last lines."""
    return (span[0] + 1, span[1]) if span else (1, 1)


def _trim_end(lines: Sequence[str], first: int, end: int) -> int:
    """``end`` moved back over trailing blank lines, never before ``first + 1``."""
    end = min(end, len(lines))
    while end > first + 1 and not lines[end - 1].strip():
        end -= 1
    return max(end, first + 1)


def _split_block_id(content: str) -> tuple[str, str | None]:
    """``Some text ^my-id`` -> (``Some text``, ``my-id``)."""
    match = _BLOCK_ID.search(content)
    if match is None:
        return content, None
    return content[: match.start()].rstrip(), match.group(1)


def _duplicate_ids(path: str, blocks: Sequence[Block]) -> list[Diagnostic]:
    seen: dict[str, int] = {}
    problems = []
    for block in blocks:
        if block.block_id is None:
            continue
        if block.block_id in seen:
            problems.append(Diagnostic(
                "duplicate-block-id", Severity.WARNING, path, block.line, 1,
                f"block id ^{block.block_id} is already used at line {seen[block.block_id]};"
                " links to it reach the first block",
                target=block.block_id,
            ))
        else:
            seen[block.block_id] = block.line
    return problems
