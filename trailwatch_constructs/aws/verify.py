"""Security Hub's checks of CloudTrail.1 and CloudWatch.1-17, judged on a :class:`.RegionView`.

:func:`verify` reads each Region (:func:`.read_region`) and judges it. The rules, as Security Hub
documents them:

- CloudWatch.1-14 follow a chain: a multi-Region trail that is logging and records every management
  event (read and write, no source excluded), its log group, a metric filter with the control's exact
  text, an alarm on the filter's metric with actions enabled and an SNS action, and a confirmed
  subscription to that topic. (Security Hub's pages say "at least one subscription"; the CIS audit
  they follow wants one with its own ARN, so one pending confirmation does not count.) Only trails
  of this account based in this Region are evaluated: with none, a multi-Region trail based in
  another Region, or an organization trail of another account, gives NO_DATA. A topic whose
  subscriptions cannot be listed (owned by another account, access denied) gives WARNING.
  Otherwise the failure furthest along the chain is reported.
- CloudTrail.1: a multi-Region trail (any the account sees) that logs read and write management events.
- CloudWatch.15 and .17: the alarms on the metric filters of the trail's log group have an action for
  the ALARM state, and their actions enabled.
- CloudWatch.16: the trail's log group keeps events for at least :data:`MIN_RETENTION_DAYS`.

Other auditors' checks of the same controls (:func:`auditor_results`) follow the same chain, with the
auditor's own test of the filter text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

from trailwatch_constructs.aws import Clients
from trailwatch_constructs.aws.region_view import (
    Alarm,
    LogGroup,
    Metric,
    MetricFilter,
    RegionView,
    Topic,
    Trail,
    account_id,
    alarms_on_filters,
    read_region,
)
from trailwatch_constructs.aws.verdicts import AuditorResult, Check, Status, Verdict, Verification, best_verdict
from trailwatch_constructs.catalog import STATIC_CONTROLS, ControlDefinition
from trailwatch_constructs.catalog.auditors import Auditor, AuditorCheck, control_checks

MIN_RETENTION_DAYS: Final = 365
"""CloudWatch.16's minimum retention: Security Hub's default parameter."""
# How far along the chain of CloudWatch.1-14 each failure is.
_LOGGING, _MANAGEMENT, _LOG_GROUP, _FILTER, _ALARM, _ACTION, _SUBSCRIBER = range(1, 8)


def other_auditors(auditors: Iterable[Auditor]) -> tuple[Auditor, ...]:
    """The auditors given, but Security Hub: its checks are always run, as the main ones.

    Args:
        auditors: the auditors asked for.
    """
    return tuple(a for a in auditors if a is not Auditor.SECURITY_HUB)


# --- CloudWatch.1-14: the chain from trail to subscriber -----------------------------------------


def chain_verdict(view: RegionView, check: AuditorCheck) -> Verdict:
    """The verdict of one auditor's check of one control (CloudWatch.1-14's chain).

    Args:
        view: the Region.
        check: the auditor's check: its test of the filter text.
    """
    if not view.local_trails:
        return _no_local_trail(view)
    return best_verdict(_trail_chain(view, trail, check) for trail in view.local_trails)


def _no_local_trail(view: RegionView) -> Verdict:
    if not view.remote_trails:
        return Verdict(Status.FAILED, _no_multi_region_trail(view))
    trail = view.remote_trails[0]
    if trail.account == view.account:
        where = f"is based in {trail.home_region}"
    else:
        where = f"belongs to account {trail.account} (based in {trail.home_region})"
    kind = "organization trail" if trail.organization else "multi-Region trail"
    return Verdict(Status.NO_DATA, f"{kind} '{trail.name}' {where}: Security Hub evaluates it there")


def _no_multi_region_trail(view: RegionView) -> str:
    singles = [f"'{t.name}'" for t in view.trails]
    if not singles:
        return f"no trail in {view.region}"
    return f"no multi-Region trail ({', '.join(singles)} log this Region only)"


def _trail_chain(view: RegionView, trail: Trail, check: AuditorCheck) -> Verdict:
    group = _fed_log_group(view, trail)
    if isinstance(group, Verdict):
        return group
    filters = [f for f in view.filters.get(group, ()) if check.accepting([f.pattern])]
    if not filters:
        return Verdict(Status.FAILED, f"no metric filter on log group '{group}' has {_text_wanted(check)}", _FILTER)
    return best_verdict(_metric_chain(view, f, metric) for f in filters for metric in f.metrics)


def _fed_log_group(view: RegionView, trail: Trail) -> str | Verdict:
    """The log group a trail feeds with every management event, or the verdict naming what stops it."""
    problem = _recording_problem(view, trail)
    if problem is not None:
        return problem
    if trail.log_group is None:
        return Verdict(Status.FAILED, f"trail '{trail.name}' delivers no events to CloudWatch Logs", _LOG_GROUP)
    if trail.log_group not in view.log_groups:
        return Verdict(
            Status.FAILED, f"log group '{trail.log_group}' of trail '{trail.name}' does not exist", _LOG_GROUP
        )
    return trail.log_group


def _recording_problem(view: RegionView, trail: Trail) -> Verdict | None:
    """Why a multi-Region trail does not record every management event, or ``None`` when it does."""
    state = view.trail_states[trail.arn]
    if isinstance(state, str):
        return Verdict(Status.NO_DATA, f"trail '{trail.name}' of account {trail.account} cannot be read ({state})")
    if not state.logging:
        return Verdict(Status.FAILED, f"multi-Region trail '{trail.name}' is not logging", _LOGGING)
    if not state.all_management_events:
        return Verdict(
            Status.FAILED,
            f"multi-Region trail '{trail.name}' does not record every management event "
            "(read and write, no source excluded)",
            _MANAGEMENT,
        )
    return None


def _text_wanted(check: AuditorCheck) -> str:
    if check.auditor is Auditor.SECURITY_HUB:
        return f"Security Hub's exact text for {check.check}"
    return f"a text {check.name} accepts"


def _metric_chain(view: RegionView, metric_filter: MetricFilter, metric: Metric) -> Verdict:
    alarms = view.alarms_on(metric)
    if not alarms:
        return Verdict(Status.FAILED, f"no alarm on metric {metric} of filter '{metric_filter.name}'", _ALARM)
    return best_verdict(_alarm_chain(view, metric_filter, alarm) for alarm in alarms)


def _alarm_chain(view: RegionView, metric_filter: MetricFilter, alarm: Alarm) -> Verdict:
    if not alarm.actions_enabled:
        return Verdict(Status.FAILED, f"alarm '{alarm.name}' has its actions disabled", _ACTION)
    if not alarm.topics:
        return Verdict(Status.FAILED, f"alarm '{alarm.name}' has no SNS action for the ALARM state", _ACTION)
    return best_verdict(_topic_verdict(view.topics[t], metric_filter, alarm, view.account) for t in alarm.topics)


def _topic_verdict(topic: Topic, metric_filter: MetricFilter, alarm: Alarm, account: str) -> Verdict:
    if topic.missing:
        return Verdict(Status.FAILED, f"topic {topic.arn} of alarm '{alarm.name}' does not exist", _SUBSCRIBER)
    if topic.error:
        return Verdict(Status.WARNING, _unlisted_reason(topic, account), _SUBSCRIBER)
    if not topic.confirmed:
        pending = f" ({topic.pending} pending confirmation)" if topic.pending else ""
        reason = f"topic {topic.arn} of alarm '{alarm.name}' has no confirmed subscription{pending}"
        return Verdict(Status.FAILED, reason, _SUBSCRIBER)
    chain = f"filter '{metric_filter.name}' -> alarm '{alarm.name}' -> topic {topic.arn}"
    return Verdict(Status.PASSED, f"{chain} ({topic.confirmed} confirmed subscription(s))", _SUBSCRIBER)


def _unlisted_reason(topic: Topic, account: str) -> str:
    if topic.account != account:
        return (
            f"topic {topic.arn} belongs to account {topic.account} and its subscriptions cannot be "
            f"listed ({topic.error})"
        )
    return (
        f"the subscriptions of topic {topic.arn} cannot be listed ({topic.error}): allow sns:ListSubscriptionsByTopic"
    )


# --- CloudTrail.1, CloudWatch.15-17: one verdict per Region ----------------------------------------


def cloudtrail_1(view: RegionView) -> Verdict:
    """CloudTrail.1: a multi-Region trail that logs read and write management events.

    Args:
        view: the Region.
    """
    trails = view.multi_region_trails
    if not trails:
        return Verdict(Status.FAILED, _no_multi_region_trail(view))
    return best_verdict(_recording_problem(view, t) or _records_all(t) for t in trails)


def _records_all(trail: Trail) -> Verdict:
    return Verdict(Status.PASSED, f"multi-Region trail '{trail.name}' logs every read and write management event")


def cloudwatch_16(view: RegionView) -> Verdict:
    """CloudWatch.16: the trail's log group keeps events for at least :data:`MIN_RETENTION_DAYS`.

    Args:
        view: the Region.
    """
    groups = list(view.log_groups.values())
    if not groups:
        return Verdict(Status.NO_DATA, f"no trail of this account based in {view.region} delivers to a log group")
    short = [g for g in groups if g.retention_days is not None and g.retention_days < MIN_RETENTION_DAYS]
    if short:
        return Verdict(
            Status.FAILED,
            f"log group '{short[0].name}' keeps events for {short[0].retention_days} days; "
            f"at least {MIN_RETENTION_DAYS} are required",
        )
    kept = ", ".join(f"'{g.name}' ({_retention(g)})" for g in groups)
    return Verdict(Status.PASSED, f"log group {kept}")


def _retention(group: LogGroup) -> str:
    return "never expires" if group.retention_days is None else f"{group.retention_days} days"


def cloudwatch_15(view: RegionView) -> Verdict:
    """CloudWatch.15: the alarms on the trail's metric filters have an action for the ALARM state.

    Args:
        view: the Region.
    """
    return _every_trail_alarm(view, lambda a: bool(a.alarm_actions), "no action for the ALARM state")


def cloudwatch_17(view: RegionView) -> Verdict:
    """CloudWatch.17: the alarms on the trail's metric filters have their actions enabled.

    Args:
        view: the Region.
    """
    return _every_trail_alarm(view, lambda a: a.actions_enabled, "its actions disabled")


def _every_trail_alarm(view: RegionView, holds: Callable[[Alarm], bool], failing: str) -> Verdict:
    """PASSED when ``holds`` for every alarm on the trail's filters; else FAILED, naming those ``failing``."""
    alarms = view.trail_alarms()
    if not alarms:
        return Verdict(Status.NO_DATA, "no alarm on a metric filter of a trail based in this Region")
    bad = [f"'{a.name}'" for a in alarms if not holds(a)]
    if bad:
        return Verdict(Status.FAILED, f"alarm(s) {', '.join(bad)} with {failing}")
    return Verdict(Status.PASSED, f"all {len(alarms)} alarm(s) on the trail's metric filters")


