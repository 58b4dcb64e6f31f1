"""Raw HTML in Logseq Markdown, read as mldoc reads it (``raw_html.ml``, tried from
``inline.ml`` at a ``<`` that starts an inline element): ``<!-- ... -->``, ``<? ... ?>``,
``<![CDATA[ ... ]]``, ``<! ... >``, and an element of a known HTML tag from its opening
tag to the closing tag that balances it (case ignored), or else to the next ``/>``.
mldoc keeps such a span as one raw piece: nothing inside it is a link, tag or macro, so
``<span>[[A]]</span>`` and ``<!-- [[A]] -->`` link nothing. An unknown tag, or a known
one that never closes, is plain text, whose links count.

The parser blanks these spans and the site renders each as one piece of HTML, both
through ``RawHtml``, so the two agree on every page.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kb_compiler.parse.text import NextOccurrence

# mldoc's known_tags
KNOWN_TAGS = frozenset({
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi",
    "bdo", "blockquote", "body", "br", "button", "canvas", "caption", "cite",
    "code", "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i",
    "iframe", "img", "input", "ins", "kbd", "keygen", "label", "legend", "li",
    "link", "main", "map", "mark", "meta", "meter", "nav", "noscript", "object",
    "ol", "optgroup", "option", "output", "p", "param", "pre", "progress", "q",
    "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "script", "section", "select",
    "small", "source", "span", "strong", "style", "sub", "summary", "sup", "table",
    "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title",
    "tr", "track", "u", "ul", "var", "video", "wbr",
})
# mldoc's plain text runs to one of these (markdown_plain_delims): a "<" right after
# plain text belongs to that text and opens nothing
PLAIN_DELIMITERS = frozenset("\\_^[*~`=$# \t\n\r\f")
_SPECIAL_FORMS = (("<?", "?>"), ("<!--", "-->"), ("<![CDATA[", "]]"), ("<!", ">"))
_TAG_NAME = re.compile(r"<([^\s>]+)")
# CommonMark's autolinks, which the site reads at any "<" before HTML (mldoc's quick_link
# reads a URL there too, where an element may start)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*"
                       r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                       r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>")


def autolink_end(text: str, at: int) -> int:
    """Where the autolink (``<https://x.y>``, ``<me@x.y>``) at ``text[at]`` ends, or -1."""
    found = _AUTOLINK.match(text, at)
    return found.end() if found else -1


def opens_element(text: str, at: int, after_construct: bool) -> bool:
    """Whether mldoc tries an inline element at ``text[at]``: at the start, after a
    delimiter, or right after another element (``after_construct``)."""
    return at == 0 or after_construct or text[at - 1] in PLAIN_DELIMITERS


@dataclass
class _Balance:
    """One tag's opening and closing tags in a text, in order, and for each the index of
    the first later one where more have closed than opened since (where an element
    opened there ends): one pass, so a text of ten thousand unclosed tags stays linear."""

    positions: list[int]
    ends: list[int]  # index into positions, or -1: never balanced

    @classmethod
    def of(cls, text: str, tag: str) -> _Balance:
        # mldoc counts "<tag>" and "<tag " as openings; "<tag" before a tab or line
        # break, which opens an element all the same, is counted here too
        opening = re.compile(re.escape(f"<{tag}") + r"(?=[>\s])")
        closing = re.compile(re.escape(f"</{tag}>"), re.IGNORECASE | re.ASCII)
        events = sorted([(m.start(), 1) for m in opening.finditer(text)]
                        + [(m.start(), -1) for m in closing.finditer(text)])
        ends = [-1] * len(events)
        levels: list[int] = []  # how many are open after each
        waiting: list[int] = []  # indexes whose end is not found yet, levels rising
        for index, (_, step) in enumerate(events):
            levels.append((levels[-1] if levels else 0) + step)
            while waiting and levels[waiting[-1]] > levels[index]:
                ends[waiting.pop()] = index
            waiting.append(index)
        return cls([position for position, _ in events], ends)


@dataclass
class RawHtml:
    """The raw HTML spans of one text (a block's, or a paragraph's inline content)."""

    src: str
    _found: NextOccurrence = field(init=False)
    _tags: dict[str, _Balance] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._found = NextOccurrence(self.src)

    def end(self, at: int, limit: int) -> int:
        """Where the raw HTML span opening at ``text[at]`` ("<") ends, when it ends by
        ``limit`` (its paragraph's end); -1 when none opens there."""
        text = self.src
        for opener, closer in _SPECIAL_FORMS:
            if text.startswith(opener, at):
                close = self._found.find(closer, at + len(opener))
                end = close + len(closer)
                return end if close >= 0 and end <= limit else -1
        named = _TAG_NAME.match(text, at, limit)
        if named is None or named.group(1).lower() not in KNOWN_TAGS:
            return -1
        end = self._balanced_end(named.group(1), at)
        if not 0 <= end <= limit:  # no closer in the paragraph: mldoc's self_close_tag
            close = self._found.find("/>", named.end())
            end = close + 2 if close >= 0 else -1
        return end if end <= limit else -1

    def _balanced_end(self, tag: str, at: int) -> int:
        balance = self._tags.get(tag)
        if balance is None:
            balance = self._tags[tag] = _Balance.of(self.src, tag)
        index = bisect.bisect_left(balance.positions, at)
        if index == len(balance.positions) or balance.positions[index] != at:
            return -1  # "<tag" at the very end
        closing = balance.ends[index]
        if closing < 0:
            return -1
        return balance.positions[closing] + len(tag) + 3
