"""`kbc build`: the static reference site of a vault."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import click

from kb_compiler.commands.common import (
    jobs_option,
    output_folder,
    plural,
    report_problems,
    resolve_vault,
    vault_argument,
)
from kb_compiler.errors import KbcError

# What may stand in a URL as it is (RFC 3986's reserved and unreserved characters, and
# "%" so that a URL written already encoded stays as written).
_URL_CHARACTERS = ":/?#[]@!$&'()*+,;=%~"


def site_options(base_url: str | None, templates: str | None, allow_raw_html: bool,
                 no_search: bool, serve: bool = False, title: str | None = None,
                 jobs: int | None = None, progress: bool | None = None) -> object:
    """``SiteOptions`` from command-line values (shared with ``kbc serve``)."""
    from kb_compiler.emit.site import SiteOptions

    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KbcError(f"--base-url must be an absolute http(s) URL, not '{base_url}'")
        if "?" in base_url or "#" in base_url:  # every page's address would follow them
            raise KbcError(f"--base-url must be the site's folder, without a '?query' or "
                           f"'#fragment', not '{base_url}'")
        # a space or a quote would make the sitemap, the feed and <base href> invalid
        base_url = quote(base_url, safe=_URL_CHARACTERS)
    return SiteOptions(
        base_url=base_url or None,
        templates=Path(templates) if templates else None,
        allow_raw_html=allow_raw_html,
        search=not no_search,
        serve=serve,
        title=title or None,
        jobs=jobs,
        progress=progress,
    )


def summary(report: object) -> str:
    """One line for stderr about what a build wrote."""
    from kb_compiler.emit.site import BuildReport

    assert isinstance(report, BuildReport)
    made = []
    if report.made_up:
        made.append(plural(report.made_up, "tag, namespace and linked-only page"))
    if report.redirects:
        made.append(plural(report.redirects, "alias redirect"))
    if report.reused:
        made.append(f"{report.reused} unchanged")
    if report.search_indexed < report.search_shards:
        made.append(f"{report.search_shards - report.search_indexed} of "
                    f"{plural(report.search_shards, 'search shard')} unchanged")
    extra = f" ({', '.join(made)})" if made else ""
    notes = [f"{plural(report.broken, 'broken link')} shown"] if report.broken else []
    if report.private:
        notes.append(f"{plural(report.private, 'private page')} left out")
    if report.failed:
        notes.append(f"{plural(len(report.failed), 'page')} could not be rendered")
    if report.unread:
        notes.append(f"{plural(len(report.unread), 'asset')} could not be read")
    tail = f"; {', '.join(notes)}" if notes else ""
    return (f"kbc: built {plural(report.pages, 'page')}{extra} into {report.out} "
            f"in {report.seconds:.1f}s{tail}")


@click.command(name="build")
@vault_argument
@click.option("-o", "--out", "--output", "out", default="site", show_default=True,
              type=click.Path(file_okay=False), help="Output folder (replaced atomically).")
@click.option("--base-url", metavar="URL",
              help="Public URL of the site, for absolute links in sitemap.xml and the feed.")
@click.option("--templates", type=click.Path(file_okay=False),
              help="A folder of templates that override the built-in ones by name.")
@click.option("--allow-raw-html", is_flag=True,
              help="Keep raw HTML as written (only for vaults you trust).")
@click.option("--no-search", is_flag=True, help="Skip the pagefind search index.")
@click.option("--title", help="Site title (default: the vault folder's name).")
@click.option("--strict", is_flag=True, help="Exit 1 when the vault has warnings or errors.")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors on stderr: no progress, problem list or summary.")
@jobs_option
def command(vault: str | None, out: str, base_url: str | None, templates: str | None,
            allow_raw_html: bool, no_search: bool, title: str | None, strict: bool,
            quiet: bool, jobs: int | None) -> None:
    """Build the static reference site of VAULT into OUT (default ./site)."""
    from kb_compiler.check import run_checks
    from kb_compiler.check.formats.text import plain_headline, summary_line
    from kb_compiler.emit.site import build_site
    from kb_compiler.loader import load
    from kb_compiler.resolve import resolve

    root = resolve_vault(vault)
    folder = output_folder(out)
    if templates and not Path(templates).is_dir():
        raise KbcError("templates folder not found", path=templates)
    options = site_options(base_url, templates, allow_raw_html, no_search, title=title,
                           jobs=jobs, progress=False if quiet else None)
    graph = resolve(load(root, jobs=jobs))
    report = build_site(graph, folder, options)  # type: ignore[arg-type]
    for failure in report.failed:  # an error of kbc's, not the vault's: shown even with -q
        click.echo(plain_headline(failure), err=True)
    if not quiet:
        report_problems(graph, "build")
        for note in report.unread:
            click.echo(plain_headline(note), err=True)
        click.echo(summary(report), err=True)
    if strict:
        checked = run_checks(graph)
        code = checked.exit_code(strict=True)
        if code and quiet:  # the one line a CI log needs to say why the build failed
            found = summary_line(checked).removeprefix("kbc check: ")
            click.echo(f"kbc build: --strict: {found}; run 'kbc check' for them", err=True)
        sys.exit(code or (1 if report.failed else 0))
