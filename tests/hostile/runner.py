"""Running ``kbc`` as a real subprocess, the way users do, with time limits.

Two clocks: a wall-clock limit catches a hang (a blocked read uses no CPU), and the CPU
time the command and its children used measures the work itself. The tests judge
"promptly" by CPU time because they share the machine with other work that can stretch
wall-clock time several times over."""

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
# Past this many wall-clock seconds a command is taken for hung and killed: generous,
# as the machine may be shared with several test workers and benchmarks.
TIME_LIMIT = 300.0
# Past this many CPU seconds a command is taken for too slow and killed.
CPU_LIMIT = 60.0
# Commands run at once by ``run_many``: enough to keep two cores busy, few enough that
# their memory (a few hundred MB each for the biggest builds) stays modest.
PARALLEL = 6


@dataclass(frozen=True)
class Run:
    """One finished (or timed-out) kbc command."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: str
    seconds: float  # wall clock
    cpu_seconds: float  # user + system time of the command and the children it waited for
    timed_out: bool = False

    def describe(self) -> str:
        return (f"kbc {' '.join(self.args)} -> {self.returncode} in {self.seconds:.1f}s "
                f"({self.cpu_seconds:.1f}s CPU)"
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
           limit: float = TIME_LIMIT, cpu_limit: float = CPU_LIMIT) -> Run:
    """Wait for ``process``, draining its pipes meanwhile; kill it once it has used
    ``cpu_limit`` CPU seconds (too slow) or ``limit`` wall-clock seconds have passed
    since ``began`` (hung). Its CPU time comes from ``os.wait4``."""
    assert process.stdout is not None and process.stderr is not None
    with ThreadPoolExecutor(max_workers=2) as readers:
        out = readers.submit(process.stdout.read)
        err = readers.submit(process.stderr.read)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - began > limit or _cpu_so_far(process.pid) > cpu_limit:
                process.kill()
                timed_out = True
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        return Run(args, process.returncode, out.result(),
                   err.result().decode("utf-8", "replace"), time.monotonic() - began,
                   usage.ru_utime + usage.ru_stime, timed_out)


def _cpu_so_far(pid: int) -> float:
    """CPU seconds a running process (and the children it has reaped) used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3; utime, stime, cutime, cstime are 14-17.
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run_kbc(*args: str, cwd: Path, cache: Path, cpu_limit: float = CPU_LIMIT) -> Run:
    began = time.monotonic()
    return finish(start(kbc_command(*args), cwd, cache), args, began, cpu_limit=cpu_limit)


@dataclass(frozen=True)
class Job:
    """One kbc command to run: its arguments, folder, and (forbidden folder, log file)
    for the audit hook."""

    args: tuple[str, ...]
    cwd: Path
    audit: tuple[Path, Path] | None = None


def run_many(jobs: dict[object, Job], cache: Path,
             cpu_limit: float = CPU_LIMIT) -> dict[object, Run]:
    """Run several kbc commands, ``PARALLEL`` at a time (they only read their vaults),
    and wait for all. Each is waited on by its own thread, so its output pipes are
    drained as it writes and its time is its own."""
    def one(job: Job) -> Run:
        began = time.monotonic()
        return finish(start(kbc_command(*job.args, audit=job.audit), job.cwd, cache),
                      job.args, began, cpu_limit=cpu_limit)

    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), PARALLEL))) as pool:
        futures = {key: pool.submit(one, job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}
