"""The alert enricher: end to end against a local AWS endpoint (moto server), and with botocore's Stubber.

End to end, the handler runs as Lambda runs it (``on_alarm`` with its environment, boto3 pointed at
the endpoint by ``AWS_ENDPOINT_URL``): the catalogue's sample records are put into a log group with
PutLogEvents, the control's metric filters are created as the construct creates them, and what SNS
delivered is read from an SQS queue subscribed to the topic (raw message delivery off, so each
message is the SNS envelope with its ``Subject``; the queue gets the ``default`` text).

moto's FilterLogEvents does not apply JSON patterns: it returns every event of the window for any
pattern starting with ``{`` (moto 5.2, ``logs/utils.py``: an unsupported pattern matches
everything). The end-to-end tests prove that the handler's re-check with trailwatch's engine still
keeps exactly the firing samples and none of the near misses.

Stubber answers where moto cannot: an AccessDenied or a throttling error, FilterLogEvents' pages and
tokens exactly as AWS returns them (including an empty page that still has a token), and a refused
publish. Each stubbed call also checks the request the handler sent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY

from tests.aws_server import ACCOUNT, REGION, AwsEndpoint
from tests.functions.helpers import (
    CONTROLS,
    LOG_GROUP,
    NAMESPACE,
    FakeContext,
    Monitoring,
    alarm_event,
    alarm_name,
    expected_split,
    log_event,
    metric_filters,
    stubbed,
)
from trailwatch_constructs.catalog import ControlDefinition, Language, get_control, load_samples
from trailwatch_constructs.functions.alert_enricher import index
from trailwatch_constructs.functions.alert_enricher.index import (
    AlarmChange,
    EnricherConfigurationError,
    Settings,
    handle_alarm,
    on_alarm,
)
from trailwatch_constructs.texts.notification import summarize_event

NOW = datetime.now(UTC).replace(microsecond=0)
"""When the alarms of these tests change state: moto only takes log events of the last 14 days."""
ROOT = get_control("root-account-usage")
POLICY = get_control("iam-policy-changes")


@pytest.fixture
def monitoring(aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch) -> Monitoring:
    """The endpoint with a trail's log group, and the handler's boto3 pointed there."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.url)
    for overriding in (
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
        "AWS_ENDPOINT_URL_SNS",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ):
        monkeypatch.delenv(overriding, raising=False)
    for name in (
        index.CRITICAL_TOPIC_VARIABLE,
        index.LANGUAGE_VARIABLE,
        index.MAX_EVENTS_VARIABLE,
        index.MARGIN_VARIABLE,
    ):
        monkeypatch.delenv(name, raising=False)
    return Monitoring(aws)


@pytest.fixture
def topic(monitoring: Monitoring, monkeypatch: pytest.MonkeyPatch) -> str:
    """The notifications topic, named in the handler's environment."""
    arn = monitoring.topic("notifications")
    monkeypatch.setenv(index.TOPIC_VARIABLE, arn)
    return arn


def _samples_of(control: ControlDefinition) -> list[dict[str, Any]]:
    samples = load_samples(control.variant_of or control.id)
    return [dict(e.record) for e in (*samples.fires, *samples.ignores)]


def _fire(
    control: ControlDefinition, monitoring: Monitoring, *, texts: tuple[str, ...] | None = None
) -> ControlDefinition:
    """Deploys the control and puts its firing samples and near misses, in the window of an alarm at NOW."""
    deployed = monitoring.deploy(control, texts=texts)
    monitoring.put(_samples_of(control), at=NOW - timedelta(minutes=3))
    return deployed


