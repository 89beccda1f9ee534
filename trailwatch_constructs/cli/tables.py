"""Terminal tables, drawn with rich: the catalogue, and the replay report's table format."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from typing import Final

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trailwatch_constructs.catalog import ControlDefinition, privileged_group_membership_changes
from trailwatch_constructs.cli.report import (
    LISTED_IN_TABLE,
    category_counts,
    listed_problems,
    notifications,
    summary_lines,
)
from trailwatch_constructs.cli.report_model import MAX_LISTED_PROBLEMS, ReplayReport
from trailwatch_constructs.cli.statistics import ControlStats, top

NEEDS_GROUPS_PATTERN: Final = "(needs --privileged-group NAME)"
"""What the catalogue table shows as the privileged-group control's pattern without groups."""
PIPE_WIDTH: Final = 200
"""Columns used when stdout is not a terminal (a file, a pipe) and ``COLUMNS`` is not set:
wide enough that tables are not folded at rich's default of 80."""


class _StdoutConsole(Console):
    """A console whose closed stdout raises :class:`BrokenPipeError`, like every other output path.

    rich's own handling exits with status 1; the CLI ends quietly with 0 instead, as Unix tools do.
    """

    def on_broken_pipe(self) -> None:
        """Raises, for the CLI to handle (rich calls this when a write fails with a broken pipe)."""
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def make_console() -> Console:
    """Returns a console for stdout: the terminal's width, or :data:`PIPE_WIDTH` when not a terminal."""
    console = _StdoutConsole(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = _StdoutConsole(highlight=False, width=PIPE_WIDTH)
    return console


def controls_table(controls: Sequence[ControlDefinition], *, needs_groups: bool, console: Console) -> None:
    """Prints the catalogue as a table; a placeholder row for the privileged-group control without groups.

    Args:
        controls: the catalogue, in its order.
        needs_groups: whether to add the placeholder row.
        console: where to print.
    """
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False)
    table.add_column("Id", no_wrap=True, style="bold")
    table.add_column("Severity", no_wrap=True)
    table.add_column("Title")
    table.add_column("References")
    table.add_column("Pattern", overflow="fold")
    for control in controls:
        table.add_row(*_control_row(control), Text(control.pattern))
    if needs_groups:
        # Everything but the pattern comes from the real definition, built for a stand-in group.
        table.add_row(*_control_row(privileged_group_membership_changes(["GROUP"])), NEEDS_GROUPS_PATTERN)
    console.print(table)


def _control_row(control: ControlDefinition) -> tuple[str, str, str, str]:
    return control.id, control.severity.value, control.title, ", ".join(str(ref) for ref in control.references)


def report_table(report: ReplayReport, *, top_n: int, console: Console) -> None:
    """Prints ``--format table``: totals, what was skipped, a table of controls, then each one's top values.

    Long values (ARNs, paths) are printed whole on their own lines (``soft_wrap``) rather than
    folded into narrow table cells, so that they stay searchable and copyable.

    Args:
        report: the run's totals and statistics.
        top_n: how many top values to list per statistic.
        console: where to print.
    """
    for line in summary_lines(report):
        console.print(line, soft_wrap=True)
    _print_skipped(report, console)
    for control_id, reason in report.not_selected:
        console.print(f"Not evaluated: {control_id}: {reason}", soft_wrap=True)
    console.print()
    console.print(_controls_table(report))
    for control in report.controls:
        if report.stats_for(control.id).matches:
            _print_details(control, report.stats_for(control.id), top_n, console)


def _controls_table(report: ReplayReport) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Controls", title_justify="left")
    # Five narrow columns fit an 80-column terminal; the time span goes in the details below.
    table.add_column("Control", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Matches", justify="right", no_wrap=True)
    table.add_column("Principals", justify="right", no_wrap=True)
    table.add_column("Alerts", justify="right", no_wrap=True)
    for control in report.controls:
        stats = report.stats_for(control.id)
        alerts = notifications(control, stats)
        row = (f"{stats.matches:,}", f"{len(stats.principals):,}", "-" if alerts is None else f"{alerts:,}")
        table.add_row(control.id, control.severity.value, *row)
    return table


def _print_details(control: ControlDefinition, stats: ControlStats, top_n: int, console: Console) -> None:
    console.print(Text(f"{control.id}: {control.title}, {stats.matches:,} matches", style="bold"), soft_wrap=True)
    console.print(f"  events from {stats.first_event_time or '?'} to {stats.last_event_time or '?'}", soft_wrap=True)
    for label, values in (
        (f"principals ({len(stats.principals):,} distinct)", stats.principals),
        ("event names", stats.event_names),
        ("source IPs", stats.source_ips),
    ):
        console.print(f"  {label}:", soft_wrap=True)
        for value, count in top(values, top_n):
            console.print(Text(f"    {count:>7,}  {value}"), soft_wrap=True)
    console.print()


def _print_skipped(report: ReplayReport, console: Console) -> None:
    if not report.problem_counts:
        return
    counts = ", ".join(f"{category} {count:,}" for category, count in category_counts(report))
    console.print(f"Skipped or damaged: {counts}", soft_wrap=True)
    listed = listed_problems(report)
    for problem in listed[:LISTED_IN_TABLE]:
        console.print(Text(f"  {problem.where}: {problem.reason}"), soft_wrap=True)
    more = max(len(listed) - LISTED_IN_TABLE, 0) + report.problems_omitted
    if more:
        console.print(f"  ... and {more:,} more (--format json lists up to {MAX_LISTED_PROBLEMS:,})", soft_wrap=True)
