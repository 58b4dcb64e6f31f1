"""Where every page and asset goes in the exported vault, and under which name.

Decided once, before any page is written, because converting one page needs the names
of the pages it links to. The rules (README "kbc export"):

- Logseq target: pages in ``pages/`` under triple-lowbar file names, journals in the
  journals folder under ``:journal/file-name-format`` names.
- Obsidian target: a note per page at its name's path (namespaces are folders, reserved
  characters percent-escaped, see ``names``); Logseq journals become dated notes
  ``<journals folder>/YYYY-MM-DD.md``, recorded in ``.obsidian/daily-notes.json`` (or
  in the folder and format that file already names, when the graph carries one: a
  graph kbc converted from Obsidian).
- Notes of an Obsidian vault keep their paths; its daily notes (``daily-notes.json``)
  become Logseq journals, kept in the same folder (``:journals-directory``).
- Assets keep their vault-relative paths in every direction.
- Org-mode pages (whose markup kbc does not translate) keep their text and their Logseq-style
  file name, so that a Logseq graph exported to Obsidian and back gets them again.
  Whiteboards keep their text and their path (``whiteboards/<name>.edn``) alike, and
  so do Excalidraw drawing notes (``<name>.excalidraw.md``).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from kb_compiler.config import ParseOptions, obsidian_settings
from kb_compiler.emit.vault.names import (
    DEFAULT_DAILY_FORMAT,
    daily_note_date,
    date_fns_format,
    name_from_obsidian,
    obsidian_name,
)
from kb_compiler.model import (
    Diagnostic,
    Dialect,
    KnowledgeBase,
    Page,
    Severity,
    VaultKind,
    page_id,
)
from kb_compiler.parse.logseq_whiteboard import is_whiteboard, whiteboard_name
from kb_compiler.parse.names import (
    file_name_for_page,
    journal_file_date,
    journal_title,
    page_name_for_path,
)

LOGSEQ_DEFAULTS = ParseOptions(vault_kind=VaultKind.LOGSEQ)
OBSIDIAN_DEFAULTS = ParseOptions(vault_kind=VaultKind.OBSIDIAN)
ORG_SUFFIX = ".org"
DRAWING_SUFFIX = ".excalidraw.md"


@dataclass(frozen=True, slots=True)
class PageTarget:
    """One page of the exported vault.

    ``name`` is the page's name there; ``path`` its file; ``link`` the name links use
    (Obsidian's shortest form when the vault links that way); ``tag`` the name a tag
    uses (Obsidian tags match names exactly, so the full name); ``journal`` the day of a
    journal page; ``as_written`` marks a page copied as it is (an Org-mode page, a
    whiteboard).
    """

    source: Page
    name: str
    path: str
    link: str
    tag: str
    journal: date | None = None
    as_written: bool = False


@dataclass
class VaultPlan:
    """Every page's target by source path, the owner of each page id, asset paths."""

    target: Dialect
    pages: dict[str, PageTarget] = field(default_factory=dict)
    owners: dict[str, PageTarget] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    boards: dict[str, str] = field(default_factory=dict)  # a board file's name (Logseq)
    journals_folder: str = "journals"
    pages_folder: str = "pages"
    daily_format: str = DEFAULT_DAILY_FORMAT
    link_format: str = "absolute"  # Obsidian target: "shortest" or "absolute"
    day_title_format: str = LOGSEQ_DEFAULTS.journal_title_format  # the Logseq side's
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def for_page(self, page: Page) -> PageTarget:
        return self.pages[page.path]

    def owner(self, page_id: str | None) -> PageTarget | None:
        return self.owners.get(page_id) if page_id else None


def plan_vault(kb: KnowledgeBase, owners: dict[str, Page], target: Dialect) -> VaultPlan:
    """The plan for exporting ``kb`` to ``target``. ``owners`` maps each page id to the
    page links resolve to (the first file by path when two files clash)."""
    options = _parse_options(kb)
    plan = VaultPlan(target)
    # Obsidian's daily-notes settings, also when they travel inside a Logseq graph that
    # kbc converted from Obsidian: journals then go back to the same folder and names.
    daily = _daily_notes(kb.root)
    plan.day_title_format = options.journal_title_format
    if target is Dialect.OBSIDIAN:
        plan.journals_folder = options.journals_directory
        plan.link_format = _link_format(kb.root)
        if daily is not None and date_fns_format(daily[1]):
            plan.journals_folder, plan.daily_format = daily
    elif kb.kind is VaultKind.LOGSEQ:
        plan.journals_folder = options.journals_directory
        plan.pages_folder = options.pages_directory
    elif daily is not None:
        plan.journals_folder = daily[0] or "journals"
        plan.daily_format = daily[1]
    taken: set[str] = set()
    used_paths: set[str] = set()
    files = {asset.path.lower(): asset.path for asset in kb.assets}  # copied as they are
    ids = {page.id for page in kb.pages}

    def in_use(name: str, path: str) -> bool:
        return path.lower() in files or path.lower() in used_paths \
            or name.lower() in taken or page_id(name) in ids

    for page in sorted(kb.pages, key=lambda p: (owners.get(p.id) is not p, p.path)):
        day = _journal_day(page, options, daily)
        name = _target_name(kb.kind, page, target, day, options, plan)
        if owners.get(page.id) is not page:
            name = _free_name(name, taken, plan, page)
        path = _target_path(page, name, target, day, options, plan)
        if _too_long(path):
            name = _short_name(name, page, plan)
            path = _target_path(page, name, target, day, options, plan)
        if path.lower() in files:
            path_of = partial(_target_path, page, target=target, day=day, options=options,
                              plan=plan)
            name, path = _beside_file(name, files[path.lower()], plan, page, path_of, in_use)
        path = _free_path(path, used_paths)
        used_paths.add(path.lower())
        taken.add(name.lower())
        entry = PageTarget(page, name, path, name, name, day, copied_as_written(page))
        plan.pages[page.path] = entry
        if owners.get(page.id) is page:
            plan.owners[page.id] = entry
    if target is Dialect.OBSIDIAN and plan.link_format == "shortest":
        _shorten_links(plan)
    plan.assets = {asset.path: asset.path for asset in kb.assets}
    if target is Dialect.LOGSEQ and kb.kind is not VaultKind.LOGSEQ:
        plan.boards = _board_names(kb)
    return plan


def _board_names(kb: KnowledgeBase) -> dict[str, str]:
    """The name of each Logseq whiteboard file among the assets of a vault that is no
    Logseq graph (one a Logseq export copied there): links to it are to the board
    again in Logseq."""
    found: dict[str, str] = {}
    for asset in kb.assets:
        if not is_whiteboard(asset.path):
            continue
        default = posixpath.basename(asset.path).removesuffix(".edn")
        try:
            text = (kb.root / asset.path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # not readable: links to it stay links to the file
        found[asset.path] = whiteboard_name(text, default)
    return found


def copied_as_written(page: Page) -> bool:
    """Whether a page is copied as it is, kbc translating none of its markup: an
    Org-mode page, a Logseq whiteboard or an Excalidraw drawing note."""
    return page.path.lower().endswith(ORG_SUFFIX) or is_whiteboard(page.path) or \
        is_drawing_note(page)


def is_drawing_note(page: Page) -> bool:
    """Whether a page is a drawing the Excalidraw plugin saved (``*.excalidraw.md`` with
    ``excalidraw-plugin`` in its front matter): the plugin finds the scene under a
    ``# Drawing`` heading and ties text to elements by ``^ids``, which an outline of
    blocks would break."""
    return page.path.lower().endswith(DRAWING_SUFFIX) and \
        page.property("excalidraw-plugin") is not None


def _parse_options(kb: KnowledgeBase) -> ParseOptions:
    parse = getattr(kb.config, "parse", None)
    return parse if isinstance(parse, ParseOptions) else LOGSEQ_DEFAULTS


def _journal_day(page: Page, options: ParseOptions,
                 daily: tuple[str, str] | None) -> date | None:
    folder, _, file_name = page.path.rpartition("/")
    stem = file_name.rsplit(".", 1)[0]
    if page.is_journal:
        return journal_file_date(page.path, options)
    if daily is not None and folder == daily[0] and page.path.endswith(".md") \
            and page.dialect is not Dialect.LOGSEQ:
        return daily_note_date(stem, daily[1])
    return None


def _target_name(kind: VaultKind, page: Page, target: Dialect, day: date | None,
                 options: ParseOptions, plan: VaultPlan) -> str:
    if is_drawing_note(page):  # the name each app gives the file it keeps
        return page_name_for_path(page.path, LOGSEQ_DEFAULTS if target is Dialect.LOGSEQ
                                  else OBSIDIAN_DEFAULTS)
    if target is Dialect.LOGSEQ:
        if day is not None:
            title_format = options.journal_title_format if page.is_journal \
                else LOGSEQ_DEFAULTS.journal_title_format
            return journal_title(day, title_format)
        return name_from_obsidian(page.name) if kind is VaultKind.OBSIDIAN else page.name
    if copied_as_written(page):
        return page.name  # not a note in Obsidian: links keep the Logseq name
    if kind is VaultKind.OBSIDIAN:
        return page.name
    if day is not None:
        return daily_note_name(plan, day)
    return obsidian_name(page.name) or "untitled"


def daily_note_name(plan: VaultPlan, day: date) -> str:
    """The Obsidian name of the daily note of ``day`` (its path without ``.md``)."""
    stem = journal_title(day, date_fns_format(plan.daily_format) or "yyyy-MM-dd")
    return f"{plan.journals_folder}/{stem}" if plan.journals_folder else stem


def daily_note_day(plan: VaultPlan, name: str) -> date | None:
    """The day an Obsidian name of a daily note names (``daily_note_name`` read back)."""
    folder, _, stem = name.rpartition("/")
    return daily_note_date(stem, plan.daily_format) if folder == plan.journals_folder \
        else None


def _target_path(page: Page, name: str, target: Dialect, day: date | None,
                 options: ParseOptions, plan: VaultPlan) -> str:
    if is_whiteboard(page.path) or is_drawing_note(page):
        return page.path  # where Logseq (a board) or Excalidraw (a drawing) looks for it
    org = page.path.lower().endswith(ORG_SUFFIX)
    suffix = ORG_SUFFIX if org else ".md"
    if target is Dialect.OBSIDIAN and not org:
        return name + suffix
    if day is not None:
        file_format = options.journal_file_format if page.is_journal \
            else LOGSEQ_DEFAULTS.journal_file_format
        folder = options.journals_directory if target is Dialect.OBSIDIAN \
            else plan.journals_folder
        return f"{folder}/{journal_title(day, file_format)}{suffix}".lstrip("/")
    try:
        body = file_name_for_page(name)
    except ValueError:
        body = "untitled"
    return f"{plan.pages_folder}/{body}{suffix}"


# File systems refuse a path segment over 255 bytes (and long paths in general); a
# shortened name keeps a hash of the full one so two long names never collide.
_MAX_SEGMENT_BYTES = 200
_MAX_PATH_BYTES = 1000
_SHORT_SEGMENT_CHARS = 60


def _too_long(path: str) -> bool:
    encoded = path.encode("utf-8", "surrogateescape")
    return len(encoded) > _MAX_PATH_BYTES or any(
        len(part) > _MAX_SEGMENT_BYTES for part in encoded.split(b"/"))


def _short_name(name: str, page: Page, plan: VaultPlan) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    parts = [part[:_SHORT_SEGMENT_CHARS] for part in name.split("/")][:4]
    short = "/".join(parts) + f" {digest}"
    plan.diagnostics.append(Diagnostic(
        "name-too-long", Severity.WARNING, page.path, 0, 0,
        f"page name too long for a file name; exported as '{short}'", target=page.name))
    return short


def _free_name(name: str, taken: set[str], plan: VaultPlan, page: Page) -> str:
    """A page whose id another file owns gets a numbered name, so nothing is lost."""
    number = 2
    while f"{name} ({number})".lower() in taken:
        number += 1
    fresh = f"{name} ({number})"
    plan.diagnostics.append(Diagnostic(
        "duplicate-page", Severity.WARNING, page.path, 0, 0,
        f"page '{page.name}' is defined by another file too; exported as '{fresh}'",
        target=page.name))
    return fresh


def _beside_file(name: str, file: str, plan: VaultPlan, page: Page,
                 path_of: Callable[[str], str],
                 in_use: Callable[[str, str], bool]) -> tuple[str, str]:
    """A numbered name for a page whose file would be written where the vault file
    ``file`` is copied (a Logseq namespace page ``assets/notes`` and the file
    ``assets/notes.md``, or ``assets/Readme.md`` on a case-insensitive disk): the file
    kept the page's place and the page was lost. The name is one no file, page or
    path of the export has (``in_use``); links to the page follow it."""
    number = 2
    while in_use(fresh := f"{name} ({number})", fresh_path := path_of(fresh)):
        number += 1
    plan.diagnostics.append(Diagnostic(
        "name-taken", Severity.WARNING, page.path, 0, 0,
        f"page '{page.name}' would be written over the file '{file}' the export copies; "
        f"exported as '{fresh}'", target=page.name))
    return fresh, fresh_path


def _free_path(path: str, used: set[str]) -> str:
    if path.lower() not in used:
        return path
    stem, dot, suffix = path.rpartition(".")
    number = 2
    while f"{stem} ({number}).{suffix}".lower() in used:
        number += 1
    return f"{stem} ({number}){dot}{suffix}"


def _shorten_links(plan: VaultPlan) -> None:
    """Obsidian's default link form: the bare note name when no other note shares it."""
    counts: dict[str, int] = {}
    for entry in plan.pages.values():
        base = posixpath.basename(entry.name).lower()
        counts[base] = counts.get(base, 0) + 1
    for path, entry in plan.pages.items():
        base = posixpath.basename(entry.name)
        linked_by_name = not entry.as_written or is_drawing_note(entry.source)  # a note
        if counts[base.lower()] == 1 and linked_by_name:
            shorter = PageTarget(entry.source, entry.name, entry.path, base, entry.tag,
                                 entry.journal, entry.as_written)
            plan.pages[path] = shorter
            if plan.owners.get(entry.source.id) is entry:
                plan.owners[entry.source.id] = shorter


# --- Obsidian settings the plan follows ----------------------------------------------


def _daily_notes(root: Path) -> tuple[str, str] | None:
    """(folder, moment format) of the vault's daily notes, when the core plugin is set
    up (``.obsidian/daily-notes.json``)."""
    if not (root / ".obsidian" / "daily-notes.json").is_file():
        return None
    data = obsidian_settings(root, "daily-notes.json")
    folder, fmt = data.get("folder"), data.get("format")
    folder = folder if isinstance(folder, str) else ""
    fmt = fmt if isinstance(fmt, str) else ""
    return folder.strip().strip("/"), fmt.strip() or DEFAULT_DAILY_FORMAT


def _link_format(root: Path) -> str:
    """``newLinkFormat`` of the vault's ``.obsidian/app.json`` (Obsidian's default is
    shortest); a vault without Obsidian settings gets full paths, which read like
    Logseq's namespaced names."""
    if not (root / ".obsidian" / "app.json").is_file():
        return "absolute"
    value = obsidian_settings(root).get("newLinkFormat")
    return "absolute" if value in ("absolute", "relative") else "shortest"
