"""``CloudTrailAthena``: the controls as Athena queries over a trail's log files in S3.

A Glue database and AWS's documented CloudTrail table with partition projection (account, Region
and day) for a single-account or an organization trail's layout, an Athena workgroup whose
enforced settings write KMS-encrypted results to an SSL-only bucket and cancel a query past a
bytes-scanned cutoff, and one saved (named) query per control, the SQL of
:func:`~trailwatch_constructs.filter_pattern.athena.to_athena_sql`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from aws_cdk import Duration, Names, RemovalPolicy, Stack, Token
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from trailwatch_constructs.catalog import ControlDefinition, catalog_controls
from trailwatch_constructs.constructs.alarm_topic import organization_id_problems
from trailwatch_constructs.constructs.monitoring import construct_id_for
from trailwatch_constructs.constructs.nag import suppress
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.core.validation import number_problem, string_sequence_problem, type_problem
from trailwatch_constructs.filter_pattern import FilterPatternError
from trailwatch_constructs.filter_pattern.athena import AthenaQuery, AthenaTranslationError, to_athena_sql

DEFAULT_DATABASE_NAME = "trailwatch"
DEFAULT_TABLE_NAME = "cloudtrail_logs"
DEFAULT_BYTES_SCANNED_CUTOFF = 10 * 1024**3
"""10 GiB: Athena charges per TB scanned, so a runaway query costs at most a few cents."""
MIN_BYTES_SCANNED_CUTOFF = 10_000_000
"""Athena API reference, WorkGroupConfiguration.BytesScannedCutoffPerQuery: minimum 10000000."""
DEFAULT_PROJECTION_START = datetime.date(2020, 1, 1)
"""The start date of AWS's example table (``projection.timestamp.range``)."""
PARTITION_KEYS = ("account", "region", "timestamp")
"""The table's partition columns; ``timestamp`` is ``yyyy/MM/dd`` as in AWS's example table."""

# Athena User Guide, "Name databases, tables, and columns": lower-case letters, digits and '_'.
# The translator's table argument also requires a first character that is not a digit.
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,254}$")
_ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")

# Athena User Guide, "Create the table for CloudTrail logs in Athena using partition projection"
# (athena/latest/ug/create-cloudtrail-table-partition-projection.html): its columns and types, in its
# order, and its SerDe and input/output formats.
_SESSION_ISSUER = "struct<type:string,principalid:string,arn:string,accountid:string,username:string>"
_USER_IDENTITY = (
    "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,"
    "username:string,onbehalfof:struct<userid:string,identitystorearn:string>,"
    "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,"
    f"sessionissuer:{_SESSION_ISSUER},ec2roledelivery:string,"
    "webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>"
)
CLOUDTRAIL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventversion", "string"),
    ("useridentity", _USER_IDENTITY),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("readonly", "string"),
    ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("vpcendpointaccountid", "string"),
    ("eventcategory", "string"),
    (
        "addendum",
        "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>",
    ),
    ("sessioncredentialfromconsole", "string"),
    ("edgedevicedetails", "string"),
    ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"),
)
"""The documented table's columns (name, Hive type)."""
# The page's ROW FORMAT and STORED AS clauses, as its public copies show them (e.g. the
# partition-projection DDL reproduced in public repositories with this exact column list).
SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


def _sequence_problems(option: str, values: object, pattern: re.Pattern[str], allowed: str) -> list[str]:
    problem = string_sequence_problem(option, values)
    if problem:
        return [problem]
    assert isinstance(values, Sequence)
    if not values:
        return [f"{option} is empty; give at least one {allowed}"]
    return [
        f"{option}: {value!r} is not {allowed}"
        for value in values
        if not Token.is_unresolved(value) and not pattern.match(value)
    ]


def _name_problems(option: str, value: object) -> list[str]:
    if isinstance(value, str) and _NAME_RE.match(value):
        return []
    return [f"{option} {value!r} must be 1-255 lower-case letters, digits or '_', not starting with a digit"]


