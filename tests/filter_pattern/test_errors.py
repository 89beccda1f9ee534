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
    # the keyword, bracket and term branches not reached above
    ("{ $.a IS null }", 9, "upper case", "IS NULL"),
    ("{ $.a NOT exists }", 10, "EXISTS after NOT", "write 'NOT EXISTS'"),
    ("{ $.['a'x = 1 }", 8, "expected ']' after the quoted key", "single quote"),
    ("{ $.a.[*] = 1 }", 6, "expected .['key']", "index follows the property"),
    ('{ $.a["k"] = 1 }', 5, "array index", "write quoted keys as .['key']"),
    ("{ $.a[] = 1 }", 5, "expected an array index [n] or [*]", "non-negative integer"),
    ("!x", 0, "'!' in a term must be inside double quotes", '"!x"'),
    ("?-x", 0, "at most one '?' or '-' prefix", ""),
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


# (pattern, position, fragment): the text each rejection names, shown after "near" in the message
FRAGMENTS = [
    ("{ $.a = 1) }", 9, ")"),
    ("{ ($.a = 1 }", 11, "}"),
    ("{ $.a = 1 AND $.b = 2 }", 10, "AND"),
    ("{ $.a = 1 or $.b = 2 }", 10, "or"),
    ("{ $.a = 1 $.b = 2 }", 10, "$.b"),
    ("{ ($.a = 1 $.b = 2) }", 11, "$.b"),
    ("{ $.a = 1 || }", 10, "||"),
    ("{ $.a IS NOT NULL }", 6, "IS NOT"),
    ("{ $.a IS null }", 9, "null"),
    ("{ $.a IS nil }", 9, "nil"),
    ("{ $.a NOT THERE }", 10, "THERE"),
    ("{$.a EXISTS}", 5, "EXISTS"),
    ("{ $.a is null }", 6, "is"),
    ("{ $.a foo }", 6, "foo"),
    ("{ eventName = x }", 2, "eventName"),
    ("{ $[0] = x }", 2, "$[0]"),
    ("{ $.a@b = 1 }", 5, "@"),
    ("{ $.a[x] = 1 }", 5, "[x]"),
    ("{ $.a == 1 }", 6, "=="),
    ('{ $.a > "5" }', 8, '"5"'),
    ("{ $.a = foo@bar }", 11, "@"),
    ("[a, b", 5, ""),
    ("[a b]", 3, "b]"),
    ("[a IS NULL]", 3, "IS"),
    ("[a=1 b]", 5, "b]"),
    ("[\u2026, a]", 1, "\u2026"),
    ("[..., a, ...]", 9, "..."),
    ("[a, a]", 4, "a"),
    ("[(a=1)]", 1, "(a=1)]"),
    ("[a=1 && b=2]", 8, "b"),
    ("%AUTH% ERROR", 7, "ERROR"),
    ('"a"b', 3, "b"),
    ("--x", 0, "--x"),
    ("-?x", 0, "-?x"),
    ("ERROR ? WARN", 6, "?"),
    ("ERR!OR", 3, "!"),
    ("ERROR {", 6, "{"),
    # no fragment of its own: the ten characters at the position
    ("{ $.a.[0] = 1 && $.b = 2 }", 6, "[0] = 1 &&"),
]


@pytest.mark.parametrize(("text", "position", "fragment"), FRAGMENTS, ids=[f[0] for f in FRAGMENTS])
def test_rejected_pattern_names_the_offending_text(text: str, position: int, fragment: str) -> None:
    # GIVEN a pattern CloudWatch Logs would reject
    # WHEN it is parsed
    error = _error(text)
    # THEN the error names the offending text at its position
    assert (error.position, error.fragment) == (position, fragment)


def test_fragment_of_a_long_token_is_cut_to_thirty_characters() -> None:
    # GIVEN a misplaced token 40 characters long
    token = "$." + "b" * 38
    # WHEN the pattern is parsed
    error = _error("{ $.a = 1 " + token + " = 2 }")
    # THEN the fragment is its first 30 characters
    assert error.fragment == token[:30]


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


