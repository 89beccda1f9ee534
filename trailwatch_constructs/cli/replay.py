"""The replay engine: every selected control over every record of an archive, with statistics.

Throughput comes from three choices:

* each control's pattern is compiled once (by the filter-pattern engine) and the hot loop calls
  the bound ``matches`` methods directly, with no per-record allocation;
* statistics cost nothing until a control matches: a :class:`ControlStats` is created, and its
  counters updated, only on a match (1-3 % of a real trail);
* ``--jobs N`` spreads *files* over N worker processes. A worker returns a small
  :class:`FileResult` (counts, problems, per-control counters, match locations) that the parent
  merges in file order, so every output is identical whatever N is.

Memory is bounded by one file's records (or one line of JSON Lines) per process, plus the
distinct principals, event names and source IPs among the matches: never by the archive size.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from trailwatch_constructs.catalog import (
    CONTROL_IDS,
    PRIVILEGED_GROUP_CONTROL_ID,
    ControlDefinition,
    catalog_controls,
)
from trailwatch_constructs.cli.readers import (
    STDIN,
    InputFile,
    Problem,
    RecordBatch,
    describe_non_object,
    discover,
    read_file,
)
from trailwatch_constructs.core.errors import UnknownControlError
from trailwatch_constructs.filter_pattern import FilterPattern
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    Comparison,
    ComparisonOp,
    JsonPattern,
    Key,
    Or,
    Selector,
    StringValue,
)

MAX_LISTED_PROBLEMS: Final = 1000
"""Problems listed one by one in a report; the rest are only counted (by category)."""

NEEDS_GROUPS_REASON: Final = "needs at least one --privileged-group NAME"

Matcher = Callable[[object], bool]


# --- choosing controls ------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The controls a run evaluates, and those it could not (with why)."""

    controls: tuple[ControlDefinition, ...]
    not_selected: tuple[tuple[str, str], ...] = ()
    """``(control id, reason)`` pairs."""


def select_controls(ids: Sequence[str], privileged_groups: Sequence[str]) -> Selection:
    """The catalogue controls named by ``ids`` (all when empty), in catalogue order.

    Raises :class:`UnknownControlError` for an id the catalogue does not know, or for the
    privileged-group control without groups when it was asked for by name. When every control
    is selected implicitly, that control is left out without groups and listed as not selected.
    """
    unknown = [i for i in dict.fromkeys(ids) if i not in CONTROL_IDS]
    if unknown:
        listed = ", ".join(repr(i) for i in unknown)
        noun = "id" if len(unknown) == 1 else "ids"
        raise UnknownControlError(f"unknown control {noun} {listed}; known ids: {', '.join(CONTROL_IDS)}")
    if PRIVILEGED_GROUP_CONTROL_ID in ids and not privileged_groups:
        raise UnknownControlError(f"control {PRIVILEGED_GROUP_CONTROL_ID!r} {NEEDS_GROUPS_REASON}")
    every = catalog_controls(privileged_groups=tuple(privileged_groups))
    if ids:
        wanted = set(ids)
        return Selection(tuple(c for c in every if c.id in wanted))
    if privileged_groups:
        return Selection(every)
    return Selection(every, ((PRIVILEGED_GROUP_CONTROL_ID, NEEDS_GROUPS_REASON),))


# --- statistics -------------------------------------------------------------------------------


def principal_of(record: dict[str, object]) -> str:
    """Who made the call: ``userIdentity.arn``; else ``type:principalId``, ``type:invokedBy``, ``type``.

    Service events and some cross-account calls have no ARN; the fallback keeps them apart
    instead of lumping them under one "unknown".
    """
    identity = record.get("userIdentity")
    if type(identity) is not dict:
        return "(no userIdentity)"
    arn = identity.get("arn")
    if type(arn) is str and arn:
        return arn
    kind = identity.get("type")
    prefix = f"{kind}:" if type(kind) is str and kind else ""
    for key in ("principalId", "invokedBy"):
        value = identity.get(key)
        if type(value) is str and value:
            return prefix + value
    return kind if type(kind) is str and kind else "(unknown)"


def _text(value: object) -> str:
    return value if type(value) is str else "(none)"


