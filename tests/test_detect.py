"""Dialect detection for pages in a plain folder (rule in kb_compiler/parse/detect.py)."""

from __future__ import annotations

import time

import pytest

from kb_compiler.encoding import decode
from kb_compiler.model import Dialect
from kb_compiler.parse.detect import detect_dialect
from tests.conftest import KEPANO, SEED_PAGES, SEEDS

SEED_DIALECTS = {
    "000_38f34f29e5d369f2.txt": Dialect.OBSIDIAN,  # headings, paragraphs, #profile tags
    "001_411d28a5944c4ac1.txt": Dialect.LOGSEQ,  # icon:: ... page properties
    "002_a2f3f063b3bd1eef.txt": Dialect.LOGSEQ,
    "003_7efe5d25a5a04dd3.txt": Dialect.OBSIDIAN,  # ![[Pasted image ....png|400]]
    "004_7d2d3c1807a4f909.txt": Dialect.MARKDOWN,  # plain prose
}


@pytest.mark.parametrize("seed", sorted(SEED_PAGES), ids=lambda name: SEED_PAGES[name])
def test_seed_dialects(seed):
    text = decode((SEEDS / seed).read_bytes(), seed).text
    assert detect_dialect(text) is SEED_DIALECTS[seed]


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("title:: A\n\n- one", Dialect.LOGSEQ),
        ("\n\ntags:: x, y\n", Dialect.LOGSEQ),
        ("- tags:: a\n- b", Dialect.LOGSEQ),  # page properties in a first bullet
        ("Intro\n\n{{embed [[Other]]}}\n", Dialect.LOGSEQ),
        ("See ((6489a1b2-3c4d-5e6f-7890-abcdef123456)) here.", Dialect.LOGSEQ),
        ("- a\n  id:: 6489a1b2-3c4d-5e6f-7890-abcdef123456\n", Dialect.LOGSEQ),
        ("- one\n- two\n\t- three\n  continued\n", Dialect.LOGSEQ),  # an outline
        # a paragraph at the margin after the list: Markdown, not a Logseq outline
        ("- one\n- two\n\t- three\nclosing words\n", Dialect.MARKDOWN),
        ("---\ntags: [a]\n---\n# Note\n", Dialect.OBSIDIAN),
        ("![[image.png|400]]", Dialect.OBSIDIAN),
        ("see [[Note|the note]]", Dialect.OBSIDIAN),
        ("A paragraph. ^quote-1\n", Dialect.OBSIDIAN),
        ("[[Note#^abc123]]", Dialect.OBSIDIAN),
        ("> [!warning] Careful\n> body", Dialect.OBSIDIAN),
        ("text %%hidden%% text", Dialect.OBSIDIAN),
        ("# Title\n\nParagraph with #tag.\n", Dialect.OBSIDIAN),
        ("# Title\n\nParagraph with [[Link]].\n", Dialect.OBSIDIAN),
        ("# Title\n\nJust prose, no marks. Issue #12 is closed.\n", Dialect.MARKDOWN),
        ("", Dialect.MARKDOWN),
        # Marks inside code do not count.
        ("```\n![[x]]\ntitle:: y\n```\nplain words\n", Dialect.MARKDOWN),
        ("Use `[[a|b]]` and `{{embed x}}` in code.\n", Dialect.MARKDOWN),
        # Logseq marks outnumber Obsidian ones in frontmatter pages Logseq imported.
        ("---\ntitle: T\n---\n\n- a\n  id:: 6489a1b2-3c4d-5e6f-7890-abcdef123456\n",
         Dialect.LOGSEQ),
        # Dataview-like `key:: value` inline is not at the top: no Logseq mark.
        ("# Book\n\nRead with [[Ann|Annie]]\nrating:: 5\n", Dialect.OBSIDIAN),
        # A Dataview field opening a note whose own marks are Obsidian's (a block id,
        # a callout): it was Logseq, its ^q1 and callout lost (links to them broken)
        ("rating:: 5\n\n# Book\n\nA great quote. ^q1\n\n> [!quote] Note\n> text\n",
         Dialect.OBSIDIAN),
        # ...but one stray mark does not outweigh a page's properties
        ("type:: demo\n\n- energy is mc ^2\n- more\n", Dialect.LOGSEQ),
        # A README or a CHANGELOG of headings and lists is no Logseq outline (Logseq
        # writes a heading in a bullet): NOW and TODO were task markers, #123 a tag
        ("# Project\n\nThis project does things.\n\n- install it\n- run it\n",
         Dialect.MARKDOWN),
        ("# Changelog\n\n## 1.1\n- Fixed a crash, issue #123\n- NOW faster\n",
         Dialect.MARKDOWN),
        ("- # Changelog\n- ## 1.1\n\t- Fixed a crash\n", Dialect.LOGSEQ),
    ],
)
def test_marks(text, dialect):
    assert detect_dialect(text) is dialect


def test_kepano_notes_read_as_obsidian():
    """Every note of the real Obsidian vault with any mark reads as Obsidian (the one
    exception, Readme.md, is plain prose with a Markdown link)."""
    found = {
        path.relative_to(KEPANO).as_posix(): detect_dialect(path.read_text(encoding="utf-8"))
        for path in KEPANO.rglob("*.md")
        if ".obsidian" not in path.parts
    }
    plain = {path for path, dialect in found.items() if dialect is not Dialect.OBSIDIAN}
    assert plain == {"Readme.md"}
    assert found["Readme.md"] is Dialect.MARKDOWN
    assert len(found) > 100


def test_detection_is_fast_on_hostile_sizes():
    deep = "\n".join("\t" * (level % 200) + "- x" for level in range(10_000))
    start = time.process_time()
    assert detect_dialect("x" * 5_000_000) is Dialect.MARKDOWN
    assert detect_dialect("---\n" + "a" * 5_000_000) is Dialect.MARKDOWN
    assert detect_dialect("#1" * 1_000_000) is Dialect.MARKDOWN
    assert detect_dialect(deep) is Dialect.LOGSEQ
    assert time.process_time() - start < 5
