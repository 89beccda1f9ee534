"""Every catalogue control in the sample stack: its metric filter, its alarm and the alarm's action."""

from __future__ import annotations

from typing import Any

import pytest

import app as sample_app
from tests.constructs.helpers import rendered_text, resources_of
from tests.sample_app.helpers import SampleApp, alarm_topic_id, trail_log_group_id
from trailwatch_constructs.catalog import ControlDefinition, catalog_controls
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.constructs.detective_control import DEFAULT_METRIC_NAMESPACE
from trailwatch_constructs.core.limits import MAX_METRIC_FILTERS_PER_LOG_GROUP

CONTROLS = catalog_controls(privileged_groups=[sample_app.DEFAULT_PRIVILEGED_GROUP])


def _filters_for(sample: SampleApp, control: ControlDefinition) -> list[dict[str, Any]]:
    return [
        r
        for r in resources_of(sample.main, "AWS::Logs::MetricFilter").values()
        if r["Properties"]["MetricTransformations"][0]["MetricName"] == control.metric_name
    ]


def _filter_for(sample: SampleApp, control: ControlDefinition) -> dict[str, Any]:
    """The filter with the control's own pattern (the sample app deploys it for Security Hub)."""
    (own,) = [f for f in _filters_for(sample, control) if f["Properties"]["FilterPattern"] == control.pattern]
    return own


def _alarm_for(sample: SampleApp, control: ControlDefinition) -> dict[str, Any]:
    alarms = [
        r
        for r in resources_of(sample.main, "AWS::CloudWatch::Alarm").values()
        if r["Properties"]["MetricName"] == control.metric_name
    ]
    assert len(alarms) == 1, f"expected one alarm on {control.metric_name}"
    return alarms[0]


def test_sample_stack_deploys_all_seventeen_controls(sample: SampleApp) -> None:
    # GIVEN the sample stack (one privileged group given) THEN every catalogue control is deployed once,
    # with one alarm each and one metric filter per text the auditors need (docs/compliance.md)
    assert list(sample.main_stack.monitoring.controls) == [c.id for c in CONTROLS]
    assert len(CONTROLS) == 17
    filters = sum(len(deployed_texts(c)) for c in CONTROLS)
    assert 17 < filters <= MAX_METRIC_FILTERS_PER_LOG_GROUP
    sample.main.resource_count_is("AWS::Logs::MetricFilter", filters)
    sample.main.resource_count_is("AWS::CloudWatch::Alarm", 17)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_every_filter_of_a_control_deploys_one_of_its_auditor_texts_on_its_metric(
    sample: SampleApp, control: ControlDefinition
) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN its filters carry exactly the texts the auditors need,
    # each once, all publishing to the control's metric on the trail's log group
    filters = _filters_for(sample, control)
    assert sorted(f["Properties"]["FilterPattern"] for f in filters) == sorted(deployed_texts(control))
    assert {f["Properties"]["MetricTransformations"][0]["MetricNamespace"] for f in filters} == {
        DEFAULT_METRIC_NAMESPACE
    }
    assert all(f["Properties"]["LogGroupName"] == {"Ref": trail_log_group_id(sample)} for f in filters)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_metric_filter_deploys_the_definition_pattern(sample: SampleApp, control: ControlDefinition) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN its filter has the definition's exact text,
    # reads the trail's log group and publishes 1 per match to the default namespace
    props = _filter_for(sample, control)["Properties"]
    assert props["FilterPattern"] == control.pattern
    assert props["MetricTransformations"] == [
        {"MetricName": control.metric_name, "MetricNamespace": DEFAULT_METRIC_NAMESPACE, "MetricValue": "1"}
    ]
    assert props["LogGroupName"] == {"Ref": trail_log_group_id(sample)}


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_alarm_fires_on_first_match_and_notifies_the_topic(sample: SampleApp, control: ControlDefinition) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN its alarm is Sum over 5 minutes >= 1 in one
    # period, treats missing data as not breaching, is enabled and notifies the alarm topic first (the
    # enrichment function is its second action: tests/sample_app/test_enrichment.py)
    props = _alarm_for(sample, control)["Properties"]
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
    assert props["AlarmActions"][0] == {"Ref": alarm_topic_id(sample)}
    assert props["AlarmName"] == f"{sample.main_stack.stack_name}-{control.id}"


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_alarm_description_says_what_where_and_links_the_events(sample: SampleApp, control: ControlDefinition) -> None:
    # GIVEN a catalogue control WHEN synthesized THEN the alarm description starts with its title
    text = rendered_text(_alarm_for(sample, control)["Properties"]["AlarmDescription"])
    assert text.startswith(f"{control.title}: ")
    # AND it carries the first check (except where the link to all 21 Organizations event names of
    # prowler's text leaves no room within the 1,024 characters: the description drops it before the link),
    # where the alarm lives and the link to the matching events
    assert ("\nFirst check: " in text) is (control.id != "organizations-changes")
    assert "\nAccount 111122223333, region eu-west-1, control " + control.id in text
    assert (
        "\nEvents: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights"
        in text
    )
