"""``AuditTrail``: the CloudTrail trail trailwatch creates when the user brings no log group.

Secure by default and built to pass Security Hub's CloudTrail and CloudWatch.16 checks:
multi-region, global service events, all management events, log file validation, KMS
encryption, a private SSL-only versioned bucket with access logging, and a KMS-encrypted log
group kept at least a year. The bucket and key policies let CloudTrail and CloudWatch Logs act
for this trail and this log group only. Audit data outlives the stack (retained on ``cdk destroy``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aws_cdk import ArnFormat, CfnElement, CfnResource, Names, RemovalPolicy, Stack, Token, region_info
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from trailwatch_constructs.constructs.nag import suppress
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.core.validation import type_problem

MIN_RETENTION_DAYS = 365
"""Security Hub CloudWatch.16: CloudWatch log groups should be retained for at least 1 year."""

# jsii exposes RetentionDays by name only; these are the values shorter than a year.
_RETENTION_UNDER_A_YEAR = {
    "ONE_DAY": 1,
    "THREE_DAYS": 3,
    "FIVE_DAYS": 5,
    "ONE_WEEK": 7,
    "TWO_WEEKS": 14,
    "ONE_MONTH": 30,
    "TWO_MONTHS": 60,
    "THREE_MONTHS": 90,
    "FOUR_MONTHS": 120,
    "FIVE_MONTHS": 150,
    "SIX_MONTHS": 180,
}

# CloudTrail CreateTrail API reference, Name: 3-128 characters of letters, digits, '.', '_' and
# '-'; starts with a letter or digit and ends with one; no '..', '._', '_.', '-_', '_-' and so on.
_TRAIL_NAME_RE = re.compile(r"^(?=.{3,128}$)[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9]))*$")
_MAX_TRAIL_NAME_LENGTH = 128

LOG_GROUP_NAME_PREFIX = "CloudTrail/"
"""The trail's log group is named ``<prefix><trail name>``.

CloudTrail User Guide, "CloudWatch log group and log stream naming for CloudTrail"
(awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html): use a
name that tells the log group apart from others, e.g. ``CloudTrail/logs``.
"""

# CIS AWS Foundations v3.0 3.8 (object-level write events) and 3.9 (read events) for all buckets.
_S3_DATA_EVENT_TYPES = (
    cloudtrail.ReadWriteType.WRITE_ONLY,
    cloudtrail.ReadWriteType.READ_ONLY,
    cloudtrail.ReadWriteType.ALL,
)


@dataclass(frozen=True)
class TrailOptions:
    """Settings of the CloudTrail trail the construct creates (``trail=TrailOptions()``)."""

    trail_name: str | None = None
    """The trail's name; its log group is named ``CloudTrail/<trail name>``.
    Default: generated from the stack and construct path."""
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR
    """Retention of the trail's log group, at least one year (Security Hub CloudWatch.16). Default: one year."""
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    """What ``cdk destroy`` does to the audit buckets, log group and key. Default: retain them."""
    s3_data_events: cloudtrail.ReadWriteType | None = None
    """Object-level S3 data events to log for every bucket of the account: ``ReadWriteType.WRITE_ONLY``
    (CIS AWS Foundations v3.0 3.8), ``READ_ONLY`` (3.9) or ``ALL`` (both). Default: ``None``, none logged.

    Off by default because of cost: CloudTrail charges every delivered data event, the first copy
    included ($0.10 per 100,000 at the time of writing, see AWS CloudTrail pricing), and this trail
    also sends each one to its CloudWatch log group, where ingestion is charged per GB. A bucket
    serving many reads can produce millions of events a day, so ``READ_ONLY`` and ``ALL`` cost most."""


