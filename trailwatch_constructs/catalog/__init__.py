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
    Language,
    LocalizedText,
    Severity,
    Statistic,
    TreatMissingData,
)
from trailwatch_constructs.catalog.samples import ControlSamples, SampleEvent, load_samples, sample_control_ids
from trailwatch_constructs.catalog.variants import (
    TUNED_VARIANTS,
    VARIANT_IDS,
    get_variant,
    replaces_security_hub_text,
    variants_for,
)

__all__ = [
    "CONTROL_IDS",
    "PRIVILEGED_GROUP_CONTROL_ID",
    "STATIC_CONTROLS",
    "TUNED_VARIANTS",
    "VARIANT_IDS",
    "AlarmSettings",
    "ComplianceReference",
    "ControlDefinition",
    "ControlSamples",
    "Framework",
    "Language",
    "LocalizedText",
    "SampleEvent",
    "Severity",
    "Statistic",
    "TreatMissingData",
    "catalog_controls",
    "get_control",
    "get_variant",
    "load_samples",
    "privileged_group_membership_changes",
    "privileged_group_pattern",
    "replaces_security_hub_text",
    "sample_control_ids",
    "variants_for",
]
