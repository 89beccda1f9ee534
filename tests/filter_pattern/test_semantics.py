"""Matching semantics, one behaviour per test (see the table in docs/filter-patterns.md)."""

from __future__ import annotations

import pytest

from trailwatch_constructs.filter_pattern import parse_filter_pattern


def _matches(pattern: str, event: object) -> bool:
    return parse_filter_pattern(pattern).matches(event)


# ---------------------------------------------------------------------------
# JSON: '=' and '!=' only see string and number values


@pytest.mark.parametrize(
    "event",
    [{}, {"a": None}, {"a": True}, {"a": ["x"]}, {"a": {"x": 1}}],
    ids=["missing", "null", "boolean", "array", "object"],
)
def test_equality_is_false_when_the_field_is_not_a_string_or_number(event: object) -> None:
    # GIVEN a field that is missing or not a value node
    # WHEN '=' tests it
    # THEN there is no match
    assert _matches("{ $.a = x }", event) is False


@pytest.mark.parametrize(
    "event",
    [{}, {"a": None}, {"a": True}, {"a": ["x"]}, {"a": {"x": 1}}],
    ids=["missing", "null", "boolean", "array", "object"],
)
def test_inequality_is_also_false_when_the_field_is_not_a_string_or_number(event: object) -> None:
    # GIVEN a field that is missing or not a value node (AWS: both = and != fail on an array)
    # WHEN '!=' tests it
    # THEN there is no match either
    assert _matches("{ $.a != x }", event) is False


def test_inequality_matches_a_different_string() -> None:
    # GIVEN a string field with another value
    # WHEN '!=' tests it
    # THEN it matches
    assert _matches("{ $.a != x }", {"a": "y"}) is True


def test_string_comparison_is_case_sensitive() -> None:
    # GIVEN a value differing only in case (AWS: "Filter patterns are case sensitive")
    # WHEN '=' tests it
    # THEN there is no match
    assert _matches("{ $.eventName = ConsoleLogin }", {"eventName": "consolelogin"}) is False


def test_quoted_and_unquoted_strings_mean_the_same() -> None:
    # GIVEN the same value quoted and unquoted
    event = {"a": "kms.amazonaws.com"}
    # WHEN both patterns test it
    # THEN both match
    assert _matches('{ $.a = "kms.amazonaws.com" }', event) is _matches("{ $.a = kms.amazonaws.com }", event) is True


# AWS: "Strings that consist entirely of alphanumeric characters do not need to
# be quoted" (FilterAndPatternSyntax); the UK MoJ modernisation-platform alarms
# deploy `{ ($.eventSource = "iam.amazonaws.com") && ($.readOnly = false) }`.
KEYWORD_TEXTS = ["true", "false", "null"]


@pytest.mark.parametrize("word", KEYWORD_TEXTS)
def test_unquoted_keyword_word_is_text_like_any_other_unquoted_string(word: str) -> None:
    # GIVEN the word as a string field
    event = {"a": word}
    # WHEN the unquoted and the quoted word test it
    # THEN both match: the unquoted word is text
    assert _matches(f"{{ $.a = {word} }}", event) is _matches(f'{{ $.a = "{word}" }}', event) is True


@pytest.mark.parametrize(("word", "literal"), [("true", True), ("false", False), ("null", None)])
def test_unquoted_keyword_word_never_equals_the_json_literal(word: str, literal: object) -> None:
    # GIVEN the JSON literal the word spells
    event = {"a": literal}
    # WHEN '=' and '!=' with the unquoted word test it
    # THEN neither matches: text never equals a JSON boolean or null
    assert _matches(f"{{ $.a = {word} }}", event) is False
    assert _matches(f"{{ $.a != {word} }}", event) is False


@pytest.mark.parametrize(("word", "keyword"), [("true", "IS TRUE"), ("false", "IS FALSE"), ("null", "IS NULL")])
def test_unquoted_keyword_word_is_reported_as_a_warning_with_the_keyword_to_use(word: str, keyword: str) -> None:
    # GIVEN a JSON pattern comparing a field with the unquoted word
    text = f"{{ ($.eventSource = iam.amazonaws.com) && ($.readOnly = {word}) }}"
    # WHEN it is parsed
    warnings = parse_filter_pattern(text).warnings
    # THEN one warning points at the word, says it compares text, and names the keyword to use
    assert [(w.position, w.fragment) for w in warnings] == [(text.index(word + ")"), word)]
    assert "compares text" in warnings[0].message
    assert keyword in warnings[0].hint
    assert keyword in str(warnings[0])


