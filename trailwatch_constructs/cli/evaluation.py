"""One pattern over every record, in input order: what ``trailwatch test`` prints."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from trailwatch_constructs.cli.inputs import discover
from trailwatch_constructs.cli.problems import DIGEST, Problem, not_an_object
from trailwatch_constructs.cli.readers import RecordBatch, read_file


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One record evaluated against one pattern."""

    source: str
    index: int
    matched: bool
    record: dict[str, object]


def evaluate(
    paths: Sequence[str], matches: Callable[[object], bool], *, stdin: BinaryIO | None = None
) -> Iterator[Evaluation | Problem]:
    """Yields every record under ``paths`` evaluated by ``matches``, in input order, or why it was not.

    Args:
        paths: files, directories or ``-``.
        matches: a filter pattern's matcher.
        stdin: standard input's binary stream, read for ``-``.
    """
    for item in discover(paths):
        if isinstance(item, Problem):
            yield item
            continue
        for batch in read_file(item, stdin=stdin):
            if type(batch) is RecordBatch:
                yield from _batch(item.source, batch, matches)
            else:
                assert isinstance(batch, Problem)
                yield batch


def _batch(source: str, batch: RecordBatch, matches: Callable[[object], bool]) -> Iterator[Evaluation | Problem]:
    for index, record in enumerate(batch.records, batch.start):
        if type(record) is dict:
            yield Evaluation(source, index, matches(record), record)
        else:
            yield not_an_object(source, index, record)


@dataclass(slots=True)
class EvaluationTally:
    """The counts of a ``trailwatch test`` run."""

    evaluated: int = 0
    matched: int = 0
    records_skipped: int = 0
    files_skipped: set[str] = field(default_factory=set)
    damaged: bool = False
    """Whether anything but a digest file was skipped (what ``--strict`` fails on)."""

    def add(self, item: Evaluation | Problem) -> None:
        """Counts one evaluated record, or one problem.

        Args:
            item: what :func:`evaluate` yielded.
        """
        if isinstance(item, Evaluation):
            self.evaluated += 1
            self.matched += item.matched
            return
        self.damaged = self.damaged or item.category != DIGEST
        if item.kind == "record":
            self.records_skipped += 1
        elif item.kind == "file":
            self.files_skipped.add(item.source)
