"""Resolve stage: parsed pages -> the knowledge graph.

Public contract used by check and the emitters (see ``api_contract.md``):

- ``resolve(kb, schema=None) -> KnowledgeGraph``
- ``KnowledgeGraph`` holds the networkx MultiDiGraph, every reference resolved to a
  ``Target``, backlinks, page types, scores and one-level ``Inclusion``s for embeds and
  block refs. Renderers expand inclusions themselves with an explicit stack, stopping at
  ``MAX_EMBED_DEPTH`` levels and ``MAX_EMBED_BLOCKS`` included blocks per page.
- ``load_schema(path) -> Schema`` reads a metamodel schema (format in ``schema.py``).
"""

from __future__ import annotations

from kb_compiler.resolve.core import MAX_EMBED_BLOCKS, MAX_EMBED_DEPTH, resolve
from kb_compiler.resolve.graph import KnowledgeGraph
from kb_compiler.resolve.schema import Schema, find_schema_file, load_schema, parse_schema
from kb_compiler.resolve.types import (
    Inclusion,
    KeyScore,
    PageScore,
    ResolvedRef,
    Target,
    target_id,
)

__all__ = [
    "MAX_EMBED_BLOCKS",
    "MAX_EMBED_DEPTH",
    "Inclusion",
    "KeyScore",
    "KnowledgeGraph",
    "PageScore",
    "ResolvedRef",
    "Schema",
    "Target",
    "find_schema_file",
    "load_schema",
    "parse_schema",
    "resolve",
    "target_id",
]
