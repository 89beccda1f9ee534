"""Compliance evidence: which control covers each benchmark item, and whether its text is the prescribed one.

Shared by ``trailwatch compliance``, the generated ``docs/compliance.md`` and the CDK aspect that
checks a stack. Security Hub checks CloudWatch.1-14 by comparing the metric filter's pattern with
the prescribed text, so "covered" there means "deployed with that exact text".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trailwatch_constructs.catalog.controls import STATIC_CONTROLS
from trailwatch_constructs.catalog.definition import ControlDefinition, Framework

BENCHMARK_ITEMS: dict[Framework, tuple[str, ...]] = {
    Framework.SECURITY_HUB: tuple(f"CloudWatch.{n}" for n in range(1, 15)),
    Framework.CIS_1_2_0: ("1.1", *(f"3.{n}" for n in range(1, 15))),
    Framework.CIS_1_4_0: ("1.7", *(f"4.{n}" for n in range(1, 16))),
    Framework.CIS_3_0_0: tuple(f"4.{n}" for n in range(1, 17)),
}
"""The monitoring items (and the root-usage items Security Hub maps to CloudWatch.1) per framework."""

NOT_COVERED_NOTES = {
    (Framework.CIS_3_0_0, "4.16"): "Ensure AWS Security Hub is enabled: an account setting, not a metric filter.",
}

PRESCRIBED_PATTERNS: dict[str, str] = {
    c.security_hub_control: c.pattern for c in STATIC_CONTROLS if c.security_hub_control is not None
}
"""Security Hub control -> the pattern text its check requires (the catalogue's text)."""


@dataclass(frozen=True)
class CoverageRow:
    """One benchmark item and the deployed control that covers it, if any."""

    framework: Framework
    item: str
    control_id: str | None
    exact_security_hub_text: bool | None
    """For Security Hub items: whether the deployed pattern is the prescribed text; else ``None``."""
    note: str = ""


@dataclass(frozen=True)
class Prerequisite:
    """Another Security Hub requirement the sample app meets, and how."""

    control: str
    requirement: str
    how: str


PREREQUISITES = (
    Prerequisite(
        "CloudTrail.1",
        "a multi-region trail logging all read and write management events",
        "TrailOptions() creates one (IsMultiRegionTrail, ReadWriteType All, no excluded sources)",
    ),
    Prerequisite(
        "CloudWatch.16",
        "CloudWatch log groups retained for at least one year",
        "the trail's log group keeps events 365 days; shorter retention is rejected",
    ),
    Prerequisite("CloudWatch.15", "alarms have an action for the ALARM state", "every alarm notifies the SNS topic"),
    Prerequisite("CloudWatch.17", "alarm actions are activated", "every alarm has ActionsEnabled true"),
    Prerequisite(
        "CloudWatch.1-14",
        "the alarm's SNS topic has at least one subscriber",
        "alarm_emails subscribes each address (the sample app subscribes the -c trailwatch:alarmEmail one)",
    ),
)


def coverage(controls: Sequence[ControlDefinition]) -> list[CoverageRow]:
    """Every benchmark item with the control that covers it.

    Args:
        controls: the deployed (or selected) controls.

    Returns:
        One row per item of :data:`BENCHMARK_ITEMS`, in framework then item order; the first
        control in ``controls`` covering an item is its control.
    """
    rows: list[CoverageRow] = []
    for framework, items in BENCHMARK_ITEMS.items():
        for item in items:
            covering = [c for c in controls if item in c.references_for(framework)]
            control = covering[0] if covering else None
            exact: bool | None = None
            if framework is Framework.SECURITY_HUB:
                exact = control is not None and control.pattern == PRESCRIBED_PATTERNS[item]
            note = NOT_COVERED_NOTES.get((framework, item), "")
            if control is not None and exact is False:
                note = f"{control.id} does not use the prescribed text; Security Hub's exact-text check fails"
            rows.append(CoverageRow(framework, item, control.id if control else None, exact, note))
    return rows


def coverage_json(controls: Sequence[ControlDefinition]) -> dict[str, object]:
    """:func:`coverage` and the prerequisites as plain JSON data.

    Args:
        controls: the deployed (or selected) controls.

    Returns:
        ``{"items": [...], "prerequisites": [...]}``.
    """
    return {
        "items": [
            {
                "framework": r.framework.value,
                "item": r.item,
                "control": r.control_id,
                "exact_security_hub_text": r.exact_security_hub_text,
                "note": r.note,
            }
            for r in coverage(controls)
        ],
        "prerequisites": [{"control": p.control, "requirement": p.requirement, "how": p.how} for p in PREREQUISITES],
    }


def coverage_markdown(controls: Sequence[ControlDefinition]) -> str:
    """:func:`coverage` as Markdown tables, one per framework, then the prerequisites.

    Args:
        controls: the deployed (or selected) controls.

    Returns:
        The Markdown text.
    """
    rows = coverage(controls)
    out: list[str] = []
    for framework in BENCHMARK_ITEMS:
        out.append(f"## {framework.value}\n\n")
        exact_column = framework is Framework.SECURITY_HUB
        out.append(
            "| item | control | exact Security Hub text | note |\n|---|---|---|---|\n"
            if exact_column
            else "| item | control | note |\n|---|---|---|\n"
        )
        for r in (r for r in rows if r.framework is framework):
            control = f"`{r.control_id}`" if r.control_id else "not covered"
            if exact_column:
                out.append(f"| {r.item} | {control} | {'yes' if r.exact_security_hub_text else 'no'} | {r.note} |\n")
            else:
                out.append(f"| {r.item} | {control} | {r.note} |\n")
        out.append("\n")
    out.append(
        "## Other Security Hub requirements the sample app meets\n\n| control | requirement | how |\n|---|---|---|\n"
    )
    out += [f"| {p.control} | {p.requirement} | {p.how} |\n" for p in PREREQUISITES]
    return "".join(out)
