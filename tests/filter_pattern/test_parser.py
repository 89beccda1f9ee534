"""Parser: each construct of the grammar becomes the expected syntax tree."""

from __future__ import annotations

import pytest

from trailwatch_constructs.filter_pattern import PatternKind, parse_filter_pattern
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    AnyIndex,
    AnyKey,
    Comparison,
    ComparisonOp,
    DelimitedField,
    FieldComparison,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    RegexPattern,
    RegexValue,
    Selector,
    SkipFields,
    SpaceDelimitedPattern,
    StateCheck,
    StateTest,
    StringValue,
    Term,
    TermMode,
    TermPattern,
    WildcardValue,
)


def _condition(text: str) -> object:
    root = parse_filter_pattern(text).root
    assert isinstance(root, JsonPattern)
    return root.condition


def _eq(selector: Selector, value: object) -> Comparison:
    assert isinstance(value, StringValue | NumberValue | WildcardValue | RegexValue)
    return Comparison(selector, ComparisonOp.EQ, value)


A = Selector((Key("a"),))
B = Selector((Key("b"),))
C = Selector((Key("c"),))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("{ $.a = 1 }", PatternKind.JSON),
        ("  {$.a=1}", PatternKind.JSON),
        ("[a, b]", PatternKind.SPACE_DELIMITED),
        ("  [a, b]", PatternKind.SPACE_DELIMITED),
        ("ERROR", PatternKind.TERM),
        ('"two words"', PatternKind.TERM),
        ("%ERR[0-9]%", PatternKind.TERM),
        ("", PatternKind.TERM),
    ],
)
def test_first_character_decides_the_pattern_kind(text: str, kind: PatternKind) -> None:
    # GIVEN a pattern text
    # WHEN it is parsed
    pattern = parse_filter_pattern(text)
    # THEN its kind follows the first non-blank character
    assert pattern.kind is kind


@pytest.mark.parametrize(
    ("selector_text", "segments"),
    [
        ("$.eventName", (Key("eventName"),)),
        ("$.userIdentity.type", (Key("userIdentity"), Key("type"))),
        ("$.users[0]", (Key("users"), Index(0))),
        ("$.users[0].id", (Key("users"), Index(0), Key("id"))),
        ("$.coordinates[0][1]", (Key("coordinates"), Index(0), Index(1))),
        ("$.arrayKey[*]", (Key("arrayKey"), AnyIndex())),
        ("$.objectList[*].name", (Key("objectList"), AnyIndex(), Key("name"))),
        ("$.*", (AnyKey(),)),
        ("$.a.*.b", (Key("a"), AnyKey(), Key("b"))),
        ("$.['cluster.name']", (Key("cluster.name"),)),
        ("$.a.['b c']", (Key("a"), Key("b c"))),
        ("$.x-y_z9", (Key("x-y_z9"),)),
    ],
)
def test_selector_forms_parse_to_segments(selector_text: str, segments: tuple[object, ...]) -> None:
    # GIVEN a JSON pattern using one selector form
    # WHEN it is parsed
    condition = _condition("{ " + selector_text + " = 1 }")
    # THEN the selector has the expected segments
    assert isinstance(condition, Comparison)
    assert condition.selector.segments == segments


@pytest.mark.parametrize("op", list(ComparisonOp))
def test_every_comparison_operator_parses(op: ComparisonOp) -> None:
    # GIVEN a numeric comparison with one operator
    # WHEN it is parsed
    condition = _condition("{ $.a " + op.value + " 5 }")
    # THEN the operator is kept
    assert condition == Comparison(A, op, NumberValue("5"))


@pytest.mark.parametrize(
    ("value_text", "value"),
    [
        ('"UpdateTrail"', StringValue("UpdateTrail")),
        ("UpdateTrail", StringValue("UpdateTrail")),
        ("kms.amazonaws.com", StringValue("kms.amazonaws.com")),
        ('"Failed authentication"', StringValue("Failed authentication")),
        ('"say \\"hi\\" \\\\ bye"', StringValue('say "hi" \\ bye')),
        ('""', StringValue("")),
        ('"400"', StringValue("400")),
        ("Ev*ent", StringValue("Ev*ent")),
        ("123.123.*", WildcardValue("123.123.", leading=False, trailing=True)),
        ('"*UnauthorizedOperation"', WildcardValue("UnauthorizedOperation", leading=True, trailing=False)),
        ("*html*", WildcardValue("html", leading=True, trailing=True)),
        ("*", WildcardValue("", leading=True, trailing=False)),
        ("%Trail%", RegexValue("Trail")),
        ("400", NumberValue("400")),
        ("-5", NumberValue("-5")),
        ("+1000", NumberValue("+1000")),
        ("55.5", NumberValue("55.5")),
        ("10e-3", NumberValue("10e-3")),
        ("1E+3", NumberValue("1E+3")),
    ],
)
def test_value_forms_parse_to_values(value_text: str, value: object) -> None:
    # GIVEN an equality with one value form
    # WHEN it is parsed
    condition = _condition("{ $.a = " + value_text + " }")
    # THEN the value is classified as expected
    assert condition == _eq(A, value)


