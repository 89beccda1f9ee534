"""What a control's alarm would have sent: its settings applied to a timeline of matching events.

The same :class:`~.definition.AlarmSettings` the construct deploys decide here, so a replay report
and the deployed alarm cannot disagree. The rules, from CloudWatch's "Evaluating an alarm" and
"Configuring how CloudWatch alarms treat missing data" (docs.aws.amazon.com/AmazonCloudWatch/
latest/monitoring/alarm-evaluation.html, .../alarms-and-missing-data.html):

* the metric filter publishes 1 per matching event and nothing in a period without one (no default
  value), so a quiet period is *missing data*;
* each period's datapoint is the statistic of its values: Sum and SampleCount count the events,
  Maximum, Minimum and Average are 1 whenever there is one;
* the alarm is in ALARM while at least ``datapoints_to_alarm`` of the last ``evaluation_periods``
  datapoints breach (value >= threshold); with ``notBreaching`` a missing datapoint does not breach;
* an alarm action (the notification) runs on the change to ALARM, not while it stays there.

Only ``notBreaching`` (the default, and what every catalogue control uses) is simulated: for
``ignore`` and ``missing`` CloudWatch looks back past missing datapoints in ways its pages describe
by example only, so those alarms get no simulation rather than a guess.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from trailwatch_constructs.catalog.definition import COUNTING_STATISTICS, AlarmSettings, TreatMissingData


@dataclass(frozen=True)
class AlarmTimeline:
    """When the alarm would have notified, and how many periods breached."""

    notifications: tuple[int, ...]
    """Start (epoch seconds) of each period at whose evaluation the alarm changed to ALARM."""
    breaching_periods: int
    """Periods whose datapoint met the threshold."""


def is_simulated(settings: AlarmSettings) -> bool:
    """Returns whether :func:`simulate_alarm` can replay these settings (``notBreaching`` only).

    Args:
        settings: the control's alarm settings.
    """
    return settings.treat_missing_data is TreatMissingData.NOT_BREACHING


def simulate_alarm(settings: AlarmSettings, events_at: Mapping[int, int]) -> AlarmTimeline:
    """Replays the alarm over matching events.

    Args:
        settings: the control's alarm settings (its ``treat_missing_data`` must be ``notBreaching``).
        events_at: matching events per time (epoch seconds; any resolution down to one second, e.g.
            10-second buckets keyed by their start).

    Returns:
        The notifications, in time order, and the breaching periods.

    Raises:
        ValueError: the settings treat missing data otherwise than ``notBreaching``.
    """
    if not is_simulated(settings):
        raise ValueError(f"treat_missing_data {settings.treat_missing_data.value!r} is not simulated")
    breaching = _breaching_periods(settings, events_at)
    needed = settings.datapoints_to_alarm or settings.evaluation_periods
    window = settings.evaluation_periods
    # The count in the window changes only when a breaching period enters it (b) or leaves it (b + N).
    candidates = sorted({b for b in breaching} | {b + window for b in breaching})
    notifications: list[int] = []
    in_alarm = False
    for period in candidates:
        in_window = bisect.bisect_right(breaching, period) - bisect.bisect_right(breaching, period - window)
        now_in_alarm = in_window >= needed
        if now_in_alarm and not in_alarm:
            notifications.append(period * settings.period_seconds)
        in_alarm = now_in_alarm
    return AlarmTimeline(tuple(notifications), len(breaching))


def _breaching_periods(settings: AlarmSettings, events_at: Mapping[int, int]) -> list[int]:
    """The indexes (epoch seconds // period) of the periods whose datapoint meets the threshold, sorted."""
    per_period: Counter[int] = Counter()
    for when, events in events_at.items():
        per_period[when // settings.period_seconds] += events
    counting = settings.statistic in COUNTING_STATISTICS
    datapoints = {p: events if counting else 1 for p, events in per_period.items() if events > 0}
    return sorted(p for p, value in datapoints.items() if value >= settings.threshold)
