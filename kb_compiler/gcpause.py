"""Pausing Python's cycle collector around the heavy stages.

Loading, resolving and rendering allocate hundreds of thousands of small objects and
make almost no reference cycles, so the collector's passes over the large, long-lived
model are pure overhead (measured: half the time of unpickling 10,000 pages, a third of
building the graph). Reference counting still frees everything as usual; the collector
resumes as it was when the block ends.

A command-line run goes further (``for_one_command``): what a stage made lives until
the process exits, so it is moved out of the collector's sight altogether.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_ONE_COMMAND = False


def for_one_command() -> None:
    """Mark this process as one command that exits when done (``kbc build``, ``check``...;
    not ``serve``, nor a library caller): the objects each stage makes, the knowledge
    base and the graph, then live until the end, and each ``no_gc_pauses`` block hands
    them to the collector's permanent generation (``gc.freeze``). Handed back instead,
    the collector's first pass over the young objects went through every one of them
    (0.4 s after loading 10,000 pages). Reference counting still frees what is dropped;
    only garbage cycles among them would stay, and the process ends soon after."""
    global _ONE_COMMAND
    _ONE_COMMAND = True


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Run the block with the cycle collector off, restoring its previous state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _ONE_COMMAND:
            gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Everything alive now in the collector's permanent generation for the block (so
    forked workers never copy those pages by collecting them), and back after it,
    unless this process is one command's (see ``for_one_command``) or a library caller
    had frozen objects of its own: ``gc.unfreeze`` hands back all or nothing, and theirs
    must stay where they put them."""
    caller_froze = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not _ONE_COMMAND and not caller_froze:
            gc.unfreeze()
