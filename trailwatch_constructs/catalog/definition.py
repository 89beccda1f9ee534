"""The typed, frozen shape of a detective control (:class:`ControlDefinition`) and of its parts.

Pure data, no ``aws_cdk`` import: constructs, the CLI and the generated docs read the same
definitions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from trailwatch_constructs.core.errors import ControlDefinitionError
from trailwatch_constructs.core.limits import MAX_METRIC_NAME_LENGTH
from trailwatch_constructs.core.validation import number_problem, string_sequence_problem
from trailwatch_constructs.filter_pattern import FilterPattern, parse_filter_pattern, union_of

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


class Language(StrEnum):
    """A language trailwatch writes control texts and alarm descriptions in.

    Adding one is a data change: a member here, its phrases in
    :data:`trailwatch_constructs.texts.alarm_description.PHRASES`, and its entry in each control's
    ``texts`` (a control without it falls back to English).
    """

    EN = "en"
    JA = "ja"


class Statistic(StrEnum):
    """The statistic an alarm takes of its metric over each period (CloudWatch's names)."""

    SUM = "Sum"
    SAMPLE_COUNT = "SampleCount"
    MAXIMUM = "Maximum"
    MINIMUM = "Minimum"
    AVERAGE = "Average"


COUNTING_STATISTICS = (Statistic.SUM, Statistic.SAMPLE_COUNT)
"""The statistics that count matching events. The metric is 1 per matching event, so the others
(Maximum, Minimum, Average) are 1 in any period with an event: they tell presence, not a count."""
_PRESENCE_STATISTICS = tuple(s for s in Statistic if s not in COUNTING_STATISTICS)


class TreatMissingData(StrEnum):
    """How the alarm treats periods without data (CloudWatch's ``TreatMissingData`` values)."""

    NOT_BREACHING = "notBreaching"
    BREACHING = "breaching"
    IGNORE = "ignore"
    MISSING = "missing"


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


# CloudWatch: evaluation periods x period is at most one day for periods under an hour,
# and at most seven days otherwise (PutMetricAlarm API reference, EvaluationPeriods).
_ONE_HOUR = 3600
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
    Invalid values are kept as given: :meth:`problems` names each of them.
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
    statistic: Statistic = Statistic.SUM
    """Statistic over each period; its CloudWatch name (``"Sum"``) is accepted too. Default: ``Statistic.SUM``."""
    treat_missing_data: TreatMissingData = TreatMissingData.NOT_BREACHING
    """How periods without data count. Default: not breaching."""

    def __post_init__(self) -> None:
        # A CloudWatch name given as a plain string becomes the member, so the field holds what its type says.
        if self.statistic in tuple(Statistic):
            object.__setattr__(self, "statistic", Statistic(self.statistic))

    def problems(self, is_unresolved: Callable[[object], bool] = _never_unresolved) -> list[str]:
        """Every invalid field, as a sentence naming the value and what is allowed.

        Besides CloudWatch's own limits, settings that could never fire (or always would) are
        refused: the metric is 1 per matching event and has no data in a quiet period.

        Args:
            is_unresolved: whether a value is a deploy-time token, which has no value yet and is
                skipped (the CDK layer passes ``Token.is_unresolved``). Default: nothing is.

        Returns:
            One sentence per problem; empty when the settings are valid.
        """
        found = self._type_problems(is_unresolved)
        if found:
            return found + self._choice_problems()
        return self._range_problems(is_unresolved) + self._choice_problems() + self._firing_problems(is_unresolved)

    def _type_problems(self, is_unresolved: Callable[[object], bool]) -> list[str]:
        numbers: list[tuple[str, object, bool]] = [
            ("threshold", self.threshold, False),
            ("evaluation_periods", self.evaluation_periods, True),
            ("period_seconds", self.period_seconds, True),
        ]
        if self.datapoints_to_alarm is not None:  # None: all evaluation periods
            numbers.append(("datapoints_to_alarm", self.datapoints_to_alarm, True))
        return [
            p
            for option, value, integer in numbers
            if (p := number_problem(option, value, integer=integer, is_unresolved=is_unresolved))
        ]

    def _range_problems(self, is_unresolved: Callable[[object], bool]) -> list[str]:
        def known(value: object) -> bool:
            return value is not None and not is_unresolved(value)

        found: list[str] = []
        if known(self.evaluation_periods) and self.evaluation_periods < 1:
            found.append(f"evaluation_periods {self.evaluation_periods!r} must be an integer >= 1")
        if known(self.period_seconds) and not (
            self.period_seconds in (10, 30) or (self.period_seconds > 0 and self.period_seconds % 60 == 0)
        ):
            found.append(f"period_seconds {self.period_seconds!r} must be 10, 30 or a positive multiple of 60")
        if known(self.datapoints_to_alarm):
            found.extend(self._datapoints_problems(known(self.evaluation_periods)))
        if not found and known(self.period_seconds) and known(self.evaluation_periods):
            found.extend(self._window_problems())
        return found

    def _datapoints_problems(self, evaluation_periods_known: bool) -> list[str]:
        assert self.datapoints_to_alarm is not None
        if self.datapoints_to_alarm < 1:
            return [f"datapoints_to_alarm {self.datapoints_to_alarm!r} must be an integer >= 1"]
        if evaluation_periods_known and self.datapoints_to_alarm > self.evaluation_periods:
            return [
                f"datapoints_to_alarm {self.datapoints_to_alarm} must be <= evaluation_periods "
                f"{self.evaluation_periods}"
            ]
        return []

    def _window_problems(self) -> list[str]:
        window = self.period_seconds * self.evaluation_periods
        limit = _ONE_DAY if self.period_seconds < _ONE_HOUR else _SEVEN_DAYS
        if window <= limit:
            return []
        return [
            f"evaluation_periods x period_seconds = {window}s exceeds CloudWatch's limit of "
            f"{limit}s for a {self.period_seconds}s period"
        ]

    def _choice_problems(self) -> list[str]:
        found: list[str] = []
        if self.statistic not in tuple(Statistic):
            found.append(f"statistic {self.statistic!r} is not allowed; allowed: {', '.join(Statistic)}")
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
                f"statistic {self.statistic.value!r} with threshold {self.threshold:g} can never fire: every "
                f"matching event publishes 1, so {', '.join(_PRESENCE_STATISTICS)} are 1 in any period with "
                "events; use statistic 'Sum' to count events, or threshold 1"
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


_DEFAULT_ALARM = AlarmSettings()


@dataclass(frozen=True, init=False)
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
    texts: Mapping[Language, LocalizedText] = field(hash=False)
    """Title, rationale and first checks per language; English is always there."""
    references: tuple[ComplianceReference, ...]
    """Benchmark items this control covers."""
    alarm: AlarmSettings
    """Default alarm behaviour."""
    variant_of: str | None
    """For a tuned variant, the id of the catalogue control it replaces."""
    deployed_patterns: tuple[str, ...] = field(init=False)
    """The pattern texts deployed, one metric filter each on the control's metric: ``(pattern,)``
    unless :meth:`deploying` chose others (e.g. the texts other auditors require)."""
    filter_pattern: FilterPattern = field(init=False, repr=False, compare=False)
    """What the control detects: the parsed :attr:`pattern`, or the union of :attr:`deployed_patterns`."""

    def __init__(
        self,
        id: str,
        pattern: str,
        metric_name: str,
        severity: Severity,
        *,
        texts: Mapping[Language, LocalizedText] | None = None,
        en: LocalizedText | None = None,
        ja: LocalizedText | None = None,
        references: tuple[ComplianceReference, ...] = (),
        alarm: AlarmSettings = _DEFAULT_ALARM,
        variant_of: str | None = None,
    ) -> None:
        """Validate and parse a control definition.

        Args:
            id: stable kebab-case id, at most 64 characters.
            pattern: the CloudWatch Logs filter pattern.
            metric_name: the metric the filter publishes: 1-255 characters without ``:``.
            severity: trailwatch's triage of the finding.
            texts: the control's text per language; ``Language.EN`` is required, another language
                falls back to English. Its keys may be the language codes (``"ja"``).
                Default: only what ``en`` and ``ja`` give.
            en: shorthand for ``texts[Language.EN]``; replaces that entry when both are given, so
                ``dataclasses.replace(control, en=...)`` changes the English text. Default: none.
            ja: shorthand for ``texts[Language.JA]``, likewise. Default: none.
            references: benchmark items this control covers. Default: none.
            alarm: default alarm behaviour. Default: alarm on the first matching event in 5 minutes.
            variant_of: for a tuned variant, the id of the catalogue control it replaces. Default: none.

        Raises:
            ControlDefinitionError: naming every invalid value.
            FilterPatternError: when the pattern does not parse, pointing at the problem.
        """
        merged, language_problems = _merge_texts(texts, {Language.EN: en, Language.JA: ja})
        for name, value in (
            ("id", id),
            ("pattern", pattern),
            ("metric_name", metric_name),
            ("severity", severity),
            ("texts", merged),
            ("references", references),
            ("alarm", alarm),
            ("variant_of", variant_of),
        ):
            object.__setattr__(self, name, value)
        problems = self._field_problems(language_problems)
        if problems:
            raise ControlDefinitionError(f"invalid control {self.id!r}: " + "; ".join(problems))
        # FilterPatternError (a ValueError) propagates as is: it already quotes the pattern
        # and points at the problem.
        object.__setattr__(self, "filter_pattern", parse_filter_pattern(self.pattern))
        object.__setattr__(self, "deployed_patterns", (self.pattern,))

    def deploying(self, texts: Sequence[str]) -> ControlDefinition:
        """This control, deploying ``texts`` (one metric filter each) instead of its pattern alone.

        Every filter publishes to the control's metric, so the control detects what any of them
        matches: :attr:`filter_pattern` and :meth:`matches` become that union, and an event
        two filters match is still one event (the metric counts it twice; see the README).

        Raises:
            ControlDefinitionError: ``texts`` is a lone string or empty.
            FilterPatternError: a text does not parse, or is not a JSON pattern.
        """
        problem = string_sequence_problem("texts", texts) or (
            None if texts else "texts is empty; give at least one pattern"
        )
        if problem:
            raise ControlDefinitionError(f"invalid control {self.id!r}: {problem}")
        copy = dataclasses.replace(self)
        unique = tuple(dict.fromkeys(texts))
        patterns = [self.filter_pattern if t == self.pattern else parse_filter_pattern(t) for t in unique]
        object.__setattr__(copy, "deployed_patterns", unique)
        object.__setattr__(copy, "filter_pattern", union_of(patterns))
        return copy

    def double_count_problem(self, settings: AlarmSettings) -> str | None:
        """The problem of alarming above one event on a control with several filters, if that is the case.

        An event several filters match adds one per filter to the metric, so a threshold above 1
        would be reached early: refused by the construct, and by replay's ``--alarm``.

        Args:
            settings: the alarm settings the control would deploy with.
        """
        filters = len(self.deployed_patterns)
        if filters < 2 or settings.threshold <= 1:
            return None
        return (
            f"control {self.id!r} deploys {filters} metric filters on one metric (for its auditors), so an event "
            f"two of them match counts twice and threshold {settings.threshold:g} would be reached early; use "
            "threshold 1, or choose auditors= that need one text for it (e.g. ['security-hub'])"
        )

    def with_alarm(self, settings: AlarmSettings) -> ControlDefinition:
        """This control, its alarm evaluated with ``settings`` (what ``alarm_overrides`` deploys).

        Raises:
            ControlDefinitionError: naming every invalid setting, and a threshold above 1 on a
                control with several filters (:meth:`double_count_problem`).
        """
        problems = settings.problems()
        if not problems and (double := self.double_count_problem(settings)):
            problems = [double]
        if problems:
            raise ControlDefinitionError(f"invalid alarm settings for {self.id!r}: {'; '.join(problems)}")
        copy = dataclasses.replace(self)
        for name in ("deployed_patterns", "filter_pattern"):
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "alarm", settings)
        return copy

    def _field_problems(self, language_problems: list[str]) -> list[str]:
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
        problems.extend(language_problems)
        problems.extend(self._text_problems())
        if isinstance(self.alarm, AlarmSettings):
            problems.extend(self.alarm.problems())
        else:
            problems.append(f"alarm {self.alarm!r} is a {type(self.alarm).__name__}; expected AlarmSettings(...)")
        return problems

    def _text_problems(self) -> list[str]:
        problems: list[str] = []
        if not _is_text(self.texts.get(Language.EN)):
            problems.append(
                f"control {self.id!r} needs English text, texts={{Language.EN: LocalizedText(...)}} or "
                "en=LocalizedText(...), with a non-empty title"
            )
        problems += [
            f"texts[{language.value!r}] {text!r} must be a LocalizedText(...) with a non-empty title"
            for language, text in self.texts.items()
            if language is not Language.EN and not _is_text(text)
        ]
        return problems

    @property
    def en(self) -> LocalizedText:
        """English text (always present): ``texts[Language.EN]``."""
        return self.texts[Language.EN]

    @property
    def ja(self) -> LocalizedText | None:
        """Japanese text, if written: ``texts.get(Language.JA)``."""
        return self.texts.get(Language.JA)

    @property
    def title(self) -> str:
        """English title."""
        return self.en.title

    def text(self, language: Language | str = Language.EN) -> LocalizedText:
        """The control's text in a language, falling back to English.

        Args:
            language: a :class:`Language` or its code (``"ja"``). Default: English.

        Returns:
            The text in ``language``, or the English text when the control has none in it.
        """
        if language in self.texts:
            return self.texts[Language(language)]
        return self.en

    @property
    def security_hub_control(self) -> str | None:
        """The Security Hub control this covers (e.g. ``CloudWatch.1``), if any."""
        for ref in self.references:
            if ref.framework is Framework.SECURITY_HUB:
                return ref.item
        return None

    def references_for(self, framework: Framework) -> tuple[str, ...]:
        """The benchmark items of one framework that this control covers.

        Args:
            framework: the framework asked about.

        Returns:
            Its items, in the order of :attr:`references`; empty when there are none.
        """
        return tuple(ref.item for ref in self.references if ref.framework is framework)

    def matches(self, event: object) -> bool:
        """Whether a decoded CloudTrail record is one this control alarms on.

        Args:
            event: one CloudTrail record, decoded from JSON.

        Returns:
            Whether the filter pattern matches it.
        """
        return self.filter_pattern.matches(event)


