"""trailwatch: CloudTrail detective controls as AWS CDK constructs.

The pure-Python layers (filter patterns, catalogue) import eagerly; the CDK constructs import
lazily on first use, so the ``trailwatch`` CLI starts without loading jsii and ``aws_cdk``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from trailwatch_constructs.catalog import (
    CONTROL_IDS,
    AlarmSettings,
    ComplianceReference,
    ControlDefinition,
    Framework,
    Language,
    LocalizedText,
    Severity,
    Statistic,
    TreatMissingData,
    catalog_controls,
    get_control,
    privileged_group_membership_changes,
)
from trailwatch_constructs.catalog.auditors import Auditor
from trailwatch_constructs.core.errors import (
    ConfigurationError,
    ControlDefinitionError,
    PatternTooLongError,
    TrailwatchError,
    UnknownControlError,
)
from trailwatch_constructs.filter_pattern import FilterPattern, FilterPatternError, parse_filter_pattern

if TYPE_CHECKING:
    from trailwatch_constructs.constructs.alarm_topic import AlarmTopic
    from trailwatch_constructs.constructs.alert_enricher import AlertEnricher, EnrichmentOptions
    from trailwatch_constructs.constructs.athena import CloudTrailAthena
    from trailwatch_constructs.constructs.audit_trail import AuditTrail, TrailOptions
    from trailwatch_constructs.constructs.auditor_checks import AuditorChecks, SecurityHubCloudWatchChecks
    from trailwatch_constructs.constructs.dashboard import SecurityMonitoringDashboard
    from trailwatch_constructs.constructs.detective_control import DetectiveControl
    from trailwatch_constructs.constructs.monitoring import CloudTrailSecurityMonitoring
    from trailwatch_constructs.constructs.organization import OrganizationOptions
    from trailwatch_constructs.constructs.organization_log_group import OrganizationTrailLogGroup
    from trailwatch_constructs.constructs.security_hub_policy import SecurityHubMemberPolicy, SecurityHubStandard

# Construct classes, loaded on first attribute access (PEP 562).
_LAZY = {
    "AlarmTopic": "trailwatch_constructs.constructs.alarm_topic",
    "AlertEnricher": "trailwatch_constructs.constructs.alert_enricher",
    "AuditTrail": "trailwatch_constructs.constructs.audit_trail",
    "AuditorChecks": "trailwatch_constructs.constructs.auditor_checks",
    "CloudTrailAthena": "trailwatch_constructs.constructs.athena",
    "CloudTrailSecurityMonitoring": "trailwatch_constructs.constructs.monitoring",
    "DetectiveControl": "trailwatch_constructs.constructs.detective_control",
    "EnrichmentOptions": "trailwatch_constructs.constructs.alert_enricher",
    "OrganizationOptions": "trailwatch_constructs.constructs.organization",
    "OrganizationTrailLogGroup": "trailwatch_constructs.constructs.organization_log_group",
    "SecurityHubMemberPolicy": "trailwatch_constructs.constructs.security_hub_policy",
    "SecurityHubStandard": "trailwatch_constructs.constructs.security_hub_policy",
    "SecurityHubCloudWatchChecks": "trailwatch_constructs.constructs.auditor_checks",
    "SecurityMonitoringDashboard": "trailwatch_constructs.constructs.dashboard",
    "TrailOptions": "trailwatch_constructs.constructs.audit_trail",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trailwatch_constructs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CONTROL_IDS",
    "AlarmSettings",
    "AlarmTopic",
    "AlertEnricher",
    "AuditTrail",
    "Auditor",
    "AuditorChecks",
    "CloudTrailAthena",
    "CloudTrailSecurityMonitoring",
    "ComplianceReference",
    "ConfigurationError",
    "ControlDefinition",
    "ControlDefinitionError",
    "DetectiveControl",
    "EnrichmentOptions",
    "FilterPattern",
    "FilterPatternError",
    "Framework",
    "Language",
    "LocalizedText",
    "OrganizationOptions",
    "OrganizationTrailLogGroup",
    "PatternTooLongError",
    "SecurityHubCloudWatchChecks",
    "SecurityHubMemberPolicy",
    "SecurityHubStandard",
    "SecurityMonitoringDashboard",
    "Severity",
    "Statistic",
    "TrailOptions",
    "TrailwatchError",
    "TreatMissingData",
    "UnknownControlError",
    "catalog_controls",
    "get_control",
    "parse_filter_pattern",
    "privileged_group_membership_changes",
]
