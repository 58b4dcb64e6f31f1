"""Page properties across dialects (``kb_compiler.emit.vault.properties`` and
``yamltext``): typed values survive Logseq -> YAML -> Logseq and YAML -> Logseq -> YAML,
read back by kbc's own parsers, and the front matter writer writes what YAML reads."""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kb_compiler.config import ParseOptions
from kb_compiler.emit.vault.properties import (
    Converted,
    list_keys,
    logseq_to_yaml,
    yaml_to_logseq,
    yaml_to_yaml,
)
from kb_compiler.emit.vault.yamltext import frontmatter
from kb_compiler.model import Property, VaultKind
from kb_compiler.parse.logseq import parse_logseq
from kb_compiler.parse.obsidian_frontmatter import read_frontmatter

PLAIN = ParseOptions(vault_kind=VaultKind.LOGSEQ)
LISTS = ParseOptions(vault_kind=VaultKind.LOGSEQ, comma_separated_keys=frozenset({"k"}))
text_values = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).map(
    str.strip).filter(lambda s: not (len(s) >= 2 and s[0] == s[-1] == '"'))
items = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=",，[]#"),
                min_size=1, max_size=10).map(str.strip).filter(bool)


def front(value: object, key: str = "k") -> Property:
    found = read_frontmatter("n.md", frontmatter([(key, value)]) + "body\n")
    assert not found.diagnostics, found.diagnostics
    return found.properties[0]


def logseq_property(line: str, options: ParseOptions = PLAIN) -> Property:
    page = parse_logseq("pages/p.md", line + "\n\n- body\n", options, default_name="Page")
    return page.properties[0]


def converted(prop_refs: tuple) -> list[Converted]:
    return [Converted(ref, ref.raw, None) for ref in prop_refs]


def yaml_round_trip(value: object, options: ParseOptions) -> object:
    """YAML value -> front matter -> Logseq line -> Logseq property -> YAML value."""
    original = front(value)
    line = yaml_to_logseq(original, [], options, "Page").text()
    in_logseq = logseq_property(line, options)
    page = parse_logseq("pages/p.md", line + "\n", options, default_name="Page")
    key, back = logseq_to_yaml(in_logseq, converted(page.references), options.comma_separated_keys,
                               options)
    assert key == "k"
    return front(back).value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.one_of(text_values, st.integers(-10**6, 10**6), st.booleans(), st.none(),
                 st.floats(allow_nan=False, allow_infinity=False, width=32)))
def test_yaml_scalars_survive_logseq(value: object) -> None:
    assert yaml_round_trip(value, PLAIN) == front(value).value


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(items, max_size=4))
def test_yaml_lists_survive_logseq(value: list[str]) -> None:
    assert yaml_round_trip(value, LISTS) == front(value).value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.one_of(items, st.integers(-10**6, 10**6), st.booleans(),
                          st.sampled_from(["35.021041", "7", "2024-01-15", "true", "[[a]]"])),
                min_size=1, max_size=4))
@example(["[[a]]", "0", "[[a]]"])  # starts and ends with a link: not one link
def test_yaml_lists_of_a_key_logseq_keeps_as_text_survive(value: list[object]) -> None:
    """A list whose key Logseq does not split on commas (one that lists numbers) goes
    over as text: its items, typed or not, come back as they went."""
    assert yaml_round_trip(value, PLAIN) == front(value).value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.one_of(text_values, st.sampled_from([
    "[[a]]", "[[a]], [[b c]]", "[[a]] and [[b]]", '"1000"', "1000", "true", "0.5",
    "2024-01-15", "see #topic", "http://x.org/#/a", "[[]]", "a, b", "-5", "{{date}}",
    "`((123e4567-e89b-12d3-a456-426614174000))`", "[]", "[[a]],", '"see #topic"',
    '"#topic"', "#topic", "((123e4567-e89b-12d3-a456-426614174000))"])))
def test_logseq_values_survive_yaml(raw: str) -> None:
    """Logseq line -> YAML front matter -> Logseq line: the same typed value."""
    for options in (PLAIN, LISTS):
        original = logseq_property(f"k:: {raw}".rstrip(), options)
        page = parse_logseq("pages/p.md", f"k:: {raw}\n", options, default_name="Page")
        key, value = logseq_to_yaml(original, converted(page.references),
                                    options.comma_separated_keys, options)
        in_yaml = front(value, key)
        found = read_frontmatter("n.md", frontmatter([(key, value)]))
        line = yaml_to_logseq(in_yaml, converted(found.references), options, "Page").text()
        again = logseq_property(line, options)
        if raw == "[]" and options is LISTS:  # a page "[]" in Logseq, an empty list here
            assert (value, line, again.references) == ([], 'k:: "[]"', ())
            continue
        assert (again.value, again.references) == (original.value, original.references), line


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
                       st.one_of(text_values, st.integers(), st.booleans(), st.none(),
                                 st.lists(text_values, max_size=3)), max_size=4))
def test_front_matter_writer_writes_what_yaml_reads(data: dict) -> None:
    text = frontmatter(list(data.items()))
    assert text.startswith("---\n") and text.endswith("---\n")
    assert (yaml.safe_load(text.split("---\n", 2)[1]) or {}) == data


