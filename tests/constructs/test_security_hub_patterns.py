"""Security Hub CloudWatch.1-14: the deployed filter pattern is AWS's prescribed text, byte for byte.

Security Hub fails these checks on any other text ("This control fails if the exact metric
filters prescribed by CIS are not used"), so the expected texts below are copied independently
of the catalogue from:
AWS Security Hub User Guide, "Amazon CloudWatch controls",
https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
(archived source: github.com/awsdocs/aws-security-hub-user-guide, doc_source/cloudwatch-controls.md,
commit bda5bf7ddbdf498557b2ac6a538577528004e6d5), remediation step of each control.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from tests.constructs.conftest import SampleApp, resources_of
from trailwatch_constructs.catalog import STATIC_CONTROLS

SECURITY_HUB_DOC = "Security Hub User Guide, Amazon CloudWatch controls"

DOCUMENTED_PATTERNS = {
    "CloudWatch.1": '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    "CloudWatch.2": '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    "CloudWatch.3": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "CloudWatch.4": "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}",
    "CloudWatch.5": "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}",
    "CloudWatch.6": '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    "CloudWatch.7": "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
    "CloudWatch.8": "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
    "CloudWatch.9": "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
    "CloudWatch.10": "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}",
    "CloudWatch.11": "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}",
    "CloudWatch.12": "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
    "CloudWatch.13": "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}",
    "CloudWatch.14": "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}",
}

CATALOGUE_BY_SECURITY_HUB = {c.security_hub_control: c for c in STATIC_CONTROLS if c.security_hub_control}


def test_catalogue_covers_every_security_hub_cloudwatch_control() -> None:
    # GIVEN the catalogue WHEN mapping it to Security Hub THEN CloudWatch.1-14 each have exactly one control
    assert sorted(CATALOGUE_BY_SECURITY_HUB, key=lambda c: int(c.split(".")[1])) == list(DOCUMENTED_PATTERNS)


@pytest.mark.parametrize("security_hub_control", list(DOCUMENTED_PATTERNS), ids=lambda c: f"{SECURITY_HUB_DOC}#{c}")
def test_catalogue_pattern_is_security_hub_text(security_hub_control: str) -> None:
    # GIVEN the control mapped to this Security Hub item WHEN reading its pattern
    # THEN it is the documented text, byte for byte (whitespace included)
    assert CATALOGUE_BY_SECURITY_HUB[security_hub_control].pattern == DOCUMENTED_PATTERNS[security_hub_control]


@pytest.mark.parametrize("security_hub_control", list(DOCUMENTED_PATTERNS), ids=lambda c: f"{SECURITY_HUB_DOC}#{c}")
def test_synthesized_metric_filter_has_security_hub_text(sample: SampleApp, security_hub_control: str) -> None:
    # GIVEN the synthesized sample stack WHEN looking for the item's filter
    # THEN exactly one metric filter carries the documented text and publishes a value of 1
    filters = resources_of(sample.main, "AWS::Logs::MetricFilter")
    with_text = [
        r for r in filters.values() if r["Properties"]["FilterPattern"] == DOCUMENTED_PATTERNS[security_hub_control]
    ]
    assert len(with_text) == 1
    transformation = with_text[0]["Properties"]["MetricTransformations"][0]
    assert transformation["MetricValue"] == "1"


@pytest.mark.parametrize("security_hub_control", list(DOCUMENTED_PATTERNS), ids=lambda c: f"{SECURITY_HUB_DOC}#{c}")
def test_existing_log_group_stack_has_security_hub_text(sample: SampleApp, security_hub_control: str) -> None:
    # GIVEN the stack over an existing log group THEN it deploys the same documented text
    sample.existing.has_resource_properties(
        "AWS::Logs::MetricFilter",
        Match.object_like({"FilterPattern": DOCUMENTED_PATTERNS[security_hub_control]}),
    )