# --- the run ----------------------------------------------------------------------------------------

_BEFORE_CHAINS: Final[tuple[tuple[str, Callable[[RegionView], Verdict]], ...]] = (("CloudTrail.1", cloudtrail_1),)
"""The Region-wide checks reported before CloudWatch.1-14."""
_AFTER_CHAINS: Final[tuple[tuple[str, Callable[[RegionView], Verdict]], ...]] = (
    ("CloudWatch.15", cloudwatch_15),
    ("CloudWatch.16", cloudwatch_16),
    ("CloudWatch.17", cloudwatch_17),
)
"""The Region-wide checks reported after CloudWatch.1-14."""


def _checks_of(
    controls: Sequence[ControlDefinition], auditors: Sequence[Auditor]
) -> Iterator[tuple[ControlDefinition, AuditorCheck]]:
    """Each control with each check the auditors make of it."""
    return ((control, check) for control in controls for check in control_checks(control.id, auditors))


def security_hub_checks(view: RegionView, controls: Sequence[ControlDefinition]) -> tuple[Check, ...]:
    """CloudTrail.1, CloudWatch.1-14 of the controls given, then CloudWatch.15-17, in one Region.

    Args:
        view: the Region.
        controls: the controls whose Security Hub control to check.
    """
    verdicts = [(name, judge(view)) for name, judge in _BEFORE_CHAINS]
    verdicts += [(check.check, chain_verdict(view, check)) for _, check in _checks_of(controls, [Auditor.SECURITY_HUB])]
    verdicts += [(name, judge(view)) for name, judge in _AFTER_CHAINS]
    return tuple(Check(view.region, name, v.status, v.reason) for name, v in verdicts)


