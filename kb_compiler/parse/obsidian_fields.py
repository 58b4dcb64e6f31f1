"""Dataview's inline fields written on a line of their own (``key-weight:: 75``), read as
properties of the paragraph or list item that holds them.

Obsidian shows such a line as text; the Dataview plugin reads it as a field (FORMATS.md
part 4), and kbc's Obsidian export writes a Logseq block's properties that way. Read as
block properties, an Obsidian note's keys (``key-weight::`` and ``value::``) are scored
and checked as a Logseq block's are, and a graph exported to Obsidian keeps its scores.
A line is read as Logseq reads a property line (so the export reads back the same),
after the list item's bullet or checkbox.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb_compiler.model import Property, normalize_key
from kb_compiler.parse.logseq_properties import (
    property_line_match,
    scalar_value,
    valid_property_key,
)

_ITEM_MARK = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\[.\][ \t]+)?")
# a block id at the end of the line belongs to the block
_BLOCK_ID_END = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+$")


def inline_fields(lines: Sequence[str], first: int, last: int) -> tuple[Property, ...]:
    """The fields on the file lines ``first`` to ``last`` (1-based, inclusive)."""
    found = []
    for number in range(first, min(last, len(lines)) + 1):
        line = lines[number - 1]
        if "::" not in line:
            continue
        mark = _ITEM_MARK.match(line)
        body = line[mark.end():] if mark else line
        match = property_line_match(body)
        if match is None or not valid_property_key(match.group(1)):
            continue
        raw_key = match.group(1)
        raw = _BLOCK_ID_END.sub("", body[match.end():].rstrip())
        found.append(Property(normalize_key(raw_key), raw_key, raw, scalar_value(raw), number))
    return tuple(found)