def trail_options_problems(options: TrailOptions, prefix: str = "") -> list[str]:
    """Every invalid field of ``options``, each naming ``prefix`` + the field, the value and what is allowed."""
    problems: list[str] = []
    retention = options.log_retention
    if not isinstance(retention, logs.RetentionDays):
        problems.append(
            f"{prefix}log_retention {retention!r} is a {type(retention).__name__}; expected a "
            "logs.RetentionDays of at least one year, e.g. logs.RetentionDays.ONE_YEAR"
        )
    elif retention.name in _RETENTION_UNDER_A_YEAR:
        problems.append(
            f"{prefix}log_retention {retention.name} ({_RETENTION_UNDER_A_YEAR[retention.name]} days) is below "
            f"{MIN_RETENTION_DAYS} days; Security Hub CloudWatch.16 requires at least one year"
        )
    name = options.trail_name
    if name is not None and not Token.is_unresolved(name):
        if not isinstance(name, str):
            problems.append(f"{prefix}trail_name {name!r} is a {type(name).__name__}; expected a string")
        elif not _TRAIL_NAME_RE.match(name):
            problems.append(
                f"{prefix}trail_name {name!r} must be 3-128 letters, digits, '.', '_' or '-', start with a letter "
                "or digit, and not end with '.', '_' or '-' nor contain '..', '._' and the like"
            )
    problem = type_problem(
        f"{prefix}removal_policy", options.removal_policy, RemovalPolicy, "a RemovalPolicy, e.g. RemovalPolicy.RETAIN"
    )
    if problem:
        problems.append(problem)
    data_events = options.s3_data_events
    if data_events is not None and data_events not in _S3_DATA_EVENT_TYPES:
        problems.append(
            f"{prefix}s3_data_events {data_events!r} is not allowed; expected None (log no S3 data events) or "
            "cloudtrail.ReadWriteType.WRITE_ONLY, READ_ONLY or ALL"
        )
    return problems


