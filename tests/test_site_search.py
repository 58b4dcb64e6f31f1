"""The search index: text is indexed on the page where it is written, the index comes in
shards, and a rebuild indexes again only the shards whose pages changed."""

from __future__ import annotations

import errno
import filecmp
import gzip
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kb_compiler.commands.build import summary
from kb_compiler.emit.site import BuildReport, SiteOptions, build_site, pagefind_service, search
from kb_compiler.emit.site.pagefind_service import write_bundle
from kb_compiler.emit.site.writer import SiteWriter
from kb_compiler.errors import KbcError
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import write_vault


def build(vault: Path, out: Path) -> BuildReport:
    return build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions())


def fragments(bundle: Path) -> dict[str, str]:
    """url -> indexed content, read from a pagefind bundle's gzipped fragment files."""
    found = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        found[record["url"]] = record["content"]
    return found


def all_fragments(site: Path) -> dict[str, str]:
    bundles = json.loads((site / search.SHARDS_FILE).read_text("utf-8"))["bundles"]
    found: dict[str, str] = {}
    for bundle in bundles:
        found.update(fragments(site / search.SEARCH_DIR / bundle))
    return found


def test_embedded_text_is_indexed_only_where_it_is_written(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq" / "config.edn").write_text("{}\n", encoding="utf-8")
    (vault / "pages" / "Host.md").write_text("- host words\n- {{embed [[Guest]]}}\n", "utf-8")
    (vault / "pages" / "Guest.md").write_text("- zanzibarquokka lives here\n", "utf-8")
    build(vault, tmp_path / "site")
    assert "zanzibarquokka" in (tmp_path / "site" / "host.html").read_text("utf-8")
    indexed = all_fragments(tmp_path / "site")
    assert "zanzibarquokka" in indexed["/guest.html"]
    assert "host words" in indexed["/host.html"]
    assert "zanzibarquokka" not in indexed["/host.html"]


UUID = "11111111-2222-3333-4444-555555555555"


def test_a_page_is_found_by_its_aliases_and_a_quoted_block_only_where_written(
        tmp_path: Path) -> None:
    """The aliases sat in the header's ignored part, so no alias ever found its page
    (both apps' searches find a page by its alias); a block ref's quoted text was
    indexed on the page quoting it, unlike embedded text."""
    vault = write_vault(tmp_path / "vault", {
        "logseq/config.edn": "{}\n",
        "pages/Alpha.md": "alias:: Lemurnick, Tarsier alias\n\n- ibexword block\n"
                          f"  id:: {UUID}\n",
        "pages/Beta.md": f"- quoting (({UUID}))\n- labelled [own gazelleword]((({UUID})))\n"})
    build(vault, tmp_path / "site")
    indexed = all_fragments(tmp_path / "site")
    assert "Lemurnick, Tarsier alias" in indexed["/alpha.html"]
    assert "also known as" not in indexed["/alpha.html"]
    assert "ibexword" in indexed["/alpha.html"] and "ibexword" not in indexed["/beta.html"]
    assert "gazelleword" in indexed["/beta.html"]  # the author's own label is the page's text
    beta = (tmp_path / "site" / "beta.html").read_text("utf-8")
    assert "ibexword block</a>" in beta  # still shown


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino
            for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_indexes_again_only_the_shard_of_the_edited_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Note 5 links to a note in another shard: editing Note 5 renders that note again
    (its backlinks show Note 5's text) but does not index its shard again, as backlinks
    are not searched."""
    monkeypatch.setattr(search, "shard_count", lambda pages: max(1, pages // 4))
    shard_of = {file: shard.number for shard in search.plan_shards(
        {f"note-{n}.html": "" for n in range(14)}) for file in shard.files}
    linked = next(n for n in range(14) if shard_of[f"note-{n}.html"] != shard_of["note-5.html"])
    vault = tmp_path / "vault"
    vault.mkdir()
    for number in range(14):
        (vault / f"Note {number}.md").write_text(f"# Note {number}\nword{number}x\n", "utf-8")
    (vault / "Note 5.md").write_text(f"# Note 5\nword5x, see [[Note {linked}]]\n", "utf-8")
    site = tmp_path / "site"
    first = build(vault, site)
    shards = json.loads((site / search.SHARDS_FILE).read_text("utf-8"))
    assert len(shards["bundles"]) >= 3
    assert first.search_shards == first.search_indexed == len(shards["bundles"])
    assert set(all_fragments(site)) == {f"/note-{n}.html" for n in range(14)}
    edited = "note-5.html"
    shard_of_edited = next(
        bundle for bundle in shards["bundles"]
        if f"/{edited}" in fragments(site / search.SEARCH_DIR / bundle))
    before = {bundle: inodes(site / search.SEARCH_DIR / bundle) for bundle in shards["bundles"]}

    linked_file = site / f"note-{linked}.html"
    linked_before = linked_file.stat().st_ino
    (vault / "Note 5.md").write_text(f"# Note 5\nrewritten lyrebird [[Note {linked}]]\n",
                                     "utf-8")
    again = build(vault, site)
    after = {bundle: inodes(site / search.SEARCH_DIR / bundle) for bundle in shards["bundles"]}
    changed = {bundle for bundle in before if before[bundle] != after[bundle]}
    assert changed == {shard_of_edited}
    assert (again.search_shards, again.search_indexed) == (len(shards["bundles"]), 1)
    assert f"{len(before) - 1} of {len(before)} search shards unchanged" in summary(again)
    assert linked_file.stat().st_ino != linked_before  # rendered again: new backlink text
    assert "lyrebird" in linked_file.read_text("utf-8")
    assert "lyrebird" in all_fragments(site)[f"/{edited}"]

    build(vault, tmp_path / "clean")  # the same site as a build from scratch
    names = sorted(inodes(tmp_path / "clean"))
    assert names == sorted(inodes(site))
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "clean", site, names, shallow=False)
    assert mismatch == [] and errors == []


def test_shards_keep_their_pages_as_the_vault_grows() -> None:
    """A page's shard depends on its file name and the shard count only, and the count
    grows slowly with the vault."""
    assert [search.shard_count(n) for n in (1, 100, 1000, 10_000, 50_000)] == [1, 1, 4, 13, 29]
    pages = {f"p{n}.html": "x" for n in range(1000)}
    first = {file: shard.number for shard in search.plan_shards(pages) for file in shard.files}
    grown = {**pages, **{f"new{n}.html": "x" for n in range(100)}}  # still four shards
    again = {file: shard.number for shard in search.plan_shards(grown) for file in shard.files}
    assert all(again[file] == number for file, number in first.items())
    changed = search.plan_shards({**pages, "p0.html": "changed"})
    keys = {shard.number: shard.key for shard in search.plan_shards(pages)}
    assert [s.number for s in changed if s.key != keys[s.number]] == [first["p0.html"]]


def test_the_search_document_holds_the_page_text_and_not_what_surrounds_it(
        tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Target.md").write_text("# Target\ntarget body words\n", "utf-8")
    (vault / "Linker.md").write_text("---\ntags: [topic]\n---\n# Linker\nsee [[Target]]\n",
                                     "utf-8")
    build(vault, tmp_path / "site")
    page = (tmp_path / "site" / "target.html").read_text("utf-8")
    document = search.search_document(page)
    assert "target body words" in document and 'data-pagefind-meta="title">Target<' in document
    assert "data-pagefind-body" in document
    assert "Linker" in page and "Linker" not in document  # the backlink is not searched
    assert 'class="sidebar' in page and 'class="sidebar' not in document
    linker = search.search_document((tmp_path / "site" / "linker.html").read_text("utf-8"))
    assert "topic" in linker  # tags are searched


def test_embedded_pages_are_left_out_of_the_search_document_nested_or_not() -> None:
    open_, close = search.EMBED_OPEN, search.EMBED_CLOSE
    page = (f"{search.SEARCH_OPEN}<p>own words</p>{open_}<div>outer {open_}inner{close} "
            f"outer again</div>{close}<p>more own words</p>{search.SEARCH_CLOSE}")
    document = search.search_document(page)
    assert "own words" in document and "more own words" in document
    assert "outer" not in document and "inner" not in document


def test_marks_written_in_a_note_cannot_cut_its_search_document(tmp_path: Path) -> None:
    """The marks are HTML comments: the sanitizer drops comments written in a note and
    code shows them escaped, so a note cannot hide its own text from search."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Tricky.md").write_text(
        f"# Tricky\nbefore words\n\n{search.EMBED_OPEN}\n\n`{search.SEARCH_CLOSE}` inline\n\n"
        f"<div>{search.EMBED_OPEN}</div>\n\nafter words zebrafinch\n", "utf-8")
    build(vault, tmp_path / "site")
    page = (tmp_path / "site" / "tricky.html").read_text("utf-8")
    assert search.EMBED_OPEN not in page
    assert "zebrafinch" in search.search_document(page)
    assert "zebrafinch" in all_fragments(tmp_path / "site")["/tricky.html"]


def test_a_failing_indexer_is_one_error_and_leaves_the_previous_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    for number in range(3):
        (vault / f"Note {number}.md").write_text(f"# Note {number}\ntext {number}\n", "utf-8")
    site = tmp_path / "site"
    build(vault, site)
    before = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    failing = [sys.executable, "-c", "import sys; sys.stderr.write('indexer broke\\n'); "
               "sys.exit(3)"]
    monkeypatch.setattr(search, "pagefind_command", lambda: failing)
    (vault / "Note 1.md").write_text("# Note 1\nchanged\n", "utf-8")
    with pytest.raises(KbcError, match="search indexing failed: indexer broke; use --no-search"):
        build(vault, site)
    assert {path: path.read_bytes() for path in site.rglob("*") if path.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "vault"]  # no leftovers


def test_a_transient_error_starting_the_indexer_is_tried_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full test run once failed with EFAULT from exec while two shards' indexers were
    starting; a second try starts it, and the site has its search."""
    real_popen = subprocess.Popen
    starts: list[list[str]] = []

    def popen_failing_once(command: list[str], **options: object) -> subprocess.Popen[bytes]:
        starts.append(command)
        if len(starts) == 1:
            raise OSError(errno.EFAULT, "Bad address", command[0])
        return real_popen(command, **options)  # type: ignore[call-overload]

    monkeypatch.setattr(pagefind_service.subprocess, "Popen", popen_failing_once)
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Note.md").write_text("# Note\nzebrafinch\n", "utf-8")
    build(vault, tmp_path / "site")
    assert len(starts) == 2
    assert "zebrafinch" in all_fragments(tmp_path / "site")["/note.html"]


def test_an_indexer_that_cannot_start_is_one_error_after_one_try(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = str(tmp_path / "no-pagefind")
    monkeypatch.setattr(search, "pagefind_command", lambda: [missing, "--service"])
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Note.md").write_text("# Note\ntext\n", "utf-8")
    with pytest.raises(KbcError, match=r"search indexing failed \(\[Errno 2\].*no-pagefind"):
        build(vault, tmp_path / "site")


def test_pagefind_runs_as_its_own_binary_not_through_python() -> None:
    """An interpreter started per shard only to find the binary cost 0.1 s of CPU each."""
    command = search.pagefind_command()
    program = Path(command[0])
    assert program.name.startswith("pagefind")
    assert program.resolve() != Path(sys.executable).resolve()
    assert command[1:] == ["--service"]


def test_the_bundle_is_made_in_file_order_whatever_the_folder_lists(tmp_path: Path) -> None:
    """pagefind's command line indexed a folder in the order the file system lists it
    (ext4: a hash seeded per disk; tmpfs: newest first), and its bundle depends on that
    order: the same pages gave different bundles on two machines. The documents are now
    handed over in file order: equal inputs, equal bytes."""
    vault = tmp_path / "vault"
    vault.mkdir()
    for number in range(12):
        (vault / f"Note {number}.md").write_text(f"# Note {number}\nword{number} shared\n",
                                                 "utf-8")
    site = tmp_path / "site"
    build(vault, site)
    [shard] = search.plan_shards({name: "" for name in _note_files(site)})
    documents = [(name, search.search_document((site / name).read_text("utf-8")))
                 for name in shard.files]

    def bundle(order: list[tuple[str, str]], folder: str) -> dict[str, bytes]:
        write_bundle(search.pagefind_command(), order, tmp_path / folder,
                     language=search.LANGUAGE, timeout=60)
        return _files(tmp_path / folder)

    assert bundle(documents, "again") == _files(site / shard.folder)
    assert bundle(documents[::-1], "reversed") != _files(site / shard.folder)


def _note_files(site: Path) -> list[str]:
    return sorted(path.name for path in site.glob("note-*.html"))


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_build_stopped_while_indexing_stops_the_indexer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM while the build waited for the search index left pagefind running: it
    wrote its bundles into the temporary folder after kbc had removed it."""
    vault = write_vault(tmp_path / "v", {"a.md": "alpha [[b]]\n", "b.md": "beta\n"})
    cancelled: list[search.SearchIndexing] = []
    cancel = search.SearchIndexing.cancel

    def stopped(self: search.SearchIndexing) -> None:
        raise SystemExit(143)  # what the SIGTERM handler raises

    def recorded(self: search.SearchIndexing) -> None:
        cancelled.append(self)
        cancel(self)

    monkeypatch.setattr(search.SearchIndexing, "wait", stopped)
    monkeypatch.setattr(search.SearchIndexing, "cancel", recorded)
    with pytest.raises(SystemExit):
        build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions())
    assert len(cancelled) == 1 and cancelled[0]._finished.is_set()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]