def test_yaml_front_matter_is_written_again_unchanged() -> None:
    source = ('---\ncategories:\n  - "[[Books]]"\nrating: 7\nscore: 1.10\n'
              "when: 2024-01-15\ndone: true\nempty:\ntags: [a, b]\n---\n")
    found = read_frontmatter("n.md", source)
    entries = [yaml_to_yaml(prop, converted(found.references)) for prop in found.properties]
    assert frontmatter(entries) == ('---\ncategories:\n  - "[[Books]]"\nrating: 7\n'
                                    "score: 1.10\nwhen: 2024-01-15\ndone: true\nempty:\n"
                                    "tags:\n  - a\n  - b\n---\n")


def test_an_empty_list_names_no_page_in_logseq() -> None:
    """Logseq reads every piece of a key it splits on commas as a page, ``[]`` too: an
    empty YAML list is written quoted for such a key, bare for others, and comes back
    as an empty list either way."""
    for options, written in ((LISTS, 'k:: "[]"'), (PLAIN, "k:: []")):
        line = yaml_to_logseq(front([]), [], options, "Page").text()
        assert line == written
        assert logseq_property(line, options).references == ()
        assert yaml_round_trip([], options) == ()  # a list value is a tuple
    assert logseq_property("k:: []", LISTS).references == ("[]",)  # why it is quoted


def test_property_types_across_dialects() -> None:
    assert logseq_to_yaml(logseq_property("year:: \"1000\""), [], frozenset(), PLAIN) == \
        ("year", "1000")
    assert logseq_to_yaml(logseq_property('quote:: "hello"'), [], frozenset(), PLAIN) == \
        ("quote", '"hello"')
    line = yaml_to_logseq(front("1000", "year"), [], PLAIN, "Page").text()
    assert line == 'year:: "1000"'
    assert yaml_to_logseq(front([], "author"), [], PLAIN, "Page").text() == "author:: []"
    assert yaml_to_logseq(front(None, "cover"), [], PLAIN, "Page").text() == "cover::"
    titled = yaml_to_logseq(front("Another", "title"), [], PLAIN, "Page").text()
    assert titled == "obsidian-title:: Another"  # Logseq would rename the page


_NESTED = st.recursive(
    st.one_of(items, st.integers(-100, 100), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3),
                            st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner,
                                            min_size=1, max_size=3)),
    max_leaves=8)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), _NESTED,
                       min_size=1, max_size=3))
def test_nested_front_matter_in_block_style_is_written_again_as_the_same_data(
        data: dict) -> None:
    """Mappings and lists of mappings written one item a line under their key (covers,
    authors: Dataview and Templater write them so) were written on one line without
    their structure ("cover: url: a.png alt: A"), which YAML does not read."""
    source = "---\n" + yaml.safe_dump(data, default_flow_style=False, sort_keys=False,
                                      allow_unicode=True) + "---\n"
    found = read_frontmatter("n.md", source)
    assert not found.diagnostics, found.diagnostics
    entries = [yaml_to_yaml(prop, converted(found.references)) for prop in found.properties]
    assert yaml.safe_load(frontmatter(entries).split("---\n", 2)[1]) == data


def test_keys_yaml_types_keep_their_names() -> None:
    """Obsidian names a property ``true`` or ``null`` as written; kbc named them 'True'
    and '' (which the export then wrote as ``"True":`` and ``"":``)."""
    found = read_frontmatter("n.md", "---\ntrue: 1\nnull: 2\n3: x\n---\n")
    assert [prop.raw_key for prop in found.properties] == ["true", "null", "3"]
    entries = [yaml_to_yaml(prop, []) for prop in found.properties]
    assert yaml.safe_load(frontmatter(entries).split("---\n", 2)[1]) == {
        "true": 1, "null": 2, "3": "x"}


def test_scalars_yaml_1_1_types_are_written_as_they_were() -> None:
    """PyYAML reads YAML 1.1: 'yes' is a boolean and '010' octal 8. Obsidian reads 1.2,
    where they are the text 'yes' and the number 10; the export wrote 'true' and '8'."""
    source = "---\nnum: 010\npub: yes\nhex: 0x1F\nflag: true\nv: 1.10\n---\n"
    found = read_frontmatter("n.md", source)
    entries = [yaml_to_yaml(prop, []) for prop in found.properties]
    assert frontmatter(entries) == source


def test_a_mapping_is_no_list_logseq_splits_into_pages() -> None:
    """'nested: {a: 1, b: [2, 3]}' goes to Logseq as one line of YAML; listed among the
    keys split at commas, it made pages named '{a: 1', 'b: [2' and '3]}'."""
    found = read_frontmatter("n.md", "---\nnested: {a: 1, b: [2, 3]}\nrows: [[1, 2]]\n"
                                     "list: [x, y]\n---\n")
    assert list_keys(found.properties) == {"list"}


def test_digits_with_leading_zeros_keep_them_both_ways() -> None:
    """``zip:: 01234`` became ``zip: 1234`` in Obsidian (Logseq reads the digits as a
    number): the zero was gone for good. It is text in YAML, and written back bare."""
    for line, expected in (("zip:: 01234", "01234"), ("n:: 007", "007"), ("y:: 1000", 1000)):
        prop = logseq_property(line)
        _, value = logseq_to_yaml(prop, [], frozenset(), PLAIN)
        assert value == expected
        assert yaml_to_logseq(front(value, prop.key), [], PLAIN, "Page").text() == line
