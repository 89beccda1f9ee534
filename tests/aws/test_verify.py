"""The verify checks against the local AWS endpoint, and botocore's Stubber where moto lacks an API.

moto 5.2 cannot produce three situations the checks must judge, so one client of the factory is
stubbed while every other call still goes to the endpoint:

- a subscription pending confirmation: moto confirms every subscription at once;
- a topic whose subscriptions may not be listed (AccessDenied / AuthorizationError): moto does not
  enforce IAM or topic policies;
- an organization trail owned by another account: moto only lists the caller's own trails.

The configurations are built with boto3 by ``Account`` (tests/aws/helpers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.aws.helpers import ALL_MANAGEMENT, ROOT, SECURITY_HUB_CONTROLS, Account, factory
from tests.aws_server import ACCOUNT, REGION, AwsEndpoint
from trailwatch_constructs.aws import AwsCallError
from trailwatch_constructs.aws.verdicts import Status, Verification
from trailwatch_constructs.aws.verify import verify

OTHER_ACCOUNT = "999999999999"


def statuses(verification: Verification, region: str = REGION) -> dict[str, tuple[Status, str]]:
    """Each Security Hub control's status and reason in one Region."""
    return {c.control: (c.status, c.reason) for c in verification.checks if c.region == region}


def stubbed(aws: AwsEndpoint, service: str, add: Callable[[Stubber], None]) -> Any:
    """A client of the endpoint whose every call is answered by a Stubber that ``add`` loaded."""
    client = aws.client(service)
    stubber = Stubber(client)
    add(stubber)
    stubber.activate()
    return client


# --- a subscription pending confirmation (Stubber: moto confirms every subscription) ---------------


def _subscriptions(topic: str, *arns: str) -> Callable[[Stubber], None]:
    def add(stubber: Stubber) -> None:
        subscriptions = [
            {
                "SubscriptionArn": arn,
                "Owner": ACCOUNT,
                "Protocol": "email",
                "Endpoint": "a@example.com",
                "TopicArn": topic,
            }
            for arn in arns
        ]
        stubber.add_response("list_subscriptions_by_topic", {"Subscriptions": subscriptions}, {"TopicArn": topic})

    return add


def test_a_subscription_pending_confirmation_does_not_count(aws: AwsEndpoint) -> None:
    # GIVEN a complete chain for CloudWatch.1 whose topic's only subscription is pending confirmation
    account = Account(aws)
    account.trail()
    account.chain(ROOT)
    sns = stubbed(aws, "sns", _subscriptions(account.topic(), "PendingConfirmation"))
    # WHEN verified
    verification = verify(factory(aws, sns=sns), [REGION], controls=[ROOT])
    # THEN CloudWatch.1 FAILED, naming the pending subscription
    status, reason = statuses(verification)["CloudWatch.1"]
    assert status is Status.FAILED
    topic = account.topic()
    assert (
        reason == f"topic {topic} of alarm 'root-account-usage' has no confirmed subscription (1 pending confirmation)"
    )


def test_one_confirmed_subscription_beside_a_pending_one_passes(aws: AwsEndpoint) -> None:
    # GIVEN the same chain, its topic with a pending and a confirmed subscription
    account = Account(aws)
    account.trail()
    account.chain(ROOT)
    topic = account.topic()
    sns = stubbed(
        aws, "sns", _subscriptions(topic, "PendingConfirmation", f"{topic}:5d1c3d3e-0000-4000-8000-000000000001")
    )
    # WHEN verified THEN CloudWatch.1 PASSED
    status, reason = statuses(verify(factory(aws, sns=sns), [REGION], controls=[ROOT]))["CloudWatch.1"]
    assert status is Status.PASSED
    assert reason.endswith("(1 confirmed subscription(s))")


# --- a topic whose subscriptions cannot be listed (Stubber: moto enforces no IAM) ------------------


def _denied(topic: str, code: str) -> Callable[[Stubber], None]:
    def add(stubber: Stubber) -> None:
        stubber.add_client_error(
            "list_subscriptions_by_topic",
            service_error_code=code,
            http_status_code=403,
            expected_params={"TopicArn": topic},
        )

    return add


