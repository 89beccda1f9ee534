"""What a replay found: one file's result, and the run's totals merged from the files' results."""

from __future__ import annotations

from collections import Counter

from trailwatch_constructs.catalog import STATIC_CONTROLS
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.report_model import MAX_LISTED_PROBLEMS, FileResult, Match, ReplayReport, skipped_file
from trailwatch_constructs.cli.statistics import ControlStats


def record_problem(n: int, category: str = "not-an-object") -> Problem:
    return Problem("f", n, "record", category, "record is a number, not a JSON object")  # type: ignore[arg-type]


def test_a_file_lists_problems_up_to_the_limit_and_counts_the_rest() -> None:
    # GIVEN a file result
    result = FileResult("f")
    # WHEN more problems than the limit are noted
    for n in range(MAX_LISTED_PROBLEMS + 3):
        result.note(record_problem(n))
    # THEN the first ones are listed, the rest only counted, and all are counted by category
    assert len(result.problems) == MAX_LISTED_PROBLEMS
    assert result.problems[-1].index == MAX_LISTED_PROBLEMS - 1
    assert result.problems_omitted == 3
    assert result.problem_counts == Counter({"not-an-object": MAX_LISTED_PROBLEMS + 3})


def test_account_says_what_each_kind_of_problem_did_to_the_file() -> None:
    # GIVEN three files' results
    skipped, partial, record = FileResult("a"), FileResult("b"), FileResult("c")
    # WHEN each accounts for one kind of problem
    skipped.account(Problem("a", None, "file", "empty", "empty file: no JSON in it"))
    partial.account(Problem("b", None, "partial", "truncated-gzip", "cut"))
    record.account(record_problem(0, "invalid-json"))
    # THEN a file problem skips the file, damage makes it partial, a record problem costs one record
    assert (skipped.read, skipped.partial, skipped.records_seen, skipped.records_skipped) == (False, False, 0, 0)
    assert (partial.read, partial.partial, partial.records_seen, partial.records_skipped) == (True, True, 0, 0)
    assert (record.read, record.partial, record.records_seen, record.records_skipped) == (True, False, 1, 1)
    assert all(len(r.problems) == 1 for r in (skipped, partial, record))


def test_a_file_skipped_by_discovery_is_not_read() -> None:
    # GIVEN a digest file's problem WHEN its result is made THEN the file was not read, and the problem is noted
    problem = Problem("d", None, "file", "digest", "CloudTrail digest file (an integrity manifest, not events)")
    result = skipped_file(problem)
    assert (result.source, result.read, result.problems, result.problem_counts) == (
        "d",
        False,
        [problem],
        Counter({"digest": 1}),
    )


def test_a_match_s_json_line() -> None:
    assert Match("c", "f", 3, "id").to_json() == {"control": "c", "file": "f", "index": 3, "eventID": "id"}


def file_result(source: str, *, read: bool = True, partial: bool = False) -> FileResult:
    result = FileResult(source, read=read, partial=partial, records_seen=5, events=4, records_skipped=1)
    result.note(record_problem(2))
    stats = ControlStats()
    stats.add({"eventName": "A", "eventTime": "2024-05-01T00:00:00Z"})
    result.stats["root-account-usage"] = stats
    return result


def test_the_report_adds_up_every_file() -> None:
    # GIVEN a report and three files: read, partial and skipped
    report = ReplayReport(STATIC_CONTROLS)
    # WHEN their results are added
    for result in (file_result("a"), file_result("b", partial=True), file_result("c", read=False)):
        report.add(result)
    # THEN every total is the sum, and the statistics are merged
    assert (report.files_found, report.files_read, report.files_skipped, report.files_partial) == (3, 2, 1, 1)
    assert (report.records_seen, report.events, report.records_skipped) == (15, 12, 3)
    assert [p.source for p in report.problems] == ["f", "f", "f"]
    assert report.problem_counts == Counter({"not-an-object": 3})
    assert report.stats_for("root-account-usage").matches == 3
    assert report.stats_for("vpc-changes") == ControlStats()


def test_the_report_lists_problems_up_to_the_limit_across_files() -> None:
    # GIVEN a report already listing all but two problems, and a file with five more, two of them omitted there
    report = ReplayReport(STATIC_CONTROLS)
    report.problems = [record_problem(n) for n in range(MAX_LISTED_PROBLEMS - 2)]
    result = FileResult("f")
    for n in range(5):
        result.note(record_problem(n))
    result.problems_omitted = 2
    # WHEN the file is added
    report.add(result)
    # THEN two more are listed and the other five (three here, two in the file) are counted as omitted
    assert len(report.problems) == MAX_LISTED_PROBLEMS
    assert report.problems_omitted == 5
    # AND a further file's problems are all counted as omitted, on top
    report.add(result)
    assert report.problems_omitted == 12


def test_the_report_is_damaged_by_anything_but_digest_files() -> None:
    # GIVEN reports that met only digest files, and digest files and a bad record
    digests, damaged = ReplayReport(()), ReplayReport(())
    digests.problem_counts = Counter({"digest": 3})
    damaged.problem_counts = Counter({"digest": 3, "invalid-json": 1})
    # WHEN asked THEN only the second is damaged
    assert (digests.damaged, damaged.damaged, ReplayReport(()).damaged) == (False, True, False)
