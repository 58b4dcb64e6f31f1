"""Logseq simple queries: parsing (kb_compiler.queries.dsl) and evaluation (.run).

Cases marked "logseq:" restate, on data of our own, an expectation of Logseq's
query_dsl_test.cljs (file graphs)."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.queries import (
    PropertyData,
    QueryBlock,
    QueryData,
    QueryError,
    QueryPage,
    parse_query,
    run_query,
)
from kb_compiler.queries.advanced import read_advanced, top_level_value
from kb_compiler.queries.syntax import (
    And,
    Between,
    DayOffset,
    FullText,
    Not,
    PageName,
    Property,
    Ref,
    Task,
)

TODAY = date(2020, 12, 26)
_MARKERS = {"TODO", "DOING", "DONE", "LATER", "NOW", "WAITING", "CANCELED"}
_REFS = re.compile(r"#\[\[(.+?)\]\]|\[\[(.+?)\]\]|#([\w/-]+)")
_PRIORITY = re.compile(r"\[#([ABC])\]\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _names(text: str) -> list[str]:
    return [next(group for group in found.groups() if group) for found in _REFS.finditer(text)]


def journal_title(day: date) -> str:
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10,
                                                                             "th")
    return f"{day:%b} {day.day}{suffix}, {day.year}"


@dataclass(frozen=True)
class _Spec:
    name: str
    lines: tuple[str | tuple[str, dict[str, object]], ...]
    props: dict[str, object]
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    journal: date | None


@dataclass
class Vault:
    """Pages written as outlines: each line is "  TODO [#A] text [[ref]] #tag" (two spaces
    a level) or (line, {property: value}). Page properties become the page's pre-block,
    where file Logseq keeps them. ``canonical`` resolves aliases to the page they name,
    as the real data adapter does; otherwise references keep the alias's own id."""

    today: date = TODAY
    canonical: bool = True
    specs: list[_Spec] = field(default_factory=list)

    def page(self, name: str, *lines: str | tuple[str, dict[str, object]],
             props: dict[str, object] | None = None, tags: tuple[str, ...] = (),
             aliases: tuple[str, ...] = (), journal: date | None = None) -> Vault:
        self.specs.append(_Spec(name, lines, props or {}, tags, aliases, journal))
        return self

    def id(self, name: str) -> str:
        key = name.strip().casefold()
        owners = {alias.casefold(): spec.name.casefold() for spec in self.specs
                  for alias in spec.aliases}
        return owners.get(key, key) if self.canonical else key

    def prop(self, value: object) -> PropertyData:
        text = str(value)
        names = _names(text)
        if names:
            typed: object = tuple(names) if len(names) > 1 else names[0]
        elif isinstance(value, bool | int | float):
            typed = value
        else:
            typed = text
        return PropertyData(text, frozenset(self.id(name) for name in names), typed)

    def data(self) -> QueryData:
        pages: dict[str, QueryPage] = {}
        blocks: list[QueryBlock] = []
        for order, spec in enumerate(self.specs):
            page_id = spec.name.casefold()
            day = int(spec.journal.strftime("%Y%m%d")) if spec.journal else None
            pages[page_id] = QueryPage(
                page_id, spec.name, {k: self.prop(v) for k, v in spec.props.items()},
                frozenset(map(self.id, spec.tags)), frozenset(map(self.id, spec.aliases)),
                day, page_id.rsplit("/", 1)[0] if "/" in page_id else None, order)
            outline = ([("", spec.props)] if spec.props else []) + list(spec.lines)
            blocks.extend(self._blocks(page_id, outline, len(blocks)))
        named = {ref for block in blocks for ref in block.refs}.union(
            *(page.tags | page.aliases for page in pages.values()))
        for ref in sorted(named - set(pages)):
            pages[ref] = QueryPage(ref, ref, {}, frozenset(), frozenset(), None, None,
                                   len(pages), exists=False)
        known = set(pages)
        return QueryData(pages, blocks, self.today,
                         lambda name: found if (found := self.id(name)) in known else None)

    def _blocks(self, page_id: str, outline: list[str | tuple[str, dict[str, object]]],
                first: int) -> list[QueryBlock]:
        made: list[QueryBlock] = []
        parents: list[int] = []
        for index, line in enumerate(outline):
            text, props = line if isinstance(line, tuple) else (line, {})
            depth = (len(text) - len(text.lstrip(" "))) // 2
            del parents[depth:]
            parent = parents[-1] if parents else None
            parents.append(index)
            content = text.strip()
            word = content.split(" ", 1)[0]
            marker = word if word in _MARKERS else None
            priority = _PRIORITY.search(content)
            properties = {k: self.prop(v) for k, v in props.items()}
            refs = frozenset(self.id(n) for n in _names(content)).union(
                *(prop.refs for prop in properties.values()))
            above = made[parent].path_refs if parent is not None else frozenset({page_id})
            made.append(QueryBlock(page_id, index, parent, content, marker,
                                   priority[1] if priority else None, properties, refs,
                                   above | refs, first + index))
        return made


