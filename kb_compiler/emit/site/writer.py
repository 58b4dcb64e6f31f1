"""Atomic output: the site is written into a temporary folder beside OUT and swapped in
at the end, so a build that fails or is killed midway leaves the previous site whole.

On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call (atomic: OUT is never
missing); elsewhere two renames. A folder is only ever replaced when it is empty or
carries the marker file a previous build left (``.kbc-site``): kbc never deletes a
folder it did not write.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from types import TracebackType

from kb_compiler.errors import KbcError

MARKER = ".kbc-site"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def check_output_folder(out: Path, vault: Path) -> Path:
    """The resolved OUT, or ``KbcError`` when it is the vault, inside it, holds it, or
    is a file or a folder kbc did not write."""
    target, root = out.resolve(), vault.resolve()
    if target == root or root in target.parents:
        raise KbcError("the output folder is the vault or inside it; choose a folder "
                       "outside the vault", path=str(out))
    if target in root.parents:
        raise KbcError("the output folder contains the vault; choose another folder",
                       path=str(out))
    if target.exists() and not target.is_dir():
        raise KbcError("the output path exists and is not a folder", path=str(out))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise KbcError("the output folder is not empty and was not written by kbc build; "
                       "empty it or choose another folder", path=str(out))
    return target


class SiteWriter:
    """Collects the site's files in a temporary folder; ``commit`` swaps it in."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(out)
        prefix = f".{out.name}.kbc-tmp-{os.getpid()}-"
        self.temp = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
        self.count = 0
        self.write_text(MARKER, "written by kbc build; the folder is replaced on each build\n")

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.temp.exists():
            shutil.rmtree(self.temp, ignore_errors=True)

    def path(self, site_path: str) -> Path:
        """Where ``site_path`` (relative, with ``/``) goes in the temporary folder."""
        pure = PurePosixPath(site_path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ValueError(f"not a site path: {site_path!r}")
        target = self.temp.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, site_path: str, text: str) -> None:
        self.write_bytes(site_path, text.encode("utf-8"))

    def write_bytes(self, site_path: str, data: bytes) -> None:
        self.path(site_path).write_bytes(data)
        self.count += 1

    def copy(self, source: Path, site_path: str) -> None:
        shutil.copyfile(source, self.path(site_path), follow_symlinks=True)
        self.count += 1

    def link(self, source: Path, site_path: str) -> None:
        """Take ``source`` (a file of the previous site) over unchanged: a hard link,
        or a copy where the file system has none."""
        target = self.path(site_path)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.count += 1

    def commit(self) -> None:
        """Put the new site in place of OUT (atomically where the system allows)."""
        if not self.out.exists():
            os.rename(self.temp, self.out)
            return
        if _exchange(self.temp, self.out):
            shutil.rmtree(self.temp, ignore_errors=True)  # now holds the previous site
            return
        old = self.out.with_name(f".{self.out.name}.kbc-old-{os.getpid()}")
        os.rename(self.out, old)
        os.rename(self.temp, self.out)
        shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2; False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_stale(out: Path) -> None:
    """Temporary folders of builds of OUT that were killed (their process is gone)."""
    for candidate in out.parent.glob(f".{out.name}.kbc-*-*"):
        pid = candidate.name.split("-")[-2] if "-tmp-" in candidate.name else \
            candidate.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)) and candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True
