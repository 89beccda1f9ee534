"""The fire drill: alarms set to ALARM on the local endpoint, their history read through botocore's Stubber.

moto 5.2 does not implement DescribeAlarmHistory (it raises NotImplementedError) and its
SetAlarmState runs no action, so no "Action" history item could ever appear. ``HistoryStub``
(tests/aws/helpers.py) is the endpoint's CloudWatch client for everything else (SetAlarmState really
changes the alarm's state there) with DescribeAlarmHistory alone answered by a Stubber, in the
summaries' documented wording.
"""

from __future__ import annotations

import pytest

from tests.aws.helpers import KMS_ERROR, NOW, ROOT, SECURITY_HUB_CONTROLS, Account, HistoryStub, factory
from tests.aws_server import REGION, AwsEndpoint
from trailwatch_constructs.aws import AwsCallError
from trailwatch_constructs.aws.fire_drill import DrillTarget, Outcome, Pace, drill_targets, fire_drill
from trailwatch_constructs.aws.verify import verify


class FakeTime:
    """A monotonic clock that only ``sleep`` moves."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Moves the clock."""
        self.sleeps.append(seconds)
        self.seconds += seconds

    def pace(self, timeout: float = 10.0) -> Pace:
        """A pace on this clock, polling every 3 s, starting at :data:`NOW`."""
        return Pace(timeout=timeout, poll=3.0, sleep=self.sleep, clock=lambda: self.seconds, now=lambda: NOW)


def _drilled(aws: AwsEndpoint) -> tuple[Account, DrillTarget, HistoryStub]:
    account = Account(aws)
    account.monitored([ROOT])
    target = DrillTarget(REGION, "CloudWatch.1", ROOT.id, (account.topic(),), "OK")
    return account, target, HistoryStub(aws)


def _state(account: Account, alarm: str) -> str:
    return str(account.client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"])


def test_a_delivered_action_is_reported_and_the_alarm_goes_back_to_ok(aws: AwsEndpoint) -> None:
    # GIVEN CloudWatch.1's alarm in OK, whose history will show its SNS action succeeded
    account, target, cloudwatch = _drilled(aws)
    cloudwatch.answer(ROOT.id, f"Successfully executed action {account.topic()}")
    # WHEN drilled
    (result,) = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace())
    # THEN the action was DELIVERED; the alarm was set to ALARM, then back to OK
    assert (result.alarm, result.action, result.outcome) == (ROOT.id, account.topic(), Outcome.DELIVERED)
    assert result.detail == f"Successfully executed action {account.topic()}"
    assert not result.failed
    assert cloudwatch.states == [(ROOT.id, "ALARM"), (ROOT.id, "OK")]
    assert _state(account, ROOT.id) == "OK"
    cloudwatch.stubber.assert_no_pending_responses()


def test_a_kms_access_error_is_a_failure_with_the_error(aws: AwsEndpoint) -> None:
    # GIVEN the history shows the action failed: CloudWatch may not use the topic's KMS key
    account, target, cloudwatch = _drilled(aws)
    cloudwatch.answer(ROOT.id, f"Failed to execute action {account.topic()}. {KMS_ERROR}")
    # WHEN drilled THEN FAILED, with the history's error
    (result,) = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace())
    assert result.outcome is Outcome.FAILED
    assert result.detail.endswith(KMS_ERROR)
    assert result.failed


def test_the_history_is_read_again_until_the_outcome_shows(aws: AwsEndpoint) -> None:
    # GIVEN a history without outcome at first, then with it
    account, target, cloudwatch = _drilled(aws)
    cloudwatch.answer(ROOT.id)
    cloudwatch.answer(ROOT.id, f"Successfully executed action {account.topic()}")
    time = FakeTime()
    # WHEN drilled THEN it waited one poll interval, then found the outcome
    (result,) = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], time.pace())
    assert result.outcome is Outcome.DELIVERED
    assert time.sleeps == [3.0]


def test_no_outcome_before_the_timeout_is_no_record_and_the_alarm_is_reset(aws: AwsEndpoint) -> None:
    # GIVEN a history that never shows an outcome, and 5 s to wait (reads at 0, 3 and 6 s)
    account, target, cloudwatch = _drilled(aws)
    for _ in range(3):
        cloudwatch.answer(ROOT.id)
    # WHEN drilled
    (result,) = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace(timeout=5))
    # THEN NO_RECORD (a failure of the drill), and the alarm is back in OK
    assert result.outcome is Outcome.NO_RECORD
    assert result.failed
    assert _state(account, ROOT.id) == "OK"
    cloudwatch.stubber.assert_no_pending_responses()


