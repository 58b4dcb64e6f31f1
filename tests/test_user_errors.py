"""Every mistake a user can make on the command line gives exactly one line on stderr,
exit status 2, no traceback and nothing on stdout, through the real ``kbc`` command
(``python -m kb_compiler``), as a table of cases. A refused command changes nothing.

The cases run concurrently (one module fixture, see ``tests/hostile/runner.py``), so the
table costs seconds, not a minute."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb_compiler.commands.common import resolve_vault
from kb_compiler.errors import KbcError
from tests.hostile.outputs import snapshot
from tests.hostile.runner import Job, Run, run_many

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def vault(folder: Path) -> Path:
    """A small valid vault: two pages linking each other."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text("- links to [[b]]\n", encoding="utf-8")
    (folder / "b.md").write_text("- links to [[a]]\n", encoding="utf-8")
    return folder


def config(text: str, name: str = "kbc.toml") -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        target = vault(folder / "v") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return write


def unreadable_config(kind: str) -> Callable[[Path], None]:
    """A kbc.toml that cannot be read: permissions (not for root, who reads anyway),
    a folder, a broken link, or a FIFO (which would block a naive read forever)."""
    def make(folder: Path) -> None:
        target = vault(folder / "v") / "kbc.toml"
        if kind == "chmod":
            target.write_text("loose-matching = true\n")
            target.chmod(0)
        elif kind == "folder":
            target.mkdir()
        elif kind == "dangling":
            os.symlink("missing.toml", target)
        else:
            os.mkfifo(target)
    return make


def plain(folder: Path) -> None:
    vault(folder / "v")


def non_empty_out(folder: Path) -> None:
    vault(folder / "v")
    (folder / "out").mkdir()
    (folder / "out" / "keep.txt").write_text("mine")


def output_links_into_vault(folder: Path) -> None:
    """``out`` is a symbolic link to a folder inside the vault."""
    (vault(folder / "v") / "inner").mkdir()
    os.symlink("v/inner", folder / "out")


def vault_through_link(folder: Path) -> None:
    """The vault is given through a symbolic link; OUT is inside the real folder."""
    vault(folder / "v")
    os.symlink("v", folder / "link")


def output_is_a_file(folder: Path) -> None:
    vault(folder / "v")
    (folder / "out").write_text("a file")


def file_as_vault(folder: Path) -> None:
    (folder / "page.md").write_text("- not a folder\n")


def unreadable_vault(folder: Path) -> None:
    vault(folder / "v").chmod(0)


DEEP = "[" * 1000 + "]" * 1000  # nested past Python's recursion limit: a traceback before


def deep_baseline(folder: Path) -> None:
    vault(folder / "v")
    (folder / "baseline.json").write_text(DEEP, encoding="utf-8")


