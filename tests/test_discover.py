"""Discovery on real file systems: which files are pages, assets or skipped."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from kb_compiler import discover as discover_module
from kb_compiler.config import load_config
from kb_compiler.discover import discover
from kb_compiler.model import Dialect, Severity


def _write(root: Path, relative: str, text: str = "- x\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _run(root: Path):
    return discover(root, load_config(root))


def _pages(found) -> list[str]:
    return [source.path for source in found.sources]


def _assets(found) -> list[str]:
    return [asset.path for asset in found.assets]


# --- Logseq graphs -------------------------------------------------------------------


def test_logseq_docs_pages_journals_and_skipped_copies(logseq_docs):
    for stale in ("logseq/bak/pages/Contents/2022-01-01.md", "logseq/.recycle/pages_x.md",
                  "logseq/version-files/base/pages/a.md", "node_modules/pkg/README.md",
                  "pages/node_modules/x.md", ".git/x.md", "pages/.hidden.md"):
        _write(logseq_docs, stale)
    found = _run(logseq_docs)
    expected = sorted(
        path.relative_to(logseq_docs).as_posix()
        for folder in ("pages", "journals", "whiteboards")
        for path in (logseq_docs / folder).iterdir()
        if path.suffix in (".md", ".org", ".edn") and not path.name.startswith(".")
    )
    assert _pages(found) == expected
    assert len(expected) == 334  # the docs' one whiteboard included
    assert all(source.dialect_hint is Dialect.LOGSEQ for source in found.sources)
    assert found.diagnostics == ()


def test_logseq_hidden_files_are_neither_pages_nor_assets(logseq_docs):
    found = _run(logseq_docs)
    everything = set(_pages(found)) | set(_assets(found))
    for hidden in ("README.md", "CONTRIBUTING.md", "LICENSE.md", "db-version.md",
                   "db-version-changes.md"):
        assert (logseq_docs / hidden).exists()
        assert hidden not in everything


def test_logseq_assets_and_config_files(logseq_docs):
    found = _run(logseq_docs)
    assets = _assets(found)
    assert "assets/2021-05-21_18.41.54_1621593786418_0.gif" in assets
    assert "whiteboards/Test Whiteboard.edn" not in assets  # a page
    assert "typos.toml" in assets
    assert not any(path.startswith("logseq/") for path in assets)  # config, not content
    assert not any(path.startswith(".") for path in assets)
    size = next(a.size for a in found.assets if a.path == "typos.toml")
    assert size == (logseq_docs / "typos.toml").stat().st_size


def test_logseq_journals(logseq_docs):
    _write(logseq_docs, "journals/ideas.md")
    found = _run(logseq_docs)
    journals = {s.path: s.is_journal for s in found.sources if s.path.startswith("journals/")}
    assert journals["journals/2020_05_14.org"] is True
    assert journals["journals/2021_07_19.md"] is True
    assert journals["journals/ideas.md"] is False
    (problem,) = found.diagnostics
    assert (problem.code, problem.severity, problem.path) == (
        "invalid-journal-name", Severity.WARNING, "journals/ideas.md")
    assert not any(s.is_journal for s in found.sources if s.path.startswith("pages/"))


def test_logseq_pages_outside_pages_folder_are_read_like_logseq_does(tmp_path):
    _write(tmp_path, "logseq/config.edn", '{:hidden ["/archive" "notes/old.md"]}')
    for page in ("pages/a.md", "top.md", "notes/new.md", "notes/old.md", "archive/x.md",
                 "pages/b.markdown", "pages/c.org", "pages/d.txt"):
        _write(tmp_path, page)
    found = _run(tmp_path)
    assert _pages(found) == ["notes/new.md", "pages/a.md", "pages/b.markdown",
                             "pages/c.org", "top.md"]
    assert _assets(found) == ["pages/d.txt"]


def test_a_path_is_outside_the_knowledge_base_exactly_when_the_walk_skips_it(tmp_path):
    """``kbc serve`` asks this of each changed file: it must agree with the walk."""
    _write(tmp_path, "logseq/config.edn", '{:hidden ["/archive"]}')
    _write(tmp_path, "kbc.toml", 'ignore = ["drafts/**"]\n')
    paths = ("pages/a.md", "archive/x.md", "drafts/y.md", "logseq/bak/pages/a.md",
             ".trash/z.md", "pages/.a.md.swp", "assets/pic.png", "pages/sub/b.md")
    for path in paths:
        _write(tmp_path, path)
    config = load_config(tmp_path)
    found = _run(tmp_path)
    walked = set(_pages(found)) | set(_assets(found))
    assert walked == {"pages/a.md", "assets/pic.png", "pages/sub/b.md"}
    for path in paths:
        assert discover_module.outside_the_knowledge_base(path, config) is (path not in walked)


def test_markdown_in_a_logseq_assets_folder_is_a_file_not_a_page(tmp_path):
    """Logseq lists no page in an ``assets`` folder (``ignored-path?``): a README kept
    beside the pictures was checked, published and exported as a page."""
    _write(tmp_path, "logseq/config.edn", "{}")
    for path in ("pages/a.md", "assets/readme.md", "pages/assets/notes.md",
                 "pages/assets-list.md", "assets/pic.png"):
        _write(tmp_path, path)
    found = _run(tmp_path)
    assert _pages(found) == ["pages/a.md", "pages/assets-list.md"]
    assert _assets(found) == ["assets/pic.png", "assets/readme.md", "pages/assets/notes.md"]
    obsidian = tmp_path / "obsidian"
    _write(obsidian, ".obsidian/app.json", "{}")
    _write(obsidian, "assets/readme.md")
    assert _pages(_run(obsidian)) == ["assets/readme.md"]  # a note, in Obsidian


def test_a_logseq_whiteboard_is_a_page_as_logseq_reads_it(tmp_path):
    """Logseq's ``whiteboard?``: a path holding ``whiteboards/`` and ending in ``.edn``.
    Boards were assets, so every link to one was a broken link."""
    _write(tmp_path, "logseq/config.edn", "{}")
    for path in ("whiteboards/Plan Board.edn", "pages/whiteboards/old.edn",
                 "whiteboards/notes.json", "whiteboards/UPPER.EDN", "boards/x.edn",
                 "assets/whiteboards/copy.edn"):
        _write(tmp_path, path, "{}")
    found = _run(tmp_path)
    assert _pages(found) == ["pages/whiteboards/old.edn", "whiteboards/Plan Board.edn"]
    assert all(source.dialect_hint is Dialect.LOGSEQ for source in found.sources)
    assert _assets(found) == ["assets/whiteboards/copy.edn", "boards/x.edn",
                              "whiteboards/UPPER.EDN", "whiteboards/notes.json"]
    obsidian = tmp_path / "obsidian"
    _write(obsidian, ".obsidian/app.json", "{}")
    _write(obsidian, "whiteboards/Plan Board.edn", "{}")
    assert _assets(_run(obsidian)) == ["whiteboards/Plan Board.edn"]  # a file there


# --- Obsidian vaults and plain folders ---------------------------------------------


def test_kepano_notes_and_attachments(kepano):
    found = _run(kepano)
    pages = _pages(found)
    expected = sorted(p.relative_to(kepano).as_posix() for p in kepano.rglob("*.md")
                      if not any(part.startswith(".") for part in p.relative_to(kepano).parts))
    assert pages == expected
    assert "Categories/Books.md" in pages and "Daily/2023-09-12.md" in pages
    assert all(source.dialect_hint is Dialect.OBSIDIAN for source in found.sources)
    assert not any(source.is_journal for source in found.sources)
    assets = _assets(found)
    assert "Attachments/out-of-control.jpg" in assets
    assert "Templates/Bases/Books.base" in assets
    assert not any(path.startswith(".") for path in pages + assets)


def test_obsidian_markdown_extension_is_an_attachment(tmp_path):
    (tmp_path / ".obsidian").mkdir()
    _write(tmp_path, "a.md")
    _write(tmp_path, "b.markdown")
    found = _run(tmp_path)
    assert (_pages(found), _assets(found)) == (["a.md"], ["b.markdown"])


def test_plain_folder_seeds(seeds_vault):
    _write(seeds_vault, "notes/extra.markdown")
    _write(seeds_vault, "notes/outline.org")
    found = _run(seeds_vault)
    assert _pages(found) == ["Customer Profile.md", "Profiles.md", "What is Customer Profile.md",
                             "notes/extra.markdown", "profile-(id).md",
                             "profile-(id)___persona.md"]
    assert all(source.dialect_hint is None for source in found.sources)
    assert _assets(found) == ["notes/outline.org"]


def test_kbc_config_files_are_not_assets(tmp_path):
    _write(tmp_path, "kbc.toml", 'schema = "meta/types.yaml"\n')
    _write(tmp_path, "meta/types.yaml", "types: {}\n")
    _write(tmp_path, "kbc-schema.yaml", "types: {}\n")
    _write(tmp_path, "pyproject.toml", "[project]\n")
    _write(tmp_path, "page.md")
    _write(tmp_path, "image.png")
    found = _run(tmp_path)
    assert (_pages(found), _assets(found)) == (["page.md"], ["image.png"])


def test_ignore_globs_prune_files_and_folders(tmp_path):
    _write(tmp_path, "kbc.toml", 'ignore = ["drafts", "*.tmp.md", "archive/20*/**"]\n')
    for page in ("keep.md", "drafts/a.md", "sub/drafts/b.md", "x.tmp.md", "sub/y.tmp.md",
                 "archive/2020/old.md", "archive/keep.md"):
        _write(tmp_path, page)
    assert _pages(_run(tmp_path)) == ["archive/keep.md", "keep.md"]


def test_an_ignore_glob_matches_a_name_stored_decomposed(tmp_path):
    """macOS stored "Brouillons é" decomposed; the glob typed in kbc.toml is composed."""
    _write(tmp_path, "kbc.toml", 'ignore = ["Brouillons é"]\n')
    _write(tmp_path, unicodedata.normalize("NFD", "Brouillons é/a.md"))
    _write(tmp_path, "keep.md")
    assert _pages(_run(tmp_path)) == ["keep.md"]


# --- Links, unreadable folders, order ----------------------------------------------


def test_symlinks_out_of_the_vault_are_refused(tmp_path):
    outside = tmp_path / "outside"
    _write(outside, "secret.md", "secret")
    vault = tmp_path / "vault"
    _write(vault, "page.md")
    (vault / "leak.md").symlink_to(outside / "secret.md")
    (vault / "leakdir").symlink_to(outside, target_is_directory=True)
    (vault / "pages").mkdir()
    (vault / "pages" / "up.md").symlink_to("../../outside/secret.md")
    found = _run(vault)
    assert _pages(found) == ["page.md"]
    escapes = [(d.code, d.severity, d.path) for d in found.diagnostics]
    assert escapes == [("path-escape", Severity.ERROR, "leak.md"),
                       ("path-escape", Severity.ERROR, "leakdir"),
                       ("path-escape", Severity.ERROR, "pages/up.md")]
    assert "'leak.md'" in found.diagnostics[0].message


def test_symlinks_inside_the_vault(tmp_path):
    _write(tmp_path, "real/page.md")
    (tmp_path / "alias.md").symlink_to(tmp_path / "real" / "page.md")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # never walked
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    found = _run(tmp_path)
    assert _pages(found) == ["alias.md", "real/page.md"]
    assert found.sources[0].absolute == (tmp_path / "real" / "page.md").resolve()
    (problem,) = found.diagnostics
    assert (problem.code, problem.severity, problem.path) == (
        "unreadable-file", Severity.WARNING, "dangling.md")
    assert "points to nothing" in problem.message


def test_a_link_the_system_will_not_follow_is_skipped_with_a_warning(tmp_path, monkeypatch):
    """A link into ``/proc`` (``/proc/2/exe``: readlink fails) made discovery raise, a
    traceback from every command and from ``kb_compiler.load``. The system's refusal is
    simulated for one link: which ``/proc`` links fail differs between machines."""
    _write(tmp_path, "page.md")
    (tmp_path / "exe.md").symlink_to("/proc/2/exe")
    real = os.path.realpath

    def refusing(path, *args, **kwargs):
        if os.fspath(path).endswith("exe.md"):
            raise FileNotFoundError(2, "No such file or directory", "/proc/2/exe")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os.path, "realpath", refusing)
    found = _run(tmp_path)
    assert _pages(found) == ["page.md"]
    assert [(d.code, d.path, d.message) for d in found.diagnostics] == [(
        "unreadable-file", "exe.md",
        "symbolic link 'exe.md' cannot be followed (No such file or directory); skipped")]


def test_a_loop_of_symbolic_links_is_called_one(tmp_path):
    """A link to itself was said to point to nothing."""
    _write(tmp_path, "page.md")
    (tmp_path / "self.md").symlink_to("self.md")
    (tmp_path / "a.md").symlink_to("b.md")
    (tmp_path / "b.md").symlink_to("a.md")
    found = _run(tmp_path)
    assert _pages(found) == ["page.md"]
    assert [(d.path, d.message) for d in found.diagnostics] == [
        ("a.md", "symbolic link 'a.md' is a loop of symbolic links; skipped"),
        ("b.md", "symbolic link 'b.md' is a loop of symbolic links; skipped"),
        ("self.md", "symbolic link 'self.md' is a loop of symbolic links; skipped")]


def test_unreadable_folder_is_a_diagnostic(tmp_path, monkeypatch):
    _write(tmp_path, "ok.md")
    _write(tmp_path, "locked/x.md")
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discover_module.os, "scandir", scandir)
    found = _run(tmp_path)
    assert _pages(found) == ["ok.md"]
    (problem,) = found.diagnostics
    assert (problem.code, problem.path) == ("unreadable-file", "locked")
    assert "Permission denied" in problem.message


def test_deep_folders_are_walked_without_recursion(tmp_path):
    folder = tmp_path
    for _ in range(200):
        folder = folder / "d"
    _write(folder, "deep.md")
    found = _run(tmp_path)
    assert _pages(found) == ["/".join(["d"] * 200) + "/deep.md"]


@pytest.mark.parametrize("name", ["CON.md", "a:b.md", "50%2E%2F.md", "🔍 emoji.md", "ü.md"])
def test_odd_file_names_are_pages(tmp_path, name):
    _write(tmp_path, name)
    assert _pages(_run(tmp_path)) == [name]


def test_names_that_are_not_utf8_are_skipped_with_an_error(tmp_path):
    """Python reads such a name with lone surrogates, which no output can hold."""
    _write(tmp_path, "ok.md")
    os.mkdir(os.path.join(os.fsencode(tmp_path), b"bad\xfffolder"))
    for name in (b"bad\xff.md", b"bad\xfffolder/inside.md", b"pic\xfe.png"):
        with open(os.path.join(os.fsencode(tmp_path), name), "w") as handle:
            handle.write("- x\n")
    found = _run(tmp_path)
    assert _pages(found) == ["ok.md"] and _assets(found) == []
    assert [(d.code, d.severity, d.path) for d in found.diagnostics] == [
        ("invalid-encoding", Severity.ERROR, "bad\\xff.md"),
        ("invalid-encoding", Severity.ERROR, "bad\\xfffolder"),
        ("invalid-encoding", Severity.ERROR, "pic\\xfe.png"),
    ]
    assert "not valid UTF-8" in found.diagnostics[0].message


def test_dot_names_are_skipped(tmp_path):
    _write(tmp_path, "..md")
    _write(tmp_path, ".trash/old.md")
    _write(tmp_path, "ok.md")
    assert _pages(_run(tmp_path)) == ["ok.md"]


def test_output_is_sorted_and_repeatable(tmp_path):
    for name in ("b.md", "A.md", "a/z.md", "a.md", "c.png", "B.png"):
        _write(tmp_path, name)
    first, second = _run(tmp_path), _run(tmp_path)
    assert first == second
    assert _pages(first) == sorted(_pages(first))
    assert _assets(first) == ["B.png", "c.png"]
