"""Usage errors are one ``trailwatch: error: ...`` line and exit 2; runtime failures exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import CONTROL_IDS
from trailwatch_constructs.cli.main import cli

from .conftest import denied, encode, write

KNOWN = ", ".join(CONTROL_IDS)


def test_unknown_control_id_is_a_one_line_error_listing_the_known_ids(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a misspelt control id
    # WHEN replay is asked for it
    result = runner.invoke(cli, ["replay", str(tmp_path), "--control", "root-usage"])
    # THEN it exits 2 with exactly one line naming it and every known id
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: unknown control id 'root-usage'; known ids: {KNOWN}\n"
    assert result.stdout == ""


def test_several_unknown_control_ids_are_named_together(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN two unknown ids and a known one
    # WHEN replay is asked for them
    result = runner.invoke(
        cli, ["replay", str(tmp_path), "--control", "x", "--control", "root-account-usage", "--control", "y"]
    )
    # THEN both unknown ids are in the one line
    assert result.stderr == f"trailwatch: error: unknown control ids 'x', 'y'; known ids: {KNOWN}\n"


def test_unknown_control_id_in_test_is_the_same_error(runner: CliRunner) -> None:
    # GIVEN a misspelt control id
    # WHEN test is asked for it
    result = runner.invoke(cli, ["test", "--control", "root-usage"], input=b"{}")
    # THEN the same one-line error, exit 2
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: unknown control id 'root-usage'; known ids: {KNOWN}\n"


def test_unknown_option_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN an option replay does not have
    # WHEN it is used
    result = runner.invoke(cli, ["replay", str(tmp_path), "--bogus"])
    # THEN one line, exit 2, pointing at the command's help, and no traceback
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("trailwatch: error: no such option '--bogus'")
    assert result.stderr.endswith("; see 'trailwatch replay --help'\n")
    assert "Traceback" not in result.stderr


def test_bad_choice_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a format replay does not know
    # WHEN it is asked for
    result = runner.invoke(cli, ["replay", str(tmp_path), "--format", "xml"])
    # THEN one line naming the allowed values, exit 2
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("trailwatch: error: invalid value for '--format': 'xml' is not one of")


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


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN a command that does not exist
    # WHEN it is run
    result = runner.invoke(cli, ["frobnicate"])
    # THEN one line, exit 2
    assert result.exit_code == 2
    assert result.stderr == "trailwatch: error: no such command 'frobnicate'; see 'trailwatch --help'\n"


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


def test_help_exits_0(runner: CliRunner) -> None:
    # GIVEN --help
    # WHEN it is asked for on replay
    result = runner.invoke(cli, ["replay", "--help"])
    # THEN the help is printed and the exit is 0
    assert result.exit_code == 0
    assert "--matches-out FILE.jsonl" in result.stdout


def test_no_arguments_prints_the_help(runner: CliRunner) -> None:
    # GIVEN no arguments at all
    # WHEN trailwatch runs
    result = runner.invoke(cli, [])
    # THEN it lists the commands and exits 0
    assert result.exit_code == 0
    for command in ("controls", "replay", "test"):
        assert command in result.stdout


def test_an_unexpected_bug_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a command that fails with an exception nobody planned for
    import trailwatch_constructs.texts.compliance_evidence as compliance

    def broken(*_: object) -> str:
        raise KeyError("boom")

    monkeypatch.setattr(compliance, "coverage_markdown", broken)
    monkeypatch.delenv("TRAILWATCH_DEBUG", raising=False)
    runner = CliRunner()
    # WHEN it runs
    result = runner.invoke(cli, ["compliance"])
    # THEN the user sees one line naming the error and how to get the traceback, and exit code 1
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "trailwatch: error: internal error: KeyError: 'boom' (set TRAILWATCH_DEBUG=1 for the traceback)"
    )


def test_debug_variable_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import trailwatch_constructs.texts.compliance_evidence as compliance

    def broken(*_: object) -> str:
        raise KeyError("boom")

    monkeypatch.setattr(compliance, "coverage_markdown", broken)
    monkeypatch.setenv("TRAILWATCH_DEBUG", "1")
    result = CliRunner().invoke(cli, ["compliance"])
    assert isinstance(result.exception, KeyError)
