"""Logseq's simple queries on the site: what ``{{query}}`` finds in Logseq's own docs
graph and in the sample vault (facts checked by reading their pages), privacy, the
query's own block, and rebuilds."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from kb_compiler.emit.site import BuildReport, SiteOptions, build_site
from kb_compiler.emit.site import queries as site_queries
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import LOGSEQ_DOCS, SAMPLE_VAULT, TRIPLE_LOWBAR, write_vault

_TAG = re.compile(r"<[^>]+>")


def build(vault: Path, out: Path) -> BuildReport:
    return build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))


def graph_with(vault: Path, name: str, text: str) -> Path:
    """A Logseq graph at ``vault`` whose one page ``name`` holds ``text``."""
    (vault / "logseq").mkdir(parents=True)
    (vault / "logseq" / "config.edn").write_text("{}", encoding="utf-8")
    (vault / "pages").mkdir()
    (vault / "pages" / name).write_text(text, encoding="utf-8")
    return vault


def found(page: Path, query: str) -> tuple[str, list[str], list[str]]:
    """What the site shows for ``{{query <query>}}`` on ``page``: its count, the text of
    each item found (a block's text, or a page's name), and the pages linked (the pages
    the blocks are grouped under, or the pages found)."""
    text = page.read_text("utf-8")
    start = text.index(f'<code class="query-source">{html.escape("{{query " + query + "}}")}')
    shown = text[start:text.index("</p>", start)]
    count = re.search(r'<span class="query-count">(.*?)</span>', shown).group(1)  # type: ignore[union-attr]
    items = [html.unescape(_TAG.sub("", item)) for item in re.findall(
        r'<span class="query-item">(.*?)</span>(?= ?<span class="query-(?:item|child)| ?</span>)',
        shown)]
    pages = [html.unescape(_TAG.sub("", name)) for name in
             re.findall(r'<a class="query-page internal" href="[^"]*">(.*?)</a>', shown)]
    return count, items, pages


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("docs") / "logseq-docs"
    shutil.copytree(LOGSEQ_DOCS, vault, symlinks=True)
    out = tmp_path_factory.mktemp("docs-site") / "site"
    build(vault, out)
    return out


def test_the_queries_of_logseqs_own_docs_find_what_their_pages_hold(docs_site: Path) -> None:
    queries = docs_site / "queries.html"
    # pages/examples.md: "NOW fix some bugs #tag1 #tag2", "DONE finish the demo #tag1",
    # "CANCELED dance with a bear #tag2".
    assert found(queries, "[[tag1]]") == (
        "2 blocks", ["fix some bugs #tag1 #tag2", "finish the demo #tag1"], ["examples"])
    assert found(queries, "(and [[tag1]] [[tag2]])")[1] == ["fix some bugs #tag1 #tag2"]
    assert found(queries, "(or [[tag1]] [[tag2]])")[0] == "3 blocks"
    assert found(queries, "(and [[tag2]] (not [[tag1]]))")[1] == ["dance with a bear #tag2"]
    assert found(queries, "(and (todo now later done) [[tag1]])")[1] == [
        "fix some bugs #tag1 #tag2", "finish the demo #tag1"]
    # pages/Properties.md: two blocks say type:: [[book]].
    assert found(queries, "(property type book)")[1] == ["How to take smart notes",
                                                          "How to solve it"]
    # pages/block_embed.md (tags:: embed) and page_embed.md (tags:: [[embed]]).
    assert found(queries, "(page-tags embed)") == ("2 pages", ["Block embed", "Page embed"],
                                                   ["Block embed", "Page embed"])
    # Nothing in the graph says related:: [[Block embed]].
    assert found(queries, '(page-property related "Block embed")')[0] == "0 pages"
    # The two journal days of December 2020 hold only their title (`title::` in front
    # matter, an empty first bullet): a block of page properties each, which Logseq's
    # query rules find like any block (its title hidden, as Logseq hides it).
    assert found(queries, "(between [[Dec 5th, 2020]] [[Dec 7th, 2020]] )") == (
        "2 blocks", [], ["Dec 5th, 2020", "Dec 7th, 2020"])


def test_a_query_the_site_cannot_run_is_shown_as_written(docs_site: Path) -> None:
    text = (docs_site / "query-builder.html").read_text("utf-8")
    assert re.search(r'<code class="macro" title="not run on the site: [^"]+">\{\{query\}\}'
                     r"</code>", text)


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    shutil.copytree(SAMPLE_VAULT, vault)
    build(vault, tmp_path / "site")
    return tmp_path


def test_the_sample_vaults_tag_page_lists_its_canvases(sample_site: Path) -> None:
    # canvas.md holds {{query (page-tags canvas)}}; three tools say tags:: tool, canvas.
    canvases = ["Business Model Canvas", "Customer Persona Canvas", "Value Proposition Canvas"]
    assert found(sample_site / "site" / "canvas.html", "(page-tags canvas)") == (
        "3 pages", canvases, canvases)


def test_private_pages_stay_out_and_a_rebuild_follows_new_pages(sample_site: Path) -> None:
    vault, site = sample_site / "vault", sample_site / "site"
    canvas = vault / "Value Proposition Canvas.md"
    canvas.write_text("public:: false\n" + canvas.read_text("utf-8"), encoding="utf-8")
    (vault / "Lean Canvas.md").write_text("tags:: tool, canvas\n\n- A one-page plan\n",
                                          encoding="utf-8")
    again = build(vault, site)
    assert again.reused > 0
    assert found(site / "canvas.html", "(page-tags canvas)")[2] == [
        "Business Model Canvas", "Customer Persona Canvas", "Lean Canvas"]
    build(vault, sample_site / "clean")
    assert (site / "canvas.html").read_bytes() == \
        (sample_site / "clean" / "canvas.html").read_bytes()


def test_a_block_found_comes_with_its_children_and_not_the_querys_own(tmp_path: Path) -> None:
    build(graph_with(tmp_path / "vault", "Reading.md",
                     "- Books about [[memory]]: {{query [[memory]]}}\n- [[memory]] palaces\n"
                     "  - method of loci\n    - Cicero's rooms\n- unrelated\n"),
          tmp_path / "site")
    page = tmp_path / "site" / "reading.html"
    # The blocks under "memory palaces" refer to memory through it (path refs): they
    # are shown under it, as Logseq does, not as results of their own.
    assert found(page, "[[memory]]")[:2] == ("1 block", ["memory palaces"])
    children = re.findall(r'<span class="query-child depth-(\d)">(.*?)</span>(?= ?<span| ?</span>)',
                          page.read_text("utf-8"))
    assert [(depth, html.unescape(_TAG.sub("", text))) for depth, text in children] == [
        ("1", "method of loci"), ("2", "Cicero's rooms")]


def test_the_docs_graphs_advanced_queries_with_simple_queries_list_their_pages(
        docs_site: Path) -> None:
    """Graph Overview.md lists each class's pages with ``#+BEGIN_QUERY {:query
    (page-property :type [[Class]]) :title "Class pages"}``: the site shows the pages
    the graph's files say ``type:: [[Class]]`` of. A Datalog query stays code."""
    overview = (docs_site / "graph-overview.html").read_text("utf-8")
    classes = sorted(
        path.stem.replace("___", "/") for path in (LOGSEQ_DOCS / "pages").glob("*.md")
        if re.search(r"^type:: .*\[\[Class\]\]", path.read_text("utf-8"), re.MULTILINE))
    assert len(classes) == 15
    start = overview.index('<span class="query-title">Class pages</span>')
    shown = overview[start:overview.index("</div>", start)]
    assert f'<span class="query-count">{len(classes)} pages</span>' in shown
    names = [html.unescape(name) for name in
             re.findall(r'<a class="query-page internal" href="[^"]*">(.*?)</a>', shown)]
    assert sorted(name.lower() for name in names) == [name.lower() for name in classes]
    # Commands: its :result-transform is code the app runs; it stays as written.
    assert "Commands</span>" not in overview and ":result-transform" in overview
    # Advanced Queries.md shows its examples in #+BEGIN_SRC blocks: code, all of them.
    advanced = (docs_site / "advanced-queries.html").read_text("utf-8")
    assert 'class="advanced-query"' not in advanced and ":find" in advanced
    # changelog_06.md runs {:title "All todos" :query (and (todo todo later done ...))}
    changelog = (docs_site / "changelog_06.html").read_text("utf-8")
    assert changelog.count('<span class="query-title">All todos</span>') == 1
    # Queries.md: {:title "Query: \"alias\"" :query "alias" :collapsed? true} starts folded
    queries = (docs_site / "queries.html").read_text("utf-8")
    assert ('<details class="advanced-query"><summary><span class="query-title">Query: '
            '&quot;alias&quot;</span></summary><span class="query"') in queries


