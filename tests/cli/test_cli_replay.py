"""``trailwatch replay``: per-control statistics, report formats, --matches-out and --jobs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import PRIVILEGED_GROUP_CONTROL_ID, STATIC_CONTROLS
from trailwatch_constructs.cli.main import cli

from .conftest import (
    ALICE,
    ROOT,
    add_to_admins,
    denied,
    encode,
    quiet_record,
    root_login,
    run_json,
    service_denied,
    stop_logging,
    write,
)

BOB = "arn:aws:iam::111122223333:user/bob"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two files: 3 denied calls by alice, 1 by bob, 1 by an AWS service, a root sign-in, a quiet call."""
    root = tmp_path / "archive"
    write(root / "a.json.gz", encode("cloudtrail", [denied(5), root_login(1), denied(9, ip="203.0.113.5")]), gz=True)
    write(root / "b.jsonl", encode("jsonl", [quiet_record(0), denied(2), denied(3, arn=BOB), service_denied(4)]))
    return root


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
    }


def test_control_stats_count_matches_principals_names_ips_and_time_span(runner: CliRunner, archive: Path) -> None:
    # GIVEN 5 denied calls: alice x3, bob, and an AWS service without an ARN
    # WHEN the archive is replayed
    _, report = run_json(runner, ["replay", str(archive)])
    stats = report["controls"]["unauthorized-api-calls"]
    # THEN the principals are counted by ARN, falling back to type:invokedBy, most common first
    assert stats["matches"] == 5
    assert stats["principals"] == 3
    assert stats["top_principals"] == [
        {"value": ALICE, "count": 3},
        {"value": "AWSService:ec2.amazonaws.com", "count": 1},
        {"value": BOB, "count": 1},
    ]
    assert stats["top_event_names"] == [{"value": "GetObject", "count": 4}, {"value": "Decrypt", "count": 1}]
    assert stats["top_source_ips"] == [
        {"value": "198.51.100.9", "count": 3},
        {"value": "203.0.113.5", "count": 1},
        {"value": "ec2.amazonaws.com", "count": 1},
    ]
    # AND the first and last eventTime span all files, whatever their order in the files
    assert (stats["first_event_time"], stats["last_event_time"]) == ("2024-05-01T01:02:00Z", "2024-05-01T01:09:00Z")


def test_top_limits_the_top_lists(runner: CliRunner, archive: Path) -> None:
    # GIVEN three distinct principals among the matches
    # WHEN replayed with --top 1
    _, report = run_json(runner, ["replay", str(archive), "--top", "1"])
    # THEN one principal is listed, but all are counted
    stats = report["controls"]["unauthorized-api-calls"]
    assert stats["top_principals"] == [{"value": ALICE, "count": 3}]
    assert stats["principals"] == 3


def test_control_option_selects_controls_in_catalogue_order(runner: CliRunner, archive: Path) -> None:
    # GIVEN two controls named in reverse catalogue order, one of them twice
    # WHEN the archive is replayed
    _, report = run_json(
        runner,
        [
            "replay",
            str(archive),
            "--control",
            "unauthorized-api-calls",
            "--control",
            "root-account-usage",
            "--control",
            "unauthorized-api-calls",
        ],
    )
    # THEN only those are evaluated, in catalogue order, and nothing is "not selected"
    assert list(report["controls"]) == ["root-account-usage", "unauthorized-api-calls"]
    assert report["not_selected"] == []


def test_privileged_group_control_is_reported_as_not_selected_without_groups(runner: CliRunner, archive: Path) -> None:
    # GIVEN no --privileged-group
    # WHEN every control is replayed
    _, report = run_json(runner, ["replay", str(archive)])
    # THEN the report says which control was left out and why
    assert report["not_selected"] == [
        {"id": PRIVILEGED_GROUP_CONTROL_ID, "reason": "needs at least one --privileged-group NAME"}
    ]
    assert PRIVILEGED_GROUP_CONTROL_ID not in report["controls"]


