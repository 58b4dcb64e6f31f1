"""``load``: discover a vault's files and parse each one into the model.

Parsing is pure per file, so it runs in a process pool on large vaults and each result
is cached by content (``kb_compiler.cache``): an unchanged page is never parsed again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from kb_compiler.cache import ParseCache, default_cache_dir, usable_cache_dir
from kb_compiler.config import ParseOptions, VaultConfig, load_config
from kb_compiler.discover import discover
from kb_compiler.errors import KbcError
from kb_compiler.model import KnowledgeBase, Page, SourceFile
from kb_compiler.parse import parse_page, parse_source

# Below this many pages to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400
_CHUNK = 64

_UNSET: Path = Path("\0unset")


def load(
    path: str | Path,
    *,
    fix_encoding: bool | None = None,
    config: VaultConfig | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = _UNSET,
) -> KnowledgeBase:
    """Read the vault at ``path``: every page file parsed, every asset listed, with the
    diagnostics found on the way.

    ``jobs`` caps the worker processes (default: one per core; 1 parses in this
    process). ``cache_dir`` is the parse cache folder (default: the user's cache
    folder; None turns caching off). Raises ``KbcError`` when the vault cannot be read
    at all (missing folder, unusable config); a broken page is a diagnostic, never an
    exception.
    """
    root = Path(path)
    if not root.is_dir():
        raise KbcError("vault folder not found", path=str(path))
    root = root.resolve()
    config = config or load_config(root)
    if fix_encoding is not None and fix_encoding != config.parse.fix_encoding:
        config = replace(config, parse=replace(config.parse, fix_encoding=fix_encoding))
    found = discover(root, config)
    folder = default_cache_dir() if cache_dir is _UNSET else cache_dir
    pages = parse_all(found.sources, config.parse, usable_cache_dir(folder, root), jobs)
    return KnowledgeBase(
        root=root,
        kind=config.kind,
        pages=pages,
        assets=found.assets,
        diagnostics=found.diagnostics,
        config=config,
    )


def parse_all(
    sources: Sequence[SourceFile],
    options: ParseOptions,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> tuple[Page, ...]:
    """Parse every source, in order, using the cache and worker processes when useful."""
    cache = ParseCache(cache_dir, options) if cache_dir else None
    pages: list[Page | None] = [None] * len(sources)
    misses: list[tuple[int, SourceFile, bytes, str]] = []
    for index, source in enumerate(sources):
        data = _read(source)
        if data is None:
            pages[index] = parse_source(source, options)  # reports the read error
            continue
        key = cache.key(source.path, data) if cache else ""
        cached = cache.get(key) if cache else None
        if cached is not None:
            pages[index] = cached
        else:
            misses.append((index, source, data, key))
    parsed = _parse_misses([(s, d) for _, s, d, _ in misses], options, jobs)
    for (index, _, _, key), page in zip(misses, parsed, strict=True):
        pages[index] = page
        if cache:
            cache.put(key, page)
    return tuple(page for page in pages if page is not None)


def _read(source: SourceFile) -> bytes | None:
    try:
        return source.absolute.read_bytes()
    except OSError:
        return None


def _parse_misses(
    work: list[tuple[SourceFile, bytes]], options: ParseOptions, jobs: int | None
) -> Iterable[Page]:
    workers = min(jobs or os.cpu_count() or 1, max(1, len(work) // _CHUNK))
    if workers <= 1 or len(work) < PARALLEL_THRESHOLD:
        return [parse_page(source, data, options) for source, data in work]
    chunks = [work[i : i + _CHUNK] for i in range(0, len(work), _CHUNK)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_parse_chunk, chunks, [options] * len(chunks))
        return [page for chunk in results for page in chunk]


def _parse_chunk(chunk: list[tuple[SourceFile, bytes]], options: ParseOptions) -> list[Page]:
    return [parse_page(source, data, options) for source, data in chunk]
