"""``kbc check --baseline``: adopting the check on a vault that already has problems
(Logseq's docs graph has over a thousand) and failing only on new ones."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb_compiler.check.baseline import Baseline, read_baseline, subtract
from kb_compiler.cli import main
from kb_compiler.model import Diagnostic, Severity

pytestmark = pytest.mark.usefixtures("private_cache")


def kbc(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


@pytest.fixture
def baselined(logseq_docs: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Logseq's docs graph and the json report of its problems as they are."""
    baseline = tmp_path / "kbc-baseline.json"
    written = kbc(str(logseq_docs), "--format", "json", "-o", str(baseline), "-q")
    assert written.exit_code == 1  # the docs graph has errors
    return logseq_docs, baseline


def reported(result: Result) -> list[dict[str, object]]:
    return json.loads(result.stdout)["diagnostics"]


def known_problems(baseline: Path) -> list[dict[str, object]]:
    return json.loads(baseline.read_text(encoding="utf-8"))["diagnostics"]


def test_the_vault_as_it_was_passes(baselined: tuple[Path, Path]) -> None:
    vault, baseline = baselined
    count = len(known_problems(baseline))
    assert count > 1000
    result = kbc(str(vault), "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("kbc check: no problems in 334 pages; ")
    assert f"{count:,} known problems in {baseline} not shown" in result.stderr


def test_only_a_new_problem_is_reported_when_lines_moved(baselined: tuple[Path, Path]) -> None:
    vault, baseline = baselined
    changelog = vault / "pages" / "Changelog.md"
    assert any(d["path"] == "pages/Changelog.md" for d in known_problems(baseline))
    text = changelog.read_text(encoding="utf-8")
    # Every known problem of the page moves two lines down.
    changelog.write_text("- a new first line\n- see [[No Such Page Yet]]\n" + text,
                         encoding="utf-8")
    result = kbc(str(vault), "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    assert [(d["path"], d["line"], d["code"], d["target"]) for d in reported(result)] == [
        ("pages/Changelog.md", 2, "broken-link", "No Such Page Yet")]
    assert json.loads(result.stdout)["summary"]["errors"] == 1


def test_one_more_of_a_known_problem_is_reported_where_it_was_added(
        baselined: tuple[Path, Path]) -> None:
    vault, baseline = baselined
    old = [d["line"] for d in known_problems(baseline)
           if d["path"] == "pages/Changelog.md" and d["target"] == "Fixed issues"]
    assert len(old) > 2  # the page links the missing 'Fixed issues' page again and again
    changelog = vault / "pages" / "Changelog.md"
    lines = changelog.read_text(encoding="utf-8").split("\n")
    middle = (old[0] + old[1]) // 2  # between two known ones: those below move down
    lines.insert(middle, "- also [[Fixed issues]]")
    changelog.write_text("\n".join(lines), encoding="utf-8")
    result = kbc(str(vault), "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    assert [(d["line"], d["target"]) for d in reported(result)] == [
        (middle + 1, "Fixed issues")]


def test_the_summary_counts_problems_fixed_since(baselined: tuple[Path, Path]) -> None:
    vault, baseline = baselined
    changelog = vault / "pages" / "Changelog.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("[[Fixed issues]]", "Fixed issues", 1), encoding="utf-8")
    result = kbc(str(vault), "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(" not shown, 1 no longer found (write the baseline again "
                                  "to drop them)\n")


@pytest.mark.parametrize("output_format", ["text", "github", "sarif"])
def test_every_format_leaves_the_known_problems_out(baselined: tuple[Path, Path],
                                                    output_format: str) -> None:
    vault, baseline = baselined
    (vault / "pages" / "New page.md").write_text("- [[Missing target]]\n", encoding="utf-8")
    result = kbc(str(vault), "--baseline", str(baseline), "--format", output_format)
    assert result.exit_code == 1
    assert "Missing target" in result.stdout
    assert "Fixed issues" not in result.stdout  # a known problem of Changelog.md


@pytest.mark.parametrize(("content", "says"), [
    (None, "baseline file not found"),
    ('{"summary": {},\n "diagnostics": [\n}', ":3: the baseline is not JSON: "),
    ('{"errors": 3}', "is not a 'kbc check --format json' report"),
    ('{"diagnostics": [{"path": "a.md", "code": 1}]}', "baseline entry 1 lacks"),
    (b"\xff\xfe", "cannot read the baseline"),
])
def test_an_unusable_baseline_stops_the_run_with_one_line(
        tmp_path: Path, content: str | bytes | None, says: str) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("[[b]]\n", encoding="utf-8")
    baseline = tmp_path / "base.json"
    if isinstance(content, bytes):
        baseline.write_bytes(content)
    elif content is not None:
        baseline.write_text(content, encoding="utf-8")
    result = kbc(str(vault), "--baseline", str(baseline))
    assert result.exit_code == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"kbc: error: {baseline}") and says in line


def test_the_report_may_not_replace_its_own_baseline(baselined: tuple[Path, Path]) -> None:
    vault, baseline = baselined
    before = baseline.read_bytes()
    result = kbc(str(vault), "--baseline", str(baseline), "--format", "json",
                 "-o", str(baseline))
    assert result.exit_code == 2
    assert "would replace the baseline" in result.stderr
    assert baseline.read_bytes() == before


def problem(line: int, target: str = "X", path: str = "a.md") -> Diagnostic:
    return Diagnostic("broken-link", Severity.ERROR, path, line, 3,
                      f"page '{target}' does not exist", target=target)


def baseline_of(*problems: Diagnostic) -> Baseline:
    lines: dict[tuple[str, str, str], tuple[int, ...]] = {}
    for found in problems:
        key = (found.path, found.code, found.message)
        lines[key] = (*lines.get(key, ()), found.line)
    return Baseline("base.json", lines)


@pytest.mark.parametrize(("old", "now", "new"), [
    ([4, 10, 16], [1, 5, 11, 17], [1]),  # added above: the others moved by one
    ([4, 10, 16], [4, 10, 12, 16], [12]),  # added between, nothing moved
    ([4, 10, 16], [4, 10, 16, 30], [30]),  # added below
    ([4, 10, 16], [7, 13, 19, 25], [25]),  # moved by three, one added at the end
])
def test_the_new_occurrence_is_the_one_that_does_not_line_up(
        old: list[int], now: list[int], new: list[int]) -> None:
    left = subtract([problem(line) for line in now], baseline_of(*map(problem, old)))
    assert [found.line for found in left.diagnostics] == new
    assert (left.known, left.fixed) == (len(old), 0)


def test_known_problems_match_by_path_code_and_message_only() -> None:
    known = baseline_of(problem(3), problem(9, target="Y"))
    left = subtract([problem(40), problem(9, path="b.md"), problem(9, target="Z")], known)
    assert [(d.path, d.target) for d in left.diagnostics] == [("b.md", "X"), ("a.md", "Z")]
    assert (left.known, left.fixed) == (1, 1)


def test_a_message_naming_a_line_stays_known_when_the_lines_move(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    note = vault / "Note.md"
    note.write_text("first ^dup\n\nsecond ^dup\n", encoding="utf-8")
    baseline = tmp_path / "base.json"
    kbc(str(vault), "--format", "json", "-o", str(baseline), "-q")
    [known] = known_problems(baseline)
    assert known["code"] == "duplicate-block-id" and "already used at line 1" in known["message"]
    note.write_text("# A heading above\n\nfirst ^dup\n\nsecond ^dup\n", encoding="utf-8")
    moved = kbc(str(vault), "--baseline", str(baseline), "--strict")
    assert moved.exit_code == 0, moved.output  # "at line 3" now, the same problem
    assert "1 known problem in " in moved.stderr


def test_an_encoding_error_stays_known_when_the_file_holds_fewer_or_more(
        tmp_path: Path) -> None:
    """The message counts a file's invalid sequences: fixing one of two bad bytes made
    the known problem at the first a new one (exit 1) and called the old one fixed."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    note = vault / "Note.md"
    note.write_bytes(b"caf\xe9 one\n\nand \xe9 two\n")
    baseline = tmp_path / "base.json"
    kbc(str(vault), "--format", "json", "-o", str(baseline), "-q")
    [known] = known_problems(baseline)
    assert known["code"] == "invalid-encoding" and "(2 invalid sequences" in known["message"]
    for text in (b"caf\xe9 one\n\nand two\n", b"caf\xe9 one\n\n\xe9 and \xe9 three\n"):
        note.write_bytes(text)
        again = kbc(str(vault), "--baseline", str(baseline))
        assert again.exit_code == 0, again.output
        assert "1 known problem in " in again.stderr and "no longer" not in again.stderr


def test_a_baseline_written_with_decomposed_names_knows_the_composed_ones(
        tmp_path: Path) -> None:
    """macOS names files in NFD: a baseline written there spelt "Café.md" apart from the
    same checkout on Linux (NFC), and every problem in the file came back as new."""
    decomposed = unicodedata.normalize("NFD", "Café.md")
    report = {"diagnostics": [{"path": decomposed, "code": "broken-link", "line": 3,
                               "message": unicodedata.normalize("NFD", "page 'Crème' does "
                                                                       "not exist")}]}
    (tmp_path / "base.json").write_text(json.dumps(report), encoding="utf-8")
    now = Diagnostic("broken-link", Severity.ERROR, "Café.md", 3, 3,
                     "page 'Crème' does not exist")
    left = subtract([now], read_baseline(tmp_path / "base.json"))
    assert (left.diagnostics, left.known, left.fixed) == ((), 1, 0)
