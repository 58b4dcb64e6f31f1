"""Discovery: which files of a vault are pages, which are assets, which are skipped.

The walk is iterative (``os.scandir`` with an explicit stack) and never follows a
symbolic link out of the vault. Skipped everywhere: any path component starting with
``.`` (``.git``, ``.obsidian``, ``.trash``, ``logseq/.recycle``), ``node_modules``, the
``ignore`` globs of ``kbc.toml``, and kbc's own config files. In a Logseq graph also the
``logseq/`` folder (config, ``bak/``, ``version-files/``) and the ``:hidden`` paths.

Which files are pages follows each tool:
- Logseq graph: ``.md``, ``.markdown`` and ``.org`` files anywhere that Logseq itself
  reads them (it scans the whole graph folder, not only ``pages/`` and ``journals/``, but
  no ``assets`` folder); files under ``journals/`` whose name reads as a date are
  journals. Whiteboards (``whiteboards/*.edn``) are pages too.
- Obsidian vault: ``.md`` files (Obsidian shows ``.markdown`` files as attachments).
- Plain folder: ``.md`` and ``.markdown`` files; each one's dialect is detected later.
Everything else is an asset.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from kb_compiler.config import KBC_CONFIG, PYPROJECT, SCHEMA_FILES, VaultConfig
from kb_compiler.errors import fs_text
from kb_compiler.globs import matches
from kb_compiler.model import Asset, Diagnostic, Dialect, Severity, SourceFile, VaultKind
from kb_compiler.parse.logseq_whiteboard import is_whiteboard
from kb_compiler.parse.names import journal_date

__all__ = ["Discovery", "discover", "outside_the_knowledge_base"]

_PAGE_SUFFIXES = {
    VaultKind.LOGSEQ: (".md", ".markdown", ".org"),
    VaultKind.OBSIDIAN: (".md",),
    VaultKind.FOLDER: (".md", ".markdown"),
}
_DIALECT_HINTS = {VaultKind.LOGSEQ: Dialect.LOGSEQ, VaultKind.OBSIDIAN: Dialect.OBSIDIAN}
_SKIPPED_NAMES = frozenset({"node_modules"})
_LOGSEQ_FOLDER = "logseq"
_LOGSEQ_ASSETS = "assets"
# Logseq's backup and history folders, skipped in any vault (stale copies of pages).
_LOGSEQ_COPIES = ("logseq/bak", "logseq/version-files")


@dataclass(frozen=True, slots=True)
class Discovery:
    """What a vault holds: page files to parse and asset files, each sorted by path,
    with the problems met on the way (unreadable folders, escaping links)."""

    sources: tuple[SourceFile, ...]
    assets: tuple[Asset, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass
class _Walk:
    """The state of one discovery walk."""

    root: Path
    real_root: str
    config: VaultConfig
    sources: list[SourceFile] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def problem(self, code: str, severity: Severity, path: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(code, severity, path, 0, 0, message))


def discover(root: Path, config: VaultConfig) -> Discovery:
    """Walk the vault at ``root`` and sort its files into pages and assets. Never
    raises for what it finds: unreadable folders and links out of the vault become
    diagnostics."""
    walk = _Walk(Path(root), os.path.realpath(root), config)
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        for entry in _entries(walk, folder, prefix):
            relative = prefix + entry.name
            if _skipped(walk.config, relative, entry.name) or not _utf8_name(walk, entry, prefix):
                continue
            if entry.is_symlink():
                _symlink(walk, entry, relative)
            elif _is_dir(entry):
                stack.append((entry.path, relative + "/"))
            elif _is_regular(entry):
                _file(walk, entry.path, relative, entry)
            else:
                _special(walk, relative)
    return Discovery(
        sources=tuple(sorted(walk.sources, key=lambda source: source.path)),
        assets=tuple(sorted(walk.assets, key=lambda asset: asset.path)),
        diagnostics=tuple(sorted(walk.diagnostics, key=Diagnostic.sort_key)),
    )


def outside_the_knowledge_base(relative: str, config: VaultConfig) -> bool:
    """Whether the walk skips the file or folder at vault path ``relative`` (with "/"),
    itself or by a folder it sits in: Obsidian's settings, editors' and apps' temporary
    and backup files, ``ignore`` globs."""
    parts = relative.split("/")
    return any(_skipped(config, "/".join(parts[:end]), parts[end - 1])
               for end in range(1, len(parts) + 1))


def _entries(walk: _Walk, folder: str, prefix: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return sorted(found, key=lambda entry: entry.name)
    except OSError as error:
        shown = prefix.rstrip("/") or "."
        walk.problem("unreadable-file", Severity.ERROR, shown,
                     f"cannot read folder: {error.strerror or error}")
        return []


def _skipped(config: VaultConfig, relative: str, name: str) -> bool:
    """Whether a file or folder is outside the knowledge base altogether."""
    if name.startswith(".") or name in _SKIPPED_NAMES:
        return True
    if relative in (KBC_CONFIG, PYPROJECT, *SCHEMA_FILES) or relative == config.schema:
        return True
    if relative in _LOGSEQ_COPIES:
        return True
    if config.kind is VaultKind.LOGSEQ:
        if relative == _LOGSEQ_FOLDER:
            return True
        if any(relative == hidden or relative.startswith(hidden + "/")
               for hidden in config.hidden):
            return True
    return any(matches(relative, pattern) for pattern in config.ignore)


def _utf8_name(walk: _Walk, entry: os.DirEntry[str], prefix: str) -> bool:
    """Whether the entry's name is valid UTF-8. Python reads other bytes in a name as
    lone surrogates, which no page name, URL, output file or JSON string can hold, so
    such a file or folder is skipped, with an error showing its name's bytes."""
    try:
        entry.name.encode("utf-8")
    except UnicodeEncodeError:
        shown = fs_text(prefix + entry.name)
        walk.problem("invalid-encoding", Severity.ERROR, shown,
                     f"the name '{shown}' is not valid UTF-8; skipped (rename it)")
        return False
    return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _special(walk: _Walk, relative: str) -> None:
    """A FIFO, socket or device is never read: opening a FIFO blocks until someone
    writes to it, and a device can be endless."""
    walk.problem("unreadable-file", Severity.WARNING, relative,
                 f"'{relative}' is not a regular file (a FIFO, socket or device); skipped")


