"""Logseq's displayed math: ``$$`` at the start of a line, in Markdown and Org pages.

mldoc reads a ``$$`` that starts a line as a block of its own (``Displayed_Math`` in
``block.ml``), so it ends the paragraph before it, as a heading would:

    becomes
    $$
    \\frac{1}{2}
    $$

is a line of text, then a formula. CommonMark's dollar-math plugin only starts a math
block where a paragraph could start, so the site showed the dollars and the LaTeX as
text under "becomes" (the docs graph's Math Block page). The block is the one the parser
reads (``parse.logseq_inline``), so nothing in it is a link on the page or in the graph:
the opening line alone when it is more than ``$$`` and ends in ``$$``, else up to the
next line ending in ``$$`` in the same paragraph. Anything else stays inline math.

``$$...$$`` inside a line is displayed math too on a Logseq page (Logseq renders
mldoc's ``Displayed`` fragments in display mode), drawn as a block inside the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_LINES = "kbc_math_lines"  # the env key of the source's _MathLines
_CLOSING = re.compile(r"\$\$[ \t]*$")


def logseq_math_plugin(md: MarkdownIt, separator: str) -> None:
    """Register the rule; no block reaches past a blank line or a ``separator`` line
    (one of the pieces ``render.render_many`` joins into one source)."""

    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        return display_math(state, start, end, silent, separator)

    md.block.ruler.before("fence", "kbc_logseq_math", rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    rules = {rule.name: rule.fn for rule in md.block.ruler.__rules__}
    if "math_block" in rules:  # the dollar-math plugin's, for other pages only
        md.block.ruler.at("math_block", _not_on_logseq_pages(rules["math_block"]))


def _not_on_logseq_pages(rule: Callable[[StateBlock, int, int, bool], bool]
                         ) -> Callable[[StateBlock, int, int, bool], bool]:
    """The dollar-math plugin's block rule, which would read on across blank lines
    where the parser sees text."""

    def wrapped(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        return not _displays_math(state) and rule(state, start, end, silent)

    return wrapped


def _displays_math(state: StateBlock) -> bool:
    kbc = state.env.get("kbc") if isinstance(state.env, dict) else None
    return kbc is not None and kbc.options.display_math


def display_math(state: StateBlock, start: int, end: int, silent: bool,
                 separator: str) -> bool:
    if not _displays_math(state):
        return False
    first = _line(state, start).strip()
    if not first.startswith("$$"):
        return False
    close = start if len(first) > 3 and first.endswith("$$") \
        else _closing_line(state, start, end, separator)
    if close is None:
        return False
    text = state.getLines(start, close + 1, state.sCount[start], False).strip()
    if not silent and text[2:-2].strip():  # an empty formula shows nothing
        token = state.push("math_block", "math", 0)
        token.block = True
        token.content = text[2:-2]
        token.markup = "$$"
        token.map = [start, close + 1]
    state.line = close + 1
    return True


@dataclass
class _MathLines:
    """The lines ending in ``$$`` and the lines that end a paragraph (blank ones and
    separators), found in one pass: a paragraph of many unclosed ``$$`` lines would
    otherwise be scanned again from each."""

    src: str
    closing: list[int] = field(default_factory=list)
    stops: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, src: str, separator: str) -> _MathLines:
        found = cls(src)
        for number, line in enumerate(src.split("\n")):
            text = line.strip(" \t>")
            if not text or text == separator:
                found.stops.append(number)
            elif _CLOSING.search(line):
                found.closing.append(number)
        return found


def _closing_line(state: StateBlock, start: int, end: int, separator: str) -> int | None:
    lines = state.env.get(_LINES)
    if lines is None or lines.src is not state.src:
        lines = state.env[_LINES] = _MathLines.of(state.src, separator)
    at = bisect.bisect_right(lines.closing, start)
    if at == len(lines.closing) or lines.closing[at] >= end:
        return None
    close = lines.closing[at]
    if bisect.bisect_right(lines.stops, start) != bisect.bisect_left(lines.stops, close):
        return None
    return close if _CLOSING.search(_line(state, close)) else None


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
