"""Name resolution rules, each in both dialects (FORMATS.md 1.7-1.10, 2.5)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from kb_compiler import load
from kb_compiler.model import RefKind
from kb_compiler.resolve import Schema, resolve
from tests.conftest import TRIPLE_LOWBAR, write_vault
from tests.test_resolve_builders import block, codes, graph_of, obsidian, page, prop, ref

# -- case and Unicode form ---------------------------------------------------------------


def test_logseq_link_matches_page_ignoring_case() -> None:
    graph = graph_of(page("pages/My Page.md"), page("pages/a.md", refs=(ref("my PAGE", 3),)))
    (resolved,) = graph.outgoing("a")
    assert resolved.target.page == "my page"
    assert resolved.target.name == "My Page"
    assert resolved.target.exists
    assert graph.diagnostics == ()


def test_obsidian_link_matches_note_ignoring_case() -> None:
    graph = graph_of(obsidian("My Note.md"), obsidian("b.md", refs=(ref("my note"),)))
    assert graph.outgoing("b")[0].target.page == "my note"


def test_decomposed_unicode_link_matches_composed_name() -> None:
    composed = unicodedata.normalize("NFC", "Café")
    decomposed = unicodedata.normalize("NFD", "café")
    assert composed.lower() != decomposed
    for make in (page, obsidian):
        graph = graph_of(make(f"{composed}.md", name=composed),
                         make("x.md", name="x", refs=(ref(decomposed),)))
        assert graph.outgoing("x")[0].target.exists


def test_punctuation_is_not_folded() -> None:
    graph = graph_of(page("pages/My Page.md"), page("pages/a.md", refs=(ref("My-Page", 2),)))
    target = graph.outgoing("a")[0].target
    assert not target.exists
    assert target.node == "my-page"
    assert graph.graph.nodes["my-page"]["exists"] is False


# -- aliases -------------------------------------------------------------------------------


def test_logseq_alias_resolves_to_its_page() -> None:
    graph = graph_of(
        page("pages/Persona.md", aliases=("User type",),
             props=(prop("alias", "User type", 1, refs=("User type",)),)),
        page("pages/a.md", refs=(ref("user TYPE", 4),)),
    )
    target = graph.outgoing("a")[0].target
    assert (target.page, target.name) == ("persona", "Persona")
    assert graph.backlinks("persona")[0].source == "a"
    assert graph.graph.has_edge("a", "persona")
    assert not graph.graph.has_node("user type")


def test_obsidian_aliases_resolve_after_file_names() -> None:
    graph = graph_of(
        obsidian("Dog.md", aliases=("Doggo", "Cat")),
        obsidian("Cat.md"),
        obsidian("x.md", refs=(ref("Doggo", 1), ref("cat", 2))),
    )
    targets = [r.target.page for r in graph.outgoing("x")]
    assert targets == ["dog", "cat"]  # the file named Cat wins over Dog's alias
    assert ("duplicate-page", "Dog.md", 0) in codes(graph)


def test_two_files_with_one_id_are_a_duplicate_page() -> None:
    graph = graph_of(page("pages/Topic.md"), page("pages/topic2.md", name="TOPIC"))
    assert codes(graph) == [("duplicate-page", "pages/topic2.md", 0)]
    assert graph.page("topic").path == "pages/Topic.md"


# -- namespaces ----------------------------------------------------------------------------


def test_logseq_namespace_parents_are_implied_not_broken() -> None:
    graph = graph_of(page("pages/a___b___c.md"), page("pages/x.md", refs=(ref("a", 2),)))
    target = graph.outgoing("x")[0].target
    assert (target.exists, target.implied, target.node) == (False, True, "a")
    assert graph.diagnostics == ()
    assert graph.parent("a/b/c") == "a/b" and graph.parent("a/b") == "a"
    assert graph.children("a") == ("a/b",)
    edges = {(s, t) for s, t, d in graph.graph.edges(data=True) if d["kind"] == "namespace"}
    assert edges == {("a/b/c", "a/b"), ("a/b", "a")}
    assert graph.graph.nodes["a/b"]["implied"] is True


def test_logseq_built_in_pages_and_journal_days_are_implied_not_broken(tmp_path: Path) -> None:
    """Every Logseq file graph has its built-in pages (graph-parser's
    ``built-in-pages-names``: task markers, priorities, Favorites, Contents, card) and a
    page for any day its date picker links to; they were reported as broken (four
    errors and five warnings on Logseq's own docs: ``[[NOW]]``, ``#card``...)."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}",
        "pages/r.md": "- [[TODO]] #card [[Contents]] {{embed [[NOW]]}} [[Jan 16th, 2024]]\n"
                      "- [[Jan 16th 2024]] [[TODOS]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [(r.ref.target, r.target.implied) for r in graph.outgoing("r")][:5] == [
        ("TODO", True), ("card", True), ("Contents", True), ("NOW", True),
        ("Jan 16th, 2024", True)]
    assert [(d.line, d.target) for d in graph.diagnostics] == [
        (2, "Jan 16th 2024"), (2, "TODOS")]
    notes = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}",
                                             "r.md": "[[TODO]] [[Contents]]\n"})
    assert [d.target for d in resolve(load(notes, cache_dir=None)).diagnostics] == [
        "TODO", "Contents"]  # Obsidian has no such pages


def test_a_logseq_day_written_in_any_date_format_is_that_days_journal(tmp_path: Path) -> None:
    """Logseq reads ``[[2024-01-16]]`` and ``[[2024_01_16]]`` as the journal of that
    day, as it does a title in the graph's own format: they were broken links, and the
    site made three pages of one day."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": '{:journal/page-title-format "yyyy-MM-dd"}',
        "journals/2024_01_16.md": "- a day\n",
        "pages/x.md": "- [[2024_01_16]] [[Jan 16th, 2024]] [[2024-01-16]] [[Feb 1st, 2024]] "
                      "#2024-02-01\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [r.target.node for r in graph.outgoing("x")] == ["2024-01-16"] * 3 + [
        "2024-02-01"] * 2
    assert graph.diagnostics == ()


def test_a_logseq_drawing_link_names_its_file(tmp_path: Path) -> None:
    """``[[draws/....excalidraw]]`` (Logseq's /draw) is the drawing's file, which
    Logseq never takes for a page: it was a broken link to a page of that name."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}", "draws/2024-01-01-10-00-00.excalidraw": "{}",
        "pages/b.md": "- [[draws/2024-01-01-10-00-00.excalidraw]] [[draws/gone.excalidraw]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [r.target.node for r in graph.outgoing("b")] == [
        "asset:draws/2024-01-01-10-00-00.excalidraw", "asset:draws/gone.excalidraw"]
    assert [(d.code, d.target) for d in graph.diagnostics] == [
        ("missing-asset", "draws/gone.excalidraw")]


