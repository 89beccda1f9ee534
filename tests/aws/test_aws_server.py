"""The local AWS endpoint the AWS-facing tests use really is an HTTP server on 127.0.0.1."""

from __future__ import annotations

from tests.aws_server import AwsEndpoint


def test_the_endpoint_is_local_and_answers_boto3(aws: AwsEndpoint) -> None:
    # GIVEN the endpoint WHEN a log group is created through boto3 THEN it is listed back
    assert aws.url.startswith("http://127.0.0.1:")
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="aws-controltower/CloudTrailLogs")
    names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert names == ["aws-controltower/CloudTrailLogs"]


def test_each_test_starts_from_an_empty_account(aws: AwsEndpoint) -> None:
    assert aws.client("logs").describe_log_groups()["logGroups"] == []
