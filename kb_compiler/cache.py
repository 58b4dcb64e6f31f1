"""A persistent parse cache in the user's cache folder, never inside a vault, and the
fast pickling that both the cache and the loader's worker processes use.

An entry is keyed by the file's bytes, its vault-relative path, the parse options and a
fingerprint of kbc's own parsing code, so an unchanged page is never parsed twice and a
new kbc version never reads an old entry. Entries are pickled ``Page`` values in one
SQLite database, written in transactions; a damaged entry is treated as a miss.

Each entry carries the day it was last used. Content keys make every edit a new entry,
so entries no run has used for ``KEEP_DAYS`` days (old versions of edited pages, vaults
gone or no longer checked) are deleted, and the file shrinks when they were most of it.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import sqlite3
import time
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
from kb_compiler.versions import PARSING_LIBRARIES, library_versions

DATABASE = "parse.sqlite3"
KEEP_DAYS = 30  # an entry no run has used for this many days is deleted
_TABLE = "page_entries"
# Earlier layouts, dropped on first use: kbc 0.x's (slower), then one without the day
# each entry was last used.
_OLD_TABLES = ("entries", "pages")
_QUERY_KEYS = 500  # below SQLite's limit on parameters per statement
_BUSY_SECONDS = 30.0
_PARSING_CODE = ("model.py", "config.py", "encoding.py", "cache.py", "edn.py", "parse")
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


_DISPATCH: dict[type, Callable[[Any], str | tuple[Any, ...]]] = {
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
    """A hash of the source of every module that shapes a parse result, and of the
    versions of the libraries parsing uses."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(library_versions(PARSING_LIBRARIES).encode())
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

    Only the process that ``prepare``s writes; other processes read, and hand it the
    keys they read that are due a new day of use (``unmarked``) to ``mark_used``.

    Open it as a context manager (or call ``close``); forked processes open their own."""

    def __init__(self, folder: Path, options: ParseOptions):
        self.path = folder / DATABASE
        self._salt = f"{code_fingerprint()}\0{options!r}".encode()
        self._db: sqlite3.Connection | None = None
        self._usable = True
        self._today = today()
        self.unmarked: list[str] = []  # keys read here whose day of use is not today

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
        as a miss). Those last used before today are added to ``unmarked``."""
        db = self._connection()
        if db is None or not keys:
            return {}
        found: dict[str, bytes] = {}
        try:
            for batch in _batches(keys):
                rows = db.execute(f"SELECT key, used, blob FROM {_TABLE} "
                                  f"WHERE key IN ({_marks(batch)})", batch)
                for key, used, blob in rows:
                    found[key] = bytes(blob)
                    if used != self._today:
                        self.unmarked.append(key)
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
                db.executemany(f"INSERT OR REPLACE INTO {_TABLE} (key, used, blob) "
                               "VALUES (?, ?, ?)",
                               [(key, self._today, blob) for key, blob in entries])
        except sqlite3.Error:
            self._give_up()

    def mark_used(self, keys: Sequence[str]) -> None:
        """Record that ``keys`` were used today (once a day per entry: a warm run's
        first of the day rewrites their days, 0.1 to 0.2 s for 10,000 entries, later
        runs nothing). A cache that cannot be written is still read."""
        db = self._connection()
        if db is None or not keys:
            return
        with contextlib.suppress(sqlite3.Error), db:
            for batch in _batches(keys):
                db.execute(f"UPDATE {_TABLE} SET used = ? WHERE key IN ({_marks(batch)})",
                           [self._today, *batch])

    def prepare(self) -> None:
        """Make the database usable before worker processes open it: created, or
        started afresh when damaged; then forget what can no longer be useful. Only
        here, in one process, is a file or an entry deleted, so workers never delete
        one another's new database."""
        if self._open_database() is None:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._open_database()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._forget_other_versions(self._db)
                self._forget_unused(self._db)
        self.close()

    @staticmethod
    def _forget_other_versions(db: sqlite3.Connection) -> None:
        """Entries made by other parsing code can never be read again (the code is in
        their keys): delete them when the code changes, so the cache holds about one
        version's worth of pages instead of growing with every upgrade. Freed space is
        reused by the new entries."""
        with db:
            for table in _OLD_TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            if _meta(db, "code") != code_fingerprint():
                db.execute(f"DELETE FROM {_TABLE}")
                _set_meta(db, "code", code_fingerprint())

    def _forget_unused(self, db: sqlite3.Connection) -> None:
        """Once a day, delete the entries unused for ``KEEP_DAYS`` days; when they made
        up most of the file, give the space back (``VACUUM``, which a run reading the
        cache at that moment only postpones)."""
        if _meta(db, "pruned") == str(self._today):
            return
        with db:
            deleted = db.execute(f"DELETE FROM {_TABLE} WHERE used < ?",
                                 (self._today - KEEP_DAYS,)).rowcount
            _set_meta(db, "pruned", str(self._today))
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        if deleted and 2 * free > db.execute("PRAGMA page_count").fetchone()[0]:
            db.execute("VACUUM")

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
            # twice as slow (measured), and a cold run writes every page. The day comes
            # before the blob, so marking it rewrites no overflow page.
            db.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} "
                       "(key TEXT PRIMARY KEY, used INTEGER NOT NULL, blob BLOB NOT NULL)")
        except sqlite3.Error:
            db.close()
            return None
        return db

    def _give_up(self) -> None:
        self.close()
        self._usable = False


def today() -> int:
    """The day number (days since 1970) entries are marked with."""
    return int(time.time() // 86400)


def _batches(keys: Sequence[str]) -> list[Sequence[str]]:
    return [keys[start:start + _QUERY_KEYS] for start in range(0, len(keys), _QUERY_KEYS)]


def _marks(batch: Sequence[str]) -> str:
    return ",".join("?" * len(batch))


def _meta(db: sqlite3.Connection, name: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return row[0] if row is not None else None


def _set_meta(db: sqlite3.Connection, name: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))


def usable_cache_dir(folder: Path | None, vault: Path) -> Path | None:
    """The cache folder to use, or None when caching is off or the folder would lie
    inside the vault (kbc never writes into a vault)."""
    if folder is None:
        return None
    resolved = folder.resolve()
    if resolved == vault or vault in resolved.parents:
        return None
    return resolved
