"""``trailwatch test``: one pattern (or control) over events from files or stdin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli.main import cli

from ..helpers import (
    CONCATENATED,
    add_to_admins,
    concatenate,
    denied,
    encode,
    fires,
    ignores,
    quiet_record,
    root_login,
    write,
)

DENIED = '{ $.errorCode = "AccessDenied*" }'


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_jsonl_prints_one_line_per_event_in_input_order(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a CloudTrail file whose second record is a denied call
    path = write(tmp_path / "log.json", encode("cloudtrail", [quiet_record(0), denied(1), quiet_record(2)]))
    # WHEN the pattern is tested with --format jsonl
    result = runner.invoke(cli, ["test", "--pattern", DENIED, "--format", "jsonl", str(path)])
    # THEN each event is one line {source, index, matched}, in order
    assert result.exit_code == 0
    assert jsonl(result.stdout) == [
        {"source": str(path), "index": 0, "matched": False},
        {"source": str(path), "index": 1, "matched": True},
        {"source": str(path), "index": 2, "matched": False},
    ]


def test_reads_stdin_when_no_file_is_given(runner: CliRunner) -> None:
    # GIVEN JSON Lines on standard input
    data = encode("jsonl", [denied(0), quiet_record(1)])
    # WHEN no FILE is named
    result = runner.invoke(cli, ["test", "--pattern", DENIED, "--format", "jsonl"], input=data)
    # THEN the events are read from stdin and named <stdin>
    assert jsonl(result.stdout) == [
        {"source": "<stdin>", "index": 0, "matched": True},
        {"source": "<stdin>", "index": 1, "matched": False},
    ]


def test_dash_reads_stdin_in_its_place_among_files(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a file and stdin
    path = write(tmp_path / "a.json", encode("object", [denied(0)]))
    # WHEN '-' is named after the file
    result = runner.invoke(
        cli,
        ["test", "--pattern", DENIED, "--format", "jsonl", str(path), "-"],
        input=encode("object", [quiet_record(1)]),
    )
    # THEN the file's event comes first, then stdin's
    assert [(e["source"], e["matched"]) for e in jsonl(result.stdout)] == [(str(path), True), ("<stdin>", False)]


def test_gzip_stdin_is_detected_by_magic_bytes(runner: CliRunner) -> None:
    # GIVEN a gzip-compressed CloudTrail file piped in
    import gzip

    data = gzip.compress(encode("cloudtrail", [denied(0), denied(1)]))
    # WHEN it is tested
    result = runner.invoke(cli, ["test", "--pattern", DENIED, "--format", "jsonl"], input=data)
    # THEN both records are decoded and match
    assert [e["matched"] for e in jsonl(result.stdout)] == [True, True]


@pytest.mark.parametrize("control_id", ["root-account-usage", "console-signin-failures", "s3-bucket-policy-changes"])
def test_control_uses_the_catalogue_pattern(runner: CliRunner, tmp_path: Path, control_id: str) -> None:
    # GIVEN the control's sample events: those that fire, then the near misses
    path = write(tmp_path / "samples.json", encode("array", fires(control_id) + ignores(control_id)))
    # WHEN they are tested against the control
    result = runner.invoke(cli, ["test", "--control", control_id, "--format", "jsonl", str(path)])
    # THEN exactly the firing samples match
    expected = [True] * len(fires(control_id)) + [False] * len(ignores(control_id))
    assert [e["matched"] for e in jsonl(result.stdout)] == expected


def test_privileged_group_control_uses_the_given_groups(runner: CliRunner) -> None:
    # GIVEN a user added to Admins
    data = encode("object", [add_to_admins(0)])
    # WHEN the privileged-group control is tested with the group Admins, and with Ops
    admins = runner.invoke(
        cli,
        [
            "test",
            "--control",
            "privileged-group-membership-changes",
            "--privileged-group",
            "Admins",
            "--format",
            "jsonl",
        ],
        input=data,
    )
    ops = runner.invoke(
        cli,
        ["test", "--control", "privileged-group-membership-changes", "--privileged-group", "Ops", "--format", "jsonl"],
        input=data,
    )
    # THEN it matches only for Admins
    assert jsonl(admins.stdout)[0]["matched"] is True
    assert jsonl(ops.stdout)[0]["matched"] is False


def test_privileged_group_control_without_groups_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN the privileged-group control without --privileged-group
    # WHEN it is tested
    result = runner.invoke(cli, ["test", "--control", "privileged-group-membership-changes"], input=b"{}")
    # THEN the run exits 2 and says what is missing
    assert result.exit_code == 2
    assert result.stderr == (
        "trailwatch: error: control 'privileged-group-membership-changes' needs at least one --privileged-group NAME\n"
    )


def test_invalid_pattern_exits_2_with_its_position(runner: CliRunner) -> None:
    # GIVEN a pattern with a bad operator at position 14
    pattern = "{ $.eventName == ConsoleLogin }"
    # WHEN it is tested
    result = runner.invoke(cli, ["test", "--pattern", pattern], input=b"{}")
    # THEN the run exits 2, names the position and quotes the pattern with a caret under it
    assert result.exit_code == 2
    assert result.stdout == ""
    first, quoted, caret = result.stderr.splitlines()
    assert first.startswith("trailwatch: error: invalid filter pattern at position 14")
    assert quoted.strip() == pattern
    assert caret.index("^") == quoted.index("==")


def test_neither_pattern_nor_control_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN neither --pattern nor --control
    # WHEN test runs
    result = runner.invoke(cli, ["test"], input=b"{}")
    # THEN it exits 2 with one line
    assert result.exit_code == 2
    assert result.stderr == (
        "trailwatch: error: give exactly one of --pattern TEXT or --control ID; see 'trailwatch test --help'\n"
    )


def test_both_pattern_and_control_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN both --pattern and --control
    # WHEN test runs
    result = runner.invoke(cli, ["test", "--pattern", DENIED, "--control", "root-account-usage"], input=b"{}")
    # THEN it exits 2
    assert result.exit_code == 2
    assert "give exactly one of --pattern TEXT or --control ID" in result.stderr


def test_table_prints_a_line_per_event_and_a_summary(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a root sign-in and a quiet call
    path = write(tmp_path / "log.json", encode("cloudtrail", [root_login(0), quiet_record(1)]))
    # WHEN the root control is tested in the default format
    result = runner.invoke(cli, ["test", "--control", "root-account-usage", str(path)])
    # THEN each event has a line saying whether it matched, then a summary
    lines = result.stdout.splitlines()
    assert lines == [
        f"MATCH  {path} #0  ConsoleLogin  arn:aws:iam::111122223333:root",
        f"-      {path} #1  DescribeInstances  arn:aws:sts::111122223333:assumed-role/app/session",
        "1 of 2 events matched root-account-usage",
    ]


def test_records_that_are_not_objects_are_reported_on_stderr(runner: CliRunner) -> None:
    # GIVEN an array whose middle item is a number
    data = encode("array", [denied(0), 7, denied(2)])
    # WHEN it is tested as JSON Lines output
    result = runner.invoke(cli, ["test", "--pattern", DENIED, "--format", "jsonl"], input=data)
    # THEN stdout has the two events (indexes 0 and 2), stderr the skipped record, and the exit is 0
    assert result.exit_code == 0
    assert [e["index"] for e in jsonl(result.stdout)] == [0, 2]
    assert result.stderr == "trailwatch: skipped <stdin> record 1: record is a number, not a JSON object\n"


def test_table_summary_counts_skipped_input(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN one empty file and stdin with a record that is not an object
    empty = write(tmp_path / "empty.json", b"")
    # WHEN tested in the table format
    result = runner.invoke(cli, ["test", "--pattern", DENIED, str(empty), "-"], input=encode("array", [denied(0), "x"]))
    # THEN the summary counts the skipped record and file
    assert (
        result.stdout.splitlines()[-1]
        == "1 of 1 events matched the pattern; 1 records and 1 files skipped (see stderr)"
    )
    assert f"trailwatch: skipped {empty}: empty file: no JSON in it" in result.stderr


def test_strict_exits_1_when_a_record_was_skipped(runner: CliRunner) -> None:
    # GIVEN events of which one is not an object
    data = encode("array", [denied(0), 7])
    # WHEN tested with and without --strict
    lenient = runner.invoke(cli, ["test", "--pattern", DENIED, "--format", "jsonl"], input=data)
    strict = runner.invoke(cli, ["test", "--pattern", DENIED, "--format", "jsonl", "--strict"], input=data)
    # THEN only --strict fails the run, and both print the evaluated event
    assert (lenient.exit_code, strict.exit_code) == (0, 1)
    assert jsonl(strict.stdout) == [{"source": "<stdin>", "index": 0, "matched": True}]


def test_strict_exits_1_when_a_file_was_skipped(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a good file and an empty one
    good = write(tmp_path / "good.json", encode("object", [denied(0)]))
    empty = write(tmp_path / "empty.json", b"")
    # WHEN tested with --strict
    result = runner.invoke(cli, ["test", "--pattern", DENIED, "--strict", str(good), str(empty)])
    # THEN the run fails
    assert result.exit_code == 1


def test_strict_ignores_digest_files(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN a trail bucket whose only skips are digest files
    # WHEN the control is tested over it with --strict
    result = runner.invoke(cli, ["test", "--control", "root-account-usage", "--strict", str(s3_archive)])
    # THEN the run succeeds
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith("1 of 6 events matched root-account-usage")


def test_trailwatch_test_reads_concatenated_files_from_stdin(runner: CliRunner) -> None:
    # GIVEN concatenated gzip CloudTrail files piped in
    data = concatenate([encode("cloudtrail", records) for records in CONCATENATED], gz=True)
    # WHEN a pattern is tested on them
    result = runner.invoke(cli, ["test", "--control", "unauthorized-api-calls", "--format", "jsonl"], input=data)
    # THEN every record has its line, indexed across the documents
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["index"], line["matched"]) for line in lines] == [
        (0, False),
        (1, True),
        (2, True),
        (3, False),
        (4, True),
        (5, True),
    ]


def test_a_pattern_with_a_trap_is_evaluated_as_aws_reads_it_with_a_warning(runner: CliRunner) -> None:
    # GIVEN a pattern comparing readOnly with the unquoted word false, and two records
    records = [{"readOnly": False}, {"readOnly": "false"}]
    data = "\n".join(json.dumps(r) for r in records)
    # WHEN it is tested
    result = runner.invoke(cli, ["test", "--pattern", "{ $.readOnly = false }", "--format", "jsonl"], input=data)
    # THEN stderr warns with the keyword to use, and only the text matches, as in CloudWatch Logs
    assert result.exit_code == 0
    assert "trailwatch: warning: the pattern, position 15 near 'false'" in result.stderr
    assert "IS FALSE" in result.stderr
    assert [line["matched"] for line in jsonl(result.stdout)] == [False, True]