@pytest.mark.parametrize("check", list(StateCheck))
def test_keyword_tests_parse(check: StateCheck) -> None:
    # GIVEN a keyword test (IS NULL, IS TRUE, IS FALSE, NOT EXISTS)
    # WHEN it is parsed
    condition = _condition("{ $.a " + check.value + " }")
    # THEN it becomes a state test
    assert condition == StateTest(A, check)


def test_and_binds_tighter_than_or() -> None:
    # GIVEN a || b && c (AWS: "() > && > ||")
    # WHEN it is parsed
    condition = _condition("{ $.a = 1 || $.b = 1 && $.c = 1 }")
    # THEN it groups as a || (b && c)
    one = NumberValue("1")
    assert condition == Or((_eq(A, one), And((_eq(B, one), _eq(C, one)))))


def test_parentheses_override_precedence() -> None:
    # GIVEN (a || b) && c
    # WHEN it is parsed
    condition = _condition("{ ($.a = 1 || $.b = 1) && $.c = 1 }")
    # THEN the OR is an operand of the AND
    one = NumberValue("1")
    assert condition == And((Or((_eq(A, one), _eq(B, one))), _eq(C, one)))


def test_nested_operators_of_one_kind_are_flattened() -> None:
    # GIVEN a && (b && c)
    # WHEN it is parsed
    condition = _condition("{ $.a = 1 && ($.b = 1 && ($.c = 1)) }")
    # THEN it is one AND of three operands
    one = NumberValue("1")
    assert condition == And((_eq(A, one), _eq(B, one), _eq(C, one)))


@pytest.mark.parametrize(
    "text",
    [
        "{$.a=1&&$.b!=x}",
        "{ $.a = 1 && $.b != x }",
        "{\n\t$.a =\t1\n&&\n$.b\n!=\nx\n}",
        "  { ( $.a = 1 ) && ( $.b != x ) }  ",
    ],
)
def test_whitespace_is_optional_and_may_be_any_blank(text: str) -> None:
    # GIVEN the same pattern spaced in different ways
    # WHEN it is parsed
    condition = _condition(text)
    # THEN the tree is the same
    assert condition == And((_eq(A, NumberValue("1")), Comparison(B, ComparisonOp.NE, StringValue("x"))))


def test_space_delimited_pattern_parses_names_conditions_and_ellipsis() -> None:
    # GIVEN a space-delimited pattern with an ellipsis, names, conditions and an empty slot
    text = "[..., request=*.html*, status_code = 404 || status_code = 410,]"
    # WHEN it is parsed
    root = parse_filter_pattern(text).root
    # THEN each slot is kept in order
    status = Or(
        (
            FieldComparison("status_code", ComparisonOp.EQ, NumberValue("404")),
            FieldComparison("status_code", ComparisonOp.EQ, NumberValue("410")),
        )
    )
    assert root == SpaceDelimitedPattern(
        (
            SkipFields(),
            DelimitedField("request", FieldComparison("request", ComparisonOp.EQ, WildcardValue(".html", True, True))),
            DelimitedField("status_code", status),
            DelimitedField(None, None),
        )
    )


def test_space_delimited_condition_may_test_another_named_field() -> None:
    # GIVEN a slot whose compound condition also tests a later field
    # WHEN it is parsed
    root = parse_filter_pattern("[w1=ERROR && w2!=x, w2]").root
    # THEN the slot takes the name of its first comparison
    assert isinstance(root, SpaceDelimitedPattern)
    first = root.fields[0]
    assert isinstance(first, DelimitedField)
    assert first.name == "w1"


def test_term_pattern_parses_words_phrases_and_prefixes() -> None:
    # GIVEN words, a phrase, an optional and an excluded term
    # WHEN the pattern is parsed
    root = parse_filter_pattern('ERROR "two words" ?maybe -never -"not this"').root
    # THEN each term keeps its text and mode
    assert root == TermPattern(
        (
            Term("ERROR", TermMode.REQUIRED),
            Term("two words", TermMode.REQUIRED),
            Term("maybe", TermMode.OPTIONAL),
            Term("never", TermMode.EXCLUDED),
            Term("not this", TermMode.EXCLUDED),
        )
    )


def test_empty_pattern_is_a_term_pattern_without_terms() -> None:
    # GIVEN the empty pattern (AWS allows a filterPattern of length 0)
    # WHEN it is parsed
    root = parse_filter_pattern("").root
    # THEN it has no terms
    assert root == TermPattern(())


def test_standalone_regex_parses_to_its_source() -> None:
    # GIVEN a standalone regex pattern
    # WHEN it is parsed
    root = parse_filter_pattern("  %^[hc]at%  ").root
    # THEN the source between the percent signs is kept
    assert root == RegexPattern("^[hc]at")


def test_pattern_text_is_kept_unchanged() -> None:
    # GIVEN a pattern with irregular spacing
    text = "{  $.a=1 }"
    # WHEN it is parsed
    # THEN .text is exactly the input
    assert parse_filter_pattern(text).text == text
