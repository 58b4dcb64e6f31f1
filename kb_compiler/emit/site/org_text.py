"""The text of an Org page's blocks (``ORG_TEXT``: a Logseq graph's ``.org`` pages) as
HTML, as Logseq shows it: shown line for line, with what the parser reads in it made live.

Blocks first, as mldoc reads them: a ``#+BEGIN_SRC`` (``EXAMPLE``, ``QUERY``, ``EXPORT``,
``COMMENT``) block and a ``$$`` formula on rows of its own are drawn by the site's rules
for Logseq's Markdown pages (highlighted code, a query's results, MathML); a
``#+BEGIN_QUOTE``, an admonition (``NOTE``, ``TIP`` ...) or another named block holds Org
text, drawn as on those pages. The blocks are the ones the parser masks, so a link in
one is no link on the page and no reference in the graph; an unclosed block is text.

In the text, live as ``parse.logseq_org`` reads it: Org links ``[[target][label]]`` (to
a page, a block ``((uuid))``, a file or a URL; a picture, sound or video is shown in
place), ``[[page]]``, ``[label]([[page]])``, ``#tag``, ``((uuid))``, ``{{embed ...}}``
and other macros, bare URLs and URLs in angle brackets (``<https://...>``). ``~code~``
and ``=verbatim=`` are code, with nothing read inside them. ``*bold*``, ``/italic/``,
``_underline_`` and ``+strike-through+`` are emphasis, on one line, where Org's rules
allow it (a blank or one of ``-('"{`` before the opening mark, a blank or punctuation
after the closing one, no blank inside either); ``^^highlight^^`` and hiccup are drawn.
Lists and tables are cut out with the blocks and drawn as mldoc reads them (an item's
rows hold blocks of their own). Other Org markup (footnotes, timestamps, ``\\#``) stays
as written. An Org link a browser may not follow (``javascript:``) shows its label.

The parser is a markdown-it ``zero`` instance (no Markdown syntax) with the site's own
inline rules for the shared syntax and rules for Org's.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kb_compiler.emit.site.hiccup import add_hiccup_renderers, inline_hiccup
from kb_compiler.emit.site.render import (
    RenderState,
    add_linker_renderers,
    render_markdown,
    render_with,
    use_gfm_autolinks,
)
from kb_compiler.emit.site.rules_core import local_links
from kb_compiler.emit.site.rules_inline import (
    RuleFunc,
    block_ref,
    labelled_ref,
    logseq_highlight,
    macro,
    tag,
    take_wikilink,
)
from kb_compiler.emit.site.rules_org import org_container
from kb_compiler.emit.site.scan import scanner
from kb_compiler.emit.site.text import apart
from kb_compiler.model import RefKind
from kb_compiler.parse.logseq_blocks import VERBATIM_NAMES, display_math_rows, mask_verbatim
from kb_compiler.parse.logseq_inline import tag_at as logseq_tag_at
from kb_compiler.parse.logseq_org import (
    mask_org_links,
    org_code_spans,
    org_file_target,
    org_link_target,
)
from kb_compiler.parse.logseq_outline import TAB_WIDTH
from kb_compiler.parse.names import is_media_path
from kb_compiler.parse.obsidian_mask import blank_spans
from kb_compiler.parse.text import match_brackets

_READING = "kbc_org_reading"  # env key of the source's _Reading
_EMPHASIS = {"*": "strong", "/": "em", "_": "u", "+": "del"}
_HASH = re.compile("#")
_BEFORE_OPENER = frozenset(" \t\n-('\"{")
_AFTER_CLOSER = frozenset(" \t\n-.,:!?;'\")}\\[")


def org_text_html(text: str, state: RenderState, *, titled: bool = False) -> str:
    """``<div class="org-text">`` holding ``text`` rendered; empty for blank text."""
    if not text.strip():
        return ""
    return f'<div class="org-text">{render_org_text(text, state, titled=titled)}</div>'


def render_org_text(text: str, state: RenderState, *, titled: bool = False) -> str:
    """The inner HTML of ``text``: its Org blocks, formulas, lists and tables drawn as
    Logseq draws them, the rows between rendered as Org text. ``titled``: the first row
    is a heading's title, which is text whatever it starts with ("1. Fixed ...")."""
    return _render(text, _as_logseq(state), 1 if titled else 0, 0)


