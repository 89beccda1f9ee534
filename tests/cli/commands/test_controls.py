"""``trailwatch controls``: the catalogue as a table or JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from trailwatch_constructs.catalog import CONTROL_IDS, PRIVILEGED_GROUP_CONTROL_ID, STATIC_CONTROLS
from trailwatch_constructs.cli.main import cli


def test_table_lists_every_catalogue_id(runner: CliRunner) -> None:
    # GIVEN the catalogue
    # WHEN it is listed as a table
    result = runner.invoke(cli, ["controls"])
    # THEN every id, the static ones and the privileged-group one, is on the page
    assert result.exit_code == 0
    for control_id in CONTROL_IDS:
        assert control_id in result.stdout


def test_table_marks_the_privileged_group_control_as_needing_groups(runner: CliRunner) -> None:
    # GIVEN no --privileged-group
    # WHEN the catalogue is listed as a table
    result = runner.invoke(cli, ["controls"])
    # THEN the privileged-group row shows a placeholder instead of a pattern
    row = next(line for line in result.stdout.splitlines() if PRIVILEGED_GROUP_CONTROL_ID in line)
    assert "(needs --privileged-group NAME)" in row


def test_table_shows_the_privileged_group_pattern_when_groups_are_given(runner: CliRunner) -> None:
    # GIVEN a privileged group
    # WHEN the catalogue is listed as a table
    result = runner.invoke(cli, ["controls", "--privileged-group", "Admins"])
    # THEN the placeholder is gone and the group name appears in the pattern
    assert "(needs --privileged-group NAME)" not in result.stdout
    assert '$.requestParameters.groupName="Admins"' in result.stdout


def test_json_lists_the_static_controls_with_their_fields(runner: CliRunner) -> None:
    # GIVEN the catalogue
    # WHEN it is listed as JSON without groups
    result = runner.invoke(cli, ["controls", "--format", "json"])
    # THEN it is a list of the sixteen static controls, each with id, title, pattern,
    #      severity and references as strings
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [c["id"] for c in listed] == [c.id for c in STATIC_CONTROLS]
    first = listed[0]
    control = STATIC_CONTROLS[0]
    assert first["title"] == control.title
    assert first["pattern"] == control.pattern
    assert first["severity"] == control.severity.value
    assert first["references"] == [str(r) for r in control.references]
    assert all(isinstance(r, str) for c in listed for r in c["references"])


def test_json_without_groups_notes_the_missing_control_on_stderr(runner: CliRunner) -> None:
    # GIVEN no --privileged-group
    # WHEN the catalogue is listed as JSON
    result = runner.invoke(cli, ["controls", "--format", "json"])
    # THEN stdout stays pure JSON and stderr says why the 17th control is not listed
    assert PRIVILEGED_GROUP_CONTROL_ID not in result.stdout
    assert result.stderr == (
        f"trailwatch: note: {PRIVILEGED_GROUP_CONTROL_ID} is not listed: it needs at least one "
        "--privileged-group NAME\n"
    )


def test_json_with_groups_includes_the_privileged_group_control(runner: CliRunner) -> None:
    # GIVEN two privileged groups
    # WHEN the catalogue is listed as JSON
    result = runner.invoke(
        cli, ["controls", "--format", "json", "--privileged-group", "Admins", "--privileged-group", "Ops"]
    )
    # THEN the 17th control is last, its pattern names both groups, and nothing goes to stderr
    listed = json.loads(result.stdout)
    assert [c["id"] for c in listed] == list(CONTROL_IDS)
    assert '"Admins"' in listed[-1]["pattern"] and '"Ops"' in listed[-1]["pattern"]
    assert result.stderr == ""


def test_invalid_group_name_is_a_one_line_usage_error(runner: CliRunner) -> None:
    # GIVEN a group name IAM would reject
    # WHEN the catalogue is listed with it
    result = runner.invoke(cli, ["controls", "--privileged-group", "bad name!"])
    # THEN the run exits 2 with one error line naming the bad value
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("trailwatch: error: IAM group name 'bad name!'")
