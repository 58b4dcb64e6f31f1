"""`kbc serve`: serves the site on 127.0.0.1, rebuilds when a page changes, and the pages
it serves carry the reload hook (pages built by `kbc build` do not)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import lay_out_seeds, write_vault
from tests.vaultgen import generate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(check: object, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()  # type: ignore[operator]
        if value:
            return value
        time.sleep(0.2)
    pytest.fail("timed out waiting for kbc serve")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", "serve", str(vault), "--port", str(port),
         "--no-search"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        index = wait_for(lambda: fetch(base + "index.html"))
        assert 'data-serve="1"' in index
        first = wait_for(lambda: fetch(base + "kbc-reload.txt"))
        page = base + "what-is-customer-profile.html"
        assert "REBUILT-MARKER" not in (fetch(page) or "")
        target = vault / "What is Customer Profile.md"
        target.write_text(target.read_text() + "\nREBUILT-MARKER appears after a change\n")
        wait_for(lambda: (text := fetch(base + "kbc-reload.txt")) and text != first)
        assert "REBUILT-MARKER" in (fetch(page) or "")
    finally:
        stop(process)
    assert process.stderr is not None
    log = process.stderr.read()
    assert "Traceback" not in log and f"http://127.0.0.1:{port}/" in log


def test_serve_refuses_a_busy_port(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kb_compiler", "serve", str(vault), "--port", str(port),
             "--no-search"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "choose another port" in result.stderr and "Traceback" not in result.stderr
    assert "built" not in result.stderr  # said before building, into a folder then gone


def test_built_sites_have_no_reload_hook(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    subprocess.run([sys.executable, "-m", "kb_compiler", "build", str(vault), "-o",
                    str(tmp_path / "site"), "--no-search"], check=True, capture_output=True)
    assert 'data-serve="1"' not in (tmp_path / "site" / "index.html").read_text()
    assert not (tmp_path / "site" / "kbc-reload.txt").exists()


# A bug in kbc that one edit triggers, simulated in the served process: the site build
# raises while the vault holds the marker.
_FAILING_SERVE = """
import sys
import kb_compiler.emit.site as site

real = site.build_site

def failing(graph, out, options=None):
    if any("CRASH-MARKER" in page.text for page in graph.kb.pages):
        raise RuntimeError("simulated bug")
    return real(graph, out, options)

site.build_site = failing
from kb_compiler.cli import main
main(sys.argv[1:])
"""


def test_serve_outlives_a_bug_in_a_rebuild(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _FAILING_SERVE, "serve", str(vault), "--port", str(port),
         "--no-search"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    assert process.stderr is not None
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    base = f"http://127.0.0.1:{port}/"
    page = base + "what-is-customer-profile.html"
    target = vault / "What is Customer Profile.md"
    original = target.read_text()
    failure = ("kbc: internal error: RuntimeError: simulated bug (still serving the last good "
               "build; 'kbc build' shows the traceback)\n")
    try:
        first = wait_for(lambda: fetch(base + "kbc-reload.txt"))
        target.write_text(original + "\nCRASH-MARKER\n")
        wait_for(lambda: failure in log)
        assert "CRASH-MARKER" not in (fetch(page) or "CRASH-MARKER")  # the last good build
        target.write_text(original + "\nFIXED-MARKER\n")
        wait_for(lambda: (text := fetch(base + "kbc-reload.txt")) and text != first)
        assert "FIXED-MARKER" in (fetch(page) or "")
    finally:
        stop(process)
    assert not any("Traceback" in line for line in log)


def test_serve_stopped_by_sigterm_says_so_and_exits_143(tmp_path: Path) -> None:
    """Every command ends on SIGTERM with 143 and 'kbc: stopped by SIGTERM' (README);
    serve exited 0 without a word. Its workspace goes all the same."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "a.md").write_text("x\n", encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", "serve", str(vault), "--port", str(port),
         "--no-search"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/index.html"))
    finally:
        stop(process)
    assert process.stderr is not None
    log = process.stderr.read()
    assert process.returncode == 143, log
    assert log.endswith("kbc: stopped by SIGTERM\n")
    workspace = log.split(" into ", 1)[1].split(" in ", 1)[0]
    assert not Path(workspace).exists()


