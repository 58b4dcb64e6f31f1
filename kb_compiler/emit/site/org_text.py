"""The text of an Org page's blocks (``ORG_TEXT``: a Logseq graph's ``.org`` pages) as
HTML: shown as written, line for line, with what the parser reads in it made live.

Live, as ``parse.logseq_org`` reads it: Org links ``[[target][label]]`` (to a page, a
block ``((uuid))`` or a URL), ``[[page]]``, ``[label]([[page]])``, ``#tag``, ``((uuid))``,
``{{embed ...}}`` and other macros, bare URLs. ``~code~`` and ``=verbatim=`` are code,
with nothing read inside them, and so are the rows inside ``#+BEGIN_SRC`` (``EXAMPLE``,
``QUERY``, ``EXPORT``) ... ``#+END_``. ``*bold*``, ``/italic/``, ``_underline_`` and
``+strike-through+`` are emphasis, on one line, where Org's rules allow it (a blank or
one of ``-('"{`` before the opening mark, a blank or punctuation after the closing
one, no blank inside either). Other Org markup (lists, tables, ``\\#``) stays as
written. An Org link of another type (``file:``, ``id:``) shows its label as text.

The parser is a markdown-it ``zero`` instance (no Markdown syntax) with the site's own
inline rules for the shared syntax and two rules for Org's.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from kb_compiler.emit.site.render import (
    RenderState,
    add_linker_renderers,
    render_with,
    use_gfm_autolinks,
)
from kb_compiler.emit.site.rules_inline import (
    RuleFunc,
    block_ref,
    labelled_ref,
    macro,
    tag,
    take_wikilink,
)
from kb_compiler.emit.site.scan import scanner
from kb_compiler.model import RefKind
from kb_compiler.parse.logseq_blocks import mask_verbatim
from kb_compiler.parse.logseq_inline import tag_at as logseq_tag_at
from kb_compiler.parse.logseq_org import mask_org_links, org_code_spans, org_link_target
from kb_compiler.parse.obsidian_mask import blank_spans
from kb_compiler.parse.text import match_brackets

_READING = "kbc_org_reading"  # env key of the source's _Reading
_EMPHASIS = {"*": "strong", "/": "em", "_": "u", "+": "del"}
_HASH = re.compile("#")
_BEFORE_OPENER = frozenset(" \t\n-('\"{")
_AFTER_CLOSER = frozenset(" \t\n-.,:!?;'\")}\\[")


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
    for name, rule in (("kbc_org_code", org_code), ("kbc_org_emphasis", org_emphasis),
                       ("kbc_org_link", org_link), ("kbc_org_wikilink", org_wikilink)):
        md.inline.ruler.push(name, rule)
    for name, rule in (("kbc_labelled_ref", labelled_ref),
                       ("kbc_block_ref", block_ref), ("kbc_macro", macro), ("kbc_tag", tag)):
        md.inline.ruler.push(name, _outside_org_marks(rule))
    md.inline.add_terminator_char("(")
    md.inline.add_terminator_char("/")
    use_gfm_autolinks(md)
    add_linker_renderers(md)
    return md


@dataclass
class _Reading:
    """What the parser finds in one source before the shared rules run, found once (so
    a line of many unclosed marks is read in linear time): code spans, Org links (in the
    text with its code blanked, as the parser reads them), the text as the parser then
    reads ``[[...]]`` pairs in, where each emphasis mark may close (after a character
    other than a blank, before a blank, punctuation or the end) and where the lines
    end."""

    src: str
    code: dict[int, int] = field(default_factory=dict)  # start -> end
    masked: str = ""  # src with code spans and Org links blanked (mask_org_links)
    links: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # start -> end, ...
    mark_starts: list[int] = field(default_factory=list)  # of code spans and Org links
    closers: dict[str, list[int]] = field(default_factory=dict)
    newlines: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, src: str) -> _Reading:
        code = org_code_spans(src)
        found = cls(src, dict(code))
        found.masked, links = mask_org_links(blank_spans(src, code, " "))
        for link in links:
            found.links[link.start()] = (link.end(), src[link.start(1):link.end(1)],
                                         src[link.start(2):link.end(2)])
        found.mark_starts = sorted([*found.code, *found.links])
        closers: dict[str, list[int]] = {marker: [] for marker in _EMPHASIS}
        for index, char in enumerate(src):
            if char == "\n":
                found.newlines.append(index)
            elif char in closers and index > 0 and not src[index - 1].isspace() \
                    and (index + 1 == len(src) or src[index + 1] in _AFTER_CLOSER):
                closers[char].append(index)
        spans = sorted([*code, *(link.span() for link in links),
                        *_tag_spans(src, found.masked)])
        found.closers = {marker: _outside(positions, spans)
                         for marker, positions in closers.items()}
        return found


def _tag_spans(src: str, masked: str) -> list[tuple[int, int]]:
    """The ``#tags`` the parser reads (in the text with code and Org links blanked)."""
    spans = []
    for at in (m.start() for m in _HASH.finditer(masked)):
        if at == 0 or src[at - 1].isspace():
            tag = logseq_tag_at(masked, at)
            if tag is not None:
                spans.append((at, tag[1]))
    return spans


