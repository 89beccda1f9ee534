"""Wrong input never deploys the wrong thing: each mistake is a ConfigurationError naming the option,
the value given and what is allowed; each owner checks its own properties; the L3 reports them all."""

from __future__ import annotations

import dataclasses
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Annotations, Match, Template

from tests.constructs.helpers import existing_log_group, new_app, new_stack
from trailwatch_constructs import (
    AlarmSettings,
    AlarmTopic,
    AuditTrail,
    CloudTrailSecurityMonitoring,
    ConfigurationError,
    ControlDefinition,
    ControlDefinitionError,
    DetectiveControl,
    TrailOptions,
    TreatMissingData,
    get_control,
)
from trailwatch_constructs.catalog import STATIC_CONTROLS
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.catalog.variants import get_variant

PRIVILEGED = "privileged-group-membership-changes"


def _problems(**props: Any) -> tuple[str, ...]:
    stack = new_stack()
    if "log_group" not in props and "trail" not in props:
        props["log_group"] = existing_log_group(stack)
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(stack, "Monitoring", **props)
    return caught.value.problems


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("privileged_groups", "Admins"),
        ("include", "root-account-usage"),
        ("exclude", "vpc-changes"),
        ("alarm_emails", "sec@example.com"),
        ("tuned_variants", "unauthorized-api-calls-tuned"),
    ],
)
def test_a_string_where_a_list_is_expected_is_one_problem_naming_the_option(option: str, value: str) -> None:
    # GIVEN a lone string for a list option WHEN constructing THEN one problem says to give a list,
    # instead of one problem (or one watched group) per character
    assert _problems(**{option: value}) == (
        f"{option} {value!r} is a single string; give a list of strings, e.g. {option}=[{value!r}]",
    )


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (
            {"trail": TrailOptions(log_retention=30)},  # type: ignore[arg-type]
            "trail.log_retention 30 is a int; expected a logs.RetentionDays of at least one year, "
            "e.g. logs.RetentionDays.ONE_YEAR",
        ),
        (
            {"alarm_overrides": {"root-account-usage": {"threshold": 5}}},
            "alarm_overrides['root-account-usage'] {'threshold': 5} is a dict; expected AlarmSettings(...), "
            "e.g. AlarmSettings(threshold=5)",
        ),
        (
            {"alarm_overrides": {"root-account-usage": AlarmSettings(threshold="5")}},  # type: ignore[arg-type]
            "alarm_overrides['root-account-usage']: threshold '5' is a str; expected a number",
        ),
        ({"trail": {}}, "trail {} is a dict; expected TrailOptions(...), e.g. trail=TrailOptions()"),
        (
            {"log_group": "name"},
            "log_group 'name' is a str; expected a logs.ILogGroup, e.g. logs.LogGroup.from_log_group_name(self, "
            "'CloudTrailLogs', 'aws-controltower/CloudTrailLogs')",
        ),
        ({"alarm_overrides": ["root-account-usage"]}, "alarm_overrides ['root-account-usage'] is a list; expected"),
        ({"topic": "arn:aws:sns:eu-west-1:111122223333:t"}, "topic 'arn:aws:sns:eu-west-1:111122223333:t' is a str"),
        ({"dashboard": "yes"}, "dashboard 'yes' is a str; expected True or False"),
        ({"removal_policy": "destroy"}, "removal_policy 'destroy' is a str; expected a RemovalPolicy"),
    ],
    ids=[
        "retention-int",
        "override-dict",
        "threshold-str",
        "trail-dict",
        "log-group-name",
        "overrides-list",
        "topic-arn",
        "dashboard-str",
        "removal-str",
    ],
)
def test_a_value_of_the_wrong_type_is_a_configuration_error(props: dict[str, Any], expected: str) -> None:
    # GIVEN a value of the wrong type WHEN constructing THEN a ConfigurationError (not AttributeError,
    # TypeError or a jsii SerializationError) names the option, the value and what is allowed
    (problem,) = _problems(**props)
    assert problem.startswith(expected)


