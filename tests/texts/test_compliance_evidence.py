"""Compliance coverage: every benchmark item maps to the right control, and exactness is told."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from trailwatch_constructs.catalog import ControlDefinition, Framework, catalog_controls, get_control
from trailwatch_constructs.texts.compliance_evidence import BENCHMARK_ITEMS, CoverageRow, coverage, coverage_json

DEFAULT = catalog_controls(privileged_groups=["Administrators"])


def _row(framework: Framework, item: str, controls: Sequence[ControlDefinition] = DEFAULT) -> CoverageRow:
    (row,) = [r for r in coverage(controls) if r.framework is framework and r.item == item]
    return row


@pytest.mark.parametrize("item", BENCHMARK_ITEMS[Framework.SECURITY_HUB])
def test_every_security_hub_item_is_covered_with_exact_text(item: str) -> None:
    row = _row(Framework.SECURITY_HUB, item)
    assert row.control_id is not None
    assert row.exact_security_hub_text is True


@pytest.mark.parametrize(
    ("framework", "item", "control_id"),
    [
        (Framework.CIS_1_2_0, "1.1", "root-account-usage"),
        (Framework.CIS_1_2_0, "3.1", "unauthorized-api-calls"),
        (Framework.CIS_1_2_0, "3.3", "root-account-usage"),
        (Framework.CIS_1_2_0, "3.14", "vpc-changes"),
        (Framework.CIS_1_4_0, "1.7", "root-account-usage"),
        (Framework.CIS_1_4_0, "4.7", "kms-key-disable-or-deletion"),
        (Framework.CIS_1_4_0, "4.15", "organizations-changes"),
        (Framework.CIS_3_0_0, "4.15", "organizations-changes"),
        (Framework.SECURITY_HUB, "CloudWatch.7", "kms-key-disable-or-deletion"),
    ],
)
def test_items_map_to_the_documented_control(framework: Framework, item: str, control_id: str) -> None:
    assert _row(framework, item).control_id == control_id


def test_security_hub_enabled_item_is_not_covered_and_says_why() -> None:
    row = _row(Framework.CIS_3_0_0, "4.16")
    assert row.control_id is None
    assert "Security Hub is enabled" in row.note


def test_altered_pattern_is_not_exact_text() -> None:
    # GIVEN the MFA control replaced by one with other text THEN CloudWatch.3 is covered but not exact
    altered = dataclasses.replace(
        get_control("console-signin-without-mfa"),
        pattern='{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed!="Yes")}',
    )
    controls = [altered if c.id == altered.id else c for c in DEFAULT]
    row = _row(Framework.SECURITY_HUB, "CloudWatch.3", controls)
    assert row.control_id == "console-signin-without-mfa"
    assert row.exact_security_hub_text is False
    assert "Security Hub's exact-text check fails" in row.note


def test_excluded_control_leaves_its_items_uncovered() -> None:
    controls = [c for c in DEFAULT if c.id != "vpc-changes"]
    assert _row(Framework.SECURITY_HUB, "CloudWatch.14", controls).control_id is None
    assert _row(Framework.CIS_1_4_0, "4.14", controls).control_id is None


def test_json_lists_items_and_prerequisites() -> None:
    data = coverage_json(DEFAULT)
    assert len(data["items"]) == sum(len(v) for v in BENCHMARK_ITEMS.values())  # type: ignore[arg-type]
    assert {p["control"] for p in data["prerequisites"]} >= {"CloudTrail.1", "CloudWatch.16"}  # type: ignore[union-attr]
