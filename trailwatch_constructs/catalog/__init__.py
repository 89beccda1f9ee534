"""The control catalogue: typed definitions and their sample events (no ``aws_cdk`` import)."""

from __future__ import annotations

from trailwatch_constructs.catalog.controls import (
    CONTROL_IDS,
    PRIVILEGED_GROUP_CONTROL_ID,
    STATIC_CONTROLS,
    catalog_controls,
    get_control,
    privileged_group_membership_changes,
    privileged_group_pattern,
)
from trailwatch_constructs.catalog.definition import (
    AlarmSettings,
    ComplianceReference,
    ControlDefinition,
    Framework,
    LocalizedText,
    Severity,
    TreatMissingData,
)
from trailwatch_constructs.catalog.samples import ControlSamples, SampleEvent, load_samples, sample_control_ids

__all__ = [
    "CONTROL_IDS",
    "PRIVILEGED_GROUP_CONTROL_ID",
    "STATIC_CONTROLS",
    "AlarmSettings",
    "ComplianceReference",
    "ControlDefinition",
    "ControlSamples",
    "Framework",
    "LocalizedText",
    "SampleEvent",
    "Severity",
    "TreatMissingData",
    "catalog_controls",
    "get_control",
    "load_samples",
    "privileged_group_membership_changes",
    "privileged_group_pattern",
    "sample_control_ids",
]