def contents(query: str, vault: Vault, exclude: tuple[str, int] | None = None) -> list[str]:
    result = run_query(parse_query(query), vault.data(), exclude=exclude)
    assert result.kind == "blocks"
    return [block.content for block in result.blocks]


def page_names(query: str, vault: Vault) -> list[str]:
    result = run_query(parse_query(query), vault.data())
    assert result.kind == "pages"
    return [page.name for page in result.pages]


# logseq: block-property-queries ------------------------------------------------------

SHELF = Vault().page(
    "Mar 14th, 2023",
    ("first", {"genre": "fiction", "pages": 320}),
    ("second", {"genre": "fiction", "format": "paperback"}),
    ("third", {"shelf": "[[Kitchen]], [[Study]], [[Attic]]", "room-number": "[[42]]",
               "owner": "[[ada-lovelace]]"}),
    ("fourth", {"owner": "nobody"}),
    props={"mood": "calm"}, journal=date(2023, 3, 14))


@pytest.mark.parametrize(("query", "expected"), [
    ("(property genre fiction)", ["first", "second"]),
    ("(property format paperback)", ["second"]),
    ("(and (property format paperback))", ["second"]),
    ('(and (property shelf "study"))', ["third"]),
    ('(and (property shelf "Study") (property shelf "attic"))', ["third"]),
    ('(or (property shelf "Attic") (property format paperback))', ["second", "third"]),
    ("(property pages 320)", ["first"]),
    ("(property room-number 42)", ["third"]),
    ("(property owner ada-lovelace)", ["third"]),
    ("(property owner [[Ada-Lovelace]])", ["third"]),
    ("(property owner)", ["third", "fourth"]),
    ("(property room_number)", ["third"]),
    ("(property mood calm)", [""]),  # the page's pre-block: Logseq returns it too
    ("(property genre poetry)", []),
])
def test_block_properties(query: str, expected: list[str]) -> None:
    assert contents(query, SHELF) == expected


def test_property_value_is_a_page_or_the_whole_text() -> None:
    vault = Vault().page("notes", ("a", {"description": "I liked this #book and #movie"}),
                         ("b", {"type": "[[Book]]"}), ("c", {"flag": True}),
                         ("d", {"count": 1}), ("e", {"score": "7.5"}))
    assert contents("(property description book)", vault) == ["a"]
    assert contents("(property description movie)", vault) == ["a"]
    assert contents("(property description liked)", vault) == []  # the docs' own example
    assert contents("(property type book)", vault) == ["b"]
    assert contents("(property flag true)", vault) == ["c"]
    assert contents("(property count true)", vault) == []  # True == 1 is not a match
    assert contents('(property score "7.5")', vault) == ["e"]


# logseq: page-property-queries -------------------------------------------------------

KITCHEN = (Vault()
           .page("soup", props={"base": "[[Stock Pot]], [[water-only]]", "vegan": True})
           .page("bread", props={"kind": "#side", "vegan": False})
           .page("stew", props={"base": "[[Stock Pot]], [[Wine Cask]]", "kind": "side",
                                "vegan": False})
           .page("salad", props={"base": "[[Wine Cask]]", "kind": "main"}))


