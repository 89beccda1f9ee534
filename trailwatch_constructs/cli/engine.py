"""The replay engine: every selected control over every record of one file, with statistics.

Statistics cost nothing until a control matches: a :class:`~.statistics.ControlStats` is
created, and its counters updated, only on a match (1-3 % of a real trail). Memory is bounded
by one file's records (or one line of JSON Lines), plus the distinct principals, event names
and source IPs among the matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.cli.dispatch import EventNameDispatch
from trailwatch_constructs.cli.inputs import InputFile
from trailwatch_constructs.cli.problems import Problem, not_an_object
from trailwatch_constructs.cli.readers import Opener, RecordBatch, read_file
from trailwatch_constructs.cli.report_model import FileResult, Match, skipped_file
from trailwatch_constructs.cli.statistics import ControlStats


class Replayer:
    """Evaluates controls over files; one per process (workers build their own)."""

    def __init__(
        self,
        controls: Sequence[ControlDefinition],
        *,
        keep_matches: bool,
        keep_span: bool = False,
        opener: Opener | None = None,
    ) -> None:
        """Builds the dispatch index once, for every file this process reads.

        Args:
            controls: the controls to evaluate, in catalogue order.
            keep_matches: whether results list every match (for ``--matches-out``).
            keep_span: whether results carry the events' time span (for ``--html``): reading every
                record's eventTime costs a few percent of a replay, so only a report that shows it pays.
            opener: opens a file's path (an ``s3://`` object's too) for reading. Default: local files.
        """
        self._dispatch = EventNameDispatch(controls)
        self._keep_matches = keep_matches
        self._keep_span = keep_span
        self._opener = opener

    def process(self, item: InputFile | Problem, stdin: BinaryIO | None = None) -> FileResult:
        """Reads one file, or accounts for one that discovery already skipped.

        Args:
            item: a file to read, or why discovery skipped one.
            stdin: standard input's binary stream, read when ``item`` is ``-``.

        Returns:
            What the file contributes to the report.
        """
        if isinstance(item, Problem):
            return skipped_file(item)
        result = FileResult(item.source)
        for batch in read_file(item, stdin=stdin, opener=self._opener):
            if type(batch) is RecordBatch:
                self._evaluate(batch, result)
            else:
                assert isinstance(batch, Problem)
                result.account(batch)
        return result

    @staticmethod
    def _note_span(records: list[object], result: FileResult) -> None:
        times = [t for r in records if type(r) is dict and type(t := r.get("eventTime")) is str]
        if times:
            result.include_time(min(times))
            result.include_time(max(times))

    def _evaluate(self, batch: RecordBatch, result: FileResult) -> None:
        records, start = batch.records, batch.start
        found = self._dispatch.evaluate(records)
        for offset in found.not_objects:
            result.note(not_an_object(result.source, start + offset, records[offset]))
        result.records_seen += len(records)
        result.records_skipped += len(found.not_objects)
        result.events += len(records) - len(found.not_objects)
        if self._keep_span:
            self._note_span(records, result)
        for offset, control_id in found.matches:
            record = records[offset]
            assert type(record) is dict
            stats = result.stats.get(control_id)
            if stats is None:
                stats = result.stats[control_id] = ControlStats()
            stats.add(record)
            if self._keep_matches:
                result.matches.append(Match(control_id, result.source, start + offset, record.get("eventID")))
