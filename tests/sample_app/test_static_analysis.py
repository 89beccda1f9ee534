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
from trailwatch_constructs import AuditorChecks
from trailwatch_constructs.catalog.auditors import ALL_AUDITORS, Auditor, control_checks
from trailwatch_constructs.constructs.auditor_checks import stack_findings

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
def test_sample_stacks_pass_every_auditors_checks(sample: SampleApp, which: str) -> None:
    # GIVEN the AuditorChecks aspect (every auditor) on the sample app THEN neither stack would fail
    # a check of Security Hub, CIS, prowler, steampipe, Custodian, ScoutSuite or InSpec, and no other
    # error or warning is raised
    stack_name = getattr(sample, which).stack_name
    assert sample.messages[stack_name] == []


@pytest.mark.parametrize("auditor", list(Auditor), ids=str)
def test_main_stack_satisfies_each_auditor_with_one_alarm_per_control(sample: SampleApp, auditor: Auditor) -> None:
    # GIVEN one auditor WHEN its checks run over the synthesized main stack
    stack = sample.main_stack
    # THEN none fails, and it has checks to make (the auditor's rules were read)
    assert stack_findings(stack, [auditor]) == []
    assert any(control_checks(control_id, [auditor]) for control_id in stack.monitoring.controls)


def test_sample_app_checks_itself_against_every_auditor() -> None:
    # GIVEN the sample app WHEN built THEN each monitoring stack carries the auditor aspect for every
    # auditor, so `cdk synth` fails on a gap
    import aws_cdk as cdk

    import app as sample_app
    from tests.constructs.helpers import new_app
    from tests.sample_app.helpers import SAMPLE_CONTEXT

    app = new_app(**SAMPLE_CONTEXT)
    stage_monitoring = None
    for stack in [
        *sample_app.build_app(app),
        stage_monitoring := app.node.find_child("Organization").node.find_child("Monitoring"),
    ]:
        (aspect,) = [a for a in cdk.Aspects.of(stack).all if isinstance(a, AuditorChecks)]
        assert aspect.auditors == ALL_AUDITORS
    # AND the Security Hub policy stack, which has no alarms to check, does not
    policy = app.node.find_child("Organization").node.find_child("SecurityHubPolicy")
    assert not [a for a in cdk.Aspects.of(policy).all if isinstance(a, AuditorChecks)]
    assert stage_monitoring is not None
