"""Reading ``.base`` files: the published vault's thirty bases, and the mistakes an
author makes, each reported with its line."""

from __future__ import annotations

import pytest

from kb_compiler.bases.document import (
    BaseError,
    FilterGroup,
    SortKey,
    Statement,
    property_id,
    read_base,
)
from tests.conftest import KEPANO

CORPUS_BASES = KEPANO / "Templates" / "Bases"


def test_every_base_of_the_published_vault_is_read() -> None:
    paths = sorted(CORPUS_BASES.glob("*.base"))
    assert len(paths) == 30
    for path in paths:
        document = read_base(path.read_text("utf-8"))
        assert document.views, path.name


def test_books_base_reads_as_written() -> None:
    # Checked by reading Templates/Bases/Books.base.
    document = read_base((CORPUS_BASES / "Books.base").read_text("utf-8"))
    assert isinstance(document.filters, FilterGroup)
    assert document.filters.connective == "and"
    sources = [item.source for item in document.filters.items if isinstance(item, Statement)]
    assert sources == ['categories.contains(link("Books"))', '!file.name.contains("Template")']
    assert [view.name for view in document.views] == ["Books", "Top rated", "Author", "Genre"]
    books = document.view()
    assert books.order[:3] == ("file.name", "note.author", "note.length")
    assert books.sort == (SortKey("file.name"),)
    assert document.view("Top rated").sort == (SortKey("note.last", descending=True),)
    assert document.view("top RATED").name == "Top rated"
    assert document.view("No such view").name == "Books"
    assert document.label("note.author") == "Author"
    assert document.label("note.length") == "length"


def test_sort_by_column_limit_and_group() -> None:
    document = read_base((CORPUS_BASES / "Ratings.base").read_text("utf-8"))
    recent = document.view("Recent")
    assert recent.sort == (SortKey("note.last", descending=True),)
    assert recent.limit == 100
    grouped = read_base("views:\n  - type: list\n    name: By year\n"
                        "    groupBy:\n      property: year\n      direction: DESC\n")
    assert grouped.view().group_by == SortKey("note.year", descending=True)
    assert grouped.view().type == "list"


def test_formulas_and_cards_image() -> None:
    document = read_base((CORPUS_BASES / "Attachments.base").read_text("utf-8"))
    names = [name for name, _ in document.formulas]
    assert names == ["Embeds", "Date", "links"]
    assert document.view("Images").image == "file.file"
    assert document.view("Images").type == "cards"


def test_a_single_statement_filter_and_an_empty_base() -> None:
    document = read_base('filters: file.hasTag("book")\n')
    assert isinstance(document.filters, Statement)
    assert document.filters.line == 1
    empty = read_base("")
    assert empty.views == () and empty.view().type == "table"


def test_empty_filters_keep_every_file() -> None:
    for text in ("filters:\n", "filters: {}\n", "views:\n  - type: table\n    filters:\n"):
        document = read_base(text)
        assert document.filters is None and document.view().filters is None, text


def test_property_ids() -> None:
    assert property_id("author") == "note.author"
    assert property_id("note.author") == "note.author"
    assert property_id("file.name") == "file.name"
    assert property_id(" formula.Age ") == "formula.Age"


@pytest.mark.parametrize(("text", "line", "words"), [
    # The parser stops at the end of the text, after the last line: the last line is named.
    ("views:\n  - type: table\n    name: [unclosed\n", 3, "not valid YAML"),
    ("- a\n- b\n", 1, "a base is a mapping"),
    ("filters:\n  and:\n    - file.hasTag(\"a\"\n", 3, "expected"),
    ("filters:\n  both:\n    - x\n", 2, "one of `and`, `or`, `not`"),
    ("filters:\n  and: x > 1\n", 2, "expected a list"),
    ("views:\n  - type: table\n    limit: many\n", 3, "whole number"),
    ("views:\n  - sort:\n      - direction: ASC\n", 3, "names its `property`"),
    ("views:\n  - sort:\n      - property: a\n        direction: UP\n", 4, "ASC or DESC"),
    ("formulas:\n  Age: (now() - born\n", 2, "in `(now() - born`"),
])
def test_mistakes_are_reported_with_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(BaseError) as raised:
        read_base(text)
    assert raised.value.line == line
    assert words in str(raised.value)
    assert str(raised.value).startswith(f"line {line}: ")
