"""``resolve``: build the ``KnowledgeGraph`` of a parsed knowledge base.

The steps, each in its own module: index the vault once (``index``), resolve every
reference (``refs``, ``names``), type the pages and check them against the schema
(``metamodel``), work out embeds and their cycles (``embeds``), score the keys
(``scores``) and assemble the networkx graph (``network``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb_compiler.errors import KbcError, fs_text
from kb_compiler.gcpause import no_gc_pauses
from kb_compiler.model import (
    Diagnostic,
    Dialect,
    KnowledgeBase,
    Page,
    Property,
    Reference,
    RefKind,
    namespaced,
)
from kb_compiler.resolve import embeds, metamodel, network
from kb_compiler.resolve.graph import KnowledgeGraph
from kb_compiler.resolve.index import VaultIndex, build_index
from kb_compiler.resolve.names import NameResolver
from kb_compiler.resolve.refs import NON_LINK_PROPERTIES, ReferenceResolver
from kb_compiler.resolve.schema import Schema, find_schema_file, load_schema
from kb_compiler.resolve.scores import compute_scores
from kb_compiler.resolve.slugs import assign_slugs
from kb_compiler.resolve.types import ResolvedRef

if TYPE_CHECKING:
    import networkx as nx

MAX_EMBED_DEPTH = 8
MAX_EMBED_BLOCKS = 2000
TAG_KEYS = frozenset({"tags", "tag"})


def vault_schema(kb: KnowledgeBase) -> Schema:
    """The vault's schema (the configured file, else ``kbc-schema.yaml`` at the root),
    or the empty schema. A broken schema file raises ``KbcError``."""
    configured = getattr(kb.config, "schema", None)
    found = find_schema_file(kb.root, configured)
    if found is None:
        return Schema()
    try:
        shown = found.resolve().relative_to(kb.root.resolve()).as_posix()
    except ValueError:
        raise KbcError("the schema file must be inside the vault", path=str(found)) from None
    return load_schema(found, shown)


def resolve(kb: KnowledgeBase, schema: Schema | None = None) -> KnowledgeGraph:
    """Resolve every reference of ``kb`` and build the graph. ``schema`` None means the
    vault's own schema file (if any); pass ``Schema()`` to check without one."""
    schema = vault_schema(kb) if schema is None else schema
    with no_gc_pauses():
        return _resolve(kb, schema)


@dataclass(frozen=True)
class Findings:
    """What resolution finds, without the graph: every reference resolved and every
    diagnostic. All that ``kbc check`` reads, at about half the cost of ``resolve``
    (no networkx graph, scores or slugs)."""

    kb: KnowledgeBase
    refs: tuple[ResolvedRef, ...]
    diagnostics: tuple[Diagnostic, ...]
    pages: Mapping[str, Page]

    def page(self, page_id: str) -> Page | None:
        return self.pages.get(page_id)


def find_problems(kb: KnowledgeBase, schema: Schema | None = None) -> Findings:
    """The references and diagnostics ``resolve`` would give, without building the
    graph (``schema`` as in ``resolve``)."""
    schema = vault_schema(kb) if schema is None else schema
    with no_gc_pauses():
        found = _Resolution(kb, schema)
        return Findings(kb, tuple(found.refs), _final_diagnostics(kb, found.diagnostics),
                        found.index.pages)


class _Resolution:
    """The steps ``resolve`` and ``find_problems`` share: references resolved, pages
    typed and checked, embeds and their cycles worked out."""

    def __init__(self, kb: KnowledgeBase, schema: Schema) -> None:
        self.index = index = build_index(kb)
        names = NameResolver(index, loose=bool(getattr(kb.config, "loose_matching", False)))
        self.resolver = resolver = ReferenceResolver(
            index, names, templates=tuple(getattr(kb.config, "templates", ()) or ()))
        ordered = sorted(kb.pages, key=lambda page: page.path)
        refs: list[ResolvedRef] = []
        self.refs = refs
        for page in ordered:
            source = page.id
            resolved = [ResolvedRef(source, ref, resolver.resolve(page, ref))
                        for ref in page_references(page)]
            # A second file of a page (duplicate-page) is checked, but links go to the
            # first: its references would be that file's lines in the graph.
            if index.pages.get(source) is page:
                refs.extend(resolved)
        resolver.forget_written()
        refs_by_page: dict[str, list[ResolvedRef]] = {}
        for r in refs:
            refs_by_page.setdefault(r.source, []).append(r)
        pages = index.pages
        self.types, declared = metamodel.assign_types(pages, refs_by_page, schema)
        self.inclusions = embeds.build_inclusions(pages, refs)
        self.diagnostics: list[Diagnostic] = [*index.diagnostics, *resolver.diagnostics]
        self.diagnostics.extend(embeds.find_embed_cycles(pages, self.inclusions))
        self.diagnostics.extend(
            metamodel.check_pages(ordered, self.types, declared, refs_by_page, schema))
        self.schema = schema
        if any(rule.children for rule in schema.types):  # else a roll-up is a tree
            self.diagnostics.extend(metamodel.rollup_cycle(pages, self.rollup_children))
        if index.near is not None:
            index.near.release()

    @functools.cached_property
    def rollup_children(self) -> dict[str, tuple[str, ...]]:
        """The metamodel children each page rolls up (``metamodel.rollup_children``):
        read by the scores, and by the check when the schema's child types could close
        a cycle."""
        pages = self.index.pages
        return metamodel.rollup_children(
            pages, {**_folder_children(pages), **_namespace_children(pages)}, self.types,
            self.schema)


