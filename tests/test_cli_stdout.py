"""Reports on standard output that cannot be written: one line and exit 2, as through
``-o``, never a traceback or the exit status 1 that says the vault has errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_VAULT, write_vault

COMMANDS = (["graph"], ["check", "--format", "json"], ["check"], ["scores"],
            ["scores", "--format", "json"])


def kbc(args: list[str], tmp_path: Path, **streams: object) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "KBC_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "kb_compiler", *args], text=True,
                          stderr=subprocess.PIPE, env=environment, check=False,
                          **streams)  # type: ignore[call-overload]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "v", {"a.md": "- hello [[b]]\n", "b.md": "- b\n"})


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_under_standard_output_is_one_line_and_exit_2(
        command: list[str], vault: Path, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        run = kbc([*command, str(vault)], tmp_path, stdout=full)
    assert (run.returncode, run.stderr) == (
        2, "kbc: error: stdout: cannot write: No space left on device\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_standard_output_is_one_line_and_exit_2(
        command: list[str], vault: Path, tmp_path: Path) -> None:
    run = kbc([*command, str(vault)], tmp_path, stdout=subprocess.DEVNULL,
              preexec_fn=lambda: os.close(1))
    assert (run.returncode, run.stderr) == (
        2, "kbc: error: stdout: cannot write: standard output is closed\n")


def test_a_reader_that_stops_early_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """``kbc graph | head -c 20``: click made the broken pipe exit 1, silently."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", "graph", str(SAMPLE_VAULT)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "KBC_CACHE_DIR": str(tmp_path / "cache")})
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(20) == '{\n  "directed": true'
    process.stdout.close()
    assert process.wait(timeout=120) == 2
    assert process.stderr.read() == "kbc: error: stdout: cannot write: Broken pipe\n"


@pytest.mark.parametrize("command", [
    ["check", "--format", "json"], ["check", "--format", "sarif"], ["graph", "--format", "dot"],
    ["graph", "--format", "graphml"], ["scores", "--all"], ["scores", "--format", "json"]])
def test_a_long_report_cut_off_by_its_reader_is_one_line_and_exit_2(
        command: list[str], tmp_path: Path) -> None:
    """A report written in one piece longer than the pipe holds: Python's buffered write
    took 64 KiB and returned the count, the rest was lost without a word and the exit
    status was 0 (Rich's table: 1, silently)."""
    pages = {f"p{n:04}.md": f"- k{n} [[]] [[p{n + 1:04}]]\n  key-weight:: 10\n  value:: 5\n"
             for n in range(900)}
    vault = write_vault(tmp_path / "big", pages)
    process = subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", *command, str(vault)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "KBC_CACHE_DIR": str(tmp_path / "cache")})
    assert process.stdout is not None and process.stderr is not None
    assert len(process.stdout.read(10)) == 10
    process.stdout.close()
    assert process.wait(timeout=120) == 2
    assert process.stderr.read().decode().endswith(
        "kbc: error: stdout: cannot write: Broken pipe\n")
