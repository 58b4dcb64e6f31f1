"""`kbc export` and Logseq's org-style blocks: admonitions (``#+BEGIN_NOTE``...) are
callouts in Obsidian and come back as admonitions, ``#+BEGIN_QUOTE`` is a blockquote,
code and query blocks travel fenced, and nothing inside a Markdown code fence is
touched. Each converted page is read back with kbc's parser of the target dialect."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.emit.vault.org_blocks import (
    admonitions_from_callouts,
    callouts_from_admonitions,
    fence_org_blocks,
    unfence_org_blocks,
)
from kb_compiler.model import Dialect
from tests.conftest import LOGSEQ_DOCS
from tests.export_support import export, graph_of

LOGSEQ_PAGE = """\
- #+BEGIN_NOTE
  A note about [[Target]]

  its second paragraph
  #+END_NOTE
- text before
  #+begin_tip
  > quoted inside
  #+end_tip
- #+BEGIN_QUOTE
  #+BEGIN_WARNING
  nested
  #+END_WARNING
  #+END_QUOTE
- #+BEGIN_CAUTION
  #+BEGIN_SRC python
  print("[[not a link]]")
  #+END_SRC
  #+END_CAUTION
- #+BEGIN_WARNING
  first
  #+END_WARNING
  #+BEGIN_IMPORTANT
  second
  #+END_IMPORTANT
  after
"""

UNCHANGED_LOGSEQ = """\
- #+BEGIN_NOTE
  never closed
- #+BEGIN_CENTER
  centred
  #+END_CENTER
- ```markdown
  #+BEGIN_TIP
  how to write a tip
  #+END_TIP
  ```
"""

OBSIDIAN_NOTE = """\
> [!note]
> A note about [[Target]]
>
> > [!tip]
> > nested tip

> [!info]
> not a Logseq admonition

> [!warning] With a title
> kept

> [!tip]-
> folded, kept

> [!caution]
> lazy
continuation

