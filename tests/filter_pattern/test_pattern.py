"""The FilterPattern object: immutable, hashable, picklable, exported where documented."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

import trailwatch_constructs
from trailwatch_constructs.filter_pattern import (
    FilterPattern,
    FilterPatternError,
    PatternKind,
    parse_filter_pattern,
    union_of,
)

TEXT = "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail)}"


def test_pattern_is_immutable() -> None:
    # GIVEN a parsed pattern
    pattern = parse_filter_pattern(TEXT)
    # WHEN an attribute is assigned
    # THEN it is refused
    with pytest.raises(dataclasses.FrozenInstanceError):
        pattern.text = "x"  # type: ignore[misc]


def test_equal_patterns_are_equal_and_hash_alike() -> None:
    # GIVEN the same text parsed twice
    first, second = parse_filter_pattern(TEXT), parse_filter_pattern(TEXT)
    # WHEN they are compared and hashed
    # THEN they are interchangeable as dictionary keys
    assert first == second
    assert {first: 1}[second] == 1


def test_pattern_survives_pickling_with_a_working_matcher() -> None:
    # GIVEN a parsed pattern (the compiled closure itself cannot be pickled)
    pattern = parse_filter_pattern(TEXT)
    # WHEN it is pickled and unpickled
    copy = pickle.loads(pickle.dumps(pattern))
    # THEN it is equal and still matches
    assert copy == pattern
    assert copy.matches({"eventName": "UpdateTrail"}) is True


def test_pattern_exposes_text_kind_and_root() -> None:
    # GIVEN a parsed JSON pattern
    pattern = parse_filter_pattern(TEXT)
    # WHEN its attributes are read
    # THEN they describe the pattern
    assert (pattern.text, pattern.kind) == (TEXT, PatternKind.JSON)
    assert FilterPattern(pattern.text, pattern.kind, pattern.root) == pattern


def test_package_root_re_exports_the_parser_and_error() -> None:
    # GIVEN the top-level package
    # WHEN the documented names are read
    # THEN they are the filter-pattern engine's
    assert trailwatch_constructs.parse_filter_pattern is parse_filter_pattern
    assert issubclass(trailwatch_constructs.FilterPatternError, ValueError)


def test_union_matches_what_any_of_its_patterns_matches() -> None:
    # GIVEN two JSON patterns
    a, b = parse_filter_pattern("{ $.eventName = A }"), parse_filter_pattern("{ $.errorCode = X* }")
    union = union_of([a, b])
    # WHEN events matching one, both or neither are tested THEN the union matches when either does
    for event in ({"eventName": "A"}, {"errorCode": "Xy"}, {"eventName": "A", "errorCode": "X"}, {"eventName": "B"}):
        assert union.matches(event) is (a.matches(event) or b.matches(event)), event


def test_union_leaves_out_alternatives_another_already_covers() -> None:
    # GIVEN Security Hub's CloudWatch.2 text and CIS v3.0.0 4.1's, whose second alternative is narrower
    security_hub = parse_filter_pattern('{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}')
    cis = parse_filter_pattern(
        '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
        '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'
    )
    # WHEN they are joined THEN the union reads as the broader text
    assert union_of([security_hub, cis]).text == security_hub.render()
    assert union_of([cis, security_hub]).text == security_hub.render()


def test_union_keeps_an_and_whose_conjuncts_are_not_all_covered() -> None:
    # GIVEN eventSource AND a name list, and a name list without the eventSource
    narrow = parse_filter_pattern("{ $.eventSource = ec2.amazonaws.com && ($.eventName = A || $.eventName = B) }")
    other = parse_filter_pattern("{ $.eventName = C }")
    # WHEN they are joined THEN both alternatives stay
    assert (
        union_of([narrow, other]).text
        == "{(($.eventSource=ec2.amazonaws.com) && (($.eventName=A) || ($.eventName=B))) || ($.eventName=C)}"
    )


def test_union_of_one_pattern_is_that_pattern() -> None:
    pattern = parse_filter_pattern(TEXT)
    assert union_of([pattern]) is pattern


@pytest.mark.parametrize("texts", [[], ["{ $.a = 1 }", "ERROR"]], ids=["none", "a-term-pattern"])
def test_union_of_no_pattern_or_a_non_json_pattern_is_refused(texts: list[str]) -> None:
    # GIVEN nothing to join, or a term pattern THEN it is a FilterPatternError
    with pytest.raises(FilterPatternError, match="only one or more JSON patterns can be joined"):
        union_of([parse_filter_pattern(t) for t in texts])


def test_union_keeps_the_warnings_of_its_patterns() -> None:
    # GIVEN a pattern with a keyword trap joined with another THEN the trap is still reported
    union = union_of([parse_filter_pattern("{ $.readOnly = false }"), parse_filter_pattern("{ $.a = 1 }")])
    assert [w.fragment for w in union.warnings] == ["false"]


def test_union_collapsing_to_one_alternative_is_that_alternative_as_a_json_pattern() -> None:
    # GIVEN a pattern and a narrower one (its condition AND another)
    union = union_of([parse_filter_pattern("{ $.a = 1 }"), parse_filter_pattern("{ $.a = 1 && $.b = 2 }")])
    # THEN the union is the broader condition alone, still a JSON pattern
    assert union.text == "{($.a=1)}"
    assert union.kind is PatternKind.JSON


def test_union_drops_a_list_covered_by_a_longer_list_and_keeps_what_follows() -> None:
    # GIVEN eventSource AND two names, three names, and an unrelated alternative after them
    narrow = parse_filter_pattern("{ $.s = e && ($.n = A || $.n = B) }")
    broad = parse_filter_pattern("{ $.n = A || $.n = B || $.n = C }")
    other = parse_filter_pattern("{ $.x = 1 }")
    # THEN the narrow alternative goes, and the later one stays
    assert union_of([broad, narrow, other]).text == "{($.n=A) || ($.n=B) || ($.n=C) || ($.x=1)}"


def test_union_drops_an_alternative_implied_by_a_later_broader_one() -> None:
    # GIVEN a AND b, then a AND (b OR c): the first implies the second
    first = parse_filter_pattern("{ $.a = 1 && $.b = 1 }")
    second = parse_filter_pattern("{ $.a = 1 && ($.b = 1 || $.b = 2) }")
    # THEN only the broader remains
    assert union_of([first, second]).text == second.render()
