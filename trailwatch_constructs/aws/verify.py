"""Security Hub's checks of CloudTrail.1 and CloudWatch.1-17, re-run against an account with boto3.

:func:`read_region` reads what the checks need in one Region (trails, the trail's log group and its
metric filters, alarms, the subscriptions of their topics) into a :class:`RegionView`; the checks
are pure functions of that view. The rules, as Security Hub documents them:

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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, NamedTuple

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from trailwatch_constructs.aws import Clients, aws_errors, error_code
from trailwatch_constructs.catalog import STATIC_CONTROLS, ControlDefinition
from trailwatch_constructs.catalog.auditors import Auditor, AuditorCheck, control_checks

MIN_RETENTION_DAYS: Final = 365
"""CloudWatch.16's minimum retention: Security Hub's default parameter."""
DENIED_CODES: Final = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError"})
"""Error codes of a call the caller may not make."""
_TOPIC_MISSING: Final = "NotFound"
_READ_WRITE: Final = frozenset({"true", "false"})


class Status(StrEnum):
    """A check's verdict, as Security Hub names its control statuses."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    WARNING = "WARNING"
    NO_DATA = "NO_DATA"


# --- what one Region holds ------------------------------------------------------------------------


class Metric(NamedTuple):
    """A CloudWatch metric: namespace and name."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Trail:
    """A trail as DescribeTrails shows it (shadow copies of multi-Region trails included)."""

    name: str
    arn: str
    home_region: str
    multi_region: bool
    organization: bool
    log_group: str | None
    """The CloudWatch Logs group the trail delivers to, if any."""

    @property
    def account(self) -> str:
        """The account that owns the trail."""
        return self.arn.split(":")[4]


@dataclass(frozen=True)
class TrailState:
    """Whether a trail is logging, and whether its selectors take every management event."""

    logging: bool
    all_management_events: bool


@dataclass(frozen=True)
class LogGroup:
    """A log group and its retention (``None``: events never expire)."""

    name: str
    retention_days: int | None


@dataclass(frozen=True)
class MetricFilter:
    """A metric filter: its pattern text and the metrics it publishes."""

    name: str
    pattern: str
    metrics: tuple[Metric, ...]


@dataclass(frozen=True)
class Alarm:
    """A metric alarm: the metric it watches, and its ALARM actions."""

    name: str
    metric: Metric | None
    actions_enabled: bool
    alarm_actions: tuple[str, ...]
    state: str

    @property
    def topics(self) -> tuple[str, ...]:
        """The SNS topics among the ALARM actions."""
        return tuple(a for a in self.alarm_actions if _arn_part(a, 2) == "sns")


@dataclass(frozen=True)
class Topic:
    """An SNS topic's subscriptions, or the error code that kept them from being listed."""

    arn: str
    confirmed: int = 0
    pending: int = 0
    error: str = ""

    @property
    def account(self) -> str:
        """The account that owns the topic."""
        return _arn_part(self.arn, 4)


@dataclass(frozen=True)
class RegionView:
    """What the checks read in one Region of one account.

    Attributes:
        region: the Region.
        account: the account verify runs as.
        trails: every trail the account sees in the Region.
        trail_states: per multi-Region trail ARN, its state, or why it could not be read (a trail of
            another account).
        log_groups: the log groups of the local trails (:attr:`local_trails`), by name; a group
            that does not exist is absent.
        filters: the metric filters of each of those log groups.
        alarms: the Region's metric alarms.
        topics: the SNS topics of the alarms on those filters' metrics, by ARN.
    """

    region: str
    account: str
    trails: tuple[Trail, ...]
    trail_states: Mapping[str, TrailState | str]
    log_groups: Mapping[str, LogGroup]
    filters: Mapping[str, tuple[MetricFilter, ...]]
    alarms: tuple[Alarm, ...]
    topics: Mapping[str, Topic]

    @property
    def local_trails(self) -> tuple[Trail, ...]:
        """The multi-Region trails Security Hub evaluates here: this account's, based in this Region."""
        return tuple(t for t in self.trails if _is_local(t, self.region, self.account))

    @property
    def remote_trails(self) -> tuple[Trail, ...]:
        """The multi-Region trails based in another Region or owned by another account."""
        return tuple(t for t in self.trails if t.multi_region and not _is_local(t, self.region, self.account))

    def alarms_on(self, metric: Metric) -> tuple[Alarm, ...]:
        """The alarms watching one metric."""
        return tuple(a for a in self.alarms if a.metric == metric)

    def trail_alarms(self) -> tuple[Alarm, ...]:
        """The alarms on the metrics of the local trails' metric filters."""
        return _alarms_on_filters(self.alarms, self.filters)


def _is_local(trail: Trail, region: str, account: str) -> bool:
    return trail.multi_region and trail.home_region == region and trail.account == account


