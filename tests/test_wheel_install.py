"""A wheel, installed as ``pip install kb-compiler`` installs it (not editable), builds
a site: the templates live beside the package in the repository, which only an
editable install could find; the site workflow's plain ``pip install .`` then failed
with "the site templates folder is missing from this installation"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import REPO, write_vault


def test_an_installed_wheel_builds_a_site(tmp_path: Path) -> None:
    source = tmp_path / "source"  # pip builds in the tree: not in the repository's
    for part in ("kb_compiler", "templates"):
        shutil.copytree(REPO / part, source / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(source)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("kb_compiler-*.whl")
    prefix = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    # --ignore-installed: with --prefix alone, pip uninstalls the kb-compiler this
    # interpreter has (the editable install under test) before installing the wheel
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--ignore-installed", "--prefix", str(prefix), str(wheel)],
                   check=True, capture_output=True)
    vault = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}",
                                             "Home.md": "# Home\n\nSee [[Other]].\n",
                                             "Other.md": "Other text.\n"})
    # the dependencies from this interpreter; kb_compiler from the wheel only
    environment = {**os.environ, "PYTHONPATH": sysconfig.get_path("purelib"),
                   "KBC_CACHE_DIR": str(tmp_path / "cache")}
    script = ("import kb_compiler, sys; from kb_compiler.cli import main; "
              "assert 'site-packages' in kb_compiler.__file__ and str(sys.argv) and "
              f"{str(REPO)!r} not in kb_compiler.__file__, kb_compiler.__file__; main()")
    result = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", script, "build", str(vault), "-o",
         str(tmp_path / "site"), "--no-search", "-q"],
        cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Other text." in (tmp_path / "site" / "other.html").read_text("utf-8")
    assert (tmp_path / "site" / "static" / "site.css").is_file()
