"""SIGTERM (``timeout``, a cancelled CI job) stops a parallel build cleanly: no worker
process is left behind, and no temporary file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running_with(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def _parallel_build(tmp_path: Path, *, own_group: bool = False) -> subprocess.Popen[bytes]:
    """A ``kbc build -j 2`` of 1,500 pages, returned once its workers are at work."""
    vault = tmp_path / "vault-sigterm"
    (vault / "logseq").mkdir(parents=True)
    (vault / "logseq" / "config.edn").write_text("{}\n", "utf-8")
    (vault / "pages").mkdir()
    for number in range(1500):
        (vault / "pages" / f"page {number}.md").write_text(
            f"- text of page {number}, see [[page {(number * 7) % 1500}]]\n"
            f"- a **second** block with `code` and #tag{number % 20}\n", "utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "KBC_CACHE_DIR": str(tmp_path / "cache")}
    build = subprocess.Popen([sys.executable, "-m", "kb_compiler", "build", str(vault), "-o",
                              str(tmp_path / "site"), "-q", "-j", "2", "--no-search"],
                             env=env, stderr=subprocess.PIPE, start_new_session=own_group)
    deadline = time.monotonic() + 60
    while not _children(build.pid) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert build.poll() is None, "the build ended before its workers could be seen"
    time.sleep(0.3)  # the workers at work
    return build


def _nothing_left(tmp_path: Path) -> None:
    vault = tmp_path / "vault-sigterm"
    deadline = time.monotonic() + 10
    while _running_with(str(vault)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running_with(str(vault)) == []
    assert list((tmp_path / "tmp").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "tmp", "vault-sigterm"]


@pytest.mark.parametrize(("number", "line"), [(signal.SIGINT, "kbc: stopped by Ctrl+C"),
                                              (signal.SIGTERM, "kbc: stopped by SIGTERM")])
def test_a_signal_to_the_process_group_stops_a_parallel_build_with_one_line(
        tmp_path: Path, number: int, line: str) -> None:
    """Ctrl+C (SIGINT to the terminal's whole process group) ended with click's
    "Aborted!" and status 1, which says the vault has errors, and now and then a
    worker's traceback. A forked worker kept the SIGTERM handler: ``timeout``, which
    signals the whole group, got the line from the workers too."""
    build = _parallel_build(tmp_path, own_group=True)
    os.killpg(build.pid, number)
    _, errors = build.communicate(timeout=30)
    assert build.returncode == 128 + number
    assert errors.decode() == line + "\n"
    _nothing_left(tmp_path)


def test_sigterm_during_a_parallel_build_leaves_no_worker_and_no_temporary_file(
        tmp_path: Path) -> None:
    vault, temporary = tmp_path / "vault-sigterm", tmp_path / "tmp"
    build = _parallel_build(tmp_path)
    build.send_signal(signal.SIGTERM)
    _, errors = build.communicate(timeout=30)
    assert build.returncode == 128 + signal.SIGTERM
    assert errors.decode().strip().splitlines()[-1] == "kbc: stopped by SIGTERM"
    deadline = time.monotonic() + 10
    while _running_with(str(vault)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running_with(str(vault)) == []
    assert list(temporary.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "tmp", "vault-sigterm"]


def test_a_killed_build_leaves_no_worker_and_no_lock_behind(tmp_path: Path) -> None:
    """Killed outright (``kill -9``, out of memory), a build left a worker waiting for
    work for good, and that worker held the lock on the output's folder it was forked
    with: every later build there waited for it."""
    build = _parallel_build(tmp_path)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".site.kbc-tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.02)  # the site is being written: OUT's folder is locked
    while not _children(build.pid) and time.monotonic() < deadline:
        time.sleep(0.02)  # the render workers, forked with the lock held
    time.sleep(0.3)
    assert build.poll() is None, "the build ended before its render workers could be seen"
    build.kill()
    build.wait(timeout=30)
    vault = tmp_path / "vault-sigterm"
    deadline = time.monotonic() + 10
    while _running_with(str(vault)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running_with(str(vault)) == []
    again = subprocess.run([sys.executable, "-m", "kb_compiler", "build", str(vault), "-o",
                            str(tmp_path / "site"), "-q", "--no-search"],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "waiting" not in again.stderr
