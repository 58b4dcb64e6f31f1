"""`kbc export` and drawings: Excalidraw drawing notes (``*.excalidraw.md``), the
references into one (``#^group=``, ``#^area=``, ``#^frame=``), and Logseq's ``/draw``
files (``[[draws/....excalidraw]]``)."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.model import RefKind
from tests.conftest import TRIPLE_LOWBAR, write_vault
from tests.export_support import export, graph_of

DRAWING = ("---\nexcalidraw-plugin: parsed\n---\n# Text Elements\nHello ^el1\n\n%%\n"
           "# Drawing\n```json\n{\"type\":\"excalidraw\",\"elements\":[]}\n```\n%%\n")
PARTS = ("[[Drawing.excalidraw#^group=el1]]\n![[Drawing.excalidraw#^area=el1|300]]\n"
         "[[Drawing.excalidraw#^frame=f1]]\n")


def obsidian_vault(root: Path) -> Path:
    return write_vault(root, {".obsidian/app.json": "{}", "Drawing.excalidraw.md": DRAWING,
                              "N.md": PARTS})


def test_a_reference_into_a_drawing_keeps_its_part_and_size(tmp_path: Path) -> None:
    """Obsidian -> Obsidian writes the group, area and frame and the embed's width as
    they were; towards Logseq, which cannot show them, they stay as written (reported),
    so the way back gives the note its references again."""
    vault = obsidian_vault(tmp_path / "vault")
    export(graph_of(vault), tmp_path / "same", "obsidian")
    assert (tmp_path / "same/N.md").read_text("utf-8") == PARTS
    kinds = [r.ref.kind for r in graph_of(tmp_path / "same").refs]
    assert kinds == [RefKind.BLOCK_REF, RefKind.EMBED, RefKind.BLOCK_REF]
    report = export(graph_of(vault), tmp_path / "logseq", "logseq")
    written = (tmp_path / "logseq/pages/N.md").read_text("utf-8")
    assert all(line in written for line in PARTS.splitlines())
    kept = [d for d in report.diagnostics if d.code == "kept-as-written"]
    assert [(d.path, d.line) for d in kept] == [("N.md", 1), ("N.md", 2), ("N.md", 3)]
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    back = (tmp_path / "back/N.md").read_text("utf-8")
    assert all(line in back for line in PARTS.splitlines())


def test_a_drawing_note_is_copied_as_it_is_and_keeps_its_name(tmp_path: Path) -> None:
    """The Excalidraw plugin finds the scene under ``# Drawing`` and the text by its
    ``^ids``: the note is copied byte for byte at its path in both directions (never an
    outline of blocks), and links to it name it as each app names the file."""
    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}", "Excalidraw/Drawing.excalidraw.md": DRAWING,
        "N.md": "- see [[Drawing.excalidraw]]\n- ![[Drawing.excalidraw]]\n"
                "- [[Drawing.excalidraw#^el1]]\n"})
    report = export(graph_of(vault), tmp_path / "logseq", "logseq")
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    for out in ("logseq", "back"):
        assert (tmp_path / out / "Excalidraw/Drawing.excalidraw.md").read_text("utf-8") \
            == DRAWING
    assert not list((tmp_path / "logseq").rglob("pages/Drawing*"))
    logseq = graph_of(tmp_path / "logseq")
    assert sorted(r.source for r in logseq.backlinks("drawing.excalidraw")) == ["n", "n"]
    kept = [d for d in report.diagnostics if d.code == "kept-as-written"]
    assert [(d.path, d.line) for d in kept] == [("N.md", 3)]
    assert (tmp_path / "back/N.md").read_text("utf-8") == (vault / "N.md").read_text("utf-8")


def test_a_logseq_draw_link_stays_one_in_logseq(tmp_path: Path) -> None:
    """``[[draws/....excalidraw]]`` (Logseq's /draw) shows the drawing in place; a
    Markdown link to the file would not: Logseq -> Logseq and back from Obsidian keep it."""
    line = "- a drawing [[draws/2024-01-01-10-00-00.excalidraw]]\n"
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR, "pages/Boards.md": line,
        "draws/2024-01-01-10-00-00.excalidraw": '{"type":"excalidraw","elements":[]}\n'})
    export(graph_of(vault), tmp_path / "same", "logseq")
    export(graph_of(vault), tmp_path / "obsidian", "obsidian")
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    for out in ("same", "back"):
        assert (tmp_path / out / "pages/Boards.md").read_text("utf-8") == line
        assert [r.target.asset for r in graph_of(tmp_path / out).refs] == \
            ["draws/2024-01-01-10-00-00.excalidraw"]
