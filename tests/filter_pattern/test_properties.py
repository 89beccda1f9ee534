"""Property tests: the parser, renderer and matcher hold up on generated input."""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from trailwatch_constructs.filter_pattern import FilterPattern, FilterPatternError, parse_filter_pattern
from trailwatch_constructs.filter_pattern.parser import NUMBER, join
from trailwatch_constructs.filter_pattern.regex import compiled
from trailwatch_constructs.filter_pattern.render import render_pattern
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    AnyIndex,
    AnyKey,
    Comparison,
    ComparisonOp,
    Condition,
    DelimitedField,
    FieldComparison,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    PatternRoot,
    RegexPattern,
    RegexValue,
    Segment,
    Selector,
    SkipFields,
    SpaceDelimitedPattern,
    StateCheck,
    StateTest,
    StringValue,
    Term,
    TermMode,
    TermPattern,
    Value,
    WildcardValue,
)

SETTINGS = settings(max_examples=200, deadline=None)

# ---------------------------------------------------------------------------
# Strategies

KEYS = ["a", "b", "eventName", "x-y", "a.b", "two words", "é", 'q"\\\n']
TEXTS = ["", "x", "CreateTrail", "kms.amazonaws.com", "Failed authentication", 'say "hi"', "back\\slash", "a*b", "1"]
REGEXES = ["Trail", "^a", "b$", "[0-9]+", "a{1,3}", "x|y", "\\d", "val.{2}", "[^c]"]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(TEXTS),
    st.text(max_size=8),
)
any_json = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=4)), children, max_size=4),
    ),
    max_leaves=12,
)
"""Any JSON value, biased towards the keys and strings the patterns use."""
json_objects = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), json_scalars, max_size=5),
    lambda children: st.dictionaries(
        st.sampled_from(KEYS),
        st.one_of(json_scalars, children, st.lists(st.one_of(json_scalars, children), max_size=3)),
        max_size=5,
    ),
    max_leaves=15,
)
"""JSON objects whose keys are the ones generated selectors use, so patterns often match."""
events = st.lists(st.one_of(json_objects, any_json), max_size=5)


def _no_star_ends(text: str) -> bool:
    return not (text.startswith("*") or text.endswith("*"))


plain_strings = st.one_of(st.sampled_from(TEXTS), st.text(max_size=10)).filter(_no_star_ends)
number_texts = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["+1000", "10e3", "10e-3", "1e+3", "55.5", "-0.5"]),
)
values: st.SearchStrategy[Value] = st.one_of(
    plain_strings.map(StringValue),
    number_texts.map(NumberValue),
    st.builds(
        WildcardValue,
        st.one_of(st.sampled_from(TEXTS), st.text(max_size=6)),
        st.booleans(),
        st.booleans(),
    ).filter(lambda w: w.leading or w.trailing),
    st.sampled_from(REGEXES).map(RegexValue),
)
segments: st.SearchStrategy[Segment] = st.one_of(
    st.sampled_from(KEYS).map(Key),
    st.integers(min_value=0, max_value=2).map(Index),
    st.just(AnyKey()),
    st.just(AnyIndex()),
)
selectors = st.builds(
    lambda first, rest: Selector((first, *rest)),
    st.one_of(st.sampled_from(KEYS).map(Key), st.just(AnyKey())),
    st.lists(segments, max_size=2),
).filter(lambda s: s.wildcard_count <= 1)


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    value = draw(values)
    ops = list(ComparisonOp) if isinstance(value, NumberValue) else [ComparisonOp.EQ, ComparisonOp.NE]
    return Comparison(draw(selectors), draw(st.sampled_from(ops)), value)


json_leaves: st.SearchStrategy[Condition] = st.one_of(
    comparisons(),
    st.builds(StateTest, selectors, st.sampled_from(list(StateCheck))),
)
json_conditions: st.SearchStrategy[Condition] = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda xs: join(And, xs)),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: join(Or, xs)),
    ),
    max_leaves=6,
)


def _within_limits(root: PatternRoot) -> bool:
    text = render_pattern(root)
    return len(text) <= 1024 and text.count("%") <= 4 and text.count("*]") + text.count(".*") <= 3


json_patterns = json_conditions.map(JsonPattern).filter(_within_limits)

FIELD_NAMES = ["ip", "user", "status_code", "bytes", "w1"]


