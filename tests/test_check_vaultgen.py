"""The synthetic vault generator the check tests and benchmarks rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vaultgen import FAULT_KINDS, generate, inject


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("dialect", ["logseq", "obsidian"])
def test_generation_and_injection_are_deterministic(tmp_path: Path, dialect: str) -> None:
    first, second = generate(tmp_path / "a", 50, dialect), generate(tmp_path / "b", 50, dialect)
    assert snapshot(first.root) == snapshot(second.root)
    assert inject(first) == inject(second)
    assert snapshot(first.root) == snapshot(second.root)
    other_seed = generate(tmp_path / "c", 50, dialect, seed=1)
    assert snapshot(other_seed.root) != snapshot(first.root)


def test_logseq_graph_layout_and_constructs(tmp_path: Path) -> None:
    vault = generate(tmp_path / "g", 40, "logseq")
    files = snapshot(vault.root)
    assert "logseq/config.edn" in files and "kbc-schema.yaml" in files
    assert any(p.startswith("journals/2024_01_") for p in files)
    assert any(p.startswith("pages/project___") for p in files)
    text = "\n".join(f.decode() for p, f in files.items() if p.startswith("pages/"))
    for construct in ("metamodel-id:: [[artifact]]", "relations:: [[", "alias:: ", "tags:: ",
                      "{{embed [[", "{{embed ((", "\t  id:: ", "](../assets/image_", "#research",
                      "]([[", "[[project]]", "[[Jan 1st, 2024]]"):
        assert construct in text, construct


def test_obsidian_vault_layout_and_constructs(tmp_path: Path) -> None:
    vault = generate(tmp_path / "o", 40, "obsidian")
    files = snapshot(vault.root)
    assert ".obsidian/app.json" in files and "attachments/image_0.png" in files
    assert any(p.startswith("projects/") for p in files)
    text = "\n".join(f.decode() for p, f in files.items() if p.endswith(".md"))
    for construct in ('metamodel-id: "[[artifact]]"', "aliases: [", "![[", "#^blk-", "|400]]",
                      "#Notes]]", ".md)", " ^blk-", "[[2024-01-01]]"):
        assert construct in text, construct


@pytest.mark.parametrize("dialect", ["logseq", "obsidian"])
def test_injected_faults_sit_at_the_lines_they_claim(tmp_path: Path, dialect: str) -> None:
    vault = generate(tmp_path / dialect, 60, dialect)
    expected = inject(vault)
    assert sorted({e.code for e in expected}) == sorted(FAULT_KINDS)
    markers = {"broken-link": b"Qwxz Nowhere", "broken-embed": b"Qwxz Gone",
               "empty-link": b"[[]]", "missing-asset": b"qwxz-missing",
               "broken-relation": b"Qwxz Ghost", "invalid-encoding": b"\xff\xfe",
               "encoding-repaired": "â€™".encode(), "invalid-property": b"high",
               "path-escape": b"../../", "embed-cycle": b"embed" if dialect == "logseq" else b"![["}
    for fault in expected:
        line = (vault.root / fault.path).read_bytes().split(b"\n")[fault.line - 1]
        if fault.code in markers:
            assert markers[fault.code] in line, (fault, line)
