"""Finding the vault's files (assets) a page names: by path from the page, from the vault
root, or by file name, as each app finds them; and the near misses the check offers when
a file is not there. Quiet: what lands nowhere is the caller's to report."""

from __future__ import annotations

import posixpath
import re
import unicodedata

from kb_compiler.model import Dialect, Page
from kb_compiler.resolve.index import VaultIndex, asset_key
from kb_compiler.resolve.nearmiss import NearMissIndex
from kb_compiler.resolve.types import Target

ABSOLUTE = re.compile(r"^(?:/|\\|[A-Za-z]:[\\/]|file:)")


def from_vault_root(written: str) -> str | None:
    """The vault path ``/assets/x.png`` names when read from the vault's root (as Logseq's
    published graphs and web servers read it), or None for a path that does not start
    at one ``/``. Whether the vault has that file is the caller's question: any other
    path that starts at ``/`` lies outside the vault."""
    if not written.startswith("/") or written.startswith("//"):
        return None
    return posixpath.normpath(written.lstrip("/"))


def file_target(path: str, exists: bool, candidates: tuple[str, ...] = ()) -> Target:
    """The target of a reference to the file at vault path ``path``."""
    return Target(None, None, path, exists, path, candidates=candidates,
                  node=f"asset:{path}")


class FileFinder:
    """The vault's files, looked up as references name them."""

    def __init__(self, index: VaultIndex) -> None:
        self.index = index
        self._near: NearMissIndex | None = None  # built on the first missing file only
        self._by_stem: dict[str, str] | None = None

    def find(self, written: str, page: Page) -> Target:
        """Where a file path written on ``page`` (unquoted, without its "#" or "?" part)
        lands: read from the vault root when it starts at one "/", else relative to the
        page, then from the vault root, then by file name (not for a Logseq path that
        names a folder). A path that leaves the vault is never read: the target
        ``escapes``. The site links and copies files by the same rule. A backslash
        separates folders, as it does in a page path (``[x](sub\\Note.md)``)."""
        written = written.replace("\\", "/")
        rooted = from_vault_root(written)
        if rooted is not None and (path := self.at(rooted)) is not None:
            return file_target(path, True)
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), written))
        if ABSOLUTE.match(written) or relative == ".." or relative.startswith("../"):
            return Target(None, None, None, False, written, escapes=True)
        for candidate in (relative, posixpath.normpath(written)):
            if (path := self.at(candidate)) is not None:
                return file_target(path, True)
        explicit_path = "/" in written and page.dialect is Dialect.LOGSEQ
        matches = () if explicit_path else self.named(written)
        if matches:
            return file_target(matches[0], True, matches if len(matches) > 1 else ())
        return file_target(relative, False)

    def at(self, path: str) -> str | None:
        """The file at vault path ``path``, found in any case, its exact case first
        (``photo.png`` beside ``Photo.png``: FORMATS.md 2.5)."""
        return self.index.exact_assets.get(unicodedata.normalize("NFC", path)) or \
            self.index.assets.get(asset_key(path))

    def named(self, written: str) -> tuple[str, ...]:
        """The files whose path ends with ``written``, shortest first."""
        lowered = asset_key(written)
        found = self.index.assets_by_name.get(posixpath.basename(lowered), [])
        matches = [p for p in found if asset_key(p) == lowered
                   or asset_key(p).endswith("/" + lowered)]
        # files whose names differ only in case: the one written in its exact case wins
        exact = unicodedata.normalize("NFC", written)
        same_case = [p for p in matches if (path := unicodedata.normalize("NFC", p)) == exact
                     or path.endswith("/" + exact)]
        return tuple(sorted(same_case or matches, key=lambda p: (len(p), p)))

    def spelt_otherwise(self, written: str, page: Page, path: str) -> str | None:
        """How ``written`` should be spelt when it found the file at ``path`` only by
        ignoring case (``../assets/present.png`` for ``../assets/Present.png``), else
        None."""
        folder = posixpath.dirname(page.path)
        for candidate, spelt in (
                (from_vault_root(written), "/" + path),
                (posixpath.normpath(posixpath.join(folder, written)),
                 posixpath.relpath(path, folder or ".")),
                (posixpath.normpath(written), path)):
            if candidate is None or asset_key(candidate) != asset_key(path):
                continue
            same = unicodedata.normalize("NFC", candidate) == unicodedata.normalize("NFC", path)
            return None if same else spelt
        return None

    def nearest(self, written: str, page: Page, *, by_name: bool) -> str | None:
        """The vault's file most like a missing one, written as the reference would
        name it: by name (an Obsidian wikilink), else as a path from the page (or the
        root)."""
        if self._near is None:
            self._near = NearMissIndex(
                (posixpath.basename(path), path) for path in self.index.assets.values())
        found = self._near.suggest(posixpath.basename(written))
        if found is None:
            return None
        path = found[1]
        if by_name:
            return posixpath.basename(path) if "/" not in written else path
        if written.startswith("/"):
            return "/" + path
        return posixpath.relpath(path, posixpath.dirname(page.path) or ".")

    def named_with_extension(self, page: Page, written: str) -> str | None:
        """``diagram.png`` for ``[[diagram]]`` (or ``Board.canvas`` for ``[[Board]]``):
        Obsidian names a file other than a note with its extension."""
        if page.dialect is Dialect.LOGSEQ:
            return None
        if self._by_stem is None:
            self._by_stem = {}
            for path in sorted(self.index.assets.values(), key=lambda p: (len(p), p)):
                stem = posixpath.splitext(posixpath.basename(asset_key(path)))[0]
                self._by_stem.setdefault(stem, path)
        found = self._by_stem.get(asset_key(written.strip()).rsplit("/", 1)[-1])
        return posixpath.basename(found) if found is not None else None


__all__ = ["ABSOLUTE", "FileFinder", "file_target", "from_vault_root"]
