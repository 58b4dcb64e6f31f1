"""Assembling diagnostics: config severities, ignore globs, inline silencing, order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb_compiler.check import CheckResult, run_checks, sort_unique
from kb_compiler.check.suppress import drop_silenced, parse_directives, read_directives
from kb_compiler.config import VaultConfig
from kb_compiler.globs import matches
from kb_compiler.model import Diagnostic as D
from kb_compiler.model import Dialect, KnowledgeBase, Page, Severity
from kb_compiler.resolve.types import ResolvedRef
from tests.conftest import write_vault


def broken(path: str, line: int, code: str = "broken-link", column: int = 3) -> D:
    return D(code, Severity.ERROR, path, line, column, f"{code} here")


@dataclass
class FakeGraph:
    """What the check stage reads from the resolve stage's graph."""

    kb: KnowledgeBase
    diagnostics: tuple[D, ...]
    refs: tuple[ResolvedRef, ...] = ()


PAGE_TEXT = (
    "- a [[gone]] link <!-- kbc-ignore broken-link -->\n"  # 1: silenced here
    "- <!-- kbc-ignore -->\n"  # 2: directive alone: silences 2 and 3
    "- {{embed [[gone]]}} and [[]]\n"  # 3
    "- [[gone]] %% kbc-ignore broken-embed, empty-link %%\n"  # 4: other codes only
    "- [[gone]]\n"  # 5: nothing silences this one
)


def kb_with(pages: list[Page], diagnostics: tuple[D, ...] = ()) -> KnowledgeBase:
    return KnowledgeBase(root=Path("/vault"), kind="folder", pages=tuple(pages),
                         diagnostics=diagnostics)


def test_directives_cover_their_line_and_after_a_lone_directive_the_next() -> None:
    silencer = parse_directives(PAGE_TEXT)
    assert silencer.by_line == {
        1: {"broken-link"}, 2: {"*"}, 3: {"*"}, 4: {"broken-embed", "empty-link"},
    }
    assert not silencer.whole_file


def test_silenced_diagnostics_are_dropped_and_others_kept() -> None:
    found = [broken("a.md", 1), broken("a.md", 3, "broken-embed"), broken("a.md", 3, "empty-link"),
             broken("a.md", 4), broken("a.md", 4, "empty-link"), broken("a.md", 5),
             broken("b.md", 1)]
    kept = drop_silenced(found, read_directives({"a.md": PAGE_TEXT, "b.md": "- [[gone]]\n"}))
    assert kept == [broken("a.md", 4), broken("a.md", 5), broken("b.md", 1)]


def test_a_file_directive_silences_its_codes_everywhere_in_that_file_only() -> None:
    text = "%% kbc-ignore-file invalid-encoding %%\nbody\n"
    found = [broken("a.md", 0, "invalid-encoding", 0), broken("a.md", 9, "invalid-encoding"),
             broken("a.md", 9), broken("b.md", 1, "invalid-encoding")]
    kept = drop_silenced(found, read_directives({"a.md": text, "b.md": "x"}))
    assert kept == [broken("a.md", 9), broken("b.md", 1, "invalid-encoding")]


def test_a_mention_that_is_not_a_comment_silences_nothing() -> None:
    text = "- write kbc-ignore broken-link in a comment\n"
    silencers = read_directives({"a.md": text})
    assert drop_silenced([broken("a.md", 1)], silencers) == [broken("a.md", 1)]


def test_globs_follow_gitignore_like_rules() -> None:
    assert matches("pages/drafts/x.md", "drafts")
    assert matches("drafts/x.md", "drafts/")
    assert matches("pages/x.excalidraw.md", "*.excalidraw.md")
    assert not matches("pages/x.md", "*.excalidraw.md")
    assert matches("pages/archive/old.md", "pages/archive/*")
    assert matches("pages/archive/old.md", "/pages/**/old.md")
    assert not matches("other/pages/archive/old.md", "pages/archive/*")
    assert matches("a/b/c/d.md", "a/**/d.md") and matches("a/d.md", "a/**/d.md")
    assert not matches("ab.md", "a?.txt") and matches("ab.md", "a?.md")
    assert matches("pages/x1.md", "x[0-9].md") and not matches("pages/xa.md", "x[!a-z].md")


