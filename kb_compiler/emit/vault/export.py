"""``export_vault``: the resolved knowledge base written as a complete vault of one
dialect (a normalized vault, or a Logseq <-> Obsidian conversion).

The steps: choose the target dialect; plan every page's name and path (``plan``) and
every block anchor (``blocks``); convert each page (``logseq`` / ``obsidian``, links
through ``links``, properties through ``properties``); write the target app's config,
copy the assets and the vault's kbc settings; swap the result in atomically
(``writer``). The vault itself is only read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb_compiler.config import KBC_CONFIG, ParseOptions
from kb_compiler.emit.vault.blocks import plan_blocks
from kb_compiler.emit.vault.links import LinkWriter
from kb_compiler.emit.vault.logseq import logseq_config, logseq_page
from kb_compiler.emit.vault.obsidian import obsidian_page, obsidian_settings
from kb_compiler.emit.vault.plan import VaultPlan, plan_vault
from kb_compiler.emit.vault.properties import list_keys, multi_reference_keys
from kb_compiler.emit.vault.rewrite import PageJob
from kb_compiler.emit.vault.writer import VaultWriter, check_output_folder, copy_tree
from kb_compiler.errors import KbcError
from kb_compiler.model import Diagnostic, Dialect, KnowledgeBase, Page, Severity, VaultKind
from kb_compiler.resolve import KnowledgeGraph, ResolvedRef
from kb_compiler.resolve.core import page_references, plain_type_reference

# A Logseq graph's own styles and script (what each does, for the report): copied into
# a Logseq export; an Obsidian vault has no use for them, so there they are reported.
LOGSEQ_APP_FILES = {
    "logseq/custom.css": "styles Logseq's pages",
    "logseq/custom.js": "is a script Logseq runs",
    "logseq/export.css": "styles Logseq's HTML and PDF exports",
}


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote. ``majority`` explains the choice of dialect when a plain
    folder's pages decided it; ``diagnostics`` are notes on what could not be carried
    over exactly (macros kept as text, renamed duplicates...), sorted."""

    vault: Path
    out: Path
    source: VaultKind
    target: Dialect
    pages: int
    assets: int
    files: int
    majority: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


def source_dialect(kb: KnowledgeBase) -> tuple[Dialect, str | None]:
    """The vault's own dialect; for a plain folder, the majority dialect of its pages
    (plain Markdown pages count as Obsidian's, a tie goes to Obsidian), explained."""
    if kb.kind is VaultKind.LOGSEQ:
        return Dialect.LOGSEQ, None
    if kb.kind is VaultKind.OBSIDIAN:
        return Dialect.OBSIDIAN, None
    counts = Counter(p.dialect is Dialect.LOGSEQ for p in kb.pages)
    logseq, other = counts[True], counts[False]
    chosen = Dialect.LOGSEQ if logseq > other else Dialect.OBSIDIAN
    return chosen, (f"a plain folder with {logseq} Logseq and {other} Obsidian or Markdown "
                    f"pages: writing {chosen.value}, the majority")


def _dialect(to: Dialect | str | None) -> Dialect | None:
    """``to`` as a dialect: ``"logseq"`` is ``Dialect.LOGSEQ`` (a ``StrEnum`` equals its
    value, but the export tells dialects apart by identity: the string wrote Logseq's
    folders with Obsidian's syntax); a name that is no dialect is refused."""
    if to is None:
        return None
    try:
        return Dialect(to)
    except ValueError:
        raise KbcError(f"cannot export to '{to}': the dialects are logseq and obsidian") \
            from None


def export_vault(graph: KnowledgeGraph, out: str | Path, *, to: Dialect | str | None = None,
                 force: bool = False) -> ExportReport:
    """Write the vault of ``graph`` to ``out`` in dialect ``to`` (default: the source
    dialect). Raises ``KbcError`` when ``out`` is refused (the vault or inside it, not
    empty without ``force``, a file)."""
    kb = graph.kb
    native, majority = source_dialect(kb)
    target = _dialect(to) or native
    if target is Dialect.MARKDOWN:
        target = Dialect.OBSIDIAN
    out = check_output_folder(Path(out), kb.root, force=force)
    owners = {page.id: page for page in graph.pages()}
    plan = plan_vault(kb, owners, target)
    options, comma_keys = _logseq_settings(kb, target)
    names = [(page, plan.for_page(page).name if target is Dialect.LOGSEQ else page.name)
             for page in kb.pages]
    blocks = plan_blocks(names, _targeted(graph, plan), target)
    writer = LinkWriter(plan, blocks)
    multi = frozenset(multi_reference_keys([prop for page in kb.pages if page.dialect is
                                            Dialect.LOGSEQ for prop in page.properties]))
    notes: list[Diagnostic] = list(plan.diagnostics)
    with VaultWriter(out) as files:
        for page, refs in _refs_by_page(graph):
            job = PageJob(page, plan.for_page(page), refs, writer, blocks, options, comma_keys,
                          multi)
            convert = logseq_page if target is Dialect.LOGSEQ else obsidian_page
            if (undecodable := _undecodable(page)) is not None:
                job.note("kept-as-written", 0, undecodable, Severity.WARNING)
                files.copy(kb.root, page.path, job.entry.path)
            else:
                files.write_text(job.entry.path, convert(job))
            notes.extend(job.notes)
        notes.extend(writer.notes.values())
        copied = _write_support(files, kb, plan, comma_keys)
        notes.extend(_logseq_app_files(files, kb, target))
        notes.extend(files.unread)
        files.commit()
    return ExportReport(kb.root, out, kb.kind, target, len(kb.pages), copied,
                        files.files, majority,
                        tuple(sorted(notes, key=Diagnostic.sort_key)))