class _Interrupted(Exception):
    """What a signal handler raises in the waiting thread (SystemExit, KeyboardInterrupt)."""


def test_an_interrupted_wait_still_has_cancel_wait_for_the_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A signal that interrupted ``wait`` (SIGTERM or Ctrl+C while the build waited for
    the index) left the indexing thread looking finished: ``cancel`` then returned at
    once while a run still wrote its bundle into the temporary folder being removed,
    which was left behind."""
    running, release = threading.Event(), threading.Event()
    written: list[str] = []

    def slow_bundle(command: object, documents: object, bundle: Path, **_: object) -> None:
        running.set()
        release.wait(10)
        time.sleep(0.2)  # still writing when cancel is called
        written.append(bundle.name)

    monkeypatch.setattr(search, "write_bundle", slow_bundle)
    with SiteWriter(tmp_path / "site") as writer:
        writer.write_text("a.html", "<!--kbc-search-->alpha<!--/kbc-search-->")
        indexing = search.SearchIndexing(writer, tmp_path / "site", {"a.html": "k"}, "", "en")
        assert running.wait(10)

        def interrupt(*_: object) -> None:
            raise _Interrupted

        previous = signal.signal(signal.SIGALRM, interrupt)
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            with pytest.raises(_Interrupted):
                indexing.wait()
        finally:
            signal.signal(signal.SIGALRM, previous)
        release.set()
        indexing.cancel()
        assert written == ["0"]  # the run was over before cancel returned
