"""Atomic output, shared by every emitter: a file is written beside its target and renamed
over it; a folder (the site, an exported vault) is written as a temporary folder beside
OUT and swapped in at the end. A failed or killed run leaves the previous output whole.

On Linux the folder swap is one ``renameat2(RENAME_EXCHANGE)`` call, so OUT is never
missing; elsewhere it takes two renames. A mount point (a container's volume) cannot be
renamed: its temporary folder is made inside it and its entries are swapped instead.
Temporary folders are named ``.<OUT>.kbc-<kind>-<pid>-...``, so those of runs that were
killed (their process is gone) are found and removed by the next run, and nothing else
ever is.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import BinaryIO, Self

from kb_compiler.errors import KbcError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def output_target(out: Path, vault: Path) -> Path:
    """OUT resolved, or ``KbcError`` when writing it would touch the vault: OUT is the
    vault, lies inside it or contains it. Also when OUT is a file, or ``-``, which
    means standard output to the commands that write one file."""
    if str(out) == "-":
        raise KbcError("'-' (standard output) cannot hold a folder; give a folder",
                       path=str(out))
    target, root = out.resolve(), vault.resolve()
    if target == root or root in target.parents:
        raise KbcError("the output folder is the vault or inside it; choose a folder "
                       "outside the vault", path=str(out))
    if target in root.parents:
        raise KbcError("the output folder contains the vault; choose another folder",
                       path=str(out))
    if target.exists() and not target.is_dir():
        raise KbcError("the output path exists and is not a folder", path=str(out))
    return target


class StagedFolder:
    """An output folder written as a temporary folder beside OUT and swapped in by
    ``commit``. Used as a context manager: left without a commit (an error, a kill), the
    temporary folder goes and OUT stays as it was. ``KbcError`` when OUT's folder cannot
    be written or OUT cannot be replaced, and in place of any ``OSError`` raised while
    the folder is written (its file, or OUT, named)."""

    def __init__(self, out: Path, kind: str) -> None:
        self.out = out
        self._folders: set[Path] = set()
        self._lock = _lock_beside(out)
        try:
            self.temp = temporary_folder(out, kind)
        except OSError as error:
            _unlock(self._lock)
            raise KbcError(f"cannot write here: {error.strerror or error}",
                           path=str(out)) from None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self.temp.exists():
                shutil.rmtree(self.temp, ignore_errors=True)
        finally:
            _unlock(self._lock)
        if isinstance(error, OSError):  # a full disk, a quota, a folder gone read-only
            kept = "the previous output is left as it was" if self.out.exists() \
                else "nothing was written"
            raise KbcError(f"{error.strerror or error}; {kept}",
                           path=self._named(error.filename)) from None

    def _named(self, filename: str | bytes | None) -> str:
        """The file an error names, or OUT for one in the temporary folder (gone now)."""
        if filename is None:
            return str(self.out)
        path = Path(os.fsdecode(filename))
        return str(self.out) if path.is_relative_to(self.temp) else str(path)

    def path(self, relative: str) -> Path:
        """Where ``relative`` (with ``/``) goes in the temporary folder, its folder made;
        ``ValueError`` for a path that would leave it."""
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ValueError(f"not a path inside the output: {relative!r}")
        target = self.temp.joinpath(*pure.parts)
        if target.parent not in self._folders:  # a site has many files to few folders
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def commit(self) -> None:
        """Put the new folder in place of OUT (atomically where the system allows)."""
        try:
            swap_in(self.temp, self.out)
        except OSError as error:
            raise KbcError(f"cannot replace the output folder: {error.strerror or error}",
                           path=str(self.out)) from None


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see ``replacing``)."""
    with replacing(path) as stream:
        stream.write(data)


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A stream to a temporary file beside ``path``, renamed over ``path`` when the block
    ends normally (readers never see half a file) and removed when it raises.
    ``KbcError`` when it cannot be written.

    ``-`` is standard output. What is no regular file (``/dev/stdout``, ``/dev/null``, a
    pipe) is written to as it is: renamed over, it would be replaced by a file. A
    symbolic link is followed: the file it points to is replaced, the link stays."""
    if str(path) == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    if path.exists() and not path.is_file():
        with _written_in_place(path) as stream:
            yield stream
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=folder)
    except OSError as error:
        raise KbcError(f"cannot write here: {error.strerror or error}", path=str(path)) from None
    try:
        os.fchmod(handle, usual_mode(path, 0o666))
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise KbcError(f"cannot write: {error.strerror or error}", path=str(path)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _written_in_place(path: Path) -> Iterator[BinaryIO]:
    if path.is_dir():
        raise KbcError("is a folder; give a file", path=str(path))
    try:
        with open(path, "wb") as stream:
            yield stream
    except OSError as error:
        raise KbcError(f"cannot write: {error.strerror or error}", path=str(path)) from None


_HELD_LOCKS: set[int] = set()  # this process's open lock handles (``_lock_beside``)


def _close_inherited_locks() -> None:
    """In a forked child (a worker): close the lock handles it inherited. A flock
    belongs to the open file, which a fork shares: a worker that outlived a killed
    build kept OUT's folder locked, and every later run waited for it for good."""
    for handle in _HELD_LOCKS:
        with suppress(OSError):
            os.close(handle)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def _lock_beside(out: Path) -> int | None:
    """Hold an exclusive lock on OUT's folder while a run writes OUT (released by
    ``_unlock``); a second run waits for it, saying so. Two builds into one OUT at once
    (a watcher script, two CI steps) had one take the other's pages over as its own
    previous output, and keep them on later rebuilds. Runs writing beside each other
    into one folder take turns too. None where the system has no ``flock`` or the folder
    cannot be opened (the run then writes as before)."""
    if fcntl is None:
        return None
    try:
        handle = os.open(out.parent, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.stderr.write(f"kbc: waiting for another kbc run writing into {out.parent}\n")
        sys.stderr.flush()
        fcntl.flock(handle, fcntl.LOCK_EX)
    except OSError:  # a file system without locks
        os.close(handle)
        return None
    _HELD_LOCKS.add(handle)
    return handle


def _unlock(handle: int | None) -> None:
    if handle is not None:
        _HELD_LOCKS.discard(handle)
        os.close(handle)  # closing it releases the lock


def temporary_folder(out: Path, kind: str) -> Path:
    """A new temporary folder beside ``out`` for this process, after removing those that
    killed runs left (``kind`` names the command: ``tmp`` for the site, ``export``).
    Inside ``out`` when it is a mount point (a container's volume): a mount point cannot
    be renamed, so ``swap_in`` replaces its entries instead."""
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    temporary = Path(tempfile.mkdtemp(prefix=f"{_prefix(out)}{kind}-{os.getpid()}-",
                                      dir=out if os.path.ismount(out) else out.parent))
    os.chmod(temporary, usual_mode(out, 0o777))
    return temporary


def usual_mode(path: Path, new: int) -> int:
    """The permissions for output that replaces ``path``: those ``path`` has, else what
    creating it plainly gives (``new`` less the umask). Temporary files and folders are
    made private (0600, 0700); kept so, a site's folder was one a web server running as
    another user could not enter."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0o022)  # reading the umask means setting it; put back at once
        os.umask(umask)
        return new & ~umask


def swap_in(temporary: Path, out: Path) -> None:
    """Put the folder ``temporary`` in place of ``out`` and remove the previous one."""
    if temporary.parent == out:
        _swap_entries(temporary, out)
        return
    if not out.exists():
        os.rename(temporary, out)
        return
    if _exchange(temporary, out):
        shutil.rmtree(temporary, ignore_errors=True)  # now holds the previous output
        return
    old = out.with_name(f".{out.name}.kbc-old-{os.getpid()}")
    os.rename(out, old)
    os.rename(temporary, out)
    shutil.rmtree(old, ignore_errors=True)


def _swap_entries(temporary: Path, out: Path) -> None:
    """Replace the entries of the mount point ``out`` by those of ``temporary`` (inside
    it): the old ones are moved aside into a folder of their own, then the new ones in.
    Each rename is atomic but the whole is not: a run killed between them leaves a mix
    of both, which the next run replaces."""
    old = Path(tempfile.mkdtemp(prefix=f"{_prefix(out)}old-{os.getpid()}-", dir=out))
    for entry in sorted(out.iterdir()):
        if not entry.name.startswith(_prefix(out)):
            os.rename(entry, old / entry.name)
    for entry in sorted(temporary.iterdir()):
        os.rename(entry, out / entry.name)
    temporary.rmdir()
    shutil.rmtree(old, ignore_errors=True)


def has_content(out: Path) -> bool:
    """Whether the folder ``out`` holds anything but temporary folders of kbc runs."""
    return any(not is_temporary(out, entry.name) for entry in out.iterdir())


def is_temporary(out: Path, name: str) -> bool:
    """Whether the entry ``name`` of ``out`` is a temporary folder of a kbc run (inside
    OUT when it is a mount point)."""
    return name.startswith(_prefix(out))


def _prefix(out: Path) -> str:
    return f".{out.name}.kbc-"


# Folders of a version-control system, which output a run replaces keeps (``kbc export
# --force`` carries them into the new folder; a killed run's leftovers give them back).
VERSION_CONTROL = (".git", ".hg", ".svn")


def remove_stale(out: Path) -> None:
    """Temporary folders of runs writing ``out`` that were killed midway (beside it, or
    inside it when it is a mount point); a version-control folder one of them had
    carried over from ``out`` goes back there first, and if it cannot, the folder stays."""
    prefix = _prefix(out)
    places = [out.parent, out] if os.path.ismount(out) else [out.parent]
    for candidate in (found for place in places for found in place.glob(f"{prefix}*-*")):
        parts = candidate.name[len(prefix):].split("-")
        pid = parts[1] if len(parts) > 1 else ""
        if pid.isdigit() and candidate.is_dir() and not _alive(int(pid)) \
                and _gave_back(candidate, out):
            shutil.rmtree(candidate, ignore_errors=True)


def _gave_back(stale: Path, out: Path) -> bool:
    """Whether ``stale`` holds no version-control folder ``out`` lacks, once those it
    held are put back into ``out``."""
    try:
        for name in VERSION_CONTROL:
            if os.path.lexists(stale / name) and not os.path.lexists(out / name):
                out.mkdir(exist_ok=True)
                os.rename(stale / name, out / name)
    except OSError:
        return False
    return True


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
