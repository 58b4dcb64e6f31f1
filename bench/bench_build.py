"""Benchmark `kbc build` on a generated 10,000-page vault.

Generates the deterministic vault of ``bench_graph.py`` (Logseq pages with properties,
namespaces, key blocks, links, tags, embeds and block refs; Obsidian notes in folders),
then times, in one run, each in a fresh process as a user runs it:

- the floor: reading every page file and rendering it with markdown-it-py, one process;
- a cold ``kbc build`` (empty parse cache, no previous site), search index included;
- a rebuild after one page changes (the parse cache warm, the previous site in place);
- the same two without the search index, to show what pagefind costs.

Usage: ``python bench/bench_build.py [--pages N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_graph import generate

FLOOR = """
import sys
from pathlib import Path
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    md.render(path.read_text(encoding="utf-8"))
"""


def timed(command: list[str], cache: Path) -> float:
    env = dict(os.environ, KBC_CACHE_DIR=str(cache))
    started = time.perf_counter()
    # from the checkout's folder: `-m kb_compiler` finds this kb_compiler, installed or not
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL,
                   cwd=Path(__file__).resolve().parent.parent)
    return time.perf_counter() - started


def build(vault: Path, out: Path, cache: Path, search: bool) -> float:
    command = [sys.executable, "-m", "kb_compiler", "build", str(vault), "-o", str(out)]
    return timed(command if search else [*command, "--no-search"], cache)


def touch_one_page(vault: Path, round_number: int) -> Path:
    page = sorted((vault / "pages").glob("*.md"))[len(list((vault / "pages").glob("*.md"))) // 2]
    with page.open("a", encoding="utf-8") as handle:
        handle.write(f"- edited in round {round_number}, see [[Topic 00001]]\n")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate the vault here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbc-bench-build-") as scratch:
        work = Path(scratch)
        vault = args.keep or work / "vault"
        if not vault.exists():
            started = time.perf_counter()
            generate(vault, args.pages)
            print(f"generated {args.pages} pages in {time.perf_counter() - started:.1f} s")
        floor = timed([sys.executable, "-c", FLOOR, str(vault)], work / "unused")
        rows = [("floor: read + markdown-it render, one process", floor)]
        for search in (True, False):
            label = "" if search else " (--no-search)"
            cache, out = work / f"cache-{search}", work / f"site-{search}"
            cold = build(vault, out, cache, search)
            touch_one_page(vault, 1 if search else 2)
            again = build(vault, out, cache, search)
            rows += [(f"cold kbc build{label}", cold),
                     (f"rebuild after one page changed{label}", again)]
        pages = sum(1 for _ in (work / "site-True").glob("*.html"))
        print(f"\n{args.pages} pages, {pages} HTML files written, {os.cpu_count()} cores\n")
        print(f"{'what':<52}{'seconds':>9}{'x floor':>9}")
        for label, seconds in rows:
            print(f"{label:<52}{seconds:9.2f}{seconds / floor:9.2f}")


if __name__ == "__main__":
    main()
