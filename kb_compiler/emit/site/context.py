"""The published view of a knowledge graph: what the site shows, and where.

``SiteContext`` is built once per build from the ``KnowledgeGraph``. It decides which
pages are published (``privacy``), which pages the site makes up for names that have no
file (tag pages, Logseq namespace parents), each page's file name, and answers the
questions every renderer asks: where does this reference land, may it be shown, what is
the anchor of that block. It never re-resolves a name the graph resolved.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from kb_compiler.cache import default_cache_dir, usable_cache_dir
from kb_compiler.emit.site.assets import publishable, read_published
from kb_compiler.emit.site.bases import BaseViews
from kb_compiler.emit.site.outline import area_picture
from kb_compiler.emit.site.privacy import PublishFilter
from kb_compiler.emit.site.properties import HIDDEN_KEYS
from kb_compiler.emit.site.queries import QueryViews
from kb_compiler.emit.site.render import inline_plain_text
from kb_compiler.emit.site.rules_core import without_comments
from kb_compiler.emit.site.urls import (
    SITE_FILES,
    SlugCounter,
    block_anchor,
    index_anchor,
    page_file,
    relative_url,
    with_fragment,
)
from kb_compiler.errors import fs_text
from kb_compiler.globs import excluded
from kb_compiler.model import Block, Dialect, Page, RefKind, VaultKind, page_id
from kb_compiler.resolve import KnowledgeGraph, ResolvedRef, Target, target_id
from kb_compiler.resolve.blocks import find_heading, heading_level
from kb_compiler.resolve.scores import rollups_within
from kb_compiler.resolve.slugs import take_slug

_HEADING_MARKS = re.compile(r"^\s*#{1,6}\s*")
_TRAILING_MARKS = re.compile(r"\s+#+\s*$|\s+\^[A-Za-z0-9-]+\s*$")

RefKey = tuple[str, str, str]
# An outgoing reference by whether it is a tag and what it names: in Obsidian, `#x` and
# `[[x]]` on one page land on different pages (a tag is no note).
_IndexKey = tuple[bool, RefKey]

# References that name a page a site may make when it has no file (see _made_up_pages).
_NAMING_KINDS = frozenset({RefKind.TAG, RefKind.LINK, RefKind.PROPERTY})

# Deeper namespace parents get no page of their own (see _made_up_pages).
MAX_NAMESPACE_PAGE_DEPTH = 32


# Why a file of the vault is left off the site, as a withheld link's title says it.
UNSAFE_FILE = "not published: a file of this type could run script in the site"
EXCLUDED_FILE = "not published: the exclude setting keeps it off the site"


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """How to build the site (``kbc build`` options)."""

    base_url: str | None = None  # absolute links in sitemap.xml and the feed only
    templates: Path | None = None  # a folder whose templates override ours by name
    allow_raw_html: bool = False  # trusted vault: raw HTML is not sanitized
    search: bool = True  # run pagefind
    serve: bool = False  # add the live-reload script (kbc serve)
    title: str | None = None  # site title (default: the vault folder's name)
    # progress bar on stderr; None: when stderr is a terminal (the command line's
    # choice). Off by default: a library caller's stderr is not kbc's to draw on.
    progress: bool | None = False
    jobs: int | None = None  # worker processes for rendering (None: one per core)


@dataclass
class MadeUpPage:
    """A page the site writes for a name with no file: a tag or a namespace parent."""

    id: str
    name: str
    tagged: set[str] = field(default_factory=set)  # public page ids tagged with it
    is_namespace: bool = False
    linked: bool = False  # a Logseq page links to it: Logseq makes a page of any name


def _file_link(raw: str) -> bool:
    """A Markdown link to a file (``[x](notes/a.md)``), which names no page to Logseq."""
    return raw.startswith("[") and not raw.startswith("[[") and "]([[" not in raw


@functools.lru_cache(maxsize=1 << 16)
def ref_key(target: str, subpath: str | None, block_id: str | None) -> RefKey:
    return (page_id(target), (subpath or "").strip().casefold(), (block_id or "").strip().lower())


def heading_text(block_content: str, *, obsidian: bool = False) -> str:
    """A heading block's readable text, read the way the renderer reads the heading it
    writes (so the anchor computed here is the id the page carries). An Obsidian or
    Markdown heading block holds the heading's text alone (every line of a setext
    heading), whose ``%%comments%%`` the page does not show; a Logseq block holds its
    ``#`` marks and the lines after it."""
    if not obsidian:
        first = block_content.strip().split("\n", 1)[0]
        return inline_plain_text(_TRAILING_MARKS.sub("", _HEADING_MARKS.sub("", first)).strip())
    # the parser has taken a block id ending the heading off its text
    return inline_plain_text(without_comments(block_content.strip()).strip(), obsidian=True)


