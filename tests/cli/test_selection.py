"""Which controls run: --control in catalogue order, the privileged-group control, unknown ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import CONTROL_IDS, PRIVILEGED_GROUP_CONTROL_ID, STATIC_CONTROLS
from trailwatch_constructs.catalog.auditors import Auditor, deployed_texts
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.selection import not_selected, select_controls
from trailwatch_constructs.core.errors import UnknownControlError

from .helpers import (
    add_to_admins,
    encode,
    run_json,
    write,
)

KNOWN = ", ".join(CONTROL_IDS)


def test_control_option_selects_controls_in_catalogue_order(runner: CliRunner, archive: Path) -> None:
    # GIVEN two controls named in reverse catalogue order, one of them twice
    # WHEN the archive is replayed
    _, report = run_json(
        runner,
        [
            "replay",
            str(archive),
            "--control",
            "unauthorized-api-calls",
            "--control",
            "root-account-usage",
            "--control",
            "unauthorized-api-calls",
        ],
    )
    # THEN only those are evaluated, in catalogue order, and nothing is "not selected"
    assert list(report["controls"]) == ["root-account-usage", "unauthorized-api-calls"]
    assert report["not_selected"] == []


def test_privileged_group_control_is_reported_as_not_selected_without_groups(runner: CliRunner, archive: Path) -> None:
    # GIVEN no --privileged-group
    # WHEN every control is replayed
    _, report = run_json(runner, ["replay", str(archive)])
    # THEN the report says which control was left out and why
    assert report["not_selected"] == [
        {"id": PRIVILEGED_GROUP_CONTROL_ID, "reason": "needs at least one --privileged-group NAME"}
    ]
    assert PRIVILEGED_GROUP_CONTROL_ID not in report["controls"]


def test_privileged_group_control_runs_with_groups(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a user added to Admins
    path = write(tmp_path / "log.json", encode("cloudtrail", [add_to_admins(0)]))
    # WHEN replayed with --privileged-group Admins
    _, report = run_json(runner, ["replay", str(path), "--privileged-group", "Admins"])
    # THEN all 17 controls run and the privileged one matched
    assert len(report["controls"]) == 17
    assert report["controls"][PRIVILEGED_GROUP_CONTROL_ID]["matches"] == 1
    assert report["not_selected"] == []


def test_unknown_control_id_is_a_one_line_error_listing_the_known_ids(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a misspelt control id
    # WHEN replay is asked for it
    result = runner.invoke(cli, ["replay", str(tmp_path), "--control", "root-usage"])
    # THEN it exits 2 with exactly one line naming it and every known id
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: unknown control id 'root-usage'; known ids: {KNOWN}\n"
    assert result.stdout == ""


def test_several_unknown_control_ids_are_named_together(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN two unknown ids and a known one
    # WHEN replay is asked for them
    result = runner.invoke(
        cli, ["replay", str(tmp_path), "--control", "x", "--control", "root-account-usage", "--control", "y"]
    )
    # THEN both unknown ids are in the one line
    assert result.stderr == f"trailwatch: error: unknown control ids 'x', 'y'; known ids: {KNOWN}\n"


def test_unknown_control_id_in_test_is_the_same_error(runner: CliRunner) -> None:
    # GIVEN a misspelt control id
    # WHEN test is asked for it
    result = runner.invoke(cli, ["test", "--control", "root-usage"], input=b"{}")
    # THEN the same one-line error, exit 2
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: unknown control id 'root-usage'; known ids: {KNOWN}\n"


def test_every_control_without_groups_leaves_the_privileged_group_control_out() -> None:
    # GIVEN no --control and no --privileged-group
    selection = select_controls([], [])
    # THEN the static controls run, each with every auditor's texts, and the privileged-group one is
    # listed as not selected
    assert selection.controls == tuple(c.deploying(deployed_texts(c)) for c in STATIC_CONTROLS)
    assert not_selected(selection) == ((PRIVILEGED_GROUP_CONTROL_ID, "needs at least one --privileged-group NAME"),)
    assert (selection.problems, selection.replaced) == ((), frozenset())


def test_every_control_with_groups_includes_the_privileged_group_control() -> None:
    selection = select_controls([], ["Admins"])
    assert [c.id for c in selection.controls] == list(CONTROL_IDS)
    assert not_selected(selection) == ()


def test_named_controls_come_in_catalogue_order_once_each() -> None:
    selection = select_controls(["vpc-changes", "root-account-usage", "vpc-changes"], [])
    assert [c.id for c in selection.controls] == ["root-account-usage", "vpc-changes"]
    assert not_selected(selection) == ()


def test_the_privileged_group_control_named_with_groups_is_built_for_them() -> None:
    (control,) = select_controls([PRIVILEGED_GROUP_CONTROL_ID], ["Admins"]).controls
    assert '"Admins"' in control.pattern


def test_naming_the_privileged_group_control_without_groups_is_an_error() -> None:
    with pytest.raises(UnknownControlError) as raised:
        select_controls([PRIVILEGED_GROUP_CONTROL_ID], [])
    assert str(raised.value) == f"control {PRIVILEGED_GROUP_CONTROL_ID!r} needs at least one --privileged-group NAME"


def test_unknown_ids_are_named_once_each_in_order() -> None:
    with pytest.raises(UnknownControlError) as raised:
        select_controls(["y", "root-account-usage", "x", "y"], [])
    assert str(raised.value) == f"unknown control ids 'y', 'x'; known ids: {KNOWN}"


def test_security_hub_alone_evaluates_each_catalogue_pattern_as_written() -> None:
    # GIVEN only the Security Hub auditor THEN the controls are the catalogue's, one pattern each
    selection = select_controls([], [], [Auditor.SECURITY_HUB])
    assert selection.controls == STATIC_CONTROLS
    assert all(c.deployed_patterns == (c.pattern,) for c in selection.controls)


def test_every_auditor_makes_a_control_match_the_union_of_its_filters() -> None:
    # GIVEN organizations-changes with every auditor (prowler's text adds CancelHandshake)
    (control,) = select_controls(["organizations-changes"], []).controls
    event = {"eventSource": "organizations.amazonaws.com", "eventName": "CancelHandshake"}
    # THEN the selection counts the event the extra filter counts; with Security Hub's texts alone it does not
    assert control.matches(event) is True
    (alone,) = select_controls(["organizations-changes"], [], [Auditor.CIS_V3]).controls
    assert alone.matches(event) is False
