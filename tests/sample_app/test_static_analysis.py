"""cfn-lint and cdk-nag over the synthesized sample templates: no findings left unexplained.

cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs run as aspects in the ``sample`` fixture;
every suppression lives next to the code that needs it, with its reason.
"""

from __future__ import annotations

import json

import pytest
from cfnlint.api import lint

from tests.constructs.helpers import REGION
from tests.sample_app.helpers import SampleApp

STACKS = ("main", "existing")


@pytest.mark.parametrize("which", STACKS)
def test_cfn_lint_finds_no_errors_or_warnings(sample: SampleApp, which: str) -> None:
    # GIVEN a synthesized sample template WHEN cfn-lint checks it THEN it reports nothing
    template = json.dumps(getattr(sample, which).to_json())
    matches = lint(template, regions=[REGION, "us-east-1"])
    assert [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches] == []


@pytest.mark.parametrize("which", ("main_stack", "existing_stack"))
def test_cdk_nag_packs_find_nothing_unsuppressed(sample: SampleApp, which: str) -> None:
    # GIVEN the AwsSolutions and NIST 800-53 r5 packs WHEN the sample app synthesizes THEN no finding is left
    stack_name = getattr(sample, which).stack_name
    assert sample.nag_findings[stack_name] == []


@pytest.mark.parametrize("which", ("main_stack", "existing_stack"))
def test_sample_stacks_pass_the_security_hub_cloudwatch_checks(sample: SampleApp, which: str) -> None:
    # GIVEN the SecurityHubCloudWatchChecks aspect on the sample app THEN neither stack would fail
    # CloudWatch.1-14, and no other error or warning is raised
    stack_name = getattr(sample, which).stack_name
    assert sample.messages[stack_name] == []


def test_sample_app_checks_itself_against_security_hub() -> None:
    # GIVEN the sample app WHEN built THEN it carries the Security Hub aspect, so `cdk synth` fails on a gap
    import aws_cdk as cdk

    import app as sample_app
    from tests.constructs.helpers import new_app
    from trailwatch_constructs import SecurityHubCloudWatchChecks

    app = new_app()
    sample_app.build_app(app)
    assert any(isinstance(aspect, SecurityHubCloudWatchChecks) for aspect in cdk.Aspects.of(app).all)
