"""``trailwatch test``: one pattern, or one control's, over events from files or standard input."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from trailwatch_constructs.catalog.auditors import ALL_AUDITORS
from trailwatch_constructs.cli import report
from trailwatch_constructs.cli.evaluation import EvaluationTally, evaluate
from trailwatch_constructs.cli.inputs import check_inputs, iter_inputs
from trailwatch_constructs.cli.options import (
    auditor_option,
    format_option,
    privileged_group_option,
    stdin,
    strict_option,
)
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.selection import select_controls
from trailwatch_constructs.filter_pattern import FilterPattern, parse_filter_pattern


@click.command("test", short_help="Evaluate one pattern or control on events.")
@click.option("--pattern", "pattern_text", metavar="TEXT", help="A CloudWatch Logs filter pattern.")
@click.option("--control", "control_id", metavar="ID", help="A catalogue control's pattern instead.")
@privileged_group_option
@auditor_option
@format_option(
    report.TestFormat, help="table: a line per event and a summary; jsonl: {source, index, matched} per event."
)
@strict_option
@click.argument("files", nargs=-1, metavar="[FILE]...")
def test_command(
    pattern_text: str | None,
    control_id: str | None,
    privileged_groups: tuple[str, ...],
    auditors: tuple[str, ...],
    fmt: report.TestFormat,
    strict: bool,
    files: tuple[str, ...],
) -> int:
    """Evaluate a pattern on the events in FILEs (standard input when none, or '-').

    Each FILE is a CloudTrail log file, a JSON array, one JSON object or JSON Lines, gzip or
    not; a directory is read recursively. Records that cannot be evaluated are reported on
    stderr. Exits 0 whatever matched (1 with --strict when input was skipped); 2 for an invalid
    pattern, or FILEs that give nothing to read (missing, s3://, an empty directory).
    """
    label, pattern = _pattern(pattern_text, control_id, privileged_groups, auditors or ALL_AUDITORS)
    for trap in pattern.warnings:
        report.warning(f"the pattern, {trap}")
    paths = iter_inputs(files)
    check_inputs(paths)
    tally = EvaluationTally()
    out = sys.stdout.buffer
    for item in evaluate(paths, pattern.matches, stdin=stdin()):
        tally.add(item)
        if isinstance(item, Problem):
            click.echo(report.skipped_line(item), err=True)
        else:
            out.write(report.evaluation_line(item, fmt))
    if fmt == "table":
        out.write((report.evaluation_summary(tally, label) + "\n").encode())
    out.flush()
    return 1 if strict and tally.damaged else 0


def _pattern(
    pattern_text: str | None, control_id: str | None, privileged_groups: tuple[str, ...], auditors: Sequence[str]
) -> tuple[str, FilterPattern]:
    """Returns what ``--pattern`` or ``--control`` names: its label in the summary, and its pattern.

    A control's pattern is what its deployed filters match together (``--auditor``).
    """
    if pattern_text is not None and control_id is None:
        return "the pattern", parse_filter_pattern(pattern_text)
    if control_id is not None and pattern_text is None:
        (control,) = select_controls([control_id], privileged_groups, auditors).controls
        return control.id, control.filter_pattern
    raise click.UsageError("give exactly one of --pattern TEXT or --control ID")
