"""Rebuilding takes unchanged pages over from the previous site, and the result is
byte-identical to a build from scratch: after each kind of change the incremental
rebuild is compared, file by file, with a clean build of the changed vault."""

from __future__ import annotations

import filecmp
import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import kb_compiler
from kb_compiler.emit.site import BuildReport, SiteOptions, build_site
from kb_compiler.emit.site.incremental import (
    MANIFEST,
    Recorded,
    _hash,
    code_fingerprint,
    package_fingerprint,
    read_manifest,
    write_manifest,
)
from kb_compiler.loader import load
from kb_compiler.resolve import resolve

AREA = "6570a0a0-0000-4000-8000-00000000000"  # + the PDF page: an area highlight's id
PAGES = {
    "Host.md": ("- host embeds\n  {{embed [[Guest]]}}\n"
                # Lonely's backlinks show this block, with the block it quotes
                "- and refs ((6489a1b2-3c4d-5e6f-7890-abcdef123456)) near [[notes/Lonely]]\n"),
    "Guest.md": textwrap.dedent("""\
        - guest text
        - a referenced block about [[notes/Bystander]]
          id:: 6489a1b2-3c4d-5e6f-7890-abcdef123456
        - guest embeds deeper
          {{embed [[Deep]]}}
        """),
    "Deep.md": "- deep text, two embeds down from Host\n",
    "Quoter.md": ("- quotes one block of Guest\n"
                  "  {{embed ((6489a1b2-3c4d-5e6f-7890-abcdef123456))}}\n"),
    "notes/Linker.md": "# Linker\nSee [[Target#Old Heading]] and [[Lonely]] and [[New Page]].\n",
    "notes/Target.md": "# Target\n\n## Old Heading\n\nText under the heading.\n",
    "notes/Lonely.md": "# Lonely\nNobody embeds me.\n",
    "notes/Bystander.md": "# Bystander\nUnrelated to everything.\n",
    # Target's backlinks show Prose's second block, whose footnote needs the last one
    "Prose.md": ("- prose without links\n- points at [[notes/Target]], see [^1]\n"
                 "- more prose\n"),
    # Bystander's backlinks name the property Relater links from
    "Relater.md": "related:: [[notes/Bystander]]\n\n- body text\n",
    # Bystander's backlinks point at the linking heading by its id
    "notes/Anchored.md": "# Anchored\n\n## Intro\n\n## Topic [[notes/Bystander]]\n",
    # PDF area highlights show pictures they name by no link; Areas quotes both
    "hls__doc.md": "".join(
        f"- [:span]\n  hl-type:: area\n  hl-page:: {page}\n  id:: {AREA}{page}\n"
        f"  hl-stamp:: 1700000000000\n" for page in (3, 4)),
    "Areas.md": f"- (({AREA}3)) and (({AREA}4))\n",
    f"assets/doc/3_{AREA}3_1700000000000.png": "a picture",
}


def write(root: Path, pages: dict[str, str]) -> None:
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def build(vault: Path, out: Path) -> BuildReport:
    return build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def change(vault: Path) -> None:
        file = vault / path
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return change


def add(path: str, text: str) -> Callable[[Path], None]:
    return lambda vault: write(vault, {path: text})


def remove(path: str) -> Callable[[Path], None]:
    return lambda vault: (vault / path).unlink()