@dataclass(slots=True)
class ControlStats:
    """What one control matched: counts, top values and the time span."""

    matches: int = 0
    principals: Counter[str] = field(default_factory=Counter)
    event_names: Counter[str] = field(default_factory=Counter)
    source_ips: Counter[str] = field(default_factory=Counter)
    first_event_time: str | None = None
    last_event_time: str | None = None

    def add(self, record: dict[str, object]) -> None:
        """Count one matching record."""
        self.matches += 1
        self.principals[principal_of(record)] += 1
        self.event_names[_text(record.get("eventName"))] += 1
        self.source_ips[_text(record.get("sourceIPAddress"))] += 1
        when = record.get("eventTime")
        # CloudTrail's eventTime is ISO 8601 UTC ("2024-05-01T12:00:00Z"): string order is time order.
        if type(when) is str:
            if self.first_event_time is None or when < self.first_event_time:
                self.first_event_time = when
            if self.last_event_time is None or when > self.last_event_time:
                self.last_event_time = when

    def merge(self, other: ControlStats) -> None:
        """Add ``other`` (from another file or worker) into this one."""
        self.matches += other.matches
        self.principals.update(other.principals)
        self.event_names.update(other.event_names)
        self.source_ips.update(other.source_ips)
        for when in (other.first_event_time, other.last_event_time):
            if when is None:
                continue
            if self.first_event_time is None or when < self.first_event_time:
                self.first_event_time = when
            if self.last_event_time is None or when > self.last_event_time:
                self.last_event_time = when


def top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """The ``n`` most common values, ties broken by value so that the order is deterministic."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n]


# --- one file ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """Where a control matched: the file, the record index and the record's ``eventID``."""

    control_id: str
    source: str
    index: int
    event_id: object


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
    problem_counts: Counter[str] = field(default_factory=Counter)
    stats: dict[str, ControlStats] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)

    def note(self, problem: Problem) -> None:
        """Record a problem, listing at most :data:`MAX_LISTED_PROBLEMS` of them."""
        self.problem_counts[problem.category] += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_omitted += 1


def skipped_file(problem: Problem) -> FileResult:
    """The result of a file that discovery skipped (a digest file, a missing path...)."""
    result = FileResult(problem.source, read=False)
    result.note(problem)
    return result


# --- which controls can match a record --------------------------------------------------------

_EVENT_NAME = Selector((Key("eventName"),))


def required_event_names(pattern: FilterPattern) -> frozenset[str] | None:
    """The ``eventName`` values without one of which ``pattern`` cannot match; ``None``: any.

    Read off the syntax tree: ``$.eventName = "X"`` requires X; an AND requires what all of
    its constrained operands require; an OR what any operand requires, and nothing when one
    operand is unconstrained. Everything else constrains nothing. This is sound because the
    engine's ``=`` on a string value is plain string equality, false for a missing key or null.
    """
    root = pattern.root
    if not isinstance(root, JsonPattern):
        return None
    return _required(root.condition)


def _required(condition: object) -> frozenset[str] | None:
    if isinstance(condition, Comparison):
        if (
            condition.selector == _EVENT_NAME
            and condition.op is ComparisonOp.EQ
            and isinstance(condition.value, StringValue)
        ):
            return frozenset((condition.value.value,))
        return None
    if isinstance(condition, And):
        known = [names for names in map(_required, condition.operands) if names is not None]
        return frozenset.intersection(*known) if known else None
    if isinstance(condition, Or):
        alternatives = [_required(operand) for operand in condition.operands]
        if any(names is None for names in alternatives):
            return None
        return frozenset().union(*(names for names in alternatives if names is not None))
    return None


Candidates = tuple[tuple[str, Matcher], ...]


