"""Rendering every page file of a build: unchanged pages taken over from the previous
site (see ``incremental``), the others rendered in two passes (every page's content,
then every page file around it, so each page's render also serves as other pages'
backlink context), in forked worker processes when there are many, and written as they
come so the finished HTML is never all held in memory.

A page whose rendering raises still gets its file (saying it could not be rendered) and
is named in the report with the error; the rest of the site is built.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from rich.progress import Progress

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.incremental import Fingerprints, Recorded
from kb_compiler.emit.site.pages import PageBuilder, PageResult, excerpt_of
from kb_compiler.emit.site.search import search_key
from kb_compiler.emit.site.stash import BodyStash, Stashed
from kb_compiler.emit.site.writer import SiteWriter
from kb_compiler.gcpause import frozen, no_gc_pauses
from kb_compiler.model import Diagnostic, Severity
from kb_compiler.parallel import map_shared, tie_worker_to_the_main_process

PARALLEL_THRESHOLD = 300  # below this many pages, worker processes cost more than they save
_CHUNK = 8  # pages per task given to a worker
_WORKER: PageBuilder | None = None  # set before forking: workers inherit it
_BODIES: dict[str, Stashed | Failure] = {}  # where each first-pass body lies, or why not
_STASH: BodyStash | None = None  # where the bodies are, during ``render_pages``
COLLECT_EVERY = 500  # renders between collections while the collector is paused
_RENDERS = 0
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a page could not be rendered: the error, in one line."""

    reason: str


@dataclass(frozen=True, slots=True)
class Job:
    kind: str  # "page" or "made-up"
    key: str
    file: str
    fingerprint: str  # all but the reads (``Fingerprints.complete``)


@dataclass
class Rendered:
    """What rendering all pages gave: results in page order, failures, the manifest."""

    results: list[PageResult] = field(default_factory=list)
    failed: list[Diagnostic] = field(default_factory=list)
    manifest: dict[str, Recorded] = field(default_factory=dict)
    reused: int = 0


def plan(context: SiteContext, fingerprints: Fingerprints) -> list[Job]:
    jobs = [Job("page", key, context.file_of(key) or "", fingerprints.page(key))
            for key in sorted(context.pages)]
    jobs += [Job("made-up", key, context.file_of(key) or "", fingerprints.made_up(key))
             for key in sorted(context.made_up)]
    return jobs


def reusable(jobs: list[Job], previous: dict[str, Recorded], old_site: Path,
             fingerprints: Fingerprints) -> set[str]:
    """Files whose previous version was made from the same inputs: the page's own, and
    those of the pages its previous render read, as they are now."""
    found = set()
    for job in jobs:
        recorded = previous.get(job.file)
        if recorded is not None and recorded.key == job.key \
                and recorded.fingerprint == fingerprints.complete(job.fingerprint,
                                                                  recorded.reads) \
                and (old_site / job.file).is_file():
            found.add(job.file)
    return found


def render_pages(builder: PageBuilder, jobs: list[Job], reuse: set[str],
                 previous: dict[str, Recorded], old_site: Path, writer: SiteWriter,
                 fingerprints: Fingerprints, workers: int | None,
                 progress: Progress | None) -> Rendered:
    """Take unchanged pages over, then render the others in two passes: every page's
    content first (a Logseq page's render also yields its blocks as backlink context),
    then every page file around its content, with all contexts at hand."""
    fresh = [job for job in jobs if job.file not in reuse]
    contents = [job.key for job in fresh if job.kind == "page"]
    steps = 2 * (len(jobs) - len(fresh)) + len(contents) + len(fresh)
    task = progress.add_task("Rendering pages", total=steps) if progress else None

    def advance(count: int = 1) -> None:
        if progress is not None and task is not None:
            progress.advance(task, count)

    done: dict[str, tuple[PageResult, Recorded]] = {}
    for job in jobs:
        if job.file in reuse:
            recorded = previous[job.file]
            writer.link(old_site / job.file, job.file)
            done[job.file] = (PageResult(job.key, job.file, "", recorded.title,
                                         recorded.excerpt, frozenset(recorded.assets),
                                         recorded.broken), recorded)
    advance(2 * len(done))
    rendered = Rendered(reused=len(done))
    # Rendering makes millions of short-lived objects and no garbage cycles worth the
    # collector's passes over the (large, long-lived) graph; it runs again afterwards.
    global _STASH
    with no_gc_pauses(), BodyStash() as _STASH:
        try:
            _render_bodies(builder, contents, workers, progress, advance)
            assembled = _render(builder, fresh, _assemble_in_worker,
                                lambda job: _assemble(builder, job.kind, job.key),
                                workers, progress)
            for job, result in assembled:
                _record(builder, job, result, writer, fingerprints, rendered, done)
                advance()
        finally:
            _BODIES.clear()
            builder.backlinks.read_stashed({}, None)  # the stash goes
            _STASH = None
    for job in jobs:  # page order, whatever order they were done in
        result, recorded = done[job.file]
        rendered.results.append(result)
        rendered.manifest[job.file] = recorded
    return rendered


