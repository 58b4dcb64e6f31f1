"""The lookup tables resolution needs, built once per vault.

Everything is a dictionary keyed by a normalized form, so each reference resolves in
constant time (plus the short candidate lists of Obsidian's shortest-path rule).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from kb_compiler.config import ParseOptions
from kb_compiler.model import (
    Diagnostic,
    Dialect,
    KnowledgeBase,
    Page,
    Severity,
    VaultKind,
    namespaced,
    page_id,
)
from kb_compiler.parse.names import LOGSEQ_BUILT_IN_PAGES, journal_title, parse_journal_file_name
from kb_compiler.resolve.nearmiss import NearMissIndex

PAGE_SUFFIXES = (".md", ".markdown", ".org")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def asset_key(path: str) -> str:
    """A file path's lookup form among the assets: NFC, lower case."""
    return unicodedata.normalize("NFC", path).lower()


def path_key(path: str) -> str:
    """A vault path's lookup form: NFC, lower case, ``/`` separators, no page suffix."""
    text = unicodedata.normalize("NFC", path).replace("\\", "/").strip("/").lower()
    for suffix in PAGE_SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def folder_of(path: str) -> str:
    return posixpath.dirname(unicodedata.normalize("NFC", path).lower())


@dataclass
class VaultIndex:
    """Pages by id, path, path suffix and alias; assets by path and file name; blocks by
    id; namespace prefixes; and the near-miss index."""

    pages: dict[str, Page] = field(default_factory=dict)  # id -> the page owning it
    same_id: dict[str, list[Page]] = field(default_factory=dict)  # clashes, by path
    by_path: dict[str, str] = field(default_factory=dict)  # path key -> page id
    by_suffix: dict[str, list[str]] = field(default_factory=dict)  # path suffix -> ids
    aliases: dict[str, str] = field(default_factory=dict)  # alias id -> page id
    implied: set[str] = field(default_factory=set)  # namespace prefixes without a file
    assets: dict[str, str] = field(default_factory=dict)  # lower path -> path
    exact_assets: dict[str, str] = field(default_factory=dict)  # NFC path -> path
    assets_by_name: dict[str, list[str]] = field(default_factory=dict)  # lower name -> paths
    blocks: dict[str, tuple[str, int]] = field(default_factory=dict)  # block id -> (page, i)
    page_blocks: dict[str, dict[str, int]] = field(default_factory=dict)  # page -> id -> i
    diagnostics: list[Diagnostic] = field(default_factory=list)
    near: NearMissIndex | None = None
    # Pages the app has without a file (Logseq graphs): its built-in pages, journal days.
    built_in: frozenset[str] = frozenset()
    day_title: Callable[[str], str | None] = field(default=lambda name: None)

    def is_day(self, name: str) -> bool:
        return self.day_title(name) is not None

    def page_path(self, page: str) -> str:
        return self.pages[page].path


def build_index(kb: KnowledgeBase) -> VaultIndex:
    index = VaultIndex()
    ordered = sorted(kb.pages, key=lambda page: page.path)
    for page in ordered:
        _add_page(index, page)
    for page in ordered:
        if index.pages.get(page.id) is page:
            _add_aliases(index, page)
            _add_blocks(index, page)
    for asset in sorted(kb.assets, key=lambda a: a.path):
        index.assets.setdefault(asset_key(asset.path), asset.path)
        index.exact_assets.setdefault(unicodedata.normalize("NFC", asset.path), asset.path)
        index.assets_by_name.setdefault(asset_key(posixpath.basename(asset.path)), []).append(
            asset.path
        )
    index.day_title = _journal_day_titles(kb)
    if kb.kind is VaultKind.LOGSEQ:
        index.built_in = LOGSEQ_BUILT_IN_PAGES
    index.near = NearMissIndex(
        [(page.name, key) for key, page in index.pages.items()]
        + [(alias, key) for key, page in index.pages.items() for alias in page.aliases
           if index.aliases.get(page_id(alias)) == key],
        is_day=index.is_day,
    )
    return index



