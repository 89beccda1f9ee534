"""``CloudTrailSecurityMonitoring``: the L3 that turns CloudTrail into CIS detective controls."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from aws_cdk import Annotations, RemovalPolicy, Stack, Token
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from trailwatch_constructs.catalog.auditors.coverage import ALL_AUDITORS, check_coverage, deployed_texts
from trailwatch_constructs.catalog.auditors.rules import Auditor, auditors_problem
from trailwatch_constructs.catalog.controls import CONTROL_IDS, PRIVILEGED_GROUP_CONTROL_ID, unknown_id_message
from trailwatch_constructs.catalog.definition import AlarmSettings, ControlDefinition, Language
from trailwatch_constructs.catalog.selection import Selection, resolve_selection
from trailwatch_constructs.catalog.variants import VARIANT_IDS, replaces_security_hub_text
from trailwatch_constructs.constructs.alarm_topic import AlarmTopic, alarm_name_prefix_problems, email_problems
from trailwatch_constructs.constructs.alert_enricher import (
    AlertEnricher,
    EnrichmentOptions,
    enrich_problems,
    enricher_properties,
)
from trailwatch_constructs.constructs.audit_trail import AuditTrail, TrailOptions, trail_options_problems
from trailwatch_constructs.constructs.dashboard import SecurityMonitoringDashboard
from trailwatch_constructs.constructs.detective_control import (
    DEFAULT_METRIC_NAMESPACE,
    DetectiveControl,
    alarm_settings_problems,
    double_count_problems,
    language_problem,
    metric_conflicts,
    metric_namespace_problem,
)
from trailwatch_constructs.constructs.organization import OrganizationOptions, organization_problems
from trailwatch_constructs.core.errors import ConfigurationError, ControlDefinitionError, UnknownControlError
from trailwatch_constructs.core.limits import MAX_ALARM_NAME_LENGTH, MAX_METRIC_FILTERS_PER_LOG_GROUP
from trailwatch_constructs.core.validation import type_problem


def construct_id_for(control_id: str) -> str:
    """The stable child construct id of a control: ``root-account-usage`` -> ``RootAccountUsage``."""
    return "".join(part.capitalize() for part in control_id.split("-"))


def _is_log_group(value: object) -> bool:
    # jsii interfaces are Protocols that isinstance cannot check; these members make an ILogGroup here.
    return all(hasattr(value, member) for member in ("log_group_name", "log_group_arn", "add_metric_filter"))


def _is_topic(value: object) -> bool:
    return all(hasattr(value, member) for member in ("topic_arn", "add_subscription", "add_to_resource_policy"))


class CloudTrailSecurityMonitoring(Construct):
    """CIS AWS Foundations / Security Hub CloudWatch.1-14 detective controls over CloudTrail.

    One statement gives a metric filter and an alarm per catalogue control, notifying an
    encrypted SNS topic that CloudWatch can deliver to::

        CloudTrailSecurityMonitoring(self, "SecurityMonitoring", trail=TrailOptions(),
                                     alarm_emails=["security@example.com"])

    The log source is either a trail it creates (``trail=``) or a log group you already have
    (``log_group=``, e.g. an organization trail's group): exactly one of the two, so that a
    second (billed) trail is never created by accident.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_group: logs.ILogGroup | None = None,
        trail: TrailOptions | None = None,
        topic: sns.ITopic | None = None,
        alarm_emails: Sequence[str] = (),
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        privileged_groups: Sequence[str] = (),
        alarm_overrides: Mapping[str, AlarmSettings] | None = None,
        metric_namespace: str = DEFAULT_METRIC_NAMESPACE,
        alarm_name_prefix: str | None = None,
        language: Language | str = Language.EN,
        dashboard: bool = False,
        tuned_variants: Sequence[str] = (),
        removal_policy: RemovalPolicy | None = None,
        auditors: Sequence[Auditor | str] = ALL_AUDITORS,
        organization: OrganizationOptions | None = None,
        enrich: EnrichmentOptions | None = None,
    ) -> None:
        """Validate every property, then create the log source, topic, enricher and controls.

        Args:
            log_group: an existing CloudTrail log group to monitor. Default: none (give ``trail``).
            trail: create a trail with these settings. Default: none (give ``log_group``).
            topic: an existing SNS topic for notifications; it must let CloudWatch publish
                (and use its KMS key). Default: a new KMS-encrypted, SSL-only topic.
            alarm_emails: email addresses subscribed to the topic. Default: none.
            include: only these control ids. Default: every catalogue control.
            exclude: every control but these ids. Default: none excluded.
            privileged_groups: IAM group names watched by
                ``privileged-group-membership-changes``. Default: none (that control is not created).
            alarm_overrides: alarm settings per catalogue control id (your own controls take
                ``add_control(..., alarm_settings=)``). Default: each control's defaults.
            metric_namespace: CloudWatch namespace of the metrics; two monitors in one account and
                Region need different ones (each alarm would count both). Default: ``CloudTrailMetrics``.
            alarm_name_prefix: prefix of every alarm name (``<prefix><control-id>``); the topic
                accepts only alarms named with it. Default: the stack name and a hyphen.
            language: language of alarm descriptions, ``en`` or ``ja``. Default: ``en``.
            dashboard: also create a CloudWatch dashboard of all controls. Default: ``False``.
            tuned_variants: ids of tuned variants (e.g. ``console-signin-without-mfa-tuned``) that
                replace their catalogue control to cut known false positives. Each emits a synth-time
                warning: Security Hub's exact-text check for that control then fails. Default: none.
            removal_policy: what ``cdk destroy`` does to the alarm topic's KMS key. Default: the
                trail's ``removal_policy`` when ``trail`` is given, else ``RETAIN``.
            auditors: the auditors whose filter-pattern checks must pass (``security-hub``,
                ``cis-v3.0.0``, ``cis-v5.0.0``, ``prowler``, ``steampipe``, ``custodian``,
                ``scoutsuite``, ``inspec``). Each control deploys the fewest extra metric filters, all
                on its own metric and alarm, so that each chosen auditor finds a text it accepts
                (docs/compliance.md). Default: all of them.
            organization: the log group receives an AWS Organizations trail (docs/organizations.md):
                the stack must be in the trail's home Region, alarm descriptions say the events may
                come from any member account and their links show ``recipientAccountId``, and the
                alarm topic lets the organization list its subscriptions. Default: a single account.
            enrich: also send, for each alarm state change, a notification saying who did what, where and
                when (docs/notifications.md): every alarm invokes an ``AlertEnricher`` as a second action and
                keeps its SNS action on the alarm topic. Default: ``None``, no enriched notifications.
        """
        props = _Props(
            log_group=log_group,
            trail=trail,
            topic=topic,
            alarm_emails=alarm_emails,
            include=include,
            exclude=exclude,
            privileged_groups=privileged_groups,
            alarm_overrides=alarm_overrides if alarm_overrides is not None else {},
            metric_namespace=metric_namespace,
            alarm_name_prefix=alarm_name_prefix,
            language=language,
            dashboard=dashboard,
            tuned_variants=tuned_variants,
            removal_policy=removal_policy,
            auditors=auditors,
            organization=organization,
            enrich=enrich,
        )
        selection = props.validate(scope, construct_id)
        super().__init__(scope, construct_id)
        self._props = props
        self._alarm_name_prefix = (
            alarm_name_prefix if alarm_name_prefix is not None else f"{Stack.of(self).stack_name}-"
        )
        self._controls: dict[str, DetectiveControl] = {}
        self.audit_trail: AuditTrail | None = None
        """The trail created when ``trail`` was given; ``None`` with an existing log group."""
        self.log_group: logs.ILogGroup = self._create_log_source()
        """The CloudTrail log group the metric filters read."""
        self.alarm_topic: AlarmTopic | None = None
        """The topic construct created when no ``topic`` was given."""
        self.topic: sns.ITopic = self._create_topic()
        """The SNS topic every alarm notifies."""
        self.enricher: AlertEnricher | None = self._create_enricher()
        """The function every alarm also invokes, and its notification topics, when ``enrich`` was given."""
        self.dashboard: SecurityMonitoringDashboard | None = (
            SecurityMonitoringDashboard(self, "Dashboard") if dashboard else None
        )
        """The dashboard, when ``dashboard=True``."""
        self._create_controls(selection)

    @property
    def controls(self) -> Mapping[str, DetectiveControl]:
        """The deployed controls by id (read-only view)."""
        return MappingProxyType(self._controls)

    def control(self, control_id: str) -> DetectiveControl:
        """One deployed control by id; raises :class:`UnknownControlError` naming the deployed ids."""
        try:
            return self._controls[control_id]
        except KeyError:
            raise UnknownControlError(
                unknown_id_message([control_id], "this monitoring construct", list(self._controls))
            ) from None

    def add_control(
        self, definition: ControlDefinition, *, alarm_settings: AlarmSettings | None = None
    ) -> DetectiveControl:
        """Deploy a user's own control definition (or a tuned variant) next to the catalogue's.

        The definition's pattern was already parsed when it was created; here its id must be
        new and its alarm settings valid. A tuned variant added while its base is excluded replaces
        the base, and warns as ``tuned_variants=`` does; next to its base it replaces nothing.
        """
        if not isinstance(definition, ControlDefinition):
            raise ControlDefinitionError(
                f"add_control takes a ControlDefinition; got {definition!r} ({type(definition).__name__})"
            )
        if definition.id in self._controls:
            raise ControlDefinitionError(
                f"duplicate control id {definition.id!r}; already deployed: {', '.join(self._controls)}"
            )
        deployed = self._props.deployed(definition)
        already = sum(len(c.definition.deployed_patterns) for c in self._controls.values())
        problems = metric_filter_quota_problems([deployed], already)
        if problems:
            raise ConfigurationError(f"add_control({definition.id!r})", problems)
        control = self._add(deployed, alarm_settings)
        if self.dashboard is not None:
            self.dashboard.add_controls([control], title=f"{definition.title} (added control)")
        return control

    def _create_log_source(self) -> logs.ILogGroup:
        if self._props.log_group is not None:
            return self._props.log_group
        trail = self._props.trail
        assert trail is not None  # validate() guarantees exactly one log source
        self.audit_trail = AuditTrail(
            self,
            "AuditTrail",
            trail_name=trail.trail_name,
            log_retention=trail.log_retention,
            removal_policy=trail.removal_policy,
            s3_data_events=trail.s3_data_events,
        )
        return self.audit_trail.log_group

    def _create_topic(self) -> sns.ITopic:
        props = self._props
        if props.topic is not None:
            for email in props.alarm_emails:
                props.topic.add_subscription(subscriptions.EmailSubscription(email))
            return props.topic
        organization = props.organization
        self.alarm_topic = AlarmTopic(
            self,
            "AlarmTopic",
            emails=props.alarm_emails,
            alarm_name_prefix=self._alarm_name_prefix,
            removal_policy=props.key_removal_policy,
            organization_id=organization.organization_id
            if organization is not None and organization.grant_subscription_listing
            else None,
        )
        return self.alarm_topic.topic

    def _create_enricher(self) -> AlertEnricher | None:
        props = self._props
        if props.enrich is None:
            return None
        return AlertEnricher(
            self,
            "AlertEnricher",
            log_group=self.log_group,
            removal_policy=props.key_removal_policy,
            organization_trail=props.organization is not None,
            **enricher_properties(props.enrich, props.language),
        )

    def _create_controls(self, selection: Selection) -> None:
        overrides = self._props.alarm_overrides
        deployed = [self._add(d, overrides.get(d.id, overrides.get(d.variant_of or ""))) for d in selection.controls]
        if self.dashboard is not None:
            self.dashboard.add_controls(deployed)
        if selection.left_out_for_groups:
            Annotations.of(self).add_info(
                f"trailwatch: control {PRIVILEGED_GROUP_CONTROL_ID!r} is not created because no "
                "privileged_groups were given; pass the IAM group names to watch to enable it"
            )

    def _warn_tuned_variant(self, variant: ControlDefinition) -> None:
        security_hub = replaces_security_hub_text(variant)
        consequence = (
            f"Security Hub's exact-text check {security_hub} will fail for it"
            if security_hub
            else "its pattern differs from the catalogue's"
        )
        auditors = [Auditor(a) for a in self._props.auditors]
        failing = check_coverage(variant.variant_of or "", variant.deployed_patterns, auditors).failing
        others = sorted({r.check.name for r in failing} - {f"Security Hub {security_hub}"})
        if others:
            consequence += f"; so will {', '.join(others)}"
        Annotations.of(self).add_warning_v2(
            f"trailwatch:tuned-variant:{variant.id}",
            f"trailwatch: tuned variant {variant.id!r} replaces control {variant.variant_of!r}; {consequence}",
        )

    def _add(self, definition: ControlDefinition, settings: AlarmSettings | None) -> DetectiveControl:
        # Every route to a replacing variant warns alike: tuned_variants=, or exclude + add_control(variant).
        # Next to its base (which keeps Security Hub's check passing) a variant replaces nothing.
        if definition.variant_of is not None and definition.variant_of not in self._controls:
            self._warn_tuned_variant(definition)
        control = DetectiveControl(
            self,
            construct_id_for(definition.id),
            definition=self._props.deployed(definition),
            log_group=self.log_group,
            topic=self.topic,
            alarm_actions=() if self.enricher is None else (self.enricher.alarm_action(),),
            alarm_settings=settings,
            alarm_name=f"{self._alarm_name_prefix}{definition.id}",
            metric_namespace=self._props.metric_namespace,
            language=self._props.language,
            organization_trail=self._props.organization is not None,
        )
        self._controls[definition.id] = control
        return control