def test_every_owner_reports_in_one_error() -> None:
    # GIVEN mistakes owned by DetectiveControl (namespace), the L3 (language), AuditTrail (retention)
    # and AlarmTopic (emails) THEN one error lists all four, before anything is created
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        CloudTrailSecurityMonitoring(
            stack,
            "Monitoring",
            trail=TrailOptions(log_retention=logs.RetentionDays.ONE_WEEK),
            alarm_emails=["nope"],
            metric_namespace="",
            language="fr",
        )
    assert [p.split(" ")[0] for p in caught.value.problems] == [
        "trail.log_retention",
        "alarm_emails:",
        "metric_namespace",
        "language",
    ]
    assert stack.node.try_find_child("Monitoring") is None


def test_audit_trail_checks_its_own_retention() -> None:
    with pytest.raises(ConfigurationError, match=r"invalid AuditTrail properties .*\n  - log_retention ONE_MONTH"):
        AuditTrail(new_stack(), "Trail", log_retention=logs.RetentionDays.ONE_MONTH)


def test_alarm_topic_checks_its_own_emails() -> None:
    with pytest.raises(ConfigurationError, match=r"invalid AlarmTopic properties .*\n  - emails 'a@example.com' is a"):
        AlarmTopic(new_stack(), "Topic", emails="a@example.com")  # type: ignore[arg-type]


def test_detective_control_checks_its_own_namespace_and_settings() -> None:
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        DetectiveControl(
            stack,
            "C",
            definition=get_control("vpc-changes"),
            log_group=existing_log_group(stack),
            metric_namespace="",
            alarm_settings=AlarmSettings(threshold=0),
        )
    assert [p.split(" ")[0] for p in caught.value.problems] == ["alarm_settings:", "metric_namespace"]


@pytest.mark.parametrize("pattern", ["", "   "])
def test_an_empty_pattern_is_rejected(pattern: str) -> None:
    # GIVEN an empty pattern (which CloudWatch Logs matches against every event) THEN the definition fails
    with pytest.raises(ControlDefinitionError, match="an empty filter pattern matches every event"):
        dataclasses.replace(get_control("vpc-changes"), id="everything", pattern=pattern)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (AlarmSettings(threshold=10, statistic="Maximum"), "statistic 'Maximum' with threshold 10 can never fire"),
        (AlarmSettings(threshold=2, statistic="Average"), "statistic 'Average' with threshold 2 can never fire"),
        (AlarmSettings(threshold=0), "threshold 0 must be a whole number >= 1"),
        (AlarmSettings(threshold=1.5), "threshold 1.5 must be a whole number >= 1"),
        (AlarmSettings(treat_missing_data=TreatMissingData.BREACHING), "treat_missing_data BREACHING would keep"),
        (AlarmSettings(evaluation_periods=True), "evaluation_periods True is a bool; expected an integer"),
    ],
    ids=["max-10", "average-2", "zero", "fraction", "breaching", "bool-periods"],
)
def test_settings_that_never_or_always_fire_are_rejected(settings: AlarmSettings, says: str) -> None:
    (problem,) = settings.problems()
    assert problem.startswith(says)


def test_presence_statistics_with_threshold_one_are_accepted() -> None:
    assert AlarmSettings(statistic="Maximum").problems() == []


def test_including_the_privileged_control_without_groups_is_an_error() -> None:
    (problem,) = _problems(include=[PRIVILEGED, "vpc-changes"])
    assert problem == (
        f"include names {PRIVILEGED!r} but no privileged_groups were given; pass the IAM group names to watch, "
        "e.g. privileged_groups=['Administrators']"
    )


def _infos(monitoring: CloudTrailSecurityMonitoring) -> list[str]:
    found = Annotations.from_stack(cdk.Stack.of(monitoring)).find_info("*", Match.any_value())
    return [str(m.entry.data) for m in found]