@st.composite
def delimited_patterns(draw: st.DrawFn) -> SpaceDelimitedPattern:
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), unique=True, max_size=4))
    slots: list[DelimitedField | SkipFields] = []
    for name in names:
        condition: Condition | None = None
        if draw(st.booleans()):
            # An OR of ANDs whose first comparison names the slot: the only
            # shape space-delimited syntax (no parentheses) can express.
            def comparison(field: str) -> FieldComparison:
                value = draw(values.filter(lambda v: not isinstance(v, RegexValue)))
                ops = list(ComparisonOp) if isinstance(value, NumberValue) else [ComparisonOp.EQ, ComparisonOp.NE]
                return FieldComparison(field, draw(st.sampled_from(ops)), value)

            conjunctions: list[Condition] = []
            for index in range(draw(st.integers(min_value=1, max_value=2))):
                size = draw(st.integers(min_value=1, max_value=2))
                fields = [name if index == 0 and i == 0 else draw(st.sampled_from(names)) for i in range(size)]
                conjunctions.append(join(And, [comparison(f) for f in fields]))
            condition = join(Or, conjunctions)
        slots.append(DelimitedField(name, condition))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        slots.insert(draw(st.integers(min_value=0, max_value=len(slots))), DelimitedField(None, None))
    if draw(st.booleans()):
        slots.insert(draw(st.integers(min_value=0, max_value=len(slots))), SkipFields())
    assume(slots and slots != [DelimitedField(None, None)])
    return SpaceDelimitedPattern(tuple(slots))


term_patterns = st.lists(
    st.builds(
        Term,
        st.one_of(st.sampled_from(["ERROR", "WARN", "x y", "", " ", 'q"uote']), st.text(max_size=6)),
        st.sampled_from(list(TermMode)),
    ),
    max_size=4,
).map(lambda terms: TermPattern(tuple(terms)))

pattern_roots: st.SearchStrategy[PatternRoot] = st.one_of(
    json_patterns,
    delimited_patterns(),
    term_patterns,
    st.sampled_from(REGEXES).map(RegexPattern),
)

log_lines = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["ERROR", "WARN", "404", "1534", "x y", '"a b"', "[1 2]", "-", "*"]), max_size=8).map(
        " ".join
    ),
)

GRAMMAR_TOKENS = [
    "{", "}", "(", ")", "[", "]", " ", "$", "$.", "$.a", "$.b[0]", "$.*", "[*]", ".['x.y']", ".a", "=", "!=", "<",
    "<=", ">", ">=", "&&", "||", "&", "|", '"', '"x"', "%", "%a%", "%(%", "*", "1", "1e3", "-", "?", "IS", "NULL",
    "TRUE", "FALSE", "NOT", "EXISTS", ",", "...", "ERROR", "w1", "\\", "'", "\n", "é",
]  # fmt: skip
grammar_text = st.lists(st.sampled_from(GRAMMAR_TOKENS), max_size=25).map("".join)

DOC_PATTERNS = [
    case["pattern"]
    for case in json.loads((Path(__file__).parent / "aws_doc_examples.json").read_text(encoding="utf-8"))["cases"]
]


# ---------------------------------------------------------------------------
# Properties


@SETTINGS
@given(st.text(max_size=120))
def test_parser_raises_only_filter_pattern_error_on_arbitrary_text(text: str) -> None:
    # GIVEN arbitrary text
    # WHEN it is parsed
    try:
        pattern = parse_filter_pattern(text)
    except FilterPatternError as error:
        # THEN a rejection is a FilterPatternError pointing inside the text
        assert 0 <= error.position <= len(text)
    else:
        assert pattern.text == text


@SETTINGS
@given(grammar_text)
def test_parser_raises_only_filter_pattern_error_on_grammar_tokens(text: str) -> None:
    # GIVEN text assembled from the grammar's own tokens
    # WHEN it is parsed
    try:
        pattern = parse_filter_pattern(text)
    except FilterPatternError as error:
        # THEN a rejection is a FilterPatternError pointing inside the text
        assert 0 <= error.position <= len(text)
    else:
        # AND an accepted pattern renders to text that parses to the same tree
        assert parse_filter_pattern(pattern.render()).root == pattern.root


