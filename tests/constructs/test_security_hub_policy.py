"""SecurityHubMemberPolicy: a central configuration policy disabling CloudWatch.1-14, associated per target.

The schema facts asserted here come from the CloudFormation resource schemas of
AWS::SecurityHub::ConfigurationPolicy and AWS::SecurityHub::PolicyAssociation (cfn-lint ships them,
and the cfn-lint test checks the template against them).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tests.constructs.helpers import cfn_lint_findings, new_stack, resources_of
from trailwatch_constructs.constructs.security_hub_policy import (
    CLOUDWATCH_ALARM_CONTROLS,
    SecurityHubMemberPolicy,
    SecurityHubStandard,
    target_type,
)
from trailwatch_constructs.core.errors import ConfigurationError

OWNER = "111122223333"
MEMBER = "444455556666"
OU = "ou-ab12-34cd56ef"
ROOT = "r-ab12"
FSBP = "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_3 = "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0"
CLOUDWATCH_1_TO_14 = [f"CloudWatch.{n}" for n in range(1, 15)]
WARNING_ID = "trailwatch:policy-reaches-trail-owner"


def _props(**overrides: Any) -> dict[str, Any]:
    return {"enabled_standards": [FSBP], "targets": [OU, MEMBER], "trail_owner_account": OWNER, **overrides}


def _build(**overrides: Any) -> tuple[cdk.Stack, SecurityHubMemberPolicy]:
    stack = new_stack()
    return stack, SecurityHubMemberPolicy(stack, "MemberPolicy", **_props(**overrides))


def _synth(**overrides: Any) -> Template:
    stack, _ = _build(**overrides)
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def template() -> Template:
    """The policy for one OU and one member account, every optional property at its default."""
    return _synth()


def _policy(template: Template) -> tuple[str, dict[str, Any]]:
    ((logical_id, policy),) = resources_of(template, "AWS::SecurityHub::ConfigurationPolicy").items()
    return logical_id, policy["Properties"]


def _associations(template: Template) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources_of(template, "AWS::SecurityHub::PolicyAssociation").values()]


def _problems(**overrides: Any) -> tuple[str, ...]:
    with pytest.raises(ConfigurationError) as caught:
        _build(**overrides)
    return caught.value.problems


def test_the_policy_disables_exactly_cloudwatch_1_to_14_and_keeps_security_hub_on(template: Template) -> None:
    # GIVEN the default disabled_controls WHEN synthesized THEN the policy enables Security Hub and the
    # given standards, and disables CloudWatch.1-14 and nothing else (no enabled-controls list: the two
    # are exclusive, and the disabled one enables every other control, new ones included)
    _, policy = _policy(template)
    assert policy["ConfigurationPolicy"] == {
        "SecurityHub": {
            "ServiceEnabled": True,
            "EnabledStandardIdentifiers": [FSBP],
            "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": CLOUDWATCH_1_TO_14},
        }
    }


def test_the_default_controls_are_the_catalogues_security_hub_controls() -> None:
    assert list(CLOUDWATCH_ALARM_CONTROLS) == CLOUDWATCH_1_TO_14


def test_one_association_per_target_with_the_policys_uuid_and_the_derived_target_type(template: Template) -> None:
    # GIVEN an OU and an account as targets WHEN synthesized THEN each has one association, which
    # refers to the policy by its UUID (GetAtt Id; the schema refuses the ARN that Ref gives)
    policy_id, _ = _policy(template)
    assert _associations(template) == [
        {
            "ConfigurationPolicyId": {"Fn::GetAtt": [policy_id, "Id"]},
            "TargetId": OU,
            "TargetType": "ORGANIZATIONAL_UNIT",
        },
        {"ConfigurationPolicyId": {"Fn::GetAtt": [policy_id, "Id"]}, "TargetId": MEMBER, "TargetType": "ACCOUNT"},
    ]


def test_a_root_target_is_associated_as_root() -> None:
    assert [(a["TargetId"], a["TargetType"]) for a in _associations(_synth(targets=[ROOT]))] == [(ROOT, "ROOT")]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (MEMBER, "ACCOUNT"),
        (OU, "ORGANIZATIONAL_UNIT"),
        ("ou-abcd1234efgh-abcdefgh12345678", "ORGANIZATIONAL_UNIT"),
        (ROOT, "ROOT"),
        ("12345678901", None),
        ("ou-ab12", None),
        ("OU-AB12-34CD56EF", None),
        ("r-ab1", None),
        ("o-ab12cd34ef", None),
    ],
)
def test_target_type_follows_the_organizations_id_forms(target: str, expected: str | None) -> None:
    assert target_type(target) == expected


def test_reordering_targets_keeps_every_associations_logical_id() -> None:
    # GIVEN the same targets in another order THEN each association keeps its logical id (none replaced)
    def ids(targets: list[str]) -> dict[str, str]:
        found = resources_of(_synth(targets=targets), "AWS::SecurityHub::PolicyAssociation")
        return {a["Properties"]["TargetId"]: logical_id for logical_id, a in found.items()}

    assert ids([OU, MEMBER, ROOT]) == ids([ROOT, MEMBER, OU])


def test_public_attributes_expose_the_policy_and_each_association() -> None:
    stack, member_policy = _build()
    policy_id = stack.resolve(member_policy.policy.logical_id)
    assert stack.resolve(member_policy.policy_id) == {"Fn::GetAtt": [policy_id, "Id"]}
    assert stack.resolve(member_policy.policy_arn) == {"Fn::GetAtt": [policy_id, "Arn"]}
    assert list(member_policy.associations) == [OU, MEMBER]
    assert member_policy.associations[MEMBER].target_type == "ACCOUNT"


def test_standard_constants_follow_the_stacks_partition_and_region() -> None:
    # GIVEN the standard constants WHEN synthesized THEN their ARNs use AWS::Partition and AWS::Region
    # (CIS 1.2.0's names no Region)
    _, policy = _policy(
        _synth(
            enabled_standards=[
                SecurityHubStandard.FOUNDATIONAL_SECURITY_BEST_PRACTICES,
                SecurityHubStandard.CIS_AWS_FOUNDATIONS_1_2_0,
            ]
        )
    )
    partition, region = {"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}
    assert policy["ConfigurationPolicy"]["SecurityHub"]["EnabledStandardIdentifiers"] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    partition,
                    ":securityhub:",
                    region,
                    "::standards/aws-foundational-security-best-practices/v/1.0.0",
                ],
            ]
        },
        {"Fn::Join": ["", ["arn:", partition, ":securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"]]},
    ]


def test_name_is_generated_stably_within_the_limit_or_taken_as_given(template: Template) -> None:
    _, policy = _policy(template)
    assert policy["Name"].startswith("TestStackMemberPolicy")
    assert len(policy["Name"]) <= 128
    assert _policy(_synth())[1]["Name"] == policy["Name"]
    assert _policy(_synth(name="org-trail-members"))[1]["Name"] == "org-trail-members"


def test_custom_disabled_controls_replace_the_default() -> None:
    _, policy = _policy(_synth(disabled_controls=["CloudWatch.1", "CloudWatch.4"]))
    controls = policy["ConfigurationPolicy"]["SecurityHub"]["SecurityControlsConfiguration"]
    assert controls == {"DisabledSecurityControlIdentifiers": ["CloudWatch.1", "CloudWatch.4"]}


def _warnings(stack: cdk.Stack) -> list[str]:
    return [
        str(entry.data)
        for node in stack.node.find_all()
        for entry in node.node.metadata
        if entry.type == "aws:cdk:warning"
    ]


def test_targeting_an_ou_or_root_warns_that_the_trail_owner_may_inherit_the_policy() -> None:
    # GIVEN an OU and a root among the targets WHEN constructed THEN one acknowledgeable warning says the
    # trail owner's account may be in them and how to keep it checked
    stack, _ = _build(targets=[OU, ROOT, MEMBER])
    (warning,) = _warnings(stack)
    assert warning.startswith(
        f"targets {OU}, {ROOT} may hold the trail owner's account {OWNER}, which would then inherit this policy"
    )
    assert "'SELF_MANAGED_SECURITY_HUB'" in warning
    assert warning.endswith(f"[ack: {WARNING_ID}]")


def test_targeting_accounts_only_does_not_warn() -> None:
    stack, _ = _build(targets=[MEMBER])
    assert _warnings(stack) == []


def test_a_lone_string_target_is_refused_not_iterated() -> None:
    assert _problems(targets=OU) == (
        f"targets {OU!r} is a single string; give a list of strings, e.g. targets=[{OU!r}]",
    )


def test_invalid_target_ids_are_named_with_the_allowed_forms() -> None:
    assert _problems(targets=["o-ab12cd34ef", MEMBER]) == (
        "targets: 'o-ab12cd34ef' is not an account id (12 digits), an organizational unit id (ou-xxxx-xxxxxxxx) "
        "or a root id (r-xxxx)",
    )


def test_the_trail_owners_account_is_refused_as_a_target() -> None:
    (problem,) = _problems(targets=[MEMBER, OWNER])
    assert problem.startswith(
        f"targets: {OWNER!r} is trail_owner_account, the account that owns the organization trail"
    )


def test_a_deploy_time_target_is_refused_as_its_type_cannot_be_derived() -> None:
    stack = new_stack()
    target = cdk.CfnParameter(stack, "Target").value_as_string
    with pytest.raises(ConfigurationError) as caught:
        SecurityHubMemberPolicy(stack, "MemberPolicy", **_props(targets=[target]))
    (problem,) = caught.value.problems
    assert "is only known at deploy time, so its TargetType cannot be derived" in problem


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"targets": []}, "targets is empty; give at least one target: an account id (12 digits), "),
        ({"targets": [MEMBER, MEMBER]}, f"targets names {MEMBER} more than once"),
        ({"trail_owner_account": "management"}, "trail_owner_account 'management' is not an account id; expected 12"),
        ({"enabled_standards": []}, "enabled_standards is empty; a configuration policy replaces each targeted"),
        ({"enabled_standards": FSBP}, "enabled_standards 'arn:aws:securityhub:eu-west-1::standards/aws-foundational"),
        ({"enabled_standards": ["FSBP"]}, "enabled_standards: 'FSBP' is not a Security Hub standard ARN"),
        ({"enabled_standards": [FSBP, CIS_3, FSBP]}, f"enabled_standards names {FSBP} more than once"),
        ({"disabled_controls": []}, "disabled_controls is empty; the policy would disable nothing."),
        ({"disabled_controls": ["CloudWatch-1"]}, "disabled_controls: 'CloudWatch-1' is not a Security Hub control id"),
        ({"name": ""}, "name of 0 characters must be a string of 1-128 characters"),
        ({"description": "x" * 513}, "description of 513 characters must be a string of 1-512 characters"),
    ],
    ids=[
        "no-targets",
        "duplicate-target",
        "bad-owner",
        "no-standards",
        "lone-standard",
        "not-an-arn",
        "duplicate-standard",
        "no-controls",
        "bad-control-id",
        "empty-name",
        "long-description",
    ],
)
def test_each_invalid_property_is_named(overrides: dict[str, Any], problem: str) -> None:
    # GIVEN one invalid property WHEN constructing THEN the one problem reported names it
    (reported,) = _problems(**overrides)
    assert reported.startswith(problem)


def test_every_problem_is_reported_in_one_error_before_anything_is_created() -> None:
    # GIVEN four invalid properties WHEN constructing THEN one ConfigurationError lists all four, and no
    # construct was added
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        SecurityHubMemberPolicy(
            stack,
            "MemberPolicy",
            enabled_standards=[],
            targets=["nope", OWNER],
            trail_owner_account=OWNER,
            disabled_controls=["CloudWatch"],
        )
    assert [p.split(" ")[0].rstrip(":") for p in caught.value.problems] == [
        "enabled_standards",
        "targets",
        "targets",
        "disabled_controls",
    ]
    assert str(caught.value).startswith("invalid SecurityHubMemberPolicy properties (4 problem(s)):")
    assert stack.node.try_find_child("MemberPolicy") is None


def test_cfn_lint_finds_nothing(template: Template) -> None:
    # GIVEN the template WHEN cfn-lint checks it against the resource schemas THEN it reports nothing
    assert cfn_lint_findings(template) == []