def test_an_advanced_query_shows_its_results_under_its_title(tmp_path: Path) -> None:
    build(graph_with(tmp_path / "vault", "Tasks.md",
                     "- #+BEGIN_QUERY\n  {:title [:h3 {:onclick \"x()\"} \"Open \" "
                     "[:em \"work\"]]\n   :query (and (task todo) [[work]])}\n  #+END_QUERY\n"
                     "- TODO write the report [[work]]\n- DONE file taxes [[work]]\n"
                     "- TODO call mum\n"),
          tmp_path / "site")
    page = (tmp_path / "site" / "tasks.html").read_text("utf-8")
    start = page.index('<div class="advanced-query">')
    shown = page[start:page.index("</div>", start)]
    assert '<span class="query-title"><h3>Open <em>work</em></h3></span>' in shown
    assert '<span class="query-count">1 block</span>' in shown
    assert "write the report" in shown and "taxes" not in shown and "mum" not in shown
    assert "#+BEGIN_QUERY" not in page and "onclick" not in page


def table_rows(shown: str) -> list[list[str]]:
    """The text of each row of the first query table in ``shown``, its head first."""
    table = shown[shown.index('<span class="query-table"'):]
    table = table[:table.index("</span></span></span>") + len("</span></span>")]
    return [[html.unescape(_TAG.sub("", cell)).strip() for cell in
             re.split(r'<span class="query-cell" role="(?:cell|columnheader)">', row)[1:]]
            for row in re.split(r'<span class="query-row[^"]*" role="row">', table)[1:]]


