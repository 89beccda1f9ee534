#!/usr/bin/env python3
"""Sample CDK app: two ways to deploy trailwatch.

* ``TrailwatchStack`` creates a multi-region trail and every catalogue control.
* ``TrailwatchExistingLogGroupStack`` monitors a log group that already receives CloudTrail
  (for example Control Tower's ``aws-controltower/CloudTrailLogs`` in the management account).
  It exists only when ``-c trailwatch:existingLogGroupName=...`` is given: that log group is in
  one account and Region of an organization, and everywhere else the stack would roll back.

Context (``cdk.json`` or ``-c key=value``): ``trailwatch:alarmEmail`` (no placeholder is ever
subscribed: without it nobody is notified, and synth says so), ``trailwatch:privilegedGroup`` and
``trailwatch:existingLogGroupName``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from trailwatch_constructs import AuditorChecks, CloudTrailSecurityMonitoring, TrailOptions

DEFAULT_PRIVILEGED_GROUP = "Administrators"
EXISTING_LOG_GROUP_NAMESPACE = "CloudTrailMetrics/ExistingLogGroup"
"""The second stack's metrics: two monitors sharing metric names in one Region would count each other's events."""
NO_SUBSCRIBER_WARNING = (
    "trailwatch: no alarm email given, so nobody will be notified and Security Hub CloudWatch.1-14 fail "
    "(they need a confirmed subscriber); pass -c trailwatch:alarmEmail=you@example.com"
)


class TrailwatchStack(cdk.Stack):
    """A new trail, all seventeen detective controls and a dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_emails: list[str],
        privileged_group: str,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.monitoring = CloudTrailSecurityMonitoring(
            self,
            "SecurityMonitoring",
            trail=TrailOptions(),
            alarm_emails=alarm_emails,
            privileged_groups=[privileged_group],
            dashboard=True,
        )


class TrailwatchExistingLogGroupStack(cdk.Stack):
    """The controls over a log group that an existing (e.g. organization) trail delivers to."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_emails: list[str],
        log_group_name: str,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.monitoring = CloudTrailSecurityMonitoring(
            self,
            "SecurityMonitoring",
            log_group=logs.LogGroup.from_log_group_name(self, "CloudTrailLogGroup", log_group_name),
            alarm_emails=alarm_emails,
            metric_namespace=EXISTING_LOG_GROUP_NAMESPACE,
        )


def build_app(app: cdk.App) -> list[cdk.Stack]:
    """Add the sample stacks to ``app``, reading their settings from context.

    The auditor aspect makes ``cdk synth`` fail if a stack would fail a check of any auditor the
    constructs target (Security Hub CloudWatch.1-14, CIS v3.0.0/v5.0.0, prowler, steampipe, Cloud
    Custodian, ScoutSuite, InSpec); without an alarm email Security Hub's cannot pass, so synth warns
    instead of failing on the missing subscriber.
    """
    alarm_email = app.node.try_get_context("trailwatch:alarmEmail")
    alarm_emails = [alarm_email] if alarm_email else []
    group = app.node.try_get_context("trailwatch:privilegedGroup") or DEFAULT_PRIVILEGED_GROUP
    log_group_name = app.node.try_get_context("trailwatch:existingLogGroupName")
    cdk.Aspects.of(app).add(AuditorChecks(require_subscriber=bool(alarm_emails)))
    env = cdk.Environment(
        account=app.node.try_get_context("trailwatch:account"),
        region=app.node.try_get_context("trailwatch:region"),
    )
    stacks: list[cdk.Stack] = [
        TrailwatchStack(
            app,
            "TrailwatchStack",
            alarm_emails=alarm_emails,
            privileged_group=group,
            env=env,
            description="trailwatch: CloudTrail detective controls (CIS / Security Hub CloudWatch.1-14)",
        )
    ]
    if log_group_name:
        stacks.append(
            TrailwatchExistingLogGroupStack(
                app,
                "TrailwatchExistingLogGroupStack",
                alarm_emails=alarm_emails,
                log_group_name=log_group_name,
                env=env,
                description="trailwatch: detective controls over an existing CloudTrail log group",
            )
        )
    if not alarm_emails:
        for stack in stacks:
            cdk.Annotations.of(stack).add_warning_v2("trailwatch:no-subscriber", NO_SUBSCRIBER_WARNING)
    return stacks


if __name__ == "__main__":
    application = cdk.App()
    build_app(application)
    application.synth()
