"""Inline references in an Obsidian / plain-Markdown body, each with its file line and
1-based column: ``[[wikilinks]]`` and ``![[embeds]]`` (FORMATS.md 2.3, 2.6), Markdown links
and images to local files (2.4), and ``#tags`` (2.8).

The scanner reads a *visible* copy of the note in which everything that cannot hold a link
is already blanked (front matter, code, HTML blocks, comments, math; see
``obsidian_mask``), so the rules below only deal with link syntax. Each kind of reference
is blanked once found, so a wikilink's ``#Heading`` or a URL's ``#fragment`` is never read
again as a tag.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kb_compiler.model import Diagnostic, Reference, RefKind, Severity
from kb_compiler.parse.obsidian_links import (
    embed_size,
    is_asset_name,
    is_external,
    split_destination,
    split_wikilink,
)
from kb_compiler.parse.obsidian_mask import Span, blank_spans, html_tag_spans, url_spans
from kb_compiler.parse.text import LineIndex, combining_marks, is_escaped

# ``[[`` not followed by a third ``[``, then anything up to the first ``]]`` on the line
# that meets no other ``[[`` first: ``[[a [[b]] c]]`` links ``b``, ``[[a]]]`` links ``a``.
WIKILINK = re.compile(r"(!?)\[\[(?!\[)((?:(?!\[\[)[^\n])*?)\]\]")
_MD_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n\\]|\\.|\[[^\[\]\n]*\])*)\]"  # [label], one level of [nesting]
    r"\([ \t]*(<[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))+)"  # (destination or <dest>
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\n?[ \t]*\)"  # optional "title")
)
# A tag starts after a blank, an opening bracket or Markdown punctuation, never inside a
# word (``page.html#anchor``, ``C#``) and never after ``#`` or ``&`` (``&#039;``).
_BEFORE_TAG = frozenset("([{<>*_~=!?,;:\"'|")  # or a blank: what may come right before "#"
_HAS_NON_DIGIT = re.compile(r"[^\d/]")
# "\|" is a "|" too (escaped, as a table row needs it): "![chart\|200](c.png)"
_SIZE_IN_ALT = re.compile(r"^(.*?)\\?\|(\d+(?:x\d+)?)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class InlineScan:
    references: tuple[Reference, ...]
    diagnostics: tuple[Diagnostic, ...]


def scan_inline(path: str, text: str, visible: str) -> InlineScan:
    """Every reference in the body, in source order. ``text`` is the note as written and
    ``visible`` the same text (same length) with the parts that hold no links blanked."""
    index = LineIndex(text)
    visible = blank_spans(visible, html_tag_spans(visible))
    references: list[Reference] = []
    wikilinks, spans = _wikilinks(text, visible, index)
    references.extend(wikilinks)
    problems = _unterminated(path, visible, index)
    visible = blank_spans(visible, spans)
    links, spans = _markdown_links(text, visible, index)
    references.extend(links)
    visible = blank_spans(visible, spans)
    visible = blank_spans(visible, url_spans(visible))
    references.extend(_tags(text, visible, index))
    references.sort(key=lambda ref: (ref.line, ref.column))
    return InlineScan(tuple(references), tuple(problems))


def _wikilinks(text: str, visible: str, index: LineIndex) -> tuple[list[Reference], list[Span]]:
    found: list[Reference] = []
    spans: list[Span] = []
    for match in WIKILINK.finditer(visible):
        start = match.start()
        if is_escaped(text, start):
            continue
        embed = bool(match.group(1))
        parts = split_wikilink(text[match.start(2):match.end(2)])
        asset = is_asset_name(parts.target)
        size = embed_size(parts.label) if embed and asset else None
        line, column = index.position(start)
        found.append(Reference(
            kind=_kind(embed=embed, block=parts.is_block), target=parts.target,
            line=line, column=column,
            label=None if size else parts.label, subpath=parts.subpath,
            is_asset=asset, size=size, raw=text[start:match.end()],
        ))
        spans.append(match.span())
    return found, spans


def _kind(*, embed: bool, block: bool) -> RefKind:
    """An embed stays an embed whatever it shows; a plain link to ``#^id`` is a block ref."""
    if embed:
        return RefKind.EMBED
    return RefKind.BLOCK_REF if block else RefKind.LINK


