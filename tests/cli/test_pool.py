"""--jobs: worker processes give the same report and matches; standard input is read by the parent."""

from __future__ import annotations

import concurrent.futures
import gc
import gzip
import io
import json
import os
import signal
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import catalog_controls
from trailwatch_constructs.cli import pool
from trailwatch_constructs.cli.gc_tuning import GC_THRESHOLDS
from trailwatch_constructs.cli.inputs import InputFile
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.pool import IN_FLIGHT_PER_WORKER, replay, resolve_jobs

from .helpers import (
    big_archive,
    denied,
    encode,
    run_json,
    write,
)


def test_jobs_2_gives_the_same_report_and_matches_as_jobs_1(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN an archive of many files, some of them bad
    root = big_archive(tmp_path / "big")
    out1, out2 = tmp_path / "m1.jsonl", tmp_path / "m2.jsonl"
    # WHEN it is replayed with one process and with two
    one = runner.invoke(cli, ["replay", str(root), "--format", "json", "--matches-out", str(out1)])
    two = runner.invoke(cli, ["replay", str(root), "--format", "json", "--matches-out", str(out2), "--jobs", "2"])
    # THEN the reports and the match files are byte for byte the same
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert out1.read_bytes() == out2.read_bytes()
    assert json.loads(one.stdout)["controls"]["unauthorized-api-calls"]["matches"] > 12


def test_replay_reads_stdin_for_dash(runner: CliRunner) -> None:
    # GIVEN a CloudTrail file on standard input
    data = gzip.compress(encode("cloudtrail", [denied(0)]))
    # WHEN '-' is replayed, with two jobs (stdin is read by the parent process)
    _, report = run_json(runner, ["replay", "-", "--jobs", "2"], input=data)
    # THEN its record is evaluated
    assert report["events"] == 1


def test_jobs_0_is_one_worker_per_cpu_available(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a process allowed on three CPUs
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    # WHEN --jobs is resolved THEN 0 is three, and any other number is itself
    assert resolve_jobs(0) == 3
    assert (resolve_jobs(1), resolve_jobs(4)) == (1, 4)


def test_jobs_0_without_cpu_affinity_counts_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a system without sched_getaffinity (not Linux) and 6 CPUs, or an unknown number
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert resolve_jobs(0) == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert resolve_jobs(0) == 1


def test_results_come_in_discovery_order_whatever_the_jobs(tmp_path: Path) -> None:
    # GIVEN an archive of many files, a missing path and standard input among them
    root = big_archive(tmp_path / "big")
    paths = [str(root), str(tmp_path / "missing"), "-"]
    controls = catalog_controls()
    # WHEN replayed in this process and with three workers
    one = list(replay(paths, controls, jobs=1, keep_matches=True, stdin=io.BytesIO(encode("object", [denied(0)]))))
    three = list(replay(paths, controls, jobs=3, keep_matches=True, stdin=io.BytesIO(encode("object", [denied(0)]))))
    # THEN the results are the same, file for file
    assert [r.source for r in one] == [r.source for r in three]
    assert one == three
    assert one[-1].source == "<stdin>" and one[-1].events == 1
    assert one[-2].read is False


# --- the pool's wiring, with an executor that runs nothing in other processes ---------------------


class FakeExecutor:
    """Records how the pool was made; each task runs when its result is asked for, in this process."""

    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        FakeExecutor.made.append(kwargs)
        self.submitted: list[InputFile] = []
        kwargs["initializer"](*kwargs["initargs"])

    def __enter__(self) -> FakeExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn: Any, item: InputFile) -> Future[Any]:
        self.submitted.append(item)
        future: Future[Any] = Future()
        future.set_result(fn(item)) if len(self.submitted) % 3 == 0 else None
        LATE.append((future, fn, item))
        return future


LATE: list[tuple[Future[Any], Any, InputFile]] = []


@pytest.fixture
def fake_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeExecutor]]:
    FakeExecutor.made = []
    LATE.clear()
    old_handler, old_thresholds = signal.getsignal(signal.SIGINT), gc.get_threshold()
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", FakeExecutor)
    real_result = Future.result

    def result(self: Future[Any], timeout: float | None = None) -> Any:
        if not self.done():
            (fn, item) = next((fn, item) for future, fn, item in LATE if future is self)
            self.set_result(fn(item))
        return real_result(self, timeout)

    monkeypatch.setattr(Future, "result", result)
    yield FakeExecutor
    signal.signal(signal.SIGINT, old_handler)
    gc.set_threshold(*old_thresholds)


