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
import io
import os
import queue
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import click

from kb_compiler.commands.build import site_options, summary
from kb_compiler.commands.common import resolve_vault, vault_argument
from kb_compiler.errors import KbcError, one_line

if TYPE_CHECKING:
    from kb_compiler.loader import Reloader


# The names a browser sends for this machine: a request for any other host is a page
# elsewhere whose name was made to point here (DNS rebinding), reading the preview.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_SERVE_MARK = b'data-serve="1"'
# Signals that end the preview as SIGTERM does: SIGHUP comes when its terminal closes.
_STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                  if hasattr(signal, name))


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the site folder as a static host would, for this machine only: no log
    line per request, no folder listings, the site's own 404 page, and each page told
    which build it came from (``data-build``), so its reload script knows when a later
    build replaced it, even one that finished while the page was loading."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if _host_name(self.headers.get("Host") or "localhost") not in _LOOPBACK_HOSTS:
            self.send_error(HTTPStatus.FORBIDDEN, "kbc serve answers requests for "
                            "localhost only")
            return False
        return True

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"  # else the parent class redirects to the "/" form
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        return self._send_page(HTTPStatus.OK, path)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = self._send_page(HTTPStatus.NOT_FOUND, page)
        if body is not None and self.command != "HEAD":
            self.copyfile(body, self.wfile)

    def _send_page(self, status: int, page: Path) -> io.BytesIO | None:
        """Send the headers of ``page``, marked with the build it belongs to; its body
        is returned. The build is read first: a swap in between gives a newer page
        marked with the older build (one reload too many), never the reverse."""
        from kb_compiler.emit.site.build import RELOAD_FILE

        try:
            build = (Path(self.directory) / RELOAD_FILE).read_bytes().strip()
            data = page.read_bytes()
        except OSError:
            super().send_error(HTTPStatus.NOT_FOUND)
            return None
        data = data.replace(_SERVE_MARK, _SERVE_MARK + b' data-build="' + build + b'"', 1)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


def _host_name(header: str) -> str:
    """The host a ``Host`` header names, without its port (``[::1]:8000`` -> ``[::1]``)."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[:host.find("]") + 1]
    return host.partition(":")[0]


def bind_server(folder: Path, port: int) -> ThreadingHTTPServer:
    """The server for ``folder``, its port taken (before the first build, so a port in
    use is said at once); ``serve`` starts answering."""
    handler = functools.partial(PreviewHandler, directory=str(folder))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        raise KbcError(f"cannot listen on 127.0.0.1:{port} ({error.strerror or error}); "
                       "choose another port with --port") from error


def serve(server: ThreadingHTTPServer) -> None:
    threading.Thread(target=server.serve_forever, name="kbc-serve", daemon=True).start()


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
    stop = threading.Event()
    stopped_by: list[str] = []

    def on_signal(number: int, _: object) -> None:
        stopped_by.append(signal.Signals(number).name)
        stop.set()
        if threading.current_thread() is threading.main_thread():
            # during a build too: it ends as every command ends on SIGTERM, its workers
            # told to stop and its temporary files gone (the finally below)
            raise SystemExit(128 + number)

    previous = {number: signal.signal(number, on_signal) for number in _STOPPING}
    server: ThreadingHTTPServer | None = None
    serving = False
    try:
        server = bind_server(out, port)
        # Watching starts before the first build: an edit saved while it ran was never seen.
        changes = _Watcher([root, *([Path(templates)] if templates else [])], stop)
        click.echo(rebuild(pages, out, options), err=True)
        serve(server)
        serving = True
        # An AF_INET socket names its host as a str (the stubs allow bytes for any family).
        host, bound = cast(tuple[str, int], server.server_address[:2])
        click.echo(f"kbc: serving {root} on http://{host}:{bound}/ (Ctrl+C to stop)", err=True)
        for changed in changes:
            names = _names_that_matter(changed, root, templates)
            if names:
                click.echo(f"kbc: changed: {one_line(', '.join(names[:5]))}", err=True)
                _rebuild_and_say(pages, out, options)
    except KeyboardInterrupt:
        pass  # Ctrl+C ends the preview, as asked: exit 0
    finally:
        stop.set()
        if server is not None:
            if serving:
                server.shutdown()
            server.server_close()
        for number, handler in previous.items():
            signal.signal(number, handler)
        shutil.rmtree(workspace, ignore_errors=True)
        if stopped_by:
            click.echo(f"kbc: stopped by {stopped_by[0]}", err=True)


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
