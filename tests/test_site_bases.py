"""Obsidian Bases on the site: the published vault's category pages show the tables
Obsidian shows (facts checked by reading its notes), views are chosen by name and by the
embedding note, unpublished notes stay out, and rebuilds follow the files a base reads."""

from __future__ import annotations

import filecmp
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from kb_compiler.emit.site import BuildReport, SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.conftest import KEPANO

_FIGURE = re.compile(r'<figure[^>]* class="base-view.*?</figure>|<div class="base-view.*?</div>',
                     re.S)
_TAG = re.compile(r"<[^>]+>")


def build(vault: Path, out: Path) -> BuildReport:
    return build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))


def views(page: Path) -> list[str]:
    """The base views on a site page, as HTML."""
    return _FIGURE.findall(page.read_text("utf-8"))


def rows(view: str) -> list[list[str]]:
    """A table view's body rows, each cell as text."""
    body = view.split("</thead>", 1)[1]
    return [[_TAG.sub("", cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def headings(view: str) -> list[str]:
    return re.findall(r'<th scope="col">(.*?)</th>', view)


@pytest.fixture(scope="module")
def kepano_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("kepano") / "vault"
    shutil.copytree(KEPANO, vault)
    out = tmp_path_factory.mktemp("kepano-site") / "site"
    build(vault, out)
    return out


def test_a_category_page_shows_its_base_as_a_table(kepano_site: Path) -> None:
    # Categories/Books.md embeds Books.base: notes whose categories hold [[Books]],
    # but for the template. Two references do (Out of Control, The Machine Stops).
    [view] = views(kepano_site / "categories-books.html")
    assert '<span class="base-title">Books</span>' in view
    assert headings(view) == ["Name", "Author", "length", "Year", "rating", "topics", "last"]
    assert rows(view) == [
        ["Out of Control", "Kevin Kelly", "", "1992", "7", "Emergence", "2023-09-12"],
        ["The Machine Stops", "E. M. Forster", "", "1909", "7", "Humanism", "2023-09-12"],
    ]
    # A name links to its note; an author with a note links to it, one without is text.
    assert '<a class="internal" href="references-out-of-control.html">Out of Control</a>' \
        in view
    assert '<a class="internal" href="references-kevin-kelly.html">Kevin Kelly</a>' in view
    assert '<span class="base-missing">E. M. Forster</span>' in view


def test_a_view_is_chosen_by_the_name_after_the_hash(kepano_site: Path) -> None:
    # Categories/Movies.md embeds Movies.base#Favorites (rating > 6) and #Last seen.
    favorites, last_seen = views(kepano_site / "categories-movies.html")
    assert '<span class="base-title">Favorites</span>' in favorites
    assert '<span class="base-title">Last seen</span>' in last_seen
    assert [row[0] for row in rows(favorites)] == ["Blade Runner"]
    assert headings(last_seen) == ["Name", "Year", "Rating", "Last", "Director", "Genre"]
    assert rows(last_seen)[0][:4] == ["Blade Runner", "1982", "7", "2023-09-14"]


def test_this_is_the_note_that_embeds_the_base(kepano_site: Path) -> None:
    # Kevin Kelly's note embeds Books.base#Author (list(author).contains(this)):
    # Out of Control is his; The Machine Stops is not.
    by_source = {re.search(r'base-source">(.*?)<', view).group(1):  # type: ignore[union-attr]
                 view for view in views(kepano_site / "references-kevin-kelly.html")}
    assert 'base-title">Author<' in by_source["Books.base"]
    assert [row[0] for row in rows(by_source["Books.base"])] == ["Out of Control"]
    # and Clippings.base#Author, his one clipping
    assert [row[0] for row in rows(by_source["Clippings.base"])] == [
        "68 Bits of Unsolicited Advice"]
    # Sci-fi is the genre of Blade Runner, Futurama and The Machine Stops.
    [genre] = views(kepano_site / "references-sci-fi.html")
    assert sorted(row[0] for row in rows(genre)) == ["Blade Runner", "Futurama",
                                                     "The Machine Stops"]
    assert headings(genre)[0] == "file name"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")


SHELF = {
    ".obsidian/app.json": "{}",
    "Shelf.md": "# Shelf\n\n![[Books.base]]\n\n![[Books.base#Covers]]\n",
    "Books.base": """\
        filters:
          and:
            - categories.contains(link("Shelf"))
        formulas:
          Age: 2000 - year
          Decade: (year / 10).floor() * 10
        properties:
          note.year:
            displayName: Published
        views:
          - type: table
            name: All books
            order: [file.name, year, formula.Age]
            sort:
              - property: year
                direction: DESC
          - type: cards
            name: Covers
            image: cover
            order: [file.name, year]
          - type: table
            name: Newest
            order: [file.name]
            sort:
              - property: year
                direction: DESC
            limit: 1
          - type: list
            name: By decade
            groupBy:
              property: formula.Decade
            order: [file.name]
        """,
    "books/Dune.md": """\
        ---
        categories: ["[[Shelf]]"]
        year: 1965
        cover: "[[dune.png]]"
        ---
        # Dune
        """,
    "books/Solaris.md": """\
        ---
        categories: ["[[Shelf]]"]
        year: 1961
        ---
        # Solaris
        """,
    "books/Secret.md": """\
        ---
        categories: ["[[Shelf]]"]
        year: 1999
        publish: false
        ---
        # Secret
        """,
    "files/dune.png": "not really a png, but a file the site copies",
    "Newest.md": "# Newest\n\n![[Books.base#Newest]]\n\n![[Books.base#By decade]]\n",
}


def test_unpublished_notes_never_appear_in_a_view(tmp_path: Path) -> None:
    write(tmp_path / "vault", SHELF)
    build(tmp_path / "vault", tmp_path / "site")
    table, cards = views(tmp_path / "site" / "shelf.html")
    assert rows(table) == [["Dune", "1965", "35"], ["Solaris", "1961", "39"]]
    assert headings(table) == ["file name", "Published", "Age"]
    assert "Secret" not in (tmp_path / "site" / "shelf.html").read_text("utf-8")
    # The cards view: Dune's cover is copied and shown, Solaris has none.
    assert cards.count('<li class="base-card">') == 2
    assert '<img class="base-picture" src="files/files/dune.png"' in cards
    assert (tmp_path / "site" / "files" / "files" / "dune.png").is_file()
    assert "base-no-picture" in cards


def test_an_embedded_base_is_drawn_and_its_file_published_only_when_linked(
        tmp_path: Path) -> None:
    """A page's backlink context showed ``![[Books.base#Newest]]`` as a link to the base's
    file, so the site published the YAML, comments and all, though the page draws the
    view (the sample vault's site held files/Artifacts.base). The context names the base;
    a link to the file as a file still publishes it."""
    files = dict(SHELF)
    files["Books.base"] = "# hide the confidential Acme Merger Plan\n" + files["Books.base"]
    files["Reading.md"] = "# Reading\n\nOn my [[Shelf]] now: ![[Books.base#Newest]]\n"
    write(tmp_path / "vault", files)
    build(tmp_path / "vault", tmp_path / "site")
    site = tmp_path / "site"
    assert [rows(view) for view in views(site / "reading.html")] == [[["Dune"]]]
    shelf = (site / "shelf.html").read_text("utf-8")
    assert '<span class="base-name">Books.base &gt; Newest</span>' in shelf
    assert "files/Books.base" not in shelf
    assert not (site / "files" / "Books.base").exists()

    (tmp_path / "vault" / "Sources.md").write_text("The view's source: [[Books.base]]\n")
    build(tmp_path / "vault", site)
    assert '<a class="asset" href="files/Books.base">Books.base</a>' in \
        (site / "sources.html").read_text("utf-8")
    assert (site / "files" / "Books.base").read_text("utf-8").startswith("# hide")


def test_a_base_that_cannot_be_read_says_why_and_the_page_still_builds(tmp_path: Path) -> None:
    files = dict(SHELF)
    files["Books.base"] = "views:\n  - type: table\n    limit: lots\n"
    files["Other.md"] = "# Other\n\n![[Missing.base]]\n"
    write(tmp_path / "vault", files)
    report = build(tmp_path / "vault", tmp_path / "site")
    [broken, _] = views(tmp_path / "site" / "shelf.html")
    assert "Books.base cannot be shown: line 3: a view&#x27;s limit is a whole number" in broken
    other = (tmp_path / "site" / "other.html").read_text("utf-8")
    assert "broken-link" in other and "Missing.base" in other
    assert report.pages == 5


def test_a_base_code_block_is_drawn_and_a_failing_filter_is_shown(tmp_path: Path) -> None:
    files = dict(SHELF)
    files["Inline.md"] = """\
        # Inline

        ```base
        filters:
          or:
            - year.nosuchmethod()
            - year < 1962
        views:
          - type: list
            name: Old books
        ```
        """
    write(tmp_path / "vault", files)
    build(tmp_path / "vault", tmp_path / "site")
    [view] = views(tmp_path / "site" / "inline.html")
    assert 'class="base-view base-list"' in view
    assert re.findall(r"<li>(.*?)</li>", view) == [
        '<a class="internal" href="books-solaris.html">Solaris</a>']
    assert "<p class=\"base-problem\">line 3: unknown method &#x27;nosuchmethod&#x27;" in view


def test_now_is_the_reproducible_build_time(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    files = dict(SHELF)
    files["Books.base"] = SHELF["Books.base"].replace("Age: 2000 - year",
                                                      "Age: now().year - year")
    write(tmp_path / "vault", files)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01
    build(tmp_path / "vault", tmp_path / "site")
    table = views(tmp_path / "site" / "shelf.html")[0]
    assert [row[2] for row in rows(table)] == ["35", "39"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1262304000")  # 2010-01-01
    build(tmp_path / "vault", tmp_path / "site")  # a rebuild: the date is an input
    table = views(tmp_path / "site" / "shelf.html")[0]
    assert [row[2] for row in rows(table)] == ["45", "49"]


@pytest.mark.parametrize("change", ["a note joins the base", "a shown property changes",
                                    "the base file changes", "a note is made private"])
def test_a_rebuild_follows_what_the_base_reads(tmp_path: Path, change: str) -> None:
    vault, site, clean = tmp_path / "vault", tmp_path / "site", tmp_path / "clean"
    write(vault, SHELF)
    build(vault, site)
    if change == "a note joins the base":
        write(vault, {"books/Ubik.md": "---\ncategories: [\"[[Shelf]]\"]\nyear: 1969\n---\n"})
    elif change == "a shown property changes":
        dune = vault / "books" / "Dune.md"
        dune.write_text(dune.read_text("utf-8").replace("1965", "1966"), encoding="utf-8")
    elif change == "the base file changes":
        base = vault / "Books.base"
        base.write_text(base.read_text("utf-8").replace("direction: DESC", "direction: ASC"),
                        encoding="utf-8")
    else:
        dune = vault / "books" / "Dune.md"
        dune.write_text(dune.read_text("utf-8").replace("year:", "publish: false\nyear:"),
                        encoding="utf-8")
    before = (site / "shelf.html").read_text("utf-8")
    again = build(vault, site)
    build(vault, clean)
    assert again.reused > 0
    assert (site / "shelf.html").read_text("utf-8") != before
    assert filecmp.cmp(site / "shelf.html", clean / "shelf.html", shallow=False)


def test_limits_groups_and_the_row_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "vault", SHELF)
    build(tmp_path / "vault", tmp_path / "site")
    newest, by_decade = views(tmp_path / "site" / "newest.html")
    assert '<span class="base-count">1 of 2 files</span>' in newest
    assert rows(newest) == [["Dune"]]
    # Grouped by a formula: 1960 holds both books, in one group.
    assert re.findall(r'<p class="base-group">(.*?)</p>', by_decade) == ["1960"]
    assert by_decade.count("<li>") == 2
    monkeypatch.setattr("kb_compiler.emit.site.bases.MAX_ROWS", 1)
    build(tmp_path / "vault", tmp_path / "capped")
    table = views(tmp_path / "capped" / "shelf.html")[0]
    assert '<span class="base-count">1 of 2 files</span>' in table
    assert len(rows(table)) == 1
