"""AlertEnricher and ``enrich=``: what they synthesize, what they may do, and what they refuse.

The handler's behaviour is tested in tests/functions/test_alert_enricher.py; here, the template: the
function and its asset, its permissions statement by statement, the topics and their policies, the
failure destination, each alarm's invoke permission, the option checks and cdk-nag's verdict.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk.assertions import Template

from tests.constructs.helpers import (
    ACCOUNT,
    REGION,
    cfn_lint_findings,
    existing_log_group,
    nag_findings,
    nag_suppressions,
    new_app,
    new_stack,
    resources_of,
    role_statements,
)
from trailwatch_constructs import (
    AlertEnricher,
    CloudTrailSecurityMonitoring,
    ConfigurationError,
    ControlDefinition,
    EnrichmentOptions,
    LocalizedText,
    Severity,
)
from trailwatch_constructs.constructs.alert_enricher import ASSET_ROOT, HANDLER

CONSTRUCT_ID = "Enricher"
EXISTING_LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:org-trail-logs:*"
PACKAGE = Path(ASSET_ROOT) / "trailwatch_constructs"
HANDLER_FILE = "trailwatch_constructs/functions/alert_enricher/index.py"


def _enricher(stack: cdk.Stack, **props: Any) -> AlertEnricher:
    return AlertEnricher(stack, CONSTRUCT_ID, log_group=existing_log_group(stack), **props)


def _synth(**props: Any) -> Template:
    stack = new_stack()
    _enricher(stack, **props)
    return Template.from_stack(stack)


def _id(construct: Any) -> str:
    resource = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
    return str(cdk.Stack.of(resource).resolve(resource.logical_id))


def _only(template: Template, resource_type: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = resources_of(template, resource_type).items()
    return logical_id, resource


@pytest.fixture(scope="module")
def built() -> tuple[cdk.Stack, AlertEnricher, Template]:
    """An enricher with both topics and an alarm, the template and the construct to name its resources."""
    stack = new_stack()
    enricher = _enricher(stack, emails=["security@example.com"], critical_emails=["oncall@example.com"])
    alarm = cloudwatch.Alarm(
        stack,
        "Alarm",
        metric=cloudwatch.Metric(namespace="CloudTrailMetrics", metric_name="RootAccountUsage"),
        threshold=1,
        evaluation_periods=1,
    )
    enricher.add_alarm(alarm)
    return stack, enricher, Template.from_stack(stack)


@pytest.fixture(scope="module")
def template(built: tuple[cdk.Stack, AlertEnricher, Template]) -> Template:
    return built[2]


@pytest.fixture(scope="module")
def enricher(built: tuple[cdk.Stack, AlertEnricher, Template]) -> AlertEnricher:
    return built[1]


# --- the function ---------------------------------------------------------------------------------


def test_the_function_runs_the_packaged_handler_on_a_pinned_runtime(template: Template) -> None:
    _, function = _only(template, "AWS::Lambda::Function")
    props = function["Properties"]
    assert props["Handler"] == "trailwatch_constructs.functions.alert_enricher.index.on_alarm" == HANDLER
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]


def test_the_function_has_a_timeout_and_reserved_concurrency(template: Template) -> None:
    _, function = _only(template, "AWS::Lambda::Function")
    assert function["Properties"]["Timeout"] == 120
    assert function["Properties"]["ReservedConcurrentExecutions"] == 5


def test_the_environment_names_both_topics_and_the_settings(template: Template, enricher: AlertEnricher) -> None:
    # GIVEN the enricher with a critical topic THEN the function's variables are exactly the handler's
    _, function = _only(template, "AWS::Lambda::Function")
    assert enricher.critical_topic is not None
    assert function["Properties"]["Environment"]["Variables"] == {
        "TRAILWATCH_NOTIFICATIONS_TOPIC_ARN": {"Ref": _id(enricher.topic)},
        "TRAILWATCH_CRITICAL_TOPIC_ARN": {"Ref": _id(enricher.critical_topic)},
        "TRAILWATCH_LANGUAGE": "en",
        "TRAILWATCH_MAX_EVENTS": "50",
        "TRAILWATCH_MARGIN_SECONDS": "300",
    }


def test_options_reach_the_environment_and_no_critical_topic_means_no_variable() -> None:
    # GIVEN Japanese, a cap of 10 events and a 60-second margin, and no critical subscriber
    template = _synth(language="ja", max_events=10, margin_seconds=60)
    _, function = _only(template, "AWS::Lambda::Function")
    variables = function["Properties"]["Environment"]["Variables"]
    # THEN the handler reads them, and no critical topic exists for it to route to
    assert {k: v for k, v in variables.items() if k != "TRAILWATCH_NOTIFICATIONS_TOPIC_ARN"} == {
        "TRAILWATCH_LANGUAGE": "ja",
        "TRAILWATCH_MAX_EVENTS": "10",
        "TRAILWATCH_MARGIN_SECONDS": "60",
    }
    template.resource_count_is("AWS::SNS::Topic", 1)


def test_the_function_logs_to_its_own_encrypted_group_kept_a_year(template: Template, enricher: AlertEnricher) -> None:
    _, function = _only(template, "AWS::Lambda::Function")
    group_id, group = _only(template, "AWS::Logs::LogGroup")
    assert function["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": group_id}}
    assert group["Properties"] == {
        "RetentionInDays": 365,
        "KmsKeyId": {"Fn::GetAtt": [_id(enricher.key), "Arn"]},
    }


def test_the_key_lets_cloudwatch_logs_encrypt_only_this_stacks_log_groups(
    template: Template, enricher: AlertEnricher
) -> None:
    # GIVEN the key's policy THEN beside the account's own statement, the Region's Logs service may use it
    # for log groups of this stack (generated names start with the stack name) and no others
    key = resources_of(template, "AWS::KMS::Key")[_id(enricher.key)]
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert [s.get("Sid") for s in statements] == [None, "AllowCloudWatchLogsUseOfKey"]
    assert statements[0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    logs_statement = statements[1]
    assert logs_statement["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs_statement["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": {
                "Fn::Join": ["", [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:", {"Ref": "AWS::StackName"}, "-*"]]
            }
        }
    }
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


# --- least privilege ------------------------------------------------------------------------------


def _role_statements(template: Template) -> list[dict[str, Any]]:
    _, function = _only(template, "AWS::Lambda::Function")
    return role_statements(template, function)


def test_the_role_may_do_exactly_what_the_handler_needs(template: Template, enricher: AlertEnricher) -> None:
    # GIVEN the function's role THEN its statements are exactly: write its own logs; find metric filters
    # in this account and Region; read events of the monitored group only; publish to its two topics;
    # send failures to its queue; use its key through SNS and SQS only
    assert enricher.critical_topic is not None
    key_arn = {"Fn::GetAtt": [_id(enricher.key), "Arn"]}
    assert _role_statements(template) == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [_id(enricher.function_logs), "Arn"]},
        },
        {
            "Action": "logs:DescribeMetricFilters",
            "Effect": "Allow",
            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*",
        },
        {"Action": "logs:FilterLogEvents", "Effect": "Allow", "Resource": EXISTING_LOG_GROUP_ARN},
        {
            "Action": "sns:Publish",
            "Effect": "Allow",
            "Resource": [{"Ref": _id(enricher.critical_topic)}, {"Ref": _id(enricher.topic)}],
        },
        {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": {"Fn::GetAtt": [_id(enricher.failures), "Arn"]}},
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Condition": {
                "StringEquals": {"kms:ViaService": [f"sns.{REGION}.amazonaws.com", f"sqs.{REGION}.amazonaws.com"]}
            },
            "Effect": "Allow",
            "Resource": key_arn,
        },
    ]


def test_the_role_has_no_managed_policy_and_only_lambda_may_assume_it(template: Template) -> None:
    _, function = _only(template, "AWS::Lambda::Function")
    role = resources_of(template, "AWS::IAM::Role")[function["Properties"]["Role"]["Fn::GetAtt"][0]]
    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]


def test_the_function_waits_for_its_policy(template: Template) -> None:
    # GIVEN the function THEN it is created after its role's policy (a first invocation has its permissions)
    _, function = _only(template, "AWS::Lambda::Function")
    (policy_id,) = resources_of(template, "AWS::IAM::Policy")
    assert function["DependsOn"] == [policy_id]


# --- topics ---------------------------------------------------------------------------------------


def _topic_policy(template: Template, topic_id: str) -> list[dict[str, Any]]:
    (policy,) = [
        p
        for p in resources_of(template, "AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [{"Ref": topic_id}]
    ]
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


@pytest.mark.parametrize("which", ["topic", "critical_topic"])
def test_each_topic_is_encrypted_and_only_the_function_may_publish_over_ssl(
    template: Template, enricher: AlertEnricher, which: str
) -> None:
    # GIVEN a topic of the enricher THEN it uses the enricher's key, and its policy denies publishing
    # without SSL, and to every principal but the function's role
    topic_id = _id(getattr(enricher, which))
    topic = resources_of(template, "AWS::SNS::Topic")[topic_id]
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [_id(enricher.key), "Arn"]}
    assert _topic_policy(template, topic_id) == [
        {
            "Action": "sns:Publish",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": "*",
            "Resource": {"Ref": topic_id},
            "Sid": "AllowPublishThroughSSLOnly",
        },
        {
            "Action": "sns:Publish",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": {"Fn::GetAtt": [_id(enricher.role), "Arn"]}}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Ref": topic_id},
            "Sid": "PublishOnlyFromTheEnrichmentFunction",
        },
    ]


def test_emails_subscribe_to_their_topics(template: Template, enricher: AlertEnricher) -> None:
    assert enricher.critical_topic is not None
    subscriptions = resources_of(template, "AWS::SNS::Subscription").values()
    assert sorted((s["Properties"]["TopicArn"]["Ref"], s["Properties"]["Endpoint"]) for s in subscriptions) == sorted(
        [(_id(enricher.topic), "security@example.com"), (_id(enricher.critical_topic), "oncall@example.com")]
    )
    assert {s["Properties"]["Protocol"] for s in subscriptions} == {"email"}


def test_chatbot_channels_get_their_topics() -> None:
    # GIVEN a Slack channel for all notifications and one for critical ones
    stack = new_stack()
    channels = [
        chatbot.SlackChannelConfiguration(
            stack, name, slack_channel_configuration_name=name, slack_workspace_id="T0123", slack_channel_id=name
        )
        for name in ("security", "oncall")
    ]
    enricher = _enricher(stack, chatbot=[channels[0]], critical_chatbot=[channels[1]])
    template = Template.from_stack(stack)
    configurations = resources_of(template, "AWS::Chatbot::SlackChannelConfiguration")
    assert enricher.critical_topic is not None
    # THEN each channel's configuration lists its topic (critical_chatbot alone creates the critical topic)
    assert configurations[_id(channels[0])]["Properties"]["SnsTopicArns"] == [{"Ref": _id(enricher.topic)}]
    assert configurations[_id(channels[1])]["Properties"]["SnsTopicArns"] == [{"Ref": _id(enricher.critical_topic)}]


def test_critical_topic_true_creates_it_without_subscribers() -> None:
    stack = new_stack()
    enricher = _enricher(stack, critical_topic=True)
    assert enricher.critical_topic is not None
    Template.from_stack(stack).resource_count_is("AWS::SNS::Topic", 2)


# --- failures -------------------------------------------------------------------------------------


def test_failed_invocations_are_retried_then_kept_in_the_encrypted_queue(
    template: Template, enricher: AlertEnricher
) -> None:
    # GIVEN the function's asynchronous invocation config THEN two retries within six hours, then the queue
    _, config = _only(template, "AWS::Lambda::EventInvokeConfig")
    _, function = _only(template, "AWS::Lambda::Function")
    queue_id = _id(enricher.failures)
    assert config["Properties"] == {
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}},
        "FunctionName": {"Ref": _id(enricher.function)},
        "MaximumEventAgeInSeconds": 21600,
        "MaximumRetryAttempts": 2,
        "Qualifier": "$LATEST",
    }
    assert function is not None
    queue = resources_of(template, "AWS::SQS::Queue")[queue_id]
    assert queue["Properties"] == {
        "KmsMasterKeyId": {"Fn::GetAtt": [_id(enricher.key), "Arn"]},
        "MessageRetentionPeriod": 1209600,
    }
    (queue_policy,) = resources_of(template, "AWS::SQS::QueuePolicy").values()
    assert queue_policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
        }
    ]


# --- the alarm action -----------------------------------------------------------------------------


def test_an_alarm_may_invoke_the_function_for_itself_only(built: tuple[cdk.Stack, AlertEnricher, Template]) -> None:
    # GIVEN an alarm added to the enricher THEN one permission lets CloudWatch's alarm principal invoke the
    # function when this alarm, in this account, is the source (confused-deputy conditions)
    _, enricher, template = built
    _, permission = _only(template, "AWS::Lambda::Permission")
    (alarm_id,) = resources_of(template, "AWS::CloudWatch::Alarm")
    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [_id(enricher.function), "Arn"]},
        "Principal": "lambda.alarms.cloudwatch.amazonaws.com",
        "SourceAccount": ACCOUNT,
        "SourceArn": {"Fn::GetAtt": [alarm_id, "Arn"]},
    }


def test_the_alarm_invokes_the_unqualified_function(built: tuple[cdk.Stack, AlertEnricher, Template]) -> None:
    _, enricher, template = built
    (alarm,) = resources_of(template, "AWS::CloudWatch::Alarm").values()
    assert alarm["Properties"]["AlarmActions"] == [{"Fn::GetAtt": [_id(enricher.function), "Arn"]}]


# --- enrich= on the monitoring construct ----------------------------------------------------------


@pytest.fixture(scope="module")
def monitored() -> tuple[CloudTrailSecurityMonitoring, Template]:
    """Monitoring in Japanese over an existing group, enriched, with one control of the user's added."""
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        stack,
        "Monitoring",
        log_group=existing_log_group(stack),
        include=["root-account-usage", "vpc-changes"],
        language="ja",
        enrich=EnrichmentOptions(emails=["security@example.com"]),
    )
    monitoring.add_control(
        ControlDefinition(
            "break-glass-role-used",
            '{ $.userIdentity.sessionContext.sessionIssuer.userName = "BreakGlass" }',
            "BreakGlassRoleUsed",
            Severity.HIGH,
            en=LocalizedText("Break-glass role used", "Emergency access.", "Who assumed it and why."),
        )
    )
    return monitoring, Template.from_stack(stack)


