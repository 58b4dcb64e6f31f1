"""Names across dialects: Obsidian file names for Logseq page names (and back), which tag
names each dialect can write bare, and Obsidian's daily-note date formats.

Obsidian keeps a note's name in its path, so a name with a character no file name (or no
``[[link]]``) can hold must be escaped. We use percent escapes, as Logseq's own file
names do, and only for those characters, so the escape is rare, readable and exactly
reversible: ``name_from_obsidian(obsidian_name(x)) == x`` for every page name, and
``obsidian_name(name_from_obsidian(n)) == n`` for every name an Obsidian vault can hold.
"""

from __future__ import annotations

import re
from datetime import date

from kb_compiler.parse.names import parse_journal_file_name
from kb_compiler.parse.obsidian_inline import tag_at as obsidian_tag_at

# Characters Obsidian refuses in file names or that end a link target ([[a#b]], [[a|b]],
# [[a^b]], brackets), plus controls. "/" is not here: it separates folders.
_OBSIDIAN_RESERVED = frozenset('\\:*?"<>|#^[]') | {chr(c) for c in (*range(0x20), 0x7F)}
_CODES = frozenset(f"{ord(c):02X}" for c in _OBSIDIAN_RESERVED)
_DOT = "2E"  # a leading dot would hide the note: escaped at the start of a segment only


def obsidian_segment(segment: str) -> str:
    """One name segment as an Obsidian file name (without ``.md``): reserved characters
    (and a leading dot) become ``%XX``; a ``%`` that would read as such an escape
    becomes ``%25``. Everything else, ``%`` included, stays as it is."""
    out: list[str] = []
    for index, char in enumerate(segment):
        if char in _OBSIDIAN_RESERVED or (char == "." and index == 0):
            out.append(f"%{ord(char):02X}")
        elif char == "%" and _escape_follows(segment, index + 1, index == 0):
            out.append("%25")
        else:
            out.append(char)
    return "".join(out)


def decode_obsidian_segment(segment: str) -> str:
    """The inverse of ``obsidian_segment``: only the escapes it writes are decoded."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        code = segment[index + 1:index + 3] if segment[index] == "%" else ""
        if code in _CODES or (index == 0 and code == _DOT):
            out.append(chr(int(code, 16)))
            index += 3
        elif code == "25" and _escape_follows(segment, index + 3, index == 0):
            out.append("%")
            index += 3
        else:
            out.append(segment[index])
            index += 1
    return "".join(out)


def _escape_follows(text: str, at: int, at_start: bool) -> bool:
    """Whether ``text[at:]`` starts with ``(25)*`` and then an escape code: what makes a
    preceding ``%`` read as an escape."""
    while text.startswith("25", at):
        at += 2
    code = text[at:at + 2]
    return code in _CODES or (at_start and code == _DOT)


# Obsidian tags are read by the Obsidian parser's ``tag_at``.
# Logseq bare tags stop at whitespace and at [ ] ( ) + # , ， (mldoc hash_tag), and lose
# trailing . , ! ? ; : (FORMATS.md 1.7).
_LOGSEQ_TAG_STOP = re.compile(r"[\s\[\]()+#,，\"]")
_LOGSEQ_TAG_TRAILING = ".,!?;:"


def obsidian_name(name: str) -> str:
    """The Obsidian note name (vault path without ``.md``) for a page name: namespaces
    become folders, reserved characters become percent escapes."""
    return "/".join(obsidian_segment(part) for part in name.split("/") if part)


def name_from_obsidian(name: str) -> str:
    """The page name an Obsidian note name stands for (inverse of ``obsidian_name``)."""
    return "/".join(decode_obsidian_segment(part) for part in name.split("/") if part)


def is_obsidian_tag(name: str) -> bool:
    """Whether ``#name`` reads back as the tag ``name`` in Obsidian."""
    return obsidian_tag_at(f"#{name}", 0) == (name, len(name) + 1)


def is_logseq_bare_tag(name: str) -> bool:
    """Whether ``#name`` reads back as the tag ``name`` in Logseq."""
    return (bool(name) and _LOGSEQ_TAG_STOP.search(name) is None
            and name[-1] not in _LOGSEQ_TAG_TRAILING)


# --- Obsidian daily notes: moment.js formats -> Logseq's date-fns formats --------------

_MOMENT_TOKENS = (
    ("YYYY", "yyyy"), ("YY", "yy"), ("MMMM", "MMMM"), ("MMM", "MMM"), ("MM", "MM"),
    ("M", "M"), ("Do", "do"), ("DD", "dd"), ("D", "d"), ("dddd", "EEEE"), ("ddd", "EEE"),
)
_MOMENT = re.compile(r"\[[^\]]*\]|" + "|".join(re.escape(m) for m, _ in _MOMENT_TOKENS)
                     + r"|[A-Za-z]")
DEFAULT_DAILY_FORMAT = "YYYY-MM-DD"


def date_fns_format(moment: str) -> str | None:
    """A moment.js date format (Obsidian) as a date-fns one (Logseq), or None when it
    uses a token we do not know (such notes then stay ordinary pages)."""
    table = dict(_MOMENT_TOKENS)
    out: list[str] = []
    position = 0
    for match in _MOMENT.finditer(moment):
        out.append(_literal(moment[position:match.start()]))
        token = match.group()
        if token.startswith("["):
            out.append(_literal(token[1:-1]))
        elif token in table:
            out.append(table[token])
        else:
            return None
        position = match.end()
    out.append(_literal(moment[position:]))
    return "".join(out)


def _literal(text: str) -> str:
    return f"'{text}'" if text and any(c.isalpha() for c in text) else text


def daily_note_date(stem: str, moment_format: str) -> date | None:
    """The day an Obsidian daily note's file name names, in its moment format."""
    fmt = date_fns_format(moment_format)
    return parse_journal_file_name(stem, fmt) if fmt else None
