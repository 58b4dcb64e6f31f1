"""sitemap.xml and the Atom feed: dates from the pages themselves (never file times),
absolute links only with --base-url, newest first, well-formed XML."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kb_compiler.check import run_checks
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.feeds import FeedEntry, atom_feed, sitemap_xml
from kb_compiler.loader import load
from kb_compiler.model import Dialect, Page, Property
from kb_compiler.resolve import resolve
from kb_compiler.resolve.dates import page_date
from tests.conftest import write_vault

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://kb.example.org/"


def page(path: str, journal: bool = False, **properties: str) -> Page:
    props = tuple(Property(k, k, v, v, 1) for k, v in properties.items())
    return Page(path, path.removesuffix(".md"), Dialect.LOGSEQ, "", properties=props,
                is_journal=journal)


@pytest.mark.parametrize(("made", "expected"), [
    (page("a.md", updated="2024-05-29"), "2024-05-29"),
    (page("a.md", date="2024-05-29T17:07:14"), "2024-05-29T17:07:14"),
    (page("a.md", created="2023-01-02", modified="2024-02-03 10:11"), "2024-02-03T10:11:00"),
    (page("journals/2024_01_15.md", journal=True), "2024-01-15"),
    (page("a.md", updated="yesterday"), None),
    (page("a.md"), None),
    # an offset is kept as written (RFC 3339's form), not dropped for a "Z"
    (page("a.md", date="2024-05-29T17:07:14+02:00"), "2024-05-29T17:07:14+02:00"),
    (page("a.md", date="2024-05-29T17:07:14.250000-0530"), "2024-05-29T17:07:14-05:30"),
    (page("a.md", date="2024-05-29 17:07:14z"), "2024-05-29T17:07:14Z"),
    # after minutes only, "-13:00" ends a range of times, not an offset
    (page("a.md", date="2024-05-29 12:00-13:00"), "2024-05-29T12:00:00"),
    # a day or time that does not exist dates nothing; the next key may
    (page("a.md", created="2024-02-30"), None),
    (page("a.md", updated="2024-05-29T24:30", created="2024-05-01"), "2024-05-01"),
    (page("a.md", date="2024-05-29T10:00:00+25:00"), None),
])
def test_page_date(made: Page, expected: str | None) -> None:
    assert page_date(made) == expected


def test_atom_feed_is_newest_first_and_well_formed() -> None:
    entries = [FeedEntry("Old <b>", "old.html", "2023-01-01", "first & oldest"),
               FeedEntry("New", "new.html", "2024-06-01T09:30:00", "latest")]
    root = ElementTree.fromstring(atom_feed("My KB", entries, "https://kb.example.org/"))
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["New", "Old <b>"]
    assert root.findtext(f"{ATOM}updated") == "2024-06-01T09:30:00Z"
    links = [e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")]
    assert links == ["https://kb.example.org/new.html", "https://kb.example.org/old.html"]


def test_the_feed_orders_dates_written_with_offsets_by_their_instant() -> None:
    """17:07 at +02:00 is 15:07 UTC: before 16:00 UTC, though it reads later."""
    entries = [FeedEntry("Berlin", "berlin.html", "2024-05-29T17:07:14+02:00", ""),
               FeedEntry("London", "london.html", "2024-05-29T16:00:00", "")]
    root = ElementTree.fromstring(atom_feed("KB", entries, None))
    assert [e.findtext(f"{ATOM}updated") for e in root.iter(f"{ATOM}entry")] == \
        ["2024-05-29T16:00:00Z", "2024-05-29T17:07:14+02:00"]
    assert root.findtext(f"{ATOM}updated") == "2024-05-29T16:00:00Z"


def test_front_matter_dates_reach_the_feed_at_their_instant_or_not_at_all(
        tmp_path: Path) -> None:
    """YAML's datetime with an offset kept its time but lost the offset to a "Z" (two
    hours off); YAML leaves ``2024-02-30`` text, which went into the feed and sitemap
    as written. Such a page is undated, and the check warns about its property."""
    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "A.md": "---\ndate: 2024-05-29T17:07:14+02:00\n---\nA\n",
        "C.md": "---\ncreated: 2024-02-30\n---\nc\n"})
    graph = resolve(load(vault, cache_dir=None))
    build_site(graph, tmp_path / "site", SiteOptions(search=False, base_url=BASE))
    feed = ElementTree.fromstring((tmp_path / "site" / "feed.xml").read_text("utf-8"))
    dated = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}updated")
             for e in feed.iter(f"{ATOM}entry")}
    assert list(dated) == ["A"]
    assert datetime.fromisoformat(dated["A"]) == \
        datetime(2024, 5, 29, 15, 7, 14, tzinfo=UTC)
    sitemap = ElementTree.fromstring((tmp_path / "site" / "sitemap.xml").read_text("utf-8"))
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
               for u in sitemap.iter(f"{SITEMAP}url")}
    assert (lastmod[BASE + "a.html"], lastmod[BASE + "c.html"]) == ("2024-05-29", None)
    found = [(d.code, d.severity.value, d.path, d.line, d.column, d.message)
             for d in run_checks(graph).diagnostics]
    assert found == [("invalid-property", "warning", "C.md", 2, 10,
                      "property 'created' names no real date, got '2024-02-30'; the site "
                      "does not date the page by it")]


def test_characters_xml_cannot_hold_do_not_break_the_feed() -> None:
    entries = [FeedEntry("Odd\x01Title\x1b", "odd.html", "2024-01-02", "text \x02 \x0b end")]
    root = ElementTree.fromstring(atom_feed("KB\x07", entries, None))  # parses at all
    (entry,) = root.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Odd\ufffdTitle\ufffd"
    assert entry.findtext(f"{ATOM}summary") == "text \ufffd \ufffd end"
    assert root.findtext(f"{ATOM}title") == "KB\ufffd"


def test_feed_without_entries_has_a_fixed_date() -> None:
    root = ElementTree.fromstring(atom_feed("Empty", [], None))
    assert root.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"


def test_sitemap_addresses_are_absolute_and_dated_by_day() -> None:
    root = ElementTree.fromstring(sitemap_xml([("index.html", None),
                                               ("a.html", "2024-05-29T10:00:00")], BASE))
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")]
    assert locs == [BASE + "index.html", BASE + "a.html"]
    assert [u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")] == \
        [None, "2024-05-29"]


def test_a_site_without_a_base_url_has_no_sitemap(tmp_path: Path) -> None:
    """Its sitemap held relative addresses, which the sitemap protocol does not accept
    (a <loc> begins with the protocol), nor search engines; nor did any page need it."""
    vault = write_vault(tmp_path / "vault", {"a.md": "- alpha\n"})
    graph = resolve(load(vault, cache_dir=None))
    build_site(graph, tmp_path / "site", SiteOptions(search=False))
    assert not (tmp_path / "site" / "sitemap.xml").exists()
    assert "sitemap.xml" not in (tmp_path / "site" / "a.html").read_text("utf-8")
    build_site(graph, tmp_path / "site", SiteOptions(search=False, base_url=BASE))
    assert (tmp_path / "site" / "sitemap.xml").is_file()
    assert "sitemap.xml" in (tmp_path / "site" / "a.html").read_text("utf-8")


def test_file_times_do_not_change_the_feed(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "dated.md").write_text("updated:: 2024-05-29\n\n- dated page\n")
    (vault / "undated.md").write_text("- no date here\n")
    graph = resolve(load(vault, cache_dir=None))
    build_site(graph, tmp_path / "one", SiteOptions(search=False, base_url=BASE))
    for path in vault.iterdir():
        os.utime(path, (1_000_000_000, 1_000_000_000))
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "two",
               SiteOptions(search=False, base_url=BASE))
    for name in ("feed.xml", "sitemap.xml"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    feed = ElementTree.fromstring((tmp_path / "one" / "feed.xml").read_text())
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["dated"]


def test_sitemap_and_feed_addresses_are_percent_encoded_as_the_pages_links_are(
        tmp_path: Path) -> None:
    """``<loc>`` held ``https://ex.com/my%20docs/café.html``: the base encoded, the page's
    name raw, which the sitemap protocol does not accept; the feed mixed them alike."""
    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Café.md": "---\nupdated: 2024-05-29\n---\ncafé\n",
        "Home.md": "[[Café]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    encoded = "https://ex.com/my%20docs/"  # as kbc build's --base-url passes it on
    for base, expected in ((encoded, encoded + "caf%C3%A9.html"), (None, "caf%C3%A9.html")):
        site = tmp_path / f"site-{bool(base)}"
        build_site(graph, site, SiteOptions(search=False, base_url=base))
        assert 'href="caf%C3%A9.html"' in (site / "home.html").read_text("utf-8")
        if base:  # without one, no sitemap (the test above)
            sitemap = ElementTree.fromstring((site / "sitemap.xml").read_text("utf-8"))
            assert expected in [u.findtext(f"{SITEMAP}loc")
                                for u in sitemap.iter(f"{SITEMAP}url")]
        feed = ElementTree.fromstring((site / "feed.xml").read_text("utf-8"))
        (entry,) = feed.iter(f"{ATOM}entry")
        assert entry.find(f"{ATOM}link").get("href") == expected
        # with a base URL the id is the address; without one a stable urn, as before
        assert entry.findtext(f"{ATOM}id") == (expected if base else "urn:kbc:page:café.html")


def test_a_site_without_a_dated_page_has_no_feed_and_links_to_none(tmp_path: Path) -> None:
    """Its feed was empty and dated 1970-01-01 (Atom needs a date; the build reads no
    clock). Once a page is dated the feed is there and every page links to it, also
    pages a rebuild would otherwise take over unchanged; and it goes again with it."""
    vault = write_vault(tmp_path / "vault", {"a.md": "- alpha\n", "b.md": "- beta\n"})
    site = tmp_path / "site"

    def built() -> tuple[bool, list[bool]]:
        build_site(resolve(load(vault, cache_dir=None)), site, SiteOptions(search=False))
        return (site / "feed.xml").exists(), [
            "feed.xml" in (site / name).read_text("utf-8")
            for name in ("a.html", "b.html", "index.html", "404.html")]

    assert built() == (False, [False] * 4)
    (vault / "b.md").write_text("updated:: 2024-05-29\n\n- beta\n")
    assert built() == (True, [True] * 4)
    feed = ElementTree.fromstring((site / "feed.xml").read_text("utf-8"))
    assert feed.findtext(f"{ATOM}updated") == "2024-05-29T00:00:00Z"
    (vault / "b.md").write_text("- beta\n")
    assert built() == (False, [False] * 4)
