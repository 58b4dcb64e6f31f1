"""Publishing control: a private page's text reaches no file of the site (pages,
embeds, block refs, backlink context, previews, graph, sitemap, feed, and the
compressed search index), and links to private pages are plain text."""

from __future__ import annotations

import gzip
import textwrap
import unicodedata
import zlib
from pathlib import Path

import pytest

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.site.privacy import PublishFilter, marked_private
from kb_compiler.globs import excluded
from kb_compiler.loader import load
from kb_compiler.model import Dialect, Page, Property
from kb_compiler.resolve import resolve
from tests.site_crawl import crawl

MARKER = "ZEBRA-QUARTZ-7f3a"  # appears only in private pages
UUID = "6489a1b2-3c4d-5e6f-7890-abcdef123456"
PAGES = {
    # private, each in its own way
    "secret-logseq.md": f"""\
        public:: false
        alias:: Hidden Alias

        - {MARKER} in a private Logseq page, linking [[Public Hub]]
        - a block others point at {MARKER}-block
          id:: {UUID}
        """,
    "secret-obsidian.md": f"""\
        ---
        publish: false
        ---
        # Secret note
        {MARKER} in a private Obsidian note, linking [[Public Hub]]

        A paragraph with an id {MARKER}-para ^blk
        """,
    "marked-private.md": f"---\nprivate: true\nupdated: 2024-05-29\n---\n{MARKER} private: true\n",
    "private/excluded.md": f"{MARKER} excluded by a glob, linking [[Public Hub]]\n",
    "draft.md": f"---\ndraft: true\n---\n{MARKER} draft\n",
    # public pages that point at them every way there is
    "Public Hub.md": f"""\
        relations:: [[secret-logseq]]

        - links [[secret-logseq]] and [[secret-obsidian]] and [[private/excluded]]
        - embeds {{{{embed [[secret-logseq]]}}}}
        - refs (({UUID})) and {{{{embed (({UUID}))}}}}
        - tags #secret-logseq
        - embeds [[Public Middle]] below
          {{{{embed [[Public Middle]]}}}}
        """,
    "Public Middle.md": "updated:: 2024-05-28\n\n- middle text\n- {{embed [[secret-logseq]]}}\n",
    "Public Obsidian.md": """\
        # Public
        ![[secret-obsidian]]
        ![[secret-obsidian#^blk]]
        [[secret-obsidian#^blk]] and [md](secret-obsidian.md) and [[marked-private]]
        """,
    "kbc.toml": 'exclude = ["private/**"]\n',
}


def write_vault(root: Path) -> Path:
    for name, text in PAGES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def readable(path: Path) -> bytes:
    """A file's bytes, decompressed when it is compressed (pagefind gzips its index)."""
    data = path.read_bytes()
    for unpack in (gzip.decompress, zlib.decompress):
        try:
            return unpack(data)
        except (OSError, zlib.error, EOFError):
            continue
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = write_vault(tmp_path_factory.mktemp("private") / "vault")
    out = tmp_path_factory.mktemp("private-out") / "site"
    report = build_site(resolve(load(vault, cache_dir=None)), out,
                        SiteOptions(base_url="https://kb.example.org/"))  # with a sitemap
    assert report.private == 5 and report.search
    return out


def test_marker_is_nowhere_in_the_output(site: Path) -> None:
    checked = 0
    compressed = 0
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = readable(path)
        compressed += data != path.read_bytes()
        checked += 1
        assert MARKER.encode() not in data, path.relative_to(site)
    assert compressed > 0  # the search index was really opened
    assert checked > 20


def test_search_index_does_hold_public_text(site: Path) -> None:
    """The scan above could pass vacuously if decompressing failed: public words are
    found in the same files."""
    found = any(b"middle text" in readable(p) for p in (site / "pagefind").rglob("*")
                if p.is_file())
    assert found


def test_private_pages_have_no_files_and_no_redirects(site: Path) -> None:
    names = {p.name for p in site.glob("*.html")}
    for slug in ("secret-logseq", "secret-obsidian", "marked-private", "excluded", "draft",
                 "hidden-alias"):
        assert f"{slug}.html" not in names
    assert "public-hub.html" in names and "public-obsidian.html" in names
    assert crawl(site)[0] == []


def test_links_to_private_pages_are_plain_text(site: Path) -> None:
    hub = (site / "public-hub.html").read_text("utf-8")
    assert "<p>links secret-logseq and secret-obsidian and private/excluded</p>" in hub
    assert "refs (unpublished block) and (unpublished block)" in hub
    assert '<span class="tag tag-plain">#secret-logseq</span>' in hub
    assert "broken-link" not in hub  # unpublished is not broken
    obsidian = (site / "public-obsidian.html").read_text("utf-8")
    assert "secret-obsidian.html" not in obsidian and "broken-link" not in obsidian
    # shown as Obsidian shows a link to a block: "note > ^id"
    assert "secret-obsidian &gt; ^blk and <span>md</span> and marked-private" in obsidian