@SETTINGS
@given(pattern_roots)
def test_rendered_pattern_parses_back_to_the_same_tree(root: PatternRoot) -> None:
    # GIVEN a generated valid syntax tree
    text = render_pattern(root)
    # WHEN its rendering is parsed
    parsed = parse_filter_pattern(text)
    # THEN the tree is unchanged and rendering again is stable
    assert parsed.root == root
    assert parsed.render() == text


@SETTINGS
@given(json_patterns, events)
def test_json_pattern_matches_the_same_events_after_rendering(root: JsonPattern, sample: list[object]) -> None:
    # GIVEN a generated JSON pattern and its canonical rendering
    original = FilterPattern("(generated)", parse_filter_pattern(render_pattern(root)).kind, root)
    rendered = parse_filter_pattern(original.render())
    # WHEN both match the same events
    # THEN they agree on every event
    for event in sample:
        assert rendered.matches(event) == original.matches(event)


@SETTINGS
@given(st.one_of(delimited_patterns(), term_patterns), st.lists(log_lines, max_size=5))
def test_line_pattern_matches_the_same_lines_after_rendering(root: PatternRoot, lines: list[str]) -> None:
    # GIVEN a generated space-delimited or term pattern
    original = parse_filter_pattern(render_pattern(root))
    rendered = parse_filter_pattern(original.render())
    # WHEN both match the same raw lines
    # THEN they agree on every line
    for line in lines:
        assert rendered.matches(line) == original.matches(line)


@SETTINGS
@given(pattern_roots, any_json)
def test_generated_pattern_never_raises_on_any_json_value(root: PatternRoot, event: object) -> None:
    # GIVEN a generated pattern and any JSON value
    pattern = parse_filter_pattern(render_pattern(root))
    # WHEN the value is matched
    result = pattern.matches(event)
    # THEN the answer is a bool, never an exception
    assert isinstance(result, bool)


@SETTINGS
@given(st.sampled_from(DOC_PATTERNS), any_json)
def test_documented_pattern_never_raises_on_any_json_value(text: str, event: object) -> None:
    # GIVEN a pattern from AWS's documentation and any JSON value
    pattern = parse_filter_pattern(text)
    # WHEN the value is matched
    result = pattern.matches(event)
    # THEN the answer is a bool, never an exception
    assert isinstance(result, bool)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_numeric_comparison_agrees_with_python_floats(value: float, bound: float) -> None:
    # GIVEN a JSON number and a literal written with repr()
    pattern = parse_filter_pattern("{ $.n > " + repr(bound) + " }")
    # WHEN the event holds the number
    result = pattern.matches({"n": value})
    # THEN '>' agrees with Python's float comparison
    assert result == (value > bound)
    assert not math.isnan(value)


# ---------------------------------------------------------------------------
# A deliberately naive reference evaluator of the documented semantics, to
# check the generated matchers against.

_OPS: dict[ComparisonOp, Callable[[Any, Any], bool]] = {
    ComparisonOp.EQ: operator.eq,
    ComparisonOp.NE: operator.ne,
    ComparisonOp.LT: operator.lt,
    ComparisonOp.LE: operator.le,
    ComparisonOp.GT: operator.gt,
    ComparisonOp.GE: operator.ge,
}


def _select(selector: Selector, event: object) -> list[object]:
    nodes = [event]
    for segment in selector.segments:
        found: list[object] = []
        for node in nodes:
            if isinstance(segment, Key) and isinstance(node, dict) and segment.name in node:
                found.append(node[segment.name])
            elif isinstance(segment, Index) and isinstance(node, list) and segment.index < len(node):
                found.append(node[segment.index])
            elif isinstance(segment, AnyKey) and isinstance(node, dict):
                found.extend(node.values())
            elif isinstance(segment, AnyIndex) and isinstance(node, list):
                found.extend(node)
        nodes = found
    return nodes


