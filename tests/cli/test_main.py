"""The entry point: usage errors are one ``trailwatch: error: ...`` line and exit 2, runtime
failures exit 1, and output into a closed pipe ends quietly with exit 0."""

from __future__ import annotations

import shlex
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli import main, report
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.core.errors import UnusableInputError

from .helpers import (
    denied,
    encode,
    write,
)


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


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN a command that does not exist
    # WHEN it is run
    result = runner.invoke(cli, ["frobnicate"])
    # THEN one line, exit 2
    assert result.exit_code == 2
    assert result.stderr == "trailwatch: error: no such command 'frobnicate'; see 'trailwatch --help'\n"


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


REPO = Path(__file__).resolve().parents[2]


EVENTS = 20_000


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One log file of denied calls, each by its own principal from its own address.

    Every report below is then megabytes long: far more than a pipe buffers, so the pipe
    really is closed while trailwatch still writes.
    """
    records = [
        denied(n, arn=f"arn:aws:iam::111122223333:user/u{n}", ip=f"10.{n // 250}.{n % 250}.1") for n in range(EVENTS)
    ]
    return write(tmp_path_factory.mktemp("pipe") / "big.json.gz", encode("cloudtrail", records), gz=True)


@pytest.mark.parametrize(
    "args",
    [
        ["replay", "--format", "table", "--top", str(EVENTS)],
        ["replay", "--format", "json", "--top", str(EVENTS)],
        ["replay", "--format", "markdown", "--top", str(EVENTS)],
        ["test", "--control", "unauthorized-api-calls", "--format", "jsonl"],
        ["test", "--control", "unauthorized-api-calls", "--format", "table"],
    ],
    ids=["replay-table", "replay-json", "replay-markdown", "test-jsonl", "test-table"],
)
def test_output_into_a_closed_pipe_ends_quietly_with_exit_0(archive: Path, args: list[str]) -> None:
    # GIVEN a report far longer than what `head -2` reads
    trailwatch = shlex.join([sys.executable, "-m", "trailwatch_constructs.cli.main", *args, str(archive)])
    # WHEN it is piped into head, with pipefail so that trailwatch's own exit status counts
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{trailwatch} | head -2"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    # THEN head printed its two lines, and trailwatch stopped without a message and with exit 0
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == ""
    assert result.returncode == 0


# --- how each failure becomes a message and an exit code ------------------------------------------


@pytest.mark.parametrize(
    ("error", "message", "code"),
    [
        (UnusableInputError("nothing to read: 'x'"), "nothing to read: 'x'", 2),
        (PermissionError(13, "Permission denied", "out.jsonl"), "[Errno 13] Permission denied: 'out.jsonl'", 1),
        (
            BrokenProcessPool("A child process terminated abruptly"),
            "a worker process died (A child process terminated abruptly); try again with --jobs 1",
            1,
        ),
        (click.ClickException("Something failed"), "something failed", 1),
        (click.ClickException("X"), "X", 1),
        (click.ClickException("AB"), "AB", 1),
        (ValueError("bug"), "internal error: ValueError: bug (set TRAILWATCH_DEBUG=1 for the traceback)", 1),
    ],
    ids=["trailwatch", "os", "worker", "click-lower", "click-one-letter", "click-acronym", "bug"],
)
def test_each_failure_is_one_message_and_an_exit_code(
    error: Exception, message: str, code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAILWATCH_DEBUG", raising=False)
    assert main._failure(error) == (message, code)


def test_a_usage_error_points_at_the_command_s_help() -> None:
    # GIVEN usage errors with and without a command context
    with_context = click.UsageError(
        "No such option: --x.", ctx=click.Context(click.Command("replay"), info_name="trailwatch replay")
    )
    without = click.UsageError("Bad usage")
    # WHEN mapped THEN the message is lower-cased, loses its full stop and names the help to read; exit 2
    assert main._failure(with_context) == ("no such option: --x; see 'trailwatch replay --help'", 2)
    assert main._failure(without) == ("bad usage; see 'trailwatch --help'", 2)


def test_a_bug_is_raised_again_for_the_traceback_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAILWATCH_DEBUG", "1")
    error = ValueError("bug")
    with pytest.raises(ValueError) as raised:
        main._failure(error)
    assert raised.value is error


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a command interrupted by the user
    def interrupted(*_: object, **__: object) -> None:
        raise click.Abort

    monkeypatch.setattr(click.Group, "main", interrupted)
    # WHEN the CLI runs THEN it says so on stderr and exits 130
    with pytest.raises(SystemExit) as exited:
        main.cli.main(["controls"])
    assert exited.value.code == 130
    assert capsys.readouterr().err == "trailwatch: interrupted\n"


def test_the_command_s_return_value_is_the_exit_status(tmp_path: Path) -> None:
    # GIVEN a run that fails --strict
    log = write(tmp_path / "log.json", encode("array", [denied(0), 1]))
    # WHEN the CLI runs as a program would THEN it exits with the command's status
    with pytest.raises(SystemExit) as exited:
        main.cli.main(["replay", str(log), "--strict", "--format", "json"])
    assert exited.value.code == 1


def test_a_closed_pipe_inside_a_command_ends_it_quietly_with_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a command whose output fails because the reader of stdout went away
    def closed(*_: object, **__: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(report, "print_controls", closed)
    # WHEN it runs THEN it exits 0 with nothing on stderr
    result = CliRunner().invoke(cli, ["controls"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_two_letter_message_is_lower_cased() -> None:
    assert main._lower_first("Ab") == "ab"
    assert (main._lower_first("A"), main._lower_first("AB"), main._lower_first("")) == ("A", "AB", "")


def test_the_program_is_named_trailwatch_in_messages_whatever_argv_0_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a usage error, run through the entry point while sys.argv[0] names another program
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/python3-wrapper", "replay"])
    # WHEN the CLI runs as the console script does
    with pytest.raises(SystemExit) as exited:
        main.main()
    # THEN the message points at trailwatch's own help, exit 2
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "trailwatch: error: missing argument 'PATH...'; see 'trailwatch replay --help'\n"
    )


def test_a_usage_error_message_ends_without_click_s_full_stop(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN click's "No such command 'nope'." WHEN reported THEN the full stop goes before "; see ..."
    with pytest.raises(SystemExit):
        main.cli.main(["nope"])
    assert capsys.readouterr().err == "trailwatch: error: no such command 'nope'; see 'trailwatch --help'\n"
