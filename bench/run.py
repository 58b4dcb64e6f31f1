"""The kbc benchmark suite: every figure the scale issue asks for, measured in one run.

For each vault size and dialect it generates a deterministic synthetic vault
(``tests/vaultgen.py``: typed properties, aliases, tags, namespaces, about 12 links,
2 embeds and a block ref per content page) and measures, each as a fresh process:

- the floor: read every page file and render it with markdown-it-py, in one process;
- ``kbc check``, cold (empty parse cache) and warm (cache filled by the cold run);
- a cold ``kbc build`` (empty cache, no previous site);
- a rebuild after one page's text changed (same cache and output folder);
- ``kbc graph`` (JSON, empty cache);

with the peak memory of each. Times are wall-clock seconds of the whole process,
interpreter start included, for the floor and kbc alike. Peak memory is measured two
ways: ``wait4`` returns the child's ``ru_maxrss`` (the largest single process: kbc's
main process or one parse worker), and a sampler sums the proportional set size (PSS,
``/proc/PID/smaps_rollup``) of the process and its workers every 100 ms, so forked
workers sharing pages with their parent are not counted twice. The table shows the
larger of the two, and how the sampled peak was shared out (``main 320 + worker 289
MB``: kbc's own process, its workers, pagefind).

Usage::

    python bench/run.py                        # 1,000 and 10,000 pages, both dialects
    python bench/run.py --large                # and 50,000
    python bench/run.py --sizes 1000 --dialect logseq --markdown results.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KBC = [sys.executable, "-c", "from kb_compiler.cli import main; main()"]
FLOOR = [sys.executable, str(Path(__file__).resolve()), "--floor-of"]
TARGETS = {  # measure -> (limit, what the ratio is taken against)
    "check (cold)": (0.5, "floor"),
    "build (cold)": (1.5, "floor"),
    "rebuild (1 page)": (0.1, "build (cold)"),
}
MEMORY_LIMIT_MB = 1536  # at 50,000 pages
MEMORY_SIZE = 50_000


@dataclass
class Measure:
    name: str
    seconds: float
    peak_mb: float
    status: int
    note: str = ""
    split: str = ""  # how the sampled peak was shared out between the processes


@dataclass
class Run:
    dialect: str
    pages: int
    files: int
    measures: dict[str, Measure] = field(default_factory=dict)


# -- the floor ---------------------------------------------------------------------------


def floor(root: Path) -> int:
    """Read every page file under ``root`` and render it with markdown-it-py."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark")
    count = 0
    for path in page_files(root):
        renderer.render(path.read_bytes().decode("utf-8", errors="replace"))
        count += 1
    return count


def page_files(root: Path) -> list[Path]:
    """The vault's ``.md`` files outside hidden folders (what kbc reads as pages)."""
    return sorted(p for p in root.rglob("*.md")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))


# -- running one measured process ---------------------------------------------------------


def measure(name: str, command: list[str], env: dict[str, str], timeout: float) -> Measure:
    """Run ``command`` to the end; its wall time, exit status and peak memory."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=errors, preexec_fn=_limit_memory)
        sampler = _PssSampler(process.pid)
        sampler.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            sampler.stop()
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read().decode("utf-8", "replace").strip()
    peak = max(usage.ru_maxrss / 1024, sampler.peak_kb / 1024)
    note = err.splitlines()[-1][:120] if code not in (0, 1) and err else ""
    if seconds >= timeout:
        note = f"killed after {timeout:.0f} s"
    return Measure(name, seconds, peak, code, note, describe_split(sampler.peak_split))


MEMORY_GUARD_MB: int | None = None  # --memory-guard: per-process address-space cap


def _limit_memory() -> None:
    """In the child: cap each process's address space, so a runaway command fails
    with MemoryError instead of bringing the machine down."""
    if MEMORY_GUARD_MB:
        limit = MEMORY_GUARD_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class _PssSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants (Linux only), and keeps
    how the largest sum was shared out between them (``peak_split``)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.peak_split: list[tuple[str, int]] = []  # (role, PSS in kB) at the peak
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        # Best effort: a process may end between listing and reading.
        while not self._done.wait(0.1):
            split = [(_role(pid, self.pid), _pss_kb(pid)) for pid in _tree(self.pid)]
            total = sum(kb for _, kb in split)
            if total > self.peak_kb:
                self.peak_kb, self.peak_split = total, split


def _role(pid: int, root: int) -> str:
    """``main`` (the measured process), ``pagefind`` (the search indexer) or ``worker``."""
    if pid == root:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "worker"
    return "pagefind" if b"pagefind" in command else "worker"


def describe_split(split: list[tuple[str, int]]) -> str:
    """``main 320 + worker 289 MB``: the PSS of each role at the peak, workers summed."""
    totals: dict[str, list[int]] = {}
    for role, kb in split:
        totals.setdefault(role, []).append(kb)
    parts = []
    for role in ("main", "worker", "pagefind"):
        if sizes := totals.get(role):
            label = f"{len(sizes)} {role}s" if len(sizes) > 1 else role
            parts.append(f"{label} {sum(sizes) / 1024:,.0f}")
    return " + ".join(parts) + " MB" if parts else ""


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from each thread's ``children`` list."""
    found, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found.extend(children)
            frontier.extend(children)
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


