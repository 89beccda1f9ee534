"""Shared fixtures for the CDK tests: pinned context, environment and one synth per session.

Synthesizing loads jsii and takes seconds, so the sample app is synthesized once per test
session (per xdist worker) and every test reads the same templates.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import app as sample_app  # noqa: E402  (the repository's app.py)

ACCOUNT = "111122223333"
REGION = "eu-west-1"
# The feature flags come from cdk.json, so tests and `cdk synth` build the same resources.
CDK_JSON_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]


def new_app(**context: Any) -> cdk.App:
    """An App with cdk.json's flags, the pinned account/region, and no bootstrap-version rule."""
    return cdk.App(
        context={**CDK_JSON_CONTEXT, "trailwatch:account": ACCOUNT, "trailwatch:region": REGION, **context},
        analytics_reporting=False,
        default_stack_synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )


EXISTING_LOG_GROUP_NAME = "org-trail-logs"
SAMPLE_ALARM_EMAIL = "security-alerts@example.com"
SAMPLE_CONTEXT = {
    "trailwatch:alarmEmail": SAMPLE_ALARM_EMAIL,
    "trailwatch:existingLogGroupName": "aws-controltower/CloudTrailLogs",
}
"""What a user deploying both sample stacks passes with ``-c``."""


def existing_log_group(stack: cdk.Stack) -> logs.ILogGroup:
    """A CloudTrail log group the stack does not create (as an organization trail's would be)."""
    return logs.LogGroup.from_log_group_name(stack, "Existing", EXISTING_LOG_GROUP_NAME)


def new_stack(app: cdk.App | None = None, stack_id: str = "TestStack") -> cdk.Stack:
    """A stack in the pinned environment."""
    return cdk.Stack(app or new_app(), stack_id, env=cdk.Environment(account=ACCOUNT, region=REGION))


@dataclass(frozen=True)
class SampleApp:
    """The synthesized sample app: its stacks, templates and cdk-nag findings."""

    main_stack: cdk.Stack
    existing_stack: cdk.Stack
    main: Template
    existing: Template
    nag_findings: dict[str, list[str]]  # stack name -> unsuppressed findings (errors and warnings)
    messages: dict[str, list[str]]  # stack name -> every error and warning annotation


def _messages(assembly: cdk.cx_api.CloudAssembly, stack_name: str) -> list[str]:
    artifact = assembly.get_stack_by_name(stack_name)
    return [
        f"{m.id}: {str(m.entry.data).splitlines()[0]}"
        for m in artifact.messages
        if m.level.value in ("ERROR", "WARNING")
    ]


@pytest.fixture(scope="session")
def sample() -> SampleApp:
    """The sample app (it adds the Security Hub aspect itself), with the cdk-nag packs, synthesized once."""
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    app = new_app(**SAMPLE_CONTEXT)
    main_stack, existing_stack = sample_app.build_app(app)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    cdk.Aspects.of(app).add(NIST80053R5Checks(verbose=True))
    assembly = app.synth()
    messages = {s.stack_name: _messages(assembly, s.stack_name) for s in (main_stack, existing_stack)}
    return SampleApp(
        main_stack=main_stack,
        existing_stack=existing_stack,
        main=Template.from_json(assembly.get_stack_by_name(main_stack.stack_name).template),
        existing=Template.from_json(assembly.get_stack_by_name(existing_stack.stack_name).template),
        nag_findings={
            name: [m for m in found if "AwsSolutions-" in m or "NIST." in m] for name, found in messages.items()
        },
        messages=messages,
    )


def resources_of(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource of one type."""
    found: dict[str, dict[str, Any]] = template.find_resources(resource_type)
    return found


@pytest.fixture
def synth() -> Callable[[Callable[[cdk.Stack], object]], Template]:
    """Build a fresh stack with ``build(stack)`` and return its template."""

    def run(build: Callable[[cdk.Stack], object]) -> Template:
        stack = new_stack()
        build(stack)
        return Template.from_stack(stack)

    return run


def rendered_text(value: Any) -> str:
    """A CloudFormation string value as text, with each intrinsic (Ref, GetAtt...) shown as ``<ref>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(rendered_text(p) for p in parts)
    return "<ref>"
