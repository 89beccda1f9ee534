"""The Logs Insights translation of every catalogue pattern and tuned variant, reviewed by hand.

Each expected filter was checked against its pattern: a list of exact event names becomes
``in [...]``; ``!=`` keeps the pattern's "false when the field is missing" as ``ispresent(...) and``;
``NOT EXISTS`` becomes ``not ispresent(...)``; ``*`` wildcards at an end become anchored regexes.
A change to the translator that alters any of them must be reviewed here.
"""

from __future__ import annotations

import pytest

from trailwatch_constructs.catalog import TUNED_VARIANTS, ControlDefinition, catalog_controls
from trailwatch_constructs.filter_pattern import to_logs_insights_filter, to_logs_insights_query

CONTROLS = (*catalog_controls(privileged_groups=["Admins"]), *TUNED_VARIANTS)

EXPECTED = {
    "root-account-usage": (
        'userIdentity.type = "Root" and not ispresent(userIdentity.invokedBy) and (ispresent(eventType) and eventType != "AwsServiceEvent")'
    ),
    "unauthorized-api-calls": ("errorCode like /UnauthorizedOperation$/ or errorCode like /^AccessDenied/"),
    "console-signin-without-mfa": (
        'eventName = "ConsoleLogin" and (ispresent(additionalEventData.MFAUsed) and additionalEventData.MFAUsed != "Yes") and userIdentity.type = "IAMUser" and responseElements.ConsoleLogin = "Success"'
    ),
    "iam-policy-changes": (
        'eventName in ["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"]'
    ),
    "cloudtrail-config-changes": (
        'eventName in ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]'
    ),
    "console-signin-failures": ('eventName = "ConsoleLogin" and errorMessage = "Failed authentication"'),
    "kms-key-disable-or-deletion": (
        'eventSource = "kms.amazonaws.com" and (eventName in ["DisableKey", "ScheduleKeyDeletion"])'
    ),
    "s3-bucket-policy-changes": (
        'eventSource = "s3.amazonaws.com" and (eventName in ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"])'
    ),
    "config-changes": (
        'eventSource = "config.amazonaws.com" and (eventName in ["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"])'
    ),
    "security-group-changes": (
        'eventName in ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"]'
    ),
    "nacl-changes": (
        'eventName in ["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"]'
    ),
    "network-gateway-changes": (
        'eventName in ["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"]'
    ),
    "route-table-changes": (
        'eventName in ["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"]'
    ),
    "vpc-changes": (
        'eventName in ["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"]'
    ),
    "organizations-changes": (
        'eventSource = "organizations.amazonaws.com" and (eventName in ["AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"])'
    ),
    "access-key-created": ('eventName in ["CreateAccessKey", "UpdateAccessKey"]'),
    "privileged-group-membership-changes": (
        '(eventName = "AddUserToGroup" and requestParameters.groupName = "Admins") or (eventName = "RemoveUserFromGroup" and requestParameters.groupName = "Admins")'
    ),
    "unauthorized-api-calls-tuned": (
        '(errorCode like /UnauthorizedOperation$/ or errorCode like /^AccessDenied/) and (not ispresent(sourceIPAddress) or (ispresent(sourceIPAddress) and sourceIPAddress != "delivery.logs.amazonaws.com")) and (not ispresent(eventName) or (ispresent(eventName) and eventName != "HeadBucket") or not ispresent(userIdentity.invokedBy) or (ispresent(userIdentity.invokedBy) and userIdentity.invokedBy != "config.amazonaws.com")) and (not ispresent(userIdentity.sessionContext.sessionIssuer.arn) or (ispresent(userIdentity.sessionContext.sessionIssuer.arn) and userIdentity.sessionContext.sessionIssuer.arn not like /:role\\/aws-service-role\\//))'
    ),
    "console-signin-without-mfa-tuned": (
        'eventName = "ConsoleLogin" and (not ispresent(additionalEventData.MFAUsed) or (ispresent(additionalEventData.MFAUsed) and additionalEventData.MFAUsed != "Yes")) and userIdentity.type = "IAMUser" and responseElements.ConsoleLogin = "Success" and not ispresent(additionalEventData.SamlProviderArn) and (not ispresent(userIdentity.arn) or (ispresent(userIdentity.arn) and userIdentity.arn not like /:assumed-role\\/AWSReservedSSO_/))'
    ),
}


def test_every_control_has_a_reviewed_translation() -> None:
    assert sorted(EXPECTED) == sorted(c.id for c in CONTROLS)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_filter_is_the_reviewed_translation(control: ControlDefinition) -> None:
    assert to_logs_insights_filter(control.filter_pattern) == EXPECTED[control.id]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_query_filters_with_it_and_shows_who_did_what(control: ControlDefinition) -> None:
    query = to_logs_insights_query(control.filter_pattern)
    assert query is not None
    assert query.startswith("fields @timestamp, eventSource, eventName, userIdentity.arn, sourceIPAddress")
    assert f" | filter {EXPECTED[control.id]} | sort @timestamp desc | limit 100" in query
