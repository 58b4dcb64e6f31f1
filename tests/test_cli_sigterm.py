"""SIGTERM (``timeout``, a cancelled CI job) stops a parallel build cleanly: no worker
process is left behind, and no temporary file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


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


def test_sigterm_during_a_parallel_build_leaves_no_worker_and_no_temporary_file(
        tmp_path: Path) -> None:
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
                             env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not _children(build.pid) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert build.poll() is None, "the build ended before its workers could be seen"
    time.sleep(0.3)  # the workers at work
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
