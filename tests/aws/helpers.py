"""Builders for the tests of the AWS-facing code: configurations built on the local endpoint, clients.

``Account`` builds trails, log groups, metric filters, alarms, topics and subscriptions with boto3 on
the endpoint (tests/aws_server.py); ``factory`` hands the code under test the endpoint's clients, or a
stubbed one for a service; ``HistoryStub`` answers DescribeAlarmHistory, which moto lacks. The tests
of tests/aws/ and of the ``verify`` command (tests/cli/commands/test_verify.py) use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.stub import Stubber

from tests.aws_server import ACCOUNT, REGION, AwsEndpoint
from trailwatch_constructs.aws import Clients, Service
from trailwatch_constructs.aws.fire_drill import CLOCK_SKEW
from trailwatch_constructs.catalog import STATIC_CONTROLS, ControlDefinition

SECURITY_HUB_CONTROLS = tuple(c for c in STATIC_CONTROLS if c.security_hub_control)
"""The controls of CloudWatch.1-14, in that order."""
ROOT = SECURITY_HUB_CONTROLS[0]
"""root-account-usage: CloudWatch.1."""
NAMESPACE = "Trailwatch"
LOG_GROUP = "trail-logs"
ALL_MANAGEMENT = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}
"""What AWS gives a new trail. moto gives none, so every trail built here gets it (or another) explicitly."""
ROLE = f"arn:aws:iam::{ACCOUNT}:role/CloudTrailToLogs"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
"""When a fire drill starts, by the tests' clocks."""
KMS_ERROR = 'Received error: "CloudWatch Alarms does not have authorization to access the SNS topic encryption key."'
"""The error of a failed SNS action whose topic's KMS key CloudWatch may not use, as the alarm history says it."""


@dataclass
class Account:
    """Builds trails, log groups, metric filters, alarms, topics and subscriptions on the endpoint."""

    aws: AwsEndpoint
    region: str = REGION
    _topics: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        """A boto3 client of the endpoint in this Region (made once: making one takes tens of ms)."""
        if service not in self._clients:
            self._clients[service] = self.aws.client(service, self.region)
        return self._clients[service]

    def log_group(self, name: str = LOG_GROUP, *, retention: int | None = 365) -> str:
        """Creates a log group (retention ``None``: never expire) and returns its ARN."""
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if retention is not None:
            logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
        return f"arn:aws:logs:{self.region}:{self.aws.account}:log-group:{name}:*"

    def bucket(self, name: str) -> str:
        """Creates an S3 bucket in this Region and returns its name."""
        location = (
            {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        )
        self.client("s3").create_bucket(Bucket=name, **location)
        return name

    def trail(
        self,
        name: str = "main",
        *,
        log_group: str | None = LOG_GROUP,
        multi_region: bool = True,
        logging: bool = True,
        selectors: dict[str, Any] | None = None,
        retention: int | None = 365,
    ) -> None:
        """Creates a trail delivering to ``log_group`` (created with it), logging every management event."""
        bucket = self.bucket(f"trail-{name}-{self.region}")
        delivery = self._log_delivery(log_group, retention) if log_group else {}
        cloudtrail = self.client("cloudtrail")
        cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region, **delivery)
        cloudtrail.put_event_selectors(TrailName=name, **(selectors or ALL_MANAGEMENT))
        if logging:
            cloudtrail.start_logging(Name=name)

    def _log_delivery(self, log_group: str, retention: int | None) -> dict[str, str]:
        """A trail's settings to deliver to a log group, created here."""
        return {
            "CloudWatchLogsLogGroupArn": self.log_group(log_group, retention=retention),
            "CloudWatchLogsRoleArn": ROLE,
        }

    def topic(self, name: str = "alarms", *, subscribed: bool = True) -> str:
        """Creates a topic (with an email subscription, which moto confirms at once) and returns its ARN."""
        if name not in self._topics:
            sns = self.client("sns")
            self._topics[name] = sns.create_topic(Name=name)["TopicArn"]
            if subscribed:
                sns.subscribe(TopicArn=self._topics[name], Protocol="email", Endpoint="secops@example.com")
        return self._topics[name]

    def metric_filter(
        self, control: ControlDefinition, *, pattern: str | None = None, log_group: str = LOG_GROUP
    ) -> None:
        """A metric filter publishing the control's metric: the control's own text unless ``pattern``."""
        self.client("logs").put_metric_filter(
            logGroupName=log_group,
            filterName=f"{control.id}-{len(pattern or '')}",
            filterPattern=pattern or control.pattern,
            metricTransformations=[
                {"metricName": control.metric_name, "metricNamespace": NAMESPACE, "metricValue": "1"}
            ],
        )

    def alarm(
        self,
        control: ControlDefinition,
        *,
        name: str | None = None,
        actions: Sequence[str] | None = None,
        enabled: bool = True,
        namespace: str = NAMESPACE,
    ) -> None:
        """An alarm on the control's metric, named after the control unless ``name``.

        Its ALARM action: the ``alarms`` topic unless ``actions``.
        """
        self.client("cloudwatch").put_metric_alarm(
            AlarmName=name or control.id,
            MetricName=control.metric_name,
            Namespace=namespace,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[self.topic()] if actions is None else list(actions),
            ActionsEnabled=enabled,
        )

    def unrelated_alarm(self, *, actions: Sequence[str] = ()) -> None:
        """An alarm named ``cpu`` on EC2's CPUUtilization: no metric filter publishes its metric."""
        self.client("cloudwatch").put_metric_alarm(
            AlarmName="cpu",
            MetricName="CPUUtilization",
            Namespace="AWS/EC2",
            Statistic="Average",
            Period=300,
            EvaluationPeriods=1,
            Threshold=90,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=list(actions),
        )

    def chain(self, control: ControlDefinition) -> None:
        """The control's filter and alarm, notifying the subscribed ``alarms`` topic."""
        self.metric_filter(control)
        self.alarm(control, actions=[self.topic()])

    def monitored(self, controls: Sequence[ControlDefinition] = SECURITY_HUB_CONTROLS) -> None:
        """A complete set-up: a logging multi-Region trail and every control's chain."""
        self.trail()
        for control in controls:
            self.chain(control)


