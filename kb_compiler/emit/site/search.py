"""Full-text search with pagefind: the ``pagefind`` PyPI package ships the binary,
which indexes the written HTML into a bundle (compressed index, fragments and the
JavaScript API the site's search box loads).

Only the ``data-pagefind-body`` part of note pages is indexed (navigation, backlinks,
embedded content and site-wide pages are not), and private pages never reach the HTML,
so they cannot reach the index either. The language is fixed so the index does not
depend on detection.

pagefind has no incremental mode: it indexes every page it is given. So the note pages
are split into *shards* (``shard_count``; by a hash of the file name, so a page stays
in its shard as others come and go), one pagefind bundle each under
``OUT/pagefind/<n>/``; the browser loads the first and merges the others
(``mergeIndex``). ``OUT/pagefind/shards.json`` lists the bundles and, for each, a key
made of its pages' files and search keys: a rebuild takes over every shard whose key is
unchanged and indexes only the others, so one edited page costs one shard's indexing.

pagefind is not given the site's pages but a *search document* per page: the parts of
the page it indexes, which ``page.html`` marks with ``<!--kbc-search-->`` comments
(title, tags, properties, content; not the navigation, scores, backlinks or embedded
pages, whose frames are marked ``<!--kbc-embed-->``), in a small HTML skeleton. Indexing
those costs a fraction of indexing whole pages, and a page's search key is the hash of
its document, so a page rendered again for its backlinks or embeds leaves its shard
alone. The documents are handed to pagefind's service mode in file order
(``pagefind_service``), not written to a folder for its command line, whose bundle
depended on the order the file system lists the folder in.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import math
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kb_compiler.emit.site.embeds import EMBED_CLOSE, EMBED_OPEN
from kb_compiler.emit.site.pagefind_service import PagefindError, write_bundle
from kb_compiler.emit.site.writer import SiteWriter
from kb_compiler.errors import KbcError

SEARCH_OPEN, SEARCH_CLOSE = "<!--kbc-search-->", "<!--/kbc-search-->"
_DOCUMENT = ('<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
             "<title></title></head><body><main data-pagefind-body>{body}</main></body></html>")
_EMBED_MARK = re.compile(f"{re.escape(EMBED_OPEN)}|{re.escape(EMBED_CLOSE)}")
SEARCH_DIR = "pagefind"
SHARDS_FILE = f"{SEARCH_DIR}/shards.json"
LANGUAGE = "en"  # the index's language, but for vaults written mostly in Chinese or Japanese
# Kana (up to U+30FF), then Han characters with the compatibility block.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LAST_KANA = "\u30ff"
SHARD_SCALE = 60  # see shard_count
PARALLEL_RUNS = 2
TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Shard:
    """One pagefind bundle: its number (its folder's name), its page files, and the key
    that says whether a previous build's bundle can be taken over."""

    number: int
    files: tuple[str, ...]
    key: str

    @property
    def folder(self) -> str:
        return f"{SEARCH_DIR}/{self.number}"


def search_document(page_html: str, language: str = LANGUAGE) -> str:
    """What pagefind indexes of a site page: its marked parts, without the embedded
    pages (indexed where they are written), in a small document."""
    parts = []
    position = 0
    while (start := page_html.find(SEARCH_OPEN, position)) >= 0:
        end = page_html.find(SEARCH_CLOSE, start)
        if end < 0:
            break
        parts.append(_without_embeds(page_html[start + len(SEARCH_OPEN):end]))
        position = end + len(SEARCH_CLOSE)
    return _DOCUMENT.format(language=language, body="".join(parts))


def _without_embeds(markup: str) -> str:
    """``markup`` without the outermost embed frames (nested ones go with them)."""
    if EMBED_OPEN not in markup:
        return markup
    kept: list[str] = []
    depth = position = 0
    for mark in _EMBED_MARK.finditer(markup):
        if mark.group() == EMBED_OPEN:
            if depth == 0:
                kept.append(markup[position:mark.start()])
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                position = mark.end()
    if depth == 0:
        kept.append(markup[position:])
    return "".join(kept)


def search_key(page_html: str) -> str:
    """The hash of the page's search document: equal keys, equal index entries (the
    language is in every shard's key)."""
    return hashlib.sha1(search_document(page_html).encode("utf-8")).hexdigest()


def shard_count(pages: int) -> int:
    """How many shards ``pages`` note pages make: about sqrt(60 x pages) pages each (245
    at 1,000 pages, 775 at 10,000, 1,730 at 50,000). Small shards make a rebuild index
    little again; few make the browser merge few bundles. The count changes seldom (at
    135, 375, 735, 1,215... pages), and then every shard is indexed once."""
    return max(1, round(math.sqrt(pages / SHARD_SCALE)))


def plan_shards(pages: Mapping[str, str], build: str = "",
                language: str = LANGUAGE) -> list[Shard]:
    """The shards of the note pages ``pages`` (site file -> search key); empty shards
    are left out. ``build`` (kbc's code and the build options, hashed) and the index's
    ``language`` are part of every shard's key."""
    count = shard_count(len(pages))
    groups: list[list[str]] = [[] for _ in range(count)]
    for file in sorted(pages):
        digest = hashlib.sha1(file.encode("utf-8")).digest()
        groups[int.from_bytes(digest[:8], "big") % count].append(file)
    salt = f"{build}\0{_pagefind_version()}\0{language}\0{count}"
    return [Shard(number, tuple(files), _shard_key(salt, files, pages))
            for number, files in enumerate(groups) if files]


def shards_text(shards: Sequence[Shard]) -> str:
    """``shards.json``: the bundles the search box loads, and the keys for rebuilds."""
    data = {"bundles": [f"{shard.number}/" for shard in shards],
            "keys": {str(shard.number): shard.key for shard in shards}}
    return json.dumps(data, sort_keys=True, indent=1) + "\n"


def previous_keys(old_site: Path) -> dict[int, str]:
    """The shard keys of the site in ``old_site`` (empty when unreadable)."""
    try:
        data = json.loads((old_site / SHARDS_FILE).read_text("utf-8"))
        return {int(number): str(key) for number, key in data["keys"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


class SearchIndexing:
    """Indexing the shards a build needs, in the background (the build writes the
    site-wide pages meanwhile), ``PARALLEL_RUNS`` pagefind runs at a time; ``wait``
    finishes it and raises the first failure. Shards whose key is unchanged are
    taken over from ``old_site`` at once.

    Each pagefind run is given its shard's search documents, made from the pages
    already written (taken over or new alike)."""

    def __init__(self, writer: SiteWriter, old_site: Path, pages: Mapping[str, str],
                 build: str, language: str) -> None:
        shards = plan_shards(pages, build, language)
        self.language = language
        writer.write_text(SHARDS_FILE, shards_text(shards))
        known = previous_keys(old_site)
        pending = []
        for shard in shards:
            if known.get(shard.number) == shard.key and _take_over(writer, old_site, shard):
                continue
            pending.append(shard)
        self.site = writer.temp
        self.shards, self.indexed = len(shards), len(pending)  # for the build's report
        self._errors: list[KbcError] = []
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        # Set when every run is over. Waited on instead of joining the thread: a join
        # that a signal (SIGTERM, Ctrl+C) interrupts leaves the thread looking finished,
        # and the next join returned at once, while runs still wrote their bundles into
        # the temporary folder being removed (it was left behind).
        self._finished = threading.Event()
        threading.Thread(target=self._run, args=(pending,), daemon=True).start()

    def wait(self) -> None:
        self._finished.wait()
        if self._errors:
            raise self._errors[0]

    def cancel(self) -> None:
        """Stop indexing (the build failed meanwhile), and wait until no run writes."""
        self._cancelled.set()
        with self._lock:
            for process in self._running:
                if process.poll() is None:
                    process.kill()
        self._finished.wait()

    def _run(self, shards: Sequence[Shard]) -> None:
        # Two runs at a time keep two cores busy: one pagefind run uses about one and a
        # half, and each is short.
        try:
            with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
                for error in pool.map(self._index, shards):
                    if error is not None:
                        self._errors.append(error)
        finally:
            self._finished.set()

    def _index(self, shard: Shard) -> KbcError | None:
        if self._cancelled.is_set():
            return None
        try:
            documents = [(name, search_document((self.site / name).read_text("utf-8"),
                                                self.language))
                         for name in shard.files]
            write_bundle(pagefind_command(), documents, self.site / shard.folder,
                         language=self.language, timeout=TIMEOUT_SECONDS,
                         started=self._track)
        except PagefindError as error:
            return None if self._cancelled.is_set() else _failed(
                f"search indexing failed: {error}")
        except OSError as error:
            return _failed(f"search indexing failed ({error})")
        finally:
            with self._lock:
                self._running = {process for process in self._running
                                 if process.poll() is None}
        return None

    def _track(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.add(process)


def start_search_index(writer: SiteWriter, old_site: Path, pages: Mapping[str, str],
                       build: str = "", language: str = LANGUAGE) -> SearchIndexing:
    """Start indexing the note pages ``pages`` (site file -> search key) of the site
    ``writer`` is writing; ``old_site`` is the previous build, ``build`` the hash of
    kbc's code and options, ``language`` the index's (see ``SearchIndexing``,
    ``plan_shards`` and ``index_language``)."""
    return SearchIndexing(writer, old_site, pages, build, language)


def index_language(texts: Iterable[str]) -> str:
    """The language to index ``texts`` (the published pages') in: Chinese (``zh``) or
    Japanese (``ja``, when a fifth of those characters are kana) when a tenth of their
    characters are Chinese or Japanese, and pagefind's extended binary, which splits
    those languages into words, is installed; else English. One language for the whole
    index: pagefind keeps an index per language, and the search box reads one. English
    words are found in a Chinese or Japanese index too, without English stemming."""
    if not _pagefind_binary()[1]:
        return LANGUAGE
    total = written = kana = 0
    for text in texts:
        total += len(text)
        found = _CJK.findall(text)
        written += len(found)
        kana += sum(1 for char in found if char <= _LAST_KANA)
    if not written or 10 * written < total:
        return LANGUAGE
    return "ja" if 5 * kana >= written else "zh"


def pagefind_command() -> list[str]:
    """pagefind in service mode (see ``pagefind_service``)."""
    return [*_pagefind_binary()[0], "--service"]


@functools.cache
def _pagefind_binary() -> tuple[tuple[str, ...], bool]:
    """The pagefind binary to run directly, and whether it is the extended one:
    ``pagefind[extended]``'s when installed (``pip install 'kb-compiler[cjk]'``), else
    ``pagefind[bin]``'s. ``python -m pagefind`` started an interpreter only to find it,
    per shard (0.1 s of CPU each, a second and a half of a 10,000-page build). Where no
    binary is found, ``python -m pagefind`` runs after all, and its error says why."""
    for module, extended in (("pagefind_bin_extended", True), ("pagefind_bin", False)):
        try:
            found = importlib.import_module(module).get_executable()
        except (ImportError, OSError):
            continue
        if os.access(found, os.X_OK):
            return (str(found),), extended
    return (sys.executable, "-m", "pagefind"), False


def _shard_key(salt: str, files: Sequence[str], pages: Mapping[str, str]) -> str:
    digest = hashlib.sha1(salt.encode("utf-8"))
    for file in files:
        digest.update(f"\0{file}\0{pages[file]}".encode())
    return digest.hexdigest()


def _take_over(writer: SiteWriter, old_site: Path, shard: Shard) -> bool:
    """Link the previous build's bundle of ``shard`` into the new site; False (nothing
    taken) when it is missing."""
    bundle = old_site / shard.folder
    if not (bundle / "pagefind.js").is_file():
        return False
    for path in sorted(bundle.rglob("*")):
        if path.is_file():
            writer.link(path, f"{shard.folder}/{path.relative_to(bundle).as_posix()}")
    return True


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "unknown"


def _failed(message: str) -> KbcError:
    return KbcError(f"{message}; use --no-search to build without search")
