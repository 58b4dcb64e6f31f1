"""The loader: parallel parsing gives the same pages as serial parsing, the parse cache
skips unchanged files, and neither ever writes into the vault."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickletools
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import kb_compiler
from kb_compiler import cache as cache_module
from kb_compiler import loader
from kb_compiler.cache import DATABASE, dumps, loads_page
from kb_compiler.errors import KbcError
from kb_compiler.model import Dialect, RefKind
from tests.conftest import SAMPLE_VAULT, deny_reading


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _many_pages(root: Path, count: int) -> Path:
    root.mkdir()
    for number in range(count):
        (root / f"page {number}.md").write_text(
            f"tags:: generated\n\n- links to [[page {(number + 1) % count}]]\n", encoding="utf-8"
        )
    return root


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths this process parses from now on, in order."""
    paths: list[str] = []
    real_parse = loader.parse_page

    def logging_parse(source, data, options):  # type: ignore[no-untyped-def]
        paths.append(source.path)
        return real_parse(source, data, options)

    monkeypatch.setattr(loader, "parse_page", logging_parse)
    return paths


def test_parallel_parse_matches_serial(tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "many", loader.PARALLEL_THRESHOLD + 50)
    serial = kb_compiler.load(vault, jobs=1, cache_dir=None)
    parallel = kb_compiler.load(vault, jobs=2, cache_dir=None)
    assert parallel.pages == serial.pages
    assert len(parallel.pages) == loader.PARALLEL_THRESHOLD + 50