def test_the_groups_note_appears_only_when_the_control_was_wanted() -> None:
    # GIVEN the default selection THEN the info note advises passing groups; GIVEN the control excluded THEN not
    stack = new_stack()
    by_default = CloudTrailSecurityMonitoring(stack, "A", log_group=existing_log_group(stack))
    assert any("no privileged_groups were given" in i for i in _infos(by_default))
    stack = new_stack()
    excluded = CloudTrailSecurityMonitoring(stack, "B", log_group=existing_log_group(stack), exclude=[PRIVILEGED])
    assert _infos(excluded) == []


def _warnings(stack: cdk.Stack) -> list[str]:
    return [str(m.entry.data) for m in Annotations.from_stack(stack).find_warning("*", Match.any_value())]


def test_a_variant_added_by_hand_warns_like_tuned_variants() -> None:
    # GIVEN the two routes to a tuned variant THEN both give the same synth warning
    variant = "unauthorized-api-calls-tuned"
    by_option = new_stack()
    CloudTrailSecurityMonitoring(
        by_option, "M", log_group=existing_log_group(by_option), tuned_variants=[variant], exclude=[PRIVILEGED]
    )
    by_hand = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        by_hand, "M", log_group=existing_log_group(by_hand), exclude=["unauthorized-api-calls", PRIVILEGED]
    )
    monitoring.add_control(get_variant(variant))
    expected = _warnings(by_option)
    assert len(expected) == 1 and "Security Hub's exact-text check CloudWatch.2 will fail" in expected[0]
    assert _warnings(by_hand) == expected


def test_a_variant_next_to_its_base_replaces_nothing_and_does_not_warn() -> None:
    # GIVEN the base kept (Security Hub's check keeps passing) and the variant added next to it
    # THEN both deploy, with their own metrics, and no warning claims the check will fail
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(stack, "M", log_group=existing_log_group(stack), exclude=[PRIVILEGED])
    variant = monitoring.add_control(get_variant("unauthorized-api-calls-tuned"))
    assert variant.definition.metric_name != monitoring.control("unauthorized-api-calls").definition.metric_name
    assert _warnings(stack) == []


def _monitor(stack: cdk.Stack, construct_id: str, **props: Any) -> CloudTrailSecurityMonitoring:
    return CloudTrailSecurityMonitoring(
        stack, construct_id, log_group=logs.LogGroup.from_log_group_name(stack, f"{construct_id}Logs", "x"), **props
    )


def test_two_monitors_sharing_metrics_in_one_region_are_refused() -> None:
    # GIVEN two monitors in two stacks of one environment, same namespace THEN the second is refused,
    # naming the first's metric filter and itself
    app = new_app()
    env = cdk.Environment(account="111122223333", region="eu-west-1")
    _monitor(cdk.Stack(app, "First", env=env), "M", include=["vpc-changes"])
    with pytest.raises(ConfigurationError) as caught:
        _monitor(cdk.Stack(app, "Second", env=env), "M", include=["vpc-changes", "root-account-usage"])
    (problem,) = caught.value.problems
    assert problem.startswith("metric CloudTrailMetrics/VpcChanges is already published by First/M/VpcChanges/")
    assert problem.endswith("give Second/M another metric_namespace")


def test_environment_agnostic_stacks_may_share_an_account_and_are_refused_too() -> None:
    app = new_app()
    _monitor(cdk.Stack(app, "First"), "M", include=["vpc-changes"])
    with pytest.raises(ConfigurationError, match="already published by First/M"):
        _monitor(cdk.Stack(app, "Second"), "M", include=["vpc-changes"])


@pytest.mark.parametrize(
    ("second_env", "props"),
    [
        (cdk.Environment(account="111122223333", region="eu-west-1"), {"metric_namespace": "Other"}),
        (cdk.Environment(account="111122223333", region="us-east-1"), {}),
        (cdk.Environment(account="444455556666", region="eu-west-1"), {}),
    ],
    ids=["other-namespace", "other-region", "other-account"],
)
def test_monitors_with_distinct_metrics_coexist(second_env: cdk.Environment, props: dict[str, Any]) -> None:
    app = new_app()
    _monitor(cdk.Stack(app, "First", env=cdk.Environment(account="111122223333", region="eu-west-1")), "M")
    second = _monitor(cdk.Stack(app, "Second", env=second_env), "M", **props)
    assert len(second.controls) == 16