def test_private_pages_are_not_in_sitemap_feed_graph_or_tags(site: Path) -> None:
    for name in ("sitemap.xml", "feed.xml", "graph.html", "all-pages.html", "tags.html"):
        text = (site / name).read_text("utf-8")
        assert "secret-logseq.html" not in text and "secret-obsidian.html" not in text, name
        assert "marked-private.html" not in text, name  # dated, as its public neighbour


@pytest.mark.parametrize(("key", "value", "private"), [
    ("public", False, True), ("public", "false", True), ("public", True, False),
    ("publish", False, True), ("publish", "no", True), ("private", True, True),
    ("private", False, False), ("draft", True, True), ("title", "x", False),
])
def test_marked_private(key: str, value: object, private: bool) -> None:
    page = Page("a.md", "a", Dialect.OBSIDIAN, "",
                properties=(Property(key, key, str(value), value, 1),))  # type: ignore[arg-type]
    assert marked_private(page) is private


def test_exclude_globs() -> None:
    assert excluded("private/a.md", ["private/**"])
    assert excluded("private/deep/b.md", ["private/"])
    assert excluded("notes/draft-1.md", ["*/draft-*"])
    assert not excluded("public/a.md", ["private/**"])
    assert not excluded("privateer.md", ["private/**"])
    # a name without "/" at any depth, as ignore reads it: in a Logseq graph every page
    # is under pages/, and `exclude = ["secret.md", "drafts"]` published both
    assert excluded("pages/secret.md", ["secret.md"])
    assert excluded("pages/drafts/plan.md", ["drafts"])
    assert not excluded("pages/secrets.md", ["secret.md"])
    # a folder name macOS stored decomposed, excluded as typed (composed)
    decomposed = unicodedata.normalize("NFD", "Café/menu.md")
    assert excluded(decomposed, ["Café/**"]) and excluded("Café/menu.md", [decomposed])
    filter_ = PublishFilter(frozenset({"a"}))
    assert not filter_.is_public("a") and filter_.is_public("b") and not filter_.is_public(None)


def test_a_private_part_leaves_its_parents_roll_up(tmp_path: Path) -> None:
    """The site's roll-ups count published pages only: a private part's score counted
    in its parent's ring (22.5 beside a score of 40, no part listed), from which the
    private score could be worked out. ``kbc scores`` still counts every page."""
    vault = tmp_path / "vault"
    for name, text in {
        "art.md": "- key A\n  key-weight:: 50\n  value:: 40\n",
        "art___secret.md": "public:: false\nweight:: 100\n\n- k\n  key-weight:: 10\n"
                           "  value:: 5\n",
        "art___open.md": "weight:: 100\n\n- k\n  key-weight:: 10\n  value:: 60\n"}.items():
        (vault / name).parent.mkdir(parents=True, exist_ok=True)
        (vault / name).write_text(text, "utf-8")
    graph = resolve(load(vault, cache_dir=None))
    assert graph.score("art").rollup == 35.0  # (100*40 + 100*5 + 100*60) / 300
    build_site(graph, tmp_path / "site", SiteOptions(search=False))
    for name in ("art.html", "index.html"):
        html = (tmp_path / "site" / name).read_text("utf-8")
        assert 'aria-label="roll-up 50"' in html and "35" not in html
    assert 'aria-label="score 60"' in (tmp_path / "site" / "art.html").read_text("utf-8")


def test_files_in_an_excluded_folder_stay_off_the_site(tmp_path: Path) -> None:
    """A Base view lists every file of the vault, and it listed and copied the files of
    an excluded folder; a published page's embed of one copied it too."""
    from tests.conftest import write_vault as write_files

    vault = write_files(tmp_path / "vault", {
        ".obsidian/app.json": "{}", "kbc.toml": 'exclude = ["Private/**"]\n',
        "Books.base": "views:\n  - type: table\n    name: All\n",
        "Home.md": "![[Books.base]]\n\n![[photo.png]] [doc](Private/doc.pdf)\n",
        "Private/Note.md": f"{MARKER}\n", "Private/doc.pdf": "%PDF-1.4",
        "Private/photo.png": "png", "Private/notes.txt": "text",
        "assets/shown.png": "png"})
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
               SiteOptions(search=False))
    files = sorted(path.relative_to(tmp_path / "site/files").as_posix()
                   for path in (tmp_path / "site/files").rglob("*") if path.is_file())
    assert files == ["Books.base", "assets/shown.png"]
    home = (tmp_path / "site/home.html").read_text("utf-8")
    assert "Private/" not in home
    assert home.count('title="not published: the exclude setting keeps it off the '
                      'site"') == 2


