"""Helpers shared by the construct tests: pinned context and environment, stacks, template readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
REGION = "eu-west-1"
# The feature flags come from cdk.json, so tests and `cdk synth` build the same resources.
CDK_JSON_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
EXISTING_LOG_GROUP_NAME = "org-trail-logs"


def new_app(**context: Any) -> cdk.App:
    """An App with cdk.json's flags, the pinned account/region, and no bootstrap-version rule."""
    return cdk.App(
        context={**CDK_JSON_CONTEXT, "trailwatch:account": ACCOUNT, "trailwatch:region": REGION, **context},
        analytics_reporting=False,
        default_stack_synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )


def existing_log_group(stack: cdk.Stack) -> logs.ILogGroup:
    """A CloudTrail log group the stack does not create (as an organization trail's would be)."""
    return logs.LogGroup.from_log_group_name(stack, "Existing", EXISTING_LOG_GROUP_NAME)


def new_stack(app: cdk.App | None = None, stack_id: str = "TestStack") -> cdk.Stack:
    """A stack in the pinned environment."""
    return cdk.Stack(app or new_app(), stack_id, env=cdk.Environment(account=ACCOUNT, region=REGION))


def resources_of(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource of one type."""
    found: dict[str, dict[str, Any]] = template.find_resources(resource_type)
    return found


def rendered_text(value: Any) -> str:
    """A CloudFormation string value as text, with each intrinsic (Ref, GetAtt...) shown as ``<ref>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(rendered_text(p) for p in parts)
    return "<ref>"


def nag_findings(app: cdk.App) -> list[str]:
    """Every AwsSolutions and NIST 800-53 r5 finding left unsuppressed in ``app``."""
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    cdk.Aspects.of(app).add(AwsSolutionsChecks())
    cdk.Aspects.of(app).add(NIST80053R5Checks())
    try:
        app.synth()
        synthesized = True
    except RuntimeError:  # cdk-nag fails synth on an error finding; the findings are read below
        synthesized = False
    findings = [
        f"{node.node.path}: {str(entry.data).splitlines()[0]}"
        for node in app.node.find_all()
        for entry in node.node.metadata
        if entry.type in ("aws:cdk:error", "aws:cdk:warning")
        and ("AwsSolutions-" in str(entry.data) or "NIST." in str(entry.data))
    ]
    assert synthesized or findings, "synth failed for a reason other than a cdk-nag finding"
    return findings


def cfn_lint_findings(template: Template) -> list[str]:
    """cfn-lint's findings on a template, checked for the test Region and us-east-1."""
    from cfnlint.api import lint

    matches = lint(json.dumps(template.to_json()), regions=[REGION, "us-east-1"])
    return [f"{m.rule.id} {m.message}" for m in matches]


def nag_suppressions(template: Template) -> list[dict[str, Any]]:
    """Every cdk-nag suppression written into the template's resources' metadata."""
    return [
        rule
        for resource in template.to_json()["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]


def role_statements(template: Template, function: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement of the IAM policies attached to a Lambda function's role."""
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
