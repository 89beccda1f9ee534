"""The secure defaults of the created topic, key policies, trail, bucket and log group."""

from __future__ import annotations

from typing import Any

from tests.constructs.helpers import resources_of
from tests.sample_app.helpers import SampleApp, alarm_topic_id, logical_id, trail_log_group_id


def _one(sample: SampleApp, resource_type: str) -> tuple[str, dict[str, Any]]:
    found = resources_of(sample.main, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {list(found)}"
    return next(iter(found.items()))


def _statements(policy_document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(policy_document["Statement"])


def _alarm_topic(sample: SampleApp) -> dict[str, Any]:
    # The enricher's topics are tested in test_enrichment.py.
    return dict(resources_of(sample.main, "AWS::SNS::Topic")[alarm_topic_id(sample)])


def _trail_log_group(sample: SampleApp) -> dict[str, Any]:
    return dict(resources_of(sample.main, "AWS::Logs::LogGroup")[trail_log_group_id(sample)])


def _topic_key_id(sample: SampleApp) -> str:
    return str(_alarm_topic(sample)["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0])


def _topic_key(sample: SampleApp) -> dict[str, Any]:
    return dict(resources_of(sample.main, "AWS::KMS::Key")[_topic_key_id(sample)])


def test_topic_is_encrypted_with_a_customer_managed_key(sample: SampleApp) -> None:
    # GIVEN the created topic THEN its key is a key of this stack (not alias/aws/sns, which CloudWatch cannot use)
    topic = _alarm_topic(sample)
    key_id, attribute = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"]
    assert attribute == "Arn"
    assert key_id in resources_of(sample.main, "AWS::KMS::Key")
    assert _topic_key(sample)["Properties"]["EnableKeyRotation"] is True


def test_topic_key_lets_only_this_accounts_cloudwatch_alarms_use_it(sample: SampleApp) -> None:
    # GIVEN the topic key's policy THEN CloudWatch may Decrypt and GenerateDataKey*, for alarms of this account only
    statements = _statements(_topic_key(sample)["Properties"]["KeyPolicy"])
    cloudwatch = [s for s in statements if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert len(cloudwatch) == 1
    statement = cloudwatch[0]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    # only the alarms this construct names (<stack name>-<control id>) may use the key
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:TrailwatchStack-*"
    }


def test_topic_policy_allows_publish_from_this_accounts_alarms_and_denies_plain_http(sample: SampleApp) -> None:
    # GIVEN the topic policy THEN CloudWatch may publish (conditioned) and non-SSL requests are denied
    (policy,) = [
        p
        for p in resources_of(sample.main, "AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [{"Ref": alarm_topic_id(sample)}]
    ]
    statements = _statements(policy["Properties"]["PolicyDocument"])
    publish = [s for s in statements if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert len(publish) == 1
    assert publish[0]["Effect"] == "Allow"
    assert publish[0]["Action"] == "sns:Publish"
    assert publish[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    assert publish[0]["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:TrailwatchStack-*"
    }
    deny_http = [s for s in statements if s["Effect"] == "Deny"]
    assert len(deny_http) == 1
    assert deny_http[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_topic_has_the_alarm_email_subscription(sample: SampleApp) -> None:
    # GIVEN the sample app's default alarm email THEN the topic has one email subscription for it
    sample.main.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "security-alerts@example.com"}
    )


def test_trail_is_multi_region_validated_encrypted_and_logs_all_management_events(sample: SampleApp) -> None:
    # GIVEN the created trail THEN it meets Security Hub CloudTrail.1/2/4 and delivers to CloudWatch Logs
    _, trail = _one(sample, "AWS::CloudTrail::Trail")
    props = trail["Properties"]
    assert props["IsMultiRegionTrail"] is True
    assert props["IncludeGlobalServiceEvents"] is True
    assert props["EnableLogFileValidation"] is True
    assert props["IsLogging"] is True
    assert "KMSKeyId" in props
    assert "CloudWatchLogsLogGroupArn" in props and "CloudWatchLogsRoleArn" in props
    assert props["EventSelectors"] == [{"IncludeManagementEvents": True, "ReadWriteType": "All"}]


def test_log_group_keeps_a_year_is_encrypted_and_survives_destroy(sample: SampleApp) -> None:
    # GIVEN the trail's log group THEN 365-day retention (CloudWatch.16), a KMS key, and Retain on delete
    log_group = _trail_log_group(sample)
    assert log_group["Properties"]["RetentionInDays"] == 365
    assert "KmsKeyId" in log_group["Properties"]
    assert log_group["DeletionPolicy"] == "Retain"
    assert log_group["UpdateReplacePolicy"] == "Retain"


def test_trail_key_lets_cloudtrail_and_logs_use_it_for_this_trail_and_log_group_only(sample: SampleApp) -> None:
    # GIVEN the audit key of the sample app THEN CloudTrail may use it for the sample's trail (aws:SourceArn)
    # and the regional Logs service for the sample's log group (encryption context), and it is retained
    audit_trail = sample.main_stack.monitoring.audit_trail
    assert audit_trail is not None
    audit_key = resources_of(sample.main, "AWS::KMS::Key")[logical_id(audit_trail.key)]
    by_sid = {s.get("Sid"): s for s in _statements(audit_key["Properties"]["KeyPolicy"])}
    _, trail = _one(sample, "AWS::CloudTrail::Trail")
    trail_arn = f"arn:aws:cloudtrail:eu-west-1:111122223333:trail/{trail['Properties']['TrailName']}"
    for sid in ("AllowCloudTrailEncryptLogs", "AllowCloudTrailDescribeKey"):
        assert by_sid[sid]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert by_sid[sid]["Condition"]["StringEquals"] == {"aws:SourceArn": trail_arn}
    log_group = _trail_log_group(sample)
    logs = by_sid["AllowCloudWatchLogsUseOfKey"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:eu-west-1:111122223333:log-group:{log_group['Properties']['LogGroupName']}"
            )
        }
    }
    assert audit_key["DeletionPolicy"] == "Retain"


def test_trail_bucket_is_private_versioned_ssl_only_access_logged_and_retained(sample: SampleApp) -> None:
    # GIVEN the trail bucket (the monitoring construct's one with access logging) THEN public access is
    # blocked, versioning on, SSL enforced by its policy, and it is retained on destroy
    buckets = resources_of(sample.main, "AWS::S3::Bucket")
    logged = {
        k: v
        for k, v in buckets.items()
        if "LoggingConfiguration" in v["Properties"] and k.startswith("SecurityMonitoring")
    }
    assert len(logged) == 1
    bucket_id, bucket = next(iter(logged.items()))
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["DeletionPolicy"] == "Retain"
    policies = [
        p
        for p in resources_of(sample.main, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert len(policies) == 1
    deny = [s for s in _statements(policies[0]["Properties"]["PolicyDocument"]) if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in deny)


def test_trail_bucket_lets_cloudtrail_deliver_for_the_samples_trail_only(sample: SampleApp) -> None:
    # GIVEN the sample app's bucket policies THEN both CloudTrail statements name the sample's trail
    _, trail = _one(sample, "AWS::CloudTrail::Trail")
    trail_arn = f"arn:aws:cloudtrail:eu-west-1:111122223333:trail/{trail['Properties']['TrailName']}"
    cloudtrail = [
        statement
        for policy in resources_of(sample.main, "AWS::S3::BucketPolicy").values()
        for statement in _statements(policy["Properties"]["PolicyDocument"])
        if statement.get("Principal") == {"Service": "cloudtrail.amazonaws.com"}
    ]
    assert sorted(s["Sid"] for s in cloudtrail) == ["AWSCloudTrailAclCheck", "AWSCloudTrailWrite"]
    assert [s["Condition"]["StringEquals"]["aws:SourceArn"] for s in cloudtrail] == [trail_arn, trail_arn]


def test_existing_log_group_stack_creates_no_trail_and_reads_the_named_group(sample: SampleApp) -> None:
    # GIVEN the stack over an existing log group THEN no trail, bucket or log group is created and
    # every filter reads the named group
    for resource_type in ("AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        sample.existing.resource_count_is(resource_type, 0)
    filters = resources_of(sample.existing, "AWS::Logs::MetricFilter").values()
    assert {f["Properties"]["LogGroupName"] for f in filters} == {"aws-controltower/CloudTrailLogs"}
