"""``OrganizationTrailLogGroup``: an organization trail's log group, found by name prefix at deploy time.

Control Tower names its trail's log group ``aws-controltower/CloudTrailLogs`` in landing zone 3.x and
appends a random suffix in 4.0 (``aws-controltower/CloudTrailLogs-tfw-qeb``), so a stack cannot name
it at synth. A custom resource looks it up when the stack is created and whenever its properties
change, and fails the deploy, naming the groups found, unless exactly one matches.
"""

from __future__ import annotations

import re
from pathlib import Path

from aws_cdk import CustomResource, Duration, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from trailwatch_constructs.constructs.functions import (
    FUNCTION_LOG_RETENTION,
    HANDLER_ARCHITECTURE,
    HANDLER_RUNTIME,
    justify_pinned_runtime,
)
from trailwatch_constructs.constructs.nag import suppress
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.core.limits import MAX_LOG_GROUP_NAME_LENGTH

CONTROL_TOWER_LOG_GROUP_PREFIX = "aws-controltower/CloudTrailLogs"
"""The name of Control Tower's organization trail log group (landing zone 3.x), which 4.0 suffixes."""

HANDLER_DIRECTORY = Path(__file__).resolve().parent.parent / "functions" / "log_group_lookup"
"""The lookup function's asset: one file, ``index.py``, of plain Python and boto3."""


RESOURCE_TYPE = "Custom::TrailwatchLogGroupLookup"

# The pattern of CreateLogGroup's logGroupName (CloudWatch Logs API reference), which a prefix is the
# start of.
_LOG_GROUP_NAME_RE = re.compile(r"^[\.\-_/#A-Za-z0-9]+$")
_MAX_REVISION_LENGTH = 256
# Security Hub CloudWatch.16 expects every log group to keep its events a year; the functions' logs
# are a few lines per deploy.


def log_group_prefix_problems(option: str, prefix: object) -> list[str]:
    """The problems of a log group name prefix given as ``option``, skipping a deploy-time token.

    Args:
        option: the option's name, as the message shows it.
        prefix: the value given.

    Returns:
        A sentence per problem, naming the option, the value and what is allowed.
    """
    if Token.is_unresolved(prefix):
        return []
    if not isinstance(prefix, str):
        return [
            f"{option} {prefix!r} is a {type(prefix).__name__}; expected a string such as "
            f"{CONTROL_TOWER_LOG_GROUP_PREFIX!r}"
        ]
    if not prefix:
        return [f"{option} is empty; give the start of the log group's name, e.g. {CONTROL_TOWER_LOG_GROUP_PREFIX!r}"]
    problems = []
    if len(prefix) > MAX_LOG_GROUP_NAME_LENGTH:
        problems.append(
            f"{option} is {len(prefix)} characters; log group names have at most {MAX_LOG_GROUP_NAME_LENGTH}"
        )
    if not _LOG_GROUP_NAME_RE.match(prefix):
        bad = "".join(sorted({c for c in prefix if not _LOG_GROUP_NAME_RE.match(c)}))
        problems.append(
            f"{option} {prefix!r} holds {bad!r}; log group names hold only letters, digits and '.', '-', '_', '/', '#'"
        )
    return problems


def _revision_problems(revision: object) -> list[str]:
    if revision is None or Token.is_unresolved(revision):
        return []
    if not isinstance(revision, str) or not 0 < len(revision) <= _MAX_REVISION_LENGTH:
        shown = f"of {len(revision)} characters" if isinstance(revision, str) else repr(revision)
        return [
            f"revision {shown} must be a string of 1-{_MAX_REVISION_LENGTH} characters, e.g. '2026-05-01'; "
            "change it to look the log group up again"
        ]
    return []


# Control Tower 4.0's suffixes seen so far are 8 characters ("-tfw-qeb"); this leaves room.
_DEFAULT_SUFFIX_ROOM = 32


def _max_length(max_name_length: int | None, prefix: str) -> int:
    if max_name_length is not None:
        return max_name_length
    known = 0 if Token.is_unresolved(prefix) else len(prefix)
    return min(MAX_LOG_GROUP_NAME_LENGTH, known + _DEFAULT_SUFFIX_ROOM) if known else MAX_LOG_GROUP_NAME_LENGTH


