"""Vault configuration: what the vault's own files say (Logseq's ``logseq/config.edn``,
kbc's ``kbc.toml`` or ``[tool.kbc]`` in a ``pyproject.toml`` beside the vault) merged
into one typed value. Loading lives in ``load_config``; the rest of kbc only reads the
dataclasses below."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb_compiler.model import Severity, VaultKind


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """The part of the configuration a per-file parser needs. Small, frozen and
    picklable, so parsing can run in worker processes and be cached by its value."""

    vault_kind: VaultKind = VaultKind.FOLDER
    # Logseq :file/name-format: "triple-lowbar" or "legacy".
    name_format: str = "triple-lowbar"
    fix_encoding: bool = True
    # Logseq :property/separated-by-commas (added to alias, aliases, tags).
    comma_separated_keys: frozenset[str] = frozenset()
    # Logseq :ignored-page-references-keywords: values stay raw strings.
    unreferenced_keys: frozenset[str] = frozenset()
    journal_title_format: str = "MMM do, yyyy"
    journal_file_format: str = "yyyy_MM_dd"
    pages_directory: str = "pages"
    journals_directory: str = "journals"
    # Obsidian: whether links inside %% comments %% count.
    links_in_comments: bool = False


@dataclass(frozen=True, slots=True)
class VaultConfig:
    """Everything configurable about a vault, with the defaults a vault without any
    config file gets."""

    kind: VaultKind = VaultKind.FOLDER
    parse: ParseOptions = field(default_factory=ParseOptions)
    # Paths Logseq's :hidden names, relative to the vault, with a leading "/" allowed.
    hidden: tuple[str, ...] = ()
    # kbc.toml `ignore`: glob patterns of files to skip entirely.
    ignore: tuple[str, ...] = ()
    # kbc.toml `exclude`: glob patterns of pages that must never be published.
    exclude: tuple[str, ...] = ()
    # kbc.toml `loose-matching`: near-miss link targets resolve silently when true.
    loose_matching: bool = False
    # kbc.toml `[severity]`: code -> severity ("off" drops the code).
    severity: tuple[tuple[str, Severity | None], ...] = ()
    # kbc.toml `schema`: path of the metamodel schema, relative to the vault.
    schema: str | None = None
    # Logseq :macros: name -> template text.
    macros: tuple[tuple[str, str], ...] = ()
    # Where the config came from, for messages (vault-relative paths).
    sources: tuple[str, ...] = ()


def load_config(root: Path) -> VaultConfig:
    """Read the vault's configuration. Raises ``KbcError`` naming the file, line and key
    for a config that cannot be used (unknown key, wrong type, unreadable file)."""
    raise NotImplementedError
