"""Alarm descriptions in the stack: the partition's console in every link, and a safe margin under
CloudWatch's 1,024 characters whatever the deploy-time names turn out to be."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tests.constructs.helpers import existing_log_group, new_app, resources_of
from trailwatch_constructs import CloudTrailSecurityMonitoring, TrailOptions
from trailwatch_constructs.texts.alarm_description import DESCRIPTION_BUDGET

# The longest deployed value of each pseudo parameter a description embeds.
_PSEUDO_LENGTHS = {"AWS::AccountId": 12, "AWS::Region": 14}
_LONGEST_CONSOLE_HOST = len("console.amazonaws-us-gov.com")


def _descriptions(stack: cdk.Stack) -> list[Any]:
    return [
        a["Properties"]["AlarmDescription"]
        for a in resources_of(Template.from_stack(stack), "AWS::CloudWatch::Alarm").values()
    ]


def _deployed_length(value: Any, template: dict[str, Any], stack_name: str) -> int:
    """The description's length once deployed, each reference at the longest value it can take."""
    if isinstance(value, str):
        return len(value)
    if "Fn::Join" in value:
        return sum(_deployed_length(part, template, stack_name) for part in value["Fn::Join"][1])
    if "Fn::FindInMap" in value:
        return _LONGEST_CONSOLE_HOST
    ref = value["Ref"]
    if ref in _PSEUDO_LENGTHS:
        return _PSEUDO_LENGTHS[ref]
    log_group = template["Resources"][ref]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    name = log_group["Properties"].get("LogGroupName")
    # CloudFormation's generated name: "<stack name>-<logical id>-<13-character suffix>".
    return len(name) if isinstance(name, str) else len(stack_name) + len(ref) + 2 + 13


def _stack(region: str | None, stack_id: str = "Links") -> cdk.Stack:
    env = cdk.Environment(account="111122223333", region=region) if region else None
    return cdk.Stack(new_app(), stack_id, env=env)


@pytest.mark.parametrize(
    ("region", "console"),
    [
        ("cn-north-1", "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#logsV2:"),
        ("us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#logsV2:"),
        ("eu-west-1", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:"),
    ],
)
def test_links_open_the_console_of_the_stacks_partition(region: str, console: str) -> None:
    # GIVEN a stack in a China, GovCloud or commercial Region WHEN synthesized
    # THEN every link opens that partition's console
    stack = _stack(region)
    CloudTrailSecurityMonitoring(
        stack, "M", log_group=existing_log_group(stack), exclude=["privileged-group-membership-changes"]
    )
    texts = [
        d if isinstance(d, str) else "".join(p for p in d["Fn::Join"][1] if isinstance(p, str))
        for d in _descriptions(stack)
    ]
    assert len(texts) == 16
    assert all(console in text for text in texts)


def test_an_environment_agnostic_stack_looks_the_console_up_by_partition() -> None:
    # GIVEN no Region at synth time THEN the console host is a FindInMap on AWS::Partition over every partition
    stack = _stack(None)
    CloudTrailSecurityMonitoring(stack, "M", log_group=existing_log_group(stack), include=["vpc-changes"])
    template = Template.from_stack(stack).to_json()
    hosts = template["Mappings"]["TrailwatchConsoleHosts"]
    assert hosts["aws-cn"] == {"Host": "console.amazonaws.cn"}
    assert hosts["aws-us-gov"] == {"Host": "console.amazonaws-us-gov.com"}
    assert hosts["aws"] == {"Host": "console.aws.amazon.com"}
    (description,) = _descriptions(stack)
    lookups = [p for p in description["Fn::Join"][1] if isinstance(p, dict) and "Fn::FindInMap" in p]
    assert lookups and all(
        p["Fn::FindInMap"] == ["TrailwatchConsoleHosts", {"Ref": "AWS::Partition"}, "Host"] for p in lookups
    )


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("region", [None, "ap-northeast-1"], ids=["agnostic", "pinned"])
def test_descriptions_keep_a_margin_under_the_limit_with_the_longest_names(language: str, region: str | None) -> None:
    # GIVEN the longest stack name CloudFormation allows and a trail whose log group is named at deploy
    # time WHEN synthesized THEN every description, at its longest deployed length, stays within budget
    stack_name = "S" * 128
    stack = _stack(region, stack_name)
    CloudTrailSecurityMonitoring(
        stack, "M", trail=TrailOptions(), privileged_groups=["Administrators"], language=language
    )
    template = Template.from_stack(stack).to_json()
    lengths = [_deployed_length(d, template, stack_name) for d in _descriptions(stack)]
    assert len(lengths) == 17
    assert max(lengths) <= DESCRIPTION_BUDGET < 1024