def test_a_standalone_control_sharing_a_metric_is_refused() -> None:
    stack = new_stack()
    group = existing_log_group(stack)
    DetectiveControl(stack, "One", definition=get_control("vpc-changes"), log_group=group)
    with pytest.raises(ConfigurationError, match="metric CloudTrailMetrics/VpcChanges is already published"):
        DetectiveControl(stack, "Two", definition=get_control("vpc-changes"), log_group=group)


def _key_policies(template: Template) -> list[str]:
    return sorted(k["DeletionPolicy"] for k in template.find_resources("AWS::KMS::Key").values())


def test_every_key_follows_the_trails_removal_policy() -> None:
    # GIVEN a trail to be destroyed with the stack THEN both its key and the alarm topic's key are deleted
    stack = new_stack()
    CloudTrailSecurityMonitoring(stack, "M", trail=TrailOptions(removal_policy=cdk.RemovalPolicy.DESTROY))
    assert _key_policies(Template.from_stack(stack)) == ["Delete", "Delete"]


def test_the_alarm_topic_key_follows_the_constructs_removal_policy() -> None:
    stack = new_stack()
    _monitor(stack, "M", removal_policy=cdk.RemovalPolicy.DESTROY)
    assert _key_policies(Template.from_stack(stack)) == ["Delete"]
    stack = new_stack()
    _monitor(stack, "M")
    assert _key_policies(Template.from_stack(stack)) == ["Retain"]


def test_a_definition_with_wrong_field_types_is_rejected() -> None:
    base = get_control("vpc-changes")
    with pytest.raises(ControlDefinitionError, match=r"alarm \{'threshold': 1\} is a dict; expected AlarmSettings"):
        ControlDefinition(
            id="mine",
            pattern=base.pattern,
            metric_name="Mine",
            severity=base.severity,
            en=base.en,
            alarm={"threshold": 1},  # type: ignore[arg-type]
        )


def test_a_wildcard_in_the_alarm_name_prefix_is_one_problem_of_the_l3() -> None:
    # GIVEN a prefix the topic policy's ArnLike would read as a wildcard THEN the L3 reports it (once)
    assert _problems(alarm_name_prefix="ops-*") == (
        "alarm_name_prefix 'ops-*' must not contain control characters, '*' or '?'",
    )


def test_s3_data_events_reach_the_trail() -> None:
    # GIVEN TrailOptions(s3_data_events=WRITE_ONLY) THEN the created trail logs S3 object writes
    stack = new_stack()
    CloudTrailSecurityMonitoring(
        stack, "M", trail=TrailOptions(s3_data_events=cloudtrail.ReadWriteType.WRITE_ONLY), include=["vpc-changes"]
    )
    (trail,) = Template.from_stack(stack).find_resources("AWS::CloudTrail::Trail").values()
    selectors = trail["Properties"]["EventSelectors"]
    assert any(s.get("ReadWriteType") == "WriteOnly" and s.get("DataResources") for s in selectors)


def test_a_custom_control_whose_pattern_has_a_trap_warns_at_synth_and_still_deploys_its_text() -> None:
    # GIVEN a custom control comparing readOnly with the unquoted word false (accepted by AWS, compares text)
    text = "{ ($.eventSource = iam.amazonaws.com) && ($.readOnly = false) }"
    definition = dataclasses.replace(
        get_control("vpc-changes"),
        id="iam-writes",
        pattern=text,
        metric_name="IamWrites",
    )
    stack = new_stack()
    # WHEN it is deployed
    DetectiveControl(stack, "IamWrites", definition=definition, log_group=existing_log_group(stack))
    # THEN synth warns with the keyword to use, and the filter carries the text unchanged
    (warning,) = _warnings(stack)
    assert "'iam-writes'" in warning and "IS FALSE" in warning and "[ack: trailwatch:pattern-trap]" in warning
    (metric_filter,) = Template.from_stack(stack).find_resources("AWS::Logs::MetricFilter").values()
    assert metric_filter["Properties"]["FilterPattern"] == text


