"""Pausing Python's cyclic garbage collector around bulk work.

A large import allocates millions of short-lived, acyclic objects (rows, tuples, dicts) that
reference counting frees at once. The cyclic collector still walks every live object each time
its allocation counters trip, and the full collections grow with the heap: in a 100k-row
import it took about a quarter of the main process's CPU while finding nothing to free.
Reference counting goes on as usual meanwhile; cycles made during the pause (a caught
exception's traceback, say) are collected once it ends.

The switch is per process: in a worker running other jobs in threads, their cyclic garbage
also waits for the import to end (memory, never correctness). Two overlapping pauses leave
the collector on once both have ended, whatever order they end in.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
