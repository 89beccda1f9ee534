"""``DetectiveControl``: one control definition over a log group -> a metric filter and an alarm."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from aws_cdk import Annotations, Aws, CfnMapping, Duration, Stack, Token, region_info
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from trailwatch_constructs.catalog.auditors.coverage import text_origin
from trailwatch_constructs.catalog.definition import AlarmSettings, ControlDefinition, Language, Statistic
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.core.limits import (
    MAX_ALARM_DESCRIPTION_LENGTH,
    MAX_ALARM_NAME_LENGTH,
    MAX_LOG_GROUP_NAME_LENGTH,
    MAX_METRIC_NAMESPACE_LENGTH,
)
from trailwatch_constructs.texts.alarm_description import (
    CONSOLE_HOSTS,
    LANGUAGES,
    AlarmContext,
    alarm_description,
    console_host,
)

DEFAULT_METRIC_NAMESPACE = "CloudTrailMetrics"
"""The namespace AWS's CloudTrail and CIS documentation use for these metrics."""

_GENERATED_SUFFIX_LENGTH = 13
# The deployed length of the pseudo parameters a description embeds; a partition's is its longest.
_ACCOUNT_LENGTH = 12
_REGION_LENGTH = 14
_CONSOLE_HOST_LENGTH = max(len(console_host(p, "x" * _REGION_LENGTH)) for p in CONSOLE_HOSTS)
_CONSOLE_HOSTS_MAPPING_ID = "TrailwatchConsoleHosts"


def _generated_description(
    definition: ControlDefinition,
    settings: AlarmSettings,
    log_group: logs.ILogGroup,
    language: Language | str,
    organization_trail: bool,
) -> str:
    stack = Stack.of(log_group)
    name = log_group.log_group_name
    host = _console_host(Stack.of(log_group))
    lengths = {stack.account: _ACCOUNT_LENGTH, stack.region: _REGION_LENGTH, name: _log_group_name_length(log_group)}
    lengths[host] = _CONSOLE_HOST_LENGTH

    def deployed_length(text: str) -> int:
        # Each token counted at its longest deployed value; an unknown one at the longest log group name.
        return len(_TOKEN_RE.sub(lambda m: "x" * lengths.get(m.group(0), MAX_LOG_GROUP_NAME_LENGTH), text))

    context = AlarmContext(
        account=stack.account,
        region=stack.region,
        log_group_name=name,
        window_seconds=settings.period_seconds * settings.evaluation_periods,
        log_group_name_is_token=Token.is_unresolved(name),
        host=host,
        organization_trail=organization_trail,
    )
    return alarm_description(definition, context, language=language, settings=settings, length_of=deployed_length)


_TOKEN_RE = re.compile(r"\$\{Token\[[^\]]*\]\}")


def _console_host(stack: Stack) -> str:
    """The console host of the stack's partition; looked up at deploy time when the partition is unknown."""
    if not Token.is_unresolved(stack.partition) and not Token.is_unresolved(stack.region):
        return console_host(stack.partition, stack.region)
    mapping = stack.node.try_find_child(_CONSOLE_HOSTS_MAPPING_ID)
    if not isinstance(mapping, CfnMapping):
        partitions = {info.partition for info in region_info.RegionInfo.regions if info.partition}
        mapping = CfnMapping(
            stack,
            _CONSOLE_HOSTS_MAPPING_ID,
            # The commercial host without a Region works in every Region (``?region=`` selects it).
            mapping={p: {"Host": console_host(p, "x").removeprefix("x.")} for p in sorted(partitions)},
        )
    return mapping.find_in_map(Aws.PARTITION, "Host")


def _log_group_name_length(log_group: logs.ILogGroup) -> int:
    """The deployed length of the log group's name, or the longest it can be.

    A construct that imports a log group by a deploy-time name may bound it with an int attribute
    ``max_log_group_name_length`` (``OrganizationTrailLogGroup`` does, and fails the deploy beyond it).
    """
    name = log_group.log_group_name
    if not Token.is_unresolved(name):
        return len(name)
    bound = getattr(log_group.node.scope, "max_log_group_name_length", None)
    if isinstance(bound, int):
        return bound
    resource = log_group.node.default_child
    if isinstance(resource, logs.CfnLogGroup):
        stack = Stack.of(resource)
        explicit = stack.resolve(resource.log_group_name)
        if isinstance(explicit, str):
            return len(explicit)
        if explicit is None:
            # CloudFormation names it "<stack name>-<logical id>-<random suffix>".
            return len(stack.stack_name) + len(str(stack.resolve(resource.logical_id))) + 2 + _GENERATED_SUFFIX_LENGTH
    return MAX_LOG_GROUP_NAME_LENGTH


def alarm_settings_problems(option: str, settings: object) -> list[str]:
    """The problems of ``settings`` given as ``option``, skipping deploy-time tokens."""
    if not isinstance(settings, AlarmSettings):
        return [
            f"{option} {settings!r} is a {type(settings).__name__}; expected AlarmSettings(...), "
            "e.g. AlarmSettings(threshold=5)"
        ]
    return [f"{option}: {p}" for p in settings.problems(is_unresolved=Token.is_unresolved)]


