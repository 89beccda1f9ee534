"""A replay run over many files: in this process, or spread over worker processes (``--jobs N``).

Workers get *files* (S3 objects included, each process opening them with a client of its own): each
returns a small :class:`~.report_model.FileResult` (counts, problems, per-control counters, match
locations) that the parent yields in file order, so every output is identical whatever N is.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import BinaryIO, Final

from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.cli.engine import Replayer
from trailwatch_constructs.cli.gc_tuning import tune_gc_for_good, tuned_gc
from trailwatch_constructs.cli.inputs import STDIN, InputFile, RemoteArchive, discover, is_s3, s3_reader
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.readers import local_opener
from trailwatch_constructs.cli.report_model import FileResult, skipped_file

IN_FLIGHT_PER_WORKER: Final = 4
"""Files submitted ahead per worker: enough to keep it busy, few enough that the queue stays small."""

# Worker-process state: built once per worker by the pool's initializer (with fork the controls
# are inherited, not pickled), so that the dispatch index is not rebuilt for every file.
_WORKER: Replayer | None = None


def _init_worker(
    controls: tuple[ControlDefinition, ...], keep_matches: bool, keep_span: bool, remote: RemoteArchive | None
) -> None:
    global _WORKER
    # Ctrl-C is the parent's to handle: it stops submitting and shuts the pool down, instead of
    # every worker printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_gc_for_good()
    _WORKER = _replayer(controls, keep_matches, keep_span, remote)


def _work(item: InputFile) -> FileResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.process(item)


def _replayer(
    controls: Sequence[ControlDefinition], keep_matches: bool, keep_span: bool, remote: RemoteArchive | None
) -> Replayer:
    """A replayer that opens local files, and ``s3://`` objects through ``remote``."""
    if remote is None:
        return Replayer(controls, keep_matches=keep_matches, keep_span=keep_span)
    local = local_opener()

    def open_path(path: str) -> BinaryIO:
        return remote.open(path) if is_s3(path) else local(path)

    return Replayer(controls, keep_matches=keep_matches, keep_span=keep_span, opener=open_path)


def resolve_jobs(jobs: int) -> int:
    """Returns how many processes ``--jobs`` asks for.

    Args:
        jobs: the option's value; ``0`` means one per CPU available to this process.
    """
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
    keep_span: bool = False,
    stdin: BinaryIO | None = None,
) -> Iterator[FileResult]:
    """Yields every file's result, in discovery order, evaluated by ``jobs`` processes.

    With ``jobs > 1`` the files are farmed out to a process pool, at most
    :data:`IN_FLIGHT_PER_WORKER` per worker in flight, and the results are yielded in file
    order. Standard input is read in this process. ``s3://`` paths are listed, and their objects
    opened, through the archive of :func:`~.inputs.reading_s3`.

    Args:
        paths: files, directories, ``s3://`` addresses or ``-``.
        controls: the controls to evaluate, in catalogue order.
        jobs: how many processes read files.
        keep_matches: whether results list every match.
        keep_span: whether results carry the events' time span.
        stdin: standard input's binary stream.
    """
    remote = s3_reader()
    local = _replayer(controls, keep_matches, keep_span, remote)
    if jobs <= 1:
        with tuned_gc():
            for item in discover(paths):
                yield local.process(item, stdin)
    else:
        yield from _in_pool(paths, controls, jobs, (keep_matches, keep_span), local, stdin, remote)


def _in_pool(
    paths: Sequence[str],
    controls: Sequence[ControlDefinition],
    jobs: int,
    keep: tuple[bool, bool],
    local: Replayer,
    stdin: BinaryIO | None,
    remote: RemoteArchive | None,
) -> Iterator[FileResult]:
    # fork: workers start in milliseconds and inherit the imported modules. The pool forks all
    # its workers at the first submit, before it starts any thread, and the progress bar runs
    # without a thread of its own, so no lock can be inherited held.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    # The pool's module takes ~20 ms to import: only a run with workers pays it.
    workers = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(tuple(controls), *keep, remote)
    )
    pending: deque[Future[FileResult] | FileResult] = deque()
    with workers as pool:
        for item in discover(paths):
            if isinstance(item, Problem):
                pending.append(skipped_file(item))
            elif item.path == STDIN:
                pending.append(local.process(item, stdin))
            else:
                pending.append(pool.submit(_work, item))
            while len(pending) > jobs * IN_FLIGHT_PER_WORKER or (pending and _done(pending[0])):
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _done(entry: Future[FileResult] | FileResult) -> bool:
    return not isinstance(entry, Future) or entry.done()


def _result(entry: Future[FileResult] | FileResult) -> FileResult:
    return entry.result() if isinstance(entry, Future) else entry
