"""``trailwatch``: list the controls, test a pattern on events, replay CloudTrail archives, show compliance.

Exit codes: 0 success, also when the reader of stdout goes away (``trailwatch ... | head``); 1 a
run that could not finish (an output file that cannot be written, a worker process that died)
or, with ``--strict``, input that was skipped; 2 a usage error (bad option, unknown control id,
invalid filter pattern, a path that does not exist or holds nothing to read). Every error is one
``trailwatch: error: ...`` message on stderr, never a traceback.

This module must not import ``aws_cdk`` or ``jsii``, even indirectly: the CLI has to start fast
and work where Node.js is missing. ``trailwatch_constructs`` loads its constructs lazily, and a
test proves the rule.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any, BinaryIO, NoReturn, TypeVar, cast

import click
import orjson

from trailwatch_constructs.core.errors import TrailwatchError

F = TypeVar("F", bound=Callable[..., Any])

PROG = "trailwatch"
DEBUG_ENV = "TRAILWATCH_DEBUG"
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(code)


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
        """Run the CLI and exit; ``standalone_mode`` is ignored (errors are always handled here)."""
        del standalone_mode
        try:
            result = super().main(args, prog_name or PROG, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            click.echo(err.ctx.get_help() if err.ctx else str(err))
            sys.exit(0)
        except click.UsageError as err:
            command = err.ctx.command_path if err.ctx else PROG
            message = _lower_first(err.format_message()).rstrip(".")
            _fail(f"{message}; see '{command} --help'", err.exit_code)
        except click.ClickException as err:
            _fail(_lower_first(err.format_message()), err.exit_code)
        except click.Abort:
            click.echo(f"{PROG}: interrupted", err=True)
            sys.exit(130)
        except TrailwatchError as err:
            # Raised for what the user gave: an unknown control id, a bad pattern or group name,
            # a path that does not exist.
            _fail(str(err), 2)
        except OSError as err:
            _fail(str(err), 1)
        except BrokenProcessPool as err:
            _fail(f"a worker process died ({err}); try again with --jobs 1", 1)
        except Exception as err:
            # A bug of ours: still one line for the user; the traceback on request.
            if os.environ.get(DEBUG_ENV):
                raise
            _fail(f"internal error: {type(err).__name__}: {err} (set {DEBUG_ENV}=1 for the traceback)", 1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; when the reader of stdout goes away (``trailwatch ... | head``), stop quietly.

        Caught here, around the command, because click's ``main`` would make it exit 1.
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


def _stdin() -> BinaryIO | None:
    # None when the process has no standard input at all (fd 0 closed).
    stream = getattr(sys.stdin, "buffer", None)
    return cast("BinaryIO | None", stream)


privileged_group_option = click.option(
    "--privileged-group",
    "privileged_groups",
    multiple=True,
    metavar="NAME",
    help="IAM group whose membership changes alarm (repeatable); enables privileged-group-membership-changes.",
)


def format_option(default: str, *others: str, help: str = "Output format.") -> Callable[[F], F]:
    """``--format`` (stored as ``fmt``) choosing among ``default`` and ``others``."""
    return click.option(
        "--format", "fmt", type=click.Choice([default, *others]), default=default, show_default=True, help=help
    )


# --- controls -----------------------------------------------------------------------------------


@cli.command("controls", short_help="List the catalogue of controls.")
@format_option("table", "json")
@privileged_group_option
def controls_command(fmt: str, privileged_groups: tuple[str, ...]) -> int:
    """List the catalogue: id, title, severity, references and filter pattern.

    The privileged-group control needs group names: without --privileged-group the table shows
    it with a placeholder pattern and the JSON leaves it out (with a note on stderr).
    """
    from trailwatch_constructs.catalog import PRIVILEGED_GROUP_CONTROL_ID, catalog_controls
    from trailwatch_constructs.cli import report

    controls = catalog_controls(privileged_groups=privileged_groups)
    if fmt == "json":
        sys.stdout.buffer.write(report.controls_json(controls))
        sys.stdout.flush()
        if not privileged_groups:
            click.echo(
                f"{PROG}: note: {PRIVILEGED_GROUP_CONTROL_ID} is not listed: it needs at least one "
                "--privileged-group NAME",
                err=True,
            )
        return 0
    report.controls_table(controls, needs_groups=not privileged_groups, console=report.make_console())
    return 0


# --- compliance -----------------------------------------------------------------------------------


@cli.command("compliance", short_help="Show which benchmark items the controls cover.")
@format_option("markdown", "json")
@privileged_group_option
@click.option(
    "--include",
    "included",
    multiple=True,
    metavar="ID",
    help="Select only this control (repeatable); default: every control.",
)
@click.option("--exclude", "excluded", multiple=True, metavar="ID", help="Leave a control out (repeatable).")
@click.option(
    "--tuned-variant", "variants", multiple=True, metavar="ID", help="Replace a control with a tuned variant."
)
def compliance_command(
    fmt: str,
    privileged_groups: tuple[str, ...],
    included: tuple[str, ...],
    excluded: tuple[str, ...],
    variants: tuple[str, ...],
) -> int:
    """For CIS AWS Foundations 1.2.0, 1.4.0, 3.0.0 and Security Hub CloudWatch.1-14: which control
    covers each item, and whether its pattern is Security Hub's exact text.

    The selection options mirror CloudTrailSecurityMonitoring's, so the report describes what a
    stack with the same options deploys.
    """
    from trailwatch_constructs.catalog.selection import resolve_selection
    from trailwatch_constructs.texts.compliance_evidence import coverage_json, coverage_markdown

    selection = resolve_selection(
        include=included or None, exclude=excluded, privileged_groups=privileged_groups, tuned_variants=variants
    )
    if selection.problems:
        raise click.UsageError("; ".join(selection.problems))
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(coverage_json(selection.controls), option=orjson.OPT_INDENT_2))
        sys.stdout.write("\n")
    else:
        click.echo(coverage_markdown(selection.controls), nl=False)
    return 0


# --- test -----------------------------------------------------------------------------------------


@cli.command("test", short_help="Evaluate one pattern or control on events.")
@click.option("--pattern", "pattern_text", metavar="TEXT", help="A CloudWatch Logs filter pattern.")
@click.option("--control", "control_id", metavar="ID", help="A catalogue control's pattern instead.")
@privileged_group_option
@format_option(
    "table", "jsonl", help="table: a line per event and a summary; jsonl: {source, index, matched} per event."
)
@click.option("--strict", is_flag=True, help="Exit 1 when any file or record was skipped (digest files excepted).")
@click.argument("files", nargs=-1, metavar="[FILE]...")
def test_command(
    pattern_text: str | None,
    control_id: str | None,
    privileged_groups: tuple[str, ...],
    fmt: str,
    strict: bool,
    files: tuple[str, ...],
) -> int:
    """Evaluate a pattern on the events in FILEs (standard input when none, or '-').

    Each FILE is a CloudTrail log file, a JSON array, one JSON object or JSON Lines, gzip or
    not; a directory is read recursively. Records that cannot be evaluated are reported on
    stderr. Exits 0 whatever matched (1 with --strict when input was skipped); 2 for an invalid
    pattern, or FILEs that give nothing to read (missing, s3://, an empty directory).
    """
    from trailwatch_constructs.cli.readers import Problem, check_inputs, iter_inputs
    from trailwatch_constructs.cli.replay import Evaluation, evaluate, principal_of, select_controls
    from trailwatch_constructs.filter_pattern import parse_filter_pattern

    if (pattern_text is None) == (control_id is None):
        raise click.UsageError("give exactly one of --pattern TEXT or --control ID")
    if pattern_text is not None:
        label = "the pattern"
        matcher = parse_filter_pattern(pattern_text).matches
    else:
        assert control_id is not None
        (control,) = select_controls([control_id], privileged_groups).controls
        label = control.id
        matcher = control.filter_pattern.matches
    paths = iter_inputs(files)
    check_inputs(paths)

    out = sys.stdout.buffer
    evaluated = matched = skipped = 0
    files_skipped: set[str] = set()
    damaged = False
    for item in evaluate(paths, matcher, stdin=_stdin()):
        if isinstance(item, Problem):
            where = item.source if item.index is None else f"{item.source} record {item.index}"
            click.echo(f"{PROG}: skipped {where}: {item.reason}", err=True)
            damaged = damaged or item.category != "digest"
            if item.kind == "record":
                skipped += 1
            elif item.kind == "file":
                files_skipped.add(item.source)
            continue
        assert isinstance(item, Evaluation)
        evaluated += 1
        matched += item.matched
        if fmt == "jsonl":
            out.write(orjson.dumps({"source": item.source, "index": item.index, "matched": item.matched}) + b"\n")
        else:
            name = item.record.get("eventName")
            out.write(
                (
                    f"{'MATCH' if item.matched else '-':<5}  {item.source} #{item.index}  "
                    f"{name if isinstance(name, str) else '(no eventName)'}  {principal_of(item.record)}\n"
                ).encode()
            )
    if fmt == "table":
        summary = f"{matched:,} of {evaluated:,} events matched {label}"
        if skipped or files_skipped:
            summary += f"; {skipped:,} records and {len(files_skipped):,} files skipped (see stderr)"
        out.write((summary + "\n").encode())
    out.flush()
    return 1 if strict and damaged else 0


# --- replay ---------------------------------------------------------------------------------------


@cli.command("replay", short_help="Evaluate the controls over a CloudTrail archive.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--control",
    "control_ids",
    multiple=True,
    metavar="ID",
    help="Evaluate only this control (repeatable); default: all.",
)
@privileged_group_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes reading files in parallel; 0: one per CPU.",
)
@format_option("table", "json", "markdown", help="Report format.")
@click.option(
    "--matches-out",
    type=click.Path(dir_okay=False),
    metavar="FILE.jsonl",
    help="Write one JSON line per match: control, file, index, eventID.",
)
@click.option("--top", "top_n", type=click.IntRange(min=1), default=5, show_default=True, help="Top values listed.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr. Default: when stderr is a terminal.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any file or record was skipped (digest files excepted).")
def replay_command(
    paths: tuple[str, ...],
    control_ids: tuple[str, ...],
    privileged_groups: tuple[str, ...],
    jobs: int,
    fmt: str,
    matches_out: str | None,
    top_n: int,
    progress: bool | None,
    strict: bool,
) -> int:
    """Evaluate the controls over every record under PATHs and report what matched.

    PATHs are files or directories (walked recursively, e.g. a local copy of the trail's bucket:
    AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, organization trails included);
    '-' is standard input. A PATH that does not exist, or PATHs that hold no log file, are a usage
    error. Digest files are skipped and counted; unreadable or invalid input is reported and
    skipped, and the run goes on.
    """
    from trailwatch_constructs.cli.readers import check_inputs
    from trailwatch_constructs.cli.replay import ReplayReport, replay, resolve_jobs, select_controls

    selection = select_controls(control_ids, privileged_groups)
    check_inputs(paths)
    report = ReplayReport(selection.controls, selection.not_selected)
    workers = resolve_jobs(jobs)
    show_progress = sys.stderr.isatty() if progress is None else progress

    started = time.perf_counter()
    matches_file = open(matches_out, "wb") if matches_out else None  # noqa: SIM115 - closed below
    try:
        results = replay(
            paths,
            selection.controls,
            jobs=workers,
            keep_matches=matches_file is not None,
            stdin=_stdin(),
        )
        with _Progress(paths, enabled=show_progress) as bar:
            for result in results:
                report.add(result)
                if matches_file is not None:
                    # Results arrive in file order and matches within a file in record order:
                    # the file is the same whatever --jobs is.
                    matches_file.writelines(
                        orjson.dumps(
                            {"control": m.control_id, "file": m.source, "index": m.index, "eventID": m.event_id}
                        )
                        + b"\n"
                        for m in result.matches
                    )
                bar.advance(result.events)
    finally:
        if matches_file is not None:
            matches_file.close()
    report.elapsed_seconds = time.perf_counter() - started

    _render_report(report, fmt, top_n)
    if strict and any(category != "digest" for category in report.problem_counts):
        return 1
    return 0


def _render_report(report: Any, fmt: str, top_n: int) -> None:
    from trailwatch_constructs.cli import report as render

    if fmt == "json":
        sys.stdout.buffer.write(render.report_json(report, top_n=top_n))
        sys.stdout.flush()
    elif fmt == "markdown":
        click.echo(render.report_markdown(report, top_n=top_n), nl=False)
    else:
        render.report_table(report, top_n=top_n, console=render.make_console())


class _Progress:
    """A rich progress bar on stderr, or nothing.

    It refreshes by hand (``auto_refresh=False``), at most ten times a second: rich's refresh
    thread would be running while the worker pool forks, and a forked thread-held lock can hang.
    """

    def __init__(self, paths: Sequence[str], *, enabled: bool) -> None:
        self._enabled = enabled
        self._paths = paths
        self._last = 0.0
        self._events = 0

    def __enter__(self) -> _Progress:
        if not self._enabled:
            return self
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from trailwatch_constructs.cli.readers import count_files

        total = count_files(self._paths)
        self._progress = Progress(
            TextColumn("replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[events]} events"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("replay", total=total, events="0")
        return self

    def advance(self, events: int) -> None:
        """One more file done, with ``events`` evaluated in it."""
        if not self._enabled:
            return
        self._events += events
        self._progress.update(self._task, advance=1, events=f"{self._events:,}")
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._progress.refresh()

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            self._progress.stop()


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name=PROG)


if __name__ == "__main__":
    main()
