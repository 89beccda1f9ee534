"""The cyclic garbage collector's setting while records are decoded by the hundred thousand."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

GC_THRESHOLDS: Final = (100_000, 50, 100)
"""Collect the youngest generation every 100,000 allocations instead of 700.

Decoded records are trees of dicts and lists without reference cycles, freed by reference
counting as soon as a file is done; but each one is a tracked container, and with the default
threshold the cyclic collector walks them again and again while a file is decoded (about 20 %
of the time of decoding, for nothing: docs/performance.md)."""


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Applies :data:`GC_THRESHOLDS` for the duration of a replay, then restores the old ones."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def tune_gc_for_good() -> None:
    """Applies :data:`GC_THRESHOLDS` for the rest of the process (a worker's whole life is replay)."""
    gc.set_threshold(*GC_THRESHOLDS)
