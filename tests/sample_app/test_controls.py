"""Every catalogue control in the sample stack: its metric filter, its alarm and the alarm's action."""

from __future__ import annotations

from typing import Any

import pytest

import app as sample_app
from tests.constructs.helpers import rendered_text, resources_of
from tests.sample_app.helpers import SampleApp
from trailwatch_constructs.catalog import ControlDefinition, catalog_controls
from trailwatch_constructs.constructs.detective_control import DEFAULT_METRIC_NAMESPACE

CONTROLS = catalog_controls(privileged_groups=[sample_app.DEFAULT_PRIVILEGED_GROUP])


def _filter_for(sample: SampleApp, control: ControlDefinition) -> dict[str, Any]:
    filters = [
        r
        for r in resources_of(sample.main, "AWS::Logs::MetricFilter").values()
        if r["Properties"]["MetricTransformations"][0]["MetricName"] == control.metric_name
    ]
    assert len(filters) == 1, f"expected one metric filter publishing {control.metric_name}"
    return filters[0]


def _alarm_for(sample: SampleApp, control: ControlDefinition) -> dict[str, Any]:
    alarms = [
        r
        for r in resources_of(sample.main, "AWS::CloudWatch::Alarm").values()
        if r["Properties"]["MetricName"] == control.metric_name
    ]
    assert len(alarms) == 1, f"expected one alarm on {control.metric_name}"
    return alarms[0]


def test_sample_stack_deploys_all_seventeen_controls(sample: SampleApp) -> None:
    # GIVEN the sample stack (one privileged group given) THEN every catalogue control is deployed once
    assert list(sample.main_stack.monitoring.controls) == [c.id for c in CONTROLS]
    assert len(CONTROLS) == 17
    sample.main.resource_count_is("AWS::Logs::MetricFilter", 17)
    sample.main.resource_count_is("AWS::CloudWatch::Alarm", 17)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_metric_filter_deploys_the_definition_pattern(sample: SampleApp, control: ControlDefinition) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN its filter has the definition's exact text,
    # reads the trail's log group and publishes 1 per match to the default namespace
    props = _filter_for(sample, control)["Properties"]
    assert props["FilterPattern"] == control.pattern
    assert props["MetricTransformations"] == [
        {"MetricName": control.metric_name, "MetricNamespace": DEFAULT_METRIC_NAMESPACE, "MetricValue": "1"}
    ]
    (log_group_id,) = resources_of(sample.main, "AWS::Logs::LogGroup")
    assert props["LogGroupName"] == {"Ref": log_group_id}


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_alarm_fires_on_first_match_and_notifies_the_topic(sample: SampleApp, control: ControlDefinition) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN its alarm is Sum over 5 minutes >= 1 in one
    # period, treats missing data as not breaching, is enabled and notifies the alarm topic
    props = _alarm_for(sample, control)["Properties"]
    topic_ids = list(resources_of(sample.main, "AWS::SNS::Topic"))
    assert len(topic_ids) == 1
    # Security Hub finds the alarm by its top-level MetricName: a metric-math "Metrics" array fails the check.
    assert "Metrics" not in props
    assert props["Namespace"] == DEFAULT_METRIC_NAMESPACE
    assert props["Statistic"] == "Sum"
    assert props["Period"] == 300
    assert props["Threshold"] == 1
    assert props["EvaluationPeriods"] == 1
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "notBreaching"
    assert props["ActionsEnabled"] is True
    assert props["AlarmActions"] == [{"Ref": topic_ids[0]}]
    assert props["AlarmName"] == f"{sample.main_stack.stack_name}-{control.id}"


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_alarm_description_says_what_where_and_links_the_events(sample: SampleApp, control: ControlDefinition) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN the alarm description starts with its title
    text = rendered_text(_alarm_for(sample, control)["Properties"]["AlarmDescription"])
    assert text.startswith(f"{control.title}: ")
    # AND it carries the first check, where the alarm lives and the link to the matching events
    assert "\nFirst check: " in text
    assert "\nAccount 111122223333, region eu-west-1, control " + control.id in text
    assert (
        "\nEvents: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights"
        in text
    )