def _is_text(text: object) -> bool:
    return isinstance(text, LocalizedText) and bool(text.title.strip())


def _merge_texts(
    texts: object, shorthands: Mapping[Language, LocalizedText | None]
) -> tuple[dict[Language, LocalizedText], list[str]]:
    """``texts`` keyed by :class:`Language`, with the shorthands given (``en=``, ``ja=``) on top.

    Returns:
        The merged texts (their values unchecked), and a problem for ``texts`` not being a
        mapping and for each key that is not a language.
    """
    problems: list[str] = []
    given: Mapping[object, LocalizedText] = {}
    if isinstance(texts, Mapping):
        given = texts
    elif texts is not None:
        problems.append(f"texts {texts!r} is a {type(texts).__name__}; expected a dict of Language to LocalizedText")
    merged: dict[Language, LocalizedText] = {}
    unsupported: list[object] = []
    for language, text in given.items():
        if isinstance(language, str) and language in tuple(Language):
            merged[Language(language)] = text
        else:
            unsupported.append(language)
    if unsupported:
        listed = ", ".join(repr(language) for language in unsupported)
        problems.append(f"texts language {listed} is not supported; supported: {', '.join(Language)}")
    merged.update((language, text) for language, text in shorthands.items() if text is not None)
    return merged, problems
