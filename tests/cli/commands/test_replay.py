"""``trailwatch replay``: options, --matches-out, --progress and --strict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from trailwatch_constructs.cli.main import cli

from ..helpers import (
    denied,
    encode,
    run_json,
    write,
)


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


def test_progress_bar_goes_to_stderr_only(runner: CliRunner, archive: Path) -> None:
    # GIVEN the archive
    # WHEN replayed as JSON with the progress bar forced on
    result = runner.invoke(cli, ["replay", str(archive), "--format", "json", "--progress"])
    # THEN stdout is still exactly the JSON report
    assert result.exit_code == 0
    assert json.loads(result.stdout)["events"] == 7


def test_strict_exits_1_when_input_was_skipped(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN one file with a record that is not an object
    path = write(tmp_path / "log.json", encode("array", [denied(0), 1]))
    # WHEN replayed with and without --strict
    lenient = runner.invoke(cli_main(), ["replay", str(path), "--format", "json"])
    strict = runner.invoke(cli_main(), ["replay", str(path), "--format", "json", "--strict"])
    # THEN only --strict fails the run
    assert (lenient.exit_code, strict.exit_code) == (0, 1)


def test_strict_ignores_digest_files(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN a trail bucket whose only skips are digest files
    # WHEN it is replayed with --strict
    result = runner.invoke(cli_main(), ["replay", str(s3_archive), "--strict", "--format", "json"])
    # THEN the run succeeds
    assert result.exit_code == 0


def cli_main() -> Any:
    from trailwatch_constructs.cli.main import cli

    return cli


def test_unwritable_matches_out_is_a_one_line_error_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN --matches-out pointing into a folder that does not exist
    path = write(tmp_path / "log.json", encode("object", [denied(0)]))
    target = tmp_path / "no" / "such" / "dir" / "m.jsonl"
    # WHEN replay runs
    result = runner.invoke(cli, ["replay", str(path), "--matches-out", str(target)])
    # THEN one line with the OS error, exit 1, and no report
    assert result.exit_code == 1
    assert result.stderr == f"trailwatch: error: [Errno 2] No such file or directory: '{target}'\n"
    assert result.stdout == ""


def test_negative_jobs_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN --jobs -1
    # WHEN replay runs
    result = runner.invoke(cli, ["replay", str(tmp_path), "--jobs", "-1"])
    # THEN it exits 2 with one line
    assert result.exit_code == 2
    assert result.stderr.startswith("trailwatch: error: invalid value for '--jobs'")


def test_missing_path_argument_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN replay without PATH
    # WHEN it runs
    result = runner.invoke(cli, ["replay"])
    # THEN one line, exit 2
    assert result.exit_code == 2
    assert result.stderr == "trailwatch: error: missing argument 'PATH...'; see 'trailwatch replay --help'\n"


def test_help_exits_0(runner: CliRunner) -> None:
    # GIVEN --help
    # WHEN it is asked for on replay
    result = runner.invoke(cli, ["replay", "--help"])
    # THEN the help is printed and the exit is 0
    assert result.exit_code == 0
    assert "--matches-out FILE.jsonl" in result.stdout


def test_an_event_two_filters_of_one_control_match_counts_once(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN an AccessDenied that both unauthorized-api-calls filters match (Security Hub's text and
    # CIS v3.0.0's), and a HeadBucket denial only Security Hub's matches
    both, security_hub_only = denied(0), {**denied(1), "eventName": "HeadBucket"}
    path = write(tmp_path / "log.jsonl", encode("jsonl", [both, security_hub_only]))
    # WHEN replayed with those two auditors, and with CIS v3.0.0 alone
    _, union = run_json(
        runner, ["replay", str(path), "--format", "json", "--auditor", "security-hub", "--auditor", "cis-v3.0.0"]
    )
    _, cis = run_json(runner, ["replay", str(path), "--format", "json", "--auditor", "cis-v3.0.0"])
    # THEN the control counts each event once with both filters, and only the first with CIS's alone
    assert _matches(union, "unauthorized-api-calls") == 2
    assert _matches(cis, "unauthorized-api-calls") == 1


def _matches(report: dict[str, Any], control_id: str) -> int:
    return int(report["controls"][control_id]["matches"])