class CloudTrailAthena(Construct):
    """AWS's CloudTrail table for Athena over a trail bucket, a guarded workgroup and one saved query per control.

    Query a control with ``SELECT ... FROM <database>.<table>`` in the workgroup ``workgroup_name``;
    add ``region``, ``account`` and ``timestamp`` (``yyyy/MM/dd``) predicates to scan less.
    Readers also need ``kms:Decrypt`` on the trail's key when its log files are SSE-KMS.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        organization_id: str | None = None,
        accounts: Sequence[str] | None = None,
        regions: Sequence[str] | None = None,
        projection_start: datetime.date = DEFAULT_PROJECTION_START,
        database_name: str = DEFAULT_DATABASE_NAME,
        table_name: str = DEFAULT_TABLE_NAME,
        bytes_scanned_cutoff: int = DEFAULT_BYTES_SCANNED_CUTOFF,
        results_expiration: Duration | None = None,
        server_access_logs_bucket: s3.IBucket | None = None,
        controls: Sequence[ControlDefinition] | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the database, table, results bucket and key, workgroup and saved queries.

        Args:
            scope: the parent construct.
            construct_id: the id of this construct.
            bucket: the bucket the trail delivers log files to (under ``AWSLogs/``).
            organization_id: the organization of an organization trail, whose files are under
                ``AWSLogs/<organization id>/<account>/``. Default: ``None``, a single-account trail
                (``AWSLogs/<account>/``).
            accounts: the accounts whose log files the table reads (an enum projection).
                Default: this stack's account.
            regions: the Regions whose log files the table reads (an enum projection).
                Default: this stack's Region.
            projection_start: the first day partitions are projected for. Default: 2020-01-01.
            database_name: the Glue database. Default: ``trailwatch``.
            table_name: the CloudTrail table. Default: ``cloudtrail_logs``.
            bytes_scanned_cutoff: bytes a query may scan before Athena cancels it, at least
                10,000,000. Default: 10 GiB.
            results_expiration: how long query results are kept. Default: 30 days.
            server_access_logs_bucket: receives the results bucket's server access logs (its default
                encryption must be SSE-S3). Default: none (a justified cdk-nag suppression).
            controls: the controls to save a query for. Default: every catalogue control.
            removal_policy: what ``cdk destroy`` does to the results bucket and key. Default: ``RETAIN``.

        Raises:
            ConfigurationError: naming every invalid property, and every control with no faithful SQL.
        """
        expiration = Duration.days(30) if results_expiration is None else results_expiration
        chosen = tuple(catalog_controls()) if controls is None else controls
        table = f"{database_name}.{table_name}"
        problems = _property_problems(
            bucket=bucket,
            organization_id=organization_id,
            accounts=accounts,
            regions=regions,
            projection_start=projection_start,
            database_name=database_name,
            table_name=table_name,
            bytes_scanned_cutoff=bytes_scanned_cutoff,
            results_expiration=expiration,
            server_access_logs_bucket=server_access_logs_bucket,
            removal_policy=removal_policy,
        )
        names_valid = not _name_problems("", database_name) and not _name_problems("", table_name)
        queries = _queries(chosen, table if names_valid else DEFAULT_TABLE_NAME, problems)
        if problems:
            raise ConfigurationError("CloudTrailAthena properties", problems)
        super().__init__(scope, construct_id)
        # Server access logs through a bucket policy, which works with ACLs disabled (as AuditTrail does).
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        stack = Stack.of(self)
        self.queries: Mapping[str, AthenaQuery] = MappingProxyType(queries)
        """Each control's query (SQL and translation notes) by control id."""
        self.database = self._create_database(database_name)
        """The Glue database."""
        self.table = self._create_table(
            bucket,
            table_name,
            organization_id,
            accounts or [stack.account],
            regions or [stack.region],
            projection_start,
        )
        """The CloudTrail table (Glue), with partition projection."""
        self.key = kms.Key(
            self,
            "ResultsKey",
            description="trailwatch: encrypts Athena query results over CloudTrail logs",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        """Customer-managed key of the query results."""
        self.results_bucket = self._create_results_bucket(expiration, server_access_logs_bucket, removal_policy)
        """The bucket the workgroup writes query results to (SSE-KMS with ``key``, SSL only)."""
        self.workgroup = self._create_workgroup(bytes_scanned_cutoff)
        """The Athena workgroup, its settings enforced over each query's own."""
        self.named_queries = self._create_named_queries(chosen)
        """The saved query of each control, by control id."""

    @property
    def workgroup_name(self) -> str:
        """The workgroup's name."""
        return self.workgroup.ref

    @property
    def table_reference(self) -> str:
        """``<database>.<table>``, as the saved queries name it."""
        return f"{self.database.ref}.{self.table.ref}"

    def _create_database(self, database_name: str) -> glue.CfnDatabase:
        return glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Stack.of(self).account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name, description="trailwatch: CloudTrail log files, for Athena"
            ),
        )

    def _create_table(
        self,
        bucket: s3.IBucket,
        table_name: str,
        organization_id: str | None,
        accounts: Sequence[str],
        regions: Sequence[str],
        projection_start: datetime.date,
    ) -> glue.CfnTable:
        prefix = f"s3://{bucket.bucket_name}/AWSLogs/" + (f"{organization_id}/" if organization_id else "")
        # Athena User Guide, "Partition projection with Amazon Athena" (partition-projection-supported-types):
        # enum for the listed accounts and Regions, date for the day; the template maps them to the
        # CloudTrail layout <prefix><account>/CloudTrail/<region>/<yyyy/MM/dd>.
        parameters = {
            "classification": "cloudtrail",
            "EXTERNAL": "TRUE",
            "projection.enabled": "true",
            "projection.account.type": "enum",
            "projection.account.values": ",".join(accounts),
            "projection.region.type": "enum",
            "projection.region.values": ",".join(regions),
            "projection.timestamp.type": "date",
            "projection.timestamp.format": "yyyy/MM/dd",
            "projection.timestamp.range": f"{projection_start:%Y/%m/%d},NOW",
            "projection.timestamp.interval": "1",
            "projection.timestamp.interval.unit": "DAYS",
            "storage.location.template": prefix + "${account}/CloudTrail/${region}/${timestamp}",
        }
        return glue.CfnTable(
            self,
            "Table",
            catalog_id=Stack.of(self).account,
            database_name=self.database.ref,
            table_input=glue.CfnTable.TableInputProperty(
                name=table_name,
                description="trailwatch: CloudTrail log files (AWS's documented table, partition projection)",
                table_type="EXTERNAL_TABLE",
                parameters=parameters,
                partition_keys=[glue.CfnTable.ColumnProperty(name=key, type="string") for key in PARTITION_KEYS],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in CLOUDTRAIL_COLUMNS],
                    location=prefix,
                    input_format=INPUT_FORMAT,
                    output_format=OUTPUT_FORMAT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=SERDE),
                ),
            ),
        )

    def _create_results_bucket(
        self, expiration: Duration, access_logs: s3.IBucket | None, removal_policy: RemovalPolicy
    ) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "ResultsBucket",
            # Results hold excerpts of audit logs: readers need the key as well as the bucket.
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="athena-results-bucket/" if access_logs is not None else None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=expiration,
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
        )
        suppress(
            bucket,
            "NIST.800.53.R5-S3BucketReplicationEnabled",
            "Query results are transient, derived copies that expire by lifecycle; the source records stay in the "
            "trail bucket, so a replica would only duplicate data that can be recomputed.",
        )
        if access_logs is None:
            suppress(
                bucket,
                "AwsSolutions-S1",
                "Query results are transient copies of CloudTrail records, expired by a lifecycle rule; every "
                "query that writes them is itself recorded by CloudTrail (athena:StartQueryExecution).",
            )
            suppress(
                bucket,
                "NIST.800.53.R5-S3BucketLoggingEnabled",
                "Query results are transient copies of CloudTrail records, expired by a lifecycle rule; every "
                "query that writes them is itself recorded by CloudTrail (athena:StartQueryExecution).",
            )
        return bucket

    def _create_workgroup(self, bytes_scanned_cutoff: int) -> athena.CfnWorkGroup:
        stack = Stack.of(self)
        return athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=Names.unique_resource_name(self, max_length=128),
            description="trailwatch: hunting with the detective controls over CloudTrail logs",
            state="ENABLED",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                bytes_scanned_cutoff_per_query=bytes_scanned_cutoff,
                publish_cloud_watch_metrics_enabled=True,
                # The translation is written for Trino's SQL, Athena engine version 3.
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self.results_bucket.s3_url_for_object("results/"),
                    expected_bucket_owner=stack.account,
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=self.key.key_arn
                    ),
                ),
            ),
        )

    def _create_named_queries(self, controls: Sequence[ControlDefinition]) -> Mapping[str, athena.CfnNamedQuery]:
        named: dict[str, athena.CfnNamedQuery] = {}
        for control in controls:
            query = athena.CfnNamedQuery(
                self,
                construct_id_for(control.id),
                name=f"trailwatch {control.id}",
                description=control.title[:1024],
                database=self.database.ref,
                work_group=self.workgroup.ref,
                query_string=self.queries[control.id].sql,
            )
            # The table is not referenced by the SQL's tokens: create it before its queries.
            query.add_dependency(self.table)
            named[control.id] = query
        return MappingProxyType(named)


