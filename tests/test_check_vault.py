"""``kbc check`` end to end on generated vaults of both dialects: every injected fault
reported at its file, line and code, and nothing else at error level."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kb_compiler.check import CheckResult, check_vault
from kb_compiler.cli import main
from kb_compiler.model import Severity
from tests.vaultgen import FAULT_KINDS, Expected, GeneratedVault, generate, inject

DIALECTS = ("logseq", "obsidian")
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def check(vault: GeneratedVault | Path) -> CheckResult:
    root = vault.root if isinstance(vault, GeneratedVault) else vault
    return check_vault(root, cache_dir=None)


def found(result: CheckResult, severity: Severity | None = None) -> set[Expected]:
    return {Expected(d.path, d.line, d.code) for d in result.diagnostics
            if severity is None or d.severity is severity}


def show(result: CheckResult) -> str:
    return "\n".join(f"{d.path}:{d.line}:{d.column} {d.severity} {d.code} {d.message}"
                     for d in result.diagnostics)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_generated_vault_without_faults_is_clean(tmp_path: Path, dialect: str) -> None:
    result = check(generate(tmp_path / dialect, 80, dialect))
    assert result.diagnostics == (), show(result)
    assert result.exit_code(strict=True) == 0
    assert result.pages >= 80


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_fault_kind_is_found_with_full_precision_and_recall(
    tmp_path: Path, dialect: str
) -> None:
    vault = generate(tmp_path / dialect, 80, dialect)
    expected = set(inject(vault))
    result = check(vault)
    assert expected <= found(result), f"missed: {sorted(expected - found(result))}\n{show(result)}"
    extra_errors = found(result, Severity.ERROR) - expected
    assert not extra_errors, f"unexpected errors: {sorted(extra_errors)}\n{show(result)}"
    assert found(result) == expected, show(result)  # no stray warnings either
    assert result.exit_code() == 1


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_json_report_of_the_command_lists_exactly_the_faults(
    tmp_path: Path, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBC_CACHE_DIR", str(tmp_path / "cache"))
    clean = generate(tmp_path / "clean", 80, dialect)
    assert CliRunner().invoke(main, ["check", str(clean.root)]).exit_code == 0
    vault = generate(tmp_path / dialect, 80, dialect)
    expected = inject(vault)
    run = CliRunner().invoke(main, ["check", str(vault.root), "--format", "json"])
    assert run.exit_code == 1
    report = json.loads(run.stdout)
    reported = [Expected(d["path"], d["line"], d["code"]) for d in report["diagnostics"]]
    assert reported == expected  # sorted the same way, nothing missing, nothing more
    errors = sum(d["severity"] == "error" for d in report["diagnostics"])
    assert report["summary"]["errors"] == errors >= len(FAULT_KINDS) - 3


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_fault_kind_alone(tmp_path: Path, dialect: str, kind: str) -> None:
    vault = generate(tmp_path / dialect, 40, dialect)
    expected = set(inject(vault, [kind]))
    result = check(vault)
    assert found(result) == expected, show(result)


def test_a_near_miss_comes_with_its_suggestion(tmp_path: Path) -> None:
    vault = generate(tmp_path / "g", 40, "logseq")
    page = vault.content_pages()[0]
    target = vault.content_pages()[1].name  # e.g. "Bright river 0001"
    near = target.replace(" ", "-", 1)
    (vault.root / page.path).write_text(
        "\n".join([*page.lines, f"- see [[{near}]]"]) + "\n", encoding="utf-8")
    (diagnostic,) = check(vault).diagnostics
    assert (diagnostic.code, diagnostic.line) == ("broken-link", len(page.lines) + 1)
    assert diagnostic.target == near and diagnostic.suggestion == target


def test_config_severity_ignore_and_inline_silencing(tmp_path: Path) -> None:
    vault = generate(tmp_path / "g", 40, "logseq")
    expected = inject(vault, ["broken-link", "broken-embed", "invalid-frontmatter", "empty-link"])
    by_code = {e.code: e for e in expected}
    (vault.root / "kbc.toml").write_text(
        'ignore = ["broken frontmatter.md"]\n'  # a page nobody links to
        "[severity]\nbroken-embed = \"off\"\nempty-link = \"error\"\n", encoding="utf-8")
    silenced = vault.root / by_code["broken-link"].path
    lines = silenced.read_text(encoding="utf-8").split("\n")
    lines[by_code["broken-link"].line - 1] += " <!-- kbc-ignore broken-link -->"
    silenced.write_text("\n".join(lines), encoding="utf-8")
    result = check(vault)
    assert found(result) == {by_code["empty-link"]}
    assert result.diagnostics[0].severity is Severity.ERROR


@pytest.mark.parametrize("dialect", DIALECTS)
def test_output_is_sorted_and_identical_between_runs(tmp_path: Path, dialect: str) -> None:
    vault = generate(tmp_path / dialect, 60, dialect)
    inject(vault)
    first, second = check(vault), check(vault)
    assert first.diagnostics == second.diagnostics
    keys = [(d.path, d.line, d.column, d.code) for d in first.diagnostics]
    assert keys == sorted(keys)


def test_sarif_of_a_real_check_validates(tmp_path: Path) -> None:
    from kb_compiler.check.formats import RenderOptions, render

    vault = generate(tmp_path / "o", 40, "obsidian")
    inject(vault)
    log = json.loads(render("sarif", check(vault), RenderOptions(path_prefix="vault")))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == set(FAULT_KINDS)


def test_each_sarif_rule_defaults_to_the_level_its_results_have(tmp_path: Path) -> None:
    """Code scanning shows a rule's default level: ``empty-link`` was declared an error
    while every one found is a warning."""
    from kb_compiler.check.formats import RenderOptions, render

    vault = generate(tmp_path / "o", 40, "obsidian")
    inject(vault)
    append_line(vault, "An empty [[]] link and ![[]] embed.")
    log = json.loads(render("sarif", check(vault), RenderOptions()))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {(rules[r["ruleIndex"]]["id"], r["level"]) for r in run["results"]}
    assert ("empty-link", "warning") in levels
    assert all(rule["defaultConfiguration"]["level"] == level
               for rule in rules for code, level in levels if rule["id"] == code)


def append_line(vault: GeneratedVault, text: str) -> tuple[str, int]:
    """Add ``text`` as the last line of the first content page: (its path, its line)."""
    page = vault.content_pages()[0]
    lines = [*page.lines, "" if vault.dialect == "obsidian" else None, text]
    lines = [line for line in lines if line is not None]
    (vault.root / page.path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return page.path, len(lines)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_tag_without_a_page_is_a_warning_at_most(tmp_path: Path, dialect: str) -> None:
    vault = generate(tmp_path / dialect, 40, dialect)
    path, line = append_line(vault, "- about #qwxzimplicit" if dialect == "logseq"
                             else "About #qwxzimplicit.")
    result = check(vault)
    assert all(d.severity is not Severity.ERROR for d in result.diagnostics), show(result)
    # Logseq makes every tag a page, so a missing one is worth a warning; Obsidian tags
    # are not pages at all.
    expected = {Expected(path, line, "broken-link")} if dialect == "logseq" else set()
    assert found(result) == expected, show(result)
    assert result.exit_code() == 0


def test_loose_matching_resolves_a_near_miss_silently(tmp_path: Path) -> None:
    vault = generate(tmp_path / "g", 40, "logseq")
    near = vault.content_pages()[1].name.replace(" ", "-", 1)
    path, line = append_line(vault, f"- see [[{near}]]")
    assert found(check(vault)) == {Expected(path, line, "broken-link")}
    (vault.root / "kbc.toml").write_text("loose-matching = true\n", encoding="utf-8")
    assert check(vault).diagnostics == ()


def test_settings_may_live_in_pyproject_tool_kbc(tmp_path: Path) -> None:
    vault = generate(tmp_path / "o", 40, "obsidian")
    inject(vault, ["broken-link"])
    (vault.root / "pyproject.toml").write_text(
        '[project]\nname = "notes"\n\n[tool.kbc.severity]\nbroken-link = "info"\n',
        encoding="utf-8")
    (diagnostic,) = check(vault).diagnostics
    assert (diagnostic.code, diagnostic.severity) == ("broken-link", Severity.INFO)


def test_carets_go_under_a_bad_value_and_an_empty_link(tmp_path: Path) -> None:
    """``weight:: high`` is wrong in its value, so the caret underlines ``high`` (in a
    Logseq property line and in YAML front matter alike); ``[[]]`` is underlined whole."""
    schema = "properties:\n  weight: {type: integer, min: 0, max: 100}\n"
    graph, notes = tmp_path / "graph", tmp_path / "notes"
    (graph / "logseq").mkdir(parents=True)
    (graph / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (graph / "pages").mkdir()
    (graph / "pages/a.md").write_text("weight:: high\n\n- see [[]] and {{embed [[]]}}\n",
                                      encoding="utf-8")
    (notes / ".obsidian").mkdir(parents=True)
    (notes / "b.md").write_text("---\nweight:   high\n---\nBody\n", encoding="utf-8")
    for root in (graph, notes):
        (root / "kbc-schema.yaml").write_text(schema, encoding="utf-8")
    spans = [[(d.code, d.line, d.column, d.end_column) for d in check(root).diagnostics]
             for root in (graph, notes)]
    assert spans == [[("invalid-property", 1, 10, 14), ("empty-link", 3, 7, 11),
                      ("empty-link", 3, 16, 30)], [("invalid-property", 2, 11, 15)]]


@pytest.mark.parametrize(("marker", "page", "prefix"), [
    (".obsidian", "a.md", ""), ("logseq", "pages/a.md", "- ")])
def test_positions_on_a_repaired_line_are_the_files(
        tmp_path: Path, marker: str, page: str, prefix: str) -> None:
    """Positions were counted in the repaired text: '[[Nope]]' after 'üîç customerâ€™s'
    was reported four columns early, and the quoted line was not the file's. An editor,
    GitHub and SARIF read the file."""
    (tmp_path / marker).mkdir()
    if marker == "logseq":
        (tmp_path / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
    line = f"{prefix}üîç customerâ€™s [[Nope]]"
    (tmp_path / page).write_text(line + "\n", encoding="utf-8")
    result = check_vault(tmp_path, cache_dir=None)
    link = line.index("[[Nope]]") + 1
    assert [(d.code, d.column, d.end_column) for d in result.diagnostics] == [
        ("encoding-repaired", len(prefix) + 1, line.index("s [[") + 1),
        ("broken-link", link, link + len("[[Nope]]"))]
    assert result.texts[page].split("\n")[0] == line
    unrepaired = check_vault(tmp_path, cache_dir=None, fix_encoding=False)
    assert [(d.code, d.column) for d in unrepaired.diagnostics] == [("broken-link", link)]