class SiteContext:
    """Everything page renderers share for one build."""

    def __init__(self, graph: KnowledgeGraph, options: SiteOptions) -> None:
        self.graph = graph
        self.kb = graph.kb
        self.options = options
        self.strict_line_breaks = bool(getattr(self.kb.config, "strict_line_breaks", False))
        self.exclude = tuple(getattr(self.kb.config, "exclude", ()) or ())
        self.hidden_properties = HIDDEN_KEYS | frozenset(
            getattr(self.kb.config, "hidden_properties", ()) or ())
        self.publish = PublishFilter.for_pages(
            self.kb.pages, self.exclude,
            public_by_default=getattr(self.kb.config, "all_pages_public", True))
        self.pages: dict[str, Page] = {
            page.id: page for page in graph.pages() if self.publish.is_public(page.id)
        }
        self.made_up: dict[str, MadeUpPage] = self._made_up_pages()
        self.slugs: dict[str, str] = self._assign_slugs()
        self.redirects: dict[str, str] = self._alias_redirects()
        self.asset_paths = frozenset(asset.path for asset in self.kb.assets)
        self.title = options.title or fs_text(self.kb.root.name)
        # where the build keeps what it may reuse (layouts, compiled templates); None
        # when it would lie inside the vault, which kbc never writes into
        self.cache_folder = usable_cache_dir(default_cache_dir(), self.kb.root.resolve())
        self._ref_index: dict[str, dict[_IndexKey, ResolvedRef]] = {}
        self._anchors: dict[str, dict[int, str]] = {}
        self._id_owners: dict[str, dict[str, int]] = {}  # page -> block anchor -> first block
        self._hrefs: dict[tuple[str, str | None], str | None] = {}
        self._withheld: dict[str, str | None] = {}
        self.icons: dict[str, str] = {}  # page id -> its icon property (metamodel.icon_of)
        self.bases = BaseViews(self)
        self.queries = QueryViews(self)

    # -- scores ------------------------------------------------------------------------

    def rollup(self, key: str) -> float | None:
        """A published page's roll-up over the published pages only: ``kbc scores``
        counts every page, but the site must not show a private page's score through
        its parent's roll-up."""
        return self._rollups.get(key)

    @functools.cached_property
    def _rollups(self) -> dict[str, float | None]:
        return rollups_within({score.page: score for score in self.graph.scores()},
                              self.pages)

    # -- which pages exist on the site ---------------------------------------------------

    def line_breaks_shown(self, page: Page) -> bool:
        """Whether a single newline in a paragraph shows as a line break: always in
        Logseq; in Obsidian (a note of an Obsidian vault, or one in its syntax) unless
        its "Strict line breaks" setting is on; never in plain Markdown (CommonMark)."""
        if page.dialect is Dialect.LOGSEQ:
            return True
        obsidian = page.dialect is Dialect.OBSIDIAN or self.kb.kind is VaultKind.OBSIDIAN
        return obsidian and not self.strict_line_breaks

    def _made_up_pages(self) -> dict[str, MadeUpPage]:
        """Tag pages, namespace parents without a file and, as in Logseq, the pages a
        Logseq page links to that have no file (a page of links to them), unless the
        name is a near miss of a page's (shown broken, with that page offered). Namespace
        parents deeper than ``MAX_NAMESPACE_PAGE_DEPTH`` get no page: a 3,000-level name
        would otherwise make 3,000 pages, each listing its whole chain (quadratic
        output)."""
        made: dict[str, MadeUpPage] = {}
        for resolved in self.graph.refs:
            kind = resolved.ref.kind
            if kind not in _NAMING_KINDS or resolved.source not in self.pages:
                continue
            key = target_id(resolved.target)
            if not key or key in self.pages or not self.publish.is_public(key) \
                    or self.graph.page(key) is not None:
                continue
            if kind is RefKind.TAG:
                entry = made.setdefault(key, MadeUpPage(key, resolved.target.name))
                entry.tagged.add(resolved.source)
            elif self.pages[resolved.source].dialect is Dialect.LOGSEQ \
                    and not resolved.ref.is_asset and not _file_link(resolved.ref.raw) \
                    and resolved.target.suggestion is None:  # a near miss stays a typo
                made.setdefault(key, MadeUpPage(key, resolved.target.name)).linked = True
        for key in sorted(self.pages):
            parent = self.graph.parent(key)
            while parent and parent not in self.pages and self.graph.page(parent) is None \
                    and parent.count("/") < MAX_NAMESPACE_PAGE_DEPTH:
                if parent not in made:
                    made[parent] = MadeUpPage(parent, self._name_of(parent))
                made[parent].is_namespace = True
                parent = self.graph.parent(parent)
        return made

    def _name_of(self, key: str) -> str:
        return self.graph.node_name(key) or key

    def _assign_slugs(self) -> dict[str, str]:
        taken: set[str] = set()
        slugs: dict[str, str] = {}
        # Pages with a file first: a page's address never depends on a made-up page
        # whose name reads the same ("profile (id)" linked, "profile-(id).md" written).
        for key in [*sorted(self.pages), *sorted(self.made_up.keys() - self.pages.keys())]:
            base = self.graph.url_name(key)
            slugs[key] = take_slug(base, taken,
                                   f"{base}-page" if base.lower() in SITE_FILES else None)
        return slugs

    def _alias_redirects(self) -> dict[str, str]:
        """Alias slug -> page id, for every alias whose slug is free."""
        taken = {slug.lower() for slug in self.slugs.values()}
        redirects: dict[str, str] = {}
        for key, page in sorted(self.pages.items()):
            for alias in sorted(page.aliases):
                alias_id = page_id(alias)
                if not alias_id or alias_id == key:
                    continue
                slug = self.graph.url_name(alias_id)
                if slug.lower() in taken or slug.lower() in SITE_FILES:
                    continue
                taken.add(slug.lower())
                redirects[slug] = key
        return redirects

    def display_name(self, key: str) -> str:
        page = self.pages.get(key)
        if page is not None:
            return page.name
        made = self.made_up.get(key)
        return made.name if made is not None else self._name_of(key)

    # -- links -----------------------------------------------------------------------------

    def file_of(self, key: str | None) -> str | None:
        """The site file of a published (or made-up) page, or None."""
        slug = self.slugs.get(key) if key else None
        return page_file(slug) if slug else None

    def href(self, from_file: str, key: str | None, anchor: str | None = None) -> str | None:
        # Only page URLs are kept, by folder: nine in ten hrefs ask for one again, while
        # a block's anchor is mostly asked for once (kept, they held 22 MB per process
        # on a 10,000-page site).
        folder = from_file.rpartition("/")[0]
        found: str | Literal[False] | None = self._hrefs.get((folder, key), False)
        if found is False:
            target = self.file_of(key)
            found = self._hrefs[(folder, key)] = relative_url(from_file, target) \
                if target else None
        return with_fragment(found, anchor) if anchor and found is not None else found

    def is_shown(self, key: str | None) -> bool:
        return key is not None and (key in self.pages or key in self.made_up)

    def shown_children(self, key: str) -> list[str]:
        """The namespace children of ``key`` the site has a page for, by id."""
        return [child for child in self.graph.children(key) if self.is_shown(child)]

    def _outgoing_index(self, key: str) -> dict[_IndexKey, ResolvedRef]:
        """The page's resolved references by kind (tag or not) and what was written
        (target, subpath, id)."""
        index = self._ref_index.get(key)
        if index is None:
            index = {}
            for resolved in self.graph.outgoing(key):
                ref = resolved.ref
                tag = ref.kind is RefKind.TAG
                for target in _target_variants(ref.target):
                    index.setdefault((tag, ref_key(target, ref.subpath, ref.block_id)), resolved)
            self._ref_index[key] = index
        return index

    def find_ref(self, key: str, targets: Iterable[str], subpath: str | None,
                 block_id: str | None = None, *, tag: bool = False) -> ResolvedRef | None:
        """The reference page ``key`` wrote to one of ``targets``: a tag (``tag``) or a
        link or embed; failing that, one of the other kind written alike (where the
        renderer and the parser read a piece of text differently)."""
        index = self._outgoing_index(key)
        for target in targets:
            written = ref_key(target, subpath, block_id)
            found = index.get((tag, written)) or index.get((not tag, written))
            if found is not None:
                return found
        return None

    def links_to_made_up(self, key: str | None, page: Page) -> bool:
        """Whether a link or embed (not a tag) on ``page`` opens the made-up page
        ``key``: in Logseq a tag's page is a page like any; in Obsidian it is no note,
        and a link to its name alone is broken (the check says so)."""
        made = self.made_up.get(key) if key else None
        return made is not None and (page.dialect is Dialect.LOGSEQ or made.linked
                                     or made.is_namespace)

    def shown_suggestion(self, found: Target) -> str | None:
        """The near miss a broken link's title may offer: only one that names a
        published page, a heading or block of one, or a published file. A private
        page's name never reaches the site, not even as a "did you mean"."""
        suggestion = found.suggestion
        if suggestion is None:
            return None
        if found.page is not None:  # a missing heading or block of a page that exists
            return suggestion if found.page in self.pages else None
        named = self.graph.lookup(suggestion)
        if named.page is not None:
            return suggestion if named.exists and named.page in self.pages else None
        if named.asset is not None and named.exists:
            return suggestion if self.can_publish(named.asset) else None
        return None

    def lookup(self, name: str, subpath: str | None, from_page: str) -> Target:
        """Fallback for syntax the parser did not list: resolve as a link would."""
        found = self.graph.lookup(name, from_page) if name else _same_page(self, from_page)
        if not found.exists or not found.page or not subpath:
            return found
        page = self.graph.page(found.page)
        block = _find_subpath(page, subpath) if page is not None else None
        if block is None:
            return found
        return Target(found.page, block, None, True, found.name, node=found.node)

    # -- anchors ---------------------------------------------------------------------------

    def anchor(self, key: str, block: int | None) -> str | None:
        """The element id of block ``block`` on page ``key``'s site page."""
        page = self.pages.get(key)
        if page is None or block is None or not 0 <= block < len(page.blocks):
            return None
        found = page.blocks[block]
        if found.block_id and self._owns_id(key, block):
            return block_anchor(found.block_id)
        heading = self.heading_anchors(key).get(block)
        return heading or index_anchor(block)

    def item_anchor(self, key: str, block: int) -> str:
        """The id of a Logseq outline item (its heading, if any, has the heading id)."""
        found = self.pages[key].blocks[block]
        return block_anchor(found.block_id) if found.block_id and self._owns_id(key, block) \
            else index_anchor(block)

    def _owns_id(self, key: str, block: int) -> bool:
        """Whether ``block`` is the first on its page to carry its id: a later one (a
        ``duplicate-block-id``) gets its place's anchor, not a second element with the
        id, which refs land on the first of."""
        owners = self._id_owners.get(key)
        if owners is None:
            owners = self._id_owners[key] = {}
            for each in self.pages[key].blocks:
                if each.block_id:
                    owners.setdefault(block_anchor(each.block_id), each.index)
        block_id = self.pages[key].blocks[block].block_id or ""
        return owners.get(block_anchor(block_id)) == block

    def heading_anchors(self, key: str) -> dict[int, str]:
        """Block index -> heading id, numbered the way the renderer numbers them."""
        anchors = self._anchors.get(key)
        if anchors is None:
            anchors = {}
            counter = SlugCounter()
            page = self.pages.get(key)
            obsidian = page is not None and page.dialect is not Dialect.LOGSEQ
            for block in page.blocks if page else ():
                if heading_level(block) is not None:
                    text = heading_text(block.content, obsidian=obsidian)
                    anchors[block.index] = counter.take(text)
            self._anchors[key] = anchors
        return anchors

    @functools.cached_property
    def _block_owners(self) -> dict[str, tuple[str, int]]:
        owners: dict[str, tuple[str, int]] = {}
        for page in self.graph.pages():
            for block in page.blocks:
                if block.block_id:
                    owners.setdefault(block.block_id.lower(), (page.id, block.index))
        return owners

    def block_owner(self, block_id: str) -> tuple[str, int] | None:
        """(page id, block index) of the block with this id, in any page."""
        return self._block_owners.get(block_id.strip().lower())

    def asset_bytes(self, path: str) -> bytes | None:
        """What the site publishes for vault file ``path`` (None: withheld); ``OSError``
        when it cannot be read."""
        return read_published(self.kb.root, path)

    def can_publish(self, path: str) -> bool:
        """Whether vault file ``path`` can be published."""
        return self.withheld_because(path) is None

    def withheld_because(self, path: str) -> str | None:
        """Why vault file ``path`` is not published, or None when it can be (read once
        for SVGs, whose content decides; cached)."""
        if path not in self._withheld:
            if excluded(path, self.exclude):
                # a file in a folder the `exclude` globs keep off the site stays off it
                self._withheld[path] = EXCLUDED_FILE
            elif not publishable(path) or (path.lower().endswith(".svg")
                                           and not self._readable_svg(path)):
                self._withheld[path] = UNSAFE_FILE
            else:
                self._withheld[path] = None
        return self._withheld[path]

    def _readable_svg(self, path: str) -> bool:
        try:
            return read_published(self.kb.root, path) is not None
        except OSError:
            return False

    # -- assets --------------------------------------------------------------------------

    def find_asset(self, written: str, page: Page) -> str | None:
        """The vault file a path written on ``page`` names, as resolution finds it
        (``KnowledgeGraph.find_asset``), or None. Never outside the vault."""
        found = self.graph.find_asset(written.split("?", 1)[0].strip(), page)
        return found.asset if found.exists else None

    def area_picture(self, page: Page, block: Block) -> str | None:
        """The picture a Logseq PDF area highlight shows (``outline.area_picture``), by
        its file name wherever the vault keeps it, when the vault has it."""
        picture = area_picture(block)
        return picture if picture is not None and self.find_asset(picture, page) else None


def _target_variants(target: str) -> list[str]:
    variants = [target]
    decoded = unquote(target)
    for candidate in (decoded, decoded.removesuffix(".md"), target.removesuffix(".md")):
        if candidate not in variants:
            variants.append(candidate)
    return variants


def _same_page(context: SiteContext, key: str) -> Target:
    page = context.graph.page(key)
    name = page.name if page else key
    return Target(key if page else None, None, None, page is not None, name, node=key)


def _find_subpath(page: Page, subpath: str) -> int | None:
    subpath = subpath.strip()
    if subpath.startswith("^"):
        wanted = subpath[1:].lower()
        return next((b.index for b in page.blocks if (b.block_id or "").lower() == wanted), None)
    return find_heading(page, [part for part in subpath.split("#") if part.strip()])
