"""The SecurityHubCloudWatchChecks aspect reports each CloudWatch.1-14 item a stack would fail."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns

from tests.constructs.helpers import existing_log_group, new_app
from tests.constructs.helpers import new_stack as _pinned_stack
from tests.security_hub_texts import DOCUMENTED_PATTERNS
from trailwatch_constructs import CloudTrailSecurityMonitoring
from trailwatch_constructs.constructs.auditor_checks import SecurityHubCloudWatchChecks, findings

# cdk.json's recommended flags turn error annotations into a failed synth (tested below); these tests
# read the findings themselves, so their apps report annotations instead.
_ANNOTATIONS_FAIL_SYNTH = "@aws-cdk/core:annotationsInValidationReport"


def new_stack() -> cdk.Stack:
    """A pinned stack whose app records error annotations instead of failing synth on them."""
    return _pinned_stack(new_app(**{_ANNOTATIONS_FAIL_SYNTH: False}))


def test_with_the_sample_flags_a_finding_fails_synth() -> None:
    # GIVEN cdk.json's flags and a stack missing CloudWatch.1 WHEN synthesizing THEN synth fails naming the item
    stack = _pinned_stack()
    CloudTrailSecurityMonitoring(
        stack, "M", log_group=existing_log_group(stack), exclude=["root-account-usage"], alarm_emails=["a@example.com"]
    )
    cdk.Aspects.of(stack).add(SecurityHubCloudWatchChecks())
    with pytest.raises(RuntimeError, match=r"Security Hub CloudWatch\.1 would fail"):
        stack.node.root.synth()  # type: ignore[attr-defined]


def _monitored(exclude: Sequence[str]) -> tuple[cdk.Stack, logs.ILogGroup, sns.Topic]:
    """A stack monitoring an existing log group, all controls but ``exclude``, via a subscribed topic."""
    stack = new_stack()
    group = existing_log_group(stack)
    topic = sns.Topic(stack, "T")
    topic.add_subscription(cdk.aws_sns_subscriptions.EmailSubscription("ops@example.com"))
    CloudTrailSecurityMonitoring(stack, "M", log_group=group, topic=topic, exclude=exclude)
    return stack, group, topic


def _hand_written_filter(stack: cdk.Stack, group: logs.ILogGroup, metric_name: str, pattern: str) -> logs.MetricFilter:
    return logs.MetricFilter(
        stack,
        metric_name,
        log_group=group,
        metric_namespace="X",
        metric_name=metric_name,
        filter_pattern=logs.FilterPattern.literal(pattern),
    )


def _annotations(stack: cdk.Stack, aspect: SecurityHubCloudWatchChecks, level: str) -> list[str]:
    cdk.Aspects.of(stack).add(aspect)
    artifact = stack.node.root.synth().get_stack_by_name(stack.stack_name)  # type: ignore[attr-defined]
    return [str(m.entry.data) for m in artifact.messages if m.level.value == level]


def test_full_monitoring_with_a_subscriber_passes() -> None:
    # GIVEN every control and an email subscriber THEN the aspect reports nothing
    stack, _, _ = _monitored(exclude=[])
    assert _annotations(stack, SecurityHubCloudWatchChecks(), "ERROR") == []


def test_missing_controls_are_each_reported() -> None:
    # GIVEN two controls excluded THEN exactly their two items are reported as missing
    stack, _, _ = _monitored(exclude=["root-account-usage", "vpc-changes"])
    assert _annotations(stack, SecurityHubCloudWatchChecks(), "ERROR") == [
        "Security Hub CloudWatch.1 would fail: no metric filter has the prescribed pattern text",
        "Security Hub CloudWatch.14 would fail: no metric filter has the prescribed pattern text",
    ]


def test_topic_without_subscription_is_reported_for_every_item() -> None:
    stack = new_stack()
    CloudTrailSecurityMonitoring(stack, "M", log_group=existing_log_group(stack))
    errors = _annotations(stack, SecurityHubCloudWatchChecks(), "ERROR")
    assert len(errors) == 14
    assert errors[0] == (
        "Security Hub CloudWatch.1 would fail: the alarm's SNS topic has no subscription "
        "(Security Hub needs at least one confirmed subscriber)"
    )


def test_altered_pattern_alarm_without_action_and_missing_alarm_are_told_apart() -> None:
    # GIVEN hand-written filters: one with altered text, one without alarm, one with an alarm without action
    stack, group, _ = _monitored(exclude=["root-account-usage", "unauthorized-api-calls", "console-signin-without-mfa"])
    _hand_written_filter(stack, group, "RootAccountUsage", '{$.userIdentity.type="Root"}')
    _hand_written_filter(stack, group, "Unauth", DOCUMENTED_PATTERNS["CloudWatch.2"])
    mfa = _hand_written_filter(stack, group, "Mfa", DOCUMENTED_PATTERNS["CloudWatch.3"])
    cloudwatch.Alarm(stack, "MfaAlarm", metric=mfa.metric(), threshold=1, evaluation_periods=1)
    # THEN each is reported with its own reason
    assert findings(stack) == [
        "Security Hub CloudWatch.1 would fail: a metric filter publishing its metric has altered pattern text",
        "Security Hub CloudWatch.2 would fail: no alarm on the metric of its metric filter",
        "Security Hub CloudWatch.3 would fail: the alarm on its metric has no enabled action",
    ]


def test_warnings_instead_of_errors() -> None:
    stack, _, _ = _monitored(exclude=["vpc-changes"])
    warnings = _annotations(stack, SecurityHubCloudWatchChecks(as_errors=False), "WARNING")
    assert (
        "Security Hub CloudWatch.14 would fail: no metric filter has the prescribed pattern text"
        " [ack: trailwatch:security-hub:CloudWatch.14]"
    ) in warnings


def test_an_alarm_through_metric_math_does_not_count() -> None:
    # GIVEN the unauthorized-calls filter with an alarm on a labelled metric (rendered as a Metrics array)
    stack, group, topic = _monitored(exclude=["unauthorized-api-calls"])
    unauth = _hand_written_filter(stack, group, "Unauth", DOCUMENTED_PATTERNS["CloudWatch.2"])
    alarm = cloudwatch.Alarm(
        stack, "UnauthAlarm", metric=unauth.metric(label="denied calls"), threshold=1, evaluation_periods=1
    )
    alarm.add_alarm_action(cdk.aws_cloudwatch_actions.SnsAction(topic))
    # THEN Security Hub would not find it: the item is reported
    assert findings(stack) == ["Security Hub CloudWatch.2 would fail: no alarm on the metric of its metric filter"]


def test_subscriber_check_can_be_turned_off() -> None:
    # GIVEN a topic without subscription and require_subscriber=False THEN nothing is reported
    stack = new_stack()
    CloudTrailSecurityMonitoring(stack, "M", log_group=existing_log_group(stack))
    assert _annotations(stack, SecurityHubCloudWatchChecks(require_subscriber=False), "ERROR") == []
