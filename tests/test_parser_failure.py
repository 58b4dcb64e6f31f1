"""A page its parser fails on (a bug in kbc, simulated here by a parser that raises on
one file) is reported as ``internal-error`` at its file and kept with its name and
text: ``kbc check`` names it, the site shows its text, the export copies it, and every
other page is checked, built and exported as usual."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb_compiler
import kb_compiler.parse as parse_package
from kb_compiler.cli import main

FAILURE = "simulated parser bug"


@dataclass(frozen=True)
class Case:
    dialect: str
    parser: str  # the function of kb_compiler.parse that fails
    broken: str  # the failing page's file, vault-relative
    text: str  # its text
    shown: tuple[str, ...]  # what its site page shows of the text


CASES = {
    "logseq": Case("logseq", "parse_logseq", "pages/broken.md",
                   "tags:: draft\n\n- broken text with [[b]]\n  - child **bold**\n",
                   ("broken text with", '<a class="wikilink internal" href="b.html">b</a>',
                    "<strong>bold</strong>")),
    "org": Case("logseq", "parse_org", "pages/broken.org",
                "* broken heading\n** child with [[b]]\n", ("broken heading", "child with")),
    "obsidian": Case("obsidian", "parse_obsidian", "broken.md",
                     "---\ntags: [draft]\n---\nbroken text with [[b]] and **bold**\n",
                     ("broken text with", "<strong>bold</strong>")),
}


def _vault(root: Path, case: Case) -> Path:
    pages = root / "pages" if case.dialect == "logseq" else root
    pages.mkdir(parents=True)
    marker = root / ("logseq/config.edn" if case.dialect == "logseq" else ".obsidian/app.json")
    marker.parent.mkdir(parents=True)
    marker.write_text("{}", encoding="utf-8")
    first = "- " if case.dialect == "logseq" else ""
    (pages / "a.md").write_text(f"{first}see [[broken]] and [[b]]\n", encoding="utf-8")
    (pages / "b.md").write_text(f"{first}the b page\n", encoding="utf-8")
    (root / case.broken).write_text(case.text, encoding="utf-8")
    return root


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Case, Path]]:
    chosen = CASES[request.param]
    real = getattr(parse_package, chosen.parser)

    def failing(path: str, text: str, *args: object, **kwargs: object) -> object:
        if path == chosen.broken:
            raise ValueError(FAILURE)
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(parse_package, chosen.parser, failing)
    monkeypatch.setenv("KBC_CACHE_DIR", str(tmp_path / "cache"))
    yield chosen, _vault(tmp_path / "vault", chosen)


def test_the_page_keeps_its_name_and_text_and_the_others_are_parsed(
        case: tuple[Case, Path]) -> None:
    chosen, vault = case
    kb = kb_compiler.load(vault)
    broken = kb.page("broken")
    assert broken is not None and broken.text == chosen.text and broken.blocks == ()
    [problem] = [d for d in broken.diagnostics if d.code == "internal-error"]
    assert problem.path == chosen.broken and FAILURE in problem.message
    assert [ref.target for ref in kb.page("a").references] == ["broken", "b"]


def test_check_names_the_file_and_nothing_else_breaks(case: tuple[Case, Path]) -> None:
    chosen, vault = case
    result = CliRunner().invoke(main, ["check", str(vault), "--format", "json"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    diagnostics = json.loads(result.stdout)["diagnostics"]
    errors = [(d["path"], d["code"]) for d in diagnostics if d["severity"] == "error"]
    assert errors == [(chosen.broken, "internal-error")]  # [[broken]] resolves


def test_the_site_shows_the_text_and_builds_every_other_page(
        case: tuple[Case, Path], tmp_path: Path) -> None:
    chosen, vault = case
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(vault), "-o", str(site), "--no-search"])
    assert result.exit_code == 0, result.output
    assert f"{chosen.broken}: error[internal-error]" in result.stderr
    body = _note_body((site / "broken.html").read_text("utf-8"))
    for shown in chosen.shown:
        assert shown in body
    assert "the b page" in _note_body((site / "b.html").read_text("utf-8"))
    assert 'href="broken.html"' in (site / "a.html").read_text("utf-8")


def test_the_export_copies_the_text_as_written(case: tuple[Case, Path],
                                               tmp_path: Path) -> None:
    chosen, vault = case
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(vault), "-o", str(out)])
    assert result.exit_code == 0, result.output
    copied = [path for path in out.rglob("broken.*") if path.is_file()]
    assert [path.read_text("utf-8") for path in copied] == [chosen.text]
    assert len([path for path in out.rglob("*.md") if path.stem in {"a", "b"}]) == 2


def _note_body(page: str) -> str:
    found = re.search(r'<div class="note-body content">(.*?)</div>\s*<!--/kbc-search-->',
                      page, re.S)
    assert found is not None
    return found.group(1)