def test_a_rebuild_names_a_page_it_could_not_render(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb_compiler.commands.build import site_options
    from kb_compiler.commands.serve import rebuild
    from kb_compiler.emit.site.pages import PageBuilder
    from kb_compiler.loader import Reloader

    vault = write_vault(tmp_path / "v", {"Plan.md": "See [[Goals]].\n", "Goals.md": "# G\n"})
    original = PageBuilder.body

    def failing(self: PageBuilder, key: str) -> object:
        if key == "goals":
            raise KeyError("slot")
        return original(self, key)

    monkeypatch.setattr(PageBuilder, "body", failing)
    said = rebuild(Reloader(vault), tmp_path / "site",
                   site_options(None, None, False, True, serve=True)).splitlines()
    assert said[0] == ("Goals.md: error[internal-error] could not render this page "
                       "(KeyError: 'slot'); its page on the site says so")
    assert said[1].startswith("kbc: built 2 pages") and len(said) == 2


def serve_in_session(vault: Path, port: int, tmp: Path) -> subprocess.Popen[str]:
    """``kbc serve`` in its own process group, with its temporary folders in ``tmp``."""
    tmp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", "serve", str(vault), "--port", str(port),
         "--no-search"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp)}, start_new_session=True)


def test_sigterm_during_the_first_build_stops_everything(tmp_path: Path) -> None:
    """The handler came only after the first build: SIGTERM then killed serve without a
    word, leaving its temporary folders and, on a big vault, forked workers behind."""
    generate(tmp_path / "vault", pages=600, dialect="logseq")
    process = serve_in_session(tmp_path / "vault", free_port(), tmp_path / "tmp")
    time.sleep(1.5)  # into the first build: parsing, resolving or rendering
    assert process.poll() is None
    process.terminate()
    _, log = process.communicate(timeout=60)
    assert process.returncode == 143, log
    assert log.endswith("kbc: stopped by SIGTERM\n") and "Traceback" not in log
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker outlived it
        os.killpg(process.pid, 0)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_edit_saved_during_the_first_build_is_served(tmp_path: Path) -> None:
    """The watch began after the first build: a page saved meanwhile stayed stale until
    some other file changed."""
    generate(tmp_path / "vault", pages=600, dialect="logseq")
    edited = sorted((tmp_path / "vault" / "pages").glob("*.md"))[0]
    port = free_port()
    process = serve_in_session(tmp_path / "vault", port, tmp_path / "tmp")
    try:
        time.sleep(1.0)
        # still building (the port is taken first, so a request would wait for it)
        assert not list((tmp_path / "tmp").glob("kbc-serve-*/site/index.html"))
        edited.write_text(edited.read_text("utf-8") + "- EDITED-WHILE-BUILDING\n", "utf-8")
        wait_for(lambda: any("EDITED-WHILE-BUILDING" in path.read_text("utf-8")
                             for path in (tmp_path / "tmp").glob("kbc-serve-*/site/*.html")))
    finally:
        stop(process)


def test_ctrl_c_ends_the_preview_quietly(tmp_path: Path) -> None:
    """Ctrl+C while serving exited with watchfiles' own log line, "KeyboardInterrupt
    caught, stopping watch", after kbc's."""
    vault = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}", "a.md": "x\n"})
    port = free_port()
    process = serve_in_session(vault, port, tmp_path / "tmp")
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/index.html"))
        process.send_signal(signal.SIGINT)
        _, log = process.communicate(timeout=30)
    finally:
        stop(process)
    assert process.returncode == 0, log
    assert log.splitlines()[-1].startswith("kbc: serving ") and "Traceback" not in log
    assert list((tmp_path / "tmp").iterdir()) == []