def test_every_alarm_keeps_its_topic_and_also_invokes_the_enricher(
    monitored: tuple[CloudTrailSecurityMonitoring, Template],
) -> None:
    # GIVEN enrich= WHEN synthesized THEN each alarm, the added control's too, notifies the alarm topic first
    # (Security Hub's checks read that SNS action) and invokes the function second
    monitoring, template = monitored
    assert monitoring.enricher is not None
    alarms = resources_of(template, "AWS::CloudWatch::Alarm").values()
    expected = [{"Ref": _id(monitoring.topic)}, {"Fn::GetAtt": [_id(monitoring.enricher.function), "Arn"]}]
    assert [a["Properties"]["AlarmActions"] for a in alarms] == [expected] * 3


def test_each_alarm_gets_its_own_invoke_permission(monitored: tuple[CloudTrailSecurityMonitoring, Template]) -> None:
    _, template = monitored
    alarm_ids = sorted(resources_of(template, "AWS::CloudWatch::Alarm"))
    permissions = resources_of(template, "AWS::Lambda::Permission").values()
    assert sorted(p["Properties"]["SourceArn"]["Fn::GetAtt"][0] for p in permissions) == alarm_ids
    assert {(p["Properties"]["Principal"], p["Properties"]["SourceAccount"]) for p in permissions} == {
        ("lambda.alarms.cloudwatch.amazonaws.com", ACCOUNT)
    }