def test_a_broken_relation_names_its_property_as_written(tmp_path: Path) -> None:
    """``publication_date:: [[x]]`` was reported as property 'publication-date', the
    form kbc looks keys up by, which is nowhere in the file."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}",
        "pages/a.md": "publication_date:: [[Gone]]\n\n- Block_Rel:: [[Nope]]\n"})
    assert [d.message for d in resolve(load(vault, cache_dir=None)).diagnostics] == [
        "property 'publication_date': page 'Gone' does not exist",
        "property 'Block_Rel': page 'Nope' does not exist"]


def test_a_block_id_used_in_two_files_is_reported_at_its_id_line(tmp_path: Path) -> None:
    """Across files it was reported at the bullet's line and column 0 (no column of
    the line); twice in one file, at the ``id::`` line and column 1."""
    uuid = "65a0b1c2-0000-4000-8000-0000000000b1"
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}", "pages/a.md": f"- first\n  id:: {uuid}\n",
        "pages/b.md": f"- other\n- second\n  collapsed:: true\n  id:: {uuid}\n"})
    (found,) = resolve(load(vault, cache_dir=None)).diagnostics
    assert (found.code, found.path, found.line, found.column) == (
        "duplicate-block-id", "pages/b.md", 4, 1)


def test_logseq_link_does_not_match_a_namespace_leaf() -> None:
    graph = graph_of(page("pages/a___persona.md"), page("pages/x.md", refs=(ref("persona"),)))
    assert not graph.outgoing("x")[0].target.exists


def test_obsidian_folders_are_not_namespaces() -> None:
    graph = graph_of(obsidian("Notes/Idea.md"))
    assert graph.parent("notes/idea") is None
    assert list(graph.graph.nodes) == ["notes/idea"]


def test_missing_logseq_namespace_target_gets_its_parents() -> None:
    graph = graph_of(page("pages/p.md", refs=(ref("p/examples/Space X", 3, RefKind.EMBED),)))
    assert graph.graph.nodes["p/examples"]["name"] == "p/examples"
    assert graph.graph.has_edge("p/examples/space x", "p/examples")
    assert graph.graph.has_edge("p/examples", "p")


# -- Obsidian shortest path ----------------------------------------------------------------


def test_bare_name_finds_the_only_note_in_a_folder() -> None:
    graph = graph_of(obsidian("deep/er/Note.md"), obsidian("x.md", refs=(ref("Note"),)))
    assert graph.outgoing("x")[0].target.page == "deep/er/note"
    assert graph.diagnostics == ()


def test_exact_vault_path_wins_over_the_same_folder() -> None:
    graph = graph_of(obsidian("Note.md"), obsidian("a/Note.md"),
                     obsidian("a/x.md", refs=(ref("Note"),)))
    assert graph.outgoing("a/x")[0].target.page == "note"


def test_same_folder_wins_over_shorter_paths() -> None:
    graph = graph_of(obsidian("b/Note.md"), obsidian("aaaa/Note.md"),
                     obsidian("aaaa/x.md", refs=(ref("Note"),)))
    assert graph.outgoing("aaaa/x")[0].target.page == "aaaa/note"


def test_a_bare_name_the_exact_path_or_the_folder_picks_is_still_ambiguous() -> None:
    """FORMATS.md 2.5: every link with several candidates is reported, even when a rule
    picks one (moving a note changes where it lands). It was reported only when the
    shortest path picked, and then always named the shortest as the one used."""
    graph = graph_of(obsidian("Dup.md"), obsidian("a/Dup.md"), obsidian("b/Dup.md"),
                     obsidian("b/x.md", refs=(ref("Dup", 1),)),
                     obsidian("c/y.md", refs=(ref("Dup", 1), ref("b/Dup", 2))))
    assert [r.target.page for r in graph.outgoing("b/x")] == ["dup"]
    assert [r.target.page for r in graph.outgoing("c/y")] == ["dup", "b/dup"]
    assert [(d.code, d.path, d.line) for d in graph.diagnostics] == [
        ("ambiguous-link", "b/x.md", 1), ("ambiguous-link", "c/y.md", 1)]
    assert graph.diagnostics[0].message == (
        "'Dup' matches 3 files: Dup.md, a/Dup.md, b/Dup.md; 'Dup.md' is used")
    folder = graph_of(obsidian("a/Dup.md"), obsidian("b/Dup.md"),
                      obsidian("b/x.md", refs=(ref("Dup", 1),)))
    assert [r.target.page for r in folder.outgoing("b/x")] == ["b/dup"]
    assert folder.diagnostics[0].message.endswith("; 'b/Dup.md' is used")


def test_shortest_path_wins_and_the_link_is_reported_ambiguous() -> None:
    graph = graph_of(obsidian("zzzz/Note.md"), obsidian("a/b/Note.md"),
                     obsidian("x.md", refs=(ref("Note", 5, column=3),)))
    target = graph.outgoing("x")[0].target
    assert target.page == "a/b/note"
    assert set(target.candidates) == {"a/b/note", "zzzz/note"}
    (warning,) = graph.diagnostics
    assert (warning.code, warning.line, warning.column) == ("ambiguous-link", 5, 3)
    assert "a/b/Note.md" in warning.message and "zzzz/Note.md" in warning.message


def test_folder_qualified_link_matches_as_path_suffix() -> None:
    graph = graph_of(obsidian("notes/2026/Meeting.md"), obsidian("notes/2025/Meeting.md"),
                     obsidian("x.md", refs=(ref("2026/Meeting"),)))
    assert graph.outgoing("x")[0].target.page == "notes/2026/meeting"
    assert graph.diagnostics == ()


def test_markdown_link_path_is_relative_to_the_source_note() -> None:
    # [x](../Other/Note.md): the parser drops ".md" and decodes the path.
    graph = graph_of(obsidian("Other/Note.md"), obsidian("Else/Note.md"),
                     obsidian("sub/x.md", refs=(
                         ref("../Other/Note", raw="[x](../Other/Note.md)"),)))
    assert graph.outgoing("sub/x")[0].target.page == "other/note"


def test_a_markdown_link_without_dots_is_read_from_the_source_folder_first() -> None:
    """``[spec](sub/Spec.md)`` in ``proj/`` went to the vault root's ``sub/Spec.md``
    (the parser drops ".md", and the name rules took the exact vault path) though
    ``proj/sub/Spec.md`` is where the link points from its note (FORMATS.md 2.4); a
    ``[[wikilink]]`` keeps the name rules."""
    graph = graph_of(obsidian("Plan.md"), obsidian("proj/Plan.md"), obsidian("sub/Spec.md"),
                     obsidian("proj/sub/Spec.md"), obsidian("proj/Index.md", refs=(
                         ref("Plan", 1, raw="[plan](Plan.md)"),
                         ref("sub/Spec", 2, raw="[spec](sub/Spec.md)"),
                         ref("Plan", 3, raw="[[Plan]]"))))
    assert [r.target.page for r in graph.outgoing("proj/index")] == [
        "proj/plan", "proj/sub/spec", "plan"]


def test_markdown_link_into_a_missing_folder_is_broken_not_a_same_named_note() -> None:
    """A link whose folder was moved or renamed must not land on another note of that
    name: the folders written after "./" or "../" match as a path ending (FORMATS.md 2.5).
    The note of that name elsewhere is the suggestion."""
    graph = graph_of(obsidian("archive/Plan.md"), obsidian("x/projects/Plan.md"),
                     obsidian("notes/Index.md", refs=(
                         ref("../projects/Plan", 1), ref("./drafts/Plan", 2),
                         ref("../drafts/Plan", 3), ref("./Plan", 4))))
    targets = [r.target for r in graph.outgoing("notes/index")]
    assert [t.page for t in targets] == ["x/projects/plan", None, None, "archive/plan"]
    assert codes(graph) == [("broken-link", "notes/Index.md", 2),
                            ("broken-link", "notes/Index.md", 3),
                            ("ambiguous-link", "notes/Index.md", 4)]
    assert [d.suggestion for d in graph.diagnostics[:2]] == ["archive/Plan"] * 2


def test_link_out_of_the_vault_is_a_path_escape() -> None:
    """A path out of the vault: an Obsidian ``[[../../etc/passwd]]`` and a Markdown link
    in either dialect. (On a Logseq page ``[[...]]`` names a page, whatever it reads
    like: ``test_logseq_page_references_that_read_like_paths_name_pages``.)"""
    written = (ref("../../etc/passwd", 7),
               ref("../../etc/passwd", 7, raw="[x](../../etc/passwd)"))
    for make, link in ((obsidian, written[0]), (obsidian, written[1]), (page, written[1])):
        graph = graph_of(make("x.md", name="x", refs=(link,)))
        target = graph.outgoing("x")[0].target
        assert target.escapes and target.node is None
        assert codes(graph) == [("path-escape", "x.md", 7)]
        assert graph.graph.number_of_edges() == 0


def test_absolute_path_is_a_path_escape() -> None:
    graph = graph_of(obsidian("x.md", refs=(ref("/etc/passwd", 2, RefKind.EMBED),)))
    assert codes(graph) == [("path-escape", "x.md", 2)]


def test_a_path_from_the_vault_root_names_the_vault_note_there() -> None:
    """``[x](/Target.md)`` is the vault's ``Target.md``, as ``![x](/pic.png)`` is its
    picture; ``check`` called it a path escape and ``graph`` dropped it, while the site
    linked it. A rooted path to no note of the vault still escapes."""
    graph = graph_of(obsidian("sub/x.md", refs=(ref("/Target.md", 2), ref("/Nope.md", 3))),
                     obsidian("Target.md"))
    assert [t.target.page for t in graph.outgoing("sub/x")] == ["target", None]
    assert codes(graph) == [("path-escape", "sub/x.md", 3)]


def test_a_rooted_path_to_no_file_says_it_was_read_from_the_vault_root() -> None:
    """``![](/docs/tree.png)``, copied from a web page, was said to point outside the
    vault: it was read from the vault's root first, where there is no such file."""
    graph = graph_of(page("pages/p.md", refs=(
        ref("/docs/tree.png", 2, RefKind.EMBED, is_asset=True),
        ref("//host/share/x.png", 3, RefKind.EMBED, is_asset=True))))
    assert [d.message for d in graph.diagnostics] == [
        "'/docs/tree.png' is no file of the vault (read from its root), and a path outside "
        "it is not followed", "'//host/share/x.png' points outside the vault; not followed"]


