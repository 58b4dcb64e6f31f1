"""Logseq outlines as nested, foldable lists (without recursion, however deep), embeds
transcluded with their source and bounded, block refs, macros, and the graph pictures
(deterministic, bounded)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.body import _before_block
from kb_compiler.emit.site.graphview import (
    LAYOUT_CACHE,
    MAX_GLOBAL_NODES,
    GraphNode,
    global_graph,
    local_graph,
)
from kb_compiler.emit.site.outline import MAX_VISUAL_DEPTH, block_source, render_outline
from kb_compiler.loader import load
from kb_compiler.model import Block
from kb_compiler.parse.logseq import parse_logseq
from kb_compiler.resolve import resolve
from tests.conftest import LOGSEQ_DOCS
from tests.test_site_build import obsidian_site, own_outline

UUID = "64f1b2c3-aaaa-bbbb-cccc-1234567890ab"


def blocks_at(depths: list[int]) -> list[Block]:
    parents: list[int] = []
    made = []
    for index, depth in enumerate(depths):
        del parents[depth:]
        made.append(Block(index, parents[-1] if parents else None, depth, index + 1,
                          index + 1, f"block {index}"))
        parents.append(index)
    return made


def outline(depths: list[int], collapsed: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    return render_outline(blocks_at(depths), lambda b: b.content, lambda b: f"b{b.index}",
                          lambda b: b.index in collapsed)


def test_nesting_follows_depths() -> None:
    markup = outline([0, 1, 2, 1, 0])
    assert markup == (
        '<ul class="outline">'
        '<li class="block" id="b0"><div class="block-row"><button class="bullet" type="button" '
        'aria-expanded="true" aria-label="Fold or unfold this block"></button>'
        '<div class="block-content">block 0</div></div><ul class="children">'
        '<li class="block" id="b1"><div class="block-row"><button class="bullet" type="button" '
        'aria-expanded="true" aria-label="Fold or unfold this block"></button>'
        '<div class="block-content">block 1</div></div><ul class="children">'
        '<li class="block" id="b2"><div class="block-row"><span class="bullet" aria-hidden="true">'
        '</span><div class="block-content">block 2</div></div></li></ul></li>'
        '<li class="block" id="b3"><div class="block-row"><span class="bullet" aria-hidden="true">'
        '</span><div class="block-content">block 3</div></div></li></ul></li>'
        '<li class="block" id="b4"><div class="block-row"><span class="bullet" aria-hidden="true">'
        '</span><div class="block-content">block 4</div></div></li></ul>'
    )


def test_collapsed_blocks_start_folded() -> None:
    markup = outline([0, 1], collapsed={0})
    assert '<li class="block collapsed" id="b0">' in markup and 'aria-expanded="false"' in markup


def test_ten_thousand_levels_render_without_recursion() -> None:
    markup = outline(list(range(10_000)))
    assert markup.count("<li") == 10_000
    assert markup.count("<ul") == markup.count("</ul>") == MAX_VISUAL_DEPTH + 1
    assert markup.count("<li") == markup.count("</li>")


def test_block_source_takes_markers_drawers_and_heading_property() -> None:
    page = parse_logseq("pages/p.md", "- TODO [#A] TODO write it\n  heading:: 2\n  :LOGBOOK:\n"
                        "  CLOCK: x\n  :END:\n  more\n", ParseOptions(), default_name="p")
    text, marker, priority = block_source(page.blocks[0])
    assert (marker, priority) == ("TODO", "A")
    assert text == "## TODO write it\nmore"


def test_tasks_show_their_marker_and_priority(tmp_path: Path) -> None:
    """The parser takes a task's marker and priority off its text (Logseq shows them as a
    checkbox and a badge); the site read them from the text, so no task on a built page
    showed either (Logseq's docs graph: 37 tasks). Org headings are tasks too."""
    vault = write(tmp_path / "vault", {
        "logseq/config.edn": "{}\n",
        "pages/Tasks.md": "- LATER do grocery\n- DONE [#A] watch\n- [#B] only a priority\n",
        "pages/Org.org": "* TODO org task\n* DONE [#C] done one\n** plain\n",
    })
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    # the badges open the block's first line: inside its paragraph (or Org text)
    badges = re.compile(r'(<div class="task-closed">)?<(?:p|div class="org-text")>'
                        r'<span class="block-badges">((?:<span [^>]*>[^<]*</span> )*)</span>'
                        r'([^<]*)</(?:p|div)>')

    def shown(page: str) -> list[tuple[bool, list[str], str]]:
        html = (tmp_path / "site" / page).read_text("utf-8")
        return [(bool(found.group(1)), re.sub(r"<[^>]+>", " ", found.group(2)).split(),
                 found.group(3)) for found in badges.finditer(html)]

    assert shown("tasks.html") == [(False, ["LATER"], "do grocery"),
                                   (True, ["DONE", "A"], "watch"),
                                   (False, ["B"], "only a priority")]
    assert shown("org.html") == [(False, ["TODO"], "org task"), (True, ["DONE", "C"], "done one")]


def write(root: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_embeds_block_refs_and_macros_in_a_built_page(tmp_path: Path) -> None:
    vault = write(tmp_path / "vault", {
        "Host.md": f"""\
            - host text
            - {{{{embed [[Guest]]}}}}
            - ref (({UUID})) and {{{{embed (({UUID}))}}}}
            - {{{{youtube https://www.youtube.com/watch?v=abcdefghijk}}}} {{{{query (todo later)}}}}
            - self {{{{embed [[Host]]}}}}
            """,
        "Guest.md": f"""\
            - guest block
              id:: {UUID}
            - guest embeds back {{{{embed [[Host]]}}}}
            - LATER read the guest book
            """,
    })
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    host = (tmp_path / "site" / "host.html").read_text("utf-8")
    body = host.split('class="note-body', 1)[1].split("</article>", 1)[0]
    # the guest page is transcluded with a link to its source
    assert '<a class="embed-source" href="guest.html"' in body and "guest block" in body
    # the guest embeds the host back: a cycle note, not an endless page
    assert "Embed cycle: Host \u2192 Guest \u2192 Host" in body
    assert body.count("Embed cycle:") == 2  # the guest's embed of Host, and Host's own
    # block ref: the block's text, linking to the block on its page
    ref = r'<a class="block-ref" href="guest\.html#block-' + UUID + r'"[^>]*>guest block</a>'
    assert re.search(ref, body)
    # macros: a video is a link, a query shows what it finds, under its page
    assert 'href="https://www.youtube.com/watch?v=abcdefghijk"' in body
    assert re.search(r'<code class="query-source">\{\{query \(todo later\)\}\}</code> '
                     r'<span class="query-count">1 block</span></span> <span class="query-group">'
                     r'<a class="query-page internal" href="guest.html">Guest</a> '
                     r'<span class="query-item"><a class="block-ref" href="guest.html#b\d+"[^>]*>'
                     r"read the guest book</a>", body)
    guest = (tmp_path / "site" / "guest.html").read_text("utf-8")
    assert f'id="block-{UUID}"' in guest


def test_a_page_embeds_its_own_parts_and_only_a_part_that_leads_back_is_a_cycle(
        tmp_path: Path) -> None:
    """An embed of the note's own section or block that does not hold the embed is
    shown, as Obsidian and Logseq show it (and as ``kbc check`` finds no cycle); it was
    drawn as "Embed cycle: Self → Self"."""
    site = obsidian_site(tmp_path / "obsidian", {"Self.md": (
        "# Top\n\n![[#Part]]\n\n![[Self#^blk]]\n\n## Part\n\npart text\n\n"
        "block text ^blk\n\n## Loop\n\n![[#Loop]]\n")})
    body = _note_body(site / "self.html")
    assert body.count("part text") == 2
    assert body.count("block text") == 3  # its own, in the section's embed and its own embed
    assert body.count("Embed cycle:") == 1  # the section that embeds itself
    vault = write(tmp_path / "logseq" / "vault", {"Self.md": f"""\
        - the key block
          id:: {UUID}
        - shown again: {{{{embed (({UUID}))}}}}
        """})
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "logseq" / "site",
               SiteOptions(search=False))
    body = _note_body(tmp_path / "logseq" / "site" / "self.html")
    assert body.count("the key block") == 2 and "Embed cycle:" not in body


def _note_body(page: Path) -> str:
    return page.read_text("utf-8").split('class="note-body', 1)[1].split("</article>", 1)[0]


def test_graphs_are_deterministic_and_bounded() -> None:
    nodes = [GraphNode(f"p{n:04d}", f"Page {n}", f"p{n}.html", "t" if n % 2 else None)
             for n in range(MAX_GLOBAL_NODES + 50)]
    edges = [(f"p{n:04d}", f"p{(n * 7) % len(nodes):04d}") for n in range(len(nodes))]
    first, omitted = global_graph(nodes, edges)
    second, _ = global_graph(list(reversed(nodes)), list(reversed(edges)))
    assert first == second and omitted == 50
    assert first.count('<g class="node ') == MAX_GLOBAL_NODES
    center = GraphNode("c", "Center", None, current=True)
    ring = local_graph(center, nodes[:5], [("c", n.id) for n in nodes[:5]])
    assert ring.count("<line") == 5 and 'class="node gn current labelled"' in ring
    assert local_graph(center, [], []) == ""


def test_a_page_excluded_from_graph_view_is_left_out_of_the_global_graph(
        tmp_path: Path) -> None:
    """``exclude-from-graph-view:: true`` (Logseq's built-in page property) was ignored:
    the page was a node of graph.html. As in Logseq, it stays in the local graphs (the
    app's page graph ignores the property) and in ``kbc graph``'s data."""
    from tests.conftest import TRIPLE_LOWBAR, write_vault

    vault = write_vault(tmp_path / "vault", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/Macros.md": "exclude-from-graph-view:: true\n\n- uses [[Home]]\n",
        "pages/Home.md": "- see [[Macros]] and [[Other]]\n",
        "pages/Other.md": "exclude-from-graph-view:: false\n\n- back to [[Home]]\n",
    })
    graph = resolve(load(vault, cache_dir=None))
    build_site(graph, tmp_path / "site", SiteOptions(search=False))
    site = tmp_path / "site"
    picture = (site / "graph.html").read_text("utf-8")
    assert picture.count('<g class="node ') == 2
    assert 'href="home.html"' in picture and 'href="other.html"' in picture
    assert "macros.html" not in picture and "<title>Macros</title>" not in picture
    for page in ("home.html", "macros.html"):  # a page's own graph still shows the link
        local = (site / page).read_text("utf-8").split('class="graph graph-local"', 1)[1]
        assert "<title>Macros</title>" in local and "<title>Home</title>" in local
    assert "macros" in graph.graph


