"""Writing the exported vault atomically, and only where it may go.

The vault is written into a temporary folder beside OUT and swapped in at the end
(``renameat2(RENAME_EXCHANGE)`` on Linux: OUT is never missing; two renames elsewhere),
so an export that fails or is killed midway leaves the previous OUT whole. OUT may not
be the vault, lie inside it or contain it; a non-empty OUT is replaced only with
``--force``. Files are copied from the vault only when their real path stays inside it,
so a symbolic link never smuggles an outside file into the export.
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

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_TEMP_MARK = ".kbc-export-"


def check_output_folder(out: Path, vault: Path, *, force: bool) -> Path:
    """The resolved OUT, or ``KbcError`` (exit 2) when it may not be written."""
    target, root = Path(os.path.abspath(out)).resolve(), vault.resolve()
    if target == root or root in target.parents:
        raise KbcError("the output folder is the vault or inside it; choose a folder "
                       "outside the vault", path=str(out))
    if target in root.parents:
        raise KbcError("the output folder contains the vault; choose another folder",
                       path=str(out))
    if target.exists() and not target.is_dir():
        raise KbcError("the output path exists and is not a folder", path=str(out))
    if target.is_dir() and any(target.iterdir()) and not force:
        raise KbcError("the output folder is not empty; use --force to replace it",
                       path=str(out))
    return target


def inside(root: Path, candidate: Path) -> bool:
    """Whether ``candidate``'s real path (symbolic links followed) lies in ``root``."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    return os.path.commonpath([real_root, real]) == real_root


class VaultWriter:
    """Collects the exported files in a temporary folder; ``commit`` swaps it in."""

    def __init__(self, out: Path) -> None:
        self.out = out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(out)
            self.temp = Path(tempfile.mkdtemp(prefix=f".{out.name}{_TEMP_MARK}{os.getpid()}-",
                                              dir=out.parent))
        except OSError as error:
            raise KbcError(f"cannot write here: {error.strerror or error}",
                           path=str(out)) from None
        self.files = 0

    def __enter__(self) -> VaultWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.temp.exists():
            shutil.rmtree(self.temp, ignore_errors=True)

    def _path(self, relative: str) -> Path:
        pure = PurePosixPath(relative)
        if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") for p in pure.parts):
            raise ValueError(f"not a path inside the export: {relative!r}")
        target = self.temp.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, relative: str, text: str) -> None:
        self._path(relative).write_bytes(text.encode("utf-8"))
        self.files += 1

    def copy(self, root: Path, relative_source: str, relative: str) -> bool:
        """Copy a vault file; False (nothing written) when it is not a regular file
        inside the vault."""
        source = root / relative_source
        if not inside(root, source) or not source.is_file():
            return False
        shutil.copyfile(source, self._path(relative))
        self.files += 1
        return True

    def commit(self) -> None:
        """Put the new vault in place of OUT (atomically where the system allows)."""
        try:
            if not self.out.exists():
                os.rename(self.temp, self.out)
                return
            if _exchange(self.temp, self.out):
                shutil.rmtree(self.temp, ignore_errors=True)  # now the previous OUT
                return
            old = self.out.with_name(f".{self.out.name}.kbc-old-{os.getpid()}")
            os.rename(self.out, old)
            os.rename(self.temp, self.out)
            shutil.rmtree(old, ignore_errors=True)
        except OSError as error:
            raise KbcError(f"cannot replace the output folder: {error.strerror or error}",
                           path=str(self.out)) from None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2; False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_stale(out: Path) -> None:
    """Temporary folders that exports of OUT killed midway left (their process is
    gone); only folders with kbc's own name pattern are touched."""
    for candidate in out.parent.glob(f".{out.name}{_TEMP_MARK}*-*"):
        pid = candidate.name[len(f".{out.name}{_TEMP_MARK}"):].split("-", 1)[0]
        if pid.isdigit() and candidate.is_dir() and not _alive(int(pid)):
            shutil.rmtree(candidate, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, and belongs to someone else
        return True
    return True


def copy_tree(writer: VaultWriter, root: Path, folder: str) -> int:
    """Copy the regular files under ``root/folder`` that stay inside the vault (an
    app's settings folder); returns how many were copied."""
    base = root / folder
    if not base.is_dir() or not inside(root, base):
        return 0
    copied = 0
    stack = [base]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
            elif entry.is_file(follow_symlinks=True):
                relative = path.relative_to(root).as_posix()
                copied += writer.copy(root, relative, relative)
    return copied