def test_files_no_build_reads_start_no_rebuild(tmp_path: Path) -> None:
    """Obsidian rewrites .obsidian/workspace.json whenever a note is opened: each write
    re-read the whole vault and rebuilt the site, as did a note moved to .trash."""
    vault = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}", "a.md": "x\n"})
    port = free_port()
    process = serve_in_session(vault, port, tmp_path / "tmp")
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/index.html"))
        first = wait_for(lambda: fetch(f"http://127.0.0.1:{port}/kbc-reload.txt"))
        write_vault(vault, {".obsidian/workspace.json": '{"active": "a"}',
                            ".trash/old.md": "gone\n"})
        time.sleep(2.5)  # watchfiles reports changes in batches, about every 1.6 s
        (vault / "a.md").write_text("EDITED\n", "utf-8")
        second = wait_for(lambda: (text := fetch(f"http://127.0.0.1:{port}/kbc-reload.txt"))
                          and text != first and text)
        # Obsidian's settings are read: "Strict line breaks" changes how pages render
        (vault / ".obsidian/app.json").write_text('{"strictLineBreaks": true}', "utf-8")
        wait_for(lambda: (text := fetch(f"http://127.0.0.1:{port}/kbc-reload.txt"))
                 and text != second)
        process.send_signal(signal.SIGINT)
        _, log = process.communicate(timeout=30)
    finally:
        stop(process)
    changes = [line for line in log.splitlines() if "changed:" in line]
    assert changes == ["kbc: changed: a.md", "kbc: changed: app.json"]


def test_a_temporary_folder_inside_the_vault_is_named_as_such(tmp_path: Path) -> None:
    """The preview is built in TMPDIR: with TMPDIR inside the vault the error spoke of
    an output folder, which serve has no option for."""
    vault = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}", "a.md": "x\n"})
    process = serve_in_session(vault, free_port(), vault / "tmp")
    _, log = process.communicate(timeout=60)
    assert process.returncode == 2
    assert log == (f"kbc: error: {vault.resolve() / 'tmp'}: the temporary folder (TMPDIR), "
                   "where the preview is built, is inside the vault; set TMPDIR to a folder "
                   "outside it\n")
    assert list((vault / "tmp").iterdir()) == []


def serve_quietly(vault: Path, port: int) -> subprocess.Popen[str]:
    """``kbc serve VAULT`` without search on ``port``, its log on stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", "serve", str(vault), "--port", str(port),
         "--no-search"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _served_note_vault(root: Path) -> Path:
    return write_vault(root, {".obsidian/app.json": "{}", "Note.md": "See [[Other]]\n",
                              "Other.md": "other words\n"})


def request(url: str, host: str | None = None, method: str = "GET") -> tuple[int, str]:
    headers = {"Host": host} if host else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers,
                                                           method=method),
                                    timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_the_preview_serves_as_a_static_host_for_this_machine_only(tmp_path: Path) -> None:
    """A request naming another host (DNS rebinding: a web page reading the preview)
    was answered; folders were listed; a missing page got Python's bare error page,
    with no reload script, so a tab on a renamed page stayed there. Each page now says
    which build it came from."""
    vault = _served_note_vault(tmp_path / "vault")
    port = free_port()
    process = serve_quietly(vault, port)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: fetch(base + "note.html"))
        build = (fetch(base + "kbc-reload.txt") or "").strip()
        for address in ("note.html", "", "index.html"):
            status, page = request(base + address)
            assert status == 200 and f'data-serve="1" data-build="{build}"' in page
        assert request(base + "note.html", host="evil.example")[0] == 403
        assert request(base + "note.html", host=f"evil.example:{port}")[0] == 403
        for host in (f"localhost:{port}", "127.0.0.1", f"[::1]:{port}"):
            assert request(base + "note.html", host=host)[0] == 200
        assert request(base + "static/")[0] == 404  # no listing
        status, missing = request(base + "a/b/gone.html")
        assert status == 404 and "This page is not here" in missing
        assert '<base href="/">' in missing and f'data-build="{build}"' in missing
        assert request(base + "a/gone.html", method="HEAD") == (404, "")
    finally:
        stop(process)


def test_closing_the_terminal_stops_the_preview_and_removes_its_site(tmp_path: Path) -> None:
    """SIGHUP (the terminal closed) killed the process on the spot, leaving the preview's
    site in the temporary folder each time."""
    vault = _served_note_vault(tmp_path / "vault")
    port = free_port()
    process = serve_quietly(vault, port)
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/index.html"))
        process.send_signal(signal.SIGHUP)
        process.wait(timeout=20)
    finally:
        stop(process)
    assert process.stderr is not None
    log = process.stderr.read()
    assert process.returncode == 128 + signal.SIGHUP and log.endswith("kbc: stopped by SIGHUP\n")
    workspace = log.split(" into ", 1)[1].split(" in ", 1)[0]
    assert not Path(workspace).exists()
