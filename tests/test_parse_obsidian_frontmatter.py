"""Obsidian front matter (FORMATS.md 2.2): typed properties with their lines, tags and
aliases in every accepted form, links inside property values, JSON front matter, and YAML
that does not parse."""

from __future__ import annotations

from kb_compiler.model import RefKind, Severity
from tests.obsidian_corpus import CORPUS, codes, note, parse_text, refs


def note_text(name: str) -> str:
    return (CORPUS / f"{name}.md").read_text(encoding="utf-8")


def _values(name: str) -> dict[str, object]:
    return {prop.key: prop.value for prop in note(name).properties}


def test_scalar_properties_are_typed() -> None:
    values = _values("frontmatter-properties")
    assert (values["title"], values["rating"], values["price"], values["draft"]) == (
        "Typed values", 7, 1.5, False)


def test_plain_scalars_are_typed_as_yaml_1_2_reads_them() -> None:
    """Obsidian reads YAML 1.2; PyYAML reads 1.1, where ``weight: 070`` is octal 56
    (a score's weight off by 14) and ``publish: no`` is false. A big block (read by the
    pure-Python loader, not libyaml's) is typed alike."""
    text = ("---\nweight: 070\npublish: no\nseen: Yes\noctal: 0o17\nhex: 0x1F\nbig: 1_000\n"
            "neg: -3\nratio: 1.10\nexp: 1e3\nflag: true\nnothing: ~\n---\nbody\n")
    expected = {"weight": 70, "publish": "no", "seen": "Yes", "octal": 15, "hex": 31,
                "big": "1_000", "neg": -3, "ratio": 1.1, "exp": 1000.0, "flag": True,
                "nothing": None}
    for padding in ("", "padding: '" + "[" * 1200 + "'\n"):
        page = parse_text(text.replace("---\nbody", padding + "---\nbody"))
        values = {prop.key: prop.value for prop in page.properties if prop.key != "padding"}
        assert values == expected


def test_dates_become_iso_strings() -> None:
    values = _values("frontmatter-properties")
    assert (values["published"], values["updated"]) == ("2023-09-12", "2020-08-21T10:30:00")


def test_lists_become_tuples_and_mappings_tuples_of_pairs() -> None:
    values = _values("frontmatter-properties")
    assert values["genres"] == ("Sci-fi", "Fantasy")
    assert values["meta"] == (("source", "web"), ("pages", 528))


def test_empty_value_is_kept_as_none() -> None:
    last = note("frontmatter-properties").property("last")
    assert (last.value, last.raw, last.line) == (None, "", 14)


def test_property_lines_are_file_lines() -> None:
    page = note("frontmatter-properties")
    assert [(p.key, p.line) for p in page.properties][:3] == [
        ("title", 2), ("rating", 3), ("price", 4)]


def test_raw_yaml_is_kept_and_the_body_starts_after_the_fence() -> None:
    page = note("frontmatter-properties")
    assert page.frontmatter.startswith("title: Typed values\nrating: 7\n")
    assert [(b.line, b.content) for b in page.blocks] == [(16, "Body text.")]


def test_comma_separated_tags_and_list_aliases() -> None:
    page = note("frontmatter-tags-aliases")
    assert (page.tags, page.aliases) == (("recipe", "cooking"), ("Doggo", "Woofer"))


def test_frontmatter_tags_are_tag_references_with_positions() -> None:
    tags = refs(note("frontmatter-tags-aliases"), RefKind.TAG)
    assert [(r.target, r.line, r.column, r.property) for r in tags] == [
        ("recipe", 2, 7, "tags"), ("cooking", 2, 15, "tags")]


def test_deprecated_tag_and_alias_keys_with_hash_stripped() -> None:
    page = note("frontmatter-deprecated-keys")
    assert (page.tags, page.aliases) == (("journal",), ("Old Name", "Older Name"))


def test_an_alias_written_as_a_link_is_the_name_in_it() -> None:
    """``aliases: [[Old Name]]`` is a list in a list to YAML, and the alias "Old Name" to
    Obsidian (a one-item list reads as its item); kbc made it "('Old Name',)", so a link
    to the alias was broken and its suggestion showed that text."""
    page = parse_text("---\naliases: [[Old Name]]\nalias:\n  - [a, b]\n  - c, d\n---\nx\n")
    assert page.aliases == ("Old Name", "a", "b", "c, d")


def test_quoted_links_in_properties_are_property_references() -> None:
    page = note("frontmatter-links")
    assert [(r.kind, r.target, r.property, r.line) for r in refs(page)] == [
        (RefKind.PROPERTY, "Books", "categories", 3),
        (RefKind.PROPERTY, "Kevin Kelly", "author", 4),
        (RefKind.PROPERTY, "Out of Control", "related", 5),
        (RefKind.PROPERTY, "cover.jpg", "cover", 6),
    ]


def test_property_references_list_the_targets_and_keep_the_value() -> None:
    categories = note("frontmatter-links").property("categories")
    assert (categories.value, categories.references) == (("[[Books]]",), ("Books",))


def test_unquoted_link_is_read_through_yamls_nested_list() -> None:
    related = note("frontmatter-links").property("related")
    assert (related.value, related.references) == ((("Out of Control",),), ("Out of Control",))