@pytest.mark.parametrize(
    "text",
    ['{ $.readOnly = "false" }', "{ $.readOnly IS FALSE }", "{ $.a = falsey }", "[a = false, b]", "false"],
    ids=["quoted", "keyword", "longer-word", "space-delimited", "term"],
)
def test_patterns_without_the_keyword_trap_have_no_warnings(text: str) -> None:
    # GIVEN a pattern that quotes the word, uses the keyword, or is not a JSON pattern
    # WHEN it is parsed
    # THEN there is no warning (a space-delimited field is always text)
    assert parse_filter_pattern(text).warnings == ()


def test_string_value_compares_with_a_number_by_its_json_text() -> None:
    # GIVEN a quoted number and a numeric field
    # WHEN '=' tests it
    # THEN the number's JSON text is compared
    assert _matches('{ $.a = "400" }', {"a": 400}) is True


def test_number_literal_matches_a_string_written_as_that_number() -> None:
    # GIVEN an account id logged as a string (CloudTrail's recipientAccountId)
    # WHEN an unquoted number tests it
    # THEN it matches by value
    assert _matches("{ $.recipientAccountId = 123456789012 }", {"recipientAccountId": "123456789012"}) is True


def test_number_literal_equality_is_numeric() -> None:
    # GIVEN 1.0 in the event and 1 in the pattern
    # WHEN '=' tests it
    # THEN they are equal numbers
    assert _matches("{ $.a = 1 }", {"a": 1.0}) is True


def test_decimal_literal_equals_the_same_json_float() -> None:
    # GIVEN 0.1 in both (not exactly representable in binary)
    # WHEN '=' tests it
    # THEN it matches
    assert _matches("{ $.a = 0.1 }", {"a": 0.1}) is True


def test_number_literal_inequality_matches_a_non_numeric_string() -> None:
    # GIVEN a string that is not a number
    # WHEN '!= 500' tests it
    # THEN it is a value other than 500
    assert _matches("{ $.errorCode != 500 }", {"errorCode": "AccessDenied"}) is True


@pytest.mark.parametrize("value", ["5", True, None], ids=["numeric-string", "boolean", "null"])
def test_relational_operators_only_compare_json_numbers(value: object) -> None:
    # GIVEN a field that is not a JSON number
    # WHEN '>' tests it
    # THEN there is no match
    assert _matches("{ $.a > 1 }", {"a": value}) is False


def test_relational_operator_compares_numbers() -> None:
    # GIVEN a number above the bound
    # WHEN '>' tests it
    # THEN it matches
    assert _matches("{ $.latency > 1000 }", {"latency": 1000.5}) is True


def test_huge_integer_compares_exactly() -> None:
    # GIVEN an integer beyond float precision
    # WHEN it is compared with its neighbour
    # THEN the comparison is exact
    assert _matches("{ $.a > 9007199254740992 }", {"a": 9007199254740993}) is True


# ---------------------------------------------------------------------------
# JSON: keyword tests


def test_is_null_is_false_for_a_missing_key() -> None:
    # GIVEN no key at all
    # WHEN IS NULL tests it
    # THEN it does not match (only an explicit null does)
    assert _matches("{ $.a IS NULL }", {}) is False


def test_not_exists_is_false_for_an_explicit_null() -> None:
    # GIVEN a key holding null
    # WHEN NOT EXISTS tests it
    # THEN the key exists
    assert _matches("{ $.a NOT EXISTS }", {"a": None}) is False


def test_not_exists_is_true_when_a_parent_is_not_an_object() -> None:
    # GIVEN a path through a string
    # WHEN NOT EXISTS tests the child
    # THEN the child does not exist
    assert _matches("{ $.a.b NOT EXISTS }", {"a": "text"}) is True


def test_not_exists_is_true_for_an_index_past_the_end() -> None:
    # GIVEN a short array
    # WHEN NOT EXISTS tests a later index
    # THEN that element does not exist
    assert _matches("{ $.a[5] NOT EXISTS }", {"a": [1]}) is True


