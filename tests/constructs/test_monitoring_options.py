"""What each CloudTrailSecurityMonitoring option does to the synthesized stack."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from tests.constructs.helpers import existing_log_group, new_stack, rendered_text, resources_of
from trailwatch_constructs import (
    AlarmSettings,
    CloudTrailSecurityMonitoring,
    ControlDefinition,
    LocalizedText,
    Severity,
    TrailOptions,
    get_control,
)

Synth = Callable[[Callable[[cdk.Stack], object]], Template]


def _alarm_props(template: Template) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources_of(template, "AWS::CloudWatch::Alarm").values()]


def test_include_deploys_only_the_named_controls(synth: Synth) -> None:
    # GIVEN include of two ids THEN exactly those two filters and alarms exist
    template = synth(
        lambda s: CloudTrailSecurityMonitoring(
            s, "M", log_group=existing_log_group(s), include=["root-account-usage", "vpc-changes"]
        )
    )
    names = sorted(p["MetricName"] for p in _alarm_props(template))
    assert names == ["RootAccountUsage", "VpcChanges"]


def test_exclude_leaves_out_the_named_controls(synth: Synth) -> None:
    template = synth(
        lambda s: CloudTrailSecurityMonitoring(
            s, "M", log_group=existing_log_group(s), exclude=["unauthorized-api-calls"]
        )
    )
    names = {p["MetricName"] for p in _alarm_props(template)}
    assert "UnauthorizedApiCalls" not in names
    assert len(names) == 15


def test_no_privileged_groups_skips_that_control_with_an_info_annotation() -> None:
    # GIVEN no privileged groups WHEN synthesized THEN 16 controls and an info message naming the control
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(stack, "M", log_group=existing_log_group(stack))
    assert "privileged-group-membership-changes" not in monitoring.controls
    Annotations.from_stack(stack).has_info(
        "/TestStack/M", Match.string_like_regexp("control 'privileged-group-membership-changes' is not created")
    )


def test_several_privileged_groups_share_one_filter(synth: Synth) -> None:
    template = synth(
        lambda s: CloudTrailSecurityMonitoring(
            s,
            "M",
            log_group=existing_log_group(s),
            include=["privileged-group-membership-changes"],
            privileged_groups=["Admins", "Security"],
        )
    )
    template.has_resource_properties(
        "AWS::Logs::MetricFilter",
        {
            "FilterPattern": "{(($.eventName=AddUserToGroup) || ($.eventName=RemoveUserFromGroup)) && "
            '(($.requestParameters.groupName="Admins") || ($.requestParameters.groupName="Security"))}'
        },
    )


def test_alarm_override_changes_only_that_alarm(synth: Synth) -> None:
    # GIVEN an override of threshold and periods for one control THEN its alarm uses them, the others keep defaults
    override = AlarmSettings(threshold=5, evaluation_periods=3, datapoints_to_alarm=2, period_seconds=60)
    template = synth(
        lambda s: CloudTrailSecurityMonitoring(
            s,
            "M",
            log_group=existing_log_group(s),
            include=["unauthorized-api-calls", "vpc-changes"],
            alarm_overrides={"unauthorized-api-calls": override},
            # One filter per control: a threshold above 1 needs events counted once (see the next test).
            auditors=["security-hub"],
        )
    )
    by_metric = {p["MetricName"]: p for p in _alarm_props(template)}
    tuned = by_metric["UnauthorizedApiCalls"]
    assert (tuned["Threshold"], tuned["EvaluationPeriods"], tuned["DatapointsToAlarm"], tuned["Period"]) == (
        5,
        3,
        2,
        60,
    )
    assert (by_metric["VpcChanges"]["Threshold"], by_metric["VpcChanges"]["Period"]) == (1, 300)
    # AND every alarm evaluates as catalog/alarm_simulation.py (replay's notifications) assumes:
    # the Sum of the metric >= the threshold, missing data not breaching
    assert {(p["ComparisonOperator"], p["TreatMissingData"], p["Statistic"]) for p in by_metric.values()} == {
        ("GreaterThanOrEqualToThreshold", "notBreaching", "Sum")
    }


def test_namespace_and_alarm_prefix_are_configurable(synth: Synth) -> None:
    template = synth(
        lambda s: CloudTrailSecurityMonitoring(
            s,
            "M",
            log_group=existing_log_group(s),
            include=["vpc-changes"],
            metric_namespace="Security/CIS",
            alarm_name_prefix="prod-",
        )
    )
    (alarm,) = _alarm_props(template)
    assert alarm["Namespace"] == "Security/CIS"
    assert alarm["AlarmName"] == "prod-vpc-changes"


def test_existing_topic_is_used_and_no_topic_is_created(synth: Synth) -> None:
    # GIVEN a topic the user brings THEN alarms notify it, no topic or key is created, emails subscribe to it
    arn = "arn:aws:sns:eu-west-1:111122223333:security"

    def build(s: cdk.Stack) -> None:
        topic = sns.Topic.from_topic_arn(s, "Topic", arn)
        CloudTrailSecurityMonitoring(
            s,
            "M",
            log_group=existing_log_group(s),
            topic=topic,
            include=["vpc-changes"],
            alarm_emails=["ops@example.com"],
        )

    template = synth(build)
    template.resource_count_is("AWS::SNS::Topic", 0)
    template.resource_count_is("AWS::KMS::Key", 0)
    (alarm,) = _alarm_props(template)
    assert alarm["AlarmActions"] == [arn]
    template.has_resource_properties("AWS::SNS::Subscription", {"TopicArn": arn, "Endpoint": "ops@example.com"})


def test_add_control_deploys_a_user_definition(synth: Synth) -> None:
    # GIVEN a user's own definition THEN add_control deploys its filter and alarm under a stable id
    definition = ControlDefinition(
        id="guardduty-disabled",
        pattern="{($.eventSource=guardduty.amazonaws.com) && ($.eventName=DeleteDetector)}",
        metric_name="GuardDutyDisabled",
        severity=Severity.HIGH,
        en=LocalizedText(
            title="GuardDuty detector deleted",
            rationale="Blinds threat detection.",
            investigation="Re-create the detector.",
        ),
    )

    def build(s: cdk.Stack) -> None:
        monitoring = CloudTrailSecurityMonitoring(s, "M", log_group=existing_log_group(s), include=["vpc-changes"])
        control = monitoring.add_control(definition)
        assert monitoring.controls["guardduty-disabled"] is control
        assert control.node.id == "GuarddutyDisabled"

    template = synth(build)
    template.has_resource_properties("AWS::Logs::MetricFilter", {"FilterPattern": definition.pattern})
    template.resource_count_is("AWS::CloudWatch::Alarm", 2)


def test_control_construct_ids_are_stable_pascal_case() -> None:
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        stack, "M", log_group=existing_log_group(stack), include=["root-account-usage", "s3-bucket-policy-changes"]
    )
    assert [c.node.id for c in monitoring.controls.values()] == ["RootAccountUsage", "S3BucketPolicyChanges"]
    assert monitoring.control("root-account-usage").metric_filter.node.id == "MetricFilter"
    assert monitoring.control("root-account-usage").alarm.node.id == "Alarm"


def test_metric_accessor_uses_the_alarm_statistic_and_period() -> None:
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        stack,
        "M",
        log_group=existing_log_group(stack),
        include=["vpc-changes"],
        alarm_overrides={"vpc-changes": dataclasses.replace(get_control("vpc-changes").alarm, period_seconds=600)},
    )
    metric = monitoring.control("vpc-changes").metric()
    assert (metric.metric_name, metric.namespace, metric.statistic) == ("VpcChanges", "CloudTrailMetrics", "Sum")
    assert metric.period.to_seconds() == 600


def test_dashboard_shows_every_alarm_and_a_graph_per_control(synth: Synth) -> None:
    # GIVEN dashboard=True and one added control THEN one dashboard whose body has an alarm-status
    # widget listing every alarm and one graph per control
    def build(s: cdk.Stack) -> None:
        m = CloudTrailSecurityMonitoring(
            s, "M", log_group=existing_log_group(s), include=["vpc-changes", "nacl-changes"], dashboard=True
        )
        m.add_control(dataclasses.replace(get_control("route-table-changes"), id="my-routes", metric_name="MyRoutes"))

    template = synth(build)
    (dashboard,) = resources_of(template, "AWS::CloudWatch::Dashboard").values()
    body = str(dashboard["Properties"]["DashboardBody"])
    assert body.count('\\"type\\":\\"alarm\\"') + body.count('"type":"alarm"') >= 2
    for title in ("VPC changes", "Network ACL changes", "Route table changes"):
        assert title in body
    alarm_ids = list(resources_of(template, "AWS::CloudWatch::Alarm"))
    assert len(alarm_ids) == 3
    for alarm_id in alarm_ids:
        assert alarm_id in body


@pytest.mark.parametrize("language", ["en", "ja"])
def test_descriptions_are_generated_in_the_chosen_language(synth: Synth, language: str) -> None:
    template = synth(
        lambda s: CloudTrailSecurityMonitoring(
            s, "M", log_group=existing_log_group(s), include=["root-account-usage"], language=language
        )
    )
    (alarm,) = _alarm_props(template)
    text = rendered_text(alarm["AlarmDescription"])
    expected = get_control("root-account-usage").text(language).title
    assert text.startswith(expected)


def test_tuned_variant_replaces_its_control_and_warns_about_security_hub() -> None:
    # GIVEN the tuned MFA variant WHEN synthesized THEN it replaces the catalogue control, and a warning
    # names the variant and the Security Hub check that will fail
    from trailwatch_constructs.catalog.variants import get_variant

    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        stack, "M", log_group=existing_log_group(stack), tuned_variants=["console-signin-without-mfa-tuned"]
    )
    assert "console-signin-without-mfa" not in monitoring.controls
    deployed = monitoring.control("console-signin-without-mfa-tuned")
    assert deployed.definition.pattern == get_variant("console-signin-without-mfa-tuned").pattern
    Annotations.from_stack(stack).has_warning(
        "/TestStack/M",
        Match.string_like_regexp(
            "tuned variant 'console-signin-without-mfa-tuned' replaces control 'console-signin-without-mfa'; "
            "Security Hub's exact-text check CloudWatch.3 will fail"
        ),
    )


def test_catalogue_controls_emit_no_warning() -> None:
    stack = new_stack()
    CloudTrailSecurityMonitoring(stack, "M", log_group=existing_log_group(stack))
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())


def test_tuned_variant_problems_are_named() -> None:
    from trailwatch_constructs import ConfigurationError

    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(
            stack,
            "M",
            log_group=existing_log_group(stack),
            exclude=["unauthorized-api-calls"],
            tuned_variants=["mfa-tuned", "unauthorized-api-calls-tuned"],
        )
    assert caught.value.problems[0].startswith("unknown tuned variant 'mfa-tuned'; known variants: ")
    assert caught.value.problems[1] == (
        "tuned variant 'unauthorized-api-calls-tuned' replaces 'unauthorized-api-calls', which is not deployed"
    )


def test_synthesizes_without_the_sample_apps_feature_flags() -> None:
    # GIVEN a bare App (a user's app without this repository's cdk.json flags) WHEN a trail is created
    # THEN it synthesizes, and access logs are delivered through a bucket policy (ACLs stay disabled)
    app = cdk.App()
    stack = cdk.Stack(app, "Bare")
    CloudTrailSecurityMonitoring(stack, "M", trail=TrailOptions(), include=["vpc-changes"])
    template = Template.from_stack(stack)
    for bucket in resources_of(template, "AWS::S3::Bucket").values():
        assert "AccessControl" not in bucket["Properties"]
        assert bucket["Properties"]["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject"}
                        )
                    ]
                )
            }
        },
    )


def test_standalone_detective_control_generates_the_rich_description(synth: Synth) -> None:
    # GIVEN a DetectiveControl used on its own, in Japanese WHEN synthesized THEN its alarm description is
    # the generated one: title and what happened, first check, account and region, and the events link
    from trailwatch_constructs import DetectiveControl

    template = synth(
        lambda s: DetectiveControl(
            s, "Root", definition=get_control("root-account-usage"), log_group=existing_log_group(s), language="ja"
        )
    )
    (alarm,) = _alarm_props(template)
    text = rendered_text(alarm["AlarmDescription"])
    assert text.startswith("ルートユーザの使用: 5分以内に該当するCloudTrailイベントが1件以上記録されました。")
    assert "まず確認すること: " in text
    assert "アカウント 111122223333、リージョン eu-west-1" in text
    assert "#logsV2:logs-insights" in text and "~source~(~'org-trail-logs))" in text


def test_log_group_name_length_is_exact_or_bounded() -> None:
    # GIVEN three kinds of log group THEN the description budget uses the exact name length, the
    # CloudFormation-generated length, or the 512-character maximum for a name unknown until deploy
    from trailwatch_constructs.constructs.detective_control import _log_group_name_length

    stack = new_stack()
    assert _log_group_name_length(existing_log_group(stack)) == len("org-trail-logs")
    created = logs.LogGroup(stack, "Created")
    logical_id = stack.resolve(created.node.default_child.logical_id)  # type: ignore[union-attr]
    assert _log_group_name_length(created) == len("TestStack") + len(logical_id) + 2 + 13
    named_by_parameter = logs.LogGroup(stack, "Named", log_group_name=cdk.CfnParameter(stack, "Name").value_as_string)
    assert _log_group_name_length(named_by_parameter) == 512