@dataclass(frozen=True)
class _Props:
    """The construct's properties as given, checked together before anything is created."""

    log_group: logs.ILogGroup | None
    trail: TrailOptions | None
    topic: sns.ITopic | None
    alarm_emails: Sequence[str]
    include: Sequence[str] | None
    exclude: Sequence[str]
    privileged_groups: Sequence[str]
    alarm_overrides: Mapping[str, AlarmSettings]
    metric_namespace: str
    alarm_name_prefix: str | None
    language: Language | str
    dashboard: bool
    tuned_variants: Sequence[str]
    removal_policy: RemovalPolicy | None
    auditors: Sequence[Auditor | str]
    organization: OrganizationOptions | None
    enrich: EnrichmentOptions | None

    @property
    def key_removal_policy(self) -> RemovalPolicy:
        """The alarm topic key's: the construct's, else the trail's, else ``RETAIN``."""
        if self.removal_policy is not None:
            return self.removal_policy
        return self.trail.removal_policy if self.trail is not None else RemovalPolicy.RETAIN

    def validate(self, scope: Construct, construct_id: str) -> Selection:
        """The selected controls; raises one :class:`ConfigurationError` listing every problem."""
        organization = (
            []
            if self.organization is None
            else organization_problems("organization", self.organization, Stack.of(scope))
        )
        selection = resolve_selection(
            include=self.include,
            exclude=self.exclude,
            privileged_groups=self.privileged_groups,
            tuned_variants=self.tuned_variants,
        )
        problems = [
            *self._source_problems(),
            *organization,
            *selection.problems,
            *_override_problems(self.alarm_overrides, selection),
        ]
        problems.extend(self._option_problems())
        if not problems:
            metric_names = (d.metric_name for d in selection.controls)
            problems = metric_conflicts(scope, construct_id, self.metric_namespace, metric_names)
            deployed = [self.deployed(d) for d in selection.controls]
            problems += metric_filter_quota_problems(deployed)
            for definition in deployed:
                settings = self.alarm_overrides.get(
                    definition.id, self.alarm_overrides.get(definition.variant_of or "")
                )
                problems += double_count_problems(definition, settings)
        if problems:
            raise ConfigurationError("CloudTrailSecurityMonitoring properties", problems)
        return selection

    def deployed(self, definition: ControlDefinition) -> ControlDefinition:
        """The definition deploying the texts the chosen auditors need (as given when it already chose its own)."""
        if definition.deployed_patterns != (definition.pattern,):
            return definition
        return definition.deploying(deployed_texts(definition, [Auditor(a) for a in self.auditors]))

    def _source_problems(self) -> list[str]:
        problems = _log_source_problems(self.log_group, self.trail)
        if self.topic is not None and not _is_topic(self.topic):
            problems.append(f"topic {self.topic!r} is a {type(self.topic).__name__}; expected an sns.ITopic")
        return problems + email_problems("alarm_emails", self.alarm_emails)

    def _option_problems(self) -> list[str]:
        checks = (
            metric_namespace_problem(self.metric_namespace),
            language_problem(self.language),
            *_prefix_problems(self.alarm_name_prefix),
            type_problem("dashboard", self.dashboard, bool, "True or False"),
            auditors_problem("auditors", self.auditors),
            *enrich_problems("enrich", self.enrich),
            None
            if self.removal_policy is None
            else type_problem("removal_policy", self.removal_policy, RemovalPolicy, "a RemovalPolicy"),
        )
        return [p for p in checks if p]


