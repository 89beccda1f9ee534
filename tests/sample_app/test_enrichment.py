"""The sample app's enriched notifications: the enricher wired to all seventeen alarms.

Each alarm keeps its SNS action on the alarm topic (Security Hub's CloudWatch.1-14 read it; the auditor
checks in test_static_analysis.py still pass) and invokes the enrichment function second.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.constructs.helpers import ACCOUNT, resources_of
from tests.sample_app.helpers import SampleApp, alarm_topic_id, logical_id, trail_log_group_id
from trailwatch_constructs.constructs.alert_enricher import AlertEnricher

ALARMS = 17


def _enricher(sample: SampleApp) -> AlertEnricher:
    enricher = sample.main_stack.monitoring.enricher
    assert enricher is not None, "the sample app's main stack has enrich= on"
    return enricher


def _alarms(sample: SampleApp) -> dict[str, dict[str, Any]]:
    alarms = resources_of(sample.main, "AWS::CloudWatch::Alarm")
    assert len(alarms) == ALARMS
    return alarms


@pytest.fixture(scope="module")
def function_arn(sample: SampleApp) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id(_enricher(sample).function), "Arn"]}


def test_each_of_the_seventeen_alarms_notifies_the_topic_then_invokes_the_enricher(
    sample: SampleApp, function_arn: dict[str, Any]
) -> None:
    # GIVEN the sample's main stack THEN every alarm has exactly two actions: the alarm topic, then the function
    actions = {a["Properties"]["AlarmName"]: a["Properties"]["AlarmActions"] for a in _alarms(sample).values()}
    expected = [{"Ref": alarm_topic_id(sample)}, function_arn]
    assert actions == {
        f"TrailwatchStack-{control_id}": expected for control_id in sample.main_stack.monitoring.controls
    }


def test_each_alarm_and_only_it_may_invoke_the_function(sample: SampleApp, function_arn: dict[str, Any]) -> None:
    # GIVEN the function's permissions THEN one per alarm, for CloudWatch's alarm principal, conditioned on that
    # alarm's ARN and this account
    permissions = resources_of(sample.main, "AWS::Lambda::Permission").values()
    assert sorted(p["Properties"]["SourceArn"]["Fn::GetAtt"][0] for p in permissions) == sorted(_alarms(sample))
    assert all(
        {k: v for k, v in p["Properties"].items() if k != "SourceArn"}
        == {
            "Action": "lambda:InvokeFunction",
            "FunctionName": function_arn,
            "Principal": "lambda.alarms.cloudwatch.amazonaws.com",
            "SourceAccount": ACCOUNT,
        }
        for p in permissions
    )


def test_the_function_reads_the_trails_log_group_and_routes_critical_controls(sample: SampleApp) -> None:
    # GIVEN the sample's enricher THEN it reads the trail's log group, publishes to both topics, and the
    # critical topic exists for root-account-usage's notifications
    enricher = _enricher(sample)
    assert enricher.critical_topic is not None
    function = resources_of(sample.main, "AWS::Lambda::Function")[logical_id(enricher.function)]
    assert function["Properties"]["Environment"]["Variables"] == {
        "TRAILWATCH_NOTIFICATIONS_TOPIC_ARN": {"Ref": logical_id(enricher.topic)},
        "TRAILWATCH_CRITICAL_TOPIC_ARN": {"Ref": logical_id(enricher.critical_topic)},
        "TRAILWATCH_LANGUAGE": "en",
        "TRAILWATCH_MAX_EVENTS": "50",
        "TRAILWATCH_MARGIN_SECONDS": "300",
    }
    (policy,) = [
        p
        for p in resources_of(sample.main, "AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": logical_id(enricher.role)}]
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {
        "Action": "logs:FilterLogEvents",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [trail_log_group_id(sample), "Arn"]},
    } in statements


def test_the_alarm_address_gets_the_enriched_and_the_critical_notifications(sample: SampleApp) -> None:
    enricher = _enricher(sample)
    assert enricher.critical_topic is not None
    subscribed = {
        s["Properties"]["TopicArn"]["Ref"]
        for s in resources_of(sample.main, "AWS::SNS::Subscription").values()
        if s["Properties"]["Endpoint"] == "security-alerts@example.com"
    }
    assert {logical_id(enricher.topic), logical_id(enricher.critical_topic)} <= subscribed


def test_only_the_main_stack_is_enriched(sample: SampleApp) -> None:
    # GIVEN the stack over an existing log group THEN it keeps its one action per alarm, as before
    assert sample.existing_stack.monitoring.enricher is None
    sample.existing.resource_count_is("AWS::Lambda::Function", 0)
    assert all(
        len(a["Properties"]["AlarmActions"]) == 1
        for a in resources_of(sample.existing, "AWS::CloudWatch::Alarm").values()
    )