def _unterminated(path: str, visible: str, index: LineIndex) -> list[Diagnostic]:
    """One warning per line for a ``[[`` that no ``]]`` closes later on its line. The
    search jumps from line to line, so a line of a million ``[[`` stays linear."""
    problems: list[Diagnostic] = []
    position = visible.find("[[")
    while position >= 0:
        line_end = visible.find("\n", position)
        line_end = len(visible) if line_end < 0 else line_end
        last_close = visible.rfind("]]", position, line_end)
        opener = position if last_close < 0 else visible.find("[[", last_close + 2, line_end)
        if opener >= 0:
            if opener > 0 and visible[opener - 1] == "!":
                opener -= 1
            line, column = index.position(opener)
            problems.append(Diagnostic(
                "unterminated-link", Severity.WARNING, path, line, column,
                "`[[` is not closed by `]]` on this line; it is read as text",
            ))
        position = visible.find("[[", line_end)
    return problems


def _markdown_links(text: str, visible: str, index: LineIndex
                    ) -> tuple[list[Reference], list[Span]]:
    """``[label](Note.md#Heading)`` links and ``![alt](image.png)`` images to local
    files. External destinations are skipped but still blanked, so their ``#fragment``
    is not read as a tag."""
    found: list[Reference] = []
    spans: list[Span] = []
    for match in _MD_LINK.finditer(visible):
        spans.append(match.span())
        found.extend(_markdown_match(text, match, index))
        if "](" in match.group(2):  # an image inside a link label: [![alt](a.png)](Note.md)
            for inner in _MD_LINK.finditer(visible, match.start(2), match.end(2)):
                found.extend(_markdown_match(text, inner, index))
    return found, spans


def _markdown_match(text: str, match: re.Match[str], index: LineIndex) -> list[Reference]:
    destination = text[match.start(3):match.end(3)]
    # "[x]([[Note]])": the wikilink, read before, is the only reference there.
    if is_escaped(text, match.start()) or WIKILINK.search(destination):
        return []
    if is_external(destination.strip("<>")):
        return []
    parts = split_destination(destination)
    if not parts.target and not parts.subpath:
        return []
    return [_markdown_reference(text, match, parts.target, parts.subpath, index)]


def _markdown_reference(text: str, match: re.Match[str], target: str, subpath: str | None,
                        index: LineIndex) -> Reference:
    image = bool(match.group(1))
    label: str | None = text[match.start(2):match.end(2)].strip()
    size = None
    asset = is_asset_name(target)
    if image and asset and label:
        label, size = size_in_alt(label)
    line, column = index.position(match.start())
    block = bool(subpath and subpath.startswith("^"))
    return Reference(kind=_kind(embed=image, block=block), target=target, line=line, column=column,
                     label=label or None, subpath=subpath, is_asset=asset, size=size,
                     raw=text[match.start():match.end()])


def size_in_alt(alt: str) -> tuple[str, str | None]:
    """A Markdown image's alt text and the size Obsidian reads at its end
    (``![Engelbart|100x145](...)``, ``![pic|50](pic.png)``): ``("Engelbart", "100x145")``;
    the size None when there is none."""
    sized = _SIZE_IN_ALT.match(alt)
    return (sized.group(1).strip(), sized.group(2)) if sized else (alt, None)


def tag_at(text: str, start: int) -> tuple[str, int] | None:
    """The ``#tag`` at ``start`` of ``text`` as ``_tags`` reads it: its name and where
    it ends, or None."""
    if not _may_start_tag(text, start):
        return None
    match = _tag_pattern().match(text, start)
    name = _tag_name(match) if match else None
    return (name, match.end()) if match and name else None


@functools.cache
def _tag_pattern() -> re.Pattern[str]:
    """``#`` and a tag's characters: letters, digits, ``_``, ``-``, ``/``, and combining
    marks (``#हिन्दी``, a decomposed ``#café``: ``\\w`` alone cut them at the mark)."""
    return re.compile(f"#((?:[\\w/-]|{combining_marks()})+)")


def _tag_name(match: re.Match[str]) -> str | None:
    name = match.group(1).strip("/")
    return name if _HAS_NON_DIGIT.search(name) else None


def _may_start_tag(text: str, start: int) -> bool:
    """A ``#`` at the start, after a blank or after punctuation, in the note as written
    (``<b>#tag`` is a tag; a tag right after inline code is not)."""
    return start == 0 or text[start - 1].isspace() or text[start - 1] in _BEFORE_TAG


def _tags(text: str, visible: str, index: LineIndex) -> list[Reference]:
    """``#tag`` and ``#nested/tag``: letters, digits, ``_``, ``-``, ``/``, and at least
    one character that is not a digit (``#1984`` is not a tag)."""
    found: list[Reference] = []
    if "#" not in visible:
        return found
    for match in _tag_pattern().finditer(visible):
        name = _tag_name(match)
        if name is None or not _may_start_tag(text, match.start()):
            continue
        line, column = index.position(match.start())
        found.append(Reference(kind=RefKind.TAG, target=name, line=line, column=column,
                               raw="#" + match.group(1)))
    return found
