"""The diagnostic codes ``kbc check`` knows, with a one-line meaning for each.

The codes themselves are produced by the stages that detect them (parsers, discovery,
resolution); this table only describes them, for SARIF rule metadata and documentation.
A code that is not listed here is still reported, with a generic description.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kb_compiler.model import Severity


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a code means and the severity it usually carries."""

    code: str
    summary: str
    default: Severity = Severity.ERROR


_TABLE = (
    # The codes INTERFACE.md promises.
    CodeInfo("broken-link", "A [[link]], #tag or Markdown link names a page that does not exist."),
    CodeInfo("broken-embed", "An embed names a page, heading or block that does not exist."),
    CodeInfo("broken-block-ref", "A block reference names a block id that no block carries."),
    CodeInfo("broken-relation", "A property value names a page that does not exist."),
    CodeInfo("empty-link", "A link or embed has an empty target, such as [[]].",
             Severity.WARNING),
    CodeInfo("missing-asset", "An image or file embed or link points to a file not in the vault."),
    CodeInfo("embed-cycle", "Embeds include themselves; the message shows the cycle."),
    CodeInfo("duplicate-page", "Two files resolve to the same page, or an alias clashes."),
    CodeInfo("invalid-frontmatter", "YAML frontmatter does not parse; the page is still built."),
    CodeInfo("invalid-property", "A property value has the wrong type or range for the "
                                 "schema, or a page date names no real day."),
    CodeInfo("schema-violation", "A page breaks the metamodel schema."),
    CodeInfo(
        "encoding-repaired",
        "Text damaged by a wrong encoding (mojibake) was repaired.",
        Severity.WARNING,
    ),
    CodeInfo("invalid-encoding", "The file, or its name, holds bytes that are not valid "
                                 "UTF-8."),
    CodeInfo("path-escape", "A link, embed or asset points outside the vault and was refused."),
    # Further codes the stages produce.
    CodeInfo(
        "ambiguous-link",
        "A link name matches more than one page; the message lists the candidates.",
        Severity.WARNING,
    ),
    CodeInfo(
        "duplicate-block-id", "Two blocks carry the same block id; refs go to the first.",
        Severity.WARNING,
    ),
    CodeInfo("unreadable-file", "A file could not be read, or is not a regular file."),
    CodeInfo("unterminated-link", "A '[[' is never closed on its line.", Severity.WARNING),
    CodeInfo("unquoted-link", "A [[link]] in YAML front matter is not quoted: Obsidian "
                              "reads it as a nested list, not a link.", Severity.WARNING),
    CodeInfo("unterminated-macro", "A '{{' is never closed on its line.", Severity.WARNING),
    CodeInfo(
        "invalid-property-key", "A property key Logseq does not accept; dropped.",
        Severity.WARNING,
    ),
    CodeInfo(
        "duplicate-property", "A property key written twice in one block; Logseq keeps the "
        "last value.", Severity.WARNING,
    ),
    CodeInfo(
        "page-props-in-bullet", "Page properties written in a first bullet.", Severity.INFO
    ),
    CodeInfo(
        "mixed-indentation", "An outline indented with both tabs and spaces.", Severity.WARNING
    ),
    CodeInfo(
        "invalid-journal-name", "A journal file name that is not a date; read as a page.",
        Severity.WARNING,
    ),
    CodeInfo("internal-error", "A page could not be parsed (it is kept as plain text) or "
                               "rendered (its page on the site says so)."),
    CodeInfo(
        "unsupported-format",
        "A page kbc reads only in part (an Org-mode page: its markup is shown as text).",
        Severity.INFO,
    ),
    CodeInfo(
        "invalid-query", "A Logseq {{query}} that cannot be read; it shows no results.",
        Severity.WARNING,
    ),
    CodeInfo("invalid-base", "A .base file or base block that Obsidian cannot show."),
    CodeInfo("invalid-whiteboard", "A Logseq whiteboard (.edn) that does not read; the "
                                   "board is a page without its shapes."),
    CodeInfo(
        "ignored-settings",
        "A [tool.kbc] table in pyproject.toml beside kbc.toml, which kbc reads instead.",
        Severity.WARNING,
    ),
    CodeInfo(
        "unmatched-exclude",
        "An exclude pattern of kbc.toml matches no page or file; it keeps nothing private.",
        Severity.WARNING,
    ),
    CodeInfo(
        "unknown-ignore-code",
        "A kbc-ignore comment names a code kbc does not know; it silences nothing.",
        Severity.WARNING,
    ),
)

KNOWN_CODES: dict[str, CodeInfo] = {info.code: info for info in _TABLE}

# The codes every release keeps (INTERFACE.md), in the order INTERFACE.md lists them.
INTERFACE_CODES: tuple[str, ...] = tuple(info.code for info in _TABLE[:14])


def code_info(code: str) -> CodeInfo:
    """The description of ``code``; a generic one for a code this table does not know."""
    known = KNOWN_CODES.get(code)
    if known is not None:
        return known
    return CodeInfo(code, f"kbc diagnostic '{code}'.", Severity.WARNING)


def nearest_code(code: str) -> str | None:
    """The known code closest to a misspelt ``code``, if one is close."""
    near = difflib.get_close_matches(code, KNOWN_CODES, n=1)
    return near[0] if near else None
