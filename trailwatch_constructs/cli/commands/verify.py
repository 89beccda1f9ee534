"""``trailwatch verify``: check an AWS account as Security Hub checks CloudTrail.1 and CloudWatch.1-17."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal

import click

from trailwatch_constructs.catalog import STATIC_CONTROLS, ControlDefinition
from trailwatch_constructs.catalog.auditors import Auditor
from trailwatch_constructs.cli.options import aws_connection_options, format_option, timeout_option

if TYPE_CHECKING:
    from trailwatch_constructs.aws import SessionClients
    from trailwatch_constructs.aws.fire_drill import DrillResult
    from trailwatch_constructs.aws.verdicts import Verification
    from trailwatch_constructs.cli.verify_report import VerifyOutput

VerifyFormat = Literal["table", "markdown", "json"]
"""``trailwatch verify --format``; the first is the default."""
CONTROL_CHOICES: Final = tuple(c.id for c in STATIC_CONTROLS) + tuple(
    c.security_hub_control for c in STATIC_CONTROLS if c.security_hub_control
)
"""What ``--control`` accepts: a catalogue id, or the Security Hub control it covers."""


@click.command("verify", short_help="Check an AWS account's trail alarms as Security Hub does.")
@format_option(VerifyFormat)
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="REGION",
    help="Region to check (repeatable); default: the session's Region (AWS_REGION, the profile's).",
)
@aws_connection_options("every AWS call")
@click.option(
    "--auditor",
    "auditors",
    multiple=True,
    type=click.Choice([a.value for a in Auditor]),
    help="Also report this auditor's checks of the controls (repeatable); Security Hub's are always reported.",
)
@click.option(
    "--control",
    "control_ids",
    multiple=True,
    type=click.Choice(CONTROL_CHOICES),
    metavar="ID",
    help="Check (and drill) only this control: a catalogue id or CloudWatch.N (repeatable); default: all.",
)
@click.option(
    "--fire-drill",
    "drill",
    is_flag=True,
    help="Then set each alarm of the controls to ALARM, wait for its actions' outcome in the alarm "
    "history, and set it back to OK (which runs its OK actions). An alarm in ALARM is left alone.",
)
@timeout_option(60.0, help="How long the fire drill waits for the actions' outcome.")
def verify_command(
    fmt: VerifyFormat,
    regions: tuple[str, ...],
    endpoint_url: str | None,
    profile: str | None,
    auditors: tuple[str, ...],
    control_ids: tuple[str, ...],
    drill: bool,
    timeout: float,
) -> int:
    """Re-run Security Hub's audit of CloudTrail.1 and CloudWatch.1-17 against an AWS account, with
    boto3 and the usual credentials: per Region and control, PASSED, FAILED, WARNING or NO_DATA, and why.

    CloudWatch.1-14 need a multi-Region trail of the account, based in the Region, logging every
    management event to a log group with a metric filter of the control's exact text, an alarm on
    its metric with an enabled SNS action, and a confirmed subscription to the topic.

    Exit 1 when any check FAILED, or a drilled alarm action showed no successful delivery.
    """
    # Imported here: the AWS code and its report are not needed for the other commands' start.
    from trailwatch_constructs.cli.verify_report import print_output

    output = _check_account(
        profile=profile,
        endpoint_url=endpoint_url,
        regions=regions,
        controls=_selected_controls(control_ids),
        auditors=[Auditor(a) for a in auditors],
        drill_timeout=timeout if drill else None,
    )
    print_output(output, fmt)
    return 1 if output.failed else 0


def _selected_controls(control_ids: Sequence[str]) -> tuple[ControlDefinition, ...]:
    if not control_ids:
        return STATIC_CONTROLS
    return tuple(c for c in STATIC_CONTROLS if c.id in control_ids or c.security_hub_control in control_ids)


def _check_account(
    *,
    profile: str | None,
    endpoint_url: str | None,
    regions: Sequence[str],
    controls: Sequence[ControlDefinition],
    auditors: Sequence[Auditor],
    drill_timeout: float | None,
) -> VerifyOutput:
    """Runs the checks, then the fire drill when it has a timeout; a failed AWS call is one click error."""
    from trailwatch_constructs.aws import AwsCallError, SessionClients
    from trailwatch_constructs.aws.verify import other_auditors, verify
    from trailwatch_constructs.cli.verify_report import VerifyOutput

    others = other_auditors(auditors)
    try:
        clients = SessionClients(profile=profile, endpoint_url=endpoint_url)
        verification = verify(clients, regions or (_session_region(clients),), controls=controls, auditors=others)
        drill = None if drill_timeout is None else _fire_drill(clients, verification, controls, others, drill_timeout)
    except AwsCallError as err:
        raise click.ClickException(str(err)) from err
    return VerifyOutput(verification, other_auditors=bool(others), drill=drill)


def _session_region(clients: SessionClients) -> str:
    if clients.region is None:
        raise click.UsageError("no Region to check: pass --region REGION, or set AWS_REGION or a profile's region")
    return clients.region


def _fire_drill(
    clients: SessionClients,
    verification: Verification,
    controls: Sequence[ControlDefinition],
    auditors: Sequence[Auditor],
    timeout: float,
) -> tuple[DrillResult, ...]:
    from trailwatch_constructs.aws.fire_drill import Pace, drill_targets, fire_drill

    targets = drill_targets(verification.views, controls, auditors)
    return fire_drill(clients, targets, Pace(timeout=timeout))
