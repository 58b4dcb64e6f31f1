"""What `kbc export` writes, construct by construct, in both directions: file names,
folders and journals, front matter and property lines, links, tags, embeds, block refs
and block ids, assets, macros, the target app's config, encoding repair, aliases, case
and near misses, duplicate pages, and symbolic links that leave the vault."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

from tests.conftest import write_vault as write
from tests.export_support import export, graph_of

UUID_A = "6489a1b2-3c4d-4e6f-8890-abcdef123456"
UUID_B = "5f0c1d2e-aaaa-4bbb-8ccc-123456789abc"


def logseq_graph(root: Path) -> Path:
    return write(root, {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
        "pages/Home.md": (
            "weight:: 70\n"
            "relations:: [[ns/child]], [[Why?]]\n"
            "tags:: topic, [[b c]]\n"
            "alias:: Start\n"
            "\n"
            "- First block with [[ns/child]] and #topic and #[[b c]]\n"
            f"  id:: {UUID_A}\n"
            "  rating:: 5\n"
            "\t- child embeds {{embed [[Why?]]}}\n"
            "\t- [see this]([[Why?]]) and {{query (todo now)}}\n"
            "- ![a picture](../assets/pic.png)\n"
            "- met on [[Jan 15th, 2024]]\n"
        ),
        "pages/ns___child.md": f"- refers to (({UUID_A})) and [[start]]\n"
                               f"- {{{{embed (({UUID_A}))}}}}\n",
        "pages/Why%3F.md": "- ## Because\n\t- nested text\n",
        "journals/2024_01_15.md": "- a day with [[Home]]\n",
        "assets/pic.png": b"\x89PNG fake",
    })


def obsidian_vault(root: Path) -> Path:
    return write(root, {
        ".obsidian/app.json": "{}\n",
        ".obsidian/daily-notes.json": json.dumps({"folder": "Daily"}) + "\n",
        "Home.md": (
            "---\n"
            "weight: 70\n"
            "related:\n  - \"[[Note]]\"\n"
            "tags: [topic]\n"
            "aliases: [Start]\n"
            "---\n"
            "# Home\n"
            "\n"
            "Intro with [[Note|a label]] and #topic. ^intro\n"
            "\n"
            "## Section\n"
            "\n"
            "1. first\n"
            "2. second\n"
            "\n"
            "![[Note]] and ![[img.png|400]]\n"
        ),
        "folder/Note.md": "Back to [[Home#^intro]] and [[Home#Section]] and "
                          "[[2024-01-15]].\n\n![[Home#^intro]]\n",
        "Daily/2024-01-15.md": "A day with [[Home]].\n",
        "attachments/img.png": b"\x89PNG fake",
    })


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def front_matter(path: Path) -> dict:
    content = text(path)
    assert content.startswith("---\n")
    return yaml.safe_load(content.split("---\n")[1])


# --- Logseq -> Obsidian ---------------------------------------------------------------


def test_logseq_to_obsidian_layout_and_config(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(graph_of(logseq_graph(tmp_path / "graph")), out, "obsidian")
    notes = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert notes == ["Home.md", "Why%3F.md", "journals/2024-01-15.md", "ns/child.md"]
    assert json.loads(text(out / ".obsidian/app.json"))["newLinkFormat"] == "absolute"
    daily = json.loads(text(out / ".obsidian/daily-notes.json"))
    assert daily == {"folder": "journals", "format": "YYYY-MM-DD"}
    assert (out / "assets/pic.png").read_bytes() == b"\x89PNG fake"
    assert not (out / "logseq").exists()


def test_logseq_to_obsidian_properties_are_typed_front_matter(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(graph_of(logseq_graph(tmp_path / "graph")), out, "obsidian")
    data = front_matter(out / "Home.md")
    assert data == {"weight": 70, "relations": ["[[ns/child]]", "[[Why%3F]]"],
                    "tags": ["topic", "b c"], "aliases": ["Start"]}
    assert "\trating:: 5" not in text(out / "Home.md")  # block properties stay on the block
    assert "  rating:: 5" in text(out / "Home.md")


def test_logseq_to_obsidian_references(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export(graph_of(logseq_graph(tmp_path / "graph")), out, "obsidian")
    home = text(out / "Home.md")
    first = next(line for line in home.splitlines() if line.startswith("- First block"))
    assert first == "- First block with [[ns/child]] and #topic and #[[b c]]"
    assert f"  rating:: 5 ^{UUID_A}" in home  # the id ends the block's first paragraph
    assert "\t- child embeds ![[Why%3F]]" in home
    assert "\t- [[Why%3F|see this]] and {{query (todo now)}}" in home
    assert "- ![a picture](assets/pic.png)" in home
    assert "- met on [[journals/2024-01-15]]" in home
    child = text(out / "ns/child.md")
    assert f"- refers to [[Home#^{UUID_A}]] and [[Home|start]]" in child
    assert f"- ![[Home#^{UUID_A}]]" in child
    assert "- ## Because\n\t- nested text" in text(out / "Why%3F.md")
    notes = {(d.code, d.path, d.line) for d in report.diagnostics}
    assert ("macro-kept", "pages/Home.md", 10) in notes


def outline(root: Path, name: str) -> list[tuple[int, str]]:
    """Each block of a page as (depth, first line)."""
    page = graph_of(root).page(name)
    assert page is not None
    depths: list[int] = []
    for block in page.blocks:
        depths.append(0 if block.parent is None else depths[block.parent] + 1)
    return [(depth, block.content.split("\n")[0])
            for depth, block in zip(depths, page.blocks, strict=True)]


def test_text_before_the_first_bullet_keeps_its_place_in_the_outline(tmp_path: Path) -> None:
    """Logseq's docs graph's Changelog.md opens with a heading and a line without a
    bullet, its children indented under it. Written as a Markdown heading, it took every
    block after it into its section in Obsidian, and on the way back the whole page was
    nested under it. It is now a list item, as Logseq shows it: a block."""
    page = (f"## Release 2\nid:: {UUID_A}\nDownload link\n\t- [[Fixed issues]]\n"
            "\t\t- fix one\n- ## Release 1\n  text\n\t- [[Enhancement]]\n")
    source = write(tmp_path / "graph", {"logseq/config.edn": "{}\n", "pages/Log.md": page,
                                         "pages/Plain.md": "# Plain\n\nA document.\n"})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    note = text(tmp_path / "obsidian/Log.md")
    assert note.startswith(f"- ## Release 2\n  ^{UUID_A}\n\n  Download link\n"
                           "\t- [[Fixed issues]]\n\t\t- fix one\n- ## Release 1\n")
    assert text(tmp_path / "obsidian/Plain.md") == "# Plain\n\nA document.\n"  # no outline
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert outline(tmp_path / "back", "log") == outline(source, "log") == [
        (0, "## Release 2"), (1, "[[Fixed issues]]"), (2, "fix one"), (0, "## Release 1"),
        (1, "[[Enhancement]]")]


def test_an_empty_block_stays_a_block(tmp_path: Path) -> None:
    """Logseq leaves empty blocks (``\\t-``) under the blocks one types in. In Obsidian an
    empty first child right under a paragraph is no list item (CommonMark) but a "-" in
    the paragraph, and it came back as text indented with spaces and a tab."""
    page = "- text\n\t-\n- b\n\t- c\n\t-\n"
    source = write(tmp_path / "graph", {"logseq/config.edn": "{}\n", "pages/Empty.md": page})
    export(graph_of(source), tmp_path / "obsidian", "obsidian")
    assert text(tmp_path / "obsidian/Empty.md") == "- text\n\n\t-\n- b\n\t- c\n\t-\n"
    note = graph_of(tmp_path / "obsidian").page("empty")
    assert note is not None and [b.content for b in note.blocks if b.kind == "list-item"] == [
        "text", "", "b", "c", ""]
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    assert text(tmp_path / "back/pages/Empty.md") == page


# --- Obsidian -> Logseq ---------------------------------------------------------------


def test_obsidian_to_logseq_layout_and_config(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(graph_of(obsidian_vault(tmp_path / "vault")), out, "logseq")
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert pages == ["Daily/2024_01_15.md", "pages/Home.md", "pages/folder___Note.md"]
    config = text(out / "logseq/config.edn")
    assert ":file/name-format :triple-lowbar" in config
    assert ':journals-directory "Daily"' in config
    assert (out / "attachments/img.png").is_file()
    assert (out / ".obsidian/daily-notes.json").is_file()  # kept for the way back
    journal = graph_of(out).page("jan 15th, 2024")
    assert journal is not None and journal.is_journal


def test_obsidian_to_logseq_outline_properties_and_references(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(graph_of(obsidian_vault(tmp_path / "vault")), out, "logseq")
    home = text(out / "pages/Home.md")
    head, _, body = home.partition("\n\n")
    assert head.splitlines() == ["weight:: 70", "related:: [[folder/Note]],",
                                 "tags:: topic", "alias:: Start"]
    lines = body.splitlines()
    assert lines[0] == "- # Home"
    assert lines[1] == "\t- Intro with [a label]([[folder/Note]]) and #topic."
    intro_id = re.fullmatch(r"\t  id:: ([0-9a-f-]{36})", lines[2]).group(1)
    assert lines[3] == "\t- ## Section"
    section_id = re.fullmatch(r"\t  id:: ([0-9a-f-]{36})", lines[4]).group(1)
    assert lines[5:9] == ["\t\t- first", "\t\t  logseq.order-list-type:: number",
                          "\t\t- second", "\t\t  logseq.order-list-type:: number"]
    assert lines[9] == ("\t\t- {{embed [[folder/Note]]}} and "
                        "![img.png](../attachments/img.png){:width 400}")
    note = text(out / "pages/folder___Note.md")
    assert note == (f"- Back to (({intro_id})) and (({section_id})) and [[Jan 15th, 2024]].\n"
                    f"- {{{{embed (({intro_id}))}}}}\n")


def test_heading_links_come_back_from_logseq(tmp_path: Path) -> None:
    """A heading link became a block ref with a uuid derived from the heading; the way
    back writes the heading link again (and no ^id on the heading)."""
    export(graph_of(obsidian_vault(tmp_path / "vault")), tmp_path / "lq", "logseq")
    export(graph_of(tmp_path / "lq"), tmp_path / "back", "obsidian")
    note = text(tmp_path / "back/folder/Note.md")
    assert "[[Home#Section]]" in note and "[[Home#^" in note
    assert "## Section\n" in text(tmp_path / "back/Home.md")


# --- names, encoding, aliases, near misses -----------------------------------------------


def test_file_names_are_canonical_and_encoding_repaired(seeds_vault: Path,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(graph_of(seeds_vault), out, "logseq")
    assert (out / "pages/profile-(id)___persona.md").is_file()
    profile = text(out / "pages/profile-(id).md")
    assert "icon:: 🧿" in profile and "üîç" not in profile and "\uf8ff" not in profile
    assert "customer’s" in text(out / "pages/Customer Profile.md")


def test_near_misses_resolve_only_with_loose_matching(seeds_vault: Path,
                                                       tmp_path: Path) -> None:
    export(graph_of(seeds_vault), tmp_path / "strict", "logseq")
    assert "[[profile (id)]]" in text(tmp_path / "strict/pages/profile-(id)___persona.md")
    (seeds_vault / "kbc.toml").write_text("loose-matching = true\n", encoding="utf-8")
    export(graph_of(seeds_vault), tmp_path / "loose", "logseq")
    persona = text(tmp_path / "loose/pages/profile-(id)___persona.md")
    assert "[[profile (id)]]" not in persona and "[[profile-(id)]]" in persona


def test_case_and_aliases_resolve_to_canonical_names(tmp_path: Path) -> None:
    vault = write(tmp_path / "v", {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
        "pages/Real Page.md": "alias:: Nickname\n\n- text\n",
        "pages/Other.md": "- [[real page]] and [[nickname]] and #nickname\n",
    })
    export(graph_of(vault), tmp_path / "lq", "logseq")
    assert text(tmp_path / "lq/pages/Other.md") == \
        "- [[Real Page]] and [nickname]([[Real Page]]) and #[[Real Page]]\n"
    export(graph_of(vault), tmp_path / "ob", "obsidian")
    assert text(tmp_path / "ob/Other.md") == \
        "- [[Real Page]] and [[Real Page|nickname]] and #[[Real Page]]\n"


def test_duplicate_pages_are_kept_under_a_new_name(tmp_path: Path) -> None:
    """Two files that name the same page: the one links resolve to keeps the name, the
    other is written under a numbered name and reported, so no text is lost."""
    vault = write(tmp_path / "v", {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
        "pages/Topic.md": "- first file\n",
        "pages/zzz.md": "title:: topic\n\n- second file\n",
    })
    report = export(graph_of(vault), tmp_path / "out", "logseq")
    assert text(tmp_path / "out/pages/Topic.md") == "- first file\n"
    assert text(tmp_path / "out/pages/topic (2).md") == "title:: topic (2)\n\n- second file\n"
    assert [(d.code, d.path) for d in report.diagnostics] == [("duplicate-page", "pages/zzz.md")]
    assert graph_of(tmp_path / "out").page("topic (2)") is not None


def test_symlink_out_of_the_vault_is_not_followed(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside", {"secret.png": b"SECRET BYTES"}) / "secret.png"
    vault = logseq_graph(tmp_path / "graph")
    os.symlink(secret, vault / "assets" / "leak.png")
    (vault / "pages/Leak.md").write_text("- ![x](../assets/leak.png)\n", encoding="utf-8")
    out = tmp_path / "out"
    export(graph_of(vault), out, "obsidian")
    assert not (out / "assets/leak.png").exists()
    for path in out.rglob("*"):
        if path.is_file():
            assert b"SECRET BYTES" not in path.read_bytes()


def test_link_that_would_change_meaning_in_obsidian_is_reported(tmp_path: Path) -> None:
    """Logseq: [[Tool]] names a missing page. Obsidian: a bare [[Tool]] opens the only
    note called Tool, here Whiteboard/Tool. The link is kept and the change reported."""
    vault = write(tmp_path / "v", {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
        "pages/Whiteboard___Tool.md": "- a tool\n",
        "pages/Other.md": "type:: [[Tool]]\n\n- see [[Tool]]\n",
    })
    report = export(graph_of(vault), tmp_path / "out", "obsidian")
    assert [(d.code, d.line) for d in report.diagnostics] == [
        ("link-changes-meaning", 1), ("link-changes-meaning", 3)]
    assert text(tmp_path / "out/Other.md") == '---\ntype: "[[Tool]]"\n---\n- see [[Tool]]\n'


def test_daily_notes_keep_their_folder_and_format_through_logseq(tmp_path: Path) -> None:
    vault = write(tmp_path / "v", {
        ".obsidian/daily-notes.json": '{"folder": "", "format": "DD.MM.YYYY"}\n',
        "15.01.2024.md": "A day with [[Topic]].\n",
        "Topic.md": "See [[15.01.2024]].\n",
    })
    export(graph_of(vault), tmp_path / "lq", "logseq")
    assert text(tmp_path / "lq/journals/2024_01_15.md") == "- A day with [[Topic]].\n"
    assert text(tmp_path / "lq/pages/Topic.md") == "- See [[Jan 15th, 2024]].\n"
    export(graph_of(tmp_path / "lq"), tmp_path / "back", "obsidian")
    assert text(tmp_path / "back/15.01.2024.md") == "- A day with [[Topic]].\n"
    assert text(tmp_path / "back/Topic.md") == "- See [[15.01.2024]].\n"


def test_empty_lists_make_no_page_in_logseq(kepano: Path, tmp_path: Path) -> None:
    """kepano's templates hold empty lists (``loc: []``) of a key other notes fill
    (``loc: [Remote]``), so Logseq splits ``loc`` on commas: there a bare ``[]``
    would be a reference to a page named "[]"."""
    out = tmp_path / "out"
    export(graph_of(kepano), out, "logseq")
    assert ":loc" in text(out / "logseq/config.edn")
    place = text(out / "pages/Templates___Place Template.md").splitlines()
    assert 'loc:: "[]"' in place and "type:: []" in place  # type is not split
    targets = {ref.target for page in graph_of(out).kb.pages for ref in page.references}
    assert "Remote" in targets and "[]" not in targets


def test_numbers_in_a_list_make_no_pages_in_logseq(kepano: Path, tmp_path: Path) -> None:
    """kepano's places list their coordinates (``coordinates: ["35.021041",
    "135.7556075"]``): a key Logseq split on commas would make a page of each number,
    so the list goes over as text, its items quoted as Logseq keeps text from being
    typed and a trailing comma saying it is a list; it comes back a list of strings."""
    out = tmp_path / "out"
    export(graph_of(kepano), out, "logseq")
    config = text(out / "logseq/config.edn")
    assert ":loc" in config and ":coordinates" not in config
    kyoto = text(out / "pages/References___Kyoto.md").splitlines()
    assert 'coordinates:: "35.021041", "135.7556075",' in kyoto
    exported = graph_of(out)
    targets = {ref.target for page in exported.kb.pages for ref in page.references}
    assert "Remote" in targets and not targets & {"35.021041", "135.7556075"}
    back = tmp_path / "back"
    export(exported, back, "obsidian")
    assert front_matter(back / "References/Kyoto.md")["coordinates"] == [
        "35.021041", "135.7556075"]


def test_a_missing_page_named_with_a_hash_is_reported_as_a_heading_link(
        tmp_path: Path) -> None:
    """Logseq's [[Beta#Setup]] and [[F# basics]] name missing pages; Obsidian reads the
    same text as a heading of Beta (no error any more) and of F. The text is kept, so a
    link that came from Obsidian goes back as it was, and the change is reported."""
    vault = write(tmp_path / "v", {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
        "pages/Beta.md": "- ## Setup\n\t- steps\n",
        "pages/F.md": "- F notes\n",
        "pages/L.md": "- [[Beta#Setup]] and [[F# basics]]\n",
    })
    report = export(graph_of(vault), tmp_path / "obs", "obsidian")
    assert text(tmp_path / "obs/L.md") == "- [[Beta#Setup]] and [[F# basics]]\n"
    assert [(d.code, d.line, d.message) for d in report.diagnostics] == [
        ("link-changes-meaning", 1, "'Beta#Setup' names no page, but in Obsidian a link to "
         "it opens the note 'Beta' at '#Setup'"),
        ("link-changes-meaning", 1, "'F# basics' names no page, but in Obsidian a link to "
         "it opens the note 'F' at '# basics'")]


def test_a_hash_in_math_is_tex_and_never_escaped(tmp_path: Path) -> None:
    r"""``#1`` in a formula is a TeX macro's parameter; the export escaped it as a tag
    (``\#1``, a literal "#1" in TeX) in both directions. A "#" outside math that only
    one app reads as a tag is still escaped."""
    obsidian = write(tmp_path / "o", {
        ".obsidian/app.json": "{}\n",
        "Abs.md": "$$\n\\newcommand{\\abs}[1]{\\left| #1 \\right|}\n$$\n"
                  "Inline $\\newcommand{\\sq}[1]{ #1^2 } \\sq{y}$ and #1984.\n",
    })
    export(graph_of(obsidian), tmp_path / "to-logseq", "logseq")
    assert text(tmp_path / "to-logseq/pages/Abs.md") == (
        "- $$\n  \\newcommand{\\abs}[1]{\\left| #1 \\right|}\n  $$\n"
        "- Inline $\\newcommand{\\sq}[1]{ #1^2 } \\sq{y}$ and \\#1984.\n")
    logseq = write(tmp_path / "l", {
        "logseq/config.edn": "{}\n",
        "pages/M.md": '- Inline $y #z$ end "#q"\n- $$ \\frac{a}{b} #x $$\n',
    })
    export(graph_of(logseq), tmp_path / "to-obsidian", "obsidian")
    assert text(tmp_path / "to-obsidian/M.md") == (
        '- Inline $y #z$ end "\\#q"\n- $$ \\frac{a}{b} #x $$\n')


def test_a_sized_picture_in_a_table_comes_back_from_obsidian(tmp_path: Path) -> None:
    r"""In a table row Obsidian's ``![chart\|200](...)`` escapes the size's pipe; the
    backslash was kept in the alt text, and back in Logseq ``![chart\](...)`` was no
    picture any more."""
    graph = write(tmp_path / "g", {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}\n",
        "assets/chart.png": b"\x89PNG",
        "pages/T.md": "- | metric | chart |\n  | --- | --- |\n"
                      "  | sales | ![chart](../assets/chart.png){:width 200} |\n",
    })
    export(graph_of(graph), tmp_path / "obs", "obsidian")
    assert "| sales | ![chart\\|200](assets/chart.png) |" in text(tmp_path / "obs/T.md")
    export(graph_of(tmp_path / "obs"), tmp_path / "back", "logseq")
    assert text(tmp_path / "back/pages/T.md") == text(graph / "pages/T.md")


def test_a_plain_text_type_stays_text_both_ways(tmp_path: Path) -> None:
    """A plain ``metamodel-id`` names its type page (an alias here), which made the
    export write ``metamodel-id:: [Idea]([[Concept]])``: it stays as written."""
    obsidian = write(tmp_path / "o", {".obsidian/app.json": "{}",
                                      "Concept.md": "---\naliases: [Idea]\n---\nx\n",
                                      "A.md": "---\nmetamodel-id: Idea\n---\nbody\n",
                                      "B.md": '---\nmetamodel-id: "concept"\n---\nbody\n',
                                      "C.md": "---\nmetamodel-id: [Concept]\n---\nc\n"})
    export(graph_of(obsidian), tmp_path / "l", "logseq")
    assert (tmp_path / "l/pages/A.md").read_text("utf-8").startswith("metamodel-id:: Idea\n")
    # quoted, it was text to Logseq, and the type a page '"concept"' no vault has
    assert (tmp_path / "l/pages/B.md").read_text("utf-8").startswith("metamodel-id:: concept\n")
    exported = graph_of(tmp_path / "l")
    assert [exported.page_type(key) for key in "abc"] == ["concept"] * 3
    assert [d.code for d in exported.diagnostics] == []
    logseq = write(tmp_path / "g", {"logseq/config.edn": "{}\n",
                                    "pages/Concept.md": "alias:: Idea\n\n- x\n",
                                    "pages/A.md": "metamodel-id:: Idea\n\n- body\n"})
    export(graph_of(logseq), tmp_path / "ob", "obsidian")
    assert "metamodel-id: Idea\n" in (tmp_path / "ob/A.md").read_text("utf-8")
