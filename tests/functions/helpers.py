"""Builders for the alert enricher's tests: alarm action events, a monitored log group, topics read back.

``alarm_event`` builds the event CloudWatch sends a Lambda alarm action (the shape documented in the
handler's docstring); ``Monitoring`` deploys controls' metric filters on a log group of the local
endpoint (tests/aws_server.py), puts CloudTrail records into it and subscribes SQS queues to SNS
topics so that each test reads what was published; ``stubbed`` gives a client whose calls a
botocore Stubber answers, for the errors moto cannot produce.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.stub import Stubber

from tests.aws_server import ACCOUNT, REGION, AwsEndpoint
from trailwatch_constructs.catalog import ControlDefinition, SampleEvent, catalog_controls, load_samples
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.catalog.auditors.coverage import text_origin

NAMESPACE = "CloudTrailMetrics"
LOG_GROUP = "CloudTrail/trailwatch"
STREAM = f"{ACCOUNT}_CloudTrail_{REGION}"
CONTROLS = catalog_controls(
    privileged_groups=load_samples("privileged-group-membership-changes").parameters["privileged_groups"]
)
"""Every catalogue control, the privileged-group one for the groups its samples assume."""


def expected_split(deployed: ControlDefinition) -> tuple[list[SampleEvent], list[SampleEvent]]:
    """The control's samples its deployed filters count, and those none counts, as its samples file says.

    Every firing sample is counted (the control's own pattern is deployed); a near miss is counted
    too when its ``differs_for`` names a deployed auditor text that is broader than the pattern.
    """
    samples = load_samples(deployed.variant_of or deployed.id)
    texts = {origin.id for text in deployed.deployed_patterns if (origin := text_origin(deployed, text))}
    broader = [e for e in samples.ignores if texts & set(e.differs_for)]
    return [*samples.fires, *broader], [e for e in samples.ignores if e not in broader]


def cloudwatch_time(moment: datetime) -> str:
    """A time as CloudWatch writes it in alarm events: ``2023-08-04T12:36:15.490+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def alarm_name(metric_name: str) -> str:
    """The alarm's name: the sample app's prefix and the metric."""
    return f"TrailwatchStack-{metric_name}"


def alarm_event(
    metric_name: str,
    changed_at: datetime,
    *,
    namespace: str = NAMESPACE,
    period: int = 300,
    periods: int = 1,
    state: str = "ALARM",
    previous: str = "OK",
) -> dict[str, Any]:
    """The event of a Lambda alarm action for a change of a trailwatch alarm (Sum >= 1) to ``state``.

    Its evaluated periods end at the start of the period holding ``changed_at``; ``reasonData``
    lists them as CloudWatch does for a threshold crossing.
    """
    end = changed_at.replace(second=0, microsecond=0)
    starts = [end - timedelta(seconds=period * n) for n in range(periods, 0, -1)]
    name = alarm_name(metric_name)
    reason_data = {
        "version": "1.0",
        "queryDate": cloudwatch_time(changed_at),
        "startDate": cloudwatch_time(starts[0]),
        "statistic": "Sum",
        "period": period,
        "recentDatapoints": [1.0] * periods,
        "threshold": 1.0,
        "evaluatedDatapoints": [{"timestamp": cloudwatch_time(s), "sampleCount": 1.0, "value": 1.0} for s in starts],
    }
    return {
        "source": "aws.cloudwatch",
        "alarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        "accountId": ACCOUNT,
        "time": cloudwatch_time(changed_at),
        "region": REGION,
        "alarmData": {
            "alarmName": name,
            "state": {
                "value": state,
                "reason": f"Threshold Crossed: {periods} out of the last {periods} datapoints were greater than or "
                "equal to the threshold (1.0).",
                "reasonData": json.dumps(reason_data),
                "timestamp": cloudwatch_time(changed_at),
            },
            "previousState": {
                "value": previous,
                "reason": "Threshold Crossed: no datapoints were received for 1 period.",
                "timestamp": cloudwatch_time(starts[0] - timedelta(hours=1)),
            },
            "configuration": {
                "description": "trailwatch control",
                "metrics": [
                    {
                        "id": "5f8e6d4c-3b2a-1908-7a6b-5c4d3e2f1a0b",
                        "metricStat": {
                            "metric": {"namespace": namespace, "name": metric_name, "dimensions": {}},
                            "period": period,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def log_event(record: Mapping[str, Any] | str, *, stream: str = STREAM, event_id: str = "0") -> dict[str, Any]:
    """An event as FilterLogEvents returns it, holding ``record`` as CloudTrail delivers it (compact JSON)."""
    message = record if isinstance(record, str) else json.dumps(record, separators=(",", ":"))
    return {"logStreamName": stream, "timestamp": 1, "message": message, "ingestionTime": 2, "eventId": event_id}


@dataclass
class Monitoring:
    """A CloudTrail log group on the endpoint with controls' metric filters, and topics read through SQS."""

    aws: AwsEndpoint
    log_group: str = LOG_GROUP
    _queues: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.logs = self.aws.client("logs")
        self.sns = self.aws.client("sns")
        self.sqs = self.aws.client("sqs")
        self.logs.create_log_group(logGroupName=self.log_group)
        self.logs.create_log_stream(logGroupName=self.log_group, logStreamName=STREAM)

    def deploy(
        self, control: ControlDefinition, *, texts: Sequence[str] | None = None, namespace: str = NAMESPACE
    ) -> ControlDefinition:
        """Creates the control's metric filters, one per text. Default: as the construct does, every auditor's text."""
        deployed = control.deploying(deployed_texts(control) if texts is None else texts)
        for number, pattern in enumerate(deployed.deployed_patterns):
            self.logs.put_metric_filter(
                logGroupName=self.log_group,
                filterName=f"{control.id}-{number}",
                filterPattern=pattern,
                metricTransformations=[
                    {"metricName": control.metric_name, "metricNamespace": namespace, "metricValue": "1"}
                ],
            )
        return deployed

    def put(self, records: Iterable[Mapping[str, Any]], at: datetime) -> None:
        """Puts records into the log group, one log event each, a second apart from ``at``."""
        events = [
            {"timestamp": int((at + timedelta(seconds=n)).timestamp() * 1000), "message": json.dumps(record)}
            for n, record in enumerate(records)
        ]
        self.logs.put_log_events(logGroupName=self.log_group, logStreamName=STREAM, logEvents=events)

    def topic(self, name: str) -> str:
        """Creates a topic with an SQS queue subscribed (raw message delivery off) and returns its ARN."""
        arn = self.sns.create_topic(Name=name)["TopicArn"]
        url = self.sqs.create_queue(QueueName=f"{name}-queue")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
        self._queues[arn] = url
        return str(arn)

    def published(self, topic_arn: str) -> list[dict[str, Any]]:
        """Every SNS envelope the topic's queue received (``Subject``, ``Message``...), emptying it."""
        envelopes = []
        while True:
            answer = self.sqs.receive_message(QueueUrl=self._queues[topic_arn], MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return envelopes
            for message in messages:
                envelopes.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self._queues[topic_arn], ReceiptHandle=message["ReceiptHandle"])


@dataclass
class FakeContext:
    """A Lambda context whose remaining time is fixed (by default the construct's 2-minute timeout)."""

    remaining_ms: int = 120_000

    def get_remaining_time_in_millis(self) -> int:
        """The time left, in milliseconds."""
        return self.remaining_ms


def stubbed(service: str) -> tuple[Any, Stubber]:
    """A client answered only by a Stubber (activated), with fake credentials and no endpoint reached."""
    client = boto3.client(service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def metric_filters(patterns: Sequence[str], metric_name: str, *, log_group: str = LOG_GROUP) -> list[dict[str, Any]]:
    """DescribeMetricFilters' entries for patterns publishing one metric."""
    return [
        {
            "filterName": f"filter-{n}",
            "filterPattern": pattern,
            "logGroupName": log_group,
            "metricTransformations": [{"metricName": metric_name, "metricNamespace": NAMESPACE, "metricValue": "1"}],
            "creationTime": 1,
        }
        for n, pattern in enumerate(patterns)
    ]
