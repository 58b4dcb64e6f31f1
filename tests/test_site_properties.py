"""The properties panel of a built page: what a value shows, read from real pages."""

from __future__ import annotations

import re
from pathlib import Path

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.test_site_build import obsidian_site


def panel(tmp_path: Path, pages: dict[str, str], shown: str,
          config: str = "{:property/separated-by-commas #{:kind}}\n",
          ) -> dict[str, tuple[str, str]]:
    """Each row of ``shown``'s properties panel: key -> (kind, text with links as
    ``[name](href)``), the graph's ``config.edn`` holding ``config``."""
    vault = tmp_path / "vault"
    (vault / "logseq").mkdir(parents=True, exist_ok=True)
    (vault / "logseq/config.edn").write_text(config, encoding="utf-8")
    (vault / "pages").mkdir(exist_ok=True)
    for name, text in pages.items():
        (vault / "pages" / name).write_text(text, encoding="utf-8")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    return _rows((tmp_path / "site" / shown).read_text("utf-8"))


def _rows(html: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(r'<div class="prop prop-(\w+)"><dt>([^<]*)</dt> <dd>(.*?)</dd></div>', html)
    return {key: (kind, _text(value)) for kind, key, value in rows}


def _text(value: str) -> str:
    linked = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>', r"[\2](\1)", value)
    return re.sub(r"<[^>]+>", "", linked)


def test_a_value_with_text_around_its_links_shows_the_text(tmp_path: Path) -> None:
    """Logseq keeps only a value's pages as its value but shows the whole sentence
    (Logseq's docs graph: 'description:: An element that can be placed on the
    [[Whiteboard/Canvas]]. Just like [[Blocks]]...'); the site showed the pages alone."""
    rows = panel(tmp_path, {
        "Object.md": "description:: An element on the [[Canvas]]. Like [[Blocks]], see #tag\n"
                     "parent:: [[Canvas]]\nrelated:: [[Canvas]], [[Blocks]]\n"
                     "kind:: Feature, [[Blocks]]\n\n- body\n",
        "Canvas.md": "- a canvas\n", "Blocks.md": "- blocks\n",
    }, "object.html")
    assert rows["description"] == (
        "text", "An element on the [Canvas](canvas.html). Like [Blocks](blocks.html), see "
                "[#tag](tag.html)")  # Logseq makes a page of a tag with no file
    assert rows["parent"] == ("refs", "[Canvas](canvas.html)")
    assert rows["related"] == ("refs", "[Canvas](canvas.html), [Blocks](blocks.html)")
    # a key split at commas: each piece is a page, no text around them
    assert rows["kind"][0] == "refs" and "[Blocks](blocks.html)" in rows["kind"][1]


def test_obsidian_lists_of_links_stay_links_and_text_with_links_is_text(tmp_path: Path) -> None:
    """In Obsidian a list property is a list (its raw YAML has brackets, quotes and
    dashes around the links, which are no prose); a text property shows its text, with
    no Logseq macro read in it (kepano's templates: "{{date}}" was drawn as one)."""
    site = obsidian_site(tmp_path, {
        "N.md": '---\nrelated: ["[[A]]", "[[B]]"]\nup:\n  - "[[A]]"\n'
                'note: "see [[A]] and [[B]] here"\none: "[[A]]"\ncreated: "{{date}}"\n---\nBody\n',
        "A.md": "a\n", "B.md": "b\n"})
    html = (site / "n.html").read_text("utf-8")
    assert _rows(html) == {
        "related": ("refs", "[A](a.html), [B](b.html)"), "up": ("refs", "[A](a.html)"),
        "note": ("text", "see [A](a.html) and [B](b.html) here"), "one": ("refs", "[A](a.html)"),
        "created": ("text", "{{date}}")}  # a template's placeholder, no Logseq macro
    assert 'class="macro"' not in html


def test_a_property_linking_a_file_links_the_file_and_an_empty_list_is_empty(
        tmp_path: Path) -> None:
    """kepano's vault: 'cover: "[[out-of-control.jpg]]"' names a picture in Attachments/;
    the panel called it a page that does not exist and the site did not copy it. An
    empty YAML list ('type: []', 43 rows there) showed '[]'."""
    site = obsidian_site(tmp_path, {
        "Attachments/cover.jpg": b"\xff\xd8\xff\xe0",
        "Book.md": '---\ncover: "[[cover.jpg]]"\ntype: []\n---\nBody\n'})
    assert _rows((site / "book.html").read_text("utf-8")) == {
        "cover": ("refs", "[cover.jpg](files/Attachments/cover.jpg)"), "type": ("empty", "\u2014")}
    assert (site / "files/Attachments/cover.jpg").read_bytes() == b"\xff\xd8\xff\xe0"


def test_text_the_parser_finds_no_reference_in_links_nothing(tmp_path: Path) -> None:
    """A quoted value ("the documented way to stop links", FORMATS.md 1.5) and a key
    whose value Logseq keeps as text (template::) linked [[X]] and #tags on the site,
    which listed them as broken links kbc check never reports; '#fast"' took the quote."""
    rows = panel(tmp_path, {
        "Alpha.md": 'quoted:: "[[NotALink]] is #fast"\ntemplate:: [[Tmpl]]\n'
                    "note:: **bold** at https://x.org/#a (see ((abc)))\n\n- body\n"},
        "alpha.html")
    assert rows["quoted"] == ("text", '"[[NotALink]] is #fast"')
    assert rows["template"] == ("text", "[[Tmpl]]")
    assert rows["note"] == ("text", "bold at [https://x.org/#a](https://x.org/#a) (see ((abc)))")
    page = (tmp_path / "site" / "alpha.html").read_text("utf-8")
    assert "broken" not in page and "notalink.html" not in page


def test_a_logseq_key_with_no_value_is_not_shown(tmp_path: Path) -> None:
    """``Attendees::`` (a template's placeholder) showed as "Attendees —"; Logseq shows
    no such row (FORMATS.md 1.3). Obsidian's panel shows an empty property, and so does
    the site (the test above)."""
    rows = panel(tmp_path, {"m.md": "status:: open\nowner::\n\n- Meeting\n  Attendees::\n"
                                     "  Place:: Room 1\n"}, "m.html")
    assert rows == {"status": ("text", "open"), "Place": ("text", "Room 1")}


def test_the_graphs_hidden_properties_are_not_shown(tmp_path: Path) -> None:
    """``:block-hidden-properties #{:owner}`` in ``config.edn``: Logseq shows no
    ``owner`` row on a page or a block (its ``hidden-properties`` adds them to the
    built-in ones); the site showed them. Changing the setting rebuilds the pages."""
    pages = {"m.md": "status:: open\nowner:: Ann\n\n- Meeting\n  Owner_Name:: Bob\n"
                     "  place:: Room 1\n"}
    hidden = "{:block-hidden-properties #{:owner :owner-name}}"
    assert panel(tmp_path, pages, "m.html", hidden) == {
        "status": ("text", "open"), "place": ("text", "Room 1")}
    shown = panel(tmp_path, pages, "m.html", "{}")  # the same site built again
    assert shown["owner"] == ("text", "Ann") and shown["Owner_Name"] == ("text", "Bob")