CHANGES = {
    "embedded page edited": edit("Guest.md", "guest text", "guest text, edited"),
    "referenced block edited": edit("Guest.md", "a referenced block", "a renamed block"),
    "linked heading renamed": edit("notes/Target.md", "Old Heading", "New Heading"),
    "page made private": edit("notes/Lonely.md", "# Lonely", "---\npublish: false\n---\n# Lonely"),
    "missing page created": add("notes/New Page.md", "# New Page\nNow it exists.\n"),
    "unrelated page edited": edit("notes/Bystander.md", "Unrelated", "Still unrelated"),
    "nested embed edited": edit("Deep.md", "deep text", "deep text, edited"),
    "nested embed removed": edit("Guest.md", "{{embed [[Deep]]}}", "no embed now"),
    "linking page edited away from its links": edit("Prose.md", "more prose",
                                                    "more prose, edited"),
    "linking block edited": edit("Prose.md", "points at", "now points at"),
    # a definition in one block changes how another renders (footnotes reach across)
    "footnote defined in another block": edit("Prose.md", "- more prose\n",
                                              "- more prose\n- [^1]: the footnote\n"),
    "linking property renamed": edit("Relater.md", "related::", "see-also::"),
    # the linking heading's id is numbered now that an earlier heading has its text
    "heading before a linking heading renamed": edit("notes/Anchored.md", "## Intro",
                                                     "## Topic notes/Bystander"),
    # Lonely's backlinks quote Guest's block, whose link to Bystander now breaks
    "page linked from a quoted block removed": remove("notes/Bystander.md"),
    # Linker's local graph colours Target by its metamodel type
    "linked page typed": edit("notes/Target.md", "# Target\n",
                              "---\nmetamodel-id: \"[[Guest]]\"\n---\n# Target\n"),
    "area highlight's picture removed": remove(f"assets/doc/3_{AREA}3_1700000000000.png"),
    "area highlight's picture added": add(f"assets/doc/4_{AREA}4_1700000000000.png", "new"),
}


OLD_FILE = "<!-- from the previous build -->"


def rendered_again(vault: Path, site: Path, change: str) -> tuple[set[str], BuildReport]:
    """The files a rebuild after ``change`` rendered anew, and its report. Each file of
    the previous site is first marked at its end, in place: a page taken over unchanged
    (a hard link) keeps the mark, one rendered again is written without it (a file
    with the very bytes of the previous one would be linked too, and so look taken over
    however many times it was rendered)."""
    before = sorted(site.glob("*.html"))
    for page in before:
        with page.open("a", encoding="utf-8") as stream:
            stream.write(OLD_FILE)
    CHANGES[change](vault)
    report = build(vault, site)
    return {page.name for page in before
            if not page.is_file() or not page.read_text("utf-8").endswith(OLD_FILE)}, report


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_rebuild_equals_a_clean_build(tmp_path: Path, change: str) -> None:
    vault = tmp_path / "vault"
    write(vault, PAGES)
    first = build(vault, tmp_path / "site")
    assert first.reused == 0
    CHANGES[change](vault)
    again = build(vault, tmp_path / "site")
    build(vault, tmp_path / "clean")
    assert again.reused > 0  # something was taken over...
    assert again.reused < again.pages + again.made_up or change == "unrelated page edited"
    names = sorted(str(p.relative_to(tmp_path / "clean"))
                   for p in (tmp_path / "clean").rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(tmp_path / "site"))
                           for p in (tmp_path / "site").rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "clean", tmp_path / "site", names,
                                           shallow=False)
    assert mismatch == [] and errors == []  # ...and nothing stale was


