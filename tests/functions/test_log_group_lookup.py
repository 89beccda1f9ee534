"""The log group lookup handler, end to end against a local CloudWatch Logs endpoint (moto server).

Each test sends the handler the CloudFormation request the CDK Provider would relay, with boto3
pointed at the endpoint through ``AWS_ENDPOINT_URL``, which boto3 reads itself: the handler has no
test-only path.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.aws_server import AwsEndpoint
from trailwatch_constructs.functions.log_group_lookup import index
from trailwatch_constructs.functions.log_group_lookup.index import LogGroupLookupError, matches_prefix, on_event

CONTROL_TOWER_3 = "aws-controltower/CloudTrailLogs"
CONTROL_TOWER_4 = "aws-controltower/CloudTrailLogs-tfw-qeb"
HANDLER_FILE = Path(index.__file__)


@pytest.fixture
def logs(aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A CloudWatch Logs client on the endpoint, with the handler's boto3 pointed there too."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.url)
    for overriding in ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        monkeypatch.delenv(overriding, raising=False)
    return aws.client("logs")


def _event(request_type: str, prefix: str | None = CONTROL_TOWER_3, physical_id: str | None = None) -> dict[str, Any]:
    """A CloudFormation custom resource request as the Provider framework relays it."""
    properties = {"ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:framework"}
    if prefix is not None:
        properties["Prefix"] = prefix
    event: dict[str, Any] = {
        "RequestType": request_type,
        "RequestId": "0e2c7f44-5c9a-4e4e-9d7e-0a3c8f1d2b11",
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/Monitoring/5b0c1d2e",
        "LogicalResourceId": "OrgTrailLogs",
        "ResourceType": "Custom::TrailwatchLogGroupLookup",
        "ResourceProperties": properties,
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if request_type == "Update":
        event["OldResourceProperties"] = dict(properties)
    return event


def _create(logs: Any, *names: str) -> None:
    for name in names:
        logs.create_log_group(logGroupName=name)


def _arn(logs: Any, name: str) -> str:
    return str({g["logGroupName"]: g["arn"] for g in logs.describe_log_groups()["logGroups"]}[name])


def _failure(event: dict[str, Any]) -> str:
    with pytest.raises(LogGroupLookupError) as caught:
        on_event(event)
    return str(caught.value)


@pytest.mark.parametrize("name", [CONTROL_TOWER_3, CONTROL_TOWER_4], ids=["landing-zone-3.x", "landing-zone-4.0"])
def test_create_finds_control_towers_log_group(logs: Any, name: str) -> None:
    # GIVEN Control Tower's log group among others
    _create(logs, name, "/aws/lambda/unrelated", "aws-controltower/OtherLogs")
    # WHEN CloudFormation creates the resource
    response = on_event(_event("Create"))
    # THEN the group is the resource, and its name and ARN are the attributes
    assert response == {
        "PhysicalResourceId": name,
        "Data": {"LogGroupName": name, "LogGroupArn": _arn(logs, name)},
    }


def test_a_group_continuing_the_prefix_without_a_hyphen_is_not_taken(logs: Any) -> None:
    # GIVEN a group whose name starts with the prefix but goes on without '-' next to Control Tower's
    _create(logs, "aws-controltower/CloudTrailLogsArchive", CONTROL_TOWER_4)
    # WHEN looked up THEN only Control Tower's matches
    assert on_event(_event("Create"))["PhysicalResourceId"] == CONTROL_TOWER_4


def test_no_matching_group_fails_naming_the_prefix_and_the_near_misses(logs: Any) -> None:
    # GIVEN only groups that start with the prefix without matching it, and an unrelated one
    _create(logs, "aws-controltower/CloudTrailLogsArchive", "/aws/lambda/unrelated")
    # WHEN looked up THEN the deploy fails, saying what was looked for, where, and what was passed over
    message = _failure(_event("Create"))
    assert message.startswith(
        "no CloudWatch Logs log group in eu-west-1 is named 'aws-controltower/CloudTrailLogs' or "
        "'aws-controltower/CloudTrailLogs' followed by '-' and a suffix; 1 group(s) start with "
        "'aws-controltower/CloudTrailLogs' but continue without '-', so they do not match: "
        "'aws-controltower/CloudTrailLogsArchive'. Deploy this stack in the account and Region where the "
        "organization trail delivers"
    )
    assert "unrelated" not in message


def test_an_account_without_any_trail_group_fails_clearly(logs: Any) -> None:
    # GIVEN an account with no log group at all WHEN looked up THEN the message names the prefix and Region
    message = _failure(_event("Create"))
    assert message.startswith(
        "no CloudWatch Logs log group in eu-west-1 is named 'aws-controltower/CloudTrailLogs' or "
        "'aws-controltower/CloudTrailLogs' followed by '-' and a suffix. Deploy this stack"
    )


def test_two_matching_groups_fail_listing_both(logs: Any) -> None:
    # GIVEN the 3.x group left behind next to 4.0's
    _create(logs, CONTROL_TOWER_3, CONTROL_TOWER_4)
    # WHEN looked up THEN the deploy fails, naming both and how to choose
    message = _failure(_event("Create"))
    assert message.startswith(
        "2 CloudWatch Logs log groups in eu-west-1 match the prefix 'aws-controltower/CloudTrailLogs': "
        "'aws-controltower/CloudTrailLogs', 'aws-controltower/CloudTrailLogs-tfw-qeb'; exactly one must. "
        "Give a longer prefix"
    )


def _fill_first_page(logs: Any) -> None:
    """55 groups that start with the prefix without matching it and sort before any suffixed name
    ('#' < '-'), so a match beyond them is on the second page of DescribeLogGroups (50 a page)."""
    _create(logs, *(f"{CONTROL_TOWER_3}#{n:02}" for n in range(55)))


def test_a_match_on_a_later_page_is_found(logs: Any) -> None:
    # GIVEN the only match sorted after 55 near misses
    _fill_first_page(logs)
    _create(logs, CONTROL_TOWER_4)
    first = logs.describe_log_groups(logGroupNamePrefix=CONTROL_TOWER_3)
    assert "nextToken" in first and CONTROL_TOWER_4 not in [g["logGroupName"] for g in first["logGroups"]]
    # WHEN looked up THEN every page is read and the match found
    assert on_event(_event("Create"))["PhysicalResourceId"] == CONTROL_TOWER_4


def test_matches_on_different_pages_are_all_reported(logs: Any) -> None:
    # GIVEN one match on the first page (the 3.x name sorts first) and one on the second
    _fill_first_page(logs)
    _create(logs, CONTROL_TOWER_3, CONTROL_TOWER_4)
    # WHEN looked up THEN both are named
    message = _failure(_event("Create"))
    assert message.startswith(f"2 CloudWatch Logs log groups in eu-west-1 match the prefix '{CONTROL_TOWER_3}': ")
    assert f"'{CONTROL_TOWER_3}', '{CONTROL_TOWER_4}';" in message


def test_update_looks_the_name_up_again(logs: Any) -> None:
    # GIVEN a resource created while the 3.x group existed
    _create(logs, CONTROL_TOWER_3)
    created = on_event(_event("Create"))["PhysicalResourceId"]
    # WHEN Control Tower replaces the group and a changed property sends an Update
    logs.delete_log_group(logGroupName=CONTROL_TOWER_3)
    _create(logs, CONTROL_TOWER_4)
    updated = on_event(_event("Update", physical_id=created))
    # THEN the new group is resolved, under a new physical id
    assert created == CONTROL_TOWER_3
    assert updated["PhysicalResourceId"] == CONTROL_TOWER_4
    assert updated["Data"]["LogGroupName"] == CONTROL_TOWER_4


def test_update_fails_when_the_group_is_gone(logs: Any) -> None:
    # GIVEN no group any more WHEN an Update arrives THEN it fails like a Create (the old name is not kept)
    message = _failure(_event("Update", physical_id=CONTROL_TOWER_3))
    assert message.startswith("no CloudWatch Logs log group in eu-west-1 is named 'aws-controltower/CloudTrailLogs'")


def test_delete_leaves_the_log_group_alone(logs: Any) -> None:
    # GIVEN the resolved group WHEN the stack deletes the resource
    _create(logs, CONTROL_TOWER_3)
    response = on_event(_event("Delete", physical_id=CONTROL_TOWER_3))
    # THEN it answers with the same physical id and the group is still there
    assert response == {"PhysicalResourceId": CONTROL_TOWER_3}
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == [CONTROL_TOWER_3]


def test_delete_calls_no_aws_api(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an endpoint nothing listens on (a rolled-back Create has no group to look at)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    # WHEN deleting THEN it succeeds at once
    assert on_event(_event("Delete", physical_id="request-id-of-a-failed-create")) == {
        "PhysicalResourceId": "request-id-of-a-failed-create"
    }


def test_a_prefix_ending_with_a_separator_matches_any_continuation(logs: Any) -> None:
    # GIVEN a prefix that ends with '/' WHEN the one group under it is looked up THEN it is found
    _create(logs, "/org/trail/main", "/org/trails")
    assert on_event(_event("Create", prefix="/org/trail/"))["PhysicalResourceId"] == "/org/trail/main"


@pytest.mark.parametrize("prefix", [None, ""], ids=["missing", "empty"])
def test_a_request_without_a_prefix_fails(logs: Any, prefix: str | None) -> None:
    message = _failure(_event("Create", prefix=prefix))
    assert message == f"the custom resource needs a non-empty Prefix property; got {prefix!r}"


@pytest.mark.parametrize(
    ("name", "prefix", "expected"),
    [
        ("aws-controltower/CloudTrailLogs", "aws-controltower/CloudTrailLogs", True),
        ("aws-controltower/CloudTrailLogs-tfw-qeb", "aws-controltower/CloudTrailLogs", True),
        ("aws-controltower/CloudTrailLogsArchive", "aws-controltower/CloudTrailLogs", False),
        ("aws-controltower/CloudTrailLogs_old", "aws-controltower/CloudTrailLogs", False),
        ("aws-controltower/cloudtraillogs", "aws-controltower/CloudTrailLogs", False),
        ("aws-controltower/CloudTrail", "aws-controltower/CloudTrailLogs", False),
        ("aws-controltower/CloudTrailLogs-tfw-qeb", "aws-controltower/CloudTrailLogs-", True),
        ("aws-controltower/CloudTrailLogs", "aws-controltower/CloudTrailLogs-", False),
        ("org/trail_main", "org/trail_", True),
        ("org/trail/main", "org/trail/", True),
    ],
)
def test_matching_rule(name: str, prefix: str, expected: bool) -> None:
    # GIVEN a group name and a prefix THEN the name matches when it is the prefix, continues it after
    # '-', or continues a prefix that ends with a separator (case-sensitively, as DescribeLogGroups)
    assert matches_prefix(name, prefix) is expected


def test_the_handler_imports_only_the_standard_library_and_boto3() -> None:
    # GIVEN the handler file WHEN its imports are read THEN it needs nothing but the standard library
    # and boto3, which the Lambda Python runtime provides: the file alone is the function's asset
    tree = ast.parse(HANDLER_FILE.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported - {"__future__", "boto3"} <= set(sys.stdlib_module_names)
    assert "boto3" in imported


def test_the_handler_folder_holds_the_handler_alone() -> None:
    # GIVEN the folder the construct uploads THEN it holds index.py and nothing but bytecode caches
    files = {p.name for p in HANDLER_FILE.parent.iterdir()} - {"__pycache__"}
    assert files == {"index.py"}


def test_a_name_longer_than_the_stack_was_sized_for_fails(logs: Any) -> None:
    # GIVEN Control Tower 4.0's group and a bound one character shorter than its name
    _create(logs, CONTROL_TOWER_4)
    event = _event("Create")
    event["ResourceProperties"]["MaxNameLength"] = str(len(CONTROL_TOWER_4) - 1)
    # WHEN looked up THEN the deploy fails naming the group, its length and the option to raise
    message = _failure(event)
    assert f"{CONTROL_TOWER_4!r} is {len(CONTROL_TOWER_4)} characters long" in message
    assert "max_name_length" in message
    # AND at exactly its length it is found
    event["ResourceProperties"]["MaxNameLength"] = str(len(CONTROL_TOWER_4))
    assert on_event(event)["PhysicalResourceId"] == CONTROL_TOWER_4
