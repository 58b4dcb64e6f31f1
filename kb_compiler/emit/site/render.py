"""Markdown -> safe HTML for one piece of a page, with the knowledge-base syntax.

The parser is markdown-it-py (CommonMark + tables, strikethrough) with mdit-py-plugins
(footnotes, task lists, front matter, dollar math, GFM autolinks) and our own rules
(``rules_inline``, ``rules_core``). Rules only read syntax; whatever needs the site
(resolving a link, expanding an embed, an anchor id) is asked of a ``Linker``.

Safety works in two layers. Everything the markdown produces, the author's raw HTML
included, goes through the sanitizer (``sanitize.py``). Markup we generate ourselves
(resolved links, embeds, code, math, callout frames) is stored as *trusted* fragments
and written as placeholders (private-use characters the sanitizer leaves alone), which
are put back after sanitizing. Those characters are removed from the source first, so
a page cannot forge one.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kb_compiler.emit.site.hiccup import hiccup_plugin
from kb_compiler.emit.site.highlight import (
    DIAGRAM_LANGUAGES,
    diagram_html,
    highlight_code,
    render_math,
)
from kb_compiler.emit.site.rules_core import (
    BARE_URLS,
    CALLOUT_PARTS,
    callout_start,
    core_rules_plugin,
    plain_text,
)
from kb_compiler.emit.site.rules_inline import inline_rules_plugin, logseq_syntax
from kb_compiler.emit.site.rules_math import logseq_math_plugin
from kb_compiler.emit.site.rules_org import org_blocks_plugin
from kb_compiler.emit.site.sanitize import sanitize_html
from kb_compiler.emit.site.urls import SlugCounter
from kb_compiler.parse.logseq_inline import URL_STOP
from kb_compiler.parse.obsidian_blocks import nest_blocks_deeper
from kb_compiler.parse.obsidian_frontmatter import frontmatter_end
from kb_compiler.parse.text import is_escaped

TRUSTED_OPEN, TRUSTED_CLOSE = "\ue000", "\ue001"
SLOT_OPEN, SLOT_CLOSE = "\ue002", "\ue003"
SEPARATOR = "\ue004"  # a line of its own between blocks rendered in one pass
_SEPARATED = "\ue005"  # what the separator line renders as
_MARKERS = re.compile("[\ue000-\ue005]")
_TRUSTED = re.compile(f"{TRUSTED_OPEN}(\\d+){TRUSTED_CLOSE}")
TOC_SLOT = f"{SLOT_OPEN}toc{SLOT_CLOSE}"


@dataclass(frozen=True, slots=True)
class LinkRewrite:
    """What a local Markdown link becomes: a new ``href``, or (``href`` None) a span
    with ``css`` (``broken``) or no link at all (an unpublished page); ``title`` says
    what is wrong with it (a broken link, or one to a heading its page lacks)."""

    href: str | None
    css: str = ""
    title: str | None = None


class Linker(Protocol):
    """What the markdown rules ask the site while rendering one page. Every method
    returning HTML returns trusted markup (already escaped)."""

    def wikilink(self, meta: dict[str, Any]) -> str: ...
    def block_ref(self, meta: dict[str, Any]) -> str: ...
    def macro(self, meta: dict[str, Any]) -> str: ...
    def tag(self, name: str) -> str: ...
    def local_link(self, href: str) -> LinkRewrite | None: ...
    def image(self, src: str, alt: str, title: str | None,
              size: str | None = None) -> str | None: ...
    def block_anchor(self, block_id: str) -> str: ...
    def raw_url(self, url: str, image: bool) -> str | None: ...
    def base_block(self, source: str) -> str | None: ...
    def advanced_query(self, source: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class RenderOptions:
    comments: bool = True  # strip Obsidian %%comments%%
    hard_breaks: bool = False  # a newline inside a block is a line break (Logseq)
    org_blocks: bool = False  # #+BEGIN_QUOTE ... #+END_QUOTE and the like (Logseq)
    hiccup: bool = False  # a line [:h2 "Title"] is HTML written as data (Logseq)
    display_math: bool = False  # $$ at a line's start ends the paragraph, a block (Logseq)
    obsidian_syntax: bool = False  # [[links]] and #tags read as Obsidian reads them
    embedded: bool = False  # inside an embed: no ids, so anchors stay unique
    allow_raw_html: bool = False  # trusted vault: skip the sanitizer
    doc_id: str = ""  # keeps footnote ids apart between renders on one page


@dataclass
class RenderState:
    """Per-render context the rules read from ``env["kbc"]``. ``slugs`` and
    ``headings`` are shared by every render of one page."""

    linker: Linker
    options: RenderOptions
    slugs: SlugCounter = field(default_factory=SlugCounter)
    headings: list[tuple[int, str, str]] = field(default_factory=list)
    trusted: list[str] = field(default_factory=list)
    # Source line -> anchor ids (outer block first) of blocks that have no id of their
    # own (Markdown pages).
    line_anchors: dict[int, list[str]] = field(default_factory=dict)
    block_anchors: set[str] = field(default_factory=set)  # ^id anchors given so far

    def keep(self, markup: str) -> str:
        """Store trusted ``markup``; return the placeholder that stands for it."""
        self.trusted.append(markup)
        return f"{TRUSTED_OPEN}{len(self.trusted) - 1}{TRUSTED_CLOSE}"


def _state(env: EnvType) -> RenderState:
    return env["kbc"]


def _rule(method: str) -> Any:
    """A render rule that hands the token's meta to one ``Linker`` method."""

    def render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
        state = _state(env)
        return state.keep(getattr(state.linker, method)(tokens[idx].meta))

    return render