def test_an_unrelated_edit_renders_only_the_edited_page(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    write(vault, PAGES)
    first = build(vault, tmp_path / "site")
    CHANGES["unrelated page edited"](vault)
    again = build(vault, tmp_path / "site")
    assert again.reused == first.pages + first.made_up - 1
    manifest = read_manifest(tmp_path / "site")
    assert "notes-bystander.html" in manifest and (tmp_path / "site" / MANIFEST).is_file()


def test_a_nested_embed_edit_renders_exactly_the_pages_that_show_it(tmp_path: Path) -> None:
    """Host shows Deep through Guest; Quoter shows one block of Guest, which holds no
    embed: editing Deep renders Deep, Guest and Host again, and leaves Quoter's file
    (the same inode: taken over by a hard link) as it was."""
    vault, site = tmp_path / "vault", tmp_path / "site"
    write(vault, PAGES)
    first = build(vault, site)
    assert "deep text, two embeds down" in (site / "host.html").read_text("utf-8")
    assert "deep text" not in (site / "quoter.html").read_text("utf-8")
    rendered, again = rendered_again(vault, site, "nested embed edited")
    pages = {name for name in rendered if name in {"deep.html", "guest.html", "host.html",
                                                    "quoter.html"}}
    assert pages == {"deep.html", "guest.html", "host.html"}
    assert "deep text, edited" in (site / "host.html").read_text("utf-8")
    assert again.reused == first.pages + first.made_up - 3
    recorded = read_manifest(site)
    assert recorded["host.html"].reads == ("deep", "guest")
    assert recorded["quoter.html"].reads == ("guest",)


def test_an_edit_away_from_the_links_leaves_the_linked_pages(tmp_path: Path) -> None:
    """Target's backlinks show only the block of Prose that links to it: editing
    another block renders Prose again, and Target keeps its file."""
    vault, site = tmp_path / "vault", tmp_path / "site"
    write(vault, PAGES)
    build(vault, site)
    rendered, _ = rendered_again(vault, site, "linking page edited away from its links")
    assert "prose.html" in rendered and "notes-target.html" not in rendered
    CHANGES["linking block edited"](vault)
    build(vault, site)
    assert "now points at" in (site / "notes-target.html").read_text("utf-8")


def test_an_edit_beside_a_quoted_block_leaves_the_pages_showing_the_quote(
        tmp_path: Path) -> None:
    """Lonely's backlinks show Host's block, which quotes one block of Guest: editing
    another block of Guest renders Guest and Host (it embeds Guest) again, not Lonely."""
    vault, site = tmp_path / "vault", tmp_path / "site"
    write(vault, PAGES)
    build(vault, site)
    rendered, _ = rendered_again(vault, site, "embedded page edited")
    assert {"guest.html", "host.html"} <= rendered and "notes-lonely.html" not in rendered
    CHANGES["referenced block edited"](vault)
    build(vault, site)
    assert "a renamed block" in (site / "notes-lonely.html").read_text("utf-8")


def test_unchanged_site_wide_files_are_taken_over(tmp_path: Path) -> None:
    """A rebuild links each site-wide file whose bytes are those of the previous site
    (an alias redirect, the page list when no name changed) instead of writing it."""
    vault, site = tmp_path / "vault", tmp_path / "site"
    write(vault, PAGES)
    build(vault, site)

    def inodes() -> dict[str, int]:
        return {name: (site / name).stat().st_ino
                for name in ("404.html", "all-pages.html", "notes-bystander.html")}

    first = inodes()
    CHANGES["unrelated page edited"](vault)
    build(vault, site)
    second = inodes()
    assert second["404.html"] == first["404.html"]
    assert second["all-pages.html"] == first["all-pages.html"]
    assert second["notes-bystander.html"] != first["notes-bystander.html"]  # new text
    CHANGES["missing page created"](vault)
    build(vault, site)
    assert inodes()["all-pages.html"] != second["all-pages.html"]  # lists the new page
    assert "New Page" in (site / "all-pages.html").read_text("utf-8")


B_ID, C_ID = "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"
# What a page's backlinks show that lies beyond the linking block itself: each vault,
# and a change there (the audit of session 21 found these rebuilt pages stale).
BEYOND_THE_LINKING_BLOCK = {
    "query in a linking block finds more": (
        {"pages/x.md": "- first\n", "pages/t.md": "- target\n",
         "pages/s.md": '- see [[t]] {{query (page "x")}}\n'},
        edit("pages/x.md", "- first\n", "- first\n- second\n")),
    "block quoted two refs deep made private": (
        {"pages/b.md": f"- secret text\n  id:: {B_ID}\n",
         "pages/c.md": f"- middle (({B_ID}))\n  id:: {C_ID}\n",
         "pages/d.md": f"- outer (({C_ID})) [[t]]\n", "pages/t.md": "- target\n"},
        edit("pages/b.md", "- secret", "public:: false\n\n- secret")),
    "block quoted two refs deep edited": (
        {"pages/b.md": f"- secret text\n  id:: {B_ID}\n",
         "pages/c.md": f"- middle (({B_ID}))\n  id:: {C_ID}\n",
         "pages/d.md": f"- outer (({C_ID})) [[t]]\n", "pages/t.md": "- target\n"},
        edit("pages/b.md", "secret text", "other text")),
    "block embedded in a linking block edited": (
        {"pages/b.md": f"- inner text\n  id:: {B_ID}\n\t- child\n",
         "pages/d.md": f"- outer [[t]] {{{{embed (({B_ID}))}}}}\n", "pages/t.md": "- t\n"},
        edit("pages/b.md", "inner text", "inner changed")),
    "text macro of config.edn changed": (
        {"logseq/config.edn": '{:macros {"mark" "[:mark \\"$1\\"]"}}\n',
         "pages/a.md": "- hello {{mark hi}}\n"},
        edit("logseq/config.edn", ":mark", ":b")),
    # the audit of session 23 found these stale: what a page shows of pages it names
    "page of a schema rule's type created": (
        {"kbc-schema.yaml": "types:\n  example:\nrules:\n  - {name: 'ex*', type: example}\n",
         "pages/ex1.md": "- an example\n"},
        add("pages/example.md", "- what an example is\n")),
    "page of a schema rule's type made private": (
        {"kbc-schema.yaml": "types:\n  example:\nrules:\n  - {name: 'ex*', type: example}\n",
         "pages/ex1.md": "- an example\n", "pages/example.md": "- what it is\n"},
        edit("pages/example.md", "- what", "public:: false\n\n- what")),
}


# Outside a Logseq graph, where the sidebar does not change with them: ancestors named
# in breadcrumbs, icons of metamodel parts, the size of a file a base lists.
NAMED_FURTHER_AWAY = {
    "namespace grandparent made private": (
        {"Top.md": "- top\n", "Top___Mid.md": "- mid\n",
         "Top___Mid___Leaf.md": "- leaf\n"},
        edit("Top.md", "- top", "public:: false\n\n- top")),
    "namespace grandparent of a page without a file made private": (
        {"Top.md": "- top\n", "Top___Mid___Leaf.md": "- leaf\n"},
        edit("Top.md", "- top", "public:: false\n\n- top")),
    "icon of a metamodel grandchild changed": (
        {"Alpha.md": "icon:: A\n\n- #key A\n  key-weight:: 50\n  value:: 40\n",
         "Alpha___Beta.md": "weight:: 30\n\n- B key\n  key-weight:: 50\n  value:: 80\n",
         "Alpha___Beta___Gamma.md": ("icon:: turtle\nweight:: 20\n\n- G key\n"
                                           "  key-weight:: 50\n  value:: 70\n")},
        edit("Alpha___Beta___Gamma.md", "turtle", "crab")),
    "metamodel grandchild made private": (  # the roll-ups above it leave it out
        {"Alpha.md": "- #key A\n  key-weight:: 50\n  value:: 40\n",
         "Alpha___Beta.md": "weight:: 30\n\n- B key\n  key-weight:: 50\n  value:: 80\n",
         "Alpha___Beta___Gamma.md": ("weight:: 20\n\n- G key\n"
                                           "  key-weight:: 50\n  value:: 70\n")},
        edit("Alpha___Beta___Gamma.md", "weight:: 20", "public:: false\nweight:: 20")),
    "size of a file a base lists changed": (
        {".obsidian/app.json": "{}", "assets/pic.png": "AAAA", "List.md": "![[Assets.base]]\n",
         "Assets.base": ("filters:\n  and:\n    - file.ext == \"png\"\nviews:\n"
                         "  - type: table\n    name: Pictures\n    order:\n"
                         "      - file.name\n      - file.size\n")},
        add("assets/pic.png", "A" * 20)),
}


def rebuilt_as_a_clean_build(tmp_path: Path, pages: dict[str, str],
                             change: Callable[[Path], None]) -> None:
    vault = tmp_path / "vault"
    write(vault, pages)
    build(vault, tmp_path / "site")
    change(vault)
    build(vault, tmp_path / "site")
    build(vault, tmp_path / "clean")
    names = sorted(str(p.relative_to(tmp_path / "clean"))
                   for p in (tmp_path / "clean").rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "clean", tmp_path / "site", names,
                                           shallow=False)
    assert mismatch == [] and errors == []


@pytest.mark.parametrize("case", sorted(BEYOND_THE_LINKING_BLOCK))
def test_a_rebuild_shows_what_backlinks_and_macros_show_now(tmp_path: Path, case: str) -> None:
    pages, change = BEYOND_THE_LINKING_BLOCK[case]
    rebuilt_as_a_clean_build(tmp_path, {"logseq/config.edn": "{}\n", **pages}, change)
    if "private" in case:
        assert not any("secret text" in p.read_text("utf-8")
                       for p in (tmp_path / "site").glob("*.html"))


@pytest.mark.parametrize("case", sorted(NAMED_FURTHER_AWAY))
def test_a_rebuild_shows_what_a_page_shows_of_pages_further_away(
        tmp_path: Path, case: str) -> None:
    pages, change = NAMED_FURTHER_AWAY[case]
    rebuilt_as_a_clean_build(tmp_path, pages, change)


def test_a_template_edited_while_serving_renders_every_page_again(tmp_path: Path) -> None:
    """``kbc serve`` rebuilds in one process: the templates' part of the code
    fingerprint was read once, so a template edited while serving reached only the
    site-wide pages."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text('{% extends "base.html" %}', "utf-8")
    first = code_fingerprint((str(templates),))
    (templates / "page.html").write_text('{% extends "base.html" %}{# edited #}', "utf-8")
    assert code_fingerprint((str(templates),)) != first


def test_hidden_files_and_editor_backups_do_not_change_the_fingerprint(
        tmp_path: Path) -> None:
    """A .DS_Store or an editor's backup beside the templates (or in kbc's own folder)
    changed the published manifest and search index of an unchanged site."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text('{% extends "base.html" %}', "utf-8")
    first = code_fingerprint((str(templates),))
    (templates / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (templates / "page.html~").write_text("an older page.html", "utf-8")
    (templates / ".page.html.swp").write_bytes(b"b0VIM")
    assert code_fingerprint((str(templates),)) == first
    (templates / "extra.css").write_text("p {}", "utf-8")  # a real file still counts
    assert code_fingerprint((str(templates),)) != first


def test_changed_options_render_everything_again(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    write(vault, PAGES)
    build(vault, tmp_path / "site")
    graph = resolve(load(vault, cache_dir=None))
    again = build_site(graph, tmp_path / "site", SiteOptions(search=False, title="Renamed"))
    assert again.reused == 0
    assert "Renamed" in (tmp_path / "site" / "notes-bystander.html").read_text("utf-8")


def test_the_manifest_written_a_page_at_a_time_reads_back(tmp_path: Path) -> None:
    pages = {
        "b.html": Recorded("f2", "b", "Bé \"quoted\"", "text", ("x.png",), 1, ("a", "c/d"), "s2"),
        "a.html": Recorded("f1", "a", "A", "", (), 0, ("c/d",), "s1"),
        "c/d.html": Recorded("f3", "c/d", "D", "✓", (), 0, (), ""),
    }
    (tmp_path / "site").mkdir()
    with (tmp_path / "site" / MANIFEST).open("w", encoding="utf-8") as out:
        write_manifest(pages, out)
    text = (tmp_path / "site" / MANIFEST).read_text("utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True,
                              separators=(",", ":")) + "\n"
    assert json.loads(text)["keys"] == ["a", "c/d"]  # reads as numbers into one key list
    assert read_manifest(tmp_path / "site") == pages


def test_fingerprint_hashes_tell_values_apart_not_objects() -> None:
    joined = "".join(["deep", " text"])  # equal to the literal, another object
    assert _hash(["deep text", "deep text"]) == _hash(["deep text", joined])
    assert _hash(["a", 1]) != _hash(["a", "1"])
    assert _hash([("a", None)]) != _hash([("a", "None")])
    # a value marshal cannot write is hashed by its repr, still by value
    assert _hash([Path("x")]) == _hash([Path("x")]) != _hash([Path("y")])


def test_a_library_upgrade_renders_everything_again(
        tmp_path: Path, upgraded: Callable[[str], None]) -> None:
    """Pygments 2.21 writes the quotes of a code block as they are, 2.20 as &quot;: a
    page taken over from a build under the old version would differ from a clean one."""
    vault = tmp_path / "vault"
    write(vault, PAGES)
    build(vault, tmp_path / "site")
    assert build(vault, tmp_path / "site").reused > 0
    upgraded("Pygments")
    assert build(vault, tmp_path / "site").reused == 0


def test_the_code_fingerprint_covers_every_engine_pages_are_rendered_with(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages show hiccup through the EDN reader, bases and queries through their
    engines: a change in any of them must render the pages again, not take them over."""
    read: list[Path] = []
    real = Path.read_bytes

    def recording(path: Path) -> bytes:
        read.append(path)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    package_fingerprint.cache_clear()
    code_fingerprint(())
    package = Path(kb_compiler.__file__).parent
    names = {path.relative_to(package).as_posix() for path in read
             if path.is_relative_to(package)}
    assert {"edn.py", "bases/query.py", "queries/run.py", "emit/site/hiccup.py",
            "parse/logseq_org.py"} <= names
    package_fingerprint.cache_clear()


def test_a_view_of_the_vault_is_rebuilt_when_only_page_names_change(tmp_path: Path) -> None:
    """A Logseq graph's ``:file/name-format`` names ``pages/x___one.md`` either
    ``x___one`` or ``x/one``: with the format changed, a query of the namespace kept
    showing nothing (the vault's digest hashed paths and texts, not names)."""
    rebuilt_as_a_clean_build(tmp_path, {
        "logseq/config.edn": "{}\n",
        "pages/home.md": "- {{query (namespace x)}}\n- {{namespace x}}\n",
        "pages/x___one.md": "- one\n", "pages/x___one___deep.md": "- deep\n"},
        add("logseq/config.edn", "{:file/name-format :triple-lowbar}\n"))
    home = (tmp_path / "site/home.html").read_text("utf-8")
    assert home.count('href="x-one.html"') == 2  # the query's and the tree's


def test_the_namespace_macro_shows_the_tree_of_published_pages(tmp_path: Path) -> None:
    """``{{namespace x}}`` was shown as written, as code, though the site knows the tree."""
    vault = tmp_path / "vault"
    write(vault, {"logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
                  "pages/home.md": "- tree {{namespace x}} and {{namespace none}}\n",
                  "pages/x___one.md": "- one\n", "pages/x___one___deep.md": "- deep\n",
                  "pages/x___two.md": "public:: false\n\n- two\n", "pages/x___b.md": "- b\n"})
    build(vault, tmp_path / "site")
    home = (tmp_path / "site/home.html").read_text("utf-8")
    items = re.findall(r'<span class="namespace-item" style="--depth: (\d)" role="listitem">'
                       r'<a class="internal" href="([^"]*)">([^<]*)</a>', home)
    assert items == [("1", "x-b.html", "b"), ("1", "x-one.html", "one"),
                     ("2", "x-one-deep.html", "deep")]  # not the private x/two
    assert "<p>tree <span" in home and '<span class="namespace-title">none</span>' in home


@pytest.mark.parametrize("exclude", [True, False])
def test_a_rebuild_follows_exclude_in_and_out_of_files(tmp_path: Path, exclude: bool) -> None:
    """Excluding a folder of pictures left the page showing one as it was, and the
    picture stayed in ``files/``; removing the glob left it withheld (the page's
    fingerprint did not cover which files it may show)."""
    pages = {".obsidian/app.json": "{}", "a.md": "![[photo.png]] [doc](pics/doc.pdf)\n",
             "pics/photo.png": "png", "pics/doc.pdf": "%PDF"}
    glob = 'exclude = ["pics/**"]\n'
    if not exclude:
        pages["kbc.toml"] = glob
    rebuilt_as_a_clean_build(tmp_path, pages,
                             add("kbc.toml", glob) if exclude else remove("kbc.toml"))
    published = (tmp_path / "site/files/pics/photo.png").exists()
    assert published is not exclude


@pytest.mark.parametrize("added", ["pic.png", "other.md"])
def test_a_rebuild_follows_links_only_the_render_resolves(tmp_path: Path, added: str) -> None:
    """Raw HTML's ``src``/``href`` and reference-style links are resolved while the
    page renders, not listed by the parser: when their target appeared, the page (and
    a page embedding it) stayed as it was, the picture missing, the link broken."""
    pages = {".obsidian/app.json": "{}", "b.md": "![[a]]\n",
             "a.md": 'img <img src="pic.png" width="5">\n\nref [text][n] and '
                     '<a href="other.md">html link</a>\n\n[n]: other.md\n'}
    rebuilt_as_a_clean_build(tmp_path, pages, add(added, "x\n"))
    assert (tmp_path / "site/files/pic.png").exists() is (added == "pic.png")


def test_a_rebuild_follows_an_svg_that_can_no_longer_be_published(tmp_path: Path) -> None:
    """Whether an SVG is published depends on its content (one declaring entities is
    withheld): the page showing it kept its picture and link to a file no longer
    written."""
    pages = {".obsidian/app.json": "{}", "a.md": "![[pic.svg]]\n\n[[pic.svg]]\n",
             "pic.svg": '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'}
    rebuilt_as_a_clean_build(tmp_path, pages, add(
        "pic.svg", '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">'
                   "<text>&x;</text></svg>"))
    assert 'class="withheld"' in (tmp_path / "site/a.html").read_text("utf-8")