def test_the_drill_s_own_outcome_is_the_oldest_since_it_started(aws: AwsEndpoint) -> None:
    # GIVEN (newest first) a success, e.g. the OK action once the alarm returned by itself, then the
    # drill's failed ALARM action
    account, target, cloudwatch = _drilled(aws)
    topic = account.topic()
    cloudwatch.answer(
        ROOT.id, f"Successfully executed action {topic}", f"Failed to execute action {topic}. {KMS_ERROR}"
    )
    # WHEN drilled THEN the failure is the outcome
    (result,) = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace())
    assert result.outcome is Outcome.FAILED


def test_each_action_of_an_alarm_has_its_own_outcome(aws: AwsEndpoint) -> None:
    # GIVEN an alarm notifying two topics, one of which fails
    account, _, cloudwatch = _drilled(aws)
    first, second = account.topic(), account.topic("pager")
    target = DrillTarget(REGION, "CloudWatch.1", ROOT.id, (first, second), "OK")
    cloudwatch.answer(
        ROOT.id, f"Failed to execute action {second}. {KMS_ERROR}", f"Successfully executed action {first}"
    )
    # WHEN drilled THEN one result per action, in the alarm's order
    results = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace())
    assert [(r.action, r.outcome) for r in results] == [(first, Outcome.DELIVERED), (second, Outcome.FAILED)]


def test_an_alarm_already_in_alarm_is_skipped_untouched(aws: AwsEndpoint) -> None:
    # GIVEN CloudWatch.1's alarm firing for real when the drill reads it
    account, _, cloudwatch = _drilled(aws)
    account.client("cloudwatch").set_alarm_state(AlarmName=ROOT.id, StateValue="ALARM", StateReason="firing")
    (target,) = drill_targets(verify(factory(aws), [REGION], controls=[ROOT]).views, [ROOT])
    # WHEN drilled
    (result,) = fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace())
    # THEN SKIPPED, not a failure; its state was neither set nor reset
    assert result.outcome is Outcome.SKIPPED
    assert not result.failed
    assert cloudwatch.states == []
    assert _state(account, ROOT.id) == "ALARM"


def test_an_error_reading_the_history_still_sets_the_alarm_back_to_ok(aws: AwsEndpoint) -> None:
    # GIVEN the history may not be read
    account, target, cloudwatch = _drilled(aws)
    cloudwatch.stubber.add_client_error("describe_alarm_history", "AccessDenied", http_status_code=403)
    # WHEN drilled THEN the run ends with one AwsCallError, and the alarm is back in OK first
    with pytest.raises(AwsCallError, match=r"^cannot call AWS in eu-west-1: .*\(AccessDenied\)"):
        fire_drill(factory(aws, cloudwatch=cloudwatch), [target], FakeTime().pace())
    assert cloudwatch.states == [(ROOT.id, "ALARM"), (ROOT.id, "OK")]
    assert _state(account, ROOT.id) == "OK"


def test_targets_are_the_enabled_alarms_of_the_controls_chains(aws: AwsEndpoint) -> None:
    # GIVEN complete chains for CloudWatch.1 and .2, CloudWatch.3's alarm disabled, and an unrelated alarm
    account = Account(aws)
    account.monitored(SECURITY_HUB_CONTROLS[:2])
    account.metric_filter(SECURITY_HUB_CONTROLS[2])
    account.alarm(SECURITY_HUB_CONTROLS[2], enabled=False)
    account.unrelated_alarm(actions=[account.topic()])
    views = verify(factory(aws), [REGION]).views
    # WHEN the drill's targets are chosen for every control, then for CloudWatch.2 only
    every = drill_targets(views, SECURITY_HUB_CONTROLS)
    one = drill_targets(views, SECURITY_HUB_CONTROLS[1:2])
    # THEN the enabled alarms of the chains, labelled with their Security Hub control
    topic = (account.topic(),)
    assert every == (
        DrillTarget(REGION, "CloudWatch.1", "root-account-usage", topic, "OK"),
        DrillTarget(REGION, "CloudWatch.2", "unauthorized-api-calls", topic, "OK"),
    )
    assert [t.alarm for t in one] == ["unauthorized-api-calls"]


def test_a_failure_arming_one_alarm_resets_only_those_armed(aws: AwsEndpoint) -> None:
    # GIVEN two targets, the second an alarm that no longer exists
    account, target, cloudwatch = _drilled(aws)
    gone = DrillTarget(REGION, "CloudWatch.2", "deleted-alarm", target.actions, "OK")
    # WHEN drilled
    with pytest.raises(AwsCallError, match=r"\(ResourceNotFound\) when calling the SetAlarmState operation"):
        fire_drill(factory(aws, cloudwatch=cloudwatch), [target, gone], FakeTime().pace())
    # THEN the first alarm, which was set to ALARM, is back in OK; the missing one is not "reset"
    assert cloudwatch.states == [(ROOT.id, "ALARM"), ("deleted-alarm", "ALARM"), (ROOT.id, "OK")]
    assert _state(account, ROOT.id) == "OK"
