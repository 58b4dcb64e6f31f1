"""Embeds and block refs: one-level inclusions, and embed cycles of length 1, 2, 3..."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from kb_compiler import load
from kb_compiler.model import RefKind
from kb_compiler.resolve import Schema, resolve
from tests.test_resolve_builders import block, graph_of, obsidian, page, ref

UUID_X = "11111111-2222-4333-8444-555555555555"


def embed(target: str, line: int, **fields: object):
    return ref(target, line, RefKind.EMBED, raw=f"{{{{embed [[{target}]]}}}}", **fields)


def embedding(path: str, *targets: tuple[str, int]):
    """A Logseq page whose block at each given line embeds the given page."""
    blocks = tuple(block(i, line, f"embed {t}", refs=(embed(t, line),))
                   for i, (t, line) in enumerate(targets))
    return page(path, blocks=blocks)


def cycles(graph) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.message) for d in graph.diagnostics if d.code == "embed-cycle"]


def test_self_embed_is_a_cycle_of_length_one() -> None:
    graph = graph_of(embedding("pages/A.md", ("A", 3)))
    assert cycles(graph) == [("pages/A.md", 3, "embed cycle: A -> A")]


def test_cycle_of_length_two_is_reported_once_where_it_closes() -> None:
    graph = graph_of(embedding("pages/A.md", ("B", 2)), embedding("pages/B.md", ("A", 5)))
    assert cycles(graph) == [("pages/B.md", 5, "embed cycle: A -> B -> A")]


def test_cycle_of_length_three() -> None:
    graph = graph_of(embedding("pages/A.md", ("B", 2)), embedding("pages/B.md", ("C", 3)),
                     embedding("pages/C.md", ("A", 4)))
    assert cycles(graph) == [("pages/C.md", 4, "embed cycle: A -> B -> C -> A")]
    diagnostic = next(d for d in graph.diagnostics if d.code == "embed-cycle")
    assert diagnostic.severity.value == "error"


def test_each_elementary_cycle_is_reported_once() -> None:
    graph = graph_of(embedding("pages/A.md", ("B", 1)),
                     embedding("pages/B.md", ("A", 1), ("C", 2)),
                     embedding("pages/C.md", ("B", 1)))
    assert sorted(m for _, _, m in cycles(graph)) == [
        "embed cycle: A -> B -> A", "embed cycle: B -> C -> B"]


def test_a_chain_without_a_way_back_is_no_cycle() -> None:
    graph = graph_of(embedding("pages/A.md", ("B", 1)), embedding("pages/B.md", ("C", 1)),
                     page("pages/C.md"))
    assert cycles(graph) == []


def test_block_embed_only_cycles_when_the_block_leads_back() -> None:
    # B's block 0 (the embedded one) is plain; B's block 1 embeds A: no cycle, because
    # A shows only block 0 of B.
    a = page("pages/A.md", blocks=(block(0, 1, "x", refs=(
        ref(line=1, kind=RefKind.EMBED, block_id=UUID_X),)),))
    b = page("pages/B.md", blocks=(block(0, 1, "quiet", block_id=UUID_X),
                                   block(1, 2, "loud", refs=(embed("A", 2),))))
    assert cycles(graph_of(a, b)) == []
    # Now the embed of A sits under the embedded block: A -> B's block -> A.
    b_child = page("pages/B.md", blocks=(
        block(0, 1, "quiet", block_id=UUID_X),
        block(1, 2, "child", parent=0, depth=1, refs=(embed("A", 2),))))
    assert cycles(graph_of(a, b_child)) == [
        ("pages/B.md", 2, f"embed cycle: A -> B#^{UUID_X} -> A")]


def test_block_embedding_its_own_ancestor() -> None:
    a = page("pages/A.md", blocks=(
        block(0, 1, "parent", block_id=UUID_X),
        block(1, 2, "child", parent=0, depth=1, refs=(
            ref(line=2, kind=RefKind.EMBED, block_id=UUID_X),))))
    assert cycles(graph_of(a)) == [("pages/A.md", 2, f"embed cycle: A#^{UUID_X} -> A#^{UUID_X}")]


def test_heading_embed_cycles_through_its_section_only() -> None:
    note = obsidian("Note.md", blocks=(
        block(0, 1, "# One", heading=1),
        block(1, 2, "in one", refs=(ref("Other", 2, RefKind.EMBED),)),
        block(2, 3, "# Two", heading=1),
    ))
    other_two = obsidian("Other.md", blocks=(block(0, 1, "x", refs=(
        ref("Note", 1, RefKind.EMBED, subpath="Two"),)),))
    assert cycles(graph_of(note, other_two)) == []
    other_one = obsidian("Other.md", blocks=(block(0, 1, "x", refs=(
        ref("Note", 1, RefKind.EMBED, subpath="One"),)),))
    assert cycles(graph_of(note, other_one)) == [
        ("Other.md", 1, "embed cycle: Note#One -> Other -> Note#One")]


def test_inclusions_say_what_each_embed_shows() -> None:
    target = obsidian("T.md", blocks=(
        block(0, 1, "# Head", heading=1), block(1, 2, "para"),
        block(2, 3, "# Next", heading=1), block(3, 4, "tail ^b1", block_id="b1")))
    source = obsidian("S.md", refs=(
        ref("T", 1, RefKind.EMBED), ref("T", 2, RefKind.EMBED, subpath="Head"),
        ref("T", 3, RefKind.BLOCK_REF, subpath="^b1"), ref("Gone", 4, RefKind.EMBED),
        ref("T", 5, RefKind.LINK)))
    graph = graph_of(target, source)
    whole, head, block_ref, gone, link = (graph.inclusion(r) for r in graph.outgoing("s"))
    assert (whole.page, whole.blocks, whole.exists) == ("t", (0, 1, 2, 3), True)
    assert head.blocks == (0, 1)
    assert block_ref.blocks == (3,)
    assert (gone.exists, gone.blocks) == (False, ())
    assert not link.exists  # a plain link includes nothing


def test_a_comment_in_an_obsidian_code_block_is_no_heading(tmp_path: Path) -> None:
    """``    # Setup`` is indented code; ``![[Note#Setup]]`` shows the heading below it."""
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "Note.md").write_text("    # Setup\n    run()\n\n## Setup\n\nSteps.\n\n"
                                      "## Next\n", "utf-8")
    (tmp_path / "S.md").write_text("![[Note#Setup]]\n", "utf-8")
    graph = resolve(load(tmp_path, cache_dir=None))
    (embed,) = graph.outgoing("s")
    note = next(p for p in graph.kb.pages if p.name == "Note")
    shown = [note.blocks[index].content for index in graph.inclusion(embed).blocks]
    assert shown == ["Setup"]  # the heading, whose section holds "Steps."


