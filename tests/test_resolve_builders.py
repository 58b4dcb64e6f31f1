"""Builders for hand-made pages, so resolve tests state exactly the parsed input they
feed the resolver (no parser in between). Holds no tests of its own."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.config import VaultConfig
from kb_compiler.model import (
    Asset,
    Block,
    Dialect,
    KnowledgeBase,
    Page,
    Property,
    PropertyValue,
    Reference,
    RefKind,
    VaultKind,
)
from kb_compiler.resolve import KnowledgeGraph, Schema, resolve


def ref(target: str = "", line: int = 1, kind: RefKind = RefKind.LINK, *, column: int = 1,
        **fields: object) -> Reference:
    raw = fields.pop("raw", f"[[{target}]]")
    return Reference(kind, target, line, column, raw=raw, **fields)  # type: ignore[arg-type]


def prop(key: str, value: PropertyValue, line: int, *, refs: tuple[str, ...] = (),
         raw: str | None = None) -> Property:
    shown = raw if raw is not None else str(value)
    return Property(key, key, shown, value, line, refs)


def block(index: int, line: int, content: str = "", *, parent: int | None = None,
          depth: int = 0, props: tuple[Property, ...] = (), refs: tuple[Reference, ...] = (),
          heading: int | None = None, block_id: str | None = None) -> Block:
    return Block(index, parent, depth, line, line, content, props, refs, heading, block_id)


def page(path: str, *, name: str | None = None, dialect: Dialect = Dialect.LOGSEQ,
         blocks: tuple[Block, ...] = (), refs: tuple[Reference, ...] = (),
         props: tuple[Property, ...] = (), aliases: tuple[str, ...] = (),
         tags: tuple[str, ...] = (), text: str = "") -> Page:
    """A page; its references are ``refs`` plus every block's, in source order."""
    if name is None:
        stem = path.rsplit("/", 1)[-1].removesuffix(".md")
        name = stem.replace("___", "/") if dialect is Dialect.LOGSEQ else path.removesuffix(".md")
    everything = [*refs, *(r for b in blocks for r in b.references)]
    everything.sort(key=lambda r: (r.line, r.column))
    return Page(path, name, dialect, text, props, blocks, tuple(everything), aliases, tags)


def obsidian(path: str, **fields: object) -> Page:
    return page(path, dialect=Dialect.OBSIDIAN, **fields)  # type: ignore[arg-type]


def vault(*pages: Page, assets: tuple[str, ...] = (), loose: bool = False,
          root: Path = Path("/nonexistent-vault")) -> KnowledgeBase:
    config = VaultConfig(loose_matching=loose)
    return KnowledgeBase(root, VaultKind.FOLDER, tuple(pages),
                         tuple(Asset(a) for a in assets), config=config)


def graph_of(*pages: Page, assets: tuple[str, ...] = (), loose: bool = False,
             schema: Schema | None = None) -> KnowledgeGraph:
    """Resolve hand-made pages (with the empty schema unless one is given)."""
    return resolve(vault(*pages, assets=assets, loose=loose), schema or Schema())


def only_ref(graph: KnowledgeGraph, source: str) -> Reference:
    (resolved,) = graph.outgoing(source)
    return resolved.ref


def codes(graph: KnowledgeGraph) -> list[tuple[str, str, int]]:
    return [(d.code, d.path, d.line) for d in graph.diagnostics]
