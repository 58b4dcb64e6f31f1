"""Emit stage: the knowledge graph -> output files (the static site, a normalized vault)."""
