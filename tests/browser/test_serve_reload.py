"""``kbc serve``'s live reload in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Route

from tests.conftest import write_vault
from tests.test_site_serve import fetch, free_port, serve_quietly, stop, wait_for


def test_a_page_loaded_before_a_build_finished_reloads_at_once(
        tmp_path: Path, browser: Browser) -> None:
    """The script took the first build it polled, a second after the page was ready, as
    the page's own: a save, then a page opened while the rebuild ran, left the tab on
    the old text for good. The page now knows its build, so it reloads."""
    vault = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}",
                                             "Note.md": "first words\n"})
    port = free_port()
    process = serve_quietly(vault, port)
    address = f"http://127.0.0.1:{port}/note.html"
    try:
        old_page = wait_for(lambda: fetch(address))
        first = fetch(f"http://127.0.0.1:{port}/kbc-reload.txt")
        (vault / "Note.md").write_text("second words\n", encoding="utf-8")
        wait_for(lambda: (now := fetch(f"http://127.0.0.1:{port}/kbc-reload.txt"))
                 and now != first)
        served_old: list[bool] = []

        def as_before_the_rebuild(route: Route) -> None:
            # the page as it was fetched while the rebuild ran, once
            if served_old:
                route.continue_()
                return
            served_old.append(True)
            route.fulfill(status=200, content_type="text/html", body=old_page)

        tab = browser.new_page()
        try:
            tab.route(address, as_before_the_rebuild)
            tab.goto(address)
            tab.wait_for_function(
                "document.body.textContent.includes('second words')", timeout=10_000)
            assert served_old == [True]
        finally:
            tab.close()
    finally:
        stop(process)
