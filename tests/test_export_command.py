"""The ``kbc export`` command: default target, output folder rules (exit 2, one line on
stderr), --force, notes on stderr, and an export killed midway (a real SIGKILL of a
subprocess) leaving the previous OUT whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb_compiler.cli import main
from tests.conftest import SAMPLE_VAULT, TRIPLE_LOWBAR, write_vault
from tests.export_support import export, graph_of, tree_digest
from tests.vaultgen import generate

REPO = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("private_cache")


def kbc(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", *args])


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    return generate(tmp_path / "graph", 20, "logseq", seed=3).root


def test_default_target_is_the_source_dialect(graph: Path, tmp_path: Path) -> None:
    result = kbc(str(graph), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/logseq/config.edn").is_file()
    assert not (tmp_path / "out/.obsidian").exists()
    vault = generate(tmp_path / "vault", 20, "obsidian", seed=3).root
    assert kbc(str(vault), "-o", str(tmp_path / "out2")).exit_code == 0
    assert (tmp_path / "out2/.obsidian/app.json").is_file()
    assert not (tmp_path / "out2/logseq").exists()


def test_plain_folder_takes_the_majority_and_says_so(tmp_path: Path) -> None:
    result = kbc(str(SAMPLE_VAULT), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Logseq and" in result.stderr and "the majority" in result.stderr
    assert (tmp_path / "out/logseq/config.edn").is_file()
    assert "written as a Logseq graph to" in result.stderr.splitlines()[-1]


def test_to_obsidian_reports_kept_macros(graph: Path, tmp_path: Path) -> None:
    page = graph / "pages" / "Macro.md"
    page.write_text("- {{query (todo now)}} and {{renderer :x}}\n", encoding="utf-8")
    result = kbc(str(graph), "-o", str(tmp_path / "out"), "--to", "obsidian")
    assert result.exit_code == 0, result.output
    assert "pages/Macro.md:1: info[macro-kept] macro '{{query}}'" in result.stderr
    assert "- {{query (todo now)}} and {{renderer :x}}" in \
        (tmp_path / "out/Macro.md").read_text(encoding="utf-8")


def test_logseq_app_files_go_to_a_logseq_export_and_are_reported_for_obsidian(
        tmp_path: Path) -> None:
    """``logseq/custom.css`` was copied but ``custom.js`` (and ``export.css``) silently
    dropped; writing Obsidian, where none of them means anything, all were dropped
    without a word. A Logseq export, from Logseq (normalised) or from itself again,
    keeps all three byte for byte; an Obsidian export names each one left out."""
    app_files = {"logseq/custom.css": ".ls-block { color: teal }\n",
                 "logseq/custom.js": "console.log('[[NotAPage]]')\n",
                 "logseq/export.css": "body { font-size: 12pt }\n"}
    graph = write_vault(tmp_path / "graph", {"logseq/config.edn": TRIPLE_LOWBAR,
                                             "pages/A.md": "- a\n", **app_files})
    result = kbc(str(graph), "-o", str(tmp_path / "ls"))
    assert result.exit_code == 0, result.output
    assert "file-left-out" not in result.stderr
    again = kbc(str(tmp_path / "ls"), "-o", str(tmp_path / "ls2"))
    assert again.exit_code == 0, again.output
    for out in ("ls", "ls2"):
        for path, text in app_files.items():
            assert (tmp_path / out / path).read_text("utf-8") == text, (out, path)
    result = kbc(str(graph), "-o", str(tmp_path / "obs"), "--to", "obsidian")
    assert result.exit_code == 0, result.output
    left_out = sorted(line.split(":", 1)[0] for line in result.stderr.splitlines()
                      if "warning[file-left-out]" in line)
    assert left_out == sorted(app_files)
    assert not (tmp_path / "obs/logseq").exists()


def test_non_empty_out_needs_force(graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    result = kbc(str(graph), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--force" in result.stderr
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    result = kbc(str(graph), "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "keep.txt").exists() and (out / "logseq/config.edn").is_file()


@pytest.mark.parametrize("where", ["vault", "vault/inside", "parent", "file"])
def test_refused_output_folders(graph: Path, tmp_path: Path, where: str) -> None:
    out = {"vault": graph, "vault/inside": graph / "pages" / "out", "parent": tmp_path,
           "file": tmp_path / "a-file"}[where]
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    before = tree_digest(graph)
    result = kbc(str(graph), "-o", str(out), "--force")
    assert result.exit_code == 2
    assert result.stderr.startswith("kbc: error: ") and result.stderr.count("\n") == 1
    assert tree_digest(graph) == before
    assert not (graph / "pages" / "out").exists()


def test_missing_output_option_is_a_usage_error(graph: Path) -> None:
    assert kbc(str(graph)).exit_code == 2


def test_killed_export_leaves_previous_out_whole(tmp_path: Path) -> None:
    """Kill ``kbc export`` while it writes its temporary folder: OUT keeps the
    previous export, byte for byte."""
    vault = generate(tmp_path / "big", 1500, "logseq", seed=5).root
    out = tmp_path / "out"
    small = generate(tmp_path / "small", 10, "logseq", seed=1).root
    export(graph_of(small), out, "logseq")
    before = tree_digest(out)
    env = {**os.environ, "KBC_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kb_compiler", "export", str(vault), "-o", str(out), "--force",
         "--to", "obsidian"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    temp = _wait_for_partial_output(process, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the export finished before the kill"
    assert temp is not None and temp.exists()  # it was killed midway through writing
    assert tree_digest(out) == before
    export(graph_of(small), out, "logseq", force=True)  # the next export tidies up
    assert not temp.exists()


def _wait_for_partial_output(process: subprocess.Popen, folder: Path) -> Path | None:
    """The export's temporary folder once it holds some pages (None if the process
    ended first)."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        for temp in folder.glob(".out.kbc-export-*"):
            if sum(1 for _ in temp.rglob("*.md")) >= 50:
                return temp
        time.sleep(0.002)
    return None


