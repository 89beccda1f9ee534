"""Control definitions: a broken pattern fails when the definition is created, with its position."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.catalog.helpers import ENGLISH, JAPANESE, a_definition
from trailwatch_constructs import (
    ControlDefinition,
    FilterPatternError,
    get_control,
    parse_filter_pattern,
)
from trailwatch_constructs.catalog import (
    STATIC_CONTROLS,
    AlarmSettings,
    ComplianceReference,
    Framework,
    Language,
    load_samples,
)
from trailwatch_constructs.catalog.definition import MAX_CONTROL_ID_LENGTH
from trailwatch_constructs.core.errors import ControlDefinitionError, UnknownControlError
from trailwatch_constructs.core.limits import MAX_METRIC_NAME_LENGTH
from trailwatch_constructs.filter_pattern import any_of, event_name_in, field, json_pattern


def _definition(pattern: str) -> ControlDefinition:
    return a_definition(pattern=pattern)


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


# ---------------------------------------------------------------- invalid definitions name every bad value


def _problems(**overrides: Any) -> str:
    with pytest.raises(ControlDefinitionError) as caught:
        a_definition(**overrides)
    return str(caught.value)


@pytest.mark.parametrize(
    "control_id", ["a", "a" * MAX_CONTROL_ID_LENGTH, "vpc-changes", "cis-4-15", "x1-2y"], ids=lambda i: i[:20]
)
def test_kebab_case_ids_up_to_the_length_limit_are_accepted(control_id: str) -> None:
    assert a_definition(id=control_id).id == control_id


@pytest.mark.parametrize(
    "control_id",
    ["VPC_Changes", "vpc_changes", "Vpc-changes", "double--hyphen", "-leading", "trailing-", "", "vpc changes", "a.b"],
)
def test_an_id_that_is_not_kebab_case_is_rejected(control_id: str) -> None:
    # GIVEN an id under the length limit that is not kebab-case THEN the error names it and the rule
    assert _problems(id=control_id) == (
        f"invalid control {control_id!r}: control id {control_id!r} must be kebab-case (lower-case letters, "
        "digits and single hyphens) and at most 64 characters"
    )


def test_an_id_one_over_the_length_limit_is_rejected() -> None:
    control_id = "a" * (MAX_CONTROL_ID_LENGTH + 1)
    assert f"control id {control_id!r} must be kebab-case" in _problems(id=control_id)


@pytest.mark.parametrize("metric_name", ["M", "x" * MAX_METRIC_NAME_LENGTH, "Guard Duty/Disabled"], ids=len)
def test_metric_names_up_to_the_length_limit_without_colons_are_accepted(metric_name: str) -> None:
    assert a_definition(metric_name=metric_name).metric_name == metric_name


@pytest.mark.parametrize("metric_name", ["", "x" * (MAX_METRIC_NAME_LENGTH + 1), "Guard:Duty"], ids=len)
def test_a_metric_name_that_is_empty_too_long_or_has_a_colon_is_rejected(metric_name: str) -> None:
    assert _problems(metric_name=metric_name) == (
        f"invalid control 'guardduty-disabled': metric_name {metric_name!r} must be 1-255 characters without ':'"
    )


@pytest.mark.parametrize("pattern", ["", "   "])
def test_an_empty_pattern_is_rejected_because_it_would_match_every_event(pattern: str) -> None:
    assert _problems(pattern=pattern) == (
        f"invalid control 'guardduty-disabled': pattern {pattern!r} is empty; an empty filter pattern matches "
        "every event, so the alarm would fire on all CloudTrail activity"
    )


def test_invalid_alarm_settings_are_named_in_the_definitions_error() -> None:
    # GIVEN a definition whose default alarm could never fire THEN its error carries the settings' problems
    assert _problems(alarm=AlarmSettings(threshold=0.5, statistic="p99")) == (  # type: ignore[arg-type]
        "invalid control 'guardduty-disabled': statistic 'p99' is not allowed; allowed: Sum, SampleCount, Maximum, "
        "Minimum, Average; threshold 0.5 must be a whole number >= 1: the metric counts matching events, so a "
        "threshold below 1 would alarm without any event and a fraction only rounds up"
    )


def test_alarm_settings_of_another_type_are_rejected() -> None:
    assert _problems(alarm={"threshold": 1}) == (
        "invalid control 'guardduty-disabled': alarm {'threshold': 1} is a dict; expected AlarmSettings(...)"
    )


def test_every_problem_is_named_in_one_error() -> None:
    # GIVEN a definition wrong in every field WHEN defined THEN one error names each problem, in field order
    message = _problems(id="Bad_Id", metric_name="a:b", pattern="", texts={}, alarm=AlarmSettings(evaluation_periods=0))
    starts = [
        "invalid control 'Bad_Id': control id 'Bad_Id' must be kebab-case",
        "; metric_name 'a:b' must be",
        "; pattern '' is empty",
        "; control 'Bad_Id' needs English text",
        "; evaluation_periods 0 must be",
    ]
    assert [message.find(start) for start in starts] == sorted(message.find(start) for start in starts)
    assert -1 not in [message.find(start) for start in starts]


def test_the_default_alarm_fires_on_the_first_event_in_five_minutes() -> None:
    assert a_definition().alarm == AlarmSettings()


# ---------------------------------------------------------------- texts per language

NO_ENGLISH = (
    "invalid control 'guardduty-disabled': control 'guardduty-disabled' needs English text, "
    "texts={Language.EN: LocalizedText(...)} or en=LocalizedText(...), with a non-empty title"
)


@pytest.mark.parametrize(
    "texts",
    [{}, {Language.JA: JAPANESE}, {Language.EN: dataclasses.replace(ENGLISH, title=" ")}, {Language.EN: "Deleted"}],
    ids=["none", "japanese-only", "blank-title", "not-a-localized-text"],
)
def test_english_text_with_a_title_is_required(texts: dict[Language, Any]) -> None:
    assert _problems(texts=texts) == NO_ENGLISH


def test_no_texts_at_all_is_missing_english() -> None:
    assert _problems(texts=None) == NO_ENGLISH


def test_another_languages_text_needs_a_title_too() -> None:
    blank = dataclasses.replace(JAPANESE, title="")
    assert _problems(texts={Language.EN: ENGLISH, Language.JA: blank}) == (
        f"invalid control 'guardduty-disabled': texts['ja'] {blank!r} must be a LocalizedText(...) with a "
        "non-empty title"
    )


def test_an_unsupported_language_is_named_with_the_supported_ones() -> None:
    assert _problems(texts={Language.EN: ENGLISH, "fr": ENGLISH, "de": ENGLISH}) == (
        "invalid control 'guardduty-disabled': texts language 'fr', 'de' is not supported; supported: en, ja"
    )


def test_texts_that_are_not_a_mapping_are_rejected() -> None:
    assert _problems(texts=[ENGLISH]).startswith(
        f"invalid control 'guardduty-disabled': texts {[ENGLISH]!r} is a list; expected a dict of Language to "
        "LocalizedText; control 'guardduty-disabled' needs English text"
    )


def test_language_codes_as_keys_become_languages() -> None:
    # GIVEN texts keyed by the codes "en" and "ja" WHEN defining THEN the keys are Language members
    definition = a_definition(texts={"en": ENGLISH, "ja": JAPANESE})
    assert [type(language) for language in definition.texts] == [Language, Language]
    assert definition.texts == {Language.EN: ENGLISH, Language.JA: JAPANESE}


def test_en_and_ja_are_shorthands_for_the_texts_entries() -> None:
    shorthand = a_definition(texts=None, en=ENGLISH, ja=JAPANESE)
    assert shorthand == a_definition(texts={Language.EN: ENGLISH, Language.JA: JAPANESE})
    assert (shorthand.en, shorthand.ja) == (ENGLISH, JAPANESE)


def test_a_shorthand_replaces_the_same_languages_entry() -> None:
    # GIVEN a definition with both texts WHEN replacing its English text with en= THEN only English changes
    other = dataclasses.replace(ENGLISH, title="Detector gone")
    definition = dataclasses.replace(a_definition(texts={Language.EN: ENGLISH, Language.JA: JAPANESE}), en=other)
    assert definition.texts == {Language.EN: other, Language.JA: JAPANESE}


def test_the_definition_keeps_its_own_copy_of_the_texts() -> None:
    texts = {Language.EN: ENGLISH}
    definition = a_definition(texts=texts)
    texts[Language.EN] = JAPANESE
    assert definition.en == ENGLISH


@pytest.mark.parametrize("language", [Language.JA, "ja"], ids=repr)
def test_text_in_a_language_the_control_has(language: Language | str) -> None:
    definition = a_definition(texts={Language.EN: ENGLISH, Language.JA: JAPANESE})
    assert definition.text(language) == JAPANESE


@pytest.mark.parametrize("language", [Language.JA, "ja", "fr"], ids=repr)
def test_text_falls_back_to_english(language: Language | str) -> None:
    # GIVEN a control with English text only (or a language trailwatch does not know) THEN English is used
    assert a_definition().text(language) == ENGLISH


def test_text_is_english_by_default_and_the_title_is_englishs() -> None:
    definition = a_definition(texts={Language.JA: JAPANESE, Language.EN: ENGLISH})
    assert (definition.text(), definition.title, definition.ja) == (ENGLISH, ENGLISH.title, JAPANESE)
    assert a_definition().ja is None


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_every_catalogue_control_is_written_in_every_language(control: ControlDefinition) -> None:
    assert set(control.texts) == set(Language)


# ---------------------------------------------------------------- references and identity


def test_references_name_their_framework() -> None:
    assert [str(ref) for ref in get_control("root-account-usage").references] == [
        "Security Hub CloudWatch.1",
        "CIS v1.2.0 3.3",
        "CIS v1.4.0 4.3",
        "CIS v3.0.0 4.3",
        "CIS v1.2.0 1.1",
        "CIS v1.4.0 1.7",
    ]
    assert str(ComplianceReference(Framework.SOURCE_ARTICLE, "recommended CloudTrail monitoring")) == "source article"


def test_references_for_a_framework_keep_their_order() -> None:
    control = get_control("root-account-usage")
    assert control.references_for(Framework.CIS_1_2_0) == ("3.3", "1.1")
    assert control.references_for(Framework.SOURCE_ARTICLE) == ()
    assert control.security_hub_control == "CloudWatch.1"


def test_a_control_without_a_security_hub_reference_has_no_security_hub_control() -> None:
    references = (ComplianceReference(Framework.CIS_1_4_0, "4.15"),)
    assert a_definition(references=references).security_hub_control is None


def test_equal_definitions_are_equal_and_hash_alike() -> None:
    # GIVEN two definitions built from the same values THEN they are equal, hash alike, and a set holds one
    first, second = a_definition(), a_definition(texts={"en": ENGLISH})
    assert first == second and hash(first) == hash(second)
    assert len({first, second}) == 1
    assert first != a_definition(texts={Language.EN: ENGLISH, Language.JA: JAPANESE})


def test_a_definition_matches_the_records_its_pattern_matches() -> None:
    definition = a_definition()
    assert definition.matches({"eventSource": "guardduty.amazonaws.com", "eventName": "DeleteDetector"})
    assert not definition.matches({"eventSource": "guardduty.amazonaws.com", "eventName": "CreateDetector"})


def test_a_control_deploying_several_texts_counts_an_event_any_of_them_matches_once() -> None:
    # GIVEN a control deploying its own text and a second one
    control = a_definition(pattern="{ $.eventName = A }")
    both = control.deploying(["{ $.eventName = A }", "{ $.eventName = B }"])
    # THEN it deploys both, in order, and matches what either matches (an event matching both is one match)
    assert both.deployed_patterns == ("{ $.eventName = A }", "{ $.eventName = B }")
    assert both.matches({"eventName": "B"}) is True
    assert both.matches({"eventName": "C"}) is False
    assert control.deployed_patterns == (control.pattern,)
    assert both != control


def test_deploying_the_same_text_twice_deploys_it_once() -> None:
    control = a_definition(pattern="{ $.eventName = A }")
    assert control.deploying([control.pattern, control.pattern]).deployed_patterns == (control.pattern,)


@pytest.mark.parametrize(
    ("texts", "message"),
    [("{ $.a = 1 }", "is a single string"), ([], "texts is empty")],
    ids=["lone-string", "empty"],
)
def test_deploying_refuses_a_lone_string_or_nothing(texts: Any, message: str) -> None:
    with pytest.raises(ControlDefinitionError, match=message):
        a_definition().deploying(texts)
