"""What a replay found: one file's result, and the whole run's report that :mod:`.report` renders."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.cli.problems import DIGEST, Problem, ProblemCategory
from trailwatch_constructs.cli.statistics import ControlStats, widened

MAX_LISTED_PROBLEMS: Final = 1000
"""Problems listed one by one in a report; the rest are only counted (by category)."""


@dataclass(frozen=True, slots=True)
class Match:
    """Where a control matched: the file, the record index and the record's ``eventID``."""

    control_id: str
    source: str
    index: int
    event_id: object

    def to_json(self) -> dict[str, object]:
        """Returns the ``--matches-out`` line's JSON shape."""
        return {"control": self.control_id, "file": self.source, "index": self.index, "eventID": self.event_id}


@dataclass(slots=True)
class FileResult:
    """Everything one file contributes to a report; small enough to send between processes."""

    source: str
    read: bool = True
    """False when the file was skipped whole."""
    partial: bool = False
    """True when the file was read only up to some damage."""
    records_seen: int = 0
    events: int = 0
    records_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_omitted: int = 0
    problem_counts: Counter[ProblemCategory] = field(default_factory=Counter)
    stats: dict[str, ControlStats] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)
    first_event_time: str | None = None
    """The earliest eventTime of the file's events (the report's time span)."""
    last_event_time: str | None = None

    def include_time(self, when: str) -> None:
        """Widens the file's time span to ``when``.

        Args:
            when: an event's eventTime.
        """
        self.first_event_time, self.last_event_time = widened(self.first_event_time, self.last_event_time, when)

    def note(self, problem: Problem) -> None:
        """Records a problem, listing at most :data:`MAX_LISTED_PROBLEMS` of them.

        Args:
            problem: a problem of this file: the file's, a record's, or damage.
        """
        self.problem_counts[problem.category] += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_omitted += 1

    def account(self, problem: Problem) -> None:
        """Records a problem and what it did to the file: skipped it, cut it short, or cost one record.

        Args:
            problem: a problem of this file.
        """
        self.note(problem)
        if problem.kind == "file":
            self.read = False
        elif problem.kind == "partial":
            self.partial = True
        else:
            self.records_seen += 1
            self.records_skipped += 1


def skipped_file(problem: Problem) -> FileResult:
    """Returns the result of a file that discovery skipped (a digest file, a missing path...).

    Args:
        problem: why it was skipped.
    """
    result = FileResult(problem.source, read=False)
    result.note(problem)
    return result


@dataclass
class ReplayReport:
    """Totals and per-control statistics of one replay; the renderers read this."""

    controls: tuple[ControlDefinition, ...]
    not_selected: tuple[tuple[str, str], ...] = ()
    """``(control id, reason)`` of each control the run could not evaluate."""
    files_found: int = 0
    files_read: int = 0
    files_skipped: int = 0
    files_partial: int = 0
    records_seen: int = 0
    events: int = 0
    records_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_omitted: int = 0
    problem_counts: Counter[ProblemCategory] = field(default_factory=Counter)
    stats: dict[str, ControlStats] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    first_event_time: str | None = None
    """The earliest eventTime of the events evaluated."""
    last_event_time: str | None = None
    """The latest eventTime of the events evaluated."""

    def add(self, result: FileResult) -> None:
        """Merges one file's result; call in file order for a deterministic report.

        Args:
            result: the next file's result.
        """
        self.files_found += 1
        self.files_read += result.read
        self.files_skipped += not result.read
        self.files_partial += result.partial
        self.records_seen += result.records_seen
        self.events += result.events
        self.records_skipped += result.records_skipped
        room = MAX_LISTED_PROBLEMS - len(self.problems)
        self.problems.extend(result.problems[:room])
        self.problems_omitted += max(0, len(result.problems) - room) + result.problems_omitted
        self.problem_counts.update(result.problem_counts)
        for control_id, stats in result.stats.items():
            self.stats.setdefault(control_id, ControlStats()).merge(stats)
        for when in (result.first_event_time, result.last_event_time):
            if when is not None:
                self.first_event_time, self.last_event_time = widened(self.first_event_time, self.last_event_time, when)

    def stats_for(self, control_id: str) -> ControlStats:
        """Returns the control's statistics (empty when it never matched).

        Args:
            control_id: a selected control's id.
        """
        return self.stats.get(control_id) or ControlStats()

    @property
    def damaged(self) -> bool:
        """Whether anything but a digest file was skipped (what ``--strict`` fails on)."""
        return any(category != DIGEST for category in self.problem_counts)
