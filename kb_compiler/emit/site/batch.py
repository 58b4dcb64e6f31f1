"""Rendering every page file of a build: unchanged pages taken over from the previous
site (see ``incremental``), the others rendered, in forked worker processes when there
are many, and written as they come so the HTML is never all held in memory.

A page whose rendering raises still gets its file (saying it could not be rendered) and
is named in the report; the rest of the site is built.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.pool import Pool
from pathlib import Path

from rich.progress import Progress

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.incremental import Fingerprints, Recorded
from kb_compiler.emit.site.pages import PageBuilder, PageResult, excerpt_of
from kb_compiler.emit.site.writer import SiteWriter

PARALLEL_THRESHOLD = 300  # below this many pages, worker processes cost more than they save
_WORKER: PageBuilder | None = None  # set before forking: workers inherit it


@dataclass(frozen=True, slots=True)
class Job:
    kind: str  # "page" or "made-up"
    key: str
    file: str
    fingerprint: str


@dataclass
class Rendered:
    """What rendering all pages gave: results in page order, failures, the manifest."""

    results: list[PageResult] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    manifest: dict[str, Recorded] = field(default_factory=dict)
    reused: int = 0


def plan(context: SiteContext, fingerprints: Fingerprints) -> list[Job]:
    jobs = [Job("page", key, context.file_of(key) or "", fingerprints.page(key))
            for key in sorted(context.pages)]
    jobs += [Job("made-up", key, context.file_of(key) or "", fingerprints.made_up(key))
             for key in sorted(context.made_up)]
    return jobs


def reusable(jobs: list[Job], previous: dict[str, Recorded], old_site: Path) -> set[str]:
    """Files whose previous version was made from the same inputs."""
    found = set()
    for job in jobs:
        recorded = previous.get(job.file)
        if recorded is not None and recorded.fingerprint == job.fingerprint \
                and recorded.key == job.key and (old_site / job.file).is_file():
            found.add(job.file)
    return found


def render_pages(builder: PageBuilder, jobs: list[Job], reuse: set[str],
                 previous: dict[str, Recorded], old_site: Path, writer: SiteWriter,
                 pool: Pool | None, progress: Progress | None) -> Rendered:
    task = progress.add_task("Rendering pages", total=len(jobs)) if progress else None
    done: dict[str, tuple[PageResult, Recorded]] = {}
    for job in jobs:
        if job.file in reuse:
            recorded = previous[job.file]
            writer.link(old_site / job.file, job.file)
            result = PageResult(job.key, job.file, "", recorded.title, recorded.excerpt,
                                frozenset(recorded.assets), recorded.broken)
            done[job.file] = (result, recorded)
            if progress is not None and task is not None:
                progress.advance(task)
    rendered = Rendered(reused=len(done))
    fresh = [job for job in jobs if job.file not in reuse]
    for job, result in zip(fresh, _render_all(builder, fresh, pool), strict=True):
        fingerprint = job.fingerprint
        if result is None:
            rendered.failed.append(job.key)
            result = failed_page(builder, job)
            fingerprint = "failed"  # never reused: rendered again next time
        writer.write_text(result.file, result.html)
        light = replace(result, html="")
        done[job.file] = (light, Recorded(fingerprint, job.key, light.title, light.excerpt,
                                          tuple(sorted(light.assets)), light.broken))
        if progress is not None and task is not None:
            progress.advance(task)
    for job in jobs:  # page order, whatever order they were done in
        result, recorded = done[job.file]
        rendered.results.append(result)
        rendered.manifest[job.file] = recorded
    return rendered


@contextmanager
def worker_pool(builder: PageBuilder, to_render: int, jobs: int | None) -> Iterator[Pool | None]:
    """A pool of forked workers that inherit ``builder``, or None for small batches and
    systems without fork. Made before any thread starts (the progress bar has one)."""
    global _WORKER
    count = min(jobs or os.cpu_count() or 1, 8)
    if count <= 1 or to_render < PARALLEL_THRESHOLD or \
            "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    _WORKER = builder
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            yield pool
    finally:
        _WORKER = None


def _render_all(builder: PageBuilder, jobs: list[Job],
                pool: Pool | None) -> Iterator[PageResult | None]:
    pairs = [(job.kind, job.key) for job in jobs]
    if pool is None:
        for kind, key in pairs:
            yield _render_one(builder, kind, key)
        return
    yield from pool.imap(_render_in_worker, pairs, 8)


def _render_in_worker(job: tuple[str, str]) -> PageResult | None:
    assert _WORKER is not None
    return _render_one(_WORKER, *job)


def _render_one(builder: PageBuilder, kind: str, key: str) -> PageResult | None:
    try:
        return builder.page(key) if kind == "page" else builder.made_up(key)
    except RecursionError:
        return None
    except Exception:
        return None


def failed_page(builder: PageBuilder, job: Job) -> PageResult:
    context = builder.context
    name = context.display_name(job.key)
    markup = builder.theme.render("page.html", job.file, page={
        "key": job.key, "title": name, "icon": "", "content": "", "failed": True, "toc": [],
        "properties": [], "metamodel": None, "aliases": [], "tags": [], "breadcrumbs": [],
        "backlinks": None, "tagged": [], "children": [], "local_graph": "", "broken": [],
        "path": getattr(context.pages.get(job.key), "path", ""), "dialect": "", "date": None,
        "type": None,
    })
    return PageResult(job.key, job.file, markup, name, excerpt_of(""), frozenset(), 0)
