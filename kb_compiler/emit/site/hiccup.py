"""Hiccup on Logseq pages: a line starting ``[:h2 {:style {:color "red"}} "Title"]`` is
HTML written as Clojure data, and Logseq shows the HTML.

What Logseq does, and so the site: mldoc reads a hiccup block where a block may start
(``lib/syntax/block.ml``: ``[:`` and a known HTML tag at the start of a line, up to its
matching ``]``; text after it on that line is a paragraph of its own), and a hiccup in
running text where a ``[`` starts no link (``inline.ml``'s ``inline_hiccup``). The app reads
the form as EDN, renders it with the hiccups library (strings go in as written, so they
may hold markup) and sanitizes the result; a form it cannot read is shown as its text in
a ``div.warning`` titled "Invalid hiccup". Here the HTML goes through the site's
sanitizer with every other piece of raw HTML, after the page is rendered.

Only Logseq pages get the rule (``RenderOptions.hiccup``); Logseq's docs graph writes
hiccup on its Hiccup, Markdown, templates and media pages.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from kb_compiler.edn import EdnError, Keyword, read_edn

# mldoc's Raw_html.known_tags: the tags a hiccup block may start with.
KNOWN_TAGS = frozenset({
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
    "blockquote", "body", "br", "button", "canvas", "caption", "cite", "code", "col",
    "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "embed", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "head", "header", "hr", "html", "i", "iframe", "img", "input", "ins", "kbd",
    "keygen", "label", "legend", "li", "link", "main", "map", "mark", "meta", "meter", "nav",
    "noscript", "object", "ol", "optgroup", "option", "output", "p", "param", "pre",
    "progress", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "script", "section",
    "select", "small", "source", "span", "strong", "style", "sub", "summary", "sup", "table",
    "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title", "tr",
    "track", "u", "ul", "var", "video", "wbr",
})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
})
_START = re.compile(r"\[:([^\s\]]+)")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:.-]*")  # of a tag or an attribute
# Strings (so a bracket inside one does not count) and the brackets themselves.
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]]')
_MAX_DEPTH = 64  # nesting deeper than any page writes: shown as invalid, not recursed into
_MATCHES = "kbc_hiccup_matches"  # env key of the block source's _Matches
_INLINE_MATCHES = "kbc_inline_hiccup_matches"  # the same, of the inline source


class HiccupError(ValueError):
    """A form that is no hiccup (hiccups throws on it; Logseq shows a warning)."""


def hiccup_plugin(md: MarkdownIt, separator: str) -> None:
    """Register the block rule; no hiccup reaches past a ``separator`` line (one of the
    pieces ``render.render_many`` joins into one source)."""

    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        return _hiccup_block(state, start, end, silent, separator)

    md.block.ruler.before("paragraph", "kbc_hiccup", rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    # Before the rule that takes a "[" with no "](" after it on the line as text.
    md.inline.ruler.before("kbc_plain_bracket", "kbc_inline_hiccup", inline_hiccup)
    add_hiccup_renderers(md)


def add_hiccup_renderers(md: MarkdownIt) -> None:
    """Render the tokens the rules push: their HTML, made when they were read."""
    for kind in ("hiccup", "hiccup_inline"):
        md.add_render_rule(kind, lambda self, tokens, idx, options, env: tokens[idx].content)


def hiccup_html(text: str) -> str:
    """The HTML of the hiccup ``text``, as Logseq renders it before sanitizing."""
    try:
        form = read_edn(text)
        if not isinstance(form, list) or not form:
            raise HiccupError("not an element")
        return _html(form, 0)
    except (EdnError, HiccupError, RecursionError):
        return f'<div class="warning" title="Invalid hiccup">{html.escape(text)}</div>'


def _html(form: object, depth: int) -> str:
    if depth > _MAX_DEPTH:
        raise HiccupError("nested too deep")
    if form is None:
        return ""
    if isinstance(form, bool):
        return "true" if form else "false"
    if isinstance(form, Keyword):
        return f":{form}"
    if isinstance(form, str | int | float):
        return str(form)  # hiccups writes strings as they are: they may be markup
    if isinstance(form, list):
        return _element(form, depth)
    if isinstance(form, tuple):  # a list of forms: each in turn
        return "".join(_html(item, depth + 1) for item in form)
    raise HiccupError(f"cannot render {type(form).__name__}")


def _element(form: list[object], depth: int) -> str:
    head, rest = form[0], form[1:]
    if not isinstance(head, Keyword | str) or not head:
        raise HiccupError("an element starts with its tag")
    tag, id_, classes = _tag_parts(str(head))
    if not _NAME.fullmatch(tag):  # the sanitizer would clean it; it is no tag either way
        raise HiccupError(f"'{tag}' is no tag name")
    attributes: dict[object, object] = {}
    if rest and isinstance(rest[0], dict):
        attributes = dict(rest[0])
        rest = rest[1:]
    if id_ and "id" not in attributes:
        attributes["id"] = id_
    if classes:
        given = attributes.get("class")
        attributes["class"] = " ".join([*classes, *_words(given)])
    opening = f"<{tag}{_attributes(attributes)}>"
    children = "".join(_html(child, depth + 1) for child in rest)
    if tag in _VOID and not children:
        return opening
    return f"{opening}{children}</{tag}>"


def _tag_parts(head: str) -> tuple[str, str, list[str]]:
    """``div#main.wide.dark`` -> ("div", "main", ["wide", "dark"])."""
    found = re.match(r"([^#.]*)(?:#([^.]*))?(.*)", head)
    assert found is not None  # every part is optional
    classes = [name for name in found[3].split(".") if name]
    return found[1] or "div", found[2] or "", classes


