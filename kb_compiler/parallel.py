"""Chunks of work shared between worker processes and this one.

Parsing and rendering send their results back to this process, which must unpickle
them all the same; so instead of idling (or competing with the workers for the cores),
this process takes a chunk of its own whenever no result is waiting. With one worker per
core but one, no core is asked for two processes' work, and one copy less of the
knowledge base lives in a forked worker.

Workers hand results over in files, in memory where the system has ``/dev/shm``: a
chunk's results are larger than a pipe's buffer, so through the pool's pipe a worker
waited for this process, busy with its own chunk, to read them.
"""

from __future__ import annotations

import ctypes
import functools
import os
import pickle
import queue
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from kb_compiler.errors import KbcError

Item = TypeVar("Item")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies
IN_FLIGHT = 3  # chunks queued per worker, so a worker never waits while this one works


def map_shared(
    pool: Executor,
    workers: int,
    chunks: Sequence[Sequence[Item]],
    in_worker: Callable[[Sequence[Item]], Result],
    here: Callable[[Sequence[Item]], Result],
) -> Iterator[tuple[int, Result]]:
    """Yield ``(number, result)`` for every chunk, in the order they are done.

    ``pool``'s ``workers`` processes run ``in_worker`` (a module-level function) on chunks
    from the front of the queue; this process runs ``here`` on chunks from the back
    whenever no worker's result is waiting. A worker's exception is raised here; a worker
    that dies (killed, out of memory) is a ``KbcError``, never a wait without end.
    """
    arrived: queue.SimpleQueue[tuple[int, Future[Path]]] = queue.SimpleQueue()
    queued = deque(range(len(chunks)))
    outstanding: set[Future[Path]] = set()
    with _handover_folder() as folder, _deaths_reported():
        try:
            while queued or outstanding:
                while queued and len(outstanding) < IN_FLIGHT * workers:
                    number = queued.popleft()
                    future = pool.submit(_hand_over, in_worker, chunks[number],
                                         folder / str(number))
                    future.add_done_callback(functools.partial(_arrived, arrived, number))
                    outstanding.add(future)
                try:
                    number, future = arrived.get_nowait()
                except queue.Empty:
                    if queued:
                        number = queued.pop()
                        yield number, here(chunks[number])
                        continue
                    number, future = arrived.get()
                outstanding.discard(future)
                yield number, _take(future.result())
        finally:
            _settle(outstanding)


def tie_worker_to_the_main_process() -> None:
    """A worker's initializer. Ctrl+C is the main process's to handle (it stops the
    workers): a terminal sends it to the whole process group, and a worker printed a
    traceback. SIGTERM ends a worker without a word: a forked worker kept the main
    process's handler, and a SIGTERM to the group printed its line twice. Ignoring it
    instead kept workers alive that the main process's shutdown then waited for (a
    broken pool ends its workers with SIGTERM; a test run timed out so). On Linux
    the worker also dies with the main process: killed outright (``kill -9``, out of
    memory), it left a worker waiting for work for good."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _arrived(arrived: queue.SimpleQueue[tuple[int, Future[Path]]], number: int,
             done: Future[Path]) -> None:
    """A chunk's done callback: its number and future, for the loop to pick up."""
    arrived.put((number, done))


def _settle(outstanding: set[Future[Path]]) -> None:
    """When the run stops early (an error, or the caller stops reading): cancel what no
    worker has started and wait for the rest, so that no worker writes into the handover
    folder while it is being removed."""
    for future in outstanding:
        future.cancel()
    wait(outstanding)


@contextmanager
def _deaths_reported() -> Iterator[None]:
    """A dead worker breaks the pool: its result, and any later submission, raise."""
    try:
        yield
    except BrokenProcessPool:
        raise KbcError("a worker process stopped unexpectedly (killed, or out of "
                       "memory)") from None


def _hand_over(work: Callable[[Sequence[Item]], Result], chunk: Sequence[Item],
               handover: Path) -> Path:
    """In a worker: ``work(chunk)``, written to the file ``handover``."""
    handover.write_bytes(pickle.dumps(work(chunk), protocol=pickle.HIGHEST_PROTOCOL))
    return handover


def _take(handover: Path) -> Any:
    """A worker's result, from its handover file (removed)."""
    try:
        return pickle.loads(handover.read_bytes())
    finally:
        handover.unlink(missing_ok=True)


@contextmanager
def _handover_folder() -> Iterator[Path]:
    """A private temporary folder, in memory (``/dev/shm``) where the system has one."""
    memory = Path("/dev/shm")
    usable = memory.is_dir() and os.access(memory, os.W_OK)
    with tempfile.TemporaryDirectory(prefix="kbc-work-", dir=memory if usable else None) \
            as folder:
        yield Path(folder)
