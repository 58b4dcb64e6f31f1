"""The site's own pages and files: home (the metamodel at a glance), all pages, tags,
the global graph, 404, alias redirects, hover-preview data, sitemap and feed."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.feeds import FeedEntry, atom_feed, sitemap_xml
from kb_compiler.emit.site.graphview import GraphNode, global_graph
from kb_compiler.emit.site.metamodel import icon_of, overview, pages_by_type
from kb_compiler.emit.site.pages import PageResult
from kb_compiler.emit.site.theme import Theme
from kb_compiler.emit.site.urls import PREVIEWS_DIR, page_file, relative_url, site_url
from kb_compiler.model import Page, RefKind
from kb_compiler.resolve import target_id
from kb_compiler.resolve.dates import instant, page_date

SITE_PAGES = ("index.html", "all-pages.html", "tags.html", "graph.html")
PAGES_PER_SHARD = 64
MAX_SHARDS = 256
NAV_ITEMS = 80


@dataclass(frozen=True, slots=True)
class NavItem:
    name: str
    path: str  # site path, from the root
    depth: int
    icon: str = ""
    score: float | None = None


def preview_shards(page_count: int) -> int:
    return max(1, min(MAX_SHARDS, math.ceil(page_count / PAGES_PER_SHARD)))


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over UTF-8 bytes; site.js computes the same to find a shard."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def navigation(context: SiteContext) -> list[NavItem]:
    """The metamodel tree for the sidebar: top artifacts and their children."""
    items: list[NavItem] = []
    for card in overview(context, "index.html", limit=NAV_ITEMS):
        if card.ref.href is None:
            continue
        items.append(NavItem(card.ref.name, card.ref.href, 0, card.icon,
                             card.rollup if card.rollup is not None else card.score))
        for child in card.children:
            if child.ref.href is not None and len(items) < NAV_ITEMS:
                items.append(NavItem(child.ref.name.rsplit("/", 1)[-1], child.ref.href, 1,
                                     child.icon, child.rollup if child.rollup is not None
                                     else child.score))
        if len(items) >= NAV_ITEMS:
            break
    return items


def _shown_tags(context: SiteContext) -> dict[str, set[str]]:
    tags: dict[str, set[str]] = {}
    for resolved in context.graph.refs:
        if resolved.ref.kind is not RefKind.TAG or resolved.source not in context.pages:
            continue
        key = target_id(resolved.target)
        if context.is_shown(key) and key:
            tags.setdefault(key, set()).add(resolved.source)
    return tags


def _link(context: SiteContext, key: str) -> dict[str, Any]:
    return {"name": context.display_name(key), "href": page_file(context.slugs[key]),
            "icon": icon_of(context, key), "type": context.graph.page_type(key),
            "score": (s.score if (s := context.graph.score(key)) else None)}


def home_page(context: SiteContext, theme: Theme, results: Sequence[PageResult]) -> str:
    tags = _shown_tags(context)
    dated = sorted(((instant(date), key, date) for key, page in context.pages.items()
                    if (date := page_date(page))), reverse=True)[:8]
    typed = sum(1 for key in context.pages if context.graph.page_type(key))
    cards = overview(context, "index.html")
    shown = {card.key for card in cards} | {c.key for card in cards for c in card.children}
    linked = _most_linked(context)
    home = {
        "linked": linked,
        "links": sum(1 for r in context.graph.refs
                     if r.source in context.pages and target_id(r.target) in context.pages),
        "cards": cards,
        "types": pages_by_type(context, "index.html", shown),
        "stats": {"pages": len(context.pages), "tags": len(tags), "typed": typed,
                  "broken": sum(r.broken for r in results)},
        "recent": [{**_link(context, key), "date": date} for _, key, date in dated],
        "top_namespaces": _top_namespaces(context),
    }
    return theme.render("index.html", "index.html", home=home)


def _most_linked(context: SiteContext, limit: int = 10) -> list[dict[str, Any]]:
    """The published pages most other published pages point at."""
    sources: dict[str, set[str]] = {}
    for resolved in context.graph.refs:
        key = target_id(resolved.target)
        if key in context.pages and resolved.source in context.pages and key != resolved.source:
            sources.setdefault(key, set()).add(resolved.source)
    ranked = sorted(sources.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    return [{**_link(context, key), "count": len(found)} for key, found in ranked]


def _top_namespaces(context: SiteContext) -> list[dict[str, Any]]:
    """The largest namespaces at the top of the tree. Only names the graph reads as a
    namespace count: an Obsidian folder is none, and its name may be a tag's page."""
    counts: dict[str, int] = {}
    for key in context.pages:
        if "/" in key and context.graph.parent(key) is not None:
            top = key.split("/", 1)[0]
            counts[top] = counts.get(top, 0) + 1
    shown = [(top, n) for top, n in counts.items() if context.is_shown(top)]
    shown.sort(key=lambda item: (-item[1], item[0]))
    return [{**_link(context, top), "count": n} for top, n in shown[:12]]


