"""Control definitions: a broken pattern fails when the definition is created, with its position."""

from __future__ import annotations

import pytest

from trailwatch_constructs import (
    ControlDefinition,
    FilterPatternError,
    LocalizedText,
    Severity,
    get_control,
    parse_filter_pattern,
)
from trailwatch_constructs.catalog import STATIC_CONTROLS, load_samples
from trailwatch_constructs.core.errors import UnknownControlError
from trailwatch_constructs.filter_pattern import any_of, event_name_in, field, json_pattern

TEXT = LocalizedText(
    title="GuardDuty detector deleted", rationale="Blinds threat detection.", investigation="Re-create the detector."
)


def _definition(pattern: str) -> ControlDefinition:
    return ControlDefinition(
        id="guardduty-disabled", pattern=pattern, metric_name="GuardDutyDisabled", severity=Severity.HIGH, en=TEXT
    )


def test_broken_pattern_fails_at_creation_quoting_it_and_pointing_at_the_problem() -> None:
    # GIVEN a pattern with the unsupported 'EXISTS' WHEN the definition is created
    with pytest.raises(FilterPatternError) as caught:
        _definition("{ $.eventSource EXISTS }")
    # THEN the error is a ValueError naming the position, quoting the pattern with a caret under the problem
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.position == 16
    message = str(error)
    assert "{ $.eventSource EXISTS }" in message
    caret_line = message.splitlines()[-1]
    assert caret_line.index("^") - message.splitlines()[-2].index("{") == 16


def test_pattern_over_the_length_limit_fails_at_creation() -> None:
    names = " || ".join(f"($.eventName=Event{i:04d})" for i in range(60))
    with pytest.raises(FilterPatternError, match=r"1,?024"):
        _definition("{" + names + "}")


def test_typed_helpers_build_the_same_text_as_a_string() -> None:
    # GIVEN a pattern built from typed helpers THEN it is byte for byte the catalogue's Security Hub text
    built = json_pattern(
        field("$.eventSource").eq("kms.amazonaws.com")
        & any_of(field("$.eventName").eq("DisableKey"), field("$.eventName").eq("ScheduleKeyDeletion"))
    )
    assert built == get_control("kms-key-disable-or-deletion").pattern
    assert _definition(built).pattern == built


def test_event_name_helper_matches_the_cloudtrail_changes_text() -> None:
    built = json_pattern(event_name_in("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"))
    assert built == get_control("cloudtrail-config-changes").pattern


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_rendering_of_every_catalogue_pattern_means_the_same(control: ControlDefinition) -> None:
    # GIVEN a catalogue pattern's canonical rendering WHEN parsed again
    reparsed = parse_filter_pattern(control.filter_pattern.render())
    # THEN it renders the same and decides every sample event of the control the same way
    assert reparsed.render() == control.filter_pattern.render()
    samples = load_samples(control.id)
    for sample in (*samples.fires, *samples.ignores):
        assert reparsed.matches(sample.record) is control.matches(sample.record), sample.why


def test_unknown_catalogue_id_names_the_known_ids() -> None:
    with pytest.raises(
        UnknownControlError,
        match="unknown control id 'root-usage' in the catalogue; known ids: root-account-usage, unauthorized-api-calls",
    ):
        get_control("root-usage")


def test_privileged_group_control_needs_groups() -> None:
    with pytest.raises(UnknownControlError, match="needs at least one privileged IAM group name"):
        get_control("privileged-group-membership-changes")
