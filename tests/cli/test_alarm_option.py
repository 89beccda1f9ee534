"""``replay --alarm ID:SETTING=VALUE,...``: the report's notifications under the alarm settings a stack overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import variants_for
from trailwatch_constructs.cli.main import cli

from .helpers import denied, encode, run_json, write

CONTROL = "unauthorized-api-calls"
ONE_FILTER = ["--auditor", "security-hub"]  # one filter per control: a threshold above 1 is allowed


@pytest.fixture
def bursts(tmp_path: Path) -> Path:
    """Denied calls: 6 in 01:00-01:05, 2 in 01:05-01:10, 6 in 01:10-01:15 (5-minute periods)."""
    minutes = [0, 1, 1, 2, 3, 4, 5, 6, 10, 11, 12, 12, 13, 14]
    return write(tmp_path / "a.json", encode("cloudtrail", [denied(m) for m in minutes]))


def notifications(runner: CliRunner, path: Path, *args: str) -> dict[str, int]:
    _, report = run_json(runner, ["replay", str(path), "--control", CONTROL, *ONE_FILTER, *args])
    return {cid: c["notifications"] for cid, c in report["controls"].items()}


def test_threshold_and_periods_change_the_notifications(runner: CliRunner, bursts: Path) -> None:
    # GIVEN three consecutive periods with 6, 2 and 6 matches
    # WHEN replayed with the default alarm, with threshold 5, and with threshold 5 in 2 of 3 periods
    default = notifications(runner, bursts)
    five = notifications(runner, bursts, "--alarm", f"{CONTROL}:threshold=5")
    two_of_three = notifications(
        runner, bursts, "--alarm", f"{CONTROL}:threshold=5,evaluation_periods=3,datapoints_to_alarm=2"
    )
    # THEN the default alarms once (three breaching periods in a row), threshold 5 twice (the middle
    # period falls short), and 2 of 3 once (when the third period brings the second breach)
    assert (default[CONTROL], five[CONTROL], two_of_three[CONTROL]) == (1, 2, 1)


def test_a_base_controls_settings_apply_to_its_tuned_variant(runner: CliRunner, bursts: Path) -> None:
    (variant,) = variants_for(CONTROL)
    counted = notifications(runner, bursts, "--compare-variants", "--alarm", f"{CONTROL}:threshold=5")
    assert counted == {CONTROL: 2, variant.id: 2}


def test_the_html_page_states_the_settings_it_simulated(runner: CliRunner, bursts: Path, tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    args = ["--alarm", f"{CONTROL}:threshold=5,evaluation_periods=3,datapoints_to_alarm=2", "--html", str(page)]
    run_json(runner, ["replay", str(bursts), "--control", CONTROL, *ONE_FILTER, *args])
    assert "5+ matching CloudTrail events per 5 min in 2 of 3 periods." in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x", "'x' is not ID:SETTING=VALUE[,SETTING=VALUE...]"),
        (f"{CONTROL}:foo=1", "'foo=1' in 'unauthorized-api-calls:foo=1' sets no known setting; allowed: threshold, "),
        (f"{CONTROL}:threshold=many", "threshold 'many' in 'unauthorized-api-calls:threshold=many' is not a number"),
        (f"{CONTROL}:evaluation_periods=1.5", "evaluation_periods '1.5' in "),
        (f"{CONTROL}:statistic=Median", "is not one of Sum, SampleCount, Maximum, Minimum, Average"),
        (f"{CONTROL}:datapoints_to_alarm=4", "datapoints_to_alarm 4 must be <= evaluation_periods 1"),
        (f"{CONTROL}:treat_missing_data=breaching", "treat_missing_data BREACHING would keep the alarm in ALARM"),
        ("vpc-changes:threshold=2", "--alarm names 'vpc-changes', which this run does not evaluate"),
    ],
)
def test_a_bad_alarm_setting_is_a_usage_error_naming_it(
    runner: CliRunner, bursts: Path, value: str, message: str
) -> None:
    result = runner.invoke(cli, ["replay", str(bursts), "--control", CONTROL, *ONE_FILTER, "--alarm", value])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_threshold_above_one_on_a_control_with_several_filters_is_refused_as_the_construct_refuses(
    runner: CliRunner, bursts: Path
) -> None:
    # GIVEN every auditor's texts, several filters for unauthorized-api-calls (an event can count twice in AWS)
    result = runner.invoke(cli, ["replay", str(bursts), "--control", CONTROL, "--alarm", f"{CONTROL}:threshold=5"])
    # THEN replay refuses to simulate what CloudTrailSecurityMonitoring would refuse to deploy
    assert result.exit_code == 2
    assert "metric filters on one metric (for its auditors), so an event two of them match" in result.stderr