# -- headings and blocks -------------------------------------------------------------------


def _note_with_headings(dialect_page=obsidian):
    return dialect_page("Note.md", name="Note", blocks=(
        block(0, 1, "# Intro", heading=1),
        block(1, 2, "text"),
        block(2, 3, "## Details", heading=2),
        block(3, 4, "more ^abc1", block_id="abc1"),
        block(4, 5, "# Usage", heading=1),
        block(5, 6, "## Details", heading=2),
    ))


def test_heading_chain_resolves_to_the_nested_heading() -> None:
    graph = graph_of(_note_with_headings(), obsidian("x.md", refs=(
        ref("Note", 1, subpath="Details"), ref("Note", 2, subpath="Usage#Details"))))
    first, second = graph.outgoing("x")
    assert (first.target.page, first.target.block) == ("note", 2)
    assert second.target.block == 5


def test_missing_heading_warns_on_links_and_fails_embeds() -> None:
    graph = graph_of(_note_with_headings(), obsidian("x.md", refs=(
        ref("Note", 1, subpath="Nope"), ref("Note", 2, RefKind.EMBED, subpath="Nope"))))
    found = [(d.code, d.severity.value, d.line) for d in graph.diagnostics]
    assert found == [("broken-link", "warning", 1), ("broken-embed", "error", 2)]
    assert graph.outgoing("x")[0].target.page == "note"  # the note itself still exists


def test_missing_heading_chain_is_named_as_obsidian_shows_it(tmp_path: Path) -> None:
    """The parser trims the spaces around each "#": the message must not glue the
    headings together ("C#tips" for ``C #tips``)."""
    vault = write_vault(tmp_path, {".obsidian/app.json": "{}", "Note.md": "# A\n",
                                   "x.md": "[[Note#A#C #tips]]\n"})
    (problem,) = resolve(load(vault, cache_dir=None)).diagnostics
    assert problem.message == "heading 'A > C > tips' not found in page 'Note'"


def test_a_misspelt_heading_or_block_id_gets_the_nearest_as_suggestion(tmp_path: Path) -> None:
    """Page typos had a "did you mean", heading and block-id typos none."""
    vault = write_vault(tmp_path, {
        ".obsidian/app.json": "{}", "Target.md": "# Heading One\n\ntext ^blk1\n",
        "x.md": "[[Target#Heading Onee]] ![[Target#^blk]] [[Target#Zzz]] [[#Sel]]\n\n# Self\n"})
    found = [(d.code, d.suggestion) for d in resolve(load(vault, cache_dir=None)).diagnostics]
    assert found == [("broken-link", "Target#Heading One"), ("broken-embed", "Target#^blk1"),
                     ("broken-link", None), ("broken-link", "#Self")]


