#!/usr/bin/env python3
"""Sample CDK app: two ways to deploy trailwatch.

* ``TrailwatchStack`` creates a multi-region trail and every catalogue control, each alarm also
  invoking the enrichment function, which sends who did what, where and when (docs/notifications.md)
  to the alarm email, and CRITICAL controls' notifications to a topic of their own.
* ``TrailwatchExistingLogGroupStack`` monitors a log group that already receives CloudTrail
  (for example Control Tower's ``aws-controltower/CloudTrailLogs`` in the management account).
  It exists only when ``-c trailwatch:existingLogGroupName=...`` is given: that log group is in
  one account and Region of an organization, and everywhere else the stack would roll back.

* ``Organization`` (a stage) deploys the controls once for an AWS Organizations organization
  (docs/organizations.md): ``Monitoring`` in the account and home Region of the organization
  trail's log group, found by prefix (Control Tower's by default), and ``SecurityHubPolicy`` in the
  Security Hub delegated administrator account, disabling CloudWatch.1-14 in the member accounts.
  It exists only when ``-c trailwatch:organizationId=o-...`` is given, with the keys below.

Context (``cdk.json`` or ``-c key=value``): ``trailwatch:alarmEmail`` (no placeholder is ever
subscribed: without it nobody is notified, and synth says so), ``trailwatch:privilegedGroup``,
``trailwatch:existingLogGroupName``, ``trailwatch:reservedConcurrency`` (the enrichment function's, or
``none`` in an account whose Lambda concurrency quota is at its minimum); for the organization stage
``trailwatch:organizationId``, ``trailwatch:homeRegion``, ``trailwatch:managementAccount`` (owns the
organization trail), ``trailwatch:securityHubAdminAccount`` and ``trailwatch:memberTargets``
(comma-separated OU or account ids whose CloudWatch.1-14 are disabled).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from trailwatch_constructs import (
    AuditorChecks,
    CloudTrailAthena,
    CloudTrailSecurityMonitoring,
    EnrichmentOptions,
    OrganizationOptions,
    OrganizationTrailLogGroup,
    SecurityHubMemberPolicy,
    SecurityHubStandard,
    TrailOptions,
)

DEFAULT_PRIVILEGED_GROUP = "Administrators"
EXISTING_LOG_GROUP_NAMESPACE = "CloudTrailMetrics/ExistingLogGroup"
"""The second stack's metrics: two monitors sharing metric names in one Region would count each other's events."""
NO_SUBSCRIBER_WARNING = (
    "trailwatch: no alarm email given, so nobody will be notified and Security Hub CloudWatch.1-14 fail "
    "(they need a confirmed subscriber); pass -c trailwatch:alarmEmail=you@example.com"
)


class TrailwatchStack(cdk.Stack):
    """A new trail, all seventeen detective controls, enriched notifications, a dashboard and Athena queries."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_emails: list[str],
        privileged_group: str,
        reserved_concurrency: int | Literal["default"] | None = "default",
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
            enrich=_enrichment(alarm_emails, reserved_concurrency),
        )
        trail = self.monitoring.audit_trail
        assert trail is not None  # created above: no log group was given
        self.athena = CloudTrailAthena(
            self,
            "Athena",
            bucket=trail.bucket,
            server_access_logs_bucket=trail.access_logs_bucket,
            controls=[control.definition for control in self.monitoring.controls.values()],
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


ORGANIZATION_CONTEXT = (
    "trailwatch:organizationId",
    "trailwatch:homeRegion",
    "trailwatch:managementAccount",
    "trailwatch:securityHubAdminAccount",
    "trailwatch:memberTargets",
)
"""The context the organization stage needs, all of it, once ``trailwatch:organizationId`` is given."""


class OrganizationMonitoringStack(cdk.Stack):
    """The controls over the organization trail's log group, in the account and Region that hold it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_emails: list[str],
        organization: OrganizationOptions,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.trail_logs = OrganizationTrailLogGroup(self, "OrganizationTrailLogs")
        self.monitoring = CloudTrailSecurityMonitoring(
            self,
            "SecurityMonitoring",
            log_group=self.trail_logs.log_group,
            alarm_emails=alarm_emails,
            organization=organization,
        )


class SecurityHubPolicyStack(cdk.Stack):
    """The central configuration policy that disables CloudWatch.1-14 where the trail is not owned."""

    def __init__(
        self, scope: Construct, construct_id: str, *, targets: list[str], trail_owner_account: str, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.policy = SecurityHubMemberPolicy(
            self,
            "MemberPolicy",
            enabled_standards=[
                SecurityHubStandard.FOUNDATIONAL_SECURITY_BEST_PRACTICES,
                SecurityHubStandard.CIS_AWS_FOUNDATIONS_3_0_0,
            ],
            targets=targets,
            trail_owner_account=trail_owner_account,
        )


class OrganizationStage(cdk.Stage):
    """The organization recipe: monitoring where the trail's log group is, the policy where Security Hub is run."""

    def __init__(
        self, scope: Construct, construct_id: str, *, context: dict[str, str], alarm_emails: list[str]
    ) -> None:
        super().__init__(scope, construct_id)
        region = context["trailwatch:homeRegion"]
        management = context["trailwatch:managementAccount"]
        self.monitoring = OrganizationMonitoringStack(
            self,
            "Monitoring",
            alarm_emails=alarm_emails,
            organization=OrganizationOptions(context["trailwatch:organizationId"], trail_home_region=region),
            env=cdk.Environment(account=management, region=region),
            description="trailwatch: detective controls over the organization trail (management account, home Region)",
        )
        self.security_hub = SecurityHubPolicyStack(
            self,
            "SecurityHubPolicy",
            targets=[t.strip() for t in context["trailwatch:memberTargets"].split(",") if t.strip()],
            trail_owner_account=management,
            env=cdk.Environment(account=context["trailwatch:securityHubAdminAccount"], region=region),
            description="trailwatch: disables CloudWatch.1-14 in member accounts (Security Hub delegated admin)",
        )


def _organization_context(app: cdk.App) -> dict[str, str] | None:
    """The organization stage's context, or ``None`` without ``trailwatch:organizationId``."""
    if not app.node.try_get_context("trailwatch:organizationId"):
        return None
    values = {key: app.node.try_get_context(key) for key in ORGANIZATION_CONTEXT}
    missing = [key for key, value in values.items() if not value]
    if missing:
        raise ValueError(
            f"the organization stage needs every one of {', '.join(ORGANIZATION_CONTEXT)}; missing: "
            + ", ".join(missing)
        )
    return {key: str(value) for key, value in values.items()}


def _enrichment(alarm_emails: list[str], reserved_concurrency: int | Literal["default"] | None) -> EnrichmentOptions:
    options = EnrichmentOptions(emails=alarm_emails, critical_topic=True, critical_emails=alarm_emails)
    if reserved_concurrency == "default":
        return options
    return dataclasses.replace(options, reserved_concurrency=reserved_concurrency)


def _reserved_concurrency(app: cdk.App) -> int | Literal["default"] | None:
    """``trailwatch:reservedConcurrency``: the enrichment function's reservation, or ``none``.

    Lambda keeps at least 100 executions unreserved (PutFunctionConcurrency, Lambda API reference) and
    new accounts start with a reduced concurrency quota (Lambda quotas page): where the quota is under
    105 the reservation fails to deploy, and ``-c trailwatch:reservedConcurrency=none`` reserves nothing.
    """
    value = app.node.try_get_context("trailwatch:reservedConcurrency")
    if value is None:
        return "default"
    if str(value).strip().lower() == "none":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(
            f"trailwatch:reservedConcurrency {value!r} is not a whole number of executions or 'none'"
        ) from None


def build_app(app: cdk.App) -> list[cdk.Stack]:
    """Add the sample stacks to ``app``, reading their settings from context.

    The auditor aspect (on every monitoring stack) makes ``cdk synth`` fail if a stack would fail
    a check of any auditor the constructs target (Security Hub CloudWatch.1-14, CIS v3.0.0/v5.0.0,
    prowler, steampipe, Cloud Custodian, ScoutSuite, InSpec); without an alarm email Security Hub's
    cannot pass, so synth warns instead of failing on the missing subscriber.
    """
    alarm_email = app.node.try_get_context("trailwatch:alarmEmail")
    alarm_emails = [alarm_email] if alarm_email else []
    group = app.node.try_get_context("trailwatch:privilegedGroup") or DEFAULT_PRIVILEGED_GROUP
    log_group_name = app.node.try_get_context("trailwatch:existingLogGroupName")
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
            reserved_concurrency=_reserved_concurrency(app),
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
    organization = _organization_context(app)
    monitored = list(stacks)
    if organization is not None:
        stage = OrganizationStage(app, "Organization", context=organization, alarm_emails=alarm_emails)
        monitored.append(stage.monitoring)
    for stack in monitored:
        cdk.Aspects.of(stack).add(AuditorChecks(require_subscriber=bool(alarm_emails)))
        if not alarm_emails:
            cdk.Annotations.of(stack).add_warning_v2("trailwatch:no-subscriber", NO_SUBSCRIBER_WARNING)
    return stacks


if __name__ == "__main__":
    application = cdk.App()
    build_app(application)
    application.synth()
