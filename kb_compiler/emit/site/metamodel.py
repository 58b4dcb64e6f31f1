"""The metamodel as the site shows it: a page's panel (type, parent, children with their
weights and scores, relations, key-weight bars, score and roll-up) and the overview on
the home page. Only published pages are named; scores come from the graph as computed
(see the README for the formula)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.linker import PageLinker
from kb_compiler.emit.site.properties import render_property


@dataclass(frozen=True, slots=True)
class Ref:
    name: str
    href: str | None  # None: not published (shown as plain text)


@dataclass
class KeyView:
    label: str
    key_weight: int
    value: int
    href: str | None


@dataclass
class ChildView:
    key: str
    ref: Ref
    icon: str
    weight: int | None
    score: float | None
    rollup: float | None


@dataclass
class MetamodelView:
    type: Ref | None
    parent: Ref | None
    children: list[ChildView] = field(default_factory=list)
    relations: str = ""  # trusted HTML
    keys: list[KeyView] = field(default_factory=list)
    weight: int | None = None
    score: float | None = None
    rollup: float | None = None
    # A weight:: written but not counted (``high``), as written: shown as such.
    uncounted_weight: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.type or self.children or self.relations or self.keys
                    or self.score is not None or self.weight is not None
                    or self.uncounted_weight is not None)


def ref_to(context: SiteContext, key: str | None, from_file: str) -> Ref | None:
    if not key:
        return None
    return Ref(context.display_name(key), context.href(from_file, key))


def icon_of(context: SiteContext, key: str) -> str:
    found = context.icons.get(key)  # asked for every link the site-wide pages list
    if found is None:
        page = context.pages.get(key)
        prop = page.property("icon") if page else None
        found = str(prop.value) if prop is not None and isinstance(prop.value, str) else ""
        context.icons[key] = found
    return found


def child_view(context: SiteContext, key: str, from_file: str) -> ChildView:
    score = context.graph.score(key)
    return ChildView(
        key,
        ref_to(context, key, from_file) or Ref(key, None),
        icon_of(context, key),
        score.weight if score else None,
        score.score if score else None,
        context.rollup(key),
    )


def metamodel_view(context: SiteContext, key: str, from_file: str,
                   linker: PageLinker) -> MetamodelView:
    graph = context.graph
    page = context.pages[key]
    page_type = graph.page_type(key)
    score = graph.score(key)
    children = [child_view(context, child, from_file) for child in
                (score.children if score else ()) if child in context.pages]
    relations_prop = page.property("relations")
    relations = render_property(relations_prop, linker).value if relations_prop else ""
    keys = [
        KeyView(k.label, k.key_weight, k.value,
                context.href(from_file, key, context.anchor(key, k.block)))
        for k in (score.keys if score else ())
    ]
    type_ref = ref_to(context, page_type, from_file) if page_type and page_type != key else None
    if page_type == key:
        type_ref = Ref(page.name, None)
    parent = graph.parent(key)
    written = page.property("weight")
    return MetamodelView(
        type=type_ref,
        parent=ref_to(context, parent, from_file) if context.is_shown(parent) else None,
        children=children,
        relations=relations,
        keys=keys,
        weight=score.weight if score else None,
        score=score.score if score else None,
        rollup=context.rollup(key),
        uncounted_weight=written.raw.strip() if written is not None and written.raw.strip()
        and (score is None or score.weight is None) and _in_metamodel(context, key) else None,
    )


def _in_metamodel(context: SiteContext, key: str) -> bool:
    """Whether the page takes part in the metamodel: typed, scored, or a part its
    parent rolls up. Elsewhere a ``weight::`` is the author's own (``weight: 72 kg``)."""
    graph = context.graph
    score = graph.score(key)
    if graph.page_type(key) is not None or (score and (score.keys or score.children)):
        return True
    parent = graph.parent(key)
    parent_score = graph.score(parent) if parent else None
    return parent_score is not None and key in parent_score.children


@dataclass
class ArtifactCard:
    """One top-level artifact on the home page, with its metamodel children."""

    key: str
    ref: Ref
    icon: str
    type: str | None
    weight: int | None
    score: float | None
    rollup: float | None
    children: list[ChildView]
    keys: int


def overview(context: SiteContext, from_file: str, limit: int = 24) -> list[ArtifactCard]:
    """The artifacts at the top of the metamodel: published pages with a score or with
    scored parts, whose parent is not one of them. Best described first."""
    graph = context.graph
    scored = {key for key in context.pages if (s := graph.score(key)) and (
        s.score is not None or any(child in context.pages for child in s.children))}
    cards = []
    for key in sorted(scored):
        parent = graph.parent(key)
        if parent in scored:
            continue
        score = graph.score(key)
        assert score is not None
        children = [child_view(context, child, from_file)
                    for child in score.children if child in context.pages]
        cards.append(ArtifactCard(
            key, ref_to(context, key, from_file) or Ref(key, None), icon_of(context, key),
            graph.page_type(key), score.weight, score.score, context.rollup(key),
            children, len(score.keys),
        ))
    cards.sort(key=lambda card: (-len(card.children), -card.keys, card.ref.name.lower()))
    return cards[:limit]


@dataclass
class TypeGroup:
    """Published pages of one metamodel type (for the home page)."""

    type: Ref
    pages: list[Ref]
    total: int


def pages_by_type(context: SiteContext, from_file: str, shown: set[str],
                  per_type: int = 12) -> list[TypeGroup]:
    """Typed pages not already on an overview card, grouped by type (largest first)."""
    groups: dict[str, list[str]] = {}
    for key in context.pages:
        page_type = context.graph.page_type(key)
        if page_type and key not in shown:
            groups.setdefault(page_type, []).append(key)
    result = []
    for page_type, keys in groups.items():
        ordered = sorted(keys, key=lambda k: (context.display_name(k).lower(), k))
        type_ref = ref_to(context, page_type, from_file) or Ref(page_type, None)
        if not context.is_shown(page_type):
            type_ref = Ref(page_type, None)
        refs = [ref_to(context, k, from_file) or Ref(k, None) for k in ordered[:per_type]]
        result.append(TypeGroup(type_ref, distinct_tails(refs), len(ordered)))
    result.sort(key=lambda group: (-group.total, group.type.name.lower()))
    return result


def distinct_tails(refs: list[Ref]) -> list[Ref]:
    """Each ref named by the shortest end of its namespace path that no other ref's
    path ends with: ``Space X`` alone, ``persona/examples/Space X`` beside
    ``profile-(id)/examples/Space X`` (three chips read "Exotic Pet Rental")."""
    parts = [[part for part in ref.name.split("/") if part] or [ref.name] for ref in refs]
    named = []
    for ref, path in zip(refs, parts, strict=True):
        depth = 1
        while depth < len(path) and any(
                other is not path and other[-depth:] == path[-depth:] for other in parts):
            depth += 1
        named.append(Ref("/".join(path[-depth:]), ref.href))
    return named