def all_pages(context: SiteContext, theme: Theme) -> str:
    groups: dict[str, list[dict[str, Any]]] = {}
    for key in sorted(context.pages, key=lambda k: (context.display_name(k).lower(), k)):
        name = context.display_name(key)
        letter = name[:1].upper() if name[:1].isalpha() else "#"
        groups.setdefault(letter, []).append(_link(context, key))
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "#", item[0]))
    return theme.render("all-pages.html", "all-pages.html", groups=ordered,
                        count=len(context.pages))


def tags_page(context: SiteContext, theme: Theme) -> str:
    tags = _shown_tags(context)
    rows = [{**_link(context, key), "count": len(sources)}
            for key, sources in sorted(tags.items(),
                                       key=lambda item: context.display_name(item[0]).lower())]
    return theme.render("tags.html", "tags.html", tags=rows)


def graph_page(context: SiteContext, theme: Theme) -> str:
    """The global graph: every published and made-up page but those a Logseq page
    property leaves out of it (``exclude-from-graph-view:: true``), with the links
    between them."""
    shown = sorted({*(key for key, page in context.pages.items()
                      if not excluded_from_graph_view(page)), *context.made_up})
    nodes = [GraphNode(key, context.display_name(key), page_file(context.slugs[key]),
                       context.graph.page_type(key)) for key in shown]
    edges = itertools.chain(  # read once: no list of every link of the vault
        ((r.source, other) for r in context.graph.refs
         if r.source in context.pages and (other := target_id(r.target))
         and context.is_shown(other)),
        ((key, parent) for key in shown
         if (parent := context.graph.parent(key)) and context.is_shown(parent)))
    svg, omitted = global_graph(nodes, edges, context.cache_folder)
    return theme.render("graph.html", "graph.html", svg=svg, omitted=omitted,
                        total=len(nodes))


def excluded_from_graph_view(page: Page) -> bool:
    """Whether the page says ``exclude-from-graph-view:: true``: Logseq leaves such a
    page out of its global graph, though not out of the graph of a page it links to
    or of its own (the site's local graphs do the same)."""
    prop = page.property("exclude-from-graph-view")
    return prop is not None and prop.value is True


def not_found_page(theme: Theme) -> str:
    return theme.render("404.html", "404.html")


def redirect_pages(context: SiteContext, theme: Theme) -> Iterable[tuple[str, str]]:
    """An alias's page, sending the reader on to its page (``target``, relative) and
    naming that page as the canonical address: absolute when the base URL is known, as
    search engines prefer it."""
    base = context.options.base_url
    for slug, key in sorted(context.redirects.items()):
        source, target = page_file(slug), page_file(context.slugs[key])
        relative = relative_url(source, target)
        yield source, theme.render("redirect.html", source, target=relative,
                                   canonical=site_url(base, target) if base else relative,
                                   target_name=context.display_name(key))


def preview_files(context: SiteContext, results: Sequence[PageResult],
                  shards: int) -> dict[str, str]:
    """``previews/<n>.js``: title, icon, type and excerpt of each page, by slug, in
    ``shards`` files (site.js finds a page's file by the FNV-1a hash of its slug)."""
    buckets: dict[int, dict[str, list[str]]] = {n: {} for n in range(shards)}
    for result in results:
        slug = result.file.removesuffix(".html")
        entry = [result.title, icon_of(context, result.key),
                 context.graph.page_type(result.key) or "", result.excerpt]
        buckets[fnv1a(slug) % shards][slug] = entry
    return {
        f"{PREVIEWS_DIR}/{n}.js": "window.kbcPreviews&&kbcPreviews("
        + json.dumps(bucket, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        + ");\n"
        for n, bucket in buckets.items()
    }


def has_feed(context: SiteContext) -> bool:
    """Whether the site has a feed: only when a published page is dated. A feed of no
    entries has no true date to give as its ``<updated>``, which Atom requires, and the
    build reads no clock (its output would change on every run); every page links to the
    feed only when there is one."""
    return any(page_date(page) for page in context.pages.values())


def feed_and_sitemap(context: SiteContext, results: Sequence[PageResult]) -> dict[str, str]:
    """``sitemap.xml`` when the site has a ``--base-url`` (the protocol wants absolute
    addresses: one of relative ones is refused by search engines), and ``feed.xml``
    when a page is dated (see ``has_feed``)."""
    base = context.options.base_url
    entries: list[FeedEntry] = []
    paths: list[tuple[str, str | None]] = [(path, None) for path in SITE_PAGES]
    for result in sorted(results, key=lambda r: r.file):
        page = context.pages.get(result.key)
        date = page_date(page) if page is not None else None
        paths.append((result.file, date))
        if date:
            entries.append(FeedEntry(result.title, result.file, date, result.excerpt))
    files = {"sitemap.xml": sitemap_xml(paths, base)} if base else {}
    if entries:
        files["feed.xml"] = atom_feed(context.title, entries, base)
    return files

