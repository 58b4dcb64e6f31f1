"""Dataview's inline fields written on a line of their own (``key-weight:: 75``), read as
properties of the paragraph or list item that holds them.

Obsidian shows such a line as text; the Dataview plugin reads it as a field (FORMATS.md
part 4), and kbc's Obsidian export writes a Logseq block's properties that way. Read as
block properties, an Obsidian note's keys (``key-weight::`` and ``value::``) are scored
and checked as a Logseq block's are, and a graph exported to Obsidian keeps its scores.
Values are typed plainly: an integer, a number, ``true``/``false``, else the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb_compiler.model import Property, PropertyValue, normalize_key

# A whole line: an optional list bullet or checkbox, a key Dataview and Logseq both
# accept, "::", the value; a block id at the end of the line belongs to the block.
_FIELD = re.compile(r"[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+(?:\[.\][ \t]+)?)?"
                    r"([A-Za-z][\w-]*)::(?:[ \t]+(.*))?")
_BLOCK_ID_END = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+$")
_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")


def inline_fields(lines: Sequence[str], first: int, last: int) -> tuple[Property, ...]:
    """The fields on the file lines ``first`` to ``last`` (1-based, inclusive)."""
    found = []
    for number in range(first, min(last, len(lines)) + 1):
        match = _FIELD.fullmatch(lines[number - 1])
        if match is None:
            continue
        raw_key = match.group(1)
        raw = _BLOCK_ID_END.sub("", (match.group(2) or "").rstrip())
        found.append(Property(normalize_key(raw_key), raw_key, raw, _typed(raw), number))
    return tuple(found)


def _typed(raw: str) -> PropertyValue:
    if _INTEGER.fullmatch(raw):
        return int(raw)
    if _NUMBER.fullmatch(raw):
        return float(raw)
    if raw in ("true", "false"):
        return raw == "true"
    return raw