@pytest.mark.parametrize("value", ["true", 1], ids=["string", "one"])
def test_is_true_only_accepts_the_json_boolean(value: object) -> None:
    # GIVEN a truthy value that is not the boolean true
    # WHEN IS TRUE tests it
    # THEN it does not match
    assert _matches("{ $.a IS TRUE }", {"a": value}) is False


# ---------------------------------------------------------------------------
# JSON: wildcards and regex


def test_lone_star_matches_any_string_or_number() -> None:
    # GIVEN a number field
    # WHEN '= *' tests it
    # THEN it matches
    assert _matches("{ $.a = * }", {"a": 0}) is True


@pytest.mark.parametrize("value", [None, False, [], {}], ids=["null", "boolean", "array", "object"])
def test_lone_star_does_not_match_other_values(value: object) -> None:
    # GIVEN a field that is not a string or number
    # WHEN '= *' tests it
    # THEN it does not match
    assert _matches("{ $.a = * }", {"a": value}) is False


def test_wildcard_applies_to_a_number_through_its_text() -> None:
    # GIVEN a numeric status code (AWS: "Use the asterisk as a wild card to match numbers")
    # WHEN a prefix wildcard tests it
    # THEN it matches
    assert _matches("{ $.status = 4* }", {"status": 404}) is True


def test_star_in_the_middle_is_literal() -> None:
    # GIVEN a value with a star in the middle (AWS: "Ev*ent will only match the actual string Ev*ent")
    # WHEN it tests a string that a wildcard would match
    # THEN it does not match
    assert _matches('{ $.a = "a*c" }', {"a": "abc"}) is False


def test_regex_searches_anywhere_in_the_value() -> None:
    # GIVEN an unanchored regex
    # WHEN it tests a longer string
    # THEN a match anywhere counts
    assert _matches("{ $.a = %Trail% }", {"a": "UpdateTrailNow"}) is True


def test_regex_dollar_anchors_at_the_very_end() -> None:
    # GIVEN a '$'-anchored regex (AWS: "Anchors the match to the end of a string")
    # WHEN the string ends with a newline
    # THEN it does not match (Python's '$' alone would)
    assert _matches("{ $.a = %end$% }", {"a": "the end\n"}) is False


def test_regex_inequality_needs_a_value_without_a_match() -> None:
    # GIVEN a value without the regex
    # WHEN '!=' with a regex tests it
    # THEN it matches
    assert _matches("{ $.a != %^10\\.% }", {"a": "192.168.0.1"}) is True


def test_array_wildcard_matches_when_any_element_matches() -> None:
    # GIVEN an array with one matching element
    # WHEN [*] selects the elements
    # THEN the comparison holds for some element
    assert _matches("{ $.items[*].id = 7 }", {"items": [{"id": 1}, {"id": 7}]}) is True


def test_array_wildcard_inequality_is_also_any_element() -> None:
    # GIVEN an array with one different element
    # WHEN '!=' uses [*]
    # THEN it holds for that element
    assert _matches("{ $.tags[*] != prod }", {"tags": ["prod", "dev"]}) is True


def test_object_wildcard_selects_member_values_not_array_elements() -> None:
    # GIVEN an array where an object is expected
    # WHEN .* selects members
    # THEN nothing is selected
    assert _matches("{ $.a.* = x }", {"a": ["x"]}) is False


def test_array_wildcard_does_not_select_object_members() -> None:
    # GIVEN an object where an array is expected
    # WHEN [*] selects elements
    # THEN nothing is selected
    assert _matches("{ $.a[*] = x }", {"a": {"k": "x"}}) is False


def test_not_exists_with_a_wildcard_is_true_when_nothing_is_selected() -> None:
    # GIVEN an empty array
    # WHEN NOT EXISTS uses [*]
    # THEN no element exists
    assert _matches("{ $.a[*] NOT EXISTS }", {"a": []}) is True


def test_is_null_with_a_wildcard_matches_a_null_element() -> None:
    # GIVEN an array holding null
    # WHEN IS NULL uses [*]
    # THEN it matches
    assert _matches("{ $.a[*] IS NULL }", {"a": [1, None]}) is True