def test_the_enricher_reads_the_monitored_group_in_the_constructs_language(
    monitored: tuple[CloudTrailSecurityMonitoring, Template],
) -> None:
    # GIVEN language="ja" on the monitoring construct and none in the options THEN notifications are in
    # Japanese, and the function reads the construct's log group
    _, template = monitored
    _, function = _only(template, "AWS::Lambda::Function")
    assert function["Properties"]["Environment"]["Variables"]["TRAILWATCH_LANGUAGE"] == "ja"
    assert "TRAILWATCH_ORGANIZATION_TRAIL" not in function["Properties"]["Environment"]["Variables"]
    assert {"Action": "logs:FilterLogEvents", "Effect": "Allow", "Resource": EXISTING_LOG_GROUP_ARN} in (
        _role_statements(template)
    )


def test_the_options_language_wins_over_the_constructs() -> None:
    stack = new_stack()
    CloudTrailSecurityMonitoring(
        stack,
        "Monitoring",
        log_group=existing_log_group(stack),
        include=["vpc-changes"],
        language="ja",
        enrich=EnrichmentOptions(language="en"),
    )
    _, function = _only(Template.from_stack(stack), "AWS::Lambda::Function")
    assert function["Properties"]["Environment"]["Variables"]["TRAILWATCH_LANGUAGE"] == "en"