def _property_problems(
    *,
    bucket: object,
    organization_id: object,
    accounts: object,
    regions: object,
    projection_start: object,
    database_name: object,
    table_name: object,
    bytes_scanned_cutoff: object,
    results_expiration: object,
    server_access_logs_bucket: object,
    removal_policy: object,
) -> list[str]:
    problems: list[str] = []
    for option, value in (("bucket", bucket), ("server_access_logs_bucket", server_access_logs_bucket)):
        if (value is not None or option == "bucket") and not hasattr(value, "bucket_name"):
            problems.append(f"{option} {value!r} is a {type(value).__name__}; expected an s3.IBucket")
    if organization_id is not None:
        problems += organization_id_problems("organization_id", organization_id)
    if accounts is not None:
        problems += _sequence_problems("accounts", accounts, _ACCOUNT_RE, "a 12-digit account id")
    if regions is not None:
        problems += _sequence_problems("regions", regions, _REGION_RE, "a Region name such as 'eu-west-1'")
    problems += _name_problems("database_name", database_name)
    problems += _name_problems("table_name", table_name)
    checks = (
        type_problem("projection_start", projection_start, datetime.date, "a datetime.date, e.g. date(2020, 1, 1)"),
        number_problem("bytes_scanned_cutoff", bytes_scanned_cutoff, integer=True),
        type_problem("results_expiration", results_expiration, Duration, "a Duration, e.g. Duration.days(30)"),
        type_problem("removal_policy", removal_policy, RemovalPolicy, "a RemovalPolicy, e.g. RemovalPolicy.RETAIN"),
    )
    problems += [problem for problem in checks if problem]
    if (
        isinstance(bytes_scanned_cutoff, int)
        and not isinstance(bytes_scanned_cutoff, bool)
        and bytes_scanned_cutoff < MIN_BYTES_SCANNED_CUTOFF
    ):
        problems.append(
            f"bytes_scanned_cutoff {bytes_scanned_cutoff} is below Athena's minimum of {MIN_BYTES_SCANNED_CUTOFF}"
        )
    return problems


def _queries(controls: Sequence[ControlDefinition], table: str, problems: list[str]) -> dict[str, AthenaQuery]:
    """Each control's query; a control with no faithful translation is added to ``problems``."""
    queries: dict[str, AthenaQuery] = {}
    if isinstance(controls, str | bytes) or not isinstance(controls, Sequence):
        problems.append(f"controls {controls!r} is a {type(controls).__name__}; give a list of ControlDefinition")
        return queries
    for control in controls:
        if not isinstance(control, ControlDefinition):
            problems.append(f"controls: {control!r} is a {type(control).__name__}; expected a ControlDefinition")
            continue
        if control.id in queries:
            problems.append(f"controls: {control.id!r} is given twice")
            continue
        try:
            # filter_pattern is what the control detects: the union of its deployed filters' texts.
            queries[control.id] = to_athena_sql(control.filter_pattern, table=table)
        except (AthenaTranslationError, FilterPatternError) as error:
            problems.append(f"controls: {control.id!r} has no Athena query: {error}")
    return queries
