"""``AlertEnricher``: a function every alarm invokes, publishing who did what, where and when.

CloudWatch invokes the function as a second action of each alarm (the alarm keeps its SNS action,
so Security Hub's checks are unchanged). The function reads the matching CloudTrail events, and
publishes one notification per alarm state change to an encrypted topic that only it may publish
to, with email and AWS Chatbot subscribers; CRITICAL controls may go to a topic of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack, Token, region_info
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

import trailwatch_constructs
from trailwatch_constructs.catalog.definition import Language
from trailwatch_constructs.constructs.alarm_topic import email_problems
from trailwatch_constructs.constructs.audit_trail import logs_service_principal
from trailwatch_constructs.constructs.functions import (
    FUNCTION_LOG_RETENTION,
    HANDLER_ARCHITECTURE,
    HANDLER_RUNTIME,
    justify_pinned_runtime,
)
from trailwatch_constructs.constructs.nag import suppress
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.texts.alarm_description import LANGUAGES

HANDLER = "trailwatch_constructs.functions.alert_enricher.index.on_alarm"
"""The function's handler: a module of the package, which the asset holds under its own name."""


ASSET_ROOT = Path(trailwatch_constructs.__file__).resolve().parent.parent
"""The folder holding the package as Python imports it: site-packages for an installed wheel, the
checkout for an editable install. The asset is built from what runs, never from a source tree."""

ASSET_EXCLUDE = (
    # Everything beside the package (the rest of site-packages, or of the checkout) ...
    "*",
    ".*",
    "!trailwatch_constructs",
    "!trailwatch_constructs/**",
    # ... and the parts of the package the handler never imports: the CDK layer and the CLI (both
    # load aws_cdk or click), the CLI's AWS checks, the other function, and bytecode caches.
    "trailwatch_constructs/constructs",
    "trailwatch_constructs/cli",
    "trailwatch_constructs/aws",
    "trailwatch_constructs/functions/log_group_lookup",
    "trailwatch_constructs/testing.py",
    "__pycache__",
    "*.pyc",
)
"""Glob patterns, in order, the last match deciding (CDK ``IgnoreMode.GLOB``): the asset is the
package without what the handler does not import."""

DEFAULT_MAX_EVENTS = 50
"""How many events the function reads from CloudWatch Logs per notification, unless ``max_events`` says otherwise."""
MAX_EVENTS_LIMIT = 1000
DEFAULT_MARGIN_SECONDS = 300
"""Read events this long before and after the alarm's window: CloudTrail delivers events to
CloudWatch Logs minutes after they happen."""
MAX_MARGIN_SECONDS = 86_400
DEFAULT_RESERVED_CONCURRENCY = 5
"""Seventeen alarms firing at once are handled five at a time; throttled asynchronous invocations are
retried by Lambda for up to six hours, so none is lost."""
MAX_RESERVED_CONCURRENCY = 1000
FUNCTION_TIMEOUT = Duration.minutes(2)
"""Reading a busy log group pages through FilterLogEvents; the handler stops reading before this."""
RETRY_ATTEMPTS = 2
"""Lambda's retries of a failed asynchronous invocation before the event goes to the failure queue."""
MAX_EVENT_AGE = Duration.hours(6)
FAILURE_RETENTION = Duration.days(14)
"""SQS's longest retention: a failed notification's event can be inspected and replayed for two weeks."""
# Security Hub CloudWatch.16 expects every log group to keep its events a year.