def _alarms_on_filters(alarms: Sequence[Alarm], filters: Mapping[str, Sequence[MetricFilter]]) -> tuple[Alarm, ...]:
    metrics = {m for group in filters.values() for f in group for m in f.metrics}
    return tuple(a for a in alarms if a.metric in metrics)


def _arn_part(arn: str, index: int) -> str:
    parts = arn.split(":")
    return parts[index] if len(parts) > index else ""


# --- reading a Region -----------------------------------------------------------------------------


def account_id(clients: Clients, region: str) -> str:
    """Returns the account the credentials belong to (STS GetCallerIdentity).

    Args:
        clients: the boto3 clients.
        region: the Region to call STS in.

    Raises:
        AwsCallError: the call failed.
    """
    with aws_errors(region):
        return str(clients("sts", region).get_caller_identity()["Account"])


def read_region(clients: Clients, region: str, account: str) -> RegionView:
    """Reads what the checks need in one Region.

    Args:
        clients: the boto3 clients.
        region: the Region.
        account: the account the credentials belong to.

    Raises:
        AwsCallError: a call failed, other than listing a topic's subscriptions (its error is
            recorded) or reading another account's trail.
    """
    with aws_errors(region):
        cloudtrail = clients("cloudtrail", region)
        trails = tuple(_trail(t) for t in cloudtrail.describe_trails(includeShadowTrails=True).get("trailList", ()))
        states = {t.arn: _read_trail_state(clients, t, account) for t in trails if t.multi_region}
        logs = clients("logs", region)
        groups = _read_log_groups(logs, [t for t in trails if _is_local(t, region, account)])
        filters = {name: _read_filters(logs, name) for name in groups}
        alarms = _read_alarms(clients("cloudwatch", region))
        topic_arns = dict.fromkeys(t for a in _alarms_on_filters(alarms, filters) for t in a.topics)
        topics = {arn: _read_topic(clients, arn) for arn in topic_arns}
    return RegionView(region, account, trails, states, groups, filters, alarms, topics)


def _trail(data: Mapping[str, Any]) -> Trail:
    arn = str(data["TrailARN"])
    group_arn = data.get("CloudWatchLogsLogGroupArn")
    return Trail(
        name=str(data["Name"]),
        arn=arn,
        home_region=str(data.get("HomeRegion") or _arn_part(arn, 3)),
        multi_region=bool(data.get("IsMultiRegionTrail")),
        organization=bool(data.get("IsOrganizationTrail")),
        # arn:aws:logs:REGION:ACCOUNT:log-group:NAME:* (a group's name has no colon)
        log_group=(_arn_part(str(group_arn), 6) or None) if group_arn else None,
    )


def _read_trail_state(clients: Clients, trail: Trail, account: str) -> TrailState | str:
    """Returns a trail's state, or the error code when another account's trail cannot be read.

    Asked in the trail's home Region, by ARN, as a shadow trail's state must be.
    """
    cloudtrail = clients("cloudtrail", trail.home_region)
    try:
        status = cloudtrail.get_trail_status(Name=trail.arn)
        selectors = cloudtrail.get_event_selectors(TrailName=trail.arn)
    except ClientError as err:
        if trail.account == account:
            raise
        return error_code(err) or str(err)
    return TrailState(logging=bool(status.get("IsLogging")), all_management_events=_all_management(selectors))


def _all_management(selectors: Mapping[str, Any]) -> bool:
    """Whether event selectors (basic or advanced) take every read and write management event."""
    if any(_basic_takes_all(s) for s in selectors.get("EventSelectors") or ()):
        return True
    covered = set[str]().union(*(_advanced_read_write(s) for s in selectors.get("AdvancedEventSelectors") or ()))
    return covered >= _READ_WRITE


def _basic_takes_all(selector: Mapping[str, Any]) -> bool:
    return (
        selector.get("IncludeManagementEvents") is True
        and selector.get("ReadWriteType") == "All"
        and not selector.get("ExcludeManagementEventSources")
    )


def _advanced_read_write(selector: Mapping[str, Any]) -> frozenset[str]:
    """The ``readOnly`` values of the management events an advanced selector takes whole.

    A selector narrowed by any other field (e.g. ``eventSource NotEquals kms.amazonaws.com``) takes
    part of them only, so it counts for none.
    """
    fields = {str(f.get("Field")): f for f in selector.get("FieldSelectors") or ()}
    category = fields.pop("eventCategory", None)
    read_only = fields.pop("readOnly", None)
    if fields or category is None or set(category) != {"Field", "Equals"} or category["Equals"] != ["Management"]:
        return frozenset()
    if read_only is None:
        return _READ_WRITE
    if set(read_only) != {"Field", "Equals"}:
        return frozenset()
    return _READ_WRITE & {str(v).lower() for v in read_only["Equals"]}