def _reference_compare(op: ComparisonOp, value: Value, node: object) -> bool:
    if isinstance(node, bool) or not isinstance(node, str | int | float):
        return False
    if isinstance(value, NumberValue):
        literal = Decimal(value.text)
        if isinstance(node, str):
            parsed = Decimal(node) if NUMBER.fullmatch(node) else None
            if op is ComparisonOp.EQ:
                return parsed is not None and parsed == literal
            if op is ComparisonOp.NE:
                return parsed is None or parsed != literal
            return False
        bound = float(literal) if isinstance(node, float) else literal
        return _OPS[op](node, bound)
    text = node if isinstance(node, str) else repr(node)
    if isinstance(value, StringValue):
        equal = text == value.value
    elif isinstance(value, WildcardValue):
        if value.leading and value.trailing:
            equal = value.core in text
        elif value.leading:
            equal = text.endswith(value.core)
        else:
            equal = text.startswith(value.core)
    else:
        assert isinstance(value, RegexValue)
        equal = compiled(value.pattern).search(text) is not None
    return equal if op is ComparisonOp.EQ else not equal


def _reference(condition: Condition, event: object) -> bool:
    if isinstance(condition, And):
        return all(_reference(c, event) for c in condition.operands)
    if isinstance(condition, Or):
        return any(_reference(c, event) for c in condition.operands)
    if isinstance(condition, StateTest):
        nodes = _select(condition.selector, event)
        if condition.check is StateCheck.NOT_EXISTS:
            return not nodes
        wanted = {StateCheck.IS_NULL: None, StateCheck.IS_TRUE: True, StateCheck.IS_FALSE: False}[condition.check]
        return any(node is wanted for node in nodes)
    assert isinstance(condition, Comparison)
    return any(_reference_compare(condition.op, condition.value, n) for n in _select(condition.selector, event))


def _leaves(condition: Condition) -> list[Comparison | StateTest]:
    if isinstance(condition, And | Or):
        return [leaf for c in condition.operands for leaf in _leaves(c)]
    assert isinstance(condition, Comparison | StateTest)
    return [condition]


def _plant(event: dict[str, object], selector: Selector, value: object) -> None:
    """Put ``value`` where ``selector`` looks, building objects and arrays on the way."""
    node: object = event
    for position, segment in enumerate(selector.segments):
        last = position == len(selector.segments) - 1
        follow: object = (
            value if last else ([] if isinstance(selector.segments[position + 1], Index | AnyIndex) else {})
        )
        if isinstance(segment, Key | AnyKey) and isinstance(node, dict):
            name = segment.name if isinstance(segment, Key) else "a"
            if last or not isinstance(node.get(name), dict | list):
                node[name] = follow
            node = node[name]
        elif isinstance(segment, Index | AnyIndex) and isinstance(node, list):
            index = segment.index if isinstance(segment, Index) else 0
            node.extend([None] * (index + 1 - len(node)))
            if last or not isinstance(node[index], dict | list):
                node[index] = follow
            node = node[index]
        else:
            return


def _near_value(leaf: Comparison | StateTest) -> st.SearchStrategy[object]:
    """Values likely to sit on either side of the leaf's test."""
    if isinstance(leaf, StateTest):
        return st.sampled_from([None, True, False, "x"])
    value = leaf.value
    if isinstance(value, NumberValue):
        number = float(value.text)
        return st.sampled_from(
            [number, value.text, number + 1, number - 1, int(number) if math.isfinite(number) else 0]
        )
    if isinstance(value, StringValue):
        return st.sampled_from([value.value, value.value + "x", 1])
    if isinstance(value, WildcardValue):
        return st.sampled_from(["q" + value.core + "q", value.core, "zz"])
    return st.sampled_from(["Trail", "aa", "val12", "x", "123"])


@st.composite
def patterns_with_events(draw: st.DrawFn) -> tuple[JsonPattern, list[object]]:
    root = draw(json_patterns)
    sample: list[object] = []
    for _ in range(4):
        event: dict[str, object] = {}
        for leaf in _leaves(root.condition):
            if draw(st.booleans()):
                _plant(event, leaf.selector, draw(_near_value(leaf)))
        sample.append(event)
    return root, sample


@SETTINGS
@given(patterns_with_events(), events)
def test_generated_matcher_agrees_with_a_naive_reference_evaluator(
    planted: tuple[JsonPattern, list[object]], sample: list[object]
) -> None:
    # GIVEN a generated JSON pattern, compiled to its fast matcher, and events
    # built to sit on either side of its tests
    root, near = planted
    sample = near + sample
    pattern = parse_filter_pattern(render_pattern(root))
    # WHEN it and a naive tree-walking evaluator judge the same events
    # THEN they agree on every event
    for event in sample:
        assert pattern.matches(event) == (isinstance(event, dict) and _reference(root.condition, event))