def test_bracket_key_selects_a_key_containing_a_dot() -> None:
    # GIVEN a dotted key and a nested key of the same spelling
    event = {"cluster.name": "flat", "cluster": {"name": "nested"}}
    # WHEN .['cluster.name'] selects
    # THEN it reads the dotted key
    assert _matches("{ $.['cluster.name'] = flat }", event) is True


@pytest.mark.parametrize(
    ("pattern", "value"),
    [('{ $.errorCode = "AccessDenied*" }', "NotAccessDenied"), ('{ $.errorCode = "*Denied" }', "DeniedAccess")],
    ids=["prefix", "suffix"],
)
def test_one_sided_wildcard_is_not_a_substring_match(pattern: str, value: str) -> None:
    # GIVEN a value holding the wildcard's text, but not at the start (prefix) or the end (suffix)
    # WHEN the one-sided wildcard tests it (Security Hub's "AccessDenied*", "*UnauthorizedOperation")
    # THEN it does not match
    assert _matches(pattern, {"errorCode": value}) is False


def test_wildcard_with_stars_on_both_ends_matches_a_substring() -> None:
    # GIVEN a value with the text in the middle
    # WHEN '*text*' tests it
    # THEN it matches
    assert _matches('{ $.a = "*Trail*" }', {"a": "UpdateTrailNow"}) is True


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.codes[*] = "404" }', True),
        ('{ $.codes[*] = "4*" }', True),
        ("{ $.codes[*] = %^40% }", True),
        ('{ $.codes[*] != "404" }', False),
    ],
    ids=["string", "wildcard", "regex", "not-equal"],
)
def test_string_value_compares_with_a_number_by_its_json_text_under_a_wildcard_selector(
    pattern: str, expected: bool
) -> None:
    # GIVEN an array holding only the number 404
    event = {"codes": [404]}
    # WHEN a string-valued test reaches it through [*]
    # THEN the number's JSON text "404" is what is compared
    assert _matches(pattern, event) is expected


def test_string_value_compares_with_a_float_by_its_json_text() -> None:
    # GIVEN a float field
    # WHEN a quoted string equal to its JSON text tests it
    # THEN it matches
    assert _matches('{ $.a = "1.5" }', {"a": 1.5}) is True


def test_wildcard_applies_to_an_integer_beyond_pythons_str_limit() -> None:
    # GIVEN an integer with more digits than Python converts to str by default (4,300)
    event = {"a": 10**5000}
    # WHEN a prefix wildcard tests its text, and '!=' the same wildcard
    # THEN its digits are what is compared
    assert _matches("{ $.a = 1* }", event) is True
    assert _matches("{ $.a != 1* }", event) is False


# ---------------------------------------------------------------------------
# JSON: event types and compound conditions


@pytest.mark.parametrize("event", ['{"a": "x"}', ["x"], None, 1], ids=["str", "list", "null", "number"])
def test_json_pattern_only_matches_objects(event: object) -> None:
    # GIVEN an event that is not a JSON object
    # WHEN a JSON pattern tests it
    # THEN there is no match
    assert _matches("{ $.a = x }", event) is False


def test_or_of_equalities_on_one_field_matches_any_listed_value() -> None:
    # GIVEN the CIS shape: many eventName equalities joined by ||
    pattern = "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail)}"
    # WHEN an event has one of them
    # THEN it matches
    assert _matches(pattern, {"eventName": "UpdateTrail"}) is True


def test_or_of_equalities_ignores_unhashable_values() -> None:
    # GIVEN the CIS shape and a field holding an object
    pattern = "{($.eventName=A) || ($.eventName=B)}"
    # WHEN it is matched
    # THEN there is no match and no error
    assert _matches(pattern, {"eventName": {"A": 1}}) is False


# ---------------------------------------------------------------------------
# TERM patterns


def test_term_matches_inside_a_word() -> None:
    # GIVEN a term that appears inside a longer word (AWS: ERROR matches "ERRORCODE")
    # WHEN it is matched
    # THEN it matches
    assert _matches("ERROR", "Exiting with ERRORCODE: -1") is True


def test_term_is_case_sensitive() -> None:
    # GIVEN a lower-case message
    # WHEN an upper-case term is matched
    # THEN it does not match
    assert _matches("ERROR", "error: disk full") is False


