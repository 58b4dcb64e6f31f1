"""One site page per published note, and one per made-up page (tag, namespace).

``PageBuilder.body`` renders a note's content (embeds filled, table of contents put in;
a Logseq page's blocks kept as backlink context for the pages it links to);
``PageBuilder.assemble`` gathers what the page template shows around it (properties,
metamodel panel, backlinks with context, tags, namespace, local graph, broken links) and
renders the template. Both results are plain data, so pages can be rendered in worker
processes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from kb_compiler.emit.site.backlinks import BacklinkContexts, Batch
from kb_compiler.emit.site.body import BodyRenderer, Snippets, render_included
from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.embeds import Transcluder
from kb_compiler.emit.site.graphview import GraphNode, local_graph
from kb_compiler.emit.site.linker import BrokenLink, LinkReport, PageLinker
from kb_compiler.emit.site.metamodel import icon_of, metamodel_view
from kb_compiler.emit.site.properties import property_views
from kb_compiler.emit.site.render import TOC_SLOT
from kb_compiler.emit.site.text import markup_text
from kb_compiler.emit.site.theme import Theme
from kb_compiler.model import RefKind
from kb_compiler.resolve import KnowledgeGraph, target_id
from kb_compiler.resolve.dates import page_date

EXCERPT_CHARS = 280
MAX_LISTED = 500  # tagged pages / namespace children listed on one page
BREADCRUMBS = 32  # namespace ancestors named above a page
METAMODEL_KEYS = frozenset({"relations", "metamodel-id", "weight"})


@dataclass
class Body:
    """A page's rendered content (what ``PageBuilder.body`` gives ``assemble``)."""

    key: str
    content: str
    toc: list[tuple[int, str, str]]
    broken: list[BrokenLink]
    assets: set[str]
    contexts: Batch | None  # its blocks as other pages' backlink context
    reads: frozenset[str] = frozenset()  # other pages whose content it shows

    def without_contexts(self) -> Body:
        return replace(self, contexts=None)


@dataclass(frozen=True, slots=True)
class PageResult:
    """A rendered site page, and what the rest of the build needs to know about it."""

    key: str
    file: str
    html: str
    title: str
    excerpt: str
    assets: frozenset[str]
    broken: int
    reads: frozenset[str] = frozenset()  # other pages whose content the content shows



def breadcrumb_pages(graph: KnowledgeGraph, key: str) -> list[str]:
    """The namespace parents up from ``key`` that a page's breadcrumbs name and link,
    nearest first (at most ``BREADCRUMBS``)."""
    found: list[str] = []
    parent = graph.parent(key)
    while parent and len(found) < BREADCRUMBS:
        found.append(parent)
        parent = graph.parent(parent)
    return found

