"""User mistakes fail before synth with one error naming every bad value and what is allowed."""

from __future__ import annotations

import dataclasses
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from tests.constructs.helpers import new_stack
from trailwatch_constructs import (
    AlarmSettings,
    CloudTrailSecurityMonitoring,
    ConfigurationError,
    ControlDefinitionError,
    DetectiveControl,
    PatternTooLongError,
    TrailOptions,
    UnknownControlError,
    get_control,
)
from trailwatch_constructs.catalog.controls import privileged_group_membership_changes


def _monitoring(**props: Any) -> CloudTrailSecurityMonitoring:
    stack = new_stack()
    if "log_group" not in props and "trail" not in props:
        props["log_group"] = logs.LogGroup.from_log_group_name(stack, "Existing", "trail-logs")
    return CloudTrailSecurityMonitoring(stack, "Monitoring", **props)


def _problems(**props: Any) -> tuple[str, ...]:
    with pytest.raises(ConfigurationError) as caught:
        _monitoring(**props)
    return caught.value.problems


def test_neither_log_source_is_rejected() -> None:
    # GIVEN neither log_group nor trail WHEN constructing THEN the error says to give exactly one
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(stack, "Monitoring")
    assert caught.value.problems == (
        "give exactly one log source: log_group (an existing CloudTrail log group) or trail=TrailOptions() "
        "(create a trail); neither was given",
    )


def test_both_log_sources_are_rejected() -> None:
    stack = new_stack()
    existing = logs.LogGroup.from_log_group_name(stack, "Existing", "trail-logs")
    with pytest.raises(ConfigurationError, match="give exactly one log source: log_group or trail, not both"):
        CloudTrailSecurityMonitoring(stack, "Monitoring", log_group=existing, trail=TrailOptions())


def test_include_and_exclude_together_are_rejected() -> None:
    assert "give include or exclude, not both" in _problems(include=["root-account-usage"], exclude=["vpc-changes"])


def test_unknown_ids_are_named_with_the_known_ids() -> None:
    # GIVEN a misspelt id in exclude THEN the message names it, where it was, and lists the known ids
    (problem,) = _problems(exclude=["root-usage"])
    assert problem.startswith("unknown control id 'root-usage' in exclude; known ids: root-account-usage, ")
    assert problem.endswith("privileged-group-membership-changes")


def test_unknown_ids_in_include_are_rejected() -> None:
    (problem,) = _problems(include=["root-account-usage", "nope"])
    assert problem.startswith("unknown control id 'nope' in include; known ids:")


def test_duplicate_ids_are_rejected() -> None:
    assert "duplicate control ids in include: vpc-changes" in _problems(include=["vpc-changes", "vpc-changes"])


def test_empty_include_is_rejected() -> None:
    assert "include is empty; give at least one control id or leave include unset" in _problems(include=[])


def test_malformed_emails_are_each_named() -> None:
    problems = _problems(alarm_emails=["ops@example.com", "not-an-email", "a@b"])
    assert problems == (
        "alarm_emails: 'not-an-email' is not an email address (expected name@domain.tld)",
        "alarm_emails: 'a@b' is not an email address (expected name@domain.tld)",
    )


def test_unresolved_tokens_are_not_validated() -> None:
    # GIVEN an email from a deploy-time parameter WHEN constructing THEN it is accepted as is
    stack = new_stack()
    email = cdk.CfnParameter(stack, "Email").value_as_string
    existing = logs.LogGroup.from_log_group_name(stack, "Existing", "trail-logs")
    monitoring = CloudTrailSecurityMonitoring(stack, "Monitoring", log_group=existing, alarm_emails=[email])
    assert len(monitoring.controls) == 16


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            AlarmSettings(threshold=-1),
            "threshold -1 must be a whole number >= 1: the metric counts matching events, so a threshold below 1 "
            "would alarm without any event and a fraction only rounds up",
        ),
        (AlarmSettings(evaluation_periods=0), "evaluation_periods 0 must be an integer >= 1"),
        (AlarmSettings(period_seconds=45), "period_seconds 45 must be 10, 30 or a positive multiple of 60"),
        (
            AlarmSettings(evaluation_periods=2, datapoints_to_alarm=3),
            "datapoints_to_alarm 3 must be <= evaluation_periods 2",
        ),
        (
            AlarmSettings(period_seconds=3000, evaluation_periods=30),
            "evaluation_periods x period_seconds = 90000s exceeds CloudWatch's limit of 86400s for a 3000s period",
        ),
        (
            AlarmSettings(statistic="p99"),
            "statistic 'p99' is not allowed; allowed: Sum, SampleCount, Maximum, Minimum, Average",
        ),
    ],
    ids=[
        "negative-threshold",
        "zero-periods",
        "odd-period",
        "datapoints-above-periods",
        "window-too-long",
        "bad-statistic",
    ],
)
def test_alarm_override_problems_are_named(settings: AlarmSettings, expected: str) -> None:
    # GIVEN an out-of-range override WHEN constructing THEN the problem names the control and the value
    assert _problems(alarm_overrides={"vpc-changes": settings}) == (f"alarm_overrides['vpc-changes']: {expected}",)