# What comes before the nested groups: nothing, or a closed group (the depth
# counter must come back down when a group closes).
_BEFORE_NESTING = pytest.mark.parametrize("before", ["", "($.b = 1) && "], ids=["alone", "after-closed-group"])


@_BEFORE_NESTING
def test_parentheses_nested_too_deep_are_rejected(before: str) -> None:
    # GIVEN 101 nested parentheses (our recursion guard, not an AWS limit)
    text = "{" + before + "(" * 101 + "$.a = 1" + ")" * 101 + "}"
    # WHEN it is parsed
    error = _error(text)
    # THEN the nesting is reported instead of a RecursionError
    assert "nest more than 100" in error.reason


@_BEFORE_NESTING
def test_parentheses_nested_exactly_at_the_limit_are_accepted(before: str) -> None:
    # GIVEN 100 nested parentheses, the deepest allowed
    text = "{" + before + "(" * 100 + "$.a = 1" + ")" * 100 + "}"
    # WHEN it is parsed
    pattern = parse_filter_pattern(text)
    # THEN it is accepted and means its conditions
    assert pattern.matches({"a": 1, "b": 1}) is True


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


def _long_line(before: int, after: int) -> str:
    """A one-line pattern with EXISTS after ``before`` OR terms and before ``after`` more."""
    terms = [f"$.f{i} = v" for i in range(before)] + ["$.z EXISTS"] + [f"$.g{i} = v" for i in range(after)]
    return "{ " + " || ".join(terms) + " }"


def test_caret_line_of_a_long_pattern_with_the_problem_near_the_start_is_cut_at_the_end_only() -> None:
    # GIVEN a long one-line pattern with the problem near its start
    lines = str(_error(_long_line(0, 30))).splitlines()
    # WHEN the error is shown
    # THEN the line starts as written, is cut 60 characters after the problem, and the caret points at it
    assert lines[1] == "  " + _long_line(0, 30)[: 6 + 60] + "..."
    assert lines[2] == "  " + " " * 6 + "^"


def test_caret_line_of_a_long_pattern_with_the_problem_in_the_middle_is_cut_at_both_ends() -> None:
    # GIVEN a long one-line pattern with the problem in the middle
    text = _long_line(15, 15)
    position = text.index("EXISTS")
    lines = str(_error(text)).splitlines()
    # WHEN the error is shown
    # THEN 60 characters are shown either side of the problem, between '...' marks
    assert lines[1] == "  ..." + text[position - 60 : position + 60] + "..."
    assert lines[2] == "  " + " " * (3 + 60) + "^"


def test_caret_line_of_exactly_120_characters_is_shown_whole() -> None:
    # GIVEN a pattern line of 120 characters, the widest shown uncut
    text = "{ $.z EXISTS || $.a = " + "v" * 96 + " }"
    assert len(text) == 120
    # WHEN the error is shown
    # THEN the whole line is quoted
    assert str(_error(text)).splitlines()[1] == "  " + text


def test_tab_in_the_caret_line_is_shown_as_one_space() -> None:
    # GIVEN a pattern with a tab before the problem
    lines = str(_error("{\t$.a EXISTS }")).splitlines()
    # WHEN the error is shown
    # THEN the tab is one space, so the caret stays under the problem
    assert lines[1] == "  { $.a EXISTS }"
    assert lines[2].index("^") == lines[1].index("EXISTS")


def test_caret_line_after_a_leading_newline_is_the_second_line() -> None:
    # GIVEN a pattern whose first character is a newline
    lines = str(_error("\n{$.a EXISTS}")).splitlines()
    # WHEN the error is shown
    # THEN only the line holding the problem is quoted
    assert lines[1] == "  {$.a EXISTS}"
    assert lines[2].index("^") == lines[1].index("EXISTS")


def test_caret_line_stops_at_the_end_of_its_own_line() -> None:
    # GIVEN a problem on a line followed by two more lines
    lines = str(_error("{\n$.a EXISTS\n}\n")).splitlines()
    # WHEN the error is shown
    # THEN only that line is quoted
    assert lines[1] == "  $.a EXISTS"


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