def _symlink(walk: _Walk, entry: os.DirEntry[str], relative: str) -> None:
    """A link is read only when it stays inside the vault and names a file; linked
    folders are never walked (they could loop, and their target is walked anyway)."""
    try:
        target = os.path.realpath(entry.path)
    except OSError as error:  # a link the system will not read (/proc/N/exe)
        walk.problem("unreadable-file", Severity.WARNING, relative,
                     f"symbolic link '{relative}' cannot be followed "
                     f"({error.strerror or error}); skipped")
        return
    if os.path.commonpath([walk.real_root, target]) != walk.real_root:
        walk.problem("path-escape", Severity.ERROR, relative,
                     f"symbolic link '{relative}' points outside the vault; skipped")
        return
    if os.path.isdir(target):
        return
    if os.path.exists(target) and not os.path.isfile(target):
        _special(walk, relative)
        return
    if not os.path.isfile(target):
        walk.problem("unreadable-file", Severity.WARNING, relative,
                     f"symbolic link '{relative}' {_dead_end(entry.path)}; skipped")
        return
    _file(walk, target, relative, None)


def _dead_end(link: str) -> str:
    """What a symbolic link that reaches no file does instead."""
    try:
        os.stat(link)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "is a loop of symbolic links"
    return "points to nothing"


def _file(walk: _Walk, absolute: str, relative: str, entry: os.DirEntry[str] | None) -> None:
    config = walk.config
    if _is_page(config, relative) and not _logseq_asset(walk, relative):
        walk.sources.append(SourceFile(
            path=relative,
            absolute=Path(absolute),
            dialect_hint=_DIALECT_HINTS.get(config.kind),
            is_journal=_is_journal(walk, relative),
        ))
        return
    try:
        size = entry.stat().st_size if entry else os.stat(absolute).st_size
    except OSError as error:
        walk.problem("unreadable-file", Severity.ERROR, relative,
                     f"cannot read file: {error.strerror or error}")
        return
    walk.assets.append(Asset(relative, size))


def _is_page(config: VaultConfig, relative: str) -> bool:
    return relative.lower().endswith(_PAGE_SUFFIXES[config.kind]) or \
        (config.kind is VaultKind.LOGSEQ and is_whiteboard(relative))


def _logseq_asset(walk: _Walk, relative: str) -> bool:
    """A file in an ``assets`` folder of a Logseq graph (at its top or deeper): Logseq
    lists no page there (``ignored-path?``), so notes kept beside the pictures are files,
    not pages."""
    return walk.config.kind is VaultKind.LOGSEQ and \
        _LOGSEQ_ASSETS in relative.split("/")[:-1]


def _is_journal(walk: _Walk, relative: str) -> bool:
    """A Logseq file under the journals folder whose name reads as a date; any other
    file there is an ordinary page, with a warning."""
    options = walk.config.parse
    if walk.config.kind is not VaultKind.LOGSEQ:
        return False
    if not relative.startswith(options.journals_directory + "/"):
        return False
    body = relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if journal_date(body, options.journal_file_format):
        return True
    walk.problem("invalid-journal-name", Severity.WARNING, relative,
                 f"journal file name '{body}' is not a date in the format "
                 f"'{options.journal_file_format}'; read as an ordinary page")
    return False
