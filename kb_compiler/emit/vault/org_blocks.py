"""Logseq's org-style blocks (``#+BEGIN_NAME`` ... ``#+END_NAME``) in an Obsidian vault,
and back. Obsidian reads none of them; each conversion has an inverse, so a round trip
gives the block back (the property tests in ``tests/test_export_org_blocks.py`` say
how exactly: a ``QUOTE`` comes back as a ``>`` quote, which Logseq reads alike).

- Blocks whose body is code or a query (``SRC``, ``EXAMPLE``, ``QUERY``, ``EXPORT``)
  travel inside a fence with the info string ``logseq-org``: Logseq reads no links in
  them, Obsidian would.
- Admonitions (``NOTE``, ``TIP``, ``IMPORTANT``, ``CAUTION``, ``WARNING``, ``PINNED``)
  become callouts of the same type (``> [!note]``), Obsidian's counterpart; ``QUOTE``
  becomes a blockquote, which both dialects read. A callout of one of those types with
  no title and no fold mark becomes an admonition in Logseq (Logseq shows ``[!note]``
  as text); other callouts keep their Obsidian form. A blank line separates a callout
  from a quote before it or text after it, which Markdown would otherwise join to it;
  it stays on the way back.

Lines inside a Markdown code fence are code in both dialects and are never converted.
"""

from __future__ import annotations

import bisect
import re

from kb_compiler.parse.logseq_blocks import ADMONITIONS, verbatim_blocks
from kb_compiler.parse.text import mask_code

ORG_FENCE_INFO = "logseq-org"
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})" + ORG_FENCE_INFO + r"[ \t]*$")
_CONTAINER_OPEN = re.compile(r"#\+BEGIN_([A-Za-z]+)[ \t]*$", re.IGNORECASE)
_CONTAINERS = ADMONITIONS | {"QUOTE"}
_CALLOUT_HEAD = re.compile(r" {0,3}> ?\[!([\w-]+)\][ \t]*$")
_QUOTED = re.compile(r" {0,3}> ?")
# Blocks and quotes nested deeper are left as written: each level is a pass over its
# lines, and hostile input nests thousands.
MAX_DEPTH = 16


def _outside_code(texts: list[str]) -> list[str]:
    """``texts`` with the lines inside Markdown code fences blanked."""
    return mask_code("\n".join(texts), spans=False).split("\n")


def _container_ends(masked: list[str]) -> dict[str, list[int]]:
    """The indices of the ``#+END_NAME`` lines of each container name, in order."""
    ends: dict[str, list[int]] = {}
    for index, line in enumerate(masked):
        text = line.strip().upper()
        if text.startswith("#+END_") and text[6:] in _CONTAINERS:
            ends.setdefault(text[6:], []).append(index)
    return ends


def _next(lines: list[int], after: int) -> int | None:
    at = bisect.bisect_right(lines, after)
    return lines[at] if at < len(lines) else None


def fence_org_blocks(texts: list[str]) -> list[str]:
    """Logseq -> Obsidian: each verbatim ``#+BEGIN_...`` block, where the parser finds
    one, inside a fence."""
    if "#+" not in "".join(texts):  # most blocks: no code fence to find either
        return texts
    blocks = verbatim_blocks(_outside_code(texts))
    out: list[str] = []
    index = 0
    while index < len(texts):
        end = blocks.get(index)
        if end is None:
            out.append(texts[index])
            index += 1
            continue
        body = texts[index:end + 1]
        ticks = "`" * max(3, 1 + max((len(run) for line in body
                                      for run in re.findall(r"`+", line)), default=0))
        out.extend([ticks + ORG_FENCE_INFO, *body, ticks])
        index = end + 1
    return out


def unfence_org_blocks(texts: list[str]) -> list[str]:
    """Obsidian -> Logseq: the inverse of ``fence_org_blocks``."""
    if not any(ORG_FENCE_INFO in text for text in texts):
        return texts
    fences: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if text.strip() and not text.strip().strip("`~"):
            fences.setdefault(text.strip(), []).append(index)
    out: list[str] = []
    index = 0
    while index < len(texts):
        opened = _FENCE_OPEN.fullmatch(texts[index].strip())
        close = _next(fences.get(opened.group(1), []), index) if opened else None
        if close is None:
            out.append(texts[index])
            index += 1
            continue
        out.extend(texts[index + 1:close])
        index = close + 1
    return out


def callouts_from_admonitions(texts: list[str], depth: int = 0) -> list[str]:
    """Logseq -> Obsidian: each admonition a callout, each ``QUOTE`` a blockquote (run
    after ``fence_org_blocks``, so a fenced block inside one is quoted whole)."""
    if depth >= MAX_DEPTH or "#+" not in "".join(texts):
        return texts
    masked = _outside_code(texts)
    ends = _container_ends(masked)
    out: list[str] = []
    index = 0
    while index < len(texts):
        quote_end = index
        while quote_end < len(texts) and _QUOTED.match(masked[quote_end]):
            quote_end += 1
        if quote_end > index:  # a quote: admonitions inside it are converted
            inside = _unquoted(texts[index:quote_end])
            converted = callouts_from_admonitions(inside, depth + 1)
            out.extend(texts[index:quote_end] if converted == inside else _quoted(converted))
            index = quote_end
            continue
        opened = _CONTAINER_OPEN.match(masked[index])
        name = opened.group(1).upper() if opened else ""
        end = _next(ends.get(name, []), index) if name in _CONTAINERS else None
        if end is None:
            out.append(texts[index])
            index += 1
            continue
        # A quote line next to the callout would join it (a text line too, after it):
        # a blank line keeps them apart.
        if out and _QUOTED.match(out[-1]):
            out.append("")
        head = [] if name == "QUOTE" else [f"[!{name.lower()}]"]
        body = callouts_from_admonitions(texts[index + 1:end], depth + 1)
        out.extend(_quoted([*head, *body]))
        if end + 1 < len(texts) and texts[end + 1].strip():
            out.append("")
        index = end + 1
    return out


def admonitions_from_callouts(texts: list[str], depth: int = 0) -> list[str]:
    """Obsidian -> Logseq: the inverse of ``callouts_from_admonitions`` for callouts
    (run before ``unfence_org_blocks``). A callout followed by a line of text is left
    as it is: that line may continue its last paragraph (a lazy continuation)."""
    if depth >= MAX_DEPTH or "[!" not in "".join(texts):
        return texts
    masked = _outside_code(texts)
    out: list[str] = []
    index = 0
    while index < len(texts):
        head = _CALLOUT_HEAD.fullmatch(masked[index])
        name = head.group(1).upper() if head else ""
        end = index
        while end < len(texts) and _QUOTED.match(masked[end]):
            end += 1
        if end == index or (end < len(texts) and texts[end].strip()):
            out.extend(texts[index:max(end, index + 1)])
            index = max(end, index + 1)
            continue
        if name in ADMONITIONS:
            body = admonitions_from_callouts(_unquoted(texts[index + 1:end]), depth + 1)
            out.extend([f"#+BEGIN_{name}", *body, f"#+END_{name}"])
        else:  # a quote, or another callout: callouts inside it are converted
            inside = _unquoted(texts[index:end])
            converted = admonitions_from_callouts(inside, depth + 1)
            out.extend(texts[index:end] if converted == inside else _quoted(converted))
        index = end
    return out


def _quoted(lines: list[str]) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in lines]


def _unquoted(lines: list[str]) -> list[str]:
    return [_QUOTED.sub("", line, count=1) for line in lines]
