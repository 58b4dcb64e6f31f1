"""Page names from file names and back (FORMATS.md 1.10, 1.11): triple-lowbar, legacy,
journals, Obsidian paths and plain folders."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.config import ParseOptions
from kb_compiler.model import VaultKind
from kb_compiler.parse.names import (
    decode_file_body,
    file_name_for_page,
    journal_title,
    page_name_for_path,
    parse_journal_file_name,
)

LOGSEQ = ParseOptions(vault_kind=VaultKind.LOGSEQ, name_format="triple-lowbar")
LEGACY = ParseOptions(vault_kind=VaultKind.LOGSEQ, name_format="legacy")
OBSIDIAN = ParseOptions(vault_kind=VaultKind.OBSIDIAN)
FOLDER = ParseOptions()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("pages/Logseq___Features.md", "Logseq/Features"),
        ("pages/New to Logseq%3F.md", "New to Logseq?"),
        ("pages/a___%5Fb.md", "a/_b"),
        ("pages/C%23.md", "C#"),
        ("pages/v1.2 plan.md", "v1.2 plan"),  # a dot is not special in triple-lowbar
        ("pages/abc.def.ghi.jkl.md", "abc.def.ghi.jkl"),
        ("pages/abc%2Fdef%2Fghi%2Fjkl.md", "abc/def/ghi/jkl"),
        ("pages/abc___def___ghi___jkl.md", "abc/def/ghi/jkl"),
        ("pages/abc%25%2Fdef.md", "abc%/def"),
        ("pages/abc%2——ef.md", "abc%2——ef"),  # an invalid escape stays as written
        ("pages/caf%C3%A9.md", "café"),
        ("pages/bad%C3.md", "bad%C3"),  # escapes that are not UTF-8 stay as written
        ("pages/CON___.md", "CON"),
        ("pages/a______b.md", "a/b"),  # empty namespace segments dropped
        ("pages/contents.md", "Contents"),
        ("pages/Contents.md", "Contents"),
        ("pages/sub/folder/x___y.md", "x/y"),  # folders inside pages/ are ignored
        ("pages/Org page.org", "Org page"),
        ("pages/Long.markdown", "Long"),
        ("README.md", "README"),
    ],
)
def test_logseq_triple_lowbar_names(path, name):
    assert page_name_for_path(path, LOGSEQ) == name


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("pages/a.b.md", "a/b"),
        ("pages/v1.2 plan.md", "v1/2 plan"),  # the trap: same file, another page
        ("pages/Article%2FThe Step-By-Step Guide.md", "Article/The Step-By-Step Guide"),
        ("pages/50%OFF.md", "50%OFF"),  # decodeURIComponent fails: text kept
        ("pages/a___b.md", "a___b"),  # triple lowbar means nothing here
        ("pages/New to Logseq_.md", "New to Logseq_"),
    ],
)
def test_logseq_legacy_names(path, name):
    assert page_name_for_path(path, LEGACY) == name


def test_contents_is_special_only_in_the_pages_folder():
    assert page_name_for_path("other/contents.md", LOGSEQ) == "contents"


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("journals/2024_01_15.md", "Jan 15th, 2024"),
        ("journals/2020_05_14.org", "May 14th, 2020"),
        ("journals/2021_07_01.md", "Jul 1st, 2021"),
        ("journals/2021_07_02.md", "Jul 2nd, 2021"),
        ("journals/2021_07_03.md", "Jul 3rd, 2021"),
        ("journals/2021_07_11.md", "Jul 11th, 2021"),
        ("journals/2021_07_22.md", "Jul 22nd, 2021"),
        ("journals/2024-03-09.md", "Mar 9th, 2024"),  # an older default file format
    ],
)
def test_journal_file_names_become_day_titles(path, title):
    assert page_name_for_path(path, LOGSEQ, is_journal=True) == title


def test_unparseable_journal_name_is_an_ordinary_page():
    assert page_name_for_path("journals/Ideas___todo.md", LOGSEQ, is_journal=True) == "Ideas/todo"
    assert page_name_for_path("journals/2024_02_30.md", LOGSEQ, is_journal=True) == "2024_02_30"


def test_configured_journal_formats_are_used():
    options = ParseOptions(vault_kind=VaultKind.LOGSEQ, journal_file_format="dd.MM.yyyy",
                           journal_title_format="EEEE, yyyy-MM-dd")
    assert page_name_for_path("journals/15.01.2024.md", options, is_journal=True) == \
        "Monday, 2024-01-15"
    # a format change is not retroactive: the old default still reads
    assert page_name_for_path("journals/2024_01_16.md", options, is_journal=True) == \
        "Tuesday, 2024-01-16"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("Categories/Books.md", "Categories/Books"),
        ("Readme.md", "Readme"),
        ("a___b.md", "a___b"),  # Obsidian file names are literal
        ("Notes/50%25 off.md", "Notes/50%25 off"),
        ("Daily/2023-09-12.md", "Daily/2023-09-12"),
    ],
)
def test_obsidian_names_are_paths_without_md(path, name):
    assert page_name_for_path(path, OBSIDIAN) == name


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("profile-(id)___persona.md", "profile-(id)/persona"),
        ("What is Customer Profile.md", "What is Customer Profile"),
        ("sub/a___b.md", "sub/a/b"),
        ("New%3F.md", "New?"),
    ],
)
def test_plain_folder_names_use_triple_lowbar_and_folders(path, name):
    assert page_name_for_path(path, FOLDER) == name


# --- Writing file names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Logseq/Features", "Logseq___Features"),
        ("New to Logseq?", "New to Logseq%3F"),
        ("a/_b", "a___%5Fb"),
        ("C#", "C%23"),
        ("v1.2 plan", "v1.2 plan"),
        ("50%OFF", "50%OFF"),
        ("a%20b", "a%2520b"),
        ("CON", "CON___"),
        ("lpt1", "lpt1___"),
        ("ends with.", "ends with.___"),
        ('a:b*c?d"e<f>g|h#i\\j', "a%3Ab%2Ac%3Fd%22e%3Cf%3Eg%7Ch%23i%5Cj"),
        ("a___b", "a%5F%5F%5Fb"),
        ("x_/y", "x%5F___y"),
        ("/a/b/", "a___b"),
        (".hidden", "%2Ehidden"),
        ("line\nbreak", "line%0Abreak"),
    ],
)
def test_triple_lowbar_writing(title, body):
    assert file_name_for_page(title) == body
    assert decode_file_body(body) == title.strip("/")


def test_legacy_writing_round_trips_dots_and_slashes():
    assert file_name_for_page("v1.2/plan", "legacy") == "v1%2E2%2Fplan"
    assert decode_file_body("v1%2E2%2Fplan", "legacy") == "v1.2/plan"


def test_empty_name_cannot_be_a_file():
    with pytest.raises(ValueError):
        file_name_for_page("///")


_TITLE_PART = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="/"),
    min_size=1, max_size=12,
)
_TITLES = st.lists(_TITLE_PART, min_size=1, max_size=4).map("/".join).map(
    lambda title: unicodedata.normalize("NFC", title)
).filter(lambda title: all(title.split("/")))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(_TITLES)
def test_triple_lowbar_round_trip(title):
    """Property: decode(encode(title)) == title for every NFC title without empty
    namespace segments."""
    assert decode_file_body(file_name_for_page(title)) == title


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_TITLES)
def test_legacy_round_trip(title):
    assert decode_file_body(file_name_for_page(title, "legacy"), "legacy") == title


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_TITLES)
def test_written_file_names_hold_no_reserved_character(title):
    body = file_name_for_page(title)
    assert not set(body) & set('/:*?"<>|\\#\n\r\t')
    assert not body.startswith(".")


# --- Journal dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "title"),
    [
        ("MMM do, yyyy", "Jan 15th, 2024"),
        ("MMMM do, yyyy", "January 15th, 2024"),
        ("yyyy-MM-dd", "2024-01-15"),
        ("dd.MM.yyyy", "15.01.2024"),
        ("EEE, MM/dd/yyyy", "Mon, 01/15/2024"),
        ("EEEE, d M yy", "Monday, 15 1 24"),
        ("yyyy年MM月dd日", "2024年01月15日"),
        ("do 'of' MMMM", "15th of January"),
    ],
)
def test_journal_title_formats(fmt, title):
    assert journal_title(date(2024, 1, 15), fmt) == title


@pytest.mark.parametrize(
    ("stem", "fmt", "day"),
    [
        ("2024_01_15", "yyyy_MM_dd", date(2024, 1, 15)),
        ("20240115", "yyyyMMdd", date(2024, 1, 15)),
        ("Jan 15th, 2024", "MMM do, yyyy", date(2024, 1, 15)),
        ("15.01.2024", "dd.MM.yyyy", date(2024, 1, 15)),
        ("2024_1_15", "yyyy_MM_dd", None),
        ("2024_13_01", "yyyy_MM_dd", None),
        ("notes", "yyyy_MM_dd", None),
    ],
)
def test_parse_journal_file_name(stem, fmt, day):
    assert parse_journal_file_name(stem, fmt) == day


@settings(deadline=None, derandomize=True, database=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_journal_title_round_trips_through_the_default_formats(day):
    assert parse_journal_file_name(journal_title(day, "yyyy_MM_dd")) == day
    assert parse_journal_file_name(journal_title(day), "MMM do, yyyy") == day
