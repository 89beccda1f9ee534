"""Rendering: every command's output, as a terminal table, JSON, JSON Lines or Markdown.

The JSON shapes are the CLI's machine interface (documented in docs/cli.md); the JSON replay
report is a pure function of the input (no timings), so two runs over the same files, with any
``--jobs``, print the same bytes.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import Final, Literal, assert_never

import click
import orjson

from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.catalog.auditors import Auditor
from trailwatch_constructs.cli import PROG
from trailwatch_constructs.cli.evaluation import Evaluation, EvaluationTally
from trailwatch_constructs.cli.problems import DIGEST, Problem
from trailwatch_constructs.cli.report_model import ReplayReport
from trailwatch_constructs.cli.statistics import ControlStats, notification_times, principal_of, top
from trailwatch_constructs.texts import auditor_matrix, compliance_evidence

ControlsFormat = Literal["table", "json"]
"""``trailwatch controls --format``; the first is the default."""
ComplianceFormat = Literal["markdown", "json"]
"""``trailwatch compliance --format``; the first is the default."""
TestFormat = Literal["table", "jsonl"]
"""``trailwatch test --format``; the first is the default."""
ReplayFormat = Literal["table", "json", "markdown"]
"""``trailwatch replay --format``; the first is the default."""

LISTED_IN_TABLE: Final = 20
"""Skipped items listed one by one in the table and Markdown reports (JSON lists more)."""


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def warning(message: str) -> None:
    """Prints ``trailwatch: warning: <message>`` on stderr.

    Args:
        message: one line.
    """
    click.echo(f"{PROG}: warning: {message}", err=True)


def note(message: str) -> None:
    """Prints ``trailwatch: note: <message>`` on stderr.

    Args:
        message: one line.
    """
    click.echo(f"{PROG}: note: {message}", err=True)


# --- the catalogue ------------------------------------------------------------------------------


def print_controls(controls: Sequence[ControlDefinition], fmt: ControlsFormat, *, needs_groups: bool) -> None:
    """Prints ``trailwatch controls``.

    Args:
        controls: the catalogue, in its order.
        fmt: ``table`` or ``json``.
        needs_groups: whether the privileged-group control is missing for want of group names.
    """
    match fmt:
        case "json":
            _write(controls_json(controls))
        case "table":
            from trailwatch_constructs.cli import tables  # rich takes ~40 ms to import: only for tables

            tables.controls_table(controls, needs_groups=needs_groups, console=tables.make_console())
        case _:
            assert_never(fmt)


def control_to_json(control: ControlDefinition) -> dict[str, object]:
    """Returns one catalogue entry in ``trailwatch controls --format json``.

    Args:
        control: a catalogue control.
    """
    return {
        "id": control.id,
        "title": control.title,
        "severity": control.severity.value,
        "references": [str(ref) for ref in control.references],
        "pattern": control.pattern,
        "metric_name": control.metric_name,
    }


def controls_json(controls: Sequence[ControlDefinition]) -> bytes:
    """Returns the catalogue as an indented JSON array, newline-terminated.

    Args:
        controls: the catalogue, in its order.
    """
    return orjson.dumps([control_to_json(c) for c in controls], option=orjson.OPT_INDENT_2) + b"\n"


# --- benchmark coverage -------------------------------------------------------------------------


def print_compliance(controls: Sequence[ControlDefinition], fmt: ComplianceFormat) -> None:
    """Prints ``trailwatch compliance``: which benchmark item each control covers.

    Args:
        controls: the selected controls.
        fmt: ``markdown`` or ``json``.
    """
    match fmt:
        case "json":
            _write(orjson.dumps(compliance_evidence.coverage_json(controls), option=orjson.OPT_INDENT_2) + b"\n")
        case "markdown":
            click.echo(compliance_evidence.coverage_markdown(controls), nl=False)
        case _:
            assert_never(fmt)


def print_auditor_matrix(
    controls: Sequence[ControlDefinition], auditors: Sequence[Auditor], fmt: ComplianceFormat
) -> None:
    """Prints ``trailwatch compliance --auditor``: each check of the auditors, and the filter passing it.

    Args:
        controls: the selected controls, deploying the auditors' texts.
        auditors: the auditors to report.
        fmt: ``markdown`` or ``json``.
    """
    match fmt:
        case "json":
            data = auditor_matrix.matrix_json(controls, auditors)
            _write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        case "markdown":
            click.echo(auditor_matrix.matrix_markdown(controls, auditors), nl=False)
        case _:
            assert_never(fmt)


# --- one pattern over events (trailwatch test) ----------------------------------------------------


def skipped_line(problem: Problem) -> str:
    """Returns the stderr line for input that ``trailwatch test`` could not evaluate.

    Args:
        problem: what was skipped, and why.
    """
    return f"{PROG}: skipped {problem.where}: {problem.reason}"


def evaluation_line(evaluation: Evaluation, fmt: TestFormat) -> bytes:
    """Returns one evaluated record's line of ``trailwatch test`` output.

    Args:
        evaluation: the record and whether it matched.
        fmt: ``table`` (for people) or ``jsonl`` (``{source, index, matched}``).
    """
    match fmt:
        case "jsonl":
            line = {"source": evaluation.source, "index": evaluation.index, "matched": evaluation.matched}
            return orjson.dumps(line) + b"\n"
        case "table":
            name = evaluation.record.get("eventName")
            verdict = "MATCH" if evaluation.matched else "-"
            event = name if isinstance(name, str) else "(no eventName)"
            where = f"{evaluation.source} #{evaluation.index}"
            return f"{verdict:<5}  {where}  {event}  {principal_of(evaluation.record)}\n".encode()
        case _:
            assert_never(fmt)


def evaluation_summary(tally: EvaluationTally, label: str) -> str:
    """Returns the last line of ``trailwatch test --format table``.

    Args:
        tally: the run's counts.
        label: what was tested: a control id, or ``the pattern``.
    """
    summary = f"{tally.matched:,} of {tally.evaluated:,} events matched {label}"
    if tally.records_skipped or tally.files_skipped:
        summary += f"; {tally.records_skipped:,} records and {len(tally.files_skipped):,} files skipped (see stderr)"
    return summary


# --- the replay report ----------------------------------------------------------------------------


def print_replay_report(report: ReplayReport, fmt: ReplayFormat, *, top_n: int) -> None:
    """Prints ``trailwatch replay``'s report.

    Args:
        report: the run's totals and statistics.
        fmt: ``table``, ``json`` or ``markdown``.
        top_n: how many top values to list per statistic.
    """
    match fmt:
        case "json":
            _write(report_json(report, top_n=top_n))
        case "markdown":
            click.echo(report_markdown(report, top_n=top_n), nl=False)
        case "table":
            from trailwatch_constructs.cli import tables  # rich takes ~40 ms to import: only for tables

            tables.report_table(report, top_n=top_n, console=tables.make_console())
        case _:
            assert_never(fmt)


def _top_json(values: Counter[str], n: int) -> list[dict[str, object]]:
    return [{"value": value, "count": count} for value, count in top(values, n)]


def control_report_json(control: ControlDefinition, stats: ControlStats, n: int) -> dict[str, object]:
    """Returns one control's entry in the replay report.

    Args:
        control: the control.
        stats: what it matched.
        n: how many top values to list.
    """
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
        "notifications": notifications(control, stats),
    }


def notifications(control: ControlDefinition, stats: ControlStats) -> int | None:
    """Returns how many notifications the control's alarm would have sent over the matches (None: not simulated).

    Args:
        control: the control, whose alarm settings decide.
        stats: what it matched.
    """
    times = notification_times(control.alarm, stats)
    return None if times is None else len(times)


def report_to_json(report: ReplayReport, *, top_n: int) -> dict[str, object]:
    """Returns the replay report as plain JSON-able data (the ``--format json`` shape).

    Args:
        report: the run's totals and statistics.
        top_n: how many top values to list per statistic.
    """
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
    """Returns ``--format json``: indented, newline-terminated.

    Args:
        report: the run's totals and statistics.
        top_n: how many top values to list per statistic.
    """
    return orjson.dumps(report_to_json(report, top_n=top_n), option=orjson.OPT_INDENT_2) + b"\n"


def _rate(report: ReplayReport) -> str:
    if report.elapsed_seconds <= 0:
        return ""
    rate = report.events / report.elapsed_seconds
    return f" in {report.elapsed_seconds:.1f} s ({rate:,.0f} events/s)"


def summary_lines(report: ReplayReport) -> list[str]:
    """Returns the totals, in words: the first lines of the table and Markdown reports.

    Args:
        report: the run's totals.
    """
    files = (
        f"Files: {report.files_found:,} found, {report.files_read:,} read"
        f" ({report.files_partial:,} only in part), {report.files_skipped:,} skipped"
    )
    records = (
        f"Records: {report.records_seen:,} seen, {report.events:,} evaluated, "
        f"{report.records_skipped:,} skipped{_rate(report)}"
    )
    return [files, records]


def listed_problems(report: ReplayReport) -> list[Problem]:
    """Returns the problems the table and Markdown reports list: digest files are only counted.

    Args:
        report: the run's totals.
    """
    # Digest files are expected in a trail's bucket: counted, not listed one by one.
    return [p for p in report.problems if p.category != DIGEST]


def category_counts(report: ReplayReport) -> list[tuple[str, int]]:
    """Returns how many problems of each category the run met, by category.

    Args:
        report: the run's totals.
    """
    return sorted(report.problem_counts.items())


def _md(text: str) -> str:
    """Returns a Markdown table cell: pipes escaped, newlines flattened."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_top(values: Counter[str], n: int) -> str:
    return "<br>".join(f"`{_md(value)}` ({count:,})" for value, count in top(values, n)) or "-"


