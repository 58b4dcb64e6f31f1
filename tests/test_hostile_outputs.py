"""The test helpers that judge hostile output must themselves be able to fail: the
script finder sees every attack payload when nothing sanitizes it, and snapshots see
any change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile import payloads
from tests.hostile.outputs import live_script, snapshot
from tests.hostile.runner import Job, Run, run_many

RAW_ATTACKS = [p for p in payloads.HTML_ATTACKS if "styled div" not in p
               and not p.startswith(("<!--", "<noscript"))]
SAFE = [
    '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    '<a href="page.html">x</a><img src="static/a.png" alt="onerror">',
    '<script src="static/site.js" defer></script><script>document.body.dataset.x=1</script>',
    '<div style="color:teal">styled</div>',
]


@pytest.mark.parametrize("attack", RAW_ATTACKS)
def test_unsanitized_attacks_are_found(attack: str) -> None:
    assert live_script(f"<main>{attack}</main>")


@pytest.mark.parametrize("markup", SAFE)
def test_harmless_markup_passes(markup: str) -> None:
    assert live_script(markup) == []


def test_snapshot_sees_changes_without_opening_fifos(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.md").write_text("one")
    os.mkfifo(tmp_path / "pipe")
    os.symlink("a/f.md", tmp_path / "link")
    before = snapshot(tmp_path)
    assert snapshot(tmp_path) == before
    (tmp_path / "a" / "f.md").write_text("two")
    assert snapshot(tmp_path) != before
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("x")
    assert snapshot(tmp_path, skip=("out",)) == snapshot(tmp_path, skip=("out", "y"))


def run_kbc_audited(args: tuple[str, ...], cwd: Path, audit: tuple[Path, Path]) -> Run:
    return run_many({"one": Job(args, cwd, audit)}, cwd / "cache")["one"]


def test_audit_hook_records_reads_in_the_forbidden_folder(tmp_path: Path) -> None:
    """The audit wrapper must see kbc's reads: pointed at the forbidden folder itself,
    kbc reads its pages, and every one of those opens is logged."""
    forbidden = tmp_path / "forbidden"
    forbidden.mkdir()
    (forbidden / "page.md").write_text("- text\n")
    log = tmp_path / "opened.log"
    run = run_kbc_audited(("check", str(forbidden)), tmp_path, (forbidden, log))
    assert run.returncode == 0, run.describe()
    assert "page.md" in log.read_text()