@dataclass(frozen=True)
class EnrichmentOptions:
    """Settings of the enriched notifications (``CloudTrailSecurityMonitoring(enrich=EnrichmentOptions())``).

    Each alarm then also invokes a function that publishes who did what, where and when to a
    notifications topic; see docs/notifications.md.
    """

    emails: Sequence[str] = ()
    """Addresses subscribed to the notifications topic. Default: none."""
    chatbot: Sequence[Any] = ()
    """AWS Chatbot (Amazon Q Developer in chat applications) channel configurations, e.g.
    ``aws_chatbot.SlackChannelConfiguration``, that the notifications topic is added to (each needs
    ``add_notification_topic``). Default: none."""
    critical_topic: bool | None = None
    """Send notifications of controls whose severity is CRITICAL (``root-account-usage`` in the catalogue)
    to a topic of their own instead of the notifications topic. Default: only when ``critical_emails`` or
    ``critical_chatbot`` are given."""
    critical_emails: Sequence[str] = ()
    """Addresses subscribed to the critical topic. Default: none."""
    critical_chatbot: Sequence[Any] = ()
    """Chatbot channel configurations the critical topic is added to. Default: none."""
    language: Language | str | None = None
    """Language of the notifications, ``en`` or ``ja``. Default: the monitoring construct's."""
    max_events: int = DEFAULT_MAX_EVENTS
    """How many events the function reads from CloudWatch Logs per notification (1-1000); a notification
    says when reading stopped there. Default: 50."""
    margin_seconds: int = DEFAULT_MARGIN_SECONDS
    """Seconds read before and after the alarm's window (0-86,400). Default: 300."""
    reserved_concurrency: int | None = DEFAULT_RESERVED_CONCURRENCY
    """Concurrent executions reserved for the function (1-1000), or ``None`` to reserve none (for an
    account whose concurrency quota is at its minimum, where any reservation fails to deploy). Default: 5."""

    @property
    def creates_critical_topic(self) -> bool:
        """Whether CRITICAL controls get a topic of their own."""
        if self.critical_topic is not None:
            return bool(self.critical_topic)
        return bool(self.critical_emails) or bool(self.critical_chatbot)


def enrich_problems(option: str, value: object) -> list[str]:
    """The problems of ``value`` given as the monitoring construct's ``option``: ``None`` or valid options.

    Args:
        option: the option's name, as the messages show it.
        value: the value given.

    Returns:
        A sentence per problem, naming ``option`` (and the field), the value and what is allowed.
    """
    if value is None:
        return []
    if not isinstance(value, EnrichmentOptions):
        return [
            f"{option} {value!r} is a {type(value).__name__}; expected None or EnrichmentOptions(...), e.g. "
            f"{option}=EnrichmentOptions(emails=['security@example.com'])"
        ]
    return enrichment_options_problems(value, f"{option}.")


def enrichment_options_problems(options: EnrichmentOptions, prefix: str = "") -> list[str]:
    """Every invalid field of ``options``, each naming ``prefix`` + the field, the value and what is allowed."""
    problems = [
        *email_problems(f"{prefix}emails", options.emails),
        *email_problems(f"{prefix}critical_emails", options.critical_emails),
        *_chatbot_problems(f"{prefix}chatbot", options.chatbot),
        *_chatbot_problems(f"{prefix}critical_chatbot", options.critical_chatbot),
        *_critical_topic_problems(prefix, options),
    ]
    checks = (
        None
        if options.language is None or options.language in LANGUAGES
        else f"{prefix}language {options.language!r} is not supported; supported: {', '.join(LANGUAGES)}",
        _range_problem(f"{prefix}max_events", options.max_events, 1, MAX_EVENTS_LIMIT),
        _range_problem(f"{prefix}margin_seconds", options.margin_seconds, 0, MAX_MARGIN_SECONDS),
        None
        if options.reserved_concurrency is None
        else _range_problem(
            f"{prefix}reserved_concurrency", options.reserved_concurrency, 1, MAX_RESERVED_CONCURRENCY, " or None"
        ),
    )
    return problems + [p for p in checks if p]


def _chatbot_problems(option: str, configurations: object) -> list[str]:
    if isinstance(configurations, str | bytes) or not isinstance(configurations, Sequence):
        return [
            f"{option} {configurations!r} is a {type(configurations).__name__}; give a list of Chatbot channel "
            f"configurations, e.g. {option}=[slack_channel]"
        ]
    return [
        f"{option}: {c!r} is a {type(c).__name__}; expected a Chatbot channel configuration with "
        "add_notification_topic, e.g. aws_chatbot.SlackChannelConfiguration"
        for c in configurations
        if not callable(getattr(c, "add_notification_topic", None))
    ]