def _read_log_groups(logs: Any, trails: Sequence[Trail]) -> dict[str, LogGroup]:
    """The log groups the trails deliver to, by name; a group that does not exist is left out."""
    names = dict.fromkeys(t.log_group for t in trails if t.log_group)
    found = (_read_log_group(logs, name) for name in names if name)
    return {group.name: group for group in found if group}


def _read_log_group(logs: Any, name: str) -> LogGroup | None:
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
        for group in page.get("logGroups", ()):
            if group.get("logGroupName") == name:
                days = group.get("retentionInDays")
                return LogGroup(name, None if days is None else int(days))
    return None


def _read_filters(logs: Any, group: str) -> tuple[MetricFilter, ...]:
    pages = logs.get_paginator("describe_metric_filters").paginate(logGroupName=group)
    return tuple(
        MetricFilter(
            name=str(f.get("filterName", "")),
            pattern=str(f.get("filterPattern", "")),
            metrics=tuple(Metric(str(m["metricNamespace"]), str(m["metricName"])) for m in f["metricTransformations"]),
        )
        for page in pages
        for f in page.get("metricFilters", ())
    )


def _read_alarms(cloudwatch: Any) -> tuple[Alarm, ...]:
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
    return tuple(_alarm(a) for page in pages for a in page.get("MetricAlarms", ()))


def _alarm(data: Mapping[str, Any]) -> Alarm:
    # An alarm on a metric-math expression has no MetricName: no filter's metric is its own.
    name, namespace = data.get("MetricName"), data.get("Namespace")
    return Alarm(
        name=str(data["AlarmName"]),
        metric=Metric(str(namespace), str(name)) if name and namespace else None,
        actions_enabled=bool(data.get("ActionsEnabled")),
        alarm_actions=tuple(str(a) for a in data.get("AlarmActions", ())),
        state=str(data.get("StateValue", "")),
    )


def _read_topic(clients: Clients, arn: str) -> Topic:
    """Returns a topic's confirmed and pending subscriptions, or why they could not be listed."""
    sns = clients("sns", _arn_part(arn, 3))
    try:
        pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
        arns = [str(s.get("SubscriptionArn", "")) for page in pages for s in page.get("Subscriptions", ())]
    except ClientError as err:
        code = error_code(err)
        if code in DENIED_CODES or code == _TOPIC_MISSING:
            return Topic(arn, error=code)
        raise
    # A confirmed subscription has its own ARN; the others read "PendingConfirmation" (or "Deleted").
    return Topic(arn, confirmed=sum(a.startswith("arn:") for a in arns), pending=arns.count("PendingConfirmation"))


# --- verdicts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """A status, why, and how far along the chain a failure got (the furthest is the most telling)."""

    status: Status
    reason: str
    depth: int = 0


_RANK: Final = {Status.FAILED: 0, Status.NO_DATA: 1, Status.WARNING: 2, Status.PASSED: 3}
# How far along the chain of CloudWatch.1-14 each failure is.
_LOGGING, _MANAGEMENT, _LOG_GROUP, _FILTER, _ALARM, _ACTION, _SUBSCRIBER = range(1, 8)


def _best(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: (_RANK[v.status], v.depth))


def chain_verdict(view: RegionView, check: AuditorCheck) -> Verdict:
    """The verdict of one auditor's check of one control (CloudWatch.1-14's chain).

    Args:
        view: the Region.
        check: the auditor's check: its test of the filter text.
    """
    if not view.local_trails:
        return _no_local_trail(view)
    return _best(_trail_chain(view, trail, check) for trail in view.local_trails)


def _no_local_trail(view: RegionView) -> Verdict:
    if not view.remote_trails:
        return Verdict(Status.FAILED, _no_multi_region_trail(view))
    trail = view.remote_trails[0]
    if trail.account == view.account:
        where = f"is based in {trail.home_region}: Security Hub evaluates it there"
    else:
        where = f"belongs to account {trail.account} (based in {trail.home_region}): Security Hub evaluates it there"
    kind = "organization trail" if trail.organization else "multi-Region trail"
    return Verdict(Status.NO_DATA, f"{kind} '{trail.name}' {where}")


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
    return _best(_metric_chain(view, f, metric) for f in filters for metric in f.metrics)


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
    return _best(_alarm_chain(view, metric_filter, alarm) for alarm in alarms)


def _alarm_chain(view: RegionView, metric_filter: MetricFilter, alarm: Alarm) -> Verdict:
    if not alarm.actions_enabled:
        return Verdict(Status.FAILED, f"alarm '{alarm.name}' has its actions disabled", _ACTION)
    if not alarm.topics:
        return Verdict(Status.FAILED, f"alarm '{alarm.name}' has no SNS action for the ALARM state", _ACTION)
    return _best(_topic_verdict(view.topics[t], metric_filter, alarm, view.account) for t in alarm.topics)


