"""The shared atomic-output helpers: stale temporary folders of killed runs are removed,
and nothing else is; output gets the permissions plain creation would give (or keeps
those of what it replaces), not the private ones of its temporary form."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_compiler import atomic
from kb_compiler.cli import main
from tests.conftest import SAMPLE_VAULT, write_vault


def dead_pid() -> int:
    """The pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_temporary_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "my-site"
    dead, alive = dead_pid(), os.getpid()
    stale = [tmp_path / f".my-site.kbc-tmp-{dead}-abc", tmp_path / f".my-site.kbc-old-{dead}",
             tmp_path / f".my-site.kbc-export-{dead}-x_1"]
    kept = [tmp_path / f".my-site.kbc-tmp-{alive}-abc", tmp_path / ".my-site.kbc-notes",
            tmp_path / f".other.kbc-tmp-{dead}-abc", tmp_path / f"my-site.kbc-tmp-{dead}-a"]
    for folder in stale + kept:
        folder.mkdir()
        (folder / "file.txt").write_text("x", "utf-8")
    not_a_folder = tmp_path / f".my-site.kbc-tmp-{dead}-file"
    not_a_folder.write_text("x", "utf-8")
    atomic.remove_stale(out)
    assert [folder.exists() for folder in stale] == [False] * len(stale)
    assert all(folder.is_dir() for folder in kept) and not_a_folder.is_file()


def test_swap_in_replaces_a_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = atomic.temporary_folder(out, "tmp")
    (first / "a.txt").write_text("one", "utf-8")
    atomic.swap_in(first, out)
    second = atomic.temporary_folder(out, "tmp")
    (second / "b.txt").write_text("two", "utf-8")
    atomic.swap_in(second, out)
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


@pytest.fixture
def umask_027(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KBC_CACHE_DIR", str(tmp_path / "cache"))
    before = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_027")
@pytest.mark.parametrize("command", [["build", "--no-search"], ["export"],
                                     ["check", "--format", "json"], ["graph"]])
def test_output_has_the_permissions_of_plain_creation(tmp_path: Path,
                                                      command: list[str]) -> None:
    """A site folder kept at mkdtemp's 0700 was one a web server running as another
    user could not enter; a report kept at mkstemp's 0600, one CI's other steps could not
    read."""
    verb, *options = command
    out = tmp_path / ("out" if verb in ("build", "export") else "out.json")
    CliRunner().invoke(main, [verb, str(SAMPLE_VAULT), "-o", str(out), *options])
    assert _mode(out) == (0o750 if out.is_dir() else 0o640)


@pytest.mark.usefixtures("umask_027")
@pytest.mark.parametrize("command", [["build", "--no-search"], ["graph"]])
def test_output_keeps_the_permissions_of_what_it_replaces(tmp_path: Path,
                                                          command: list[str]) -> None:
    verb, *options = command
    out = tmp_path / ("out" if verb == "build" else "out.json")
    modes = (0o711, 0o705) if verb == "build" else (0o604, 0o660)
    for mode in modes:  # set by hand, then kept by the next run
        CliRunner().invoke(main, [verb, str(SAMPLE_VAULT), "-o", str(out), *options])
        out.chmod(mode)
        CliRunner().invoke(main, [verb, str(SAMPLE_VAULT), "-o", str(out), *options])
        assert _mode(out) == mode


@pytest.fixture
def mounted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """OUT as a mount point (a container's volume), which cannot be renamed: mounting
    needs privileges, so ``os.path.ismount`` says so (checked by hand on a tmpfs)."""
    out = tmp_path / "volume"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == out or real(path))
    monkeypatch.setenv("KBC_CACHE_DIR", str(tmp_path / "cache"))
    return out


@pytest.mark.parametrize("command", [["build", "--no-search"], ["export", "--force"]])
def test_a_mount_point_is_filled_in_place(mounted: Path, tmp_path: Path,
                                          command: list[str]) -> None:
    verb, *options = command
    plain = tmp_path / "plain"
    assert CliRunner().invoke(main, [verb, str(SAMPLE_VAULT), "-o", str(plain),
                                     *options]).exit_code == 0
    stale = mounted / f".volume.kbc-tmp-{dead_pid()}-x"  # a killed run's, inside
    stale.mkdir()
    volume = mounted.stat().st_ino
    for _ in range(2):  # into the empty volume, then over the first build
        result = CliRunner().invoke(main, [verb, str(SAMPLE_VAULT), "-o", str(mounted),
                                           *options])
        assert result.exit_code == 0, result.output
        assert _tree(mounted) == _tree(plain)
        assert mounted.stat().st_ino == volume  # filled, not replaced
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache", "plain", "volume"]


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_what_is_no_regular_file_is_written_to_not_replaced(tmp_path: Path) -> None:
    """``-o /dev/stdout`` or a pipe: renamed over, the device or pipe became a regular
    file (as root, /dev/stdout itself) and the output never reached its reader."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader waits, as a shell's
    try:
        atomic.write_file(fifo, b"report\n")
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
        assert os.read(reader, 100) == b"report\n"
    finally:
        os.close(reader)


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("old\n")
    (tmp_path / "link.json").symlink_to("real.json")
    atomic.write_file(tmp_path / "link.json", b"new\n")
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_bytes() == b"new\n"


def test_a_dash_is_standard_output(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kb_compiler", "graph", str(SAMPLE_VAULT),
                           "-q", "-o", "-"], cwd=tmp_path, capture_output=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith(b"{")
    assert not (tmp_path / "-").exists()


def test_a_second_run_into_the_same_output_waits_for_the_first(tmp_path: Path) -> None:
    """Two builds into one OUT at once (a watcher script, two CI steps): the later one
    read the previous site's manifest, then hard-linked pages from OUT after the other
    had swapped its site in, and kept the other vault's pages as its own. A run now
    holds OUT's folder while it writes; the other waits, saying so."""
    import fcntl

    vault = write_vault(tmp_path / "vault", {".obsidian/app.json": "{}", "a.md": "alpha\n"})
    out = tmp_path / "out" / "site"
    out.parent.mkdir()
    holder = os.open(out.parent, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a running build holds it
    try:
        build = subprocess.Popen([sys.executable, "-m", "kb_compiler", "build", str(vault),
                                  "-o", str(out), "--no-search"],
                                 stderr=subprocess.PIPE, text=True)
        assert build.stderr is not None
        first = build.stderr.readline()  # what it says first, the lock still held
        assert first == f"kbc: waiting for another kbc run writing into {out.parent}\n"
        time.sleep(1)
        assert build.poll() is None and not out.exists()  # waiting, nothing written
    finally:
        os.close(holder)
    build.communicate(timeout=60)
    assert build.returncode == 0 and (out / "a.html").is_file()


def test_a_forked_worker_does_not_keep_the_output_folder_locked(tmp_path: Path) -> None:
    """A flock belongs to the open file a fork shares: a render worker forked while a
    build held OUT's folder kept it locked after the build was killed."""
    import fcntl
    import multiprocessing

    out = tmp_path / "site"
    staged = atomic.StagedFolder(out, "tmp")
    context = multiprocessing.get_context("fork")
    running = context.Event()

    def work() -> None:
        running.set()  # past the fork's own steps (closing what it inherited)
        time.sleep(30)

    worker = context.Process(target=work)
    worker.start()
    try:
        assert running.wait(30)
        staged.__exit__(None, None, None)  # the build is over: only the worker is left
        probe = os.open(tmp_path, os.O_RDONLY)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free, worker or not
        finally:
            os.close(probe)
    finally:
        worker.kill()
        worker.join()