def _render_tag(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                env: EnvType) -> str:
    state = _state(env)
    return state.keep(state.linker.tag(str(tokens[idx].meta["name"])))


def _render_trusted(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                    env: EnvType) -> str:
    return _state(env).keep(tokens[idx].content)


def _render_fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                  env: EnvType) -> str:
    token = tokens[idx]
    language = token.info.strip().split(" ", 1)[0] if token.info.strip() else ""
    state = _state(env)
    if language.lower() == "table-of-contents":
        return state.keep(TOC_SLOT)
    obsidian = state.options.obsidian_syntax  # Obsidian draws these; Logseq shows code
    shown = state.linker.base_block(token.content) if obsidian and language.lower() == "base" \
        else None
    if token.meta.get("advanced_query"):  # a Logseq #+BEGIN_QUERY: its results, if it can run
        shown = state.linker.advanced_query(token.content)
    if shown is not None:
        markup = shown
    elif language.lower() in DIAGRAM_LANGUAGES and obsidian:
        markup = diagram_html(token.content)
    else:
        markup = highlight_code(token.content, language)
    return state.keep(_with_anchor(markup, token))


def _with_anchor(markup: str, token: Token) -> str:
    """``markup`` (one element, as we write it) with the id a ``^block-id`` gave the token."""
    anchor = token.attrGet("id")
    if not anchor:
        return markup
    tag_end = markup.index(" ")  # after "<div" or "<pre"
    return f'{markup[:tag_end]} id="{html.escape(str(anchor), quote=True)}"{markup[tag_end:]}'


def _render_html_block(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                       env: EnvType) -> str:
    """Raw HTML as written (the sanitizer reads it later); an id a ``^block-id`` gave it
    goes on an empty anchor before it, as the author's markup is not ours to change."""
    token = tokens[idx]
    anchor = token.attrGet("id")
    if not anchor:
        return token.content
    mark = f'<span class="block-anchor" id="{html.escape(str(anchor), quote=True)}"></span>'
    return _state(env).keep(mark) + token.content


def _render_softbreak(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: EnvType) -> str:
    return "<br>\n" if _state(env).options.hard_breaks else "\n"


def _render_math(display: bool) -> Any:
    def render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
        token = tokens[idx]
        shown = _state(env)
        if token.type == "math_inline_double":  # $$...$$ is displayed math in both dialects
            markup = render_math(token.content, display=True, in_text=True)
        else:
            markup = render_math(token.content, display=display)
        return shown.keep(_with_anchor(markup, token))

    return render


def _callout_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                  env: EnvType) -> str:
    meta = tokens[idx].meta
    anchor = tokens[idx].attrGet("id")
    return _state(env).keep(callout_start(str(meta["kind"]), str(anchor) if anchor else None,
                                          meta["fold"]))


def _callout_part(markup_fold: str, markup_plain: str) -> Any:
    def render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
        fold = tokens[idx].meta.get("fold")
        return _state(env).keep(markup_fold if fold else markup_plain)

    return render


