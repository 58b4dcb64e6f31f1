"""``KnowledgeGraph``: the resolved knowledge base, read-only, as check and emit see it.

It is built once by ``kb_compiler.resolve.resolve``; every lookup here is a dictionary
read, so renderers can ask per page and per reference without quadratic cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from kb_compiler.model import Diagnostic, KnowledgeBase, Page, RefKind, Severity
from kb_compiler.model import page_id as id_of
from kb_compiler.resolve.schema import Schema
from kb_compiler.resolve.slugs import slugify
from kb_compiler.resolve.types import Inclusion, PageScore, ResolvedRef, Target

if TYPE_CHECKING:
    import networkx as nx

_Value = TypeVar("_Value")


class KnowledgeGraph:
    """Pages, every reference resolved, the networkx graph, types, namespaces, scores.

    ``graph`` is a ``networkx.MultiDiGraph``: a node per page id (existing pages, and
    missing or implied pages with ``exists`` False) and per asset (id ``asset:<path>``);
    edges carry ``kind`` (``link``, ``embed``, ``block-ref``, ``tag``, ``property``,
    ``namespace``, ``metamodel``, ``asset``), ``line``, and ``property`` / ``block`` where
    they apply. ``refs`` lists every reference of every page in (path, line, column)
    order; ``diagnostics`` the resolution findings, sorted.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        network: Callable[[], nx.MultiDiGraph],
        refs: tuple[ResolvedRef, ...],
        diagnostics: tuple[Diagnostic, ...],
        *,
        pages: Mapping[str, Page],
        lookup: Callable[[str, str | None], Target],
        find_asset: Callable[[str, Page], Target],
        inclusions: Mapping[ResolvedRef, Inclusion],
        types: Mapping[str, str],
        parents: Mapping[str, str],
        children: Mapping[str, tuple[str, ...]],
        scores: Mapping[str, PageScore],
        url_names: Mapping[str, str],
        node_names: Mapping[str, str],
        schema: Schema | None = None,
    ) -> None:
        self.kb = kb
        self._network = network
        self._graph: nx.MultiDiGraph | None = None
        self.refs = refs
        self.diagnostics = diagnostics
        self.schema = schema if schema is not None else Schema()
        self._pages = dict(pages)
        self._lookup = lookup
        self._find_asset = find_asset
        self._inclusions = dict(inclusions)
        self._types = dict(types)
        self._parents = dict(parents)
        self._children = dict(children)
        self._scores = dict(scores)
        self._url_names = dict(url_names)
        self._node_names = node_names
        self._outgoing: dict[str, list[ResolvedRef]] = {}
        self._backlinks: dict[str, list[ResolvedRef]] = {}
        for resolved in refs:
            self._outgoing.setdefault(resolved.source, []).append(resolved)
            landed = resolved.target.page or _missing_page(resolved)
            if landed is not None:
                self._backlinks.setdefault(landed, []).append(resolved)

    def __repr__(self) -> str:
        errors = sum(d.severity is Severity.ERROR for d in self.diagnostics)
        return (f"KnowledgeGraph(root={str(self.kb.root)!r}, pages={len(self._pages)}, "
                f"refs={len(self.refs)}, diagnostics={len(self.diagnostics)}, "
                f"errors={errors})")

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx graph, assembled on first use: the site and the checks read the
        dictionaries here, and a 50,000-page graph costs seconds and a gigabyte."""
        if self._graph is None:
            self._graph = self._network()
            self._network = _assembled  # what it held (node attributes...) can go
        return self._graph

    def node_name(self, node: str) -> str | None:
        """The name of a graph node (a page, missing page, implied parent or asset) as
        written, or None for an id that is no node."""
        return _by_id_or_name(self._node_names, node)

    # -- pages -------------------------------------------------------------------------

    def page(self, page_id: str) -> Page | None:
        """The existing page with this id (the first by path when ids clash), or None.
        A name in any case or Unicode form finds it too, as ``KnowledgeBase.page`` does."""
        return _by_id_or_name(self._pages, page_id)

    def pages(self) -> tuple[Page, ...]:
        """Every existing page that owns its id, sorted by id."""
        return tuple(self._pages[key] for key in sorted(self._pages))

    def lookup(self, name: str, from_page: str | None = None) -> Target:
        """Resolve ``name`` the way a ``[[name]]`` link written in ``from_page`` would."""
        return self._lookup(name, from_page)

    def find_asset(self, written: str, page: Page) -> Target:
        """Where a file path written on ``page`` lands (unquoted, without its "#" or "?"
        part), as its references were resolved; ``exists`` False when no file is there,
        ``escapes`` when the path leaves the vault."""
        return self._find_asset(written, page)

    # -- references --------------------------------------------------------------------

    def outgoing(self, page_id: str) -> tuple[ResolvedRef, ...]:
        """Every reference written in the page, in source order."""
        return tuple(_by_id_or_name(self._outgoing, page_id) or ())

    def backlinks(self, page_id: str) -> tuple[ResolvedRef, ...]:
        """References from other pages (and the page itself) whose target is this page,
        sorted by (source path, line, column); for a page with no file (a graph node
        with ``exists`` false), the links and relations that name it."""
        return tuple(_by_id_or_name(self._backlinks, page_id) or ())

    def inclusion(self, ref: ResolvedRef) -> Inclusion:
        """What an EMBED or BLOCK_REF reference shows, one level deep. Any other kind
        (or a reference not from this graph) gives an empty, non-existing inclusion."""
        found = self._inclusions.get(ref)
        if found is not None:
            return found
        if ref.ref.kind in (RefKind.EMBED, RefKind.BLOCK_REF):
            return Inclusion(ref, ref.target.page, (), False)
        return Inclusion(ref, None, (), False)

    # -- metamodel ---------------------------------------------------------------------

    def page_type(self, page_id: str) -> str | None:
        """The page's metamodel type: its ``metamodel-id`` target, or the schema rule's."""
        return _by_id_or_name(self._types, page_id)

    def parent(self, page_id: str) -> str | None:
        """The namespace parent id (``a/b`` for ``a/b/c``), existing or implied."""
        return _by_id_or_name(self._parents, page_id)

    def children(self, page_id: str) -> tuple[str, ...]:
        """Direct namespace children ids (existing or implied), sorted."""
        return _by_id_or_name(self._children, page_id) or ()

    def score(self, page_id: str) -> PageScore | None:
        """The page's key-weight score and roll-up (the page named by an id, or by a
        name in any case); None for what is not a page."""
        return _by_id_or_name(self._scores, page_id)

    def scores(self) -> tuple[PageScore, ...]:
        """Every existing page's score, sorted by page id."""
        return tuple(self._scores[key] for key in sorted(self._scores))

    def url_name(self, page_id: str) -> str:
        """A stable, file-system-safe slug for the page, unique across the vault."""
        known = self._url_names.get(page_id)
        return known if known is not None else slugify(page_id)


def _by_id_or_name(table: Mapping[str, _Value], key: str) -> _Value | None:
    """``table[key]`` for a page id; a name in any case or Unicode form finds the page's
    entry too (every lookup of ``KnowledgeGraph`` takes either, as ``page`` does)."""
    found = table.get(key)
    return found if found is not None else table.get(id_of(key))


def _assembled() -> nx.MultiDiGraph:
    raise AssertionError("the graph is assembled once")


def _missing_page(resolved: ResolvedRef) -> str | None:
    """The node of the page with no file a link or relation names (not a tag: a tag's
    page lists what carries it; not a file)."""
    target = resolved.target
    if target.exists or target.asset is not None or resolved.ref.kind not in (
            RefKind.LINK, RefKind.PROPERTY):
        return None
    return target.node
