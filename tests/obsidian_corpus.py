"""Shared helpers for the Obsidian parser tests: parse one hand-written note from
tests/corpus/obsidian, and pick references or blocks out of the result."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.config import ParseOptions
from kb_compiler.model import Block, Dialect, Page, Reference, RefKind
from kb_compiler.parse.obsidian import parse_obsidian

CORPUS = Path(__file__).resolve().parent / "corpus" / "obsidian"


def parse_text(text: str, *, path: str = "note.md", options: ParseOptions | None = None,
               dialect: Dialect = Dialect.OBSIDIAN) -> Page:
    return parse_obsidian(path, text, options or ParseOptions(),
                          default_name=path.removesuffix(".md"), dialect=dialect)


def note(name: str, options: ParseOptions | None = None) -> Page:
    """The corpus note ``name`` (without ``.md``), parsed as Obsidian."""
    text = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
    return parse_text(text, path=f"{name}.md", options=options)


def refs(page: Page, kind: RefKind | None = None) -> list[Reference]:
    return [ref for ref in page.references if kind is None or ref.kind is kind]


def targets(page: Page, kind: RefKind | None = None) -> list[str]:
    return [ref.target for ref in refs(page, kind)]


def blocks_of(page: Page, kind: str) -> list[Block]:
    return [block for block in page.blocks if block.kind == kind]


def codes(page: Page) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in page.diagnostics]
