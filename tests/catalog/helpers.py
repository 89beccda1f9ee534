"""Builders shared by the catalogue tests: a valid definition, changed one field at a time."""

from __future__ import annotations

from typing import Any

from trailwatch_constructs.catalog import ControlDefinition, Language, LocalizedText, Severity

ENGLISH = LocalizedText(
    title="GuardDuty detector deleted", rationale="Blinds threat detection.", investigation="Re-create the detector."
)
JAPANESE = LocalizedText(
    title="GuardDutyディテクターの削除",
    rationale="脅威検出が止まります。",
    investigation="ディテクターを再作成してください。",
)
PATTERN = '{ ($.eventSource = "guardduty.amazonaws.com") && ($.eventName = "DeleteDetector") }'


def a_definition(**overrides: Any) -> ControlDefinition:
    """A valid definition (English text only), with ``overrides`` as keyword arguments."""
    fields: dict[str, Any] = {
        "id": "guardduty-disabled",
        "pattern": PATTERN,
        "metric_name": "GuardDutyDisabled",
        "severity": Severity.HIGH,
        "texts": {Language.EN: ENGLISH},
    }
    return ControlDefinition(**(fields | overrides))
