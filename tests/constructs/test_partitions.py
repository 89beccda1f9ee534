"""AuditTrail and AlarmTopic are right in every partition: aws, aws-cn and aws-us-gov.

The CloudWatch Logs service principal is regional and ends in the partition's domain
(``logs.cn-north-1.amazonaws.com.cn``); every ARN names the partition. cfn-lint checks the
templates against the partition's own region.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk.assertions import Template
from cfnlint.api import lint

from tests.constructs.helpers import ACCOUNT, new_app, resources_of
from trailwatch_constructs import AlarmTopic, AuditTrail


@dataclass(frozen=True)
class Partition:
    """What a stack in ``region`` must render."""

    region: str
    partition: str
    logs_principal: str


PARTITIONS = (
    Partition("eu-west-1", "aws", "logs.eu-west-1.amazonaws.com"),
    Partition("cn-north-1", "aws-cn", "logs.cn-north-1.amazonaws.com.cn"),
    Partition("us-gov-west-1", "aws-us-gov", "logs.us-gov-west-1.amazonaws.com"),
)


def _build(stack: cdk.Stack) -> None:
    AuditTrail(stack, "AuditTrail", s3_data_events=cloudtrail.ReadWriteType.ALL)
    AlarmTopic(stack, "AlarmTopic", alarm_name_prefix="trailwatch-")


@pytest.fixture(scope="module", params=PARTITIONS, ids=lambda p: p.partition)
def synthesized(request: pytest.FixtureRequest) -> tuple[Partition, Template]:
    """The trail and topic in a stack of each partition."""
    partition: Partition = request.param
    stack = cdk.Stack(new_app(), "TestStack", env=cdk.Environment(account=ACCOUNT, region=partition.region))
    _build(stack)
    return partition, Template.from_stack(stack)


def _key_statement(template: Template, sid: str) -> dict[str, Any]:
    (statement,) = [
        s
        for key in resources_of(template, "AWS::KMS::Key").values()
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Sid") == sid
    ]
    return statement


def test_logs_principal_is_regional_in_the_partitions_domain(synthesized: tuple[Partition, Template]) -> None:
    # GIVEN a stack in the partition's region THEN the key lets that region's Logs principal use it
    partition, template = synthesized
    statement = _key_statement(template, "AllowCloudWatchLogsUseOfKey")
    assert statement["Principal"] == {"Service": partition.logs_principal}


def test_policy_arns_name_the_partition(synthesized: tuple[Partition, Template]) -> None:
    # GIVEN the trail's key and the topic's key THEN the ARNs in their conditions are of the partition
    partition, template = synthesized
    prefix = f"arn:{partition.partition}:"
    logs_context = _key_statement(template, "AllowCloudWatchLogsUseOfKey")["Condition"]["ArnEquals"]
    assert logs_context["kms:EncryptionContext:aws:logs:arn"].startswith(f"{prefix}logs:{partition.region}:")
    trail_source = _key_statement(template, "AllowCloudTrailEncryptLogs")["Condition"]["StringEquals"]
    assert trail_source["aws:SourceArn"].startswith(f"{prefix}cloudtrail:{partition.region}:")
    alarm_source = _key_statement(template, "AllowCloudWatchAlarmsToUseKey")["Condition"]["ArnLike"]
    assert alarm_source["aws:SourceArn"] == f"{prefix}cloudwatch:{partition.region}:{ACCOUNT}:alarm:trailwatch-*"


def test_s3_data_events_select_the_partitions_buckets(synthesized: tuple[Partition, Template]) -> None:
    # GIVEN S3 data events THEN the selector names all buckets of the partition
    partition, template = synthesized
    (trail,) = resources_of(template, "AWS::CloudTrail::Trail").values()
    data_resources = trail["Properties"]["EventSelectors"][1]["DataResources"]
    assert data_resources == [{"Type": "AWS::S3::Object", "Values": [f"arn:{partition.partition}:s3:::"]}]


def test_cfn_lint_finds_nothing_in_the_partitions_region(synthesized: tuple[Partition, Template]) -> None:
    # GIVEN the template WHEN cfn-lint checks it for the stack's own region THEN it reports nothing
    partition, template = synthesized
    matches = lint(json.dumps(template.to_json()), regions=[partition.region])
    assert [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches] == []


def test_region_agnostic_stack_takes_the_logs_principal_from_the_deploy_region() -> None:
    # GIVEN a stack without a region WHEN synthesized THEN the principal is built from AWS::Region and
    # AWS::URLSuffix at deploy time, so it is right in whichever partition the stack lands
    stack = cdk.Stack(new_app(), "AgnosticStack")
    _build(stack)
    statement = _key_statement(Template.from_stack(stack), "AllowCloudWatchLogsUseOfKey")
    assert statement["Principal"] == {
        "Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]}
    }
