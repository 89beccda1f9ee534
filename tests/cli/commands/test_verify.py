"""``trailwatch verify`` against the local AWS endpoint: a verdict per Region and control, formats, errors.

Each configuration is built with boto3 on moto's server (tests/aws_server.py), then the command runs
with ``--endpoint-url``. What moto cannot produce (a pending subscription, a denied topic, another
account's organization trail) is covered with botocore's Stubber in tests/aws/test_verify.py.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import ANY
from click.testing import CliRunner, Result

import trailwatch_constructs.aws
from tests.aws.helpers import KMS_ERROR, LOG_GROUP, ROOT, SECURITY_HUB_CONTROLS, Account, HistoryStub
from tests.aws_server import REGION, AwsEndpoint
from trailwatch_constructs.aws import Service, SessionClients
from trailwatch_constructs.catalog import get_variant
from trailwatch_constructs.catalog.auditors import Auditor, candidate_texts, control_checks
from trailwatch_constructs.cli.main import cli

CLOUDWATCH = [str(c.security_hub_control) for c in SECURITY_HUB_CONTROLS]
EVERY_CONTROL = ["CloudTrail.1", *CLOUDWATCH, "CloudWatch.15", "CloudWatch.16", "CloudWatch.17"]


def run(runner: CliRunner, aws: AwsEndpoint, *args: str) -> Result:
    """``trailwatch verify --endpoint-url <endpoint> --region eu-west-1 ARGS``."""
    return runner.invoke(cli, ["verify", "--endpoint-url", aws.url, "--region", aws.region, *args])


def verdicts(result: Result, region: str = REGION) -> dict[str, tuple[str, str]]:
    """``--format json``'s checks of one Region: control -> (status, reason)."""
    checks = json.loads(result.stdout)["checks"]
    return {c["control"]: (c["status"], c["reason"]) for c in checks if c["region"] == region}


def run_json(runner: CliRunner, aws: AwsEndpoint, *args: str) -> tuple[Result, dict[str, tuple[str, str]]]:
    """Runs verify with ``--format json``; returns the result and its verdicts in eu-west-1."""
    result = run(runner, aws, "--format", "json", *args)
    assert result.stderr == ""
    return result, verdicts(result)


# --- the complete set-up ---------------------------------------------------------------------------


