"""``build_site``: the one entry point of the site emitter.

It reads top to bottom: refuse a bad output folder, work out the published view
(``SiteContext``), render every page (in worker processes on big vaults), write the
site-wide pages and files, copy the assets pages show, index the text with pagefind,
and swap the new site in. A page that fails to render becomes a page saying so; the
rest of the site is still built.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb_compiler.emit.site import sitewide
from kb_compiler.emit.site.context import SiteContext, SiteOptions
from kb_compiler.emit.site.pages import PageBuilder, PageResult, excerpt_of
from kb_compiler.emit.site.search import build_search_index
from kb_compiler.emit.site.theme import Theme
from kb_compiler.emit.site.urls import asset_file
from kb_compiler.emit.site.writer import SiteWriter, check_output_folder
from kb_compiler.model import Diagnostic
from kb_compiler.resolve import KnowledgeGraph

PARALLEL_THRESHOLD = 300  # below this many pages, worker processes cost more than they save
RELOAD_FILE = "kbc-reload.txt"
_WORKER: PageBuilder | None = None  # set before forking: workers inherit it


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote and found."""

    out: Path
    pages: int  # notes published
    made_up: int  # tag and namespace pages without a file of their own
    redirects: int  # alias redirect pages
    private: int  # pages kept off the site
    assets: int  # files copied
    files: int  # files written in all
    broken: int  # broken references shown on pages
    failed: tuple[str, ...]  # pages that could not be rendered (page ids)
    search: bool
    seconds: float
    diagnostics: tuple[Diagnostic, ...]  # what the vault's parse and resolution found


def build_site(graph: KnowledgeGraph, out: Path, options: SiteOptions | None = None) -> BuildReport:
    """Build the static site for ``graph`` into ``out`` (see the module doc)."""
    options = options or SiteOptions()
    started = time.monotonic()
    target = check_output_folder(Path(out), graph.kb.root)
    context = SiteContext(graph, options)
    theme = Theme(_site_globals(context), options.templates)
    builder = PageBuilder(context, theme)
    page_count = len(context.pages) + len(context.made_up)
    # Workers are forked before the progress bar starts its refresh thread.
    with _worker_pool(builder, page_count, options.jobs) as pool, SiteWriter(target) as writer, \
            _progress(options) as progress:
        for name, data in theme.static_files().items():
            writer.write_bytes(name, data)
        results, failed = _render_pages(builder, context, pool, progress)
        for result in results:
            writer.write_text(result.file, result.html)
        _write_sitewide(writer, context, theme, [r for r in results if r.key in context.pages])
        assets = _copy_assets(writer, context, results)
        if options.search:
            task = progress.add_task("Indexing search", total=None) if progress else None
            build_search_index(writer.temp)
            if progress and task is not None:
                progress.update(task, total=1, completed=1)
        if options.serve:
            writer.write_text(RELOAD_FILE, _fingerprint(writer.temp))
        files = writer.count
        writer.commit()
    return BuildReport(
        out=target, pages=len(context.pages), made_up=len(context.made_up),
        redirects=len(context.redirects), private=len(context.publish.private),
        assets=assets, files=files, broken=sum(r.broken for r in results),
        failed=tuple(failed), search=options.search,
        seconds=round(time.monotonic() - started, 3),
        diagnostics=tuple(sorted({*graph.kb.all_diagnostics(), *graph.diagnostics},
                                 key=Diagnostic.sort_key)),
    )


def _site_globals(context: SiteContext) -> dict[str, object]:
    options = context.options
    return {
        "title": context.title,
        "nav": sitewide.navigation(context),
        "search": options.search,
        "serve": options.serve,
        "previews": sitewide.preview_shards(len(context.pages) + len(context.made_up)),
        "base_url": (options.base_url or "").rstrip("/"),
        "page_count": len(context.pages),
    }


# -- pages ---------------------------------------------------------------------------------

