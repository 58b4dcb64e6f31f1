"""The loader: parallel parsing gives the same pages as serial parsing, the parse cache
skips unchanged files, and neither ever writes into the vault."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path

import pytest

import kb_compiler
from kb_compiler import loader
from kb_compiler.cache import DATABASE
from kb_compiler.errors import KbcError
from tests.conftest import SAMPLE_VAULT


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


def test_parallel_parse_matches_serial(tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "many", loader.PARALLEL_THRESHOLD + 50)
    serial = kb_compiler.load(vault, jobs=1, cache_dir=None)
    parallel = kb_compiler.load(vault, jobs=2, cache_dir=None)
    assert parallel.pages == serial.pages
    assert len(parallel.pages) == loader.PARALLEL_THRESHOLD + 50


def test_cache_skips_unchanged_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = _many_pages(tmp_path / "vault", 12)
    cache = tmp_path / "cache"
    first = kb_compiler.load(vault, cache_dir=cache)
    parsed: list[str] = []
    real_parse = loader.parse_page

    def counting_parse(source, data, options):  # type: ignore[no-untyped-def]
        parsed.append(source.path)
        return real_parse(source, data, options)

    monkeypatch.setattr(loader, "parse_page", counting_parse)
    (vault / "page 3.md").write_text("- changed [[page 4]]\n", encoding="utf-8")
    second = kb_compiler.load(vault, cache_dir=cache)
    assert parsed == ["page 3.md"]
    assert [p.name for p in second.pages] == [p.name for p in first.pages]
    assert second.page("page 3").blocks[0].content == "changed [[page 4]]"


def _entries(cache: Path) -> list[tuple[str, bytes]]:
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db:
        return sorted(db.execute("SELECT key, blob FROM entries"))


def test_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    vault = _many_pages(tmp_path / "vault", 3)
    cache = tmp_path / "cache"
    expected = kb_compiler.load(vault, cache_dir=cache).pages
    assert len(_entries(cache)) == 3
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db, db:
        db.execute("UPDATE entries SET blob = ?", (b"not a pickle",))
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