```md
> [!note]
> documentation of the syntax
```
"""


def logseq_graph(root: Path, pages: dict[str, str]) -> Path:
    (root / "logseq").mkdir(parents=True)
    (root / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (root / "pages").mkdir()
    for name, text in pages.items():
        (root / "pages" / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def obsidian_vault(root: Path, notes: dict[str, str]) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    for name, text in notes.items():
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def test_admonitions_become_callouts_and_come_back(tmp_path: Path) -> None:
    source = logseq_graph(tmp_path / "graph", {"Page": LOGSEQ_PAGE, "Target": "- t\n"})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    written = (tmp_path / "obsidian/Page.md").read_text(encoding="utf-8")
    assert written == (
        "- > [!note]\n"
        "  > A note about [[Target]]\n"
        "  >\n"
        "  > its second paragraph\n"
        "- text before\n"
        "  > [!tip]\n"
        "  > > quoted inside\n"
        "- > > [!warning]\n"
        "  > > nested\n"
        "- > [!caution]\n"
        "  > ```logseq-org\n"
        "  > #+BEGIN_SRC python\n"
        '  > print("[[not a link]]")\n'
        "  > #+END_SRC\n"
        "  > ```\n"
        "- > [!warning]\n"  # two quotes in a row would be one: a blank line between
        "  > first\n"
        "\n"
        "  > [!important]\n"
        "  > second\n"
        "\n"
        "  after\n")  # a lazy continuation of the callout without the blank line
    note = graph_of(tmp_path / "obsidian").page("page")
    assert note is not None and note.dialect is Dialect.OBSIDIAN
    callouts = [(b.callout.type, b.callout.title) for b in note.blocks if b.callout]
    assert callouts == [("note", "Note"), ("tip", "Tip"), ("warning", "Warning"),
                        ("caution", "Caution"), ("warning", "Warning"),
                        ("important", "Important")]
    assert [r.target for r in note.references] == ["Target"]  # the fenced one is code

    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    back = (tmp_path / "back/pages/Page.md").read_text(encoding="utf-8")
    # The same blocks; the quote is Markdown's now, names are upper case, and the
    # blank lines that kept the callouts apart stay.
    assert back == LOGSEQ_PAGE.replace("#+begin_tip", "#+BEGIN_TIP").replace(
        "#+end_tip", "#+END_TIP").replace(
        "- #+BEGIN_QUOTE\n  #+BEGIN_WARNING\n  nested\n  #+END_WARNING\n  #+END_QUOTE\n",
        "- > #+BEGIN_WARNING\n  > nested\n  > #+END_WARNING\n").replace(
        "#+END_WARNING\n  #+BEGIN", "#+END_WARNING\n\n  #+BEGIN").replace(
        "#+END_IMPORTANT\n  after", "#+END_IMPORTANT\n\n  after")


def test_blocks_that_are_no_admonition_stay_as_written(tmp_path: Path) -> None:
    source = logseq_graph(tmp_path / "graph", {"Page": UNCHANGED_LOGSEQ})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/Page.md").read_text(encoding="utf-8") == UNCHANGED_LOGSEQ


def test_callouts_of_logseq_types_become_admonitions(tmp_path: Path) -> None:
    source = obsidian_vault(tmp_path / "vault", {"Note": OBSIDIAN_NOTE, "Target": "t\n"})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    written = (tmp_path / "logseq/pages/Note.md").read_text(encoding="utf-8")
    assert written == (
        "- #+BEGIN_NOTE\n"
        "  A note about [[Target]]\n"
        "\n"
        "  #+BEGIN_TIP\n"
        "  nested tip\n"
        "  #+END_TIP\n"
        "  #+END_NOTE\n"
        "- > [!info]\n"
        "  > not a Logseq admonition\n"
        "- > [!warning] With a title\n"
        "  > kept\n"
        "- > [!tip]-\n"
        "  > folded, kept\n"
        "- > [!caution]\n"
        "  > lazy\n"
        "  continuation\n"
        "- ```md\n"
        "  > [!note]\n"
        "  > documentation of the syntax\n"
        "  ```\n")
    page = graph_of(tmp_path / "logseq").page("note")
    assert page is not None and page.dialect is Dialect.LOGSEQ
    assert [r.target for r in page.references] == ["Target"]


def test_a_fenced_example_of_a_query_is_not_fenced_again(tmp_path: Path) -> None:
    """Advanced Queries.md of Logseq's docs graph shows a ``#+BEGIN_QUERY`` inside a
    Markdown fence (item 16): it is code, and the export used to fence it a second
    time, so Obsidian's fence closed early."""
    export(graph_of(LOGSEQ_DOCS), tmp_path / "obsidian", "obsidian")
    lines = (tmp_path / "obsidian/Advanced Queries.md").read_text(encoding="utf-8")
    item = lines[lines.index("- 16. Query with rules via :rules"):].split("\n")[:13]
    assert [line.strip() for line in item[1:4]] == [
        "``` clojure", "#+BEGIN_QUERY", '{:title "Blocks that start with an https link"']
    assert item[11].strip() == "```" and "logseq-org" not in "\n".join(item)


def test_hostile_nesting_and_unclosed_blocks_are_left_as_written() -> None:
    """Quotes nested a thousand deep made the conversion recurse until Python gave up
    (a traceback from ``kbc export --to logseq`` on the hostile vault); each level is
    now a pass of its own, up to ``MAX_DEPTH`` levels, and what is deeper stays as
    written. Unclosed blocks and fences stay text."""
    deep = ["> " * 1000 + "[!note]", "> " * 1000 + "deep"]
    assert admonitions_from_callouts(deep) == deep
    shallow = ["> " * 3 + "[!note]", "> " * 3 + "x"]
    assert admonitions_from_callouts(shallow) == [
        "> > #+BEGIN_NOTE", "> > x", "> > #+END_NOTE"]
    unclosed = ["#+BEGIN_NOTE", "#+BEGIN_SRC", "```logseq-org", "#+BEGIN_QUOTE"] * 5000
    assert callouts_from_admonitions(fence_org_blocks(unclosed)) == unclosed
    assert unfence_org_blocks(admonitions_from_callouts(unclosed)) == unclosed


# Lines of Logseq blocks and of Obsidian notes, made of what the conversions touch. Left
# out: Logseq text that Obsidian would read as a callout ("> [!tip]" in a Logseq quote
# becomes one), Logseq's "#+BEGIN_" lines written as text in an Obsidian note (Logseq
# reads them as blocks), and a fence left open inside a callout (the parser reads code
# to the end of the block, so the admonition's end line is code).
_LOGSEQ_LINES = st.sampled_from([
    "#+BEGIN_NOTE", "#+END_NOTE", "#+BEGIN_TIP", "#+END_TIP", "#+BEGIN_SRC", "#+END_SRC",
    "text", "", "> q", "```", "- item", "    indented", "[!note]"])