# A Logseq graph that is private by default: only `public:: true` pages are shared.
LOGSEQ_PRIVATE = "OKAPI-TUNDRA-41c9"  # appears only in pages that are not public:: true
LOGSEQ_UUID = "65a0b1c2-0000-4000-8000-0000000000c1"
LOGSEQ_GRAPH = {
    "pages/Shared.md": f"""\
        public:: true

        - links [[Diary]], [[Unsure]] and [[Excluded]]
        - embeds {{{{embed [[Diary]]}}}}
        - refs (({LOGSEQ_UUID})) and tags #Diary
        - the open day [[Jan 17th, 2024]] and the closed day [[Jan 16th, 2024]]
        """,
    "pages/Diary.md": f"""\
        - {LOGSEQ_PRIVATE} my diary, linking [[Shared]]
        - a block the shared page quotes {LOGSEQ_PRIVATE}-block
          id:: {LOGSEQ_UUID}
        """,
    "pages/Unsure.md": f"public:: maybe\n\n- {LOGSEQ_PRIVATE} not explicitly public\n",
    "pages/Excluded.md": f"public:: true\n\n- {LOGSEQ_PRIVATE} public, but excluded\n",
    "journals/2024_01_16.md": f"- {LOGSEQ_PRIVATE} journal thoughts on [[Shared]]\n",
    "journals/2024_01_17.md": "public:: true\n\n- an open day, on [[Shared]]\n",
    "kbc.toml": 'exclude = ["pages/Excluded.md"]\n',
}


def _logseq_graph(root: Path, all_pages_public: str | None) -> Path:
    from tests.conftest import write_vault as write_files

    setting = "" if all_pages_public is None \
        else f"\n :publishing/all-pages-public? {all_pages_public}"
    files = {name: textwrap.dedent(text) for name, text in LOGSEQ_GRAPH.items()}
    files["logseq/config.edn"] = "{:file/name-format :triple-lowbar" + setting + "}\n"
    return write_files(root, files)


def _assert_nothing_private(site: Path) -> None:
    for path in sorted(site.rglob("*")):
        if path.is_file():
            assert LOGSEQ_PRIVATE.encode() not in readable(path), path.relative_to(site)
    names = {p.name for p in site.glob("*.html")}
    assert {"shared.html", "jan-17th-2024.html"} <= names
    assert not names & {"diary.html", "unsure.html", "excluded.html", "jan-16th-2024.html"}
    assert crawl(site)[0] == []


def test_a_logseq_graph_not_public_by_default_publishes_only_public_pages(
        tmp_path: Path) -> None:
    """``:publishing/all-pages-public? false`` was ignored and every page was
    published: only pages saying ``public:: true`` (journals too) reach the site, and
    nothing else of the others, through any emitter (search index included)."""
    vault = _logseq_graph(tmp_path / "vault", "false")
    report = build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
                        SiteOptions())
    assert report.private == 4 and report.search
    _assert_nothing_private(tmp_path / "site")
    shared = (tmp_path / "site/shared.html").read_text("utf-8")
    assert "<p>links Diary, Unsure and Excluded</p>" in shared
    assert "refs (unpublished block)" in shared and "broken-link" not in shared
    assert 'href="jan-17th-2024.html"' in shared
    search = [readable(p) for p in (tmp_path / "site/pagefind").rglob("*") if p.is_file()]
    assert any(b"an open day" in data for data in search)  # the index was really read


@pytest.mark.parametrize("all_pages_public", [None, "true"])
def test_a_logseq_graph_public_by_default_keeps_publishing_every_page(
        tmp_path: Path, all_pages_public: str | None) -> None:
    """Without the key (or with it true) every page not marked private is published,
    as before."""
    vault = _logseq_graph(tmp_path / "vault", all_pages_public)
    report = build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
                        SiteOptions(search=False))
    assert report.private == 1  # the excluded page
    names = {p.name for p in (tmp_path / "site").glob("*.html")}
    assert {"diary.html", "unsure.html", "jan-16th-2024.html", "shared.html"} <= names
    assert "excluded.html" not in names


def test_turning_all_pages_public_off_removes_the_pages_from_the_last_site(
        tmp_path: Path) -> None:
    """The pages a rebuild no longer publishes, with none of their text changed, leave
    the site the last build wrote into the same folder."""
    vault = _logseq_graph(tmp_path / "vault", None)
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
               SiteOptions(search=False))
    assert (tmp_path / "site/diary.html").is_file()
    _logseq_graph(vault, "false")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
               SiteOptions(search=False))
    _assert_nothing_private(tmp_path / "site")


def test_a_broken_links_suggestion_never_names_a_private_page(tmp_path: Path) -> None:
    """"did you mean 'Quarterly layoffs plan'?" on a public page named a page kept off
    the site, in the link's title and in the broken-links panel. A suggestion of a
    published page is still offered, and publishing the page offers it on a rebuild."""
    from tests.conftest import write_vault as write_files

    files = {".obsidian/app.json": "{}",
             "Quarterly layoffs plan.md": "---\npublish: false\n---\nsecret\n",
             "Quarterly report.md": "plans\n",
             "Pub.md": "See [[Quarterly layoff plan]] and [[Quartely report]].\n"}
    vault = write_files(tmp_path / "vault", files)
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
               SiteOptions(search=False))
    html = (tmp_path / "site/pub.html").read_text("utf-8")
    assert "layoffs" not in html.lower()
    assert "did you mean \u2018Quarterly report\u2019?" in html
    write_files(vault, {"Quarterly layoffs plan.md": "secret no more\n"})
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
               SiteOptions(search=False))
    html = (tmp_path / "site/pub.html").read_text("utf-8")
    assert "did you mean \u2018Quarterly layoffs plan\u2019?" in html
