"""The files a base is evaluated over, made from a resolved knowledge graph.

A base tests every file of the vault: notes with their properties, tags, links, embeds
and backlinks (as the graph resolved them), and attachments with their name, folder and
size. ``VaultFiles`` is the ``Environment`` the expressions read; it holds only the
files it was asked to include, so a site never shows an unpublished note in a view.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from kb_compiler.bases.expressions import FileRecord
from kb_compiler.gcpause import no_gc_pauses
from kb_compiler.model import Dialect, Page, Property, PropertyValue, RefKind
from kb_compiler.resolve import KnowledgeGraph, ResolvedRef

_LINK_KINDS = (RefKind.LINK, RefKind.PROPERTY, RefKind.BLOCK_REF)
_WIKILINK = re.compile(r"^\s*!?\[\[([^\]|#^]*)(?:[#^][^\]|]*)?(?:\|[^\]]*)?\]\]\s*$")


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file as a base sees it (the ``FileRecord`` of ``bases.expressions``)."""

    name: str
    basename: str
    path: str
    folder: str
    ext: str
    size: int
    properties: Mapping[str, object] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    embeds: tuple[str, ...] = ()
    backlinks: tuple[str, ...] = ()
    ctime: datetime | None = None  # file times are not kept: a clone resets them
    mtime: datetime | None = None


class VaultFiles:
    """Every included file of a vault, and link resolution between them."""

    def __init__(self, graph: KnowledgeGraph, now: datetime, *,
                 include_page: Callable[[Page], bool] = lambda page: True,
                 include_asset: Callable[[str], bool] = lambda path: True) -> None:
        self.now = now
        self._graph = graph
        owners = {page.id: page for page in graph.pages()}
        self._pages = {page.path: page for page in graph.kb.pages
                       if owners.get(page.id) is page and include_page(page)}
        self._path_of = {page.id: path for path, page in self._pages.items()}
        assets = {asset.path: asset.size for asset in graph.kb.assets
                  if include_asset(asset.path)}
        self._records: dict[str, FileEntry] = {}
        self._by_name: dict[str, str] | None = None
        self._landed: dict[tuple[object, ...], str | None] = {}
        with no_gc_pauses():  # a record per file, a few objects per link: no cycles
            for path, size in assets.items():
                self._records[path] = _file(path, size)
            for path, page in self._pages.items():
                self._records[path] = self._note(page)

    @property
    def files(self) -> list[FileEntry]:
        """Every included file, by path."""
        return [self._records[path] for path in sorted(self._records)]

    def record(self, path: str) -> FileEntry | None:
        return self._records.get(path)

    def page_of(self, path: str) -> Page | None:
        """The note at ``path`` (None for an attachment or a file not included)."""
        return self._pages.get(path)

    def resolve(self, target: str, source: FileRecord | None) -> str | None:
        """The path of the file a link target lands on (``Note``, ``[[Note|shown]]``,
        ``folder/file.png``), as a link written in ``source`` would; None when it
        lands on no included file."""
        page = self._pages.get(source.path) if source is not None else None
        # Where a name lands depends on the folder and dialect it is written in only;
        # a filter asks again for every file it tests.
        place = (target, posixpath.dirname(page.path), page.dialect) if page is not None \
            else (target, None, None)
        if place not in self._landed:
            self._landed[place] = self._resolve(target, page)
        return self._landed[place]

    def _resolve(self, target: str, page: Page | None) -> str | None:
        written = target.strip()
        matched = _WIKILINK.match(written)
        if matched:
            written = matched.group(1).strip()
        if not written:
            return None
        if written in self._records:
            return written
        found = self._graph.lookup(written, page.id if page is not None else None)
        if found.page is not None:
            return self._path_of.get(found.page)
        if page is not None:
            asset = self._graph.find_asset(written, page).asset
            if asset is not None and asset in self._records:
                return asset
        return self._asset_by_name(written)

    def _asset_by_name(self, written: str) -> str | None:
        # Obsidian finds an attachment by its bare name anywhere in the vault; the
        # nearest the root wins. A base asks for every file it tests: one index.
        if self._by_name is None:
            self._by_name = {}
            for path in sorted(self._records, key=lambda path: (path.count("/"), path)):
                self._by_name.setdefault(posixpath.basename(path).lower(), path)
        name = written.lower()
        if "/" not in name:
            return self._by_name.get(name)
        matches = [path for path in self._records
                   if path.lower() == name or path.lower().endswith("/" + name)]
        return min(matches, key=lambda path: (path.count("/"), path)) if matches else None

    def _note(self, page: Page) -> FileEntry:
        outgoing = self._graph.outgoing(page.id)
        return replace(
            _file(page.path, len(page.text.encode("utf-8"))),
            properties={prop.raw_key: _linked(prop) if page.dialect is Dialect.LOGSEQ
                        else prop.value for prop in page.properties},
            tags=tuple(dict.fromkeys(tag.lstrip("#") for tag in page.tags)),
            links=self._landings(r for r in outgoing if r.ref.kind in _LINK_KINDS),
            embeds=self._landings(r for r in outgoing if r.ref.kind is RefKind.EMBED),
            backlinks=tuple(sorted({path for r in self._graph.backlinks(page.id)
                                    if r.source != page.id and r.ref.kind is not RefKind.TAG
                                    and (path := self._path_of.get(r.source)) is not None})),
        )

    def _landings(self, refs: Iterable[ResolvedRef]) -> tuple[str, ...]:
        """Where references land: an included file's path, else the name as written."""
        found: dict[str, None] = {}
        for resolved in refs:
            target = resolved.target
            path = self._path_of.get(target.page) if target.page is not None else None
            if path is None and target.asset is not None and target.asset in self._records:
                path = target.asset
            found.setdefault(path or resolved.ref.target.strip() or target.name, None)
        return tuple(key for key in found if key)


def _linked(prop: Property) -> PropertyValue:
    """A Logseq property's value with the pages it names written as links, as a base
    reads frontmatter links (Logseq keeps ``[[x]]`` and bare page names alike)."""
    names = set(prop.references)

    def link(item: PropertyValue) -> PropertyValue:
        return f"[[{item}]]" if isinstance(item, str) and item in names else item

    value = prop.value
    return tuple(link(item) for item in value) if isinstance(value, tuple) else link(value)


def _file(path: str, size: int) -> FileEntry:
    name = posixpath.basename(path)
    stem, dot, ext = name.rpartition(".")
    basename, ext = (stem, ext) if dot and stem else (name, "")
    return FileEntry(name, basename, path, posixpath.dirname(path), ext.lower(), size)


__all__ = ["FileEntry", "VaultFiles"]
