"""Hover previews in headless Chromium: only a link to a page of the site itself shows
one, not a link elsewhere whose file name happens to be a page's."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.browser.conftest import serving

# Longer than the wait before a box shows (280 ms) and the load of a previews shard.
SETTLE_MS = 1_200


def hub_site(folder: Path, elsewhere: str) -> Path:
    """A site whose home page links to ``elsewhere`` (a hub.html outside the site) and
    to its own page Hub."""
    vault = folder / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Hub.md").write_text("# Hub\n\nHUBTEXT here.\n", "utf-8")
    (vault / "Home.md").write_text(f"See [other]({elsewhere}) and [[Hub]].\n", "utf-8")
    site = folder / "site"
    build_site(resolve(load(vault, cache_dir=None)), site, SiteOptions(search=False))
    return site


def assert_previews_only_the_sites_own_page(page: Page) -> None:
    preview = page.locator("#kbc-preview")
    page.locator("#kbc-main").get_by_role("link", name="other").hover()
    page.wait_for_timeout(SETTLE_MS)
    expect(preview).to_be_hidden()
    page.locator("#kbc-main").get_by_role("link", name="Hub", exact=True).hover()
    expect(preview).to_be_visible(timeout=5_000)
    expect(preview).to_contain_text("HUBTEXT")


def test_a_link_to_another_site_has_no_preview_from_file_urls(page: Page,
                                                               tmp_path: Path) -> None:
    """From file:// every URL's origin is "null", so example.com's hub.html showed the
    preview of the site's own page hub."""
    site = hub_site(tmp_path, "https://example.com/wiki/hub.html")
    page.route("https://example.com/**", lambda route: route.abort())
    page.goto((site / "home.html").as_uri())
    assert_previews_only_the_sites_own_page(page)


def test_a_link_outside_the_sites_folder_has_no_preview(page: Page, tmp_path: Path) -> None:
    """A site served from /docs/pv/ beside a blog at /blog/ on the same origin (GitHub
    Pages project sites share one): the blog's hub.html showed the site's page hub."""
    root = tmp_path / "root"
    (root / "blog").mkdir(parents=True)
    (root / "blog" / "hub.html").write_text("<!DOCTYPE html><title>Blog hub</title>", "utf-8")
    with serving(root) as url:
        site = hub_site(tmp_path, f"{url}blog/hub.html")
        (root / "docs").mkdir()
        site.rename(root / "docs" / "pv")
        page.goto(f"{url}docs/pv/home.html")
        assert_previews_only_the_sites_own_page(page)
