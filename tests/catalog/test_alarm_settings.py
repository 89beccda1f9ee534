"""Alarm settings: every invalid value is named with what is allowed; settings that could never fire are refused."""

from __future__ import annotations

import dataclasses

import pytest

from trailwatch_constructs.catalog import AlarmSettings, Statistic, TreatMissingData

TOKEN = "${Token[TOKEN.42]}"


def _is_token(value: object) -> bool:
    return value == TOKEN


# ---------------------------------------------------------------- valid settings


@pytest.mark.parametrize(
    "settings",
    [
        AlarmSettings(),
        AlarmSettings(threshold=2),
        AlarmSettings(threshold=2.0),
        AlarmSettings(statistic=Statistic.SAMPLE_COUNT, threshold=3),
        AlarmSettings(statistic="Maximum"),
        AlarmSettings(statistic=Statistic.MINIMUM, threshold=1),
        AlarmSettings(period_seconds=10),
        AlarmSettings(period_seconds=30),
        AlarmSettings(period_seconds=60),
        AlarmSettings(period_seconds=120),
        AlarmSettings(evaluation_periods=3, datapoints_to_alarm=3),
        AlarmSettings(evaluation_periods=3, datapoints_to_alarm=1),
        AlarmSettings(treat_missing_data=TreatMissingData.IGNORE),
        AlarmSettings(treat_missing_data=TreatMissingData.MISSING),
        # Exactly at CloudWatch's window limits: one day under an hour's period, seven days from an hour.
        AlarmSettings(period_seconds=60, evaluation_periods=1440),
        AlarmSettings(period_seconds=3600, evaluation_periods=168),
        AlarmSettings(period_seconds=3600, evaluation_periods=25),
    ],
    ids=repr,
)
def test_valid_settings_have_no_problems(settings: AlarmSettings) -> None:
    # GIVEN settings CloudWatch accepts and that can fire WHEN checked THEN nothing is reported
    assert settings.problems() == []


def test_default_settings_alarm_on_the_first_event_in_five_minutes() -> None:
    assert dataclasses.astuple(AlarmSettings()) == (1, 1, None, 300, Statistic.SUM, TreatMissingData.NOT_BREACHING)


@pytest.mark.parametrize("statistic", list(Statistic), ids=str)
def test_a_statistic_given_by_its_cloudwatch_name_becomes_the_member(statistic: Statistic) -> None:
    # GIVEN the statistic's CloudWatch name as a plain string WHEN building settings
    settings = AlarmSettings(statistic=statistic.value)  # type: ignore[arg-type]
    # THEN the field holds the enum member, equal to the settings built with the member
    assert type(settings.statistic) is Statistic
    assert settings.statistic is statistic
    assert settings == AlarmSettings(statistic=statistic)


def test_an_unknown_statistic_is_kept_as_given_for_its_problem_to_name_it() -> None:
    assert AlarmSettings(statistic="p99").statistic == "p99"  # type: ignore[arg-type]


