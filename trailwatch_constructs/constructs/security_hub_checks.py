"""``SecurityHubCloudWatchChecks``: a CDK aspect that reports which CloudWatch.1-14 items a stack fails.

Add it to any stack (``Aspects.of(stack).add(SecurityHubCloudWatchChecks())``), with or without
trailwatch's constructs: it reads the synthesized resources, so hand-written filters count too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import Annotations, IAspect, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import IConstruct

from trailwatch_constructs.catalog.controls import STATIC_CONTROLS
from trailwatch_constructs.texts.compliance_evidence import PRESCRIBED_PATTERNS

_METRIC_NAMES = {c.security_hub_control: c.metric_name for c in STATIC_CONTROLS if c.security_hub_control}


@dataclass(frozen=True)
class _Filter:
    pattern: Any
    metrics: frozenset[tuple[Any, Any]]


@jsii.implements(IAspect)
class SecurityHubCloudWatchChecks:
    """Reports, per stack, each Security Hub CloudWatch.1-14 item the stack would fail.

    A finding names the item and why: no metric filter with the prescribed text (missing, or a
    filter publishing the same metric with altered text), no alarm on the filter's metric, an
    alarm without an enabled action, or an SNS topic of the stack without a subscription (Security
    Hub needs a *confirmed* subscriber: the aspect can see that one is declared, not that its owner
    confirmed it).
    """

    def __init__(self, *, as_errors: bool = True, require_subscriber: bool = True) -> None:
        """Create the aspect.

        Args:
            as_errors: report findings as errors (``cdk synth`` fails) rather than warnings.
                Default: errors.
            require_subscriber: report a stack's alarm topic without a subscription. Turn it off
                only where the topic's subscribers are managed outside the stack, or while you knowingly
                synthesize without one. Default: ``True``.
        """
        self._as_errors = as_errors
        self._require_subscriber = require_subscriber

    def visit(self, node: IConstruct) -> None:
        """Check ``node`` if it is a stack."""
        if not isinstance(node, Stack):
            return
        for item, finding in item_findings(node, require_subscriber=self._require_subscriber):
            if self._as_errors:
                Annotations.of(node).add_error(finding)
            else:
                # An id per item lets a team acknowledge one item it accepts (`cdk synth` lists it).
                Annotations.of(node).add_warning_v2(f"trailwatch:security-hub:{item}", finding)


def _key(value: object) -> str:
    """A hashable form of a resolved reference such as ``{"Ref": "Topic"}`` or an ARN string."""
    return json.dumps(value, sort_keys=True)


@dataclass
class _Resources:
    """What the checks read from one stack's synthesized resources."""

    filters: list[_Filter] = field(default_factory=list)
    alarms: list[Mapping[str, Any]] = field(default_factory=list)
    subscribed: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)


def _collect(stack: Stack) -> _Resources:
    found = _Resources()
    for child in stack.node.find_all():
        if Stack.of(child) is not stack:
            continue
        if isinstance(child, logs.CfnMetricFilter):
            transformations = stack.resolve(child.metric_transformations) or []
            metrics = frozenset((t.get("metricNamespace"), t.get("metricName")) for t in transformations)
            found.filters.append(_Filter(pattern=stack.resolve(child.filter_pattern), metrics=metrics))
        elif isinstance(child, cloudwatch.CfnAlarm):
            found.alarms.append(
                {
                    "metric": (stack.resolve(child.namespace), stack.resolve(child.metric_name)),
                    "actions": stack.resolve(child.alarm_actions) or [],
                    "enabled": stack.resolve(child.actions_enabled),
                }
            )
        elif isinstance(child, sns.CfnSubscription):
            found.subscribed.add(_key(stack.resolve(child.topic_arn)))
        elif isinstance(child, sns.CfnTopic):
            found.topics.add(_key(stack.resolve({"Ref": child.logical_id})))
    return found


def _why_item_fails(item: str, prescribed: str, found: _Resources, require_subscriber: bool) -> str | None:
    exact = [f for f in found.filters if f.pattern == prescribed]
    if not exact:
        altered = any(name == _METRIC_NAMES[item] for f in found.filters for _, name in f.metrics)
        return (
            "a metric filter publishing its metric has altered pattern text"
            if altered
            else "no metric filter has the prescribed pattern text"
        )
    metrics = set().union(*(f.metrics for f in exact))
    watching = [a for a in found.alarms if a["metric"] in metrics]
    if not watching:
        # Security Hub finds alarms by their top-level MetricName: metric math does not count.
        return "no alarm on the metric of its metric filter"
    with_action = [a for a in watching if a["actions"] and a["enabled"] is not False]
    if not with_action:
        return "the alarm on its metric has no enabled action"
    own_topics = [_key(t) for a in with_action for t in a["actions"] if _key(t) in found.topics]
    if require_subscriber and own_topics and not any(t in found.subscribed for t in own_topics):
        return "the alarm's SNS topic has no subscription (Security Hub needs at least one confirmed subscriber)"
    return None


def item_findings(stack: Stack, *, require_subscriber: bool = True) -> list[tuple[str, str]]:
    """Every CloudWatch.1-14 item ``stack`` would fail, with the sentence saying why, in item order."""
    found = _collect(stack)
    problems = []
    for item, prescribed in PRESCRIBED_PATTERNS.items():
        why = _why_item_fails(item, prescribed, found, require_subscriber)
        if why is not None:
            problems.append((item, f"Security Hub {item} would fail: {why}"))
    return problems


def findings(stack: Stack, *, require_subscriber: bool = True) -> list[str]:
    """Every CloudWatch.1-14 problem of ``stack`` as a sentence, in item order."""
    return [text for _, text in item_findings(stack, require_subscriber=require_subscriber)]