def _critical_topic_problems(prefix: str, options: EnrichmentOptions) -> list[str]:
    value = options.critical_topic
    if value is None:
        return []
    if not isinstance(value, bool):
        return [f"{prefix}critical_topic {value!r} is a {type(value).__name__}; expected True, False or None"]
    if value is False and (options.critical_emails or options.critical_chatbot):
        return [
            f"{prefix}critical_topic is False, but {prefix}critical_emails or {prefix}critical_chatbot are given "
            "and would have no topic; set critical_topic=True (or leave it None), or give neither"
        ]
    return []


def _range_problem(option: str, value: object, low: int, high: int, alternative: str = "") -> str | None:
    """A problem unless ``value`` is an integer from ``low`` to ``high`` (a deploy-time token passes)."""
    if Token.is_unresolved(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"{option} {value!r} must be an integer from {low:,} to {high:,}{alternative}"


def _is_log_group(value: object) -> bool:
    # jsii interfaces are Protocols that isinstance cannot check; these members make an ILogGroup here.
    return all(hasattr(value, member) for member in ("log_group_name", "log_group_arn", "add_metric_filter"))


class AlertEnricher(Construct):
    """A function that turns each alarm of a log group's controls into a notification people can act on.

    Every alarm given to :meth:`add_alarm` (``CloudTrailSecurityMonitoring(enrich=...)`` adds each of
    its own) invokes the function when it enters ALARM. The function reads the matching CloudTrail
    events from ``log_group`` and publishes one notification to ``topic``, or to ``critical_topic``
    for a CRITICAL control when there is one::

        enricher = AlertEnricher(self, "Enricher", log_group=trail_log_group, emails=["security@example.com"])
        enricher.add_alarm(control.alarm)

    Both topics are encrypted with the construct's key, enforce SSL, and accept messages from the
    function alone. Failed invocations are retried, then kept in the encrypted ``failures`` queue.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_group: logs.ILogGroup,
        emails: Sequence[str] = (),
        chatbot: Sequence[Any] = (),
        critical_topic: bool | None = None,
        critical_emails: Sequence[str] = (),
        critical_chatbot: Sequence[Any] = (),
        language: Language | str = Language.EN,
        max_events: int = DEFAULT_MAX_EVENTS,
        margin_seconds: int = DEFAULT_MARGIN_SECONDS,
        reserved_concurrency: int | None = DEFAULT_RESERVED_CONCURRENCY,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        organization_trail: bool = False,
    ) -> None:
        """Create the key, topics, subscriptions, failure queue and function.

        Args:
            scope: the parent construct.
            construct_id: the id of this construct.
            log_group: the CloudTrail log group the alarms' metric filters read; the function may read
                events from it and from no other.
            emails: addresses subscribed to the notifications topic. Default: none.
            chatbot: Chatbot channel configurations (``aws_chatbot.SlackChannelConfiguration``) the
                notifications topic is added to. Default: none.
            critical_topic: give CRITICAL controls a topic of their own. Default: only when
                ``critical_emails`` or ``critical_chatbot`` are given.
            critical_emails: addresses subscribed to the critical topic. Default: none.
            critical_chatbot: Chatbot channel configurations the critical topic is added to. Default: none.
            language: language of the notifications, ``en`` or ``ja``. Default: ``en``.
            max_events: events read from CloudWatch Logs per notification, 1-1000. Default: 50.
            margin_seconds: seconds read before and after the alarm's window, 0-86,400. Default: 300.
            reserved_concurrency: concurrent executions reserved for the function, or ``None``.
                Default: 5.
            removal_policy: what ``cdk destroy`` does to the key. Default: ``RETAIN``.
            organization_trail: the log group receives an organization trail: the events link shows each
                event's member account first, as the alarm descriptions' links do. Default: ``False``.

        Raises:
            ConfigurationError: naming every invalid property.
        """
        options = EnrichmentOptions(
            emails=emails,
            chatbot=chatbot,
            critical_topic=critical_topic,
            critical_emails=critical_emails,
            critical_chatbot=critical_chatbot,
            language=language,
            max_events=max_events,
            margin_seconds=margin_seconds,
            reserved_concurrency=reserved_concurrency,
        )
        problems = _property_problems(log_group, options, removal_policy)
        if problems:
            raise ConfigurationError("AlertEnricher properties", problems)
        super().__init__(scope, construct_id)
        self.log_group: logs.ILogGroup = log_group
        """The CloudTrail log group the function reads events from."""
        self._organization_trail = organization_trail
        self.key = kms.Key(
            self,
            "Key",
            description="trailwatch: encrypts the enriched alarm notifications, their failures and the function's logs",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        """Customer-managed key of the topics, the failure queue and the function's log group."""
        self.topic = self._create_topic("Topic", "trailwatch security notifications", emails, chatbot)
        """The notifications topic: one enriched notification per alarm state change."""
        self.critical_topic: sns.Topic | None = (
            self._create_topic("CriticalTopic", "trailwatch critical notifications", critical_emails, critical_chatbot)
            if options.creates_critical_topic
            else None
        )
        """The topic of CRITICAL controls' notifications, when there is one."""
        self.failures = self._create_failure_queue()
        """Where invocations that failed after Lambda's retries are kept (the on-failure destination)."""
        self.function_logs = self._create_function_log_group()
        """The function's own log group."""
        self.role = self._create_role()
        """The function's execution role."""
        self.function = self._create_function(options)
        """The Lambda function CloudWatch invokes."""
        self._limit_publishing_to_the_function()

    def alarm_action(self) -> cloudwatch.IAlarmAction:
        """An alarm action invoking the function; binding it lets that alarm, and it alone, invoke it.

        ``LambdaAction`` adds a permission for ``lambda.alarms.cloudwatch.amazonaws.com`` with the
        alarm's ARN as ``SourceArn`` and the stack's account as ``SourceAccount`` (CloudWatch User Guide,
        "Invoke a Lambda function from an alarm", alarms-and-actions-Lambda.html), one per alarm, with an
        id unique to the alarm.
        """
        return cloudwatch_actions.LambdaAction(self.function, use_unique_permission_id=True)

    def add_alarm(self, alarm: cloudwatch.Alarm) -> None:
        """Make ``alarm`` invoke the function when it enters ALARM, after its other actions.

        Args:
            alarm: an alarm on the metric of a metric filter of ``log_group``.
        """
        alarm.add_alarm_action(self.alarm_action())

    def _create_topic(
        self, construct_id: str, display_name: str, emails: Sequence[str], chatbot: Sequence[Any]
    ) -> sns.Topic:
        topic = sns.Topic(self, construct_id, display_name=display_name, master_key=self.key, enforce_ssl=True)
        for email in emails:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        for configuration in chatbot:
            configuration.add_notification_topic(topic)
        return topic

    @property
    def topics(self) -> tuple[sns.Topic, ...]:
        """The topics the function publishes to."""
        return (self.topic,) if self.critical_topic is None else (self.topic, self.critical_topic)

    def _create_failure_queue(self) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            "Failures",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            enforce_ssl=True,
            retention_period=FAILURE_RETENTION,
        )
        suppress(
            queue,
            "AwsSolutions-SQS3",
            "This queue is itself the failure destination of the enrichment function's asynchronous invocations "
            "(Lambda's dead letters); a dead-letter queue behind it would have nothing to receive.",
        )
        return queue

    def _create_function_log_group(self) -> logs.LogGroup:
        stack = Stack.of(self)
        # CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management
        # Service" (AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the Region's Logs service
        # principal may use the key for log groups whose ARN matches kms:EncryptionContext:aws:logs:arn.
        # The group's name is generated ("<stack name>-<logical id>-<suffix>"), so the condition names
        # this stack's groups: naming the group itself would make the key and the group depend on each other.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsUseOfKey",
                principals=[iam.ServicePrincipal(logs_service_principal(stack))],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name=f"{Aws.STACK_NAME}-*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        return logs.LogGroup(self, "FunctionLogs", retention=FUNCTION_LOG_RETENTION, encryption_key=self.key)

    def _create_role(self) -> iam.Role:
        # Instead of AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream and PutLogEvents
        # on every log group): writing to the function's own log group only.
        role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="trailwatch: reads the alarmed CloudTrail events and publishes the enriched notification",
        )
        self.function_logs.grant_write(role)
        stack = Stack.of(self)
        for statement in _function_statements(stack, self.log_group, self.topics, self.failures, self.key):
            role.add_to_policy(statement)
        self._justify_role_policy(role.node.find_child("DefaultPolicy"))
        return role

    def _justify_role_policy(self, policy: IConstruct) -> None:
        suppress(
            policy,
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "Generated by the CDK for this function's role alone: its least-privilege permissions next to the "
            "function they serve; a managed policy would add nothing but reuse.",
        )
        stack = Stack.of(self)
        applies_to = [f"Resource::{_nag_text(stack, _log_groups_arn(stack))}"]
        reasons = [
            "logs:DescribeMetricFilters finds the alarm's metric filter and its log group by metric name, so the "
            "request names no log group and IAM evaluates it against arn:...:log-group::log-stream:; the statement "
            "allows this account's and Region's log groups and nothing else."
        ]
        monitored = _nag_text(stack, self.log_group.log_group_arn)
        if "*" in monitored:
            # An imported log group's ARN is arn:...:log-group:<name>:*, the form IAM matches
            # FilterLogEvents against (arn:...:log-group:<name>:log-stream:).
            applies_to.append(f"Resource::{monitored}")
            reasons.append(
                "logs:FilterLogEvents is allowed on the monitored log group alone; the ':*' ending its ARN is how "
                "CloudWatch Logs names a log group in policies (its log streams), not a wildcard over groups."
            )
        applies_to.append("Action::kms:GenerateDataKey*")
        reasons.append(
            "kms:GenerateDataKey* is the action family SNS and SQS ask for on the publisher's behalf, on this "
            "construct's key only and through those two services only (kms:ViaService)."
        )
        suppress(policy, "AwsSolutions-IAM5", " ".join(reasons), applies_to=applies_to)

    def _create_function(self, options: EnrichmentOptions) -> lambda_.Function:
        environment = {
            "TRAILWATCH_NOTIFICATIONS_TOPIC_ARN": self.topic.topic_arn,
            "TRAILWATCH_LANGUAGE": str(options.language),
            "TRAILWATCH_MAX_EVENTS": str(options.max_events),
            "TRAILWATCH_MARGIN_SECONDS": str(options.margin_seconds),
        }
        if self.critical_topic is not None:
            environment["TRAILWATCH_CRITICAL_TOPIC_ARN"] = self.critical_topic.topic_arn
        if self._organization_trail:
            environment["TRAILWATCH_ORGANIZATION_TRAIL"] = "true"
        function = lambda_.Function(
            self,
            "Function",
            description="trailwatch: publishes who did what, where and when for each CloudTrail alarm",
            runtime=HANDLER_RUNTIME,
            architecture=HANDLER_ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(ASSET_ROOT), exclude=list(ASSET_EXCLUDE)),
            timeout=FUNCTION_TIMEOUT,
            memory_size=256,
            role=self.role,
            log_group=self.function_logs,
            environment=environment,
            reserved_concurrent_executions=options.reserved_concurrency,
            on_failure=_FailureQueue(self.failures),
            retry_attempts=RETRY_ATTEMPTS,
            max_event_age=MAX_EVENT_AGE,
        )
        self._justify(function, options)
        return function

    def _justify(self, function: lambda_.Function, options: EnrichmentOptions) -> None:
        # The function must not run before its role's policy is attached, so it waits for the policy. It
        # references the role through GetAtt already, so the DependsOn on the role the CDK adds too is
        # redundant (cfn-lint W3005).
        policy = self.role.node.find_child("DefaultPolicy").node.default_child
        resource = function.node.default_child
        assert isinstance(policy, iam.CfnPolicy) and isinstance(resource, lambda_.CfnFunction)
        resource.add_override("DependsOn", [policy.logical_id])
        justify_pinned_runtime(function, "the standard library, boto3 and trailwatch's pure-Python modules only")
        suppress(
            function,
            "NIST.800.53.R5-LambdaDLQ",
            "Failed asynchronous invocations go to an on-failure destination, the KMS-encrypted Failures queue "
            "(EventInvokeConfig), which unlike a dead-letter queue also records the function's error and the "
            "invocation's details; a dead-letter queue beside it would receive the same events twice.",
        )
        suppress(
            function,
            "NIST.800.53.R5-LambdaInsideVPC",
            "Calls only AWS APIs (CloudWatch Logs, SNS, SQS) and stores nothing; a VPC would need interface "
            "endpoints or a NAT gateway for each and protect nothing.",
        )
        if options.reserved_concurrency is None:
            suppress(
                function,
                "NIST.800.53.R5-LambdaConcurrency",
                "reserved_concurrency=None was chosen: the account's concurrency quota is at its minimum, where "
                "any reservation fails to deploy. Throttled alarm invocations are retried by Lambda for six hours.",
            )

    def _limit_publishing_to_the_function(self) -> None:
        # An explicit deny in the topic policy overrides any allow (IAM User Guide, "Policy evaluation
        # logic"), so no identity policy of the account can let another principal publish; for a role
        # session, aws:PrincipalArn is the role's ARN (IAM User Guide, "AWS global condition context
        # keys"). The role's own policy allows its publish.
        for topic in self.topics:
            topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="PublishOnlyFromTheEnrichmentFunction",
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=["sns:Publish"],
                    resources=[topic.topic_arn],
                    conditions={"ArnNotEquals": {"aws:PrincipalArn": self.role.role_arn}},
                )
            )


