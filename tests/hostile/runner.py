"""Running ``kbc`` as a real subprocess, the way users do, with a time limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AUDITED = Path(__file__).with_name("audited.py")
# "Promptly": every hostile vault command must finish well inside this.
TIME_LIMIT = 90.0


@dataclass(frozen=True)
class Run:
    """One finished (or timed-out) kbc command."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: str
    seconds: float
    timed_out: bool = False

    def describe(self) -> str:
        return (f"kbc {' '.join(self.args)} -> {self.returncode} in {self.seconds:.1f}s"
                f"{' (timed out)' if self.timed_out else ''}\n{self.stderr[-3000:]}")


def kbc_command(*args: str, audit: tuple[Path, Path] | None = None) -> list[str]:
    """The command line running kbc with ``args`` (under the audit hook when given
    (forbidden folder, log file))."""
    if audit is None:
        return [sys.executable, "-m", "kb_compiler", *args]
    forbidden, log = audit
    return [sys.executable, str(AUDITED), str(forbidden), str(log), *args]


def environment(cache: Path) -> dict[str, str]:
    """The environment kbc runs in: this checkout importable, a private parse cache,
    no colour."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(PYTHONPATH=str(REPO), KBC_CACHE_DIR=str(cache), NO_COLOR="1", COLUMNS="120")
    return env


def start(args: list[str], cwd: Path, cache: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=cwd, env=environment(cache), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[bytes], args: tuple[str, ...], began: float,
           limit: float = TIME_LIMIT) -> Run:
    """Wait for ``process`` (killing it past ``limit`` seconds from ``began``)."""
    timed_out = False
    try:
        out, err = process.communicate(timeout=max(0.1, limit - (time.monotonic() - began)))
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        timed_out = True
    return Run(args, process.returncode, out, err.decode("utf-8", "replace"),
               time.monotonic() - began, timed_out)


def run_kbc(*args: str, cwd: Path, cache: Path, limit: float = TIME_LIMIT) -> Run:
    began = time.monotonic()
    return finish(start(kbc_command(*args), cwd, cache), args, began, limit)


@dataclass(frozen=True)
class Job:
    """One kbc command to run: its arguments, folder, and (forbidden folder, log file)
    for the audit hook."""

    args: tuple[str, ...]
    cwd: Path
    audit: tuple[Path, Path] | None = None


def run_many(jobs: dict[object, Job], cache: Path, limit: float = TIME_LIMIT) -> dict[object, Run]:
    """Run several kbc commands at once (they only read their vaults) and wait for all.
    Each is waited on by its own thread, so its output pipes are drained as it writes
    and its time is its own."""
    def one(job: Job) -> Run:
        began = time.monotonic()
        return finish(start(kbc_command(*job.args, audit=job.audit), job.cwd, cache),
                      job.args, began, limit)

    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = {key: pool.submit(one, job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}
