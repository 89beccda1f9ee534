"""Options and arguments that several commands share, and standard input as the commands read it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, BinaryIO, Final, TypeVar, cast, get_args
from urllib.parse import urlsplit

import click

from trailwatch_constructs.catalog.auditors import Auditor
from trailwatch_constructs.catalog.definition import Statistic, TreatMissingData

F = TypeVar("F", bound=Callable[..., Any])

privileged_group_option = click.option(
    "--privileged-group",
    "privileged_groups",
    multiple=True,
    metavar="NAME",
    help="IAM group whose membership changes alarm (repeatable); enables privileged-group-membership-changes.",
)


def auditor_choice_option(help: str) -> Callable[[F], F]:
    """Returns ``--auditor`` (repeatable, one of the catalogue's auditors), stored as ``auditors``.

    Args:
        help: what the option does in this command.
    """
    choices = click.Choice([a.value for a in Auditor])
    return click.option("--auditor", "auditors", multiple=True, type=choices, help=help)


auditor_option = auditor_choice_option(
    "Auditor whose accepted texts the controls deploy (repeatable); default: every auditor, as "
    "CloudTrailSecurityMonitoring does. A control matches what any of its deployed filters match."
)

ALARM_SETTINGS: Final = {
    "threshold": float,
    "evaluation_periods": int,
    "datapoints_to_alarm": int,
    "period_seconds": int,
    "statistic": Statistic,
    "treat_missing_data": TreatMissingData,
}
"""The AlarmSettings fields ``--alarm`` sets, each with the type its text is read as (enums by CloudWatch's value)."""


def parse_alarm_override(text: str) -> tuple[str, dict[str, object]]:
    """Reads one ``--alarm ID:SETTING=VALUE[,SETTING=VALUE...]``.

    Args:
        text: e.g. ``unauthorized-api-calls:threshold=5,evaluation_periods=3``.

    Returns:
        The control id and the settings it changes.

    Raises:
        click.BadParameter: naming the bad part and what is allowed.
    """
    control_id, colon, assignments = text.partition(":")
    if not colon or not control_id or not assignments:
        raise click.BadParameter(f"{text!r} is not ID:SETTING=VALUE[,SETTING=VALUE...]", param_hint="'--alarm'")
    changes: dict[str, object] = {}
    for assignment in assignments.split(","):
        name, equals, value = assignment.partition("=")
        kind = ALARM_SETTINGS.get(name.strip())
        if kind is None or not equals:
            raise click.BadParameter(
                f"{assignment!r} in {text!r} sets no known setting; allowed: {', '.join(ALARM_SETTINGS)}",
                param_hint="'--alarm'",
            )
        try:
            changes[name.strip()] = kind(value.strip())
        except ValueError:
            raise click.BadParameter(
                f"{name.strip()} {value.strip()!r} in {text!r} is not {_expected(kind)}", param_hint="'--alarm'"
            ) from None
    return control_id, changes


def _expected(kind: type) -> str:
    if kind is int:
        return "an integer"
    if kind is float:
        return "a number"
    return "one of " + ", ".join(str(member.value) for member in cast(Any, kind))


def _alarm_overrides(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, dict[str, object]]:
    overrides: dict[str, dict[str, object]] = {}
    for text in values:
        control_id, changes = parse_alarm_override(text)
        overrides.setdefault(control_id, {}).update(changes)
    return overrides


alarm_override_option = click.option(
    "--alarm",
    "alarm_overrides",
    multiple=True,
    metavar="ID:SETTING=VALUE,...",
    callback=_alarm_overrides,
    help="Evaluate this control's alarm with other settings, as CloudTrailSecurityMonitoring's "
    "alarm_overrides deploys them (repeatable; a base control's also apply to its tuned variants). "
    f"SETTINGs: {', '.join(ALARM_SETTINGS)}; e.g. unauthorized-api-calls:threshold=5,evaluation_periods=3.",
)

strict_option = click.option(
    "--strict", is_flag=True, help="Exit 1 when any file or record was skipped (digest files excepted)."
)


def format_option(formats: object, *, help: str = "Output format.") -> Callable[[F], F]:
    """Returns ``--format``, stored as ``fmt``, choosing among a command's formats.

    Args:
        formats: the command's ``Literal`` of format names; the first is the default.
        help: the option's help text.
    """
    choices: tuple[str, ...] = get_args(formats)
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help=help)


def checked_endpoint_url(value: str | None) -> str | None:
    """``--endpoint-url`` checked: botocore refuses a URL without scheme or host with a bare ValueError."""
    if value is not None and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        raise click.BadParameter(f"{value!r} is not an http:// or https:// URL", param_hint="'--endpoint-url'")
    return value


def aws_connection_options(purpose: str) -> Callable[[F], F]:
    """Returns ``--endpoint-url`` and ``--profile`` for a command that calls AWS.

    Args:
        purpose: which calls the options steer, starting the help texts (e.g. ``"every AWS call"``).
    """
    endpoint = click.option(
        "--endpoint-url",
        metavar="URL",
        callback=lambda _ctx, _param, value: checked_endpoint_url(value),
        help=f"Send {purpose} to this endpoint (e.g. a local test server).",
    )
    profile = click.option(
        "--profile", metavar="NAME", help=f"AWS profile for {purpose}; default: the usual credential chain."
    )

    def decorate(command: F) -> F:
        return endpoint(profile(command))

    return decorate


def timeout_option(default: float, help: str) -> Callable[[F], F]:
    """Returns ``--timeout SECONDS`` (a non-negative number) for a command that waits on AWS."""
    return click.option(
        "--timeout", type=click.FloatRange(min=0), default=default, show_default=True, metavar="SECONDS", help=help
    )


def stdin() -> BinaryIO | None:
    """Returns standard input's binary stream, or ``None`` when the process has none (fd 0 closed)."""
    return cast("BinaryIO | None", getattr(sys.stdin, "buffer", None))
