"""OrganizationTrailLogGroup: a custom resource resolves the log group by prefix, with least privilege.

What the lookup does at deploy time is tested against a local endpoint in tests/functions/; here,
what the construct synthesizes: the resource and its properties, the function and its permissions,
a metric filter on the resolved name, the validation of its properties and cdk-nag's verdict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

from tests.constructs.helpers import (
    cfn_lint_findings,
    nag_findings,
    nag_suppressions,
    new_app,
    new_stack,
    resources_of,
    role_statements,
)
from trailwatch_constructs import CloudTrailSecurityMonitoring
from trailwatch_constructs.constructs.organization_log_group import OrganizationTrailLogGroup
from trailwatch_constructs.core.errors import ConfigurationError

CONSTRUCT_ID = "OrgTrailLogs"


def _build(stack: cdk.Stack, **props: Any) -> OrganizationTrailLogGroup:
    """The construct and a metric filter on the log group it resolves."""
    trail_logs = OrganizationTrailLogGroup(stack, CONSTRUCT_ID, **props)
    logs.MetricFilter(
        stack,
        "RootUsageFilter",
        log_group=trail_logs.log_group,
        filter_pattern=logs.FilterPattern.literal('{$.userIdentity.type="Root"}'),
        metric_namespace="CloudTrailMetrics",
        metric_name="RootAccountUsage",
    )
    return trail_logs


def _synth(**props: Any) -> Template:
    stack = new_stack()
    _build(stack, **props)
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def template() -> Template:
    """The construct with every property left to its default, and a metric filter on its log group."""
    return _synth()


def _only(template: Template, resource_type: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = resources_of(template, resource_type).items()
    return logical_id, resource


def _lookup(template: Template) -> tuple[str, dict[str, Any]]:
    return _only(template, "Custom::TrailwatchLogGroupLookup")


def _handler(template: Template) -> tuple[str, dict[str, Any]]:
    (found,) = [(k, f) for k, f in resources_of(template, "AWS::Lambda::Function").items() if "Handler" in k]
    return found


def test_the_custom_resource_looks_up_control_towers_prefix_by_default(template: Template) -> None:
    # GIVEN no property WHEN synthesized THEN one lookup resource asks the provider for Control Tower's prefix
    _, resource = _lookup(template)
    assert resource["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": [resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0], "Arn"]},
        "Prefix": "aws-controltower/CloudTrailLogs",
        # 31 characters of prefix and 32 of suffix room: the names the alarm descriptions are sized for
        "MaxNameLength": "63",
    }
    framework_id = resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
    assert framework_id in resources_of(template, "AWS::Lambda::Function")


def test_prefix_and_revision_become_properties_so_changing_either_looks_again() -> None:
    # GIVEN a custom prefix and a revision WHEN synthesized THEN both are properties of the resource:
    # CloudFormation sends an Update, which looks the name up again, whenever one changes
    _, resource = _lookup(_synth(prefix="/org/trail", revision="2026-05-01"))
    assert resource["Properties"]["Prefix"] == "/org/trail"
    assert resource["Properties"]["Revision"] == "2026-05-01"


def test_a_metric_filter_on_log_group_reads_the_resolved_name(template: Template) -> None:
    # GIVEN a metric filter created on the construct's log_group THEN its log group is the name the
    # lookup returns at deploy time
    lookup_id, _ = _lookup(template)
    _, metric_filter = _only(template, "AWS::Logs::MetricFilter")
    assert metric_filter["Properties"]["LogGroupName"] == {"Fn::GetAtt": [lookup_id, "LogGroupName"]}


def test_the_monitoring_construct_reads_the_resolved_log_group() -> None:
    # GIVEN CloudTrailSecurityMonitoring given the construct's log_group WHEN synthesized THEN every
    # one of its metric filters reads the looked-up name
    stack = new_stack()
    trail_logs = OrganizationTrailLogGroup(stack, CONSTRUCT_ID)
    CloudTrailSecurityMonitoring(stack, "SecurityMonitoring", log_group=trail_logs.log_group)
    template = Template.from_stack(stack)
    lookup_id, _ = _lookup(template)
    filters = resources_of(template, "AWS::Logs::MetricFilter").values()
    assert len(filters) >= 14
    assert all(f["Properties"]["LogGroupName"] == {"Fn::GetAtt": [lookup_id, "LogGroupName"]} for f in filters)


def test_log_group_name_and_log_group_are_the_lookups_attribute() -> None:
    # GIVEN the construct WHEN its public attributes are resolved THEN both carry the looked-up name
    stack = new_stack()
    trail_logs = _build(stack)
    lookup_id = stack.resolve(trail_logs.resource.node.default_child.logical_id)  # type: ignore[union-attr]
    expected = {"Fn::GetAtt": [lookup_id, "LogGroupName"]}
    assert stack.resolve(trail_logs.log_group_name) == expected
    assert stack.resolve(trail_logs.log_group.log_group_name) == expected


def test_the_handler_runs_the_lookup_file_on_a_pinned_python_runtime(template: Template) -> None:
    _, function = _handler(template)
    assert function["Properties"]["Runtime"] == "python3.13"
    assert function["Properties"]["Handler"] == "index.on_event"


def test_the_handler_asset_is_the_handler_file_alone() -> None:
    # GIVEN the app synthesized to a cloud assembly WHEN the handler's asset folder is listed
    app = new_app()
    _build(new_stack(app))
    assembly = app.synth()
    template = Template.from_json(assembly.get_stack_by_name("TestStack").template)
    _, function = _handler(template)
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    # THEN it holds index.py and nothing else (no bytecode caches of the tests that import it)
    assert sorted(p.name for p in (Path(assembly.directory) / f"asset.{asset_hash}").iterdir()) == ["index.py"]


def test_the_handler_may_only_describe_log_groups_and_write_its_own_logs(template: Template) -> None:
    # GIVEN the handler's role THEN it has no managed policy, and its statements are exactly:
    # DescribeLogGroups on "*" (the action supports no resource-level permissions) and writing
    # to the function's own log group
    _, function = _handler(template)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    assert "ManagedPolicyArns" not in resources_of(template, "AWS::IAM::Role")[role_id]["Properties"]
    own_logs = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert role_statements(template, function) == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [own_logs, "Arn"]},
        },
        {"Action": "logs:DescribeLogGroups", "Effect": "Allow", "Resource": "*"},
    ]


def test_the_provider_may_only_invoke_the_handler_and_write_its_own_logs(template: Template) -> None:
    handler_id, _ = _handler(template)
    _, lookup = _lookup(template)
    framework = resources_of(template, "AWS::Lambda::Function")[lookup["Properties"]["ServiceToken"]["Fn::GetAtt"][0]]
    own_logs = framework["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    handler_arn = {"Fn::GetAtt": [handler_id, "Arn"]}
    assert role_statements(template, framework) == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [own_logs, "Arn"]},
        },
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": [handler_arn, {"Fn::Join": ["", [handler_arn, ":*"]]}],
        },
        {"Action": "lambda:GetFunction", "Effect": "Allow", "Resource": handler_arn},
    ]


def test_both_functions_keep_their_logs_a_year(template: Template) -> None:
    # GIVEN the two functions THEN each logs to its own group kept 365 days (Security Hub CloudWatch.16)
    groups = resources_of(template, "AWS::Logs::LogGroup")
    assert len(groups) == 2
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {365}
    functions = resources_of(template, "AWS::Lambda::Function").values()
    assert {f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for f in functions} == set(groups)


def test_child_ids_are_stable(template: Template) -> None:
    # GIVEN the construct THEN its children keep the ids their logical ids derive from
    stack = new_stack()
    trail_logs = _build(stack)
    assert [c.node.id for c in trail_logs.node.children] == [
        "HandlerLogs",
        "HandlerRole",
        "Handler",
        "ProviderLogs",
        "ProviderRole",
        "Provider",
        "Resource",
        "LogGroup",
    ]


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        (
            {"prefix": ""},
            "prefix is empty; give the start of the log group's name, e.g. 'aws-controltower/CloudTrailLogs'",
        ),
        (
            {"prefix": "aws controltower/*"},
            "prefix 'aws controltower/*' holds ' *'; log group names hold only letters, digits and "
            "'.', '-', '_', '/', '#'",
        ),
        ({"prefix": "a" * 513}, "prefix is 513 characters; log group names have at most 512"),
        (
            {"prefix": ["aws-controltower/CloudTrailLogs"]},
            "prefix ['aws-controltower/CloudTrailLogs'] is a list; expected a string such as "
            "'aws-controltower/CloudTrailLogs'",
        ),
        (
            {"revision": ""},
            "revision of 0 characters must be a string of 1-256 characters, e.g. '2026-05-01'; change it to look "
            "the log group up again",
        ),
        (
            {"revision": 2},
            "revision 2 must be a string of 1-256 characters, e.g. '2026-05-01'; change it to look the log group "
            "up again",
        ),
    ],
    ids=["empty-prefix", "bad-characters", "too-long", "not-a-string", "empty-revision", "int-revision"],
)
def test_invalid_properties_are_named(props: dict[str, Any], problem: str) -> None:
    # GIVEN one invalid property WHEN constructing THEN the error names it, the value and what is allowed
    with pytest.raises(ConfigurationError) as caught:
        OrganizationTrailLogGroup(new_stack(), CONSTRUCT_ID, **props)
    assert caught.value.problems == (problem,)


def test_every_invalid_property_is_reported_at_once() -> None:
    # GIVEN two invalid properties WHEN constructing THEN one error lists both, and nothing was created
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        OrganizationTrailLogGroup(stack, CONSTRUCT_ID, prefix="", revision=2)
    assert [p.split(" ")[0] for p in caught.value.problems] == ["prefix", "revision"]
    assert stack.node.try_find_child(CONSTRUCT_ID) is None


def test_a_prefix_known_only_at_deploy_time_is_passed_through() -> None:
    # GIVEN a prefix from a CloudFormation parameter WHEN synthesized THEN it is not validated at synth
    # but handed to the lookup
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "TrailLogGroupPrefix")
    OrganizationTrailLogGroup(stack, CONSTRUCT_ID, prefix=parameter.value_as_string)
    _, resource = _lookup(Template.from_stack(stack))
    assert resource["Properties"]["Prefix"] == {"Ref": "TrailLogGroupPrefix"}


def test_cdk_nag_packs_find_nothing_unsuppressed() -> None:
    # GIVEN a stack with the construct and a metric filter on its log group WHEN the AwsSolutions and
    # NIST 800-53 r5 packs check it THEN every finding is suppressed with its reason next to the code
    app = new_app()
    _build(new_stack(app))
    assert nag_findings(app) == []


def test_every_suppression_gives_a_reason(template: Template) -> None:
    suppressions = nag_suppressions(template)
    assert suppressions
    assert all(len(rule["reason"]) > 40 for rule in suppressions)


def test_cfn_lint_finds_nothing(template: Template) -> None:
    assert cfn_lint_findings(template) == []


def test_alarm_descriptions_over_the_looked_up_group_are_sized_for_its_longest_name() -> None:
    # GIVEN monitoring over the looked-up group (its name unknown until deploy)
    stack = new_stack()
    lookup = _build(stack)
    CloudTrailSecurityMonitoring(stack, "M", log_group=lookup.log_group, include=["vpc-changes"])
    (alarm,) = resources_of(Template.from_stack(stack), "AWS::CloudWatch::Alarm").values()
    text = json.dumps(alarm["Properties"]["AlarmDescription"])
    # THEN the description keeps its why, first check and query link, as for a known 63-character name
    assert lookup.max_log_group_name_length == 63
    assert "First check:" in text and "logs-insights" in text


@pytest.mark.parametrize(
    ("max_name_length", "message"),
    [(10, "between the prefix's length (31) and 512"), (600, "and 512"), ("64", "expected an int")],
    ids=["shorter-than-prefix", "over-limit", "string"],
)
def test_max_name_length_mistakes_are_named(max_name_length: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=r"max_name_length") as caught:
        _build(new_stack(), max_name_length=max_name_length)
    assert message in str(caught.value)
