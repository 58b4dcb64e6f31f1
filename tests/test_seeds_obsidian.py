"""Real Obsidian / Markdown pages through the whole per-file parse (``parse_page``: decode,
repair, name, detect, parse): the seeds 000, 003 and 004 laid out as pages, and notes of
the kepano vault whose facts were checked by reading the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.model import Dialect, Page, RefKind, SourceFile
from kb_compiler.parse import parse_page
from tests.conftest import KEPANO


def _seed(vault: Path, name: str) -> Page:
    return parse_page(SourceFile(name, vault / name), (vault / name).read_bytes(), ParseOptions())


def _kepano(relative: str) -> Page:
    path = KEPANO / relative
    return parse_page(SourceFile(relative, path, Dialect.OBSIDIAN), path.read_bytes(),
                      ParseOptions())


def _headings(page: Page) -> list[tuple[str, int | None]]:
    return [(b.content, b.heading) for b in page.blocks if b.kind == "heading"]


# -- seed 000: Profiles.md ----------------------------------------------------------------

def test_profiles_is_tagged_profile_and_the_hex_colour_is_not_a_tag(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Profiles.md")
    assert page.dialect is not Dialect.LOGSEQ
    assert page.tags == ("profile",)
    tag_lines = [r.line for r in page.references if r.kind is RefKind.TAG]
    assert 14 in tag_lines and 24 not in tag_lines  # line 24: the styled <div>


def test_profiles_headings_are_blocks_with_their_emoji(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Profiles.md")
    assert _headings(page) == [
        ("Profiles", 1), ("🔍 Definition", 2), ("📹 Internet info and videos", 2),
        ("📰 Content type (#profile)", 2), ("📖 Description", 2), ("👉 Example (SpaceX)", 2),
        ("🔑 Keys", 2), ("🧰 Tools", 2),
    ]


def test_profiles_external_search_link_is_not_a_page_link(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Profiles.md")
    assert [r for r in page.references if r.kind is not RefKind.TAG] == []


def test_profiles_example_html_is_a_block_and_its_list_is_markdown(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Profiles.md")
    html = [b.line for b in page.blocks if b.kind == "html"]
    items = [b.content for b in page.blocks if b.kind == "list-item"]
    assert html == [24, 31]
    assert items == ["Stakeholder Satellite Launch Customers", "Segment Government Agencies",
                     "Role Project Manager"]


# -- seed 003: Customer Profile.md --------------------------------------------------------

def test_customer_profile_image_embed_with_size_at_line_5(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Customer Profile.md")
    embed = [r for r in page.references if r.kind is RefKind.EMBED]
    assert [(r.target, r.size, r.line, r.column, r.is_asset) for r in embed] == [
        ("Pasted image 20240529170714.png", "400", 5, 3, True)]


def test_customer_profile_table_of_contents_at_line_1(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Customer Profile.md")
    first = page.blocks[0]
    assert (first.kind, first.line) == ("table-of-contents", 1)


def test_customer_profile_headings(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Customer Profile.md")
    assert _headings(page) == [
        ("Customer Profile", 1), ("Jobs", 2), ("Functional Jobs", 3), ("Social Jobs", 3),
        ("Personal/Emotional Jobs", 3), ("Supporting Jobs", 3),
        ("Customer Jobs: Trigger Questions", 2),
    ]


def test_customer_profile_functional_jobs_are_nested_items(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Customer Profile.md")
    mow = next(b for b in page.blocks if b.content == "Mow the lawn")
    task_list = page.blocks[mow.parent]
    assert page.blocks[task_list.parent].content.startswith("When your customers try")


def test_customer_profile_apostrophe_is_repaired(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "Customer Profile.md")
    last = [b for b in page.blocks if b.kind == "list-item"][-1]
    assert last.content.startswith("Track your customer’s interaction")
    assert "â€" not in page.text


# -- seed 004: What is Customer Profile.md -----------------------------------------------

def test_what_is_customer_profile_is_plain_paragraphs(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "What is Customer Profile.md")
    kinds = {b.kind for b in page.blocks}
    assert (kinds, page.references, page.diagnostics) == ({"paragraph"}, (), ())
    assert (page.blocks[0].content, page.blocks[0].line) == ("What is Customer Profile?", 1)


def test_what_is_customer_profile_keeps_its_typographic_apostrophes(seeds_vault: Path) -> None:
    page = _seed(seeds_vault, "What is Customer Profile.md")
    block = next(b for b in page.blocks if b.line == 27)
    assert block.content == "Understand Your Customer’s Purchasing Process"


# -- kepano vault: facts checked by reading the notes -------------------------------------

def test_book_note_categories_link_to_the_books_category() -> None:
    categories = _kepano("References/Out of Control.md").property("categories")
    assert (categories.value, categories.references, categories.line) == (
        ("[[Books]]",), ("Books",), 2)


def test_book_note_cover_property_links_an_image() -> None:
    page = _kepano("References/Out of Control.md")
    cover = next(r for r in page.references if r.property == "cover")
    assert (cover.kind, cover.target, cover.is_asset, cover.line) == (
        RefKind.PROPERTY, "out-of-control.jpg", True, 4)


def test_book_note_numbers_and_dates_are_typed() -> None:
    page = _kepano("References/Out of Control.md")
    values = {p.key: p.value for p in page.properties}
    assert (values["isbn"], values["pages"], values["year"], values["rating"]) == (
        201483408, 528, 1992, 7)
    assert values["created"] == "2023-09-12"


def test_book_note_author_and_genres_are_links() -> None:
    page = _kepano("References/Out of Control.md")
    assert page.property("author").references == ("Kevin Kelly",)
    assert page.property("genre").references == ("Futurism", "Nonfiction")


def test_book_template_placeholder_and_to_read_tag() -> None:
    page = _kepano("Templates/Book Template.md")
    assert (page.property("created").value, page.tags, page.diagnostics) == (
        "{{date}}", ("to-read",), ())
    assert page.property("author").value == ()


def test_monthly_template_aliases_links_and_base_embed() -> None:
    page = _kepano("Templates/Monthly Note Template.md")
    assert (page.aliases, page.tags) == (("July 2023",), ("monthly",))
    assert page.property("previous").references == ("2023-06",)
    embed = next(r for r in page.references if r.kind is RefKind.EMBED)
    assert (embed.target, embed.subpath, embed.line, embed.is_asset) == (
        "Daily.base", "Monthly", 11, True)


def test_person_note_embeds_bases_under_its_headings() -> None:
    page = _kepano("References/Kevin Kelly.md")
    embeds = [(r.target, r.subpath, r.line) for r in page.references if r.kind is RefKind.EMBED]
    assert embeds == [("Books.base", "Author", 10), ("Clippings.base", "Author", 14),
                      ("Podcast episodes.base", "Guest", 18)]
    assert _headings(page) == [("Books", 2), ("Clippings", 1), ("Podcast episodes", 1)]


def test_evergreen_note_emoji_tag_and_body_links() -> None:
    page = _kepano("Notes/Evergreen notes turn ideas into objects that you can manipulate.md")
    links = [(r.target, r.line) for r in page.references if r.kind is RefKind.LINK]
    assert page.tags == ("0🌲",)
    assert links[0] == ("evergreen", 17)
    assert links[-1] == ("Everything is a remix", 36)  # inside the blockquote
    assert len(links) == 10


def test_genre_template_has_a_nested_tag() -> None:
    assert _kepano("Templates/Video Game Genre Template.md").tags == ("games/genres",)


def test_category_note_is_tagged_and_embeds_its_base() -> None:
    page = _kepano("Categories/Books.md")
    embed = next(r for r in page.references if r.kind is RefKind.EMBED)
    assert (page.tags, embed.target, embed.line) == (("categories",), "Books.base", 6)


def test_meeting_note_date_property_and_body_links() -> None:
    page = _kepano("Notes/2023-09-12 Meeting with Steph.md")
    links = [(r.target, r.line, r.column) for r in page.references if r.kind is RefKind.LINK]
    assert page.property("date").value == "2023-09-12"
    assert page.property("loc").references == ()  # `- Remote` is text, not a link
    assert links == [("Out of Control", 15, 22), ("Emergence", 15, 57)]


@pytest.mark.parametrize("relative", sorted(
    path.relative_to(KEPANO).as_posix() for path in KEPANO.rglob("*.md")))
def test_every_kepano_note_parses_without_diagnostics(relative: str) -> None:
    page = _kepano(relative)
    assert page.diagnostics == ()
    assert page.blocks or page.properties or not page.text.strip()