class AuditTrail(Construct):
    """A multi-region CloudTrail trail delivering to S3 and to a CloudWatch Logs log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        trail_name: str | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        s3_data_events: cloudtrail.ReadWriteType | None = None,
    ) -> None:
        """Create the key, buckets, log group and trail.

        Args:
            scope: the parent construct.
            construct_id: the id of this construct.
            trail_name: the trail's name; the log group is named ``CloudTrail/<trail name>``.
                Default: generated from the stack and construct path.
            log_retention: how long the log group keeps events; at least one year. Default: one year.
            removal_policy: what ``cdk destroy`` does to the buckets, log group and key.
                Default: ``RETAIN`` (audit evidence outlives the stack).
            s3_data_events: object-level S3 data events to log for every bucket (charged per event,
                see ``TrailOptions.s3_data_events``). Default: ``None``, none logged.

        Raises:
            ConfigurationError: naming every invalid property.
        """
        options = TrailOptions(
            trail_name=trail_name,
            log_retention=log_retention,
            removal_policy=removal_policy,
            s3_data_events=s3_data_events,
        )
        problems = trail_options_problems(options)
        if problems:
            raise ConfigurationError("AuditTrail properties", problems)
        super().__init__(scope, construct_id)
        # Deliver server access logs through a bucket policy, which works with ACLs disabled
        # (BucketOwnerEnforced). Set here so that apps without this flag in cdk.json synthesize too.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        name = trail_name if trail_name is not None else self._generated_trail_name()
        trail_arn = Stack.of(self).format_arn(service="cloudtrail", resource="trail", resource_name=name)
        log_group_name = f"{LOG_GROUP_NAME_PREFIX}{name}"

        self.key = self._create_key(removal_policy, trail_arn, log_group_name)
        """KMS key encrypting the trail's log files and log group."""
        self.access_logs_bucket = self._private_bucket(
            # Server access logging delivers only to buckets whose default encryption is SSE-S3.
            "AccessLogsBucket",
            removal_policy,
            encryption=s3.BucketEncryption.S3_MANAGED,
        )
        """Receives the server access logs of the trail bucket."""
        self.bucket = self._create_trail_bucket(removal_policy, trail_arn)
        """The bucket CloudTrail writes log files (SSE-KMS with ``key``) and digests to."""
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            retention=log_retention,
            encryption_key=self.key,
            removal_policy=removal_policy,
        )
        """The CloudWatch Logs log group the metric filters read."""
        self.trail = self._create_trail(name, s3_data_events)
        """The CloudTrail trail."""
        self._tidy_and_justify()

    def _generated_trail_name(self) -> str:
        # Explicit names: the policies name the trail and its log group, which reference the key and
        # the bucket, so a name CloudFormation generates (a Ref) would make a dependency cycle.
        return Names.unique_resource_name(self, max_length=_MAX_TRAIL_NAME_LENGTH)

    def _create_trail_bucket(self, removal_policy: RemovalPolicy, trail_arn: str) -> s3.Bucket:
        bucket = self._private_bucket(
            "Bucket",
            removal_policy,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="trail-bucket/",
        )
        self._allow_cloudtrail_delivery(bucket, trail_arn)
        return bucket

    def _create_key(self, removal_policy: RemovalPolicy, trail_arn: str, log_group_name: str) -> kms.Key:
        key = kms.Key(
            self,
            "Key",
            description="trailwatch: encrypts CloudTrail log files and the trail's CloudWatch log group",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        stack = Stack.of(self)
        _allow_cloudtrail_to_use_key(key, stack, trail_arn)
        _allow_cloudwatch_logs_to_use_key(
            key,
            stack,
            stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=log_group_name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
        )
        return key

    @staticmethod
    def _allow_cloudtrail_delivery(bucket: s3.Bucket, trail_arn: str) -> None:
        # CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"
        # (awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html): the two statements
        # CloudTrail needs, each with the aws:SourceArn condition the guide recommends, so that CloudTrail
        # writes here for this trail only.
        cloudtrail_principal = iam.ServicePrincipal("cloudtrail.amazonaws.com")
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AWSCloudTrailAclCheck",
                principals=[cloudtrail_principal],
                actions=["s3:GetBucketAcl"],
                resources=[bucket.bucket_arn],
                conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
            )
        )
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AWSCloudTrailWrite",
                principals=[cloudtrail_principal],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"AWSLogs/{Stack.of(bucket).account}/*")],
                conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}},
            )
        )

    def _create_trail(self, name: str, s3_data_events: cloudtrail.ReadWriteType | None) -> cloudtrail.Trail:
        # The Trail construct adds its own CloudTrail statements, without aws:SourceArn, to the policy of
        # the bucket it is given; given a reference, it adds none, and the bucket keeps only ours.
        bucket_reference = s3.Bucket.from_bucket_attributes(
            self, "BucketReference", bucket_arn=self.bucket.bucket_arn, bucket_name=self.bucket.bucket_name
        )
        trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=name,
            bucket=bucket_reference,
            encryption_key=self.key,
            is_multi_region_trail=True,
            include_global_service_events=True,
            management_events=cloudtrail.ReadWriteType.ALL,
            enable_file_validation=True,
            send_to_cloud_watch_logs=True,
            cloud_watch_log_group=self.log_group,
        )
        if s3_data_events is not None:
            # A selector of its own: management events are already logged by the selector above.
            trail.log_all_s3_data_events(read_write_type=s3_data_events, include_management_events=False)
        return trail

    def _private_bucket(self, construct_id: str, removal_policy: RemovalPolicy, **props: Any) -> s3.Bucket:
        """A bucket with public access blocked, ACLs disabled, SSL enforced and versioning on."""
        return s3.Bucket(
            self,
            construct_id,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            **props,
        )

    def _tidy_and_justify(self) -> None:
        logs_role = self.trail.node.find_child("LogsRole")
        logs_policy = logs_role.node.find_child("DefaultPolicy")
        cfn_trail = self.trail.node.default_child
        assert isinstance(cfn_trail, CfnResource)
        stack = Stack.of(self)
        # CloudTrail checks the bucket policy when the trail is created, so the trail waits for it. The
        # trail references the role through GetAtt already, so the explicit DependsOn on the role that
        # the Trail construct adds is redundant (cfn-lint W3005); keep the two that matter.
        cfn_trail.add_override(
            "DependsOn",
            [
                stack.get_logical_id(_cfn(self.bucket.policy)),
                stack.get_logical_id(_cfn(logs_policy)),
            ],
        )
        suppress(
            logs_policy,
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "Generated by the CDK Trail construct for its CloudWatch Logs delivery role: logs:CreateLogStream and "
            "logs:PutLogEvents on this trail's log group only; a managed policy would add nothing but reuse.",
        )
        replication_reason = (
            "Cross-region replication needs a second bucket in another region that only the user can choose; "
            "integrity is covered by log file validation and versioning, and organizations usually archive "
            "trails centrally in a log-archive account."
        )
        suppress(self.bucket, "NIST.800.53.R5-S3BucketReplicationEnabled", replication_reason)
        suppress(self.access_logs_bucket, "NIST.800.53.R5-S3BucketReplicationEnabled", replication_reason)
        suppress(
            self.access_logs_bucket,
            "NIST.800.53.R5-S3DefaultEncryptionKMS",
            "S3 server access logs can only be delivered to a target bucket encrypted with SSE-S3 (S3 User Guide, "
            "Enabling Amazon S3 server access logging); it is encrypted, with S3-managed keys.",
        )


