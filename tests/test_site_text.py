"""The site's text as it is read without the style sheet (feed summaries, hover
previews, the search index, cut snippets): words the page shows apart stay apart."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.body import plain_snippet
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import write_vault
from tests.test_site_search import all_fragments


def previews(site: Path) -> dict[str, str]:
    """slug -> the hover preview's text, from every previews/<n>.js."""
    found: dict[str, str] = {}
    for shard in (site / "previews").glob("*.js"):
        text = shard.read_text("utf-8")
        entries = json.loads(text[text.index("kbcPreviews(") + len("kbcPreviews("):
                                  text.rindex(")")])
        found.update({slug: entry[3] for slug, entry in entries.items()})
    return found


def test_task_markers_properties_queries_and_org_cells_keep_their_words_apart(
        tmp_path: Path) -> None:
    """The page shows `NOW` as a badge before "Write changelog", but the feed, the
    preview and the search index read "NOWWrite changelog" (Logseq's docs graph,
    journals/2021_02_26.md); a property's name and value, a query's count and results,
    and an Org table's head cells were glued the same way."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "journals/2021_02_26.md": (
            "- NOW Write changelog\n- LATER [#A] Plan the release\n"
            "- Reviewed draft\n  status:: pending\n"),
        "pages/Board.md": "type:: dashboard\n\n- Open tasks {{query (task NOW LATER)}}\n",
        "pages/Keys.org": "* Keys\n| Name | Shortcut |\n|---+---|\n| Undo | Ctrl-z |\n",
    })
    site = tmp_path / "site"
    build_site(resolve(load(vault, cache_dir=None)), site, SiteOptions())

    summaries = [html.unescape(text) for text in
                 re.findall(r"<summary>(.*?)</summary>", (site / "feed.xml").read_text("utf-8"))]
    shown = previews(site)
    indexed = all_fragments(site)
    journal = "feb-26th-2021"
    for text in (*summaries, shown[journal], indexed[f"/{journal}.html"]):
        assert "NOW Write changelog" in text
        assert "LATER A Plan the release" in text
    assert "status pending" in indexed[f"/{journal}.html"]
    assert "type dashboard" in indexed["/board.html"]
    assert "2 blocks Feb 26th, 2021 Write changelog Plan the release" in shown["board"]
    assert "Name Shortcut" in indexed["/keys.html"]


def test_a_cut_snippet_keeps_blocks_and_line_breaks_apart() -> None:
    """A block ref's text grown too long is cut to plain text: its paragraphs and list
    items ran together ("onetwo")."""
    assert plain_snippet("<p>one</p><p>two</p><ul><li>three</li><li>four<br>five</li></ul>"
                         "<p><strong>Says</strong>, thinks</p>") == \
        "one two three four five Says, thinks"
