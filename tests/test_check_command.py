"""The ``kbc check`` command: options, formats, exit status, streams, colour."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb_compiler.cli import main
from tests.conftest import SAMPLE_VAULT
from tests.vaultgen import generate, inject

REPO = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(autouse=True)
def _no_colour_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


def kbc(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["check", *args], env=env)


@pytest.fixture
def faulty(tmp_path: Path) -> Path:
    vault = generate(tmp_path / "faulty", 40, "logseq")
    inject(vault, ["broken-link", "encoding-repaired"])
    return vault.root


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return generate(tmp_path / "clean", 40, "obsidian").root


def test_clean_vault_exits_0_with_a_summary_on_stderr(clean: Path) -> None:
    result = kbc(str(clean))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("kbc check: no problems in ")


def test_errors_exit_1_and_the_text_report_goes_to_stdout(faulty: Path) -> None:
    result = kbc(str(faulty))
    assert result.exit_code == 1
    assert "error[broken-link] " in result.stdout and "^" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    assert "1 error" in result.stderr


def test_strict_turns_warnings_into_a_failure(tmp_path: Path) -> None:
    vault = generate(tmp_path / "w", 40, "logseq")
    inject(vault, ["encoding-repaired"])  # a warning only
    assert kbc(str(vault.root)).exit_code == 0
    assert kbc(str(vault.root), "--strict").exit_code == 1


def test_json_to_stdout_and_to_a_file(faulty: Path, tmp_path: Path) -> None:
    result = kbc(str(faulty), "--format", "json")
    document = json.loads(result.stdout)
    assert document["summary"]["errors"] == 1
    assert sorted(d["code"] for d in document["diagnostics"]) == ["broken-link",
                                                                   "encoding-repaired"]
    report = tmp_path / "report.json"
    written = kbc(str(faulty), "--format", "json", "-o", str(report), "-q")
    assert written.exit_code == 1 and written.stdout == "" and written.stderr == ""
    assert json.loads(report.read_text(encoding="utf-8")) == document


def test_a_report_may_go_beside_the_pages_but_never_over_one(faulty: Path) -> None:
    """A vault that is its repository keeps its CI report at its root; a page or the
    config is refused (a report written there would replace what the author wrote)."""
    page = next(faulty.rglob("*.md"))
    before = page.read_bytes()
    refused = kbc(str(faulty), "--format", "json", "-o", str(page))
    assert refused.exit_code == 2 and "page or a config file" in refused.stderr
    assert page.read_bytes() == before
    written = kbc(str(faulty), "--format", "sarif", "-o", str(faulty / "kbc.sarif"))
    assert written.exit_code == 1
    assert json.loads((faulty / "kbc.sarif").read_text("utf-8"))["version"] == "2.1.0"
    assert [p.name for p in faulty.iterdir() if p.name.endswith(".tmp")] == []


def test_a_report_never_replaces_a_file_the_author_keeps_in_the_vault(clean: Path) -> None:
    """A picture, a Base, a canvas or an app's settings were written over with JSON; a
    report of its own (written again) is still the user's to place in the vault."""
    kept = {"diagram.png": b"\x89PNG\r\n\x1a\n", "Books.base": b"views: []\n",
            "Board.canvas": b"{}\n", ".obsidian/appearance.json": b'{"theme":"x"}\n'}
    for name, data in kept.items():
        (clean / name).parent.mkdir(parents=True, exist_ok=True)
        (clean / name).write_bytes(data)
    for name in [*kept, ".obsidian/report.json", "logseq/report.json"]:
        refused = kbc(str(clean), "--format", "json", "-o", str(clean / name))
        assert refused.exit_code == 2 and "choose another file" in refused.stderr, name
    assert all((clean / name).read_bytes() == data for name, data in kept.items())
    for _ in range(2):  # written, then written again
        assert kbc(str(clean), "--format", "json", "-o", str(clean / "report.json")).exit_code == 0
    assert json.loads((clean / "report.json").read_text("utf-8"))["summary"]["errors"] == 0


