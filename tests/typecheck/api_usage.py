"""The public API as the README shows it, for mypy (``python -m mypy`` checks this file
with the package): the package ships ``py.typed``, so a caller's code must type-check.
Not a test module; pytest does not collect it."""

from __future__ import annotations

from datetime import datetime

import kb_compiler
from kb_compiler.bases import VaultFiles, read_base, run_view
from kb_compiler.emit.vault import export_vault
from kb_compiler.model import Diagnostic
from kb_compiler.resolve import resolve


def sub_artifacts(vault: str) -> list[str]:
    kb = kb_compiler.load(vault)
    graph = resolve(kb)
    files = VaultFiles(graph, now=datetime(2026, 1, 1))
    with open(f"{vault}/Artifacts.base", encoding="utf-8") as source:
        base = read_base(source.read())
    result = run_view(base, base.view("Sub-artifacts"), files.files, files, this=None)
    return [row.file.basename for group in result.groups for row in group.rows]


def weight_and_score(vault: str) -> tuple[object, float | None]:
    kb = kb_compiler.load(vault, jobs=1, cache_dir=None)
    page = kb.page("profile-(id)")
    weight = page.property("weight") if page is not None else None
    score = resolve(kb).score("profile-(id)")
    return (weight.value if weight is not None else None,
            score.score if score is not None else None)


def problems(vault: str, out: str) -> list[str]:
    graph = resolve(kb_compiler.load(vault))
    export_vault(graph, out, to="logseq")
    found: list[Diagnostic] = [*graph.kb.all_diagnostics(), *graph.diagnostics]
    return [str(diagnostic) for diagnostic in found]
