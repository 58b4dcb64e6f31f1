"""Logseq's org-style blocks in Markdown pages: ``#+BEGIN_NAME`` ... ``#+END_NAME``.

Logseq (mldoc) reads these inside a Markdown block as Org mode does. The Logseq docs
graph holds some 140 of them. What each becomes:

- ``SRC lang``: a code block in ``lang``; ``EXAMPLE``: a verbatim block (nothing in it
  is markup); ``QUERY``: the advanced query's text as code (a static site cannot run it).
- ``EXPORT html``: raw HTML (sanitized like any); ``EXPORT`` to other formats and
  ``COMMENT``: nothing.
- ``QUOTE``: a blockquote; ``NOTE``, ``TIP``, ``IMPORTANT``, ``CAUTION``, ``WARNING`` and
  ``PINNED``: an admonition, drawn as a callout; ``CENTER``, ``VERSE`` and any other
  name: a ``<div class="org-block org-NAME">``. Their content is Markdown.

The verbatim kinds are the ones the parser masks (``parse.logseq_blocks``), so a link
written in them is text on the page and no reference in the graph. A ``#+BEGIN_`` line
without its ``#+END_`` line in the same block is text, as in Logseq. Only Logseq pages
get the rule (``RenderOptions.org_blocks``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_BEGIN = re.compile(r"#\+BEGIN_([A-Za-z][\w-]*)(?:[ \t]+(.*))?$", re.IGNORECASE)
_ADMONITIONS = frozenset({"NOTE", "TIP", "IMPORTANT", "CAUTION", "WARNING", "PINNED"})
_VERBATIM_LANGUAGE = {"EXAMPLE": "", "QUERY": "clojure"}  # SRC names its own


def org_blocks_plugin(md: MarkdownIt, separator: str) -> None:
    """Register the rule; no block reaches past a ``separator`` line (one of the pieces
    ``render.render_many`` joins into one source)."""

    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        return org_block(state, start, end, silent, separator)

    md.block.ruler.before("fence", "kbc_org_block", rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("org_block_open", _render_open)
    md.add_render_rule("org_block_close", _render_close)


def org_block(state: StateBlock, start: int, end: int, silent: bool, separator: str) -> bool:
    kbc = state.env.get("kbc") if isinstance(state.env, dict) else None
    if kbc is None or not kbc.options.org_blocks or state.is_code_block(start):
        return False
    opened = _BEGIN.match(_line(state, start).rstrip())
    if opened is None:
        return False
    name, params = opened.group(1).upper(), (opened.group(2) or "").strip()
    close = _closing_line(state, start, end, f"#+END_{name}", separator)
    if close is None:
        return False
    if silent:
        return True
    if name == "SRC":
        _verbatim(state, start, close, "fence", params.split()[0] if params else "")
    elif name in _VERBATIM_LANGUAGE:
        _verbatim(state, start, close, "fence", _VERBATIM_LANGUAGE[name])
    elif name == "EXPORT":
        if params.lower().split()[:1] == ["html"]:
            _verbatim(state, start, close, "html_block", "")
    elif name != "COMMENT":
        _container(state, start, close, name)
    state.line = close + 1
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _closing_line(state: StateBlock, start: int, end: int, marker: str,
                  separator: str) -> int | None:
    for line in range(start + 1, end):
        text = _line(state, line).strip()
        if text == separator:
            return None
        if text.upper() == marker:
            return line
    return None


def _verbatim(state: StateBlock, start: int, close: int, kind: str, language: str) -> None:
    token = state.push(kind, "code" if kind == "fence" else "", 0)
    token.info = language
    token.markup = "```" if kind == "fence" else ""
    token.content = state.getLines(start + 1, close, state.sCount[start], True)
    token.map = [start, close + 1]


def _container(state: StateBlock, start: int, close: int, name: str) -> None:
    """Open and close tokens around the block's content, parsed as Markdown."""
    kind = name.lower()
    if name == "QUOTE":
        state.push("blockquote_open", "blockquote", 1).map = [start, close + 1]
    elif name in _ADMONITIONS:
        meta = {"kind": kind, "fold": None}
        for token_type, nesting in (("callout_open", 1), ("callout_title_open", 1)):
            state.push(token_type, "", nesting).meta = meta
        title = state.push("inline", "", 0)
        title.content, title.children, title.map = kind.title(), [], [start, start + 1]
        for token_type, nesting in (("callout_title_close", -1), ("callout_body_open", 1)):
            state.push(token_type, "", nesting).meta = meta
    else:
        state.push("org_block_open", "div", 1).meta = {"kind": kind}
    line_max, parent = state.lineMax, state.parentType
    state.lineMax, state.parentType = close, "blockquote"
    state.md.block.tokenize(state, start + 1, close)
    state.lineMax, state.parentType = line_max, parent
    if name == "QUOTE":
        state.push("blockquote_close", "blockquote", -1)
    elif name in _ADMONITIONS:
        for token_type in ("callout_body_close", "callout_close"):
            state.push(token_type, "", -1).meta = {"kind": kind, "fold": None}
    else:
        state.push("org_block_close", "div", -1)


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                 env: EnvType) -> str:
    kind = html.escape(str(tokens[idx].meta["kind"]), quote=True)
    return env["kbc"].keep(f'<div class="org-block org-{kind}">')


def _render_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                  env: EnvType) -> str:
    return env["kbc"].keep("</div>")
