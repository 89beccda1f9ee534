"""The alarm simulation on hand-built timelines: what CloudWatch's rules give, notification by notification.

Rules (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html): a datapoint
per period (Sum of 1 per matching event; none in a quiet period), ALARM while at least M of the last
N datapoints breach, missing data not breaching, one notification per change to ALARM.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from trailwatch_constructs.catalog import catalog_controls
from trailwatch_constructs.catalog.alarm_simulation import AlarmTimeline, is_simulated, simulate_alarm
from trailwatch_constructs.catalog.definition import AlarmSettings, Statistic, TreatMissingData

T0 = 1_714_521_600  # 2024-05-01T00:00:00Z, a multiple of every period used here
MINUTE = 60
PERIOD = 300


def events(*minutes_counts: tuple[float, int]) -> Counter[int]:
    """Matching events: ``(minute after T0, how many)`` pairs."""
    timeline: Counter[int] = Counter()
    for minute, count in minutes_counts:
        timeline[T0 + int(minute * MINUTE)] += count
    return timeline


def at(*periods: int) -> tuple[int, ...]:
    """The start times of the given 5-minute periods after T0."""
    return tuple(T0 + p * PERIOD for p in periods)


def test_threshold_1_notifies_once_per_burst_not_per_event_or_period() -> None:
    # GIVEN the default settings (Sum over 5 min >= 1, 1 of 1) and events in periods 0, 1 (a burst
    # over two adjacent periods), then period 4 after two quiet periods
    timeline = events((1, 3), (6, 2), (21, 1))
    # WHEN simulated
    result = simulate_alarm(AlarmSettings(), timeline)
    # THEN ALARM starts at period 0, stays through period 1, goes OK on the quiet period 2 and
    # starts again at period 4: two notifications, three breaching periods
    assert result == AlarmTimeline(at(0, 4), 3)


def test_threshold_5_needs_five_events_in_one_period() -> None:
    # GIVEN 4 events in period 0, 5 in period 2 (split 3 + 2 across the period), 4 + 4 across the
    # boundary of periods 4 and 5
    timeline = events((0, 4), (10, 3), (14.9, 2), (24, 4), (25, 4))
    # WHEN simulated with threshold 1 and with threshold 5
    one = simulate_alarm(AlarmSettings(threshold=1), timeline)
    five = simulate_alarm(AlarmSettings(threshold=5), timeline)
    # THEN threshold 1 notifies for each burst; threshold 5 only for period 2: periods are
    # aligned, so 8 events split 4 + 4 over a boundary never reach 5 in one period
    assert one == AlarmTimeline(at(0, 2, 4), 4)
    assert five == AlarmTimeline(at(2), 1)


def test_three_of_three_evaluation_periods_needs_three_breaching_periods_in_a_row() -> None:
    # GIVEN events in periods 0, 1 (then quiet), and in 5, 6, 7, 8
    timeline = events((1, 1), (6, 1), (26, 1), (31, 1), (36, 1), (41, 1))
    # WHEN simulated with 1 of 1 and with 3 of 3 evaluation periods
    one = simulate_alarm(AlarmSettings(evaluation_periods=1), timeline)
    three = simulate_alarm(AlarmSettings(evaluation_periods=3), timeline)
    # THEN 1 of 1 notifies at 0 and at 5; 3 of 3 only once three breaching periods end at 7
    assert one.notifications == at(0, 5)
    assert three.notifications == at(7)


def test_two_of_three_datapoints_alarm_with_a_gap_and_missing_data_does_not_breach() -> None:
    # GIVEN events in periods 0 and 2 (a quiet period between), and later in 10 alone
    timeline = events((1, 1), (11, 1), (51, 1))
    settings = AlarmSettings(evaluation_periods=3, datapoints_to_alarm=2)
    # WHEN simulated, 2 of 3
    result = simulate_alarm(settings, timeline)
    # THEN periods 0 and 2 share the window 0-2: ALARM at 2; period 10 alone never makes two of
    # three (the quiet periods around it are missing, and missing is not breaching)
    assert result == AlarmTimeline(at(2), 3)


def test_alarm_stays_in_alarm_while_the_window_still_holds_enough_breaching_periods() -> None:
    # GIVEN 2 of 3 with breaching periods 0, 1, 3, 4 (period 2 quiet)
    timeline = events((1, 1), (6, 1), (16, 1), (21, 1))
    # WHEN simulated
    result = simulate_alarm(AlarmSettings(evaluation_periods=3, datapoints_to_alarm=2), timeline)
    # THEN windows 0-2, 1-3, 2-4 each hold two breaching periods: one notification, at 1
    assert result.notifications == at(1)


def test_the_alarm_returns_to_ok_when_the_last_breach_leaves_the_window() -> None:
    # GIVEN 1 of 3 evaluation periods, breaching periods 0 and 4
    timeline = events((1, 1), (21, 1))
    # WHEN simulated
    result = simulate_alarm(AlarmSettings(evaluation_periods=3, datapoints_to_alarm=1), timeline)
    # THEN period 0 keeps the alarm in ALARM through period 2; at period 3 it has left the window
    # (OK), so period 4 notifies again
    assert result.notifications == at(0, 4)


@pytest.mark.parametrize("statistic", [Statistic.MAXIMUM, Statistic.MINIMUM, Statistic.AVERAGE])
def test_presence_statistics_are_one_in_any_period_with_events(statistic: Statistic) -> None:
    # GIVEN 7 events in period 0 and one in period 3
    timeline = events((1, 7), (16, 1))
    # WHEN simulated with a presence statistic (threshold 1, the only one allowed with it)
    result = simulate_alarm(AlarmSettings(statistic=statistic), timeline)
    # THEN each period with an event breaches, whatever the count
    assert result == AlarmTimeline(at(0, 3), 2)


def test_sample_count_counts_events_like_sum() -> None:
    timeline = events((1, 4), (6, 5))
    result = simulate_alarm(AlarmSettings(statistic=Statistic.SAMPLE_COUNT, threshold=5), timeline)
    assert result == AlarmTimeline(at(1), 1)


def test_other_periods_bucket_events_on_their_own_boundaries() -> None:
    # GIVEN events at 0:05 and 0:25 (20 seconds apart), with 10-second and 1-minute periods
    timeline: Counter[int] = Counter({T0 + 5: 1, T0 + 25: 1})
    # WHEN simulated with threshold 2
    ten = simulate_alarm(AlarmSettings(period_seconds=10, threshold=2), timeline)
    minute = simulate_alarm(AlarmSettings(period_seconds=60, threshold=2), timeline)
    # THEN they share one 1-minute period but no 10-second one
    assert ten.notifications == ()
    assert minute.notifications == (T0,)


def test_no_events_no_notifications() -> None:
    assert simulate_alarm(AlarmSettings(), Counter()) == AlarmTimeline((), 0)


@pytest.mark.parametrize("treatment", [TreatMissingData.IGNORE, TreatMissingData.MISSING])
def test_ignore_and_missing_are_not_simulated(treatment: TreatMissingData) -> None:
    settings = AlarmSettings(treat_missing_data=treatment)
    assert not is_simulated(settings)
    with pytest.raises(ValueError, match=f"treat_missing_data '{treatment.value}' is not simulated"):
        simulate_alarm(settings, events((1, 1)))


def test_every_catalogue_alarm_is_simulated_with_the_settings_the_construct_deploys() -> None:
    # The report simulates control.alarm, the same AlarmSettings DetectiveControl deploys.
    controls = catalog_controls(privileged_groups=["Admins"])
    assert all(is_simulated(c.alarm) for c in controls)
    tuned = replace(controls[0].alarm, threshold=3)
    assert simulate_alarm(tuned, events((1, 2))).notifications == ()
