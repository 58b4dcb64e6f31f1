"""Names across dialects: Obsidian file names for Logseq page names (and back), which tag
names each dialect can write bare, and Obsidian's daily-note date formats.

Obsidian keeps a note's name in its path, so a name with a character no file name (or no
``[[link]]``) can hold must be escaped. We use percent escapes, as Logseq's own file
names do, and only for those characters and for the few that only where they stand make
a name Windows cannot hold (a device name such as ``con``, a folder ending in a dot), so
the escape is rare, readable and exactly reversible:
``name_from_obsidian(obsidian_name(x)) == x`` for every page name, and
``obsidian_name(name_from_obsidian(n)) == n`` for every name an Obsidian vault (one
Windows can hold too) can hold.
"""

from __future__ import annotations

import re
from datetime import date

from kb_compiler.parse.names import WINDOWS_DEVICES, parse_journal_file_name
from kb_compiler.parse.obsidian_inline import tag_at as obsidian_tag_at

# Characters Obsidian refuses in file names or that end a link target ([[a#b]], [[a|b]],
# [[a^b]], brackets), plus controls. "/" is not here: it separates folders.
_OBSIDIAN_RESERVED = frozenset('\\:*?"<>|#^[]') | {chr(c) for c in (*range(0x20), 0x7F)}
_CODES = frozenset(f"{ord(c):02X}" for c in _OBSIDIAN_RESERVED)
_HEX = frozenset("0123456789ABCDEF")


def obsidian_segment(segment: str, *, folder: bool = False) -> str:
    """One name segment as an Obsidian file name (without ``.md``), or as a folder's
    name: reserved characters become ``%XX``, and so do the characters that only where
    they stand make a name no file system can hold (``_escaped_where``); a ``%`` that
    would read as such an escape becomes ``%25``. Everything else stays as it is."""
    out: list[str] = []
    for index, char in enumerate(segment):
        if char in _OBSIDIAN_RESERVED or _escaped_where(segment[:index], char,
                                                        segment[index + 1:], folder):
            out.append(f"%{ord(char):02X}")
        elif char == "%" and _escape_follows(segment, index, folder, written=False):
            out.append("%25")
        else:
            out.append(char)
    return "".join(out)


def decode_obsidian_segment(segment: str, *, folder: bool = False) -> str:
    """The inverse of ``obsidian_segment``: only the escapes it writes are decoded."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        if segment[index] == "%" and _is_escape(segment[:index], segment[index + 1:index + 3],
                                                segment[index + 3:], folder, written=True):
            out.append(chr(int(segment[index + 1:index + 3], 16)))
            index += 3
        elif segment.startswith("%25", index) and \
                _escape_follows(segment, index, folder, written=True):
            out.append("%")
            index += 3
        else:
            out.append(segment[index])
            index += 1
    return "".join(out)


def _escaped_where(before: str, char: str, after: str, folder: bool, *,
                   written: bool = False) -> bool:
    """Whether ``char``, between ``before`` and ``after``, is escaped for where it
    stands: a leading dot (it would hide the note), a folder's trailing dot or space
    (Windows drops them), the last letter of a Windows device name (``con``,
    ``lpt1.x``: Windows reads the name up to its first dot). ``after`` is as written
    (``written``) or as the page name has it."""
    if char == "." and not before:
        return True
    if folder and not after and char in ". ":
        return True
    ends_name = not after or after[0] == "." or (written and folder and after == "%2E")
    return ends_name and (before + char).lower() in WINDOWS_DEVICES


def _is_escape(before: str, code: str, after: str, folder: bool, *, written: bool) -> bool:
    """Whether ``%`` and ``code``, between ``before`` and ``after``, is one of the escapes
    we write."""
    if code in _CODES:
        return True
    return len(code) == 2 and set(code) <= _HEX and _escaped_where(
        before, chr(int(code, 16)), after, folder, written=written)


def _escape_follows(text: str, index: int, folder: bool, *, written: bool) -> bool:
    """Whether the ``%`` at ``text[index]`` is followed by ``(25)*`` and then an escape
    code: what makes it read as an escape (a chain of ``25`` s is how escaped ``%`` s
    before an escape read)."""
    at = index + 1
    while text.startswith("25", at):
        at += 2
    return _is_escape(text[:index], text[at:at + 2], text[at + 2:], folder, written=written)


# Obsidian tags are read by the Obsidian parser's ``tag_at``.
# Logseq bare tags stop at whitespace and at [ ] ( ) + # , ， (mldoc hash_tag), and lose
# trailing . , ! ? ; : (FORMATS.md 1.7).
_LOGSEQ_TAG_STOP = re.compile(r"[\s\[\]()+#,，\"]")
_LOGSEQ_TAG_TRAILING = ".,!?;:"


def obsidian_name(name: str) -> str:
    """The Obsidian note name (vault path without ``.md``) for a page name: namespaces
    become folders, reserved characters become percent escapes."""
    parts = [part for part in name.split("/") if part]
    return "/".join(obsidian_segment(part, folder=number < len(parts) - 1)
                    for number, part in enumerate(parts))


def name_from_obsidian(name: str) -> str:
    """The page name an Obsidian note name stands for (inverse of ``obsidian_name``)."""
    parts = [part for part in name.split("/") if part]
    return "/".join(decode_obsidian_segment(part, folder=number < len(parts) - 1)
                    for number, part in enumerate(parts))


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