# ---------------------------------------------------------------- one problem each


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (AlarmSettings(threshold="1"), "threshold '1' is a str; expected a number"),  # type: ignore[arg-type]
        (AlarmSettings(evaluation_periods=1.5), "evaluation_periods 1.5 is a float; expected an integer"),  # type: ignore[arg-type]
        (AlarmSettings(period_seconds=True), "period_seconds True is a bool; expected an integer"),
        (AlarmSettings(datapoints_to_alarm="2"), "datapoints_to_alarm '2' is a str; expected an integer"),  # type: ignore[arg-type]
        (AlarmSettings(evaluation_periods=0), "evaluation_periods 0 must be an integer >= 1"),
        (AlarmSettings(period_seconds=20), "period_seconds 20 must be 10, 30 or a positive multiple of 60"),
        (AlarmSettings(period_seconds=0), "period_seconds 0 must be 10, 30 or a positive multiple of 60"),
        (AlarmSettings(period_seconds=-60), "period_seconds -60 must be 10, 30 or a positive multiple of 60"),
        (AlarmSettings(period_seconds=90), "period_seconds 90 must be 10, 30 or a positive multiple of 60"),
        (AlarmSettings(datapoints_to_alarm=0), "datapoints_to_alarm 0 must be an integer >= 1"),
        (
            AlarmSettings(evaluation_periods=2, datapoints_to_alarm=3),
            "datapoints_to_alarm 3 must be <= evaluation_periods 2",
        ),
        (
            AlarmSettings(period_seconds=60, evaluation_periods=1441),
            "evaluation_periods x period_seconds = 86460s exceeds CloudWatch's limit of 86400s for a 60s period",
        ),
        (
            AlarmSettings(period_seconds=3540, evaluation_periods=25),
            "evaluation_periods x period_seconds = 88500s exceeds CloudWatch's limit of 86400s for a 3540s period",
        ),
        (
            AlarmSettings(period_seconds=3600, evaluation_periods=169),
            "evaluation_periods x period_seconds = 608400s exceeds CloudWatch's limit of 604800s for a 3600s period",
        ),
        (
            AlarmSettings(statistic="p99"),  # type: ignore[arg-type]
            "statistic 'p99' is not allowed; allowed: Sum, SampleCount, Maximum, Minimum, Average",
        ),
        (
            AlarmSettings(statistic="sum"),  # type: ignore[arg-type]
            "statistic 'sum' is not allowed; allowed: Sum, SampleCount, Maximum, Minimum, Average",
        ),
        (
            AlarmSettings(treat_missing_data="notBreaching"),  # type: ignore[arg-type]
            "treat_missing_data 'notBreaching' is not allowed; allowed: TreatMissingData.NOT_BREACHING, "
            "TreatMissingData.BREACHING, TreatMissingData.IGNORE, TreatMissingData.MISSING",
        ),
        (
            AlarmSettings(treat_missing_data=TreatMissingData.BREACHING),
            "treat_missing_data BREACHING would keep the alarm in ALARM through every quiet period (the filter "
            "publishes data only when an event matches); allowed: NOT_BREACHING, IGNORE, MISSING",
        ),
        (
            AlarmSettings(threshold=0.5),
            "threshold 0.5 must be a whole number >= 1: the metric counts matching events, so a threshold below 1 "
            "would alarm without any event and a fraction only rounds up",
        ),
        (
            AlarmSettings(threshold=0),
            "threshold 0 must be a whole number >= 1: the metric counts matching events, so a threshold below 1 "
            "would alarm without any event and a fraction only rounds up",
        ),
        (
            AlarmSettings(threshold=1.5),
            "threshold 1.5 must be a whole number >= 1: the metric counts matching events, so a threshold below 1 "
            "would alarm without any event and a fraction only rounds up",
        ),
        (
            AlarmSettings(threshold=2, statistic=Statistic.MAXIMUM),
            "statistic 'Maximum' with threshold 2 can never fire: every matching event publishes 1, so Maximum, "
            "Minimum, Average are 1 in any period with events; use statistic 'Sum' to count events, or threshold 1",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_each_invalid_value_is_one_problem_naming_it_and_what_is_allowed(settings: AlarmSettings, problem: str) -> None:
    # GIVEN settings with one invalid value WHEN checked THEN exactly that problem is reported, in full
    assert settings.problems() == [problem]


@pytest.mark.parametrize("statistic", ["Minimum", "Average", Statistic.MINIMUM, Statistic.AVERAGE], ids=str)
def test_every_presence_statistic_needs_threshold_one(statistic: str) -> None:
    (problem,) = AlarmSettings(threshold=3, statistic=statistic).problems()  # type: ignore[arg-type]
    assert problem.startswith(f"statistic '{statistic}' with threshold 3 can never fire")


# ---------------------------------------------------------------- several problems


def test_a_wrong_type_hides_the_range_and_firing_checks_but_not_the_choices() -> None:
    # GIVEN a wrongly typed number next to out-of-range values and an unknown statistic
    settings = AlarmSettings(
        threshold="2",  # type: ignore[arg-type]
        evaluation_periods=0,
        statistic="p99",  # type: ignore[arg-type]
        treat_missing_data=TreatMissingData.BREACHING,
    )
    # WHEN checked THEN the type problem comes first, then the choices; ranges are not judged on a wrong type
    problems = settings.problems()
    assert [p.split(" ", 1)[0] for p in problems] == ["threshold", "statistic", "treat_missing_data"]


def test_range_choice_and_firing_problems_are_reported_together_in_that_order() -> None:
    settings = AlarmSettings(threshold=0.5, evaluation_periods=0, statistic="p99")  # type: ignore[arg-type]
    assert [p.split(" ", 1)[0] for p in settings.problems()] == ["evaluation_periods", "statistic", "threshold"]


def test_the_window_is_not_judged_while_a_period_setting_is_already_wrong() -> None:
    # GIVEN too many datapoints AND a window over the limit THEN only the datapoints are reported
    settings = AlarmSettings(period_seconds=60, evaluation_periods=1441, datapoints_to_alarm=1442)
    assert settings.problems() == ["datapoints_to_alarm 1442 must be <= evaluation_periods 1441"]


def test_every_wrong_type_is_reported() -> None:
    settings = AlarmSettings(threshold=None, evaluation_periods="1", period_seconds=1.0, datapoints_to_alarm=[])  # type: ignore[arg-type]
    assert [p.split(" ", 1)[0] for p in settings.problems()] == [
        "threshold",
        "evaluation_periods",
        "period_seconds",
        "datapoints_to_alarm",
    ]


# ---------------------------------------------------------------- deploy-time tokens


@pytest.mark.parametrize("option", ["threshold", "evaluation_periods", "period_seconds", "datapoints_to_alarm"])
def test_a_token_is_not_judged(option: str) -> None:
    # GIVEN one numeric setting that is a deploy-time token WHEN checked with the token test THEN no problem
    settings = dataclasses.replace(AlarmSettings(), **{option: TOKEN})
    assert settings.problems(_is_token) == []


@pytest.mark.parametrize("option", ["threshold", "evaluation_periods", "period_seconds", "datapoints_to_alarm"])
def test_without_the_token_test_a_token_is_a_wrong_type(option: str) -> None:
    settings = dataclasses.replace(AlarmSettings(), **{option: TOKEN})
    (problem,) = settings.problems()
    assert problem.startswith(f"{option} {TOKEN!r} is a str")


def test_known_values_next_to_a_token_are_still_judged() -> None:
    # GIVEN a token period next to too many datapoints THEN the datapoints are still compared with the periods
    settings = AlarmSettings(period_seconds=TOKEN, evaluation_periods=2, datapoints_to_alarm=3)  # type: ignore[arg-type]
    assert settings.problems(_is_token) == ["datapoints_to_alarm 3 must be <= evaluation_periods 2"]


def test_datapoints_are_not_compared_with_token_periods() -> None:
    settings = AlarmSettings(evaluation_periods=TOKEN, datapoints_to_alarm=3)  # type: ignore[arg-type]
    assert settings.problems(_is_token) == []


def test_datapoints_below_one_are_reported_next_to_token_periods() -> None:
    settings = AlarmSettings(evaluation_periods=TOKEN, datapoints_to_alarm=0)  # type: ignore[arg-type]
    assert settings.problems(_is_token) == ["datapoints_to_alarm 0 must be an integer >= 1"]


def test_a_token_threshold_with_a_presence_statistic_is_not_judged() -> None:
    settings = AlarmSettings(threshold=TOKEN, statistic=Statistic.MAXIMUM)  # type: ignore[arg-type]
    assert settings.problems(_is_token) == []
