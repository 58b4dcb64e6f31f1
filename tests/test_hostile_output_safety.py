"""A build or an export killed midway (a real ``kill -9``, at several moments) leaves
the previous output byte for byte as it was, and the vault untouched; the next run then
succeeds and leaves nothing behind beside its output folder.

The vault is generated (``tests/vaultgen.py``) large enough that a build takes seconds,
so the kills land while pages are rendered, while the search index is written and
around the final swap. Each run gets an empty parse cache, so every run takes as long
as the first and the delays mean the same moment each time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.hostile.outputs import snapshot
from tests.hostile.runner import environment, kbc_command
from tests.vaultgen import generate

PAGES = 200
# Moments of the kill, as fractions of how long a whole run takes.
FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)
CHANGE = "KILL-TEST-CHANGE"
COMMANDS = {"build": ("build", "vault"), "export": ("export", "vault", "--force")}


def _args(command: str, out: str) -> tuple[str, ...]:
    return (*COMMANDS[command], "-o", out)


def _start(args: tuple[str, ...], cwd: Path, cache: Path) -> subprocess.Popen[bytes]:
    # Its own process group, so the kill takes pagefind and worker processes with it.
    return subprocess.Popen(kbc_command(*args), cwd=cwd, env=environment(cache),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def _run(args: tuple[str, ...], cwd: Path, cache: Path) -> float:
    began = time.monotonic()
    process = _start(args, cwd, cache)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - began


def _kill_after(args: tuple[str, ...], cwd: Path, cache: Path, delay: float) -> bool:
    """Start a run and ``kill -9`` its process group after ``delay`` seconds; whether
    it was still running when killed."""
    process = _start(args, cwd, cache)
    time.sleep(delay)
    running = process.poll() is None
    if running:
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    return running


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_killed_run_leaves_previous_output_whole(tmp_path: Path, command: str) -> None:
    """After each kill the output is the previous one, or (when the kill came after the
    swap) exactly what a whole run of the changed vault writes: never a mixture."""
    generate(tmp_path / "vault", pages=PAGES, dialect="logseq")
    seconds = _run(_args(command, "out"), tmp_path, tmp_path / "cache-0")
    previous = snapshot(tmp_path / "out")
    assert len(previous) > PAGES
    page = next((tmp_path / "vault" / "pages").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + f"- {CHANGE}\n", encoding="utf-8")
    vault = snapshot(tmp_path / "vault")
    # The quicker of two runs sets the moments: a run slowed by other load on the
    # machine would put the late kills after the end.
    seconds = min(seconds, _run(_args(command, "reference"), tmp_path,
                                tmp_path / "cache-reference"))
    changed = snapshot(tmp_path / "reference")
    assert changed != previous

    killed = 0
    for number, fraction in enumerate(FRACTIONS, start=1):
        args = _args(command, "out")
        killed += _kill_after(args, tmp_path, tmp_path / f"cache-{number}", seconds * fraction)
        assert snapshot(tmp_path / "out") in (previous, changed), f"killed at {fraction:.0%}"
        assert snapshot(tmp_path / "vault") == vault
    assert killed >= 2, "the runs ended before most kills: the vault is too small"

    _run(_args(command, "out"), tmp_path, tmp_path / "cache-last")
    assert snapshot(tmp_path / "out") == changed
    leftovers = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("cache-"))
    assert leftovers == ["out", "reference", "vault"], "temporary folders left behind"
    assert snapshot(tmp_path / "vault") == vault
