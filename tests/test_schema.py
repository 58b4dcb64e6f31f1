"""The metamodel schema: reading it (and refusing bad ones with file:line), typing pages,
and the checks it drives (``invalid-property``, ``schema-violation``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler import load
from kb_compiler.errors import KbcError
from kb_compiler.model import RefKind
from kb_compiler.resolve import find_schema_file, load_schema, parse_schema, resolve
from tests.conftest import TRIPLE_LOWBAR, write_vault
from tests.test_resolve_builders import block, graph_of, obsidian, page, prop, ref

SAMPLE_VAULT = Path(__file__).resolve().parent.parent / "vault"

SCHEMA = """\
version: 1
properties:
  weight: {type: integer, min: 0, max: 100}
  status: {type: text, values: [draft, done]}
  ratio: {type: number, max: 1}
  public: {type: boolean}
  relations: {type: pages}
types:
  profile:
    label: Profile
    children: [profile/persona]
    required-properties: [weight, icon]
    required-sections: [Definition, Keys]
    relations:
      relations: [profile/persona]
  profile/persona:
    properties:
      weight: {type: integer, min: 0, max: 50}
  example:
  case:
  tool:
rules:
  - name: "profile/examples/*"
    type: example
  - path: "cases/*.md"
    type: case
  - tag: tool
    type: tool