def test_github_and_sarif_paths_are_relative_to_the_working_directory(
    faulty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(faulty.parent)
    github = kbc("faulty", "--format", "github").stdout.splitlines()
    assert all(line.startswith(("::error file=faulty/pages/", "::warning file=faulty/pages/"))
               for line in github) and len(github) == 2
    sarif = json.loads(kbc("faulty", "--format", "sarif").stdout)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"].startswith("faulty/pages/")


def test_a_vault_given_through_a_link_keeps_the_links_name_in_text_paths(
    faulty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kbc check vault`` with ``vault`` a symbolic link printed the paths of the
    folder it points to (absolute ones when that lies elsewhere)."""
    (faulty.parent / "linked").symlink_to(faulty, target_is_directory=True)
    monkeypatch.chdir(faulty.parent)
    lines = [line for line in kbc("linked").stdout.splitlines() if "[broken-link]" in line]
    assert lines and all(line.startswith("linked/pages/") for line in lines)


def test_colour_follows_the_option_and_no_color(faulty: Path) -> None:
    assert "\x1b[" in kbc(str(faulty), "--color", "always").stdout
    assert "\x1b[" not in kbc(str(faulty), "--color", "never").stdout
    assert "\x1b[" not in kbc(str(faulty), env={"NO_COLOR": "1"}).stdout


def test_no_fix_encoding_reports_the_damage_unrepaired(faulty: Path) -> None:
    repaired = json.loads(kbc(str(faulty), "--format", "json").stdout)
    raw = json.loads(kbc(str(faulty), "--format", "json", "--no-fix-encoding").stdout)
    assert "encoding-repaired" in {d["code"] for d in repaired["diagnostics"]}
    assert "encoding-repaired" not in {d["code"] for d in raw["diagnostics"]}


@pytest.mark.parametrize(
    ("args", "setup", "needle"),
    [
        (["missing-folder"], None, "missing-folder"),
        (["{vault}", "--format", "xml"], None, "xml"),
        (["{vault}"], "colour = true\n", "colour"),
        (["{vault}"], "[severity]\nbroken-link = \"loud\"\n", "loud"),
        (["{vault}"], "schema = \"nope.yaml\"\n", "nope.yaml"),
        (["{vault}", "-o", "{vault}/no/such/folder/report.txt"], None, "report.txt"),
    ],
)
def test_what_stops_the_check_exits_2_with_one_line(
    clean: Path, args: list[str], setup: str | None, needle: str
) -> None:
    if setup is not None:
        (clean / "kbc.toml").write_text(setup, encoding="utf-8")
    result = kbc(*[a.replace("{vault}", str(clean)) for a in args])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output


COMMAND = [sys.executable, "-c", "from kb_compiler.cli import main; main()", "check"]


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(
        tmp_path: Path, output_format: str) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "good.md").write_text("- fine\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(vault), b"bad\xff.md"), "w") as handle:
        handle.write("- x\n")
    result = kbc(str(vault), "--format", output_format)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "xff.md" in result.stdout and "invalid-encoding" in result.stdout
    if output_format in ("json", "sarif"):
        json.loads(result.stdout)


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_a_vault_folder_named_in_bytes_that_are_not_utf8(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    """The paths printed start with the vault's folder as typed: its bytes that are not
    UTF-8 show as \\xNN (in a SARIF URI percent-encoded), never as a crash."""
    vault = os.path.join(os.fsencode(tmp_path), b"v\xffault")
    os.mkdir(vault)
    with open(os.path.join(vault, b"a.md"), "w") as handle:
        handle.write("- [[nowhere]]\n")
    monkeypatch.chdir(tmp_path)
    result = kbc(os.fsdecode(b"v\xffault"), "--format", output_format)
    assert result.exit_code == 1, result.output
    shown = {"text": "v\\xffault/a.md:1:3:", "json": '"path": "a.md"',
             "github": "file=v\\xffault/a.md,", "sarif": '"uri": "v%FFault/a.md"'}
    assert shown[output_format] in result.stdout


def test_output_is_byte_identical_between_runs(faulty: Path) -> None:
    for output_format in ("text", "json", "github", "sarif"):
        first, second = (kbc(str(faulty), "--format", output_format) for _ in range(2))
        assert first.stdout_bytes == second.stdout_bytes and first.stdout_bytes


def test_the_real_command_in_a_pipe_is_plain_and_stable(faulty: Path) -> None:
    env = {**os.environ}
    runs = [subprocess.run([*COMMAND, str(faulty)], capture_output=True, env=env, cwd=REPO,
                           check=False) for _ in range(2)]
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout == runs[1].stdout and b"error[broken-link]" in runs[0].stdout
    assert b"\x1b[" not in runs[0].stdout + runs[0].stderr


@pytest.mark.parametrize(("setting", "coloured"), [
    ({}, True), ({"NO_COLOR": "1"}, False),
    # a terminal that shows escape codes as text (Emacs' shell) says TERM=dumb
    ({"TERM": "dumb"}, False)])
def test_colour_on_a_terminal_unless_no_color(
    faulty: Path, setting: dict[str, str], coloured: bool
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update({"TERM": "xterm-256color", **setting})
    leader, follower = pty.openpty()
    with subprocess.Popen([*COMMAND, str(faulty), "-q"], stdout=follower,
                          stderr=subprocess.DEVNULL, env=env, cwd=REPO) as process:
        os.close(follower)
        shown = _read_all(leader)
        assert process.wait(timeout=60) == 1
    assert b"broken-link" in shown
    assert (b"\x1b[" in shown) is coloured


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # the terminal closes when the command exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(descriptor)
    return b"".join(chunks)


def test_check_loads_neither_the_site_builder_nor_its_templates(clean: Path) -> None:
    """The verbs are imported lazily: a pre-commit `kbc check` starts without jinja2,
    rich's progress bars and the site emitter (a quarter of a second of imports)."""
    program = ("import sys\nfrom kb_compiler.cli import main\n"
               "try:\n    main()\nexcept SystemExit as end:\n    code = end.code\n"
               "print(sorted(m for m in ('jinja2', 'rich.progress', 'kb_compiler.emit') "
               "if m in sys.modules), code, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", program, "check", str(clean), "-q"],
                         capture_output=True, cwd=REPO, check=False, text=True)
    assert run.stderr.strip() == "[] 0"


def test_jobs_reach_the_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--jobs 1`` parses in this process only (the least memory), the same result."""
    from kb_compiler import loader

    asked: list[int | None] = []
    real_parse_all = loader.parse_all

    def recording(sources, options, cache_dir=None, jobs=None):  # type: ignore[no-untyped-def]
        asked.append(jobs)
        return real_parse_all(sources, options, cache_dir, jobs)

    monkeypatch.setattr(loader, "parse_all", recording)
    one, default = kbc(str(SAMPLE_VAULT), "--format", "json", "-j", "1"), kbc(
        str(SAMPLE_VAULT), "--format", "json")
    assert asked == [1, None]
    assert one.exit_code == default.exit_code and one.output == default.output


def test_an_exclude_pattern_that_matches_nothing_is_a_warning_at_the_pattern(
        tmp_path: Path) -> None:
    """A misspelt exclude glob (``Privat/**``) published what it was meant to hide
    without a word; a pattern that matches is not reported, in kbc.toml or in
    pyproject.toml's [tool.kbc]."""
    from tests.conftest import write_vault

    pages = {"logseq/config.edn": "{}\n", "pages/secret.md": "- s\n", "pages/p.md": "- p\n",
             "Private/x.md": "- x\n"}
    vault = write_vault(tmp_path / "v", {
        **pages, "kbc.toml": 'exclude = ["secret.md",\n  "Privat/**", \'Private/\']\n'})
    result = kbc(str(vault), "--format", "json")
    found = [(d["code"], d["path"], d["line"], d["column"], d["target"])
             for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [("unmatched-exclude", "kbc.toml", 2, 4, "Privat/**")]
    text = kbc(str(vault)).stdout
    assert '2 |   "Privat/**", \'Private/\']' in text and "   ^^^^^^^^^" in text
    other = write_vault(tmp_path / "o", {
        **pages, "pyproject.toml": '[tool.kbc]\nexclude = ["drafts/**"]\n'})
    found = [(d["code"], d["path"], d["line"], d["column"])
             for d in json.loads(kbc(str(other), "--format", "json").stdout)["diagnostics"]]
    assert found == [("unmatched-exclude", "pyproject.toml", 2, 13)]


def test_a_tool_kbc_table_beside_kbc_toml_is_reported_as_not_read(tmp_path: Path) -> None:
    """kbc.toml holds kbc's settings; a [tool.kbc] beside it was ignored without a
    word, and its exclude list published what it named."""
    from tests.conftest import write_vault

    vault = write_vault(tmp_path / "v", {
        ".obsidian/app.json": "{}", "kbc.toml": "loose-matching = false\n",
        "pyproject.toml": '[project]\nname = "notes"\n\n[tool.kbc]\nexclude = ["private/**"]\n',
        "Note.md": "text\n"})
    found = [(d["code"], d["path"], d["line"], d["severity"])
             for d in json.loads(kbc(str(vault), "--format", "json").stdout)["diagnostics"]]
    assert found == [("ignored-settings", "pyproject.toml", 4, "warning")]
    (vault / "kbc.toml").unlink()  # alone, the table is read, and nothing is reported
    found = json.loads(kbc(str(vault), "--format", "json").stdout)["diagnostics"]
    assert [d["code"] for d in found] == ["unmatched-exclude"]
