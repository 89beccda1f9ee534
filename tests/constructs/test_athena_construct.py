"""CloudTrailAthena: AWS's documented CloudTrail table, a guarded workgroup and one saved query per control."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from tests.constructs.helpers import ACCOUNT, REGION, new_stack, rendered_text, resources_of
from trailwatch_constructs import CloudTrailAthena, catalog_controls, parse_filter_pattern
from trailwatch_constructs.constructs.athena import CLOUDTRAIL_COLUMNS, INPUT_FORMAT, SERDE
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.filter_pattern.athena import to_athena_sql

ORGANIZATION_ID = "o-abcdefghij"


def _synth(**props: Any) -> Template:
    stack = new_stack()
    bucket = s3.Bucket.from_bucket_name(stack, "TrailBucket", "trail-bucket")
    CloudTrailAthena(stack, "Athena", bucket=bucket, **props)
    return Template.from_stack(stack)


def _table_input(template: Template) -> dict[str, Any]:
    (table,) = resources_of(template, "AWS::Glue::Table").values()
    table_input: dict[str, Any] = table["Properties"]["TableInput"]
    return table_input


@pytest.fixture(scope="module")
def default_athena() -> Template:
    """A CloudTrailAthena with every property left to its default."""
    return _synth()


def test_the_table_has_the_documented_columns_serde_and_input_format(default_athena: Template) -> None:
    # GIVEN the default construct WHEN synthesized
    descriptor = _table_input(default_athena)["StorageDescriptor"]
    # THEN the table is AWS's documented CloudTrail table
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == list(CLOUDTRAIL_COLUMNS)
    assert descriptor["SerdeInfo"]["SerializationLibrary"] == SERDE == "org.apache.hive.hcatalog.data.JsonSerDe"
    assert descriptor["InputFormat"] == INPUT_FORMAT


def test_a_single_account_trail_projects_its_account_and_region(default_athena: Template) -> None:
    # GIVEN no organization, accounts or regions WHEN synthesized
    parameters = _table_input(default_athena)["Parameters"]
    # THEN the stack's account and Region are projected, one partition per day
    assert parameters["projection.account.values"] == ACCOUNT
    assert parameters["projection.region.values"] == REGION
    assert parameters["projection.timestamp.format"] == "yyyy/MM/dd"
    assert parameters["projection.timestamp.range"] == "2020/01/01,NOW"
    assert parameters["storage.location.template"] == (
        "s3://trail-bucket/AWSLogs/${account}/CloudTrail/${region}/${timestamp}"
    )


def test_an_organization_trail_reads_under_the_organization_id() -> None:
    # GIVEN an organization trail with two accounts and two Regions
    template = _synth(
        organization_id=ORGANIZATION_ID, accounts=["111111111111", "222222222222"], regions=["eu-west-1", "us-east-1"]
    )
    # WHEN synthesized THEN the template puts the organization id before the account
    parameters = _table_input(template)["Parameters"]
    assert parameters["storage.location.template"] == (
        f"s3://trail-bucket/AWSLogs/{ORGANIZATION_ID}/${{account}}/CloudTrail/${{region}}/${{timestamp}}"
    )
    assert parameters["projection.account.values"] == "111111111111,222222222222"
    assert parameters["projection.region.values"] == "eu-west-1,us-east-1"


def test_the_workgroup_enforces_encrypted_results_and_a_cutoff(default_athena: Template) -> None:
    # GIVEN the default construct WHEN synthesized THEN its workgroup settings override each query's
    default_athena.has_resource_properties(
        "AWS::Athena::WorkGroup",
        {
            "WorkGroupConfiguration": Match.object_like(
                {
                    "EnforceWorkGroupConfiguration": True,
                    "BytesScannedCutoffPerQuery": 10 * 1024**3,
                    "ResultConfiguration": Match.object_like(
                        {"EncryptionConfiguration": Match.object_like({"EncryptionOption": "SSE_KMS"})}
                    ),
                }
            )
        },
    )


def test_the_results_bucket_is_private_ssl_only_and_expires_results(default_athena: Template) -> None:
    # GIVEN the default construct WHEN synthesized THEN the results bucket is private and expiring
    default_athena.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LifecycleConfiguration": {"Rules": Match.array_with([Match.object_like({"ExpirationInDays": 30})])},
        },
    )
    (policy,) = resources_of(default_athena, "AWS::S3::BucketPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


@pytest.mark.parametrize("control", catalog_controls(), ids=lambda c: c.id)
def test_each_control_has_a_saved_query_with_the_translator_sql(default_athena: Template, control: Any) -> None:
    # GIVEN a catalogue control WHEN the default construct is synthesized
    queries = [
        q["Properties"]
        for q in resources_of(default_athena, "AWS::Athena::NamedQuery").values()
        if q["Properties"]["Name"] == f"trailwatch {control.id}"
    ]
    # THEN exactly one saved query holds the translator's SQL over the construct's table
    expected = to_athena_sql(parse_filter_pattern(control.pattern), table="trailwatch.cloudtrail_logs").sql
    assert [rendered_text(q["QueryString"]) for q in queries] == [expected]


def test_every_invalid_property_is_named_in_one_error() -> None:
    # GIVEN several invalid properties
    stack = new_stack()
    bucket = s3.Bucket.from_bucket_name(stack, "TrailBucket", "trail-bucket")
    # WHEN the construct is created THEN one error names each of them
    with pytest.raises(ConfigurationError) as raised:
        CloudTrailAthena(
            stack,
            "Athena",
            bucket=bucket,
            organization_id="org-1",
            accounts=["1234"],
            regions="eu-west-1",  # type: ignore[arg-type]
            database_name="Trail-DB",
            bytes_scanned_cutoff=1000,
        )
    text = "\n".join(raised.value.problems)
    for option in ("organization_id", "accounts", "regions", "database_name", "bytes_scanned_cutoff"):
        assert option in text
    assert len(raised.value.problems) == 5


def test_a_control_without_faithful_sql_is_an_error() -> None:
    # GIVEN a control whose pattern matches raw log text (a term pattern)
    term_control = dataclasses.replace(catalog_controls()[0], id="raw-text", pattern='"ERROR"')
    stack = new_stack()
    bucket = s3.Bucket.from_bucket_name(stack, "TrailBucket", "trail-bucket")
    # WHEN the construct is created THEN the error names the control
    with pytest.raises(ConfigurationError, match="'raw-text' has no Athena query"):
        CloudTrailAthena(stack, "Athena", bucket=bucket, controls=[term_control])


def test_a_missing_access_logs_bucket_is_justified_for_cdk_nag(default_athena: Template) -> None:
    # GIVEN no server access logs bucket WHEN synthesized THEN the finding is suppressed with a reason
    default_athena.has_resource(
        "AWS::S3::Bucket",
        {
            "Metadata": {
                "cdk_nag": {"rules_to_suppress": Match.array_with([Match.object_like({"id": "AwsSolutions-S1"})])}
            }
        },
    )


def test_a_control_deploying_several_texts_gets_the_query_of_their_union() -> None:
    # GIVEN organizations-changes deploying every auditor's texts (prowler's adds CancelHandshake)
    from trailwatch_constructs.catalog import get_control
    from trailwatch_constructs.catalog.auditors import deployed_texts

    control = get_control("organizations-changes")
    template = _synth(controls=[control.deploying(deployed_texts(control))])
    # WHEN its named query is synthesized THEN it asks for what any of the filters counts
    (query,) = resources_of(template, "AWS::Athena::NamedQuery").values()
    assert "CancelHandshake" in query["Properties"]["QueryString"]
    alone = _synth(controls=[control])
    (own,) = resources_of(alone, "AWS::Athena::NamedQuery").values()
    assert "CancelHandshake" not in own["Properties"]["QueryString"]