def test_block_id_link_resolves_to_its_block() -> None:
    graph = graph_of(_note_with_headings(), obsidian("x.md", refs=(
        ref("Note", 1, RefKind.BLOCK_REF, subpath="^ABC1"),
        ref("Note", 2, RefKind.BLOCK_REF, subpath="^gone"))))
    found, missing = graph.outgoing("x")
    assert found.target.block == 3 and found.target.exists
    assert not missing.target.exists
    assert codes(graph) == [("broken-block-ref", "x.md", 2)]
    edge = next(d for _, _, d in graph.graph.out_edges("x", data=True) if d["line"] == 1)
    assert (edge["kind"], edge["block"]) == ("block-ref", "abc1")


def test_same_page_heading_link() -> None:
    note = _note_with_headings()
    linking = obsidian("Note.md", name="Note", blocks=(*note.blocks, block(
        6, 7, "see", refs=(ref("", 7, subpath="Usage"),))))
    graph = graph_of(linking)
    assert graph.outgoing("note")[0].target.block == 4


def test_logseq_heading_link_in_an_outline() -> None:
    outline = page("pages/Guide.md", blocks=(
        block(0, 1, "## 🔍 Definition", heading=2),
        block(1, 2, "child", parent=0, depth=1)))
    graph = graph_of(outline, page("pages/x.md", refs=(ref("Guide", 1, subpath="Definition"),)))
    assert graph.outgoing("x")[0].target.block == 0


UUID = "64f0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


def test_logseq_uuid_refs_resolve_across_the_vault() -> None:
    target = page("pages/t.md", blocks=(block(0, 1, "a"), block(1, 2, "b", block_id=UUID)))
    source = page("pages/s.md", refs=(
        ref(line=3, kind=RefKind.BLOCK_REF, block_id=UUID.upper(), raw=f"(({UUID}))"),
        ref(line=4, kind=RefKind.BLOCK_REF, block_id="00000000-0000-4000-8000-000000000000"),
        ref(line=5, kind=RefKind.EMBED, block_id="00000000-0000-4000-8000-000000000001")))
    graph = graph_of(target, source)
    found, missing, embed = graph.outgoing("s")
    assert (found.target.page, found.target.block) == ("t", 1)
    assert not embed.target.exists
    assert missing.target.node is None
    assert codes(graph) == [("broken-block-ref", "pages/s.md", 4),
                            ("broken-embed", "pages/s.md", 5)]
    assert "does not exist" in graph.diagnostics[0].message


# -- links in properties -------------------------------------------------------------------


def test_property_links_resolve_like_text_links() -> None:
    graph = graph_of(
        page("pages/profile-(id).md"),
        page("pages/persona.md", props=(prop("metamodel-id", "[[profile-(id)]]", 3),), refs=(
            ref("profile-(ID)", 2, RefKind.PROPERTY, property="relations"),
            ref("profile (id)", 2, RefKind.PROPERTY, property="relations", column=20),
            ref("profile-(id)", 3, RefKind.PROPERTY, property="metamodel-id"))),
    )
    good, near, meta = graph.outgoing("persona")
    assert good.target.page == meta.target.page == "profile-(id)"
    assert (near.target.exists, near.target.suggestion) == (False, "profile-(id)")
    (problem,) = graph.diagnostics
    assert (problem.code, problem.line, problem.column) == ("broken-relation", 2, 20)
    assert problem.message == "property 'relations': page 'profile (id)' does not exist"
    assert problem.suggestion == "profile-(id)"
    kinds = sorted((d["kind"], d.get("property")) for _, _, d in graph.graph.edges(data=True))
    assert kinds == [("metamodel", "metamodel-id"), ("property", "relations"),
                     ("property", "relations")]
    assert graph.page_type("persona") == "profile-(id)"


def test_property_references_only_in_property_values_still_count() -> None:
    graph = graph_of(page("pages/a.md", props=(
        prop("relations", ("b",), 2, refs=("b",), raw="[[b]]"),)), page("pages/b.md"))
    (resolved,) = graph.outgoing("a")
    assert (resolved.ref.property, resolved.target.page) == ("relations", "b")


def test_alias_values_are_not_links() -> None:
    graph = graph_of(page("pages/a.md", aliases=("Other",), refs=(
        ref("Other", 1, RefKind.PROPERTY, property="alias"),)))
    assert graph.outgoing("a") == ()


# -- tags ------------------------------------------------------------------------------------


def test_tag_edges_and_missing_tag_pages() -> None:
    graph = graph_of(
        obsidian("Profiles.md", refs=(ref("profile", 14, RefKind.TAG, raw="#profile"),)),
        page("pages/l.md", refs=(ref("idea", 2, RefKind.TAG, raw="#idea"),)),
    )
    assert graph.graph.has_edge("profiles", "profile")
    assert graph.graph.edges["profiles", "profile", 0]["kind"] == "tag"
    # Logseq tags are pages (a missing one is a warning); Obsidian tags are labels.
    assert [(d.code, d.severity.value, d.path) for d in graph.diagnostics] == [
        ("broken-link", "warning", "pages/l.md")]


def test_an_obsidian_tag_is_never_a_note_through_its_alias() -> None:
    """``#cooking`` tagged the note Kitchen, only because Kitchen has the alias
    "cooking": Obsidian resolves aliases for links, never for tags. The tag index then
    listed a tag "#Kitchen" no note carries, and not #cooking."""
    graph = graph_of(
        obsidian("Kitchen.md", aliases=("cooking",)),
        obsidian("Src.md", refs=(ref("cooking", 1, RefKind.TAG, raw="#cooking"),
                                 ref("cooking", 2, RefKind.LINK, raw="[[cooking]]"))),
        page("pages/l.md", refs=(ref("cooking", 3, RefKind.TAG, raw="#cooking"),)),
    )
    tag, link = graph.outgoing("src")
    assert (tag.target.page, tag.target.node) == (None, "cooking")
    assert link.target.page == "kitchen"  # a link still reaches the note by its alias
    (logseq_tag,) = graph.outgoing("l")
    assert logseq_tag.target.page == "kitchen"  # in Logseq a tag is a page reference
    assert graph.diagnostics == ()


# -- assets ----------------------------------------------------------------------------------