def metric_filter_quota_problems(definitions: Iterable[ControlDefinition], already: int = 0) -> list[str]:
    """A problem when the controls' metric filters, with ``already`` deployed ones, exceed CloudWatch Logs' quota.

    Only trailwatch's own filters are counted: other filters on a log group you bring count too.
    """
    counts = {d.id: len(d.deployed_patterns) for d in definitions}
    total = already + sum(counts.values())
    if total <= MAX_METRIC_FILTERS_PER_LOG_GROUP:
        return []
    largest = ", ".join(f"{i} {n}" for i, n in sorted(counts.items(), key=lambda item: -item[1])[:5])
    return [
        f"the controls need {total} metric filters on one log group; CloudWatch Logs allows at most "
        f"{MAX_METRIC_FILTERS_PER_LOG_GROUP} per log group (PutMetricFilter). Most filters: {largest}; "
        "choose fewer auditors=, or fewer controls"
    ]


def _log_source_problems(log_group: object, trail: object) -> list[str]:
    if log_group is None and trail is None:
        return [
            "give exactly one log source: log_group (an existing CloudTrail log group) or "
            "trail=TrailOptions() (create a trail); neither was given"
        ]
    if log_group is not None and trail is not None:
        return ["give exactly one log source: log_group or trail, not both"]
    if log_group is not None and not _is_log_group(log_group):
        return [
            f"log_group {log_group!r} is a {type(log_group).__name__}; expected a logs.ILogGroup, e.g. "
            "logs.LogGroup.from_log_group_name(self, 'CloudTrailLogs', 'aws-controltower/CloudTrailLogs')"
        ]
    if isinstance(trail, TrailOptions):
        return trail_options_problems(trail, "trail.")
    if trail is not None:
        return [f"trail {trail!r} is a {type(trail).__name__}; expected TrailOptions(...), e.g. trail=TrailOptions()"]
    return []


