"""Rejected patterns: each gives a FilterPatternError at the right place, with a useful message."""

from __future__ import annotations

import pickle

import pytest

from trailwatch_constructs.core.errors import TrailwatchError
from trailwatch_constructs.filter_pattern import FilterPatternError, parse_filter_pattern


def _error(text: str) -> FilterPatternError:
    with pytest.raises(FilterPatternError) as info:
        parse_filter_pattern(text)
    return info.value


# (pattern, position, words in the reason, words in the hint)
REJECTED = [
    # AWS: "The variables IS NOT and EXISTS currently aren't supported."
    ("{$.a EXISTS}", 5, "'EXISTS' is not supported", "NOT EXISTS"),
    ("{ $.a IS NOT NULL }", 6, "'IS NOT' is not supported", "!="),
    ("{ $.a is null }", 6, "upper case", "IS"),
    ("{ $.a IS nil }", 9, "NULL, TRUE or FALSE", ""),
    ("{ $.a NOT THERE }", 10, "EXISTS after NOT", ""),
    # selectors
    ("{ eventName = x }", 2, "starting with '$.'", "$.eventName"),
    ("{ $eventName = x }", 2, "starts with '$.'", ""),
    ("{ $[0] = x }", 2, "starts with '$.'", "must follow a property"),
    ("{ $.a..b = 1 }", 6, "property name after '.'", ".['key']"),
    ("{ $.a@b = 1 }", 5, "'@' is not allowed in a property name", "bracket notation"),
    ("{ $.a[x] = 1 }", 5, "array index", ""),
    ("{ $.a.[0] = 1 }", 6, "expected .['key']", "index follows the property"),
    ('{ $.["k"] = 1 }', 4, "expected .['key']", "single quotes"),
    ("{ $.['k = 1 }", 4, "unterminated quoted key", ""),
    ("{ $.[''] = 1 }", 4, "empty property name", ""),
    ("{ $.a }", 6, "expected an operator", ""),
    ("{ $.a", 5, "end of pattern after the selector", ""),
    # braces, parentheses and operators
    ("{ }", 0, "empty JSON pattern", "put a condition"),
    ("{ $.a = 1", 9, "missing closing '}'", "never closed"),
    ("{ ($.a = 1 }", 11, "missing ')' before '}'", "unbalanced"),
    ("{ ($.a = 1", 10, "missing ')'", "position 2"),
    ("{ $.a = 1) }", 9, "unmatched ')'", ""),
    ("{ () }", 2, "empty parentheses", ""),
    ("{ $.a = 1 } ERROR", 12, "after the closing '}'", ""),
    ("{ $.a = }", 6, "'=' needs a value", "= *"),
    ("{ $.a != && $.b = 1 }", 6, "'!=' needs a value", ""),
    ("{ $.a = 1 && }", 10, "'&&' must be followed by a condition", "trailing operator"),
    ("{ $.a = 1 || }", 10, "'||' must be followed by a condition", ""),
    ("{ && $.a = 1 }", 2, "property selector", ""),
    ("{ $.a == 1 }", 6, "unknown operator '=='", "use '='"),
    ("{ $.a => 1 }", 6, "unknown operator '=>'", ">="),
    ("{ $.a <> 1 }", 6, "unknown operator '<>'", "!="),
    ("{ $.a ! 1 }", 6, "'!='", ""),
    ("{ $.a = 1 & $.b = 2 }", 10, "'&' is not an operator", "&&"),
    ("{ $.a = 1 | $.b = 2 }", 10, "'|' is not an operator", "||"),
    ("{ $.a = 1 AND $.b = 2 }", 10, "'AND' is not an operator", "&&"),
    ("{ $.a = 1 $.b = 2 }", 10, "expected '&&', '||' or '}'", ""),
    # values
    ("{ $.a > abc }", 8, "'>' needs a number", ""),
    ('{ $.a > "5" }', 8, "quoted string", "remove the quotes"),
    ("{ $.a >= %5% }", 9, "regex can only be used with '=' or '!='", ""),
    ('{ $.a = "abc }', 8, "unterminated string", ""),
    ("{ $.a = %abc }", 8, "unterminated regex", ""),
    ("{ $.a = true }", 8, "unquoted 'true'", "IS TRUE"),
    ("{ $.a = null }", 8, "unquoted 'null'", "IS NULL"),
    ("{ $.a = foo@bar }", 11, "'@' must be inside a quoted string", '"foo@bar"'),
    # regex subset (AWS: "Supported regular expressions (regex) syntax")
    ("%something!%", 10, "'!' is not allowed", "\\x21"),
    ("{ $.a = %a(b)% }", 10, "parentheses are not supported", "\\x28"),
    ("%caf\u00e9%", 4, "multi-byte character", ""),
    ("%\\bword%", 1, "unsupported escape", "\\d"),
    ("%\\x4%", 1, "two hexadecimal digits", ""),
    ("%[abc%", 1, "unterminated character class", ""),
    ("%[]%", 1, "empty character class", ""),
    ("%a[%", 2, "unterminated character class", ""),
    ("%[a-%", 1, "unterminated character class", ""),
    ("%[^]%", 1, "empty character class", ""),
    ("%[a!]%", 3, "'!' is not allowed", "\\x21"),
    ("%a{x}%", 2, "malformed '{m,n}' quantifier", ""),
    ("%a]%", 2, "unmatched ']'", ""),
    ("%*a%", 1, "invalid regex", ""),
    ("%%", 1, "empty", ""),
    ("%AUTH% ERROR", 7, "standalone regex must be the whole pattern", ""),
    # terms (AWS: terms with other than alphanumerics or underscore must be quoted)
    ("ERR!OR", 3, "'!' in a term must be inside double quotes", '"ERR!OR"'),
    ("ERROR ? WARN", 6, "'?' must be followed directly by a term", "?term"),
    ("ERROR - WARN", 6, "'-' must be followed directly by a term", ""),
    ("--x", 0, "at most one '?' or '-' prefix", ""),
    ("ERROR {", 6, "can only start a pattern", ""),
    ('"abc', 0, "unterminated string", ""),
    ('"a"b', 3, "expected a space after the quoted term", ""),
    # space-delimited
    ("[a, b", 5, "missing closing ']'", "never closed"),
    ("[]", 0, "empty space-delimited pattern", ""),
    ("[ ]", 0, "empty space-delimited pattern", ""),
    ("[a, a]", 4, "'a' is used twice", "position 1"),
    ("[..., a, ...]", 9, "only one '...'", "position 1"),
    ("[a=1 && b=2]", 8, "'b' is not one of the pattern's fields", ""),
    ("[a IS NULL]", 3, "expected an operator or ',' after field 'a'", "JSON patterns"),
    ("[(a=1)]", 1, "expected a field name", "parentheses"),
    ("[a b]", 3, "expected an operator or ',' after field 'a'", "commas"),
    ("[a=1 b]", 5, "expected ',' or ']'", "commas"),
    ("[\u2026, a]", 1, "three dots", ""),
    ("[a=]", 2, "'=' needs a value", ""),
    ("[a] x", 4, "after the closing ']'", ""),
    # the character right after a closing bracket or brace
    ("[a]x", 3, "after the closing ']'", ""),
    ("{ $.a = 1 }x", 11, "after the closing '}'", ""),
]


