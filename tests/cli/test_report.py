"""The replay report as JSON and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from trailwatch_constructs.catalog import STATIC_CONTROLS
from trailwatch_constructs.cli.evaluation import Evaluation, EvaluationTally
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.report import (
    LISTED_IN_TABLE,
    category_counts,
    evaluation_line,
    evaluation_summary,
    listed_problems,
    report_json,
    report_markdown,
    report_to_json,
    skipped_line,
    summary_lines,
)
from trailwatch_constructs.cli.report_model import ReplayReport
from trailwatch_constructs.cli.statistics import ControlStats

from .helpers import (
    ALICE,
    ROOT,
    denied,
    encode,
    root_login,
    run_json,
    write,
)


def test_json_report_has_totals_and_every_selected_control(runner: CliRunner, archive: Path) -> None:
    # GIVEN a small archive
    # WHEN it is replayed as JSON
    _, report = run_json(runner, ["replay", str(archive)])
    # THEN the totals are there and every static control has an entry, in catalogue order
    assert {k: report[k] for k in ("files_found", "files", "files_skipped", "records_seen", "events")} == {
        "files_found": 2,
        "files": 2,
        "files_skipped": 0,
        "records_seen": 7,
        "events": 7,
    }
    assert list(report["controls"]) == [c.id for c in STATIC_CONTROLS]
    assert report["controls"]["vpc-changes"] == {
        "title": "VPC changes",
        "severity": "MEDIUM",
        "matches": 0,
        "principals": 0,
        "top_principals": [],
        "top_event_names": [],
        "top_source_ips": [],
        "first_event_time": None,
        "last_event_time": None,
        "notifications": 0,
    }


def test_markdown_report_has_a_table_row_per_control(runner: CliRunner, archive: Path) -> None:
    # GIVEN the archive
    # WHEN replayed as Markdown
    result = runner.invoke(cli, ["replay", str(archive), "--format", "markdown"])
    # THEN it is a Markdown document with one row per control and the top principals as code
    lines = result.stdout.splitlines()
    assert lines[0] == "# trailwatch replay report"
    row = next(line for line in lines if line.startswith("| `unauthorized-api-calls` |"))
    assert row.startswith("| `unauthorized-api-calls` | LOW | 5 | 3 | ")
    assert f"`{ALICE}` (3)" in row
    assert sum(1 for line in lines if line.startswith("| `")) == len(STATIC_CONTROLS)


def test_markdown_report_lists_skipped_input(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a file with a record that is not an object
    path = write(tmp_path / "x.json", encode("array", [1]))
    # WHEN replayed as Markdown
    result = runner.invoke(cli, ["replay", str(path), "--format", "markdown"])
    # THEN the skip is in a table with its index and reason
    assert f"| `{path}` | 0 | record is a number, not a JSON object |" in result.stdout.splitlines()


# --- the report's parts, on a report built by hand --------------------------------------------------


def small_report(*, problems: int = 0, digests: int = 0, elapsed: float = 0.0) -> ReplayReport:
    """Two controls, one of which matched twice; ``problems`` skipped records and ``digests`` digest files."""
    controls = tuple(c for c in STATIC_CONTROLS if c.id in ("root-account-usage", "unauthorized-api-calls"))
    report = ReplayReport(controls, (("privileged-group-membership-changes", "needs a group"),))
    stats = ControlStats()
    stats.add(denied(0))
    stats.add(denied(1, arn="arn:aws:iam::1:user/b|c", ip="10.0.0.1"))
    report.stats["unauthorized-api-calls"] = stats
    report.files_found, report.files_read, report.files_skipped, report.files_partial = 4, 3, 1, 1
    report.records_seen, report.events, report.records_skipped = 1234, 1200, 34
    report.problems = [Problem("d", None, "file", "digest", "digest") for _ in range(digests)]
    report.problems += [Problem("a|b.json", n, "record", "not-an-object", "record is 7") for n in range(problems)]
    report.problem_counts = Counter({"digest": digests, "not-an-object": problems}) - Counter()
    report.elapsed_seconds = elapsed
    return report


def test_summary_lines_state_the_totals_and_the_rate() -> None:
    assert summary_lines(small_report(elapsed=2.0)) == [
        "Files: 4 found, 3 read (1 only in part), 1 skipped",
        "Records: 1,234 seen, 1,200 evaluated, 34 skipped in 2.0 s (600 events/s)",
    ]
    assert summary_lines(small_report())[1] == "Records: 1,234 seen, 1,200 evaluated, 34 skipped"


def test_json_lists_top_values_and_categories_in_order() -> None:
    data = report_to_json(small_report(problems=2, digests=1), top_n=1)
    assert data["skipped_by_category"] == {"digest": 1, "not-an-object": 2}
    assert data["not_selected"] == [{"id": "privileged-group-membership-changes", "reason": "needs a group"}]
    entry = data["controls"]["unauthorized-api-calls"]  # type: ignore[index]
    assert entry["top_principals"] == [{"value": ALICE, "count": 1}]
    assert entry["principals"] == 2
    assert report_json(small_report(), top_n=1).endswith(b"}\n")


def test_markdown_escapes_cells_and_lists_at_most_twenty_skipped_entries() -> None:
    # GIVEN a report with a principal holding a pipe, one digest file and 23 skipped records
    text = report_markdown(small_report(problems=23, digests=1), top_n=5)
    lines = text.splitlines()
    # THEN cells are escaped, the left-out control is named, digests are counted but not listed,
    #      and the list stops at 20 with the number left out
    assert "`arn:aws:iam::1:user/b\\|c` (1)" in text
    assert "- Not evaluated: `privileged-group-membership-changes`: needs a group" in lines
    assert "| digest | 1 |" in lines and "| not-an-object | 23 |" in lines
    assert sum(1 for line in lines if line.startswith("| `a\\|b.json` |")) == LISTED_IN_TABLE == 20
    assert "| `a\\|b.json` | 0 | record is 7 |" in lines
    assert lines[-1] == "... and 3 more."
    assert "| `root-account-usage` | CRITICAL | 0 | 0 | 0 | - | - | - | - | - |" in lines


def test_markdown_of_a_clean_run_has_no_skipped_section() -> None:
    text = report_markdown(small_report(), top_n=5)
    assert "Skipped" not in text and text.endswith("|\n")


def test_markdown_lists_no_file_table_for_digest_files_alone() -> None:
    text = report_markdown(small_report(digests=2), top_n=5)
    assert "| digest | 2 |" in text and "| File | Record | Reason |" not in text and "more." not in text


def test_listed_problems_leave_digest_files_out() -> None:
    report = small_report(problems=1, digests=2)
    assert [p.category for p in listed_problems(report)] == ["not-an-object"]
    assert category_counts(report) == [("digest", 2), ("not-an-object", 1)]


def test_a_test_line_per_format() -> None:
    # GIVEN a matching evaluation and one of a record without eventName
    hit = Evaluation("a.json", 3, True, root_login(0))
    miss = Evaluation("b.json", 0, False, {"eventName": 5})
    # WHEN rendered THEN jsonl is {source, index, matched}; the table names the call and its principal
    assert evaluation_line(hit, "jsonl") == b'{"source":"a.json","index":3,"matched":true}\n'
    assert evaluation_line(hit, "table") == f"MATCH  a.json #3  ConsoleLogin  {ROOT}\n".encode()
    assert evaluation_line(miss, "table") == b"-      b.json #0  (no eventName)  (no userIdentity)\n"


def test_the_test_summary_counts_what_was_skipped() -> None:
    tally = EvaluationTally(evaluated=1_000, matched=2)
    assert evaluation_summary(tally, "the pattern") == "2 of 1,000 events matched the pattern"
    tally.records_skipped = 1
    assert evaluation_summary(tally, "x").endswith("; 1 records and 0 files skipped (see stderr)")
    tally = EvaluationTally(files_skipped={"a", "b"})
    assert evaluation_summary(tally, "x") == "0 of 0 events matched x; 0 records and 2 files skipped (see stderr)"


def test_a_skipped_line_names_the_place_and_the_reason() -> None:
    problem = Problem("a.json", 4, "record", "not-an-object", "record is a number, not a JSON object")
    assert skipped_line(problem) == "trailwatch: skipped a.json record 4: record is a number, not a JSON object"


def test_top_n_limits_every_top_list_in_every_format(runner: CliRunner, archive: Path) -> None:
    # GIVEN an archive with several principals, event names and source IPs among the matches
    # WHEN replayed with --top 1 in each format
    _, data = run_json(runner, ["replay", str(archive), "--top", "1"])
    markdown = runner.invoke(cli, ["replay", str(archive), "--top", "1", "--format", "markdown"]).stdout
    table = runner.invoke(cli, ["replay", str(archive), "--top", "1"]).stdout
    # THEN each list has one value
    stats = data["controls"]["unauthorized-api-calls"]
    assert [len(stats[key]) for key in ("top_principals", "top_event_names", "top_source_ips")] == [1, 1, 1]
    row = next(line for line in markdown.splitlines() if line.startswith("| `unauthorized-api-calls` |"))
    assert "<br>" not in row
    assert f"        3  {ALICE}" in table and "AWSService:ec2.amazonaws.com" not in table


def test_json_and_markdown_outputs_end_with_one_newline(runner: CliRunner, archive: Path) -> None:
    for fmt in ("json", "markdown"):
        out = runner.invoke(cli, ["replay", str(archive), "--format", fmt]).stdout
        assert out.endswith("\n") and not out.endswith("\n\n")
    assert runner.invoke(cli, ["replay", str(archive), "--format", "json"]).stdout.startswith('{\n  "files_found"')
    compliance = runner.invoke(cli, ["compliance"]).stdout
    assert compliance.endswith("\n") and not compliance.endswith("\n\n")
    assert runner.invoke(cli, ["compliance", "--format", "json"]).stdout.startswith('{\n  "')


def test_controls_json_is_indented_and_names_each_metric(runner: CliRunner) -> None:
    out = runner.invoke(cli, ["controls", "--format", "json"]).stdout
    assert out.startswith('[\n  {\n    "id": "root-account-usage"')
    assert json.loads(out)[0]["metric_name"] == STATIC_CONTROLS[0].metric_name


def test_a_rate_is_shown_for_any_time_taken() -> None:
    assert summary_lines(small_report(elapsed=0.5))[1].endswith(" in 0.5 s (2,400 events/s)")


def test_markdown_cells_keep_backslashes_and_lines() -> None:
    report = small_report()
    report.stats["unauthorized-api-calls"].principals["a\\b\nc"] += 5
    text = report_markdown(report, top_n=1)
    assert "`a\\\\b c` (5)" in text


def test_markdown_skipped_entries_of_files_and_what_is_left_out() -> None:
    # GIVEN 21 skipped records, one skipped file, 4 more entries not listed
    report = small_report(problems=21)
    report.problems.insert(0, Problem("gone.json", None, "file", "missing", "no such file or directory"))
    report.problem_counts["missing"] = 1
    report.problems_omitted = 4
    lines = report_markdown(report, top_n=5).splitlines()
    # THEN the section is there, a file's entry has no record index, and 2 + 4 are counted as left out
    assert "## Skipped or damaged" in lines and "| missing | 1 |" in lines
    assert "| `gone.json` | - | no such file or directory |" in lines
    assert lines[-1] == "... and 6 more."


def test_markdown_counts_a_single_entry_left_out() -> None:
    assert report_markdown(small_report(problems=21), top_n=5).splitlines()[-1] == "... and 1 more."