def factory(aws: AwsEndpoint, **stubbed: Any) -> Clients:
    """Clients of the endpoint, except the services given, which get the (stubbed) client given."""
    made: dict[tuple[str, str], Any] = {}

    def clients(service: Service, region: str) -> Any:
        if service in stubbed:
            return stubbed[service]
        return made.setdefault((service, region), aws.client(service, region))

    return clients


class HistoryStub:
    """The endpoint's CloudWatch client, but DescribeAlarmHistory answered by a Stubber; records SetAlarmState.

    moto 5.2 does not implement DescribeAlarmHistory, and its SetAlarmState runs no action. SetAlarmState
    still goes to the endpoint (the alarm's state really changes there). The Stubber also checks each
    DescribeAlarmHistory's parameters: by default, a StartDate of the drill's start (:data:`NOW`) less
    :data:`CLOCK_SKEW`.
    """

    def __init__(self, aws: AwsEndpoint, *, start_date: Any = NOW - CLOCK_SKEW) -> None:
        self._real = aws.client("cloudwatch")
        self._history = aws.client("cloudwatch")
        self.stubber = Stubber(self._history)
        self.stubber.activate()
        self.start_date = start_date
        self.states: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def set_alarm_state(self, **kwargs: Any) -> Any:
        """Records the call, then makes it on the endpoint."""
        self.states.append((kwargs["AlarmName"], kwargs["StateValue"]))
        return self._real.set_alarm_state(**kwargs)

    def describe_alarm_history(self, **kwargs: Any) -> Any:
        """Answered by the Stubber."""
        return self._history.describe_alarm_history(**kwargs)

    def answer(self, alarm: str, *summaries: str) -> None:
        """Queues one DescribeAlarmHistory answer: Action items with these summaries, newest first."""
        items = [
            {
                "AlarmName": alarm,
                "AlarmType": "MetricAlarm",
                "Timestamp": NOW,
                "HistoryItemType": "Action",
                "HistorySummary": summary,
                "HistoryData": "{}",
            }
            for summary in summaries
        ]
        expected = {"AlarmName": alarm, "HistoryItemType": "Action", "StartDate": self.start_date, "MaxRecords": 100}
        self.stubber.add_response("describe_alarm_history", {"AlarmHistoryItems": items}, expected)
