"""What one control matched: counts, the top principals, event names and source IPs, the time span."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from trailwatch_constructs.catalog.alarm_simulation import is_simulated, simulate_alarm
from trailwatch_constructs.catalog.definition import AlarmSettings

TIMELINE_SECONDS: Final = 10
"""Resolution of a control's timeline: CloudWatch's shortest alarm period, so that any period can be replayed."""


def epoch_seconds(when: str) -> int | None:
    """Returns an ISO 8601 ``eventTime`` as seconds since the epoch, or None when it is not one.

    Args:
        when: e.g. ``2024-05-01T12:00:00Z`` (CloudTrail's form; offsets are honoured, a time
            without one is taken as UTC).
    """
    try:
        parsed = datetime.fromisoformat(when)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return int((parsed - _EPOCH_NAIVE).total_seconds())
    return int(parsed.timestamp())


_EPOCH_NAIVE: Final = datetime(1970, 1, 1)


def principal_of(record: dict[str, object]) -> str:
    """Returns who made the call: ``userIdentity.arn``; else ``type:principalId``, ``type:invokedBy``, ``type``.

    Service events and some cross-account calls have no ARN; the fallback keeps them apart
    instead of lumping them under one "unknown".

    Args:
        record: a CloudTrail record.
    """
    identity = record.get("userIdentity")
    if type(identity) is not dict:
        return "(no userIdentity)"
    arn = identity.get("arn")
    if type(arn) is str and arn:
        return arn
    kind = identity.get("type")
    prefix = f"{kind}:" if type(kind) is str and kind else ""
    for key in ("principalId", "invokedBy"):
        value = identity.get(key)
        if type(value) is str and value:
            return prefix + value
    return kind if type(kind) is str and kind else "(unknown)"


def _text(value: object) -> str:
    return value if type(value) is str else "(none)"


@dataclass(slots=True)
class ControlStats:
    """What one control matched: counts, top values and the time span."""

    matches: int = 0
    principals: Counter[str] = field(default_factory=Counter)
    event_names: Counter[str] = field(default_factory=Counter)
    source_ips: Counter[str] = field(default_factory=Counter)
    first_event_time: str | None = None
    last_event_time: str | None = None
    timeline: Counter[int] = field(default_factory=Counter)
    """Matches per :data:`TIMELINE_SECONDS` bucket, keyed by the bucket's start (epoch seconds): the
    report's charts and the alarm simulation read it; its size grows with the time span, not the matches."""

    def add(self, record: dict[str, object]) -> None:
        """Counts one matching record.

        Args:
            record: a CloudTrail record the control matched.
        """
        self.matches += 1
        self.principals[principal_of(record)] += 1
        self.event_names[_text(record.get("eventName"))] += 1
        self.source_ips[_text(record.get("sourceIPAddress"))] += 1
        when = record.get("eventTime")
        if type(when) is str:
            self._span(when)
            seconds = epoch_seconds(when)
            if seconds is not None:
                self.timeline[seconds - seconds % TIMELINE_SECONDS] += 1

    def merge(self, other: ControlStats) -> None:
        """Adds ``other`` (from another file or worker) into this one.

        Args:
            other: the same control's statistics over other records.
        """
        self.matches += other.matches
        self.principals.update(other.principals)
        self.event_names.update(other.event_names)
        self.source_ips.update(other.source_ips)
        self.timeline.update(other.timeline)
        for when in (other.first_event_time, other.last_event_time):
            if when is not None:
                self._span(when)

    def _span(self, when: str) -> None:
        self.first_event_time, self.last_event_time = widened(self.first_event_time, self.last_event_time, when)


def widened(first: str | None, last: str | None, when: str) -> tuple[str | None, str | None]:
    """Returns the time span ``first``..``last`` widened to include ``when``.

    CloudTrail's eventTime is ISO 8601 UTC ("2024-05-01T12:00:00Z"): string order is time order.

    Args:
        first: the earliest time so far, if any.
        last: the latest time so far, if any.
        when: another time.
    """
    return (when if first is None or when < first else first), (when if last is None or when > last else last)


def top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """Returns the ``n`` most common values, ties broken by value so that the order is deterministic.

    Args:
        counter: values and their counts.
        n: how many to keep.
    """
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n]


def notification_times(settings: AlarmSettings, stats: ControlStats) -> tuple[int, ...] | None:
    """Returns when the alarm would have notified over the matches (epoch seconds), or None: not simulated.

    Args:
        settings: the control's alarm settings (what the construct deploys, or ``--alarm``'s).
        stats: what the control matched.
    """
    if not is_simulated(settings):
        return None
    return simulate_alarm(settings, stats.timeline).notifications
