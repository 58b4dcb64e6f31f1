"""Cost grows linearly with the vault: the work done per page stays flat when the vault
grows tenfold.

No wall-clock times (they depend on the machine and its load): the tests count work.
``cProfile`` counts every Python function call of a stage, a deterministic measure of
the interpreted work; a quadratic step (a scan over all pages for each page or each
reference) multiplies the calls per page by the growth factor, here ten. The near-miss
search is tested at the issue's sizes, 1,000 and 10,000 page names, by counting the
edit-distance comparisons it makes per unresolved name.
"""

from __future__ import annotations

import cProfile
import difflib
import pstats
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kb_compiler.check import run_checks
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.incremental import Fingerprints
from kb_compiler.loader import load
from kb_compiler.model import KnowledgeBase
from kb_compiler.resolve import KnowledgeGraph, nearmiss, resolve
from tests.vaultgen import generate

SMALL, LARGE = 150, 1500  # pages: a tenfold growth, small enough for a fast suite
# Fixed costs (schema, config, imports already done) make small vaults dearer per page,
# so linear work gives a ratio at or below 1; a quadratic step would give about 10.
MAX_GROWTH = 1.3


def calls_in(action: Callable[[], Any]) -> int:
    """The number of Python function calls ``action`` makes."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        action()
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


@dataclass
class Sized:
    """A generated vault of one size, parsed and resolved."""

    kb: KnowledgeBase
    graph: KnowledgeGraph


@pytest.fixture(scope="module", params=["logseq", "obsidian"])
def vaults(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> dict[int, Sized]:
    """A small and a ten times larger generated vault of one dialect."""
    made = {}
    for size in (SMALL, LARGE):
        root = tmp_path_factory.mktemp(f"{request.param}-{size}")
        generate(root, pages=size, dialect=request.param)
        kb = load(root, cache_dir=None, jobs=1)
        made[size] = Sized(kb, resolve(kb))
    return made


def per_page(count: int, sized: Sized) -> float:
    return count / len(sized.kb.pages)


def test_generated_vaults_have_the_sizes_asked_for(vaults: dict[int, Sized]) -> None:
    assert len(vaults[LARGE].kb.pages) >= 9 * len(vaults[SMALL].kb.pages)
    references = [sum(len(p.references) for p in v.kb.pages) for v in vaults.values()]
    assert references[1] >= 9 * references[0]  # links grow with the pages, not faster


def test_resolution_work_per_page_stays_flat(vaults: dict[int, Sized]) -> None:
    """Name resolution, aliases, block refs, embeds and their cycles, scores, the
    metamodel check and the graph with its backlinks (in-edges)."""
    work = {size: per_page(calls_in(lambda v=v: resolve(v.kb)), v) for size, v in vaults.items()}
    assert work[LARGE] <= MAX_GROWTH * work[SMALL], work


def test_check_work_per_page_stays_flat(vaults: dict[int, Sized]) -> None:
    work = {size: per_page(calls_in(lambda v=v: run_checks(v.graph)), v)
            for size, v in vaults.items()}
    assert work[LARGE] <= MAX_GROWTH * work[SMALL], work


def test_backlinks_are_indexed_not_searched(vaults: dict[int, Sized]) -> None:
    """Every page's in-edges come from the graph's adjacency, at a cost per page that
    does not grow with the vault."""
    work = {}
    for size, sized in vaults.items():
        graph = sized.graph.graph
        keys = [key for key, data in graph.nodes(data=True) if data["exists"]]
        work[size] = per_page(calls_in(
            lambda g=graph, k=keys: [list(g.in_edges(x, data=True)) for x in k]), sized)
    assert work[LARGE] <= MAX_GROWTH * work[SMALL], work


def test_the_large_vault_is_really_resolved(vaults: dict[int, Sized]) -> None:
    """The counts mean something only if resolution did its work: no link of the
    generated vault is broken, and every reference became an edge."""
    sized = vaults[LARGE]
    assert not [d for d in sized.graph.diagnostics if d.code.startswith("broken")]
    edges = sized.graph.graph.number_of_edges()
    assert edges >= sum(len(p.references) for p in sized.kb.pages)


# -- the near-miss search at 1,000 and 10,000 names ---------------------------------------


def _names(count: int) -> list[tuple[str, str]]:
    """Page names shaped like real ones (the generator's), with their ids."""
    words = ("quiet", "bright", "rapid", "lean", "open", "steady", "clear", "bold")
    nouns = ("river", "summit", "harbor", "signal", "canvas", "beacon", "orbit", "meadow")
    names = [f"{words[n % 8].capitalize()} {nouns[n // 8 % 8]} {n:05d}" for n in range(count)]
    return [(name, name.lower()) for name in names]


def _misspelt(name: str) -> str:
    """A near miss an author makes: a hyphen for a space and a letter dropped."""
    first, noun, number = name.split(" ")
    return f"{first}-{noun[:-1]} {number}"


class _CountingMatcher(difflib.SequenceMatcher):
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).made += 1
        super().__init__(*args, **kwargs)


def test_near_miss_search_compares_few_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nearmiss.difflib, "SequenceMatcher", _CountingMatcher)
    per_lookup = {}
    for size in (1000, 10_000):
        names = _names(size)
        index = nearmiss.NearMissIndex(names)
        _CountingMatcher.made = 0
        queries = names[:: size // 200]
        found = [index.suggest(_misspelt(name)) for name, _ in queries]
        assert sum(1 for hit, (name, _) in zip(found, queries, strict=True)
                   if hit is not None and hit[0] == name) >= 0.9 * len(queries)
        per_lookup[size] = _CountingMatcher.made / len(queries)
    assert per_lookup[10_000] <= 2 * per_lookup[1000] + 2, per_lookup


def test_near_miss_lookups_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken name written on every page is searched once, not once per page."""
    monkeypatch.setattr(nearmiss.difflib, "SequenceMatcher", _CountingMatcher)
    names = _names(1000)
    index = nearmiss.NearMissIndex(names)
    _CountingMatcher.made = 0
    wrong = _misspelt(names[1][0])
    assert index.suggest(wrong) == names[1]
    made = _CountingMatcher.made
    assert made > 0
    assert all(index.suggest(wrong) == names[1] for _ in range(1000))
    assert _CountingMatcher.made == made


# -- the site: fingerprints and rendering ---------------------------------------------------


def test_site_fingerprints_per_page_stay_flat(vaults: dict[int, Sized]) -> None:
    """What decides which pages a rebuild renders again: every page's fingerprint. (It
    once followed every embed edge to the depth bound, which made each page of a densely
    embedding vault depend on most others: work per page grew with the vault.)"""
    work = {}
    for size, sized in vaults.items():
        context = SiteContext(sized.graph, SiteOptions(search=False))
        fingerprints = Fingerprints(context, "build")
        work[size] = per_page(calls_in(
            lambda c=context, f=fingerprints: [f.page(key) for key in sorted(c.pages)]), sized)
    assert work[LARGE] <= MAX_GROWTH * work[SMALL], work


def test_site_build_work_per_page_stays_flat(vaults: dict[int, Sized],
                                             tmp_path: Path) -> None:
    """Rendering, embeds, backlinks with context, local graphs, site-wide pages."""
    options = SiteOptions(search=False, jobs=1, progress=False)
    work = {}
    for size, sized in vaults.items():
        out = tmp_path / f"site-{size}"
        work[size] = per_page(calls_in(
            lambda g=sized.graph, o=out: build_site(g, o, options)), sized)
    assert work[LARGE] <= MAX_GROWTH * work[SMALL], work