@functools.cache
def markdown() -> MarkdownIt:
    """The one configured parser (building it is costly; it holds no page state)."""
    md = nest_blocks_deeper(MarkdownIt("commonmark", {"html": True, "linkify": False,
                                                      "typographer": False}))
    md.enable(["table", "strikethrough"])
    _use_front_matter(md)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    use_gfm_autolinks(md)
    md.use(inline_rules_plugin)
    md.use(core_rules_plugin)
    md.use(org_blocks_plugin, SEPARATOR)
    md.use(hiccup_plugin, SEPARATOR)
    md.use(logseq_math_plugin, SEPARATOR)
    md.block.ruler.before("table", "kbc_separator", _separator_rule, _BLOCK_ALTERNATIVES)
    md.add_render_rule("kbc_separator", _render_separator)
    add_linker_renderers(md)
    md.add_render_rule("softbreak", _render_softbreak)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("html_block", _render_html_block)
    for name in ("math_inline", "math_inline_double"):
        md.add_render_rule(name, _render_math(False))
    for name in ("math_block", "math_block_label"):
        md.add_render_rule(name, _render_math(True))
    md.add_render_rule("callout_open", _callout_open)
    for name, (folding, plain) in CALLOUT_PARTS.items():
        md.add_render_rule(name, _callout_part(folding, plain))
    return md


_BLOCK_ALTERNATIVES: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}


def _use_front_matter(md: MarkdownIt) -> None:
    """Front matter hidden exactly where the parser reads some (``frontmatter_end``: a
    first line ``---`` and a closing ``---``). mdit-py-plugins' rule checked the source's
    first character and counted dashes from the second wherever the first line's content
    starts (a first-line list item ``- Q--A`` vanished with what followed), and closed
    on an indented ``---``, where the parser reads none."""
    md.block.ruler.before("table", "front_matter", _front_matter, _BLOCK_ALTERNATIVES)
    md.add_render_rule("front_matter", lambda *_: "")


