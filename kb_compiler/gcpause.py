"""Pausing Python's cycle collector around the heavy stages.

Loading, resolving and rendering allocate hundreds of thousands of small objects and
make almost no reference cycles, so the collector's passes over the large, long-lived
model are pure overhead (measured: half the time of unpickling 10,000 pages, a third of
building the graph). Reference counting still frees everything as usual; the collector
resumes as it was when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Run the block with the cycle collector off, restoring its previous state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