def test_cached_global_layout_is_drawn_without_networkx(tmp_path: Path) -> None:
    # networkx is imported only to lay a graph out: a rebuild whose site graph is
    # unchanged draws it from the cached layout, the same picture, without importing it.
    script = textwrap.dedent("""
        import hashlib, json, sys
        from pathlib import Path
        from kb_compiler.emit.site.graphview import GraphNode, global_graph
        nodes = [GraphNode(f"p{n}", f"Page {n}", f"p{n}.html") for n in range(30)]
        svg, _ = global_graph(nodes, [(f"p{n}", f"p{(n * 7) % 30}") for n in range(30)],
                              Path(sys.argv[1]))
        print(json.dumps([hashlib.sha1(svg.encode()).hexdigest(), "networkx" in sys.modules]))
    """)
    env = {**os.environ, "KBC_CACHE_DIR": str(tmp_path / "cache")}

    def drawn() -> tuple[str, bool]:
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "cache")],
                              env=env, capture_output=True, text=True, check=True)
        picture, imported = json.loads(done.stdout)
        return picture, imported

    first, second = drawn(), drawn()
    assert first[1] and not second[1]
    assert first[0] == second[0]


def test_a_damaged_cached_layout_is_laid_out_again(tmp_path: Path) -> None:
    """A layout file missing a node made every later build fail with a traceback
    (KeyError) until it was deleted by hand."""
    nodes = [GraphNode(f"p{n}", f"Page {n}", f"p{n}.html") for n in range(12)]
    edges = [(f"p{n}", f"p{(n * 5) % 12}") for n in range(12)]
    first, _ = global_graph(nodes, edges, tmp_path)
    stored = tmp_path / LAYOUT_CACHE
    layout = json.loads(stored.read_text("utf-8"))
    layout["positions"].pop("p3")
    stored.write_text(json.dumps(layout), "utf-8")
    assert global_graph(nodes, edges, tmp_path)[0] == first
    layout["positions"]["p3"] = ["nan", 0]
    stored.write_text(json.dumps(layout), "utf-8")
    assert global_graph(nodes, edges, tmp_path)[0] == first