_OBSIDIAN_LINES = st.sampled_from([
    ("> [!note]",), ("> body",), (">",), ("",), ("text",), ("```",), ("> [!info]",),
    ("> > [!tip]",), ("> > x",), ("- item",), ("> [!warning] Title",),
    ("> ```", "> [!tip]", "> ```")])
EXAMPLES = int(os.environ.get("KBC_FUZZ_EXAMPLES", "1")) * 300


def _to_obsidian(texts: list[str]) -> list[str]:
    return callouts_from_admonitions(fence_org_blocks(texts))


def _to_logseq(texts: list[str]) -> list[str]:
    return unfence_org_blocks(admonitions_from_callouts(texts))


def _text_lines(texts: list[str]) -> list[str]:
    """The lines that are not blank (the conversions add blank lines between blocks
    and quote lines)."""
    return [line for line in texts if line.strip() not in ("", ">")]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.lists(_LOGSEQ_LINES, min_size=1, max_size=12))
def test_logseq_blocks_come_back_from_obsidian(texts: list[str]) -> None:
    assert _text_lines(_to_logseq(_to_obsidian(texts))) == _text_lines(texts)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(st.lists(_OBSIDIAN_LINES, min_size=1, max_size=12))
def test_obsidian_callouts_come_back_from_logseq(pieces: list[tuple[str, ...]]) -> None:
    texts = [line for piece in pieces for line in piece]
    assert _text_lines(_to_obsidian(_to_logseq(texts))) == _text_lines(texts)


def test_a_query_block_travels_unchanged(tmp_path: Path) -> None:
    """Advanced Queries.md of Logseq's docs graph builds links with ``(str "#/page/"
    tag)`` in a ``#+BEGIN_QUERY``. The export escaped that ``#`` as a tag Obsidian would
    read (``\\#/page/``), though in Obsidian the block is in a code fence, and the
    backslash came back into the query."""
    page = ('- #+BEGIN_QUERY\n  {:view (fn [tag] [:a {:href (str "#/page/" tag)} tag])}\n'
            "  #+END_QUERY\n- a \"#word\" Logseq reads no tag in\n")
    source = logseq_graph(tmp_path / "graph", {"Page": page})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    written = (tmp_path / "obsidian/Page.md").read_text(encoding="utf-8")
    assert '(str "#/page/" tag)' in written
    assert '- a "\\#word" Logseq reads no tag in' in written  # outside, escaped as before
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert (tmp_path / "back/pages/Page.md").read_text(encoding="utf-8").startswith(
        page.split("- a")[0])


def test_an_outline_twelve_levels_deep_keeps_what_follows_it(tmp_path: Path) -> None:
    """CommonMark's preset stops reading blocks 20 containers deep (ten list levels) and
    takes the rest of the note into the deepest item: an Obsidian note's items after a
    deep list became its text in Logseq, and a Logseq outline that deep did not survive
    a round trip through Obsidian. The site shows them as items too."""
    deep = "".join("\t" * level + f"- l{level}\n" for level in range(12))
    graph = logseq_graph(tmp_path / "graph", {"Deep": deep + "- after [[X]]\n- last\n"})
    export(graph_of(graph), tmp_path / "ob", "obsidian")
    export(graph_of(tmp_path / "ob"), tmp_path / "back", "logseq")
    assert (tmp_path / "back" / "pages" / "Deep.md").read_text("utf-8") == \
        (graph / "pages" / "Deep.md").read_text("utf-8")
    vault = obsidian_vault(tmp_path / "vault", {"Deep": deep + "- after [[X]]\n- last\n"})
    page = graph_of(vault).page("deep")
    assert page is not None
    depth = {block.content: block.depth for block in page.blocks}
    assert depth["after [[X]]"] == depth["last"] == depth["l0"] < depth["l11"]
    from kb_compiler.emit.site import SiteOptions, build_site
    build_site(graph_of(vault), tmp_path / "site", SiteOptions(search=False))
    html = (tmp_path / "site" / "deep.html").read_text("utf-8")
    items = re.findall(r'<li id="b\d+">(\w+)', html)
    assert items == [f"l{level}" for level in range(12)] + ["after", "last"]
    assert re.search(r"</ul>\s*</li>\s*<li[^>]*>after ", html)  # back at the top level