def _max_length_problems(max_name_length: object, prefix: str) -> list[str]:
    if max_name_length is None:
        return []
    shortest = 1 if Token.is_unresolved(prefix) else len(prefix)
    if isinstance(max_name_length, bool) or not isinstance(max_name_length, int):
        return [f"max_name_length {max_name_length!r} is a {type(max_name_length).__name__}; expected an int"]
    if not shortest <= max_name_length <= MAX_LOG_GROUP_NAME_LENGTH:
        return [
            f"max_name_length {max_name_length} must be between the prefix's length ({shortest}) and "
            f"{MAX_LOG_GROUP_NAME_LENGTH} (CreateLogGroup's limit)"
        ]
    return []


class OrganizationTrailLogGroup(Construct):
    """The log group of an organization trail, found by its name prefix when the stack deploys.

    For the account and Region where the trail delivers to CloudWatch Logs (with Control Tower: the
    management account, in the home Region) when the exact name is not known at synth::

        trail_logs = OrganizationTrailLogGroup(self, "OrgTrailLogs")
        CloudTrailSecurityMonitoring(self, "SecurityMonitoring", log_group=trail_logs.log_group,
                                     alarm_emails=["security@example.com"])

    A custom resource calls DescribeLogGroups with the prefix. A group matches when its name is the
    prefix, or the prefix followed by ``-`` and a suffix (a prefix ending with ``-``, ``_``, ``/``,
    ``.`` or ``#`` matches any continuation). Zero or several matches fail the deploy with a message
    naming the prefix and the groups found. The name is looked up when the stack is created and
    again whenever ``prefix`` or ``revision`` changes: after Control Tower replaces its log group,
    change ``revision`` and deploy. Deleting the stack leaves the log group alone.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str = CONTROL_TOWER_LOG_GROUP_PREFIX,
        revision: str | None = None,
        max_name_length: int | None = None,
    ) -> None:
        """Create the lookup function, its provider and the custom resource.

        Args:
            scope: the parent construct.
            construct_id: the id of this construct.
            prefix: the start of the log group's name: letters, digits and ``.-_/#``, at most 512
                characters. Default: ``aws-controltower/CloudTrailLogs`` (Control Tower 3.x and 4.0).
            revision: any text; changing it makes the next deploy look the name up again (e.g. the
                date Control Tower's log group was replaced). Default: none.
            max_name_length: the longest name the lookup accepts (a longer one fails the deploy). Alarm
                descriptions link to the log group by name and must fit CloudWatch's 1,024 characters,
                so they are sized for this length. Default: the prefix's length plus 32 (Control Tower
                4.0 appends 8 characters such as ``-tfw-qeb``), at most 512.

        Raises:
            ConfigurationError: naming every invalid property.
        """
        problems = [*log_group_prefix_problems("prefix", prefix), *_revision_problems(revision)]
        if not problems:
            problems = _max_length_problems(max_name_length, prefix)
        if problems:
            raise ConfigurationError("OrganizationTrailLogGroup properties", problems)
        super().__init__(scope, construct_id)
        self.function = self._create_function()
        """The Lambda function that looks the log group up (``index.on_event``)."""
        self.provider = self._create_provider()
        """The custom resource provider that invokes ``function``."""
        self.max_log_group_name_length: int = _max_length(max_name_length, prefix)
        """The longest name the lookup accepts: what ``DetectiveControl`` sizes alarm descriptions for."""
        properties = {"Prefix": prefix, "MaxNameLength": str(self.max_log_group_name_length)}
        if revision is not None:
            properties["Revision"] = revision
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties=properties,
        )
        """The custom resource; its physical id is the log group's name."""
        self.log_group_name: str = self.resource.get_att_string("LogGroupName")
        """The log group's name, resolved at deploy time (a token)."""
        self.log_group: logs.ILogGroup = logs.LogGroup.from_log_group_name(self, "LogGroup", self.log_group_name)
        """The log group, for metric filters (``CloudTrailSecurityMonitoring(log_group=...)``)."""

    def _create_function(self) -> lambda_.Function:
        log_group = self._function_log_group("HandlerLogs")
        role = self._function_role("HandlerRole", log_group, "trailwatch: looks up an organization trail's log group")
        # DescribeLogGroups supports no resource-level permissions: the Service Authorization
        # Reference, "Actions, resources, and condition keys for Amazon CloudWatch Logs"
        # (service-authorization/latest/reference/list_amazoncloudwatchlogs.html), lists no resource
        # type for it, and for such actions "you must specify all resources ("*")". IAM evaluates the
        # call against no log group in particular (arn:...:log-group::log-stream:), so a policy naming
        # the Control Tower groups would deny it. The action only lists names and settings.
        lookup = iam.PolicyStatement(actions=["logs:DescribeLogGroups"], resources=["*"])
        role.add_to_policy(lookup)
        function = lambda_.Function(
            self,
            "Handler",
            description="trailwatch: finds an organization trail's CloudWatch Logs log group by name prefix",
            runtime=HANDLER_RUNTIME,
            architecture=HANDLER_ARCHITECTURE,
            handler="index.on_event",
            code=lambda_.Code.from_asset(str(HANDLER_DIRECTORY), exclude=["__pycache__", "*.pyc"]),
            timeout=Duration.minutes(1),
            role=role,
            log_group=log_group,
        )
        _tidy_and_justify(function, role)
        justify_pinned_runtime(function, "only the standard library and boto3")
        suppress(
            role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "logs:DescribeLogGroups supports no resource-level permissions (Service Authorization Reference for "
            "CloudWatch Logs), so its Resource is '*'; it only lists log group names and settings.",
            applies_to=["Resource::*"],
        )
        return function

    def _create_provider(self) -> cr.Provider:
        log_group = self._function_log_group("ProviderLogs")
        role = self._function_role(
            "ProviderRole", log_group, "trailwatch: relays CloudFormation requests to the log group lookup"
        )
        provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.function,
            framework_on_event_role=role,
            log_group=log_group,
        )
        framework = provider.node.find_child("framework-onEvent")
        assert isinstance(framework, lambda_.Function)
        _tidy_and_justify(framework, role)
        handler_id = Stack.of(self).resolve(_cfn_function(self.function).logical_id)
        suppress(
            role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "Generated by the CDK Provider: lambda:InvokeFunction on the lookup function and its versions and "
            "aliases (<function ARN>:*), nothing else.",
            applies_to=[f"Resource::<{handler_id}.Arn>:*"],
        )
        return provider

    def _function_log_group(self, construct_id: str) -> logs.LogGroup:
        log_group = logs.LogGroup(self, construct_id, retention=FUNCTION_LOG_RETENTION)
        suppress(
            log_group,
            "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
            "Holds only the function's own log lines (log group names, the lookup's outcome), no customer data; "
            "CloudWatch Logs encrypts it at rest with its own keys, and a KMS key per lookup would cost more than "
            "it protects.",
        )
        return log_group

    def _function_role(self, construct_id: str, log_group: logs.LogGroup, description: str) -> iam.Role:
        # Instead of AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream and PutLogEvents
        # on every log group): writing to the function's own log group only.
        role = iam.Role(
            self, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
        )
        log_group.grant_write(role)
        suppress(
            role.node.find_child("DefaultPolicy"),
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "Generated by the CDK for this function's role alone: its least-privilege permissions next to the "
            "function they serve; a managed policy would add nothing but reuse.",
        )
        return role