@jsii.implements(lambda_.IDestination)
class _FailureQueue:
    """The queue as an on-failure destination, without the grant ``SqsDestination`` adds.

    ``aws_lambda_destinations.SqsDestination`` also grants sqs:GetQueueAttributes, sqs:GetQueueUrl and
    kms:Encrypt and kms:ReEncrypt* on the queue's key, which Lambda does not use: the role's own statements
    (:func:`_function_statements`) allow sqs:SendMessage and the key's use through SQS.
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    def bind(
        self, _scope: Construct, _fn: lambda_.IFunction, *, type: lambda_.DestinationType | None = None
    ) -> lambda_.DestinationConfig:
        return lambda_.DestinationConfig(destination=self._queue.queue_arn)


def _function_statements(
    stack: Stack, log_group: logs.ILogGroup, topics: Sequence[sns.ITopic], failures: sqs.IQueue, key: kms.IKey
) -> list[iam.PolicyStatement]:
    """The function's permissions beyond writing its own logs, each on the resources it needs alone.

    Resource types per action from the Service Authorization Reference
    (service-authorization/latest/reference/): "Actions, resources, and condition keys for Amazon
    CloudWatch Logs" lists ``log-group*`` for DescribeMetricFilters and FilterLogEvents; "... for Amazon
    SNS" ``topic*`` for Publish; "... for Amazon SQS" ``queue*`` for SendMessage; "... for AWS KMS"
    ``key*`` for Decrypt and GenerateDataKey*.
    """
    return [
        # Called with the alarm's metric name and namespace and no log group, which IAM evaluates against
        # arn:...:log-group::log-stream: (with a log group: arn:...:log-group:<name>:log-stream:, as
        # prowler-cloud/prowler#37 shows in an AccessDenied message), so the statement allows this
        # account's and Region's log-group ARNs: the metric filters' definitions, no log events.
        iam.PolicyStatement(
            actions=["logs:DescribeMetricFilters"],
            resources=[_log_groups_arn(stack)],
        ),
        # The events themselves: the monitored log group only. CloudWatch Logs decrypts them with its own
        # grant on the group's key; the caller needs no KMS permission.
        iam.PolicyStatement(actions=["logs:FilterLogEvents"], resources=[log_group.log_group_arn]),
        iam.PolicyStatement(actions=["sns:Publish"], resources=[t.topic_arn for t in topics]),
        # Lambda sends the failed invocation's event to the on-failure destination with the execution role
        # (Lambda Developer Guide, "Adding a destination": the role needs sqs:SendMessage).
        iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[failures.queue_arn]),
        # SNS Developer Guide, "Managing Amazon SNS encryption keys" (sns/latest/dg/sns-key-management.html),
        # "Allow a user to send messages to a topic with SSE": kms:GenerateDataKey* and kms:Decrypt on the
        # topic's key; SQS asks the same of a producer to a queue with SSE. Only through those two services
        # (AWS KMS Developer Guide, kms:ViaService): the function's code cannot use the key directly.
        iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=[key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": [_service_host(stack, "sns"), _service_host(stack, "sqs")]}},
        ),
    ]


def _log_groups_arn(stack: Stack) -> str:
    """``arn:<partition>:logs:<region>:<account>:log-group:*``: every log group of the stack's account and Region."""
    return stack.format_arn(
        service="logs", resource="log-group", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
    )