class EventNameDispatch:
    """Per ``eventName``, the controls that can match a record with it: a compile-once index.

    Fourteen of the seventeen catalogue patterns only match a few named API calls, and a
    CloudTrail archive is mostly other calls: looking the name up once per record and
    evaluating only the candidates (usually the two or three unconstrained controls) makes
    evaluation several times cheaper than calling every matcher on every record. Candidates
    keep catalogue order, so matches come out in the same order as without the index.
    """

    def __init__(self, controls: Sequence[ControlDefinition]) -> None:
        entries = [(c.id, c.filter_pattern.matches, required_event_names(c.filter_pattern)) for c in controls]
        self.everything: Candidates = tuple((cid, m) for cid, m, _ in entries)
        """For an ``eventName`` that is not a string (a number may equal a quoted name's text)."""
        self.generic: Candidates = tuple((cid, m) for cid, m, names in entries if names is None)
        """For a string name no pattern asks for, and for a missing or null ``eventName``."""
        every_name = sorted(set().union(*(names for _, _, names in entries if names is not None)))
        self.by_name: dict[str, Candidates] = {
            name: tuple((cid, m) for cid, m, names in entries if names is None or name in names) for name in every_name
        }

    def candidates(self, record: dict[str, object]) -> Candidates:
        """The controls worth evaluating on ``record`` (the hot loop inlines this)."""
        name = record.get("eventName")
        if type(name) is str:
            return self.by_name.get(name, self.generic)
        if name is None:
            return self.generic
        return self.everything


class Replayer:
    """Evaluates controls over files; one per process (workers build their own)."""

    def __init__(self, controls: Sequence[ControlDefinition], *, keep_matches: bool) -> None:
        self._dispatch = EventNameDispatch(controls)
        self._keep_matches = keep_matches

    def process(self, item: InputFile | Problem, stdin: BinaryIO | None = None) -> FileResult:
        """Read one file (or account for one that discovery already skipped)."""
        if isinstance(item, Problem):
            return skipped_file(item)
        result = FileResult(item.source)
        by_name = self._dispatch.by_name
        generic = self._dispatch.generic
        everything = self._dispatch.everything
        keep = self._keep_matches
        stats = result.stats
        source = item.source
        for batch in read_file(item, stdin=stdin):
            if type(batch) is not RecordBatch:
                assert isinstance(batch, Problem)
                result.note(batch)
                if batch.kind == "file":
                    result.read = False
                elif batch.kind == "partial":
                    result.partial = True
                else:
                    result.records_seen += 1
                    result.records_skipped += 1
                continue
            records = batch.records
            start = batch.start
            skipped = 0
            for offset, record in enumerate(records):
                if type(record) is not dict:
                    skipped += 1
                    result.note(Problem(source, start + offset, "record", "not-an-object", describe_non_object(record)))
                    continue
                # Only the controls that can match this eventName (see EventNameDispatch).
                name = record.get("eventName")
                if type(name) is str:
                    candidates = by_name.get(name, generic)
                elif name is None:
                    candidates = generic
                else:
                    candidates = everything
                for control_id, matches in candidates:
                    if matches(record):
                        # Only here, on a match, does the loop allocate or count anything.
                        control_stats = stats.get(control_id)
                        if control_stats is None:
                            control_stats = stats[control_id] = ControlStats()
                        control_stats.add(record)
                        if keep:
                            result.matches.append(Match(control_id, source, start + offset, record.get("eventID")))
            result.records_seen += len(records)
            result.records_skipped += skipped
            result.events += len(records) - skipped
        return result


# --- the whole run ----------------------------------------------------------------------------


@dataclass
class ReplayReport:
    """Totals and per-control statistics of one replay; the renderers read this."""

    controls: tuple[ControlDefinition, ...]
    not_selected: tuple[tuple[str, str], ...] = ()
    files_found: int = 0
    files_read: int = 0
    files_skipped: int = 0
    files_partial: int = 0
    records_seen: int = 0
    events: int = 0
    records_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_omitted: int = 0
    problem_counts: Counter[str] = field(default_factory=Counter)
    stats: dict[str, ControlStats] = field(default_factory=dict)
    elapsed_seconds: float = 0.0

    def add(self, result: FileResult) -> None:
        """Merge one file's result; call in file order for a deterministic report."""
        self.files_found += 1
        if result.read:
            self.files_read += 1
        else:
            self.files_skipped += 1
        if result.partial:
            self.files_partial += 1
        self.records_seen += result.records_seen
        self.events += result.events
        self.records_skipped += result.records_skipped
        room = MAX_LISTED_PROBLEMS - len(self.problems)
        self.problems.extend(result.problems[:room])
        self.problems_omitted += max(0, len(result.problems) - room) + result.problems_omitted
        self.problem_counts.update(result.problem_counts)
        for control_id, stats in result.stats.items():
            mine = self.stats.get(control_id)
            if mine is None:
                self.stats[control_id] = mine = ControlStats()
            mine.merge(stats)

    def stats_for(self, control_id: str) -> ControlStats:
        """The control's statistics (empty when it never matched)."""
        return self.stats.get(control_id) or ControlStats()