@pytest.mark.parametrize("code", ["AuthorizationError", "AccessDenied"])
def test_another_account_s_topic_that_cannot_be_listed_is_a_warning(aws: AwsEndpoint, code: str) -> None:
    # GIVEN CloudWatch.1's alarm notifying a topic of another account, whose subscriptions are denied
    account = Account(aws)
    account.trail()
    account.metric_filter(ROOT)
    topic = f"arn:aws:sns:{REGION}:{OTHER_ACCOUNT}:central-alarms"
    account.alarm(ROOT, actions=[topic])
    sns = stubbed(aws, "sns", _denied(topic, code))
    # WHEN verified
    verification = verify(factory(aws, sns=sns), [REGION], controls=[ROOT])
    # THEN a WARNING naming the topic's account, as Security Hub reports it; nothing FAILED
    status, reason = statuses(verification)["CloudWatch.1"]
    assert status is Status.WARNING
    assert reason == f"topic {topic} belongs to account {OTHER_ACCOUNT} and its subscriptions cannot be listed ({code})"
    assert not verification.failed


def test_an_own_topic_that_cannot_be_listed_asks_for_the_permission(aws: AwsEndpoint) -> None:
    # GIVEN CloudWatch.1's chain, but credentials that may not list the account's own topic
    account = Account(aws)
    account.trail()
    account.chain(ROOT)
    sns = stubbed(aws, "sns", _denied(account.topic(), "AuthorizationError"))
    # WHEN verified THEN a WARNING saying which permission verify lacks
    status, reason = statuses(verify(factory(aws, sns=sns), [REGION], controls=[ROOT]))["CloudWatch.1"]
    assert status is Status.WARNING
    assert reason.endswith("cannot be listed (AuthorizationError): allow sns:ListSubscriptionsByTopic")


def test_any_other_error_listing_subscriptions_ends_the_run(aws: AwsEndpoint) -> None:
    # GIVEN listing the topic's subscriptions fails with a throttling error
    account = Account(aws)
    account.trail()
    account.chain(ROOT)
    sns = stubbed(aws, "sns", _denied(account.topic(), "Throttling"))
    # WHEN verified THEN one AwsCallError naming the Region and the error
    with pytest.raises(AwsCallError, match=r"^cannot call AWS in eu-west-1: .*\(Throttling\)"):
        verify(factory(aws, sns=sns), [REGION], controls=[ROOT])


# --- an organization trail of another account (Stubber: moto lists only the caller's trails) --------

ORG_TRAIL = {
    "Name": "aws-controltower-BaselineCloudTrail",
    "S3BucketName": "aws-controltower-logs",
    "IsMultiRegionTrail": True,
    "HomeRegion": "us-east-1",
    "TrailARN": "arn:aws:cloudtrail:us-east-1:111111111111:trail/aws-controltower-BaselineCloudTrail",
    "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111111111111:log-group:aws-controltower/CloudTrailLogs:*",
    "IsOrganizationTrail": True,
}


def _org_trail(status: dict[str, Any] | None) -> Callable[[Stubber], None]:
    def add(stubber: Stubber) -> None:
        stubber.add_response("describe_trails", {"trailList": [ORG_TRAIL]}, {"includeShadowTrails": True})
        arn = ORG_TRAIL["TrailARN"]
        if status is None:
            stubber.add_client_error("get_trail_status", "TrailNotFoundException", expected_params={"Name": arn})
            return
        stubber.add_response("get_trail_status", status, {"Name": arn})
        stubber.add_response("get_event_selectors", {"TrailARN": arn, **ALL_MANAGEMENT}, {"TrailName": arn})

    return add


def test_an_organization_trail_of_another_account_gives_no_data(aws: AwsEndpoint) -> None:
    # GIVEN a member account that sees only its organization's trail (owned by the management account)
    cloudtrail = stubbed(aws, "cloudtrail", _org_trail({"IsLogging": True}))
    # WHEN verified
    verification = verify(factory(aws, cloudtrail=cloudtrail), [REGION])
    # THEN CloudWatch.1-14 are NO_DATA naming the trail, its owner and its Region; CloudTrail.1 PASSED
    checks = statuses(verification)
    expected = (
        "organization trail 'aws-controltower-BaselineCloudTrail' belongs to account 111111111111 "
        "(based in us-east-1): Security Hub evaluates it there"
    )
    for control in SECURITY_HUB_CONTROLS:
        assert checks[str(control.security_hub_control)] == (Status.NO_DATA, expected)
    assert checks["CloudTrail.1"][0] is Status.PASSED
    assert not verification.failed