def _nag_text(stack: Stack, value: str) -> str:
    """``value`` as cdk-nag writes a resource in its findings: ``Ref`` as ``<name>``, ``GetAtt`` as ``<id.attr>``."""

    def render(part: Any) -> str:
        if isinstance(part, str):
            return part
        if "Ref" in part:
            return f"<{part['Ref']}>"
        if "Fn::GetAtt" in part:
            return f"<{'.'.join(part['Fn::GetAtt'])}>"
        separator, parts = part["Fn::Join"]
        return str(separator).join(render(p) for p in parts)

    return render(stack.resolve(value))


def _service_host(stack: Stack, service: str) -> str:
    """``<service>.<region>.<domain suffix>``, the kms:ViaService value of a regional service (``amazonaws.com``,
    ``amazonaws.com.cn`` in China), from the CDK's region facts when the Region is known at synth."""
    region = stack.region
    suffix = None if Token.is_unresolved(region) else region_info.RegionInfo.get(region).domain_suffix
    return f"{service}.{region}.{suffix or stack.url_suffix}"


def _property_problems(log_group: object, options: EnrichmentOptions, removal_policy: object) -> list[str]:
    problems = []
    if not _is_log_group(log_group):
        problems.append(f"log_group {log_group!r} is a {type(log_group).__name__}; expected a logs.ILogGroup")
    problems += enrichment_options_problems(options)
    if options.language is None:
        problems.append(f"language None is not supported; supported: {', '.join(LANGUAGES)}")
    if not isinstance(removal_policy, RemovalPolicy):
        problems.append(
            f"removal_policy {removal_policy!r} is a {type(removal_policy).__name__}; expected a RemovalPolicy, "
            "e.g. RemovalPolicy.RETAIN"
        )
    return problems


def enricher_properties(options: EnrichmentOptions, language: Language | str) -> dict[str, Any]:
    """``AlertEnricher``'s keyword arguments from ``options``, its language defaulting to ``language``."""
    properties = {f.name: getattr(options, f.name) for f in fields(options)}
    if options.language is None:
        properties["language"] = language
    return properties