def _override_problems(overrides: object, selection: Selection) -> list[str]:
    if not isinstance(overrides, Mapping):
        return [
            f"alarm_overrides {overrides!r} is a {type(overrides).__name__}; expected a mapping of control id "
            "to AlarmSettings, e.g. {'root-account-usage': AlarmSettings(threshold=1)}"
        ]
    problems: list[str] = []
    deployed = {c.id for c in selection.controls} | selection.replaced
    for control_id, settings in overrides.items():
        if control_id not in CONTROL_IDS and control_id not in VARIANT_IDS:
            problems.append(
                f"alarm_overrides names {control_id!r}, which is not a catalogue control; your own controls take "
                "their settings in add_control(definition, alarm_settings=AlarmSettings(...))"
            )
        elif control_id not in deployed:
            problems.append(f"alarm_overrides has settings for {control_id!r}, which is not deployed")
        problems.extend(alarm_settings_problems(f"alarm_overrides[{control_id!r}]", settings))
    return problems


def _prefix_problems(prefix: object) -> list[str]:
    if prefix is None:
        return []
    problems = alarm_name_prefix_problems("alarm_name_prefix", prefix)
    if problems or Token.is_unresolved(prefix):
        return problems
    assert isinstance(prefix, str)
    longest = max(len(i) for i in (*CONTROL_IDS, *VARIANT_IDS))
    if len(prefix) + longest > MAX_ALARM_NAME_LENGTH:
        return [
            f"alarm_name_prefix {prefix!r} must be a string of at most {MAX_ALARM_NAME_LENGTH - longest} "
            f"characters: with the longest control id, alarm names would exceed {MAX_ALARM_NAME_LENGTH}"
        ]
    return []