@pytest.mark.parametrize(("query", "expected"), [
    ("(page-property base)", ["soup", "stew", "salad"]),
    ("(page-property base [[stock pot]])", ["soup", "stew"]),
    ('(page-property base "Stock Pot")', ["soup", "stew"]),
    ("(page-property base [[water-only]])", ["soup"]),
    ("(and (page-property base [[Stock Pot]]) (page-property base [[Wine Cask]]))",
     ["stew"]),
    ("(or (page-property base [[Stock Pot]]) (page-property base [[Wine Cask]]))",
     ["soup", "stew", "salad"]),
    ("(and (page-property base [[Stock Pot]]) (or (page-property vegan true) "
     "(page-property base [[Wine Cask]])))", ["soup", "stew"]),
    ("(and (page-property base [[Wine Cask]]) (not (page-property kind side)))", ["salad"]),
    ("(and (not (page-property kind side)) (page-property base [[Wine Cask]]))", ["salad"]),
    ("(page-property vegan true)", ["soup"]),
    ("(page-property vegan false)", ["bread", "stew"]),
    ("(page-property kind side)", ["bread", "stew"]),  # #side is the page side
])
def test_page_properties(query: str, expected: list[str]) -> None:
    assert page_names(query, KITCHEN) == expected


# logseq: task-queries, priority-queries, sample-queries ------------------------------

CHORES = Vault().page("chores", "NOW sweep", "TODO dust", "LATER mop",
                      "LATER [#A] wash windows", "LATER [#B] oil hinges", "[#A] call plumber",
                      props={"room": "hall"})


@pytest.mark.parametrize(("query", "expected"), [
    ("(task now)", ["NOW sweep"]),
    ("(task LATER)", ["LATER mop", "LATER [#A] wash windows", "LATER [#B] oil hinges"]),
    ("(TASK now later)", ["NOW sweep", "LATER mop", "LATER [#A] wash windows",
                          "LATER [#B] oil hinges"]),
    ("(task [now todo])", ["NOW sweep", "TODO dust"]),
    ("(or (todo now) (and (todo later) (priority a)))", ["NOW sweep",
                                                          "LATER [#A] wash windows"]),
    ("(and (todo later) (or (priority a) (priority b)))", ["LATER [#A] wash windows",
                                                            "LATER [#B] oil hinges"]),
    ("(priority A)", ["LATER [#A] wash windows", "[#A] call plumber"]),
    ("(priority [a b] c)", ["LATER [#A] wash windows", "LATER [#B] oil hinges",
                            "[#A] call plumber"]),
    ("(and (task later) (sample 2))", ["LATER mop", "LATER [#A] wash windows"]),
])
def test_tasks_and_priorities(query: str, expected: list[str]) -> None:
    assert contents(query, CHORES) == expected


def test_sample_limits_pages_too() -> None:
    assert page_names("(and (page-property kind) (sample 1))", KITCHEN) == ["bread"]


# logseq: nested-boolean-queries, page-ref-and-boolean-queries, block-content ---------

LINKS = (Vault()
         .page("one", "DONE fed cat [[Pets]] [[Chores]]", "DONE fed fish [[Pets]]",
               props={"status": "draft"})
         .page("two", "NOW walk dog [[Pets]]", "LATER water plants [[Garden]] #urgent",
               "plain note"))


@pytest.mark.parametrize(("query", "expected"), [
    ("(and (todo done) (not [[pets]]))", []),
    ("(and [[Pets]] (and [[Chores]] (not (task todo))))", ["DONE fed cat [[Pets]] [[Chores]]"]),
    ("(and (todo now later) (or [[Pets]] [[Garden]]))",
     ["NOW walk dog [[Pets]]", "LATER water plants [[Garden]] #urgent"]),
    ("(and (todo now later done) (or [[Pets]] (not [[Pets]])))",
     ["DONE fed cat [[Pets]] [[Chores]]", "DONE fed fish [[Pets]]", "NOW walk dog [[Pets]]",
      "LATER water plants [[Garden]] #urgent"]),
    ("(not (and (todo now later) (or [[Pets]] [[Garden]])))",
     ["", "DONE fed cat [[Pets]] [[Chores]]", "DONE fed fish [[Pets]]", "plain note"]),
    ('(and "fed" (or "cat" "FISH"))', ["DONE fed cat [[Pets]] [[Chores]]",
                                       "DONE fed fish [[Pets]]"]),
    ('"plain"', ["plain note"]),
    ('"absent"', []),
    ("plain note", ["plain note"]),
    ("[[garden]]", ["LATER water plants [[Garden]] #urgent"]),
    ("#urgent", ["LATER water plants [[Garden]] #urgent"]),
    ("[[nowhere]]", []),
    ("(and [[Pets]] [[Chores]])", ["DONE fed cat [[Pets]] [[Chores]]"]),
    ("(or [[Chores]] [[Garden]])", ["DONE fed cat [[Pets]] [[Chores]]",
                                    "LATER water plants [[Garden]] #urgent"]),
    ("(or [[Chores]] [[nowhere]])", ["DONE fed cat [[Pets]] [[Chores]]"]),
    ("(not [[Pets]] [[Chores]])", ["", "DONE fed fish [[Pets]]", "NOW walk dog [[Pets]]",
                                   "LATER water plants [[Garden]] #urgent", "plain note"]),
    ("(and (page two) (not [[pets]]))", ["LATER water plants [[Garden]] #urgent",
                                         "plain note"]),
    ("(page nope)", []),
])
def test_refs_and_booleans(query: str, expected: list[str]) -> None:
    assert contents(query, LINKS) == expected


