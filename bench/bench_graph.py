"""Benchmark `kbc graph` on a generated 10,000-page vault.

Generates a deterministic vault (seeded random: Logseq pages with page properties,
namespaces, key blocks, links, tags, page and block embeds, block refs and missing
targets; Obsidian notes in folders with frontmatter, wikilinks, heading links and
attachments), then times, in one run:

- ``kbc graph VAULT -o graph.json`` as a user runs it (a fresh process, empty parse
  cache): load + resolve + JSON export;
- the same with the parse cache warm;
- in-process, the stages apart: load (no cache), resolve, JSON export.

Usage: ``python bench/bench_graph.py [--pages N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's kb_compiler, installed or not

SEED = 20240529


def generate(root: Path, pages: int) -> None:
    """Write ``pages`` page files under ``root`` (about 70% Logseq, 30% Obsidian)."""
    rng = random.Random(SEED)
    logseq_count = pages * 7 // 10
    names = [f"Topic {n:05d}" for n in range(logseq_count)]
    notes = [f"notes/area {n % 40:02d}/Note {n:05d}" for n in range(pages - logseq_count)]
    block_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in names]
    (root / "pages").mkdir(parents=True)
    (root / "assets").mkdir()
    for n in range(200):
        (root / "assets" / f"image-{n:03d}.png").write_bytes(b"\x89PNG\r\n")
    for number, name in enumerate(names):
        page_name = f"{names[number // 10]}/{name}" if number % 10 and number > 10 else name
        (root / "pages" / f"{page_name.replace('/', '___')}.md").write_text(
            _logseq_page(rng, number, names, block_ids), encoding="utf-8")
    for number, note in enumerate(notes):
        path = root / f"{note}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_obsidian_note(rng, number, notes, names), encoding="utf-8")


def _logseq_page(rng: random.Random, number: int, names: list[str], ids: list[str]) -> str:
    def other() -> str:
        return names[rng.randrange(len(names))]

    lines = [
        f"icon:: 📄\nmetamodel-id:: [[{names[number % 50]}]]",
        f"relations:: [[{other()}]] [[{other()}]]",
        f"weight:: {rng.randrange(101)}",
        f"tags:: topic-{number % 30}, [[{other()}]]",
        "",
        "- ## 🔍 Definition",
        f"  - Notes about [[{other()}]] and [[{other()}]] #tag{number % 25}",
        f"    id:: {ids[number]}",
        "- ## 🔑 Keys",
    ]
    for key in range(2):
        lines += [f"  - #key [Key {key}](https://example.org/{number}/{key})",
                  f"    key-weight:: {rng.randrange(1, 101)}",
                  f"    value:: {rng.randrange(101)}"]
    lines += [
        "- ## Links",
        "  - See ((" + ids[rng.randrange(len(ids))] + f")) and [[Missing {number % 300}]]",
        f"  - {{{{embed [[{names[(number + 1) % len(names)]}]]}}}}" if number % 20 == 0
        else f"  - Related: [[{other()}]], [[{other()}]]",
        f"  - ![shot](../assets/image-{number % 200:03d}.png)",
    ]
    return "\n".join(lines) + "\n"


def _obsidian_note(rng: random.Random, number: int, notes: list[str],
                   names: list[str]) -> str:
    def other_note() -> str:
        return notes[rng.randrange(len(notes))].rsplit("/", 1)[-1]

    return (
        "---\n"
        f"tags: [area-{number % 40}, note]\n"
        f"aliases: [N{number}]\n"
        f'related: "[[{other_note()}]]"\n'
        "---\n"
        f"# Note {number}\n\n"
        f"Links to [[{other_note()}]], [[{other_note()}#Details]] and "
        f"[[{names[rng.randrange(len(names))]}]]. #inbox/{number % 7}\n\n"
        "## Details\n\n"
        f"- A point with a block id ^p{number}\n"
        f"- ![[image-{number % 200:03d}.png|300]]\n"
        f"- [[N{(number + 3) % len(notes)}]] and [[Nowhere {number % 100}]]\n"
    )


def run_cli(vault: Path, out: Path, cache: Path) -> float:
    env = dict(os.environ, KBC_CACHE_DIR=str(cache))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from kb_compiler.cli import main; main()",
                    "graph", str(vault), "-o", str(out), "-q"], check=True, env=env, cwd=REPO)
    return time.perf_counter() - started


def in_process(vault: Path) -> tuple[float, float, float, dict]:
    from kb_compiler import load
    from kb_compiler.emit.graph import render_graph
    from kb_compiler.resolve import resolve

    started = time.perf_counter()
    kb = load(vault, cache_dir=None)
    loaded = time.perf_counter()
    graph = resolve(kb)
    resolved = time.perf_counter()
    render_graph(graph.graph, "json")
    exported = time.perf_counter()
    return loaded - started, resolved - loaded, exported - resolved, dict(graph.graph.graph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate the vault here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbc-bench-graph-") as scratch:
        work = Path(scratch)
        vault = args.keep or work / "vault"
        started = time.perf_counter()
        generate(vault, args.pages)
        print(f"generated {args.pages} pages in {time.perf_counter() - started:.1f} s")
        cold = run_cli(vault, work / "graph.json", work / "cache")
        warm = run_cli(vault, work / "graph2.json", work / "cache")
        same = (work / "graph.json").read_bytes() == (work / "graph2.json").read_bytes()
        load_s, resolve_s, export_s, stats = in_process(vault)
        print(f"kbc graph (cold, new process):   {cold:6.2f} s")
        print(f"kbc graph (warm parse cache):    {warm:6.2f} s")
        print(f"  in process: load {load_s:.2f} s, resolve {resolve_s:.2f} s, "
              f"json export {export_s:.2f} s")
        print(f"  graph: {stats}")
        print(f"  output identical across runs: {same}")


if __name__ == "__main__":
    main()
