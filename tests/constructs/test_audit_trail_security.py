"""AuditTrail's policies let CloudTrail and CloudWatch Logs act for this trail and log group only.

Each condition here is one AWS documents for that principal and statement (the pages are cited next
to the code): CloudTrail's bucket-policy and KMS key-policy guides, and CloudWatch Logs' KMS guide.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk.assertions import Match, Template

from tests.constructs.helpers import ACCOUNT, REGION, new_stack, resources_of
from trailwatch_constructs import AlarmTopic, AuditTrail, TrailOptions
from trailwatch_constructs.constructs.audit_trail import _TRAIL_NAME_RE, trail_options_problems
from trailwatch_constructs.core.errors import ConfigurationError

CLOUDTRAIL = {"Service": "cloudtrail.amazonaws.com"}


def _synth(**props: Any) -> Template:
    stack = new_stack()
    AuditTrail(stack, "AuditTrail", **props)
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def default_trail() -> Template:
    """An AuditTrail with every property left to its default."""
    return _synth()


def _only(template: Template, resource_type: str) -> dict[str, Any]:
    (resource,) = resources_of(template, resource_type).values()
    return resource


def _trail_name(template: Template) -> str:
    return str(_only(template, "AWS::CloudTrail::Trail")["Properties"]["TrailName"])


def _trail_arn(template: Template) -> str:
    return f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{_trail_name(template)}"


def _statements(template: Template, resource_type: str, policy_property: str) -> list[dict[str, Any]]:
    return [
        statement
        for resource in resources_of(template, resource_type).values()
        for statement in resource["Properties"][policy_property]["Statement"]
    ]


def _key_statements(template: Template) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in _statements(template, "AWS::KMS::Key", "KeyPolicy") if "Sid" in s}


def test_trail_gets_a_valid_name_derived_from_the_stack_and_construct_path(default_trail: Template) -> None:
    # GIVEN no trail name WHEN synthesized twice THEN the trail is named after the stack and construct
    # path, the same each time, and the name passes CloudTrail's naming rules
    name = _trail_name(default_trail)
    assert name.startswith("TestStackAuditTrail")
    assert _TRAIL_NAME_RE.match(name)
    assert _trail_name(_synth()) == name


def test_trail_keeps_the_name_the_user_gives() -> None:
    # GIVEN trail_name="org-audit" WHEN synthesized THEN the trail and its log group use it
    template = _synth(trail_name="org-audit")
    assert _trail_name(template) == "org-audit"
    template.has_resource_properties("AWS::Logs::LogGroup", {"LogGroupName": "CloudTrail/org-audit"})


def test_log_group_is_named_after_the_trail(default_trail: Template) -> None:
    # GIVEN the default trail THEN its log group has an explicit name derived from the trail's
    log_group = _only(default_trail, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["LogGroupName"] == f"CloudTrail/{_trail_name(default_trail)}"


@pytest.mark.parametrize("sid", ["AWSCloudTrailAclCheck", "AWSCloudTrailWrite"])
def test_bucket_policy_lets_cloudtrail_deliver_for_this_trail_only(default_trail: Template, sid: str) -> None:
    # GIVEN the trail bucket's policy THEN each statement CloudTrail uses carries aws:SourceArn = this trail
    (statement,) = [
        s for s in _statements(default_trail, "AWS::S3::BucketPolicy", "PolicyDocument") if s.get("Sid") == sid
    ]
    assert statement["Principal"] == CLOUDTRAIL
    assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == _trail_arn(default_trail)


def test_bucket_write_statement_keeps_the_documented_acl_condition_and_prefix(default_trail: Template) -> None:
    # GIVEN the write statement THEN it still requires bucket-owner-full-control under AWSLogs/<account>/
    (statement,) = [
        s
        for s in _statements(default_trail, "AWS::S3::BucketPolicy", "PolicyDocument")
        if s.get("Sid") == "AWSCloudTrailWrite"
    ]
    assert statement["Action"] == "s3:PutObject"
    assert statement["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"
    assert statement["Resource"]["Fn::Join"][1][-1] == f"/AWSLogs/{ACCOUNT}/*"


def test_no_cloudtrail_statement_is_left_without_source_arn(default_trail: Template) -> None:
    # GIVEN every bucket and key policy statement for the CloudTrail principal THEN each names this trail
    statements = [
        *_statements(default_trail, "AWS::S3::BucketPolicy", "PolicyDocument"),
        *_statements(default_trail, "AWS::KMS::Key", "KeyPolicy"),
    ]
    for_cloudtrail = [s for s in statements if s.get("Principal") == CLOUDTRAIL]
    assert len(for_cloudtrail) == 4
    for statement in for_cloudtrail:
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == _trail_arn(default_trail), statement


def test_cloudtrail_key_statements_use_source_arn_not_source_account(default_trail: Template) -> None:
    # GIVEN the key policy THEN CloudTrail may encrypt (with the documented encryption context) and
    # describe the key for this trail only, and aws:SourceAccount ("not recommended") is gone
    by_sid = _key_statements(default_trail)
    encrypt, describe = by_sid["AllowCloudTrailEncryptLogs"], by_sid["AllowCloudTrailDescribeKey"]
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": _trail_arn(default_trail)},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
    }
    assert describe["Action"] == "kms:DescribeKey"
    assert describe["Condition"] == {"StringEquals": {"aws:SourceArn": _trail_arn(default_trail)}}


def test_logs_key_statement_is_scoped_to_the_trails_log_group(default_trail: Template) -> None:
    # GIVEN the key policy THEN the Logs service may use the key for the trail's log group only
    statement = _key_statements(default_trail)["AllowCloudWatchLogsUseOfKey"]
    log_group_name = _only(default_trail, "AWS::Logs::LogGroup")["Properties"]["LogGroupName"]
    assert statement["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert statement["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group_name}"
        }
    }


@pytest.mark.parametrize("trail_name", [None, "org-audit"], ids=["generated-name", "given-name"])
def test_policies_naming_the_trail_and_log_group_make_no_dependency_cycle(trail_name: str | None) -> None:
    # GIVEN policies that name the trail and its log group WHEN synthesized THEN the template is deployable:
    # Template.from_stack fails on a dependency cycle, which a Ref or GetAtt to either would create
    template = _synth(trail_name=trail_name)
    template.resource_count_is("AWS::CloudTrail::Trail", 1)


def test_trail_still_waits_for_its_bucket_policy(default_trail: Template) -> None:
    # GIVEN the trail THEN it is created after the bucket policy that lets CloudTrail deliver
    trail = _only(default_trail, "AWS::CloudTrail::Trail")
    (bucket_policy_id,) = [
        logical_id
        for logical_id, policy in resources_of(default_trail, "AWS::S3::BucketPolicy").items()
        if any(s.get("Sid") == "AWSCloudTrailWrite" for s in policy["Properties"]["PolicyDocument"]["Statement"])
    ]
    assert bucket_policy_id in trail["DependsOn"]


def test_no_s3_data_events_by_default(default_trail: Template) -> None:
    # GIVEN the default trail THEN it logs management events only (data events are charged per event)
    trail = _only(default_trail, "AWS::CloudTrail::Trail")
    assert trail["Properties"]["EventSelectors"] == [{"IncludeManagementEvents": True, "ReadWriteType": "All"}]


@pytest.mark.parametrize(
    ("data_events", "read_write_type"),
    [
        (cloudtrail.ReadWriteType.WRITE_ONLY, "WriteOnly"),
        (cloudtrail.ReadWriteType.READ_ONLY, "ReadOnly"),
        (cloudtrail.ReadWriteType.ALL, "All"),
    ],
    ids=["write-only", "read-only", "all"],
)
def test_s3_data_events_log_objects_of_every_bucket(
    data_events: cloudtrail.ReadWriteType, read_write_type: str
) -> None:
    # GIVEN s3_data_events WHEN synthesized THEN a second selector logs S3 object events of all buckets
    # (CIS v3.0 3.8 write / 3.9 read) and management events are still logged once, by the first selector
    template = _synth(s3_data_events=data_events)
    template.has_resource_properties(
        "AWS::CloudTrail::Trail",
        {
            "EventSelectors": [
                {"IncludeManagementEvents": True, "ReadWriteType": "All"},
                {
                    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::"]}],
                    "IncludeManagementEvents": False,
                    "ReadWriteType": read_write_type,
                },
            ]
        },
    )


@pytest.mark.parametrize(
    "value",
    [cloudtrail.ReadWriteType.NONE, "WRITE_ONLY", True],
    ids=["none-member", "string", "bool"],
)
def test_s3_data_events_accepts_only_none_or_a_logging_read_write_type(value: object) -> None:
    # GIVEN an s3_data_events value that is not None, WRITE_ONLY, READ_ONLY or ALL THEN the problem names it
    (problem,) = trail_options_problems(TrailOptions(s3_data_events=value), "trail.")  # type: ignore[arg-type]
    assert problem == (
        f"trail.s3_data_events {value!r} is not allowed; expected None (log no S3 data events) or "
        "cloudtrail.ReadWriteType.WRITE_ONLY, READ_ONLY or ALL"
    )


def test_audit_trail_rejects_a_bad_s3_data_events_value_before_creating_anything() -> None:
    # GIVEN AuditTrail used on its own with s3_data_events=NONE THEN one ConfigurationError names it
    stack = new_stack()
    with pytest.raises(ConfigurationError, match=r"s3_data_events <ReadWriteType.NONE: 'NONE'>"):
        AuditTrail(stack, "AuditTrail", s3_data_events=cloudtrail.ReadWriteType.NONE)
    assert stack.node.try_find_child("AuditTrail") is None


def test_every_audit_resource_follows_the_removal_policy() -> None:
    # GIVEN removal_policy=DESTROY THEN the key, both buckets and the log group are deleted with the stack
    template = _synth(removal_policy=RemovalPolicy.DESTROY)
    for resource_type in ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        found = resources_of(template, resource_type)
        assert found, resource_type
        for logical_id, resource in found.items():
            assert resource["DeletionPolicy"] == "Delete", logical_id


def test_alarm_topic_key_follows_the_removal_policy() -> None:
    # GIVEN AlarmTopic(removal_policy=DESTROY) THEN its key is deleted with the stack
    stack = new_stack()
    AlarmTopic(stack, "AlarmTopic", removal_policy=RemovalPolicy.DESTROY)
    Template.from_stack(stack).has_resource("AWS::KMS::Key", {"DeletionPolicy": "Delete"})


def test_alarm_topic_rejects_a_removal_policy_of_the_wrong_type() -> None:
    # GIVEN removal_policy="destroy" (a string) THEN a ConfigurationError names the property
    with pytest.raises(ConfigurationError, match=r"removal_policy 'destroy' is a str; expected a RemovalPolicy"):
        AlarmTopic(new_stack(), "AlarmTopic", removal_policy="destroy")  # type: ignore[arg-type]


def _cloudwatch_statements(template: Template, resource_type: str, policy_property: str) -> list[dict[str, Any]]:
    return [
        s
        for s in _statements(template, resource_type, policy_property)
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]


def _alarm_arn_patterns(statements: list[dict[str, Any]]) -> list[str]:
    return [s["Condition"]["ArnLike"]["aws:SourceArn"] for s in statements]


def test_allow_alarms_lets_alarms_with_another_prefix_publish_and_use_the_key() -> None:
    # GIVEN a topic for alarms named "trailwatch-..." WHEN allow_alarms("ops-") THEN both the topic policy
    # and the key policy also allow this account's CloudWatch alarms named "ops-...", same conditions
    stack = new_stack()
    topic = AlarmTopic(stack, "AlarmTopic", alarm_name_prefix="trailwatch-")
    topic.allow_alarms("ops-")
    template = Template.from_stack(stack)
    expected = [
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:trailwatch-*",
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:ops-*",
    ]
    key_statements = _cloudwatch_statements(template, "AWS::KMS::Key", "KeyPolicy")
    topic_statements = _cloudwatch_statements(template, "AWS::SNS::TopicPolicy", "PolicyDocument")
    assert _alarm_arn_patterns(key_statements) == expected
    assert _alarm_arn_patterns(topic_statements) == expected
    for statement in [*key_statements, *topic_statements]:
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert [sorted(s["Action"]) for s in key_statements] == [["kms:Decrypt", "kms:GenerateDataKey*"]] * 2
    assert [s["Action"] for s in topic_statements] == ["sns:Publish"] * 2
    assert len({s["Sid"] for s in [*key_statements, *topic_statements]}) == 4


def test_allow_alarms_adds_nothing_for_alarms_already_allowed() -> None:
    # GIVEN a topic for alarms named "prod-..." WHEN allow_alarms("prod-db-") THEN no statement is added
    stack = new_stack()
    topic = AlarmTopic(stack, "AlarmTopic", alarm_name_prefix="prod-")
    topic.allow_alarms("prod-db-")
    template = Template.from_stack(stack)
    assert len(_cloudwatch_statements(template, "AWS::SNS::TopicPolicy", "PolicyDocument")) == 1
    template.has_resource_properties(
        "AWS::KMS::Key",
        {"KeyPolicy": {"Statement": Match.array_with([Match.object_like({"Sid": "AllowCloudWatchAlarmsToUseKey"})])}},
    )


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("ops-*", "alarm_name_prefix 'ops-*' must not contain control characters, '*' or '?'"),
        (7, "alarm_name_prefix 7 is a int; expected a string, e.g. 'ops-'"),
    ],
    ids=["wildcard", "not-a-string"],
)
def test_allow_alarms_rejects_a_prefix_that_would_widen_or_break_the_condition(prefix: object, problem: str) -> None:
    # GIVEN a prefix with an ArnLike wildcard or of the wrong type THEN a ConfigurationError names it
    topic = AlarmTopic(new_stack(), "AlarmTopic", alarm_name_prefix="trailwatch-")
    with pytest.raises(ConfigurationError) as raised:
        topic.allow_alarms(prefix)  # type: ignore[arg-type]
    assert raised.value.problems == (problem,)