def auditor_results(
    view: RegionView, controls: Sequence[ControlDefinition], auditors: Sequence[Auditor]
) -> tuple[AuditorResult, ...]:
    """Every check other auditors make of the controls given, in one Region.

    A check no pattern can pass (an upstream defect recorded with its rule) is a WARNING, not FAILED.

    Args:
        view: the Region.
        controls: the controls.
        auditors: the auditors (Security Hub's checks are :func:`security_hub_checks`).
    """
    return tuple(
        _auditor_result(view.region, control, check, _defect_as_warning(chain_verdict(view, check), check))
        for control, check in _checks_of(controls, other_auditors(auditors))
    )


def _auditor_result(region: str, control: ControlDefinition, check: AuditorCheck, verdict: Verdict) -> AuditorResult:
    return AuditorResult(region, check.auditor, check.name, control.id, verdict.status, verdict.reason)


def _defect_as_warning(verdict: Verdict, check: AuditorCheck) -> Verdict:
    if verdict.status is Status.FAILED and verdict.depth == _FILTER and check.defect:
        return Verdict(Status.WARNING, f"{verdict.reason}; no pattern can pass this check: {check.defect}", _FILTER)
    return verdict


def control_alarms(view: RegionView, checks: Sequence[AuditorCheck]) -> tuple[Alarm, ...]:
    """The alarms on the metrics of the local trails' filters that any of ``checks`` accepts.

    Args:
        view: the Region.
        checks: auditor checks of one control.
    """
    accepted = {g: [f for f in fs if any(c.accepting([f.pattern]) for c in checks)] for g, fs in view.filters.items()}
    return alarms_on_filters(view.alarms, accepted)


def verify(
    clients: Clients,
    regions: Sequence[str],
    *,
    controls: Sequence[ControlDefinition] = STATIC_CONTROLS,
    auditors: Sequence[Auditor] = (),
) -> Verification:
    """Reads each Region and checks it as Security Hub (and any other auditor given) would.

    Args:
        clients: the boto3 clients.
        regions: the Regions, in the order to report them (at least one).
        controls: the controls whose checks to run. Default: the catalogue's.
        auditors: other auditors whose checks to report too. Default: none.

    Raises:
        AwsCallError: a call failed (no credentials, endpoint not answering, a permission missing).
    """
    ordered = list(dict.fromkeys(regions))
    account = account_id(clients, ordered[0])
    views = tuple(read_region(clients, region, account) for region in ordered)
    checks = tuple(c for view in views for c in security_hub_checks(view, controls))
    results = tuple(r for view in views for r in auditor_results(view, controls, auditors))
    return Verification(views, checks, results)
