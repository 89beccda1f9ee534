"""The replay's progress bar: drawn on stderr when enabled, refreshed at most ten times a second."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from trailwatch_constructs.cli import progress
from trailwatch_constructs.cli.progress import Progress

from .helpers import write


def test_a_disabled_bar_draws_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with Progress([str(tmp_path)], enabled=False) as bar:
        bar.advance(10)
    assert capsys.readouterr() == ("", "")


def test_an_enabled_bar_counts_files_and_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN two files, and a clock read at 0.2 s, 0.25 s and 0.35 s
    write(tmp_path / "a.json", b"{}")
    write(tmp_path / "b.json", b"{}")
    now = iter([0.2, 0.25, 0.35])
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: next(now)))
    refreshes: list[int] = []
    # WHEN the bar advances over three files' worth of events
    with Progress([str(tmp_path)], enabled=True) as bar:
        monkeypatch.setattr(bar._bar, "refresh", lambda: refreshes.append(1))
        task = bar._bar.tasks[0]
        for events in (1_000, 2_345, 1):
            bar.advance(events)
        # THEN its total is the files found, each advance is a file, events are summed, and it
        #      refreshes at most every 0.1 s
        assert (task.total, task.completed, task.fields["events"]) == (2, 3, "3,346")
        assert len(refreshes) == 2
