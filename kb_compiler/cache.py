"""A persistent parse cache in the user's cache folder, never inside a vault.

An entry is keyed by the file's bytes, its vault-relative path, the parse options and a
fingerprint of kbc's own parsing code, so an unchanged page is never parsed twice and a
new kbc version never reads an old entry. Entries are pickled ``Page`` values written
atomically; a damaged entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

from kb_compiler.config import ParseOptions
from kb_compiler.model import Page

_PARSING_CODE = ("model.py", "config.py", "encoding.py", "parse")


def default_cache_dir() -> Path:
    """``$KBC_CACHE_DIR``, else ``$XDG_CACHE_HOME/kb-compiler``, else ``~/.cache/kb-compiler``."""
    if explicit := os.environ.get("KBC_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kb-compiler"


@cache
def code_fingerprint() -> str:
    """A hash of the source of every module that shapes a parse result."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _PARSING_CODE:
        target = package / name
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for file in files:
            digest.update(file.relative_to(package).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


class ParseCache:
    """Pages by content key. ``get`` and ``put`` never raise on a bad cache folder: a
    cache that cannot be used only makes kbc slower."""

    def __init__(self, folder: Path, options: ParseOptions):
        self.folder = folder / "parse"
        self._salt = f"{code_fingerprint()}\0{options!r}".encode()

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Page | None:
        try:
            with open(self._entry(key), "rb") as handle:
                page = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                IndexError, TypeError, ValueError):
            return None
        return page if isinstance(page, Page) else None

    def put(self, key: str, page: Page) -> None:
        entry = self._entry(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(page, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, entry)
        except (OSError, pickle.PicklingError, RecursionError):
            return

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"


def usable_cache_dir(folder: Path | None, vault: Path) -> Path | None:
    """The cache folder to use, or None when caching is off or the folder would lie
    inside the vault (kbc never writes into a vault)."""
    if folder is None:
        return None
    resolved = folder.resolve()
    if resolved == vault or vault in resolved.parents:
        return None
    return resolved
