"""Resolve stage: parsed pages -> the knowledge graph.

Public contract used by check and the emitters (implemented in this package's modules):

- ``resolve(kb, schema=None) -> KnowledgeGraph``
- ``KnowledgeGraph`` holds the networkx MultiDiGraph, every reference resolved to a
  ``Target``, backlinks, page types, scores and one-level ``Inclusion``s for embeds and
  block refs. Renderers expand inclusions themselves with an explicit stack, stopping at
  ``MAX_EMBED_DEPTH`` levels and ``MAX_EMBED_BLOCKS`` included blocks per page.
"""

from __future__ import annotations

MAX_EMBED_DEPTH = 8
MAX_EMBED_BLOCKS = 2000
