"""`kbc export` and the block properties Logseq never shows (``collapsed``, timestamps,
``heading``...: its ``hidden-built-in-properties``): in Obsidian they wait in ``%%
comments %%``, hidden there too, and come back as property lines."""

from __future__ import annotations

from pathlib import Path

from tests.export_support import export, graph_of
from tests.test_export_org_blocks import logseq_graph, obsidian_vault
from tests.test_site_build import build

UUID = "6489a1b2-3c4d-4e6f-8890-abcdef123456"

LOGSEQ_PAGE = f"""\
- folded
  collapsed:: true
  rating:: 5
  updated-at:: 1609233051427
\t- child
- a heading block
  heading:: true
- quoted from elsewhere
  id:: {UUID}
  collapsed:: true
- see (({UUID}))
"""


def test_hidden_block_properties_are_comments_in_obsidian(tmp_path: Path) -> None:
    source = logseq_graph(tmp_path / "graph", {"Page": LOGSEQ_PAGE})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/Page.md").read_text(encoding="utf-8") == f"""\
- folded
  %% collapsed:: true %%
  rating:: 5
  %% updated-at:: 1609233051427 %%
\t- child
- a heading block
  %% heading:: true %%
- quoted from elsewhere
  %% collapsed:: true %% ^{UUID}
- see [[Page#^{UUID}]]
"""
    note = graph_of(tmp_path / "obsidian").page("page")
    assert note is not None and [b.block_id for b in note.blocks if b.block_id] == [UUID]
    # Shown as Obsidian shows the note: comments hidden, the Dataview field as text.
    build(tmp_path / "obsidian", tmp_path / "site", search=False)
    body = (tmp_path / "site/page.html").read_text(encoding="utf-8")
    body = body[body.index('class="note-body'):]
    assert "rating:: 5" in body
    assert not any(key in body for key in ("collapsed", "updated-at", "heading::"))

    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert (tmp_path / "back/pages/Page.md").read_text(encoding="utf-8") == LOGSEQ_PAGE


def test_other_obsidian_comments_stay_comments(tmp_path: Path) -> None:
    note = ("- item\n  %% mine:: a private note %%\n"
            "- item two\n  text first\n  %% collapsed:: true %%\n")
    source = obsidian_vault(tmp_path / "vault", {"Note": note})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    assert (tmp_path / "logseq/pages/Note.md").read_text(encoding="utf-8") == note


def test_a_block_that_opens_with_a_property(tmp_path: Path) -> None:
    """A block whose first line is a property (``- id:: ...``; Advanced Queries.md of
    Logseq's docs graph has one). The id line stayed in Obsidian's text next to its
    ``^id``, and came back as a second ``id::`` line."""
    page = (f"- id:: {UUID}\n  8. TODO tasks of the page\n"
            "- collapsed:: true\n  folded text\n"
            f"- see (({UUID}))\n")
    source = logseq_graph(tmp_path / "graph", {"Page": page})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/Page.md").read_text(encoding="utf-8") == (
        f"- 8. TODO tasks of the page\n\n  ^{UUID}\n"
        "- %% collapsed:: true %%\n  folded text\n"
        f"- see [[Page#^{UUID}]]\n")
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert (tmp_path / "back/pages/Page.md").read_text(encoding="utf-8") == (
        f"- 8. TODO tasks of the page\n  id:: {UUID}\n"
        "- collapsed:: true\n  folded text\n"
        f"- see (({UUID}))\n")
