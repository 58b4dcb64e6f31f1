"""Logseq inline references: ``[[Page]]``, ``#tag``, ``#[[multi word]]``, ``((uuid))``,
label forms, ``{{embed ...}}``, other ``{{macros}}`` and Markdown links to local files.

The scanner reads text whose code is already masked (``text.mask_code``) and reports
every find with its 1-based line and column in the page file. It runs in passes, each
blanking what it consumed so that later passes never see it twice: macros first (nothing
inside a macro is a link, except an embed's own target), then ``[[...]]`` pairs, block
refs, Markdown links, and last bare ``#tags``. Every pass is linear in the text length,
so a 5 MB line of brackets cannot make it quadratic.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from kb_compiler.model import Diagnostic, Macro, Reference, RefKind, Severity
from kb_compiler.parse.logseq_html import RawHtml, autolink_end, opens_element
from kb_compiler.parse.text import (
    NextOccurrence,
    find_backtick_run,
    is_escaped,
    match_brackets,
)

# Maps an offset in the scanned text to a (line, column) in the page file, both 1-based.
Locate = Callable[[int], tuple[int, int]]

# What "((...))" holds for a block ref. mldoc takes any text (block_reference.ml), and
# Logseq shows a ref that is no UUID as an invalid one; the site reads these characters
# (rules_inline._UUID_CHARS), so "((see above))" in prose stays text in both.
BLOCK_ID = r"[0-9A-Za-z_-]+"
_BLOCK_REF = re.compile(r"\(\(\s*(" + BLOCK_ID + r")\s*\)\)")
_LABELLED_BLOCK_REF = re.compile(r"\[([^\[\]\n]*+)\]\(\(\(\s*(" + BLOCK_ID + r")\s*\)\)\)")
_LABEL_HEAD = re.compile(r"\[([^\[\]\n]*+)\]\((?=\[\[)")
_BRACKET_TOKEN = re.compile(r"\[\[|\]\]|\n")
# ![alt](target "title") or [text](target): labels may hold one level of brackets.
_MARKDOWN_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]++|\[[^\[\]\n]*+\])*+)\]"
    r"\(\s*+(<[^<>\n]*+>|[^\s()]*+(?:\([^\s()]*+\)[^\s()]*+)*+)(?:\s+\"[^\"\n]*+\")?\s*+\)"
)
# A bare tag stops at whitespace and at [ ] ( ) + # , ，  (mldoc hash_tag).
_TAG = re.compile(r"#([^\s\[\]()+#,，]+)")
# Left off a bare tag's end: punctuation ("see #topic.") and emphasis closers
# ("**Removal of #tags**" tags "tags", Export.md in Logseq's docs).
_TAG_TRAILING_PUNCTUATION = ".,!?;:*_~^="
_TAG_STOP = re.compile(r"\{\{|`")
_NOT_NEWLINE = re.compile(r"[^\n]")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Text without any of these characters holds no reference, macro or link.
_MAY_REFER = re.compile(r"[\[#({]")
_MACRO_HEAD = re.compile(r"\s*([^\s,\[(]+)(.*)\Z", re.DOTALL)
# mldoc's md_escape_chars: a backslash makes any ASCII punctuation mark plain text.
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~\\")
# mldoc's LaTeX fragments, tried at a backslash before the escape: \[ ... \] and \( ... \)
LATEX_CLOSE = {"[": "\\]", "(": "\\)"}
# Where mldoc reads something that a backslash, "$" or "<" after it cannot change (a
# code span, a bare tag, a page name, a macro), and the backslash, "$" and "<".
_INLINE_MARK = re.compile(r"`+|\\|#|\[\[|\{\{|\$|<")
# A block ref or a Markdown link (to a page, a block or a URL) that ends where a "<"
# is: mldoc reads an element next, as after a delimiter
_LINK_BEFORE = re.compile(r"(?:\(\(\s*" + BLOCK_ID + r"\s*\)\)|\[[^\[\]\n]*\]\("
                          r"(?:\[\[[^\n]*?\]\]|\(\([^\n]*?\)\)|[^()\s]*)\))\Z")
_LINK_REACH = 300  # how far back such a link or URL is looked for
# A bare URL that ends where a "<" is (the site's autolinks leave trailing punctuation)
_URL_OPEN = re.compile(r"https?://|www\.")
_URL_AFTER = frozenset({"", " ", "\t", "\n", "*", "_", "~", "("})  # GFM autolinks
_URL_REST = re.compile(r"[^\s<]*[^\s<?!.,:;*_~)'\"]\Z")
# Where a bare URL on a Logseq page stops: a link, block ref, macro, code or LaTeX
# opens there (the site cuts its autolinks there too), or it meets a space or "<"
URL_STOP = re.compile(r"#?\[\[|\(\(|\{\{|`|\\[\[(]")
_URL_END = re.compile(r"[\s<]")
_READ_FIRST_CLOSE = {"[[": "]]", "{{": "}}"}
# Dollar math, as the site's renderer reads it (mdit-py-plugins' dollarmath, no space
# inside the dollars, no digit around them): "$$...$$" and "$...$" end at the first
# unescaped "$$" or "$" of their line; a "$$" block (_math_at) may run over lines.
_DISPLAY_MATH = re.compile(r"\$\$(?:[^$\n\\]|\\[^\n]|\$(?!\$))+?\$\$")
_BLOCK_MATH_END = re.compile(r"\$\$[ \t]*$", re.MULTILINE)
_INLINE_MATH = re.compile(r"\$(?=[^\s$])((?:[^$\n\\]|\\[^\n])*)\$")
# Where mldoc's paragraph ends, for inline parsing: a blank line (code in a fence is
# blanked), a heading's line or a fence's
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*(?=\n)|^[ \t]*(?:#{1,6}(?:[ \t][^\n]*)?"
                              r"|(?:[-*+][ \t]+)?(?:`{3,}|~{3,})[^\n]*)$", re.MULTILINE)


@dataclass
class InlineFindings:
    """What one scan found; the caller turns it into a Block's or Property's fields."""

    references: list[Reference] = field(default_factory=list)
    macros: list[Macro] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, other: InlineFindings) -> None:
        self.references.extend(other.references)
        self.macros.extend(other.macros)
        self.diagnostics.extend(other.diagnostics)


@dataclass(frozen=True)
class ScanContext:
    """Where the scanned text sits and what kind of references it makes.

    ``property`` is set when the text is a property value: links then have kind
    ``link_kind`` (PROPERTY, or TAG for ``tags::``), and macros are skipped, not kept.
    """

    path: str
    locate: Locate
    property: str | None = None
    link_kind: RefKind = RefKind.LINK


_IMAGE_SIZE = re.compile(r"\{\s*:(height|width)\s+([0-9]+(?:\.[0-9]+)?)\s*,?"
                         r"(?:\s*:(height|width)\s+([0-9]+(?:\.[0-9]+)?)\s*)?\}")


def image_size(text: str, at: int = 0) -> tuple[str, str, int] | None:
    """The size Logseq writes after a resized image, ``{:height 224, :width 441}``
    (either order; an EDN map, so the comma is optional), at ``at`` in ``text``:
    (width, height, the offset after it), a size not given being ""."""
    found = _IMAGE_SIZE.match(text, at)
    if found is None:
        return None
    sizes = dict(zip(found.group(1, 3), found.group(2, 4), strict=True))
    return sizes.get("width") or "", sizes.get("height") or "", found.end()


def reads_left_to_right(text: str) -> bool:
    """Whether ``text`` holds a backslash, "$" or "<", which may change where code,
    math and links are (``code_math_and_escape_spans`` then reads them in one pass)."""
    return "\\" in text or "$" in text or "<" in text


def may_refer(text: str) -> bool:
    """False when ``text`` certainly holds no reference or macro (a cheap pre-check)."""
    return _MAY_REFER.search(text) is not None


def code_math_and_escape_spans(text: str, not_text: Collection[int] = ()
                               ) -> list[tuple[int, int]]:
    """What to blank in ``text`` (fences already blanked, code spans not) where it holds
    a backslash, a dollar or a "<", read left to right as mldoc reads it (``inline.ml``):
    the inside of a code span (which stays on its line), ``$...$`` and ``$$...$$`` math,
    a LaTeX fragment ``\\[ ... \\]`` or ``\\( ... \\)`` when it closes in its paragraph,
    else an escaped ASCII punctuation mark, and autolinks and raw HTML (``logseq_html``)
    ending in their paragraph. None holds a link or tag: ``\\[[A]]`` is the text
    "[[A]]", ``\\#tag`` no tag, and in ``\\( `\\) [[A]]` `` the fragment ends in what
    would be code. A tag, page name or macro read first keeps its backslashes and
    dollars (``#a\\(`` tags "a\\", ``#a$[[B]]$`` tags "a$" and links B). ``not_text``:
    where rows that are not text (properties, drawers) were emptied, which end no
    paragraph."""
    spans: list[tuple[int, int]] = []
    found = NextOccurrence(text)
    breaks = _paragraph_breaks(text, not_text)
    block_ends: list[int] | None = None  # where each line ending in "$$" ends
    html: RawHtml | None = None
    position = read_to = 0  # read_to: where the last element read ends (-1: in plain text)
    while match := _INLINE_MARK.search(text, position):
        at, mark = match.start(), match.group()
        if mark == "<":
            html = html or RawHtml(text)
            end = _html_at(text, at, html, at == read_to, _next_after(breaks, at, len(text)))
            if end > 0:
                spans.append((at, end))
            # a "<" that opens nothing starts plain text, which runs on to a delimiter
            position, read_to = (end, end) if end > 0 else (at + 1, -1)
            continue
        if mark[0] == "`":
            close = find_backtick_run(text, match.end(), len(mark), found.find("\n", at))
            if close >= 0:
                spans.append((match.end(), close))
            position = close + len(mark) if close >= 0 else match.end()
        elif mark == "#":
            tag = tag_at(text, at)
            position = tag[1] if tag else at + 1
        elif mark == "$":
            if block_ends is None:
                block_ends = [match.end() for match in _BLOCK_MATH_END.finditer(text)]
            math = _math_at(text, at, block_ends, breaks)
            if math:
                spans.append(math)
            position = math[1] if math else at + 1
        elif mark != "\\":
            end = found.find(_READ_FIRST_CLOSE[mark], at + 2)
            position = end + 2 if end >= 0 else at + 2
        elif span := _latex_or_escape(text, at, found, breaks):
            spans.append(span)
            position = span[1]
        else:
            position = at + 1
        # an unclosed "{{" is plain text ("{" is no delimiter); the other marks are
        # delimiters or read an element
        read_to = -1 if mark == "{{" and position == at + 2 else position
    return spans


def mask_value(raw: str, masked: str) -> str:
    """A property value's ``masked`` text (code blanked) with what mldoc's inline parse
    reads as no reference blanked too (FORMATS 1.5: a value is inline Markdown): math,
    LaTeX fragments, raw HTML, autolinks, and an escaped "[", "#", "(" or "{". Other
    escapes stay as written, for the comma rule."""
    if not reads_left_to_right(raw):
        return masked
    spans = [(start, end) for start, end in code_math_and_escape_spans(raw)
             if not (end - start == 2 and raw[start] == "\\" and raw[end - 1] not in "[#({")]
    return _blank(masked, spans)


def _html_at(text: str, at: int, html: RawHtml, after_element: bool,
             paragraph_end: int) -> int:
    """Where the autolink or raw HTML opening at ``text[at]`` ("<") ends, or -1."""
    end = autolink_end(text, at)
    if end < 0 and opens_element(text, at, after_element or _after_link(text, at)):
        end = html.end(at, paragraph_end)
    return end


def _after_link(text: str, at: int) -> bool:
    """Whether a link, block ref or bare URL ends at ``at``."""
    reach = max(0, at - _LINK_REACH)
    link = _LINK_BEFORE.search(text, reach, at) if text.startswith(")", at - 1) else None
    if link and not is_escaped(text, link.start()):
        return True
    region = reach
    for stop in itertools.chain(URL_STOP.finditer(text, reach, at),
                                _URL_END.finditer(text, reach, at)):
        region = max(region, stop.start() + 1)
    url = _URL_OPEN.search(text, region, at)
    return url is not None and text[url.start() - 1:url.start()] in _URL_AFTER \
        and bool(_URL_REST.match(text, url.end(), at))


def _paragraph_breaks(text: str, not_text: Collection[int]) -> list[int]:
    """Where paragraphs end and begin again, sorted; an emptied row that was not text
    is no blank line."""
    breaks: list[int] = []
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.group().startswith("\n") and match.start() + 1 in not_text:
            continue
        breaks.extend(match.span())
    return sorted(breaks)


def _math_at(text: str, at: int, block_ends: list[int], breaks: list[int]
             ) -> tuple[int, int] | None:
    """The dollar math opening at ``at``, if any. A ``$$`` starting its line opens a
    block that ends at the end of a line ending in ``$$``, in its paragraph; any other
    math stays on its line."""
    if at > 0 and text[at - 1].isdigit():
        return None
    line_start = text.rfind("\n", 0, at) + 1
    if text.startswith("$$", at) and not text[line_start:at].strip():
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        first = text[at:line_end].strip()
        if len(first) > 3 and first.endswith("$$"):
            return at, line_end
        end = _next_after(block_ends, line_end, -1)
        if 0 <= end <= _next_after(breaks, line_end, len(text)):
            return at, end
    display = _DISPLAY_MATH.match(text, at)
    if display:
        end = display.end()
        on_its_line = "\n" not in display.group()
        return display.span() if on_its_line and not text[end:end + 1].isdigit() else None
    inline = _INLINE_MATH.match(text, at)
    if inline is None or inline.group(1)[-1:].isspace() \
            or text[inline.end():inline.end() + 1].isdigit():
        return None
    return inline.span()


def _next_after(positions: list[int], start: int, default: int) -> int:
    """The first of the sorted ``positions`` after ``start``, else ``default``."""
    index = bisect.bisect_right(positions, start)
    return positions[index] if index < len(positions) else default


def _latex_or_escape(text: str, at: int, found: NextOccurrence,
                     breaks: list[int]) -> tuple[int, int] | None:
    close = LATEX_CLOSE.get(text[at + 1:at + 2], "")
    end = found.find(close, at + 2) if close else -1
    if 0 <= end < _next_after(breaks, at, len(text)):
        return at, end + len(close)
    return (at, at + 2) if text[at + 1:at + 2] in _ESCAPABLE else None


def scan_inline(raw: str, masked: str, context: ScanContext) -> InlineFindings:
    """Every reference, macro and link problem in ``masked`` (``raw`` with code masked;
    both have the same length, names are read from ``raw``)."""
    found = InlineFindings()
    if not may_refer(masked):
        return found
    # Each pass runs only when its opening mark is present: most blocks hold one or two
    # kinds of reference, and the passes dominate parse time on large vaults.
    work = _scan_macros(raw, masked, context, found) if "{{" in masked else masked
    if "[[" in work or "]]" in work:
        work = _scan_bracket_links(raw, work, context, found)
    if "((" in work:
        work = _scan_block_refs(raw, work, context, found)
    if "](" in work:
        work = _scan_markdown_links(raw, work, context, found)
    if "#" in work:
        _scan_tags(raw, work, context, found)
    found.references.sort(key=lambda ref: (ref.line, ref.column))
    return found


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span replaced by spaces (newlines kept)."""
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            start = last
        if end <= start:
            continue
        pieces.append(text[last:start])
        pieces.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _diagnostic(context: ScanContext, code: str, offset: int, message: str,
                target: str | None = None, length: int = 0) -> Diagnostic:
    """A warning at ``offset``; ``length`` (text on one line) spans it for the caret."""
    line, column = context.locate(offset)
    return Diagnostic(code, Severity.WARNING, context.path, line, column, message,
                      target=target, end_column=column + length if length else None)


def _reference(context: ScanContext, kind: RefKind, offset: int, raw: str, *,
               target: str = "", label: str | None = None, block_id: str | None = None,
               is_asset: bool = False) -> Reference:
    line, column = context.locate(offset)
    return Reference(kind, target, line, column, label=label, block_id=block_id,
                     property=context.property, is_asset=is_asset, raw=raw)


# -- macros ----------------------------------------------------------------------------


def _scan_macros(raw: str, masked: str, context: ScanContext, found: InlineFindings) -> str:
    spans: list[tuple[int, int]] = []
    pos = masked.find("{{")
    while pos >= 0:
        line_end = masked.find("\n", pos)
        if line_end < 0:
            line_end = len(masked)
        close = masked.find("}}", pos + 2, line_end)
        if close < 0:
            found.diagnostics.append(_diagnostic(
                context, "unterminated-macro", pos, "'{{' is never closed by '}}' on its line"))
            pos = masked.find("{{", line_end)  # the rest of this line cannot close either
            continue
        first = masked.find("}", pos + 3, close + 1) if masked.startswith("{{{", pos) else -1
        braces = 3 if in_three_braces(masked, pos, first) else 2
        end = close + braces
        spans.append((pos, end))
        if context.property is None:
            _record_macro(raw, pos, end, context, found, braces)
        pos = masked.find("{{", end)
    return _blank(masked, spans)


def in_three_braces(text: str, start: int, first_close: int) -> bool:
    """Whether the macro opening at ``start`` is written in three braces: mldoc tries
    ``{{{...}}}`` first, then two (in ``{{{x}}`` the macro is "{x"). ``first_close`` is
    the first ``}`` after the opening braces, on the same line (-1: none)."""
    return first_close > start + 3 and text.startswith("{{{", start) \
        and text.startswith("}}}", first_close)


def _record_macro(raw: str, start: int, end: int, context: ScanContext,
                  found: InlineFindings, braces: int = 2) -> None:
    """The macro ``raw[start:end]``, written in two braces or, as mldoc reads first,
    three (``{{{embed [[X]]}}}``, as Logseq's docs write it)."""
    source = raw[start:end]
    head = _MACRO_HEAD.match(source[braces:-braces])
    if head is None or not head.group(1):
        return
    name, rest = head.group(1), head.group(2).strip()
    if name.lower() == "embed" and _record_embed(rest, start, source, context, found):
        return
    args = tuple(arg.strip() for arg in rest.split(",")) if rest else ()
    line, column = context.locate(start)
    found.macros.append(Macro(name, args, line, column, source))


def _record_embed(rest: str, start: int, source: str, context: ScanContext,
                  found: InlineFindings) -> bool:
    """An embed's target becomes an EMBED reference; False when it names neither a
    page nor a block (the macro is then kept as an opaque macro)."""
    block = _BLOCK_REF.fullmatch(rest)
    if block:
        found.references.append(_reference(
            context, RefKind.EMBED, start, source, block_id=block.group(1).lower()))
        return True
    if not rest.startswith("[[") or match_brackets(rest, 0) != len(rest):
        return False
    name = rest[2:-2].strip()
    if not name:
        found.diagnostics.append(_diagnostic(
            context, "empty-link", start, "embed of an empty page name '[[]]'",
            length=0 if "\n" in source else len(source)))
        return True
    found.references.append(_reference(context, RefKind.EMBED, start, source, target=name))
    return True


# -- [[links]], #[[tags]], [label]([[links]]) -------------------------------------------


def _bracket_pairs(work: str, context: ScanContext,
                   found: InlineFindings) -> list[tuple[int, int]]:
    """The outermost matched ``[[ ]]`` pairs as (start, end) spans, found in one pass
    with a stack that resets at each line end; an opener left over at a line end is
    reported once per line."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for token in _BRACKET_TOKEN.finditer(work):
        text = token.group()
        if text == "[[":
            stack.append(token.start())
        elif text == "]]":
            if stack:
                pairs.append((stack.pop(), token.end()))
        else:
            _report_unterminated(stack, context, found)
    _report_unterminated(stack, context, found)
    pairs.sort()
    outer: list[tuple[int, int]] = []
    for start, end in pairs:
        if not outer or start >= outer[-1][1]:
            outer.append((start, end))
    return outer


def _report_unterminated(stack: list[int], context: ScanContext,
                         found: InlineFindings) -> None:
    if stack:
        found.diagnostics.append(_diagnostic(
            context, "unterminated-link", stack[0], "'[[' is never closed by ']]' on its line"))
        stack.clear()


def _scan_bracket_links(raw: str, work: str, context: ScanContext,
                        found: InlineFindings) -> str:
    labels = {m.end(): m for m in _LABEL_HEAD.finditer(work)}
    spans: list[tuple[int, int]] = []
    for start, end in _bracket_pairs(work, context, found):
        name = raw[start + 2:end - 2].strip()
        label_head = labels.get(start)
        label: str | None = None
        kind = context.link_kind
        if label_head is not None and work.startswith(")", end):
            # the label as written: the scanned text has its code spans blanked
            span, label = (label_head.start(), end + 1), raw[label_head.start(1):label_head.end(1)]
        elif start > 0 and work[start - 1] == "#":
            span = (start - 1, end)
            kind = context.link_kind if context.property else RefKind.TAG
        else:
            span = (start, end)
        spans.append(span)
        if not name:
            found.diagnostics.append(_diagnostic(
                context, "empty-link", span[0], "link with an empty page name '[[]]'",
                length=0 if "\n" in raw[span[0]:span[1]] else span[1] - span[0]))
            continue
        found.references.append(_reference(
            context, kind, span[0], raw[span[0]:span[1]], target=name, label=label))
    return _blank(work, spans)


# -- ((block refs)) ---------------------------------------------------------------------


def _scan_block_refs(raw: str, work: str, context: ScanContext,
                     found: InlineFindings) -> str:
    spans: list[tuple[int, int]] = []
    for match in _LABELLED_BLOCK_REF.finditer(work) if "](((" in work else ():
        spans.append(match.span())
        found.references.append(_reference(
            context, RefKind.BLOCK_REF, match.start(), raw[match.start():match.end()],
            block_id=match.group(2).lower(), label=raw[match.start(1):match.end(1)]))
    work = _blank(work, spans)
    spans = []
    for match in _BLOCK_REF.finditer(work):
        spans.append(match.span())
        found.references.append(_reference(
            context, RefKind.BLOCK_REF, match.start(), raw[match.start():match.end()],
            block_id=match.group(1).lower()))
    return _blank(work, spans)


# -- Markdown links and images to local files --------------------------------------------


def _scan_markdown_links(raw: str, work: str, context: ScanContext,
                         found: InlineFindings) -> str:
    spans: list[tuple[int, int]] = []
    for match in _MARKDOWN_LINK.finditer(work):
        spans.append(match.span())
        target = raw[match.start(3):match.end(3)].strip()
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1].strip()
        if not target or target.startswith("#") or _URL_SCHEME.match(target):
            continue  # external URL or same-page anchor: not a reference
        kind = RefKind.EMBED if match.group(1) else RefKind.LINK
        found.references.append(_reference(
            context, kind, match.start(), raw[match.start():match.end()], target=target,
            label=raw[match.start(2):match.end(2)], is_asset=True))
    return _blank(work, spans)


# -- bare #tags -------------------------------------------------------------------------


def tag_at(text: str, start: int) -> tuple[str, int] | None:
    """The ``#tag`` at ``start`` of ``text`` as the scanner reads it (after a blank or at
    the start, trailing punctuation and emphasis marks left out): its name and where it
    ends, or None."""
    if start > 0 and not text[start - 1].isspace():
        return None
    match = _TAG.match(text, start)
    name = _tag_name(match) if match else ""
    return (name, start + 1 + len(name)) if name else None


def _tag_name(match: re.Match[str]) -> str:
    """The name ends before a macro or code opens (``#tag{{x``, ``#tag`x``), closed or
    not, and without its trailing punctuation."""
    name = match.group(1)
    cut = _TAG_STOP.search(name)
    return (name[:cut.start()] if cut else name).rstrip(_TAG_TRAILING_PUNCTUATION)


def _scan_tags(raw: str, work: str, context: ScanContext, found: InlineFindings) -> None:
    kind = context.link_kind if context.property else RefKind.TAG
    for match in _TAG.finditer(work):
        start = match.start()
        if start > 0 and not raw[start - 1].isspace():
            continue  # inside a word or a URL (page#anchor), or after a bracket ([#A])
        name = _tag_name(match)
        if not name:
            continue
        found.references.append(_reference(
            context, kind, start, "#" + name, target=name))
