"""Publishing control: which pages must never reach the site.

A page is private when it says so, or when the vault's configuration excludes it:

- Logseq: ``public:: false``;
- frontmatter: ``publish: false``, ``private: true`` or ``draft: true``;
- ``exclude`` globs in ``kbc.toml`` (matched against the page's vault-relative path, as
  ``ignore`` matches and as a shell glob whose ``*`` also crosses folders: ``secret.md``
  and ``drafts`` at any depth, ``folder/`` or ``folder/**`` a whole folder);
- a Logseq graph whose ``config.edn`` says ``:publishing/all-pages-public? false``: every
  page (journals too) that does not say ``public:: true``, as Logseq's own export does.

The rest of the site only asks ``PublishFilter.is_public``; every emitter (pages,
embeds, block refs, backlinks, graph, search, sitemap, feed, previews) goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kb_compiler.globs import excluded
from kb_compiler.model import Page, PropertyValue

_FALSE = frozenset({"false", "no", "off", "0"})
_TRUE = frozenset({"true", "yes", "on", "1"})


def _is(value: PropertyValue, wanted: bool) -> bool:
    if isinstance(value, bool):
        return value is wanted
    if isinstance(value, str):
        return value.strip().strip('"').lower() in (_TRUE if wanted else _FALSE)
    if isinstance(value, int):
        return bool(value) is wanted
    return False


def marked_private(page: Page) -> bool:
    """Whether the page's own properties keep it off the site."""
    for key, unpublished_when in (("public", False), ("publish", False),
                                  ("private", True), ("draft", True)):
        prop = page.property(key)
        if prop is not None and _is(prop.value, unpublished_when):
            return True
    return False


def marked_public(page: Page) -> bool:
    """Whether the page opts in to publishing (``public:: true``), which a graph that
    is not public by default asks of every page."""
    prop = page.property("public")
    return prop is not None and _is(prop.value, True)


@dataclass(frozen=True)
class PublishFilter:
    """The set of private page ids, and the one question every emitter asks."""

    private: frozenset[str]

    @classmethod
    def for_pages(cls, pages: Iterable[Page], exclude: Iterable[str] = (), *,
                  public_by_default: bool = True) -> PublishFilter:
        """The filter for ``pages``; with ``public_by_default`` false a page is published
        only when it says ``public:: true`` (and nothing else keeps it private)."""
        patterns = tuple(exclude)
        return cls(frozenset(
            page.id for page in pages if marked_private(page) or excluded(page.path, patterns)
            or not (public_by_default or marked_public(page))
        ))

    def is_public(self, page_id: str | None) -> bool:
        return page_id is not None and page_id not in self.private