# -- one vault ----------------------------------------------------------------------------


def vault_for(work: Path, dialect: str, pages: int) -> Path:
    """The generated vault, made once per (dialect, size) and reused from ``work``."""
    root = work / f"vault-{dialect}-{pages}"
    done = root / ".generated"
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        sys.path.insert(0, str(REPO))
        from tests.vaultgen import generate

        started = time.perf_counter()
        generate(root, pages=pages, dialect=dialect)
        done.write_text("ok\n")
        print(f"  generated {pages} {dialect} pages in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return root


def edited_page(root: Path) -> Path:
    """The page the rebuild measure edits: a content page in the middle of the vault."""
    pages = [p for p in page_files(root) if "beacon" in p.name or "river" in p.name]
    return pages[len(pages) // 2]


def bench_vault(work: Path, dialect: str, pages: int, timeout: float,
                search: bool, repeat: int = 1, measures: tuple[str, ...] = ()) -> Run:
    """Every measure on one generated vault; all but the builds are run ``repeat``
    times and the fastest run is kept (the builds are too slow to repeat). ``measures``
    limits the run to the measures whose names start with one of them (the floor is
    always measured)."""
    root = vault_for(work, dialect, pages)
    run = Run(dialect, pages, len(page_files(root)))
    scratch = Path(tempfile.mkdtemp(prefix=f"run-{dialect}-{pages}-", dir=work))
    env = {**os.environ, "NO_COLOR": "1"}
    check_env = {**env, "KBC_CACHE_DIR": str(scratch / "check-cache")}
    build_env = {**env, "KBC_CACHE_DIR": str(scratch / "build-cache")}
    graph_env = {**env, "KBC_CACHE_DIR": str(scratch / "graph-cache")}
    site = scratch / "site"
    build = [*KBC, "build", str(root), "-o", str(site), *([] if search else ["--no-search"])]
    steps = [
        ("floor", [*FLOOR, str(root)], env),
        ("check (cold)", [*KBC, "check", str(root), "--format", "json", "-q"], check_env),
        ("check (warm)", [*KBC, "check", str(root), "--format", "json", "-q"], check_env),
        ("build (cold)", build, build_env),
        ("rebuild (1 page)", build, build_env),
        ("graph", [*KBC, "graph", str(root), "-o", str(scratch / "graph.json"), "-q"],
         graph_env),
    ]
    page = edited_page(root)
    original = page.read_bytes()
    try:
        for name, command, step_env in steps:
            if name != "floor" and measures and not any(name.startswith(m) for m in measures):
                continue
            if name == "rebuild (1 page)":
                page.write_bytes(original + b"\n- an edit for the rebuild benchmark\n")
            result = measure(name, command, step_env, timeout)
            for attempt in range(1, repeat if "build" not in name else 1):
                if name in ("check (cold)", "graph"):  # cold again: a fresh cache
                    step_env = _fresh_cache(step_env, attempt)
                again = measure(name, command, step_env, timeout)
                result = again if again.seconds < result.seconds else result
            run.measures[name] = result
            print(f"  {dialect} {pages}: {name} {result.seconds:.2f} s, "
                  f"{result.peak_mb:.0f} MB ({result.split}), exit {result.status} "
                  f"{result.note}",
                  file=sys.stderr)
    finally:
        page.write_bytes(original)
        shutil.rmtree(scratch, ignore_errors=True)
    return run


def _fresh_cache(env: dict[str, str], attempt: int) -> dict[str, str]:
    return {**env, "KBC_CACHE_DIR": f"{env['KBC_CACHE_DIR']}-{attempt}"}


# -- the table ----------------------------------------------------------------------------


def table(runs: list[Run]) -> list[str]:
    """The results as a Markdown table, one row per measure."""
    rows = ["| vault | measure | seconds | x floor | peak memory | at the peak | target "
            "| verdict |",
            "|---|---|---:|---:|---:|---|---|---|"]
    for run in runs:
        floor_time = run.measures["floor"].seconds
        label = f"{run.dialect} {run.pages:,} ({run.files:,} files)"
        for name, result in run.measures.items():
            target, verdict = _verdict(run, name, result)
            failed = result.status not in (0, 1)
            rows.append(
                f"| {label} | {name} | {result.seconds:.2f} | "
                f"{result.seconds / floor_time:.2f} | {result.peak_mb:,.0f} MB | "
                f"{result.split} | {target} | "
                f"{'FAILED (exit ' + str(result.status) + ')' if failed else verdict} |")
    return rows


def _verdict(run: Run, name: str, result: Measure) -> tuple[str, str]:
    targets: list[str] = []
    verdicts: list[str] = []
    if name in TARGETS and TARGETS[name][1] in run.measures:
        limit, against = TARGETS[name]
        ratio = result.seconds / run.measures[against].seconds
        targets.append(f"<= {limit}x {against}")
        verdicts.append(f"{ratio:.2f}x: {'met' if ratio <= limit else 'MISSED'}")
    if run.pages >= MEMORY_SIZE and name != "floor":
        targets.append(f"< {MEMORY_LIMIT_MB / 1024:.1f} GB")
        verdicts.append("memory met" if result.peak_mb < MEMORY_LIMIT_MB else "memory MISSED")
    return "; ".join(targets), "; ".join(verdicts)


def header() -> list[str]:
    return [f"kbc benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.machine()}. Times are wall-clock "
            "seconds of a fresh process (interpreter start included); peak memory is the "
            "larger of wait4's ru_maxrss and the sampled PSS sum of the process tree.", ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        help="comma-separated page counts (default 1000,10000)")
    parser.add_argument("--large", action="store_true", help="add the 50,000-page vault")
    parser.add_argument("--dialect", choices=("logseq", "obsidian", "both"), default="both")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--work", type=Path,
                        help="keep generated vaults here and reuse them (default: temporary)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per command")
    parser.add_argument("--no-search", action="store_true",
                        help="build without the pagefind index")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each measure but the builds N times, keep the fastest")
    parser.add_argument("--memory-guard", type=int, metavar="MB",
                        help="cap each measured process's address space (a safety net)")
    parser.add_argument("--measures", type=lambda s: tuple(s.split(",")), default=(),
                        help="only these measures (prefixes: check,build,rebuild,graph)")
    parser.add_argument("--floor-of", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_of:
        floor(args.floor_of)
        return 0
    global MEMORY_GUARD_MB
    MEMORY_GUARD_MB = args.memory_guard
    sizes = args.sizes or [1000, 10_000]
    if args.large and MEMORY_SIZE not in sizes:
        sizes.append(MEMORY_SIZE)
    dialects = ("logseq", "obsidian") if args.dialect == "both" else (args.dialect,)
    work = args.work or Path(tempfile.mkdtemp(prefix="kbc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        runs = [bench_vault(work, dialect, size, args.timeout, not args.no_search, args.repeat,
                            args.measures)
                for size in sizes for dialect in dialects]
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    lines = [*header(), *table(runs)]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    missed = any("MISSED" in row or "FAILED" in row for row in lines)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
