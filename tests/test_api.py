"""The Python API as a user calls it: names accepted as the command line takes them,
mistakes refused with a ``KbcError``, lookups that agree with each other."""

from __future__ import annotations

from pathlib import Path

import pytest

import kb_compiler
from kb_compiler.emit.vault import export_vault
from kb_compiler.errors import KbcError
from kb_compiler.model import Dialect
from kb_compiler.resolve import resolve
from tests.conftest import SAMPLE_VAULT, write_vault


def obsidian_vault(root: Path) -> Path:
    return write_vault(root, {".obsidian/app.json": "{}",
                              "A.md": "---\ntags: [x]\n---\n![[B]]\n\n- [ ] task\n",
                              "B.md": "b text\n"})


def test_export_takes_a_dialect_by_its_name(tmp_path: Path) -> None:
    """``to="logseq"`` (a StrEnum equals its value, but the export compared by
    identity) wrote Logseq's folders with Obsidian's syntax and .obsidian/app.json."""
    graph = resolve(kb_compiler.load(obsidian_vault(tmp_path / "v"), cache_dir=None))
    export_vault(graph, tmp_path / "by-name", to="logseq")
    export_vault(graph, tmp_path / "by-enum", to=Dialect.LOGSEQ)
    named = sorted(p.relative_to(tmp_path / "by-name") for p in
                   (tmp_path / "by-name").rglob("*") if p.is_file())
    assert named == sorted(p.relative_to(tmp_path / "by-enum") for p in
                           (tmp_path / "by-enum").rglob("*") if p.is_file())
    assert (tmp_path / "by-name" / "pages" / "A.md").read_text("utf-8") == \
        (tmp_path / "by-enum" / "pages" / "A.md").read_text("utf-8")
    assert "{{embed [[B]]}}" in (tmp_path / "by-name" / "pages" / "A.md").read_text("utf-8")
    with pytest.raises(KbcError, match="cannot export to 'foo'"):
        export_vault(graph, tmp_path / "foo", to="foo")


@pytest.mark.parametrize(("path", "options", "message"), [
    ("", {}, "the vault is an empty name"),
    (None, {"jobs": 0}, "jobs must be 1 or more, got 0"),
    (None, {"jobs": -1}, "jobs must be 1 or more, got -1")])
def test_load_refuses_what_the_command_line_refuses(
        tmp_path: Path, path: str | None, options: dict, message: str) -> None:
    """``load("")`` checked the current folder; ``jobs=0`` parsed as if unset."""
    vault = obsidian_vault(tmp_path / "v")
    with pytest.raises(KbcError, match=message):
        kb_compiler.load(str(vault) if path is None else path, cache_dir=None, **options)


def test_every_graph_lookup_takes_a_name_in_any_case() -> None:
    """``page()`` and ``score()`` took a name in any case (the README says so), while
    ``backlinks``, ``outgoing``, ``page_type``, ``children``, ``parent`` and
    ``node_name`` gave nothing for it: 'Customer Profile' had 0 backlinks of 13."""
    graph = resolve(kb_compiler.load(SAMPLE_VAULT, cache_dir=None))
    key, name = "profile-(id)/persona", "PROFILE-(ID)/Persona"
    assert graph.backlinks(name) == graph.backlinks(key) != ()
    assert graph.backlinks("Customer Profile") == graph.backlinks("customer profile") != ()
    assert graph.outgoing(name) == graph.outgoing(key) != ()
    assert graph.page_type(name) == graph.page_type(key) == key
    assert graph.parent(name) == graph.parent(key) == "profile-(id)"
    assert graph.children("Profile-(ID)") == graph.children("profile-(id)") != ()
    assert graph.node_name(name) == graph.node_name(key) is not None


def test_a_base_that_cannot_be_read_is_a_kbc_error() -> None:
    """The errors module calls KbcError the one exception a user's input raises; the
    Bases reader raised a ValueError of its own (still one, for callers catching it)."""
    from kb_compiler.bases import read_base
    with pytest.raises(KbcError, match="line 1: ") as caught:
        read_base("views: 5\n")
    assert isinstance(caught.value, ValueError) and caught.value.line == 1


def test_build_site_draws_no_progress_bar_for_a_library_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller's stderr on a terminal got rich's progress bars; the command line
    still asks for them (kbc build, kbc serve)."""
    import io

    from kb_compiler.emit.site import SiteOptions, build_site

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    graph = resolve(kb_compiler.load(obsidian_vault(tmp_path / "v"), cache_dir=None))
    build_site(graph, tmp_path / "site", SiteOptions(search=False))
    assert terminal.getvalue() == ""
    build_site(graph, tmp_path / "site", SiteOptions(search=False, progress=None))
    assert terminal.getvalue() != ""  # asked for, as the command line asks


def test_every_verb_writing_a_file_or_folder_takes_output(tmp_path: Path) -> None:
    """--out (build, export) and --output (check, graph, scores) named one thing two
    ways; every verb takes --output now, and build and export still take --out."""
    from click.testing import CliRunner

    from kb_compiler.cli import main
    vault = obsidian_vault(tmp_path / "v")
    runner = CliRunner()
    for verb, flag, target in (("build", "--output", "site"), ("build", "--out", "site2"),
                               ("export", "--output", "exported"),
                               ("export", "--out", "exported2")):
        extra = ["--no-search"] if verb == "build" else []
        run = runner.invoke(main, [verb, str(vault), flag, str(tmp_path / target), "-q",
                                   *extra])
        assert run.exit_code == 0, run.output
        assert (tmp_path / target).is_dir()


def test_reprs_say_what_a_knowledge_base_holds_in_a_line(tmp_path: Path) -> None:
    """The generated reprs printed every page, block and property: 340 KB for the
    sample vault in a REPL; the graph had none at all."""
    kb = kb_compiler.load(write_vault(tmp_path / "v", {
        ".obsidian/app.json": "{}", "A.md": "[[Nope]] and [[B]]\n", "B.md": "b\n",
        "pic.png": "png"}), cache_dir=None)
    assert repr(kb) == (f"KnowledgeBase(root={str(tmp_path / 'v')!r}, kind='obsidian', "
                        "pages=2, assets=1, diagnostics=0)")
    assert repr(resolve(kb)) == (f"KnowledgeGraph(root={str(tmp_path / 'v')!r}, pages=2, "
                                 "refs=2, diagnostics=1, errors=1)")
    assert len(repr(kb_compiler.load(SAMPLE_VAULT))) < 200


def test_a_diagnostic_prints_as_the_check_heads_it(tmp_path: Path) -> None:
    """``str(diagnostic)`` was the dataclass form, nine fields long."""
    kb = kb_compiler.load(write_vault(tmp_path / "v", {
        ".obsidian/app.json": "{}", "A.md": "text\n\nsee [[Nope]]\n"}), cache_dir=None)
    (broken,) = resolve(kb).diagnostics
    assert str(broken) == "A.md:3:5: error[broken-link] page 'Nope' does not exist"
    whole_file = kb_compiler.Diagnostic("invalid-encoding", kb_compiler.Severity.ERROR,
                                        "B.md", 0, 0, "not UTF-8")
    assert str(whole_file) == "B.md: error[invalid-encoding] not UTF-8"
