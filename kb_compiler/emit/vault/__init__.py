"""The normalized-vault emitter: a knowledge base written as a complete Logseq graph or
Obsidian vault, losslessly converting between the two (``kbc export``).

Entry point: ``export_vault(graph, out, *, to=None, force=False) -> ExportReport``.
"""

from __future__ import annotations

from kb_compiler.emit.vault.export import ExportReport, export_vault, source_dialect

__all__ = ["ExportReport", "export_vault", "source_dialect"]