def test_logseq_asset_paths_are_relative_to_the_page() -> None:
    graph = graph_of(page("pages/p.md", refs=(
        ref("../assets/shot.png", 2, RefKind.EMBED, is_asset=True),
        ref("../assets/gone.png", 3, RefKind.EMBED, is_asset=True),
        ref("../../outside.png", 4, RefKind.EMBED, is_asset=True))),
        assets=("assets/shot.png",))
    shot, gone, outside = graph.outgoing("p")
    assert (shot.target.asset, shot.target.exists) == ("assets/shot.png", True)
    assert (gone.target.asset, gone.target.exists) == ("assets/gone.png", False)
    assert outside.target.escapes
    assert codes(graph) == [("missing-asset", "pages/p.md", 3), ("path-escape", "pages/p.md", 4)]
    assert graph.graph.edges["p", "asset:assets/shot.png", 0]["kind"] == "asset"
    assert graph.graph.nodes["asset:assets/gone.png"]["exists"] is False


def test_a_logseq_asset_path_in_the_wrong_case_is_a_warning(tmp_path: Path) -> None:
    """``../assets/Present.png`` for ``assets/present.png`` passed silently: the
    Logseq app on Linux does not find it. Obsidian finds files in any case."""
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}", "assets/present.png": "x",
        "pages/m.md": "- ![x](../assets/Present.png) ![y](../assets/present.png)\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [r.target.asset for r in graph.outgoing("m")] == ["assets/present.png"] * 2
    assert [(d.code, d.severity.value, d.column, d.suggestion) for d in graph.diagnostics] == [
        ("missing-asset", "warning", 3, "../assets/present.png")]
    notes = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}",
                                             "assets/present.png": "x",
                                             "m.md": "![x](assets/Present.png)\n"})
    assert resolve(load(notes, cache_dir=None)).diagnostics == ()


def test_a_backslash_separates_folders_in_file_paths_as_in_page_paths(tmp_path: Path) -> None:
    """``[x](sub\\Note.md)`` found the note while ``![](assets\\img.png)`` was a missing
    file: a vault written on Windows had its pictures reported missing and left off
    the site. Both paths now read a backslash as a folder separator."""
    vault = write_vault(tmp_path, {
        ".obsidian/app.json": "{}", "sub/Note.md": "# Note\n", "assets/img.png": "x",
        "Home.md": "[x](sub\\Note.md) ![](assets\\img.png) [y](.\\assets\\img.png)"
                   " ![](..\\outside.png)\n"})
    graph = resolve(load(vault, cache_dir=None))
    targets = [(r.target.page, r.target.asset, r.target.exists, r.target.escapes)
               for r in graph.outgoing("home")]
    assert targets == [("sub/note", None, True, False),
                       (None, "assets/img.png", True, False),
                       (None, "assets/img.png", True, False),
                       (None, None, False, True)]
    assert [d.code for d in graph.diagnostics] == ["path-escape"]
    write_vault(tmp_path, {"sub/Deeper.md": "[up](..\\Home.md) [out](..\\..\\x.md)\n"})
    graph = resolve(load(vault, cache_dir=None))
    up, out = graph.outgoing("sub/deeper")
    assert (up.target.page, up.target.exists) == ("home", True)
    assert out.target.escapes and [(d.code, d.path) for d in graph.diagnostics] == [
        ("path-escape", "Home.md"), ("path-escape", "sub/Deeper.md")]


def test_obsidian_assets_are_found_by_file_name_anywhere() -> None:
    graph = graph_of(obsidian("notes/n.md", refs=(
        ref("Pasted image 1.png", 5, RefKind.EMBED, is_asset=True, size="400"),
        ref("dup.png", 6, RefKind.EMBED, is_asset=True))),
        assets=("Attachments/Pasted image 1.png", "a/dup.png", "bb/dup.png"))
    image, dup = graph.outgoing("notes/n")
    assert image.target.asset == "Attachments/Pasted image 1.png" and image.target.exists
    assert dup.target.asset == "a/dup.png"
    assert codes(graph) == [("ambiguous-link", "notes/n.md", 6)]


def test_a_files_fragment_is_no_heading_in_the_graph(tmp_path: Path) -> None:
    """``![[doc.pdf#page=3]]`` opens the PDF at a page; the edge named ``page=3`` as a
    heading of the file."""
    vault = write_vault(tmp_path, {".obsidian/app.json": "{}", "doc.pdf": "%PDF",
                                   "n.md": "![[doc.pdf#page=3]] [[Note#Usage]]\n",
                                   "Note.md": "# Usage\n"})
    edges = resolve(load(vault, cache_dir=None)).graph.out_edges("n", data=True)
    attributes = {target: data.get("heading") for _, target, data in edges}
    assert attributes == {"asset:doc.pdf": None, "note": "Usage"}


def test_a_missing_file_linked_from_two_folders_is_one_node() -> None:
    """An Obsidian wikilink names a file, not a path from the note: ``![[img.png]]`` in
    two folders gave the nodes ``asset:n/img.png`` and ``asset:o/img.png``. A Markdown
    path is still read from the note."""
    graph = graph_of(
        obsidian("n/a.md", refs=(ref("img.png", 1, RefKind.EMBED, is_asset=True,
                                     raw="![[img.png]]"),)),
        obsidian("o/b.md", refs=(ref("img.png", 1, RefKind.EMBED, is_asset=True,
                                     raw="![[img.png]]"),
                                 ref("img.png", 2, RefKind.EMBED, is_asset=True,
                                     raw="![x](img.png)"))))
    assert [r.target.node for r in graph.outgoing("n/a")] == ["asset:img.png"]
    assert [r.target.node for r in graph.outgoing("o/b")] == ["asset:img.png",
                                                               "asset:o/img.png"]
    assert [d.code for d in graph.diagnostics] == ["missing-asset"] * 3