def _outside(positions: list[int], spans: list[tuple[int, int]]) -> list[int]:
    """``positions`` inside none of the (sorted, disjoint) ``spans``: emphasis never
    closes inside code, an Org link or a tag (``*a ~b* c~ d*`` is bold up to ``d``)."""
    starts = [start for start, _ in spans]
    kept = []
    for position in positions:
        at = bisect.bisect_right(starts, position) - 1
        if at < 0 or spans[at][1] <= position:
            kept.append(position)
    return kept


def _reading(state: StateInline) -> _Reading:
    found = state.env.get(_READING)
    if found is None or found.src is not state.src:
        found = state.env[_READING] = _Reading.of(state.src)
    return found


def org_code(state: StateInline, silent: bool) -> bool:
    """``~code~`` and ``=verbatim=``, where ``org_code_spans`` finds them."""
    end = _reading(state).code.get(state.pos)
    if end is None or end > state.posMax:
        return False
    if not silent:
        token = state.push("code_inline", "code", 0)
        token.markup = state.src[state.pos]
        token.content = state.src[state.pos + 1 : end - 1]
    state.pos = end
    return True


def org_emphasis(state: StateInline, silent: bool) -> bool:
    """``*bold*``, ``/italic/``, ``_underline_``, ``+strike-through+``: the opening mark
    closed by the first closing one on its line; the text between is read as Org text
    (a link inside stays a link)."""
    src, pos = state.src, state.pos
    marker = src[pos]
    tag = _EMPHASIS.get(marker)
    if tag is None or (pos > 0 and src[pos - 1] not in _BEFORE_OPENER) \
            or pos + 1 >= state.posMax or src[pos + 1].isspace():
        return False
    reading = _reading(state)
    closers, newlines = reading.closers[marker], reading.newlines
    at = bisect.bisect_left(closers, pos + 2)
    end = closers[at] if at < len(closers) else -1
    line = bisect.bisect_left(newlines, pos)
    if end < 0 or end >= state.posMax or (line < len(newlines) and newlines[line] < end):
        return False
    if not silent:
        state.push(f"org_{tag}_open", tag, 1).markup = marker
        old_max = state.posMax
        state.pos, state.posMax = pos + 1, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push(f"org_{tag}_close", tag, -1).markup = marker
    state.pos = end + 1
    return True


def org_link(state: StateInline, silent: bool) -> bool:
    """``[[target][label]]`` where the parser finds one: a page link, a block ref, a
    URL; any other link type is its label as text."""
    found = _reading(state).links.get(state.pos)
    if found is None or found[0] > state.posMax:
        return False
    end, target, label = found
    if not silent:
        _push_org_link(state, target, label.strip() or None)
    state.pos = end
    return True


def org_wikilink(state: StateInline, silent: bool) -> bool:
    """``[[page]]``, its brackets paired as the parser pairs them: with code blanked and
    no pair across an Org link (``[[a ~b]]~ c]]`` links to ``a ~b]]~ c``)."""
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos) or not scanner(state).opens(pos):
        return False
    return take_wikilink(state, pos, match_brackets(_reading(state).masked, pos), silent)


def _outside_org_marks(rule: RuleFunc) -> RuleFunc:
    """``rule`` (one of the shared rules) where no Org code span or Org link starts
    inside what it would read: the parser blanks those first, so in ``[[(~]]~`` or
    ``[[[[a][b]]]]`` the outer brackets are text."""

    def guarded(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        if not rule(state, True):
            state.pos = pos
            return False
        end, state.pos = state.pos, pos
        starts = _reading(state).mark_starts
        at = bisect.bisect_right(starts, pos)
        if at < len(starts) and starts[at] < end:
            return False
        return rule(state, silent)

    return guarded


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
