"""``CloudTrailSecurityMonitoring``: the L3 that turns CloudTrail into CIS detective controls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from aws_cdk import Annotations, Stack, Token
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from trailwatch_constructs.alarm_description import LANGUAGES
from trailwatch_constructs.catalog.controls import (
    CONTROL_IDS,
    PRIVILEGED_GROUP_CONTROL_ID,
    unknown_id_message,
)
from trailwatch_constructs.catalog.definition import AlarmSettings, ControlDefinition
from trailwatch_constructs.catalog.selection import resolve_selection
from trailwatch_constructs.catalog.variants import VARIANT_IDS, replaces_security_hub_text
from trailwatch_constructs.constructs.alarm_topic import AlarmTopic, email_problems
from trailwatch_constructs.constructs.audit_trail import AuditTrail, TrailOptions, trail_options_problems
from trailwatch_constructs.constructs.dashboard import SecurityMonitoringDashboard
from trailwatch_constructs.constructs.detective_control import (
    DEFAULT_METRIC_NAMESPACE,
    MAX_ALARM_NAME_LENGTH,
    DetectiveControl,
    alarm_settings_problems,
)
from trailwatch_constructs.errors import ConfigurationError, ControlDefinitionError, UnknownControlError


def construct_id_for(control_id: str) -> str:
    """The stable child construct id of a control: ``root-account-usage`` -> ``RootAccountUsage``."""
    return "".join(part.capitalize() for part in control_id.split("-"))


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
        language: str = "en",
        dashboard: bool = False,
        tuned_variants: Sequence[str] = (),
    ) -> None:
        """Validate every property, then create the log source, topic and controls.

        :param log_group: an existing CloudTrail log group to monitor. Default: none (give ``trail``).
        :param trail: create a trail with these settings. Default: none (give ``log_group``).
        :param topic: an existing SNS topic for notifications; it must let CloudWatch publish
            (and use its KMS key). Default: a new KMS-encrypted, SSL-only topic.
        :param alarm_emails: email addresses subscribed to the topic. Default: none.
        :param include: only these control ids. Default: every catalogue control.
        :param exclude: every control but these ids. Default: none excluded.
        :param privileged_groups: IAM group names watched by
            ``privileged-group-membership-changes``. Default: none (that control is not created).
        :param alarm_overrides: alarm settings per control id. Default: each control's defaults.
        :param metric_namespace: CloudWatch namespace of the metrics. Default: ``CloudTrailMetrics``.
        :param alarm_name_prefix: prefix of every alarm name (``<prefix><control-id>``).
            Default: the stack name and a hyphen.
        :param language: language of alarm descriptions, ``en`` or ``ja``. Default: ``en``.
        :param dashboard: also create a CloudWatch dashboard of all controls. Default: ``False``.
        :param tuned_variants: ids of tuned variants (e.g. ``console-signin-without-mfa-tuned``) that
            replace their catalogue control to cut known false positives. Each emits a synth-time
            warning: Security Hub's exact-text check for that control then fails. Default: none.
        """
        super().__init__(scope, construct_id)
        overrides = dict(alarm_overrides or {})
        selected = self._validate(
            log_group=log_group,
            trail=trail,
            alarm_emails=alarm_emails,
            include=include,
            exclude=exclude,
            privileged_groups=privileged_groups,
            overrides=overrides,
            language=language,
            tuned_variants=tuned_variants,
            alarm_name_prefix=alarm_name_prefix,
        )
        self._metric_namespace = metric_namespace
        self._alarm_name_prefix = (
            alarm_name_prefix if alarm_name_prefix is not None else f"{Stack.of(self).stack_name}-"
        )
        self._language = language

        self.audit_trail: AuditTrail | None = None
        """The trail created when ``trail`` was given; ``None`` with an existing log group."""
        if log_group is None:
            assert trail is not None  # _validate guarantees exactly one log source
            self.audit_trail = AuditTrail(
                self,
                "AuditTrail",
                trail_name=trail.trail_name,
                log_retention=trail.log_retention,
                removal_policy=trail.removal_policy,
            )
            log_group = self.audit_trail.log_group
        self.log_group: logs.ILogGroup = log_group
        """The CloudTrail log group the metric filters read."""

        self.alarm_topic: AlarmTopic | None = None
        """The topic construct created when no ``topic`` was given."""
        if topic is None:
            self.alarm_topic = AlarmTopic(
                self, "AlarmTopic", emails=alarm_emails, alarm_name_prefix=self._alarm_name_prefix
            )
            topic = self.alarm_topic.topic
        else:
            for email in alarm_emails:
                topic.add_subscription(subscriptions.EmailSubscription(email))
        self.topic: sns.ITopic = topic
        """The SNS topic every alarm notifies."""

        self.dashboard: SecurityMonitoringDashboard | None = (
            SecurityMonitoringDashboard(self, "Dashboard") if dashboard else None
        )
        """The dashboard, when ``dashboard=True``."""

        for definition in selected:
            if definition.variant_of is not None:
                self._warn_tuned_variant(definition)

        self._controls: dict[str, DetectiveControl] = {}
        catalogue = [
            self._add(definition, overrides.get(definition.id, overrides.get(definition.variant_of or "")))
            for definition in selected
        ]
        if self.dashboard is not None:
            self.dashboard.add_controls(catalogue)
        if PRIVILEGED_GROUP_CONTROL_ID in (include or CONTROL_IDS) and not privileged_groups:
            Annotations.of(self).add_info(
                f"trailwatch: control {PRIVILEGED_GROUP_CONTROL_ID!r} is not created because no "
                "privileged_groups were given; pass the IAM group names to watch to enable it"
            )

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
        """Deploy a user's own control definition next to the catalogue's.

        The definition's pattern was already parsed when it was created; here its id must be
        new and its alarm settings valid.
        """
        if definition.id in self._controls:
            raise ControlDefinitionError(
                f"duplicate control id {definition.id!r}; already deployed: {', '.join(self._controls)}"
            )
        control = self._add(definition, alarm_settings)
        if self.dashboard is not None:
            self.dashboard.add_controls([control], title=f"{definition.title} (added control)")
        return control

    def _warn_tuned_variant(self, variant: ControlDefinition) -> None:
        security_hub = replaces_security_hub_text(variant)
        consequence = (
            f"Security Hub's exact-text check {security_hub} will fail for it"
            if security_hub
            else "its pattern differs from the catalogue's"
        )
        Annotations.of(self).add_warning_v2(
            f"trailwatch:tuned-variant:{variant.id}",
            f"trailwatch: tuned variant {variant.id!r} replaces control {variant.variant_of!r}; {consequence}",
        )

    def _add(self, definition: ControlDefinition, settings: AlarmSettings | None) -> DetectiveControl:
        control = DetectiveControl(
            self,
            construct_id_for(definition.id),
            definition=definition,
            log_group=self.log_group,
            topic=self.topic,
            alarm_settings=settings,
            alarm_name=f"{self._alarm_name_prefix}{definition.id}",
            metric_namespace=self._metric_namespace,
            language=self._language,
        )
        self._controls[definition.id] = control
        return control

    @staticmethod
    def _validate(
        *,
        log_group: logs.ILogGroup | None,
        trail: TrailOptions | None,
        alarm_emails: Sequence[str],
        include: Sequence[str] | None,
        exclude: Sequence[str],
        privileged_groups: Sequence[str],
        overrides: Mapping[str, AlarmSettings],
        language: str,
        tuned_variants: Sequence[str],
        alarm_name_prefix: str | None,
    ) -> list[ControlDefinition]:
        """Check every property, collecting all problems; return the selected definitions."""
        problems: list[str] = []
        if log_group is None and trail is None:
            problems.append(
                "give exactly one log source: log_group (an existing CloudTrail log group) or "
                "trail=TrailOptions() (create a trail); neither was given"
            )
        if log_group is not None and trail is not None:
            problems.append("give exactly one log source: log_group or trail, not both")
        if trail is not None:
            problems.extend(trail_options_problems(trail, "trail."))
        if alarm_name_prefix is not None and not Token.is_unresolved(alarm_name_prefix):
            longest = max(len(i) for i in (*CONTROL_IDS, *VARIANT_IDS))
            if len(alarm_name_prefix) + longest > MAX_ALARM_NAME_LENGTH or any(ord(c) < 32 for c in alarm_name_prefix):
                problems.append(
                    f"alarm_name_prefix {alarm_name_prefix!r} must be at most {MAX_ALARM_NAME_LENGTH - longest} "
                    "characters without control characters (alarm names are at most 255)"
                )
        selection = resolve_selection(
            include=include, exclude=exclude, privileged_groups=privileged_groups, tuned_variants=tuned_variants
        )
        problems.extend(selection.problems)
        problems.extend(email_problems("alarm_emails", alarm_emails))
        if language not in LANGUAGES:
            problems.append(f"language {language!r} is not supported; supported: {', '.join(LANGUAGES)}")

        selected_ids = {c.id for c in selection.controls} | selection.replaced
        for control_id, settings in overrides.items():
            if control_id not in CONTROL_IDS and control_id not in VARIANT_IDS:
                problems.append(unknown_id_message([control_id], "alarm_overrides"))
            elif control_id not in selected_ids:
                problems.append(f"alarm_overrides has settings for {control_id!r}, which is not deployed")
            problems.extend(alarm_settings_problems(f"alarm_overrides[{control_id!r}]", settings))

        if problems:
            raise ConfigurationError("CloudTrailSecurityMonitoring properties", problems)
        return list(selection.controls)