def _namespace_line(page: Page | None) -> int:
    """Where a page names its namespace: its ``title::`` (Logseq), else its first line
    (the name comes from the file's)."""
    title = page.property("title") if page is not None else None
    return title.line if title is not None and title.line > 0 else 1


def _resolve(kb: KnowledgeBase, schema: Schema) -> KnowledgeGraph:
    found = _Resolution(kb, schema)
    index, refs, types = found.index, found.refs, found.types
    pages = index.pages
    in_namespaces = _namespaced_ids(pages, refs)
    parents, children = _namespaces(in_namespaces)
    scores = compute_scores(
        pages, found.rollup_children,
        lambda page, prop: metamodel.broken_rule(prop, schema, types.get(page.id)) is None)

    nodes = _nodes(kb, index, refs, types, scores, in_namespaces, schema)

    def assemble() -> nx.MultiDiGraph:
        edges = itertools.chain(
            (edge for r in refs if (edge := network.reference_edge(r, pages)) is not None),
            (network.Edge(child, parent, "namespace", _namespace_line(pages.get(child)))
             for child, parent in parents.items()))
        with no_gc_pauses():
            return network.assemble(nodes, edges, fs_text(kb.root.name))

    return KnowledgeGraph(
        kb, assemble, tuple(refs), _final_diagnostics(kb, found.diagnostics),
        pages=pages, lookup=found.resolver.lookup, find_asset=found.resolver.find_asset,
        inclusions=found.inclusions, types=types,
        parents=parents, children=children, scores=scores,
        url_names=assign_slugs(pages), node_names={key: str(attributes["name"])
                                                   for key, attributes in nodes.items()},
        schema=schema,
    )


def page_references(page: Page) -> list[Reference]:
    """The page's references in source order, plus references for properties whose
    links the parser listed only in ``Property.references`` (so links in properties
    always count, and are never counted twice), and the plain-text type's
    (``plain_type_reference``)."""
    refs = [r for r in page.references if (r.property or "") not in NON_LINK_PROPERTIES]
    parsed_keys = {r.property for r in refs if r.property}
    lines: list[str] = []
    for prop in _all_properties(page):
        if prop.key in NON_LINK_PROPERTIES or prop.key in parsed_keys or not prop.references:
            continue
        lines = lines or page.text.split("\n")
        for name in prop.references:
            kind = RefKind.TAG if prop.key in TAG_KEYS else RefKind.PROPERTY
            refs.append(Reference(kind, name, prop.line, _column(lines, prop.line, name),
                                  property=prop.key, raw=name))
    typed = plain_type_reference(page)
    if typed is not None:
        refs.append(typed)
    return sorted(refs, key=lambda r: (r.line, r.column))


def plain_type_reference(page: Page) -> Reference | None:
    """The reference a page's own ``metamodel-id`` makes in plain text (``metamodel-id::
    Concept``, Obsidian's ``metamodel-id: Concept``): it names the type page as
    ``[[Concept]]`` does, so it is resolved (aliases too), checked and drawn as an edge
    like one. None when the value is written as a link, or is no text."""
    key = metamodel.METAMODEL_KEY
    found = page.property(key)
    value = found.value if found is not None else None
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]  # YAML's one-item list: metamodel-id: [Concept]
    if found is None or found.references or not isinstance(value, str) \
            or any(r.property == key for r in page.references):
        return None
    name = value.strip()
    if not name or "[[" in name:
        return None
    column = _column(page.text.split("\n", found.line), found.line, name)  # lines to it
    return Reference(RefKind.PROPERTY, name, found.line, column, property=key, raw=name)


