"""Page-name resolution: which page a written name means, as Logseq and Obsidian decide.

Order, first hit wins (FORMATS.md 1.7-1.10 and 2.5):

1. the page id (case-insensitive, NFC): Logseq's rule, and Obsidian's exact vault path
   for notes whose name is their path;
2. for links written in Obsidian or plain Markdown pages: the exact vault path, then the
   source note's own folder, then the shortest full path that ends with the name
   (``[[Note]]`` finds ``folder/Note.md``; ``[[b/Note]]`` matches as a path suffix); more
   than one candidate makes the link *ambiguous* (reported, the shortest path still wins);
3. aliases (Logseq ``alias::``, Obsidian ``aliases``);
4. Logseq namespace prefixes with no file of their own (``a`` and ``a/b`` exist as soon as
   ``a/b/c`` does), Logseq's built-in pages (``TODO``, ``card``, ``Contents``...) and
   journal days (``[[Dec 1st, 2025]]``; ``[[2025-12-01]]`` names the same day, whose
   journal it is when there is one): *implied* pages, missing but not broken;
5. otherwise unresolved, with a suggestion: for a path-qualified Obsidian name, the note
   of that name in another folder (``[[projects/Plan]]`` when only ``archive/Plan.md``
   exists: the folder was moved or renamed); else a near miss, which resolves silently
   with loose matching on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kb_compiler.model import page_id
from kb_compiler.resolve.index import VaultIndex, path_key


@dataclass(frozen=True, slots=True)
class NameHit:
    """The outcome of resolving one name."""

    page: str | None
    key: str = ""  # the written name's page id: the graph node of a missing page
    candidates: tuple[str, ...] = ()
    implied: bool = False
    suggestion: str | None = None  # the suggested page's name
    suggested_page: str | None = None


class NameResolver:
    """Resolves names against a ``VaultIndex``, caching by (name, rules, folder)."""

    def __init__(self, index: VaultIndex, *, loose: bool = False) -> None:
        self.index = index
        self.loose = loose
        self._cache: dict[tuple[str, bool, str], NameHit] = {}
        self._written: dict[tuple[str, bool, str], NameHit] = {}

    def resolve(self, name: str, *, obsidian: bool, folder: str = "") -> NameHit:
        """Resolve ``name`` written in a page of the given style, in ``folder`` (the
        source file's folder, lower case, for Obsidian's same-folder rule)."""
        written = (name, obsidian, folder if obsidian else "")
        hit = self._written.get(written)
        if hit is None:
            hit = self._written[written] = self._resolve_key(name, obsidian, folder)
        return hit

    def obsidian_tag(self, name: str) -> NameHit:
        """The note an Obsidian tag shares its page with: only one whose id is the tag's
        name. Obsidian resolves aliases for links, never for tags (``#cooking`` went to
        the note with the alias "cooking"); no near-miss either, a tag is never broken."""
        key = page_id(name)
        return NameHit(key if key in self.index.pages else None, key=key)

    def _resolve_key(self, name: str, obsidian: bool, folder: str) -> NameHit:
        key = page_id(name)
        cache_key = (key, obsidian, folder if obsidian else "")
        hit = self._cache.get(cache_key)
        if hit is None:
            found = self._resolve(name, key, obsidian, folder)
            hit = replace(found, key=found.key or key)
            self._cache[cache_key] = hit
        return hit

    def _resolve(self, name: str, key: str, obsidian: bool, folder: str) -> NameHit:
        if not key:
            return NameHit(None)
        if key in self.index.pages:
            return NameHit(key, candidates=self._others(key) if obsidian else ())
        if obsidian:
            found = self._by_path(key, folder)
            if found is not None:
                return found
        if key in self.index.aliases:
            return NameHit(self.index.aliases[key])
        if key in self.index.implied:
            return NameHit(None, implied=True)
        if not obsidian:
            day = self.index.day_title(name)
            if day is not None:  # [[2024-01-16]] is the journal of that day, file or not
                day_key = page_id(day)
                if day_key in self.index.pages:
                    return NameHit(day_key)
                return NameHit(None, key=day_key, implied=True)
            if key in self.index.built_in:
                return NameHit(None, implied=True)  # Logseq has the page without a file
        if obsidian and "/" in key:
            moved = self._elsewhere(key, folder)
            if moved is not None:
                return moved
        near = self.index.near.suggest(name) if self.index.near else None
        if near is None:
            return NameHit(None)
        suggestion, page = near
        if self.loose:
            return NameHit(page)
        return NameHit(None, suggestion=suggestion, suggested_page=page)

    def _elsewhere(self, key: str, folder: str) -> NameHit | None:
        """A path-qualified name whose note is in another folder (moved, or the folder
        renamed): that note is the suggestion, written as its vault path."""
        found = self._by_path(key.rsplit("/", 1)[1], folder)
        if found is None or found.page is None:
            return None
        path = self.index.page_path(found.page)
        return NameHit(None, suggestion=path.rsplit(".", 1)[0], suggested_page=found.page)

    def _by_path(self, key: str, folder: str) -> NameHit | None:
        stem = path_key(key)
        by_path = self.index.by_path
        if stem in by_path:
            return NameHit(by_path[stem], candidates=self._others(stem))
        if folder and f"{folder}/{stem}" in by_path:
            return NameHit(by_path[f"{folder}/{stem}"], candidates=self._others(stem))
        candidates = self.index.by_suffix.get(stem, [])
        if not candidates:
            return None
        ranked = self._ranked(candidates)
        others = tuple(ranked) if len(ranked) > 1 else ()
        return NameHit(ranked[0], candidates=others)

    def _others(self, stem: str) -> tuple[str, ...]:
        """Every note a bare name matches, when it matches more than one: the exact
        vault path or the same folder picks one, and the link is still reported as
        ambiguous (FORMATS.md 2.5), since moving a note changes where it lands. A name
        written with its folders (``[[b/Note]]``) is how Obsidian tells them apart."""
        if "/" in stem:
            return ()
        candidates = self.index.by_suffix.get(stem, [])
        return tuple(self._ranked(candidates)) if len(candidates) > 1 else ()

    def _ranked(self, candidates: list[str]) -> list[str]:
        return sorted(candidates, key=lambda page: (len(self.index.page_path(page)),
                                                    self.index.page_path(page)))