def test_term_pattern_matches_a_dict_through_its_compact_json() -> None:
    # GIVEN a decoded CloudTrail record
    event = {"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"}
    # WHEN a phrase written as compact JSON is matched
    # THEN it matches, because dicts are serialised with separators (",", ":")
    assert _matches('"\\"eventName\\":\\"ConsoleLogin\\""', event) is True


def test_optional_terms_alone_need_any_one() -> None:
    # GIVEN only '?' terms
    # WHEN a line has one of them
    # THEN it matches
    assert _matches("?ERROR ?WARN", "WARN low disk") is True


def test_optional_terms_are_ignored_next_to_a_required_term() -> None:
    # GIVEN '?' terms with a required term (AWS: "all question mark terms will be ignored")
    # WHEN a line has the required term but none of the optional ones
    # THEN it still matches
    assert _matches("?ERROR ?WARN REQUEST", "INFO REQUEST ok") is True


def test_excluded_term_alone_matches_lines_without_it() -> None:
    # GIVEN only an excluded term
    # WHEN a line lacks it
    # THEN it matches
    assert _matches("-DEBUG", "INFO started") is True


def test_blank_phrase_matches_every_line() -> None:
    # GIVEN the pattern '" "' (AWS: "Match everything")
    # WHEN a line without spaces is matched
    # THEN it matches
    assert _matches('" "', "x") is True


def test_optional_terms_alone_do_not_match_a_line_with_none_of_them() -> None:
    # GIVEN only '?' terms (archived page: "?ERROR ?WARN matches examples 1, 2, and 3, as all of
    # them include either the word ERROR or the word WARN")
    # WHEN a line has neither
    # THEN it does not match
    assert _matches("?ERROR ?WARN", "INFO all good") is False


def test_optional_terms_are_ignored_next_to_an_excluded_term() -> None:
    # GIVEN '?' terms with an excluded term (Syntax page: "If you combine '?' with other filter
    # patterns, all question mark terms will be ignored")
    # WHEN a line has none of the '?' terms and not the excluded one
    # THEN it matches
    assert _matches("?ERROR ?WARN -DEBUG", "INFO started") is True


def test_optional_terms_do_not_stand_in_for_a_required_term() -> None:
    # GIVEN '?' terms with a required term
    # WHEN a line has a '?' term but not the required one
    # THEN it does not match: only the required term counts
    assert _matches("?ERROR ?WARN REQUEST", "ERROR disk full") is False


def test_every_required_term_must_occur() -> None:
    # GIVEN two required terms (archived page: "ERROR WARN only matches example 1")
    # WHEN a line has only the first
    # THEN it does not match
    assert _matches("ERROR WARN", "ERROR message") is False


def test_excluded_term_rejects_a_line_with_the_required_term() -> None:
    # GIVEN a required and an excluded term (archived page: "ERROR -WARN matches example 2")
    # WHEN a line has both
    # THEN it does not match
    assert _matches("ERROR -WARN", "ERROR WARN message") is False


def test_term_pattern_sees_the_non_ascii_characters_of_a_dict() -> None:
    # GIVEN a decoded record with a non-ASCII value
    # WHEN a phrase with that value is matched
    # THEN it matches, because dicts are serialised with ensure_ascii=False, as CloudTrail writes them
    assert _matches('"José"', {"userName": "José"}) is True


def test_term_pattern_sees_a_dict_with_no_blank_after_its_commas() -> None:
    # GIVEN a decoded record with two members
    # WHEN a phrase spanning both, as compact JSON, is matched
    # THEN it matches: members are joined by ',' alone
    assert _matches('"\\"a\\":1,\\"b\\":2"', {"a": 1, "b": 2}) is True


@pytest.mark.parametrize(
    "pattern", ["", "x", "?x", "-x", "%x%", "[a]"], ids=["empty", "term", "optional", "excluded", "regex", "delimited"]
)
@pytest.mark.parametrize("kind", ["set", "circular"])
def test_event_that_is_not_json_never_matches_a_line_pattern(pattern: str, kind: str) -> None:
    # GIVEN a value json.dumps cannot serialise (a set; an object containing itself)
    event: dict[str, object] = {"x": {1, 2}}
    if kind == "circular":
        event = {"x": 1}
        event["self"] = event
    # WHEN a term, regex or space-delimited pattern is matched against it
    # THEN it does not match, and nothing is raised
    assert _matches(pattern, event) is False