def test_logseq_page_embed_includes_top_level_blocks() -> None:
    target = page("pages/T.md", blocks=(block(0, 1, "a"), block(1, 2, "b", parent=0, depth=1),
                                        block(2, 3, "c")))
    graph = graph_of(target, embedding("pages/S.md", ("T", 1)))
    (resolved,) = graph.outgoing("s")
    assert graph.inclusion(resolved).blocks == (0, 2)


def test_wide_embed_tree_is_no_cycle_and_fast() -> None:
    # 24 levels, each embedding the next twice: 2**24 copies if expanded, no cycle.
    pages = [embedding(f"pages/L{n}.md", (f"L{n + 1}", 1), (f"L{n + 1}", 2)) for n in range(24)]
    started = time.process_time()
    graph = graph_of(*pages, page("pages/L24.md"))
    assert cycles(graph) == []
    assert time.process_time() - started < 2


def test_long_ring_is_one_cycle_with_a_short_message() -> None:
    count = 3000
    pages = [embedding(f"pages/R{n:04}.md", (f"R{(n + 1) % count:04}", 1)) for n in range(count)]
    (found,) = cycles(graph_of(*pages))
    path, line, message = found
    assert (path, line) == ("pages/R2999.md", 1)
    assert message.startswith("embed cycle: R0000 -> R0001 -> ")
    assert message.endswith("R2998 -> R2999 -> R0000") and "more)" in message


def test_embed_cycles_from_real_files_in_both_dialects(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("- {{embed [[B]]}}\n", encoding="utf-8")
    (tmp_path / "B.md").write_text("- one\n- {{embed [[C]]}}\n", encoding="utf-8")
    (tmp_path / "C.md").write_text("- {{embed [[A]]}}\n", encoding="utf-8")
    (tmp_path / "obsidian").mkdir()
    (tmp_path / "obsidian" / "Self.md").write_text("# Self\n\n![[Self]]\n", encoding="utf-8")
    graph = resolve(load(tmp_path, cache_dir=None), Schema())
    assert cycles(graph) == [
        ("C.md", 1, "embed cycle: A -> B -> C -> A"),
        ("obsidian/Self.md", 3, "embed cycle: obsidian/Self -> obsidian/Self"),
    ]


def test_deep_outline_embed_cycle_needs_no_recursion() -> None:
    depth = 3000
    blocks = [block(0, 1, "root", block_id=UUID_X)]
    blocks += [block(n, n + 1, f"level {n}", parent=n - 1, depth=n) for n in range(1, depth)]
    blocks.append(block(depth, depth + 1, "bottom", parent=depth - 1, depth=depth, refs=(
        ref(line=depth + 1, kind=RefKind.EMBED, block_id=UUID_X),)))
    graph = graph_of(page("pages/Deep.md", blocks=tuple(blocks)))
    assert cycles(graph) == [
        ("pages/Deep.md", depth + 1, f"embed cycle: Deep#^{UUID_X} -> Deep#^{UUID_X}")]


def _check_in_fresh_interpreter(vault: Path) -> tuple[list[str], bool]:
    """The codes `check_vault` reports, and whether networkx was imported to find them."""
    script = ("import json, sys\n"
              "from kb_compiler.check import check_vault\n"
              f"found = check_vault({str(vault)!r}, cache_dir=None)\n"
              "print(json.dumps([[d.code for d in found.diagnostics],"
              " 'networkx' in sys.modules]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    codes, imported = json.loads(done.stdout)
    return codes, imported


def test_check_imports_networkx_only_for_a_cycle(tmp_path: Path) -> None:
    # networkx takes a quarter of a small vault's check to import: only a vault whose
    # embeds form a cycle needs it, to list the cycles.
    block_ref = "((66a1b2c3-0000-4000-8000-000000000001))"
    (tmp_path / "A.md").write_text(f"- {{{{embed [[B]]}}}}\n- {block_ref}\n", encoding="utf-8")
    (tmp_path / "B.md").write_text("- {{embed [[C]]}}\n", encoding="utf-8")
    (tmp_path / "C.md").write_text("- text\n  id:: 66a1b2c3-0000-4000-8000-000000000001\n",
                                   encoding="utf-8")
    codes, imported = _check_in_fresh_interpreter(tmp_path)
    assert codes == [] and not imported
    (tmp_path / "C.md").write_text("- {{embed [[A]]}}\n", encoding="utf-8")
    codes, imported = _check_in_fresh_interpreter(tmp_path)
    assert codes.count("embed-cycle") == 1 and imported
