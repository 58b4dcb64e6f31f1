"""Shared fixtures: the seed documents laid out as pages, and the real corpora."""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kb_compiler import gcpause

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
LOGSEQ_DOCS = CORPORA / "logseq-docs"
KEPANO = CORPORA / "kepano-obsidian"
SAMPLE_VAULT = REPO / "vault"

# Each seed document under the page file name it was written as (see the issues).
SEED_PAGES = {
    "000_38f34f29e5d369f2.txt": "Profiles.md",
    "001_411d28a5944c4ac1.txt": "profile-(id).md",
    "002_a2f3f063b3bd1eef.txt": "profile-(id)___persona.md",
    "003_7efe5d25a5a04dd3.txt": "Customer Profile.md",
    "004_7d2d3c1807a4f909.txt": "What is Customer Profile.md",
}


def lay_out_seeds(target: Path) -> Path:
    """Copy the five seeds, byte for byte, into ``target`` under their page names."""
    target.mkdir(parents=True, exist_ok=True)
    for seed, page in SEED_PAGES.items():
        shutil.copyfile(SEEDS / seed, target / page)
    return target


@pytest.fixture
def seeds_vault(tmp_path: Path) -> Path:
    """The seeds as a plain folder vault (no Logseq or Obsidian config)."""
    return lay_out_seeds(tmp_path / "seeds")


@pytest.fixture
def logseq_docs(tmp_path: Path) -> Path:
    """A private copy of Logseq's docs graph, safe for tests that could write."""
    copy = tmp_path / "logseq-docs"
    shutil.copytree(LOGSEQ_DOCS, copy, symlinks=True)
    return copy


@pytest.fixture
def kepano(tmp_path: Path) -> Path:
    """A private copy of the kepano Obsidian vault."""
    copy = tmp_path / "kepano-obsidian"
    shutil.copytree(KEPANO, copy, symlinks=True)
    return copy


@pytest.fixture
def handover_folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The temporary folders ``kb_compiler.parallel`` makes during the test, recorded
    as they are made: a listing of /dev/shm would also show those of other tests
    running at the same time (pytest -n)."""
    made: list[Path] = []
    real_folder = tempfile.TemporaryDirectory

    def recorded_folder(*args, **kwargs):  # type: ignore[no-untyped-def]
        folder = real_folder(*args, **kwargs)
        made.append(Path(folder.name))
        return folder

    monkeypatch.setattr(tempfile, "TemporaryDirectory", recorded_folder)
    yield made


@pytest.fixture(autouse=True)
def _collector_as_for_a_library() -> Iterator[None]:
    """A command run in-process (click's CliRunner) marks the process as one command's
    (``gcpause.for_one_command``): every test starts as a library caller again."""
    yield
    if gcpause._ONE_COMMAND:
        gcpause._ONE_COMMAND = False
        gc.unfreeze()


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A parse cache of the test's own (``KBC_CACHE_DIR``), for commands run in-process:
    never the user's. Modules whose every test runs commands use it with
    ``pytestmark = pytest.mark.usefixtures("private_cache")``."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("KBC_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def upgraded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``upgraded("Pygments")``: that library reports another version from now on, as
    after an upgrade, and the cache keys made from the versions are made again."""
    from kb_compiler import cache, versions
    from kb_compiler.emit.site import incremental

    real_version = versions.metadata.version

    def forget_versions() -> None:
        versions.library_versions.cache_clear()
        cache.code_fingerprint.cache_clear()
        incremental.package_fingerprint.cache_clear()

    def upgrade(library: str) -> None:
        monkeypatch.setattr(versions.metadata, "version", lambda name: "99.0" if
                            name == library else real_version(name))
        forget_versions()

    yield upgrade
    monkeypatch.setattr(versions.metadata, "version", real_version)
    forget_versions()


def deny_reading(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Files named ``name`` cannot be read from now on (permission denied), as a file
    another user owns: the tests run as root, where removing read permission does not."""
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == name:
            raise PermissionError(13, "Permission denied")
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


TRIPLE_LOWBAR = "{:file/name-format :triple-lowbar}\n"


def write_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """A vault at ``root`` holding ``files`` (vault path -> text or bytes), folders made;
    ``logseq/config.edn`` among them makes it a Logseq graph."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root