def test_privileged_group_control_runs_with_groups(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a user added to Admins
    path = write(tmp_path / "log.json", encode("cloudtrail", [add_to_admins(0)]))
    # WHEN replayed with --privileged-group Admins
    _, report = run_json(runner, ["replay", str(path), "--privileged-group", "Admins"])
    # THEN all 17 controls run and the privileged one matched
    assert len(report["controls"]) == 17
    assert report["controls"][PRIVILEGED_GROUP_CONTROL_ID]["matches"] == 1
    assert report["not_selected"] == []


def test_matches_out_writes_one_line_per_match_in_file_then_record_order(
    runner: CliRunner, archive: Path, tmp_path: Path
) -> None:
    # GIVEN the archive
    out = tmp_path / "matches.jsonl"
    # WHEN it is replayed with --matches-out
    run_json(runner, ["replay", str(archive), "--matches-out", str(out)])
    # THEN each match is a line with control, file, record index and eventID, in file order
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    a, b = str(archive / "a.json.gz"), str(archive / "b.jsonl")
    assert lines == [
        {"control": "unauthorized-api-calls", "file": a, "index": 0, "eventID": "GetObject-5"},
        {"control": "root-account-usage", "file": a, "index": 1, "eventID": "ConsoleLogin-1"},
        {"control": "unauthorized-api-calls", "file": a, "index": 2, "eventID": "GetObject-9"},
        {"control": "unauthorized-api-calls", "file": b, "index": 1, "eventID": "GetObject-2"},
        {"control": "unauthorized-api-calls", "file": b, "index": 2, "eventID": "GetObject-3"},
        {"control": "unauthorized-api-calls", "file": b, "index": 3, "eventID": "Decrypt-4"},
    ]


def test_matches_out_lists_every_control_a_record_matches(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a StopLogging call that was denied: it matches two controls
    record = stop_logging(0) | {"errorCode": "AccessDenied"}
    path = write(tmp_path / "log.json", encode("object", [record]))
    out = tmp_path / "m.jsonl"
    # WHEN replayed with --matches-out
    run_json(runner, ["replay", str(path), "--matches-out", str(out)])
    # THEN the record has one line per control, in catalogue order
    assert [json.loads(line)["control"] for line in out.read_text().splitlines()] == [
        "unauthorized-api-calls",
        "cloudtrail-config-changes",
    ]


def test_matches_out_event_id_is_null_when_missing(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a matching record without eventID
    record = denied(0)
    del record["eventID"]
    path = write(tmp_path / "log.json", encode("object", [record]))
    out = tmp_path / "m.jsonl"
    # WHEN replayed with --matches-out
    run_json(runner, ["replay", str(path), "--matches-out", str(out)])
    # THEN its line has eventID null
    assert json.loads(out.read_text())["eventID"] is None


def big_archive(root: Path) -> Path:
    """Twelve files with matches spread over them, plus bad input, for the --jobs comparison."""
    for n in range(12):
        records: list[Any] = [quiet_record(i) for i in range(20)]
        records[n % 20] = denied(n, arn=f"arn:aws:iam::111122223333:user/u{n % 3}")
        records[(n * 7) % 20] = root_login(n)
        write(
            root / f"AWSLogs/1/CloudTrail/us-east-1/2024/05/{n:02d}/f.json.gz", encode("cloudtrail", records), gz=True
        )
    write(root / "AWSLogs/1/CloudTrail-Digest/d.json.gz", b"{}", gz=True)
    write(root / "bad/x.json", encode("array", [denied(99), 3]))
    cut = gzip.compress(encode("jsonl", [denied(i) for i in range(50)]))
    write(root / "bad/y.jsonl.gz", cut[: len(cut) // 2])
    return root


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


def test_table_report_shows_totals_skips_controls_and_details(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # GIVEN the archive and an empty file
    empty = write(tmp_path / "empty.json", b"")
    # WHEN replayed in the default table format
    result = runner.invoke(cli, ["replay", str(archive), str(empty)])
    text = result.stdout
    # THEN the totals, the skip, the left-out control, the table and the top values are printed
    assert result.exit_code == 0
    assert "Files: 3 found, 2 read (0 only in part), 1 skipped" in text
    assert "Records: 7 seen, 7 evaluated, 0 skipped" in text
    assert f"  {empty}: empty file: no JSON in it" in text
    assert f"Not evaluated: {PRIVILEGED_GROUP_CONTROL_ID}: needs at least one --privileged-group NAME" in text
    assert any(line.split()[:4] == ["unauthorized-api-calls", "LOW", "5", "3"] for line in text.splitlines())
    assert f"        3  {ALICE}" in text
    assert f"        1  {ROOT}" in text


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


def test_progress_bar_goes_to_stderr_only(runner: CliRunner, archive: Path) -> None:
    # GIVEN the archive
    # WHEN replayed as JSON with the progress bar forced on
    result = runner.invoke(cli, ["replay", str(archive), "--format", "json", "--progress"])
    # THEN stdout is still exactly the JSON report
    assert result.exit_code == 0
    assert json.loads(result.stdout)["events"] == 7