def test_this_process_and_a_worker_share_the_parsing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two jobs, one worker and this process parse; every page exactly once."""
    vault = _many_pages(tmp_path / "many", loader.PARALLEL_THRESHOLD + 50)
    log = tmp_path / "parsed-by"
    real_parse = loader.parse_page

    def logging_parse(source, data, options):  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as out:  # workers are forked: they log too
            out.write(f"{os.getpid()} {source.path}\n")
        return real_parse(source, data, options)

    monkeypatch.setattr(loader, "parse_page", logging_parse)
    kb = kb_compiler.load(vault, jobs=2, cache_dir=None)
    rows = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(path for _, path in rows) == sorted(page.path for page in kb.pages)
    processes = {pid for pid, _ in rows}
    assert str(os.getpid()) in processes
    assert len(processes) == 2


def test_a_warm_cache_is_read_here_and_only_edited_pages_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = _many_pages(tmp_path / "many", loader.PARALLEL_THRESHOLD + 50)
    cache = tmp_path / "cache"
    kb_compiler.load(vault, jobs=2, cache_dir=cache)
    edited = ["page 1.md", "page 200.md", "page 449.md"]
    for name in edited:
        (vault / name).write_text("- edited, see [[page 7]]\n", encoding="utf-8")
    log = tmp_path / "parsed-by"
    real_parse = loader.parse_page

    def logging_parse(source, data, options):  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {source.path}\n")
        return real_parse(source, data, options)

    monkeypatch.setattr(loader, "parse_page", logging_parse)
    warm = kb_compiler.load(vault, jobs=2, cache_dir=cache)
    rows = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(path for _, path in rows) == sorted(edited)
    assert {pid for pid, _ in rows} == {str(os.getpid())}  # three pages: no workers
    monkeypatch.setattr(loader, "parse_page", real_parse)
    assert warm.pages == kb_compiler.load(vault, jobs=1, cache_dir=None).pages


def test_parallel_parsing_leaves_no_temporary_files(
        tmp_path: Path, handover_folders: list[Path]) -> None:
    vault = _many_pages(tmp_path / "many", loader.PARALLEL_THRESHOLD + 50)
    kb_compiler.load(vault, jobs=2, cache_dir=None)
    assert [folder.name[:len("kbc-work-")] for folder in handover_folders] == ["kbc-work-"]
    assert not any(folder.exists() for folder in handover_folders)


def test_a_reloader_parses_only_the_files_that_changed(
        tmp_path: Path, parsed: list[str]) -> None:
    vault = _many_pages(tmp_path / "vault", 30)
    reloader = loader.Reloader(vault, cache_dir=None)
    first = reloader.load()
    parsed.clear()
    assert reloader.load().pages == first.pages
    assert parsed == []  # neither parsed nor read from a cache (there is none)
    (vault / "page 3.md").write_text("- now links to [[page 9]]\n", encoding="utf-8")
    (vault / "page 30.md").write_text("- a new page\n", encoding="utf-8")
    (vault / "page 4.md").unlink()
    again = reloader.load()
    assert sorted(parsed) == ["page 3.md", "page 30.md"]
    assert again.pages == kb_compiler.load(vault, cache_dir=None).pages


def test_a_reloader_parses_everything_again_when_the_parse_options_change(
        tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "vault", 3)
    (vault / "damaged.md").write_bytes("- caf\u00e9".encode().decode("latin-1").encode())
    reloader = loader.Reloader(vault, cache_dir=None)
    repaired = reloader.load().page("damaged")
    assert repaired is not None and "café" in repaired.text
    (vault / "kbc.toml").write_text("fix-encoding = false\n", encoding="utf-8")
    kept = reloader.load().page("damaged")
    assert kept is not None and "café" not in kept.text


def test_pickled_pages_keep_their_enum_members(tmp_path: Path) -> None:
    """Enum members are pickled as references (one per member and pickle), not as a
    call to the enum for every value, and come back as the very same members."""
    vault = _many_pages(tmp_path / "vault", 1)
    page = kb_compiler.load(vault, cache_dir=None).pages[0]
    blob = dumps(page)
    again = loads_page(blob)
    assert again == page
    kinds = [ref.kind for ref in again.references]
    assert kinds == [RefKind.TAG, RefKind.LINK]
    assert kinds[1] is RefKind.LINK and again.dialect is Dialect.LOGSEQ
    names = [arg for op, arg, _ in pickletools.genops(blob) if isinstance(arg, str)]
    assert names.count("RefKind.LINK") == 1


def test_cache_skips_unchanged_pages(tmp_path: Path, parsed: list[str]) -> None:
    vault = _many_pages(tmp_path / "vault", 12)
    cache = tmp_path / "cache"
    first = kb_compiler.load(vault, cache_dir=cache)
    parsed.clear()
    (vault / "page 3.md").write_text("- changed [[page 4]]\n", encoding="utf-8")
    second = kb_compiler.load(vault, cache_dir=cache)
    assert parsed == ["page 3.md"]
    assert [p.name for p in second.pages] == [p.name for p in first.pages]
    assert second.page("page 3").blocks[0].content == "changed [[page 4]]"


def test_serial_parsing_stores_the_cache_a_chunk_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[str]) -> None:
    """Entries are written as each chunk is parsed, not held until the whole vault is."""
    monkeypatch.setattr(loader, "_READ_CHUNK", 4)
    stored: list[int] = []
    real_store = loader._store
    monkeypatch.setattr(loader, "_store",
                        lambda cache, loaded: (stored.append(len(parsed)),
                                               real_store(cache, loaded)))
    vault = _many_pages(tmp_path / "vault", 10)
    cache = tmp_path / "cache"
    first = kb_compiler.load(vault, cache_dir=cache, jobs=1)
    assert stored == [4, 8, 10]
    assert len(_entries(cache)) == 10
    assert first.pages == kb_compiler.load(vault, cache_dir=None, jobs=1).pages
    parsed.clear()
    assert kb_compiler.load(vault, cache_dir=cache, jobs=1).pages == first.pages
    assert parsed == []


def test_the_cache_folder_may_be_given_as_a_string(tmp_path: Path, parsed: list[str]) -> None:
    vault = _many_pages(tmp_path / "vault", 3)
    cache = tmp_path / "cache"
    kb_compiler.load(vault, cache_dir=str(cache))
    assert (cache / DATABASE).is_file()
    parsed.clear()
    kb_compiler.load(str(vault), cache_dir=str(cache))
    assert parsed == []


def _entries(cache: Path) -> list[tuple[str, bytes]]:
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db:
        return sorted(db.execute(f"SELECT key, blob FROM {cache_module._TABLE}"))


def test_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "vault", 3)
    cache = tmp_path / "cache"
    expected = kb_compiler.load(vault, cache_dir=cache).pages
    assert len(_entries(cache)) == 3
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db, db:
        db.execute(f"UPDATE {cache_module._TABLE} SET blob = ?", (b"not a pickle",))
    assert kb_compiler.load(vault, cache_dir=cache).pages == expected


def test_a_damaged_cache_database_is_started_afresh(tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "vault", loader.PARALLEL_THRESHOLD + 10)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / DATABASE).write_bytes(b"this is not a database file" * 100)
    expected = kb_compiler.load(vault, cache_dir=None).pages
    assert kb_compiler.load(vault, cache_dir=cache, jobs=2).pages == expected
    assert len(_entries(cache)) == loader.PARALLEL_THRESHOLD + 10
    assert kb_compiler.load(vault, cache_dir=cache, jobs=2).pages == expected


def test_parallel_workers_fill_the_cache_for_the_next_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = _many_pages(tmp_path / "vault", loader.PARALLEL_THRESHOLD + 10)
    cache = tmp_path / "cache"
    first = kb_compiler.load(vault, cache_dir=cache, jobs=2).pages
    monkeypatch.setattr(loader, "parse_page", None)  # any parse now fails
    assert kb_compiler.load(vault, cache_dir=cache, jobs=1).pages == first


def test_only_this_process_writes_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers send their new entries here instead of writing them: two processes
    writing one database waited for each other in SQLite's busy handler."""
    vault = _many_pages(tmp_path / "vault", loader.PARALLEL_THRESHOLD + 50)
    log = tmp_path / "written-by"
    real_put = cache_module.ParseCache.put_many

    def logging_put(self, entries):  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as out:  # forked workers would log too
            out.writelines(f"{os.getpid()} {key}\n" for key, _ in entries)
        return real_put(self, entries)

    monkeypatch.setattr(cache_module.ParseCache, "put_many", logging_put)
    kb = kb_compiler.load(vault, cache_dir=tmp_path / "cache", jobs=2)
    rows = [line.split(" ") for line in log.read_text(encoding="utf-8").splitlines()]
    assert {pid for pid, _ in rows} == {str(os.getpid())}
    assert len({key for _, key in rows}) == len(kb.pages)


