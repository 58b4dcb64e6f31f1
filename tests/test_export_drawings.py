"""`kbc export` and drawings: Excalidraw drawing notes (``*.excalidraw.md``), the
references into one (``#^group=``, ``#^area=``, ``#^frame=``), and Logseq's ``/draw``
files (``[[draws/....excalidraw]]``)."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.model import RefKind
from tests.conftest import write_vault
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
