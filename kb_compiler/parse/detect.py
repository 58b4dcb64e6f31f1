"""Which dialect a page in a plain folder is written in, read from its own marks.

Pages in a Logseq graph or an Obsidian vault take the vault's dialect; only a plain
folder (no ``logseq/config.edn``, no ``.obsidian/``) asks this module. The rule, first
match wins, all marks counted outside code fences and code spans:

1. ``key:: value`` lines before anything else (Logseq page properties): LOGSEQ, unless
   the page's Obsidian-only marks (rule 2) outnumber its Logseq-only marks plus one for
   the properties: a Dataview field (``rating:: 5``) may open an Obsidian note.
2. Dialect-only marks, counted. Logseq: ``{{embed``, ``{{query``, ``{{renderer``,
   ``((uuid))``, an indented ``key:: value`` block property. Obsidian: ``![[``,
   ``[[target|label]]``, a ``^block-id`` or ``#^id`` anchor, a ``> [!type]`` callout, a
   ``%%`` comment. The dialect with more marks wins (a tie goes on to the next rule).
3. YAML frontmatter (``---`` on the first line, closed by a later ``---``): OBSIDIAN.
   Logseq reads frontmatter too (imported pages), which is why a page whose body holds
   Logseq marks was already decided by rule 2.
4. An outline: at least half the non-blank lines are ``- `` bullets and no paragraph or
   heading stands at the left margin (Logseq's writer puts every line after the page
   properties in a bullet, headings too: ``- ## x``), so a README or a CHANGELOG of
   headings and lists is no outline: LOGSEQ.
5. ``[[wikilinks]]`` or inline ``#tags``, which both dialects share but plain Markdown
   lacks, in a file that is not an outline: OBSIDIAN (Obsidian-flavoured Markdown is
   paragraphs and headings, which is how such a file reads).
6. Otherwise: MARKDOWN.

The seeds show why the order matters: seed 003 is mostly ``- `` bullets but embeds an
image with ``![[...|400]]``, which Logseq cannot read, so it is Obsidian (rule 3 before
rule 4); seed 000 has headings, paragraphs and ``#profile`` tags only, so it is Obsidian
by rule 5 (its tags must be read as tags, which plain Markdown would not do).
"""

from __future__ import annotations

import re

from kb_compiler.model import Dialect
from kb_compiler.parse.text import mask_code

_FRONTMATTER = re.compile(r"---[ \t]*\n(?:.*\n)*?---[ \t]*(?:\n|$)")
_PROPERTY_LINE = re.compile(r"[ \t]*(?:-[ \t]+)?[^\s:#\-][^\s:]*::(?:[ \t]|$)")
_LOGSEQ_MARKS = re.compile(
    r"\{\{[ \t]*(?:embed|query|renderer)\b"
    r"|\(\([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\)\)"
    r"|^[ \t]+(?:-[ \t]+)?[A-Za-z][\w.*+!?$%&=<>-]*::[ \t]",
    re.MULTILINE,
)
_OBSIDIAN_MARKS = re.compile(
    r"!\[\["
    r"|\[\[[^\[\]\n|]*\|[^\[\]\n]*\]\]"
    r"|[ \t]\^[A-Za-z0-9-]+[ \t]*$|^\^[A-Za-z0-9-]+[ \t]*$|#\^[A-Za-z0-9-]"
    r"|^[ \t]*(?:>[ \t]*)+\[![^\]\n]+\]"
    r"|%%",
    re.MULTILINE,
)
_BULLET = re.compile(r"[ \t]*-(?:[ \t]|$)")
_MARGIN_PARAGRAPH = re.compile(r"[^\s#\-|>`~]")
_MARGIN_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_SHARED_MARKS = re.compile(r"\[\[[^\[\]\n]+\]\]|(?:^|(?<=[\s(]))#[\w/-]*[^\W\d_][\w/-]*",
                           re.MULTILINE)


def detect_dialect(text: str) -> Dialect:
    """The dialect ``text`` is written in (see the module docstring for the rule)."""
    code_free = mask_code(text)
    logseq = len(_LOGSEQ_MARKS.findall(code_free))
    obsidian = len(_OBSIDIAN_MARKS.findall(code_free))
    if _starts_with_properties(text):
        # a Dataview field opening an Obsidian note looks the same: its note's own
        # marks (a ^block-id, a callout) outnumbering Logseq's and the properties decide
        return Dialect.OBSIDIAN if obsidian > logseq + 1 else Dialect.LOGSEQ
    if logseq != obsidian:
        return Dialect.LOGSEQ if logseq > obsidian else Dialect.OBSIDIAN
    if _FRONTMATTER.match(text):
        return Dialect.OBSIDIAN
    if _is_outline(code_free):
        return Dialect.LOGSEQ
    if _SHARED_MARKS.search(code_free):
        return Dialect.OBSIDIAN
    return Dialect.MARKDOWN


def _starts_with_properties(text: str) -> bool:
    for line in text.split("\n", 20)[:20]:
        if line.strip():
            return bool(_PROPERTY_LINE.match(line))
    return False


def _is_outline(text: str) -> bool:
    content = bullets = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        content += 1
        if _BULLET.match(line):
            bullets += 1
        elif _MARGIN_PARAGRAPH.match(line) or _MARGIN_HEADING.match(line):
            return False
    return content > 0 and bullets * 2 >= content
