"""``kb_compiler.load`` on both real corpora (private copies): everything loads, every
page file becomes a page, and names follow each tool's rules. Each fact asserted here
was read in the corpus files themselves, not taken from kbc's output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import kb_compiler
from kb_compiler.model import Dialect, KnowledgeBase, Page, VaultKind
from tests.conftest import KEPANO, LOGSEQ_DOCS


@pytest.fixture(scope="module")
def docs_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("corpora") / "logseq-docs"
    shutil.copytree(LOGSEQ_DOCS, copy, symlinks=True)
    for folder, _, _ in os.walk(copy):  # the corpus is read-only; its copy need not be
        Path(folder).chmod(0o755)
    # Stale copies Logseq keeps must never become pages.
    for stale in ("logseq/bak/pages/Contents/2023-01-01T00_00_00.000Z.Desktop.md",
                  "logseq/version-files/base/pages/contents.md",
                  "logseq/.recycle/pages_Contents.md"):
        target = copy / stale
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("- stale copy\n", encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def docs(docs_copy: Path) -> KnowledgeBase:
    return kb_compiler.load(docs_copy, cache_dir=None)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    copy = tmp_path_factory.mktemp("corpora") / "kepano-obsidian"
    shutil.copytree(KEPANO, copy, symlinks=True)
    return kb_compiler.load(copy, cache_dir=None)


def _by_path(kb: KnowledgeBase) -> dict[str, Page]:
    return {page.path: page for page in kb.pages}


# --- Everything loads --------------------------------------------------------------


def test_every_logseq_page_file_is_a_page(docs, docs_copy):
    expected = {
        path.relative_to(docs_copy).as_posix()
        for folder in ("pages", "journals", "whiteboards")
        for path in (docs_copy / folder).iterdir()
        if path.suffix in (".md", ".org") or folder == "whiteboards"
    }
    assert len(expected) == 334  # 242 in pages/, 91 in journals/, 1 whiteboard
    assert {page.path for page in docs.pages} == expected
    assert not any(page.path.startswith("logseq/") for page in docs.pages)
    assert docs.kind is VaultKind.LOGSEQ


def test_every_obsidian_note_is_a_page(vault):
    root = vault.root
    expected = {
        path.relative_to(root).as_posix() for path in root.rglob("*.md")
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    }
    assert len(expected) == 103
    assert {page.path for page in vault.pages} == expected
    assert vault.kind is VaultKind.OBSIDIAN
    assert all(page.dialect is Dialect.OBSIDIAN for page in vault.pages)


@pytest.mark.parametrize("corpus", ["docs", "vault"])
def test_no_page_failed_to_parse(corpus, request):
    kb = request.getfixturevalue(corpus)
    failed = [d for d in kb.all_diagnostics() if d.code == "internal-error"]
    assert failed == []
    assert kb.diagnostics == ()  # discovery found nothing wrong in either corpus


# --- Facts read in the Logseq docs graph ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "name"),
    [
        # file name decoded with :file/name-format :triple-lowbar (title:: agrees)
        ("pages/Community___Query Learning Sprint (Summer 2022).md",
         "Community/Query Learning Sprint (Summer 2022)"),
        ("pages/New to Logseq%3F.md", "New to Logseq?"),
        ("pages/Tweet___This 1 Tiny Time Managem...___.md", "Tweet/This 1 Tiny Time Managem..."),
        # no title:: in these files: the name comes from the file name alone
        ("pages/Whiteboard___Action Bar___Arrow head toggle.md",
         "Whiteboard/Action Bar/Arrow head toggle"),
        ("pages/setting___enable journals.md", "setting/enable journals"),
        ("pages/Changelog_07_09.md", "Changelog_07_09"),
        ("pages/contents.md", "Contents"),
        ("pages/Org Mode.org", "Org Mode"),
        # title:: wins over the file name
        ("pages/term.page title.md", "custom page title"),
        ("pages/block_embed.md", "Block embed"),
        ("pages/config edn file.md", "config.edn"),
    ],
)
def test_logseq_page_names(docs, path, name):
    assert _by_path(docs)[path].name == name


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("journals/2020_05_14.org", "May 14th, 2020"),
        ("journals/2021_07_19.md", "Jul 19th, 2021"),
        ("journals/2020_09_14.md", "Sep 14th, 2020"),  # its frontmatter title agrees
        ("journals/2020_09_21.md", "Sep 21st, 2020"),
    ],
)
def test_logseq_journal_titles(docs, path, title):
    page = _by_path(docs)[path]
    assert page.name == title
    assert page.is_journal is True


def test_logseq_hidden_files_are_not_pages(docs, docs_copy):
    for hidden in ("README.md", "CONTRIBUTING.md", "LICENSE.md", "db-version.md"):
        assert (docs_copy / hidden).is_file()
        assert hidden not in _by_path(docs)
    assert docs.page("README") is None


def test_logseq_pages_are_found_case_insensitively(docs):
    assert docs.page("contents").path == "pages/contents.md"
    assert docs.page("COMMUNITY/query learning sprint (summer 2022)").path == \
        "pages/Community___Query Learning Sprint (Summer 2022).md"


def test_logseq_assets(docs):
    assets = {asset.path for asset in docs.assets}
    assert "assets/2021-05-21_18.41.54_1621593786418_0.gif" in assets
    assert "whiteboards/Test Whiteboard.edn" not in assets  # a page
    assert not any(path.startswith("logseq/") for path in assets)


# --- Facts read in the kepano Obsidian vault -----------------------------------------


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("Categories/Books.md", "Categories/Books"),
        ("Daily/2023-09-12.md", "Daily/2023-09-12"),
        ("Notes/2023 Japan Trip.md", "Notes/2023 Japan Trip"),
        ("References/Kevin Kelly.md", "References/Kevin Kelly"),
        ("Templates/Book Template.md", "Templates/Book Template"),
        ("Readme.md", "Readme"),
    ],
)
def test_obsidian_names_are_folder_paths(vault, path, name):
    assert _by_path(vault)[path].name == name


def test_obsidian_settings_and_bases_are_not_pages(vault):
    paths = set(_by_path(vault))
    assert not any(path.startswith(".obsidian/") for path in paths)
    assets = {asset.path for asset in vault.assets}
    assert "Templates/Bases/Daily.base" in assets  # ![[Daily.base]] in Daily notes
    assert "Attachments/out-of-control.jpg" in assets