def test_without_enrich_nothing_of_the_enricher_exists() -> None:
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(stack, "Monitoring", log_group=existing_log_group(stack))
    template = Template.from_stack(stack)
    assert monitoring.enricher is None
    for resource_type in ("AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::SQS::Queue"):
        template.resource_count_is(resource_type, 0)
    alarms = resources_of(template, "AWS::CloudWatch::Alarm").values()
    assert all(len(a["Properties"]["AlarmActions"]) == 1 for a in alarms)


def test_the_enricher_key_follows_the_constructs_removal_policy() -> None:
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        stack,
        "Monitoring",
        log_group=existing_log_group(stack),
        include=["vpc-changes"],
        removal_policy=cdk.RemovalPolicy.DESTROY,
        enrich=EnrichmentOptions(),
    )
    assert monitoring.enricher is not None
    key = resources_of(Template.from_stack(stack), "AWS::KMS::Key")[_id(monitoring.enricher.key)]
    assert key["DeletionPolicy"] == "Delete"


def test_child_ids_are_stable(
    enricher: AlertEnricher, monitored: tuple[CloudTrailSecurityMonitoring, Template]
) -> None:
    # GIVEN the constructs THEN their children keep the ids their logical ids derive from
    assert [c.node.id for c in enricher.node.children] == [
        "Key",
        "Topic",
        "CriticalTopic",
        "Failures",
        "FunctionLogs",
        "FunctionRole",
        "Function",
    ]
    assert monitored[0].enricher is not None
    assert monitored[0].enricher.node.id == "AlertEnricher"


