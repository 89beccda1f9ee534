"""``trailwatch``: the command group, its commands, and how each run ends (exit code, one-line errors).

Commands: ``controls`` lists the controls, ``test`` tests a pattern on events, ``replay`` replays
CloudTrail archives, ``compliance`` shows compliance, ``verify`` checks an AWS account as Security
Hub does (with ``--fire-drill``, also sets each control's alarm to ALARM to see its actions run).

Exit codes: 0 success, also when the reader of stdout goes away (``trailwatch ... | head``); 1 a
run that could not finish (an output file that cannot be written, a worker process that died, an
AWS call that failed), with ``--strict`` input that was skipped, or for ``verify`` a check that
FAILED or a drilled alarm action that showed no successful delivery; 2 a usage error (bad option,
unknown control id, invalid filter pattern, a path that does not exist or holds nothing to read,
no Region to check). Every error is one ``trailwatch: error: ...`` message on stderr, never a
traceback.

This module must not import ``aws_cdk`` or ``jsii``, even indirectly: the CLI has to start fast
and work where Node.js is missing. ``trailwatch_constructs`` loads its constructs lazily, and a
test proves the rule.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor
from typing import Any, Final, NoReturn

import click

from trailwatch_constructs.cli import PROG
from trailwatch_constructs.cli.commands.compliance import compliance_command
from trailwatch_constructs.cli.commands.controls import controls_command
from trailwatch_constructs.cli.commands.hunt import hunt_command
from trailwatch_constructs.cli.commands.replay import replay_command
from trailwatch_constructs.cli.commands.test import test_command
from trailwatch_constructs.cli.commands.verify import verify_command
from trailwatch_constructs.core.errors import TrailwatchError

DEBUG_ENV: Final = "TRAILWATCH_DEBUG"
"""Set (to anything) for the traceback of an internal error."""
CONTEXT_SETTINGS: Final[dict[str, Any]] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _failure(err: Exception) -> tuple[str, int]:
    """Returns the one-line message and the exit code for an exception that ended a command.

    Raises:
        Exception: ``err`` itself, for a bug of ours, when :data:`DEBUG_ENV` is set.
    """
    match err:
        case click.UsageError():
            command = err.ctx.command_path if err.ctx else PROG
            return f"{_lower_first(err.format_message()).rstrip('.')}; see '{command} --help'", err.exit_code
        case click.ClickException():
            return _lower_first(err.format_message()), err.exit_code
        case TrailwatchError():
            # Raised for what the user gave: an unknown control id, a bad pattern or group name,
            # a path that does not exist.
            return str(err), 2
        case OSError():
            return str(err), 1
        case BrokenExecutor():
            return f"a worker process died ({err}); try again with --jobs 1", 1
    # A bug of ours: still one line for the user; the traceback on request.
    if os.environ.get(DEBUG_ENV):
        raise err
    return f"internal error: {type(err).__name__}: {err} (set {DEBUG_ENV}=1 for the traceback)", 1


def _lower_first(message: str) -> str:
    # click says "No such option: --x"; the one-line format reads better in lower case.
    if len(message) > 1 and message[0].isupper() and message[1].islower():
        return message[0].lower() + message[1:]
    return message


class TrailwatchGroup(click.Group):
    """A click group that turns every expected failure into one line on stderr and an exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        """Runs the CLI and exits with the command's status, or with one line on stderr for a failure.

        Args:
            args: the command line without the program name. Default: ``sys.argv[1:]``.
            prog_name: the program's name in messages. Default: ``trailwatch``.
            complete_var: click's shell-completion variable.
            standalone_mode: ignored: errors are always handled here.
            **extra: passed to click's context.
        """
        del standalone_mode
        try:
            result = super().main(args, prog_name or PROG, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            click.echo(err.ctx.get_help() if err.ctx else str(err))
            sys.exit(0)
        except click.Abort:
            click.echo(f"{PROG}: interrupted", err=True)
            sys.exit(130)
        except Exception as err:
            message, code = _failure(err)
            click.echo(f"{PROG}: error: {message}", err=True)
            sys.exit(code)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        """Runs the command; when the reader of stdout goes away (``trailwatch ... | head``), stops quietly.

        Caught here, around the command, because click's ``main`` would make it exit 1.

        Args:
            ctx: the command's click context.

        Returns:
            The command's return value (its exit status).

        Raises:
            click.exceptions.Exit: with status 0, when stdout was closed by its reader.
        """
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Exit 0 without a message, as Unix tools do. Point stdout at /dev/null so that the
            # interpreter's final flush of what is still buffered cannot fail again. (Not possible
            # when stdout is not a real file, e.g. under a test runner.)
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None


@click.group(cls=TrailwatchGroup, name=PROG, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="trailwatch-constructs", prog_name=PROG)
def cli() -> None:
    """CloudTrail detective controls: list them, test patterns, replay log archives offline."""


cli.add_command(controls_command)
cli.add_command(compliance_command)
cli.add_command(test_command)
cli.add_command(replay_command)
cli.add_command(hunt_command)
cli.add_command(verify_command)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name=PROG)


if __name__ == "__main__":
    main()