def double_count_problems(definition: ControlDefinition, settings: object) -> list[str]:
    """A problem when a control with several filters alarms above one event (see
    :meth:`ControlDefinition.double_count_problem`); invalid ``settings`` are another check's."""
    effective = settings if isinstance(settings, AlarmSettings) else definition.alarm
    problem = definition.double_count_problem(effective)
    return [problem] if problem else []


def metric_namespace_problem(namespace: object) -> str | None:
    """The problem of a metric namespace, if any (CloudWatch: 1-255 characters, not ``AWS/``)."""
    if Token.is_unresolved(namespace):
        return None
    if not isinstance(namespace, str) or not (
        0 < len(namespace) <= MAX_METRIC_NAMESPACE_LENGTH and not namespace.startswith("AWS/")
    ):
        return (
            f"metric_namespace {namespace!r} must be a string of 1-{MAX_METRIC_NAMESPACE_LENGTH} characters "
            "that does not start with 'AWS/'"
        )
    return None


def _text_problem(option: str, value: object, limit: int) -> str | None:
    """The problem of an optional text of 1-``limit`` characters, if any."""
    if value is None or Token.is_unresolved(value) or (isinstance(value, str) and 0 < len(value) <= limit):
        return None
    shown = f"of {len(value)} characters" if isinstance(value, str) else repr(value)
    return f"{option} {shown} must be a string of 1-{limit} characters"


def language_problem(language: object) -> str | None:
    """The problem of a description language, if any."""
    if language in LANGUAGES:
        return None
    return f"language {language!r} is not supported; supported: {', '.join(LANGUAGES)}"


def metric_conflicts(scope: Construct, construct_id: str, namespace: str, metric_names: Iterable[str]) -> list[str]:
    """Metric filters in the app that already publish one of these metrics where a new construct would.

    Two filters publishing one metric in one account and Region make each alarm count both filters'
    events (the sample app's two stacks did, each firing the other's alarms). Environments compare as
    given: two environment-agnostic stacks may share an account, so they conflict.
    """
    here = Stack.of(scope)
    wanted = set(metric_names)
    reported: set[str] = set()
    problems = []
    for node in scope.node.root.node.find_all():
        if not isinstance(node, logs.CfnMetricFilter):
            continue
        stack = Stack.of(node)
        if (stack.account, stack.region) != (here.account, here.region):
            continue
        for transformation in stack.resolve(node.metric_transformations) or []:
            name = transformation.get("metricName")
            # One problem per metric: a control publishes its metric from several filters.
            if transformation.get("metricNamespace") == namespace and name in wanted - reported:
                reported.add(name)
                problems.append(
                    f"metric {namespace}/{name} is already published by {node.node.path} in the same account and "
                    "Region, so each alarm would count both filters' events; give "
                    f"{scope.node.path}/{construct_id} another metric_namespace"
                )
    return problems


