"""The shared atomic-output helpers: stale temporary folders of killed runs are removed,
and nothing else is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kb_compiler import atomic


def dead_pid() -> int:
    """The pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_temporary_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "my-site"
    dead, alive = dead_pid(), os.getpid()
    stale = [tmp_path / f".my-site.kbc-tmp-{dead}-abc", tmp_path / f".my-site.kbc-old-{dead}",
             tmp_path / f".my-site.kbc-export-{dead}-x_1"]
    kept = [tmp_path / f".my-site.kbc-tmp-{alive}-abc", tmp_path / ".my-site.kbc-notes",
            tmp_path / f".other.kbc-tmp-{dead}-abc", tmp_path / f"my-site.kbc-tmp-{dead}-a"]
    for folder in stale + kept:
        folder.mkdir()
        (folder / "file.txt").write_text("x", "utf-8")
    not_a_folder = tmp_path / f".my-site.kbc-tmp-{dead}-file"
    not_a_folder.write_text("x", "utf-8")
    atomic.remove_stale(out)
    assert [folder.exists() for folder in stale] == [False] * len(stale)
    assert all(folder.is_dir() for folder in kept) and not_a_folder.is_file()


def test_swap_in_replaces_a_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = atomic.temporary_folder(out, "tmp")
    (first / "a.txt").write_text("one", "utf-8")
    atomic.swap_in(first, out)
    second = atomic.temporary_folder(out, "tmp")
    (second / "b.txt").write_text("two", "utf-8")
    atomic.swap_in(second, out)
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it