@pytest.mark.parametrize(("text", "position", "reason", "hint"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_pattern_reports_position_reason_and_hint(text: str, position: int, reason: str, hint: str) -> None:
    # GIVEN a pattern CloudWatch Logs would reject
    # WHEN it is parsed
    error = _error(text)
    # THEN the error points at the problem and says what is wrong and how to fix it
    assert error.position == position
    assert reason in error.reason
    assert hint in error.hint
    assert error.pattern == text


def test_archived_doc_example_referencing_an_unnamed_field_is_rejected() -> None:
    # GIVEN the archived AWS example whose condition tests 'bytes' without a 'bytes' slot
    text = "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]"
    # WHEN it is parsed
    error = _error(text)
    # THEN 'bytes' is reported (decision recorded in docs/filter-patterns.md)
    assert error.fragment == "bytes"
    assert "not one of the pattern's fields" in error.reason


def test_pattern_longer_than_1024_characters_is_rejected_at_the_limit() -> None:
    # GIVEN a 1,025-character pattern (AWS API: "Maximum length of 1024")
    text = "{ $.a = " + "x" * 1015 + " }"
    assert len(text) == 1025
    # WHEN it is parsed
    error = _error(text)
    # THEN the error is at position 1024 and names the limit
    assert error.position == 1024
    assert "at most 1024" in error.reason


def test_pattern_of_exactly_1024_characters_is_accepted() -> None:
    # GIVEN a pattern exactly at the limit
    text = "{ $.a = " + "x" * 1014 + " }"
    assert len(text) == 1024
    # WHEN it is parsed
    # THEN it is accepted
    assert parse_filter_pattern(text).text == text


def test_third_regex_in_a_pattern_is_rejected() -> None:
    # GIVEN three regex values (AWS: "a limit of 2 regex for each filter pattern")
    text = "{ $.a = %x% || $.b = %y% || $.c = %z% }"
    # WHEN it is parsed
    error = _error(text)
    # THEN the third regex is reported
    assert error.position == text.index("%z%")
    assert "at most 2 regex" in error.reason


def test_second_wildcard_in_one_selector_is_rejected() -> None:
    # GIVEN a selector with two wildcards (AWS: "up to one wildcard selector in a property selector")
    error = _error("{ $.a[*].b[*] = 1 }")
    # WHEN parsed / THEN the selector is reported
    assert error.position == 2
    assert "at most 1 wildcard" in error.reason


def test_fourth_wildcard_selector_in_a_pattern_is_rejected() -> None:
    # GIVEN four wildcard selectors (AWS: "up to three wildcard selectors in a filter pattern")
    text = "{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }"
    # WHEN it is parsed
    error = _error(text)
    # THEN the fourth selector is reported
    assert error.position == text.index("$.d")
    assert "at most 3 wildcard selectors" in error.reason


def test_parentheses_nested_too_deep_are_rejected() -> None:
    # GIVEN 101 nested parentheses (our recursion guard, not an AWS limit)
    text = "{" + "(" * 101 + "$.a = 1" + ")" * 101 + "}"
    # WHEN it is parsed
    error = _error(text)
    # THEN the nesting is reported instead of a RecursionError
    assert "nest more than 100" in error.reason


def test_parentheses_nested_exactly_at_the_limit_are_accepted() -> None:
    # GIVEN 100 nested parentheses, the deepest allowed
    text = "{" + "(" * 100 + "$.a = 1" + ")" * 100 + "}"
    # WHEN it is parsed
    pattern = parse_filter_pattern(text)
    # THEN it is accepted and means its innermost condition
    assert pattern.matches({"a": 1}) is True


def test_nesting_depth_is_counted_per_group_not_across_sibling_groups() -> None:
    # GIVEN two sibling groups, each 60 deep (120 parentheses in all, never more than 60 open)
    group = "(" * 60 + "$.a = 1" + ")" * 60
    text = "{" + group + " && " + group + "}"
    # WHEN it is parsed
    pattern = parse_filter_pattern(text)
    # THEN it is accepted
    assert pattern.matches({"a": 1}) is True


def test_non_string_pattern_is_rejected_with_filter_pattern_error() -> None:
    # GIVEN something that is not a str
    # WHEN it is parsed
    with pytest.raises(FilterPatternError) as info:
        parse_filter_pattern(42)  # type: ignore[arg-type]
    # THEN the error names the type
    assert "must be a str" in info.value.reason


def test_error_message_quotes_the_pattern_and_points_with_a_caret() -> None:
    # GIVEN a pattern using EXISTS
    error = _error("{$.a EXISTS}")
    # WHEN it is shown
    lines = str(error).splitlines()
    # THEN it names position and fragment, explains, and draws a caret under the problem
    assert lines[0].startswith("invalid filter pattern at position 5 near 'EXISTS': 'EXISTS' is not supported; use")
    assert lines[1] == "  {$.a EXISTS}"
    assert lines[2] == "       ^"


def test_caret_points_into_the_right_line_of_a_multi_line_pattern() -> None:
    # GIVEN a pattern written over several lines
    text = "{\n  ($.a = 1) &&\n  ($.b EXISTS)\n}"
    # WHEN the error is shown
    lines = str(_error(text)).splitlines()
    # THEN the line with the problem is quoted and the caret sits under EXISTS
    assert lines[1] == "    ($.b EXISTS)"
    assert lines[2].index("^") == lines[1].index("EXISTS")


def test_caret_line_of_a_long_pattern_is_windowed_around_the_problem() -> None:
    # GIVEN a long one-line pattern with the problem near the end
    text = "{ " + " || ".join(f"$.f{i} = v" for i in range(60)) + " || $.z EXISTS }"
    # WHEN the error is shown
    lines = str(_error(text)).splitlines()
    # THEN the quoted line is shortened and the caret still points at EXISTS
    assert len(lines[1]) < 140
    assert lines[1][lines[2].index("^") :].startswith("EXISTS")


def test_filter_pattern_error_is_a_value_error_and_a_trailwatch_error() -> None:
    # GIVEN a rejected pattern
    error = _error("{ }")
    # WHEN its type is checked
    # THEN callers can catch it as ValueError or TrailwatchError
    assert isinstance(error, ValueError)
    assert isinstance(error, TrailwatchError)


def test_filter_pattern_error_survives_pickling() -> None:
    # GIVEN an error (the CLI may pass errors between processes)
    error = _error("{$.a EXISTS}")
    # WHEN it is pickled and unpickled
    copy = pickle.loads(pickle.dumps(error))
    # THEN every attribute and the message are kept
    assert (copy.pattern, copy.position, copy.fragment, copy.reason, copy.hint) == (
        error.pattern,
        error.position,
        error.fragment,
        error.reason,
        error.hint,
    )
    assert str(copy) == str(error)
