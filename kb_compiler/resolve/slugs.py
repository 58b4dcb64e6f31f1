"""Stable, file-system-safe slugs for page ids (``KnowledgeGraph.url_name``).

A slug keeps letters and digits of any script, ``-``, ``_`` and ``.``; everything else
(spaces, ``/``, brackets, emoji) becomes ``-``. Names that would clash with Windows
devices (before a dot too: ``con.x``) or with files the site writes itself get a
suffix after that name; ids whose slugs collide are told apart by a numeric suffix
given in id order, so the mapping is the same every run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from kb_compiler.parse.names import WINDOWS_DEVICES

_UNSAFE = re.compile(r"[^\w.\-]+")
_DASHES = re.compile(r"-{2,}")
MAX_SLUG = 120
# File names are limited to 255 bytes: 120 CJK characters are 360. A slug past this many
# bytes is cut there (at a character's end), which leaves room for the digest, a
# collision suffix and ".html".
MAX_SLUG_BYTES = 200
# Windows device names and names the site build uses for its own files.
RESERVED = WINDOWS_DEVICES | {"index", "404", "search", "sitemap", "pagefind", "assets",
                              "static", "tags", "graph", "feed"}


def slugify(page_id: str) -> str:
    """The slug for one id, before collision handling."""
    slug = _DASHES.sub("-", _UNSAFE.sub("-", page_id.lower())).strip("-.")
    digest = hashlib.sha1(page_id.encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"page-{digest}"
    if len(slug) > MAX_SLUG or len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        cut = slug[:MAX_SLUG].encode("utf-8")[:MAX_SLUG_BYTES].decode("utf-8", "ignore")
        slug = f"{cut.rstrip('-.')}-{digest}"
    first, dot, rest = slug.partition(".")
    if first in RESERVED:  # Windows reads "con.-law" as the device CON too
        slug = f"{first}-page{dot}{rest}"
    return slug


def assign_slugs(page_ids: Iterable[str]) -> dict[str, str]:
    """A unique slug per id: ids are taken in sorted order and a clash gets ``-2``,
    ``-3``... (compared case-insensitively, for case-insensitive file systems)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for page_id in sorted(set(page_ids)):
        result[page_id] = take_slug(slugify(page_id), taken)
    return result


def take_slug(base: str, taken: set[str], first: str | None = None) -> str:
    """``first`` (default ``base``) or, when it is taken, ``base-2``, ``base-3``...:
    the first not in ``taken`` (lower case), which it is added to."""
    slug, number = first or base, 1
    while slug.lower() in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug.lower())
    return slug