GC_THRESHOLDS: Final = (100_000, 50, 100)
"""Collect the youngest generation every 100,000 allocations instead of 700.

Decoded records are trees of dicts and lists without reference cycles, freed by reference
counting as soon as a file is done; but each one is a tracked container, and with the default
threshold the cyclic collector walks them again and again while a file is decoded. Measured
on the benchmark archive: about 20 % of the time of decoding, for nothing."""


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Apply :data:`GC_THRESHOLDS` for the duration of a replay, then restore the old ones."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


# Worker-process state: built once per worker by the pool's initializer (with fork the controls
# are inherited, not pickled), so that the dispatch index is not rebuilt for every file.
_WORKER: Replayer | None = None


def _init_worker(controls: tuple[ControlDefinition, ...], keep_matches: bool) -> None:
    global _WORKER
    # Ctrl-C is the parent's to handle: it stops submitting and shuts the pool down, instead of
    # every worker printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(*GC_THRESHOLDS)
    _WORKER = Replayer(controls, keep_matches=keep_matches)


def _work(item: InputFile | Problem) -> FileResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.process(item)


def resolve_jobs(jobs: int) -> int:
    """``0`` means one worker per CPU available to this process."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def replay(
    paths: Sequence[str],
    controls: Sequence[ControlDefinition],
    *,
    jobs: int = 1,
    keep_matches: bool = False,
    stdin: BinaryIO | None = None,
) -> Iterator[FileResult]:
    """Every file's result, in discovery order, evaluated by ``jobs`` processes.

    With ``jobs > 1`` the files are farmed out to a process pool, at most a few per worker in
    flight (so the queue stays small however many files there are), and the results are
    yielded in file order. Standard input is read in this process.
    """
    items = discover(paths)
    if jobs <= 1:
        local = Replayer(controls, keep_matches=keep_matches)
        with tuned_gc():
            for item in items:
                yield local.process(item, stdin)
        return

    local_for_stdin: Replayer | None = None
    # fork: workers start in milliseconds and inherit the imported modules. The pool forks all
    # its workers at the first submit, before it starts any thread, and the progress bar runs
    # without a thread of its own, so no lock can be inherited held.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    window = jobs * 4
    pending: deque[Future[FileResult] | FileResult] = deque()
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(tuple(controls), keep_matches),
    ) as pool:
        for item in items:
            if isinstance(item, InputFile) and item.path == STDIN:
                if local_for_stdin is None:
                    local_for_stdin = Replayer(controls, keep_matches=keep_matches)
                pending.append(local_for_stdin.process(item, stdin))
            elif isinstance(item, Problem):
                pending.append(skipped_file(item))
            else:
                pending.append(pool.submit(_work, item))
            while len(pending) > window or (pending and _done(pending[0])):
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _done(entry: Future[FileResult] | FileResult) -> bool:
    return not isinstance(entry, Future) or entry.done()


def _result(entry: Future[FileResult] | FileResult) -> FileResult:
    return entry.result() if isinstance(entry, Future) else entry


# --- evaluating one pattern (``trailwatch test``) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One record evaluated against one pattern."""

    source: str
    index: int
    matched: bool
    record: dict[str, object]


def evaluate(
    paths: Sequence[str], matches: Matcher, *, stdin: BinaryIO | None = None
) -> Iterator[Evaluation | Problem]:
    """Every record under ``paths`` evaluated by ``matches``, in input order, or why it was not."""
    for item in discover(paths):
        if isinstance(item, Problem):
            yield item
            continue
        for batch in read_file(item, stdin=stdin):
            if type(batch) is not RecordBatch:
                assert isinstance(batch, Problem)
                yield batch
                continue
            for offset, record in enumerate(batch.records, batch.start):
                if type(record) is dict:
                    yield Evaluation(item.source, offset, matches(record), record)
                else:
                    yield Problem(item.source, offset, "record", "not-an-object", describe_non_object(record))
