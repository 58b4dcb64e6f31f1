"""Options and helpers every verb shares."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from kb_compiler.errors import KbcError

if TYPE_CHECKING:
    from kb_compiler.model import Diagnostic


def resolve_vault(vault: str | None) -> Path:
    """VAULT defaults to ./vault when that folder exists, else the current folder."""
    if vault is None:
        candidate = Path("vault")
        return candidate if candidate.is_dir() else Path(".")
    if not vault:  # "$VAULT" unset in a script: not the current folder without a word
        raise KbcError("VAULT is an empty name; give the vault's folder, or leave it out")
    path = Path(vault)
    if not path.exists():
        raise KbcError("vault folder not found", path=vault)
    if not path.is_dir():
        raise KbcError("not a folder; give the vault's folder", path=vault)
    if not os.access(path, os.R_OK | os.X_OK):
        raise KbcError("cannot read the vault folder (permission denied)", path=vault)
    return path


def output_folder(out: str) -> Path:
    """OUT as given. An empty name is refused: ``"$OUT"`` unset in a script would
    otherwise be the current folder, replaced by ``--force``."""
    if not out:
        raise KbcError("OUT is an empty name; give the output folder")
    return Path(out)


# What a report or a graph may be called when it replaces a file in the vault: only what
# kbc itself writes (``-o`` with check, graph and scores), so no picture, Base, canvas or
# data file an author keeps there is ever written over.
REPORT_SUFFIXES = frozenset({".json", ".sarif", ".txt", ".log", ".xml", ".graphml", ".dot",
                             ".gv", ".mmd", ".mermaid"})


def refuse_vault_file(output: Path | None, root: Path) -> None:
    """``KbcError`` when ``-o`` names a file of the vault: a page, a config file, anything
    in an app's folder (``.obsidian/``, ``logseq/``, any hidden folder) or an existing
    file that is no report (a picture, a Base). A new report beside the pages, or one
    written again, is the user's choice: a vault that is its repository keeps its CI
    report at its root."""
    from kb_compiler.config import KBC_CONFIG, LOGSEQ_CONFIG, PYPROJECT, SCHEMA_FILES
    from kb_compiler.parse.names import PAGE_SUFFIXES

    if output is None or str(output) == "-":
        return
    target, vault = output.resolve(), root.resolve()
    if vault not in target.parents:
        return
    relative = target.relative_to(vault)
    suffix = target.suffix.lower()
    if suffix in PAGE_SUFFIXES or relative.as_posix() in (
            KBC_CONFIG, PYPROJECT, LOGSEQ_CONFIG, *SCHEMA_FILES):
        raise KbcError("the output file would be a page or a config file of the vault; "
                       "choose another file", path=str(output))
    folders = relative.parts[:-1]
    if any(part.startswith(".") for part in folders) or folders[:1] == ("logseq",):
        raise KbcError("the output file would be in an app's folder of the vault; "
                       "choose another file", path=str(output))
    if target.exists() and suffix not in REPORT_SUFFIXES:
        raise KbcError("the output file would replace a file of the vault that is no "
                       "report; choose another file", path=str(output))


@contextmanager
def standard_output() -> Iterator[BinaryIO]:
    """Standard output as bytes, so a report is UTF-8 whatever the locale says; text
    already written to it is flushed first so the two never interleave out of order.
    A write that fails (a full disk, a reader that stopped, no standard output at all)
    is one line and exit 2, as it is through ``-o``.

    Click 8.5 deprecates ``click.get_binary_stream`` (gone in Click 9); the text
    stream's buffer is the same stream, under click's test runner too."""
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "standard output is closed")
        sys.stdout.flush()
        yield WholeWrites(sys.stdout.buffer)  # type: ignore[misc]
        sys.stdout.flush()
        sys.stdout.buffer.flush()
    except OSError as error:
        if error.errno == errno.EPIPE:
            _drop_standard_output()
        raise KbcError(f"cannot write: {error.strerror or error}", path="stdout") from None


class WholeWrites(io.RawIOBase):
    """A byte stream each write of which is written whole. Python's buffered write may
    take part of a large write and return how much it took (a pipe whose reader left
    took 64 KiB): a caller that ignores the count, as text wrappers do, lost the rest
    without a word and exited 0. Writing the rest again raises the error instead."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        total = len(view)
        written = self._stream.write(view)  # even when empty: a full disk says so
        while written < len(view):
            if not written:
                raise OSError(errno.EIO, "the output took none of the report")
            view = view[written:]
            written = self._stream.write(view)
        return total

    def flush(self) -> None:
        self._stream.flush()


def _drop_standard_output() -> None:
    """Point standard output at the null device: Python flushes it again on exit, and
    that flush into the closed pipe would print a second, Python-made error."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


def plural(count: int, noun: str) -> str:
    """``1 page``, ``2 pages``: a count for a summary line."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


vault_argument = click.argument("vault", required=False, type=click.Path())
jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), metavar="N",
    help="Processes to work in, this one included (default: one per core). Fewer use "
         "less memory: each worker holds a copy of much of the knowledge base.")


# Beyond this many problems a build or export names the rest by count only: the full
# list is what `kbc check` is for.
MAX_REPORTED = 200


def report_problems(graph: object, command: str) -> None:
    """Print the vault's errors and warnings (after the vault's severity config and
    inline silencing) to stderr, one line each, so a build or an export says what it
    met on the way. ``kbc check`` gives the full report with context."""
    from kb_compiler.check import run_checks
    from kb_compiler.model import Severity

    found = [d for d in run_checks(graph).diagnostics  # type: ignore[arg-type]
             if d.severity is not Severity.INFO]
    _list_on_stderr(found, command, "problems")


def report_left_out(graph: object, command: str) -> None:
    """The vault's files that could not be read, one line each on stderr: ``graph`` and
    ``scores`` leave them out, and their output alone would not say so."""
    left_out = [d for d in graph.kb.diagnostics  # type: ignore[attr-defined]
                if d.code == "unreadable-file"]
    _list_on_stderr(left_out, command, "files could not be read")


def _list_on_stderr(notes: Sequence[Diagnostic], command: str, more: str) -> None:
    from kb_compiler.check.formats.text import plain_headline

    for note in notes[:MAX_REPORTED]:
        click.echo(plain_headline(note), err=True)
    if len(notes) > MAX_REPORTED:
        click.echo(f"kbc {command}: {len(notes) - MAX_REPORTED} more {more}; "
                   "run 'kbc check' for all of them", err=True)