def _allow_cloudtrail_to_use_key(key: kms.Key, stack: Stack, trail_arn: str) -> None:
    # CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"
    # (awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html): "Granting encrypt
    # permissions for trails" and "Enable CloudTrail to describe KMS key properties" show these two
    # statements with aws:SourceArn set to the trail ARN, and the encrypt statement with the
    # aws:cloudtrail:arn encryption context; aws:SourceAccount is "supported, but not recommended".
    cloudtrail_principal = iam.ServicePrincipal("cloudtrail.amazonaws.com")
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudTrailEncryptLogs",
            principals=[cloudtrail_principal],
            actions=["kms:GenerateDataKey*"],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceArn": trail_arn},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{stack.partition}:cloudtrail:*:{stack.account}:trail/*"
                    )
                },
            },
        )
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudTrailDescribeKey",
            principals=[cloudtrail_principal],
            actions=["kms:DescribeKey"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
        )
    )


def _allow_cloudwatch_logs_to_use_key(key: kms.Key, stack: Stack, log_group_arn: str) -> None:
    # CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management Service"
    # (AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the Logs service principal of the key's
    # Region, with kms:EncryptionContext:aws:logs:arn, whose value is the log group's ARN, restricting
    # the key to this one log group.
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsUseOfKey",
            principals=[iam.ServicePrincipal(logs_service_principal(stack))],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
        )
    )


def logs_service_principal(stack: Stack) -> str:
    """The CloudWatch Logs service principal of ``stack``'s Region, in its partition.

    The CloudWatch Logs guide names it ``logs.<region>.amazonaws.com``; in aws-cn the domain is
    ``amazonaws.com.cn`` (aws-cdk-lib region-info, ``Default.servicePrincipal``, builds ``logs`` as
    ``<service>.<region>.<domain suffix>``): ``logs.eu-west-1.amazonaws.com``,
    ``logs.cn-north-1.amazonaws.com.cn``, ``logs.us-gov-west-1.amazonaws.com``. The domain suffix
    comes from the CDK's region facts when the Region is known at synth, else from ``AWS::URLSuffix``.
    """
    region = stack.region
    suffix = None if Token.is_unresolved(region) else region_info.RegionInfo.get(region).domain_suffix
    return f"logs.{region}.{suffix or stack.url_suffix}"


def _cfn(construct: IConstruct | None) -> CfnElement:
    resource = construct.node.default_child if construct is not None else None
    if not isinstance(resource, CfnElement):
        raise TypeError("expected an L2 construct with a CloudFormation resource")
    return resource