def test_override_for_unknown_or_undeployed_control_is_rejected() -> None:
    problems = _problems(
        exclude=["vpc-changes"],
        alarm_overrides={"vpc-change": AlarmSettings(), "vpc-changes": AlarmSettings()},
    )
    assert problems[0] == (
        "alarm_overrides names 'vpc-change', which is not a catalogue control; your own controls take their "
        "settings in add_control(definition, alarm_settings=AlarmSettings(...))"
    )
    assert problems[1] == "alarm_overrides has settings for 'vpc-changes', which is not deployed"


def test_every_problem_is_reported_at_once() -> None:
    # GIVEN three independent mistakes THEN one error lists all three
    problems = _problems(exclude=["x"], alarm_emails=["bad"], language="fr")
    assert len(problems) == 3
    assert problems[2] == "language 'fr' is not supported; supported: en, ja"


def test_short_log_retention_is_rejected() -> None:
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(stack, "M", trail=TrailOptions(log_retention=logs.RetentionDays.ONE_MONTH))
    assert caught.value.problems == (
        "trail.log_retention ONE_MONTH (30 days) is below 365 days; Security Hub CloudWatch.16 requires at least "
        "one year",
    )


def test_bad_privileged_group_name_is_rejected() -> None:
    (problem,) = _problems(privileged_groups=["Admins", "bad name!"])
    assert problem == "IAM group name 'bad name!' must be 1-128 characters of letters, digits and +=,.@_-"


def test_privileged_groups_with_the_control_excluded_is_rejected() -> None:
    (problem,) = _problems(privileged_groups=["Admins"], exclude=["privileged-group-membership-changes"])
    assert problem.startswith("privileged_groups are given but 'privileged-group-membership-changes' is excluded")


def test_privileged_group_pattern_over_the_limit_says_how_to_split() -> None:
    # GIVEN more group names than fit in 1,024 characters THEN a PatternTooLongError explains the split
    names = [f"PrivilegedGroupNumber{i:03d}" for i in range(40)]
    with pytest.raises(PatternTooLongError, match=r"for 40 groups is \d+ characters; CloudWatch Logs allows 1024"):
        privileged_group_membership_changes(names)


def test_privileged_group_pattern_over_the_limit_is_a_construct_problem() -> None:
    names = [f"PrivilegedGroupNumber{i:03d}" for i in range(40)]
    (problem,) = _problems(privileged_groups=names)
    assert "CloudWatch Logs allows 1024" in problem


def test_add_control_rejects_a_duplicate_id() -> None:
    monitoring = _monitoring()
    with pytest.raises(ControlDefinitionError, match="duplicate control id 'vpc-changes'; already deployed: "):
        monitoring.add_control(get_control("vpc-changes"))


def test_add_control_rejects_bad_alarm_settings() -> None:
    monitoring = _monitoring(exclude=["vpc-changes"])
    with pytest.raises(ConfigurationError, match="evaluation_periods 0 must be an integer >= 1"):
        monitoring.add_control(get_control("vpc-changes"), alarm_settings=AlarmSettings(evaluation_periods=0))


def test_control_lookup_names_the_deployed_ids() -> None:
    monitoring = _monitoring(include=["vpc-changes", "nacl-changes"])
    with pytest.raises(
        UnknownControlError,
        match="unknown control id 'root-account-usage' in this monitoring "
        "construct; known ids: nacl-changes, vpc-changes",
    ):
        monitoring.control("root-account-usage")


def test_detective_control_rejects_a_long_description_and_bad_namespace() -> None:
    stack = new_stack()
    log_group = logs.LogGroup.from_log_group_name(stack, "Existing", "trail-logs")
    with pytest.raises(ConfigurationError) as caught:
        DetectiveControl(
            stack,
            "C",
            definition=get_control("vpc-changes"),
            log_group=log_group,
            alarm_description="x" * 1025,
            metric_namespace="AWS/Logs",
        )
    assert caught.value.problems == (
        "alarm_description of 1025 characters must be a string of 1-1024 characters",
        "metric_namespace 'AWS/Logs' must be a string of 1-255 characters that does not start with 'AWS/'",
    )


def test_definition_rejects_a_bad_id_and_metric_name() -> None:
    with pytest.raises(ControlDefinitionError) as caught:
        dataclasses.replace(get_control("vpc-changes"), id="VPC_Changes", metric_name="a:b")
    assert "control id 'VPC_Changes' must be kebab-case" in str(caught.value)
    assert "metric_name 'a:b' must be 1-255 characters without ':'" in str(caught.value)


@pytest.mark.parametrize("name", ["ab", "-trail", "trail-", "my..trail", "my trail", "x" * 129])
def test_bad_trail_names_are_rejected(name: str) -> None:
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(stack, "M", trail=TrailOptions(trail_name=name))
    (problem,) = caught.value.problems
    assert problem.startswith(f"trail.trail_name {name!r} must be 3-128 letters, digits")


@pytest.mark.parametrize("name", ["org-audit", "Trail_2026.main", "abc"])
def test_good_trail_names_are_accepted(name: str) -> None:
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(stack, "M", trail=TrailOptions(trail_name=name), include=["vpc-changes"])
    assert monitoring.audit_trail is not None


def test_too_long_alarm_name_prefix_is_rejected() -> None:
    (problem,) = _problems(alarm_name_prefix="p" * 250)
    assert problem.startswith(f"alarm_name_prefix {'p' * 250!r} must be a string of at most ")