def _topic_verdict(topic: Topic, metric_filter: MetricFilter, alarm: Alarm, account: str) -> Verdict:
    if topic.error == _TOPIC_MISSING:
        return Verdict(Status.FAILED, f"topic {topic.arn} of alarm '{alarm.name}' does not exist", _SUBSCRIBER)
    if topic.error:
        return Verdict(Status.WARNING, _unlisted_reason(topic, account), _SUBSCRIBER)
    if topic.confirmed:
        return Verdict(
            Status.PASSED,
            f"filter '{metric_filter.name}' -> alarm '{alarm.name}' -> topic {topic.arn} "
            f"({topic.confirmed} confirmed subscription(s))",
            _SUBSCRIBER,
        )
    pending = f" ({topic.pending} pending confirmation)" if topic.pending else ""
    return Verdict(
        Status.FAILED, f"topic {topic.arn} of alarm '{alarm.name}' has no confirmed subscription{pending}", _SUBSCRIBER
    )


def _unlisted_reason(topic: Topic, account: str) -> str:
    if topic.account != account:
        return (
            f"topic {topic.arn} belongs to account {topic.account} and its subscriptions cannot be "
            f"listed ({topic.error})"
        )
    return (
        f"the subscriptions of topic {topic.arn} cannot be listed ({topic.error}): allow sns:ListSubscriptionsByTopic"
    )


def cloudtrail_1(view: RegionView) -> Verdict:
    """CloudTrail.1: a multi-Region trail that logs read and write management events.

    Args:
        view: the Region.
    """
    trails = [t for t in view.trails if t.multi_region]
    if not trails:
        return Verdict(Status.FAILED, _no_multi_region_trail(view))
    return _best(_recording_problem(view, t) or _records_all(t) for t in trails)


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
    return _alarms_verdict(view, lambda a: bool(a.alarm_actions), "no action for the ALARM state")


def cloudwatch_17(view: RegionView) -> Verdict:
    """CloudWatch.17: the alarms on the trail's metric filters have their actions enabled.

    Args:
        view: the Region.
    """
    return _alarms_verdict(view, lambda a: a.actions_enabled, "its actions disabled")


def _alarms_verdict(view: RegionView, holds: Callable[[Alarm], bool], failing: str) -> Verdict:
    alarms = view.trail_alarms()
    if not alarms:
        return Verdict(Status.NO_DATA, "no alarm on a metric filter of a trail based in this Region")
    bad = [f"'{a.name}'" for a in alarms if not holds(a)]
    if bad:
        return Verdict(Status.FAILED, f"alarm(s) {', '.join(bad)} with {failing}")
    return Verdict(Status.PASSED, f"all {len(alarms)} alarm(s) on the trail's metric filters")


# --- the run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One Security Hub control's verdict in one Region."""

    region: str
    control: str
    status: Status
    reason: str


@dataclass(frozen=True)
class AuditorResult:
    """One check of another auditor (prowler, CIS...) in one Region."""

    region: str
    auditor: Auditor
    check: str
    control: str
    """The trailwatch control the check is about."""
    status: Status
    reason: str


@dataclass(frozen=True)
class Verification:
    """Every verdict of a run, and what was read to reach them."""

    views: tuple[RegionView, ...]
    checks: tuple[Check, ...]
    auditor_results: tuple[AuditorResult, ...]

    @property
    def failed(self) -> bool:
        """Whether any check FAILED."""
        statuses = [c.status for c in self.checks] + [r.status for r in self.auditor_results]
        return Status.FAILED in statuses


def security_hub_checks(view: RegionView, controls: Sequence[ControlDefinition]) -> tuple[Check, ...]:
    """CloudTrail.1, CloudWatch.1-14 of the controls given, then CloudWatch.15-17, in one Region.

    Args:
        view: the Region.
        controls: the controls whose Security Hub control to check.
    """
    verdicts = [("CloudTrail.1", cloudtrail_1(view))]
    for control in controls:
        for check in control_checks(control.id, [Auditor.SECURITY_HUB]):
            verdicts.append((check.check, chain_verdict(view, check)))
    verdicts += [("CloudWatch.15", cloudwatch_15(view)), ("CloudWatch.16", cloudwatch_16(view))]
    verdicts.append(("CloudWatch.17", cloudwatch_17(view)))
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
    results = []
    for control in controls:
        for check in control_checks(control.id, [a for a in auditors if a is not Auditor.SECURITY_HUB]):
            verdict = _with_defect(chain_verdict(view, check), check)
            results.append(
                AuditorResult(view.region, check.auditor, check.name, control.id, verdict.status, verdict.reason)
            )
    return tuple(results)


def _with_defect(verdict: Verdict, check: AuditorCheck) -> Verdict:
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
    return _alarms_on_filters(view.alarms, accepted)


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
