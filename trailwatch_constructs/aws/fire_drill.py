"""``trailwatch verify --fire-drill``: set each control's alarm to ALARM and read what its actions did.

SetAlarmState runs an alarm's actions only when the state changes, so an alarm already in ALARM is
left alone. For the others: each is set to ALARM, the alarm history is polled (DescribeAlarmHistory,
items of type ``Action``) until every ALARM action shows an outcome, "Successfully executed action
<arn>" or "Failed to execute action <arn>. Received error: ..." (a topic policy or KMS key that
keeps CloudWatch out), or the time is up; then each is set back to OK, whatever happened (which runs
its OK actions, as any return to OK does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from trailwatch_constructs.aws import Clients, aws_errors
from trailwatch_constructs.aws.region_view import RegionView
from trailwatch_constructs.aws.verify import control_alarms, other_auditors
from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.catalog.auditors import Auditor, control_checks

DRILL_REASON: Final = "trailwatch verify --fire-drill: testing the alarm's actions"
"""The state reason given with ALARM, as the alarm's history and notifications show it."""
RESET_REASON: Final = "trailwatch verify --fire-drill: drill over"
"""The state reason given when the alarm is set back to OK."""
CLOCK_SKEW: Final = timedelta(seconds=30)
"""History items this long before the drill started count: the local clock may run ahead of AWS's."""
_SUCCESS: Final = "Successfully executed action "
_FAILURE: Final = "Failed to execute action "


class Outcome(StrEnum):
    """What one ALARM action of a drilled alarm did."""

    DELIVERED = "DELIVERED"
    """The history says "Successfully executed action"."""
    FAILED = "FAILED"
    """The history says "Failed to execute action", with the error."""
    NO_RECORD = "NO_RECORD"
    """No outcome in the history before the time was up."""
    SKIPPED = "SKIPPED"
    """The alarm was already in ALARM: setting it again would run no action."""


@dataclass(frozen=True)
class DrillTarget:
    """An alarm to drill: where, for which control, and its ALARM actions.

    Attributes:
        region: the alarm's Region.
        control: the Security Hub control (or catalogue id) the alarm belongs to.
        alarm: the alarm's name.
        actions: its ALARM actions.
        state: its state when verify read it.
    """

    region: str
    control: str
    alarm: str
    actions: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class DrillResult:
    """One ALARM action of one drilled alarm, and its outcome."""

    region: str
    control: str
    alarm: str
    action: str
    outcome: Outcome
    detail: str

    @property
    def failed(self) -> bool:
        """Whether the action did not show it ran."""
        return self.outcome in (Outcome.FAILED, Outcome.NO_RECORD)


@dataclass(frozen=True)
class Pace:
    """How long the drill waits for the history, and how it tells time (tests pass their own).

    Attributes:
        timeout: seconds to wait for every action's outcome.
        poll: seconds between two reads of the history.
        sleep: waits a number of seconds.
        clock: monotonic seconds.
        now: the current UTC time.
    """

    timeout: float = 60.0
    poll: float = 3.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


def drill_targets(
    views: Sequence[RegionView], controls: Sequence[ControlDefinition], auditors: Sequence[Auditor] = ()
) -> tuple[DrillTarget, ...]:
    """The alarms of the controls' chains with enabled actions, each once per Region.

    An alarm belongs to a control when it watches the metric of a filter on a trail's log group
    whose text Security Hub (or one of ``auditors``) accepts for that control.

    Args:
        views: the Regions as verify read them.
        controls: the controls whose alarms to drill.
        auditors: other auditors whose accepted texts also count. Default: Security Hub's only.
    """
    chosen = [Auditor.SECURITY_HUB, *other_auditors(auditors)]
    targets: dict[tuple[str, str], DrillTarget] = {}
    for view in views:
        for control in controls:
            for target in _control_targets(view, control, chosen):
                targets.setdefault((target.region, target.alarm), target)
    return tuple(targets.values())


def _control_targets(
    view: RegionView, control: ControlDefinition, auditors: Sequence[Auditor]
) -> Iterator[DrillTarget]:
    """The alarms of one control's chain in one Region whose actions are enabled."""
    label = control.security_hub_control or control.id
    for alarm in control_alarms(view, control_checks(control.id, auditors)):
        if alarm.actions_enabled and alarm.alarm_actions:
            yield DrillTarget(view.region, label, alarm.name, alarm.alarm_actions, alarm.state)


