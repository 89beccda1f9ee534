"""``trailwatch compliance``: which benchmark items a selection of controls covers."""

from __future__ import annotations

import click

from trailwatch_constructs.catalog.auditors import Auditor, deployed_texts
from trailwatch_constructs.catalog.selection import resolve_selection
from trailwatch_constructs.cli import report
from trailwatch_constructs.cli.options import auditor_choice_option, format_option, privileged_group_option


@click.command("compliance", short_help="Show which benchmark items the controls cover.")
@format_option(report.ComplianceFormat)
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
@auditor_choice_option(
    "Print the auditor matrix for this auditor instead (repeatable): each of its checks, and the "
    "deployed filter that satisfies it when the controls deploy the texts of every --auditor given."
)
def compliance_command(
    fmt: report.ComplianceFormat,
    privileged_groups: tuple[str, ...],
    included: tuple[str, ...],
    excluded: tuple[str, ...],
    variants: tuple[str, ...],
    auditors: tuple[str, ...],
) -> int:
    """For CIS AWS Foundations 1.2.0, 1.4.0, 3.0.0 and Security Hub CloudWatch.1-14: which control
    covers each item, and whether its pattern is Security Hub's exact text. With --auditor: for
    each check of those auditors, the deployed filter that passes it.

    The selection options mirror CloudTrailSecurityMonitoring's, so the report describes what a
    stack with the same options (and auditors=) deploys.
    """
    selection = resolve_selection(
        include=included or None, exclude=excluded, privileged_groups=privileged_groups, tuned_variants=variants
    )
    if selection.problems:
        raise click.UsageError("; ".join(selection.problems))
    if auditors:
        chosen = [Auditor(a) for a in auditors]
        deployed = [c.deploying(deployed_texts(c, chosen)) for c in selection.controls]
        report.print_auditor_matrix(deployed, chosen, fmt)
    else:
        report.print_compliance(selection.controls, fmt)
    return 0