def _render(text: str, state: RenderState, start: int, depth: int) -> str:
    rows = text.split("\n")
    parts: list[str] = []
    for kind, first, last in _pieces(rows, start, depth):
        piece = rows[first:last + 1]
        if kind == _TEXT:
            parts.append(_org_inline("\n".join(piece), state))
        elif kind == _DRAWN:  # the site's own rules draw it, as on a Markdown page
            shown = render_markdown(_drawn_source(piece), state).strip()
            parts.append(f'<div class="org-markup">{shown}</div>' if shown else "")
        elif kind == _LIST:
            parts.append(f'<div class="org-markup">{_list_html(piece, state, depth)}</div>')
        elif kind == _TABLE:
            parts.append(f'<div class="org-markup">{_table_html(piece, state)}</div>')
        else:
            parts.append(org_container(kind, _render("\n".join(piece[1:-1]), state, 0,
                                                     depth + 1)))
    return "".join(parts)


def _org_inline(text: str, state: RenderState) -> str:
    return render_with(org_markdown(), text, state, inline=True)


# kinds of piece; any other is a block holding Org text, by its name (NOTE, QUOTE ...)
_TEXT, _DRAWN, _LIST, _TABLE = "text", "drawn", "list", "table"
_ITEM = re.compile(r"([ \t]*)([-+*]|\d+[.)])[ \t]+(?:\[([ xX])\][ \t]+)?(.*)")
_TABLE_RULE = re.compile(r"\|[-+:| ]*-[-+:| ]*")
_BEGIN = re.compile(r"#\+BEGIN_([A-Za-z][\w-]*)(?:[ \t]+.*)?", re.IGNORECASE)
_END = re.compile(r"#\+END_[A-Z][\w-]*")
MAX_NESTING = 32  # blocks inside blocks, each drawn by a call of its own


def _pieces(rows: list[str], start: int, depth: int) -> list[tuple[str, int, int]]:
    """``rows`` cut into pieces, each ``(kind, first row, last row)``: a ``$$`` formula
    on rows of its own or a ``#+BEGIN_NAME`` block whose content is code (both drawn by
    the site's Markdown rules), a block whose content is Org text (its ``NAME``), a
    list, a table, and the text between them; none starts before row ``start``. Code
    blocks and formulas are the ones the parser masks; an unclosed block is text, and
    so is one nested deeper than ``MAX_NESTING`` (each level is a call)."""
    masked = list(rows)
    code = mask_verbatim(masked)
    math = display_math_rows(masked)
    ends = _EndRows.of(rows)
    pieces: list[tuple[str, int, int]] = []
    number = 0
    while number < len(rows):
        found = _piece_at(rows, number, (code, math), ends, depth) if number >= start else None
        if found is not None:
            pieces.append(found)
            number = found[2] + 1
            continue
        if pieces and pieces[-1][0] == _TEXT:
            pieces[-1] = (_TEXT, pieces[-1][1], number)
        else:
            pieces.append((_TEXT, number, number))
        number += 1
    return pieces


def _piece_at(rows: list[str], number: int, drawn: tuple[dict[int, int], dict[int, int]],
              ends: _EndRows, depth: int) -> tuple[str, int, int] | None:
    """The piece starting at row ``number``, if one does; ``drawn``: the code blocks and
    the formulas the parser masks (first row -> last row)."""
    for found in drawn:
        if number in found:
            return (_DRAWN, number, found[number])
    text = rows[number].strip()
    opened = _BEGIN.match(text)
    name = opened.group(1).upper() if opened else ""
    close = ends.closing(name, number) if opened and name not in VERBATIM_NAMES else None
    if close is not None:
        if name == "COMMENT":
            return (_DRAWN, number, close)
        if depth < MAX_NESTING:
            return (name, number, close)
    if text.startswith("|"):
        last = number
        while last + 1 < len(rows) and rows[last + 1].strip().startswith("|"):
            last += 1
        return (_TABLE, number, last)
    item = _list_item(rows[number])
    if item is not None:
        return (_LIST, number, _list_end(rows, number))
    return None


def _list_item(row: str) -> tuple[int, bool, str | None, str] | None:
    """A list item's indentation, whether it is numbered, its checkbox (" ", "X" or
    None) and its text, as mldoc reads one (``lists.ml``): ``-`` or ``+``, ``*`` when
    indented (at the start of a line it makes a heading), or a number and a dot."""
    found = _ITEM.fullmatch(row)
    if found is None or (found.group(2) == "*" and not found.group(1)):
        return None
    box = found.group(3)
    return (len(found.group(1).expandtabs(TAB_WIDTH)), found.group(2)[-1] in ".)",
            box.upper() if box else None, found.group(4))


