"""`kbc export` and inline syntax the dialects write differently: in a table row a "|" in
a link ends the cell, so Obsidian's links carry "\\|" there (Obsidian Help, "Advanced
formatting syntax"); Logseq's ``^^highlight^^`` is Obsidian's ``==highlight==``."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from tests.export_support import export, graph_of
from tests.test_export_org_blocks import logseq_graph, obsidian_vault

UUID = "eeeeeeee-2222-3333-4444-555555555555"


def test_links_in_a_logseq_table_escape_their_pipe_in_obsidian(tmp_path: Path) -> None:
    source = logseq_graph(tmp_path / "graph", {
        "Target": f"- target\n  id:: {UUID}\n",
        "T": ("- | a | b |\n  |---|---|\n"
              f"  | [label]([[Target]]) | [r]((({UUID}))) |\n"
              "- outside [label]([[Target]])\n"),
    })
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/T.md").read_text(encoding="utf-8") == (
        "- | a | b |\n  |---|---|\n"
        f"  | [[Target\\|label]] | [[Target#^{UUID}\\|r]] |\n"
        "- outside [[Target|label]]\n")


def test_an_obsidian_table_keeps_its_escaped_pipe(tmp_path: Path) -> None:
    source = obsidian_vault(tmp_path / "vault", {
        "N": "| a | b |\n|---|---|\n| [[Other\\|alias in table]] | x |\n", "Other": "o\n"})
    export(graph_of(source), tmp_path / "out", "obsidian")
    assert (tmp_path / "out/N.md").read_text(encoding="utf-8") == (
        "| a | b |\n|---|---|\n| [[Other\\|alias in table]] | x |\n")


def test_a_logseq_highlight_is_an_obsidian_highlight(tmp_path: Path) -> None:
    """``^^text^^`` is Logseq's highlight and ``==text==`` Obsidian's (FORMATS.md part 4);
    Obsidian showed the carets (Logseq's docs graph, Markdown.md). Code keeps them."""
    source = logseq_graph(tmp_path / "graph", {
        "H": "- a ^^marked [[Target]] text^^, `^^code^^` and ^^ spaced ^^\n"
             "- ```\n  ^^in a fence^^\n  ```\n",
        "Target": "- t\n"})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/H.md").read_text(encoding="utf-8") == (
        "- a ==marked [[Target]] text==, `^^code^^` and ^^ spaced ^^\n"
        "- ```\n  ^^in a fence^^\n  ```\n")


def test_an_obsidian_number_after_a_hash_stays_text_in_logseq(tmp_path: Path) -> None:
    """Obsidian reads no tag in ``#1984`` (a tag needs a character that is no digit);
    Logseq reads one, and the round trip came back with a link '#[[1984]]'."""
    source = obsidian_vault(tmp_path / "vault", {
        "N": "Year #1984, #1984x, `#42`, [l](http://a.b/#12) and #12/ab\n"})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    assert (tmp_path / "logseq/pages/N.md").read_text(encoding="utf-8") == (
        "- Year \\#1984, #1984x, `#42`, [l](http://a.b/#12) and #12/ab\n")
    page = graph_of(tmp_path / "logseq").page("n")
    assert page is not None and [r.target for r in page.references] == ["1984x", "12/ab"]


def test_a_labelled_link_in_a_logseq_property_is_obsidians_labelled_link(
        tmp_path: Path) -> None:
    """'[shown]([[Deep]])' in a property: in a list it stayed Logseq's syntax, which
    Obsidian reads as text; alone it lost its label."""
    source = logseq_graph(tmp_path / "graph", {
        "P": "related:: [shown]([[Deep]]), [[Other]]\nsolo:: [shown]([[Deep]])\n\n- body\n",
        "Deep": "- d\n", "Other": "- o\n"})
    (source / "logseq/config.edn").write_text("{:property/separated-by-commas #{:related}}\n",
                                              encoding="utf-8")
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/P.md").read_text(encoding="utf-8") == (
        '---\nrelated:\n  - "[[Deep|shown]]"\n  - "[[Other]]"\nsolo: "[[Deep|shown]]"\n---\n'
        "- body\n")


def test_a_link_to_a_name_the_file_name_escapes_keeps_the_name_as_its_label(
        tmp_path: Path) -> None:
    """Logseq's 'New to Logseq?' is the file 'New to Logseq%3F.md'; in Obsidian the link
    names the file, and showed 'New to Logseq%3F' where the page said 'New to Logseq?'."""
    source = logseq_graph(tmp_path / "graph", {
        "A": "- see [[New to Logseq?]] and [[plain]]\n", "New to Logseq%3F": "- q\n",
        "Plain": "- p\n"})
    (source / "logseq/config.edn").write_text("{:file/name-format :triple-lowbar}\n",
                                              encoding="utf-8")
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert (tmp_path / "obsidian/A.md").read_text(encoding="utf-8") == (
        "- see [[New to Logseq%3F|New to Logseq?]] and [[Plain]]\n")


def test_a_tag_naming_a_note_with_a_decomposed_name_stays_a_tag(tmp_path: Path) -> None:
    """macOS names a note ``Café.md`` decomposed (an ``e`` and an accent); the tag
    ``#café`` that finds it was written back as ``#[[Café]]``, which Obsidian reads as a
    link, because the accent did not count as a tag's character."""
    decomposed = unicodedata.normalize("NFD", "Café")
    source = obsidian_vault(tmp_path / "vault", {decomposed: "note\n", "B": "#café\n"})
    export(graph_of(source), tmp_path / "out", "obsidian")
    assert (tmp_path / "out/B.md").read_text(encoding="utf-8") == f"#{decomposed}\n"
    page = graph_of(tmp_path / "out").page("b")
    assert page is not None and [r.kind.value for r in page.references] == ["tag"]


