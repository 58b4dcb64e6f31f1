"""Logseq whiteboards (``whiteboards/*.edn``) are pages, as in Logseq: named by their
``:pages`` entry, their shapes' and blocks' uuids found by ``((uuid))`` refs, the words
on them read as Logseq text at their place in the file. A file that does not read is
one error at the file, and the other boards are read all the same."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.check import check_vault
from kb_compiler.loader import load
from kb_compiler.model import RefKind
from kb_compiler.resolve import resolve
from tests.conftest import TRIPLE_LOWBAR, write_vault

STICKY = "65a0b1c2-0000-4000-8000-0000000000b1"
# The file Logseq writes for a board holding one block with a link (audit finding 1).
PLAN_BOARD = f"""{{:blocks ({{:block/content "A sticky note about [[Bar]]" :block/format :markdown
           :block/uuid #uuid "{STICKY}"
           :block/properties {{:ls-type :whiteboard-shape
                              :logseq.tldraw.shape {{:type "logseq-portal" :id "{STICKY}"
                                                    :blockType "B"}}}}}})
 :pages ({{:block/format :markdown :block/name "plan board" :block/original-name "Plan Board"
          :block/type "whiteboard" :block/properties {{:ls-type :whiteboard-page}}}})}}
"""
BOARDS = f"""- see [[Plan Board]]
- ref (({STICKY}))
- embed {{{{embed [[Plan Board]]}}}}
- its file [board](../whiteboards/Plan%20Board.edn)
"""


def plan_board_graph(root: Path) -> Path:
    return write_vault(root, {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "whiteboards/Plan Board.edn": PLAN_BOARD,
        "pages/Bar.md": "- Bar\n",
        "pages/boards.md": BOARDS,
    })


def problems(vault: Path) -> list[str]:
    return [str(d) for d in check_vault(vault, cache_dir=None).diagnostics]


def test_a_board_is_a_page_that_links_refs_and_embeds_find(tmp_path: Path) -> None:
    """``[[Plan Board]]``, a ref to its sticky note and an embed of it were three false
    errors, the board an empty placeholder page, its link to Bar in no backlinks. A
    Markdown link to its file lands on the board too (it was an asset)."""
    vault = plan_board_graph(tmp_path / "graph")
    assert problems(vault) == []
    graph = resolve(load(vault, cache_dir=None))
    board = graph.page("plan board")
    assert board is not None and board.name == "Plan Board"
    assert board.path == "whiteboards/Plan Board.edn"
    assert [(b.block_id, b.content) for b in board.blocks] == [
        (STICKY, "A sticky note about [[Bar]]")]
    landed = [(r.ref.kind, r.target.page, r.target.block) for r in graph.outgoing("boards")]
    assert landed == [(RefKind.LINK, "plan board", None), (RefKind.BLOCK_REF, "plan board", 0),
                      (RefKind.EMBED, "plan board", None), (RefKind.LINK, "plan board", None)]
    assert [(r.source, r.ref.line) for r in graph.backlinks("bar")] == [("plan board", 1)]


SHAPES = """{:blocks ({:block/properties {:ls-type :whiteboard-shape
   :logseq.tldraw.shape {:type "text" :id "65A0B1C2-0000-4000-8000-0000000000C2"
    :text "say \\"hi\\"\\tthen [[Nope]] and #tag\\nsecond row [[Bar]]"
    :refs ["Bar" "65a0b1c2-0000-4000-8000-0000000000d1" "Gone"]}}}
  {:block/properties {:ls-type :whiteboard-shape
   :logseq.tldraw.shape {:type "logseq-portal" :id "p1" :blockType "P" :pageId "Missing"}}}
  {:block/uuid #uuid "65a0b1c2-0000-4000-8000-0000000000d1" :block/content "on [[x.md]]"}
  {:block/properties {:ls-type :whiteboard-shape
   :logseq.tldraw.shape {:type "logseq-portal" :id "p2" :blockType "B"
                         :pageId "65a0b1c2-0000-4000-8000-0000000000d1"}}}
  {:block/properties {:ls-type :whiteboard-shape
   :logseq.tldraw.shape {:type "line" :id "65a0b1c2-0000-4000-8000-0000000000c3"}}})
 :pages ({:block/name "shapes"})}
"""


def test_the_words_on_a_board_are_read_where_the_file_holds_them(tmp_path: Path) -> None:
    """A text shape's text, escapes and all (its typed links no references, as in
    Logseq; the pages and blocks its link button names are), a portal to a page, a
    drawing's uuid; a board named by ``:block/name`` only, or by nothing but its file
    name."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "whiteboards/Shapes.edn": SHAPES,
        "whiteboards/Un___named.edn": '{:blocks () :pages ()}',
        "pages/Bar.md": "- Bar\n- the line ((65a0b1c2-0000-4000-8000-0000000000c3))\n"
                        "- the text ((65a0b1c2-0000-4000-8000-0000000000c2)) [[Un/named]]\n",
    })
    text_row = SHAPES.split("\n")[2]
    portal_row = SHAPES.split("\n")[5]
    block_row = SHAPES.split("\n")[6]
    assert problems(vault) == [
        f"whiteboards/Shapes.edn:3:{text_row.index('say') + 1}: error[broken-link] "
        "page 'Gone' does not exist",
        f"whiteboards/Shapes.edn:6:{portal_row.index('Missing') + 1}: error[broken-link] "
        "page 'Missing' does not exist",
        # Markdown text, where [[x.md]] names a page, as mldoc reads it
        f"whiteboards/Shapes.edn:7:{block_row.index('[[x.md]]') + 1}: error[broken-link] "
        "page 'x.md' does not exist",
    ]
    graph = resolve(load(vault, cache_dir=None))
    board = graph.page("shapes")
    assert board is not None and board.name == "shapes"
    assert [(b.line, b.content) for b in board.blocks] == [
        (3, 'say "hi"\tthen [[Nope]] and #tag\nsecond row [[Bar]]'), (6, "[[Missing]]"),
        (7, "on [[x.md]]"), (9, ""), (12, "")]  # a portal to its own block says nothing
    assert [(r.ref.target, r.ref.line) for r in graph.backlinks("bar")] == [("Bar", 3)]
    assert [(r.ref.kind, r.target.block) for r in graph.outgoing("shapes")][:3] == [
        (RefKind.LINK, None), (RefKind.BLOCK_REF, 2), (RefKind.LINK, None)]
    assert graph.page("un/named") is not None


def test_a_board_that_does_not_read_is_one_error_and_the_others_are_read(
        tmp_path: Path) -> None:
    """A truncated file and one that is no whiteboard map: an error at each file, no
    traceback, and the board beside them still a page."""
    vault = plan_board_graph(tmp_path / "graph")
    write_vault(vault, {
        "whiteboards/Cut.edn": '{:blocks ({:block/content "[[Bar]]"\n',
        "whiteboards/List.edn": "[1 2 3]\n",
        "pages/more.md": "- [[Cut]] [[List]]\n",
    })
    assert problems(vault) == [
        "whiteboards/Cut.edn:1: error[invalid-whiteboard] the whiteboard does not read as "
        "EDN: unterminated '{'; the board is a page without its shapes",
        "whiteboards/List.edn: error[invalid-whiteboard] not a whiteboard: Logseq's map of "
        ":pages and :blocks was expected; the board is a page without its shapes",
    ]
