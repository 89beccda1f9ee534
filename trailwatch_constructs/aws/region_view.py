"""What verify reads in one Region, as a frozen :class:`RegionView`, and :func:`read_region`, which reads it.

The view holds what Security Hub's checks of CloudTrail.1 and CloudWatch.1-17 look at: the trails the
account sees, the state of the multi-Region ones, the log groups of the trails based here and their
metric filters, the Region's metric alarms, and the subscriptions of the topics those alarms notify.
The checks (:mod:`.verify`) are pure functions of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from trailwatch_constructs.aws import Clients, aws_errors, error_code

DENIED_CODES: Final = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError"})
"""Error codes of a call the caller may not make."""
_TOPIC_NOT_FOUND: Final = "NotFound"
_READ_AND_WRITE: Final = frozenset({"true", "false"})
"""The ``readOnly`` values of read and of write management events."""
# arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE...
_ARN_SERVICE, _ARN_REGION, _ARN_ACCOUNT = 2, 3, 4
_LOG_GROUP_ARN_NAME: Final = 6
"""arn:aws:logs:REGION:ACCOUNT:log-group:NAME:* (a group's name has no colon)."""


def _arn_part(arn: str, index: int) -> str:
    parts = arn.split(":")
    return parts[index] if len(parts) > index else ""


# --- what one Region holds ------------------------------------------------------------------------


class Metric(NamedTuple):
    """A CloudWatch metric: namespace and name."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Trail:
    """A trail as DescribeTrails shows it (shadow copies of multi-Region trails included).

    Attributes:
        name: the trail's name.
        arn: the trail's ARN.
        home_region: the Region the trail is based in.
        multi_region: whether the trail logs every Region.
        organization: whether it is an organization trail.
        log_group: the CloudWatch Logs group the trail delivers to, if any.
    """

    name: str
    arn: str
    home_region: str
    multi_region: bool
    organization: bool
    log_group: str | None

    @property
    def account(self) -> str:
        """The account that owns the trail."""
        return _arn_part(self.arn, _ARN_ACCOUNT)


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
        return tuple(a for a in self.alarm_actions if _arn_part(a, _ARN_SERVICE) == "sns")


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
        return _arn_part(self.arn, _ARN_ACCOUNT)

    @property
    def missing(self) -> bool:
        """Whether the topic does not exist."""
        return self.error == _TOPIC_NOT_FOUND


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
    def multi_region_trails(self) -> tuple[Trail, ...]:
        """Every multi-Region trail the account sees here, wherever it is based."""
        return tuple(t for t in self.trails if t.multi_region)

    @property
    def local_trails(self) -> tuple[Trail, ...]:
        """The multi-Region trails Security Hub evaluates here: this account's, based in this Region."""
        return tuple(t for t in self.trails if _is_local_trail(t, self.region, self.account))

    @property
    def remote_trails(self) -> tuple[Trail, ...]:
        """The multi-Region trails based in another Region or owned by another account."""
        return tuple(t for t in self.multi_region_trails if not _is_local_trail(t, self.region, self.account))

    def alarms_on(self, metric: Metric) -> tuple[Alarm, ...]:
        """The alarms watching one metric.

        Args:
            metric: the metric.
        """
        return tuple(a for a in self.alarms if a.metric == metric)

    def trail_alarms(self) -> tuple[Alarm, ...]:
        """The alarms on the metrics of the local trails' metric filters."""
        return alarms_on_filters(self.alarms, self.filters)


def _is_local_trail(trail: Trail, region: str, account: str) -> bool:
    return trail.multi_region and trail.home_region == region and trail.account == account


def alarms_on_filters(alarms: Sequence[Alarm], filters: Mapping[str, Sequence[MetricFilter]]) -> tuple[Alarm, ...]:
    """The alarms watching a metric that one of the filters publishes.

    Args:
        alarms: the alarms.
        filters: metric filters, by log group.
    """
    metrics = {m for group in filters.values() for f in group for m in f.metrics}
    return tuple(a for a in alarms if a.metric in metrics)


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
        trails, states = _read_trails(clients, region, account)
        logs = clients("logs", region)
        groups = _read_log_groups(logs, [t for t in trails if _is_local_trail(t, region, account)])
        filters = {name: _read_filters(logs, name) for name in groups}
        alarms = _read_alarms(clients("cloudwatch", region))
        topic_arns = dict.fromkeys(t for a in alarms_on_filters(alarms, filters) for t in a.topics)
        topics = {arn: _read_topic(clients, arn) for arn in topic_arns}
    return RegionView(region, account, trails, states, groups, filters, alarms, topics)


def _read_trails(clients: Clients, region: str, account: str) -> tuple[tuple[Trail, ...], dict[str, TrailState | str]]:
    """The trails the account sees in the Region, and the state of each multi-Region one, by ARN."""
    described = clients("cloudtrail", region).describe_trails(includeShadowTrails=True).get("trailList", ())
    trails = tuple(_trail_from(t) for t in described)
    return trails, {t.arn: _read_trail_state(clients, t, account) for t in trails if t.multi_region}


def _trail_from(description: Mapping[str, Any]) -> Trail:
    arn = str(description["TrailARN"])
    group_arn = description.get("CloudWatchLogsLogGroupArn")
    return Trail(
        name=str(description["Name"]),
        arn=arn,
        home_region=str(description.get("HomeRegion") or _arn_part(arn, _ARN_REGION)),
        multi_region=bool(description.get("IsMultiRegionTrail")),
        organization=bool(description.get("IsOrganizationTrail")),
        log_group=(_arn_part(str(group_arn), _LOG_GROUP_ARN_NAME) or None) if group_arn else None,
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
    return TrailState(logging=bool(status.get("IsLogging")), all_management_events=_takes_every_management(selectors))


def _takes_every_management(selectors: Mapping[str, Any]) -> bool:
    """Whether event selectors (basic or advanced) take every read and write management event."""
    if any(_basic_selector_takes_all(s) for s in selectors.get("EventSelectors") or ()):
        return True
    advanced = selectors.get("AdvancedEventSelectors") or ()
    return set[str]().union(*(_read_only_values_taken_whole(s) for s in advanced)) >= _READ_AND_WRITE


def _basic_selector_takes_all(selector: Mapping[str, Any]) -> bool:
    return (
        selector.get("IncludeManagementEvents") is True
        and selector.get("ReadWriteType") == "All"
        and not selector.get("ExcludeManagementEventSources")
    )


def _read_only_values_taken_whole(selector: Mapping[str, Any]) -> frozenset[str]:
    """The ``readOnly`` values of the management events an advanced selector takes whole.

    A selector narrowed by any other field (e.g. ``eventSource NotEquals kms.amazonaws.com``) takes
    part of them only, so it counts for none.
    """
    fields = {str(f.get("Field")): f for f in selector.get("FieldSelectors") or ()}
    category = _equals_values(fields.pop("eventCategory", None))
    read_only = fields.pop("readOnly", None)
    if fields or category != ["Management"]:
        return frozenset()
    if read_only is None:
        return _READ_AND_WRITE
    return _READ_AND_WRITE & {str(v).lower() for v in _equals_values(read_only) or ()}


def _equals_values(field: Mapping[str, Any] | None) -> list[Any] | None:
    """The values of a field selector that tests ``Equals`` alone; ``None`` when absent or it tests more."""
    if field is None or set(field) != {"Field", "Equals"}:
        return None
    return list(field["Equals"])


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
    return tuple(_metric_filter_from(f) for page in pages for f in page.get("metricFilters", ()))


def _metric_filter_from(description: Mapping[str, Any]) -> MetricFilter:
    return MetricFilter(
        name=str(description.get("filterName", "")),
        pattern=str(description.get("filterPattern", "")),
        metrics=tuple(
            Metric(str(m["metricNamespace"]), str(m["metricName"])) for m in description["metricTransformations"]
        ),
    )


def _read_alarms(cloudwatch: Any) -> tuple[Alarm, ...]:
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
    return tuple(_alarm_from(a) for page in pages for a in page.get("MetricAlarms", ()))


def _alarm_from(description: Mapping[str, Any]) -> Alarm:
    # An alarm on a metric-math expression has no MetricName: no filter's metric is its own.
    name, namespace = description.get("MetricName"), description.get("Namespace")
    return Alarm(
        name=str(description["AlarmName"]),
        metric=Metric(str(namespace), str(name)) if name and namespace else None,
        actions_enabled=bool(description.get("ActionsEnabled")),
        alarm_actions=tuple(str(a) for a in description.get("AlarmActions", ())),
        state=str(description.get("StateValue", "")),
    )


def _read_topic(clients: Clients, arn: str) -> Topic:
    """Returns a topic's confirmed and pending subscriptions, or why they could not be listed."""
    sns = clients("sns", _arn_part(arn, _ARN_REGION))
    try:
        pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
        arns = [str(s.get("SubscriptionArn", "")) for page in pages for s in page.get("Subscriptions", ())]
    except ClientError as err:
        code = error_code(err)
        if code in DENIED_CODES or code == _TOPIC_NOT_FOUND:
            return Topic(arn, error=code)
        raise
    # A confirmed subscription has its own ARN; the others read "PendingConfirmation" (or "Deleted").
    return Topic(arn, confirmed=sum(a.startswith("arn:") for a in arns), pending=arns.count("PendingConfirmation"))
