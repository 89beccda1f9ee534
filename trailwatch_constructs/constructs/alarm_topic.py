"""``AlarmTopic``: an SNS topic that CloudWatch alarms can actually deliver to.

CloudWatch cannot publish to a topic encrypted with the AWS-managed ``alias/aws/sns`` key (its
policy cannot be changed to let CloudWatch use it), and such notifications are dropped without
an error. This topic uses a customer-managed key whose policy lets CloudWatch alarms of this
account use it, enforces SSL, and lets only this account's CloudWatch alarms publish.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.core.limits import MAX_ALARM_NAME_LENGTH
from trailwatch_constructs.core.validation import string_sequence_problem, type_problem

# Deliberately simple: one '@', no spaces, a dot in the domain. SNS confirms the address anyway;
# this catches typos such as a missing '@' or a pasted list before a deploy.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_CLOUDWATCH = iam.ServicePrincipal("cloudwatch.amazonaws.com")


def email_problems(option: str, emails: object) -> list[str]:
    """The problems of a list of email addresses given as ``option`` (a lone string is one of them)."""
    problem = string_sequence_problem(option, emails)
    if problem:
        return [problem]
    assert isinstance(emails, Sequence)
    return [
        f"{option}: {email!r} is not an email address (expected name@domain.tld)"
        for email in emails
        if not Token.is_unresolved(email) and not EMAIL_RE.match(email)
    ]


def alarm_source_conditions(stack: Stack, alarm_name_prefix: str = "") -> dict[str, dict[str, str]]:
    """Confused-deputy guard: only CloudWatch alarms of this account and region, named with the prefix.

    CloudWatch passes the alarm's ARN and account as aws:SourceArn / aws:SourceAccount to both SNS
    and KMS. Documented for the topic policy by the SNS Developer Guide, "Example cases for Amazon
    SNS access control" (sns/latest/dg/sns-access-policy-use-cases.html), "Allow any CloudWatch alarm
    to publish to a topic in a different account"; for the key policy see ``AlarmTopic``.
    """
    return {
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {
            "aws:SourceArn": (
                f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:{alarm_name_prefix}*"
            )
        },
    }


def alarm_name_prefix_problems(option: str, prefix: object) -> list[str]:
    """The problems of an alarm name prefix given as ``option``: a string that is a valid start of an alarm name."""
    if Token.is_unresolved(prefix):
        return []
    if not isinstance(prefix, str):
        return [f"{option} {prefix!r} is a {type(prefix).__name__}; expected a string, e.g. 'ops-'"]
    problems = []
    if len(prefix) >= MAX_ALARM_NAME_LENGTH:
        problems.append(
            f"{option} {prefix!r} is {len(prefix)} characters; alarm names have at most {MAX_ALARM_NAME_LENGTH}"
        )
    if any(ord(c) < 32 or c in "*?" for c in prefix):
        # '*' and '?' are wildcards in the ArnLike condition the prefix goes into.
        problems.append(f"{option} {prefix!r} must not contain control characters, '*' or '?'")
    return problems


# AWS Organizations API reference, Organization.Id: "o-" followed by 10 to 32 lower-case letters or digits.
_ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


def organization_id_problems(option: str, value: object) -> list[str]:
    """A problem unless ``value`` is an AWS Organizations organization id (a deploy-time token passes)."""
    if isinstance(value, str) and (Token.is_unresolved(value) or _ORGANIZATION_ID.match(value)):
        return []
    return [f"{option} {value!r} is not an organization id; expected 'o-' then 10-32 lower-case letters or digits"]


class AlarmTopic(Construct):
    """A KMS-encrypted, SSL-only SNS topic for CloudWatch alarm notifications.

    Only CloudWatch alarms of this account and region whose names start with ``alarm_name_prefix``
    may publish to it and use its key; :meth:`allow_alarms` lets alarms named otherwise publish too.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        emails: Sequence[str] = (),
        topic_name: str | None = None,
        alarm_name_prefix: str = "",
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        organization_id: str | None = None,
    ) -> None:
        """Create the key, topic, policies and email subscriptions.

        Args:
            scope: the parent construct.
            construct_id: the id of this construct.
            emails: addresses subscribed to the topic (each confirms by email). Default: none.
            topic_name: the topic's name. Default: generated by CloudFormation.
            alarm_name_prefix: only alarms whose names start with this may publish and use the key.
                Default: any alarm of this account and region.
            removal_policy: what ``cdk destroy`` does to the key. Default: ``RETAIN``.
            organization_id: let the accounts of this AWS Organizations organization list the
                topic's subscriptions (see :meth:`allow_organization_to_list_subscriptions`).
                Default: none.

        Raises:
            ConfigurationError: naming every invalid property.
        """
        problems = [
            *email_problems("emails", emails),
            *alarm_name_prefix_problems("alarm_name_prefix", alarm_name_prefix),
            *([] if organization_id is None else organization_id_problems("organization_id", organization_id)),
        ]
        problem = type_problem(
            "removal_policy", removal_policy, RemovalPolicy, "a RemovalPolicy, e.g. RemovalPolicy.RETAIN"
        )
        if problem:
            problems.append(problem)
        if problems:
            raise ConfigurationError("AlarmTopic properties", problems)
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="trailwatch: encrypts the security alarm topic; usable by CloudWatch alarms",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        """Customer-managed key of the topic."""
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name="trailwatch security alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        """The SNS topic."""
        self._alarm_name_prefixes: list[str] = []
        self._allow_alarms(alarm_name_prefix)
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        if organization_id is not None:
            self.allow_organization_to_list_subscriptions(organization_id)

    def allow_organization_to_list_subscriptions(self, organization_id: str) -> None:
        """Let principals of an organization call ``sns:ListSubscriptionsByTopic`` on the topic.

        Security Hub's CloudWatch.1-14 are WARNING in an account whose alarm notifies a topic it
        neither owns nor may list the subscriptions of ("Security Hub CloudWatch controls"). The grant
        is AWS's documented pattern for an organization: ``"Principal": {"AWS": "*"}`` with
        ``aws:PrincipalOrgID`` (AWS Knowledge Center, "allow AWS accounts in my organization to publish
        messages to an Amazon SNS topic", whose tip adds other actions the same way; IAM User Guide,
        global condition keys, aws:PrincipalOrgID). Listing subscriptions needs no use of the key.

        Args:
            organization_id: the organization's id, ``o-`` then 10 to 32 lower-case letters or digits.

        Raises:
            ConfigurationError: the id is not an organization id.
        """
        problems = organization_id_problems("organization_id", organization_id)
        if problems:
            raise ConfigurationError("AlarmTopic.allow_organization_to_list_subscriptions arguments", problems)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowOrganizationToListSubscriptions",
                principals=[iam.AnyPrincipal()],
                actions=["sns:ListSubscriptionsByTopic"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            )
        )

    def allow_alarms(self, alarm_name_prefix: str) -> None:
        """Let CloudWatch alarms of this account and region named ``<alarm_name_prefix>...`` publish.

        Adds a topic-policy statement (``sns:Publish``) and a key-policy statement (``kms:Decrypt``,
        ``kms:GenerateDataKey*``) for the CloudWatch service principal, with the same conditions as the
        construct's own alarms: ``aws:SourceAccount`` this account, ``aws:SourceArn`` an alarm ARN of this
        region starting with the prefix. Without it, notifications from other alarms are dropped.
        Adds nothing when an allowed prefix already covers ``alarm_name_prefix``.

        Args:
            alarm_name_prefix: the start of the alarm names to allow, e.g. ``"ops-"``; ``""`` allows
                every alarm of this account and region.

        Raises:
            ConfigurationError: the prefix is not a string, is too long, or holds a control character,
                ``*`` or ``?``.
        """
        problems = alarm_name_prefix_problems("alarm_name_prefix", alarm_name_prefix)
        if problems:
            raise ConfigurationError("AlarmTopic.allow_alarms arguments", problems)
        if not any(alarm_name_prefix.startswith(allowed) for allowed in self._alarm_name_prefixes):
            self._allow_alarms(alarm_name_prefix)

    def _allow_alarms(self, alarm_name_prefix: str) -> None:
        # Statement ids must be unique in a policy: the construct's own prefix gets the plain ones.
        sid_suffix = str(len(self._alarm_name_prefixes) or "")
        self._alarm_name_prefixes.append(alarm_name_prefix)
        conditions = alarm_source_conditions(Stack.of(self), alarm_name_prefix)
        # SNS Developer Guide, "Enable compatibility between event sources from AWS services and
        # encrypted topics" (sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
        # the publishing service (cloudwatch.amazonaws.com) needs kms:GenerateDataKey* and kms:Decrypt
        # on the key, which may carry the aws:SourceAccount and aws:SourceArn conditions.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"AllowCloudWatchAlarmsToUseKey{sid_suffix}",
                principals=[_CLOUDWATCH],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=conditions,
            )
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"AllowCloudWatchAlarmsToPublish{sid_suffix}",
                principals=[_CLOUDWATCH],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=conditions,
            )
        )