def _only(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(envelopes) == 1, f"{len(envelopes)} notifications published; one is expected"
    return envelopes[0]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_the_notification_says_who_did_what_where_for_each_firing_sample(
    control: ControlDefinition, monitoring: Monitoring, topic: str
) -> None:
    # GIVEN the control's filters (every auditor's text) on a log group holding its samples
    deployed = _fire(control, monitoring)
    counted, missed = expected_split(deployed)
    # WHEN its alarm enters ALARM and CloudWatch invokes the handler
    result = on_alarm(alarm_event(control.metric_name, NOW), FakeContext())
    # THEN one notification is published, counting exactly the samples the filters count
    envelope = _only(monitoring.published(topic))
    text = envelope["Message"]
    assert result["events"] == len(counted) and result["complete"] is True
    assert f"Matching events: {len(counted)} in all, {len(counted)} shown." in text
    assert envelope["Subject"].startswith(f"ALARM {control.severity.value}: {control.title} ({len(counted)} event")
    # AND each of them appears once, with who, what and where
    for sample in counted:
        event = summarize_event(sample.record, control.id)
        assert text.count(f"Event ID: {event.event_id}") == 1
        assert f"{event.name} ({event.source}) at {event.time}" in text
        assert f"Who: {event.principal}" in text
        assert f"account {event.account}, region {event.region}, source IP {event.source_ip}" in text
        assert all(f"{label}={value}" in text for label, value in event.details)
    # AND no near miss, although moto returned every event for every filter
    assert result["eventsRead"] == len(deployed.deployed_patterns) * len(list(_samples_of(control)))
    assert not [e.record["eventID"] for e in missed if e.record["eventID"] in text]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_the_recheck_keeps_exactly_the_firing_samples_of_the_controls_own_pattern(
    control: ControlDefinition, monitoring: Monitoring, topic: str
) -> None:
    # GIVEN only the control's own pattern deployed (Security Hub's text), over its samples
    _fire(control, monitoring, texts=(control.pattern,))
    samples = load_samples(control.id)
    # WHEN its alarm enters ALARM
    on_alarm(alarm_event(control.metric_name, NOW), FakeContext())
    # THEN the notification holds every firing sample and no near miss
    text = _only(monitoring.published(topic))["Message"]
    assert [e.record["eventID"] for e in samples.fires if e.record["eventID"] not in text] == []
    assert [e.record["eventID"] for e in samples.ignores if e.record["eventID"] in text] == []


def test_moto_returns_near_misses_for_a_json_pattern(monitoring: Monitoring) -> None:
    # GIVEN a log group holding root-account-usage's near misses
    monitoring.put([e.record for e in load_samples(ROOT.id).ignores], at=NOW - timedelta(minutes=3))
    # WHEN moto's FilterLogEvents applies the control's JSON pattern
    events = monitoring.logs.filter_log_events(logGroupName=LOG_GROUP, filterPattern=ROOT.pattern)["events"]
    # THEN it returns them all: only the handler's re-check keeps them out of the notification
    assert len(events) == len(load_samples(ROOT.id).ignores)


def test_a_critical_control_goes_to_the_critical_topic(
    monitoring: Monitoring, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a critical topic besides the notifications topic, and root usage and policy changes firing
    critical = monitoring.topic("critical")
    monkeypatch.setenv(index.CRITICAL_TOPIC_VARIABLE, critical)
    for control in (ROOT, POLICY):
        _fire(control, monitoring, texts=(control.pattern,))
    # WHEN both alarms enter ALARM
    root = on_alarm(alarm_event(ROOT.metric_name, NOW), FakeContext())
    policy = on_alarm(alarm_event(POLICY.metric_name, NOW), FakeContext())
    # THEN the CRITICAL control's notification goes to the critical topic only, the other to notifications
    assert (root["topic"], policy["topic"]) == (critical, topic)
    assert _only(monitoring.published(critical))["Subject"].startswith("ALARM CRITICAL: Root user activity (4 events)")
    assert _only(monitoring.published(topic))["Subject"].startswith("ALARM MEDIUM: IAM policy changes (5 events)")


def test_the_language_of_the_environment_is_used(
    monitoring: Monitoring, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the function configured for Japanese
    monkeypatch.setenv(index.LANGUAGE_VARIABLE, "ja")
    _fire(ROOT, monitoring, texts=(ROOT.pattern,))
    # WHEN root usage alarms (and, outside Lambda, no context bounds the reading)
    on_alarm(alarm_event(ROOT.metric_name, NOW))
    # THEN subject and text are in Japanese
    envelope = _only(monitoring.published(topic))
    assert envelope["Subject"] == "アラーム CRITICAL: ルートユーザの使用 (4件) 操作者 root"
    assert "該当イベント: 全4件、うち4件を表示。" in envelope["Message"]


@pytest.mark.parametrize(("state", "previous"), [("OK", "ALARM"), ("INSUFFICIENT_DATA", "OK")])
def test_a_change_to_another_state_is_ignored(state: str, previous: str, monitoring: Monitoring, topic: str) -> None:
    # GIVEN a firing control WHEN its alarm changes to a state other than ALARM
    _fire(ROOT, monitoring, texts=(ROOT.pattern,))
    result = on_alarm(alarm_event(ROOT.metric_name, NOW, state=state, previous=previous))
    # THEN nothing is published and the result says why
    assert result == {"action": "ignored", "reason": f"{alarm_name(ROOT.metric_name)} changed to {state}, not to ALARM"}
    assert monitoring.published(topic) == []


@pytest.mark.parametrize(
    "event",
    [
        {"Records": [{"eventSource": "aws:sns"}]},
        {"source": "aws.cloudwatch"},
        {"source": "aws.events", "alarmData": {}},
    ],
    ids=["sns-record", "no-alarm-data", "other-source"],
)
def test_an_event_that_is_not_an_alarm_action_is_ignored(
    event: dict[str, Any], monitoring: Monitoring, topic: str
) -> None:
    result = on_alarm(event)
    assert result["action"] == "ignored"
    assert "not a CloudWatch alarm action's event" in result["reason"]
    assert monitoring.published(topic) == []


def test_a_custom_control_gets_a_generic_title_and_its_request_parameters(monitoring: Monitoring, topic: str) -> None:
    # GIVEN a custom control (a metric the catalogue does not know) firing on a DeleteBucket call
    custom = ControlDefinition(
        "bucket-deletion",
        "{ $.eventName = DeleteBucket }",
        "BucketDeletion",
        POLICY.severity,
        en=POLICY.en,
    )
    monitoring.deploy(custom, texts=(custom.pattern,))
    record = dict(load_samples("s3-bucket-policy-changes").fires[0].record, eventName="DeleteBucket")
    monitoring.put([record], at=NOW - timedelta(minutes=2))
    # WHEN its alarm fires
    on_alarm(alarm_event("BucketDeletion", NOW), FakeContext())
    # THEN the notification names the metric, and shows the request's plain parameters
    envelope = _only(monitoring.published(topic))
    assert envelope["Subject"].startswith(f"ALARM: Metric {NAMESPACE}/BucketDeletion (1 event) by ")
    assert "What: bucketName=example-customer-uploads-111122223333" in envelope["Message"]


def test_a_missing_log_group_still_publishes_a_notification_saying_so(monitoring: Monitoring, topic: str) -> None:
    # GIVEN root usage's filter, whose log group is then deleted (moto keeps the filter; FilterLogEvents fails)
    _fire(ROOT, monitoring, texts=(ROOT.pattern,))
    monitoring.logs.delete_log_group(logGroupName=LOG_GROUP)
    # WHEN the alarm fires
    result = on_alarm(alarm_event(ROOT.metric_name, NOW), FakeContext())
    # THEN a notification is still published, saying the events could not be read, with the links
    envelope = _only(monitoring.published(topic))
    assert envelope["Subject"] == "ALARM CRITICAL: Root user activity (events not read)"
    assert (
        "The matching events could not all be read: ResourceNotFoundException from FilterLogEvents"
        in (envelope["Message"])
    )
    assert (
        f"Events: https://{REGION}.console.aws.amazon.com/cloudwatch/home?region={REGION}#logsV2:"
        in (envelope["Message"])
    )
    assert result["readError"].startswith("ResourceNotFoundException from FilterLogEvents")


# Reading with botocore's Stubber: exact pages, tokens and errors.

CHANGED = datetime(2026, 10, 7, 9, 42, 30, tzinfo=UTC)
"""When the stubbed alarms change state; their one evaluated period is 09:37-09:42."""
MARGIN = 300
WINDOW = {
    "startTime": int((datetime(2026, 10, 7, 9, 37, tzinfo=UTC) - timedelta(seconds=MARGIN)).timestamp() * 1000),
    "endTime": int((CHANGED + timedelta(seconds=MARGIN)).timestamp() * 1000),
}
"""FilterLogEvents' time range for them: the evaluated period and the change, widened by the margin."""
SETTINGS = Settings(topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:notifications", margin_seconds=MARGIN)
ROOT_FIRES = [dict(e.record) for e in load_samples(ROOT.id).fires]
ROOT_MISSES = [dict(e.record) for e in load_samples(ROOT.id).ignores]
CIS_ROOT = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
"""Another text publishing root usage's metric (CIS's spacing)."""


def _describe(stubber: Any, patterns: list[str], *, token: str = "", more: str = "") -> None:
    """One DescribeMetricFilters page of root usage's metric (``token`` sent, ``more``: next token)."""
    params = {"metricName": ROOT.metric_name, "metricNamespace": NAMESPACE, **({"nextToken": token} if token else {})}
    answer = {"metricFilters": metric_filters(patterns, ROOT.metric_name), **({"nextToken": more} if more else {})}
    stubber.add_response("describe_metric_filters", answer, params)


def _page(stubber: Any, pattern: str, records: list[Any], *, limit: int = 50, token: str = "", more: str = "") -> None:
    """One FilterLogEvents page: the request it expects (``token`` sent) and its answer (``more``: next token)."""
    params: dict[str, Any] = {"logGroupName": LOG_GROUP, "filterPattern": pattern, **WINDOW, "limit": limit}
    if token:
        params["nextToken"] = token
    events = [log_event(r, event_id=str(n)) for n, r in enumerate(records)]
    stubber.add_response("filter_log_events", {"events": events, **({"nextToken": more} if more else {})}, params)


def _read(logs: Any, settings: Settings = SETTINGS, time_left: int = 120_000) -> index.Reading:
    alarm = AlarmChange.from_event(alarm_event(ROOT.metric_name, CHANGED))
    return index.read_matching_events(logs, alarm, settings, lambda: time_left)


def test_every_page_of_filters_and_events_is_read_and_rechecked() -> None:
    # GIVEN two filters on two pages of DescribeMetricFilters, the first with three pages of events
    # (one empty but with a token, as FilterLogEvents may answer), the second with a duplicate and a near miss
    logs, stubber = stubbed("logs")
    _describe(stubber, [ROOT.pattern], more="filters-2")
    _describe(stubber, [CIS_ROOT], token="filters-2")
    _page(stubber, ROOT.pattern, ROOT_FIRES[:2], more="t1")
    _page(stubber, ROOT.pattern, [], limit=48, token="t1", more="t2")
    _page(stubber, ROOT.pattern, ROOT_FIRES[2:3], limit=48, token="t2")
    _page(stubber, CIS_ROOT, [ROOT_FIRES[0], ROOT_MISSES[0]], limit=47)
    # WHEN the events are read
    reading = _read(logs)
    # THEN every page was requested, and each matching record kept once
    stubber.assert_no_pending_responses()
    assert list(reading.records) == [r["eventID"] for r in ROOT_FIRES[:3]]
    assert (reading.read, reading.complete, reading.error) == (5, True, "")
    assert reading.filters == {LOG_GROUP: (ROOT.pattern, CIS_ROOT)}


def test_reading_stops_at_the_cap_of_events_read() -> None:
    # GIVEN a cap of 3 and more events than that: each page asks for no more than the cap leaves
    logs, stubber = stubbed("logs")
    _describe(stubber, [ROOT.pattern])
    _page(stubber, ROOT.pattern, ROOT_FIRES[:2], limit=3, more="t1")
    _page(stubber, ROOT.pattern, [ROOT_MISSES[0]], limit=1, token="t1", more="t2")
    # WHEN read
    reading = _read(logs, Settings(SETTINGS.topic_arn, max_events=3, margin_seconds=MARGIN))
    # THEN reading stops once 3 events were read (the token "t2" is not followed), saying it is incomplete
    stubber.assert_no_pending_responses()
    assert (len(reading.records), reading.read, reading.complete, reading.error) == (2, 3, False, "")


def test_reading_stops_when_the_function_is_about_to_time_out() -> None:
    # GIVEN less time left than the reserve for publishing
    logs, stubber = stubbed("logs")
    _describe(stubber, [ROOT.pattern])
    # WHEN read THEN no event is requested, and the reading is incomplete
    reading = _read(logs, time_left=index.READ_RESERVE_MS - 1)
    stubber.assert_no_pending_responses()
    assert (reading.read, reading.complete) == (0, False)


def test_the_same_record_from_two_log_groups_is_kept_once() -> None:
    # GIVEN one metric published from two log groups (two trails) both holding the same record
    logs, stubber = stubbed("logs")
    other = metric_filters([ROOT.pattern], ROOT.metric_name, log_group="OtherTrail")
    answer = {"metricFilters": [*metric_filters([ROOT.pattern], ROOT.metric_name), *other]}
    stubber.add_response(
        "describe_metric_filters", answer, {"metricName": ROOT.metric_name, "metricNamespace": NAMESPACE}
    )
    _page(stubber, ROOT.pattern, ROOT_FIRES[:1])
    stubber.add_response(
        "filter_log_events",
        {"events": [log_event(ROOT_FIRES[0], stream="other")]},
        {"logGroupName": "OtherTrail", "filterPattern": ROOT.pattern, **WINDOW, "limit": 49},
    )
    # WHEN read THEN it is one record, and both log groups are known (one link each)
    reading = _read(logs)
    assert list(reading.records) == [ROOT_FIRES[0]["eventID"]]
    assert list(reading.filters) == [LOG_GROUP, "OtherTrail"]


def test_a_pattern_the_engine_cannot_parse_is_trusted_and_linked_by_its_log_group() -> None:
    # GIVEN a deployed filter whose pattern trailwatch's engine does not parse (an unclosed JSON pattern)
    broken = '{ $.userIdentity.type = "Root" '
    logs, stubber = stubbed("logs")
    _describe(stubber, [broken])
    _page(stubber, broken, [ROOT_FIRES[0], ROOT_MISSES[0]])
    # WHEN read THEN its events are kept as CloudWatch Logs gave them (they cannot be re-checked)
    reading = _read(logs)
    assert list(reading.records) == [ROOT_FIRES[0]["eventID"], ROOT_MISSES[0]["eventID"]]
    # AND its link opens the log group, since no query can be translated from it
    context = index.AlarmContext(ACCOUNT, REGION, LOG_GROUP, window_seconds=600)
    assert index.events_link(ROOT, ROOT.metric_name, (broken,), context) == index.log_group_console_url(context)


def test_over_an_organization_trail_the_events_link_shows_the_member_account_first() -> None:
    # GIVEN the same control linked for a single account's trail and for an organization trail
    single = index.AlarmContext(ACCOUNT, REGION, LOG_GROUP, window_seconds=600)
    organization = index.AlarmContext(ACCOUNT, REGION, LOG_GROUP, window_seconds=600, organization_trail=True)
    # WHEN linked THEN the organization's query starts with recipientAccountId, as the alarm description's does
    linked = index.events_link(ROOT, ROOT.metric_name, (ROOT.pattern,), organization)
    assert linked == index.insights_console_url(index.link_query(ROOT, organization_trail=True), organization)
    assert "recipientAccountId" in linked
    assert "recipientAccountId" not in index.events_link(ROOT, ROOT.metric_name, (ROOT.pattern,), single)


def test_the_organization_setting_reaches_the_links() -> None:
    # GIVEN the function's settings over an organization trail WHEN an alarm is enriched THEN its link says so
    settings = Settings("t", organization_trail=True)
    reading = index.Reading(filters={LOG_GROUP: (ROOT.pattern,)})
    enriched = index.enrich(AlarmChange.from_event(alarm_event(ROOT.metric_name, CHANGED)), reading, settings)
    assert all("recipientAccountId" in link for link in enriched.events_links) and enriched.events_links


def _handle(logs: Any, sns: Any, settings: Settings = SETTINGS) -> dict[str, Any]:
    return handle_alarm(alarm_event(ROOT.metric_name, CHANGED), settings, logs, sns, lambda: 120_000)


def test_access_denied_on_the_events_still_publishes_a_notification_with_the_links(monitoring: Monitoring) -> None:
    # GIVEN FilterLogEvents denied (Stubber: moto's server enforces no IAM policy), and SNS on the endpoint
    topic = monitoring.topic("notifications")
    logs, stubber = stubbed("logs")
    _describe(stubber, [ROOT.pattern])
    denied = (
        "User: arn:aws:sts::123456789012:assumed-role/enricher/fn is not authorized to perform: logs:FilterLogEvents"
    )
    stubber.add_client_error("filter_log_events", "AccessDeniedException", denied, 400)
    # WHEN the alarm is handled
    result = _handle(logs, monitoring.sns, Settings(topic, margin_seconds=MARGIN))
    # THEN the notification is published all the same: what failed, the events link and the alarm link
    envelope = _only(monitoring.published(topic))
    text = envelope["Message"]
    assert envelope["Subject"] == "ALARM CRITICAL: Root user activity (events not read)"
    assert f"The matching events could not all be read: AccessDeniedException from FilterLogEvents: {denied}." in text
    assert "Events: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:" in text
    alarm = quote(alarm_name(ROOT.metric_name), safe="")
    assert (
        f"Alarm: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/{alarm}"
        in text
    )
    assert result["readError"].startswith("AccessDeniedException from FilterLogEvents")


def test_throttling_after_a_page_publishes_what_was_read(monitoring: Monitoring) -> None:
    # GIVEN a first page of events, then ThrottlingException (after botocore's own retries)
    topic = monitoring.topic("notifications")
    logs, stubber = stubbed("logs")
    _describe(stubber, [ROOT.pattern])
    _page(stubber, ROOT.pattern, ROOT_FIRES[:1], more="t1")
    stubber.add_client_error("filter_log_events", "ThrottlingException", "Rate exceeded", 400)
    # WHEN handled THEN the event read is shown, counted as "at least", with the error
    _handle(logs, monitoring.sns, Settings(topic, margin_seconds=MARGIN))
    envelope = _only(monitoring.published(topic))
    assert envelope["Subject"] == "ALARM CRITICAL: Root user activity (1+ events) by root"
    assert "Matching events: at least 1 (reading stopped before the end), 1 shown." in envelope["Message"]
    assert "ThrottlingException from FilterLogEvents: Rate exceeded" in envelope["Message"]


def test_denied_filters_publish_a_notification_with_the_alarm_link(monitoring: Monitoring) -> None:
    # GIVEN DescribeMetricFilters denied: the log group is unknown, so there is no events link
    topic = monitoring.topic("notifications")
    logs, stubber = stubbed("logs")
    stubber.add_client_error("describe_metric_filters", "AccessDeniedException", "not authorized", 400)
    # WHEN handled THEN the notification says so and links the alarm
    _handle(logs, monitoring.sns, Settings(topic, margin_seconds=MARGIN))
    text = _only(monitoring.published(topic))["Message"]
    assert "could not all be read: AccessDeniedException from DescribeMetricFilters: not authorized." in text
    assert "Events: https://" not in text
    assert "Alarm: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/" in text


def _logs_with_one_root_event() -> Any:
    """A stubbed CloudWatch Logs client whose only filter returns one root-usage event."""
    logs, logs_stubber = stubbed("logs")
    _describe(logs_stubber, [ROOT.pattern])
    _page(logs_stubber, ROOT.pattern, ROOT_FIRES[:1])
    return logs


def test_a_refused_publish_propagates_for_the_on_failure_destination() -> None:
    # GIVEN events that read fine, and SNS refusing the message (its topic key denied to the function)
    logs = _logs_with_one_root_event()
    sns, sns_stubber = stubbed("sns")
    sns_stubber.add_client_error("publish", "KMSAccessDenied", "The ciphertext refers to a key you cannot use", 400)
    # WHEN handled THEN the error propagates
    with pytest.raises(ClientError, match="KMSAccessDenied"):
        _handle(logs, sns)


def test_a_refused_subject_is_sent_again_in_ascii() -> None:
    # GIVEN a Japanese notification, and an SNS that refuses its subject once
    logs = _logs_with_one_root_event()
    sns, sns_stubber = stubbed("sns")
    request = {"TopicArn": SETTINGS.topic_arn, "Message": ANY, "MessageStructure": "json"}
    japanese = "アラーム CRITICAL: ルートユーザの使用 (1件) 操作者 root"
    sns_stubber.add_client_error(
        "publish",
        "InvalidParameter",
        "Invalid parameter: Subject",
        400,
        expected_params={**request, "Subject": japanese},
    )
    english = "ALARM CRITICAL: Root user activity (1 event) by root"
    sns_stubber.add_response("publish", {"MessageId": "m-1"}, {**request, "Subject": english})
    # WHEN handled
    result = _handle(logs, sns, Settings(SETTINGS.topic_arn, language=Language.JA, margin_seconds=MARGIN))
    # THEN it is published once more, with the English subject in ASCII
    sns_stubber.assert_no_pending_responses()
    assert result["messageId"] == "m-1"


def test_another_refusal_is_not_retried() -> None:
    # GIVEN SNS refusing the message for a reason other than its subject
    logs = _logs_with_one_root_event()
    sns, sns_stubber = stubbed("sns")
    sns_stubber.add_client_error("publish", "InvalidParameter", "Invalid parameter: Message too long", 400)
    # WHEN handled THEN it propagates after one try
    with pytest.raises(ClientError, match="Message too long"):
        _handle(logs, sns, Settings(SETTINGS.topic_arn, language=Language.JA, margin_seconds=MARGIN))
    sns_stubber.assert_no_pending_responses()


# The event and the environment.

DOCUMENTED_EVENT = {
    "source": "aws.cloudwatch",
    "alarmArn": "arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm",
    "accountId": "444455556666",
    "time": "2023-08-04T12:36:15.490+0000",
    "region": "us-east-1",
    "alarmData": {
        "alarmName": "lambda-demo-metric-alarm",
        "state": {"value": "ALARM", "reason": "test", "timestamp": "2023-08-04T12:36:15.490+0000"},
        "previousState": {
            "value": "INSUFFICIENT_DATA",
            "reason": "Insufficient Data: 5 datapoints were unknown.",
            "reasonData": '{"version":"1.0","queryDate":"2023-08-04T12:31:29.591+0000","statistic":"Average",'
            '"period":60,"recentDatapoints":[],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":'
            '"2023-08-04T12:30:00.000+0000"}]}',
            "timestamp": "2023-08-04T12:31:29.595+0000",
        },
        "configuration": {
            "description": "Metric Alarm to test Lambda actions",
            "metrics": [
                {
                    "id": "1234e046-06f0-a3da-9534-EXAMPLEe4c",
                    "metricStat": {
                        "metric": {
                            "namespace": "AWS/Logs",
                            "name": "CallCount",
                            "dimensions": {"InstanceId": "i-12345678"},
                        },
                        "period": 60,
                        "stat": "Average",
                        "unit": "Percent",
                    },
                    "returnData": True,
                }
            ],
        },
    },
}
"""The example event of "Invoke a Lambda function from an alarm" (CloudWatch User Guide), as published."""


def test_the_documented_event_is_read() -> None:
    # GIVEN the example of the CloudWatch User Guide (a state set by hand: no reason data)
    alarm = AlarmChange.from_event(DOCUMENTED_EVENT)
    # THEN its alarm, metric and change are read, and the window is the one period before the change
    changed = datetime(2023, 8, 4, 12, 36, 15, 490_000, tzinfo=UTC)
    assert (alarm.name, alarm.account, alarm.region, alarm.partition) == (
        "lambda-demo-metric-alarm",
        "444455556666",
        "us-east-1",
        "aws",
    )
    assert (alarm.namespace, alarm.metric_name, alarm.entered_alarm) == ("AWS/Logs", "CallCount", True)
    assert (alarm.window_start, alarm.window_end) == (changed - timedelta(seconds=60), changed)


def test_the_window_spans_every_evaluated_period() -> None:
    # GIVEN an alarm over 3 periods of 5 minutes, changing at 09:42:30
    alarm = AlarmChange.from_event(alarm_event(ROOT.metric_name, CHANGED, periods=3))
    # THEN the window starts with the first evaluated period and ends at the change
    assert (alarm.window_start, alarm.window_end) == (datetime(2026, 10, 7, 9, 27, tzinfo=UTC), CHANGED)


def test_an_alarm_in_china_links_the_china_console() -> None:
    event = alarm_event(ROOT.metric_name, CHANGED)
    event["alarmArn"] = event["alarmArn"].replace("arn:aws:", "arn:aws-cn:")
    event["region"] = "cn-north-1"
    assert index.alarm_console_url(AlarmChange.from_event(event)).startswith(
        "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/TrailwatchStack-"
    )


def test_the_settings_come_from_the_environment() -> None:
    settings = Settings.from_environ(
        {
            index.TOPIC_VARIABLE: "arn:aws:sns:eu-west-1:111122223333:n",
            index.CRITICAL_TOPIC_VARIABLE: "arn:aws:sns:eu-west-1:111122223333:c",
            index.LANGUAGE_VARIABLE: "ja",
            index.MAX_EVENTS_VARIABLE: "20",
            index.MARGIN_VARIABLE: "0",
            index.ORGANIZATION_VARIABLE: "true",
        }
    )
    assert settings == Settings(
        "arn:aws:sns:eu-west-1:111122223333:n", "arn:aws:sns:eu-west-1:111122223333:c", Language.JA, 20, 0, True
    )
    assert (settings.topic_for(ROOT), settings.topic_for(POLICY), settings.topic_for(None)) == (
        settings.critical_topic_arn,
        settings.topic_arn,
        settings.topic_arn,
    )


def test_invalid_optional_settings_fall_back_to_their_defaults() -> None:
    # GIVEN values the construct would never set WHEN read THEN each falls back: an alarm is never lost to them
    settings = Settings.from_environ(
        {
            index.TOPIC_VARIABLE: "t",
            index.LANGUAGE_VARIABLE: "fr",
            index.MAX_EVENTS_VARIABLE: "0",
            index.MARGIN_VARIABLE: "-5",
        }
    )
    assert settings == Settings("t")
    assert settings.topic_for(ROOT) == "t"


def test_a_missing_topic_fails_naming_the_variable() -> None:
    with pytest.raises(EnricherConfigurationError, match=index.TOPIC_VARIABLE):
        Settings.from_environ({index.LANGUAGE_VARIABLE: "en"})


# The function's asset.

ASSET_LEAVES_OUT = ("constructs", "cli", "aws", "functions/log_group_lookup", "testing.py")
"""What the construct leaves out of the package in the function's asset."""
IMPORT_PROBE = """
import json, sys
from trailwatch_constructs.functions.alert_enricher import index
import trailwatch_constructs
forbidden = {"aws_cdk", "jsii", "constructs", "click", "rich", "orjson"}
top = sorted({name.split(".")[0] for name in sys.modules} & forbidden)
ours = sorted(n for n in sys.modules if n.split(".")[1:2] in (["constructs"], ["cli"], ["aws"], ["testing"]))
probe = {"package": trailwatch_constructs.__file__, "loaded": top, "ours": ours, "handler": callable(index.on_alarm)}
print(json.dumps(probe))
"""


def test_the_handler_imports_from_its_asset_without_the_cdk(tmp_path: Path) -> None:
    # GIVEN the package as the function's asset holds it
    package = Path(index.__file__).parents[2]
    asset = tmp_path / "asset"
    shutil.copytree(package, asset / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    for left_out in (asset / package.name / name for name in ASSET_LEAVES_OUT):
        if left_out.is_dir():
            shutil.rmtree(left_out)
        else:
            left_out.unlink()
    # WHEN a fresh interpreter imports the handler from it
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(asset)}
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], cwd=tmp_path, env=environment, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout)
    # THEN it came from the asset, and loaded neither the CDK, jsii, the CLI's libraries nor the parts left out
    assert probe["package"].startswith(str(asset))
    assert (probe["loaded"], probe["ours"], probe["handler"]) == ([], [], True)
