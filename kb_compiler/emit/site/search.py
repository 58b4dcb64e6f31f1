"""Full-text search with pagefind: the ``pagefind`` PyPI package ships the binary,
which indexes the written HTML into ``OUT/pagefind/`` (compressed index, fragments and
the JavaScript API the site's search box loads).

Only the ``data-pagefind-body`` part of note pages is indexed (navigation, backlinks and
site-wide pages are not), and private pages never reach the HTML, so they cannot reach
the index either. The language is fixed so the index does not depend on detection.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kb_compiler.errors import KbcError

SEARCH_DIR = "pagefind"
LANGUAGE = "en"
TIMEOUT_SECONDS = 1800


def pagefind_command(site: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir",
            SEARCH_DIR, "--force-language", LANGUAGE, "--silent"]


def build_search_index(site: Path) -> None:
    """Index the HTML under ``site``; ``KbcError`` when pagefind is missing or fails."""
    environment = {**os.environ, "NO_COLOR": "1"}
    try:
        result = subprocess.run(pagefind_command(site), capture_output=True, text=True,
                                timeout=TIMEOUT_SECONDS, env=environment, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise KbcError(f"search indexing failed ({error}); use --no-search to build "
                       "without search") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise KbcError(f"search indexing failed: {last}; use --no-search to build "
                       "without search")