def test_run_checks_gathers_every_stage_and_applies_the_config() -> None:
    page_a = Page("pages/a.md", "a", Dialect.LOGSEQ, PAGE_TEXT,
                  diagnostics=(D("encoding-repaired", Severity.WARNING, "pages/a.md", 5, 1, "x"),))
    page_b = Page("drafts/b.md", "b", Dialect.LOGSEQ, "- [[gone]]\n")
    discovery = (D("unreadable-file", Severity.ERROR, "pages/c.md", 0, 0, "cannot read"),)
    resolution = (broken("pages/a.md", 1), broken("pages/a.md", 5), broken("drafts/b.md", 1),
                  broken("pages/a.md", 5, "ambiguous-link"), broken("pages/a.md", 5))
    config = VaultConfig(
        ignore=("drafts",),
        severity=(("broken-link", Severity.WARNING), ("ambiguous-link", None),
                  ("encoding-repaired", Severity.ERROR)),
    )
    result = run_checks(FakeGraph(kb_with([page_a, page_b], discovery), resolution), config)
    assert [(d.path, d.line, d.code, d.severity) for d in result.diagnostics] == [
        ("pages/a.md", 5, "encoding-repaired", Severity.ERROR),  # column 1
        ("pages/a.md", 5, "broken-link", Severity.WARNING),  # column 3
        ("pages/c.md", 0, "unreadable-file", Severity.ERROR),
    ]
    assert result.pages == 2 and result.errors == 2 and result.warnings == 1
    assert result.texts["pages/a.md"] == PAGE_TEXT


def test_run_checks_uses_the_knowledge_bases_own_config_by_default() -> None:
    kb = KnowledgeBase(root=Path("/v"), kind="folder", pages=(),
                       config=VaultConfig(severity=(("broken-link", None),)))
    result = run_checks(FakeGraph(kb, (broken("x.md", 1),)))
    assert result.diagnostics == ()


def test_sorted_by_path_line_column_code_without_repeats() -> None:
    found = [broken("b.md", 1), broken("a.md", 10), broken("a.md", 2, column=9),
             broken("a.md", 2, "broken-embed", column=9), broken("a.md", 2, column=1),
             broken("a.md", 10)]
    ordered = sort_unique(found)
    assert [(d.path, d.line, d.column, d.code) for d in ordered] == [
        ("a.md", 2, 1, "broken-link"), ("a.md", 2, 9, "broken-embed"),
        ("a.md", 2, 9, "broken-link"), ("a.md", 10, 3, "broken-link"),
        ("b.md", 1, 3, "broken-link"),
    ]


def test_exit_codes() -> None:
    error, warning = broken("a.md", 1), D("x", Severity.WARNING, "a.md", 1, 1, "w")
    info = D("x", Severity.INFO, "a.md", 1, 1, "i")
    assert CheckResult((), 0).exit_code() == 0
    assert CheckResult((info,), 1).exit_code(strict=True) == 0
    assert CheckResult((warning,), 1).exit_code() == 0
    assert CheckResult((warning,), 1).exit_code(strict=True) == 1
    assert CheckResult((error,), 1).exit_code() == 1


def test_hostile_pages_cost_linear_time() -> None:
    # A 2 MB line carrying 500 directives, and 50,000 lines each carrying one: both must
    # finish in well under a second (a quadratic scan would take minutes).
    wide = "y" * 2_000_000 + "<!-- kbc-ignore empty-link -->" * 500
    assert parse_directives(wide).by_line == {1: {"empty-link"}}
    tall = "- [[x]] %% kbc-ignore broken-link %%\n" * 50_000
    assert len(parse_directives(tall).by_line) == 50_000


def test_an_unknown_code_in_a_directive_is_reported_and_silences_nothing(
        tmp_path: Path) -> None:
    from kb_compiler.check import check_vault

    (tmp_path / "a.md").write_text(
        "- [[gone]] <!-- kbc-ignore broken-lnk, empty-link -->\n"
        "- <!-- kbc-ignore-file zzzz -->\n", encoding="utf-8")
    found = check_vault(tmp_path, cache_dir=None).diagnostics
    assert [(d.code, d.line, d.column, d.end_column, d.target, d.suggestion)
            for d in found] == [
        ("broken-link", 1, 3, 11, "gone", None),
        ("unknown-ignore-code", 1, 28, 38, "broken-lnk", "broken-link"),
        ("unknown-ignore-code", 2, 24, 28, "zzzz", None),
    ]
    assert found[1].severity is Severity.WARNING
    (tmp_path / "kbc.toml").write_text('[severity]\nunknown-ignore-code = "off"\n',
                                       encoding="utf-8")
    assert [d.code for d in check_vault(tmp_path, cache_dir=None).diagnostics] == [
        "broken-link"]


