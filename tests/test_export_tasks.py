"""`kbc export` and tasks: Logseq's markers are Obsidian's task list items and back
(``kb_compiler.emit.vault.tasks`` has the table). Each side is read back with kbc's
parser, which gives a Logseq block its ``marker``. A task whose text starts with a
marker word keeps its state and its text: "TODO LATER x" stays a TODO, "- [ ] DONE soon"
stays open, "- [ ] TODO x" keeps the word."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.emit.vault.tasks import checkbox_from_marker, marker_from_checkbox
from tests.export_support import export, graph_of
from tests.test_export_org_blocks import EXAMPLES, logseq_graph, obsidian_vault

LOGSEQ_PAGE = """\
- TODO buy milk
- DONE [#A] pay rent
	- DOING write report
	- CANCELED trip
	- CANCELLED old spelling
- LATER [#B] read
- NOW call
- WAITING reply
- TODO
- TODO LATER is the task's text
- TODO DONE is the task's text
- TODO TODO too
- TODOS are not tasks
- text first
  TODO on a later line is text
"""

OBSIDIAN_NOTE = """\
- [ ] buy milk [\\#A] later in the line
- [x] pay rent
- [X] upper case
	- [/] in progress
	- [-] cancelled
	- [>] forwarded
1. [ ] numbered
- [ ] DONE soon, not yet
- [ ] TODO is the text
- [ ] TODO LATER is the text

[ ] a paragraph, not a task
"""


def markers(path: Path, name: str) -> list[tuple[str | None, str]]:
    page = graph_of(path).page(name)
    assert page is not None
    return [(block.marker, block.content.split("\n")[0]) for block in page.blocks]


def test_logseq_markers_become_checkboxes_and_come_back(tmp_path: Path) -> None:
    source = logseq_graph(tmp_path / "graph", {"Tasks": LOGSEQ_PAGE})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/Tasks.md").read_text(encoding="utf-8") == """\
- [ ] buy milk
- [x] [\\#A] pay rent
\t- [/] write report
\t- [-] trip
\t- [-] old spelling
- [ ] LATER [\\#B] read
- [ ] NOW call
- [ ] WAITING reply
- [ ]
- [ ] TODO LATER is the task's text
- [ ] DONE is the task's text
- [ ] TODO too
- TODOS are not tasks
- text first
  TODO on a later line is text
"""
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert markers(tmp_path / "back", "tasks") == [
        ("TODO", "buy milk"), ("DONE", "pay rent"), ("DOING", "write report"),
        ("CANCELED", "trip"), ("CANCELED", "old spelling"), ("LATER", "read"),
        ("NOW", "call"), ("WAITING", "reply"), ("TODO", ""),
        ("TODO", "LATER is the task's text"), ("TODO", "DONE is the task's text"),
        ("TODO", "TODO too"), (None, "TODOS are not tasks"),
        (None, "text first")]
    assert markers(tmp_path / "back", "tasks") == [
        (marker if marker != "CANCELLED" else "CANCELED", text)
        for marker, text in markers(source, "tasks")]


def test_obsidian_checkboxes_become_markers_and_come_back(tmp_path: Path) -> None:
    source = obsidian_vault(tmp_path / "vault", {"Tasks": OBSIDIAN_NOTE})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    assert markers(tmp_path / "logseq", "tasks") == [
        ("TODO", "buy milk [\\#A] later in the line"), ("DONE", "pay rent"),
        ("DONE", "upper case"),
        ("DOING", "in progress"), ("CANCELED", "cancelled"), (None, "[>] forwarded"),
        ("TODO", "numbered"), ("TODO", "DONE soon, not yet"),
        ("TODO", "TODO is the text"), ("TODO", "LATER is the text"),
        (None, "[ ] a paragraph, not a task")]
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    assert (tmp_path / "back/Tasks.md").read_text(encoding="utf-8") == """\
- [ ] buy milk [\\#A] later in the line
- [x] pay rent
- [x] upper case
\t- [/] in progress
\t- [-] cancelled
\t- [>] forwarded
1. [ ] numbered
- [ ] DONE soon, not yet
- [ ] TODO is the text
- [ ] TODO LATER is the text
- [ ] a paragraph, not a task
"""


_WORDS = st.sampled_from(["TODO", "DONE", "LATER", "NOW", "DOING", "CANCELED", "WAIT",
                          "[#A]", "x", "TODOS"])
_FIRST_LINES = st.lists(_WORDS, max_size=4).map(" ".join)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(_FIRST_LINES)
def test_a_logseq_first_line_comes_back(line: str) -> None:
    assert marker_from_checkbox(checkbox_from_marker(line)) == line


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.sampled_from(["[ ]", "[x]", "[/]", "[-]"]), _FIRST_LINES)
def test_an_obsidian_task_comes_back(checkbox: str, text: str) -> None:
    line = f"{checkbox} {text}".rstrip()
    assert checkbox_from_marker(marker_from_checkbox(line)) == line