def test_refs_follow_the_outline() -> None:
    """logseq: nested-page-ref-queries. A child matches through its parent's refs; shown
    under its parent, it is not a result of its own."""
    vault = Vault().page("tree", "p1 [[Parent]]", "  [[Child]]", "p2 [[Parent]]",
                         "  unlinked", "    deeper", "p3", "  [[Parent]] again")
    data = vault.data()
    assert contents("(and [[Parent]] (not [[Child]]))", vault) == [
        "p1 [[Parent]]", "p2 [[Parent]]", "[[Parent]] again"]
    assert len([b for b in data.blocks if "parent" in b.path_refs]) == 6
    assert contents("(and [[Parent]] (not [[Child]]))", vault, exclude=("tree", 2)) == [
        "p1 [[Parent]]", "unlinked", "[[Parent]] again"]


# logseq: page-tags-and-all-page-tags, page-queries, namespace-queries ----------------

TAGGED = (Vault().page("north", tags=("travel", "Cold Places"))
          .page("south", tags=("cold places", "beach")).page("east", tags=("other",))
          .page("ns1/alpha").page("ns1/beta").page("ns1/beta/inner").page("ns2/alpha"))


@pytest.mark.parametrize(("query", "expected"), [
    ("(page-tags [[travel]])", ["north"]),
    ("(page-tags #[[cold places]])", ["north", "south"]),
    ("(page-tags travel beach)", ["north", "south"]),
    ("(page-tags TRAVEL Beach)", ["north", "south"]),
    ("(page-tags [travel beach])", ["north", "south"]),
    ("(all-page-tags)", ["beach", "cold places", "other", "travel"]),
    ("(namespace ns1)", ["ns1/alpha", "ns1/beta"]),
    ("(namespace [[NS1/beta]])", ["ns1/beta/inner"]),
    ("(namespace blarg)", []),
    ("(not (page-tags other))", ["north", "south", "ns1/alpha", "ns1/beta",
                                 "ns1/beta/inner", "ns2/alpha", "beach", "cold places",
                                 "other", "travel"]),
])
def test_page_queries(query: str, expected: list[str]) -> None:
    assert page_names(query, TAGGED) == expected


def test_page_filters_inside_a_block_query_test_the_block_s_page() -> None:
    vault = (Vault().page("trip", "TODO pack [[bags]]", tags=("travel",))
             .page("home", "TODO clean [[bags]]").page("travel"))
    assert contents("(and (task todo) (page-tags travel))", vault) == ["TODO pack [[bags]]"]
    assert contents("(and [[bags]] (not (page-tags travel)))", vault) == ["TODO clean [[bags]]"]
    assert contents("(page trip)", vault) == ["TODO pack [[bags]]"]


# logseq: between-queries --------------------------------------------------------------

DIARY = (Vault()
         .page("Dec 24th, 2020", "DONE wrap gifts", journal=date(2020, 12, 24))
         .page("Dec 26th, 2020", "DONE boxing day", "LATER return socks", "TODO call aunt",
               "NOW tidy up", "note", journal=date(2020, 12, 26))
         .page("Dec 27th, 2020", "DONE rest", journal=date(2020, 12, 27))
         .page("Jan 26th, 2021", "DONE new year plans", journal=date(2021, 1, 26))
         .page("not a journal", "DONE elsewhere"))


