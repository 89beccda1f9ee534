"""The sample app's synthesized stacks, as the sample-app tests read them."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk.assertions import Template
from constructs import IConstruct

import app as sample_app
from tests.constructs.helpers import new_app

SAMPLE_ALARM_EMAIL = "security-alerts@example.com"
ORGANIZATION_CONTEXT = {
    "trailwatch:organizationId": "o-a1b2c3d4e5",
    "trailwatch:homeRegion": "us-east-1",
    "trailwatch:managementAccount": "111111111111",
    "trailwatch:securityHubAdminAccount": "222222222222",
    "trailwatch:memberTargets": "ou-ab12-cdefgh34, 333333333333",
}
"""What a user deploying the organization stage passes with ``-c``."""
SAMPLE_CONTEXT = {
    "trailwatch:alarmEmail": SAMPLE_ALARM_EMAIL,
    "trailwatch:existingLogGroupName": "aws-controltower/CloudTrailLogs",
    **ORGANIZATION_CONTEXT,
}
"""What a user deploying every sample stack passes with ``-c``."""


@dataclass(frozen=True)
class SampleApp:
    """The synthesized sample app: its stacks, templates and cdk-nag findings."""

    main_stack: cdk.Stack
    existing_stack: cdk.Stack
    organization_stage: cdk.Stage
    main: Template
    existing: Template
    nag_findings: dict[str, list[str]]  # stack name -> unsuppressed findings (errors and warnings)
    messages: dict[str, list[str]]  # stack name -> every error and warning annotation


def logical_id(construct: IConstruct) -> str:
    """The logical id of ``construct``'s CloudFormation resource (an L1, or an L2's default child)."""
    resource = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
    assert isinstance(resource, cdk.CfnElement), f"{construct.node.path} has no CloudFormation resource"
    return str(cdk.Stack.of(resource).resolve(resource.logical_id))


def alarm_topic_id(sample: SampleApp) -> str:
    """The logical id of the main stack's alarm topic (the enricher has topics too)."""
    return logical_id(sample.main_stack.monitoring.topic)


def trail_log_group_id(sample: SampleApp) -> str:
    """The logical id of the main stack's CloudTrail log group (the enricher's function has a log group too)."""
    return logical_id(sample.main_stack.monitoring.log_group)


def _messages(assembly: cdk.cx_api.CloudAssembly, stack_name: str) -> list[str]:
    artifact = assembly.get_stack_by_name(stack_name)
    return [
        f"{m.id}: {str(m.entry.data).splitlines()[0]}"
        for m in artifact.messages
        if m.level.value in ("ERROR", "WARNING")
    ]


def synthesize_sample() -> SampleApp:
    """Synthesize the sample app (it adds the Security Hub aspect itself) with the cdk-nag packs."""
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    app = new_app(**SAMPLE_CONTEXT)
    main_stack, existing_stack = sample_app.build_app(app)
    stage = app.node.find_child("Organization")
    assert isinstance(stage, cdk.Stage)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    cdk.Aspects.of(app).add(NIST80053R5Checks(verbose=True))
    assembly = app.synth()
    messages = {s.stack_name: _messages(assembly, s.stack_name) for s in (main_stack, existing_stack)}
    stage_assembly = stage.synth()
    for stack in stage.node.children:
        if isinstance(stack, cdk.Stack):
            messages[stack.artifact_id] = _messages(stage_assembly, stack.stack_name)
    return SampleApp(
        main_stack=main_stack,
        existing_stack=existing_stack,
        organization_stage=stage,
        main=Template.from_json(assembly.get_stack_by_name(main_stack.stack_name).template),
        existing=Template.from_json(assembly.get_stack_by_name(existing_stack.stack_name).template),
        nag_findings={
            name: [m for m in found if "AwsSolutions-" in m or "NIST." in m] for name, found in messages.items()
        },
        messages=messages,
    )
