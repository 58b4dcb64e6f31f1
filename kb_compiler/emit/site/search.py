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
    ``site/pagefind``; ``KbcError`` when pagefind is missing or fails.

    pagefind reads every HTML file under the folder it is given, including the many it
    would not index (tag pages, redirects); it is given a folder of links to the note
    pages only, which makes the same index in two thirds of the time."""
    folder = Path(tempfile.mkdtemp(prefix=f".{site.name}.kbc-index-{os.getpid()}-",
                                   dir=site.parent))
    try:
        for name in page_files:
            _link(site / name, folder / name)
        _run(pagefind_command(folder, site / SEARCH_DIR))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _run(command: list[str]) -> None:
    environment = {**os.environ, "NO_COLOR": "1"}
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=TIMEOUT_SECONDS, env=environment, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise KbcError(f"search indexing failed ({error}); use --no-search to build "
                       "without search") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise KbcError(f"search indexing failed: {last}; use --no-search to build "
                       "without search")