@pytest.mark.parametrize(("query", "count"), [
    ("(and (task now later done) (between [[Dec 26th, 2020]] tomorrow))", 4),
    ("(and (task now later done) (between [[Dec 26th, 2020]] [[Dec 27th, 2020]]))", 4),
    ("(and (task done) (between [[Dec 27th, 2020]] [[Dec 25th, 2020]]))", 2),  # any order
    ("(between -2d today)", 6),
    ("(between yesterday +1w)", 6),
    ("(between today +1m)", 7),
    ("(between -1y now)", 6),
    ("(between +3h -3h)", 5),  # hours round toward today: the day itself
    ("(between [[2020-12-24]] [[Dec 24th, 2020]])", 1),  # titles of no page still read
    ("(and (between <% 2 days ago %> <% today %>) (todo now done))", 3),
    ("(and (page <% today %>) (todo now))", 1),
    ("<% tomorrow %>", 1),  # a journal's blocks all have its page in their path-refs
])
def test_between(query: str, count: int) -> None:
    assert len(contents(query, DIARY)) == count


def test_between_a_page_that_is_no_day() -> None:
    with pytest.raises(QueryError, match="not a journal page"):
        run_query(parse_query("(between [[not a journal]] today)"), DIARY.data())


def test_between_reads_a_day_in_the_graphs_title_format() -> None:
    """With ``:journal/page-title-format "do MMMM yyyy"`` a bound naming a day without a
    journal file was no day at all (the query was shown as code); Logseq reads it in
    the graph's format."""
    data = dataclasses.replace(DIARY.data(), journal_title_format="do MMMM yyyy")
    found = run_query(parse_query("(between [[25th December 2020]] [[26th december 2020]])"),
                      data)
    assert len(found.blocks) == 5
    with pytest.raises(QueryError, match="not a journal page"):
        run_query(parse_query("(between [[32nd December 2020]] today)"), data)


def test_between_month_ends_and_timestamps() -> None:
    vault = Vault(today=date(2021, 3, 31)).page(
        "Feb 28th, 2021", ("a", {"created-at": 1614470400000}), journal=date(2021, 2, 28))
    vault.page("Mar 31st, 2021", ("b", {"created_at": 1617148800000}),
               journal=date(2021, 3, 31))
    assert contents("(between -1m -1m)", vault) == ["a"]  # Mar 31 - 1m: Feb 28
    assert contents("(between created-at -1m -1d)", vault) == ["a"]
    assert contents("(between created-at today now)", vault) == ["b"]


# logseq: sort-by-queries ------------------------------------------------------------

ORCHARD = (Vault()
           .page("Feb 25th, 2020", props={"rating": 10}, journal=date(2020, 2, 25))
           .page("Dec 26th, 2020", ("DONE pick", {"fruit": "plum", "created-at": 3}),
                 ("LATER juice", {"fruit": "Apple", "created-at": 2}),
                 ("DONE rest", {"created-at": 1}), ("DONE weigh", {"fruit": 12}),
                 props={"rating": 8}, journal=date(2020, 12, 26)))


@pytest.mark.parametrize(("query", "expected"), [
    ("(and (task later done) (sort-by fruit))", ["plum", "Apple", "12", None]),
    ("(and (task later done) (sort-by fruit desc))", ["plum", "Apple", "12", None]),
    ("(and (task later done) (sort-by fruit asc))", ["12", "Apple", "plum", None]),
    ("(and (task later done) (sort-by created-at asc))", [None, "Apple", "plum", "12"]),
])
def test_sort_by(query: str, expected: list[str | None]) -> None:
    result = run_query(parse_query(query), ORCHARD.data())
    fruit = [b.properties["fruit"].text if "fruit" in b.properties else None
             for b in result.blocks]
    assert fruit == expected


def test_sort_pages_and_report_it() -> None:
    result = run_query(parse_query("(and (page-property rating) (sort-by rating))"),
                       ORCHARD.data())
    assert [page.properties["rating"].value for page in result.pages] == [10, 8]
    assert result.sort == ("rating", True)
    asc = run_query(parse_query("(and (page-property rating) (sort-by rating asc))"),
                    ORCHARD.data())
    assert [page.name for page in asc.pages] == ["Feb 25th, 2020", "Dec 26th, 2020"][::-1]


# aliases -----------------------------------------------------------------------------


@pytest.mark.parametrize("canonical", [True, False])
def test_a_page_and_its_aliases_are_one(canonical: bool) -> None:
    vault = Vault(canonical=canonical).page("Robert", aliases=("Bob", "Rob")).page(
        "log", "met [[Bob]]", "called [[Robert]]", "saw #rob", ("x", {"with": "[[bob]]"}))
    met = ["met [[Bob]]", "called [[Robert]]", "saw #rob", "x"]
    assert contents("[[Robert]]", vault) == met
    assert contents("[[rob]]", vault) == met
    assert contents("(property with robert)", vault) == ["x"]


# parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("#foo", Ref(PageName("foo"))),
    ("(and #foo)", Ref(PageName("foo"))),
    ("[[test #foo]]", Ref(PageName("test #foo"))),
    ('"for #clojure"', FullText("for #clojure")),
    ('(and "for #clojure" #foo)', And((FullText("for #clojure"), Ref(PageName("foo"))))),
    ("(and [[foo]])", Ref(PageName("foo"))),
    ("(and (and [[foo]]))", Ref(PageName("foo"))),
    ("(and (or [[foo]]))", Ref(PageName("foo"))),
    ("(and (not [[foo]]))", Not(Ref(PageName("foo")))),
    ("(not (or [[foo]]))", Not(Ref(PageName("foo")))),
    ('"[[foo]]"', Ref(PageName("foo"))),
    ("#[[multi word]]", Ref(PageName("multi word"))),
    ("(AND (Task :todo) [[x]])", And((Task(frozenset({"TODO"})), Ref(PageName("x"))))),
    ("(property Type_Name [[Book]])", Property("type-name", PageName("Book"))),
    ("(between -7D +2w)", Between(DayOffset(-7, "d"), DayOffset(2, "w"))),
    ("(full-text-search \"needle\")", FullText("needle")),
    ("<% in 3 weeks %>", Ref(DayOffset(3, "w"))),
])
def test_parse(query: str, expected: object) -> None:
    assert parse_query(query).filter == expected


# Every {{query ...}} of Logseq's own docs graph: each parses or says why it can't.
DOCS_QUERIES = {
    "(property type book)": "blocks", "": "empty query", "[[tag1]]": "blocks",
    "(or [[tag1]] [[tag2]])": "blocks", "(and [[tag1]] [[tag2]])": "blocks",
    "(between [[Dec 5th, 2020]] [[Dec 7th, 2020]] )": "blocks",
    "(and [[tag2]] (not [[tag1]]))": "blocks",
    "(and (task done) $1)": "macro argument placeholder",
    "Something you're looking for": "blocks",
    "(property project change-me-later)": "blocks", "(page-tags embed)": "pages",
    "(page-property tags)": "pages", '(page-property related "Block embed")': "pages",
    '(page "term/alias")': "blocks", '(page "Page Alias")': "blocks",
    "(namespace [[term]])": "pages", "(and [[card]] (sample 2))": "blocks",
    "(and [[Project 1]] (todo now))": "blocks",
    "(and (todo now later done) [[tag1]])": "blocks",
    "(and (page <% today %>) (todo now))": "blocks",
    "(and (between <% 7 days ago %> <% today %>) (todo now done))": "blocks",
    "(all-page-tags)": "pages",
}


@pytest.mark.parametrize(("query", "outcome"), DOCS_QUERIES.items())
def test_docs_graph_queries(query: str, outcome: str) -> None:
    if outcome in ("blocks", "pages"):
        parsed = parse_query(query)
        assert parsed.kind == outcome
        run_query(parsed, DIARY.data())
    else:
        with pytest.raises(QueryError, match=outcome):
            parse_query(query)


