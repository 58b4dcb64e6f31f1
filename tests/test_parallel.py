"""``kb_compiler.parallel.map_shared``: every chunk done once, by a worker or by this
process, a worker's failure raised here, and no handover file left behind."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from kb_compiler.errors import KbcError
from kb_compiler.parallel import map_shared


def _squares_with_pid(chunk: Sequence[int]) -> list[tuple[int, int]]:
    time.sleep(0.01)  # long enough for this process to take chunks of its own
    return [(number * number, os.getpid()) for number in chunk]


def _fails_on_zero(chunk: Sequence[int]) -> list[int]:
    if 0 in chunk:
        raise ValueError("zero")
    return list(chunk)


def _pool() -> ProcessPoolExecutor:
    # The system's default way of starting processes, as the loader's pool uses: the
    # worker functions here are importable, so it needs no fork.
    return ProcessPoolExecutor(1)


def _dies(chunk: Sequence[int]) -> list[int]:
    os._exit(3)  # as the system's out-of-memory killer would stop it


def _all_removed(folders: list[Path]) -> bool:
    return bool(folders) and not any(folder.exists() for folder in folders)


def test_every_chunk_is_done_once_by_a_worker_or_here(handover_folders: list[Path]) -> None:
    chunks = [list(range(start, start + 4)) for start in range(0, 80, 4)]
    with _pool() as pool:
        done = dict(map_shared(pool, 1, chunks, _squares_with_pid, _squares_with_pid))
    assert sorted(done) == list(range(len(chunks)))
    for number, chunk in enumerate(chunks):
        assert [square for square, _ in done[number]] == [n * n for n in chunk]
    by = {pid for results in done.values() for _, pid in results}
    assert os.getpid() in by
    assert len(by) == 2
    assert _all_removed(handover_folders)


def test_a_workers_error_is_raised_here(handover_folders: list[Path]) -> None:
    chunks = [[number] for number in range(12)]
    with _pool() as pool, \
            pytest.raises(ValueError, match="zero"):
        # the first chunk always goes to a worker: this process takes them from the back
        list(map_shared(pool, 1, chunks, _fails_on_zero, lambda chunk: list(chunk)))
    assert _all_removed(handover_folders)


def test_this_process_alone_finishes_when_workers_are_slow() -> None:
    """Chunks handed to workers are theirs; the rest this process takes from the back."""
    chunks = [[number] for number in range(10)]
    here: list[int] = []

    def record(chunk: Sequence[int]) -> list[tuple[int, int]]:
        here.extend(chunk)
        return [(chunk[0] * chunk[0], os.getpid())]

    with _pool() as pool:
        done = dict(map_shared(pool, 1, chunks, _squares_with_pid, record))
    assert len(done) == 10
    assert here and here == sorted(here, reverse=True)
    assert 0 not in here  # the first chunks went to the worker


def test_a_worker_that_dies_is_a_clear_error_not_a_hang(handover_folders: list[Path]) -> None:
    chunks = [[number] for number in range(6)]
    with _pool() as pool, pytest.raises(KbcError, match="worker process stopped"):
        list(map_shared(pool, 1, chunks, _dies, lambda chunk: list(chunk)))
    assert _all_removed(handover_folders)
