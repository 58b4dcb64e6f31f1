"""Hypothesis strategies for hostile pages: random text built from the syntax both
dialects care about, and real pages (seeds, the hand-written test corpus, pages of the
shared corpora) mutated by byte flips, truncation, deletion, duplication and injected
brackets, braces and markup. Shared by ``tests/test_fuzz_parsers.py`` and
``fuzz/atheris_parse.py``."""

from __future__ import annotations

import functools
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"

# Pieces of syntax that change how a page is read: brackets, braces, properties,
# outline marks, fences, frontmatter, callouts, comments, markup, line ends, a BOM.
TOKENS = (
    "[[", "]]", "[", "]", "(", ")", "((", "))", "{{", "}}", "{{embed ", "{{embed [[",
    "{{embed ((", "![[", "![", "](", "#", "#[[", "^", "|", "::", "key:: ", "id:: ",
    "title:: ", "alias:: ", "tags:: ", "collapsed:: true", "- ", "\t- ", "  - ", "\t", "  ",
    "\n", "\r\n", "\r", "---\n", "```", "```py\n", "`", "~~~", "%%", "==", "> ", "> [!note]",
    "> [!tip]- ", "$$", "$", "<div>", "</div>", "<script>", "<!--", "-->", "*", "_", "\\",
    "\ufeff", "\u200b", "\x00", "\u00e2\u20ac\u2122", "\uf8ff\u00fc\u00ee\u00e7", "%2F",
    "___", "../", "/", ":", "...", "SCHEDULED: <2024-01-01>", "TODO ", "DONE ",
    "aliases:\n  - ", "tags: [", "#+BEGIN_QUOTE\n", "#+END_QUOTE",
)
INJECTIONS = (b"[[", b"]]", b"{{", b"}}", b"((", b"))", b"![[", b"{{embed [[", b"---\n", b"```",
              b"\n", b"\t", b"- ", b"::", b"\x00", b"\xff", b"\xe2\x80", b"\r", b"|", b"#",
              b"%%", b"$$", b"<")


def page_text() -> st.SearchStrategy[str]:
    """Random page text made mostly of syntax."""
    piece = st.one_of(st.sampled_from(TOKENS), st.text(max_size=6))
    return st.lists(piece, max_size=60).map("".join)


@functools.cache
def corpus_pages() -> tuple[bytes, ...]:
    """Real pages to mutate: the seeds, the hand-written test corpus, and every tenth
    small page of the two shared corpora (read only, never written)."""
    found = sorted((SHARED / "seeds").glob("*.txt"))
    found += sorted((REPO / "tests" / "corpus").rglob("*.md"))
    shared = sorted(p for p in (SHARED / "corpora").rglob("*.md")
                    if p.is_file() and p.stat().st_size < 3000)
    found += shared[::10]
    return tuple(path.read_bytes() for path in found)


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    """A real page with a few mutations applied."""
    data = bytearray(draw(st.sampled_from(corpus_pages())))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(("flip", "truncate", "inject", "delete", "duplicate")))
        if kind == "flip" and where < len(data):
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[where:]
        elif kind == "inject":
            data[where:where] = draw(st.sampled_from(INJECTIONS)) * draw(st.integers(1, 4))
        elif kind == "delete":
            del data[where:where + draw(st.integers(1, 40))]
        else:
            data[where:where] = data[where:where + draw(st.integers(1, 80))]
    return bytes(data)


def page_bytes() -> st.SearchStrategy[bytes]:
    """Any of: random syntax text (UTF-8 or Latin-1 with a BOM now and then), raw
    bytes, or a mutated real page."""
    encoded = st.tuples(page_text(), st.sampled_from(("utf-8", "latin-1", "utf-8-sig")))
    return st.one_of(
        encoded.map(lambda pair: pair[0].encode(pair[1], "replace")),
        st.binary(max_size=200),
        mutated_page(),
    )