def _journal_day_titles(kb: KnowledgeBase) -> Callable[[str], str | None]:
    """The journal title a name gets when it reads as a day: Logseq turns a page name
    in the graph's ``:journal/page-title-format``, ``MMM do, yyyy``, ``yyyy-MM-dd`` or
    ``yyyy_MM_dd`` into that day's journal, under the graph's title (graph-parser's
    ``convert-page-if-journal``). Logseq graphs only: an Obsidian daily note's name is
    a plain file name."""
    if kb.kind is not VaultKind.LOGSEQ:
        return lambda name: None
    options = getattr(kb.config, "parse", None)
    title_format = options.journal_title_format if isinstance(options, ParseOptions) \
        else ParseOptions().journal_title_format
    formats = tuple(dict.fromkeys((title_format, "MMM do, yyyy", "yyyy-MM-dd", "yyyy_MM_dd")))

    def day_title(name: str) -> str | None:
        for written_in in formats:
            day = parse_journal_file_name(name.strip(), written_in)
            if day is not None:
                return journal_title(day, title_format)
        return None
    return day_title


def _form(other: str, this: str) -> str:
    """Which Unicode form each name is in, when that is all that tells them apart
    (``Café.md`` composed and decomposed print the same)."""
    if other == this or unicodedata.normalize("NFC", other) != unicodedata.normalize("NFC",
                                                                                    this):
        return ""
    return (f" (the same name in {_unicode_form(other)}; this file's name is in "
            f"{_unicode_form(this)})")


def _unicode_form(name: str) -> str:
    return "NFC" if unicodedata.is_normalized("NFC", name) else "NFD"


def _add_page(index: VaultIndex, page: Page) -> None:
    key = page.id
    if not key:
        return
    if key in index.pages:
        owner = index.pages[key]
        index.same_id.setdefault(key, [owner]).append(page)
        index.diagnostics.append(Diagnostic(
            "duplicate-page", Severity.ERROR, page.path, 0, 0,
            f"page '{page.name}' is also defined by '{owner.path}'{_form(owner.path, page.path)}"
            "; links go to that file",
            target=page.name,
        ))
        return
    index.pages[key] = page
    index.implied.discard(key)
    stem = path_key(page.path)
    index.by_path.setdefault(stem, key)
    parts = stem.split("/")
    for start in range(len(parts)):
        index.by_suffix.setdefault("/".join(parts[start:]), []).append(key)
    if page.dialect is Dialect.LOGSEQ and namespaced(key):
        segments = key.split("/")
        for end in range(1, len(segments)):
            prefix = "/".join(segments[:end])
            if prefix not in index.pages:
                index.implied.add(prefix)


def _add_aliases(index: VaultIndex, page: Page) -> None:
    for alias in page.aliases:
        key = page_id(alias)
        if not key or key == page.id:
            continue  # Logseq ignores a blank alias or one equal to the page's own name
        clash = index.pages.get(key)
        owner = index.aliases.get(key)
        if clash is None and owner is not None and owner != page.id:
            clash = index.pages[owner]  # the alias is another page's already
        if clash is not None:
            index.diagnostics.append(Diagnostic(
                "duplicate-page", Severity.WARNING, page.path, _alias_line(page), 0,
                f"alias '{alias}' clashes with page '{clash.path}'; the name keeps pointing "
                "there",
                target=alias,
            ))
            continue
        index.aliases[key] = page.id


def _alias_line(page: Page) -> int:
    found = page.property("alias") or page.property("aliases")
    return found.line if found is not None else 0


def _add_blocks(index: VaultIndex, page: Page) -> None:
    own: dict[str, int] = {}
    for block in page.blocks:
        if not block.block_id:
            continue
        key = block.block_id.lower()
        if key in own:
            continue  # Obsidian ids are unique per note; keep the first
        own[key] = block.index
        if page.dialect is not Dialect.LOGSEQ and not UUID.fullmatch(key):
            continue  # an Obsidian ^id only means something with its note's name
        if key in index.blocks:
            other_page, _ = index.blocks[key]
            # at the id:: line, as the same id twice in one file is reported
            line = next((p.line for p in block.properties if p.key == "id"), block.line)
            index.diagnostics.append(Diagnostic(
                "duplicate-block-id", Severity.WARNING, page.path, line, 1,
                f"block id '{block.block_id}' is also used in '{index.page_path(other_page)}'",
                target=block.block_id,
            ))
            continue
        index.blocks[key] = (page.id, block.index)
    if own:
        index.page_blocks[page.id] = own