# --- option mistakes ------------------------------------------------------------------------------

SLACK_CHANNEL_HINT = "expected a Chatbot channel configuration with add_notification_topic"


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (
            "yes",
            "enrich 'yes' is a str; expected None or EnrichmentOptions(...), e.g. "
            "enrich=EnrichmentOptions(emails=['security@example.com'])",
        ),
        (True, "enrich True is a bool; expected None or EnrichmentOptions(...)"),
        (
            EnrichmentOptions(emails="sec@example.com"),  # type: ignore[arg-type]
            "enrich.emails 'sec@example.com' is a single string; give a list of strings, "
            "e.g. enrich.emails=['sec@example.com']",
        ),
        (
            EnrichmentOptions(critical_emails=["oncall"]),
            "enrich.critical_emails: 'oncall' is not an email address (expected name@domain.tld)",
        ),
        (EnrichmentOptions(chatbot="#security"), "enrich.chatbot '#security' is a str; give a list of Chatbot"),
        (
            EnrichmentOptions(critical_chatbot=["#oncall"]),
            f"enrich.critical_chatbot: '#oncall' is a str; {SLACK_CHANNEL_HINT}",
        ),
        (
            EnrichmentOptions(critical_topic=False, critical_emails=["oncall@example.com"]),
            "enrich.critical_topic is False, but enrich.critical_emails or enrich.critical_chatbot are given",
        ),
        (EnrichmentOptions(critical_topic="yes"), "enrich.critical_topic 'yes' is a str; expected True, False or None"),  # type: ignore[arg-type]
        (EnrichmentOptions(language="fr"), "enrich.language 'fr' is not supported; supported: en, ja"),
        (EnrichmentOptions(max_events=0), "enrich.max_events 0 must be an integer from 1 to 1,000"),
        (EnrichmentOptions(max_events="50"), "enrich.max_events '50' must be an integer from 1 to 1,000"),  # type: ignore[arg-type]
        (EnrichmentOptions(max_events=True), "enrich.max_events True must be an integer from 1 to 1,000"),
        (EnrichmentOptions(margin_seconds=-1), "enrich.margin_seconds -1 must be an integer from 0 to 86,400"),
        (
            EnrichmentOptions(reserved_concurrency=0),
            "enrich.reserved_concurrency 0 must be an integer from 1 to 1,000 or None",
        ),
    ],
    ids=[
        "not-options",
        "bool",
        "lone-email",
        "bad-email",
        "lone-chatbot",
        "not-a-channel",
        "critical-false-with-subscribers",
        "critical-not-bool",
        "language",
        "no-events",
        "events-as-string",
        "events-as-bool",
        "negative-margin",
        "no-concurrency",
    ],
)
def test_each_enrich_mistake_names_the_option_the_value_and_what_is_allowed(options: Any, problem: str) -> None:
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(stack, "Monitoring", log_group=existing_log_group(stack), enrich=options)
    (found,) = caught.value.problems
    assert found.startswith(problem)