def test_a_complete_set_up_passes_every_control_and_exits_0(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a logging multi-Region trail, and every control's filter, alarm and subscribed topic
    Account(aws).monitored()
    # WHEN verified
    result, checks = run_json(runner, aws)
    # THEN every control PASSED, in order: CloudTrail.1, CloudWatch.1-14, then .15-.17
    assert result.exit_code == 0
    assert list(checks) == EVERY_CONTROL
    assert {status for status, _ in checks.values()} == {"PASSED"}


def test_a_passing_chain_names_its_filter_alarm_and_topic(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN CloudWatch.1's complete chain
    account = Account(aws)
    account.monitored([ROOT])
    # WHEN verified
    _, checks = run_json(runner, aws, "--control", "root-account-usage")
    # THEN the reason names each link
    assert checks["CloudWatch.1"] == (
        "PASSED",
        f"filter 'root-account-usage-0' -> alarm 'root-account-usage' -> topic {account.topic()} "
        "(1 confirmed subscription(s))",
    )


def test_json_rows_carry_region_control_status_and_reason(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN an empty account WHEN verified as JSON
    result = run(runner, aws, "--format", "json")
    # THEN the document is {"checks": [...]} and each row has exactly the four documented keys
    document = json.loads(result.stdout)
    assert list(document) == ["checks"]
    assert {tuple(row) for row in document["checks"]} == {("region", "control", "status", "reason")}


# --- one missing step at a time: CloudWatch.1's verdict and reason ---------------------------------


def _no_trail(account: Account) -> None:
    account.log_group()
    account.chain(ROOT)


def _single_region_trail(account: Account) -> None:
    account.trail(multi_region=False)
    account.chain(ROOT)


def _not_logging(account: Account) -> None:
    account.trail(logging=False)
    account.chain(ROOT)


def _write_only(account: Account) -> None:
    account.trail(selectors={"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]})
    account.chain(ROOT)


def _no_log_group(account: Account) -> None:
    account.trail(log_group=None)


def _log_group_deleted(account: Account) -> None:
    account.trail()
    account.client("logs").delete_log_group(logGroupName=LOG_GROUP)


def _no_filter(account: Account) -> None:
    account.trail()
    account.alarm(ROOT)


def _one_extra_space(account: Account) -> None:
    # Security Hub compares the text byte for byte: one space more fails it.
    account.trail()
    account.metric_filter(ROOT, pattern=ROOT.pattern.replace("&&", " &&", 1))
    account.alarm(ROOT)


def _tuned_variant(account: Account) -> None:
    account.trail()
    variant = get_variant("unauthorized-api-calls-tuned")
    account.metric_filter(SECURITY_HUB_CONTROLS[1], pattern=variant.pattern)
    account.alarm(SECURITY_HUB_CONTROLS[1])


def _no_alarm(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)


def _alarm_on_another_namespace(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)
    account.alarm(ROOT, namespace="CISBenchmark")


def _actions_disabled(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)
    account.alarm(ROOT, enabled=False)


def _no_action(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)
    account.alarm(ROOT, actions=[])


def _lambda_action_only(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)
    account.alarm(ROOT, actions=[f"arn:aws:lambda:{REGION}:{account.aws.account}:function:page-oncall"])


def _no_subscription(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)
    account.alarm(ROOT, actions=[account.topic("silent", subscribed=False)])


def _topic_missing(account: Account) -> None:
    account.trail()
    account.metric_filter(ROOT)
    account.alarm(ROOT, actions=[f"arn:aws:sns:{REGION}:{account.aws.account}:deleted-topic"])


def _furthest_failure_of_two_trails(account: Account) -> None:
    # The stopped trail fails at the first step, the other at the alarm: the alarm is reported.
    account.trail("stopped", logging=False, log_group=None)
    account.trail("main")
    account.metric_filter(ROOT)


def _one_of_two_alarms_complete(account: Account) -> None:
    account.trail()
    account.chain(ROOT)
    account.alarm(ROOT, name="root-disabled", actions=[], enabled=False)


SET_UPS: list[Any] = [
    pytest.param(_no_trail, "CloudWatch.1", "FAILED", "no trail in eu-west-1", id="no-trail"),
    pytest.param(
        _single_region_trail,
        "CloudWatch.1",
        "FAILED",
        "no multi-Region trail ('main' log this Region only)",
        id="single-region-trail",
    ),
    pytest.param(_not_logging, "CloudWatch.1", "FAILED", "multi-Region trail 'main' is not logging", id="not-logging"),
    pytest.param(
        _write_only,
        "CloudWatch.1",
        "FAILED",
        "multi-Region trail 'main' does not record every management event (read and write, no source excluded)",
        id="write-only",
    ),
    pytest.param(
        _no_log_group,
        "CloudWatch.1",
        "FAILED",
        "trail 'main' delivers no events to CloudWatch Logs",
        id="no-log-group",
    ),
    pytest.param(
        _log_group_deleted,
        "CloudWatch.1",
        "FAILED",
        "log group 'trail-logs' of trail 'main' does not exist",
        id="log-group-deleted",
    ),
    pytest.param(
        _no_filter,
        "CloudWatch.1",
        "FAILED",
        "no metric filter on log group 'trail-logs' has Security Hub's exact text for CloudWatch.1",
        id="no-filter",
    ),
    pytest.param(
        _one_extra_space,
        "CloudWatch.1",
        "FAILED",
        "no metric filter on log group 'trail-logs' has Security Hub's exact text for CloudWatch.1",
        id="one-extra-space",
    ),
    pytest.param(
        _tuned_variant,
        "CloudWatch.2",
        "FAILED",
        "no metric filter on log group 'trail-logs' has Security Hub's exact text for CloudWatch.2",
        id="tuned-variant",
    ),
    pytest.param(
        _no_alarm,
        "CloudWatch.1",
        "FAILED",
        "no alarm on metric Trailwatch/RootAccountUsage of filter 'root-account-usage-0'",
        id="no-alarm",
    ),
    pytest.param(
        _alarm_on_another_namespace,
        "CloudWatch.1",
        "FAILED",
        "no alarm on metric Trailwatch/RootAccountUsage of filter 'root-account-usage-0'",
        id="alarm-on-another-namespace",
    ),
    pytest.param(
        _actions_disabled,
        "CloudWatch.1",
        "FAILED",
        "alarm 'root-account-usage' has its actions disabled",
        id="actions-disabled",
    ),
    pytest.param(
        _no_action,
        "CloudWatch.1",
        "FAILED",
        "alarm 'root-account-usage' has no SNS action for the ALARM state",
        id="no-action",
    ),
    pytest.param(
        _lambda_action_only,
        "CloudWatch.1",
        "FAILED",
        "alarm 'root-account-usage' has no SNS action for the ALARM state",
        id="lambda-action-only",
    ),
    pytest.param(
        _no_subscription,
        "CloudWatch.1",
        "FAILED",
        f"topic arn:aws:sns:{REGION}:123456789012:silent of alarm 'root-account-usage' has no confirmed subscription",
        id="no-subscription",
    ),
    pytest.param(
        _topic_missing,
        "CloudWatch.1",
        "FAILED",
        f"topic arn:aws:sns:{REGION}:123456789012:deleted-topic of alarm 'root-account-usage' does not exist",
        id="topic-missing",
    ),
    pytest.param(
        _furthest_failure_of_two_trails,
        "CloudWatch.1",
        "FAILED",
        "no alarm on metric Trailwatch/RootAccountUsage of filter 'root-account-usage-0'",
        id="furthest-failure-of-two-trails",
    ),
    pytest.param(_one_of_two_alarms_complete, "CloudWatch.1", "PASSED", None, id="one-of-two-alarms-complete"),
]


@pytest.mark.parametrize(("set_up", "control", "status", "reason"), SET_UPS)
def test_each_missing_step_is_the_reason_of_the_verdict(
    runner: CliRunner,
    aws: AwsEndpoint,
    set_up: Callable[[Account], None],
    control: str,
    status: str,
    reason: str | None,
) -> None:
    # GIVEN an account built one step short of a complete chain (or complete)
    set_up(Account(aws))
    # WHEN verified
    result, checks = run_json(runner, aws)
    # THEN the control's verdict names the step, and a FAILED check makes the exit status 1
    assert checks[control][0] == status
    if reason is not None:
        assert checks[control][1] == reason
    assert result.exit_code == 1


# --- CloudTrail.1 and CloudWatch.15-17 ---------------------------------------------------------------


def test_cloudtrail_1_fails_for_a_stopped_trail(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a multi-Region trail that was never started WHEN verified THEN CloudTrail.1 FAILED
    Account(aws).trail(logging=False)
    _, checks = run_json(runner, aws)
    assert checks["CloudTrail.1"] == ("FAILED", "multi-Region trail 'main' is not logging")


def test_cloudtrail_1_passes_without_any_alarm(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN only a logging multi-Region trail WHEN verified THEN CloudTrail.1 needs nothing more
    Account(aws).trail()
    _, checks = run_json(runner, aws)
    assert checks["CloudTrail.1"] == ("PASSED", "multi-Region trail 'main' logs every read and write management event")


@pytest.mark.parametrize(
    ("retention", "status", "reason"),
    [
        (90, "FAILED", "log group 'trail-logs' keeps events for 90 days; at least 365 are required"),
        (365, "PASSED", "log group 'trail-logs' (365 days)"),
        (3653, "PASSED", "log group 'trail-logs' (3653 days)"),
        (None, "PASSED", "log group 'trail-logs' (never expires)"),
    ],
)
def test_cloudwatch_16_needs_a_year_of_retention(
    runner: CliRunner, aws: AwsEndpoint, retention: int | None, status: str, reason: str
) -> None:
    # GIVEN the trail's log group kept for this many days (None: never expire)
    Account(aws).trail(retention=retention)
    # WHEN verified THEN CloudWatch.16 passes from 365 days on
    _, checks = run_json(runner, aws)
    assert checks["CloudWatch.16"] == (status, reason)


def test_cloudwatch_16_has_no_data_without_a_log_group(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a trail delivering to S3 only WHEN verified THEN CloudWatch.16 has no log group to judge
    Account(aws).trail(log_group=None)
    _, checks = run_json(runner, aws)
    assert checks["CloudWatch.16"] == ("NO_DATA", "no trail of this account based in eu-west-1 delivers to a log group")


def test_cloudwatch_15_and_17_name_the_alarms_that_fail_them(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN three alarms on the trail's filters: complete, without action, with actions disabled
    account = Account(aws)
    account.trail()
    complete, bare, disabled = SECURITY_HUB_CONTROLS[:3]
    for control in (complete, bare, disabled):
        account.metric_filter(control)
    account.alarm(complete)
    account.alarm(bare, actions=[])
    account.alarm(disabled, enabled=False)
    # WHEN verified
    _, checks = run_json(runner, aws)
    # THEN CloudWatch.15 names the alarm without action, CloudWatch.17 the disabled one
    assert checks["CloudWatch.15"] == ("FAILED", f"alarm(s) '{bare.id}' with no action for the ALARM state")
    assert checks["CloudWatch.17"] == ("FAILED", f"alarm(s) '{disabled.id}' with its actions disabled")


def test_alarms_on_other_metrics_are_not_judged(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN the trail's complete chain for CloudWatch.1, and an unrelated alarm without actions
    account = Account(aws)
    account.monitored([ROOT])
    account.unrelated_alarm()
    # WHEN verified THEN CloudWatch.15 and .17 judge only the trail's alarm
    _, checks = run_json(runner, aws)
    assert checks["CloudWatch.15"] == ("PASSED", "all 1 alarm(s) on the trail's metric filters")
    assert checks["CloudWatch.17"][0] == "PASSED"


def test_without_a_trail_alarm_cloudwatch_15_and_17_have_no_data(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a trail and its log group, no filter or alarm WHEN verified THEN no alarm to judge
    Account(aws).trail()
    _, checks = run_json(runner, aws)
    assert checks["CloudWatch.15"][0] == checks["CloudWatch.17"][0] == "NO_DATA"


# --- Regions ---------------------------------------------------------------------------------------


def test_a_trail_based_in_another_region_gives_no_data_there_and_is_checked_at_home(
    runner: CliRunner, aws: AwsEndpoint
) -> None:
    # GIVEN a complete set-up whose multi-Region trail is based in us-east-1
    Account(aws, region="us-east-1").monitored()
    # WHEN eu-west-1 and us-east-1 are verified
    result = run(runner, aws, "--region", "us-east-1", "--format", "json")
    # THEN in eu-west-1 CloudWatch.1-14 are NO_DATA naming the trail's Region, CloudTrail.1 still PASSED;
    # in us-east-1 everything PASSED, and nothing FAILED
    europe, home = verdicts(result), verdicts(result, "us-east-1")
    reason = "multi-Region trail 'main' is based in us-east-1: Security Hub evaluates it there"
    assert {europe[c] for c in CLOUDWATCH} == {("NO_DATA", reason)}
    assert europe["CloudTrail.1"][0] == "PASSED"
    assert {status for status, _ in home.values()} == {"PASSED"}
    assert result.exit_code == 0


def test_no_region_anywhere_is_a_usage_error(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN no --region and no Region in the environment or a profile
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    # WHEN verify runs
    result = runner.invoke(cli, ["verify", "--endpoint-url", aws.url])
    # THEN one line and exit 2
    assert result.exit_code == 2
    assert result.stderr == (
        "trailwatch: error: no Region to check: pass --region REGION, or set AWS_REGION or a profile's region; "
        "see 'trailwatch verify --help'\n"
    )


def test_the_session_s_region_is_the_default(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN AWS_DEFAULT_REGION=eu-west-1 (the fixture's) and no --region
    result = runner.invoke(cli, ["verify", "--endpoint-url", aws.url, "--format", "json"])
    # THEN eu-west-1 is checked
    assert {row["region"] for row in json.loads(result.stdout)["checks"]} == {REGION}


# --- other auditors ------------------------------------------------------------------------------


def _text_only(auditor: Auditor) -> str:
    """A text the auditor accepts for root-account-usage that Security Hub does not."""
    (check,) = control_checks(ROOT.id, [Auditor.SECURITY_HUB])
    return next(
        t.text
        for t in candidate_texts(ROOT.id)
        if check.accepting([t.text]) is None and all(c.accepting([t.text]) for c in control_checks(ROOT.id, [auditor]))
    )


def test_another_auditor_s_text_passes_its_check_and_fails_security_hub_s(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN root-account-usage's chain with only prowler's text
    account = Account(aws)
    account.trail()
    account.metric_filter(ROOT, pattern=_text_only(Auditor.PROWLER))
    account.alarm(ROOT)
    # WHEN verified with --auditor prowler
    result = run(runner, aws, "--format", "json", "--auditor", "prowler", "--control", "CloudWatch.1")
    # THEN prowler's check PASSED, Security Hub's CloudWatch.1 FAILED (exit 1)
    document = json.loads(result.stdout)
    (row,) = document["auditor_checks"]
    assert row["auditor"] == "prowler"
    assert row["check"] == "prowler cloudwatch_log_metric_filter_root_usage"
    assert row["control"] == "root-account-usage"
    assert row["status"] == "PASSED"
    assert verdicts(result)["CloudWatch.1"][0] == "FAILED"
    assert result.exit_code == 1


def test_security_hub_s_text_is_judged_by_each_auditor_s_own_rule(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN root-account-usage's complete chain with Security Hub's text only
    Account(aws).monitored([ROOT])
    # WHEN verified for every auditor
    args = [arg for a in Auditor for arg in ("--auditor", a.value)]
    result = run(runner, aws, "--format", "json", "--control", "root-account-usage", *args)
    # THEN each other auditor's check passes exactly when its rule accepts that text
    rows = {r["check"]: r["status"] for r in json.loads(result.stdout)["auditor_checks"]}
    others = [a for a in Auditor if a is not Auditor.SECURITY_HUB]
    expected = {c.name: "PASSED" if c.accepting([ROOT.pattern]) else "FAILED" for c in control_checks(ROOT.id, others)}
    assert rows == expected
    assert "FAILED" in rows.values()


def test_without_other_auditors_there_is_no_auditor_section(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN --auditor security-hub, whose checks are the main table WHEN verified THEN no second section
    result = run(runner, aws, "--format", "json", "--auditor", "security-hub")
    assert "auditor_checks" not in json.loads(result.stdout)


# --- selection and formats ---------------------------------------------------------------------------


def test_control_selects_by_catalogue_id_or_security_hub_id(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN one control by catalogue id, one by Security Hub id WHEN verified
    _, checks = run_json(runner, aws, "--control", "root-account-usage", "--control", "CloudWatch.14")
    # THEN theirs are the only CloudWatch.1-14 rows; CloudTrail.1 and .15-.17 are always there
    assert list(checks) == [
        "CloudTrail.1",
        "CloudWatch.1",
        "CloudWatch.14",
        "CloudWatch.15",
        "CloudWatch.16",
        "CloudWatch.17",
    ]


def test_an_unknown_control_is_a_usage_error(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a control that does not exist WHEN verified THEN one line, exit 2
    result = run(runner, aws, "--control", "CloudWatch.99")
    assert result.exit_code == 2
    assert result.stderr.startswith("trailwatch: error: invalid value for '--control': 'CloudWatch.99' is not one of")


def test_table_shows_each_verdict_and_a_summary(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN CloudWatch.1's complete chain and nothing else
    Account(aws).monitored([ROOT])
    # WHEN verified as a table
    result = run(runner, aws)
    # THEN a summary line, then one row per control with its status
    lines = result.stdout.splitlines()
    assert lines[0] == "18 checks: 5 PASSED, 13 FAILED"
    row = next(line for line in lines if " CloudWatch.1 " in line)
    assert row.split()[:3] == [REGION, "CloudWatch.1", "PASSED"]
    assert result.exit_code == 1


def test_markdown_has_a_section_and_a_row_per_verdict(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN CloudWatch.1's complete chain WHEN verified as Markdown
    Account(aws).monitored([ROOT])
    result = run(runner, aws, "--format", "markdown", "--control", "CloudWatch.1")
    # THEN a title, the summary, the Security Hub section and its table
    assert result.stdout.startswith("# trailwatch verify\n\n- 5 checks: 5 PASSED\n\n## Security Hub\n\n")
    assert "| Region | Control | Status | Reason |\n|---|---|---|---|\n" in result.stdout
    assert "| eu-west-1 | CloudTrail.1 | PASSED | multi-Region trail 'main' logs" in result.stdout


# --- AWS failures --------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_endpoint_that_does_not_answer_is_one_line_and_exit_1(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an endpoint URL where nothing listens (and no retries, to be quick)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    url = f"http://127.0.0.1:{_closed_port()}"
    # WHEN verify runs
    result = runner.invoke(cli, ["verify", "--endpoint-url", url, "--region", REGION])
    # THEN one line naming the Region and the endpoint, exit 1, no traceback
    assert result.exit_code == 1
    assert (
        result.stderr
        == f'trailwatch: error: cannot call AWS in eu-west-1: Could not connect to the endpoint URL: "{url}/"\n'
    )


def test_no_credentials_is_one_line_and_exit_1(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN no credentials anywhere (and no instance metadata lookup, which would leave 127.0.0.1)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # WHEN verify runs
    result = run(runner, aws)
    # THEN one line, exit 1
    assert result.exit_code == 1
    assert result.stderr == "trailwatch: error: cannot call AWS in eu-west-1: Unable to locate credentials\n"


@pytest.mark.parametrize("url", ["127.0.0.1:4566", "ftp://127.0.0.1", "http://"])
def test_an_endpoint_url_that_is_not_http_is_a_usage_error(runner: CliRunner, url: str) -> None:
    # GIVEN an endpoint URL botocore cannot use WHEN verify runs THEN a usage error, not a ValueError
    result = runner.invoke(cli, ["verify", "--endpoint-url", url, "--region", REGION])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"trailwatch: error: invalid value for '--endpoint-url': '{url}' is not an http:// or https:// URL"
    )


def test_an_unknown_profile_is_one_line_and_exit_1(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a profile the (empty) config does not have WHEN verify runs THEN one line, exit 1
    result = run(runner, aws, "--profile", "nope")
    assert result.exit_code == 1
    assert result.stderr == "trailwatch: error: cannot call AWS: The config profile (nope) could not be found\n"


# --- the fire drill (its history read through a Stubber: moto lacks DescribeAlarmHistory) ------------


def _drilling(monkeypatch: pytest.MonkeyPatch, aws: AwsEndpoint, *summaries: str) -> HistoryStub:
    """Makes verify's CloudWatch client a HistoryStub whose history shows ``summaries`` for CloudWatch.1."""
    history = HistoryStub(aws, start_date=ANY)
    history.answer(ROOT.id, *summaries)

    class StubbedHistoryClients(SessionClients):
        def __call__(self, service: Service, region: str) -> Any:
            return history if service == "cloudwatch" else super().__call__(service, region)

    monkeypatch.setattr(trailwatch_constructs.aws, "SessionClients", StubbedHistoryClients)
    return history


def test_fire_drill_reports_a_delivered_action_and_exits_0(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN CloudWatch.1's complete chain, whose alarm history will show the SNS action succeeded
    account = Account(aws)
    account.monitored([ROOT])
    topic = account.topic()
    history = _drilling(monkeypatch, aws, f"Successfully executed action {topic}")
    # WHEN verified with --fire-drill
    result = run(runner, aws, "--format", "json", "--control", "CloudWatch.1", "--fire-drill", "--timeout", "5")
    # THEN the drill's row says DELIVERED, the alarm went to ALARM and back to OK, and the exit status is 0
    assert json.loads(result.stdout)["fire_drill"] == [
        {
            "region": REGION,
            "control": "CloudWatch.1",
            "alarm": ROOT.id,
            "action": topic,
            "outcome": "DELIVERED",
            "detail": f"Successfully executed action {topic}",
        }
    ]
    assert history.states == [(ROOT.id, "ALARM"), (ROOT.id, "OK")]
    assert result.exit_code == 0


def test_a_failed_delivery_makes_the_drill_exit_1(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN CloudWatch.1's complete chain (every check passes), but a topic key CloudWatch may not use
    account = Account(aws)
    account.monitored([ROOT])
    _drilling(monkeypatch, aws, f"Failed to execute action {account.topic()}. {KMS_ERROR}")
    # WHEN drilled, as a table
    result = run(runner, aws, "--control", "CloudWatch.1", "--fire-drill")
    # THEN the fire drill's table shows the failure, and the exit status is 1
    lines = result.stdout.splitlines()
    assert lines[0] == "5 checks: 5 PASSED; fire drill: 1 action(s), 1 without a successful delivery"
    drill = lines[next(i for i, line in enumerate(lines) if line.strip() == "Fire drill") :]
    assert any(ROOT.id in line and " FAILED " in line for line in drill)
    assert result.exit_code == 1