def _tidy_and_justify(function: lambda_.Function, role: iam.Role) -> None:
    # The function must not run before its role's policy is attached, so it waits for the policy. It
    # references the role through GetAtt already, so the DependsOn on the role that the CDK adds too
    # is redundant (cfn-lint W3005).
    policy = role.node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, iam.CfnPolicy)
    _cfn_function(function).add_override("DependsOn", [policy.logical_id])
    suppress(
        function,
        "NIST.800.53.R5-LambdaConcurrency",
        "Invoked by CloudFormation only when the stack is deployed; reserving concurrency would take capacity "
        "from the account, and fails to deploy in accounts whose concurrency quota is at its minimum.",
    )
    suppress(
        function,
        "NIST.800.53.R5-LambdaDLQ",
        "A failed lookup fails the CloudFormation deployment with its message; there is no event to keep for a retry.",
    )
    suppress(
        function,
        "NIST.800.53.R5-LambdaInsideVPC",
        "Calls only AWS APIs (CloudWatch Logs, Lambda) and holds no data; a VPC would need endpoints or a NAT "
        "gateway and protect nothing.",
    )


def _cfn_function(function: lambda_.Function) -> lambda_.CfnFunction:
    resource = function.node.default_child
    assert isinstance(resource, lambda_.CfnFunction)
    return resource