def self_extending_template(folder: Path) -> None:
    """Overriding ``page.html`` by extending it by its own name: a natural mistake."""
    vault(folder / "v")
    (folder / "tpl").mkdir()
    (folder / "tpl/page.html").write_text(
        '{% extends "page.html" %}{% block content %}{{ super() }}{% endblock %}',
        encoding="utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], None]
    args: tuple[str, ...]
    says: str  # a word the one line must contain (the file, key or option at fault)


CASES = [
    Case("missing vault", plain, ("check", "nowhere"), "nowhere"),
    Case("missing vault, build", plain, ("build", "nowhere", "-o", "site"), "nowhere"),
    Case("missing vault, export", plain, ("export", "nowhere", "-o", "out"), "nowhere"),
    Case("file as vault", file_as_vault, ("check", "page.md"), "page.md"),
    # an unset "$VAULT" in a script checked the current folder without a word
    Case("empty vault name", plain, ("check", ""), "VAULT is an empty name"),
    # "-" is stdout to check, graph and scores; build and export made a folder named "-"
    Case("stdout as the site folder", plain, ("build", "v", "-o", "-"), "standard output"),
    Case("stdout as the export folder", plain, ("export", "v", "-o", "-"),
         "standard output"),
    # an unset "$OUT": the current folder, replaced by --force (all but .git)
    Case("empty export folder name", plain, ("export", "v", "-o", "", "--force"),
         "OUT is an empty name"),
    Case("empty site folder name", plain, ("build", "v", "-o", ""), "OUT is an empty name"),
    Case("unreadable config: folder", unreadable_config("folder"), ("check", "v"), "kbc.toml"),
    Case("unreadable config: broken link", unreadable_config("dangling"), ("check", "v"),
         "kbc.toml"),
    Case("unreadable config: FIFO", unreadable_config("fifo"), ("build", "v", "-o", "s"),
         "kbc.toml"),
    Case("missing vault, serve", plain, ("serve", "nowhere"), "nowhere"),
    Case("missing vault named with an escape sequence", plain,
         ("check", "no\x1b]0;title\x07where"), "no\ufffd]0;title\ufffdwhere"),
    Case("bad option", plain, ("check", "v", "--bogus"), "--bogus"),
    Case("bad --port", plain, ("serve", "v", "--port", "99999"), "99999"),
    Case("graph output is a folder", plain, ("graph", "v", "-o", "v"), "directory"),
    Case("bad option before the verb", plain, ("--bogus", "check", "v"), "--bogus"),
    Case("unknown verb", plain, ("compile", "v"), "compile"),
    Case("bad --format for check", plain, ("check", "v", "--format", "xml"), "xml"),
    Case("bad --format for graph", plain, ("graph", "v", "--format", "png"), "png"),
    Case("bad --format for scores", plain, ("scores", "v", "--format", "csv"), "csv"),
    Case("bad --to for export", plain, ("export", "v", "-o", "out", "--to", "roam"), "roam"),
    Case("export without -o", plain, ("export", "v"), "-o"),
    Case("bad --base-url", plain, ("build", "v", "-o", "s", "--base-url", "ftp:x"), "base-url"),
    Case("no processes to work in", plain, ("build", "v", "-o", "s", "--jobs", "0"), "jobs"),
    Case("jobs not a number", plain, ("check", "v", "-j", "many"), "many"),
    Case("bad config key", config("colour = true\n"), ("check", "v"), "colour"),
    Case("bad config key, build", config("[severity]\nbroken-link = 'error'\n"
                                         "speed = 'fast'\n"), ("build", "v", "-o", "s"),
         "speed"),
    Case("bad config value", config("loose-matching = 'yes'\n"), ("check", "v"),
         "loose-matching"),
    Case("bad severity level", config("[severity]\nbroken-link = 'fatal'\n"), ("check", "v"),
         "fatal"),
    Case("broken kbc.toml", config("[severity\nbroken-link = 'error'\n"), ("check", "v"),
         "kbc.toml"),
    Case("broken kbc.toml, export", config("ignore = [\n"), ("export", "v", "-o", "out"),
         "kbc.toml"),
    Case("configured schema missing", config('schema = "nope.yaml"\n'), ("check", "v"),
         "kbc.toml:1"),
    Case("bad key in [tool.kbc]", config("[tool.kbc]\nfoo = 1\n", "pyproject.toml"),
         ("check", "v"), "foo"),
    Case("broken logseq config", config("{:file/name-format [\n", "logseq/config.edn"),
         ("check", "v"), "config.edn"),
    Case("kbc.toml nested too deeply", config(f"ignore = {DEEP}\n"), ("check", "v"),
         "kbc.toml"),
    Case("schema nested too deeply", config(f"properties: {DEEP}\n", "kbc-schema.yaml"),
         ("graph", "v"), "kbc-schema.yaml"),
    Case("baseline nested too deeply", deep_baseline,
         ("check", "v", "--baseline", "baseline.json"), "baseline.json"),
    Case("template extending itself", self_extending_template,
         ("build", "v", "-o", "site", "--templates", "tpl", "--no-search"), "page.html"),
    Case("check report over a page", plain, ("check", "v", "-o", "v/a.md"), "page"),
    Case("check report as a new page", plain, ("check", "v", "-o", "v/new.md"), "page"),
    Case("graph over the vault's config", config("loose-matching = true\n"),
         ("graph", "v", "-o", "v/kbc.toml"), "config file"),
    Case("build output is the vault", plain, ("build", "v", "-o", "v"), "vault"),
    Case("build output inside the vault", plain, ("build", "v", "-o", "v/site"), "vault"),
    Case("export output is the vault", plain, ("export", "v", "-o", "v"), "vault"),
    Case("export output inside the vault", plain, ("export", "v", "-o", "v/out/x"), "vault"),
    Case("export output not empty", non_empty_out, ("export", "v", "-o", "out"), "--force"),
    Case("build output not written by kbc", non_empty_out, ("build", "v", "-o", "out"), "out"),
    Case("build output is a file", output_is_a_file, ("build", "v", "-o", "out"), "out"),
    Case("export output is a file", output_is_a_file, ("export", "v", "-o", "out"), "out"),
    Case("build output under a file", output_is_a_file, ("build", "v", "-o", "out/site"),
         "out"),
    Case("export output under a file", output_is_a_file, ("export", "v", "-o", "out/x"),
         "out"),
    Case("build output links into the vault", output_links_into_vault,
         ("build", "v", "-o", "out"), "vault"),
    Case("export output links into the vault", output_links_into_vault,
         ("export", "v", "-o", "out"), "vault"),
    Case("vault through a link, output inside", vault_through_link,
         ("build", "link", "-o", "v/site"), "vault"),
]
# Root reads any file whatever its mode (the tests may run as root): there the folder,
# broken-link and FIFO cases above stand for an unreadable file.
if not IS_ROOT:
    CASES += [
        Case("unreadable config: permissions", unreadable_config("chmod"), ("check", "v"),
             "kbc.toml"),
        Case("unreadable vault folder", unreadable_vault, ("check", "v"), "v"),
    ]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, bool]]:
    """Every case run at once; for each, its run and whether its folder is unchanged."""
    folders, before, jobs = {}, {}, {}
    for case in CASES:
        folder = tmp_path_factory.mktemp("user-error")
        case.setup(folder)
        folders[case.name] = folder
        before[case.name] = snapshot(folder)
        jobs[case.name] = Job(case.args, folder)
    runs = run_many(jobs, tmp_path_factory.mktemp("cache"), cpu_limit=20)
    return {name: (run, snapshot(folders[name]) == before[name]) for name, run in runs.items()}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_user_error_is_one_line_and_exit_2(
    case: Case, results: dict[str, tuple[Run, bool]]
) -> None:
    run, unchanged = results[case.name]
    lines = run.stderr.splitlines()
    assert run.returncode == 2, run.describe()
    assert len(lines) == 1, run.describe()
    assert lines[0].startswith("kbc: error: "), run.describe()
    assert case.says in lines[0], run.describe()
    assert "\x1b" not in lines[0] and "\x07" not in lines[0]  # never drives the terminal
    assert run.stdout == b""
    assert unchanged, f"{case.name}: the command changed files although it was refused"


def test_unreadable_vault_folder_is_a_user_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What a folder without read permission does for a user other than root (root
    reads every folder, so the permission check is stood in for here)."""
    folder = vault(tmp_path / "v")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw:
                        False if Path(path) == folder else real_access(path, mode, **kw))
    with pytest.raises(KbcError, match="cannot read the vault folder"):
        resolve_vault(str(folder))
