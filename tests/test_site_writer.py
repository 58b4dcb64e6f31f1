"""Atomic output: the new site replaces the old one in one step; a build that fails or is
killed midway leaves the previous site whole; kbc replaces only folders it wrote."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.writer import MARKER, SiteWriter, check_output_folder
from kb_compiler.errors import KbcError
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import write_vault
from tests.vaultgen import generate


def test_commit_replaces_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with SiteWriter(out) as writer:
        writer.write_text("index.html", "first")
        writer.write_text("old.html", "only in the first build")
        writer.commit()
    with SiteWriter(out) as writer:
        writer.write_text("index.html", "second")
        writer.commit()
    assert (out / "index.html").read_text() == "second"
    assert not (out / "old.html").exists()
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temp folder left


def test_a_failed_build_leaves_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with SiteWriter(out) as writer:
        writer.write_text("index.html", "good")
        writer.commit()
    with pytest.raises(RuntimeError), SiteWriter(out) as writer:
        writer.write_text("index.html", "half")
        raise RuntimeError("rendering failed")
    assert (out / "index.html").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_site_paths_cannot_leave_the_output(tmp_path: Path) -> None:
    with SiteWriter(tmp_path / "site") as writer:
        for bad in ("../escape.html", "/etc/passwd", "a/../../b", ""):
            with pytest.raises(ValueError):
                writer.write_text(bad, "x")
    assert not (tmp_path / "escape.html").exists()


def test_output_folder_checks(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (tmp_path / "file.txt").write_text("x")
    for out in (vault, vault / "inside", tmp_path, tmp_path / "file.txt"):
        with pytest.raises(KbcError):
            check_output_folder(out, vault)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_output_folder(empty, vault) == empty.resolve()
    assert check_output_folder(tmp_path / "new", vault) == (tmp_path / "new").resolve()


def test_what_was_put_in_a_site_since_its_build_is_never_deleted(tmp_path: Path) -> None:
    """A ``.git`` folder (a gh-pages worktree) or a ``CNAME`` added to a built site went
    without a word with the next build, which replaces the folder."""
    vault, out = tmp_path / "vault", tmp_path / "site"
    vault.mkdir()
    with SiteWriter(out) as writer:
        writer.write_text("index.html", "first")
        writer.write_text("static/site.css", "css")
        writer.commit()
    assert check_output_folder(out, vault) == out.resolve()  # its own build's entries
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref")
    (out / "CNAME").write_text("example.org")
    with pytest.raises(KbcError, match=r"holds what kbc build did not write \(\.git, CNAME\)"):
        check_output_folder(out, vault)
    assert (out / ".git/HEAD").read_text() == "ref"
    (out / ".git").rename(tmp_path / "git")
    (out / "CNAME").unlink()
    assert check_output_folder(out, vault) == out.resolve()
    # within the folders the build writes too: they went with the next build
    (out / "static/custom.css").write_text("body {}")
    (out / "static/fonts").mkdir()
    (out / "static/fonts/my.woff2").write_bytes(b"font")
    with pytest.raises(KbcError, match=r"did not write \(static/custom\.css, "
                                       r"static/fonts/my\.woff2\)"):
        check_output_folder(out, vault)


def test_every_site_has_a_nojekyll_so_github_pages_keeps_underscore_names(
        tmp_path: Path) -> None:
    """GitHub Pages publishing a branch runs Jekyll, which drops _inbox.html and
    files/_attachments/ unless the site holds a .nojekyll; and the user could not add
    one, since a build refuses an OUT holding what it did not write."""
    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}", "_Inbox.md": "# Inbox\n![[_attachments/note.txt]]\n",
        "_attachments/note.txt": "attached"})
    out = tmp_path / "site"
    graph = resolve(load(vault, cache_dir=None))
    build_site(graph, out, SiteOptions(search=False))
    assert (out / "_inbox.html").is_file() and (out / "files/_attachments/note.txt").is_file()
    assert (out / ".nojekyll").read_bytes() == b""
    assert ".nojekyll" in (out / MARKER).read_text("utf-8").split("\n")
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    build_site(graph, out, SiteOptions(search=False))  # over a site holding one
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == first


def test_a_nojekyll_added_to_a_site_built_without_one_is_replaced(tmp_path: Path) -> None:
    """A site built before kbc wrote .nojekyll, to which the user added one: the build
    writes the same empty file, so it is no loss to replace. One with content is kept."""
    vault, out = tmp_path / "vault", tmp_path / "site"
    vault.mkdir()
    with SiteWriter(out) as writer:
        writer.write_text("index.html", "first")
        writer.commit()
    (out / ".nojekyll").write_bytes(b"")
    assert check_output_folder(out, vault) == out.resolve()
    (out / ".nojekyll").write_text("notes of mine")
    with pytest.raises(KbcError, match=r"did not write \(\.nojekyll\)"):
        check_output_folder(out, vault)


def test_a_killed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    """A real kill (SIGKILL) while the build writes its temporary folder."""
    vault = generate(tmp_path / "vault", pages=200, dialect="logseq", seed=5).root
    out = tmp_path / "site"
    command = [sys.executable, "-m", "kb_compiler", "build", str(vault), "-o", str(out),
               "--no-search"]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (vault / "pages" / "added page.md").write_text("- a page the killed build never publishes\n")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            temps = list(tmp_path.glob(".site.kbc-tmp-*"))
            if temps and (temps[0] / "static").is_dir():  # writing has begun
                break
            time.sleep(0.02)
        else:
            pytest.fail("the build never started writing")
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    # the next build cleans up what the killed one left behind
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    assert list(tmp_path.glob(".site.kbc-*")) == []
    assert (out / "added-page.html").is_file()


def test_a_site_marked_by_an_older_kbc_is_compared_by_its_top_level_entries(
        tmp_path: Path) -> None:
    """Before markers listed every file they listed the top-level entries: such a site
    is still replaced by a build (its files were not read as foreign), and what was put
    at its top level since is still refused."""
    vault, out = tmp_path / "vault", tmp_path / "site"
    vault.mkdir()
    (out / "static").mkdir(parents=True)
    (out / "index.html").write_text("old")
    (out / "static/site.css").write_text("css")
    (out / MARKER).write_text("written by kbc build; the folder is replaced on each build\n"
                              f"{MARKER}\nindex.html\nstatic\n", encoding="utf-8")
    assert check_output_folder(out, vault) == out.resolve()
    (out / "CNAME").write_text("example.org")
    with pytest.raises(KbcError, match=r"did not write \(CNAME\)"):
        check_output_folder(out, vault)


def test_a_file_name_with_a_line_break_does_not_refuse_the_next_build(tmp_path: Path) -> None:
    """The marker lists a file a line: a published vault file named with a line break
    read back as two names, neither written, and every later build was refused."""
    vault, out = tmp_path / "vault", tmp_path / "site"
    vault.mkdir()
    names = ["files/two\nlines.txt", "files/back\\slash\\n.txt", "files/cr\r.txt"]
    with SiteWriter(out) as writer:
        for name in names:
            writer.write_text(name, "x")
        writer.commit()
    assert check_output_folder(out, vault) == out.resolve()
    (out / "files" / "two").write_text("mine")  # half of the name, put there since
    with pytest.raises(KbcError, match=r"did not write \(files/two\)"):
        check_output_folder(out, vault)
