"""Builder helpers: the text a human would write in AWS's CIS style, and it parses back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trailwatch_constructs.filter_pattern import (
    FilterPatternError,
    JsonCondition,
    all_of,
    any_of,
    event_name_in,
    field,
    json_pattern,
    parse_filter_pattern,
)
from trailwatch_constructs.filter_pattern.syntax import JsonPattern

# Built inside each test, not at import, so the builder code runs under the test (and under mutation).
CONDITIONS: list[tuple[Callable[[], JsonCondition], str]] = [
    (lambda: field("$.eventName").eq("CreateTrail"), "($.eventName=CreateTrail)"),
    (lambda: field("$.eventSource").eq("kms.amazonaws.com"), "($.eventSource=kms.amazonaws.com)"),
    (lambda: field("$.errorMessage").eq("Failed authentication"), '($.errorMessage="Failed authentication")'),
    (lambda: field("$.awsRegion").eq("us-east-1"), '($.awsRegion="us-east-1")'),
    (lambda: field("$.recipientAccountId").eq("123456789012"), '($.recipientAccountId="123456789012")'),
    (lambda: field("$.a").eq('say "hi"'), '($.a="say \\"hi\\"")'),
    (lambda: field("$.errorCode").eq(400), "($.errorCode=400)"),
    (lambda: field("$.ratio").eq(0.5), "($.ratio=0.5)"),
    (lambda: field("$.additionalEventData.MFAUsed").ne("Yes"), "($.additionalEventData.MFAUsed!=Yes)"),
    (lambda: field("$.errorCode").like("*UnauthorizedOperation"), '($.errorCode="*UnauthorizedOperation")'),
    (lambda: field("$.errorCode").like("AccessDenied*"), '($.errorCode="AccessDenied*")'),
    (lambda: field("$.arn").like("*sso.amazonaws.com*"), '($.arn="*sso.amazonaws.com*")'),
    (lambda: field("$.latency").like("*"), "($.latency=*)"),
    (lambda: field("$.sourceIPAddress").not_like("123.123.*"), '($.sourceIPAddress!="123.123.*")'),
    (lambda: field("$.eventType").regex("Trail$"), "($.eventType=%Trail$%)"),
    (lambda: field("$.eventType").not_regex("^Get"), "($.eventType!=%^Get%)"),
    (lambda: field("$.latency").gt(1000), "($.latency>1000)"),
    (lambda: field("$.latency").ge(500), "($.latency>=500)"),
    (lambda: field("$.latency").lt(50), "($.latency<50)"),
    (lambda: field("$.latency").le(5.5), "($.latency<=5.5)"),
    (lambda: field("$.SomeObject").is_null(), "($.SomeObject IS NULL)"),
    (lambda: field("$.ThisFlag").is_true(), "($.ThisFlag IS TRUE)"),
    (lambda: field("$.ThisFlag").is_false(), "($.ThisFlag IS FALSE)"),
    (lambda: field("$.userIdentity.invokedBy").not_exists(), "($.userIdentity.invokedBy NOT EXISTS)"),
    (lambda: field("$.['cluster.name']").eq("c"), "($.['cluster.name']=c)"),
    (lambda: field("$.items[0].id").eq(2), "($.items[0].id=2)"),
]


@pytest.mark.parametrize(("build", "text"), CONDITIONS, ids=[c[1] for c in CONDITIONS])
def test_condition_helper_produces_the_expected_text(build: Callable[[], JsonCondition], text: str) -> None:
    # GIVEN a condition built with a field helper
    condition = build()
    # WHEN its text is read
    # THEN it is written the way AWS's CIS patterns are
    assert condition.text == text


@pytest.mark.parametrize(("build", "text"), CONDITIONS, ids=[c[1] for c in CONDITIONS])
def test_condition_helper_text_parses_back_to_the_same_tree(build: Callable[[], JsonCondition], text: str) -> None:
    # GIVEN a built condition wrapped as a pattern
    condition = build()
    pattern = parse_filter_pattern(json_pattern(condition))
    # WHEN it is parsed
    # THEN the tree is the builder's and the text renders to itself
    assert isinstance(pattern.root, JsonPattern)
    assert pattern.root.condition == condition.node
    assert pattern.render() == pattern.text


def test_json_pattern_of_any_of_matches_the_documented_contract() -> None:
    # GIVEN two eventName equalities joined with any_of
    text = json_pattern(any_of(field("$.eventName").eq("CreateTrail"), field("$.eventName").eq("UpdateTrail")))
    # WHEN the text is parsed
    pattern = parse_filter_pattern(text)
    # THEN it is exactly the CIS-style text
    assert pattern.text == "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail)}"


def test_all_of_with_a_nested_any_of_reproduces_the_cis_kms_pattern() -> None:
    # GIVEN the CIS CloudWatch.7 conditions
    condition = all_of(
        field("$.eventSource").eq("kms.amazonaws.com"),
        event_name_in("DisableKey", "ScheduleKeyDeletion"),
    )
    # WHEN wrapped as a pattern
    # THEN the text is Security Hub's, byte for byte
    assert json_pattern(condition) == (
        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}"
    )


def test_any_of_with_a_nested_all_of_parenthesises_the_and() -> None:
    # GIVEN an OR of an AND and a comparison
    condition = any_of(all_of(field("$.a").eq("x"), field("$.b").eq("y")), field("$.c").eq("z"))
    # WHEN its text is read
    # THEN the AND is parenthesised, as AWS writes it
    assert condition.text == "(($.a=x) && ($.b=y)) || ($.c=z)"


def test_operators_combine_conditions_like_all_of_and_any_of() -> None:
    # GIVEN conditions combined with & and |
    a, b, c = field("$.a").eq("x"), field("$.b").eq("y"), field("$.c").eq("z")
    # WHEN compared with the named helpers
    # THEN they build the same tree
    assert (a & b) == all_of(a, b)
    assert (a | b | c) == any_of(a, b, c)


def test_single_condition_is_returned_unchanged_by_any_of() -> None:
    # GIVEN one condition
    condition = field("$.a").eq("x")
    # WHEN given alone to any_of or all_of
    # THEN it comes back as is
    assert any_of(condition) == condition == all_of(condition)


def test_event_name_in_builds_one_equality_per_name() -> None:
    # GIVEN three CloudTrail event names
    # WHEN event_name_in is used
    condition = event_name_in("CreateTrail", "UpdateTrail", "DeleteTrail")
    # THEN it is their OR
    assert condition.text == "($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail)"


def test_built_pattern_matches_like_its_text() -> None:
    # GIVEN the CIS console-login-without-MFA conditions
    pattern = parse_filter_pattern(
        json_pattern(
            all_of(
                field("$.eventName").eq("ConsoleLogin"),
                field("$.additionalEventData.MFAUsed").ne("Yes"),
            )
        )
    )
    # WHEN events are matched
    # THEN it behaves as the text says
    assert pattern.matches({"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"}}) is True
    assert pattern.matches({"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "Yes"}}) is False


@pytest.mark.parametrize("value", ["*x", "x*", "*"])
def test_eq_refuses_a_value_that_would_be_a_wildcard(value: str) -> None:
    # GIVEN an exact value starting or ending with '*'
    # WHEN eq() is used
    # THEN it is refused with a pointer to like()
    with pytest.raises(FilterPatternError) as info:
        field("$.a").eq(value)
    assert "like()" in info.value.hint


def test_like_refuses_a_pattern_without_a_star_at_either_end() -> None:
    # GIVEN a wildcard pattern without '*' at its ends
    # WHEN like() is used
    # THEN it is refused with a pointer to eq()
    with pytest.raises(FilterPatternError) as info:
        field("$.a").like("a*b")
    assert "eq()" in info.value.hint


def test_eq_refuses_a_boolean() -> None:
    # GIVEN a Python bool
    # WHEN eq() is used
    # THEN it is a TypeError pointing at is_true()/is_false()
    with pytest.raises(TypeError, match="is_true"):
        field("$.a").eq(True)


def test_numeric_helpers_refuse_infinity() -> None:
    # GIVEN an infinite float
    # WHEN gt() is used
    # THEN it is refused
    with pytest.raises(FilterPatternError):
        field("$.a").gt(float("inf"))


def test_regex_helper_validates_the_aws_subset() -> None:
    # GIVEN a regex with parentheses (AWS does not support them)
    # WHEN regex() is used
    # THEN it is refused at the parenthesis
    with pytest.raises(FilterPatternError) as info:
        field("$.a").regex("a(b)")
    assert info.value.position == 2


def test_field_refuses_a_selector_without_dollar_dot() -> None:
    # GIVEN a bare field name
    # WHEN field() is used
    # THEN it is refused with the fix
    with pytest.raises(FilterPatternError) as info:
        field("eventName")
    assert "$.eventName" in info.value.hint


def test_any_of_needs_at_least_one_condition() -> None:
    # GIVEN no conditions
    # WHEN any_of() is called
    # THEN it is a TypeError
    with pytest.raises(TypeError):
        any_of()


def test_json_pattern_checks_the_length_limit() -> None:
    # GIVEN more event names than fit in 1,024 characters
    condition = event_name_in(*(f"VeryLongEventName{i:03d}" for i in range(60)))
    # WHEN wrapped as a pattern
    # THEN the limit is reported
    with pytest.raises(FilterPatternError, match="at most 1024"):
        json_pattern(condition)


@pytest.mark.parametrize(("value", "position"), [("*x", 0), ("ab*", 2)])
def test_eq_points_at_the_star_that_makes_a_value_a_wildcard(value: str, position: int) -> None:
    # GIVEN an exact value with a star at its start or its end
    # WHEN eq() is used
    with pytest.raises(FilterPatternError) as info:
        field("$.a").eq(value)
    # THEN the error points at that star
    assert (info.value.pattern, info.value.position, info.value.fragment) == (value, position, "*")


@pytest.mark.parametrize("number", ["5", True], ids=["str", "bool"])
def test_numeric_helpers_refuse_what_is_not_an_int_or_a_float(number: object) -> None:
    # GIVEN a string or a bool where a number is expected
    # WHEN gt() is used
    # THEN it is a TypeError
    with pytest.raises(TypeError, match="expected int or float"):
        field("$.a").gt(number)  # type: ignore[arg-type]


def test_numeric_helpers_report_infinity_as_written() -> None:
    # GIVEN an infinite float
    # WHEN lt() is used
    with pytest.raises(FilterPatternError) as info:
        field("$.a").lt(float("-inf"))
    # THEN the error quotes it and points at its start
    assert (info.value.pattern, info.value.position) == ("-inf", 0)
    assert "not a number a filter pattern can express" in info.value.reason


def test_like_points_at_the_start_of_a_pattern_without_stars() -> None:
    # GIVEN a pattern with no star at either end
    # WHEN like() is used
    with pytest.raises(FilterPatternError) as info:
        field("$.a").like("abc")
    # THEN the error points at its start
    assert (info.value.pattern, info.value.position) == ("abc", 0)


def test_like_with_one_character_before_the_star_is_a_prefix_wildcard() -> None:
    # GIVEN the shortest prefix wildcard
    condition = field("$.a").like("x*")
    # WHEN it is built
    root = parse_filter_pattern("{ $.a = x* }").root
    # THEN it is the same node as the parsed prefix wildcard 'x*'
    assert isinstance(root, JsonPattern)
    assert condition.node == root.condition


def test_regex_helper_reports_the_regex_as_written_between_percent_signs() -> None:
    # GIVEN a regex outside the AWS subset
    # WHEN not_regex() is used
    with pytest.raises(FilterPatternError) as info:
        field("$.a").not_regex("a!")
    # THEN the error quotes it as it would appear in a pattern, with AWS's reason and hint
    assert (info.value.pattern, info.value.position) == ("%a!%", 2)
    assert "'!' is not allowed" in info.value.reason
    assert "\\x21" in info.value.hint
