"""Emit stage: the knowledge graph -> output files (the static site, a normalized vault)."""

from __future__ import annotations

from kb_compiler.model import Diagnostic, Severity


def unreadable_asset(path: str, error: OSError, output: str) -> Diagnostic:
    """The note for a vault file that could not be copied into ``output`` ("the site",
    "the export"): gone since the vault was read, or not readable. The rest is still
    written."""
    reason = error.strerror or type(error).__name__
    return Diagnostic("unreadable-file", Severity.WARNING, path, 0, 0,
                      f"cannot read the file: {reason}; left out of {output}")
