"""A persistent parse cache in the user's cache folder, never inside a vault, and the
fast pickling that both the cache and the loader's worker processes use.

An entry is keyed by the file's bytes, its vault-relative path, the parse options and a
fingerprint of kbc's own parsing code, so an unchanged page is never parsed twice and a
new kbc version never reads an old entry. Entries are pickled ``Page`` values in one
SQLite database, written in transactions; a damaged entry is treated as a miss.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from kb_compiler.config import ParseOptions
from kb_compiler.model import (
    Block,
    Callout,
    Diagnostic,
    Dialect,
    Macro,
    Page,
    Property,
    Reference,
    RefKind,
    Severity,
)

DATABASE = "parse.sqlite3"
_OLD_TABLE = "entries"  # kbc 0.x's entries, in a slower layout; dropped on first use
_QUERY_KEYS = 500  # below SQLite's limit on parameters per statement
_BUSY_SECONDS = 30.0
_PARSING_CODE = ("model.py", "config.py", "encoding.py", "cache.py", "parse")
_MODEL_CLASSES = (Page, Block, Reference, Property, Diagnostic, Macro, Callout)
_MODEL_ENUMS = (Dialect, RefKind, Severity)
_UNPICKLE_ERRORS = (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                    IndexError, TypeError, ValueError, KeyError, MemoryError)


def _by_constructor(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    """Pickle a frozen slots dataclass as ``cls(*fields)``. The default route for such
    classes goes through ``dataclasses``' Python-level ``__getstate__``/``__setstate__``
    loops, which made moving parsed pages between processes cost more than parsing
    them (4 s to unpickle 10,000 pages; about 40% less this way)."""
    values = attrgetter(*(f.name for f in fields(cls)))
    return lambda obj: (cls, values(obj))


def _by_name(enum: type) -> Callable[[Any], str]:
    """Pickle an enum member as a reference to the member itself (``RefKind.LINK``),
    which a pickle stores once and then recalls, instead of a call to ``RefKind("link")``
    for every reference: the enum's lookup was a fifth of unpickling a page."""
    return lambda member: f"{enum.__qualname__}.{member.name}"


_DISPATCH = {
    **copyreg.dispatch_table,
    **{cls: _by_constructor(cls) for cls in _MODEL_CLASSES},
    **{enum: _by_name(enum) for enum in _MODEL_ENUMS},
}


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
    """Pages by content key, in one SQLite database (``parse.sqlite3``): a vault's worth
    of entries is read and written a chunk of pages per query and per transaction, where
    a file per entry cost a file creation per page (a fifth of a cold parse's time).
    Reads and writes never raise on a bad cache: a cache that cannot be used only makes
    kbc slower, and ``prepare`` deletes a damaged database file so the run starts it
    afresh.

    Open it as a context manager (or call ``close``); forked processes open their own."""

    def __init__(self, folder: Path, options: ParseOptions):
        self.path = folder / DATABASE
        self._salt = f"{code_fingerprint()}\0{options!r}".encode()
        self._db: sqlite3.Connection | None = None
        self._usable = True

    def __enter__(self) -> ParseCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The raw entries found for ``keys`` (not checked: ``loads_page`` treats damage
        as a miss)."""
        db = self._connection()
        if db is None or not keys:
            return {}
        found: dict[str, bytes] = {}
        try:
            for start in range(0, len(keys), _QUERY_KEYS):
                batch = keys[start:start + _QUERY_KEYS]
                marks = ",".join("?" * len(batch))
                rows = db.execute(f"SELECT key, blob FROM pages WHERE key IN ({marks})",
                                  batch)
                found.update((key, bytes(blob)) for key, blob in rows)
        except sqlite3.Error:
            self._give_up()
            return {}
        return found

    def put_many(self, entries: Sequence[tuple[str, bytes]]) -> None:
        db = self._connection()
        if db is None or not entries:
            return
        try:
            with db:  # one transaction
                db.executemany("INSERT OR REPLACE INTO pages (key, blob) VALUES (?, ?)",
                               entries)
        except sqlite3.Error:
            self._give_up()

    def prepare(self) -> None:
        """Make the database usable before worker processes open it: created, or
        started afresh when damaged. Only here, in one process, is a file deleted, so
        workers never delete one another's new database."""
        if self._open_database() is None:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._open_database()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._forget_other_versions(self._db)
        self.close()

    @staticmethod
    def _forget_other_versions(db: sqlite3.Connection) -> None:
        """Entries made by other parsing code can never be read again (the code is in
        their keys): delete them when the code changes, so the cache holds about one
        version's worth of pages instead of growing with every upgrade. Freed space is
        reused by the new entries."""
        with db:
            db.execute(f"DROP TABLE IF EXISTS {_OLD_TABLE}")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
            if row is None or row[0] != code_fingerprint():
                db.execute("DELETE FROM pages")
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('code', ?)",
                           (code_fingerprint(),))

    def _connection(self) -> sqlite3.Connection | None:
        return self._open_database() if self._db is None and self._usable else self._db

    def _open_database(self) -> sqlite3.Connection | None:
        self._db = self._open()
        self._usable = self._db is not None
        return self._db

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=_BUSY_SECONDS)
        except (OSError, sqlite3.Error):
            return None
        try:
            # WAL: readers never wait for a writer, and two kbc runs may share a cache.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A rowid table: pages of a few KB each made a WITHOUT ROWID table's inserts
            # twice as slow (measured), and a cold run writes every page.
            db.execute("CREATE TABLE IF NOT EXISTS pages "
                       "(key TEXT PRIMARY KEY, blob BLOB NOT NULL)")
        except sqlite3.Error:
            db.close()
            return None
        return db

    def _give_up(self) -> None:
        self.close()
        self._usable = False


def usable_cache_dir(folder: Path | None, vault: Path) -> Path | None:
    """The cache folder to use, or None when caching is off or the folder would lie
    inside the vault (kbc never writes into a vault)."""
    if folder is None:
        return None
    resolved = folder.resolve()
    if resolved == vault or vault in resolved.parents:
        return None
    return resolved