def _render_bodies(builder: PageBuilder, keys: list[str], workers: int | None,
                   progress: Progress | None, advance: Callable[[], None]) -> None:
    """First pass: every page's content, stashed for the second pass (where forked
    workers inherit where each lies), and its blocks given to the backlinks as
    context."""
    contexts: dict[str, Stashed] = {}
    bodies = _render(builder, keys, _bodies_in_worker, lambda key: _stash_body(builder, key),
                     workers, progress)
    for key, outcome in bodies:
        _BODIES[key] = outcome if isinstance(outcome, Failure) else outcome[0]
        if not isinstance(outcome, Failure) and outcome[1] is not None:
            contexts[key] = outcome[1]
        advance()
    assert _STASH is not None
    _STASH.flush()  # before the second pass forks its workers
    builder.backlinks.read_stashed(contexts, _STASH.get_contexts)


def _stash_body(builder: PageBuilder,
                key: str) -> tuple[Stashed, Stashed | None] | Failure:
    """Render ``key``'s body and stash it and its backlink contexts, or say why it could
    not be rendered."""
    body = _guarded(builder.body, key)
    if isinstance(body, Failure):
        return body
    assert _STASH is not None
    contexts = _STASH.put_contexts(body.contexts) if body.contexts is not None else None
    return _STASH.put(body), contexts


def _record(builder: PageBuilder, job: Job, result: PageResult | Failure,
            writer: SiteWriter, fingerprints: Fingerprints, rendered: Rendered,
            done: dict[str, tuple[PageResult, Recorded]]) -> None:
    if isinstance(result, Failure):
        rendered.failed.append(_not_rendered(builder, job, result))
        result = failed_page(builder, job)
        fingerprint = "failed"  # never reused: rendered again next time
    else:
        fingerprint = fingerprints.complete(job.fingerprint, result.reads)
    writer.write_text(result.file, result.html)
    light = replace(result, html="", reads=frozenset())
    done[job.file] = (light, Recorded(fingerprint, job.key, light.title, light.excerpt,
                                      tuple(sorted(light.assets)), light.broken,
                                      tuple(sorted(result.reads)),
                                      search_key(result.html)))


def _render(builder: PageBuilder, items: list[Item], in_worker: Callable[[Sequence[Item]], list],
            here: Callable[[Item], Any], workers: int | None,
            progress: Progress | None) -> Iterator[tuple[Item, Any]]:
    """``(item, rendered)`` for every item, in the order they are done: in forked
    workers and this process on big batches (``kb_compiler.parallel``), else here."""
    with _pool(builder, len(items), workers, progress) as (pool, helpers):
        if pool is None:
            yield from ((item, here(item)) for item in items)
            return
        chunks = [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]
        for number, results in map_shared(pool, helpers, chunks, in_worker,
                                          lambda chunk: [here(item) for item in chunk]):
            yield from zip(chunks[number], results, strict=True)


@contextmanager
def _pool(builder: PageBuilder, count: int, workers: int | None,
          progress: Progress | None) -> Iterator[tuple[ProcessPoolExecutor | None, int]]:
    """Forked workers that inherit ``builder`` and the bodies rendered so far, and how
    many: one per core but one, since this process renders too. None for small batches
    and systems without fork. The progress bar's refresh thread is paused while
    forking."""
    global _WORKER
    helpers = min(workers or os.cpu_count() or 1, 8) - 1
    if helpers < 1 or count < PARALLEL_THRESHOLD or \
            "fork" not in multiprocessing.get_all_start_methods():
        yield None, 0
        return
    _WORKER = builder
    if progress is not None:
        progress.stop()
    try:
        # Everything alive now is shared with the workers: frozen, the collector never
        # touches (and so never copies) those pages in the children.
        with frozen(), ProcessPoolExecutor(
                helpers, mp_context=multiprocessing.get_context("fork"),
                initializer=tie_worker_to_the_main_process) as pool:
            pool.submit(int).result()  # the workers are forked now, the bar's thread stopped
            if progress is not None:
                progress.start()
            yield pool, helpers
    finally:
        _WORKER = None


def _bodies_in_worker(keys: Sequence[str]) -> list[tuple[Stashed, Stashed | None] | Failure]:
    assert _WORKER is not None and _STASH is not None
    stashed = [_stash_body(_WORKER, key) for key in keys]
    _STASH.flush()  # another process may assemble these pages
    return stashed


def _assemble_in_worker(jobs: Sequence[Job]) -> list[PageResult | Failure]:
    assert _WORKER is not None
    return [_assemble(_WORKER, job.kind, job.key) for job in jobs]


def _assemble(builder: PageBuilder, kind: str, key: str) -> PageResult | Failure:
    if kind != "page":
        return _guarded(builder.made_up, key)
    stashed = _BODIES[key]
    if isinstance(stashed, Failure):
        return stashed
    assert _STASH is not None
    return _guarded(lambda k: builder.assemble(k, _STASH.get(stashed)), key)


def _guarded(render: Callable[[str], Any], key: str) -> Any:
    global _RENDERS
    _RENDERS += 1
    if _RENDERS % COLLECT_EVERY == 0 and not gc.isenabled():
        # The few reference cycles a render leaves (jinja2's) are freed now and then:
        # only the young generations, never a pass over the whole graph.
        gc.collect(1)
    try:
        return render(key)
    except RecursionError:
        return Failure("nested too deeply to render")
    except Exception as error:  # one broken page must not stop the site
        return Failure(f"{type(error).__name__}: {error}".splitlines()[0])


def _not_rendered(builder: PageBuilder, job: Job, failure: Failure) -> Diagnostic:
    page = builder.context.pages.get(job.key)
    where = page.path if page is not None else job.file
    return Diagnostic("internal-error", Severity.ERROR, where, 0, 0,
                      f"could not render this page ({failure.reason}); its page on the "
                      "site says so")


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