class DetectiveControl(Construct):
    """A CloudWatch Logs metric filter for one control's pattern and an alarm on its metric.

    The filter publishes 1 to ``metric_namespace``/``definition.metric_name`` for every
    matching CloudTrail record; the alarm notifies ``topic`` (and any extra actions) when the
    count reaches the threshold.

    Example::

        DetectiveControl(self, "RootUsage", definition=get_control("root-account-usage"),
                         log_group=trail_log_group, topic=security_topic)
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        definition: ControlDefinition,
        log_group: logs.ILogGroup,
        topic: sns.ITopic | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
        alarm_settings: AlarmSettings | None = None,
        alarm_name: str | None = None,
        alarm_description: str | None = None,
        metric_namespace: str = DEFAULT_METRIC_NAMESPACE,
        language: Language | str = Language.EN,
        organization_trail: bool = False,
    ) -> None:
        """Create the metric filter and alarm.

        Args:
            definition: the control (pattern, metric name, default alarm settings).
            log_group: the log group CloudTrail delivers to.
            topic: SNS topic notified when the alarm fires. Default: none (use ``alarm_actions``).
            alarm_actions: extra actions when the alarm fires. Default: none.
            alarm_settings: overrides ``definition.alarm``. Default: the definition's settings.
            alarm_name: the alarm's name. Default: generated by CloudFormation.
            alarm_description: the alarm's description. Default: generated: what happened, why it
                matters, what to check first, account, region and a Logs Insights link to the matching events.
            metric_namespace: CloudWatch namespace of the metric. Default: ``CloudTrailMetrics``.
            language: language of the generated description, ``en`` or ``ja``. Default: ``en``.
            organization_trail: the log group receives an organization trail, so the generated
                description says the events may come from any member account and its link shows
                ``recipientAccountId``. Default: ``False``.
        """
        problems = self.problems(
            definition=definition,
            alarm_settings=alarm_settings,
            alarm_name=alarm_name,
            alarm_description=alarm_description,
            metric_namespace=metric_namespace,
            language=language,
        )
        if not problems:
            problems = metric_conflicts(scope, construct_id, metric_namespace, [definition.metric_name])
        if problems:
            raise ConfigurationError(f"DetectiveControl {construct_id!r} properties", problems)
        super().__init__(scope, construct_id)
        self.definition = definition
        """The control this construct deploys."""
        self.alarm_settings = alarm_settings or definition.alarm
        """The alarm settings in force (the definition's, or the override)."""
        self.metric_filters: tuple[logs.MetricFilter, ...] = tuple(
            self._create_metric_filter(log_group, metric_namespace, text, position)
            for position, text in enumerate(definition.deployed_patterns, start=1)
        )
        """One metric filter per deployed pattern text (:attr:`ControlDefinition.deployed_patterns`), all
        publishing to the control's metric."""
        self.metric_filter = self.metric_filters[0]
        """The first metric filter: the one with the control's own pattern when it is deployed."""
        self.alarm = self._create_alarm(
            alarm_name,
            alarm_description
            or _generated_description(definition, self.alarm_settings, log_group, language, organization_trail),
        )
        """The CloudWatch alarm on the filter's metric."""
        if topic is not None:
            self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
        for action in alarm_actions:
            self.alarm.add_alarm_action(action)
        self._warn_about_pattern_traps()

    def _warn_about_pattern_traps(self) -> None:
        """Shows each trap of the pattern (text CloudWatch Logs accepts but likely misreads) at synth."""
        for trap in self.definition.filter_pattern.warnings:
            Annotations.of(self).add_warning_v2(
                "trailwatch:pattern-trap", f"control {self.definition.id!r}: pattern {trap}"
            )

    def _metric_filter_id(self, text: str, position: int) -> str:
        """``MetricFilter`` for the control's own pattern (its logical id predates auditor texts), else
        named after the auditor text, so that choosing other auditors keeps each filter's id."""
        if text == self.definition.pattern:
            return "MetricFilter"
        origin = text_origin(self.definition, text)
        return f"MetricFilter-{origin.id}" if origin is not None else f"MetricFilter{position}"

    def _create_metric_filter(
        self, log_group: logs.ILogGroup, namespace: str, text: str, position: int
    ) -> logs.MetricFilter:
        return logs.MetricFilter(
            self,
            self._metric_filter_id(text, position),
            log_group=log_group,
            # Deployed byte for byte: auditors compare the pattern text, not its meaning.
            filter_pattern=logs.FilterPattern.literal(text),
            metric_namespace=namespace,
            metric_name=self.definition.metric_name,
            metric_value="1",
        )

    def _create_alarm(self, alarm_name: str | None, description: str) -> cloudwatch.Alarm:
        settings = self.alarm_settings
        return cloudwatch.Alarm(
            self,
            "Alarm",
            metric=self.metric(),
            threshold=settings.threshold,
            evaluation_periods=settings.evaluation_periods,
            datapoints_to_alarm=settings.datapoints_to_alarm,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData[settings.treat_missing_data.name],
            alarm_name=alarm_name,
            alarm_description=description,
            actions_enabled=True,
        )

    def metric(
        self, *, statistic: Statistic | str | None = None, period: Duration | None = None, label: str | None = None
    ) -> cloudwatch.Metric:
        """The filter's metric with the alarm's statistic and period unless overridden.

        The alarm uses it without a label: a labelled metric renders as a metric-math ``Metrics``
        array, and Security Hub (like CIS's audit steps) finds alarms by their top-level ``MetricName``.
        """
        return self.metric_filter.metric(
            statistic=statistic or self.alarm_settings.statistic,
            period=period or Duration.seconds(self.alarm_settings.period_seconds),
            label=label,
        )

    @staticmethod
    def problems(
        *,
        definition: object,
        alarm_settings: object = None,
        alarm_name: object = None,
        alarm_description: object = None,
        metric_namespace: object = DEFAULT_METRIC_NAMESPACE,
        language: object = Language.EN,
    ) -> list[str]:
        """Every invalid property, as a sentence naming it, the value and what is allowed."""
        if not isinstance(definition, ControlDefinition):
            return [f"definition {definition!r} is a {type(definition).__name__}; expected a ControlDefinition"]
        problems = [] if alarm_settings is None else alarm_settings_problems("alarm_settings", alarm_settings)
        if not problems:
            problems = double_count_problems(definition, alarm_settings)
        checks = (
            _text_problem("alarm_name", alarm_name, MAX_ALARM_NAME_LENGTH),
            # A description with tokens has no length yet; generated ones are sized with the deployed
            # length of their tokens.
            _text_problem("alarm_description", alarm_description, MAX_ALARM_DESCRIPTION_LENGTH),
            metric_namespace_problem(metric_namespace),
            language_problem(language),
        )
        return problems + [p for p in checks if p]