"""


def schema():
    return parse_schema(SCHEMA, "kbc-schema.yaml")


def test_schema_file_is_read_into_types_properties_and_rules() -> None:
    loaded = schema()
    profile = loaded.type("profile")
    assert profile.label == "Profile" and profile.children == ("profile/persona",)
    assert profile.required_sections == ("Definition", "Keys")
    assert profile.relations == (("relations", ("profile/persona",)),)
    assert loaded.property_rule("Weight").maximum == 100
    assert loaded.property_rule("weight", "profile/persona").maximum == 50
    assert [r.type for r in loaded.rules] == ["example", "case", "tool"]


def test_sample_vault_schema_declares_the_profile_metamodel() -> None:
    path = find_schema_file(SAMPLE_VAULT, "kbc-schema.yaml")
    loaded = load_schema(path)
    assert loaded.type("profile-(id)").children == (
        "profile-(id)/persona", "profile-(id)/segmentation", "profile-(id)/goals",
        "profile-(id)/emotions")
    rule = loaded.property_rule("weight")
    assert (rule.type, rule.minimum, rule.maximum) == ("integer", 0, 100)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("types: [unclosed\n", 2, "not valid YAML"),
    ("version: 1\ncolour: red\n", 2, "unknown schema key 'colour'"),
    ("types:\n  a:\n    childs: [b]\n", 3, "unknown schema key 'childs'"),
    ("properties:\n  w: {type: float}\n", 2, "unknown property type 'float'"),
    ("properties:\n  w: {type: integer, min: low}\n", 2, "expected a number"),
    ("rules:\n  - name: x\n", 2, "needs 'type'"),
    ("version: 2\n", 1, "unsupported schema version"),
    ("types: 5\n", 1, "expected a mapping"),
    # children leading back to their type: where a roll-up cut the cycle depended on
    # the pages' names, and nothing said so (a type that lists itself is left alone)
    ("types:\n  a:\n    children: [a, b]\n  b:\n    children: [c]\n  c:\n"
     "    children: [a]\n", 3, "the types' children form a cycle (a -> b -> c -> a)"),
    # children and relation targets that are no type were taken without a word
    ("types:\n  a:\n    children: 5\n", 3, "'5' is not a type of this schema (types: a)"),
    ("types:\n  a:\n  b:\n    children: [a, nosuchtype]\n", 4,
     "'nosuchtype' is not a type of this schema (types: a, b)"),
    ("types:\n  a:\n    relations:\n      rel: 5\n", 4, "'5' is not a type of this schema"),
    # a rule giving an undeclared type left its pages unchecked; min above max let no
    # value pass; an empty type typed pages as ''
    ("types:\n  example:\nrules:\n  - {name: 'ex/*', type: exampel}\n", 4,
     "'exampel' is not a type of this schema (types: example)"),
    ("types:\n  a:\nrules:\n  - {name: 'ex/*', type: }\n", 4, "needs 'type'"),
    ("properties:\n  weight: {type: integer, min: 60, max: 10}\n", 2,
     "'weight' has min 60 above max 10"),
    # a key given twice: YAML keeps the last, and the first one's rules were lost
    ("types:\n  t:\n    required-properties: [owner]\n  t:\n    label: T\n", 4,
     "'t' is given twice (first at line 2)"),
    ("properties:\n  w: {type: text}\n  w: {type: integer}\n", 3, "'w' is given twice"),
    ("properties:\n  w: {type: text, values: 5}\n", 2, "expected a list"),
    # a number required a property named "7": every page lacked it, or none did
    ("types:\n  t:\n    required-properties: 7\n", 3, "expected a property name, got '7'"),
    ("types:\n  t:\n    required-properties: [owner, yes]\n", 3,
     "expected a property name, got 'yes'"),
])
def test_bad_schemas_are_refused_with_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(KbcError) as caught:
        parse_schema(text, "kbc-schema.yaml")
    assert str(caught.value).startswith(f"kbc-schema.yaml:{line}: ")
    assert words in str(caught.value)


def test_configured_schema_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KbcError, match="schema file named in the vault config not found"):
        find_schema_file(tmp_path, "nope.yaml")
    assert find_schema_file(tmp_path) is None


def _codes(graph) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in graph.diagnostics]


def test_property_values_of_the_wrong_type_or_range() -> None:
    graph = graph_of(page("pages/p.md", props=(
        prop("weight", "high", 2), prop("status", "finished", 3), prop("ratio", 2, 4),
        prop("public", "maybe", 5), prop("relations", "plain text", 6)),
        blocks=(block(0, 8, "b", props=(prop("weight", 150, 9),)),)), schema=schema())
    assert _codes(graph) == [
        ("invalid-property", "pages/p.md", 2,
         "property 'weight' must be an integer from 0 to 100, got 'high'"),
        ("invalid-property", "pages/p.md", 3,
         "property 'status' must be one of draft, done, got 'finished'"),
        ("invalid-property", "pages/p.md", 4, "property 'ratio' must be a number of at most 1, "
                                              "got '2'"),
        ("invalid-property", "pages/p.md", 5, "property 'public' must be true or false, "
                                              "got 'maybe'"),
        ("invalid-property", "pages/p.md", 6, "property 'relations' must name one or more "
                                              "pages, got 'plain text'"),
        ("invalid-property", "pages/p.md", 9,
         "property 'weight' must be an integer from 0 to 100, got '150'"),
    ]


def test_type_specific_property_rules_win() -> None:
    persona = page("pages/profile___persona.md", props=(
        prop("metamodel-id", "[[profile/persona]]", 1), prop("weight", 70, 2)),
        refs=(ref("profile/persona", 1, RefKind.PROPERTY, property="metamodel-id"),))
    graph = graph_of(persona, schema=schema())
    assert [m for *_, m in _codes(graph)] == [
        "property 'weight' must be an integer from 0 to 50, got '70'"]


def _profile(*, props=(), blocks=(), refs=()):
    base = (prop("metamodel-id", "[[profile]]", 1),)
    return page("pages/profile.md", props=base + props, blocks=blocks,
                refs=(ref("profile", 1, RefKind.PROPERTY, property="metamodel-id"), *refs))


def test_required_properties_and_sections() -> None:
    graph = graph_of(_profile(props=(prop("weight", 50, 2),), blocks=(
        block(0, 4, "## 🔍 Definition", heading=2), block(1, 5, "text"))), schema=schema())
    assert [message for *_, message in _codes(graph)] == [
        "page of type 'profile' needs a section 'Keys'",
        "page of type 'profile' needs property 'icon'",
    ]
    assert {(d.code, d.line) for d in graph.diagnostics} == {("schema-violation", 1)}


def test_a_required_property_holding_only_an_empty_link_is_missing() -> None:
    """``relations:: [[]]``, a template's placeholder, names no page; it satisfied a
    required ``relations`` (only an empty-link warning was given). Reported at its line."""
    graph = graph_of(_profile(props=(prop("relations", [], 4, raw="[[]], [[ ]]"),)),
                     schema=parse_schema("types:\n  profile:\n"
                                         "    required-properties: [relations]\n"))
    assert [(line, message) for _, _, line, message in _codes(graph)] == [
        (4, "page of type 'profile' needs property 'relations'")]


def test_a_missing_section_points_at_the_heading_that_looks_meant() -> None:
    """Reported at 1:1 with no hint, though a heading 'Key' stood where 'Keys' was meant."""
    graph = graph_of(_profile(props=(prop("weight", 50, 2), prop("icon", "x", 3)), blocks=(
        block(0, 6, "## 🔍 Definitions", heading=2), block(1, 9, "## 🔑 Key", heading=2),
        block(2, 12, "## Tools", heading=2))), schema=schema())
    assert [(d.line, d.message, d.suggestion) for d in graph.diagnostics] == [
        (6, "page of type 'profile' needs a section 'Definition'", "Definition"),
        (9, "page of type 'profile' needs a section 'Keys'", "Keys")]


def test_relations_may_point_only_to_allowed_types() -> None:
    complete = dict(props=(prop("weight", 50, 2), prop("icon", "x", 3)), blocks=(
        block(0, 4, "## Definition", heading=2), block(1, 5, "## 🔑 Keys", heading=2)))
    profile = _profile(**complete, refs=(
        ref("profile/persona", 6, RefKind.PROPERTY, property="relations", column=12),
        ref("other", 6, RefKind.PROPERTY, property="relations", column=33)))
    persona = page("pages/profile___persona.md",
                   props=(prop("metamodel-id", "[[profile/persona]]", 1),),
                   refs=(ref("profile/persona", 1, RefKind.PROPERTY, property="metamodel-id"),))
    graph = graph_of(profile, persona, page("pages/other.md"), schema=schema())
    assert [(d.code, d.line, d.column) for d in graph.diagnostics] == [
        ("schema-violation", 6, 33)]
    assert graph.diagnostics[0].message == (
        "'relations' points to 'other' without a type; type 'profile' allows "
        "profile/persona there")


def test_unknown_metamodel_type_is_reported() -> None:
    graph = graph_of(page("pages/x.md", props=(prop("metamodel-id", "[[nothing]]", 3),),
                          refs=(ref("nothing", 3, RefKind.PROPERTY, property="metamodel-id"),)),
                     schema=schema())
    assert ("schema-violation", 3) in [(d.code, d.line) for d in graph.diagnostics]
    assert graph.page_type("x") == "nothing"


def test_a_misspelt_metamodel_id_is_one_error_at_its_value(tmp_path: Path) -> None:
    """It was reported at column 1 with no suggestion, and every page relating to the
    mistyped page got a schema-violation of its own (one typo, five errors)."""
    vault = write_vault(tmp_path / "g", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "kbc-schema.yaml": "types:\n  profile:\n    relations:\n      relations: [persona]\n"
                           "  persona:\n  example:\n    relations:\n"
                           "      relations: [persona]\n",
        "pages/persona.md": "metamodel-id:: [[persnoa]]\n",
        "pages/persnoa.md": "- a page the typo happens to name\n",
        "pages/example.md": "- what an example is\n",
        "pages/profile.md": "metamodel-id:: [[profile]]\nrelations:: [[persona]]\n",
        "pages/ex.md": "metamodel-id:: [[example]]\nrelations:: [[persona]]\n"})
    graph = resolve(load(vault, cache_dir=None))
    assert [(d.code, d.path, d.line, d.column, d.suggestion) for d in graph.diagnostics] == [
        ("schema-violation", "pages/persona.md", 1, 16, "persona")]


def test_rules_type_pages_by_name_path_and_tag() -> None:
    graph = graph_of(
        page("pages/profile___examples___Space X.md"),
        obsidian("cases/Acme.md"),
        obsidian("BMC.md", tags=("tool",)),
        obsidian("other.md"),
        schema=schema())
    assert graph.page_type("profile/examples/space x") == "example"
    assert graph.page_type("cases/acme") == "case"
    assert graph.page_type("bmc") == "tool"
    assert graph.page_type("other") is None
    assert graph.graph.nodes["bmc"]["type"] == "tool"


def test_metamodel_id_in_obsidian_frontmatter_types_the_note() -> None:
    note = obsidian("n.md", props=(prop("metamodel-id", "[[profile]]", 2),),
                    refs=(ref("profile", 2, RefKind.PROPERTY, property="metamodel-id"),))
    graph = graph_of(note, page("pages/profile.md"))
    assert graph.page_type("n") == "profile"
    assert graph.graph.edges["n", "profile", 0]["kind"] == "metamodel"


def test_vault_without_schema_still_checks_the_numbers_scores_use(tmp_path: Path) -> None:
    """``weight::``, ``key-weight::`` and ``value::`` feed the scores with or without a
    schema, so a value the roll-up leaves out is reported; ``weight:: high`` was not,
    and a child dropped out of its parent's roll-up without a word."""
    (tmp_path / "a.md").write_text("weight:: high\n\n- k\n  key-weight:: 500\n  value:: 5\n"
                                   "- other:: high\n", encoding="utf-8")
    graph = resolve(load(tmp_path, cache_dir=None))
    assert graph.schema.is_empty
    assert [(d.code, d.line, d.target) for d in graph.diagnostics] == [
        ("invalid-property", 1, "weight"), ("invalid-property", 4, "key-weight")]


