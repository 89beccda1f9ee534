"""Security Hub CloudWatch.1-14: the sample stacks deploy AWS's prescribed texts, byte for byte."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from tests.constructs.helpers import resources_of
from tests.sample_app.helpers import SampleApp
from tests.security_hub_texts import DOCUMENTED_PATTERNS, SECURITY_HUB_DOC


@pytest.mark.parametrize("security_hub_control", list(DOCUMENTED_PATTERNS), ids=lambda c: f"{SECURITY_HUB_DOC}#{c}")
def test_synthesized_metric_filter_has_security_hub_text(sample: SampleApp, security_hub_control: str) -> None:
    # GIVEN the synthesized sample stack WHEN looking for the item's filter
    # THEN exactly one metric filter carries the documented text and publishes a value of 1
    filters = resources_of(sample.main, "AWS::Logs::MetricFilter")
    with_text = [
        r for r in filters.values() if r["Properties"]["FilterPattern"] == DOCUMENTED_PATTERNS[security_hub_control]
    ]
    assert len(with_text) == 1
    transformation = with_text[0]["Properties"]["MetricTransformations"][0]
    assert transformation["MetricValue"] == "1"


@pytest.mark.parametrize("security_hub_control", list(DOCUMENTED_PATTERNS), ids=lambda c: f"{SECURITY_HUB_DOC}#{c}")
def test_existing_log_group_stack_has_security_hub_text(sample: SampleApp, security_hub_control: str) -> None:
    # GIVEN the stack over an existing log group THEN it deploys the same documented text
    sample.existing.has_resource_properties(
        "AWS::Logs::MetricFilter",
        Match.object_like({"FilterPattern": DOCUMENTED_PATTERNS[security_hub_control]}),
    )