def _graph_json(vault: Path) -> tuple[Counter, set]:
    result = CliRunner().invoke(main, ["graph", str(vault), "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pages = {(n["id"], json.dumps(n["properties"], sort_keys=True), n["exists"])
             for n in data["nodes"] if n["exists"] and n["kind"] == "page"}
    edges = Counter((e["source"], e["target"], e["kind"], e.get("property"), e.get("block"),
                     e.get("heading")) for e in data["edges"])
    return edges, pages


def test_round_trip_through_the_command_line_keeps_the_graph(tmp_path: Path) -> None:
    """`kbc export` there and back, compared with `kbc graph --format json` (lines
    aside, which a converted page has others of)."""
    first, there, back = tmp_path / "first", tmp_path / "there", tmp_path / "back"
    assert kbc(str(SAMPLE_VAULT), "-o", str(first), "--to", "logseq").exit_code == 0
    assert kbc(str(first), "-o", str(there), "--to", "obsidian").exit_code == 0
    assert kbc(str(there), "-o", str(back)).exit_code == 0  # default: its own, Obsidian
    assert kbc(str(there), "-o", str(tmp_path / "again"), "--to", "logseq").exit_code == 0
    assert _graph_json(first) == _graph_json(tmp_path / "again")
    assert (back / ".obsidian/app.json").is_file()


def test_front_matter_that_does_not_parse_is_kept_in_every_direction(tmp_path: Path) -> None:
    """A Logseq page's front matter that is no valid YAML, exported to Obsidian, lost
    the whole block (``author: Jane`` and all) with no word; the other directions kept
    it. Its property lines after it stay too."""
    graph = write_vault(tmp_path / "lsy", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/Bad.md": "---\ntitle: [unclosed\nauthor: Jane\nrating: 5\n---\n"
                        "status:: draft\n\n- body [[Other]]\n",
        "pages/Other.md": "- other\n"})
    result = kbc(str(graph), "-o", str(tmp_path / "obs"), "--to", "obsidian")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "obs/Bad.md").read_text(encoding="utf-8") == (
        "---\ntitle: [unclosed\nauthor: Jane\nrating: 5\n---\nstatus:: draft\n\n"
        "- body [[Other]]\n")
    assert ("Bad.md:1: warning[invalid-frontmatter] front matter that does not parse is "
            "kept as it is") in result.output


def assert_copied_in_both_dialects(tmp_path: Path, name: str, data: bytes,
                                   warning: str) -> None:
    """An Obsidian vault of ``name`` holding ``data`` and a note linking it, exported to
    both dialects: the page's bytes are copied as they are, with ``warning``."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / f"{name}.md").write_bytes(data)
    (vault / "Note.md").write_text(f"See [[{name}]]\n", encoding="utf-8")
    for target, written in (("obsidian", f"{name}.md"), ("logseq", f"pages/{name}.md")):
        out = tmp_path / target
        result = kbc(str(vault), "-o", str(out), "--to", target)
        assert result.exit_code == 0, result.output
        assert (out / written).read_bytes() == data
        assert warning in result.output


def test_a_binary_file_named_like_a_page_is_copied_not_emptied(tmp_path: Path) -> None:
    """A picture saved as ``Scan.md`` was exported as an empty page: its bytes gone, and
    the export's own check clean. It is copied byte for byte, and said so."""
    picture = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    assert_copied_in_both_dialects(tmp_path, "Scan", picture,
                                   "warning[kept-as-written] a binary file")


def test_a_latin1_page_is_copied_not_written_with_replacement_characters(
        tmp_path: Path) -> None:
    """A Latin-1 page was exported with U+FFFD for every accented letter: its text lost
    for good in the exported vault, the error shown only as a check problem."""
    latin1 = "Na\xefve r\xe9sum\xe9 [[Note]]\n".encode("latin-1")
    assert_copied_in_both_dialects(tmp_path, "Cafe", latin1,
                                   "Cafe.md: warning[kept-as-written] not valid text")
    assert (tmp_path / "logseq/pages/Note.md").read_text("utf-8") == "- See [[Cafe]]\n"


