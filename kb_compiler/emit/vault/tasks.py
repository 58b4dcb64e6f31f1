"""Tasks: Logseq's markers (``TODO``, ``DONE``...) at the start of a block are Obsidian's
task list items (``- [ ]``, ``- [x]``), and back. Logseq shows a checkbox on a block's first
line as text (its maintainers' answer in logseq/logseq#5664 and #6224: ``-`` makes a
block, and a block is a task by its marker); Obsidian shows a marker as text.

| Logseq | Obsidian |
| --- | --- |
| ``TODO x`` | ``[ ] x`` |
| ``DONE x`` | ``[x] x`` (``[X]`` too, on the way to Logseq) |
| ``DOING x`` | ``[/] x`` (in progress, as the Tasks plugin and themes write it) |
| ``CANCELED x`` (or ``CANCELLED``) | ``[-] x`` (cancelled, likewise) |
| ``LATER x``, ``NOW x``, ``WAITING x``... | ``[ ] LATER x`` (the marker kept as a word) |
| ``TODO DONE x``, ``TODO TODO x`` | ``[ ] DONE x``, ``[ ] TODO x`` (text starting with a marker) |
| ``TODO LATER x`` | ``[ ] TODO LATER x`` |

A task of another status (``[>]``, ``[?]``) has no Logseq marker and stays as written.
A priority after the marker, ``[#A]``, is written ``[\\#A]`` in Obsidian (which would read a
tag in it, ``rewrite._escape_phantom_tags``) and becomes a priority again on the way back.
"""

from __future__ import annotations

import re

from kb_compiler.parse.logseq_blocks import MARKERS, TASK_MARKER

_TO_CHECKBOX = {"TODO": " ", "DONE": "x", "DOING": "/", "CANCELED": "-", "CANCELLED": "-"}
_TO_MARKER = {" ": "TODO", "x": "DONE", "X": "DONE", "/": "DOING", "-": "CANCELED"}
_CHECKBOX = re.compile(r"\[(.)\](?:[ \t]+|$)")
_ESCAPED_PRIORITY = re.compile(
    r"\A((?:(?:" + "|".join(MARKERS) + r")[ \t]+)?)\[\\#([A-C])\](?=[ \t]|$)")


def checkbox_from_marker(first_line: str) -> str:
    """Logseq -> Obsidian: a block's first line with its marker as a checkbox."""
    found = TASK_MARKER.match(first_line)
    if found is None:
        return first_line
    marker, rest = found.group(1), first_line[found.end():]
    # "TODO LATER x" keeps its TODO as a word: "[ ] LATER x" reads back as LATER.
    if marker not in _TO_CHECKBOX or (marker == "TODO" and _leads_with_wordy_marker(rest)):
        return f"[ ] {first_line}"
    return f"[{_TO_CHECKBOX[marker]}] {rest}".rstrip()


def marker_from_checkbox(first_line: str) -> str:
    """Obsidian -> Logseq: a list item's first line with its checkbox as a marker."""
    found = _CHECKBOX.match(first_line)
    if found is None or found.group(1) not in _TO_MARKER:
        return first_line
    rest = _ESCAPED_PRIORITY.sub(r"\1[#\2]", first_line[found.end():], count=1)
    word = TASK_MARKER.match(rest) if found.group(1) == " " else None
    # An open task's first word is its marker when the way there kept it one: "[ ]
    # LATER x" and "[ ] TODO LATER x". "[ ] DONE x" and "[ ] TODO x" stay open tasks
    # with that text: "TODO DONE x", "TODO TODO x".
    if word and (_leads_with_wordy_marker(rest) or (
            word.group(1) == "TODO" and _leads_with_wordy_marker(rest[word.end():]))):
        return rest
    return f"{_TO_MARKER[found.group(1)]} {rest}".rstrip()


def _leads_with_wordy_marker(text: str) -> bool:
    """Whether ``text`` starts with a marker that has no checkbox of its own (``LATER``),
    which Obsidian keeps as the task's first word."""
    found = TASK_MARKER.match(text)
    return found is not None and found.group(1) not in _TO_CHECKBOX