def excerpt_of(markup: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of the markup's text, cut at a word. Only as much
    markup is read as the excerpt needs (a long page's whole text took a second per
    10,000 pages): a prefix ending at a tag's end, doubled until its text is longer
    than ``limit`` (then its first ``limit`` characters are the whole text's)."""
    size = 8 * limit
    while True:
        cut = markup.rfind(">", 0, size) + 1 if size < len(markup) else len(markup)
        text = markup_text(markup[:cut])
        if len(text) > limit:
            return text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
        if cut == len(markup):
            return text
        size *= 2


def toc_html(headings: list[tuple[int, str, str]]) -> str:
    if not headings:
        return ""
    top = min(level for level, _, _ in headings)
    items = "".join(
        f'<li class="toc-l{level - top}"><a href="#{html.escape(anchor, quote=True)}">'
        f"{html.escape(text)}</a></li>" for level, text, anchor in headings
    )
    return f'<nav class="toc-inline" aria-label="Contents"><ul>{items}</ul></nav>'


class PageBuilder:
    """Renders page files for one build (one per worker process)."""

    def __init__(self, context: SiteContext, theme: Theme) -> None:
        self.context = context
        self.theme = theme
        self.snippets = Snippets(context)
        self.backlinks = BacklinkContexts(context, self.snippets)

    def page(self, key: str) -> PageResult:
        return self.assemble(key, self.body(key))

    def body(self, key: str) -> Body:
        """The page's content: rendered, embeds filled, table of contents put in; and,
        for a Logseq page, its blocks as other pages' backlink context."""
        context = self.context
        page = context.pages[key]
        site_file = context.file_of(key) or ""
        report = LinkReport()
        transcluder = Transcluder(context, site_file)
        transcluder.render = partial(render_included, context, site_file, self.snippets,
                                     transcluder, report)
        renderer = BodyRenderer(context, page, site_file, report, snippets=self.snippets,
                                transcluder=transcluder)
        outline = renderer.whole()
        contexts = self.backlinks.own(key, renderer, transcluder)
        content = transcluder.fill(outline)
        toc = [(level, text, anchor) for level, text, anchor in renderer.headings]
        content = content.replace(TOC_SLOT, toc_html(toc))
        # Every slot's page counts, filled or not: a cycle or cut-off note names it.
        reads = frozenset({*report.reads, *(slot.page for slot in transcluder.slots)} - {key})
        return Body(key, content, toc, list(report.broken), set(report.assets), contexts,
                    reads)

    def assemble(self, key: str, body: Body) -> PageResult:
        """The page file: the content with everything the page shows around it."""
        context = self.context
        page = context.pages[key]
        site_file = context.file_of(key) or ""
        report = LinkReport(list(body.broken), set(body.assets))
        linker = PageLinker(context, page, site_file, report, snippets=self.snippets)
        properties = property_views(page, linker)
        metamodel = metamodel_view(context, key, site_file, linker)
        if not metamodel.empty:  # the metamodel panel shows these already
            properties = [p for p in properties if p.lookup not in METAMODEL_KEYS]
        backlinks = self.backlinks.for_page(key, site_file)
        report.assets.update(backlinks.assets)
        view: dict[str, Any] = {  # the template's page: values of every kind
            "key": key,
            "title": page.name,
            "icon": icon_of(context, key),
            "content": body.content,
            "toc": body.toc,
            "properties": properties,
            "metamodel": None if metamodel.empty else metamodel,
            "aliases": sorted(page.aliases, key=str.lower),
            "tags": self._tags(key, page.tags, site_file),
            "breadcrumbs": self._breadcrumbs(key, site_file),
            "backlinks": backlinks,
            "tagged": self._tagged(key, site_file),
            "children": self._children(key, site_file),
            "local_graph": self._local_graph(key, site_file),
            "broken": _unique(report.broken),
            "path": page.path,
            "dialect": page.dialect.value,
            "date": page_date(page),
            "type": context.graph.page_type(key),
        }
        markup = self.theme.render("page.html", site_file, page=view)
        return PageResult(key, site_file, markup, page.name, excerpt_of(body.content),
                          frozenset(report.assets), len(view["broken"]), body.reads)

    def made_up(self, key: str) -> PageResult:
        """A page for a tag, a namespace or a name Logseq pages link to that has no file
        of its own."""
        made = self.context.made_up[key]
        site_file = self.context.file_of(key) or ""
        backlinks = self.backlinks.for_page(key, site_file)
        view: dict[str, Any] = {
            "key": key,
            "title": made.name,
            "is_tag": bool(made.tagged),
            "tagged": self._tagged(key, site_file),
            "children": self._children(key, site_file),
            "breadcrumbs": self._breadcrumbs(key, site_file),
            "backlinks": backlinks,
        }
        template = "tag.html" if made.tagged else \
            "namespace.html" if made.is_namespace else "linked.html"
        markup = self.theme.render(template, site_file, page=view)
        summary = f"{len(view['tagged'])} pages tagged, {len(view['children'])} in namespace"
        return PageResult(key, site_file, markup, made.name, summary,
                          frozenset(backlinks.assets), 0)

    # -- what surrounds the content ----------------------------------------------------

    def _tags(self, key: str, tags: tuple[str, ...],
              site_file: str) -> list[tuple[str, str | None]]:
        shown = []
        for name in sorted(set(tags), key=str.lower):
            found = self.context.find_ref(key, [name], None, tag=True)
            tag_key = target_id(found.target) if found is not None else None
            tag_key = tag_key or self.context.lookup(name, None, key).page
            href = self.context.href(site_file, tag_key) if tag_key else None
            shown.append((name, href))
        return shown

    def _breadcrumbs(self, key: str, site_file: str) -> list[tuple[str, str | None]]:
        crumbs = [(self.context.display_name(up).rsplit("/", 1)[-1],
                   self.context.href(site_file, up))
                  for up in breadcrumb_pages(self.context.graph, key)]
        return list(reversed(crumbs))

    def _tagged(self, key: str, site_file: str) -> list[tuple[str, str | None]]:
        sources = {r.source for r in self.context.graph.backlinks(key)
                   if r.ref.kind is RefKind.TAG and r.source in self.context.pages}
        made = self.context.made_up.get(key)
        if made is not None:
            sources |= made.tagged
        ordered = sorted(sources, key=lambda s: (self.context.display_name(s).lower(), s))
        return [(self.context.display_name(s), self.context.href(site_file, s))
                for s in ordered[:MAX_LISTED]]

    def _children(self, key: str, site_file: str) -> list[tuple[str, str | None]]:
        shown = self.context.shown_children(key)
        return [(self.context.display_name(c), self.context.href(site_file, c))
                for c in shown[:MAX_LISTED]]

    def _local_graph(self, key: str, site_file: str) -> str:
        context = self.context
        neighbours: set[str] = set()
        edges: list[tuple[str, str]] = []
        for resolved in context.graph.outgoing(key):
            other = target_id(resolved.target)
            if other and other != key and context.is_shown(other):
                neighbours.add(other)
                edges.append((key, other))
        for resolved in context.graph.backlinks(key):
            if resolved.source != key and resolved.source in context.pages:
                neighbours.add(resolved.source)
                edges.append((resolved.source, key))
        parent = context.graph.parent(key)
        if context.is_shown(parent) and parent:
            neighbours.add(parent)
            edges.append((key, parent))
        for child in context.graph.children(key):
            if context.is_shown(child):
                neighbours.add(child)
                edges.append((child, key))
        center = GraphNode(key, context.display_name(key), None,
                           context.graph.page_type(key), current=True)
        nodes = [GraphNode(n, context.display_name(n).rsplit("/", 1)[-1],
                           context.href(site_file, n), context.graph.page_type(n))
                 for n in sorted(neighbours)]
        return local_graph(center, nodes, edges)


def _unique(broken: list[BrokenLink]) -> list[BrokenLink]:
    seen: dict[tuple[str, str], BrokenLink] = {}
    for item in broken:
        seen.setdefault((item.label, item.target), item)
    return sorted(seen.values(), key=lambda b: (b.target.lower(), b.label.lower()))