def test_an_encoded_hash_in_a_markdown_path_is_part_of_the_file_name(tmp_path: Path) -> None:
    """``![img](assets/my%20photo%20%231.png)``: the parser decodes the path, and the
    resolver then cut it at the "#" (``assets/my photo``, a missing file), though the
    site showed the picture."""
    vault = write_vault(tmp_path, {".obsidian/app.json": "{}", "assets/my photo #1.png": "x",
                                   "n.md": "![img](assets/my%20photo%20%231.png)\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert graph.diagnostics == ()
    assert graph.outgoing("n")[0].target.asset == "assets/my photo #1.png"


def test_a_note_named_like_a_file_is_linked_by_that_name(tmp_path: Path) -> None:
    """The Excalidraw plugin saves a drawing as the note ``Drawing.excalidraw.md``, which
    Obsidian links as ``[[Drawing.excalidraw]]``: every such link was a missing file. A
    file of that name, when there is one, still comes first."""
    vault = write_vault(tmp_path, {
        ".obsidian/app.json": "{}", "Legacy.excalidraw": "{}",
        "Excalidraw/New.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\nHi ^abc1\n",
        "Legacy.excalidraw.md": "a note beside the file\n",
        "n.md": "![[New.excalidraw]] [[Excalidraw/New.excalidraw|drawing]] "
                "[[New.excalidraw#^abc1]] [x](Excalidraw/New.excalidraw.md) "
                "![[Legacy.excalidraw]] ![[Gone.excalidraw]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [r.target.node for r in graph.outgoing("n")] == [
        "excalidraw/new.excalidraw"] * 4 + ["asset:Legacy.excalidraw", "asset:Gone.excalidraw"]
    assert [(d.code, d.target) for d in graph.diagnostics] == [
        ("missing-asset", "Gone.excalidraw")]


def test_excalidraw_element_references_land_on_the_drawing(tmp_path: Path) -> None:
    """``[[Drawing#^group=ID]]``, ``^area=``, ``^frame=`` (Excalidraw plugin) name parts
    of the drawing's data: they were broken block refs. Only on a drawing."""
    vault = write_vault(tmp_path, {
        ".obsidian/app.json": "{}",
        "Sketch.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\nHello ^Abc1X\n",
        "Note.md": "text\n",
        "n.md": "![[Sketch.excalidraw#^group=Abc1X]] ![[Sketch.excalidraw#^area=q]] "
                "[[Sketch.excalidraw#^frame=r]] [[Sketch.excalidraw#^abc1]] "
                "[[Note#^group=1]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [r.target.page for r in graph.outgoing("n")][:3] == ["sketch.excalidraw"] * 3
    assert [(d.code, d.target, d.suggestion) for d in graph.diagnostics] == [
        ("broken-block-ref", "[[Sketch.excalidraw#^abc1]]", "Sketch.excalidraw#^Abc1X"),
        ("broken-block-ref", "[[Note#^group=1]]", None)]


def test_placeholders_in_obsidian_templates_are_no_broken_links(tmp_path: Path) -> None:
    """A template's ``[[<% tp.file.title %>]]`` (Templater) or ``[[{{date}}]]`` (core
    Templates) is filled in when the template is used: each was a broken link. The
    folders come from Obsidian's own settings; elsewhere such a link is checked."""
    vault = write_vault(tmp_path, {
        ".obsidian/templates.json": '{"folder": "Templates"}',
        ".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "tpl/"}',
        "Templates/Daily.md": '[[<% tp.date.yesterday("YYYY-MM-DD") %>]] [[{{date}}]] '
                              "[[Real Missing]]\n",
        "tpl/T.md": "[[<% tp.file.title %>]]\n", "Note.md": "[[{{date}}]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [(d.path, d.target) for d in graph.diagnostics] == [
        ("Note.md", "{{date}}"), ("Templates/Daily.md", "Real Missing")]


def test_of_files_differing_only_in_case_the_exact_case_wins(tmp_path: Path) -> None:
    """FORMATS.md 2.5 (recommendation): with ``Photo.png`` and ``photo.png`` both in the
    vault, ``![[photo.png]]`` showed ``Photo.png`` and said it was ambiguous."""
    vault = write_vault(tmp_path, {".obsidian/app.json": "{}", "assets/Photo.png": "A",
                                   "assets/photo.png": "b",
                                   "n.md": "![[Photo.png]] ![[photo.png]] ![[PHOTO.png]] "
                                           "![x](assets/photo.png)\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [r.target.asset for r in graph.outgoing("n")] == [
        "assets/Photo.png", "assets/photo.png", "assets/Photo.png", "assets/photo.png"]
    assert [(d.code, d.target) for d in graph.diagnostics] == [("ambiguous-link", "PHOTO.png")]


def test_a_missing_file_or_a_file_named_without_its_extension_gets_a_suggestion(
        tmp_path: Path) -> None:
    """A misspelt file name had no "did you mean", nor ``[[diagram]]`` for the file
    ``diagram.png`` (Obsidian names a file with its extension)."""
    vault = write_vault(tmp_path, {
        ".obsidian/app.json": "{}", "att/diagram.png": "x", "Board.canvas": "{}",
        "n.md": "![[diagrm.png]] ![x](att/diagrm.png) ![[zzzzzz.png]]\n"
                "[[diagram]] [[Board]] [[Nothing]]\n"})
    found = [(d.code, d.suggestion) for d in resolve(load(vault, cache_dir=None)).diagnostics]
    assert found == [("missing-asset", "diagram.png"), ("missing-asset", "att/diagram.png"),
                     ("missing-asset", None), ("broken-link", "diagram.png"),
                     ("broken-link", "Board.canvas"), ("broken-link", None)]


def test_every_asset_is_a_node() -> None:
    graph = graph_of(obsidian("n.md"), assets=("files/doc.pdf",))
    assert graph.graph.nodes["asset:files/doc.pdf"]["kind"] == "asset"


# -- empty links -----------------------------------------------------------------------------


def test_empty_link_is_reported_and_draws_no_edge() -> None:
    graph = graph_of(page("pages/a.md", refs=(ref("", 5, raw="[[]]"),)))
    assert codes(graph) == [("empty-link", "pages/a.md", 5)]
    assert graph.graph.number_of_edges() == 0


# -- lookup ----------------------------------------------------------------------------------


def test_lookup_applies_the_rules_of_the_source_page() -> None:
    graph = graph_of(obsidian("deep/Note.md"), page("pages/l.md"), obsidian("o.md"))
    assert graph.lookup("note", "o").page == "deep/note"
    assert not graph.lookup("note", "l").exists  # Logseq has no shortest-path rule
    assert graph.lookup("NOTE").page == "deep/note"


# -- the same rules on real files, through the parsers ---------------------------------------


def test_obsidian_rules_on_real_files(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "pic.png").write_bytes(b"\x89PNG")
    (tmp_path / "deep" / "er" / "Note.md").write_text(
        "---\naliases: [Nickname]\n---\n# Intro\n\ntext\n\n## Details\n\nA fact ^fact1\n",
        encoding="utf-8")
    (tmp_path / "Source.md").write_text(
        "[[note]] [[Nickname]] [[Note#Intro#Details]] [[Note#^fact1]]\n"
        "![[pic.png|300]] [[Nope]] [x](deep/er/Note.md)\n", encoding="utf-8")
    graph = resolve(load(tmp_path, cache_dir=None), Schema())
    found = [(r.ref.kind.value, r.target.page, r.target.block, r.target.asset, r.target.exists)
             for r in graph.outgoing("source")]
    note = graph.page("deep/er/note")
    details = next(b.index for b in note.blocks if "Details" in b.content)
    fact = next(b.index for b in note.blocks if b.block_id == "fact1")
    assert found == [
        ("link", "deep/er/note", None, None, True),
        ("link", "deep/er/note", None, None, True),
        ("link", "deep/er/note", details, None, True),
        ("block-ref", "deep/er/note", fact, None, True),
        ("embed", None, None, "files/pic.png", True),
        ("link", None, None, None, False),
        ("link", "deep/er/note", None, None, True),
    ]
    assert [d.code for d in graph.diagnostics] == ["broken-link"]


def test_logseq_rules_on_real_files(tmp_path: Path) -> None:
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}\n",
                                                   encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "shot.png").write_bytes(b"\x89PNG")
    (tmp_path / "pages" / "Persona.md").write_text(
        "alias:: User type\n\n- Definition\n  id:: 6489a1b2-3c4d-4e5f-8890-abcdef123456\n",
        encoding="utf-8")
    (tmp_path / "pages" / "a___b.md").write_text("- child page\n", encoding="utf-8")
    (tmp_path / "pages" / "Source.md").write_text(
        "relations:: [[persona]], [[profile (id)]]\n\n"
        "- [[user type]] #a ((6489a1b2-3c4d-4e5f-8890-abcdef123456))\n"
        "- {{embed [[A/B]]}} ![s](../assets/shot.png)\n", encoding="utf-8")
    graph = resolve(load(tmp_path, cache_dir=None), Schema())
    found = [(r.ref.kind.value, r.target.page, r.target.exists, r.target.implied)
             for r in graph.outgoing("source")]
    assert found == [
        ("property", "persona", True, False),
        ("property", None, False, False),
        ("link", "persona", True, False),
        ("tag", None, False, True),  # `a` is implied by the page a/b
        ("block-ref", "persona", True, False),
        ("embed", "a/b", True, False),
        ("embed", None, True, False),
    ]
    assert [d.code for d in graph.diagnostics] == ["broken-relation"]


# -- the same link written many times -------------------------------------------------------


def test_the_same_link_in_two_folders_lands_by_each_folder() -> None:
    """Resolution is looked up once per link *and place*: Obsidian's same-folder rule
    still sends one written name to two notes."""
    graph = graph_of(
        obsidian("a/Note.md"), obsidian("b/Note.md"),
        obsidian("a/From A.md", refs=(ref("Note", 1), ref("Note", 2))),
        obsidian("b/From B.md", refs=(ref("Note", 1),)),
    )
    assert [r.target.page for r in graph.outgoing("a/from a")] == ["a/note", "a/note"]
    assert [r.target.page for r in graph.outgoing("b/from b")] == ["b/note"]


def test_a_broken_link_written_again_is_reported_again() -> None:
    graph = graph_of(
        page("pages/a.md", refs=(ref("Nowhere", 2), ref("Nowhere", 5))),
        page("pages/b.md", refs=(ref("Nowhere", 3),)),
    )
    assert codes(graph) == [("broken-link", "pages/a.md", 2), ("broken-link", "pages/a.md", 5),
                            ("broken-link", "pages/b.md", 3)]


def test_a_file_link_written_as_a_page_reference_on_a_logseq_markdown_page(
        tmp_path: Path) -> None:
    """mldoc reads ``[[file:../assets/a.pdf]]`` as a file link on an Org page and as a
    page named ``file:../assets/a.pdf`` on a Markdown page. ``kbc check`` said the
    Markdown one "points outside the vault", which it does not: it names a page, and
    the message now says how to link the file."""
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/a.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages/p.md").write_text("- see [[file:../assets/a.pdf]]\n", encoding="utf-8")
    (tmp_path / "pages/o.org").write_text("* see [[file:../assets/a.pdf]]\n", encoding="utf-8")
    graph = resolve(load(tmp_path, cache_dir=None, jobs=1))
    assert [(d.code, d.path, d.message) for d in graph.diagnostics] == [
        ("broken-link", "pages/p.md", "page 'file:../assets/a.pdf' does not exist; on a "
         "Markdown page Logseq reads [[file:...]] as a page name: link a file as "
         "[label](path)")]
    (org_link,) = graph.outgoing("o")
    assert (org_link.target.asset, org_link.target.exists) == ("assets/a.pdf", True)


def test_a_block_ref_that_is_no_uuid_is_broken(tmp_path: Path) -> None:
    """mldoc reads any ``((text))`` as a block ref (block_reference.ml) and Logseq shows
    one that is no UUID as invalid; the site showed these as broken while ``kbc check``
    said nothing. Prose with a space in the parentheses, and code, stay text."""
    uuid = "6489a1b2-3c4d-5e6f-7890-abcdef123456"
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages/a.md").write_text(f"- target\n  id:: {uuid}\n", encoding="utf-8")
    (tmp_path / "pages/b.md").write_text(
        f"- ok (({uuid}))\n- cut (({uuid[:-1]}))\n- {{{{embed ((abc))}}}}\n"
        f"- [label](((x_1)))\n- ((see above)) and `((code))`\n", encoding="utf-8")
    graph = resolve(load(tmp_path, cache_dir=None, jobs=1))
    assert [(d.code, d.line, d.target) for d in graph.diagnostics] == [
        ("broken-block-ref", 2, uuid[:-1]), ("broken-embed", 3, "abc"),
        ("broken-block-ref", 4, "x_1")]
    assert all(d.message.endswith("is not a block id (a UUID); Logseq shows it as an "
                                  "invalid reference") for d in graph.diagnostics)


def test_logseq_page_references_that_read_like_paths_name_pages(tmp_path: Path) -> None:
    """On a Logseq Markdown page ``[[...]]``, a tag and a property value name a page
    (mldoc's page references have no file case; Logseq drops boundary slashes from a
    name): ``[[../up/y]]`` landed on page ``y``, ``[[notes.md]]`` on page ``notes`` and
    ``[[/lead/trail/]]`` was a path escape. A path to a file is Logseq's local asset."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/y.md": "- y\n", "pages/notes.md": "- notes\n",
        "pages/lead___trail.md": "- trail\n",
        "pages/src.md": "- [[../up/y]]\n- [[notes.md]]\n- [[/lead/trail/]]\n- #./y\n"
                        "- rel:: [[../y]]\n- [[../assets/gone.pdf]]\n- [m](y.md)\n"})
    resolved = resolve(load(graph, cache_dir=None))
    assert [(r.ref.line, r.target.node) for r in resolved.outgoing("src")] == [
        (1, "../up/y"), (2, "notes.md"), (3, "lead/trail"), (4, "./y"), (5, "../y"),
        (6, "asset:assets/gone.pdf"), (7, "y")]
    assert [(d.code, d.line, d.suggestion) for d in resolved.diagnostics] == [
        ("broken-link", 1, None), ("broken-link", 2, "notes"), ("broken-link", 4, "y"),
        ("broken-relation", 5, "y"), ("missing-asset", 6, None)]


def test_an_address_or_a_relative_name_is_no_namespace(tmp_path: Path) -> None:
    """Logseq's ``namespace-page?``: a name holding "/" is in a namespace unless it
    starts with ./ or ../ or is an address. ``[[https://example.com/docs/guide]]``
    made up the pages ``https:``, ``https:/example.com``... with namespace edges, and
    its id lost the "//"."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/src.md": "- [[https://example.com/docs/guide]] [[../up/y]] [[a/b]]\n"})
    resolved = resolve(load(graph, cache_dir=None))
    nodes = resolved.graph.nodes
    assert sorted(nodes) == ["../up/y", "a", "a/b", "https://example.com/docs/guide", "src"]
    assert nodes["a"]["implied"] and not nodes["../up/y"]["implied"]
    assert [(s, t) for s, t, kind in resolved.graph.edges(data="kind")
            if kind == "namespace"] == [("a/b", "a")]


def test_a_block_ref_that_is_no_uuid_finds_no_block() -> None:
    """Logseq keeps a ``((ref))`` only when it is a UUID: ``((not-a-uuid))`` is an
    invalid reference even when a block's ``id::`` holds that text."""
    target = page("pages/t.md", blocks=(block(0, 1, "a", block_id="not-a-uuid"),))
    source = page("pages/s.md", refs=(
        ref(line=3, kind=RefKind.BLOCK_REF, block_id="not-a-uuid", raw="((not-a-uuid))"),))
    graph = graph_of(target, source)
    assert not graph.outgoing("s")[0].target.exists
    assert codes(graph) == [("broken-block-ref", "pages/s.md", 3)]
    assert "is not a block id (a UUID)" in graph.diagnostics[0].message


def test_a_blocks_metamodel_id_types_no_page(tmp_path: Path) -> None:
    """A block's ``metamodel-id::`` (a block property, as a block's ``weight::`` is)
    typed the page it stood in, with a page-level metamodel edge."""
    graph = resolve(load(write_vault(tmp_path / "g", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/p6.md": "icon:: x\n\n- first block\n- second\n  metamodel-id:: [[Kind A]]\n",
        "pages/p7.md": "metamodel-id:: [[Kind B]]\n\n- b\n  metamodel-id:: [[Kind C]]\n"}),
        cache_dir=None))
    assert (graph.page_type("p6"), graph.page_type("p7")) == (None, "kind b")
    kinds = sorted((u, v, data["kind"]) for u, v, data in graph.graph.edges(data=True))
    assert kinds == [("p6", "kind a", "property"), ("p7", "kind b", "metamodel"),
                     ("p7", "kind c", "property")]


def test_a_plain_text_metamodel_id_names_its_type_page_as_a_link_does(tmp_path: Path) -> None:
    """``metamodel-id:: Concept`` typed the page but made no metamodel edge, followed no
    alias (``Idea`` typed the page ``idea``) and named a missing type unreported."""
    graph = resolve(load(write_vault(tmp_path / "g", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/Concept.md": "alias:: Idea\n\n- concept\n",
        "pages/a.md": "metamodel-id:: Concept\n\n- a\n",
        "pages/d.md": "icon:: x\nmetamodel-id:: Idea\n\n- d\n",
        "pages/b.md": "metamodel-id:: NoSuchType\n\n- b\n",
        "pages/c.md": "metamodel-id:: [[Concept]]\n\n- c\n"}), cache_dir=None))
    assert [graph.page_type(key) for key in "adbc"] == ["concept", "concept", "nosuchtype",
                                                        "concept"]
    edges = sorted((u, v, data["line"]) for u, v, data in graph.graph.edges(data=True)
                   if data["kind"] == "metamodel")
    assert edges == [("a", "concept", 1), ("b", "nosuchtype", 1), ("c", "concept", 1),
                     ("d", "concept", 2)]
    assert [(d.code, d.path, d.line, d.column) for d in graph.diagnostics] == [
        ("broken-relation", "pages/b.md", 1, 16)]
    obsidian = resolve(load(write_vault(tmp_path / "o", {
        ".obsidian/app.json": "{}", "Concept.md": "---\naliases: [Idea]\n---\nx\n",
        "L.md": "---\nmetamodel-id: [Idea]\n---\nl\n",
        "M.md": "---\nmetamodel-id: [Nope]\n---\nm\n"}), cache_dir=None))
    assert [obsidian.page_type(key) for key in "lm"] == ["concept", "nope"]
    assert [(d.code, d.path, d.line) for d in obsidian.diagnostics] == [
        ("broken-relation", "M.md", 2)]


def test_a_duplicate_in_the_other_unicode_form_says_which_is_which() -> None:
    """``Café.md`` composed and decomposed print the same: the message named two files
    that looked alike, and the user could not tell which to rename."""
    composed, decomposed = (unicodedata.normalize(form, "Café.md") for form in ("NFC", "NFD"))
    graph = graph_of(obsidian(decomposed), obsidian(composed))
    (problem,) = graph.diagnostics
    assert problem.message.endswith("(the same name in NFD; this file's name is in NFC); "
                                    "links go to that file")
    plain = graph_of(obsidian("Dog.md"), obsidian("dog.md"))
    assert "the same name in" not in plain.diagnostics[0].message


def test_a_logseq_markdown_link_to_a_page_file_with_a_fragment_is_that_page(
        tmp_path: Path) -> None:
    """``[B](b.md#h)`` was a missing file 'b.md' (the fragment hid the page suffix),
    though ``[A](b.md)`` beside it landed on the page and the file is there."""
    graph = resolve(load(write_vault(tmp_path / "g", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/a.md": "- [A](b.md)\n- [B](b.md#h)\n- [C](./b.md#h)\n",
        "pages/b.md": "- # h\n"}), cache_dir=None))
    assert graph.diagnostics == ()
    assert [(r.target.page, r.target.exists) for r in graph.outgoing("a")] == [("b", True)] * 3


def test_a_logseq_link_to_a_markdown_file_in_assets_is_that_file(tmp_path: Path) -> None:
    """A Markdown file in a graph's assets/ is a file, not a page (README, as Logseq
    reads it), yet [file](../assets/notes.md) was a missing page 'notes'."""
    graph = resolve(load(write_vault(tmp_path / "g", {
        "logseq/config.edn": TRIPLE_LOWBAR, "assets/notes.md": "ASSET\n",
        "pages/Index.md": "- [file](../assets/notes.md) ![e](../assets/notes.md) "
                          "[p](other.md)\n",
        "pages/other.md": "- o\n"}), cache_dir=None))
    assert graph.diagnostics == ()
    assert [(r.target.asset, r.target.page) for r in graph.outgoing("index")] == [
        ("assets/notes.md", None), ("assets/notes.md", None), (None, "other")]