def test_a_cache_folder_inside_the_vault_is_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse cache refused a ``KBC_CACHE_DIR`` inside the vault, but the graph's
    layout and the compiled templates were written there (and ``kbc serve`` rebuilt on
    its own write)."""
    vault = tmp_path / "vault"
    (vault / "a.md").parent.mkdir(parents=True)
    (vault / "a.md").write_text("[[b]]\n", encoding="utf-8")
    (vault / "b.md").write_text("b\n", encoding="utf-8")
    monkeypatch.setenv("KBC_CACHE_DIR", str(vault / ".kbc-cache"))
    build_site(resolve(load(vault)), tmp_path / "site", SiteOptions(search=False))
    assert sorted(p.name for p in vault.iterdir()) == ["a.md", "b.md"]
    assert "<svg" in (tmp_path / "site/graph.html").read_text("utf-8")


def test_a_blocks_scheduled_and_deadline_dates_are_shown(tmp_path: Path) -> None:
    """Logseq's docs graph (Tasks.md) gives three blocks a date: Logseq shows each under
    its block's text ("DEADLINE: <2021-05-29 Sat>"); the site dropped them."""
    vault = tmp_path / "graph"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (vault / "pages/Tasks.md").write_bytes((LOGSEQ_DOCS / "pages/Tasks.md").read_bytes())
    out = tmp_path / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    page = (out / "tasks.html").read_text(encoding="utf-8")
    shown = re.findall(r'<div class="planning"><span class="planning-label">(\w+):</span> '
                       r'<time datetime="([\d-]+)">&lt;([^&]*)&gt;</time></div>', page)
    assert shown == [("DEADLINE", "2021-05-29", "2021-05-29 Sat"),
                     ("SCHEDULED", "2021-05-31", "2021-05-31 Mon"),
                     ("SCHEDULED", "2021-05-26", "2021-05-26 Wed 7:00 .+1d")]
    assert "<p>eg: finish reading 1984 by 29th of May</p>\n<div class=\"planning\">" in page