def _undecodable(page: Page) -> str | None:
    """Why the page's bytes are copied rather than converted, or None: a file that holds
    no text (NUL bytes: a picture named ``.md``), or text that is not valid UTF-8 (a
    Latin-1 page), whose every accented letter the conversion would write as U+FFFD."""
    errors = [d for d in page.diagnostics
              if d.code == "invalid-encoding" and d.severity is Severity.ERROR]
    if not errors:
        return None
    if not page.text and errors[0].line == 0:
        return "a binary file, not a text page: its bytes are copied as they are"
    return ("not valid text (see its invalid-encoding error): its bytes are copied as "
            "they are, not converted; re-save it as UTF-8 and export again")


def _logseq_settings(kb: KnowledgeBase, target: Dialect) -> tuple[ParseOptions,
                                                                   frozenset[str]]:
    """The Logseq side's parse options and comma-separated keys: the source graph's, or
    (writing Logseq from Obsidian notes) the keys that hold YAML lists."""
    parse = getattr(kb.config, "parse", None)
    source = parse if isinstance(parse, ParseOptions) else ParseOptions()
    if kb.kind is VaultKind.LOGSEQ:
        keys = frozenset(key.lstrip(":") for key in source.comma_separated_keys)
        return ParseOptions(vault_kind=VaultKind.LOGSEQ,
                            comma_separated_keys=source.comma_separated_keys), keys
    keys = frozenset()
    if target is Dialect.LOGSEQ:
        keys = frozenset(list_keys([prop for page in kb.pages
                                    if page.dialect is not Dialect.LOGSEQ
                                    for prop in page.properties]))
    return ParseOptions(vault_kind=VaultKind.LOGSEQ, comma_separated_keys=keys), keys


def _refs_by_page(graph: KnowledgeGraph) -> Iterable[tuple[Page, list[ResolvedRef]]]:
    """Each page with its resolved references. ``graph.refs`` lists them page by page
    in path order; pages sharing an id are told apart by that order."""
    refs = graph.refs
    position = 0
    for page in sorted(graph.kb.pages, key=lambda p: p.path):
        count = len(page_references(page))
        chunk = list(refs[position:position + count])
        if any(r.source != page.id for r in chunk):  # not the expected order: by id
            chunk = [r for r in refs if r.source == page.id]
        else:
            position += count
        # a plain-text type is text in the vault: the export writes it as it is
        typed = plain_type_reference(page)
        yield page, [r for r in chunk if r.ref != typed] if typed is not None else chunk


def _targeted(graph: KnowledgeGraph, plan: VaultPlan) -> set[tuple[str, int]]:
    """(source path, block index) of every block a reference points at."""
    found: set[tuple[str, int]] = set()
    for resolved in graph.refs:
        target = resolved.target
        owner = plan.owner(target.page) if target.exists else None
        if owner is not None and target.block is not None:
            found.add((owner.source.path, target.block))
    return found


def _write_support(files: VaultWriter, kb: KnowledgeBase, plan: VaultPlan,
                   comma_keys: frozenset[str]) -> int:
    """Assets, the target app's config and kbc's own settings; returns the number of
    assets copied."""
    copied = 0
    for source, target in sorted(plan.assets.items()):
        copied += files.copy(kb.root, source, target)
    # Obsidian's settings travel along (Logseq ignores the hidden folder), so a vault
    # converted to Logseq and back keeps its link style and daily-notes folder.
    settings = copy_tree(files, kb.root, ".obsidian")
    if plan.target is Dialect.LOGSEQ:
        files.write_text("logseq/config.edn", logseq_config(kb, plan, comma_keys))
    elif not settings:
        journals = any(entry.journal for entry in plan.pages.values())
        for path, text in obsidian_settings(plan, journals).items():
            files.write_text(path, text)
    for name in _kbc_files(kb):
        files.copy(kb.root, name, name)
    return copied


def _logseq_app_files(files: VaultWriter, kb: KnowledgeBase,
                      target: Dialect) -> list[Diagnostic]:
    """Copy a Logseq graph's ``custom.css``, ``custom.js`` and ``export.css`` into a
    Logseq export; writing Obsidian, where they mean nothing (they style and script the
    Logseq app), report each one left out rather than drop it silently."""
    if kb.kind is not VaultKind.LOGSEQ:
        return []
    notes: list[Diagnostic] = []
    for path, what in LOGSEQ_APP_FILES.items():
        if not (kb.root / path).is_file():
            continue
        if target is Dialect.LOGSEQ:
            files.copy(kb.root, path, path)
        else:
            notes.append(Diagnostic(
                "file-left-out", Severity.WARNING, path, 0, 0,
                f"{path.rpartition('/')[2]} {what} and has no Obsidian counterpart; "
                "not exported"))
    return notes


def _kbc_files(kb: KnowledgeBase) -> list[str]:
    names = [KBC_CONFIG]
    schema = getattr(kb.config, "schema", None)
    if isinstance(schema, str) and schema not in names:
        names.append(schema)
    return [name for name in names
            if ".." not in Path(name).parts and not Path(name).is_absolute()
            and (kb.root / name).is_file()]


__all__ = ["ExportReport", "export_vault", "source_dialect"]