def _list_end(rows: list[str], start: int) -> int:
    """The last row of the list starting at ``start``: items and the indented rows that
    carry them on, up to a blank row or one at the left edge that starts no item."""
    last = start
    while last + 1 < len(rows):
        row = rows[last + 1]
        if not row.strip() or (not row[0].isspace() and _list_item(row) is None):
            break
        last += 1
    return last


def _list_html(rows: list[str], state: RenderState, depth: int) -> str:
    """Nested lists: an item indented more than the one before is in a list inside it.
    An item's rows, trimmed, hold blocks as a page's text does (mldoc parses them with
    the block parsers: a ``#+BEGIN_SRC`` in an item is code)."""
    items: list[tuple[int, bool, str | None, list[str]]] = []
    for row in rows:
        item = _list_item(row)
        if item is not None:
            items.append((item[0], item[1], item[2], [item[3]]))
        else:
            items[-1][3].append(row.strip())
    shown: list[str] = []
    open_lists: list[tuple[int, str]] = []  # (indentation, "ul" or "ol"), outermost first
    for indent, numbered, box, lines in items:
        while open_lists and open_lists[-1][0] > indent:
            shown.append(f"</li></{open_lists.pop()[1]}>")
        tag = "ol" if numbered else "ul"
        if open_lists and open_lists[-1] == (indent, tag):
            shown.append("</li>")
        else:
            if open_lists and open_lists[-1][0] == indent:  # the other kind: a new list
                shown.append(f"</li></{open_lists.pop()[1]}>")
            open_lists.append((indent, tag))
            shown.append(f"<{tag}>")
        check = "" if box is None else (
            '<input class="task-list-item-checkbox" type="checkbox" disabled'
            f'{" checked" if box == "X" else ""}> ')
        content = _render("\n".join(lines), state, 0, depth + 1) if depth < MAX_NESTING \
            else _org_inline("\n".join(lines), state)
        shown.append(f"<li>{check}{content}")
    shown.extend(f"</li></{tag}>" for _, tag in reversed(open_lists))
    return "".join(shown)


def _table_html(rows: list[str], state: RenderState) -> str:
    """An Org table: a rule (``|---+---|``) after the first row makes that row the head;
    other rules are left out, as Logseq leaves them."""
    head = len(rows) > 1 and _TABLE_RULE.fullmatch(rows[1].strip()) is not None
    body = [row for row in rows if _TABLE_RULE.fullmatch(row.strip()) is None]
    shown = ["<table>"]
    for number, row in enumerate(body):
        cell = "th" if head and number == 0 else "td"
        cells = apart(f"<{cell}>{_org_inline(text, state)}</{cell}>" for text in _cells(row))
        shown.append(f"<thead><tr>{cells}</tr></thead><tbody>" if cell == "th"
                     else f"<tr>{cells}</tr>")
    shown.append("</tbody></table>" if head else "</table>")
    return "".join(shown)


def _cells(row: str) -> list[str]:
    text = row.strip()[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [cell.strip() for cell in text.split("|")]


@dataclass
class _EndRows:
    """The rows that are an ``#+END_NAME`` marker alone, by name, found in one pass (a
    page of unclosed blocks is not scanned again from each): where a block of Org text
    ends, as the site's rule for Markdown pages ends one."""

    by_name: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[str]) -> _EndRows:
        found = cls()
        for number, row in enumerate(rows):
            text = row.strip().upper()
            if text.startswith("#+END_") and _END.fullmatch(text):
                found.by_name.setdefault(text[6:], []).append(number)
        return found

    def closing(self, name: str, start: int) -> int | None:
        rows = self.by_name.get(name, [])
        at = bisect.bisect_right(rows, start)
        return rows[at] if at < len(rows) else None


def _drawn_source(rows: list[str]) -> str:
    """A code block's or formula's rows as the site's rules for Markdown pages want
    them: out as far as the first (mldoc clears that indentation from a block), and a
    block's end row alone (the parser also ends one at ``#+END_SRC`` with text after
    it)."""
    indent = len(rows[0]) - len(rows[0].lstrip())
    rows = [row[min(indent, len(row) - len(row.lstrip())):] for row in rows]
    opened = _BEGIN.match(rows[0].strip())
    if opened:
        rows[-1] = f"#+END_{opened.group(1).upper()}"
    return "\n".join(rows)