def test_the_check_readme_lists_every_known_code() -> None:
    from kb_compiler.check.codes import KNOWN_CODES

    readme = (Path(__file__).parent.parent / "kb_compiler/check/README.md").read_text("utf-8")
    assert [code for code in sorted(KNOWN_CODES) if f"`{code}`" not in readme] == []


def test_a_directive_shown_in_code_silences_nothing(tmp_path: Path) -> None:
    """A page that shows how to silence kbc (in a fenced block or a code span) shows
    the directive as text; it hid the page's real broken links and exited 0."""
    from kb_compiler.check import check_vault

    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "doc.md").write_text(
        "How to silence:\n\n```markdown\n<!-- kbc-ignore-file broken-link -->\n```\n\n"
        "Real problem: [[Really Missing]]\n\n"
        "Inline code: `<!-- kbc-ignore -->` [[Also Missing]]\n", encoding="utf-8")
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/p.md": "- How to silence a whole page:\n  ```\n  <!-- kbc-ignore-file -->\n"
                      "  ```\n- real problem [[Really Missing]] and "
                      "((6500000a-0000-0000-0000-000000000000))\n"})
    found = check_vault(tmp_path, cache_dir=None).diagnostics
    assert [(d.code, d.path, d.line) for d in found if d.path == "doc.md"] == [
        ("broken-link", "doc.md", 7), ("broken-link", "doc.md", 9)]
    assert [(d.code, d.line) for d in check_vault(graph, cache_dir=None).diagnostics] == [
        ("broken-link", 5), ("broken-block-ref", 5)]


def test_a_misspelt_directive_is_reported_not_passed_over(tmp_path: Path) -> None:
    """``broken_link`` or ``Broken-Link`` silenced nothing and went unreported (the
    directive did not match at all); ``kbc-ignore: code`` is read as ``noqa: code`` is."""
    from kb_compiler.check import check_vault

    (tmp_path / "d.md").write_text(
        "a [[M1]] <!-- kbc-ignore: broken-link -->\n"
        "c [[M3]] <!-- kbc-ignore Broken-Link -->\n"
        "d [[M4]] <!-- kbc-ignore broken_link -->\n", encoding="utf-8")
    found = check_vault(tmp_path, cache_dir=None).diagnostics
    assert [(d.code, d.line, d.target, d.suggestion) for d in found] == [
        ("broken-link", 2, "M3", None),
        ("unknown-ignore-code", 2, "Broken-Link", "broken-link"),
        ("broken-link", 3, "M4", None),
        ("unknown-ignore-code", 3, "broken_link", "broken-link"),
    ]


def test_the_pre_commit_hook_runs_on_every_commit() -> None:
    """pre-commit matches ``files`` against the files a commit adds or modifies, so a
    commit that deletes a page or a picture (the one that breaks links) skipped the
    hook. The check reads the whole vault: it runs on every commit, given no file."""
    import yaml

    (hook,) = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml")
                             .read_text(encoding="utf-8"))
    assert hook["entry"] == "kbc check"
    assert hook["always_run"] is True and hook["pass_filenames"] is False
    assert "files" not in hook and "types" not in hook


def test_kbc_ignore_encoding_repaired_keeps_its_line_as_written(tmp_path: Path) -> None:
    """The directive hid the warning, but the line was still changed, so the site and
    the export altered it without a word; a page about mojibake had no way to keep an
    example outside code."""
    import kb_compiler

    damage = "Caf\u00c3\u00a9"  # café read as Windows-1252
    vault = write_vault(tmp_path / "v", {".obsidian/app.json": "{}", "Page.md": (
        f"Keep: {damage} %% kbc-ignore encoding-repaired %%\n"
        "%% kbc-ignore encoding-repaired %%\n"
        f"Also keep: {damage}\n"
        f"Keep all: {damage} <!-- kbc-ignore -->\n"
        f"Other code: {damage} <!-- kbc-ignore broken-link -->\n"
        f"Repair: {damage}\n")})
    (page,) = kb_compiler.load(vault, cache_dir=None).pages
    lines = page.text.split("\n")
    assert [damage in line for line in lines[:6]] == [True, False, True, True, False, False]
    assert [(d.code, d.line) for d in page.diagnostics] == [
        ("encoding-repaired", 5), ("encoding-repaired", 6)]
    assert [number for number, _ in page.repaired_lines] == [5, 6]
    whole = write_vault(tmp_path / "w", {".obsidian/app.json": "{}", "Page.md": (
        f"{damage}\n<!-- kbc-ignore-file encoding-repaired -->\n")})
    (kept,) = kb_compiler.load(whole, cache_dir=None).pages
    assert kept.text.startswith(damage) and kept.diagnostics == ()
