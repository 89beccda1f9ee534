# The 17 trailwatch controls written as the jq filter a user would write by hand, for
# benchmarks/bench_replay.py. Input: CloudTrail log files ({"Records": [...]}), e.g. from
# `zcat files... | jq -r -f controls.jq`. Output: one line per match, the control id.
#
# Semantics follow trailwatch's filter-pattern engine (docs/filter-patterns.md), so the counts
# can be compared: '=' and '!=' hold only for strings (numbers via their JSON text), never for
# a missing key, null, a boolean, an object or an array; "*x" / "x*" are suffix / prefix
# tests; NOT EXISTS holds when the key is absent. `?` turns "cannot index" errors into no match.
# The privileged-group control uses the group "Admins" (the catalogue samples' group).

def txt: if type == "string" then . elif type == "number" then tojson else null end;
def eq($v): txt as $t | $t != null and $t == $v;
def ne($v): txt as $t | $t != null and $t != $v;
def prefix($v): txt as $t | $t != null and ($t | startswith($v));
def suffix($v): txt as $t | $t != null and ($t | endswith($v));
def name_in($names): .eventName | txt as $t | $t != null and ($names | index([$t]) != null);

.Records[]
| select(type == "object")
| (if (.userIdentity.type? | eq("Root"))
      and ((.userIdentity | type == "object" and has("invokedBy")) | not)
      and (.eventType | ne("AwsServiceEvent"))
   then "root-account-usage" else empty end),
  (if (.errorCode | suffix("UnauthorizedOperation")) or (.errorCode | prefix("AccessDenied"))
   then "unauthorized-api-calls" else empty end),
  (if (.eventName | eq("ConsoleLogin"))
      and (.additionalEventData.MFAUsed? | ne("Yes"))
      and (.userIdentity.type? | eq("IAMUser"))
      and (.responseElements.ConsoleLogin? | eq("Success"))
   then "console-signin-without-mfa" else empty end),
  (if name_in(["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
               "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
               "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
               "DetachGroupPolicy"])
   then "iam-policy-changes" else empty end),
  (if name_in(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"])
   then "cloudtrail-config-changes" else empty end),
  (if (.eventName | eq("ConsoleLogin")) and (.errorMessage | eq("Failed authentication"))
   then "console-signin-failures" else empty end),
  (if (.eventSource | eq("kms.amazonaws.com")) and name_in(["DisableKey", "ScheduleKeyDeletion"])
   then "kms-key-disable-or-deletion" else empty end),
  (if (.eventSource | eq("s3.amazonaws.com"))
      and name_in(["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
                   "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"])
   then "s3-bucket-policy-changes" else empty end),
  (if (.eventSource | eq("config.amazonaws.com"))
      and name_in(["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
                   "PutConfigurationRecorder"])
   then "config-changes" else empty end),
  (if name_in(["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
               "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"])
   then "security-group-changes" else empty end),
  (if name_in(["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
               "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"])
   then "nacl-changes" else empty end),
  (if name_in(["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
               "DeleteInternetGateway", "DetachInternetGateway"])
   then "network-gateway-changes" else empty end),
  (if name_in(["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
               "DeleteRoute", "DisassociateRouteTable"])
   then "route-table-changes" else empty end),
  (if name_in(["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
               "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
               "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"])
   then "vpc-changes" else empty end),
  (if (.eventSource | eq("organizations.amazonaws.com"))
      and name_in(["AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
                   "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy",
                   "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization",
                   "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy",
                   "UpdateOrganizationalUnit"])
   then "organizations-changes" else empty end),
  (if name_in(["CreateAccessKey", "UpdateAccessKey"])
   then "access-key-created" else empty end),
  (if name_in(["AddUserToGroup", "RemoveUserFromGroup"]) and (.requestParameters.groupName? | eq("Admins"))
   then "privileged-group-membership-changes" else empty end)
