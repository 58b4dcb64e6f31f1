"""Obsidian Bases: .base files read, evaluated and shown.

``read_base`` reads a ``.base`` file's text (``document``), ``VaultFiles`` gathers the
files a base is evaluated over from a resolved graph (``records``), and ``run_view``
runs one view (``query``), in Obsidian's expression language (``expressions``).
"""

from kb_compiler.bases.document import BaseDocument, BaseError, View, read_base
from kb_compiler.bases.query import ViewResult, run_view
from kb_compiler.bases.records import FileEntry, VaultFiles

__all__ = ["BaseDocument", "BaseError", "FileEntry", "VaultFiles", "View", "ViewResult",
           "read_base", "run_view"]
