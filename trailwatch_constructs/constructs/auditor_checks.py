"""``AuditorChecks``: a CDK aspect that reports which auditor checks of the CIS monitoring items a stack fails.

Add it to any stack (``Aspects.of(stack).add(AuditorChecks())``), with or without trailwatch's
constructs: it reads the synthesized resources, so hand-written filters count too. Each chosen
auditor's filter test is applied as that tool applies it (exact text or its regex, from
:mod:`trailwatch_constructs.catalog.auditors`), then the chain Security Hub requires, the strictest
of them: an alarm on the filter's metric with an enabled action, and a subscribed SNS topic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import Annotations, IAspect, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import IConstruct

from trailwatch_constructs.catalog.auditors.coverage import ALL_AUDITORS, AuditorCheck, check_name, control_checks
from trailwatch_constructs.catalog.auditors.rules import Auditor
from trailwatch_constructs.catalog.controls import STATIC_CONTROLS

_METRIC_NAMES = {c.id: c.metric_name for c in STATIC_CONTROLS}


@dataclass(frozen=True)
class Finding:
    """One auditor check a stack would fail, and why."""

    auditor: Auditor
    check: str
    why: str

    @property
    def name(self) -> str:
        """The check as people name it: ``Security Hub CloudWatch.1``, ``CIS v3.0.0 4.1``, ``prowler <id>``."""
        return check_name(self.auditor, self.check)

    def __str__(self) -> str:
        return f"{self.name} would fail: {self.why}"


@jsii.implements(IAspect)
class AuditorChecks:
    """Reports, per stack, each check of the chosen auditors that the stack would fail.

    A finding names the check and why: no metric filter with a pattern text the auditor accepts
    (missing, or a filter publishing the same metric with other text), no alarm on the filter's
    metric, an alarm without an enabled action, or an SNS topic of the stack without a subscription
    (Security Hub needs a *confirmed* subscriber: the aspect can see that one is declared, not that
    its owner confirmed it). Checks with a recorded upstream defect (no deployable text can pass
    them) are not reported.
    """

    def __init__(
        self,
        *,
        auditors: Sequence[Auditor | str] = ALL_AUDITORS,
        as_errors: bool = True,
        require_subscriber: bool = True,
    ) -> None:
        """Create the aspect.

        Args:
            auditors: the auditors whose checks must pass. Default: all of them.
            as_errors: report findings as errors (``cdk synth`` fails) rather than warnings.
                Default: errors.
            require_subscriber: report a stack's alarm topic without a subscription. Turn it off
                only where the topic's subscribers are managed outside the stack, or while you knowingly
                synthesize without one. Default: ``True``.
        """
        self._auditors = tuple(Auditor(a) for a in auditors)
        self._as_errors = as_errors
        self._require_subscriber = require_subscriber

    @property
    def auditors(self) -> tuple[Auditor, ...]:
        """The auditors whose checks the aspect runs."""
        return self._auditors

    def visit(self, node: IConstruct) -> None:
        """Check ``node`` if it is a stack."""
        if not isinstance(node, Stack):
            return
        for finding in stack_findings(node, self._auditors, require_subscriber=self._require_subscriber):
            if self._as_errors:
                Annotations.of(node).add_error(str(finding))
            else:
                # An id per check lets a team acknowledge one it accepts (`cdk synth` lists it).
                Annotations.of(node).add_warning_v2(f"trailwatch:{finding.auditor.value}:{finding.check}", str(finding))


def _key(value: object) -> str:
    """A hashable form of a resolved reference such as ``{"Ref": "Topic"}`` or an ARN string."""
    return json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class _Filter:
    pattern: Any
    metrics: frozenset[tuple[Any, Any]]


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


def _why_check_fails(check: AuditorCheck, found: _Resources, require_subscriber: bool) -> str | None:
    accepted = [f for f in found.filters if isinstance(f.pattern, str) and check.accepting([f.pattern])]
    if not accepted:
        altered = any(name == _METRIC_NAMES.get(check.control_id) for f in found.filters for _, name in f.metrics)
        if check.auditor is Auditor.SECURITY_HUB:
            what = ("a metric filter publishing its metric has altered pattern text", "the prescribed pattern text")
        else:
            what = ("a metric filter publishing its metric has pattern text it does not accept", "a text it accepts")
        return what[0] if altered else f"no metric filter has {what[1]}"
    metrics = set().union(*(f.metrics for f in accepted))
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


def stack_findings(
    stack: Stack, auditors: Sequence[Auditor] = ALL_AUDITORS, *, require_subscriber: bool = True
) -> list[Finding]:
    """Every check of the chosen auditors that ``stack`` would fail, in auditor then catalogue order."""
    found = _collect(stack)
    results = []
    for auditor in auditors:
        for control in STATIC_CONTROLS:
            for check in control_checks(control.id, [auditor]):
                why = None if check.defect else _why_check_fails(check, found, require_subscriber)
                if why is not None:
                    results.append(Finding(auditor, check.check, why))
    return results


@jsii.implements(IAspect)
class SecurityHubCloudWatchChecks(AuditorChecks):
    """Reports, per stack, each Security Hub CloudWatch.1-14 item the stack would fail.

    :class:`AuditorChecks` for Security Hub alone; see it for what a finding says.
    """

    def __init__(self, *, as_errors: bool = True, require_subscriber: bool = True) -> None:
        """Create the aspect.

        Args:
            as_errors: report findings as errors (``cdk synth`` fails) rather than warnings.
                Default: errors.
            require_subscriber: report a stack's alarm topic without a subscription. Default: ``True``.
        """
        super().__init__(auditors=[Auditor.SECURITY_HUB], as_errors=as_errors, require_subscriber=require_subscriber)


def findings(stack: Stack, *, require_subscriber: bool = True) -> list[str]:
    """Every CloudWatch.1-14 problem of ``stack`` as a sentence, in item order."""
    return [str(f) for f in stack_findings(stack, [Auditor.SECURITY_HUB], require_subscriber=require_subscriber)]
