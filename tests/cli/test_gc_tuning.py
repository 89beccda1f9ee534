"""The collector's setting during a replay: raised while records are decoded, restored after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from trailwatch_constructs.cli.gc_tuning import GC_THRESHOLDS, tune_gc_for_good, tuned_gc


@pytest.fixture(autouse=True)
def restore_thresholds() -> Iterator[None]:
    old = gc.get_threshold()
    yield
    gc.set_threshold(*old)


def test_tuned_gc_applies_the_thresholds_and_restores_the_old_ones() -> None:
    # GIVEN some thresholds
    gc.set_threshold(700, 10, 10)
    # WHEN a replay runs inside tuned_gc
    with tuned_gc():
        during = gc.get_threshold()
    # THEN the thresholds are raised during it and restored after it
    assert during == GC_THRESHOLDS == (100_000, 50, 100)
    assert gc.get_threshold() == (700, 10, 10)


def test_tuned_gc_restores_the_thresholds_after_an_error() -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(KeyError), tuned_gc():
        raise KeyError("x")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_worker_keeps_the_thresholds() -> None:
    gc.set_threshold(700, 10, 10)
    tune_gc_for_good()
    assert gc.get_threshold() == GC_THRESHOLDS
