"""Fixtures for the browser tests: the sample vault built once, served over HTTP on
127.0.0.1 from a thread, and a headless Chromium (Debian's ``/usr/bin/chromium``)."""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import LOGSEQ_DOCS, REPO, SAMPLE_VAULT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("browser-vault") / "vault"
    shutil.copytree(SAMPLE_VAULT, vault)
    out = tmp_path_factory.mktemp("browser-site") / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(title="xBoK profile"))
    return out


@pytest.fixture(scope="session")
def docs_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Logseq's docs graph built without search, served."""
    vault = tmp_path_factory.mktemp("docs-vault") / "logseq-docs"
    shutil.copytree(LOGSEQ_DOCS, vault, symlinks=True)
    out = tmp_path_factory.mktemp("docs-site") / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    with serving(out) as url:
        yield url


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 from a thread; yields its URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    with serving(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