def test_the_old_tag_key_keeps_its_tags_through_logseq_and_back(tmp_path: Path) -> None:
    """Obsidian still reads the deprecated ``tag:``; it was written as ``tag::``, which
    Logseq does not read as tags (the tag edges were gone), and came back ``tag: []``."""
    source = obsidian_vault(tmp_path / "vault", {
        "Page": "---\ntag: foo\n---\nBody.\n",
        "P2": "---\ntag:\n  - one\n  - two/three\n---\nBody.\n"})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    assert (tmp_path / "logseq/pages/Page.md").read_text(encoding="utf-8").startswith(
        "tags:: foo\n")
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    for folder in ("logseq", "back"):
        graph = graph_of(tmp_path / folder)
        tags = sorted((r.source, r.ref.target.lower()) for r in graph.refs
                      if r.ref.kind.value == "tag")
        assert tags == [("p2", "one"), ("p2", "two/three"), ("page", "foo")], folder


HEADINGS = "# H\n\n## Heading with #tag\n\n## Heading with [[Other]] link\n\n## Q: why?\n"
HEADING_LINKS = "[[H#Heading with tag]]\n[[H#Heading with Other link]]\n[[H#Q why?]]\n"


def test_heading_links_keep_their_chain_and_their_obsidian_form(tmp_path: Path) -> None:
    """The export wrote the heading a link found: ``[[N#Beta#Notes]]`` became
    ``[[N#Notes]]`` (the first Notes, under Alpha), and ``[[H#Heading with tag]]``
    became ``[[H#Heading with #tag]]``, a chain that finds nothing; ``[[Other]]`` in a
    heading made the link one to Other."""
    source = obsidian_vault(tmp_path / "vault", {
        "N": "# Alpha\n## Notes\nalpha notes\n# Beta\n## Notes\nbeta notes\n",
        "S": "[[N#Beta#Notes]]\n\n![[N#Beta#Notes]]\n", "H": HEADINGS,
        "Other": HEADING_LINKS})
    export(graph_of(source), tmp_path / "same", "obsidian")
    assert (tmp_path / "same/S.md").read_text(encoding="utf-8") == \
        "[[N#Beta#Notes]]\n\n![[N#Beta#Notes]]\n"
    assert (tmp_path / "same/Other.md").read_text(encoding="utf-8") == HEADING_LINKS
    export(graph_of(source), tmp_path / "logseq", "logseq")
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    assert (tmp_path / "back/Other.md").read_text(encoding="utf-8") == \
        "- " + HEADING_LINKS.replace("\n[[", "\n  [[")
    for folder in ("same", "back"):
        graph = graph_of(tmp_path / folder)
        h = graph.page("h")
        assert h is not None
        found = [h.blocks[r.target.block].content for r in graph.refs
                 if r.source == "other" and r.target.block is not None]
        assert [" ".join(text.split()) for text in found] == [
            "Heading with #tag", "Heading with [[Other]] link", "Q: why?"], folder
    graph = graph_of(tmp_path / "same")
    n = graph.page("n")
    assert n is not None
    assert {n.blocks[r.target.block + 1].content for r in graph.refs
            if r.source == "s" and r.target.block is not None} == {"beta notes"}


def test_indented_code_and_comments_stay_code_and_hidden_in_logseq(tmp_path: Path) -> None:
    """Logseq has neither: an indented code block lost its indent in a bullet and
    ``%% comments %%`` were copied as they are, so both showed as text and their links
    and tags became real ones (on the way back to Obsidian too)."""
    source = obsidian_vault(tmp_path / "vault", {"A": (
        "Intro.\n\n    code [[NotALink]] #nottag\n        nested\n\n"
        "- item\n\n      listed code [[ListCode]]\n\n"
        "After %%inline [[Inline]]%% end.\n\n%%\nsecret [[Hidden]] #hiddentag\n%%\n\n"
        "Kept %%a --> b [[Arrow]]%% as written.\n")})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    assert (tmp_path / "logseq/pages/A.md").read_text(encoding="utf-8") == (
        "- Intro.\n- ```\n  code [[NotALink]] #nottag\n      nested\n  ```\n"
        "- item\n\n  ```\n  listed code [[ListCode]]\n  ```\n"
        "- After <!--inline [[Inline]]--> end.\n"
        "- <!--\n  secret [[Hidden]] #hiddentag\n  -->\n"
        "- Kept %%a --> b [[Arrow]]%% as written.\n")
    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    # the one comment Logseq cannot hold shows there; back in Obsidian it is hidden again
    for folder, shown in (("vault", []), ("logseq", ["Arrow"]), ("back", [])):
        assert [r.ref.target for r in graph_of(tmp_path / folder).refs] == shown, folder


def test_a_child_after_raw_html_is_no_part_of_the_html_in_obsidian(tmp_path: Path) -> None:
    """Logseq's docs graph (changelog_06) has a block holding an HTML ``<div>`` with a
    child block under it. An HTML block runs to the next blank line, so in the
    Obsidian note the child item was read into the HTML, and a paragraph of it after a
    blank line became indented code: its link was lost."""
    source = logseq_graph(tmp_path / "graph", {
        "Page": ("- parent\n  <div class=\"x\">shown</div>\n\t- child [[Target]]\n\n"
                 "\t  Read more at [[Other]]\n- next\n"),
        "Target": "- t\n", "Other": "- o\n"})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    page = graph_of(tmp_path / "obsidian").page("page")
    assert page is not None
    assert sorted(r.target for r in page.references) == ["Other", "Target"]
    assert [b.kind for b in page.blocks if b.kind == "code"] == []
