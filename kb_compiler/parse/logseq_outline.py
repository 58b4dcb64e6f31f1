"""The shape of a Logseq outline: which lines belong to which block, and each block's
parent. Only line structure is decided here; what a block says is read later
(``logseq_blocks``).

Nesting is relative (FORMATS 1.2): a stack of indent widths, popped until its top is
shallower than the new bullet, whose entry is then the parent. Tabs count 4 columns.
The walk is a single loop over the lines, so a 10,000-level outline costs no recursion.

A code fence, or an org-style ``#+BEGIN_NAME`` ... ``#+END_NAME`` block (a quote, a
note, an example), belongs to the block it opens in: a ``- `` line inside it is its
text (a list in a quote), not a new block, as Logseq reads it. A ``#+BEGIN_`` line with
no ``#+END_`` line after it opens nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb_compiler.model import Diagnostic, Severity

TAB_WIDTH = 4
BULLET = re.compile(r"([ \t]*+)-(?:[ \t]++|$)")
_TOP_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
# The same fence rules as kb_compiler.parse.text.mask_code, so that structure and
# masking always agree on where a fence begins and ends.
_FENCE_OPEN = re.compile(r"^[ \t]*+(?:[-*+][ \t]++)?(`{3,}(?=[^`\n]*$)|~{3,})")
_ORG_OPEN = re.compile(r"[ \t]*+(?:-[ \t]++)?#\+BEGIN_([A-Za-z][\w-]*)", re.IGNORECASE)
_ORG_CLOSE = re.compile(r"[ \t]*+#\+END_([A-Za-z][\w-]*)[ \t]*$", re.IGNORECASE)


@dataclass
class RawBlock:
    """One block's lines (0-based, ``last`` inclusive) and its place in the tree.

    ``content_start`` is the offset in the first line where the text begins (after
    ``- ``); ``content_column`` is the width continuation lines are indented to.
    ``kind`` is ``block`` (a bullet), ``heading`` (an un-bulleted top-level heading) or
    ``pre-block`` (lines before the first bullet).
    """

    first: int
    last: int
    parent: int | None
    depth: int
    content_start: int
    content_column: int
    kind: str = "block"


@dataclass
class Outline:
    pre_block: RawBlock | None = None
    blocks: list[RawBlock] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def indent_width(whitespace: str) -> int:
    """The column width of leading whitespace, tabs expanded to TAB_WIDTH."""
    tabs = whitespace.count("\t")
    if tabs in (0, len(whitespace)):
        return tabs * TAB_WIDTH or len(whitespace)
    return len(whitespace.expandtabs(TAB_WIDTH))


def split_outline(lines: list[str], start: int, path: str) -> Outline:
    """Cut ``lines[start:]`` into blocks (see module docstring)."""
    outline = Outline()
    stack: list[tuple[int, int]] = []  # (indent width, block index) of open ancestors
    current: RawBlock | None = None
    fence: str | None = None  # the open fence's marker run ("```") or "#+END_NAME"
    org_ends = _org_block_ends(lines, start)
    styles = _IndentStyles(path)
    for number in range(start, len(lines)):
        line = lines[number]
        bullet = BULLET.match(line)
        if fence is not None and current is not None:
            if bullet is None or indent_width(bullet.group(1)) >= current.content_column:
                if _closes_fence(line, fence):
                    fence = None
                current.last = number
                continue
            fence = None  # a shallower bullet ends the block, and its fence with it
        if bullet is not None:
            styles.see(bullet.group(1), number + 1)
            current = _open_bullet(outline, stack, bullet, number)
        elif _TOP_HEADING.match(line):
            current = RawBlock(number, number, None, 0, 0, 0, kind="heading")
            outline.blocks.append(current)
            stack[:] = [(0, len(outline.blocks) - 1)]
        elif current is None:
            if not line.strip():
                continue
            current = outline.pre_block = RawBlock(number, number, None, 0, 0, 0, "pre-block")
        else:
            current.last = number
        fence = _opened_fence(line) or _opened_org_block(line, number, org_ends)
    outline.diagnostics.extend(styles.diagnostics)
    return outline


def _open_bullet(outline: Outline, stack: list[tuple[int, int]], bullet: re.Match[str],
                 number: int) -> RawBlock:
    indent = indent_width(bullet.group(1))
    while stack and stack[-1][0] >= indent:
        stack.pop()
    parent = stack[-1][1] if stack else None
    block = RawBlock(number, number, parent, len(stack), bullet.end(), indent + 2)
    outline.blocks.append(block)
    stack.append((indent, len(outline.blocks) - 1))
    return block


def _opened_fence(line: str) -> str | None:
    if "```" not in line and "~~~" not in line:
        return None
    match = _FENCE_OPEN.match(line)
    if match is None:
        return None
    return match.group(1)


def _closes_fence(line: str, fence: str) -> bool:
    stripped = line.strip()
    if fence.startswith("#+"):
        return stripped.upper() == fence
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _org_block_ends(lines: list[str], start: int) -> dict[str, int]:
    """The last line number of each ``#+END_NAME`` (NAME upper-cased): a ``#+BEGIN_``
    line opens a block only when its end comes after it. One pass, so a page of
    unclosed ``#+BEGIN_`` lines costs no rescans."""
    ends: dict[str, int] = {}
    for number in range(start, len(lines)):
        line = lines[number]
        if "#+" in line and (closing := _ORG_CLOSE.match(line)):
            ends[closing.group(1).upper()] = number
    return ends


def _opened_org_block(line: str, number: int, ends: dict[str, int]) -> str | None:
    if "#+" not in line:
        return None
    opened = _ORG_OPEN.match(line)
    if opened is None:
        return None
    name = opened.group(1).upper()
    return f"#+END_{name}" if ends.get(name, -1) > number else None


class _IndentStyles:
    """Notices a file that indents bullets with tabs in one place and spaces in another
    (nesting then depends on the tab width, so the tree may not be what the author
    saw); warns once, at the first bullet that breaks the file's first style."""

    def __init__(self, path: str):
        self.path = path
        self.first_style: str | None = None
        self.diagnostics: list[Diagnostic] = []

    def see(self, whitespace: str, line: int) -> None:
        if not whitespace or self.diagnostics:
            return
        has_tab, has_space = "\t" in whitespace, " " in whitespace
        style = "tabs and spaces" if has_tab and has_space else "tabs" if has_tab else "spaces"
        if self.first_style is None and style != "tabs and spaces":
            self.first_style = style
            return
        if style != self.first_style:
            self.diagnostics.append(Diagnostic(
                "mixed-indentation", Severity.WARNING, self.path, line, 1,
                f"bullet indented with {style} where earlier bullets use "
                f"{self.first_style or 'tabs and spaces'}; a tab counts as {TAB_WIDTH} spaces",
            ))