@pytest.mark.parametrize(("query", "message"), [
    ("   ", "empty query"),
    ('""', "empty text search"),
    ("(foo bar)", "unknown filter 'foo'"),
    ("(and)", r"'\(and\)' is empty"),
    ("(task)", "needs at least one name"),
    ("(and [[a]]", r"missing '\)'"),
    ("(and [[a]]))", r"unbalanced '\)'"),
    ("(task [todo)", r"'\)' at character 12 closes the '\['"),
    ("[[open", r"'\[\[' at character 1 has no closing"),
    ('(and "open)', "has no closing '\"'"),
    ("(page <% today", "'<%' at character 7 has no closing '%>'"),
    ("(page <% current page %>)", "page showing the query"),
    ("<% next full moon %>", "can't be worked out at build time"),
    ("(and [[a]] foo)", "'foo' is not a filter"),
    ("[[a]] [[b]]", "more than one filter at the top level"),
    ("(sort-by rating)", "only sorts or samples"),
    ("(and [[a]] (sort-by x up))", "sorts asc or desc"),
    ("(and [[a]] (sample 0))", "whole number above 0"),
    ("(and [[a]] (sample 1) (sample 2))", r"more than one \(sample"),
    ("(or [[a]] (page-property x y))", "can't mix page filters"),
    ("(property type good book)", "quote a value with spaces"),
    ("(between 7 today)", "needs a unit"),
    ("(between today)", "takes two dates"),
    ("(between modified -1d today)", "created-at or updated-at"),
    ("(page)", "takes one page name"),
    ("(all-page-tags x)", "takes nothing"),
    ("{:a 1}", "unexpected '{'"),
    ("#", "has no tag name"),
    ("((task todo))", "starts with a filter name"),
    ("[todo]", "is not a filter"),
    ("()", "'\\(\\)' is empty"),
    ("(" * 100 + ")" * 100, "nests lists more than 64 deep"),
])
def test_errors(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def test_query_error_is_one_printable_line() -> None:
    assert issubclass(QueryError, ValueError)
    with pytest.raises(QueryError, match="unknown filter") as raised:
        parse_query("(fo\x1bo\x07 x\n)")
    assert not _CONTROL.search(str(raised.value))


_PIECES = st.sampled_from(["(", ")", "[", "]", "[[", "]]", "#", '"', "<%", "%>", " ", ",",
                           "and", "or", "not", "task", "todo", "page", "property",
                           "page-tags", "between", "sort-by", "sample", "namespace", "$1",
                           "today", "-7d", "3", "x", ":asc", "\\", "{", "\n", "é"])


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=25).map("".join)))
def test_any_text_parses_or_raises_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert not _CONTROL.search(str(error))
        return
    with contextlib.suppress(QueryError):
        run_query(query, DIARY.data())


# Advanced queries (#+BEGIN_QUERY) ------------------------------------------------------


def test_an_advanced_query_with_a_simple_query_runs_it() -> None:
    """Logseq's docs graph writes ``{:query (page-property :type [[Feature]]) ...}``:
    the value is read from its text, as ``{{query}}`` reads it, not from EDN data
    (which would turn ``[[Feature]]`` into nested vectors)."""
    written = '{:title "Feature pages"\n :query (page-property :type [[UI Element]])}'
    advanced = read_advanced(written)
    assert advanced.title == "Feature pages"
    assert advanced.query == parse_query("(page-property type [[UI Element]])")
    as_string = read_advanced('{:query "(and (task todo) [[a]])"}')
    assert as_string.query == parse_query("(and (task todo) [[a]])")


@pytest.mark.parametrize(("written", "reason"), [
    ("{:title \"All tasks\"\n :query [:find (pull ?b [*]) :where [?b :block/marker _]]}",
     "Datalog runs in the app only"),
    ('{:query (page-tags x) :view (fn [rows] [:ul rows])}', ":view run in the app only"),
    ('{:query (page-tags x) :result-transform (fn [r] r) :view (fn [r] r)}',
     ":view and :result-transform run in the app only"),
])
def test_an_advanced_query_the_site_cannot_run_says_why(written: str, reason: str) -> None:
    advanced = read_advanced(written)
    assert advanced.query is None and advanced.reason == reason


@pytest.mark.parametrize(("written", "words"), [
    ("{:query (and [[a]]", "not EDN"),
    ('[:find ?b]', "is a map"),
    ('{:title "No query"}', "no :query"),
    ("{:query [:where [?b :block/marker _]]}", ":find"),
    ("{:query (taks todo)}", "unknown filter 'taks': did you mean 'task'?"),
    ("{:query {:find 1}}", "queries have no maps"),
])
def test_an_advanced_query_logseq_cannot_use_is_an_error(written: str, words: str) -> None:
    with pytest.raises(QueryError, match=re.escape(words)):
        read_advanced(written)


def test_a_value_is_found_at_the_top_level_of_the_map_as_written() -> None:
    written = ('{:inputs {:query "inner"} ; :query in a comment\n'
               ' :title [:h3 "Tasks ] here"]\n :query (and #tag [[a, b]])}')
    assert top_level_value(written, "query") == "(and #tag [[a, b]])"
    assert top_level_value(written, "title") == '[:h3 "Tasks ] here"]'
    assert top_level_value(written, "missing") is None
    assert read_advanced(written).title_hiccup == '[:h3 "Tasks ] here"]'
