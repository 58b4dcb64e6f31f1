"""`kbc serve`: a local preview of the site that rebuilds when the vault changes.

The site is built into a temporary folder and served on 127.0.0.1 only. watchfiles
reports changed files; the vault is read again (a page whose bytes did not change is
kept from the last build, neither parsed nor read from the parse cache) and the site
rebuilt and swapped in atomically, so a request never sees half a site. Pages carry a
small script (only in this mode) that polls a fingerprint file and reloads the browser
when it changes.
"""

from __future__ import annotations

import functools
import queue
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from kb_compiler.commands.build import site_options, summary
from kb_compiler.commands.common import resolve_vault, vault_argument
from kb_compiler.errors import KbcError, one_line

if TYPE_CHECKING:
    from kb_compiler.loader import Reloader


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site folder without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def start_server(folder: Path, port: int) -> ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        raise KbcError(f"cannot listen on 127.0.0.1:{port} ({error.strerror or error}); "
                       "choose another port with --port") from error
    threading.Thread(target=server.serve_forever, name="kbc-serve", daemon=True).start()
    return server


def rebuild(vault: Reloader, out: Path, options: object) -> str:
    """Read the vault again (only changed files) and rebuild the site; returns the
    summary line, after a line for each page that could not be rendered."""
    from kb_compiler.check.formats.text import plain_headline
    from kb_compiler.emit.site import build_site
    from kb_compiler.resolve import resolve

    report = build_site(resolve(vault.load()), out, options)  # type: ignore[arg-type]
    return "\n".join([*map(plain_headline, report.failed), summary(report)])


def _described(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


@click.command(name="serve")
@vault_argument
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1.")
@click.option("--templates", type=click.Path(file_okay=False),
              help="A folder of templates that override the built-in ones by name.")
@click.option("--allow-raw-html", is_flag=True, help="Keep raw HTML as written.")
@click.option("--no-search", is_flag=True, help="Skip the pagefind search index.")
@click.option("--title", help="Site title (default: the vault folder's name).")
def command(vault: str | None, port: int, templates: str | None, allow_raw_html: bool,
            no_search: bool, title: str | None) -> None:
    """Preview the site of VAULT on http://127.0.0.1:PORT/, rebuilding on change."""
    from kb_compiler.loader import Reloader

    root = resolve_vault(vault).resolve()
    options = site_options(None, templates, allow_raw_html, no_search, serve=True, title=title)
    temporary = Path(tempfile.gettempdir()).resolve()
    if temporary.is_relative_to(root):
        raise KbcError(f"{temporary}: the temporary folder (TMPDIR), where the preview is "
                       "built, is inside the vault; set TMPDIR to a folder outside it")
    workspace = Path(tempfile.mkdtemp(prefix="kbc-serve-"))
    out = workspace / "site"
    pages = Reloader(root)
    stop, terminated = threading.Event(), threading.Event()

    def on_sigterm(*_: object) -> None:
        terminated.set()
        stop.set()
        if threading.current_thread() is threading.main_thread():
            # during a build too: it ends as every command ends on SIGTERM, its workers
            # told to stop and its temporary files gone (the finally below)
            raise SystemExit(128 + signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    # Watching starts before the first build: an edit saved while it ran was never seen.
    changes = _Watcher([root, *([Path(templates)] if templates else [])], stop)
    try:
        click.echo(rebuild(pages, out, options), err=True)
        server = start_server(out, port)
        # An AF_INET socket names its host as a str (the stubs allow bytes for any family).
        host, bound = cast(tuple[str, int], server.server_address[:2])
        click.echo(f"kbc: serving {root} on http://{host}:{bound}/ (Ctrl+C to stop)", err=True)
        for changed in changes:
            names = _names_that_matter(changed, root, templates)
            if names:
                click.echo(f"kbc: changed: {one_line(', '.join(names[:5]))}", err=True)
                _rebuild_and_say(pages, out, options)
        server.shutdown()
    except KeyboardInterrupt:
        pass  # Ctrl+C ends the preview, as asked: exit 0
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workspace, ignore_errors=True)
        if terminated.is_set():
            click.echo("kbc: stopped by SIGTERM", err=True)


def _rebuild_and_say(pages: Reloader, out: Path, options: object) -> None:
    try:
        click.echo(rebuild(pages, out, options), err=True)
    except KbcError as error:
        click.echo(f"kbc: error: {one_line(str(error))} (still serving the last good "
                   "build)", err=True)
    except Exception as error:  # a bug in kbc: the preview must outlive it
        click.echo(f"kbc: internal error: {one_line(_described(error))} (still "
                   "serving the last good build; 'kbc build' shows the traceback)", err=True)


def _names_that_matter(changed: set[Path], root: Path, templates: str | None) -> list[str]:
    """The names of the changed files a build reads: pages, assets, settings, templates.
    Obsidian rewrites ``.obsidian/workspace.json`` whenever a note is opened, and
    editors leave temporary files: rebuilding for those re-read the whole vault."""
    from kb_compiler.config import load_config, settings_paths
    from kb_compiler.discover import outside_the_knowledge_base

    try:
        config = load_config(root)
    except KbcError:
        return sorted({path.name for path in changed})  # the rebuild says what is wrong
    settings = settings_paths(config)
    shown: set[str] = set()
    for path in changed:
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:  # a template, or the vault folder's own parent
            relative = None
        if relative is None or relative == "." or relative in settings or \
                not outside_the_knowledge_base(relative, config):
            shown.add(path.name)
    return sorted(shown)


class _Watcher:
    """The vault's changes, watched from a thread started at once: iterating gives the
    files changed since the last step (all that changed while the site was being
    built), until ``stop`` is set. A folder that disappears ends the watch with a
    one-line error."""

    def __init__(self, folders: list[Path], stop: threading.Event) -> None:
        import watchfiles

        self._found: queue.Queue[set[Path] | Exception] = queue.Queue()
        self._stop = stop

        def watch() -> None:
            try:
                for changed in watchfiles.watch(*folders, stop_event=stop,
                                                raise_interrupt=False):
                    self._found.put({Path(path) for _, path in changed})
            except Exception as error:  # the vault's folder is gone, or cannot be watched
                self._found.put(error)

        threading.Thread(target=watch, name="kbc-watch", daemon=True).start()

    def __iter__(self) -> Iterator[set[Path]]:
        while not self._stop.is_set():
            try:
                paths = _paths(self._found.get(timeout=0.2))
            except queue.Empty:
                continue
            while not self._found.empty():  # changes that piled up while building
                paths |= _paths(self._found.get())
            yield paths


def _paths(found: set[Path] | Exception) -> set[Path]:
    if isinstance(found, Exception):
        raise KbcError(f"cannot watch the vault any more: {_described(found)}")
    return found
