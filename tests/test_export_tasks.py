"""`kbc export` and tasks: Logseq's markers are Obsidian's task list items and back
(``kb_compiler.emit.vault.tasks`` has the table). Each side is read back with kbc's
parser, which gives a Logseq block its ``marker``. A task whose text starts with a
marker word keeps its state: "TODO LATER x" stays a TODO, "- [ ] DONE soon" stays open."""

from __future__ import annotations

from pathlib import Path

from tests.export_support import export, graph_of
from tests.test_export_org_blocks import logseq_graph, obsidian_vault

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
- TODOS are not tasks
- text first
  TODO on a later line is text
"""
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert markers(tmp_path / "back", "tasks") == [
        ("TODO", "buy milk"), ("DONE", "pay rent"), ("DOING", "write report"),
        ("CANCELED", "trip"), ("CANCELED", "old spelling"), ("LATER", "read"),
        ("NOW", "call"), ("WAITING", "reply"), ("TODO", ""),
        ("TODO", "LATER is the task's text"), (None, "TODOS are not tasks"),
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
        ("TODO", "numbered"), ("TODO", "DONE soon, not yet"), (None, "[ ] a paragraph, not a task")]
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    assert (tmp_path / "back/Tasks.md").read_text(encoding="utf-8") == """\
- [ ] buy milk [\\#A] later in the line
- [x] pay rent
- [x] upper case
\t- [/] in progress
\t- [-] cancelled
\t- [>] forwarded
1. [ ] numbered
- [ ] TODO DONE soon, not yet
- [ ] a paragraph, not a task
"""
