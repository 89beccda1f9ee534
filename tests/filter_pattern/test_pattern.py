"""The FilterPattern object: immutable, hashable, picklable, exported where documented."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

import trailwatch_constructs
from trailwatch_constructs.filter_pattern import FilterPattern, PatternKind, parse_filter_pattern

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
