"""The catalogue's lookups and its one parameterised control, the privileged-group control."""

from __future__ import annotations

import pytest

from trailwatch_constructs.catalog import (
    CONTROL_IDS,
    PRIVILEGED_GROUP_CONTROL_ID,
    STATIC_CONTROLS,
    AlarmSettings,
    ComplianceReference,
    ControlDefinition,
    Framework,
    Severity,
    catalog_controls,
    get_control,
    privileged_group_membership_changes,
    privileged_group_pattern,
)
from trailwatch_constructs.catalog.controls import unknown_id_message
from trailwatch_constructs.core.errors import ControlDefinitionError, PatternTooLongError
from trailwatch_constructs.filter_pattern.limits import MAX_PATTERN_LENGTH

ONE_GROUP = (
    '{(($.eventName=AddUserToGroup) && ($.requestParameters.groupName="Admins")) || '
    '(($.eventName=RemoveUserFromGroup) && ($.requestParameters.groupName="Admins"))}'
)


def _names_for_length(length: int) -> list[str]:
    """Group names whose pattern is ``length`` characters: the last name takes up the difference."""
    names = [f"Group{i:02d}" for i in range(20)]
    short = len(privileged_group_pattern(names))
    names[-1] += "x" * (length - short)
    return names


# ---------------------------------------------------------------- the pattern


def test_one_group_is_the_source_articles_text() -> None:
    assert privileged_group_pattern(["Admins"]) == ONE_GROUP


def test_several_groups_test_the_event_name_once() -> None:
    assert privileged_group_pattern(["Admins", "Security"]) == (
        "{(($.eventName=AddUserToGroup) || ($.eventName=RemoveUserFromGroup)) && "
        '(($.requestParameters.groupName="Admins") || ($.requestParameters.groupName="Security"))}'
    )


def test_no_group_is_refused() -> None:
    with pytest.raises(ControlDefinitionError) as caught:
        privileged_group_pattern([])
    assert str(caught.value) == "at least one privileged IAM group name is required"


def test_every_invalid_group_name_is_named() -> None:
    # GIVEN two names IAM would refuse WHEN building the pattern THEN one error names both
    with pytest.raises(ControlDefinitionError) as caught:
        privileged_group_pattern(["Domain Admins", "ok", "x" * 129])
    assert str(caught.value) == (
        "IAM group name 'Domain Admins' must be 1-128 characters of letters, digits and +=,.@_-; "
        f"IAM group name {'x' * 129!r} must be 1-128 characters of letters, digits and +=,.@_-"
    )


def test_a_pattern_of_exactly_the_length_limit_is_accepted() -> None:
    names = _names_for_length(MAX_PATTERN_LENGTH)
    assert len(privileged_group_pattern(names)) == MAX_PATTERN_LENGTH


def test_a_pattern_one_over_the_length_limit_says_how_to_split_the_groups() -> None:
    names = _names_for_length(MAX_PATTERN_LENGTH + 1)
    with pytest.raises(PatternTooLongError) as caught:
        privileged_group_pattern(names)
    assert str(caught.value) == (
        "the privileged-group-membership-changes pattern for 20 groups is 1025 characters; CloudWatch Logs "
        "allows 1024. Split the groups over several controls with "
        "privileged_group_membership_changes(groups, control_id=...) and add_control()"
    )


# ---------------------------------------------------------------- the control


def test_the_privileged_group_control_is_high_severity_from_the_source_article() -> None:
    control = privileged_group_membership_changes(["Admins"])
    assert (control.id, control.metric_name, control.severity, control.pattern) == (
        PRIVILEGED_GROUP_CONTROL_ID,
        "PrivilegedGroupMembershipChanges",
        Severity.HIGH,
        ONE_GROUP,
    )
    assert control.references == (ComplianceReference(Framework.SOURCE_ARTICLE, "recommended CloudTrail monitoring"),)
    assert control.alarm == AlarmSettings()


def test_a_second_privileged_group_control_takes_its_own_id_and_metric() -> None:
    control = privileged_group_membership_changes(["Ops"], control_id="ops-group-changes", metric_name="OpsGroup")
    assert (control.id, control.metric_name) == ("ops-group-changes", "OpsGroup")


# ---------------------------------------------------------------- lookups


def test_the_catalogue_without_groups_is_the_static_controls() -> None:
    assert catalog_controls() is STATIC_CONTROLS


def test_the_catalogue_with_groups_ends_with_their_control() -> None:
    controls = catalog_controls(privileged_groups=["Admins"])
    assert controls[:-1] == STATIC_CONTROLS
    assert controls[-1] == privileged_group_membership_changes(["Admins"])


def test_every_catalogue_id_is_listed_once_with_the_group_control_last() -> None:
    assert (*(c.id for c in STATIC_CONTROLS), PRIVILEGED_GROUP_CONTROL_ID) == CONTROL_IDS
    assert len(set(CONTROL_IDS)) == len(CONTROL_IDS)


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_get_control_returns_the_catalogue_definition(control: ControlDefinition) -> None:
    assert get_control(control.id) is control


def test_get_control_builds_the_group_control_for_its_groups() -> None:
    control = get_control(PRIVILEGED_GROUP_CONTROL_ID, privileged_groups=["Admins"])
    assert control.pattern == ONE_GROUP


def test_unknown_id_message_names_one_or_several_ids_and_the_known_ones() -> None:
    assert unknown_id_message(["x"], "exclude", ["a", "b"]) == "unknown control id 'x' in exclude; known ids: a, b"
    assert unknown_id_message(["x", "y"], "include", ["a"]) == "unknown control ids 'x', 'y' in include; known ids: a"