def test_a_date_that_is_no_day_is_shown_without_a_machine_date(tmp_path: Path) -> None:
    vault = tmp_path / "graph"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (vault / "pages/t.md").write_text(
        "- TODO x\n  SCHEDULED: <2021-13-99 Xyz>\n  DEADLINE: <soon & <b>>\n", encoding="utf-8")
    out = tmp_path / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    page = (out / "t.html").read_text(encoding="utf-8")
    assert "<time>&lt;2021-13-99 Xyz&gt;</time>" in page
    assert "<time>&lt;soon &amp; &lt;b&gt;</time>" in page


def test_a_block_ref_shows_its_block_up_to_a_code_fence(tmp_path: Path) -> None:
    """A block ref (and a query's results) shows the block's first lines as one link; a
    code fence in them showed as written (the docs graph's query of term/alias showed
    "```markdown" and the code). The fence ends the text."""
    vault = write(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/Guest.md": f"""\
            - Markdown:
              id:: {UUID}
              ```markdown
              alias:: page1
              ```
            """,
        "pages/Host.md": f"- see (({UUID}))\n- {{{{query (page guest)}}}}\n",
    })
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    host = own_outline(tmp_path / "site" / "host.html")
    link = r'<a class="block-ref" href="guest\.html#block-' + UUID + r'"[^>]*>Markdown:</a>'
    assert len(re.findall(link, host)) == 2  # the ref and the query's result
    assert "```" not in host and "alias::" not in host


def test_a_snippet_of_a_block_opening_with_code_is_its_first_line_as_code() -> None:
    assert _before_block("```python\n\nx = `y` * 2\n```\nafter", False) == "`` x = `y` * 2 ``"
    assert _before_block("~~~\n~~~", False) == ""
    assert _before_block("#+BEGIN_QUOTE\nTitle\n#+END_QUOTE", True) == "Title"
    assert _before_block("#+BEGIN_QUOTE\nTitle", False) == "#+BEGIN_QUOTE\nTitle"
    assert _before_block("text ```inline``` code\nmore", False) == "text ```inline``` code\nmore"


def test_a_macro_in_three_braces_is_the_macro(tmp_path: Path) -> None:
    """mldoc reads ``{{{name args}}}`` as a macro before ``{{...}}`` (inline.ml); the
    docs graph's videos.md writes ``{{{youtube Vw-x7yTTO0s}}}``. The site showed each as
    a macro named "{youtube" and a stray brace. An Org page's ``{{{embed [[X]] }}}``
    (Changelog_2020.org) is an embed, as the parser reads it."""
    vault = tmp_path / "graph"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (vault / "pages/videos.md").write_bytes((LOGSEQ_DOCS / "pages/videos.md").read_bytes())
    (vault / "pages/notes.org").write_text("* See\n** {{{embed [[videos]] }}}\n",
                                           encoding="utf-8")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    videos = own_outline(tmp_path / "site" / "videos.html")
    ids = re.findall(r'href="https://www\.youtube\.com/watch\?v=([\w-]+)"', videos)
    assert ids == ["Vw-x7yTTO0s", "JCIdJBZGQLQ", "_BPlbNr6hzY", "qtN7qqdeTwU", "8cZdHIgwPro"]
    assert "{" not in videos and "}" not in videos
    notes = own_outline(tmp_path / "site" / "notes.html")
    assert '<a class="embed-source" href="videos.html"' in notes and "{" not in notes


def test_a_pdf_area_highlight_shows_its_picture(tmp_path: Path) -> None:
    """Logseq keeps a PDF area highlight as a block ``[:span]`` with ``hl-type:: area``
    and shows the picture ``assets/<pdf>/<hl-page>_<id>_<hl-stamp>.png`` in its place.
    The site showed an empty span, and a block ref to it was a link with nothing to
    click; without its picture the ref shows the page's name."""
    area = "6570a0a0-0000-4000-8000-000000000002"
    lost = "6570a0a0-0000-4000-8000-000000000003"
    picture = f"assets/mydoc_123/3_{area}_1700000000000.png"
    vault = write(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/hls__mydoc_123.md": f"""\
            file:: [mydoc.pdf](../assets/mydoc_123.pdf)
            file-path:: ../assets/mydoc_123.pdf

            - [:span]
              ls-type:: annotation
              hl-page:: 3
              hl-color:: yellow
              id:: {area}
              hl-type:: area
              hl-stamp:: 1700000000000
            - [:span]
              ls-type:: annotation
              hl-page:: 4
              id:: {lost}
              hl-type:: area
              hl-stamp:: 1700000000001
            """,
        "pages/reader.md": f"- see (({area})) and (({lost}))\n",
    })
    (vault / picture).parent.mkdir(parents=True)
    (vault / picture).write_bytes(b"\x89PNG\r\n\x1a\n")
    out = tmp_path / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    shown = f'<img src="files/{picture}" alt="" loading="lazy">'
    highlights = own_outline(out / "hls__mydoc_123.html")
    assert f"<p>{shown}</p>" in highlights and "<span></span>" in highlights
    reader = own_outline(out / "reader.html")
    assert re.search(r'#block-' + area + r'"[^>]*>' + re.escape(shown) + "</a>", reader)
    assert re.search(r'#block-' + lost + r'"[^>]*>hls__mydoc_123</a>', reader)
    assert (out / "files" / picture).read_bytes() == b"\x89PNG\r\n\x1a\n"


def test_logseq_numbered_blocks_show_their_numbers(tmp_path: Path) -> None:
    """Blocks marked logseq.order-list-type:: number showed plain bullets (Logseq's docs
    page "Numbered List" is written so). Siblings in a row count 1, 2, 3; a sibling
    without the mark starts the count again; children count on their own."""
    vault = tmp_path / "docs"
    (vault / "logseq").mkdir(parents=True)
    (vault / "pages").mkdir()
    (vault / "logseq" / "config.edn").write_text("{}\n", "utf-8")
    for name in ("Numbered List.md",):
        (vault / "pages" / name).write_bytes((LOGSEQ_DOCS / "pages" / name).read_bytes())
    (vault / "pages" / "n.md").write_text(
        "- intro\n- first\n  logseq.order-list-type:: number\n- second\n"
        "  logseq.order-list-type:: number\n\t- nested\n\t  logseq.order-list-type:: number\n"
        "- plain\n- again\n  logseq.order-list-type:: number\n", "utf-8")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    shown = re.findall(r'class="bullet( numbered)?"(?: data-number="(\d+)")?[^>]*>'
                       r'</(?:span|button)><div class="block-content"><p>(\w+)',
                       (tmp_path / "site" / "n.html").read_text("utf-8"))
    assert [(text, number) for _, number, text in shown] == [
        ("intro", ""), ("first", "1"), ("second", "2"), ("nested", "1"), ("plain", ""),
        ("again", "1")]
    docs = (tmp_path / "site" / "numbered-list.html").read_text("utf-8")
    assert re.findall(r'data-number="(\d+)"', docs)[:8] == ["1", "2", "3", "1", "2", "3", "4",
                                                          "5"]


def test_a_coloured_logseq_block_is_tinted(tmp_path: Path) -> None:
    """``background-color:: yellow`` (Logseq's block colours) was hidden and not shown;
    a hex colour is taken too, anything else (which could smuggle CSS) is not."""
    from tests.conftest import write_vault
    from tests.test_site_build import build

    vault = write_vault(tmp_path / "vault", {
        "logseq/config.edn": "{}", "pages/c.md": "- plain\n- yellow\n  background-color:: yellow\n"
        '- hex\n  background_color:: "#978626"\n- bad\n  background-color:: red;x:url(a)\n'})
    build(vault, tmp_path / "site", search=False)
    items = re.findall(r'<li class="([^"]*)" id="b\d"([^>]*)>',
                       (tmp_path / "site/c.html").read_text("utf-8"))
    assert items == [("block", ""), ("block tinted", ' style="--block-bg: var(--tint-yellow)"'),
                     ("block tinted", ' style="--block-bg: #978626"'), ("block", "")]
