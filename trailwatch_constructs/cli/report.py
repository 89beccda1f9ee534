"""Rendering: the catalogue and replay reports as a terminal table, JSON or Markdown.

The JSON shapes are the CLI's machine interface (documented in docs/cli.md); the JSON replay
report is a pure function of the input (no timings), so two runs over the same files, with any
``--jobs``, print the same bytes.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from collections.abc import Sequence
from typing import Final

import orjson
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trailwatch_constructs.catalog import ControlDefinition, privileged_group_membership_changes
from trailwatch_constructs.cli.readers import Problem
from trailwatch_constructs.cli.replay import MAX_LISTED_PROBLEMS, ControlStats, ReplayReport, top

NEEDS_GROUPS_PATTERN: Final = "(needs --privileged-group NAME)"
"""What the catalogue table shows as the privileged-group control's pattern without groups."""
LISTED_IN_TABLE: Final = 20
"""Skipped items listed one by one in the table and Markdown reports (JSON lists more)."""


PIPE_WIDTH: Final = 200
"""Columns used when stdout is not a terminal (a file, a pipe) and ``COLUMNS`` is not set:
wide enough that tables are not folded at rich's default of 80."""


class _StdoutConsole(Console):
    """A console whose closed stdout raises :class:`BrokenPipeError`, like every other output path.

    rich's own handling exits with status 1; the CLI ends quietly with 0 instead, as Unix tools do.
    """

    def on_broken_pipe(self) -> None:
        """Raise, for the CLI to handle (rich calls this when a write fails with a broken pipe)."""
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def make_console() -> Console:
    """A console for stdout: the terminal's width, or :data:`PIPE_WIDTH` when not a terminal."""
    console = _StdoutConsole(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = _StdoutConsole(highlight=False, width=PIPE_WIDTH)
    return console


# --- the catalogue ------------------------------------------------------------------------------


def control_to_json(control: ControlDefinition) -> dict[str, object]:
    """One catalogue entry in ``trailwatch controls --format json``."""
    return {
        "id": control.id,
        "title": control.title,
        "severity": control.severity.value,
        "references": [str(ref) for ref in control.references],
        "pattern": control.pattern,
        "metric_name": control.metric_name,
    }


def controls_json(controls: Sequence[ControlDefinition]) -> bytes:
    """The catalogue as an indented JSON array, newline-terminated."""
    return orjson.dumps([control_to_json(c) for c in controls], option=orjson.OPT_INDENT_2) + b"\n"


def controls_table(controls: Sequence[ControlDefinition], *, needs_groups: bool, console: Console) -> None:
    """The catalogue as a table; a placeholder row for the privileged-group control without groups."""
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False)
    table.add_column("Id", no_wrap=True, style="bold")
    table.add_column("Severity", no_wrap=True)
    table.add_column("Title")
    table.add_column("References")
    table.add_column("Pattern", overflow="fold")
    for control in controls:
        table.add_row(
            control.id,
            control.severity.value,
            control.title,
            ", ".join(str(ref) for ref in control.references),
            Text(control.pattern),
        )
    if needs_groups:
        # Everything but the pattern comes from the real definition, built for a stand-in group.
        stand_in = privileged_group_membership_changes(["GROUP"])
        table.add_row(
            stand_in.id,
            stand_in.severity.value,
            stand_in.title,
            ", ".join(str(ref) for ref in stand_in.references),
            NEEDS_GROUPS_PATTERN,
        )
    console.print(table)


# --- the replay report ----------------------------------------------------------------------------


def _top_json(values: Counter[str], n: int) -> list[dict[str, object]]:
    return [{"value": value, "count": count} for value, count in top(values, n)]


def control_report_json(control: ControlDefinition, stats: ControlStats, n: int) -> dict[str, object]:
    """One control's entry in the replay report."""
    return {
        "title": control.title,
        "severity": control.severity.value,
        "matches": stats.matches,
        "principals": len(stats.principals),
        "top_principals": _top_json(stats.principals, n),
        "top_event_names": _top_json(stats.event_names, n),
        "top_source_ips": _top_json(stats.source_ips, n),
        "first_event_time": stats.first_event_time,
        "last_event_time": stats.last_event_time,
    }


def report_to_json(report: ReplayReport, *, top_n: int) -> dict[str, object]:
    """The replay report as plain JSON-able data (the ``--format json`` shape)."""
    return {
        "files_found": report.files_found,
        "files": report.files_read,
        "files_skipped": report.files_skipped,
        "files_partial": report.files_partial,
        "records_seen": report.records_seen,
        "events": report.events,
        "records_skipped": report.records_skipped,
        "skipped": [p.to_json() for p in report.problems],
        "skipped_omitted": report.problems_omitted,
        "skipped_by_category": dict(sorted(report.problem_counts.items())),
        "not_selected": [{"id": i, "reason": reason} for i, reason in report.not_selected],
        "controls": {c.id: control_report_json(c, report.stats_for(c.id), top_n) for c in report.controls},
    }


def report_json(report: ReplayReport, *, top_n: int) -> bytes:
    """``--format json``: indented, newline-terminated."""
    return orjson.dumps(report_to_json(report, top_n=top_n), option=orjson.OPT_INDENT_2) + b"\n"


