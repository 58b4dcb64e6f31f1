"""Writing the exported vault atomically, and only where it may go.

The vault is written into a temporary folder beside OUT and swapped in at the end
(``kb_compiler.atomic``), so an export that fails or is killed midway leaves the
previous OUT whole. OUT may not
be the vault, lie inside it or contain it; a non-empty OUT is replaced only with
``--force``. Files are copied from the vault only when their real path stays inside it,
so a symbolic link never smuggles an outside file into the export.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from kb_compiler.atomic import VERSION_CONTROL, StagedFolder, has_content, output_target
from kb_compiler.emit import unreadable_asset
from kb_compiler.errors import KbcError
from kb_compiler.model import Diagnostic


def check_output_folder(out: Path, vault: Path, *, force: bool) -> Path:
    """The resolved OUT, or ``KbcError`` (exit 2) when it may not be written."""
    target = output_target(out, vault)
    if target.is_dir() and has_content(target) and not force:
        raise KbcError("the output folder is not empty; use --force to replace it",
                       path=str(out))
    return target


def inside(root: Path, candidate: Path) -> bool:
    """Whether ``candidate``'s real path (symbolic links followed) lies in ``root``."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    return os.path.commonpath([real_root, real]) == real_root


class VaultWriter(StagedFolder):
    """Collects the exported files in a temporary folder; ``commit`` swaps it in."""

    def __init__(self, out: Path) -> None:
        super().__init__(out, "export")
        self.files = 0
        self.unread: list[Diagnostic] = []  # vault files that could not be read

    def commit(self) -> None:
        """Swap the new vault in, a version-control folder of OUT carried over into it:
        ``--force`` replaces what OUT holds but that, which an export into a
        repository's checkout (to publish it) must not lose. Put back where it was if
        the swap fails, and by the next run's ``remove_stale`` if this one is killed."""
        moved = [name for name in VERSION_CONTROL if os.path.lexists(self.out / name)
                 and not os.path.lexists(self.temp / name)]
        done: list[str] = []
        try:
            for name in moved:
                os.rename(self.out / name, self.temp / name)
                done.append(name)
            super().commit()
        except BaseException:
            for name in done:
                os.rename(self.temp / name, self.out / name)
            raise

    def write_text(self, relative: str, text: str) -> None:
        self.path(relative).write_bytes(text.encode("utf-8"))
        self.files += 1

    def copy(self, root: Path, relative_source: str, relative: str) -> bool:
        """Copy a vault file; False (nothing written) when it resolves outside the
        vault, or is no longer a readable regular file (noted in ``unread``)."""
        source = root / relative_source
        if not inside(root, source):
            return False
        try:
            if not source.is_file():
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
            reading = source.open("rb")
        except OSError as error:  # gone since the vault was read, or no permission
            self.unread.append(unreadable_asset(relative_source, error, "the export"))
            return False
        # Only reading the vault is forgiven: a failed write (a full disk) ends the export.
        with reading, self.path(relative).open("wb") as writing:
            shutil.copyfileobj(reading, writing)
        self.files += 1
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
