"""kb-compiler: compile Logseq and Obsidian knowledge bases.

The pipeline is discover -> parse -> resolve -> check -> emit; ``load`` runs the first
two stages and returns the typed model every later stage reads.
"""

from __future__ import annotations

from kb_compiler.errors import KbcError
from kb_compiler.loader import load
from kb_compiler.model import (
    Asset,
    Block,
    Diagnostic,
    Dialect,
    KnowledgeBase,
    Page,
    Property,
    Reference,
    RefKind,
    Severity,
    VaultKind,
)

__version__ = "0.1.0"

__all__ = [
    "Asset",
    "Block",
    "Diagnostic",
    "Dialect",
    "KbcError",
    "KnowledgeBase",
    "Page",
    "Property",
    "RefKind",
    "Reference",
    "Severity",
    "VaultKind",
    "__version__",
    "load",
]
