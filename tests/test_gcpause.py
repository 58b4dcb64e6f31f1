"""The cycle collector around the heavy stages: paused and restored for a library
caller; for a one-shot command, what the stages built is moved out of its sight."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb_compiler
from kb_compiler import gcpause
from kb_compiler.cli import main
from tests.conftest import SAMPLE_VAULT


def test_a_library_caller_gets_the_collector_back_as_it_was(tmp_path: Path) -> None:
    frozen_before = gc.get_freeze_count()
    assert gc.isenabled()
    kb_compiler.load(SAMPLE_VAULT, cache_dir=tmp_path / "cache")
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before  # nothing of the caller's is frozen
    gc.disable()
    try:
        kb_compiler.load(SAMPLE_VAULT, cache_dir=tmp_path / "cache")
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()


def test_a_one_shot_command_hands_what_a_stage_made_to_the_permanent_generation(
        tmp_path: Path) -> None:
    gcpause.for_one_command()
    frozen_before = gc.get_freeze_count()
    kb = kb_compiler.load(SAMPLE_VAULT, cache_dir=tmp_path / "cache")
    assert gc.get_freeze_count() > frozen_before + len(kb.pages)
    assert gc.isenabled()


def test_every_command_but_serve_runs_as_one_shot() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and not gcpause._ONE_COMMAND
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0 and gcpause._ONE_COMMAND


def test_objects_a_library_caller_froze_stay_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The render workers' freeze handed back everything at its end, the caller's own
    frozen objects too (a freeze count of 145,742 went to 0 after build_site)."""
    monkeypatch.setattr(gcpause, "_ONE_COMMAND", False)
    kept = [[object()] for _ in range(100)]
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        assert before >= len(kept)
        with gcpause.frozen():
            pass
        assert gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()
    with gcpause.frozen():  # with nothing of the caller's frozen: all handed back
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
