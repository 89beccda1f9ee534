"""The sample app's organization stage: the recipe of docs/organizations.md, synthesized."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cfnlint.api import lint

import app as sample_app
from tests.constructs.helpers import new_app, rendered_text, resources_of
from tests.sample_app.helpers import ORGANIZATION_CONTEXT, SampleApp
from trailwatch_constructs.catalog.auditors import ALL_AUDITORS
from trailwatch_constructs.constructs.auditor_checks import stack_findings


def test_monitoring_is_in_the_management_account_and_home_region(sample: SampleApp) -> None:
    # GIVEN the stage THEN the monitoring stack is where the organization trail's log group is
    monitoring = sample_app_stack(sample, "Monitoring")
    assert (monitoring.account, monitoring.region) == ("111111111111", "us-east-1")
    policy = sample_app_stack(sample, "SecurityHubPolicy")
    assert (policy.account, policy.region) == ("222222222222", "us-east-1")


def sample_app_stack(sample: SampleApp, name: str) -> cdk.Stack:
    stack = sample.organization_stage.node.find_child(name)
    assert isinstance(stack, cdk.Stack)
    return stack


def test_monitoring_reads_the_looked_up_log_group_and_passes_every_auditor(sample: SampleApp) -> None:
    # GIVEN the monitoring stack THEN every metric filter reads the looked-up group, and no auditor check fails
    stack = sample_app_stack(sample, "Monitoring")
    template = Template.from_stack(stack)
    names = {
        json.dumps(f["Properties"]["LogGroupName"]) for f in resources_of(template, "AWS::Logs::MetricFilter").values()
    }
    (name,) = names
    assert "LogGroupName" in name and "Fn::GetAtt" in name
    assert stack_findings(stack, ALL_AUDITORS) == []


def test_monitoring_alarms_describe_an_organization_trail(sample: SampleApp) -> None:
    template = Template.from_stack(sample_app_stack(sample, "Monitoring"))
    for alarm in resources_of(template, "AWS::CloudWatch::Alarm").values():
        assert "any member account (recipientAccountId)" in rendered_text(alarm["Properties"]["AlarmDescription"])


def test_policy_disables_cloudwatch_1_to_14_for_the_member_targets(sample: SampleApp) -> None:
    template = Template.from_stack(sample_app_stack(sample, "SecurityHubPolicy"))
    (policy,) = resources_of(template, "AWS::SecurityHub::ConfigurationPolicy").values()
    disabled = policy["Properties"]["ConfigurationPolicy"]["SecurityHub"]["SecurityControlsConfiguration"][
        "DisabledSecurityControlIdentifiers"
    ]
    assert disabled == [f"CloudWatch.{n}" for n in range(1, 15)]
    targets = sorted(
        a["Properties"]["TargetId"] for a in resources_of(template, "AWS::SecurityHub::PolicyAssociation").values()
    )
    assert targets == ["333333333333", "ou-ab12-cdefgh34"]


@pytest.mark.parametrize("name", ["Monitoring", "SecurityHubPolicy"])
def test_stage_stacks_have_no_unexplained_nag_or_lint_finding(sample: SampleApp, name: str) -> None:
    # GIVEN a stage stack THEN cdk-nag leaves nothing unsuppressed, and cfn-lint finds nothing
    stack = sample_app_stack(sample, name)
    findings = [m for m in sample.messages[stack.artifact_id] if "AwsSolutions-" in m or "NIST." in m]
    assert findings == []
    template = json.dumps(Template.from_stack(stack).to_json())
    assert [str(m) for m in lint(template, regions=["us-east-1"])] == []


def test_the_stage_needs_all_of_its_context() -> None:
    # GIVEN an organization id but no member targets THEN the app names what is missing
    context = {**ORGANIZATION_CONTEXT, "trailwatch:memberTargets": ""}
    with pytest.raises(ValueError, match="missing: trailwatch:memberTargets"):
        sample_app.build_app(new_app(**context))


def test_without_an_organization_id_there_is_no_stage() -> None:
    app = new_app()
    sample_app.build_app(app)
    assert app.node.try_find_child("Organization") is None
