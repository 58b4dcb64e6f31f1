"""The text of an Org page's blocks (``ORG_TEXT``: a Logseq graph's ``.org`` pages) as
HTML: shown as written, line for line, with what the parser reads in it made live.

Live, as ``parse.logseq_org`` reads it: Org links ``[[target][label]]`` (to a page, a
block ``((uuid))`` or a URL), ``[[page]]``, ``[label]([[page]])``, ``#tag``, ``((uuid))``,
``{{embed ...}}`` and other macros, bare URLs. ``~code~`` and ``=verbatim=`` are code,
with nothing read inside them, and so are the rows inside ``#+BEGIN_SRC`` (``EXAMPLE``,
``QUERY``, ``EXPORT``) ... ``#+END_``. Other Org markup (``*bold*``, ``/italic/``,
``\\#``) stays as written. An Org link of another type (``file:``, ``id:``) shows its
label as text.

The parser is a markdown-it ``zero`` instance (no Markdown syntax) with the site's own
inline rules for the shared syntax and two rules for Org's.
"""

from __future__ import annotations

import bisect
import functools
import html

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from kb_compiler.emit.site.render import (
    RenderState,
    add_linker_renderers,
    render_with,
    use_gfm_autolinks,
)
from kb_compiler.emit.site.rules_inline import (
    block_ref,
    labelled_ref,
    macro,
    tag,
    wikilink,
)
from kb_compiler.model import RefKind
from kb_compiler.parse.logseq_blocks import mask_verbatim
from kb_compiler.parse.logseq_org import ORG_LINK, org_code_spans, org_link_target

_SPANS = "kbc_org_code_spans"  # env key: (source, sorted span starts, start -> end)


def org_text_html(text: str, state: RenderState) -> str:
    """``<div class="org-text">`` holding ``text`` rendered; empty for blank text."""
    if not text.strip():
        return ""
    return f'<div class="org-text">{render_org_text(text, state)}</div>'


def render_org_text(text: str, state: RenderState) -> str:
    """The inner HTML of ``text``: its rows in order, each run of verbatim rows
    escaped, the others rendered."""
    rows = text.split("\n")
    masked = list(rows)
    mask_verbatim(masked)
    runs: list[tuple[bool, list[str]]] = []
    for row, blanked in zip(rows, masked, strict=True):
        verbatim = blanked != row
        if runs and runs[-1][0] == verbatim:
            runs[-1][1].append(row)
        else:
            runs.append((verbatim, [row]))
    return "\n".join(html.escape("\n".join(run), quote=False) if verbatim
                     else render_with(org_markdown(), "\n".join(run), state, inline=True)
                     for verbatim, run in runs)


@functools.cache
def org_markdown() -> MarkdownIt:
    """The parser for Org text (built once; it holds no page state)."""
    md = MarkdownIt("zero")
    for name, rule in (("kbc_org_code", org_code), ("kbc_org_link", org_link),
                       ("kbc_labelled_ref", labelled_ref), ("kbc_wikilink", wikilink),
                       ("kbc_block_ref", block_ref), ("kbc_macro", macro), ("kbc_tag", tag)):
        md.inline.ruler.push(name, rule)
    md.inline.add_terminator_char("(")
    use_gfm_autolinks(md)
    add_linker_renderers(md)
    return md


def org_code(state: StateInline, silent: bool) -> bool:
    """``~code~`` and ``=verbatim=``, where ``org_code_spans`` finds them."""
    end = _code_spans(state)[2].get(state.pos)
    if end is None or end > state.posMax:
        return False
    if not silent:
        token = state.push("code_inline", "code", 0)
        token.markup = state.src[state.pos]
        token.content = state.src[state.pos + 1 : end - 1]
    state.pos = end
    return True


def org_link(state: StateInline, silent: bool) -> bool:
    """``[[target][label]]``: a page link, a block ref, a URL; any other link type is
    its label as text. A link a code span begins inside is none (the parser masks code
    first)."""
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    link = ORG_LINK.match(src, pos)
    if link is None or link.end() > state.posMax or _code_inside(state, pos, link.end()):
        return False
    if not silent:
        _push_org_link(state, link.group(1), link.group(2).strip() or None)
    state.pos = link.end()
    return True


def _push_org_link(state: StateInline, written: str, label: str | None) -> None:
    kind, target = org_link_target(written)
    if kind is RefKind.BLOCK_REF:
        state.push("blockref", "", 0).meta = {"uuid": target, "label": label, "embed": False}
    elif kind is RefKind.LINK:
        state.push("wikilink", "", 0).meta = {"raw_target": target, "target": target,
                                              "subpath": None, "label": label,
                                              "embed": False, "size": None}
    else:
        url = state.md.normalizeLink(target)
        shown = label or target
        if not state.md.validateLink(url):
            state.push("text", "", 0).content = shown
            return
        state.push("link_open", "a", 1).attrs = {"href": url}
        state.push("text", "", 0).content = shown
        state.push("link_close", "a", -1)


def _code_spans(state: StateInline) -> tuple[str, list[int], dict[int, int]]:
    found = state.env.get(_SPANS)
    if found is None or found[0] is not state.src:
        spans = org_code_spans(state.src)
        found = state.env[_SPANS] = (state.src, [start for start, _ in spans], dict(spans))
    return found


def _code_inside(state: StateInline, start: int, end: int) -> bool:
    starts = _code_spans(state)[1]
    at = bisect.bisect_right(starts, start)
    return at < len(starts) and starts[at] < end
