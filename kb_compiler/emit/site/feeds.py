"""sitemap.xml and the Atom feed of recently changed pages.

Dates come from the pages themselves (``resolve.dates.page_date``), never from file
modification times (a fresh clone gives every file the same mtime, and a rebuild would
change the output). Pages without a date are left out of the feed and have no
``lastmod`` in the sitemap. A date without an offset is written as UTC.

Links in both files are absolute when ``--base-url`` is given; without it they are
written relative to the site root (fine for a local preview; search engines and feed
readers need the base URL).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as escape_markup
from xml.sax.saxutils import quoteattr

from kb_compiler.emit.site.urls import site_url
from kb_compiler.resolve.dates import instant

FEED_ENTRIES = 50
EPOCH = "1970-01-01T00:00:00Z"
# What XML 1.0 cannot hold at all: a control character in a title would make the feed
# unreadable to every reader.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """``text`` as XML character data, with characters XML cannot hold as U+FFFD."""
    return escape_markup(_NOT_XML.sub("\ufffd", text))


def _timestamp(date: str) -> str:
    """A ``page_date`` value as RFC 3339: its offset kept, UTC when it has none."""
    if "T" not in date:
        return f"{date}T00:00:00Z"
    return date if len(date) > len("YYYY-MM-DDTHH:MM:SS") else date + "Z"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    title: str
    path: str  # site path
    date: str
    summary: str


def sitemap_xml(paths: Sequence[tuple[str, str | None]], base_url: str) -> str:
    """``paths``: (site path, date or None), written in the given (sorted) order, each
    an absolute address under ``base_url``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, date in paths:
        lastmod = f"<lastmod>{escape(date[:10])}</lastmod>" if date else ""
        lines.append(f"  <url><loc>{escape(site_url(base_url, path))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def atom_feed(title: str, entries: Sequence[FeedEntry], base_url: str | None) -> str:
    """The newest ``FEED_ENTRIES`` dated pages, newest first. The site writes no feed
    without entries (``sitewide.has_feed``); given none, it is dated at the epoch."""
    newest = sorted(entries, key=lambda e: (instant(e.date), e.path),
                    reverse=True)[:FEED_ENTRIES]
    updated = _timestamp(newest[0].date) if newest else EPOCH
    site_id = site_url(base_url, "index.html") if base_url else "urn:kbc:site:" + escape(title)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(title)}</title>",
        f"  <id>{escape(site_id)}</id>",
        f"  <updated>{updated}</updated>",
        f"  <link rel=\"alternate\" href={quoteattr(site_url(base_url, 'index.html'))}/>",
        f"  <link rel=\"self\" href={quoteattr(site_url(base_url, 'feed.xml'))}/>",
        f"  <author><name>{escape(title)}</name></author>",
        "  <generator>kbc</generator>",
    ]
    for entry in newest:
        url = site_url(base_url, entry.path)
        entry_id = url if base_url else f"urn:kbc:page:{entry.path}"
        lines += [
            "  <entry>",
            f"    <title>{escape(entry.title)}</title>",
            f"    <id>{escape(entry_id)}</id>",
            f"    <link href={quoteattr(url)}/>",
            f"    <updated>{_timestamp(entry.date)}</updated>",
            f"    <summary>{escape(entry.summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