def test_an_organization_trail_that_cannot_be_read_leaves_cloudtrail_1_without_data(aws: AwsEndpoint) -> None:
    # GIVEN the organization's trail, whose status the member account may not read
    cloudtrail = stubbed(aws, "cloudtrail", _org_trail(None))
    # WHEN verified THEN CloudTrail.1 is NO_DATA with the error
    status, reason = statuses(verify(factory(aws, cloudtrail=cloudtrail), [REGION]))["CloudTrail.1"]
    assert status is Status.NO_DATA
    assert reason == (
        "trail 'aws-controltower-BaselineCloudTrail' of account 111111111111 cannot be read (TrailNotFoundException)"
    )


# --- event selectors (moto keeps advanced selectors as given) ----------------------------------------


def _advanced(*selectors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"AdvancedEventSelectors": [{"Name": f"s{i}", "FieldSelectors": s} for i, s in enumerate(selectors)]}


MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


@pytest.mark.parametrize(
    ("selectors", "status"),
    [
        pytest.param(ALL_MANAGEMENT, Status.PASSED, id="basic-all"),
        pytest.param(
            {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]},
            Status.FAILED,
            id="basic-write-only",
        ),
        pytest.param(
            {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]},
            Status.FAILED,
            id="basic-no-management",
        ),
        pytest.param(
            {
                "EventSelectors": [
                    {
                        "ReadWriteType": "All",
                        "IncludeManagementEvents": True,
                        "ExcludeManagementEventSources": ["kms.amazonaws.com"],
                    }
                ]
            },
            Status.FAILED,
            id="basic-kms-excluded",
        ),
        pytest.param(_advanced([MANAGEMENT]), Status.PASSED, id="advanced-all"),
        pytest.param(
            _advanced(
                [MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}],
                [MANAGEMENT, {"Field": "readOnly", "Equals": ["false"]}],
            ),
            Status.PASSED,
            id="advanced-read-and-write-apart",
        ),
        pytest.param(
            _advanced([MANAGEMENT, {"Field": "readOnly", "Equals": ["false"]}]), Status.FAILED, id="advanced-write-only"
        ),
        pytest.param(
            _advanced([MANAGEMENT, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]),
            Status.FAILED,
            id="advanced-kms-excluded",
        ),
        pytest.param(
            _advanced(
                [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                ]
            ),
            Status.FAILED,
            id="advanced-data-only",
        ),
    ],
)
def test_only_selectors_taking_every_management_event_pass(
    aws: AwsEndpoint, selectors: dict[str, Any], status: Status
) -> None:
    # GIVEN CloudWatch.1's complete chain behind a trail with these event selectors
    account = Account(aws)
    account.trail(selectors=selectors)
    account.chain(ROOT)
    # WHEN verified
    checks = statuses(verify(factory(aws), [REGION], controls=[ROOT]))
    # THEN CloudTrail.1 and CloudWatch.1 pass only when read and write management events are all taken
    assert checks["CloudTrail.1"][0] is status
    assert checks["CloudWatch.1"][0] is status
    if status is Status.FAILED:
        assert checks["CloudWatch.1"][1] == (
            "multi-Region trail 'main' does not record every management event (read and write, no source excluded)"
        )


def test_each_region_is_read_once_and_reported_in_the_order_given(aws: AwsEndpoint) -> None:
    # GIVEN a complete set-up in eu-west-1 only
    Account(aws).monitored([ROOT])
    # WHEN two Regions are verified, one of them twice
    verification = verify(factory(aws), ["us-east-1", REGION, "us-east-1"], controls=[ROOT])
    # THEN each Region's rows come once, in the order first given
    assert [v.region for v in verification.views] == ["us-east-1", REGION]
    assert [c.region for c in verification.checks] == ["us-east-1"] * 5 + [REGION] * 5
