"""The SecurityHubCloudWatchChecks aspect reports each CloudWatch.1-14 item a stack would fail."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns

from tests.constructs.conftest import new_stack
from trailwatch_constructs import CloudTrailSecurityMonitoring
from trailwatch_constructs.constructs.compliance_checks import SecurityHubCloudWatchChecks, findings


def _existing(stack: cdk.Stack) -> logs.ILogGroup:
    return logs.LogGroup.from_log_group_name(stack, "Existing", "org-trail-logs")


def _errors(stack: cdk.Stack) -> list[str]:
    cdk.Aspects.of(stack).add(SecurityHubCloudWatchChecks())
    assembly = stack.node.root.synth()  # type: ignore[attr-defined]
    artifact = assembly.get_stack_by_name(stack.stack_name)
    return [str(m.entry.data) for m in artifact.messages if m.level.value == "ERROR"]


def test_full_monitoring_with_a_subscriber_passes() -> None:
    # GIVEN every control and an email subscriber THEN the aspect reports nothing
    stack = new_stack()
    CloudTrailSecurityMonitoring(stack, "M", log_group=_existing(stack), alarm_emails=["ops@example.com"])
    assert _errors(stack) == []


def test_missing_controls_are_each_reported() -> None:
    # GIVEN two controls excluded THEN exactly their two items are reported as missing
    stack = new_stack()
    CloudTrailSecurityMonitoring(
        stack,
        "M",
        log_group=_existing(stack),
        alarm_emails=["ops@example.com"],
        exclude=["root-account-usage", "vpc-changes"],
    )
    assert _errors(stack) == [
        "Security Hub CloudWatch.1 would fail: no metric filter has the prescribed pattern text",
        "Security Hub CloudWatch.14 would fail: no metric filter has the prescribed pattern text",
    ]


def test_topic_without_subscription_is_reported_for_every_item() -> None:
    stack = new_stack()
    CloudTrailSecurityMonitoring(stack, "M", log_group=_existing(stack))
    errors = _errors(stack)
    assert len(errors) == 14
    assert errors[0] == "Security Hub CloudWatch.1 would fail: the alarm's SNS topic has no subscription"


def test_altered_pattern_alarm_without_action_and_missing_alarm_are_told_apart() -> None:
    # GIVEN hand-written filters: one with altered text, one without alarm, one with an alarm without action
    stack = new_stack()
    group = _existing(stack)
    topic = sns.Topic(stack, "T")
    topic.add_subscription(cdk.aws_sns_subscriptions.EmailSubscription("ops@example.com"))
    CloudTrailSecurityMonitoring(
        stack,
        "M",
        log_group=group,
        topic=topic,
        exclude=["root-account-usage", "unauthorized-api-calls", "console-signin-without-mfa"],
    )
    logs.MetricFilter(
        stack,
        "Root",
        log_group=group,
        metric_namespace="X",
        metric_name="RootAccountUsage",
        filter_pattern=logs.FilterPattern.literal('{$.userIdentity.type="Root"}'),
    )
    logs.MetricFilter(
        stack,
        "Unauth",
        log_group=group,
        metric_namespace="X",
        metric_name="Unauth",
        filter_pattern=logs.FilterPattern.literal(
            '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}'
        ),
    )
    mfa = logs.MetricFilter(
        stack,
        "Mfa",
        log_group=group,
        metric_namespace="X",
        metric_name="Mfa",
        filter_pattern=logs.FilterPattern.literal(
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
            '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
        ),
    )
    cloudwatch.Alarm(stack, "MfaAlarm", metric=mfa.metric(), threshold=1, evaluation_periods=1)
    assert findings(stack) == [
        "Security Hub CloudWatch.1 would fail: a metric filter publishing its metric has altered pattern text",
        "Security Hub CloudWatch.2 would fail: no alarm on the metric of its metric filter",
        "Security Hub CloudWatch.3 would fail: the alarm on its metric has no enabled action",
    ]


def test_warnings_instead_of_errors() -> None:
    stack = new_stack()
    CloudTrailSecurityMonitoring(
        stack, "M", log_group=_existing(stack), exclude=["vpc-changes"], alarm_emails=["ops@example.com"]
    )
    cdk.Aspects.of(stack).add(SecurityHubCloudWatchChecks(as_errors=False))
    artifact = stack.node.root.synth().get_stack_by_name(stack.stack_name)  # type: ignore[attr-defined]
    warnings = [str(m.entry.data) for m in artifact.messages if m.level.value == "WARNING"]
    assert "Security Hub CloudWatch.14 would fail: no metric filter has the prescribed pattern text" in warnings


def test_an_alarm_through_metric_math_does_not_count() -> None:
    # GIVEN the unauthorized-calls filter with an alarm on a labelled metric (rendered as a Metrics array)
    stack = new_stack()
    group = _existing(stack)
    topic = sns.Topic(stack, "T")
    topic.add_subscription(cdk.aws_sns_subscriptions.EmailSubscription("ops@example.com"))
    CloudTrailSecurityMonitoring(stack, "M", log_group=group, topic=topic, exclude=["unauthorized-api-calls"])
    unauth = logs.MetricFilter(
        stack,
        "Unauth",
        log_group=group,
        metric_namespace="X",
        metric_name="Unauth",
        filter_pattern=logs.FilterPattern.literal(
            '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}'
        ),
    )
    alarm = cloudwatch.Alarm(
        stack, "UnauthAlarm", metric=unauth.metric(label="denied calls"), threshold=1, evaluation_periods=1
    )
    alarm.add_alarm_action(cdk.aws_cloudwatch_actions.SnsAction(topic))
    # THEN Security Hub would not find it: the item is reported
    assert findings(stack) == ["Security Hub CloudWatch.2 would fail: no alarm on the metric of its metric filter"]
