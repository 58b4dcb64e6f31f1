"""kbc under a locale whose encoding is not UTF-8: file names are still UTF-8, as Logseq
and Obsidian write them (Python would decode them with the locale's encoding)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TRIPLE_LOWBAR, write_vault

# ASCII as the file system encoding: the C locale with Python's coercion to UTF-8 off.
ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def kbc(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **ASCII_LOCALE, "KBC_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "kb_compiler", *args], capture_output=True,
                          encoding="utf-8", env=environment, check=False)


@pytest.mark.parametrize("command", [["check", "--format", "json"], ["graph"]])
def test_non_ascii_file_names_resolve_under_an_ascii_locale(command: list[str],
                                                            tmp_path: Path) -> None:
    """``Ünï.md`` was "not valid UTF-8; skipped", and ``[[Ünï]]`` a broken link."""
    vault = write_vault(tmp_path / "v", {".obsidian/app.json": "{}", "Ünï.md": "x\n",
                                         "b.md": "[[Ünï]]\n"})
    run = kbc([*command, str(vault)], tmp_path)
    assert run.returncode == 0, run.stderr
    if command[0] == "check":
        assert json.loads(run.stdout)["diagnostics"] == []
    else:
        assert [(node["id"], node["exists"]) for node in json.loads(run.stdout)["nodes"]] \
            == [("b", True), ("ünï", True)]


def test_a_build_writes_non_ascii_page_files_under_an_ascii_locale(tmp_path: Path) -> None:
    """Writing ``日本.html`` ended the build in a traceback."""
    graph = write_vault(tmp_path / "g", {"logseq/config.edn": TRIPLE_LOWBAR,
                                         "pages/a.md": "- see [[日本]]\n"})
    run = kbc(["build", str(graph), "-o", str(tmp_path / "site"), "--no-search", "-q"],
              tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert (tmp_path / "site" / "日本.html").is_file()