def _as_logseq(state: RenderState) -> RenderState:
    """``state`` with the options of a Logseq page, which an Org page always is."""
    options = state.options
    if options.org_blocks and options.hiccup and options.display_math:
        return state
    return replace(state, options=replace(options, org_blocks=True, hiccup=True,
                                          display_math=True, hard_breaks=True))


@functools.cache
def org_markdown() -> MarkdownIt:
    """The parser for Org text (built once; it holds no page state)."""
    md = MarkdownIt("zero")
    for name, rule in (("kbc_org_code", org_code), ("kbc_org_emphasis", org_emphasis),
                       ("kbc_org_link", org_link), ("kbc_org_wikilink", org_wikilink),
                       ("kbc_logseq_highlight", logseq_highlight),
                       ("kbc_inline_hiccup", inline_hiccup)):
        md.inline.ruler.push(name, rule)
    for name, rule in (("kbc_labelled_ref", labelled_ref),
                       ("kbc_block_ref", block_ref), ("kbc_macro", macro), ("kbc_tag", tag)):
        md.inline.ruler.push(name, _outside_org_marks(rule))
    md.inline.add_terminator_char("(")
    md.inline.add_terminator_char("/")
    use_gfm_autolinks(md)
    md.enable("autolink")  # mldoc's quick link: <https://...>, <mailto:...>
    # pictures and files an Org link shows, with the size written after one
    md.core.ruler.push("kbc_local_links", local_links)
    add_linker_renderers(md)
    add_hiccup_renderers(md)
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
    insides: dict[int, int] = field(default_factory=dict)  # emphasis read: start -> end
    inside_ends: set[int] = field(default_factory=set)

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
    (a link inside stays a link), where the start and end of that text count as a
    blank would (``*/both/*`` is bold and italic, as mldoc reads the inside on its own)."""
    src, pos = state.src, state.pos
    marker = src[pos]
    tag = _EMPHASIS.get(marker)
    reading = _reading(state)
    at_inner_start = reading.insides.get(pos) == state.posMax
    if tag is None or (pos > 0 and src[pos - 1] not in _BEFORE_OPENER and not at_inner_start) \
            or pos + 1 >= state.posMax or src[pos + 1].isspace():
        return False
    end = _closer(state, reading, marker, pos)
    line = bisect.bisect_left(reading.newlines, pos)
    if end < 0 or (line < len(reading.newlines) and reading.newlines[line] < end):
        return False
    if not silent:
        state.push(f"org_{tag}_open", tag, 1).markup = marker
        old_max = state.posMax
        state.pos, state.posMax = pos + 1, end
        reading.insides[pos + 1] = end
        reading.inside_ends.add(end)
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push(f"org_{tag}_close", tag, -1).markup = marker
    state.pos = end + 1
    return True


def _closer(state: StateInline, reading: _Reading, marker: str, pos: int) -> int:
    """Where the emphasis opened at ``pos`` closes, before ``posMax``; -1 if nowhere.
    Inside emphasis, a mark just before the enclosing one's closing mark may close."""
    closers = reading.closers[marker]
    at = bisect.bisect_left(closers, pos + 2)
    end = closers[at] if at < len(closers) else -1
    if 0 <= end < state.posMax:
        return end
    last = state.posMax - 1
    if state.posMax in reading.inside_ends and last >= pos + 2 and state.src[last] == marker \
            and not state.src[last - 1].isspace():
        return last
    return -1


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
    path = org_file_target(written)
    if path is not None or (kind is None and is_media_path(_url_path(target))):
        _push_file(state, path if path is not None else target, label)
    elif kind is RefKind.BLOCK_REF:
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


def _push_file(state: StateInline, address: str, label: str | None) -> None:
    """A file or a web address an Org link names: a picture, sound or video is shown
    in place, as Logseq shows it, anything else is a link to it."""
    url = state.md.normalizeLink(address)
    if not state.md.validateLink(url):
        state.push("text", "", 0).content = label or address
    elif is_media_path(_url_path(address)):
        token = state.push("image", "img", 0)
        token.attrs = {"src": url, "alt": ""}
        token.children = [Token("text", "", 0, content=label or "")]
        token.content = label or ""
    else:
        state.push("link_open", "a", 1).attrs = {"href": url}
        state.push("text", "", 0).content = label or address
        state.push("link_close", "a", -1)


def _url_path(address: str) -> str:
    """The path of an address, without its query and fragment."""
    return urlsplit(address).path if "://" in address else address