def log_files(root: Path, count: int) -> list[str]:
    return [str(write(root / f"{n:02d}.json", encode("object", [denied(n)]))) for n in range(count)]


def test_the_pool_forks_jobs_workers_that_build_their_replayer(fake_pool: type[FakeExecutor], tmp_path: Path) -> None:
    # GIVEN files to replay with two jobs
    files = log_files(tmp_path, 3)
    # WHEN the run goes
    results = list(replay(files, catalog_controls(), jobs=2, keep_matches=True, keep_span=True))
    # THEN one pool of two forked workers was made, each set up to ignore Ctrl-C with the tuned collector
    (made,) = fake_pool.made
    assert made["max_workers"] == 2
    assert made["mp_context"].get_start_method() == "fork"
    assert made["initargs"] == (catalog_controls(), True, True, None)
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    assert gc.get_threshold() == GC_THRESHOLDS
    # AND every file's result came back, in order, with its matches
    assert [r.source for r in results] == files
    assert [len(r.matches) for r in results] == [1, 1, 1]
    assert all(r.first_event_time is not None for r in results)


def test_at_most_four_files_per_worker_are_in_flight(fake_pool: type[FakeExecutor], tmp_path: Path) -> None:
    # GIVEN 20 files and two jobs
    files = log_files(tmp_path, 20)
    results = replay(files, catalog_controls(), jobs=2)
    # WHEN the first result is taken
    first = next(results)
    # THEN it came once nine files were submitted (eight in flight, and the one that overflowed), in order
    assert len(fake_pool.made) == 1
    assert first.source == files[0]
    assert len(LATE) == 2 * IN_FLIGHT_PER_WORKER + 1
    assert [r.source for r in results] == files[1:]


def test_a_finished_file_is_yielded_without_waiting_for_the_window(
    fake_pool: type[FakeExecutor], tmp_path: Path
) -> None:
    # GIVEN files whose every third one is done as soon as it is submitted, and a missing path first
    files = [str(tmp_path / "missing"), *log_files(tmp_path, 3)]
    results = replay(files, catalog_controls(), jobs=4)
    # WHEN results are taken THEN the skipped path comes at once, then the files in order
    assert next(results).read is False
    assert len(LATE) <= 1
    assert [r.source for r in results] == files[1:]


def test_one_job_runs_here_with_the_tuned_collector_and_no_matches_kept(tmp_path: Path) -> None:
    # GIVEN a file and the default options
    files = log_files(tmp_path, 1)
    old = gc.get_threshold()
    # WHEN replayed THEN it runs in this process with the collector tuned, and lists no matches
    for result in replay(files, catalog_controls()):
        assert gc.get_threshold() == GC_THRESHOLDS
        assert (result.matches, result.stats["unauthorized-api-calls"].matches) == ([], 1)
    assert gc.get_threshold() == old


def test_two_jobs_leave_this_process_s_collector_alone(fake_pool: type[FakeExecutor], tmp_path: Path) -> None:
    gc.set_threshold(700, 10, 10)
    results = replay(log_files(tmp_path, 1), catalog_controls(), jobs=2)
    assert gc.get_threshold() == (700, 10, 10)
    next(results)
    assert fake_pool.made


def test_one_cpu_is_one_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert resolve_jobs(0) == 1


def test_a_worker_before_its_set_up_refuses_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_WORKER", None)
    with pytest.raises(AssertionError):
        pool._work(InputFile("x", "x"))