def fire_drill(clients: Clients, targets: Sequence[DrillTarget], pace: Pace | None = None) -> tuple[DrillResult, ...]:
    """Sets each alarm to ALARM, waits for its actions' outcome in the history, sets it back to OK.

    Args:
        clients: the boto3 clients.
        targets: the alarms.
        pace: how long to wait, and the clock. Default: :class:`Pace`'s defaults.

    Raises:
        AwsCallError: a call failed (the alarms already set to ALARM are still set back to OK).
    """
    pace = pace or Pace()
    since = pace.now() - CLOCK_SKEW
    armed: list[DrillTarget] = []
    try:
        for target in (t for t in targets if t.state != "ALARM"):
            _set_state(clients, target, "ALARM", DRILL_REASON)
            armed.append(target)
        outcomes = _await_outcomes(clients, armed, since, pace)
    finally:
        for target in armed:
            _set_state(clients, target, "OK", RESET_REASON)
    return tuple(r for t in targets for r in _results(t, outcomes))


def _set_state(clients: Clients, target: DrillTarget, state: str, reason: str) -> None:
    with aws_errors(target.region):
        clients("cloudwatch", target.region).set_alarm_state(
            AlarmName=target.alarm, StateValue=state, StateReason=reason
        )


_ActionKey = tuple[str, str, str]
"""Region, alarm, action: one ALARM action of one alarm."""


def _await_outcomes(
    clients: Clients, targets: Sequence[DrillTarget], since: datetime, pace: Pace
) -> dict[_ActionKey, tuple[Outcome, str]]:
    """Reads the history until every action has an outcome or the time is up."""
    deadline = pace.clock() + pace.timeout
    outcomes: dict[_ActionKey, tuple[Outcome, str]] = {}
    while True:
        for target in targets:
            if not _has_every_outcome(target, outcomes):
                outcomes.update(_read_outcomes(clients, target, since))
        if all(_has_every_outcome(t, outcomes) for t in targets) or pace.clock() >= deadline:
            return outcomes
        pace.sleep(pace.poll)


def _has_every_outcome(target: DrillTarget, outcomes: Mapping[_ActionKey, tuple[Outcome, str]]) -> bool:
    return all(_action_key(target, action) in outcomes for action in target.actions)


def _action_key(target: DrillTarget, action: str) -> _ActionKey:
    return target.region, target.alarm, action


def _read_outcomes(clients: Clients, target: DrillTarget, since: datetime) -> dict[_ActionKey, tuple[Outcome, str]]:
    with aws_errors(target.region):
        response = clients("cloudwatch", target.region).describe_alarm_history(
            AlarmName=target.alarm, HistoryItemType="Action", StartDate=since, MaxRecords=100
        )
    outcomes: dict[_ActionKey, tuple[Outcome, str]] = {}
    # The history comes newest first. The drill's own outcome is the oldest since it started: a
    # metric alarm soon returns to OK by itself, and its OK action (often the same topic) follows.
    for item in reversed(response.get("AlarmHistoryItems", ())):
        summary = str(item.get("HistorySummary", ""))
        for action in target.actions:
            outcome = _outcome_in_summary(summary, action)
            if outcome is not None:
                outcomes.setdefault(_action_key(target, action), (outcome, summary))
    return outcomes


def _outcome_in_summary(summary: str, action: str) -> Outcome | None:
    """DELIVERED or FAILED when a history item's summary is the outcome of ``action``."""
    if summary.startswith(_SUCCESS + action):
        return Outcome.DELIVERED
    if summary.startswith(_FAILURE + action):
        return Outcome.FAILED
    return None


def _results(target: DrillTarget, outcomes: Mapping[_ActionKey, tuple[Outcome, str]]) -> list[DrillResult]:
    """One result per ALARM action of the alarm, in the alarm's order."""
    return [
        DrillResult(target.region, target.control, target.alarm, action, *_action_outcome(target, action, outcomes))
        for action in target.actions
    ]


def _action_outcome(
    target: DrillTarget, action: str, outcomes: Mapping[_ActionKey, tuple[Outcome, str]]
) -> tuple[Outcome, str]:
    if target.state == "ALARM":
        return Outcome.SKIPPED, "the alarm is in ALARM already: setting it again runs no action"
    found: tuple[Outcome, str] | None = outcomes.get(_action_key(target, action))
    return found or (Outcome.NO_RECORD, "no outcome in the alarm's history before the time was up")