def test_entries_of_other_parsing_code_are_deleted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade makes every entry unreadable: they go, so the cache does not grow
    with each version."""
    vault = _many_pages(tmp_path / "vault", 3)
    cache = tmp_path / "cache"
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "version A")
    kb_compiler.load(vault, cache_dir=cache)
    first = {key for key, _ in _entries(cache)}
    kb_compiler.load(vault, cache_dir=cache)
    assert {key for key, _ in _entries(cache)} == first and len(first) == 3
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "version B")
    kb_compiler.load(vault, cache_dir=cache)
    second = {key for key, _ in _entries(cache)}
    assert len(second) == 3 and not first & second


@pytest.mark.parametrize("table", ["CREATE TABLE entries (key TEXT PRIMARY KEY, blob BLOB) "
                                   "WITHOUT ROWID",
                                   "CREATE TABLE pages (key TEXT PRIMARY KEY, blob BLOB NOT NULL)"])
def test_old_cache_tables_are_dropped(tmp_path: Path, table: str) -> None:
    vault = _many_pages(tmp_path / "vault", 3)
    cache = tmp_path / "cache"
    cache.mkdir()
    old_name = table.split()[2]
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db, db:
        db.execute(table)
        db.execute(f"INSERT INTO {old_name} VALUES ('old', ?)", (b"x" * 5000,))
    kb_compiler.load(vault, cache_dir=cache)
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert old_name not in tables
    assert len(_entries(cache)) == 3


def _days_used(cache: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db:
        return dict(db.execute(f"SELECT key, used FROM {cache_module._TABLE}"))


def _on_day(monkeypatch: pytest.MonkeyPatch, day: int) -> None:
    monkeypatch.setattr(cache_module, "today", lambda: day)


def test_each_entry_keeps_the_last_day_a_run_used_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = _many_pages(tmp_path / "vault", 4)
    cache = tmp_path / "cache"
    _on_day(monkeypatch, 1000)
    kb_compiler.load(vault, cache_dir=cache)
    first = _days_used(cache)
    assert len(first) == 4 and set(first.values()) == {1000}
    _on_day(monkeypatch, 1007)
    (vault / "page 0.md").write_text("- edited\n", encoding="utf-8")
    kb_compiler.load(vault, cache_dir=cache, jobs=1)
    days = _days_used(cache)
    assert len(days) == 5  # the edit is a new entry; the old one stays a while
    assert sorted(days.values()) == [1000, 1007, 1007, 1007, 1007]


def test_entries_unused_for_a_month_are_deleted_and_their_space_returned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    for number in range(60):  # big pages: the file is mostly theirs
        (gone / f"long {number}.md").write_text(f"- {'words ' * 2000}{number}\n",
                                                encoding="utf-8")
    kept = _many_pages(tmp_path / "kept", 3)
    cache = tmp_path / "cache"
    _on_day(monkeypatch, 1000)
    kb_compiler.load(gone, cache_dir=cache)
    kb_compiler.load(kept, cache_dir=cache)
    _on_day(monkeypatch, 1000 + cache_module.KEEP_DAYS)
    kb_compiler.load(kept, cache_dir=cache)  # a month on: only just due
    assert len(_entries(cache)) == 63
    full = (cache / DATABASE).stat().st_size
    _on_day(monkeypatch, 1001 + cache_module.KEEP_DAYS)
    kept_keys = set(_days_used(cache)) - {key for key, day in _days_used(cache).items()
                                          if day == 1000}
    kb_compiler.load(kept, cache_dir=cache)
    assert set(_days_used(cache)) == kept_keys and len(kept_keys) == 3
    assert (cache / DATABASE).stat().st_size < full / 4


def test_days_of_use_are_written_by_this_process_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers that read entries hand their keys here, as they do their new entries."""
    vault = _many_pages(tmp_path / "vault", loader.PARALLEL_THRESHOLD + 50)
    cache = tmp_path / "cache"
    _on_day(monkeypatch, 1000)
    kb_compiler.load(vault, cache_dir=cache, jobs=2)
    first_chunk = sorted(vault.glob("*.md"))[:loader._CHUNK]
    for page in first_chunk:  # cold: the pages are parsed, workers reading the cache
        page.write_text(f"- edited {page.name}\n", encoding="utf-8")
    log = tmp_path / "marked-by"
    real_mark = cache_module.ParseCache.mark_used

    def logging_mark(self, keys):  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as out:
            out.writelines(f"{os.getpid()} {key}\n" for key in keys)
        return real_mark(self, keys)

    monkeypatch.setattr(cache_module.ParseCache, "mark_used", logging_mark)
    _on_day(monkeypatch, 1003)
    kb_compiler.load(vault, cache_dir=cache, jobs=2)
    rows = [line.split(" ") for line in log.read_text(encoding="utf-8").splitlines()]
    assert {pid for pid, _ in rows} == {str(os.getpid())}
    pages = len(list(vault.glob("*.md")))
    assert sum(day == 1003 for day in _days_used(cache).values()) == pages
    assert len(rows) == pages - loader._CHUNK


