"""Enriches a trailwatch alarm: one notification saying who did what, where and when.

CloudWatch invokes ``on_alarm`` as a Lambda alarm action, asynchronously, once per state change
("Invoke a Lambda function from an alarm", Amazon CloudWatch User Guide,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html).
The event, as that page shows it for a metric alarm::

    {"source": "aws.cloudwatch",
     "alarmArn": "arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm",
     "accountId": "444455556666",
     "time": "2023-08-04T12:36:15.490+0000",
     "region": "us-east-1",
     "alarmData": {
       "alarmName": "lambda-demo-metric-alarm",
       "state": {"value": "ALARM", "reason": "test", "timestamp": "2023-08-04T12:36:15.490+0000"},
       "previousState": {"value": "INSUFFICIENT_DATA", "reason": "...", "reasonData": "{...}",
                         "timestamp": "2023-08-04T12:31:29.595+0000"},
       "configuration": {"description": "...", "metrics": [
         {"id": "...", "metricStat": {"metric": {"namespace": "AWS/Logs", "name": "CallCount",
                                                 "dimensions": {...}},
                                      "period": 60, "stat": "Average", "unit": "Percent"},
          "returnData": true}]}}}

A state's ``reasonData``, when the state comes from an evaluation, is a JSON string with
``startDate`` (start of the first evaluated period), ``queryDate``, ``period`` and
``evaluatedDatapoints`` (one ``timestamp`` per evaluated period), as the same guide's "Alarm events
and EventBridge" examples show. The event gives no evaluation-period count or threshold: the window
read is from ``startDate`` (else the state's time less one period per evaluated datapoint, at least
one) to the state's time, widened by the margin on both sides.

Only a change to ALARM is enriched; any other event is ignored and the result says why. For the
alarm's metric, DescribeMetricFilters gives the deployed filters (several per metric when a control
deploys other auditors' texts) and their log groups; FilterLogEvents reads each filter's events over
the window, following ``nextToken`` until the cap of events read or the function's deadline. Each
message is decoded from JSON and re-checked with trailwatch's engine, since an endpoint may not apply
a JSON pattern faithfully (moto returns every event for one); records are deduplicated by
``eventID``. The notification is published once, with ``MessageStructure=json``. If reading fails
(access denied, throttling, a missing log group), the notification still goes out saying so, with
the links; an error after that (publishing) propagates, for the function's on-failure destination.

Environment (all the function needs, within Lambda's 4 KB of variables):

- ``TRAILWATCH_NOTIFICATIONS_TOPIC_ARN`` (required): where notifications go.
- ``TRAILWATCH_CRITICAL_TOPIC_ARN``: where CRITICAL controls' notifications go instead. Default: none.
- ``TRAILWATCH_LANGUAGE``: ``en`` or ``ja``. Default: ``en``.
- ``TRAILWATCH_MAX_EVENTS``: the most events read from CloudWatch Logs. Default: 50.
- ``TRAILWATCH_MARGIN_SECONDS``: how far the window is widened on each side. Default: 300.
- ``TRAILWATCH_ORGANIZATION_TRAIL``: ``true`` when the log group receives an organization trail: the
  events link then shows each event's member account first. Default: ``false``.

Permissions: ``logs:DescribeMetricFilters``, ``logs:FilterLogEvents`` on the log group,
``sns:Publish`` on the topics (and the topics' KMS keys: ``kms:GenerateDataKey*``, ``kms:Decrypt``).

The function's asset is the ``trailwatch_constructs`` package without ``constructs/``, ``cli/``,
``aws/`` and ``functions/log_group_lookup/``: this module imports the standard library, boto3 and
trailwatch's core, filter pattern, catalogue and texts floors only, never the CDK. It needs Python
3.11 or later. boto3 reads ``AWS_ENDPOINT_URL`` itself, so tests point it at a local endpoint.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from trailwatch_constructs.catalog import TUNED_VARIANTS, ControlDefinition, Language, Severity, catalog_controls
from trailwatch_constructs.catalog.definition import LocalizedText
from trailwatch_constructs.core.errors import TrailwatchError
from trailwatch_constructs.filter_pattern import FilterPattern, FilterPatternError, parse_filter_pattern
from trailwatch_constructs.texts.alarm_description import (
    AlarmContext,
    console_host,
    insights_console_url,
    link_query,
    log_group_console_url,
)
from trailwatch_constructs.texts.notification import EnrichedAlarm, Notification, render_notification

TOPIC_VARIABLE = "TRAILWATCH_NOTIFICATIONS_TOPIC_ARN"
CRITICAL_TOPIC_VARIABLE = "TRAILWATCH_CRITICAL_TOPIC_ARN"
LANGUAGE_VARIABLE = "TRAILWATCH_LANGUAGE"
MAX_EVENTS_VARIABLE = "TRAILWATCH_MAX_EVENTS"
MARGIN_VARIABLE = "TRAILWATCH_MARGIN_SECONDS"
ORGANIZATION_VARIABLE = "TRAILWATCH_ORGANIZATION_TRAIL"
DEFAULT_MAX_EVENTS = 50
DEFAULT_MARGIN_SECONDS = 300

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=10)
# Standard retries; one call can take 3 x (5 + 10) s at worst, so a hung endpoint cannot eat the function's time.
READ_RESERVE_MS = 50_000
"""Reading stops when the function has less time left than this: enough for one more call at its worst
(three attempts of 15 s) and the publish, so the notification still goes out."""
DEFAULT_TIME_LIMIT_MS = 15 * 60 * 1000
"""Without a Lambda context, reading stops this long after the start (Lambda's longest timeout)."""
FILTER_PAGE_LIMIT = 10_000
"""FilterLogEvents' largest ``limit``."""
# Any group name works: the catalogue's privileged-group control is looked up by its metric, and its
# events are re-checked with the patterns actually deployed.
_ANY_GROUP = "Administrators"

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class EnricherConfigurationError(TrailwatchError, ValueError):
    """The function's environment lacks the notifications topic."""


class NotAnAlarmEvent(TrailwatchError, ValueError):
    """The event is not a CloudWatch alarm action's event."""


@dataclass(frozen=True)
class Settings:
    """The function's configuration, from its environment variables (see the module docstring)."""

    topic_arn: str
    critical_topic_arn: str | None = None
    language: Language = Language.EN
    max_events: int = DEFAULT_MAX_EVENTS
    margin_seconds: int = DEFAULT_MARGIN_SECONDS
    organization_trail: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Reads the settings; an invalid optional value falls back to its default with a warning.

        Raises:
            EnricherConfigurationError: the notifications topic is not set.
        """
        topic = environ.get(TOPIC_VARIABLE, "").strip()
        if not topic:
            raise EnricherConfigurationError(f"{TOPIC_VARIABLE} must name the SNS topic notifications go to")
        language = environ.get(LANGUAGE_VARIABLE, Language.EN.value).strip().lower()
        if language not in tuple(Language):
            logger.warning("%s %r is not one of %s; writing in English", LANGUAGE_VARIABLE, language, list(Language))
            language = Language.EN.value
        return cls(
            topic_arn=topic,
            critical_topic_arn=environ.get(CRITICAL_TOPIC_VARIABLE, "").strip() or None,
            language=Language(language),
            max_events=_positive(environ, MAX_EVENTS_VARIABLE, DEFAULT_MAX_EVENTS, minimum=1),
            margin_seconds=_positive(environ, MARGIN_VARIABLE, DEFAULT_MARGIN_SECONDS, minimum=0),
            organization_trail=environ.get(ORGANIZATION_VARIABLE, "").strip().lower() == "true",
        )

    def topic_for(self, control: ControlDefinition | None) -> str:
        """The critical topic for a CRITICAL control when one is set, else the notifications topic."""
        if control is not None and control.severity is Severity.CRITICAL and self.critical_topic_arn:
            return self.critical_topic_arn
        return self.topic_arn


def _positive(environ: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if raw.isdigit() and int(raw) >= minimum:
        return int(raw)
    logger.warning("%s %r must be a whole number >= %d; using %d", name, raw, minimum, default)
    return default


@dataclass(frozen=True)
class AlarmChange:
    """What an alarm action's event says: which alarm, which metric, which state change and window."""

    arn: str
    name: str
    account: str
    region: str
    state: str
    previous_state: str
    changed_at: datetime
    namespace: str
    metric_name: str
    window_start: datetime
    window_end: datetime

    @property
    def entered_alarm(self) -> bool:
        """Whether the alarm changed to ALARM (from any other state)."""
        return self.state == "ALARM" and self.previous_state != "ALARM"

    @property
    def partition(self) -> str:
        """The ARN's partition (``aws``, ``aws-cn``, ``aws-us-gov``...)."""
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> AlarmChange:
        """Reads an alarm action's event (see the module docstring).

        Raises:
            NotAnAlarmEvent: the event is not from CloudWatch, or has no alarm data or state.
        """
        data = event.get("alarmData") if isinstance(event, Mapping) else None
        if not isinstance(event, Mapping) or event.get("source") != "aws.cloudwatch" or not isinstance(data, Mapping):
            raise NotAnAlarmEvent("not a CloudWatch alarm action's event (source aws.cloudwatch with alarmData)")
        state, previous = _mapping(data.get("state")), _mapping(data.get("previousState"))
        if not state.get("value"):
            raise NotAnAlarmEvent("the alarm event has no state")
        changed_at = _timestamp(state.get("timestamp")) or _timestamp(event.get("time")) or datetime.now(UTC)
        namespace, metric_name, period = _metric(_mapping(data.get("configuration")))
        start, end = _window(state, changed_at, period)
        return cls(
            arn=str(event.get("alarmArn", "")),
            name=str(data.get("alarmName", "")),
            account=str(event.get("accountId", "")),
            region=str(event.get("region", "")),
            state=str(state["value"]),
            previous_state=str(previous.get("value", "")),
            changed_at=changed_at,
            namespace=namespace,
            metric_name=metric_name,
            window_start=start,
            window_end=end,
        )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _timestamp(value: object) -> datetime | None:
    """CloudWatch's times (``2023-08-04T12:36:15.490+0000``, or ISO 8601 with ``Z``) in UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _metric(configuration: Mapping[str, Any]) -> tuple[str, str, int]:
    """The namespace, name and period of the alarm's metric; empty names for an alarm without one."""
    for metric in configuration.get("metrics", ()):
        stat = _mapping(_mapping(metric).get("metricStat"))
        described = _mapping(stat.get("metric"))
        if described.get("name"):
            period = stat.get("period")
            return str(described.get("namespace", "")), str(described["name"]), int(period) if period else 300
    return "", "", 300


def _window(state: Mapping[str, Any], changed_at: datetime, period: int) -> tuple[datetime, datetime]:
    """The evaluated periods, from the state's reason data when it has them."""
    try:
        reason = json.loads(state.get("reasonData") or "{}")
    except (TypeError, ValueError):
        reason = {}
    reason = _mapping(reason)
    points = [_timestamp(_mapping(p).get("timestamp")) for p in reason.get("evaluatedDatapoints", ())]
    known = [p for p in (_timestamp(reason.get("startDate")), *points) if p is not None]
    if known:
        return min(known), max(changed_at, max(known) + timedelta(seconds=period))
    periods = max(1, len(reason.get("recentDatapoints", ())))
    return changed_at - timedelta(seconds=period * periods), changed_at


@dataclass
class Reading:
    """What was read: the matching records (each once), the filters found, and whether anything is missing."""

    records: dict[str, object] = field(default_factory=dict)
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per log group, the deployed filter patterns."""
    read: int = 0
    """Events read from FilterLogEvents, matching or not."""
    complete: bool = True
    error: str = ""

    def add(self, event: Mapping[str, Any], pattern: FilterPattern | None) -> None:
        """Counts an event read and keeps its record when it matches ``pattern`` (``None``: trusted)."""
        self.read += 1
        message = str(event.get("message", ""))
        try:
            record: object = json.loads(message)
        except ValueError:
            record = message
        if pattern is not None and not pattern.matches(record):
            return
        event_id = record.get("eventID") if isinstance(record, Mapping) else None
        key = str(event_id) if event_id else f"{event.get('logStreamName')}/{event.get('eventId')}"
        self.records.setdefault(key, record)


def find_filters(logs: Any, namespace: str, metric_name: str) -> dict[str, tuple[str, ...]]:
    """The filter patterns publishing a metric, per log group, in DescribeMetricFilters' order."""
    found: dict[str, list[str]] = {}
    pages = logs.get_paginator("describe_metric_filters").paginate(metricName=metric_name, metricNamespace=namespace)
    for page in pages:
        for metric_filter in page.get("metricFilters", ()):
            found.setdefault(metric_filter["logGroupName"], []).append(metric_filter.get("filterPattern", ""))
    return {group: tuple(dict.fromkeys(patterns)) for group, patterns in found.items()}


def read_matching_events(logs: Any, alarm: AlarmChange, settings: Settings, time_left: Callable[[], int]) -> Reading:
    """Reads and re-checks the events of every filter of the alarm's metric; never raises.

    Args:
        logs: a CloudWatch Logs client.
        alarm: the alarm change.
        settings: the cap on events read and the margin.
        time_left: milliseconds the function has left.

    Returns:
        What was read; ``complete`` is false when the cap, the deadline or an error stopped reading
        (``error`` then says which error).
    """
    reading = Reading()
    if not alarm.metric_name:
        reading.complete, reading.error = False, "the alarm has no metric to find its metric filters by"
        return reading
    try:
        reading.filters = find_filters(logs, alarm.namespace, alarm.metric_name)
        if not reading.filters:
            reading.complete = False
            reading.error = f"no metric filter publishes the metric {alarm.namespace}/{alarm.metric_name}"
        for group, patterns in reading.filters.items():
            for pattern in patterns:
                if not _read_filter(logs, group, pattern, alarm, settings, time_left, reading):
                    reading.complete = False
                    return reading
    except Exception as error:  # never silent: whatever failed, the notification says so
        logger.exception("reading the events of %s/%s failed", alarm.namespace, alarm.metric_name)
        reading.complete, reading.error = False, describe_error(error)
    return reading


def _read_filter(
    logs: Any,
    group: str,
    pattern: str,
    alarm: AlarmChange,
    settings: Settings,
    time_left: Callable[[], int],
    reading: Reading,
) -> bool:
    """Reads one filter's events page by page; ``False`` when the cap or the deadline stopped it."""
    check = _recheck(pattern)
    margin = timedelta(seconds=settings.margin_seconds)
    request: dict[str, Any] = {
        "logGroupName": group,
        "filterPattern": pattern,
        "startTime": int((alarm.window_start - margin).timestamp() * 1000),
        "endTime": int((alarm.window_end + margin).timestamp() * 1000),
    }
    while True:
        if reading.read >= settings.max_events or time_left() < READ_RESERVE_MS:
            return False
        page = logs.filter_log_events(**request, limit=min(settings.max_events - reading.read, FILTER_PAGE_LIMIT))
        for event in page.get("events", ()):
            reading.add(event, check)
        if not page.get("nextToken"):
            return True
        request["nextToken"] = page["nextToken"]


def _recheck(pattern: str) -> FilterPattern | None:
    """The pattern as trailwatch's engine evaluates it; ``None`` (trust the endpoint) when it cannot parse it."""
    try:
        return parse_filter_pattern(pattern)
    except FilterPatternError:
        logger.warning(
            "the deployed pattern %r does not parse here; its events are taken as CloudWatch Logs gave them", pattern
        )
        return None


def describe_error(error: BaseException) -> str:
    """An error as one sentence: AWS's code and message for a service error, else its type and text."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "") or "the call"
        return f"{details.get('Code', 'Error')} from {operation}: {details.get('Message', '')}".rstrip(": ")
    return f"{type(error).__name__}: {error}"


@cache
def _controls_by_metric() -> Mapping[str, ControlDefinition]:
    controls = (*catalog_controls(privileged_groups=[_ANY_GROUP]), *TUNED_VARIANTS)
    return {control.metric_name: control for control in controls}


def find_control(metric_name: str) -> ControlDefinition | None:
    """The catalogue control (or tuned variant) publishing a metric; ``None`` for a custom control."""
    return _controls_by_metric().get(metric_name)


def events_link(
    control: ControlDefinition | None, metric_name: str, patterns: tuple[str, ...], context: AlarmContext
) -> str:
    """The Logs Insights link to a log group's matching events (the log group's link without a faithful query)."""
    query = None
    try:
        base = control or ControlDefinition(
            "custom-control", patterns[0], metric_name, Severity.LOW, en=LocalizedText(metric_name, "", "")
        )
        query = link_query(base.deploying(patterns), organization_trail=context.organization_trail)
    except ValueError:  # a pattern the engine cannot parse or join has no query
        logger.warning("no Logs Insights query for %s; linking the log group", patterns)
    return insights_console_url(query, context) if query is not None else log_group_console_url(context)


def alarm_console_url(alarm: AlarmChange) -> str:
    """A console link to the alarm."""
    host = console_host(alarm.partition, alarm.region)
    return f"https://{host}/cloudwatch/home?region={alarm.region}#alarmsV2:alarm/{quote(alarm.name, safe='')}"


def enrich(alarm: AlarmChange, reading: Reading, settings: Settings) -> EnrichedAlarm:
    """The alarm, its control, its records and its links, ready to render."""
    control = find_control(alarm.metric_name)
    seconds = int((alarm.window_end - alarm.window_start).total_seconds()) + 2 * settings.margin_seconds
    host = console_host(alarm.partition, alarm.region)
    links = tuple(
        events_link(
            control,
            alarm.metric_name,
            patterns,
            AlarmContext(
                alarm.account,
                alarm.region,
                group,
                window_seconds=seconds,
                host=host,
                organization_trail=settings.organization_trail,
            ),
        )
        for group, patterns in reading.filters.items()
        if patterns
    )
    return EnrichedAlarm(
        alarm_name=alarm.name,
        alarm_arn=alarm.arn,
        account=alarm.account,
        region=alarm.region,
        changed_at=alarm.changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        metric=f"{alarm.namespace}/{alarm.metric_name}" if alarm.metric_name else alarm.name,
        control=control,
        records=tuple(reading.records.values()),
        complete=reading.complete,
        read_error=reading.error,
        events_links=links,
        alarm_link=alarm_console_url(alarm),
    )


def publish(sns: Any, topic_arn: str, notification: Notification) -> str:
    """Publishes the notification once; returns SNS's message id.

    SNS's Publish reference asks for UTF-8 subjects; should an endpoint refuse a subject anyway,
    it is sent once more with the ASCII subject rather than lost.

    Raises:
        ClientError: SNS refused the message.
    """
    request = {"TopicArn": topic_arn, "Message": notification.message, "MessageStructure": "json"}
    try:
        return str(sns.publish(**request, Subject=notification.subject)["MessageId"])
    except ClientError as error:
        details = error.response.get("Error", {})
        refused = details.get("Code") == "InvalidParameter" and "Subject" in details.get("Message", "")
        if not refused or notification.subject == notification.ascii_subject:
            raise
        logger.warning(
            "SNS refused the subject %r; publishing with %r", notification.subject, notification.ascii_subject
        )
        return str(sns.publish(**request, Subject=notification.ascii_subject)["MessageId"])


def handle_alarm(
    event: Mapping[str, Any], settings: Settings, logs: Any, sns: Any, time_left: Callable[[], int]
) -> dict[str, Any]:
    """Enriches one alarm action's event and publishes its notification.

    Args:
        event: the alarm action's event.
        settings: the function's settings.
        logs: a CloudWatch Logs client.
        sns: an SNS client.
        time_left: milliseconds the function has left.

    Returns:
        ``{"action": "ignored", "reason": ...}`` for anything but a change to ALARM; else
        ``{"action": "published", ...}`` with the topic, message id, control, counts and any read error.

    Raises:
        ClientError: publishing failed (the function's on-failure destination gets the event).
    """
    try:
        alarm = AlarmChange.from_event(event)
    except NotAnAlarmEvent as error:
        return {"action": "ignored", "reason": str(error)}
    if not alarm.entered_alarm:
        return {"action": "ignored", "reason": f"{alarm.name} changed to {alarm.state}, not to ALARM"}
    reading = read_matching_events(logs, alarm, settings, time_left)
    enriched = enrich(alarm, reading, settings)
    notification = render_notification(enriched, settings.language)
    topic = settings.topic_for(enriched.control)
    message_id = publish(sns, topic, notification)
    return {
        "action": "published",
        "topic": topic,
        "messageId": message_id,
        "alarm": alarm.name,
        "control": enriched.control.id if enriched.control else None,
        "events": notification.total,
        "eventsRead": reading.read,
        "complete": reading.complete,
        "textShown": notification.text_shown,
        "chatShown": notification.chat_shown,
        "readError": reading.error or None,
    }


def _deadline(milliseconds: int) -> Callable[[], int]:
    """Milliseconds left until ``milliseconds`` from now, by the monotonic clock."""
    end = time.monotonic() + milliseconds / 1000
    return lambda: int((end - time.monotonic()) * 1000)


def on_alarm(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda handler: CloudWatch's alarm action.

    Args:
        event: the alarm action's event (see the module docstring).
        context: the Lambda context; its remaining time bounds reading. Default: none, and reading
            stops :data:`DEFAULT_TIME_LIMIT_MS` from now.

    Returns:
        See :func:`handle_alarm`.

    Raises:
        EnricherConfigurationError: the notifications topic is not set.
        ClientError: publishing failed.
    """
    settings = Settings.from_environ(os.environ)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    time_left: Callable[[], int] = remaining if callable(remaining) else _deadline(DEFAULT_TIME_LIMIT_MS)
    logs = boto3.client("logs", config=_CLIENT_CONFIG)
    sns = boto3.client("sns", config=_CLIENT_CONFIG)
    result = handle_alarm(event, settings, logs, sns, time_left)
    logger.info("%s", json.dumps(result))
    return result
