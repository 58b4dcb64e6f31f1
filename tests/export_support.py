"""Helpers for the ``kbc export`` tests: run exports, hash trees, and reduce a knowledge
graph to the facts a lossless conversion must keep.

``facts(graph)`` is what "keeps every page, property and every link, embed, block-ref
and tag edge" means in the tests: the existing pages with their properties, aliases and
tags, and the multiset of edges (source, target, kind, property, block, heading). Only
what is written differently by design is normalized, never dropped:

- line numbers (a converted page has other lines);
- names inside property values are replaced by the page they resolve to (links are
  rewritten to canonical names: aliases and case resolved), and ``alias`` / ``aliases``
  are one key;
- heading links compare by the heading's key (case and punctuation folded, as
  resolution compares them);
- block ids go through ``block_map`` when given: an Obsidian ``^id`` that is not a
  uuid becomes the uuid ``kb_compiler.emit.vault.blocks.block_uuid`` derives from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import kb_compiler
from kb_compiler.emit.vault import ExportReport, export_vault
from kb_compiler.emit.vault.blocks import block_uuid
from kb_compiler.model import Dialect, page_id
from kb_compiler.resolve import KnowledgeGraph, resolve
from kb_compiler.resolve.blocks import heading_key

_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")


def graph_of(path: Path) -> KnowledgeGraph:
    return resolve(kb_compiler.load(path, cache_dir=None, jobs=1))


def export(graph: KnowledgeGraph, out: Path, to: str, force: bool = False) -> ExportReport:
    return export_vault(graph, out, to=Dialect(to), force=force)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file (and symbolic link) under ``root`` with a hash of its bytes."""
    found: dict[str, str] = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[relative] = "link:" + os.readlink(path)
            else:
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


@dataclass
class Facts:
    pages: dict[str, tuple[str, str, str]]  # id -> (properties, aliases, tags) as JSON
    edges: Counter

    def differences(self, other: Facts) -> list[str]:
        found = []
        for key in sorted(set(self.pages) | set(other.pages)):
            if self.pages.get(key) != other.pages.get(key):
                found.append(f"page {key!r}: {self.pages.get(key)} != {other.pages.get(key)}")
        found += [f"edge lost: {edge}" for edge in sorted(self.edges - other.edges, key=str)]
        found += [f"edge added: {edge}" for edge in sorted(other.edges - self.edges, key=str)]
        return found


def facts(graph: KnowledgeGraph, block_map: Callable[[str, str], str] | None = None,
          collapse: bool = False) -> Facts:
    """The graph's facts (see the module docstring). ``collapse`` compares across
    dialects: a one-item list is its item; a page's ``tags`` field (Obsidian lists
    inline tags there too, Logseq only ``tags::``) is left to the tag edges; namespace
    edges (Logseq only) are left out; a heading link and a block ref are both a
    reference into a page (Logseq has no heading links)."""
    pages: dict[str, tuple[str, str, str]] = {}
    for node, data in graph.graph.nodes(data=True):
        if data["exists"] and data["kind"] == "page":
            properties = {("aliases" if key == "alias" else key):
                          _value(graph, node, key, value, collapse)
                          for key, value in data["properties"].items()}
            pages[node] = (json.dumps(properties, sort_keys=True, ensure_ascii=False),
                           json.dumps(sorted({page_id(a) for a in data["aliases"]})),
                           "" if collapse else
                           json.dumps(sorted({page_id(t) for t in data["tags"]})))
    edges: Counter = Counter()
    for source, target, data in graph.graph.edges(data=True):
        block = data.get("block")
        if block and block_map is not None:
            block = block_map(target, block)
        heading = heading_key(data["heading"]) if data.get("heading") else None
        kind = data["kind"]
        if collapse:
            if kind == "namespace":
                continue
            if block or heading:
                kind = "embed" if kind == "embed" else "into-page"
            block = heading = None
        edges[(source, target, kind, data.get("property"), block, heading)] += 1
    return Facts(pages, edges)


def obsidian_ids(target: str, block: str) -> str:
    """The uuid an Obsidian ``^block`` id of page ``target`` gets in Logseq."""
    return block_uuid(target, block)


def _value(graph: KnowledgeGraph, page: str, key: str, value: object, collapse: bool) -> object:
    if isinstance(value, list):
        items = [_value(graph, page, key, item, collapse) for item in value]
        return items[0] if collapse and len(items) == 1 else items
    if not isinstance(value, str):
        return value
    if key in ("tags", "tag"):
        return _node(graph, page, value)
    if key in ("alias", "aliases"):
        return page_id(value)
    if _LINK.fullmatch(value.strip()):
        return "[[" + _node(graph, page, value.strip()[2:-2]) + "]]"
    if "[[" in value:
        return _LINK.sub(lambda m: "[[" + _node(graph, page, m.group(1)) + "]]", value)
    page_data = graph.page(page)
    prop = page_data.property(key) if page_data is not None else None
    if prop is not None and value in prop.references:
        return "[[" + _node(graph, page, value) + "]]"
    return value


def _node(graph: KnowledgeGraph, page: str, name: str) -> str:
    target = graph.lookup(name.split("|")[0].split("#")[0], page)
    return target.node or page_id(name)
