"""``trailwatch_constructs.testing``: templates normalized for users' snapshot tests."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from trailwatch_constructs import CloudTrailSecurityMonitoring, TrailOptions, get_control
from trailwatch_constructs.testing import ASSET_HASH_PLACEHOLDER, normalize_template, snapshot_template

DIGEST = "0123456789abcdef" * 4
OTHER_DIGEST = "fedcba9876543210" * 4
TEST_FRAMEWORKS = ("pytest", "_pytest", "syrupy")
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")

BOOTSTRAP_PARAMETER = {
    "Type": "AWS::SSM::Parameter::Value<String>",
    "Default": "/cdk-bootstrap/hnb659fds/version",
    "Description": "Version of the CDK Bootstrap resources in this environment. [cdk:skip]",
}
BOOTSTRAP_RULE = {
    "Assertions": [
        {
            "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
            "AssertDescription": "CDK bootstrap stack version 6 required.",
        }
    ]
}
CDK_METADATA = {
    "Type": "AWS::CDK::Metadata",
    "Properties": {
        "Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzTRM1BMLC/WTU7J1s3JTNKr9kstLkkt0nFOy8tJLUkNSS0u0Q0uSUzOBgDrS"
    },
    "Metadata": {"aws:cdk:path": "Stack/CDKMetadata/Default"},
    "Condition": "CDKMetadataAvailable",
}
CDK_METADATA_CONDITION = {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}


def a_function(digest: str = DIGEST) -> dict[str, Any]:
    """A Lambda function resource as `cdk synth` writes it, with path and asset metadata."""
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {
                "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                "S3Key": f"{digest}.zip",
            },
            "Runtime": "python3.12",
        },
        "Metadata": {
            "aws:cdk:path": "Stack/Fn/Resource",
            "aws:asset:path": f"asset.{digest}",
            "aws:asset:is-bundled": False,
            "aws:asset:property": "Code",
        },
    }


def a_template(**sections: Any) -> dict[str, Any]:
    return {"Resources": {"Fn": a_function()}, **sections}


# --- normalize_template on template dicts ----------------------------------------------------------


def test_asset_hashes_in_values_become_the_placeholder() -> None:
    # GIVEN a function whose code key and image tag carry asset hashes
    template = {"Resources": {"Fn": {"Properties": {"S3Key": f"{DIGEST}.zip", "Tags": [f"repo:{DIGEST}", 1]}}}}
    # WHEN it is normalized
    normalized = normalize_template(template)
    # THEN each hash is the placeholder and the rest of each string stays
    assert normalized["Resources"]["Fn"]["Properties"] == {
        "S3Key": f"{ASSET_HASH_PLACEHOLDER}.zip",
        "Tags": [f"repo:{ASSET_HASH_PLACEHOLDER}", 1],
    }


@pytest.mark.parametrize(
    "text",
    ["a" * 63, "a" * 65, DIGEST.upper(), f"x{DIGEST}", "arn:aws:s3:::bucket/key"],
    ids=["63 digits", "65 digits", "upper case", "inside a word", "no hex"],
)
def test_strings_that_are_not_asset_hashes_stay(text: str) -> None:
    # GIVEN a value that is not a standalone 64-digit lower-case hash WHEN normalized THEN it is kept
    assert normalize_template({"Outputs": {"Out": {"Value": text}}}) == {"Outputs": {"Out": {"Value": text}}}


def test_two_synths_of_different_asset_contents_normalize_alike() -> None:
    # GIVEN the same function built from two versions of its code
    # WHEN both templates are normalized THEN they are equal
    assert normalize_template({"Resources": {"Fn": a_function(DIGEST)}}) == normalize_template(
        {"Resources": {"Fn": a_function(OTHER_DIGEST)}}
    )


def test_bootstrap_version_parameter_and_rule_are_dropped_with_their_emptied_sections() -> None:
    # GIVEN a template as the default synthesizer writes it
    template = a_template(
        Parameters={"BootstrapVersion": BOOTSTRAP_PARAMETER}, Rules={"CheckBootstrapVersion": BOOTSTRAP_RULE}
    )
    # WHEN normalized THEN neither the parameter nor the rule, nor their empty sections, remain
    assert set(normalize_template(template)) == {"Resources"}


def test_the_stacks_own_parameters_and_rules_stay() -> None:
    # GIVEN user parameters and rules next to the CDK's
    own_parameter = {"Type": "String", "Default": "prod"}
    own_rule = {"Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}]}
    template = a_template(
        Parameters={"BootstrapVersion": BOOTSTRAP_PARAMETER, "Stage": own_parameter},
        Rules={"CheckBootstrapVersion": BOOTSTRAP_RULE, "StageIsProd": own_rule},
    )
    # WHEN normalized
    normalized = normalize_template(template)
    # THEN only the CDK's are gone
    assert normalized["Parameters"] == {"Stage": own_parameter}
    assert normalized["Rules"] == {"StageIsProd": own_rule}


def test_cdk_metadata_resource_and_its_condition_are_dropped() -> None:
    # GIVEN the version-reporting resource and its condition next to a condition of the stack's own
    own_condition = {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    template = a_template(Conditions={"CDKMetadataAvailable": CDK_METADATA_CONDITION, "IsProd": own_condition})
    template["Resources"]["CDKMetadata"] = CDK_METADATA
    # WHEN normalized
    normalized = normalize_template(template)
    # THEN the resource and its condition are gone, the stack's own condition stays
    assert set(normalized["Resources"]) == {"Fn"}
    assert normalized["Conditions"] == {"IsProd": own_condition}


def test_path_and_asset_metadata_are_dropped_and_other_metadata_stays() -> None:
    # GIVEN a resource with construct-path and asset metadata plus a cdk-nag suppression
    suppression = {"rules_to_suppress": [{"id": "AwsSolutions-L1", "reason": "pinned runtime"}]}
    function = a_function()
    function["Metadata"]["cdk_nag"] = suppression
    # WHEN normalized
    normalized = normalize_template({"Resources": {"Fn": function}})
    # THEN only the suppression is left
    assert normalized["Resources"]["Fn"]["Metadata"] == {"cdk_nag": suppression}


def test_metadata_left_empty_is_dropped() -> None:
    # GIVEN a resource whose metadata is only path and asset entries WHEN normalized THEN it has none
    assert "Metadata" not in normalize_template(a_template())["Resources"]["Fn"]


def test_the_input_template_is_not_modified() -> None:
    # GIVEN a template with everything normalization touches
    template = a_template(
        Parameters={"BootstrapVersion": BOOTSTRAP_PARAMETER},
        Rules={"CheckBootstrapVersion": BOOTSTRAP_RULE},
        Conditions={"CDKMetadataAvailable": CDK_METADATA_CONDITION},
    )
    template["Resources"]["CDKMetadata"] = CDK_METADATA
    before = copy.deepcopy(template)
    # WHEN it is normalized THEN it is unchanged
    normalize_template(template)
    assert template == before


# --- snapshot_template on a synthesized stack --------------------------------------------------------


@dataclass(frozen=True)
class Synthesized:
    """One team stack built from two versions of its function's code."""

    raw: tuple[Mapping[str, Any], Mapping[str, Any]]
    snapshots: tuple[dict[str, Any], dict[str, Any]]