# ---------------------------------------------------------------------------
# SPACE_DELIMITED patterns


def test_line_with_fewer_fields_than_the_pattern_does_not_match() -> None:
    # GIVEN three named fields and a two-field line
    # WHEN it is matched
    # THEN there is no match
    assert _matches("[a, b, c]", "one two") is False


def test_last_field_takes_the_rest_of_the_line_without_an_ellipsis() -> None:
    # GIVEN two fields and a longer line (AWS's [w1=ERROR, w2] example)
    # WHEN the second field is tested against the rest of the line
    # THEN it holds the remainder
    assert _matches('[w1, w2="two three four"]', "one two three four") is True


def test_ellipsis_aligns_the_following_fields_to_the_end_of_the_line() -> None:
    # GIVEN a leading ellipsis
    # WHEN the last field is tested
    # THEN it is the line's last field
    assert _matches("[..., last=four]", "one two three four") is True


def test_brackets_and_quotes_group_a_field_and_are_removed() -> None:
    # GIVEN a bracketed timestamp and a quoted request
    line = '1.2.3.4 - frank [10/Oct/2000:13:25:15 -0700] "GET /x HTTP/1.0" 200 1534'
    # WHEN the grouped fields are tested
    # THEN they are single fields without their delimiters
    assert _matches('[ip, u, user, ts="10/Oct/2000:13:25:15 -0700", req="GET /x HTTP/1.0", code, size]', line) is True


def test_numeric_operator_parses_a_delimited_field_as_a_number() -> None:
    # GIVEN a numeric field in a line
    # WHEN '>' tests it
    # THEN the text is compared as a number
    assert _matches("[ip, bytes > 1000]", "1.2.3.4 1534") is True


def test_numeric_operator_is_false_for_a_non_numeric_field() -> None:
    # GIVEN a dash where a number is expected
    # WHEN '>' tests it
    # THEN there is no match
    assert _matches("[ip, bytes > 1000]", "1.2.3.4 -") is False


def test_condition_may_test_a_field_declared_later() -> None:
    # GIVEN a condition on the first slot that tests the second field
    # WHEN a line is matched
    # THEN both tests apply
    assert _matches("[w1=ERROR && w2=disk, w2]", "ERROR disk") is True
    assert _matches("[w1=ERROR && w2=disk, w2]", "ERROR net") is False


def test_every_field_condition_must_hold_not_only_the_first() -> None:
    # GIVEN conditions on two slots (AWS: "only log events that match all conditions")
    # WHEN the first holds and the second does not
    # THEN there is no match
    assert _matches("[w1=ERROR, w2=disk]", "ERROR net") is False


def test_every_field_condition_must_hold_not_only_the_first_two() -> None:
    # GIVEN conditions on three slots
    # WHEN the first two hold and the last does not
    # THEN there is no match
    assert _matches("[w1=ERROR, w2=disk, w3=full]", "ERROR disk empty") is False


def test_two_quoted_fields_on_one_line_are_two_fields() -> None:
    # GIVEN two quoted phrases side by side
    # WHEN each is tested as its own field
    # THEN each holds its phrase without the quotes
    assert _matches('[a="x y", b="z w", c]', '"x y" "z w" end') is True


def test_empty_quoted_and_bracketed_fields_are_empty_fields() -> None:
    # GIVEN a line starting with "" and [] (empty groups)
    # WHEN the third field is tested
    # THEN the two empty groups counted as one field each
    assert _matches('[a="", b="", c=x]', '"" [] x') is True


def test_quoted_last_field_at_the_pattern_length_loses_its_quotes() -> None:
    # GIVEN a line with exactly as many fields as the pattern, the last one quoted
    # WHEN the last field is tested
    # THEN it is the phrase without its quotes
    assert _matches('[ip, req="GET /x"]', '1.2.3.4 "GET /x"') is True


def test_dict_without_blanks_is_one_space_delimited_field() -> None:
    # GIVEN a decoded record whose compact JSON has no blank
    # WHEN a two-field pattern is matched
    # THEN there is no match: the record is one field
    assert _matches("[a, b]", {"x": 1, "y": 2}) is False
