"""Check stage: gather every stage's diagnostics, apply the vault's configuration, and
hand back one sorted, de-duplicated list.

The problems themselves are found where the knowledge lives: parsers report invalid
frontmatter and encoding, discovery reports unusable files, resolution reports broken
links, embeds, relations, cycles, duplicates and schema violations. The views authors
write in languages of their own (Logseq queries, Obsidian bases) are read here, by
their packages' readers (``views``). This stage assembles them all, applies
``[severity]`` from ``kbc.toml`` ("off" drops a code), the ``ignore`` globs and the
authors' inline ``kbc-ignore`` directives (see ``suppress``), and decides the exit
status. Output formats live in ``kb_compiler.check.formats``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kb_compiler.check.settings import (
    SETTINGS_FILES,
    exclude_problems,
    ignored_settings,
    read_text,
)
from kb_compiler.check.spans import file_text, in_file_columns, with_spans
from kb_compiler.check.suppress import drop_silenced, read_directives, unknown_codes
from kb_compiler.check.views import view_problems
from kb_compiler.config import VaultConfig
from kb_compiler.globs import matches_any
from kb_compiler.model import Diagnostic, KnowledgeBase, Severity
from kb_compiler.parse.names import BASE_SUFFIX

if TYPE_CHECKING:
    from kb_compiler.resolve.types import ResolvedRef

__all__ = ["CheckResult", "check_vault", "run_checks"]


class ResolvedGraph(Protocol):
    """What the check stage reads from the resolve stage's ``KnowledgeGraph``."""

    @property
    def kb(self) -> KnowledgeBase: ...

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]: ...

    @property
    def refs(self) -> tuple[ResolvedRef, ...]: ...


@dataclass(frozen=True)
class CheckResult:
    """The outcome of ``kbc check``: the diagnostics to report, sorted by
    (path, line, column, code), and what the formatters need to show them.

    ``texts`` maps each page's vault-relative path to its text, so the text format can
    quote the source line under a diagnostic.
    """

    diagnostics: tuple[Diagnostic, ...]
    pages: int
    texts: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def count(self, severity: Severity) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def infos(self) -> int:
        return self.count(Severity.INFO)

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 when there are errors (or, under ``strict``, warnings)."""
        if self.errors or (strict and self.warnings):
            return 1
        return 0


def run_checks(graph: ResolvedGraph, config: VaultConfig | None = None) -> CheckResult:
    """Assemble the diagnostics of every stage for ``graph`` under ``config`` (default:
    the configuration the knowledge base was loaded with)."""
    kb = graph.kb
    if config is None:
        config = kb.config if isinstance(kb.config, VaultConfig) else VaultConfig()
    silencers = read_directives({page.path: page.text for page in kb.pages})
    found = [*kb.all_diagnostics(), *graph.diagnostics, *view_problems(kb, graph.refs),
             *unknown_codes(silencers), *exclude_problems(kb, config),
             *ignored_settings(kb, config)]
    kept = configure(found, config)
    kept = in_file_columns(with_spans(drop_silenced(kept, silencers), graph), kb.pages)
    # quoted as the file holds them: the columns are the file's too
    texts = {page.path: file_text(page) for page in kb.pages}
    texts.update(_quoted_files(kb.root, kept))
    return CheckResult(diagnostics=sort_unique(kept), pages=len(kb.pages), texts=texts)


def _quoted_files(root: Path, diagnostics: Iterable[Diagnostic]) -> dict[str, str]:
    """The text of each file other than a page that ``diagnostics`` are about, for the
    report to quote: a ``.base`` file, kbc's settings (pages have theirs in the
    knowledge base; no other file is read, such as a link leading out of the vault)."""
    named = {d.path for d in diagnostics
             if d.path.lower().endswith(BASE_SUFFIX) or d.path in SETTINGS_FILES}
    return {path: text for path in sorted(named) if (text := read_text(root / path))}


def configure(diagnostics: Iterable[Diagnostic], config: VaultConfig) -> list[Diagnostic]:
    """Apply the config's ignore globs and per-code severities ("off" drops)."""
    overrides = dict(config.severity)
    kept = []
    for diagnostic in diagnostics:
        if config.ignore and matches_any(diagnostic.path, config.ignore):
            continue
        if diagnostic.code in overrides:
            severity = overrides[diagnostic.code]
            if severity is None:
                continue
            if severity is not diagnostic.severity:
                diagnostic = replace(diagnostic, severity=Severity(severity))
        kept.append(diagnostic)
    return kept


def sort_unique(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Drop exact repeats (two stages may report the same finding) and sort by
    (path, line, column, code, message)."""
    return tuple(sorted(set(diagnostics), key=_order))


def _order(diagnostic: Diagnostic) -> tuple[object, ...]:
    # Diagnostic.sort_key, then the remaining fields, so ties sort the same every run.
    return (
        *diagnostic.sort_key(),
        diagnostic.severity.value,
        diagnostic.target or "",
        diagnostic.suggestion or "",
        diagnostic.end_column or 0,
    )


def check_vault(
    path: str | Path,
    *,
    fix_encoding: bool | None = None,
    config: VaultConfig | None = None,
    **load_options: Any,
) -> CheckResult:
    """Run the whole pipeline up to the check stage on the vault at ``path``: load
    (discover and parse), resolve, check. ``load_options`` go to ``kb_compiler.load``
    (``jobs``, ``cache_dir``). Raises ``KbcError`` when the vault cannot be checked at
    all (missing folder, bad config, bad schema)."""
    # Imported here so the formats and the model-level checks work without the graph
    # stage's dependencies being imported.
    from kb_compiler.config import load_config
    from kb_compiler.loader import load
    from kb_compiler.resolve.core import find_problems

    root = Path(path)
    if config is None and root.is_dir():
        config = load_config(root.resolve())
    kb = load(root, fix_encoding=fix_encoding, config=config, **load_options)
    config = kb.config if isinstance(kb.config, VaultConfig) else config
    # Only the diagnostics and references: no graph, scores or slugs (half the cost).
    found = find_problems(kb)  # with the vault's schema file, when it has one
    return run_checks(found, config)