def test_enrich_mistakes_are_reported_with_the_constructs_others_before_anything_is_created() -> None:
    # GIVEN a mistake in enrich= and one in another option WHEN constructing THEN one error lists both
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(
            stack,
            "Monitoring",
            log_group=existing_log_group(stack),
            alarm_emails="sec@example.com",  # type: ignore[arg-type]
            enrich=EnrichmentOptions(max_events=0),
        )
    assert [p.split(" ")[0] for p in caught.value.problems] == ["alarm_emails", "enrich.max_events"]
    assert stack.node.try_find_child("Monitoring") is None


def test_the_enricher_checks_its_own_properties() -> None:
    # GIVEN the construct used on its own with three mistakes THEN one error names each, and nothing is created
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        AlertEnricher(
            stack,
            CONSTRUCT_ID,
            log_group="org-trail-logs",  # type: ignore[arg-type]
            emails="sec@example.com",  # type: ignore[arg-type]
            reserved_concurrency=0,
            removal_policy="retain",  # type: ignore[arg-type]
        )
    assert caught.value.problems == (
        "log_group 'org-trail-logs' is a str; expected a logs.ILogGroup",
        "emails 'sec@example.com' is a single string; give a list of strings, e.g. emails=['sec@example.com']",
        "reserved_concurrency 0 must be an integer from 1 to 1,000 or None",
        "removal_policy 'retain' is a str; expected a RemovalPolicy, e.g. RemovalPolicy.RETAIN",
    )
    assert stack.node.try_find_child(CONSTRUCT_ID) is None


