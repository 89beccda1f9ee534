"""The progress bar of a replay, on stderr."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final

from trailwatch_constructs.cli.inputs import count_files

REFRESH_SECONDS: Final = 0.1


class Progress:
    """A rich progress bar on stderr, or nothing.

    It refreshes by hand (``auto_refresh=False``), at most ten times a second: rich's refresh
    thread would be running while the worker pool forks, and a forked thread-held lock can hang.
    """

    def __init__(self, paths: Sequence[str], *, enabled: bool) -> None:
        """Prepares the bar; it is drawn from ``with`` on.

        Args:
            paths: what the run reads; the bar's total is the number of files under them.
            enabled: whether to show a bar at all.
        """
        self._enabled = enabled
        self._paths = paths
        self._last = 0.0
        self._events = 0

    def __enter__(self) -> Progress:
        if not self._enabled:
            return self
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        total = count_files(self._paths)
        self._bar = Bar(
            TextColumn("replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[events]} events"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("replay", total=total, events="0")
        return self

    def advance(self, events: int) -> None:
        """Counts one more file done.

        Args:
            events: how many records were evaluated in it.
        """
        if not self._enabled:
            return
        self._events += events
        self._bar.update(self._task, advance=1, events=f"{self._events:,}")
        now = time.monotonic()
        if now - self._last >= REFRESH_SECONDS:
            self._last = now
            self._bar.refresh()

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            self._bar.stop()
