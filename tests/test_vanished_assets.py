"""An asset that is gone (or cannot be read) by the time the site or the export copies
it: an editor or a sync client removed it after the vault was read. The build and the
export still write everything else, and say which file they left out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb_compiler.emit.site as site_package
import kb_compiler.emit.vault as vault_package
from kb_compiler import load
from kb_compiler.cli import main
from kb_compiler.emit.site import build_site
from kb_compiler.emit.vault import export_vault
from kb_compiler.resolve import resolve
from tests.conftest import SAMPLE_VAULT

ASSET = "assets/customer-profile-canvas.png"  # shown on "Customer Profile"


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    copy = tmp_path / "vault"
    shutil.copytree(SAMPLE_VAULT, copy)
    assert (copy / ASSET).is_file()
    return copy


def test_the_site_leaves_out_a_vanished_asset_and_says_so(vault: Path, tmp_path: Path) -> None:
    graph = resolve(load(vault))
    (vault / ASSET).unlink()
    report = build_site(graph, tmp_path / "site")
    assert [(note.code, note.path) for note in report.unread] == [("unreadable-file", ASSET)]
    assert "No such file or directory; left out of the site" in report.unread[0].message
    page = (tmp_path / "site" / "customer-profile.html").read_text(encoding="utf-8")
    assert "Customer Profile" in page
    assert len(list((tmp_path / "site").glob("*.html"))) > 40  # every page was built


def test_the_export_leaves_out_a_vanished_asset_and_says_so(vault: Path, tmp_path: Path) -> None:
    graph = resolve(load(vault))
    kept = sorted(path.name for path in (vault / "assets").iterdir())
    (vault / ASSET).unlink()
    report = export_vault(graph, tmp_path / "out")
    notes = [note for note in report.diagnostics if note.code == "unreadable-file"]
    assert [(note.path, note.message) for note in notes] == [
        (ASSET, "cannot read the file: No such file or directory; left out of the export")]
    copied = sorted(path.name for path in (tmp_path / "out" / "assets").iterdir())
    assert copied == [name for name in kept if name != Path(ASSET).name]
    assert (tmp_path / "out" / "pages" / "Customer Profile.md").is_file()  # as Logseq


def test_build_and_export_list_the_file_they_left_out(
        vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_build, real_export = site_package.build_site, vault_package.export_vault

    def vanishing(real):  # type: ignore[no-untyped-def]
        def stage(*args, **kwargs):  # type: ignore[no-untyped-def]
            (vault / ASSET).unlink(missing_ok=True)  # after the vault was read
            return real(*args, **kwargs)
        return stage

    monkeypatch.setattr(site_package, "build_site", vanishing(real_build))
    monkeypatch.setattr(vault_package, "export_vault", vanishing(real_export))
    built = CliRunner().invoke(main, ["build", str(vault), "-o", str(tmp_path / "site"),
                                      "--no-search"])
    assert built.exit_code == 0, built.output
    line = (f"{ASSET}: warning[unreadable-file] cannot read the file: No such file or "
            "directory; left out of the site")
    assert line in built.stderr.splitlines()
    assert built.stderr.rstrip().endswith("1 asset could not be read")
    shutil.copy(SAMPLE_VAULT / ASSET, vault / ASSET)
    exported = CliRunner().invoke(main, ["export", str(vault), "-o", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert line.replace("the site", "the export") in exported.stderr.splitlines()