def test_catalogue_controls_raise_no_pattern_trap_warning() -> None:
    # GIVEN a catalogue control THEN no trap warning is shown
    stack = new_stack()
    DetectiveControl(stack, "Vpc", definition=get_control("vpc-changes"), log_group=existing_log_group(stack))
    assert _warnings(stack) == []


def test_a_threshold_above_one_on_a_control_with_several_filters_is_refused() -> None:
    # GIVEN every auditor (unauthorized-api-calls deploys 3 filters on its metric) and a threshold of 5
    stack = new_stack()
    # WHEN the monitor is built THEN the error says an event would count once per filter
    with pytest.raises(ConfigurationError) as caught:
        _monitor(stack, "M", alarm_overrides={"unauthorized-api-calls": AlarmSettings(threshold=5)})
    (problem,) = caught.value.problems
    assert "'unauthorized-api-calls' deploys 3 metric filters" in problem and "threshold 5" in problem
    # AND with Security Hub alone (one filter) the same override is accepted
    _monitor(
        new_stack(),
        "M",
        alarm_overrides={"unauthorized-api-calls": AlarmSettings(threshold=5)},
        auditors=["security-hub"],
    )


@pytest.mark.parametrize(
    ("auditors", "message"),
    [("prowler", "auditors 'prowler' is a single string"), (["wiz"], "unknown auditor(s) 'wiz'")],
    ids=["lone-string", "unknown"],
)
def test_auditors_mistakes_are_collected_with_the_others(auditors: Any, message: str) -> None:
    # GIVEN a wrong auditors= and a wrong language THEN one error lists both, before anything is created
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        _monitor(stack, "M", auditors=auditors, language="fr")
    assert any(message in p for p in caught.value.problems)
    assert any("language" in p for p in caught.value.problems)
    assert stack.node.try_find_child("M") is None


def test_choosing_auditors_changes_only_the_extra_filters() -> None:
    # GIVEN Security Hub alone, then every auditor
    alone, every = new_stack(), new_stack()
    _monitor(alone, "M", auditors=["security-hub"])
    _monitor(every, "M")
    # THEN Security Hub alone deploys one filter per control and every auditor more, with the same alarms
    count = lambda s, t: len(Template.from_stack(s).find_resources(t))  # noqa: E731
    assert count(alone, "AWS::Logs::MetricFilter") == count(alone, "AWS::CloudWatch::Alarm") == 16
    assert count(every, "AWS::Logs::MetricFilter") > count(every, "AWS::CloudWatch::Alarm") == 16


def test_more_metric_filters_than_a_log_group_allows_are_refused() -> None:
    # GIVEN 101 filters' worth of controls (every auditor's texts, then enough one-filter controls)
    from trailwatch_constructs.constructs.monitoring import metric_filter_quota_problems

    control = get_control("vpc-changes")
    one_filter = [dataclasses.replace(control, id=f"c{i}") for i in range(62)]
    with_auditors = [c.deploying(deployed_texts(c)) for c in STATIC_CONTROLS]
    # WHEN counted THEN the problem names the quota and the controls with the most filters
    (problem,) = metric_filter_quota_problems([*with_auditors, *one_filter])
    assert "need 101 metric filters on one log group" in problem and "at most 100" in problem
    assert "iam-policy-changes 4" in problem
    # AND 100 fit, and filters already deployed count
    assert metric_filter_quota_problems([*with_auditors, *one_filter[:61]]) == []
    assert metric_filter_quota_problems(one_filter[:1], already=100) != []
