"""Inline silencing: an author marks one line (or one file) as "known, leave it".

Write the directive as a comment the page's dialect hides when rendering, either an HTML
comment (Logseq and Markdown) or an Obsidian ``%%`` comment:

``<!-- kbc-ignore broken-link -->`` / ``%% kbc-ignore broken-link %%``
    at the end of a line silences those codes on that line. On a line of its own (a
    Logseq bullet ``- `` in front is allowed) it silences that line and the next one,
    so it can sit on the line before the one it is about.
``<!-- kbc-ignore -->``
    with no code silences every code on those lines.
``<!-- kbc-ignore-file invalid-encoding -->``
    anywhere in a page silences those codes (or, with no code, every code) for the whole
    file, including problems that concern the file as a whole (line 0).

Several codes may be listed, separated by spaces or commas, after an optional colon. A
directive shown in code (a fence or a code span) is text, not a comment, and is not
read. Only the page's own
diagnostics can be silenced this way: a directive never reaches into another file. A
code kbc does not know (a misspelling) silences nothing and is itself reported
(``unknown-ignore-code``, a warning, with the nearest known code).

The directives are read by ``kb_compiler.parse.directives``; the parse stage applies
those covering ``encoding-repaired`` itself, keeping their lines unrepaired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kb_compiler.check.codes import KNOWN_CODES, nearest_code
from kb_compiler.model import Diagnostic, Severity
from kb_compiler.parse.directives import MARKER, Silencer, parse_directives

UNKNOWN_CODE = "unknown-ignore-code"


def read_directives(texts: Mapping[str, str]) -> dict[str, Silencer]:
    """The directives of every page that has any, by vault-relative path (``texts`` maps
    a page's path to its text)."""
    return {path: parse_directives(text) for path, text in texts.items() if MARKER in text}


def drop_silenced(diagnostics: Iterable[Diagnostic],
                  silencers: Mapping[str, Silencer]) -> list[Diagnostic]:
    """The diagnostics that no directive in their own file silences."""
    if not silencers:
        return list(diagnostics)
    kept = []
    for diagnostic in diagnostics:
        silencer = silencers.get(diagnostic.path)
        if silencer is None or not silencer.silences(diagnostic):
            kept.append(diagnostic)
    return kept


def unknown_codes(silencers: Mapping[str, Silencer]) -> list[Diagnostic]:
    """A warning for each code a ``kbc-ignore`` directive names that kbc does not know:
    a misspelt code silences nothing, and would otherwise do so silently."""
    return [
        Diagnostic(UNKNOWN_CODE, Severity.WARNING, path, line, column,
                   f"kbc-ignore names the unknown code '{code}'; it silences nothing",
                   target=code, suggestion=nearest_code(code), end_column=column + len(code))
        for path, silencer in silencers.items()
        for line, column, code in silencer.named if code not in KNOWN_CODES
    ]
