"""The files a base is evaluated over, made from the resolved graph of real vaults
(facts checked by reading the notes)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from kb_compiler.bases.records import VaultFiles
from kb_compiler.loader import load
from kb_compiler.resolve import KnowledgeGraph, resolve
from tests.conftest import KEPANO, REPO, SAMPLE_VAULT

NOW = datetime(2025, 1, 1)


@pytest.fixture(scope="module")
def kepano_graph() -> KnowledgeGraph:
    return resolve(load(KEPANO, cache_dir=None))


def test_a_note_as_a_base_sees_it(kepano_graph: KnowledgeGraph) -> None:
    files = VaultFiles(kepano_graph, NOW)
    note = files.record("References/Out of Control.md")
    assert note is not None
    assert (note.name, note.basename, note.folder, note.ext) == (
        "Out of Control.md", "Out of Control", "References", "md")
    assert note.properties["year"] == 1992
    assert note.properties["author"] == ("[[Kevin Kelly]]",)
    # Links, frontmatter's included, land on files; one to no file keeps its name.
    assert note.links[:3] == ("Categories/Books.md", "Attachments/out-of-control.jpg",
                              "References/Kevin Kelly.md")
    assert "Futurism" in note.links
    # Only the meeting note of 2023-09-12 links to it.
    assert note.backlinks == ("Notes/2023-09-12 Meeting with Steph.md",)
    assert files.record("Categories/Books.md").backlinks == (  # type: ignore[union-attr]
        "References/Out of Control.md", "References/The Machine Stops.md",
        "Templates/Book Template.md")


def test_attachments_are_files_too(kepano_graph: KnowledgeGraph) -> None:
    files = VaultFiles(kepano_graph, NOW)
    base = files.record("Templates/Bases/Books.base")
    assert base is not None and (base.ext, base.basename, base.properties) == (
        "base", "Books", {})
    assert files.page_of("Templates/Bases/Books.base") is None
    assert files.page_of("Categories/Books.md") is not None
    assert any(file.ext == "jpg" for file in files.files)


def test_links_resolve_as_the_vault_resolves_them(kepano_graph: KnowledgeGraph) -> None:
    files = VaultFiles(kepano_graph, NOW)
    source = files.record("References/Out of Control.md")
    assert files.resolve("[[Books|the books]]", source) == "Categories/Books.md"
    assert files.resolve("Books", None) == "Categories/Books.md"
    assert files.resolve("out-of-control.jpg", None) == "Attachments/out-of-control.jpg"
    assert files.resolve("References/Kevin Kelly.md", None) == "References/Kevin Kelly.md"
    assert files.resolve("No such note", source) is None
    assert files.resolve("[[]]", source) is None


def test_files_left_out_are_neither_listed_nor_linked_to(kepano_graph: KnowledgeGraph) -> None:
    files = VaultFiles(kepano_graph, NOW,
                       include_page=lambda page: page.path != "References/Kevin Kelly.md",
                       include_asset=lambda path: not path.endswith(".jpg"))
    assert files.record("References/Kevin Kelly.md") is None
    assert files.resolve("Kevin Kelly", None) is None
    assert all(file.ext != "jpg" for file in files.files)
    note = files.record("References/Out of Control.md")
    assert note is not None
    assert "References/Kevin Kelly.md" not in note.links  # its name, as written, instead
    assert "Kevin Kelly" in note.links


def test_logseq_page_properties_name_pages_as_links() -> None:
    files = VaultFiles(resolve(load(SAMPLE_VAULT, cache_dir=None)), NOW)
    goals = files.record("profile-(id)___goals.md")
    assert goals is not None
    assert goals.properties["metamodel-id"] == ("[[profile-(id)/goals]]",)
    assert goals.properties["relations"] == ("[[profile-(id)]]", "[[profile-(id)/persona]]",
                                             "[[profile-(id)/emotions]]")
    assert goals.properties["weight"] == 20 and goals.properties["xBoK-type"] == "internal"


def test_the_readme_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    block = next(code for code in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "kb_compiler.bases" in code)
    code, _, shown = block.strip().rpartition("\n# ")
    monkeypatch.chdir(REPO)
    scope: dict[str, object] = {"graph": resolve(load(SAMPLE_VAULT, cache_dir=None))}
    exec(code, scope)  # the README's own example
    expression = code.strip().splitlines()[-1]
    result = eval(expression, scope)  # its last line, whose value it shows
    assert repr(result).startswith(shown.removesuffix("...]").rstrip(", "))
    assert len(result) == 4