def test_a_query_table_shows_the_columns_its_block_asks_for(docs_site: Path) -> None:
    """Graph Overview.md: ``query-table:: true`` and ``query-properties:: [:page :type
    :platforms :description :initial-version :tags]`` over the Feature pages. Math
    Block.md says ``platforms:: [[All Platforms]]`` and ``description:: Write and render
    math using https://katex.org/ syntax``."""
    overview = (docs_site / "graph-overview.html").read_text("utf-8")
    start = overview.index('<span class="query-title">Feature pages</span>')
    rows = table_rows(overview[start:overview.index('<div class="advanced-query">', start)])
    assert rows[0] == ["page", "type", "platforms", "description", "initial-version", "tags"]
    assert len(rows) == 1 + 61
    math = next(row for row in rows if row[0] == "Math Block")
    assert math[1:4] == ["Feature", "All Platforms",
                         "Write and render math using https://katex.org/ syntax"]


def test_a_query_table_sorts_as_its_block_says(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorted before the rows shown are counted off: with room for two, the two best."""
    monkeypatch.setattr(site_queries, "MAX_RESULTS", 2)
    build(graph_with(tmp_path / "vault", "Books.md",
                     "- query-table:: true\n  query-properties:: [:block :rating :page]\n"
                     "  query-sort-by:: rating\n  query-sort-desc:: true\n"
                     "  {{query (property type book)}}\n"
                     "- Ulysses\n  type:: book\n"
                     "- Dune\n  type:: book\n  rating:: 9\n"
                     "- Emma\n  type:: book\n  rating:: 10\n"
                     "- query-table:: false\n  {{query (property :type book)}}\n"),
          tmp_path / "site")
    page = (tmp_path / "site" / "books.html").read_text("utf-8")
    assert page.count('<span class="query-table"') == 1  # query-table:: false is a list
    assert table_rows(page) == [["block", "rating", "page"], ["Emma", "10", "Books"],
                                ["Dune", "9", "Books"]]


def test_a_pages_properties_are_a_block_queries_find(tmp_path: Path) -> None:
    """In Logseq a page's properties are its first block, which ``(property type book)``
    and ``[[Book]]`` find like any block; kbc's queries never saw them (0 blocks), in
    front of the first bullet or in it. The site shows such a block as its properties."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/Dune.md": "type:: [[Book]]\ntags:: reading\n- dune body\n",
        "pages/Emma.md": "- type:: [[Book]]\n- emma body\n",
        "pages/Kafka.md": "---\ntags: reading\n---\n\n-\n",
        "pages/Q.md": "- {{query [[Book]]}}\n- {{query (property type book)}}\n"
                      "- {{query [[reading]]}}\n"
                      "- {{query (and (property type book) (not [[reading]]))}}\n"})
    build(graph, tmp_path / "site")
    queries = tmp_path / "site/q.html"
    for query in ("[[Book]]", "(property type book)"):
        assert found(queries, query) == ("2 blocks", [], ["Dune", "Emma"])
    # front matter with an empty first bullet (as Logseq's docs journals are written)
    assert found(queries, "[[reading]]") == ("2 blocks", [], ["Dune", "Kafka"])
    assert found(queries, "(and (property type book) (not [[reading]]))")[2] == ["Emma"]
    shown = queries.read_text("utf-8")
    assert ('<span class="query-item query-page-properties"><span class="block-props">'
            '<span class="prop prop-refs"><span class="prop-key">type</span> <span '
            'class="prop-value"><a class="prop-link internal implied" href="book.html">Book'
            '</a></span></span></span></span>') in shown


def test_two_blocks_holding_one_query_each_draw_their_own_table(tmp_path: Path) -> None:
    """Both tables took the first block's settings: its columns in both, or, the
    blocks swapped, the second's in both."""
    vault = graph_with(tmp_path / "vault", "Q.md",
                       "- {{query (page-property type book)}}\n  query-table:: true\n"
                       "- {{query (page-property type book)}}\n  query-table:: true\n"
                       "  query-properties:: [:page :year]\n")
    (vault / "pages" / "Book1.md").write_text("type:: book\nauthor:: Ann\nyear:: 1999\n\n- b\n",
                                              encoding="utf-8")
    build(vault, tmp_path / "site")
    page = (tmp_path / "site" / "q.html").read_text("utf-8")
    first, second = page.split('<li class="block"')[1:3]
    assert table_rows(first)[0] == ["page", "type", "author", "year"]
    assert table_rows(second) == [["page", "year"], ["Book1", "1999"]]
