"""Rendered page bodies, and the backlink contexts they give other pages, kept on disk
between the two render passes.

The first pass renders every page's content, the second the page file around it, so a
body waits for the whole first pass (for the backlink contexts every page gives the
others). Held in memory, the bodies were the largest thing a build kept: about 220 MB
per 10,000 pages; the contexts about 32 MB, which each forked worker of the second pass
then copied as it read them. Here each process that renders appends what it made to a
file of its own, and the second pass reads each back wherever it assembles a page: the
main process keeps only where each lies.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kb_compiler.emit.site.backlinks import Batch
from kb_compiler.emit.site.pages import Body
from kb_compiler.errors import KbcError


@dataclass(frozen=True, slots=True)
class Stashed:
    """Where one body lies: a stash file, an offset and a length."""

    file: str
    offset: int
    size: int


class BodyStash:
    """Append-only stash files in a private temporary folder, one per process (forked
    workers write their own); read back with ``pread``, so processes never share a file
    position. Use as a context manager: the folder is removed on exit."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="kbc-bodies-")
        self._writer: IO[bytes] | None = None
        self._writer_pid = 0
        self._readers: dict[str, int] = {}
        self._readers_pid = 0

    def __enter__(self) -> BodyStash:
        return self

    def __exit__(self, *_: object) -> None:
        if self._writer is not None and self._writer_pid == os.getpid():
            self._writer.close()
        if self._readers_pid == os.getpid():
            for descriptor in self._readers.values():
                os.close(descriptor)
        self._folder.cleanup()

    def put(self, body: Body) -> Stashed:
        """Append ``body`` (its backlink contexts left out: ``put_contexts`` keeps them)
        to this process's file; ``flush`` before another process reads it."""
        return self._append(body.without_contexts())

    def put_contexts(self, contexts: Batch) -> Stashed:
        """Append a page's backlink contexts (read by every page it links to)."""
        return self._append(contexts)

    def _append(self, value: object) -> Stashed:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            writer = self._own_writer()
            offset = writer.tell()
            writer.write(blob)
        except OSError as error:  # a full disk, say: one line, not a traceback
            raise KbcError(f"cannot keep rendered pages in the temporary folder: "
                           f"{error.strerror or error}", path=self._folder.name) from None
        return Stashed(writer.name, offset, len(blob))

    def flush(self) -> None:
        if self._writer is not None and self._writer_pid == os.getpid():
            self._writer.flush()

    def get(self, where: Stashed) -> Body:
        body = self._read(where)
        assert isinstance(body, Body)
        return body

    def get_contexts(self, where: Stashed) -> Batch:
        contexts = self._read(where)
        assert isinstance(contexts, tuple)
        return contexts

    def _read(self, where: Stashed) -> object:
        descriptor = self._own_reader(where.file)
        return pickle.loads(os.pread(descriptor, where.size, where.offset))

    def _own_writer(self) -> IO[bytes]:
        if self._writer is None or self._writer_pid != os.getpid():
            # A forked worker inherits its parent's file object: it opens its own.
            self._writer_pid = os.getpid()
            path = Path(self._folder.name) / f"{self._writer_pid}.bodies"
            self._writer = path.open("ab")
        return self._writer

    def _own_reader(self, file: str) -> int:
        if self._readers_pid != os.getpid():
            self._readers_pid, self._readers = os.getpid(), {}
        descriptor = self._readers.get(file)
        if descriptor is None:
            descriptor = self._readers[file] = os.open(file, os.O_RDONLY)
        return descriptor