def _render_pages(builder: PageBuilder, context: SiteContext, pool: Pool | None,
                  progress: Progress | None) -> tuple[list[PageResult], list[str]]:
    jobs = [("page", key) for key in sorted(context.pages)]
    jobs += [("made-up", key) for key in sorted(context.made_up)]
    task = progress.add_task("Rendering pages", total=len(jobs)) if progress else None
    results: list[PageResult] = []
    failed: list[str] = []
    for kind, key, result in _render_all(builder, jobs, pool):
        if result is None:
            failed.append(key)
            result = _failed_page(builder, context, key, kind)
        results.append(result)
        if progress is not None and task is not None:
            progress.advance(task)
    return results, failed


@contextmanager
def _worker_pool(builder: PageBuilder, page_count: int, jobs: int | None) -> Iterator[Pool | None]:
    """A pool of forked workers that inherit ``builder``, or None for small vaults and
    systems without fork."""
    global _WORKER
    count = min(jobs or os.cpu_count() or 1, 8)
    if count <= 1 or page_count < PARALLEL_THRESHOLD or \
            "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    _WORKER = builder
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            yield pool
    finally:
        _WORKER = None


def _render_all(builder: PageBuilder, jobs: list[tuple[str, str]],
                pool: Pool | None) -> Iterator[tuple[str, str, PageResult | None]]:
    if pool is None:
        for kind, key in jobs:
            yield kind, key, _render_one(builder, kind, key)
        return
    for (kind, key), result in zip(jobs, pool.imap(_render_in_worker, jobs, 8), strict=True):
        yield kind, key, result


def _render_in_worker(job: tuple[str, str]) -> PageResult | None:
    assert _WORKER is not None
    return _render_one(_WORKER, *job)


def _render_one(builder: PageBuilder, kind: str, key: str) -> PageResult | None:
    try:
        return builder.page(key) if kind == "page" else builder.made_up(key)
    except RecursionError:
        return None
    except Exception:  # noqa: BLE001 - one broken page must not stop the site
        return None


def _failed_page(builder: PageBuilder, context: SiteContext, key: str, kind: str) -> PageResult:
    site_file = context.file_of(key) or ""
    name = context.display_name(key)
    markup = builder.theme.render("page.html", site_file, page={
        "key": key, "title": name, "icon": "", "content": "", "failed": True, "toc": [],
        "properties": [], "metamodel": None, "aliases": [], "tags": [], "breadcrumbs": [],
        "backlinks": None, "tagged": [], "children": [], "local_graph": "", "broken": [],
        "path": getattr(context.pages.get(key), "path", ""), "dialect": "", "date": None,
        "type": None,
    })
    return PageResult(key, site_file, markup, name, excerpt_of(""), frozenset(), 0)


# -- the rest of the site ------------------------------------------------------------------

def _write_sitewide(writer: SiteWriter, context: SiteContext, theme: Theme,
                    results: Sequence[PageResult]) -> None:
    writer.write_text("index.html", sitewide.home_page(context, theme, results))
    writer.write_text("all-pages.html", sitewide.all_pages(context, theme))
    writer.write_text("tags.html", sitewide.tags_page(context, theme))
    writer.write_text("graph.html", sitewide.graph_page(context, theme))
    writer.write_text("404.html", sitewide.not_found_page(theme))
    for path, markup in sitewide.redirect_pages(context, theme):
        writer.write_text(path, markup)
    for path, text in sitewide.preview_files(context, results).items():
        writer.write_text(path, text)
    for path, text in sitewide.feed_and_sitemap(context, results).items():
        writer.write_text(path, text)


def _copy_assets(writer: SiteWriter, context: SiteContext, results: Sequence[PageResult]) -> int:
    """Copy the assets published pages show; never a file that resolves outside the
    vault (a symlink pointing out is skipped)."""
    root = context.kb.root.resolve()
    copied = 0
    for path in sorted({asset for result in results for asset in result.assets}):
        source = (root / path).resolve()
        if root not in source.parents or not source.is_file():
            continue
        writer.copy(source, asset_file(path))
        copied += 1
    return copied


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha1()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.hexdigest() + "\n"


def _progress(options: SiteOptions) -> Progress | nullcontext[None]:
    show = options.progress if options.progress is not None else sys.stderr.isatty()
    if not show:
        return nullcontext()
    console = Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)