def _all_properties(page: Page) -> Iterable[Property]:
    yield from page.properties
    for block in page.blocks:
        yield from block.properties


def _column(lines: list[str], line: int, name: str) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    found = text.find(name)
    return found + 1 if found >= 0 else 1


def _namespaced_ids(pages: Mapping[str, Page], refs: list[ResolvedRef]) -> set[str]:
    """Ids that take part in Logseq namespaces: Logseq pages, and missing pages that
    Logseq pages name. Obsidian folders are not namespaces."""
    found = {key for key, page in pages.items() if page.dialect is Dialect.LOGSEQ}
    for resolved in refs:
        target = resolved.target
        source = pages.get(resolved.source)
        if (target.page is None and target.asset is None and target.node
                and source is not None and source.dialect is Dialect.LOGSEQ):
            found.add(target.node)
    return {key for key in found if namespaced(key)}


def _namespace_children(pages: Mapping[str, Page]) -> dict[str, tuple[str, ...]]:
    """Each existing page's namespace children that are existing Logseq pages: the ones
    a roll-up may count (``_namespaces``, for the graph, adds implied pages too)."""
    found: dict[str, list[str]] = {}
    for key, page in pages.items():
        if page.dialect is Dialect.LOGSEQ and namespaced(key):
            parent = key.rsplit("/", 1)[0]
            if parent in pages:
                found.setdefault(parent, []).append(key)
    return {parent: tuple(sorted(keys)) for parent, keys in found.items()}


def _folder_children(pages: Mapping[str, Page]) -> dict[str, tuple[str, ...]]:
    """For roll-ups only: an Obsidian note's children are the notes in the folder of its
    name beside it (``art.md`` and ``art/sub.md``, a folder note), which is how a
    Logseq namespace ``art/sub`` is written there. Folders are no namespaces otherwise."""
    found: dict[str, list[str]] = {}
    for key, page in pages.items():
        if page.dialect is Dialect.LOGSEQ or "/" not in key:
            continue
        parent = key.rsplit("/", 1)[0]
        owner = pages.get(parent)
        if owner is not None and owner.dialect is not Dialect.LOGSEQ:
            found.setdefault(parent, []).append(key)
    return {parent: tuple(sorted(keys)) for parent, keys in found.items()}


def _namespaces(in_namespaces: set[str]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    parents: dict[str, str] = {}
    pending = sorted(in_namespaces)
    while pending:
        child = pending.pop()
        if child in parents or not namespaced(child):
            continue
        parent = child.rsplit("/", 1)[0]
        parents[child] = parent
        pending.append(parent)
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    return parents, {key: tuple(sorted(value)) for key, value in children.items()}


def _nodes(kb: KnowledgeBase, index: VaultIndex, refs: list[ResolvedRef],
           types: Mapping[str, str], scores: Mapping, in_namespaces: set[str],
           schema: Schema) -> dict[str, dict]:
    nodes: dict[str, dict] = network.asset_nodes(kb.assets)
    for key, page in index.pages.items():
        nodes[key] = network.page_attributes(page, types.get(key), scores.get(key))
    for resolved in refs:
        target = resolved.target
        if target.node is None or target.node in nodes:
            continue
        if target.asset is not None:
            nodes[target.node] = network.asset_attributes(target.asset, target.exists)
        else:
            page_type = metamodel.type_by_rule(schema, target.name, None)
            nodes[target.node] = network.missing_attributes(target.name, page_type,
                                                            target.implied)
    for key in sorted(in_namespaces):  # implied namespace parents, named as their child
        segments = key.split("/")
        written = [part for part in str(nodes[key]["name"]).split("/") if part.strip()]
        if len(written) != len(segments):
            written = segments
        for end in range(1, len(segments)):
            prefix = "/".join(segments[:end])
            if prefix not in nodes:
                name = "/".join(part.strip() for part in written[:end])
                nodes[prefix] = network.missing_attributes(name, None, True)
    return nodes


def _final_diagnostics(kb: KnowledgeBase, found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Sorted and without repeats of what the parser already reported on the same line
    (e.g. an empty ``relations:: [[]]``)."""
    parsed = {(d.code, d.path, d.line) for d in kb.all_diagnostics()}
    unique = {d for d in found if (d.code, d.path, d.line) not in parsed}
    return tuple(sorted(unique, key=lambda d: (*d.sort_key(), d.target or "")))


__all__ = ["MAX_EMBED_BLOCKS", "MAX_EMBED_DEPTH", "Findings", "find_problems", "resolve",
           "vault_schema"]
