"""Logseq property values typed exactly as FORMATS.md 1.5 lists them, and the config
options that change the typing (``:property/separated-by-commas``,
``:ignored-page-references-keywords``)."""

from __future__ import annotations

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.model import Page, PropertyValue, RefKind
from kb_compiler.parse.logseq import parse_logseq


def page_with(line: str, options: ParseOptions | None = None) -> Page:
    return parse_logseq("pages/values.md", f"{line}\n\n- body\n", options or ParseOptions(),
                        default_name="values")


# The worked examples of FORMATS.md 1.5, plus the number rules of step 6.
TABLE: list[tuple[str, PropertyValue]] = [
    ("tags:: [[foo]], [[bar]]", ("foo", "bar")),
    ("tags:: [[foo]] [[bar]]", ("foo", "bar")),
    ("tags:: motor, steering wheel", ("motor", "steering wheel")),
    ("tags:: bar", ("bar",)),
    ("alias:: [[name/with space]]", ("name/with space",)),
    ("foo:: [[bar]], [[baz, test]]", ("bar", "baz, test")),
    ("foo:: [[nested [[baz]]]]", ("nested [[baz]]",)),
    ("description:: [[Logseq]] is the fastest #triples #[[text editor]]",
     ("Logseq", "triples", "text editor")),
    ("year:: 1000", 1000),
    ('year:: "1000"', '"1000"'),
    ("public:: true", True),
    ("public:: false", False),
    ("file-path:: file:///home/x, y.pdf", "file:///home/x, y.pdf"),
    ("relations:: [[]]", ()),
    ("weight:: 70", 70),
    ("weight:: 0.7", "0.7"),
    ("weight:: -5", "-5"),
    ("weight:: 1,000", "1,000"),
    ("weight:: 70%", "70%"),
    ("type:: a, b", "a, b"),
    ('description:: "[[Logseq]] is #fast"', '"[[Logseq]] is #fast"'),
    ("title:: [[Not]] a link", "[[Not]] a link"),
    ("icon:: 70", "70"),
    ("id:: 64a1b2c3-0000-4000-8000-000000000001", "64a1b2c3-0000-4000-8000-000000000001"),
    ("filters:: {\"bar\" true}", "{\"bar\" true}"),
    ("tags:: a，b", ("a", "b")),
    ("note:: see http://x", "see http://x"),
    ("key::", ""),
    ("Platform:: [[Desktop]]", ("Desktop",)),
]


@pytest.mark.parametrize(("line", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_property_value_is_typed_as_logseq_types_it(line: str, expected: PropertyValue) -> None:
    prop = page_with(line).properties[0]
    assert prop.value == expected
    assert type(prop.value) is type(expected)  # True is not 1, "1000" is not 1000
    assert prop.raw == line.partition("::")[2].strip()


def test_keys_are_lower_cased_and_underscores_become_dashes() -> None:
    prop = page_with("Done_At:: 12").properties[0]
    assert (prop.key, prop.raw_key) == ("done-at", "Done_At")


def test_references_of_a_value_are_recorded_with_their_place() -> None:
    page = page_with("relations:: [[A]] and #b")
    assert page.properties[0].references == ("A", "b")
    assert [(r.kind, r.target, r.property, r.line, r.column) for r in page.references] == [
        (RefKind.PROPERTY, "A", "relations", 1, 13),
        (RefKind.PROPERTY, "b", "relations", 1, 23),
    ]


def test_alias_values_are_names_not_reference_edges() -> None:
    page = page_with("alias:: One, [[Two]]")
    assert page.aliases == ("One", "Two")
    assert page.properties[0].references == ("One", "Two")
    assert page.references == ()


def test_configured_comma_keys_split_like_tags() -> None:
    options = ParseOptions(comma_separated_keys=frozenset({"authors"}))
    assert page_with("authors:: Ada, Grace", options).properties[0].value == ("Ada", "Grace")
    assert page_with("authors:: Ada, Grace").properties[0].value == "Ada, Grace"


def test_ignored_reference_keys_stay_raw_text() -> None:
    options = ParseOptions(unreferenced_keys=frozenset({"source"}))
    page = page_with("source:: [[Book]] 12", options)
    assert (page.properties[0].value, page.references) == ("[[Book]] 12", ())


def test_a_value_never_spans_lines() -> None:
    page = parse_logseq("pages/v.md", "note:: first\nsecond line\n- body\n", ParseOptions(),
                        default_name="v")
    assert page.property("note").value == "first"
    assert page.blocks[0].kind == "pre-block"  # the text after the properties is kept
    assert page.blocks[0].content == "second line"


def test_block_ids_are_read_case_insensitively() -> None:
    text = "- target\n  id:: 6489A1B2-3C4D-5E6F-7890-ABCDEF123456\n"
    block = parse_logseq("pages/i.md", text, ParseOptions(), default_name="i").blocks[0]
    assert block.block_id == "6489a1b2-3c4d-5e6f-7890-abcdef123456"
    assert block.properties[0].value == "6489A1B2-3C4D-5E6F-7890-ABCDEF123456"


@pytest.mark.parametrize(("line", "value"), [
    ("note:: <span>[[Hidden]]</span> [[Shown]]", ("Shown",)),
    ("note:: <!-- [[Hidden]] -->", "<!-- [[Hidden]] -->"),
    ("note:: \\[[Escaped]] $[[In math]]$ \\( [[In LaTeX]] \\) [[Shown]]", ("Shown",)),
    ("note:: \\#escaped #shown", ("shown",)),
    ("price:: $5 and [[Shown]]", ("Shown",)),
    ("note:: x<b>[[After a letter]]</b>", ("After a letter",)),
])
def test_a_value_is_read_as_inline_markdown(line: str, value: PropertyValue) -> None:
    """FORMATS.md 1.5 step 3: a value is parsed as inline Markdown, so what mldoc reads
    as raw HTML, math, a LaTeX fragment or an escaped mark holds no reference."""
    page = page_with(line)
    assert page.properties[0].value == value
    assert [r.target for r in page.references] == (list(value) if isinstance(value, tuple)
                                                    else [])
