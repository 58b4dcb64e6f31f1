"""A disk that fills up (or a quota, or a folder gone read-only) while kbc writes: the
site or export stops with one line naming the output, the previous output is left
whole and no temporary folder stays beside it. A full cache folder only makes kbc
slower: the build goes on.

The failure is simulated (an ``OSError`` with ENOSPC from the n-th file the output
writer makes, or from jinja's bytecode cache), because filling a real disk needs a
mount; the behaviour was also checked by hand on a full tmpfs."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import jinja2.bccache
import pytest
from click.testing import CliRunner, Result

from kb_compiler.atomic import StagedFolder
from kb_compiler.cli import main
from tests.conftest import SAMPLE_VAULT

FULL = OSError(errno.ENOSPC, "No space left on device")


pytestmark = pytest.mark.usefixtures("private_cache")


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """The output writer's ``files + 1``-th file finds the disk full."""
    real_path = StagedFolder.path
    made = [0]

    def path(self: StagedFolder, relative: str) -> Path:
        made[0] += 1
        if made[0] > files:
            raise FULL
        return real_path(self, relative)

    monkeypatch.setattr(StagedFolder, "path", path)


def _digest(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _kbc(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", [["build", "--no-search"],
                                     ["export", "--to", "obsidian", "--force"]])
def test_a_full_disk_leaves_the_previous_output_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    out = tmp_path / "out"
    verb, *options = command
    first = _kbc(verb, str(SAMPLE_VAULT), "-o", str(out), *options)
    assert first.exit_code == 0, first.output
    before = _digest(out)
    _disk_full_after(monkeypatch, 10)
    result = _kbc(verb, str(SAMPLE_VAULT), "-o", str(out), *options)
    assert result.exit_code == 2
    assert result.stderr == (f"kbc: error: {out}: No space left on device; the previous "
                             "output is left as it was\n")
    assert _digest(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache", "out"]


def test_a_first_build_on_a_full_disk_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _disk_full_after(monkeypatch, 3)
    result = _kbc("build", str(SAMPLE_VAULT), "-o", str(tmp_path / "site"))
    assert result.exit_code == 2
    assert result.stderr.endswith("No space left on device; nothing was written\n")
    assert "Traceback" not in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache"]


def test_a_full_cache_folder_only_costs_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: jinja2.bccache.Bucket, stream: object) -> None:
        raise FULL

    monkeypatch.setattr(jinja2.bccache.Bucket, "write_bytecode", full)
    result = _kbc("build", str(SAMPLE_VAULT), "-o", str(tmp_path / "site"), "--no-search")
    assert result.exit_code == 0, result.output
    assert "Customer Profile" in (tmp_path / "site" / "customer-profile.html").read_text("utf-8")


def test_a_file_of_the_temporary_folder_is_named_as_the_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No inode left: the error names the file it could not create, which lay in the
    temporary folder, gone by the time the message is read."""
    real_path = StagedFolder.path

    def path(self: StagedFolder, relative: str) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(real_path(self, relative)))

    monkeypatch.setattr(StagedFolder, "path", path)
    out = tmp_path / "site"
    result = _kbc("build", str(SAMPLE_VAULT), "-o", str(out))
    assert result.stderr == f"kbc: error: {out}: No space left on device; nothing was written\n"
