"""The two Logseq seed documents, laid out as pages and parsed through ``parse_page``
(decoding, encoding repair, naming and dialect detection included), read to exactly
what their text states."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_compiler.config import ParseOptions
from kb_compiler.model import Dialect, Page, RefKind, SourceFile
from kb_compiler.parse import parse_page

PROFILE = "profile-(id).md"
PERSONA = "profile-(id)___persona.md"


def parse_seed(vault: Path, file_name: str) -> Page:
    path = vault / file_name
    return parse_page(SourceFile(file_name, path), path.read_bytes(), ParseOptions())


@pytest.fixture
def profile(seeds_vault: Path) -> Page:
    return parse_seed(seeds_vault, PROFILE)


@pytest.fixture
def persona(seeds_vault: Path) -> Page:
    return parse_seed(seeds_vault, PERSONA)


def test_profile_is_a_logseq_page_named_after_its_file(profile: Page) -> None:
    assert (profile.name, profile.dialect) == ("profile-(id)", Dialect.LOGSEQ)


def test_profile_weight_is_the_number_70(profile: Page) -> None:
    weight = profile.property("weight")
    assert (weight.value, type(weight.value), weight.line) == (70, int, 6)


def test_profile_icon_is_repaired(profile: Page) -> None:
    assert profile.property("icon").value == "🧿"
    assert not any("\uf8ff" in prop.raw for prop in profile.properties)


def test_profile_metamodel_id_references_the_profile_page(profile: Page) -> None:
    assert profile.property("metamodel-id").value == ("profile-(id)",)
    refs = [r for r in profile.references if r.property == "metamodel-id"]
    assert [(r.kind, r.target, r.line, r.column) for r in refs] == [
        (RefKind.PROPERTY, "profile-(id)", 4, 16)]


def test_profile_empty_relations_are_reported_at_line_5(profile: Page) -> None:
    assert profile.property("relations").value == ()
    assert not any(r.property == "relations" for r in profile.references)
    empty = [d for d in profile.diagnostics if d.code == "empty-link"]
    assert [(d.line, d.column) for d in empty] == [(5, 13)]


def test_profile_has_two_key_blocks(profile: Page) -> None:
    keys = [b for b in profile.blocks if any(p.key == "key-weight" for p in b.properties)]
    values = [{p.key: p.value for p in b.properties} for b in keys]
    assert values == [{"key-weight": 75, "value": 50}, {"key-weight": 60, "value": 50}]
    assert [b.line for b in keys] == [14, 17]
    assert all(b.macros[0].name == "renderer" for b in keys)
    assert all("key" in [r.target for r in b.references if r.kind is RefKind.TAG]
               for b in keys)


def test_profile_embeds_five_example_pages(profile: Page) -> None:
    embeds = [(r.target, r.line) for r in profile.references if r.kind is RefKind.EMBED]
    assert embeds == [
        ("profile-(id)/examples/Space X", 40),
        ("profile-(id)/examples/vein visualizer", 42),
        ("profile-(id)/examples/extinguished animals meat", 44),
        ("profile-(id)/examples/Exotic Pet Rental", 46),
        ("profile-(id)/examples/Underwater restaurant", 48),
    ]


def test_profile_links_six_tools(profile: Page) -> None:
    tools = next(b for b in profile.blocks if b.content.endswith("Tools"))
    children = [b for b in profile.blocks if b.parent == tools.index]
    links = [r.target for b in children for r in b.references if r.kind is RefKind.LINK]
    assert links == ["Business Model Canvas", "Value Proposition Canvas",
                     "Persona Development", "Empathy Map", "Market Segmentation",
                     "Jobs to be Done Framework"]


def test_profile_headings_are_top_level_blocks(profile: Page) -> None:
    headings = [b.content.splitlines()[0].rstrip() for b in profile.blocks if b.heading == 2]
    assert headings == ["## 🔍 Definition", "## 📰 Content type", "## 🔑 Keys",
                        "## 🤖 innCoPilot", "## 📖 Description", "## 👉 Examples",
                        "## 🗄️ Topics", "## 🧰 Tools"]
    assert all(b.depth == 0 for b in profile.blocks if b.heading == 2)


def test_persona_is_named_by_its_namespace(persona: Page) -> None:
    assert persona.name == "profile-(id)/persona"


def test_persona_has_four_relations(persona: Page) -> None:
    relations = ("profile (id)", "profile (id)/segmentation", "profile (id)/goals",
                 "profile (id)/emotions")
    assert persona.property("relations").value == relations
    refs = [r for r in persona.references if r.property == "relations"]
    assert tuple(r.target for r in refs) == relations
    assert {(r.kind, r.line) for r in refs} == {(RefKind.PROPERTY, 5)}


def test_persona_weight_and_type(persona: Page) -> None:
    assert persona.property("weight").value == 40
    assert persona.property("metamodel-id").value == ("profile-(id)/persona",)
    assert persona.property("innbok-type").value == "internal"


def test_persona_has_no_key_blocks_and_seven_tools(persona: Page) -> None:
    assert not any(p.key == "key-weight" for b in persona.blocks for p in b.properties)
    tools = next(b for b in persona.blocks if b.content.endswith("Tools"))
    children = [b for b in persona.blocks if b.parent == tools.index]
    assert [b.references[0].target for b in children] == [
        "Empathy Map", "Customer Persona Canvas", "Value Proposition Canvas",
        "Jobs To Be Done Framework", "Experience Map", "SWOT Analysis", "PESTEL Analysis"]
