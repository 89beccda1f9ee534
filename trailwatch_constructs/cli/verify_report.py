"""``trailwatch verify``'s output: Security Hub's verdicts, other auditors', the fire drill's outcomes.

``--format json`` prints ``{"checks": [...]}``, plus ``"auditor_checks"`` when other auditors were
asked for and ``"fire_drill"`` after a drill; the table and Markdown formats show the same rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, assert_never

import click
import orjson

from trailwatch_constructs.aws.fire_drill import DrillResult
from trailwatch_constructs.aws.verdicts import AuditorResult, Check, Status, Verification

if TYPE_CHECKING:
    from rich.table import Table

    from trailwatch_constructs.cli.commands.verify import VerifyFormat

STATUS_STYLES: Final = {Status.PASSED: "green", Status.FAILED: "bold red", Status.WARNING: "yellow", Status.NO_DATA: ""}
"""How the table shows each status on a terminal."""


@dataclass(frozen=True)
class VerifyOutput:
    """What ``trailwatch verify`` prints.

    Attributes:
        verification: the verdicts.
        other_auditors: whether other auditors were asked for (their section is printed, even empty).
        drill: the fire drill's outcomes, or ``None`` without ``--fire-drill``.
    """

    verification: Verification
    other_auditors: bool = False
    drill: tuple[DrillResult, ...] | None = None

    @property
    def failed(self) -> bool:
        """Whether a check FAILED or a drilled alarm action showed no successful delivery: exit 1."""
        return self.verification.failed or any(r.failed for r in self.drill or ())


def print_output(output: VerifyOutput, fmt: VerifyFormat) -> None:
    """Prints the verdicts in one format on stdout.

    Args:
        output: what to print.
        fmt: ``table``, ``markdown`` or ``json``.
    """
    match fmt:
        case "json":
            click.echo(orjson.dumps(output_json(output), option=orjson.OPT_INDENT_2).decode())
        case "markdown":
            click.echo(output_markdown(output), nl=False)
        case "table":
            _print_tables(output)
        case _:
            assert_never(fmt)


def check_json(check: Check) -> dict[str, object]:
    """Returns one Security Hub verdict as ``--format json`` shows it.

    Args:
        check: the verdict.
    """
    return {"region": check.region, "control": check.control, "status": check.status.value, "reason": check.reason}


def auditor_json(result: AuditorResult) -> dict[str, object]:
    """Returns another auditor's verdict as ``--format json`` shows it.

    Args:
        result: the verdict.
    """
    return {
        "region": result.region,
        "auditor": result.auditor.value,
        "check": result.check,
        "control": result.control,
        "status": result.status.value,
        "reason": result.reason,
    }


def drill_json(result: DrillResult) -> dict[str, object]:
    """Returns one fire-drill outcome as ``--format json`` shows it.

    Args:
        result: the outcome of one alarm action.
    """
    return {
        "region": result.region,
        "control": result.control,
        "alarm": result.alarm,
        "action": result.action,
        "outcome": result.outcome.value,
        "detail": result.detail,
    }


def output_json(output: VerifyOutput) -> dict[str, object]:
    """Returns ``--format json``'s document.

    Args:
        output: what to print.
    """
    data: dict[str, object] = {"checks": [check_json(c) for c in output.verification.checks]}
    if output.other_auditors:
        data["auditor_checks"] = [auditor_json(r) for r in output.verification.auditor_results]
    if output.drill is not None:
        data["fire_drill"] = [drill_json(r) for r in output.drill]
    return data


def summary_line(output: VerifyOutput) -> str:
    """Returns how many checks ended in each status, and the drill's failures.

    Args:
        output: what to print.
    """
    statuses = output.verification.statuses
    counts = Counter(statuses)
    line = f"{len(statuses)} checks: " + ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
    if output.drill is not None:
        failed = sum(r.failed for r in output.drill)
        line += f"; fire drill: {len(output.drill)} action(s), {failed} without a successful delivery"
    return line


# --- the sections the table and Markdown formats share ---------------------------------------------


_Row = tuple[tuple[str, ...], Status | None]
"""A row's cells, and the status the table colours it by (a drill's row has none)."""


@dataclass(frozen=True)
class _Section:
    """A titled table: its header and rows."""

    title: str
    header: tuple[str, ...]
    rows: tuple[_Row, ...]


def _sections(output: VerifyOutput) -> list[_Section]:
    """Security Hub's verdicts; then other auditors' and the drill's outcomes, when asked for."""
    verification = output.verification
    sections = [
        _Section(
            "Security Hub",
            ("Region", "Control", "Status", "Reason"),
            tuple((_check_row(c), c.status) for c in verification.checks),
        )
    ]
    if output.other_auditors:
        rows = tuple((_auditor_row(r), r.status) for r in verification.auditor_results)
        sections.append(_Section("Other auditors", ("Region", "Check", "Control", "Status", "Reason"), rows))
    if output.drill is not None:
        header = ("Region", "Control", "Alarm", "Action", "Outcome", "Detail")
        sections.append(_Section("Fire drill", header, tuple((_drill_row(r), None) for r in output.drill)))
    return sections


def _check_row(check: Check) -> tuple[str, ...]:
    return check.region, check.control, check.status.value, check.reason


def _auditor_row(result: AuditorResult) -> tuple[str, ...]:
    return result.region, result.check, result.control, result.status.value, result.reason


def _drill_row(result: DrillResult) -> tuple[str, ...]:
    return result.region, result.control, result.alarm, result.action, result.outcome.value, result.detail


# --- Markdown -------------------------------------------------------------------------------------


def output_markdown(output: VerifyOutput) -> str:
    """Returns ``--format markdown``: for pasting into a ticket or a pull request.

    Args:
        output: what to print.
    """
    out = ["# trailwatch verify", "", f"- {summary_line(output)}"]
    for section in _sections(output):
        out += ["", f"## {section.title}", "", *_markdown_table(section)]
    return "\n".join(out) + "\n"


def _markdown_table(section: _Section) -> list[str]:
    lines = ["| " + " | ".join(section.header) + " |", "|" + "---|" * len(section.header)]
    return lines + ["| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |" for cells, _ in section.rows]


def _markdown_cell(text: str) -> str:
    """Returns a Markdown table cell: pipes escaped, newlines flattened."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# --- terminal tables ------------------------------------------------------------------------------


def _print_tables(output: VerifyOutput) -> None:
    from trailwatch_constructs.cli.tables import make_console  # rich takes ~40 ms to import: only for tables

    console = make_console()
    console.print(summary_line(output), soft_wrap=True)
    for section in _sections(output):
        console.print(_rich_table(section))


def _rich_table(section: _Section) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, title=section.title, title_justify="left")
    for name in section.header:
        table.add_column(name, overflow="fold", no_wrap=name in ("Region", "Status", "Outcome"))
    for cells, status in section.rows:
        # Text, not markup: an alarm or topic name may hold brackets.
        texts = [Text(cell) for cell in cells]
        if status is not None:
            texts[section.header.index("Status")].stylize(STATUS_STYLES[status])
        table.add_row(*texts)
    return table