def test_cache_inside_the_vault_is_never_used(tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "vault", 3)
    before = _tree_digest(vault)
    kb_compiler.load(vault, cache_dir=vault / ".cache")
    assert _tree_digest(vault) == before


def test_loading_the_sample_vault_changes_nothing(tmp_path: Path) -> None:
    before = _tree_digest(SAMPLE_VAULT)
    kb = kb_compiler.load(SAMPLE_VAULT, cache_dir=tmp_path / "cache")
    assert kb.page("profile-(id)") is not None
    assert _tree_digest(SAMPLE_VAULT) == before


def test_missing_vault_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(KbcError, match="vault folder not found"):
        kb_compiler.load(tmp_path / "nowhere")


def test_a_parsing_library_upgrade_parses_every_page_again(
        tmp_path: Path, parsed: list[str], upgraded: Callable[[str], None]) -> None:
    """A page parsed under one markdown-it-py may parse otherwise under the next."""
    vault = _many_pages(tmp_path / "vault", 5)
    cache = tmp_path / "cache"
    kb_compiler.load(vault, cache_dir=cache)
    parsed.clear()
    kb_compiler.load(vault, cache_dir=cache)
    assert parsed == []
    upgraded("markdown-it-py")
    kb_compiler.load(vault, cache_dir=cache)
    assert len(parsed) == 5


def test_a_page_file_that_cannot_be_read_is_no_page(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Read permission denied (a file another user owns): the page was kept with no text,
    so the site published it empty, the export wrote an empty file and links to it
    looked fine. It is left out; its error stays in the vault's report."""
    from kb_compiler.emit.site import SiteOptions, build_site
    from kb_compiler.emit.vault import export_vault
    from kb_compiler.model import Dialect
    from kb_compiler.resolve import resolve

    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Home.md").write_text("Home links [[Plan]]\n", encoding="utf-8")
    (vault / "Plan.md").write_text("the important content\n", encoding="utf-8")
    deny_reading(monkeypatch, "Plan.md")
    kb = kb_compiler.load(vault, cache_dir=None, jobs=1)
    assert [page.path for page in kb.pages] == ["Home.md"]
    assert [(d.code, d.path) for d in kb.diagnostics] == [("unreadable-file", "Plan.md")]
    graph = resolve(kb)
    assert ("broken-link", "Home.md") in [(d.code, d.path) for d in graph.diagnostics]
    build_site(graph, tmp_path / "site", SiteOptions(search=False))
    assert not (tmp_path / "site/plan.html").exists()
    export_vault(graph, tmp_path / "out", to=Dialect.OBSIDIAN)
    assert not (tmp_path / "out/Plan.md").exists()
