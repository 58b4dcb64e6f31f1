"""Hostile input to the foundation stages, in process: bracket matching stays linear on
long lines of unclosed brackets (and agrees with the plain scan everywhere), and special
files (FIFOs) in a vault or in place of its config never block a read."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler import load
from kb_compiler.config import load_config
from kb_compiler.errors import KbcError
from kb_compiler.parse import text

STORM_LINE = 2_000_000


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a blocked read is interrupted by SIGALRM."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds}s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(line=st.text(alphabet="[[[]]]((a\n", max_size=300))
def test_indexed_bracket_matching_agrees_with_the_scan(line: str) -> None:
    index = text._BracketIndex(line, "[[", "]]")
    for start in range(len(line)):
        if line.startswith("[[", start):
            assert index.match(start) == text._scan_brackets(line, start, "[[", "]]")


@pytest.mark.parametrize("pattern", ["[[a ", "[[a [[b]] ", "[", "[[[x]] ]"])
def test_bracket_matching_is_linear_on_a_storm(pattern: str) -> None:
    line = pattern * (STORM_LINE // len(pattern))
    began = time.process_time()
    starts = [i for i in range(len(line)) if line.startswith("[[", i)]
    results = [text.match_brackets(line, start) for start in starts]
    assert time.process_time() - began < 20  # a rescan per bracket: hours
    checked = starts[:2] + starts[-200:]  # the plain scan is slow from the line's start
    assert results[:2] + results[-200:] == [
        text._scan_brackets(line, start, "[[", "]]") for start in checked]


def test_long_balanced_line_still_matches() -> None:
    line = "x " * 5000 + "[[a [[b]] c]] " + "y " * 5000
    start = line.index("[[")
    assert text.match_brackets(line, start) == line.index("]] y") + 2


def test_fifo_pages_and_assets_are_skipped_not_read(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("- [[pipe]]\n")
    os.mkfifo(tmp_path / "pipe.md")
    os.mkfifo(tmp_path / "pipe.png")
    with deadline(20):
        kb = load(tmp_path, cache_dir=None)
    assert [page.path for page in kb.pages] == ["real.md"]
    skipped = {(d.code, d.path) for d in kb.all_diagnostics()}
    assert {("unreadable-file", "pipe.md"), ("unreadable-file", "pipe.png")} <= skipped


@pytest.mark.parametrize("kind", ["fifo", "folder", "dangling"])
@pytest.mark.parametrize("name", ["kbc.toml", "pyproject.toml"])
def test_a_config_that_is_no_file_is_a_user_error(tmp_path: Path, kind: str, name: str) -> None:
    target = tmp_path / name
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        os.symlink("missing.toml", target)
    with deadline(20), pytest.raises(KbcError, match=name):
        load_config(tmp_path)
