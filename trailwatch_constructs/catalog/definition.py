"""The typed, frozen shape of a detective control: pure data, no ``aws_cdk`` import.

A :class:`ControlDefinition` is everything trailwatch knows about one rule: what it detects
(the filter pattern), why it matters, what to check when it fires, which benchmark items it
covers and how its alarm behaves by default. Constructs, the CLI and the generated docs all
read the same definitions, so adding a control means adding one definition and its samples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from trailwatch_constructs.core.errors import ControlDefinitionError
from trailwatch_constructs.core.limits import MAX_METRIC_NAME_LENGTH
from trailwatch_constructs.core.validation import number_problem
from trailwatch_constructs.filter_pattern import FilterPattern, parse_filter_pattern

CONTROL_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CONTROL_ID_LENGTH = 64
# CloudWatch metric names: ':' is reserved for dimensions in math expressions.
METRIC_NAME_RE = re.compile(rf"^[^:]{{1,{MAX_METRIC_NAME_LENGTH}}}$")


class Severity(StrEnum):
    """trailwatch's triage of a control's findings (not Security Hub's control severity)."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class Framework(StrEnum):
    """A compliance framework a control can be mapped to."""

    SECURITY_HUB = "AWS Security Hub"
    CIS_1_2_0 = "CIS AWS Foundations Benchmark v1.2.0"
    CIS_1_4_0 = "CIS AWS Foundations Benchmark v1.4.0"
    CIS_3_0_0 = "CIS AWS Foundations Benchmark v3.0.0"
    SOURCE_ARTICLE = "trailwatch source article"


@dataclass(frozen=True)
class ComplianceReference:
    """One benchmark item a control covers, e.g. ``(Framework.SECURITY_HUB, "CloudWatch.1")``."""

    framework: Framework
    item: str

    def __str__(self) -> str:
        if self.framework is Framework.SECURITY_HUB:
            return f"Security Hub {self.item}"
        if self.framework is Framework.SOURCE_ARTICLE:
            return "source article"
        version = self.framework.value.rsplit(" ", 1)[-1]
        return f"CIS {version} {self.item}"


class TreatMissingData(StrEnum):
    """How the alarm treats periods without data (CloudWatch's ``TreatMissingData`` values)."""

    NOT_BREACHING = "notBreaching"
    BREACHING = "breaching"
    IGNORE = "ignore"
    MISSING = "missing"


ALLOWED_STATISTICS = ("Sum", "SampleCount", "Maximum", "Minimum", "Average")
# With a metric value of 1 these are 1 whenever a period has data: they tell presence, not a count.
_PRESENCE_STATISTICS = ("Maximum", "Minimum", "Average")
# CloudWatch: evaluation periods x period is at most one day for periods under an hour,
# and at most seven days otherwise (PutMetricAlarm API reference, EvaluationPeriods).
_ONE_DAY = 86_400
_SEVEN_DAYS = 7 * _ONE_DAY


def _never_unresolved(_: object) -> bool:
    return False


@dataclass(frozen=True)
class AlarmSettings:
    """How a control's CloudWatch alarm evaluates its metric.

    The default raises the alarm on the first matching event: Sum over 5 minutes >= 1 in one
    evaluation period, and missing data (a quiet account) is not breaching.
    Override one field with ``dataclasses.replace(control.alarm, threshold=5)``.
    """

    threshold: float = 1
    """Alarm when the statistic is >= this value: a whole number of matching events (1 with Maximum,
    Minimum or Average, which are 1 in any period with events). Default: 1."""
    evaluation_periods: int = 1
    """Number of periods compared with the threshold. Default: 1."""
    datapoints_to_alarm: int | None = None
    """Breaching periods (out of ``evaluation_periods``) that raise the alarm. Default: all."""
    period_seconds: int = 300
    """Length of one period: 10, 30 or a multiple of 60 seconds. Default: 300 (5 minutes)."""
    statistic: str = "Sum"
    """Statistic over each period, one of ``ALLOWED_STATISTICS``. Default: ``Sum``."""
    treat_missing_data: TreatMissingData = TreatMissingData.NOT_BREACHING
    """How periods without data count. Default: not breaching."""

    def problems(self, is_unresolved: Callable[[object], bool] = _never_unresolved) -> list[str]:
        """Every invalid field, as a sentence naming the value and what is allowed.

        ``is_unresolved`` lets the CDK layer skip deploy-time tokens, which have no value yet.
        Besides CloudWatch's own limits, settings that could never fire (or always would) are
        refused: the metric is 1 per matching event and has no data in a quiet period.
        """
        numbers: list[tuple[str, object, bool]] = [
            ("threshold", self.threshold, False),
            ("evaluation_periods", self.evaluation_periods, True),
            ("period_seconds", self.period_seconds, True),
        ]
        if self.datapoints_to_alarm is not None:  # None: all evaluation periods
            numbers.append(("datapoints_to_alarm", self.datapoints_to_alarm, True))
        found = [
            p
            for option, value, integer in numbers
            if (p := number_problem(option, value, integer=integer, is_unresolved=is_unresolved))
        ]
        if found:
            return found + self._choice_problems()
        return self._range_problems(is_unresolved) + self._choice_problems() + self._firing_problems(is_unresolved)

    def _range_problems(self, is_unresolved: Callable[[object], bool]) -> list[str]:
        found: list[str] = []

        def known(value: object) -> bool:
            return value is not None and not is_unresolved(value)

        if known(self.evaluation_periods) and self.evaluation_periods < 1:
            found.append(f"evaluation_periods {self.evaluation_periods!r} must be an integer >= 1")
        if known(self.period_seconds) and not (
            self.period_seconds in (10, 30) or (self.period_seconds > 0 and self.period_seconds % 60 == 0)
        ):
            found.append(f"period_seconds {self.period_seconds!r} must be 10, 30 or a positive multiple of 60")
        if known(self.datapoints_to_alarm):
            assert self.datapoints_to_alarm is not None
            if self.datapoints_to_alarm < 1:
                found.append(f"datapoints_to_alarm {self.datapoints_to_alarm!r} must be an integer >= 1")
            elif known(self.evaluation_periods) and self.datapoints_to_alarm > self.evaluation_periods:
                found.append(
                    f"datapoints_to_alarm {self.datapoints_to_alarm} must be <= evaluation_periods "
                    f"{self.evaluation_periods}"
                )
        if not found and known(self.period_seconds) and known(self.evaluation_periods):
            window = self.period_seconds * self.evaluation_periods
            limit = _ONE_DAY if self.period_seconds < 3600 else _SEVEN_DAYS
            if window > limit:
                found.append(
                    f"evaluation_periods x period_seconds = {window}s exceeds CloudWatch's limit of "
                    f"{limit}s for a {self.period_seconds}s period"
                )
        return found

    def _choice_problems(self) -> list[str]:
        found: list[str] = []
        if self.statistic not in ALLOWED_STATISTICS:
            found.append(f"statistic {self.statistic!r} is not allowed; allowed: {', '.join(ALLOWED_STATISTICS)}")
        if not isinstance(self.treat_missing_data, TreatMissingData):
            allowed = ", ".join(f"TreatMissingData.{t.name}" for t in TreatMissingData)
            found.append(f"treat_missing_data {self.treat_missing_data!r} is not allowed; allowed: {allowed}")
        elif self.treat_missing_data is TreatMissingData.BREACHING:
            found.append(
                "treat_missing_data BREACHING would keep the alarm in ALARM through every quiet period (the filter "
                "publishes data only when an event matches); allowed: NOT_BREACHING, IGNORE, MISSING"
            )
        return found

    def _firing_problems(self, is_unresolved: Callable[[object], bool]) -> list[str]:
        if is_unresolved(self.threshold):
            return []
        if not (self.threshold >= 1 and float(self.threshold).is_integer()):
            return [
                f"threshold {self.threshold!r} must be a whole number >= 1: the metric counts matching events, "
                "so a threshold below 1 would alarm without any event and a fraction only rounds up"
            ]
        if self.statistic in _PRESENCE_STATISTICS and self.threshold != 1:
            return [
                f"statistic {self.statistic!r} with threshold {self.threshold:g} can never fire: every matching "
                f"event publishes 1, so {', '.join(_PRESENCE_STATISTICS)} are 1 in any period with events; "
                "use statistic 'Sum' to count events, or threshold 1"
            ]
        return []


@dataclass(frozen=True)
class LocalizedText:
    """The human text of a control in one language."""

    title: str
    rationale: str
    """Why the activity matters."""
    investigation: str
    """What to check first when the alarm fires."""


@dataclass(frozen=True)
class ControlDefinition:
    """One detective control: a CloudTrail filter pattern plus what a human needs to act on it.

    The pattern is parsed when the definition is created, so a broken pattern fails here, with
    the position of the problem, instead of during a deploy.
    """

    id: str
    """Stable kebab-case id, e.g. ``root-account-usage``; public API (CLI, docs, overrides)."""
    pattern: str
    """The CloudWatch Logs filter pattern, deployed byte for byte."""
    metric_name: str
    """CloudWatch metric the filter publishes (value 1 per matching event)."""
    severity: Severity
    """trailwatch's triage of the finding."""
    en: LocalizedText
    """English title, rationale and first checks."""
    ja: LocalizedText | None = None
    """Japanese text. Default: none (English is used)."""
    references: tuple[ComplianceReference, ...] = ()
    """Benchmark items this control covers. Default: none."""
    alarm: AlarmSettings = field(default_factory=AlarmSettings)
    """Default alarm behaviour. Default: alarm on the first matching event in 5 minutes."""
    variant_of: str | None = None
    """For a tuned variant, the id of the catalogue control it replaces. Default: none."""
    filter_pattern: FilterPattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not (CONTROL_ID_RE.match(self.id) and len(self.id) <= MAX_CONTROL_ID_LENGTH):
            problems.append(
                f"control id {self.id!r} must be kebab-case (lower-case letters, digits and single "
                f"hyphens) and at most {MAX_CONTROL_ID_LENGTH} characters"
            )
        if not METRIC_NAME_RE.match(self.metric_name):
            problems.append(
                f"metric_name {self.metric_name!r} must be 1-{MAX_METRIC_NAME_LENGTH} characters without ':'"
            )
        if not isinstance(self.pattern, str) or not self.pattern.strip():
            problems.append(
                f"pattern {self.pattern!r} is empty; an empty filter pattern matches every event, so the alarm "
                "would fire on all CloudTrail activity"
            )
        if not isinstance(self.en, LocalizedText) or not self.en.title.strip():
            problems.append(f"control {self.id!r} needs en=LocalizedText(...) with a non-empty title")
        if isinstance(self.alarm, AlarmSettings):
            problems.extend(self.alarm.problems())
        else:
            problems.append(f"alarm {self.alarm!r} is a {type(self.alarm).__name__}; expected AlarmSettings(...)")
        if problems:
            raise ControlDefinitionError(f"invalid control {self.id!r}: " + "; ".join(problems))
        # FilterPatternError (a ValueError) propagates as is: it already quotes the pattern
        # and points at the problem.
        object.__setattr__(self, "filter_pattern", parse_filter_pattern(self.pattern))

    @property
    def title(self) -> str:
        """English title."""
        return self.en.title

    def text(self, language: str = "en") -> LocalizedText:
        """The control's text in ``language`` (``en`` or ``ja``), falling back to English."""
        if language == "ja" and self.ja is not None:
            return self.ja
        return self.en

    @property
    def security_hub_control(self) -> str | None:
        """The Security Hub control this covers (e.g. ``CloudWatch.1``), if any."""
        for ref in self.references:
            if ref.framework is Framework.SECURITY_HUB:
                return ref.item
        return None

    def references_for(self, framework: Framework) -> tuple[str, ...]:
        """The items of ``framework`` this control covers."""
        return tuple(ref.item for ref in self.references if ref.framework is framework)

    def matches(self, event: object) -> bool:
        """Whether a decoded CloudTrail record is one this control alarms on."""
        return self.filter_pattern.matches(event)
