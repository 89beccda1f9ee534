"""Paths are checked before anything is read: missing paths, S3 addresses and nothing to read are usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli.main import cli

from .conftest import denied, encode, run_json, write

# The same check runs for both commands that read events.
COMMANDS = {
    "replay": ["replay", "--format", "json"],
    "test": ["test", "--control", "unauthorized-api-calls", "--format", "jsonl"],
}


@pytest.fixture(params=list(COMMANDS))
def command(request: pytest.FixtureRequest) -> list[str]:
    return COMMANDS[request.param]


def test_a_path_that_does_not_exist_is_a_usage_error(runner: CliRunner, tmp_path: Path, command: list[str]) -> None:
    # GIVEN a path that does not exist
    missing = tmp_path / "does" / "not" / "exist"
    # WHEN it is read
    result = runner.invoke(cli, [*command, str(missing)])
    # THEN the run exits 2 with one line naming it, and prints no report
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: no such file or directory: '{missing}'\n"
    assert result.stdout == ""


def test_every_missing_path_is_named_and_nothing_is_read(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN two missing paths around a good log file, and a file for the matches
    good = write(tmp_path / "good.json", encode("cloudtrail", [denied(0)]))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    matches = tmp_path / "matches.jsonl"
    # WHEN they are replayed
    result = runner.invoke(cli, ["replay", str(first), str(good), str(second), "--matches-out", str(matches)])
    # THEN one line names both missing paths, and the check came before any processing: no report,
    #      no matches file
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: no such file or directory: '{first}', '{second}'\n"
    assert result.stdout == ""
    assert not matches.exists()


def test_a_file_path_through_a_file_is_missing(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a path that goes through a file as if it were a folder
    good = write(tmp_path / "good.json", encode("cloudtrail", [denied(0)]))
    # WHEN it is replayed
    result = runner.invoke(cli, ["replay", f"{good}/x.json"])
    # THEN it is reported as missing, not as an empty run
    assert (result.exit_code, result.stderr) == (2, f"trailwatch: error: no such file or directory: '{good}/x.json'\n")


def test_an_s3_address_says_s3_is_not_supported_and_what_to_do(runner: CliRunner, command: list[str]) -> None:
    # GIVEN an S3 address
    # WHEN it is read
    result = runner.invoke(cli, [*command, "s3://bucket/prefix"])
    # THEN one line says S3 is not supported yet and how to copy the files to disk instead
    assert result.exit_code == 2
    assert result.stderr == (
        "trailwatch: error: reading from S3 is not supported yet: 's3://bucket/prefix'; copy the files first "
        "(e.g. aws s3 sync s3://bucket/prefix ./cloudtrail) and give the local folder\n"
    )
    assert result.stdout == ""


def test_an_empty_directory_is_a_usage_error(runner: CliRunner, tmp_path: Path, command: list[str]) -> None:
    # GIVEN a directory whose only content is an empty folder
    (tmp_path / "logs" / "2024").mkdir(parents=True)
    # WHEN it is read
    result = runner.invoke(cli, [*command, str(tmp_path / "logs")])
    # THEN nothing is read and the line says why
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: nothing to read: '{tmp_path / 'logs'}' has no files in it\n"


def test_a_directory_of_digest_files_only_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    # GIVEN a folder holding only CloudTrail digest files
    logs = tmp_path / "logs"
    write(logs / "AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz", b"{}", gz=True)
    write(logs / "misc/1_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T0000Z.json.gz", b"{}", gz=True)
    # WHEN it is read
    result = runner.invoke(cli, [*command, str(logs)])
    # THEN nothing is read and the line says the folder holds digest files only
    assert result.exit_code == 2
    assert result.stderr == (
        f"trailwatch: error: nothing to read: '{logs}' holds only CloudTrail digest files "
        "(integrity manifests, not events)\n"
    )


def test_a_digest_file_on_its_own_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN one digest file
    digest = write(tmp_path / "CloudTrail-Digest" / "d.json.gz", b"{}", gz=True)
    # WHEN it is the only path replayed
    result = runner.invoke(cli, ["replay", str(digest)])
    # THEN nothing is read and the line says what the file is
    assert result.exit_code == 2
    assert result.stderr == (
        f"trailwatch: error: nothing to read: '{digest}' is a CloudTrail digest file "
        "(an integrity manifest, not events)\n"
    )


def test_paths_that_hold_a_log_file_between_them_are_read(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN an empty folder next to a log file
    (tmp_path / "empty").mkdir()
    good = write(tmp_path / "good.json", encode("cloudtrail", [denied(0)]))
    # WHEN both are replayed
    _, report = run_json(runner, ["replay", str(tmp_path / "empty"), str(good)])
    # THEN the run reads the log file
    assert (report["files"], report["events"]) == (1, 1)


def test_standard_input_needs_no_file(runner: CliRunner) -> None:
    # GIVEN events on standard input and '-' as the only path
    # WHEN they are replayed
    _, report = run_json(runner, ["replay", "-"], input=encode("cloudtrail", [denied(0)]))
    # THEN they are read
    assert report["events"] == 1