def report_markdown(report: ReplayReport, *, top_n: int) -> str:
    """Returns ``--format markdown``: for pasting into a ticket or a pull request.

    Args:
        report: the run's totals and statistics.
        top_n: how many top values to list per statistic.
    """
    out = ["# trailwatch replay report", ""]
    out += [f"- {line}" for line in summary_lines(report)]
    out += [f"- Not evaluated: `{control_id}`: {reason}" for control_id, reason in report.not_selected]
    out += [
        "",
        "## Controls",
        "",
        "| Control | Severity | Matches | Principals | Notifications | Top principals | Top event names "
        "| Top source IPs | First event | Last event |",
        "|---|---|--:|--:|--:|---|---|---|---|---|",
    ]
    out += [_md_control_row(control, report.stats_for(control.id), top_n) for control in report.controls]
    if report.problem_counts:
        out += _md_skipped(report)
    return "\n".join(out) + "\n"


def _md_control_row(control: ControlDefinition, stats: ControlStats, top_n: int) -> str:
    alerts = notifications(control, stats)
    alerts_cell = "-" if alerts is None else f"{alerts:,}"
    return (
        f"| `{control.id}` | {control.severity.value} | {stats.matches:,} | {len(stats.principals):,} | {alerts_cell} "
        f"| {_md_top(stats.principals, top_n)} | {_md_top(stats.event_names, top_n)} "
        f"| {_md_top(stats.source_ips, top_n)} | {stats.first_event_time or '-'} "
        f"| {stats.last_event_time or '-'} |"
    )


def _md_skipped(report: ReplayReport) -> list[str]:
    out = ["", "## Skipped or damaged", "", "| Category | Count |", "|---|--:|"]
    out += [f"| {category} | {count:,} |" for category, count in category_counts(report)]
    listed = listed_problems(report)
    if listed:
        out += ["", "| File | Record | Reason |", "|---|--:|---|"]
    for problem in listed[:LISTED_IN_TABLE]:
        index = "-" if problem.index is None else str(problem.index)
        out.append(f"| `{_md(problem.source)}` | {index} | {_md(problem.reason)} |")
    hidden = max(len(listed) - LISTED_IN_TABLE, 0) + report.problems_omitted
    if hidden > 0:
        out.append(f"\n... and {hidden:,} more.")
    return out
