"""Where things live in the site, and how one file links to another.

Every link the site writes is relative (``relative_url``), so the output works from any
sub-path and from ``file://``; only the sitemap, the feed and the alias redirects'
canonical links use ``--base-url`` (``site_url``).
Anchors are computed here once, from the model, so the ids a page writes and the
``#fragments`` other pages link to always agree.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from urllib.parse import quote

# Files and folders the build writes besides pages; a page slug never takes them.
SITE_FILES = frozenset(
    {"index", "404", "all-pages", "tags", "graph", "feed", "sitemap", "search",
     "static", "files", "previews", "pagefind", "kbc-reload"}
)
STATIC_DIR = "static"
FILES_DIR = "files"
PREVIEWS_DIR = "previews"

_SLUG_SEPARATORS = re.compile(r"[/.:]")
_SLUG_DROP = re.compile(r"[^\w\s-]", re.UNICODE)
_SLUG_SPACE = re.compile(r"[\s_-]+")
# Ids the page gives other elements: blocks (``block-...``, ``b3``), footnotes (``fn1``,
# ``fnref1``, ``fn-e1-1`` in an embed) and the templates' own (``kbc-main``).
_TAKEN_IDS = re.compile(r"block-.*|b\d+|fn(?:ref)?(?:\d+|-.*)|kbc-.*")
_SAFE_ANCHOR = re.compile(r"[^A-Za-z0-9_-]+")
_URL_SAFE = "/-_.~!$&'()*+,;=:@"
_QUOTE_KEEPS = re.compile(r"[A-Za-z0-9/_.~!$&'()*+,;=:@-]*")  # what quote(_URL_SAFE) leaves as is


def page_file(slug: str) -> str:
    """The site path of a page's HTML file."""
    return f"{slug}.html"


def asset_file(vault_path: str) -> str:
    """The site path a vault asset is copied to."""
    return f"{FILES_DIR}/{vault_path}"


def relative_url(from_file: str, to_file: str, fragment: str | None = None) -> str:
    """The URL ``from_file`` writes to reach ``to_file`` (both site paths with ``/``),
    percent-encoded, with ``#fragment`` when given."""
    base = posixpath.dirname(from_file)
    if not to_file:
        path = ""
    elif not base and not to_file.startswith("../"):
        path = to_file  # the common case: a page at the site root
    else:
        path = posixpath.relpath(to_file, base)
    return with_fragment(_quote(path), fragment)


def site_url(base_url: str | None, site_path: str) -> str:
    """The address of ``site_path`` under ``base_url`` (given percent-encoded),
    percent-encoded as the pages' own links are; relative to the site root without one."""
    quoted = _quote(site_path)
    return f"{base_url.rstrip('/')}/{quoted}" if base_url else quoted


def with_fragment(url: str, fragment: str | None) -> str:
    """``url#fragment`` with the fragment percent-encoded; ``url`` alone without one."""
    return f"{url}#{_quote_fragment(fragment)}" if fragment else url


@functools.lru_cache(maxsize=65536)
def _quote(text: str) -> str:
    return quote(text, safe=_URL_SAFE)


def _quote_fragment(text: str) -> str:
    # Not cached: most anchors (a block's) are linked once or twice, and a cache of them
    # grew to tens of megabytes on a 10,000-page site. Most need no quoting at all.
    return text if _QUOTE_KEEPS.fullmatch(text) else quote(text, safe=_URL_SAFE)


def root_prefix(site_file: str) -> str:
    """``../`` once per folder level of ``site_file`` (empty at the site root)."""
    depth = site_file.count("/")
    return "../" * depth


def heading_slug(text: str) -> str:
    """A readable anchor for a heading: lower case, letters and digits of any script,
    words joined by ``-``. Emoji and punctuation are dropped."""
    text = _SLUG_SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).lower())
    slug = _SLUG_SPACE.sub("-", _SLUG_DROP.sub("", text)).strip("-")
    if not slug or _TAKEN_IDS.fullmatch(slug):
        slug = f"h-{slug}" if slug else "section"
    return slug


def block_anchor(block_id: str) -> str:
    """The id of a block other pages point to (a Logseq uuid or an Obsidian ^id)."""
    return "block-" + (_SAFE_ANCHOR.sub("-", block_id.lstrip("^")).lower() or "id")


def index_anchor(index: int) -> str:
    """The id of a block without an id of its own (Logseq outline items)."""
    return f"b{index}"


class SlugCounter:
    """Hands out heading anchors unique within one page: ``jobs``, ``jobs-1``..."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def snapshot(self) -> dict[str, int]:
        return dict(self._seen)

    def restore(self, saved: dict[str, int]) -> None:
        self._seen = dict(saved)

    def take(self, text: str) -> str:
        base = heading_slug(text)
        count = self._seen.get(base)
        if count is None:
            self._seen[base] = 0
            return base
        while True:
            count += 1
            candidate = f"{base}-{count}"
            if candidate not in self._seen:
                self._seen[base] = count
                self._seen[candidate] = 0
                return candidate
