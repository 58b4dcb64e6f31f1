"""Page names too long for a file name: the export shortens them (keeping a hash of the
full name, so two long names never collide), rewrites the links to them, and warns."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_compiler.cli import main

LONG = "x" * 250
DEEP = "/".join(["ns"] * 600)


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KBC_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "graph"
    (root / "logseq").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}\n")
    (root / "pages" / f"{LONG}.md").write_text("- long\n")
    (root / "pages" / "deep.md").write_text(f"title:: {DEEP}\n\n- deep\n")
    (root / "pages" / "home.md").write_text(f"- [[{LONG}]] and [[{DEEP}]]\n")
    return root


@pytest.mark.parametrize("target", ["obsidian", "logseq"])
def test_long_names_are_shortened_and_links_follow(vault: Path, tmp_path: Path,
                                                   target: str) -> None:
    out = tmp_path / f"out-{target}"
    result = CliRunner().invoke(main, ["export", str(vault), "-o", str(out), "--to", target])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.output.count("warning[name-too-long]") == 2
    written = sorted(p for p in out.rglob("*.md"))
    assert len(written) == 3
    assert all(len(part.encode()) <= 255 for p in written for part in p.parts)
    home = next(p for p in written if p.stem == "home").read_text()
    for page in written:
        if page.stem != "home":
            title = page.stem if target == "obsidian" else page.stem.replace("___", "/")
            assert title.split("/")[-1] in home  # the link names the shortened page