def test_reserved_concurrency_none_reserves_nothing_and_says_why() -> None:
    template = _synth(reserved_concurrency=None)
    _, function = _only(template, "AWS::Lambda::Function")
    assert "ReservedConcurrentExecutions" not in function["Properties"]
    rules = {r["id"] for r in function["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert "NIST.800.53.R5-LambdaConcurrency" in rules


# --- the asset ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asset() -> Path:
    """The function's asset folder in a synthesized cloud assembly."""
    app = new_app()
    _enricher(new_stack(app))
    assembly = app.synth()
    template = Template.from_json(assembly.get_stack_by_name("TestStack").template)
    _, function = _only(template, "AWS::Lambda::Function")
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    # The staged folder's name is in the assets manifest: the CDK keeps the source folder's
    # "extension" (a checkout in /tmp/tmp.Ab12 stages as asset.<hash>.Ab12).
    manifest = json.loads((Path(assembly.directory) / "TestStack.assets.json").read_text(encoding="utf-8"))
    return Path(assembly.directory) / manifest["files"][asset_hash]["source"]["path"]


def _files(root: Path) -> Iterator[str]:
    return (p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_file())


def test_the_asset_is_the_package_without_the_cdk_layer_the_cli_or_the_other_function(asset: Path) -> None:
    files = list(_files(asset))
    # THEN it holds the package under its own name, with the handler file and the floors it imports
    assert [p.name for p in asset.iterdir()] == ["trailwatch_constructs"]
    assert HANDLER_FILE in files
    for module in ("filter_pattern/__init__.py", "catalog/controls.py", "texts/notification.py", "core/errors.py"):
        assert f"trailwatch_constructs/{module}" in files
    assert any(f.startswith("trailwatch_constructs/catalog/samples/") and f.endswith(".json") for f in files)
    # AND none of what the handler never imports, and no bytecode
    left_out = ("constructs/", "cli/", "aws/", "functions/log_group_lookup/", "testing.py")
    assert [f for f in files if f.removeprefix("trailwatch_constructs/").startswith(left_out)] == []
    assert [f for f in files if "__pycache__" in f or f.endswith(".pyc")] == []


def test_the_asset_holds_every_module_of_the_package_but_those_left_out(asset: Path) -> None:
    # GIVEN the package as Python imports it THEN the asset has each of its files but the excluded ones
    left_out = ("constructs/", "cli/", "aws/", "functions/log_group_lookup/", "testing.py")
    expected = [
        f"trailwatch_constructs/{f}"
        for f in _files(PACKAGE)
        if not f.startswith(left_out) and "__pycache__" not in f and not f.endswith(".pyc")
    ]
    assert list(_files(asset)) == expected


def test_no_module_in_the_asset_imports_the_cdk(asset: Path) -> None:
    # GIVEN every Python module of the asset THEN none imports aws_cdk, constructs, jsii or click
    forbidden = {"aws_cdk", "constructs", "jsii", "click", "rich", "cdk_nag"}
    imported = {}
    for path in asset.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for name in names:
                if name.split(".")[0] in forbidden:
                    imported[path.relative_to(asset).as_posix()] = name
    assert imported == {}


def _isolated_python(code: str, *paths: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``code`` run without site (no .pth files, so no editable install), with ``paths`` then the venv's packages."""
    site_packages = sysconfig.get_paths()["purelib"]
    prelude = f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}; sys.path.append({site_packages!r})\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, "-S", "-c", prelude + code], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_the_handler_imports_from_the_asset_alone_without_the_cdk(asset: Path, tmp_path: Path) -> None:
    # GIVEN an interpreter that finds trailwatch only in the asset (boto3 from the environment, as Lambda's runtime)
    code = (
        "import json, importlib\n"
        f"module = importlib.import_module({HANDLER.rsplit('.', 1)[0]!r})\n"
        "print(json.dumps([module.__file__, callable(module.on_alarm), sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs'))]))\n"
    )
    done = _isolated_python(code, asset, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # WHEN it imports the handler THEN the module comes from the asset, has on_alarm, and loaded no CDK
    module_file, has_handler, cdk_modules = json.loads(done.stdout)
    assert Path(module_file).is_relative_to(asset)
    assert has_handler is True
    assert cdk_modules == []


APP = """
import aws_cdk as cdk
from aws_cdk import aws_logs as logs
import trailwatch_constructs
from trailwatch_constructs import AlertEnricher

app = cdk.App(outdir="cdk.out")
stack = cdk.Stack(app, "Installed", env=cdk.Environment(account="111122223333", region="eu-west-1"))
AlertEnricher(stack, "Enricher", log_group=logs.LogGroup.from_log_group_name(stack, "Trail", "trail"))
app.synth()
print(trailwatch_constructs.__file__)
"""


def test_the_asset_is_built_from_where_the_package_is_installed(tmp_path: Path) -> None:
    # GIVEN the package installed in a site-packages of its own, beside another distribution, and no
    # checkout on the path (as `pip install trailwatch-constructs` leaves it)
    site = tmp_path / "site-packages"
    (site / "other_distribution").mkdir(parents=True)
    (site / "other_distribution" / "__init__.py").write_text("")
    (site / "trailwatch_constructs-0.1.0.dist-info").mkdir()
    subprocess.run(
        ["cp", "-r", str(PACKAGE), str(site / "trailwatch_constructs")], check=True, capture_output=True, timeout=60
    )
    project = tmp_path / "app"
    project.mkdir()
    # WHEN an app there synthesizes an AlertEnricher
    done = _isolated_python(APP, site, cwd=project)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip().splitlines()[-1]).is_relative_to(site)
    template = json.loads((project / "cdk.out" / "Installed.template.json").read_text())
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    asset_dir = project / "cdk.out" / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    # THEN the asset is that installed package, handler included, and nothing else of site-packages
    assert [p.name for p in asset_dir.iterdir()] == ["trailwatch_constructs"]
    assert (asset_dir / HANDLER_FILE).is_file()
    assert not (asset_dir / "trailwatch_constructs" / "constructs").exists()


# --- static analysis ------------------------------------------------------------------------------


@pytest.mark.parametrize("reserved_concurrency", [5, None], ids=["reserved", "unreserved"])
def test_cdk_nag_packs_find_nothing_unsuppressed(reserved_concurrency: int | None) -> None:
    # GIVEN the construct with both topics and an alarm WHEN the AwsSolutions and NIST 800-53 r5 packs
    # check it THEN every finding is suppressed with its reason next to the code
    app = new_app()
    stack = new_stack(app)
    enricher = _enricher(stack, critical_topic=True, reserved_concurrency=reserved_concurrency)
    enricher.add_alarm(
        cloudwatch.Alarm(
            stack, "Alarm", metric=cloudwatch.Metric(namespace="N", metric_name="M"), threshold=1, evaluation_periods=1
        )
    )
    assert nag_findings(app) == []


def test_cdk_nag_finds_nothing_in_an_environment_agnostic_stack() -> None:
    # GIVEN a stack without account and Region (the wildcard suppression must name their tokens)
    app = new_app()
    _enricher(cdk.Stack(app, "Agnostic"))
    assert nag_findings(app) == []


def test_every_suppression_gives_a_reason(template: Template) -> None:
    suppressions = nag_suppressions(template)
    assert len(suppressions) >= 5
    assert all(len(rule["reason"]) > 40 for rule in suppressions)


def test_cfn_lint_finds_nothing(template: Template) -> None:
    assert cfn_lint_findings(template) == []