def test_an_unquoted_link_is_followed_and_reported_as_obsidian_does_not_follow_it() -> None:
    """Obsidian wants links in properties quoted (FORMATS.md 2.2): unquoted, YAML reads
    a nested list, and Obsidian's links, backlinks and graph leave it out. kbc passed it
    in silence, so an author saw the relation in kbc's graph but not in the app."""
    page = note("frontmatter-links")
    (found,) = [d for d in page.diagnostics if d.code == "unquoted-link"]
    related = page.property("related")
    assert (found.severity, found.line) == (Severity.WARNING, related.line)
    assert found.message == ("property 'related': [[Out of Control]] is not quoted, so "
                             "Obsidian reads a list, not a link")
    assert found.suggestion == 'write it quoted: "[[Out of Control]]"'
    line = note_text("frontmatter-links").split("\n")[found.line - 1]
    assert line[found.column - 1:found.end_column - 1] == "[[Out of Control]]"
    listed = parse_text('---\nup:\n  - [[A]]\n  - "[[B]]"\nok: "[[C]]"\n---\n')
    assert codes(listed) == [("unquoted-link", 3, 5)]
    assert [r.target for r in listed.references] == ["A", "B", "C"]


def test_logseq_reads_an_unquoted_link_in_front_matter_as_a_link() -> None:
    from kb_compiler.config import ParseOptions
    from kb_compiler.parse.logseq import parse_logseq

    page = parse_logseq("pages/a.md", "---\nup: [[A]]\n---\n- text\n", ParseOptions(),
                        default_name="a")
    assert [r.target for r in page.references] == ["A"] and page.diagnostics == ()


def test_link_to_a_file_in_a_property_is_an_asset() -> None:
    cover = next(r for r in refs(note("frontmatter-links")) if r.property == "cover")
    assert (cover.is_asset, cover.column) == (True, 9)


def test_json_front_matter_is_accepted() -> None:
    page = note("frontmatter-json")
    assert (page.tags, page.property("rating").value) == (("json", "data"), 5)


def test_invalid_yaml_is_an_error_at_its_file_line_and_the_body_still_parses() -> None:
    page = note("frontmatter-invalid")
    assert codes(page) == [("invalid-frontmatter", 5, 3)]
    assert page.diagnostics[0].severity is Severity.ERROR
    assert [r.target for r in page.references] == ["Still linked"]


def test_yaml_that_is_not_a_mapping_is_invalid() -> None:
    page = parse_text("---\n- just\n- a list\n---\nBody")
    assert codes(page) == [("invalid-frontmatter", 2, 1)]


def test_fence_without_a_closing_line_is_no_front_matter() -> None:
    page = parse_text("---\ntitle: x\nno closing fence")
    assert (page.frontmatter, page.properties, page.diagnostics) == (None, (), ())


def test_front_matter_only_at_the_very_start() -> None:
    page = parse_text("Intro\n\n---\ntags: late\n---\n")
    assert (page.frontmatter, page.tags) == (None, ())


def test_yaml_comment_hash_is_yamls_not_a_tag() -> None:
    # PyYAML gotcha (FORMATS.md 2.2): `tags: #foo` is a comment, so the value is empty.
    page = parse_text("---\ntags: #foo\n---\n")
    assert (page.property("tags").value, page.tags) == (None, ())


def test_alias_bomb_is_reported_not_expanded() -> None:
    # Seven keys, each a list of ten aliases of the one before: g holds 10**7 values.
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, key in zip("abcdef", "bcdefg", strict=True):
        levels.append(f"{key}: &{key} [{', '.join(['*' + previous] * 10)}]")
    page = parse_text("---\n" + "\n".join(levels) + "\n---\n")
    assert ("invalid-frontmatter", 8, 1) in codes(page)
    assert page.property("a").value == ("x",) * 10


def test_deeply_nested_yaml_is_reported_not_raised() -> None:
    page = parse_text("---\nx: " + "[" * 20_000 + "]" * 20_000 + "\n---\nBody [[Kept]]")
    assert [code for code, _, _ in codes(page)] == ["invalid-frontmatter"]
    assert [r.target for r in page.references] == ["Kept"]


def test_template_placeholders_parse_as_text() -> None:
    page = parse_text("---\ncreated: {{date}}\ntitle: {{title}} notes\n---\n")
    assert (page.property("created").value, page.diagnostics) == ("{{date}}", ())


def test_repeated_key_is_invalid_and_the_first_value_is_kept() -> None:
    page = parse_text("---\nrating: 1\ntitle: x\nRating: 2\n---\n")
    assert codes(page) == [("invalid-frontmatter", 4, 1)]
    assert page.property("rating").value == 1


def test_an_unclosed_bracket_or_quote_is_reported_where_it_opens() -> None:
    """YAML finds an unclosed ``[`` or ``"`` only when the front matter runs out, and
    the error pointed at the closing ``---``; it points at what was left open."""
    for text in ("---\ntitle: [unclosed\n---\nbody", '---\ntitle: "open\nx: y\n---\nbody'):
        assert codes(parse_text(text)) == [("invalid-frontmatter", 2, 8)]
    # where YAML stops at the mistake itself, that is the place
    assert codes(parse_text("---\na: b: c\n---\nbody")) == [("invalid-frontmatter", 2, 5)]


def test_a_date_that_names_no_day_is_text_and_the_rest_stays() -> None:
    """``due: 2024-02-30`` is valid YAML (Obsidian reads it as text); PyYAML's error on
    constructing it threw the whole front matter away, aliases and tags with it."""
    page = parse_text("---\ndue: 2024-02-30\nstart: 2024-02-28\naliases: [Foo]\n"
                      "tags: [project]\n---\nbody")
    assert codes(page) == []
    assert [(p.key, str(p.value)) for p in page.properties] == [
        ("due", "2024-02-30"), ("start", "2024-02-28"), ("aliases", "('Foo',)"),
        ("tags", "('project',)")]
    assert page.aliases == ("Foo",) and page.tags == ("project",)
