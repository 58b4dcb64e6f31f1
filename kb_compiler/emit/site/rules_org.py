"""Logseq's org-style blocks in Markdown pages: ``#+BEGIN_NAME`` ... ``#+END_NAME``.

Logseq (mldoc) reads these inside a Markdown block as Org mode does. The Logseq docs
graph holds some 140 of them. What each becomes:

- ``SRC lang``: a code block in ``lang``; ``EXAMPLE``: a verbatim block (nothing in it
  is markup); ``QUERY``: what the advanced query finds when its ``:query`` is a simple
  one (``emit.site.queries``), else its text as code (a static site cannot run Datalog).
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

import bisect
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from kb_compiler.emit.site.rules_core import callout_html
from kb_compiler.parse.logseq_blocks import ADMONITIONS

_BEGIN = re.compile(r"#\+BEGIN_([A-Za-z][\w-]*)(?:[ \t]+(.*))?$", re.IGNORECASE)
_VERBATIM_LANGUAGE = {"EXAMPLE": "", "QUERY": "clojure"}  # SRC names its own
_INDEX = "kbc_org_lines"  # the env key of the source's _MarkerLines


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
        if name == "QUERY":
            state.tokens[-1].meta["advanced_query"] = True
    elif name == "EXPORT":
        if params.lower().split()[:1] == ["html"]:
            _verbatim(state, start, close, "html_block", "")
    elif name != "COMMENT":
        _container(state, start, close, name)
    state.line = close + 1
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


@dataclass
class _MarkerLines:
    """Where the source's ``#+END_`` lines and separator lines are, found in one pass
    (quote marks and indentation ignored): asking each ``#+BEGIN_`` line to scan ahead
    made a block of 8,000 unclosed ones take 11 s."""

    src: str
    ends: dict[str, list[int]] = field(default_factory=dict)
    separators: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, src: str, separator: str) -> _MarkerLines:
        found = cls(src)
        for number, line in enumerate(src.split("\n")):
            text = line.lstrip(" \t>").rstrip()
            if text == separator:
                found.separators.append(number)
            elif text[:6].upper() == "#+END_":
                found.ends.setdefault(text.upper(), []).append(number)
        return found


def _closing_line(state: StateBlock, start: int, end: int, marker: str,
                  separator: str) -> int | None:
    """The line of ``marker`` closing the block opened at ``start``: the next one, before
    ``end`` and any separator, and an end line where the rule stands (not one in a quote
    the opening line is outside of)."""
    lines = state.env.get(_INDEX)
    if lines is None or lines.src is not state.src:
        lines = state.env[_INDEX] = _MarkerLines.of(state.src, separator)
    candidates = lines.ends.get(marker, [])
    at = bisect.bisect_right(candidates, start)
    if at == len(candidates) or candidates[at] >= end:
        return None
    close = candidates[at]
    separators = lines.separators
    if bisect.bisect_right(separators, start) != bisect.bisect_left(separators, close):
        return None
    return close if _line(state, close).strip().upper() == marker else None


def _verbatim(state: StateBlock, start: int, close: int, kind: str, language: str) -> None:
    token = state.push(kind, "code" if kind == "fence" else "", 0)
    token.info = language
    token.markup = "```" if kind == "fence" else ""
    token.content = state.getLines(start + 1, close, state.sCount[start], True)
    token.map = [start, close + 1]


def _container(state: StateBlock, start: int, close: int, name: str) -> None:
    """Open and close tokens around the block's content, parsed as Markdown."""
    kind = name.lower()
    meta: dict[str, Any] = {"kind": kind, "fold": None}
    if name == "QUOTE":
        state.push("blockquote_open", "blockquote", 1).map = [start, close + 1]
    elif name in ADMONITIONS:
        _push_all(state, meta, ("callout_open", 1), ("callout_title_open", 1))
        title = state.push("inline", "", 0)
        title.content, title.children, title.map = kind.title(), [], [start, start + 1]
        _push_all(state, meta, ("callout_title_close", -1), ("callout_body_open", 1))
    else:
        state.push("org_block_open", "div", 1).meta = meta
    line_max, parent = state.lineMax, state.parentType
    state.lineMax, state.parentType = close, "blockquote"
    state.md.block.tokenize(state, start + 1, close)
    state.lineMax, state.parentType = line_max, parent
    if name == "QUOTE":
        state.push("blockquote_close", "blockquote", -1)
    elif name in ADMONITIONS:
        _push_all(state, meta, ("callout_body_close", -1), ("callout_close", -1))
    else:
        state.push("org_block_close", "div", -1)


def org_container(name: str, inner: str) -> str:
    """The HTML ``_container`` gives a block named ``name`` (upper case) around the HTML
    ``inner`` of its content, for text rendered without tokens (an Org page's)."""
    kind = name.lower()
    if name == "QUOTE":
        return f"<blockquote>{inner}</blockquote>"
    if name in ADMONITIONS:
        return callout_html(kind, kind.title(), inner)
    return f'<div class="org-block org-{html.escape(kind, quote=True)}">{inner}</div>'


def _push_all(state: StateBlock, meta: dict[str, Any],
              *tokens: tuple[str, Literal[-1, 0, 1]]) -> None:
    for token_type, nesting in tokens:
        state.push(token_type, "", nesting).meta = meta


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                 env: EnvType) -> str:
    kind = html.escape(str(tokens[idx].meta["kind"]), quote=True)
    return env["kbc"].keep(f'<div class="org-block org-{kind}">')


def _render_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                  env: EnvType) -> str:
    return env["kbc"].keep("</div>")