def _words(value: object) -> list[str]:
    if value is None or value is False:
        return []
    if isinstance(value, list | tuple | frozenset):
        return [str(item) for item in value if item is not None]
    return [str(value)]


def _attributes(attributes: dict[object, object]) -> str:
    """The attributes in name order, as hiccups writes them."""
    parts = []
    for key, value in sorted(attributes.items(), key=lambda item: str(item[0])):
        if not _NAME.fullmatch(str(key)):
            raise HiccupError(f"'{key}' is no attribute name")
        name = str(key)
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {name}")
            continue
        if isinstance(value, dict):
            value = "".join(f"{k}:{v};" for k, v in value.items())
        elif isinstance(value, list | tuple | frozenset):
            value = " ".join(str(item) for item in value)
        parts.append(f' {name}="{html.escape(str(value), quote=True)}"')
    return "".join(parts)


# The block rule ----------------------------------------------------------------------


@dataclass
class _Matches:
    """For each ``[`` of the source outside a string, the offset of its ``]``, found in
    one pass; scanning ahead from each ``[:`` line would take quadratic time on a page
    of unclosed ones."""

    src: str
    closing: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, src: str, separator: str) -> _Matches:
        found = cls(src)
        for piece_start, piece in _pieces(src, separator):
            open_at: list[int] = []
            for token in _BRACKETS.finditer(piece):
                if token.group() == "[":
                    open_at.append(piece_start + token.start())
                elif token.group() == "]" and open_at:
                    found.closing[open_at.pop()] = piece_start + token.start()
        return found


def _pieces(src: str, separator: str) -> list[tuple[int, str]]:
    """The parts of ``src`` between separator lines, with their offsets."""
    pieces, start = [], 0
    lines = re.finditer(rf"^{re.escape(separator)}$", src, re.MULTILINE) if separator else ()
    for line in lines:
        pieces.append((start, src[start:line.start()]))
        start = line.end()
    pieces.append((start, src[start:]))
    return pieces


def inline_hiccup(state: StateInline, silent: bool) -> bool:
    """A form in running text (``renders as [:mark "hi"]``): mldoc tries one at a ``[``
    that starts no link, footnote, timestamp or cookie."""
    kbc = state.env.get("kbc") if isinstance(state.env, dict) else None
    if kbc is None or not kbc.options.hiccup or not state.src.startswith("[:", state.pos):
        return False
    opened = _START.match(state.src, state.pos, state.posMax)
    if opened is None or opened.group(1).lower() not in KNOWN_TAGS:
        return False
    matches = state.env.get(_INLINE_MATCHES)
    if matches is None or matches.src is not state.src:
        matches = state.env[_INLINE_MATCHES] = _Matches.of(state.src, "")
    close = matches.closing.get(state.pos)
    if close is None or close >= state.posMax or state.src.startswith("(", close + 1):
        return False  # unclosed, or the label of a link, which mldoc tries first
    if not silent:
        state.push("hiccup_inline", "", 0).content = hiccup_html(state.src[state.pos:close + 1])
    state.pos = close + 1
    return True


def _hiccup_block(state: StateBlock, start: int, end: int, silent: bool,
                  separator: str) -> bool:
    kbc = state.env.get("kbc") if isinstance(state.env, dict) else None
    if kbc is None or not kbc.options.hiccup or state.is_code_block(start):
        return False
    begin = state.bMarks[start] + state.tShift[start]
    opened = _START.match(state.src, begin, state.eMarks[start])
    if opened is None or opened.group(1).lower() not in KNOWN_TAGS:
        return False
    matches = state.env.get(_MATCHES)
    if matches is None or matches.src is not state.src:
        matches = state.env[_MATCHES] = _Matches.of(state.src, separator)
    close = matches.closing.get(begin)
    if close is None:
        return False
    last = bisect.bisect_right(state.bMarks, close) - 1
    if last >= end:
        return False
    if silent:
        return True
    token = state.push("hiccup", "", 0)
    token.content = hiccup_html(state.src[begin:close + 1])
    token.map = [start, last + 1]
    rest = state.src[close + 1:state.eMarks[last]].strip()
    if rest:  # what follows on the line is a paragraph of its own, as mldoc reads it
        state.push("paragraph_open", "p", 1).map = [last, last + 1]
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = rest, [last, last + 1], []
        state.push("paragraph_close", "p", -1)
    state.line = last + 1
    return True