def team_stack(code_dir: Path) -> cdk.Stack:
    """A stack as a team writes it: the monitoring construct, a function from an asset, and an
    app with the `cdk synth` defaults (bootstrap-version rule, version reporting, metadata).

    It is environment-agnostic, as many teams' stacks are: only then does the version-reporting
    resource come with its region condition.
    """
    app = cdk.App(
        analytics_reporting=True,
        context={"aws:cdk:enable-path-metadata": True, "aws:cdk:enable-asset-metadata": True},
    )
    stack = cdk.Stack(app, "TeamStack")
    CloudTrailSecurityMonitoring(stack, "SecurityMonitoring", trail=TrailOptions(), include=["root-account-usage"])
    lambda_.Function(
        stack,
        "Handler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(code_dir)),
    )
    return stack


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    stacks = []
    for version in (1, 2):
        code_dir = tmp_path_factory.mktemp(f"handler-v{version}")
        (code_dir / "index.py").write_text(f"def handler(event, context):\n    return {version}\n")
        stacks.append(team_stack(code_dir))
    raw = tuple(Template.from_stack(stack).to_json() for stack in stacks)
    snapshots = tuple(snapshot_template(stack) for stack in stacks)
    return Synthesized(raw=(raw[0], raw[1]), snapshots=(snapshots[0], snapshots[1]))


def test_snapshot_survives_a_change_inside_an_asset(synthesized: Synthesized) -> None:
    # GIVEN two synths whose function code differs, so the raw templates differ
    assert synthesized.raw[0] != synthesized.raw[1]
    # THEN their snapshots are equal
    assert synthesized.snapshots[0] == synthesized.snapshots[1]


def test_snapshot_holds_no_cdk_churn(synthesized: Synthesized) -> None:
    # GIVEN the raw template has every kind of churn (a test that cannot fail is a defect)
    raw = json.dumps(synthesized.raw[0])
    churn = ("BootstrapVersion", "AWS::CDK::Metadata", "CDKMetadataAvailable", "aws:cdk:path", "aws:asset:")
    assert [marker for marker in churn if marker not in raw] == []
    assert HEX64.search(raw)
    # WHEN it is taken as a snapshot THEN none is left
    text = json.dumps(synthesized.snapshots[0])
    assert [marker for marker in churn if marker in text] == []
    assert HEX64.search(text) is None


def test_snapshot_keeps_what_a_deploy_creates(synthesized: Synthesized) -> None:
    # GIVEN the snapshot WHEN read as a template THEN the metric filter, alarm and function are there
    template = Template.from_json(synthesized.snapshots[0])
    template.has_resource_properties(
        "AWS::Logs::MetricFilter", {"FilterPattern": get_control("root-account-usage").pattern}
    )
    template.resource_count_is("AWS::CloudWatch::Alarm", 1)
    template.has_resource_properties("AWS::Lambda::Function", {"Code": {"S3Key": f"{ASSET_HASH_PLACEHOLDER}.zip"}})


def test_snapshot_is_plain_json(synthesized: Synthesized) -> None:
    # GIVEN a snapshot WHEN dumped and loaded as JSON THEN it is unchanged
    assert json.loads(json.dumps(synthesized.snapshots[0])) == synthesized.snapshots[0]


# --- imports ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["trailwatch_constructs", "trailwatch_constructs.testing"])
def test_importing_loads_no_test_framework(module: str) -> None:
    # GIVEN a fresh interpreter WHEN it imports the module
    code = f"import json, sys, {module}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded = set(json.loads(out.stdout))
    # THEN the module is loaded and no test framework is
    assert module.split(".")[0] in loaded
    assert loaded.isdisjoint(TEST_FRAMEWORKS)
