"""CloudTrailSecurityMonitoring over an organization trail: Region checks, descriptions, topic grant."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tests.constructs.helpers import existing_log_group, new_app, rendered_text, resources_of
from trailwatch_constructs import (
    CloudTrailSecurityMonitoring,
    ConfigurationError,
    EnrichmentOptions,
    OrganizationOptions,
)

ORG = OrganizationOptions(organization_id="o-a1b2c3d4e5", trail_home_region="us-east-1")


def _stack(region: str | None = "us-east-1") -> cdk.Stack:
    env = cdk.Environment(account="111122223333", region=region) if region else None
    return cdk.Stack(new_app(), "Org", env=env)


def _monitor(stack: cdk.Stack, **props: Any) -> CloudTrailSecurityMonitoring:
    return CloudTrailSecurityMonitoring(
        stack, "M", log_group=existing_log_group(stack), include=["root-account-usage"], **props
    )


@pytest.fixture(scope="module")
def template() -> Template:
    stack = _stack()
    _monitor(stack, organization=ORG, alarm_emails=["sec@example.com"])
    return Template.from_stack(stack)


def test_alarm_description_says_events_may_come_from_any_member_account(template: Template) -> None:
    # GIVEN an organization trail THEN the description says so, and its link shows recipientAccountId first
    (alarm,) = resources_of(template, "AWS::CloudWatch::Alarm").values()
    text = rendered_text(alarm["Properties"]["AlarmDescription"])
    assert "Organization trail: the events may come from any member account (recipientAccountId)." in text
    assert "fields*20*40timestamp*2C*20recipientAccountId*2C*20*40message*20*7C*20filter" in text


def test_the_enricher_links_events_with_the_member_account_first() -> None:
    # GIVEN an organization trail's monitoring with enriched notifications THEN the function is told so
    stack = _stack()
    _monitor(stack, organization=ORG, enrich=EnrichmentOptions())
    (function,) = resources_of(Template.from_stack(stack), "AWS::Lambda::Function").values()
    assert function["Properties"]["Environment"]["Variables"]["TRAILWATCH_ORGANIZATION_TRAIL"] == "true"


def test_topic_lets_the_organization_list_its_subscriptions(template: Template) -> None:
    # GIVEN an organization THEN the topic policy grants ListSubscriptionsByTopic to its principals only
    (policy,) = resources_of(template, "AWS::SNS::TopicPolicy").values()
    (grant,) = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "AllowOrganizationToListSubscriptions"
    ]
    assert grant["Principal"] == {"AWS": "*"}
    assert grant["Action"] == "sns:ListSubscriptionsByTopic"
    assert grant["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def test_the_grant_can_be_left_out() -> None:
    stack = _stack()
    _monitor(stack, organization=OrganizationOptions("o-a1b2c3d4e5", "us-east-1", grant_subscription_listing=False))
    (policy,) = resources_of(Template.from_stack(stack), "AWS::SNS::TopicPolicy").values()
    assert all(
        s.get("Sid") != "AllowOrganizationToListSubscriptions"
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    )


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (None, "the stack's Region is not explicit"),
        ("eu-west-1", "the stack is in 'eu-west-1' but organization.trail_home_region is 'us-east-1'"),
    ],
    ids=["agnostic", "other-region"],
)
def test_a_stack_outside_the_trails_home_region_is_refused(region: str | None, message: str) -> None:
    # GIVEN a stack whose Region is unknown or not the trail's home Region THEN synth is refused before anything exists
    stack = _stack(region)
    with pytest.raises(ConfigurationError) as caught:
        _monitor(stack, organization=ORG)
    assert any(message in p for p in caught.value.problems)
    assert stack.node.try_find_child("M") is None


@pytest.mark.parametrize(
    ("organization", "message"),
    [
        (
            OrganizationOptions("123456789012", "us-east-1"),
            "organization.organization_id '123456789012' is not an organization id",
        ),
        (
            OrganizationOptions("o-a1b2c3d4e5", "useast1"),
            "organization.trail_home_region 'useast1' is not a Region name",
        ),
        ({"organization_id": "o-a1b2c3d4e5"}, "expected OrganizationOptions(...)"),
    ],
    ids=["account-id", "bad-region", "dict"],
)
def test_organization_mistakes_are_named(organization: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        _monitor(_stack(), organization=organization)
    assert any(message in p for p in caught.value.problems)


def test_without_an_organization_descriptions_keep_the_single_account_wording() -> None:
    stack = _stack()
    _monitor(stack)
    (alarm,) = resources_of(Template.from_stack(stack), "AWS::CloudWatch::Alarm").values()
    text = rendered_text(alarm["Properties"]["AlarmDescription"])
    assert "Organization trail" not in text and "recipientAccountId" not in text
