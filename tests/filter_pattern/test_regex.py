"""Translation of AWS's regex subset into Python regular expressions."""

from __future__ import annotations

import pytest

from trailwatch_constructs.filter_pattern import parse_filter_pattern
from trailwatch_constructs.filter_pattern.regex import translate


@pytest.mark.parametrize(
    ("aws", "python"),
    [
        ("a{3, 5}", "a{3,5}"),
        ("a{,5}", "a{0,5}"),
        ("a{3,}", "a{3,}"),
        ("a{3}", "a{3}"),
        ("end$", "end\\Z"),
        ("[[]", "[\\[]"),
        ("[a-z--]", "[a-z\\-\\-]"),
        ("[-a]", "[\\-a]"),
        ("[\\d-z]", "[\\d\\-z]"),
        ("[a-c-e]", "[a-c\\-e]"),
        ("\\x3A", "\\x3A"),
        ("\\d\\W", "\\d\\W"),
        ("a b", "a\\ b"),
        ("[^c]", "[^c]"),
        ("x[ab]c", "x[ab]c"),
        ("[a-]b", "[a\\-]b"),
    ],
)
def test_aws_regex_translates_to_the_python_equivalent(aws: str, python: str) -> None:
    # GIVEN an AWS regex
    # WHEN it is translated
    # THEN the Python regex means the same thing
    assert translate(aws) == python


def test_spaces_inside_a_quantifier_are_allowed() -> None:
    # GIVEN AWS's '{m, n}' spelling (the docs write it with a space)
    pattern = parse_filter_pattern("%a{3, 5}%")
    # WHEN it is matched
    # THEN it is a quantifier, not literal braces
    assert pattern.matches("aaaa") is True


def test_word_class_is_ascii_only() -> None:
    # GIVEN \w, which AWS defines as [a-zA-Z_0-9]
    pattern = parse_filter_pattern("%^\\w$%")
    # WHEN a non-ASCII letter is matched
    # THEN it is not a word character
    assert pattern.matches("é") is False


def test_dot_matches_a_newline() -> None:
    # GIVEN '.' (AWS: "Matches any single character")
    pattern = parse_filter_pattern("%a.b%")
    # WHEN the character between is a newline
    # THEN it matches
    assert pattern.matches("a\nb") is True