def test_a_pages_folder_outside_the_graph_exports_to_the_default(tmp_path: Path) -> None:
    """``:pages-directory "../x"`` in config.edn: the export ended in a traceback, exit 1."""
    graph = tmp_path / "graph"
    (graph / "logseq").mkdir(parents=True)
    (graph / "pages").mkdir()
    (graph / "logseq" / "config.edn").write_text('{:pages-directory "../x"}', "utf-8")
    (graph / "pages" / "A.md").write_text("- a\n", "utf-8")
    result = CliRunner().invoke(main, ["export", str(graph), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "pages" / "A.md").read_text("utf-8") == "- a\n"
    assert not (tmp_path / "x").exists()


def test_force_keeps_a_version_control_folder_of_the_output(tmp_path: Path) -> None:
    """--force replaced everything OUT held, .git too: an export into a repository's
    checkout (to publish it) lost the repository."""
    graph = write_vault(tmp_path / "graph", {"logseq/config.edn": "{}\n",
                                             "pages/A.md": "- a\n"})
    out = tmp_path / "mirror"
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (out / "stale.md").write_text("old\n", "utf-8")
    result = CliRunner().invoke(main, ["export", str(graph), "-o", str(out), "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / ".git" / "HEAD").read_text("utf-8") == "ref: refs/heads/main\n"
    assert (out / ".git" / "objects").is_dir()
    assert not (out / "stale.md").exists() and (out / "pages" / "A.md").is_file()
    again = CliRunner().invoke(main, ["export", str(graph), "-o", str(out), "--force", "-q"])
    assert again.exit_code == 0 and (out / ".git" / "HEAD").is_file()


def test_text_opening_with_a_task_marker_is_reported_on_the_way_to_logseq(
        tmp_path: Path) -> None:
    """'- DONE is a word here' is text in Obsidian and a done task in Logseq (a ticked
    checkbox, the word gone, on the way back): the export said nothing."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Note.md").write_text("- DONE is a word here\n- [ ] a real task\n"
                                   "- [ ] DONE as its text\n\nNOW what\n", "utf-8")
    result = CliRunner().invoke(main, ["export", str(vault), "-o", str(tmp_path / "out"),
                                       "--to", "logseq"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "text-becomes-task" in line]
    assert [line.split(":")[1] for line in warned] == ["1", "5"]
    assert "'DONE'" in warned[0] and "'NOW'" in warned[1]


def test_a_repository_a_killed_export_carried_over_is_given_back(tmp_path: Path) -> None:
    """A run killed after moving OUT's .git into its temporary folder, before the swap:
    the next run removed that folder as a killed run's leftovers, .git with it."""
    graph = write_vault(tmp_path / "graph", {"logseq/config.edn": "{}\n",
                                             "pages/A.md": "- a\n"})
    out = tmp_path / "mirror"
    out.mkdir()
    (out / "old.md").write_text("old\n", "utf-8")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # a pid no process has now
    dead.wait()
    stale = tmp_path / f".mirror.kbc-export-{dead.pid}-x1"
    (stale / ".git").mkdir(parents=True)
    (stale / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    result = CliRunner().invoke(main, ["export", str(graph), "-o", str(out), "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / ".git" / "HEAD").read_text("utf-8") == "ref: refs/heads/main\n"
    assert not stale.exists() and (out / "pages" / "A.md").is_file()


def test_a_logseq_whiteboard_is_copied_as_it_is_and_comes_back_a_board(
        tmp_path: Path) -> None:
    """A board, now a page, must not be written as a Markdown page: its file is copied
    where Logseq looks for it (an attachment in Obsidian), and links keep its name."""
    board = ('{:blocks ({:block/uuid #uuid "65a0b1c2-0000-4000-8000-0000000000b1"\n'
             '  :block/content "about [[Bar]]"})\n :pages ({:block/original-name "Plan"})}\n')
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR, "whiteboards/Plan.edn": board,
        "pages/Bar.md": "- see [[Plan]]\n"})
    for source, target in ((vault, "obsidian"), (vault, "logseq"),
                           (tmp_path / "obsidian", "logseq-again")):
        out = tmp_path / target
        result = kbc(str(source), "-o", str(out), "--to", target.removesuffix("-again"))
        assert result.exit_code == 0, result.output
        assert (out / "whiteboards/Plan.edn").read_text("utf-8") == board
        assert not list(out.rglob("Plan.md"))
    assert (tmp_path / "obsidian/Bar.md").read_text("utf-8") == \
        "- see [[whiteboards/Plan.edn|Plan]]\n"
    back = graph_of(tmp_path / "logseq-again")
    assert [r.source for r in back.backlinks("plan")] == ["bar"]
    assert [r.target.page for r in back.outgoing("plan")] == ["bar"]