def test_sample_vault_gives_exactly_its_documented_faults() -> None:
    graph = resolve(load(SAMPLE_VAULT, cache_dir=None))
    assert [(d.code, d.path, d.line) for d in graph.diagnostics] == [
        ("embed-cycle", "Customer Pains.md", 11),
        ("missing-asset", "Empathy Map.md", 5),
        ("invalid-property", "profile-(id)___emotions.md", 6),
        ("schema-violation", "profile-(id)___examples___vein visualizer.md", 1),
        ("broken-embed", "profile-(id)___goals.md", 41),
        ("broken-relation", "profile-(id)___persona.md", 5),
        ("broken-block-ref", "profile-(id)___segmentation.md", 36),
    ]
    assert graph.page_type("profile-(id)/goals") == "profile-(id)/goals"
    assert graph.page_type("profile-(id)/examples/space x") == "example"
    assert graph.page_type("business model canvas") == "tool"


def test_schema_outside_the_vault_is_refused(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("- x\n", encoding="utf-8")
    (vault / "kbc.toml").write_text('schema = "../outside.yaml"\n', encoding="utf-8")
    (tmp_path / "outside.yaml").write_text("version: 1\n", encoding="utf-8")
    with pytest.raises(KbcError, match="must be inside the vault"):
        resolve(load(vault, cache_dir=None))


def test_a_number_written_in_a_logseq_property_is_a_number(tmp_path: Path) -> None:
    """Logseq types only digits as a number, so ``ratio:: 0.5`` and ``cost:: -5`` reach
    the schema as text; ``type: number`` rejected every one ("must be a number from 0
    to 1, got '0.5'"). Text that is no number still breaks the rule."""
    schema = parse_schema("version: 1\nproperties:\n  ratio: {type: number, min: 0, max: 1}\n"
                          "  cost: {type: integer, min: -10}\n")
    graph = graph_of(page("pages/p.md", props=(
        prop("ratio", "0.5", 1), prop("cost", "-5", 2)),
        blocks=(block(0, 4, "b", props=(prop("ratio", "1.5", 5), prop("cost", "-5.5", 6),
                                        prop("ratio", ".25e1", 7))),)), schema=schema)
    assert _codes(graph) == [
        ("invalid-property", "pages/p.md", 5,
         "property 'ratio' must be a number from 0 to 1, got '1.5'"),
        ("invalid-property", "pages/p.md", 6,
         "property 'cost' must be an integer of at least -10, got '-5.5'"),
        ("invalid-property", "pages/p.md", 7,
         "property 'ratio' must be a number from 0 to 1, got '.25e1'"),
    ]


def test_a_schema_narrows_the_score_ranges_and_never_widens_them() -> None:
    """The scores weigh only integers from 0 to 100; a schema allowing ``weight`` up to
    1,000 let ``weight:: 300`` pass the check while the roll-up dropped it."""
    schema = parse_schema("version: 1\nproperties:\n  weight: {type: integer, max: 1000}\n"
                          "  value: {type: number}\n")
    graph = graph_of(page("pages/p.md", props=(prop("weight", 300, 1),),
                          blocks=(block(0, 3, "b", props=(prop("key-weight", 10, 4),
                                                          prop("value", "50.5", 5))),)),
                     schema=schema)
    assert _codes(graph) == [
        ("invalid-property", "pages/p.md", 1,
         "property 'weight' must be an integer from 0 to 100, got '300'"),
        ("invalid-property", "pages/p.md", 5,
         "property 'value' must be an integer from 0 to 100, got '50.5'"),
    ]


def test_a_value_the_schema_rejects_is_not_counted_in_the_scores() -> None:
    """The check rejected ``weight:: 80`` under a schema's ``max: 50`` while the roll-up
    still weighed the child by 80; a key's ``value:: 95`` over ``max: 90`` likewise."""
    schema = parse_schema("version: 1\nproperties:\n  weight: {type: integer, max: 50}\n"
                          "  value: {type: integer, max: 90}\n")

    def keyed(path: str, value: int, weight: int | None) -> object:
        return page(path, props=(prop("weight", weight, 1),) if weight is not None else (),
                    blocks=(block(0, 3, "k", props=(prop("key-weight", 100, 4),
                                                    prop("value", value, 5))),
                            block(1, 6, "l", props=(prop("key-weight", 100, 7),
                                                    prop("value", 95, 8)))))

    graph = graph_of(keyed("pages/p.md", 50, None), keyed("pages/p___x.md", 90, 80),
                     keyed("pages/p___y.md", 0, 20), schema=schema)
    assert [(path, line) for _, path, line, _ in _codes(graph)] == [
        ("pages/p.md", 8), ("pages/p___x.md", 1), ("pages/p___x.md", 8), ("pages/p___y.md", 8)]
    assert [key.value for key in graph.score("p").keys] == [50]
    assert graph.score("p/x").score == 90
    assert graph.score("p").rollup == pytest.approx((100 * 50 + 20 * 0) / (100 + 20))