def _front_matter(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if start != 0 or state.blkIndent != 0:
        return False
    body = frontmatter_end(state.src)
    if not body:
        return False
    lines = state.src.count("\n", 0, body) + 1
    if not silent:
        token = state.push("front_matter", "", 0)
        token.hidden = True
        token.map = [0, lines]
    state.line = lines
    return True


_PROTOCOLS = ("http", "https", "mailto", "xmpp")  # the autolink rule's (it reads no others)
_PROTOCOL_TAIL = 8  # the longest protocol name and the character before it
_LONG_PENDING = 256


def use_gfm_autolinks(md: MarkdownIt) -> None:
    """GFM autolinks (``https://...``, ``www.``, ``a@b.c``), their ``:`` rule asked only
    at a ``:`` just after a protocol name, with little text before it. mdit-py-plugins'
    rule copies the rest of the source wherever it is asked (every position the text
    rule stops), and at each ``:`` searches all the text not yet made a token: a 60 KB
    line of ``ab:`` took 16 s, 100 KB of ``http:`` 38 s, 1 MB of ``[[x][`` 18 s."""
    md.use(gfm_autolink_plugin)
    rules = {rule.name: rule.fn for rule in md.inline.ruler.__rules__}
    protocol = rules["gfm_autolink_protocol"]

    def at_colon(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith(":", state.pos):
            return False
        pending = state.pending
        if not pending.endswith(_PROTOCOLS):
            return False
        if len(pending) > _LONG_PENDING:  # the rule only needs its end: flush the rest
            state.pending = pending[:-_PROTOCOL_TAIL]
            state.pushPending()
            state.pending = pending[-_PROTOCOL_TAIL:]
        return _url_until_link(protocol, state, silent)

    www = rules["gfm_autolink_www"]

    def at_www(state: StateInline, silent: bool) -> bool:
        return state.src.startswith("www.", state.pos) and _url_until_link(www, state, silent)

    md.inline.ruler.at("gfm_autolink_protocol", at_colon)
    md.inline.ruler.at("gfm_autolink_www", at_www)


_URL_WINDOW = 4096  # how far ahead a URL's end is looked for: linear on storms of URLs
_LINK_START = re.compile(r"\[\[|`")


def _url_until_link(rule: Any, state: StateInline, silent: bool) -> bool:
    """Run an autolink rule on the text up to where the next link or code span begins
    (``[[``; Logseq also ``#[[``, ``((``, ``{{`` and LaTeX's ``\\(``, ``\\[``):
    ``http://x.y/[[A]]`` is a URL and a link to A, as both parsers read it."""
    starts = URL_STOP if logseq_syntax(state) else _LINK_START
    cut = starts.search(state.src, state.pos, min(state.posMax, state.pos + _URL_WINDOW))
    if cut is None:
        return _bare_url(rule, state, silent)
    whole = state.posMax
    # before the backslash of an escaped "\[[", which the escape rule then reads
    state.posMax = cut.start() - is_escaped(state.src, cut.start())
    try:
        return _bare_url(rule, state, silent)
    finally:
        state.posMax = whole


def _bare_url(rule: Any, state: StateInline, silent: bool) -> bool:
    """The autolink ``rule``, its link marked as an address written bare (Logseq shows
    a picture's in place: ``rules_core.local_links``)."""
    count = len(state.tokens)
    found = bool(rule(state, silent))
    if found and not silent:
        for token in state.tokens[count:]:  # after the pending text the rule pushed
            if token.type == "link_open":
                token.meta["bare_url"] = True
                state.env[BARE_URLS] = True
    return found


def add_linker_renderers(md: MarkdownIt) -> None:
    """Render the tokens the knowledge-base rules push (``wikilink``, ``blockref``,
    ``macro``, ``tag``) by asking the page's ``Linker``, and the HTML it gave for one
    (``kbc_html``: a picture, a local link)."""
    for name, method in (("wikilink", "wikilink"), ("blockref", "block_ref"),
                         ("macro", "macro")):
        md.add_render_rule(name, _rule(method))
    md.add_render_rule("tag", _render_tag)
    md.add_render_rule("kbc_html", _render_trusted)


def inline_plain_text(source: str, *, obsidian: bool = False) -> str:
    """The readable text of one line of inline Markdown (link labels, not targets), as
    the heading rule reads a heading's text (tags and links as Obsidian reads them when
    ``obsidian``)."""
    tokens: list[Token] = []
    md = markdown()
    env: dict[str, Any] = {}
    if obsidian:  # inline rules only read syntax (none asks the linker): none is given
        env["kbc"] = RenderState(cast(Linker, None), RenderOptions(obsidian_syntax=True))
    md.inline.parse(clean_source(source), md, env, tokens)
    return plain_text(Token("inline", "", 0, children=tokens))


def clean_source(text: str) -> str:
    """Remove the private-use characters our placeholders are made of."""
    return _MARKERS.sub("\ufffd", text) if _MARKERS.search(text) else text


def render_markdown(text: str, state: RenderState, *, inline: bool = False) -> str:
    """Render ``text`` to HTML: sanitized (unless raw HTML is allowed), with our
    trusted markup put back. Embed and ToC slots (``SLOT_OPEN``...) stay in place for
    the caller to fill."""
    return render_with(markdown(), text, state, inline=inline)


def render_with(md: MarkdownIt, text: str, state: RenderState, *, inline: bool = False) -> str:
    """``render_markdown`` with another parser ``md`` (one whose rules push the tokens
    ``add_linker_renderers`` renders)."""
    env = _env(state)
    source = clean_source(text)
    rendered = md.renderInline(source, env) if inline else md.render(source, env)
    trusted, state.trusted = state.trusted, []
    return _finish(rendered, trusted, state)


def _env(state: RenderState) -> dict[str, Any]:
    env: dict[str, Any] = {"kbc": state}
    if state.options.doc_id:
        env["docId"] = state.options.doc_id
    return env


def _finish(rendered: str, trusted: list[str], state: RenderState) -> str:
    if not state.options.allow_raw_html:
        rendered = sanitize_html(rendered, state.linker.raw_url)

    def put_back(match: re.Match[str]) -> str:
        # A fragment may hold placeholders of its own: a link whose label has code or
        # math in it, sanitized with the placeholders in, as the page around it is.
        fragment = trusted[int(match.group(1))]
        return _TRUSTED.sub(put_back, fragment) if TRUSTED_OPEN in fragment else fragment

    return _TRUSTED.sub(put_back, rendered)


def render_many(texts: Sequence[str], state: RenderState) -> list[str] | None:
    """Render several independent Markdown texts (the blocks of one outline) in one
    markdown-it pass, which costs far less than one pass each. Each piece is sanitized
    on its own. Returns None when a piece swallowed the separator after it (an
    unclosed code fence, or an unclosed ``<!--`` or ``<pre>``, whose HTML block would
    pass the next pieces through as raw text); the caller then renders the pieces one
    by one."""
    if not texts:
        return []
    md = markdown()
    env = _env(state)
    source = f"\n\n{SEPARATOR}\n\n".join(clean_source(text) for text in texts)
    rendered = md.render(source, env)
    trusted, state.trusted = state.trusted, []
    parts = rendered.split(_SEPARATED)
    if SEPARATOR in rendered or len(parts) != len(texts):  # some piece took one in
        return None
    return [_finish(part, trusted, state) for part in parts]


def _separator_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line holding only ``SEPARATOR`` (only ``render_many`` writes one)."""
    begin = state.bMarks[start] + state.tShift[start]
    if state.src[begin : state.eMarks[start]] != SEPARATOR:
        return False
    if not silent:
        token = state.push("kbc_separator", "", 0)
        token.map = [start, start + 1]
    state.line = start + 1
    return True


def _render_separator(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: EnvType) -> str:
    return _SEPARATED
