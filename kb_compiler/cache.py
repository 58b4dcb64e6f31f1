"""A persistent parse cache in the user's cache folder, never inside a vault, and the
fast pickling that both the cache and the loader's worker processes use.

An entry is keyed by the file's bytes, its vault-relative path, the parse options and a
fingerprint of kbc's own parsing code, so an unchanged page is never parsed twice and a
new kbc version never reads an old entry. Entries are pickled ``Page`` values written
atomically; a damaged entry is treated as a miss.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Callable
from dataclasses import fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from kb_compiler.config import ParseOptions
from kb_compiler.model import Block, Callout, Diagnostic, Macro, Page, Property, Reference

_PARSING_CODE = ("model.py", "config.py", "encoding.py", "cache.py", "parse")
_MODEL_CLASSES = (Page, Block, Reference, Property, Diagnostic, Macro, Callout)
_UNPICKLE_ERRORS = (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                    IndexError, TypeError, ValueError, KeyError, MemoryError)


def _by_constructor(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    """Pickle a frozen slots dataclass as ``cls(*fields)``. The default route for such
    classes goes through ``dataclasses``' Python-level ``__getstate__``/``__setstate__``
    loops, which made moving parsed pages between processes cost more than parsing
    them (4 s to unpickle 10,000 pages; about 40% less this way)."""
    values = attrgetter(*(f.name for f in fields(cls)))
    return lambda obj: (cls, values(obj))


_DISPATCH = {**copyreg.dispatch_table, **{cls: _by_constructor(cls) for cls in _MODEL_CLASSES}}


def dumps(value: object) -> bytes:
    """``value`` pickled, model classes by constructor (``pickle.loads`` reads it)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def loads_page(blob: bytes | None) -> Page | None:
    """The page pickled in ``blob``, or None when it is missing or damaged."""
    if blob is None:
        return None
    try:
        page = pickle.loads(blob)
    except _UNPICKLE_ERRORS:
        return None
    return page if isinstance(page, Page) else None


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
    """Pages by content key. Reads and writes never raise on a bad cache folder: a
    cache that cannot be used only makes kbc slower."""

    def __init__(self, folder: Path, options: ParseOptions):
        self.folder = folder / "parse"
        self._salt = f"{code_fingerprint()}\0{options!r}".encode()
        self._made: set[Path] = set()  # subfolders known to exist

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Page | None:
        return loads_page(self.get_bytes(key))

    def get_bytes(self, key: str) -> bytes | None:
        """The raw entry (not checked: ``loads_page`` treats damage as a miss)."""
        try:
            with open(self._entry(key), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def put(self, key: str, page: Page) -> None:
        try:
            blob = dumps(page)
        except (pickle.PicklingError, RecursionError):
            return
        self.put_bytes(key, blob)

    def put_bytes(self, key: str, blob: bytes) -> None:
        entry = self._entry(key)
        try:
            if entry.parent not in self._made:
                entry.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(entry.parent)
            fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(temp, entry)
        except OSError:
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
