"""Full-text search with pagefind: the ``pagefind`` PyPI package ships the binary,
which indexes the written HTML into ``OUT/pagefind/`` (compressed index, fragments and
the JavaScript API the site's search box loads).

Only the ``data-pagefind-body`` part of note pages is indexed (navigation, backlinks and
site-wide pages are not), and private pages never reach the HTML, so they cannot reach
the index either. The language is fixed so the index does not depend on detection.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from kb_compiler.errors import KbcError

SEARCH_DIR = "pagefind"
LANGUAGE = "en"
TIMEOUT_SECONDS = 1800


def pagefind_command(pages: Path, bundle: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path",
            str(bundle), "--force-language", LANGUAGE, "--silent"]


def build_search_index(site: Path, page_files: Iterable[str]) -> None:
    """Index the note pages ``page_files`` of the site being written in ``site`` into
    ``site/pagefind``; ``KbcError`` when pagefind is missing or fails."""
    start_search_index(site, page_files).wait()


class SearchIndexing:
    """A pagefind run going on in the background (the build writes the site-wide pages
    meanwhile); ``wait`` finishes it.

    pagefind reads every HTML file under the folder it is given, including the many it
    would not index (tag pages, redirects); it is given a folder of links to the note
    pages only, which makes the same index in two thirds of the time."""

    def __init__(self, site: Path, page_files: Iterable[str]) -> None:
        # Inside the site's own temporary folder: a killed build leaves nothing beside
        # it that the next build's clean-up of stale temporary folders would not remove.
        self.folder = Path(tempfile.mkdtemp(prefix=".kbc-index-", dir=site))
        self.process: subprocess.Popen[str] | None = None
        try:
            for name in page_files:
                _link(site / name, self.folder / name)
            environment = {**os.environ, "NO_COLOR": "1"}
            self.process = subprocess.Popen(
                pagefind_command(self.folder, site / SEARCH_DIR), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=environment)
        except OSError as error:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise _failed(f"search indexing failed ({error})") from error

    def wait(self) -> None:
        assert self.process is not None
        try:
            stdout, stderr = self.process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            self.process.kill()
            self.process.communicate()
            raise _failed(f"search indexing failed ({error})") from error
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.process.returncode != 0:
            detail = (stderr or stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit status {self.process.returncode}"
            raise _failed(f"search indexing failed: {last}")

    def cancel(self) -> None:
        """Stop the run (the build failed meanwhile)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_search_index(site: Path, page_files: Iterable[str]) -> SearchIndexing:
    """Start indexing the note pages ``page_files`` (see ``SearchIndexing``)."""
    return SearchIndexing(site, page_files)


def _failed(message: str) -> KbcError:
    return KbcError(f"{message}; use --no-search to build without search")


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
