"""Backlinks with context: which published pages point at a page, and the block each
reference sits in, with embeds shown as links (not transcluded), cached.

A Logseq page's context blocks are cut from the page's own render (each outline block
is rendered on its own, so a block's HTML is at hand): rendering a page once serves
both its file and the backlinks of every page it links to. Markdown pages' context
blocks are rendered from their source lines, once, in the same pass (otherwise each
worker rendering pages would render them again for the pages it has). References from
unpublished pages are never shown, not even as a count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb_compiler.emit.site.body import BodyRenderer, Snippets, plain_snippet
from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.embeds import Transcluder
from kb_compiler.emit.site.linker import LinkReport, escape
from kb_compiler.emit.site.render import TOC_SLOT
from kb_compiler.model import Dialect, RefKind
from kb_compiler.resolve.blocks import LineMap

if TYPE_CHECKING:
    from kb_compiler.emit.site.stash import Stashed

Batch = tuple[dict[int, str], frozenset[str]]  # block index -> context HTML; assets shown
_ID = re.compile(r' id="[^"]*"')
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_FOOTNOTES = re.compile(r'<hr class="footnotes-sep">.*?</section>', re.DOTALL)
MAX_CONTEXTS = 60  # blocks shown with their text; further sources are listed by name
# A context block's HTML beyond this is shown as a line of plain text: every page a
# block links to shows it, so a block of 4,000 links made a 1 GB site.
CONTEXT_HTML_CHARS = 8192
MAX_SOURCES = 400
STASHED_KEPT = 512  # stashed context batches a process keeps once read (the latest used)

_KIND_LABEL = {
    RefKind.LINK: "links here",
    RefKind.EMBED: "embeds this page",
    RefKind.BLOCK_REF: "references a block",
    RefKind.TAG: "tagged",
    RefKind.PROPERTY: "property",
}


@dataclass
class BacklinkItem:
    context: str  # trusted HTML
    href: str  # to the block on the source page
    kind: str


@dataclass
class BacklinkGroup:
    name: str
    href: str
    items: list[BacklinkItem] = field(default_factory=list)


@dataclass
class Backlinks:
    groups: list[BacklinkGroup]
    more: list[tuple[str, str]]  # further source pages (name, href), no context
    total: int
    assets: set[str] = field(default_factory=set)  # files the contexts show


class BacklinkContexts:
    """Renders and caches the context block of each backlink."""

    def __init__(self, context: SiteContext, snippets: Snippets) -> None:
        self.context = context
        self.snippets = snippets
        self._line_maps: dict[str, LineMap] = {}
        # (source page, folder) -> rendered context blocks of that page, and their assets
        self._batches: dict[tuple[str, str], tuple[dict[int, str], frozenset[str]]] = {}
        # Batches made in the first render pass, kept on disk (see ``read_stashed``)
        self._stashed: Mapping[str, Stashed] = {}
        self._read: Callable[[Stashed], Batch] | None = None
        self._recent: dict[str, Batch] = {}

    def for_page(self, key: str, site_file: str) -> Backlinks:
        seen: dict[str, BacklinkGroup] = {}
        more: dict[str, tuple[str, str]] = {}
        assets: set[str] = set()
        contexts = 0
        refs = [r for r in self.context.graph.backlinks(key)
                if r.source != key and r.source in self.context.pages]
        for resolved in sorted(refs, key=lambda r: (self.context.display_name(r.source).lower(),
                                                    r.source, r.ref.line, r.ref.column)):
            source = resolved.source
            name = self.context.display_name(source)
            href = self.context.href(site_file, source) or ""
            if contexts >= MAX_CONTEXTS and source not in seen:
                if len(more) < MAX_SOURCES:
                    more.setdefault(source, (name, href))
                continue
            group = seen.setdefault(source, BacklinkGroup(name, href))
            item = self._item(source, resolved.ref.line, resolved.ref.property,
                              resolved.ref.kind, site_file, assets)
            if item is not None and all(i.href != item.href for i in group.items):
                group.items.append(item)
                contexts += 1
        for source in more:
            seen.pop(source, None)
        sources = {r.source for r in refs}
        return Backlinks(list(seen.values()), sorted(more.values()), len(sources), assets)

    def _item(self, source: str, line: int, prop: str | None, kind: RefKind,
              site_file: str, assets: set[str]) -> BacklinkItem | None:
        page = self.context.pages[source]
        label = _KIND_LABEL.get(kind, "links here")
        if prop or not page.blocks:
            text = f"property <code>{escape(prop)}</code>" if prop else escape(label)
            href = self.context.href(site_file, source) or ""
            return BacklinkItem(f'<p class="backlink-prop">{text}</p>', href, kind.value)
        index = self._line_map(source).block_at(line)
        if index is None:
            return None
        href = self.context.href(site_file, source, self.context.anchor(source, index)) or ""
        rendered, shown = self._batch(source, site_file)
        assets.update(shown)
        return BacklinkItem(rendered.get(index, ""), href, kind.value)

    def read_stashed(self, where: Mapping[str, Stashed],
                     read: Callable[[Stashed], Batch] | None) -> None:
        """Where the context blocks made while the source pages were rendered lie (for
        pages in the source's own folder), read with ``read`` when a page needs them;
        None forgets them. Held in memory instead, they were copied into every forked
        worker that read them."""
        self._stashed, self._read, self._recent = (where, read, {}) if read else ({}, None, {})

    def own(self, source: str, renderer: BodyRenderer, transcluder: Transcluder) -> Batch:
        """The context blocks ``source`` gives other pages, made while it is rendered: a
        Logseq page's cut from its render, a Markdown page's rendered from its source."""
        if self.context.pages[source].dialect is Dialect.LOGSEQ:
            return self.derive(source, renderer, transcluder)
        return self._render_batch(source, self.context.file_of(source) or "")

    def derive(self, source: str, renderer: BodyRenderer, transcluder: Transcluder) -> Batch:
        """Context blocks of a Logseq page, cut from its own render (see the module doc):
        embeds shown as links, ids, footnotes and the table of contents left out."""
        wanted = self._wanted(source)
        derived = {}
        for index in wanted:
            markup = renderer.block_html.get(index)
            if markup is None:
                continue
            markup = transcluder.as_links(markup).replace(TOC_SLOT, "")
            markup = _FOOTNOTES.sub("", _FOOTNOTE_REF.sub("", markup))
            derived[index] = _ID.sub("", markup)
        return _bounded(derived), frozenset(renderer.linker.report.assets)

    def _line_map(self, source: str) -> LineMap:
        line_map = self._line_maps.get(source)
        if line_map is None:
            line_map = self._line_maps[source] = LineMap(self.context.pages[source])
        return line_map

    def _wanted(self, source: str) -> list[int]:
        line_map = self._line_map(source)
        return sorted({index for r in self.context.graph.outgoing(source)
                       if not r.ref.property
                       and (index := line_map.block_at(r.ref.line)) is not None})

    def _batch(self, source: str, site_file: str) -> Batch:
        """Every context block ``source`` can contribute: from its own render when the
        page was rendered in this build (stashed), else rendered here (once, cached)."""
        folder = site_file.rpartition("/")[0]
        batch = self._batches.get((source, folder)) or self._stashed_batch(source, folder)
        if batch is None:
            batch = self._batches[(source, folder)] = self._render_batch(source, site_file)
        return batch

    def _stashed_batch(self, source: str, folder: str) -> Batch | None:
        where = self._stashed.get(source)
        if where is None or self._read is None \
                or folder != (self.context.file_of(source) or "").rpartition("/")[0]:
            return None
        batch = self._recent.pop(source, None)  # put back last: the latest used
        if batch is None:
            batch = self._read(where)
            if len(self._recent) >= STASHED_KEPT:
                del self._recent[next(iter(self._recent))]
        self._recent[source] = batch
        return batch

    def _render_batch(self, source: str, site_file: str) -> Batch:
        page = self.context.pages[source]
        report = LinkReport()
        if page.dialect is Dialect.LOGSEQ:  # the same way as while rendering the page
            transcluder = Transcluder(self.context, site_file)
            renderer = BodyRenderer(self.context, page, site_file, report,
                                    snippets=self.snippets, transcluder=transcluder)
            renderer.whole()
            return self.derive(source, renderer, transcluder)
        renderer = BodyRenderer(self.context, page, site_file, report, snippets=self.snippets,
                                doc_id=f"bl-{self.context.slugs.get(source, '')}")
        return _bounded(renderer.blocks_alone(self._wanted(source))), frozenset(report.assets)


def _bounded(contexts: dict[int, str]) -> dict[int, str]:
    """``contexts`` with each one longer than ``CONTEXT_HTML_CHARS`` cut to a line of
    plain text, once per source page rather than once per page showing it."""
    return {index: markup if len(markup) <= CONTEXT_HTML_CHARS
            else f'<p class="backlink-cut">{plain_snippet(markup)}</p>'
            for index, markup in contexts.items()}
