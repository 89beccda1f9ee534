#!/usr/bin/env python3
"""Sample CDK app: two ways to deploy trailwatch.

* ``TrailwatchStack`` creates a multi-region trail and every catalogue control.
* ``TrailwatchExistingLogGroupStack`` monitors a log group that already receives CloudTrail
  (for example Control Tower's ``aws-controltower/CloudTrailLogs`` in the management account).

Context (``cdk.json`` or ``-c key=value``): ``trailwatch:alarmEmail``,
``trailwatch:privilegedGroup`` and ``trailwatch:existingLogGroupName``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from trailwatch_constructs import CloudTrailSecurityMonitoring, SecurityHubCloudWatchChecks, TrailOptions

DEFAULT_ALARM_EMAIL = "security-alerts@example.com"
DEFAULT_PRIVILEGED_GROUP = "Administrators"
DEFAULT_EXISTING_LOG_GROUP = "aws-controltower/CloudTrailLogs"


class TrailwatchStack(cdk.Stack):
    """A new trail, all seventeen detective controls and a dashboard."""

    def __init__(
        self, scope: Construct, construct_id: str, *, alarm_email: str, privileged_group: str, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.monitoring = CloudTrailSecurityMonitoring(
            self,
            "SecurityMonitoring",
            trail=TrailOptions(),
            alarm_emails=[alarm_email],
            privileged_groups=[privileged_group],
            dashboard=True,
        )


class TrailwatchExistingLogGroupStack(cdk.Stack):
    """The controls over a log group that an existing (e.g. organization) trail delivers to."""

    def __init__(
        self, scope: Construct, construct_id: str, *, alarm_email: str, log_group_name: str, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.monitoring = CloudTrailSecurityMonitoring(
            self,
            "SecurityMonitoring",
            log_group=logs.LogGroup.from_log_group_name(self, "CloudTrailLogGroup", log_group_name),
            alarm_emails=[alarm_email],
        )


def build_app(app: cdk.App) -> tuple[TrailwatchStack, TrailwatchExistingLogGroupStack]:
    """Add both sample stacks to ``app``, reading their settings from context.

    The Security Hub aspect makes ``cdk synth`` fail if a stack would fail CloudWatch.1-14.
    """
    alarm_email = app.node.try_get_context("trailwatch:alarmEmail") or DEFAULT_ALARM_EMAIL
    group = app.node.try_get_context("trailwatch:privilegedGroup") or DEFAULT_PRIVILEGED_GROUP
    log_group_name = app.node.try_get_context("trailwatch:existingLogGroupName") or DEFAULT_EXISTING_LOG_GROUP
    cdk.Aspects.of(app).add(SecurityHubCloudWatchChecks())
    env = cdk.Environment(
        account=app.node.try_get_context("trailwatch:account"),
        region=app.node.try_get_context("trailwatch:region"),
    )
    return (
        TrailwatchStack(
            app,
            "TrailwatchStack",
            alarm_email=alarm_email,
            privileged_group=group,
            env=env,
            description="trailwatch: CloudTrail detective controls (CIS / Security Hub CloudWatch.1-14)",
        ),
        TrailwatchExistingLogGroupStack(
            app,
            "TrailwatchExistingLogGroupStack",
            alarm_email=alarm_email,
            log_group_name=log_group_name,
            env=env,
            description="trailwatch: detective controls over an existing CloudTrail log group",
        ),
    )


if __name__ == "__main__":
    application = cdk.App()
    build_app(application)
    application.synth()
