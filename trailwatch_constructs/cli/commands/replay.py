"""``trailwatch replay``: every control over a CloudTrail archive, and a report of what matched."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from typing import BinaryIO

import click
import orjson

from trailwatch_constructs.catalog.auditors import ALL_AUDITORS
from trailwatch_constructs.catalog.definition import Language
from trailwatch_constructs.cli import report
from trailwatch_constructs.cli.html_report import render_html
from trailwatch_constructs.cli.inputs import check_inputs, is_s3, reading_s3
from trailwatch_constructs.cli.options import (
    alarm_override_option,
    auditor_option,
    aws_connection_options,
    format_option,
    privileged_group_option,
    stdin,
    strict_option,
)
from trailwatch_constructs.cli.pool import replay, resolve_jobs
from trailwatch_constructs.cli.progress import Progress
from trailwatch_constructs.cli.report_model import FileResult, ReplayReport
from trailwatch_constructs.cli.selection import not_selected, select_controls, with_alarm_overrides, with_variants


@click.command("replay", short_help="Evaluate the controls over a CloudTrail archive.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--control",
    "control_ids",
    multiple=True,
    metavar="ID",
    help="Evaluate only this control (repeatable); default: all.",
)
@privileged_group_option
@auditor_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes reading files in parallel; 0: one per CPU.",
)
@format_option(report.ReplayFormat, help="Report format.")
@click.option(
    "--matches-out",
    type=click.Path(dir_okay=False),
    metavar="FILE.jsonl",
    help="Write one JSON line per match: control, file, index, eventID.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    metavar="FILE.html",
    help="Also write the report as one self-contained HTML page: per control, matches and simulated "
    "alarm notifications per day (per hour for short spans), top values.",
)
@click.option(
    "--language",
    type=click.Choice([language.value for language in Language]),
    default=Language.EN.value,
    show_default=True,
    help="Language of the HTML report's labels and control titles.",
)
@click.option(
    "--compare-variants",
    is_flag=True,
    help="Also evaluate each selected control's tuned variants, reported next to it.",
)
@click.option("--top", "top_n", type=click.IntRange(min=1), default=5, show_default=True, help="Top values listed.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr. Default: when stderr is a terminal.",
)
@aws_connection_options("the S3 calls of s3:// PATHs")
@alarm_override_option
@strict_option
def replay_command(
    paths: tuple[str, ...],
    control_ids: tuple[str, ...],
    privileged_groups: tuple[str, ...],
    auditors: tuple[str, ...],
    jobs: int,
    fmt: report.ReplayFormat,
    matches_out: str | None,
    html_path: str | None,
    language: str,
    compare_variants: bool,
    top_n: int,
    progress: bool | None,
    endpoint_url: str | None,
    profile: str | None,
    alarm_overrides: dict[str, dict[str, object]],
    strict: bool,
) -> int:
    """Evaluate the controls over every record under PATHs and report what matched.

    PATHs are files or directories (walked recursively, e.g. a local copy of the trail's bucket:
    AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, organization trails included),
    s3://bucket/prefix addresses (every object under the prefix, read with the usual AWS
    credential chain or --profile); '-' is standard input. A PATH that does not exist, or PATHs
    that hold no log file, are a usage error; an S3 listing that fails ends the run. Digest files
    are skipped and counted; unreadable or invalid input is reported and skipped, and the run goes on.
    """
    selection = select_controls(control_ids, privileged_groups, auditors or ALL_AUDITORS)
    controls = with_variants(selection.controls) if compare_variants else selection.controls
    controls = with_alarm_overrides(controls, alarm_overrides)
    totals = ReplayReport(controls, not_selected(selection))
    show_progress = sys.stderr.isatty() if progress is None else progress
    with _reading_s3(paths, profile=profile, endpoint_url=endpoint_url):
        check_inputs(paths)
        started = time.perf_counter()
        with _matches_file(matches_out) as matches, Progress(paths, enabled=show_progress) as bar:
            keep = matches is not None
            span = html_path is not None  # only the page shows the events' time span
            run = replay(paths, controls, jobs=resolve_jobs(jobs), keep_matches=keep, keep_span=span, stdin=stdin())
            for result in run:
                totals.add(result)
                _write_matches(result, matches)
                bar.advance(result.events)
    totals.elapsed_seconds = time.perf_counter() - started
    report.print_replay_report(totals, fmt, top_n=top_n)
    if html_path is not None:
        _write_html(html_path, render_html(totals, top_n=top_n, language=Language(language)))
    return 1 if strict and totals.damaged else 0


@contextlib.contextmanager
def _reading_s3(paths: Sequence[str], *, profile: str | None, endpoint_url: str | None) -> Iterator[None]:
    """Reads the ``s3://`` PATHs with boto3 within the block; a failed listing is one click error (exit 1).

    boto3 takes over 100 ms to load: only a run with an S3 path imports it.
    """
    if not any(map(is_s3, paths)):
        yield
        return
    from trailwatch_constructs.aws import AwsCallError
    from trailwatch_constructs.aws.s3_archive import S3Archive

    try:
        with reading_s3(S3Archive(profile=profile, endpoint_url=endpoint_url)):
            yield
    except AwsCallError as err:
        raise click.ClickException(str(err)) from err


def _write_html(path: str, page: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(page)
    except OSError as err:
        raise click.ClickException(f"cannot write the HTML report to {path!r}: {err.strerror or err}") from err


def _matches_file(path: str | None) -> contextlib.AbstractContextManager[BinaryIO | None]:
    """Returns ``--matches-out`` opened for writing, or nothing to write to."""
    return open(path, "wb") if path else contextlib.nullcontext()


def _write_matches(result: FileResult, matches: BinaryIO | None) -> None:
    # Results arrive in file order and matches within a file in record order: the file is the
    # same whatever --jobs is.
    if matches is not None:
        matches.writelines(orjson.dumps(match.to_json()) + b"\n" for match in result.matches)
