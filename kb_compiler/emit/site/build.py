"""``build_site``: the one entry point of the site emitter.

It reads top to bottom: refuse a bad output folder, work out the published view
(``SiteContext``), render every page (in worker processes on big vaults), write the
site-wide pages and files, copy the assets pages show, index the text with pagefind,
and swap the new site in. A page that fails to render becomes a page saying so; the
rest of the site is still built.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb_compiler import __version__
from kb_compiler.emit import unreadable_asset
from kb_compiler.emit.site import batch, sitewide
from kb_compiler.emit.site.context import SiteContext, SiteOptions
from kb_compiler.emit.site.highlight import may_have_diagram
from kb_compiler.emit.site.incremental import (
    MANIFEST,
    Fingerprints,
    code_fingerprint,
    read_manifest,
    write_manifest,
)
from kb_compiler.emit.site.pages import PageBuilder, PageResult
from kb_compiler.emit.site.search import index_language, start_search_index
from kb_compiler.emit.site.theme import Theme
from kb_compiler.emit.site.urls import asset_file
from kb_compiler.emit.site.writer import NOJEKYLL, SiteWriter, check_output_folder
from kb_compiler.gcpause import no_gc_pauses
from kb_compiler.model import Diagnostic
from kb_compiler.resolve import KnowledgeGraph

RELOAD_FILE = "kbc-reload.txt"


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
    failed: tuple[Diagnostic, ...]  # pages that could not be rendered, and why
    reused: int  # page files taken over unchanged from the previous build
    search: bool
    seconds: float
    diagnostics: tuple[Diagnostic, ...]  # what the vault's parse and resolution found
    search_shards: int = 0  # pagefind bundles in the search index
    search_indexed: int = 0  # of those, indexed in this build (the others taken over)
    unread: tuple[Diagnostic, ...] = ()  # assets that could not be read, left out


def build_site(graph: KnowledgeGraph, out: str | Path,
               options: SiteOptions | None = None) -> BuildReport:
    """Build the static site for ``graph`` into ``out`` (see the module doc)."""
    with no_gc_pauses():
        return _build(graph, Path(out), options or SiteOptions())


def _build(graph: KnowledgeGraph, out: Path, options: SiteOptions) -> BuildReport:
    started = time.monotonic()
    target = check_output_folder(Path(out), graph.kb.root)
    context = SiteContext(graph, options)
    theme = Theme(_site_globals(context), options.templates, context.cache_folder)
    builder = PageBuilder(context, theme)
    site_wide = _site_wide(theme, options, context)
    with SiteWriter(target) as writer, _progress(options) as progress:
        for name, data in theme.static_files().items():
            writer.write_bytes(name, data)
        if any(may_have_diagram(page.text) for page in context.pages.values()):
            for name, data in theme.diagram_files().items():
                writer.write_bytes(name, data)
        rendered = _render_pages(builder, target, writer, site_wide, options, progress)
        results = rendered.results
        # Pages without a file (tag, namespace, linked-only) are found by their name.
        search_keys = {r.file: rendered.manifest[r.file].search_key for r in results
                       if r.key in context.pages or r.key in context.made_up}
        with writer.open_text(MANIFEST) as manifest:
            write_manifest(rendered.manifest, manifest)
        rendered.manifest.clear()  # written: the site-wide pages need the room
        # pagefind only reads the note pages: it runs while the rest is written
        indexing = start_search_index(
            writer, target, search_keys, site_wide,
            index_language(page.text for page in context.pages.values())) \
            if options.search else None
        try:
            _write_sitewide(writer, context, theme, results)
            assets, unread = _copy_assets(writer, context, results)
            if indexing is not None:
                task = progress.add_task("Indexing search", total=None) if progress else None
                indexing.wait()
                if progress and task is not None:
                    progress.update(task, total=1, completed=1)
        except BaseException:  # SIGTERM while waiting too: no pagefind outlives kbc
            if indexing is not None:
                indexing.cancel()
            raise
        shards = (indexing.shards, indexing.indexed) if indexing is not None else (0, 0)
        if options.serve:
            writer.write_text(RELOAD_FILE, _fingerprint(writer.temp))
        writer.commit()
        files = writer.count
    return BuildReport(
        out=target, pages=len(context.pages), made_up=len(context.made_up),
        redirects=len(context.redirects), private=len(context.publish.private),
        assets=assets, files=files, broken=sum(r.broken for r in results),
        failed=tuple(sorted(rendered.failed, key=Diagnostic.sort_key)),
        reused=rendered.reused, search=options.search,
        seconds=round(time.monotonic() - started, 3),
        diagnostics=tuple(sorted({*graph.kb.all_diagnostics(), *graph.diagnostics},
                                 key=Diagnostic.sort_key)),
        search_shards=shards[0], search_indexed=shards[1], unread=tuple(unread),
    )


def _render_pages(builder: PageBuilder, target: Path, writer: SiteWriter, site_wide: str,
                  options: SiteOptions, progress: Progress | None) -> batch.Rendered:
    """Every page file, taken over from the previous site when its inputs are unchanged.
    The fingerprints and the previous manifest go when this returns."""
    fingerprints = Fingerprints(builder.context, site_wide)
    jobs = batch.plan(builder.context, fingerprints)
    previous = read_manifest(target) if target.is_dir() else {}
    reuse = batch.reusable(jobs, previous, target, fingerprints)
    return batch.render_pages(builder, jobs, reuse, previous, target, writer, fingerprints,
                              options.jobs, progress)


def _site_wide(theme: Theme, options: SiteOptions, context: SiteContext) -> str:
    """What every page depends on: code, templates, options, the sidebar, the vault's
    text macros (``:macros`` in Logseq's ``config.edn``), expanded where used,
    Obsidian's line-break setting, the ``exclude`` globs (they decide which files a
    page may show, not only which pages are published) and the properties not shown."""
    code = code_fingerprint(tuple(str(folder) for folder in theme.folders))
    settings = (options.base_url, options.allow_raw_html, options.search, options.serve,
                options.title, __version__, context.strict_line_breaks, context.exclude,
                sorted(context.hidden_properties))
    macros = getattr(context.kb.config, "macros", ())
    return hashlib.sha1(repr((code, settings, sorted(theme.site.items()), macros))
                        .encode()).hexdigest()


def _site_globals(context: SiteContext) -> dict[str, object]:
    options = context.options
    return {
        "title": context.title,
        "nav": sitewide.navigation(context),
        "search": options.search,
        "serve": options.serve,
        "previews": sitewide.preview_shards(len(context.pages) + len(context.made_up)),
        "base_url": (options.base_url or "").rstrip("/"),
        "feed": sitewide.has_feed(context),
        "sitemap": bool(options.base_url),
    }


# -- the rest of the site ------------------------------------------------------------------

def _write_sitewide(writer: SiteWriter, context: SiteContext, theme: Theme,
                    all_results: Sequence[PageResult]) -> None:
    results = [r for r in all_results if r.key in context.pages]
    writer.write_text("index.html", sitewide.home_page(context, theme, results))
    writer.write_text("all-pages.html", sitewide.all_pages(context, theme))
    writer.write_text("tags.html", sitewide.tags_page(context, theme))
    writer.write_text("graph.html", sitewide.graph_page(context, theme))
    writer.write_text("404.html", sitewide.not_found_page(theme))
    writer.write_bytes(NOJEKYLL, b"")
    for path, markup in sitewide.redirect_pages(context, theme):
        writer.write_text(path, markup)
    shards = int(theme.site["previews"])
    for path, text in sitewide.preview_files(context, all_results, shards).items():
        writer.write_text(path, text)
    for path, text in sitewide.feed_and_sitemap(context, results).items():
        writer.write_text(path, text)


def _copy_assets(writer: SiteWriter, context: SiteContext,
                 results: Sequence[PageResult]) -> tuple[int, list[Diagnostic]]:
    """Copy the assets published pages show, in their publishable form (see
    ``assets``); never a file that resolves outside the vault. Returns how many were
    copied and a note for each that could not be read."""
    copied = 0
    unread = []
    for path in sorted({asset for result in results for asset in result.assets}):
        try:
            data = context.asset_bytes(path)
        except OSError as error:
            unread.append(unreadable_asset(path, error, "the site"))
            continue
        if data is not None:
            writer.write_bytes(asset_file(path), data)
            copied += 1
    return copied, unread


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha1()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.hexdigest() + "\n"


def _progress(options: SiteOptions) -> AbstractContextManager[Progress | None]:
    show = options.progress if options.progress is not None else sys.stderr.isatty()
    if not show:
        return nullcontext()
    console = Console(stderr=True, force_terminal=True if options.progress else None)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)

