"""``load``: discover a vault's files and parse each one into the model.

Parsing is pure per file, so it runs in a process pool on large vaults and each result
is cached by content (``kb_compiler.cache``): an unchanged page is never parsed again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import NamedTuple

from kb_compiler.cache import (
    ParseCache,
    default_cache_dir,
    dumps,
    loads_page,
    usable_cache_dir,
)
from kb_compiler.config import ParseOptions, VaultConfig, load_config
from kb_compiler.discover import Discovery, discover
from kb_compiler.errors import KbcError
from kb_compiler.gcpause import no_gc_pauses
from kb_compiler.model import KnowledgeBase, Page, SourceFile
from kb_compiler.parallel import map_shared, tie_worker_to_the_main_process
from kb_compiler.parse import parse_page, parse_source

# Below this many pages to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400
_CHUNK = 64
_READ_CHUNK = 500  # pages read from the cache per query

_UNSET: Path = Path("\0unset")


def load(
    path: str | Path,
    *,
    fix_encoding: bool | None = None,
    config: VaultConfig | None = None,
    jobs: int | None = None,
    cache_dir: str | Path | None = _UNSET,
) -> KnowledgeBase:
    """Read the vault at ``path``: every page file parsed, every asset listed, with the
    diagnostics found on the way.

    ``jobs`` is how many processes parse, this one included (default: one per core;
    1 parses in this process only). ``cache_dir`` is the parse cache folder (default:
    the user's cache folder; None turns caching off). Raises ``KbcError`` when the
    vault cannot be read at all (missing folder, unusable config); a broken page is a
    diagnostic, never an exception.
    """
    if jobs is not None and jobs < 1:
        raise KbcError(f"jobs must be 1 or more, got {jobs}")
    root, config = _vault(path, config, fix_encoding)
    found = discover(root, config)
    with no_gc_pauses():
        pages = parse_all(found.sources, config.parse, _cache_folder(cache_dir, root), jobs)
    return _knowledge_base(root, config, found, pages)


class Reloader:
    """One vault loaded again after each change (``kbc serve``): a page whose file holds
    the bytes it held at the last load is taken as it was, neither read from the parse
    cache nor parsed again (unpickling a 10,000-page vault's pages from the cache took
    0.7 s a load). The configuration is read every time; when the parse options change,
    every page is parsed again. Arguments as for ``load``."""

    def __init__(self, path: str | Path, *, jobs: int | None = None,
                 cache_dir: str | Path | None = _UNSET) -> None:
        self.path = path
        self.jobs = jobs
        self.cache_dir = cache_dir
        self._options: ParseOptions | None = None
        self._known: dict[SourceFile, tuple[bytes, Page]] = {}  # with its bytes' digest

    def load(self) -> KnowledgeBase:
        root, config = _vault(self.path, None, None)
        found = discover(root, config)
        if config.parse != self._options:
            self._known, self._options = {}, config.parse
        digests = [_digest(source) for source in found.sources]
        kept = [self._kept(source, digest)
                for source, digest in zip(found.sources, digests, strict=True)]
        changed = [source for source, page in zip(found.sources, kept, strict=True)
                   if page is None]
        with no_gc_pauses():
            parsed = iter(parse_all(changed, config.parse,
                                    _cache_folder(self.cache_dir, root), self.jobs))
            pages = [page or next(parsed) for page in kept]
        self._known = {source: (digest, page) for source, digest, page
                       in zip(found.sources, digests, pages, strict=True) if digest}
        return _knowledge_base(root, config, found, tuple(pages))

    def _kept(self, source: SourceFile, digest: bytes | None) -> Page | None:
        known = self._known.get(source)
        return known[1] if known is not None and digest and known[0] == digest else None


def _vault(path: str | Path, config: VaultConfig | None,
           fix_encoding: bool | None) -> tuple[Path, VaultConfig]:
    if not str(path):  # Path("") is the current folder: no vault was named
        raise KbcError("the vault is an empty name; give the vault's folder")
    root = Path(path)
    if not root.is_dir():
        raise KbcError("vault folder not found", path=str(path))
    root = root.resolve()
    config = config or load_config(root)
    if fix_encoding is not None and fix_encoding != config.parse.fix_encoding:
        config = replace(config, parse=replace(config.parse, fix_encoding=fix_encoding))
    return root, config


def _cache_folder(cache_dir: str | Path | None, root: Path) -> Path | None:
    if cache_dir is _UNSET:
        return usable_cache_dir(default_cache_dir(), root)
    return usable_cache_dir(None if cache_dir is None else Path(cache_dir), root)


def _knowledge_base(root: Path, config: VaultConfig, found: Discovery,
                    pages: tuple[Page, ...]) -> KnowledgeBase:
    # A page file that cannot be read is no page: kept, it was published and exported
    # empty. Its error stays with the vault's.
    unread = [page for page in pages if _unreadable(page)]
    if unread:
        pages = tuple(page for page in pages if not _unreadable(page))
    problems = (*found.diagnostics, *(d for page in unread for d in page.diagnostics))
    return KnowledgeBase(root=root, kind=config.kind, pages=pages, assets=found.assets,
                         diagnostics=problems, config=config)


def _unreadable(page: Page) -> bool:
    return not page.text and any(d.code == "unreadable-file" for d in page.diagnostics)


def _digest(source: SourceFile) -> bytes | None:
    """The hash of the file's bytes; None when it cannot be read (parsing reports it)."""
    data = _read(source)
    return hashlib.blake2b(data, digest_size=20).digest() if data is not None else None


def parse_all(
    sources: Sequence[SourceFile],
    options: ParseOptions,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> tuple[Page, ...]:
    """Parse every source, in order, using the cache and worker processes when useful.

    ``jobs`` processes parse at once: this one and ``jobs - 1`` workers. Each takes
    chunks of files: reads them, looks them up in the cache and parses the misses; this
    process stores the new entries.
    """
    if cache_dir:
        with ParseCache(cache_dir, options) as cache:
            cache.prepare()
    parsers = _parser_count(len(sources), jobs)
    if parsers > 1 and cache_dir:
        probe = _from_cache(sources[:_CHUNK], options, cache_dir)
        if 2 * sum(page is not None for page in probe) >= len(probe):  # mostly cached
            return _cached_first(sources, probe, options, cache_dir, parsers)
    return _parse(sources, options, cache_dir, parsers)


def _parse_cache(cache_dir: Path | None,
                 options: ParseOptions) -> AbstractContextManager[ParseCache | None]:
    """The parse cache in ``cache_dir``; none without a folder."""
    if cache_dir:
        return ParseCache(cache_dir, options)
    return nullcontext()


def _parse(sources: Sequence[SourceFile], options: ParseOptions, cache_dir: Path | None,
           parsers: int) -> tuple[Page, ...]:
    with _parse_cache(cache_dir, options) as cache:
        if parsers <= 1:
            return tuple(page for start in range(0, len(sources), _READ_CHUNK)
                         for page in _parse_here(sources[start:start + _READ_CHUNK],
                                                 options, cache_dir, cache))
        chunks = [sources[i : i + _CHUNK] for i in range(0, len(sources), _CHUNK)]
        return tuple(page for chunk in _parse_shared(chunks, options, cache_dir, cache,
                                                     parsers - 1)
                     for page in chunk)


def _parse_here(chunk: Sequence[SourceFile], options: ParseOptions, cache_dir: Path | None,
                cache: ParseCache | None) -> list[Page]:
    """A chunk's pages, parsed in this process, their new cache entries stored: a chunk
    at a time, as a whole vault's pickled entries, held until the end, left the process
    60 MB larger per 10,000 pages."""
    loaded = _load_entries(chunk, options=options, cache_dir=cache_dir, pickled=False)
    _store(cache, loaded)
    return _pages(chunk, loaded, options)


def _cached_first(sources: Sequence[SourceFile], probe: list[Page | None],
                  options: ParseOptions, cache_dir: Path, parsers: int) -> tuple[Page, ...]:
    """Every page the cache has, read here (``probe``: those of the first sources,
    already read); the others parsed as usual. When most pages are cached (an edit, then
    a check or a build), reading the cache in this process is faster than through
    workers, whose pages this process would unpickle all the same."""
    found = probe + _from_cache(sources[len(probe):], options, cache_dir)
    missing = [source for source, page in zip(sources, found, strict=True) if page is None]
    parsed = iter(_parse(missing, options, cache_dir, _parser_count(len(missing), parsers)))
    return tuple(page if page is not None else next(parsed) for page in found)


def _from_cache(sources: Sequence[SourceFile], options: ParseOptions,
                cache_dir: Path) -> list[Page | None]:
    """Each source's cached page, or None (not cached, damaged, or the file unreadable:
    parsing it reports why). A chunk at a time: the files' bytes and the pickled pages
    of a whole vault would double the memory a load needs."""
    found: list[Page | None] = []
    with no_gc_pauses(), ParseCache(cache_dir, options) as cache:
        for start in range(0, len(sources), _READ_CHUNK):
            _, keys, cached = _look_up(sources[start:start + _READ_CHUNK], cache)
            found.extend(loads_page(cached.get(key)) if key else None for key in keys)
        cache.mark_used(cache.unmarked)
    return found


def _parse_shared(
    chunks: Sequence[Sequence[SourceFile]], options: ParseOptions, cache_dir: Path | None,
    cache: ParseCache | None, workers: int,
) -> list[list[Page]]:
    """Each chunk's pages, parsed by ``workers`` processes and this one (see
    ``kb_compiler.parallel``): a worker sends its pages already pickled for the cache, so
    no page is pickled twice, and this process alone writes them to the cache."""
    done: list[list[Page]] = [[] for _ in chunks]
    in_worker = partial(_load_entries, options=options, cache_dir=cache_dir, pickled=True)
    here = partial(_load_entries, options=options, cache_dir=cache_dir, pickled=False)
    with ProcessPoolExecutor(workers,
                             initializer=tie_worker_to_the_main_process) as pool:
        for number, loaded in map_shared(pool, workers, chunks, in_worker, here):
            _store(cache, loaded)
            done[number] = _pages(chunks[number], loaded, options)
    return done


class _Loaded(NamedTuple):
    """A chunk's entries (see ``_load_entries``), the cache entries it made and the keys
    of those it read that are due a new day of use."""

    entries: list[Page | bytes | None]
    fresh: list[tuple[str, bytes]]
    unmarked: list[str]


def _store(cache: ParseCache | None, loaded: _Loaded) -> None:
    if cache:
        cache.put_many(loaded.fresh)
        cache.mark_used(loaded.unmarked)


def _pages(chunk: Sequence[SourceFile], loaded: _Loaded, options: ParseOptions) -> list[Page]:
    return [_page(source, entry, options)
            for source, entry in zip(chunk, loaded.entries, strict=True)]


def _page(source: SourceFile, entry: Page | bytes | None, options: ParseOptions) -> Page:
    if isinstance(entry, Page):
        return entry
    # None: unreadable (parse_source reports it); bytes that do not unpickle: a miss
    return loads_page(entry) or parse_source(source, options)


def _parser_count(pages: int, jobs: int | None) -> int:
    """How many processes parse: this one included."""
    if pages < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(jobs or os.cpu_count() or 1, pages // _CHUNK))


def _read(source: SourceFile) -> bytes | None:
    try:
        return source.absolute.read_bytes()
    except OSError:
        return None


def _load_entries(
    chunk: Sequence[SourceFile], *, options: ParseOptions, cache_dir: Path | None,
    pickled: bool,
) -> _Loaded:
    """Each source's page, from the cache (pickled bytes) or parsed (a ``Page``, or its
    pickle when ``pickled``); None when the file cannot be read. The cache is asked once
    for the whole chunk; the new entries are returned, not stored: with two processes
    writing one database, each waited in SQLite's busy handler for the other's
    transactions (a cold load took a third longer than one without a cache)."""
    with no_gc_pauses(), _parse_cache(cache_dir, options) as cache:
        datas, keys, cached = _look_up(chunk, cache)
        unmarked = cache.unmarked if cache else []
    entries: list[Page | bytes | None] = []
    fresh: list[tuple[str, bytes]] = []
    with no_gc_pauses():
        for source, data, key in zip(chunk, datas, keys, strict=True):
            found = cached.get(key)
            if data is None or found is not None:
                entries.append(found)
                continue
            page = parse_page(source, data, options)
            blob = _pickled(page) if pickled or key else None
            if key and blob is not None:
                fresh.append((key, blob))
            entries.append(blob if pickled and blob is not None else page)
    return _Loaded(entries, fresh, unmarked)


def _look_up(chunk: Sequence[SourceFile], cache: ParseCache | None
             ) -> tuple[list[bytes | None], list[str], dict[str, bytes]]:
    """Each source's bytes (None: unreadable) and cache key ("" without a cache or
    bytes), and the entries the cache holds for those keys, asked in one query."""
    datas = [_read(source) for source in chunk]
    keys = [cache.key(source.path, data) if cache and data is not None else ""
            for source, data in zip(chunk, datas, strict=True)]
    return datas, keys, cache.get_many([key for key in keys if key]) if cache else {}


def _pickled(page: Page) -> bytes | None:
    """The page pickled, or None for one too deeply nested to pickle with ours (it is
    then neither cached nor sent pre-pickled)."""
    try:
        return dumps(page)
    except (pickle.PicklingError, RecursionError):
        return None
