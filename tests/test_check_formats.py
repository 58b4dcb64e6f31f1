"""The four output formats of ``kbc check``, on hand-built diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kb_compiler.check import CheckResult
from kb_compiler.check.formats import FORMAT_NAMES, RenderOptions, render
from kb_compiler.check.formats.github import annotation, escape_data, escape_property
from kb_compiler.check.formats.text import summary_line
from kb_compiler.model import Diagnostic, Severity

DATA = Path(__file__).parent / "data"

PAGE = (
    "title:: profile-(id)\n"
    "- {{embed [[profile-(id)/examples/Space X]]}}\n"
    "\t- see [[profile (id)]] here\n"
    "- 🧿 icon then [[gone]]\n"
)
LONG = "x" * 3000 + "[[far away]]" + "y" * 3000


def diagnostics() -> tuple[Diagnostic, ...]:
    return (
        Diagnostic("broken-embed", Severity.ERROR, "pages/profile-(id).md", 2, 3,
                   "embedded page 'profile-(id)/examples/Space X' does not exist",
                   target="profile-(id)/examples/Space X", end_column=46),
        Diagnostic("broken-link", Severity.ERROR, "pages/profile-(id).md", 3, 8,
                   "page 'profile (id)' does not exist", target="profile (id)",
                   suggestion="profile-(id)", end_column=24),
        Diagnostic("broken-link", Severity.WARNING, "pages/profile-(id).md", 4, 15,
                   "page 'gone' does not exist", target="gone", end_column=23),
        Diagnostic("broken-link", Severity.ERROR, "pages/long.md", 1, 3001,
                   "page 'far away' does not exist", target="far away", end_column=3013),
        Diagnostic("invalid-encoding", Severity.ERROR, "pages/a:b, c%.md", 0, 0,
                   "bytes that are not UTF-8,\nreplaced: \x1b[31mred"),
        Diagnostic("encoding-repaired", Severity.INFO, "pages/x.md", 9, 1, "fixed"),
    )


def result() -> CheckResult:
    texts = {"pages/profile-(id).md": PAGE, "pages/long.md": LONG}
    return CheckResult(diagnostics(), pages=4, texts=texts)


def test_text_quotes_the_line_with_carets_under_the_span() -> None:
    out = render("text", result(), RenderOptions(path_prefix="vault"))
    block = out.split("\n\n")[0].splitlines()
    assert block[0] == ("vault/pages/profile-(id).md:2:3: error[broken-embed] embedded page "
                        "'profile-(id)/examples/Space X' does not exist")
    assert block[2] == "2 | - {{embed [[profile-(id)/examples/Space X]]}}"
    # Columns 3..45 (end exclusive 46): the carets start under '{' and end under '}'.
    assert block[3] == "  |   " + "^" * 43


def test_text_expands_tabs_and_prints_the_suggestion() -> None:
    block = render("text", result(), RenderOptions()).split("\n\n")[1].splitlines()
    assert block[2] == "3 |     - see [[profile (id)]] here"
    assert block[3] == "  |           " + "^" * 16
    assert block[4] == "  = help: did you mean 'profile-(id)'?"


def test_text_counts_wide_characters_double_for_the_carets() -> None:
    block = render("text", result(), RenderOptions()).split("\n\n")[2].splitlines()
    assert block[2] == "4 | - 🧿 icon then [[gone]]"
    # '🧿' takes two cells, so the carets sit one cell further right than its index.
    assert block[3] == "  | " + " " * 15 + "^" * 8


def test_text_cuts_long_lines_to_a_window_around_the_span() -> None:
    block = render("text", result(), RenderOptions()).split("\n\n")[3].splitlines()
    shown, carets = block[2], block[3]
    assert len(shown) < 200 and shown.startswith("1 | …") and shown.endswith("…")
    assert shown[carets.index("^")] == "["
    assert carets.count("^") == 12


def test_text_neutralizes_control_characters_and_omits_zero_positions() -> None:
    out = render("text", result(), RenderOptions())
    assert "\x1b" not in out
    assert "pages/a:b, c%.md: error[invalid-encoding] bytes that are not UTF-8," in out


def test_text_keeps_each_diagnostic_on_its_line_whatever_the_file_name() -> None:
    """A line break in a file name started a report line of the name's choosing, which
    GitHub Actions reads as a workflow command when it opens the line."""
    named = Diagnostic("broken-link", Severity.ERROR, "a\n::error file=x::b.md", 1, 5,
                       "page 'nothing' does not exist")
    out = render("text", CheckResult((named,), pages=1), RenderOptions())
    assert not any(line.startswith("::") for line in out.splitlines())
    assert out.splitlines()[0] == ("a\ufffd::error file=x::b.md:1:5: error[broken-link] "
                                   "page 'nothing' does not exist")


def test_text_shows_bidirectional_overrides_and_separators_as_replacement() -> None:
    """A link to ``Report\u202efdp.exe`` printed the override raw, and the terminal
    showed the rest of the line reversed (``...exe.pdf``); U+2028 broke the line in
    some terminals. Right-to-left text itself stays as written."""
    named = Diagnostic("broken-link", Severity.ERROR, "a.md", 1, 1,
                       "page 'Report\u202efdp.exe' does not exist, nor 'x\u2028y' or 'שלום'")
    out = render("text", CheckResult((named,), pages=1), RenderOptions())
    assert out.splitlines()[0] == ("a.md:1:1: error[broken-link] page 'Report\ufffdfdp.exe' "
                                   "does not exist, nor 'x\ufffdy' or 'שלום'")


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in render("text", result(), RenderOptions(color=False))
    coloured = render("text", result(), RenderOptions(color=True))
    assert "\x1b[31m" in coloured  # errors in red


def test_summary_line_counts_each_severity() -> None:
    assert summary_line(result()) == "kbc check: 4 errors, 1 warning, 1 info in 4 pages"
    clean = CheckResult((), pages=1)
    assert summary_line(clean) == "kbc check: no problems in 1 page"


def test_json_matches_the_interface() -> None:
    document = json.loads(render("json", result(), RenderOptions(path_prefix="ignored")))
    assert document["summary"] == {"pages": 4, "errors": 4, "warnings": 1}
    first = document["diagnostics"][0]
    assert list(first) == ["code", "severity", "path", "line", "column", "message",
                           "target", "suggestion"]
    assert first == {
        "code": "broken-embed", "severity": "error", "path": "pages/profile-(id).md",
        "line": 2, "column": 3,
        "message": "embedded page 'profile-(id)/examples/Space X' does not exist",
        "target": "profile-(id)/examples/Space X", "suggestion": None,
    }
    assert document["diagnostics"][1]["suggestion"] == "profile-(id)"


def test_github_annotations_on_a_sample() -> None:
    lines = render("github", result(), RenderOptions(path_prefix="docs/vault")).splitlines()
    assert lines[0] == (
        "::error file=docs/vault/pages/profile-(id).md,line=2,col=3,endColumn=45,"
        "title=kbc broken-embed::embedded page 'profile-(id)/examples/Space X' does not exist"
    )
    assert lines[1].endswith("::page 'profile (id)' does not exist%0A"
                             "help: did you mean 'profile-(id)'?")
    assert lines[2].startswith("::warning file=docs/vault/pages/profile-(id).md,line=4,")
    # The whole-file problem: no line, and ':' ',' '%' escaped in the file property.
    assert lines[4] == (
        "::error file=docs/vault/pages/a%3Ab%2C c%25.md,title=kbc invalid-encoding::"
        "bytes that are not UTF-8,%0Areplaced: \ufffd[31mred"
    )
    assert lines[5].startswith("::notice ")


def test_github_shows_bidirectional_overrides_and_separators_as_replacement() -> None:
    """The github format kept its own, shorter list of control characters: a right-to-left
    override in a page name or a file name reached the log as it was."""
    named = Diagnostic("broken-link", Severity.ERROR, "rlo\u202egnp.md", 1, 1,
                       "page 'Evil\u202eName' does not exist, nor 'x\u2028y' or 'שלום'")
    out = render("github", CheckResult((named,), pages=1), RenderOptions())
    assert out == ("::error file=rlo\ufffdgnp.md,line=1,col=1,title=kbc broken-link::page "
                   "'Evil\ufffdName' does not exist, nor 'x\ufffdy' or 'שלום'\n")


def test_github_end_column_is_the_last_column_of_the_span() -> None:
    """GitHub's endColumn is inclusive (the toolkit defaults it to col for a single
    character): the annotation covered one character past the span."""
    one = Diagnostic("broken-link", Severity.ERROR, "a.md", 3, 5, "m", end_column=6)
    out = render("github", CheckResult((one,), pages=1), RenderOptions())
    assert out.startswith("::error file=a.md,line=3,col=5,endColumn=5,")


def test_github_says_how_many_problems_there_are_past_its_annotation_cap() -> None:
    """GitHub annotates 10 errors, 10 warnings and 10 notices per step and drops the
    rest silently: a pull request with 37 broken links showed 10, and nothing said so."""
    many = (*(Diagnostic("broken-link", Severity.ERROR, "a.md", line, 1, "page 'x' does "
                         "not exist") for line in range(1, 12)),
            Diagnostic("empty-link", Severity.WARNING, "a.md", 20, 1, "empty"))
    lines = render("github", CheckResult(many, pages=1)).splitlines()
    assert lines[0] == ("::notice title=kbc check::11 errors, 1 warning: GitHub annotates "
                        "only the first 10 of each kind in a step; this step's log lists "
                        "them all")
    assert len(lines) == 13 and lines[1].startswith("::error file=a.md,line=1,")
    assert not render("github", CheckResult(many[1:], pages=1)).startswith("::notice")


def test_github_escaping_rules() -> None:
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    single = annotation(Diagnostic("empty-link", Severity.ERROR, "x.md", 3, 0, "m"))
    assert single == "::error file=x.md,line=3,title=kbc empty-link::m"


def sarif_schema() -> dict[str, object]:
    return json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    log = json.loads(render("sarif", result(), RenderOptions(path_prefix="vault")))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == sorted(rules) and "broken-embed" in rules and "path-escape" in rules
    first = run["results"][0]
    assert rules[first["ruleIndex"]] == first["ruleId"] == "broken-embed"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "vault/pages/profile-%28id%29.md"
    assert location["region"] == {"startLine": 2, "startColumn": 3, "endColumn": 46}
    whole_file = run["results"][4]["locations"][0]["physicalLocation"]
    assert "region" not in whole_file
    assert whole_file["artifactLocation"]["uri"] == "vault/pages/a%3Ab%2C%20c%25.md"
    assert [r["level"] for r in run["results"]][-2:] == ["error", "note"]


def test_the_schema_check_would_catch_a_broken_log() -> None:
    log = json.loads(render("sarif", result(), RenderOptions()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema()).validate(log)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_is_deterministic_and_handles_no_diagnostics(name: str) -> None:
    assert render(name, result()) == render(name, result())
    empty = render(name, CheckResult((), pages=0))
    if name == "json":
        assert json.loads(empty)["diagnostics"] == []
    elif name == "sarif":
        jsonschema.Draft4Validator(sarif_schema()).validate(json.loads(empty))
    else:
        assert empty == ""


def test_sarif_names_a_vault_outside_the_working_directory_by_file_uri() -> None:
    log = json.loads(render("sarif", result(), RenderOptions(path_prefix="/srv/my vault")))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///srv/my%20vault/pages/profile-%28id%29.md"}


def test_advice_that_is_not_a_name_is_not_asked_as_a_question(tmp_path: Path) -> None:
    from kb_compiler.check import check_vault

    (tmp_path / "note.md").write_bytes("# Notes\n\nsee [[Other]]\n".encode("utf-16"))
    (tmp_path / "Another.md").write_text("[[Notess]]\n", encoding="utf-8")
    (tmp_path / "Notes.md").write_text("x\n", encoding="utf-8")
    checked = check_vault(tmp_path, cache_dir=None)
    text = render("text", checked)
    assert "= help: re-save the file as UTF-8\n" in text
    assert "= help: did you mean 'Notes'?" in text  # a near miss is still asked
    assert "did you mean 're-save" not in text
    github = render("github", checked)
    assert "%0Ahelp: re-save the file as UTF-8" in github
    sarif = json.loads(render("sarif", checked))
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert "file is UTF-16, not UTF-8; read as UTF-16 (re-save the file as UTF-8)" in messages
    assert "page 'Notess' does not exist (did you mean 'Notes'?)" in messages


def _huge_name_result() -> CheckResult:
    name = "[" * 5000 + "x" + "]" * 5000
    return CheckResult((Diagnostic("broken-link", Severity.ERROR, "pages/a.md", 1, 3,
                                   f"page '{name}' does not exist", target=name,
                                   suggestion="y" * 1000),), pages=1)


@pytest.mark.parametrize("name", ["text", "github"])
def test_formats_people_read_cut_a_huge_message_in_the_middle(name: str) -> None:
    out = render(name, _huge_name_result(), RenderOptions())
    first = out.splitlines()[0]
    assert len(out) < 1500  # of a 10,000-character name and a 1,000-character help
    assert "page '[[[" in first and "]]]' does not exist" in first and "\u2026" in first
    assert "y" * 1000 not in out and "y" * 100 in out  # the help is cut too


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_formats_machines_read_keep_a_huge_message_whole(name: str) -> None:
    assert "[" * 5000 + "x" + "]" * 5000 in render(name, _huge_name_result(), RenderOptions())


@pytest.mark.parametrize("output_format", ["github", "sarif"])
def test_ci_paths_start_at_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               output_format: str) -> None:
    """GitHub reads annotation and SARIF paths from the repository's root: a step run
    with ``working-directory: kb`` wrote ``vault/a.md`` for ``kb/vault/a.md``. The text
    format stays relative to where kbc ran, for the terminal."""
    from click.testing import CliRunner

    from kb_compiler.cli import main
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    vault = repo / "kb" / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "a.md").write_text("see [[Nope]]\n", "utf-8")
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(repo / "kb")
    run = CliRunner().invoke(main, ["check", "vault", "--format", output_format, "-q"])
    assert "kb/vault/a.md" in run.stdout and "\"vault/a.md" not in run.stdout
    assert "file=vault/a.md" not in run.stdout
    text = CliRunner().invoke(main, ["check", "vault", "-q"])
    assert text.stdout.startswith("vault/a.md:1:")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo / "kb"))  # a workflow's checkout
    run = CliRunner().invoke(main, ["check", "vault", "--format", output_format, "-q"])
    assert "kb/vault/a.md" not in run.stdout and "vault/a.md" in run.stdout
