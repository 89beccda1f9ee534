"""The package's public names: pure ones load eagerly, constructs lazily (so the CLI never loads the CDK)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import trailwatch_constructs

LAZY = (
    "AlarmTopic",
    "AuditTrail",
    "AuditorChecks",
    "CloudTrailAthena",
    "CloudTrailSecurityMonitoring",
    "DetectiveControl",
    "OrganizationOptions",
    "OrganizationTrailLogGroup",
    "SecurityHubCloudWatchChecks",
    "SecurityHubMemberPolicy",
    "SecurityHubStandard",
    "SecurityMonitoringDashboard",
    "TrailOptions",
)


def test_importing_the_package_does_not_load_the_cdk() -> None:
    code = "import sys, json, trailwatch_constructs; print(json.dumps('aws_cdk' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) is False


@pytest.mark.parametrize("name", trailwatch_constructs.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(trailwatch_constructs, name) is not None


@pytest.mark.parametrize("name", LAZY)
def test_construct_names_are_loaded_lazily(name: str) -> None:
    assert name in trailwatch_constructs.__all__
    assert getattr(trailwatch_constructs, name).__name__ == name


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        trailwatch_constructs.Nope  # noqa: B018