def _where(problem: Problem) -> str:
    return problem.source if problem.index is None else f"{problem.source} record {problem.index}"


def _rate(report: ReplayReport) -> str:
    if report.elapsed_seconds <= 0:
        return ""
    rate = report.events / report.elapsed_seconds
    return f" in {report.elapsed_seconds:.1f} s ({rate:,.0f} events/s)"


def summary_lines(report: ReplayReport) -> list[str]:
    """The totals, in words: the first lines of the table and Markdown reports."""
    files = (
        f"Files: {report.files_found:,} found, {report.files_read:,} read"
        f" ({report.files_partial:,} only in part), {report.files_skipped:,} skipped"
    )
    records = (
        f"Records: {report.records_seen:,} seen, {report.events:,} evaluated, "
        f"{report.records_skipped:,} skipped{_rate(report)}"
    )
    return [files, records]


def report_table(report: ReplayReport, *, top_n: int, console: Console) -> None:
    """``--format table``: totals, what was skipped, a table of controls, then the top values of each match.

    Long values (ARNs, paths) are printed whole on their own lines (``soft_wrap``) rather than
    folded into narrow table cells, so that they stay searchable and copyable.
    """
    for line in summary_lines(report):
        console.print(line, soft_wrap=True)
    _print_skipped(report, console)
    for control_id, reason in report.not_selected:
        console.print(f"Not evaluated: {control_id}: {reason}", soft_wrap=True)
    console.print()
    table = Table(box=box.SIMPLE_HEAD, title="Controls", title_justify="left")
    # Four narrow columns fit an 80-column terminal; the time span goes in the details below.
    table.add_column("Control", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Matches", justify="right", no_wrap=True)
    table.add_column("Principals", justify="right", no_wrap=True)
    for control in report.controls:
        stats = report.stats_for(control.id)
        table.add_row(control.id, control.severity.value, f"{stats.matches:,}", f"{len(stats.principals):,}")
    console.print(table)
    for control in report.controls:
        stats = report.stats_for(control.id)
        if not stats.matches:
            continue
        console.print(Text(f"{control.id}: {control.title}, {stats.matches:,} matches", style="bold"), soft_wrap=True)
        console.print(
            f"  events from {stats.first_event_time or '?'} to {stats.last_event_time or '?'}", soft_wrap=True
        )
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
    counts = ", ".join(f"{category} {count:,}" for category, count in sorted(report.problem_counts.items()))
    console.print(f"Skipped or damaged: {counts}", soft_wrap=True)
    # Digest files are expected in a trail's bucket: counted above, not listed one by one.
    listed = [p for p in report.problems if p.category != "digest"]
    for problem in listed[:LISTED_IN_TABLE]:
        console.print(Text(f"  {_where(problem)}: {problem.reason}"), soft_wrap=True)
    hidden = len(listed) - LISTED_IN_TABLE
    if hidden > 0 or report.problems_omitted:
        more = max(hidden, 0) + report.problems_omitted
        console.print(f"  ... and {more:,} more (--format json lists up to {MAX_LISTED_PROBLEMS:,})", soft_wrap=True)


def _md(text: str) -> str:
    """A Markdown table cell: pipes escaped, newlines flattened."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_top(values: list[tuple[str, int]]) -> str:
    return "<br>".join(f"`{_md(value)}` ({count:,})" for value, count in values) or "-"


def report_markdown(report: ReplayReport, *, top_n: int) -> str:
    """``--format markdown``: for pasting into a ticket or a pull request."""
    out = ["# trailwatch replay report", ""]
    out += [f"- {line}" for line in summary_lines(report)]
    for control_id, reason in report.not_selected:
        out.append(f"- Not evaluated: `{control_id}`: {reason}")
    out += [
        "",
        "## Controls",
        "",
        "| Control | Severity | Matches | Principals | Top principals | Top event names | Top source IPs "
        "| First event | Last event |",
        "|---|---|--:|--:|---|---|---|---|---|",
    ]
    for control in report.controls:
        stats = report.stats_for(control.id)
        out.append(
            f"| `{control.id}` | {control.severity.value} | {stats.matches:,} | {len(stats.principals):,} "
            f"| {_md_top(top(stats.principals, top_n))} | {_md_top(top(stats.event_names, top_n))} "
            f"| {_md_top(top(stats.source_ips, top_n))} | {stats.first_event_time or '-'} "
            f"| {stats.last_event_time or '-'} |"
        )
    if report.problem_counts:
        out += ["", "## Skipped or damaged", "", "| Category | Count |", "|---|--:|"]
        out += [f"| {category} | {count:,} |" for category, count in sorted(report.problem_counts.items())]
        listed = [p for p in report.problems if p.category != "digest"]
        if listed:
            out += ["", "| File | Record | Reason |", "|---|--:|---|"]
        for problem in listed[:LISTED_IN_TABLE]:
            index = "-" if problem.index is None else str(problem.index)
            out.append(f"| `{_md(problem.source)}` | {index} | {_md(problem.reason)} |")
        hidden = max(len(listed) - LISTED_IN_TABLE, 0) + report.problems_omitted
        if hidden > 0:
            out.append(f"\n... and {hidden:,} more.")
    return "\n".join(out) + "\n"
