"""Compile a filter-pattern syntax tree into one fast matcher function.

Matching a CloudTrail record against a pattern must cost about a dictionary
lookup, because the CLI replays hundreds of thousands of records through
every pattern.  So all the work that depends only on the pattern happens
here, once, and a JSON pattern becomes a single generated Python function:

* selectors become inline ``dict.get`` chains, never a generic path walk;
* an OR of exact-string ``=`` tests on one selector, the shape of most CIS
  patterns (``($.eventName=A) || ($.eventName=B) || ...``), becomes a single
  lookup and one ``frozenset`` membership test;
* AND and OR operands are reordered so cheap, selective tests run first.
  That is safe because every test is a pure predicate;
* the whole condition is one Python expression in one function, so a match
  costs one call however many operands the pattern has.

The generated source only ever contains identifiers we create and ``repr()``
of key strings and integers; every value from the pattern is passed in the
function's globals, never spliced into the source.

The semantics implemented here are tabulated in docs/filter-patterns.md.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias, cast

from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.parser import NUMBER
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
    Selector,
    SkipFields,
    SpaceDelimitedPattern,
    StateCheck,
    StateTest,
    StringValue,
    TermMode,
    TermPattern,
    Value,
    WildcardValue,
)

Matcher: TypeAlias = Callable[[object], bool]
"""A compiled pattern: takes any decoded JSON value or a raw line."""

_Test: TypeAlias = Callable[[object], bool]
"""A test of one selected value, or of one extracted space-delimited field."""

_Event: TypeAlias = dict[str, object]

_Scope: TypeAlias = Callable[[Any], bool]
"""A compiled condition over its scope: the event object (JSON patterns) or
the dictionary of extracted fields (space-delimited patterns).  ``Any``
because the two scopes are different dictionary types."""


class _Missing:
    """Type of :data:`_MISSING`; never equal to any JSON value."""

    __slots__ = ()


_MISSING = _Missing()
"""Returned by selectors for a key or index that is not there.  Distinct from
``None`` because ``IS NULL`` (explicit null) and ``NOT EXISTS`` (absent) are
different tests."""

_Exact: TypeAlias = int | Decimal


# Ranks order AND/OR operands: lower runs first.  Exact-string equality on
# CloudTrail fields such as eventName is both the cheapest test and the most
# selective; '!=' and NOT EXISTS are cheap but true for most events, and a
# regex is the most expensive.
_RANK_EXACT = 0
_RANK_KEYWORD = 1
_RANK_NUMERIC = 2
_RANK_WILDCARD = 3
_RANK_NEGATIVE = 4
_RANK_REGEX = 6
_RANK_MULTI_SELECTOR = 2  # added when a wildcard selector yields many values


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A condition compiled to a Python expression over the scope ``e``."""

    rank: int
    expr: str


class _Source:
    """The globals a generated matcher needs, and fresh names for them."""

    def __init__(self) -> None:
        self.namespace: dict[str, object] = {"_MISSING": _MISSING, "_ntext": _number_text}
        self._count = 0

    def bind(self, value: object) -> str:
        """A global name holding ``value`` in the generated function."""
        name = f"_g{self._count}"
        self._count += 1
        self.namespace[name] = value
        return name

    def temp(self) -> str:
        """A fresh local variable name (assigned with ``:=``)."""
        name = f"_v{self._count}"
        self._count += 1
        return name

    def function(self, body: str) -> _Scope:
        """Compile ``def _match(e): return <body>`` in this namespace."""
        code = compile(f"def _match(e):\n    return {body}\n", "<filter pattern>", "exec")
        exec(code, self.namespace)
        return cast(_Scope, self.namespace.pop("_match"))


def compile_pattern(root: PatternRoot) -> Matcher:
    """Return the matcher for a parsed pattern; see ``FilterPattern.matches``."""
    if isinstance(root, JsonPattern):
        return _compile_json(root)
    if isinstance(root, SpaceDelimitedPattern):
        return _compile_delimited(root)
    if isinstance(root, TermPattern):
        return _compile_terms(root)
    return _compile_regex_pattern(root)


# ----------------------------------------------------------------------------
# Event text for TERM and SPACE_DELIMITED patterns


def _event_text(event: object) -> str | None:
    """The log line a TERM or SPACE_DELIMITED pattern is matched against.

    A ``str`` is the raw line.  Any other JSON value is matched against its
    compact serialisation (``separators=(",", ":")``, non-ASCII kept), which
    is how CloudTrail delivers records to CloudWatch Logs.  ``None`` means
    the value cannot be serialised (not JSON), and never matches.
    """
    if isinstance(event, str):
        return event
    try:
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None


# ----------------------------------------------------------------------------
# JSON patterns


def _compile_json(root: JsonPattern) -> Matcher:
    source = _Source()
    condition = _compile_condition(root.condition, _json_leaf, source)
    # The dict check is inlined too; 'type(e) is dict' is the fast path for
    # decoded JSON, isinstance() keeps dict subclasses working.
    return source.function(f"(type(e) is dict or isinstance(e, dict)) and {condition.expr}")


def _compile_condition(
    condition: Condition, leaf: Callable[[Condition, _Source], _Compiled], source: _Source
) -> _Compiled:
    if isinstance(condition, And):
        parts = sorted((_compile_condition(c, leaf, source) for c in condition.operands), key=lambda p: p.rank)
        return _Compiled(max(p.rank for p in parts), "(" + " and ".join(p.expr for p in parts) + ")")
    if isinstance(condition, Or):
        parts = _compile_or_operands(condition.operands, leaf, source)
        if len(parts) == 1:
            return parts[0]
        parts.sort(key=lambda p: p.rank)
        return _Compiled(max(p.rank for p in parts), "(" + " or ".join(p.expr for p in parts) + ")")
    return leaf(condition, source)


def _compile_or_operands(
    operands: Sequence[Condition], leaf: Callable[[Condition, _Source], _Compiled], source: _Source
) -> list[_Compiled]:
    """Compile OR operands, merging exact-string ``=`` tests per selector."""
    groups: dict[Selector | str, list[str]] = {}
    rest: list[Condition] = []
    for operand in operands:
        exact = _exact_string_test(operand)
        if exact is None:
            rest.append(operand)
        else:
            groups.setdefault(exact[0], []).append(exact[1])
    parts = [_Compiled(_RANK_EXACT, _member_expr(t, frozenset(v), source)) for t, v in groups.items()]
    parts.extend(_compile_condition(c, leaf, source) for c in rest)
    return parts


def _exact_string_test(condition: Condition) -> tuple[Selector | str, str] | None:
    """``(selector or field, string)`` of an exact-string ``=`` test, else ``None``."""
    if (
        isinstance(condition, Comparison)
        and condition.op is ComparisonOp.EQ
        and isinstance(condition.value, StringValue)
        and condition.selector.wildcard_count == 0
    ):
        return condition.selector, condition.value.value
    if (
        isinstance(condition, FieldComparison)
        and condition.op is ComparisonOp.EQ
        and isinstance(condition.value, StringValue)
    ):
        return condition.field, condition.value.value
    return None


def _member_expr(target: Selector | str, values: frozenset[str], source: _Source) -> str:
    """Exact-string equality with any of ``values``: one lookup, one set test."""
    name = source.bind(values)
    if isinstance(target, str):
        # A space-delimited field is always a str.
        return f"(e[{target!r}] in {name})"
    v, t = source.temp(), source.temp()
    # Check the type before the set test: a list or dict value is unhashable.
    return (
        f"({v} in {name} if ({t} := type({v} := {_value_expr(target, 'None', source)})) is str "
        f"else ({t} is int or {t} is float) and _ntext({v}) in {name})"
    )


def _json_leaf(condition: Condition, source: _Source) -> _Compiled:
    exact = _exact_string_test(condition)
    if exact is not None:
        return _Compiled(_RANK_EXACT, _member_expr(exact[0], frozenset((exact[1],)), source))
    if isinstance(condition, StateTest):
        return _state_test(condition, source)
    assert isinstance(condition, Comparison)  # JSON patterns hold no FieldComparison
    selector, value = condition.selector, condition.value
    rank, test = _value_test(condition.op, value, strings_as_numbers=False)
    if selector.wildcard_count:
        return _Compiled(rank + _RANK_MULTI_SELECTOR, f"{source.bind(_bind_many(selector, test))}(e)")
    string_test = _inline_string_test(condition.op, value, source)
    if string_test is None:
        return _Compiled(rank, f"{source.bind(test)}({_value_expr(selector, 'None', source)})")
    # Strings, the common case, are tested inline; numbers go through the
    # full test (which compares their JSON text); anything else is false.
    v, t = source.temp(), source.temp()
    return _Compiled(
        rank,
        f"({string_test.format(v=v)} if ({t} := type({v} := {_value_expr(selector, 'None', source)})) is str "
        f"else ({t} is int or {t} is float) and {source.bind(test)}({v}))",
    )


def _inline_string_test(op: ComparisonOp, value: Value, source: _Source) -> str | None:
    """An expression template (over ``{v}``, a str) for a string-valued test, or ``None``."""
    if isinstance(value, StringValue):
        return f"{{v}} {op.value} {source.bind(value.value)}"
    if isinstance(value, WildcardValue):
        core = source.bind(value.core)
        if value.leading and value.trailing:
            test = f"{core} in {{v}}"
        elif value.trailing:
            test = f"{{v}}.startswith({core})"
        elif value.core:
            test = f"{{v}}.endswith({core})"
        else:
            test = "True"
    elif isinstance(value, RegexValue):
        test = f"{source.bind(aws_regex.compiled(value.pattern).search)}({{v}}) is not None"
    else:
        return None
    return f"not ({test})" if op is ComparisonOp.NE else f"({test})"


def _state_test(condition: StateTest, source: _Source) -> _Compiled:
    check = condition.check
    selector = condition.selector
    if selector.wildcard_count:
        many = _many_getter(selector)
        if check is StateCheck.NOT_EXISTS:
            return _Compiled(_RANK_NEGATIVE + _RANK_MULTI_SELECTOR, f"not {source.bind(many)}(e)")
        wanted = _STATE_VALUES[check]
        return _Compiled(
            _RANK_KEYWORD + _RANK_MULTI_SELECTOR,
            f"any(v is {wanted!r} for v in {source.bind(many)}(e))",
        )
    value = _value_expr(selector, "_MISSING", source)
    if check is StateCheck.NOT_EXISTS:
        return _Compiled(_RANK_NEGATIVE, f"({value} is _MISSING)")
    return _Compiled(_RANK_KEYWORD, f"({value} is {_STATE_VALUES[check]!r})")


_STATE_VALUES: dict[StateCheck, bool | None] = {
    StateCheck.IS_NULL: None,
    StateCheck.IS_TRUE: True,
    StateCheck.IS_FALSE: False,
}


# ----------------------------------------------------------------------------
# Selectors


def _value_expr(selector: Selector, missing: str, source: _Source) -> str:
    """An expression for the value a non-wildcard selector reaches from ``e``.

    ``missing`` (``"None"`` or ``"_MISSING"``) is its value when the path is
    absent.  ``$.a`` is ``e.get('a')``; longer paths check each container's
    type as they go, e.g. ``$.a.b`` is
    ``(_v0.get('b') if (type(_v0 := e.get('a')) is dict or isinstance(_v0, dict)) else None)``.
    """
    default = "" if missing == "None" else f", {missing}"
    segments = selector.segments
    conditions: list[str] = []
    current = "e"  # the top-level function has already checked it is a dict
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if isinstance(segment, Index):
            conditions.append(f"len({current}) > {segment.index}")
            access = f"{current}[{segment.index}]"
        else:
            assert isinstance(segment, Key)  # wildcard selectors are handled elsewhere
            access = f"{current}.get({segment.name!r}{default if last else ''})"
        if last:
            break
        holder = source.temp()
        kind = "dict" if isinstance(segments[position + 1], Key) else "list"
        conditions.append(f"(type({holder} := {access}) is {kind} or isinstance({holder}, {kind}))")
        current = holder
    if not conditions:
        return access
    return f"({access} if {' and '.join(conditions)} else {missing})"


def _many_getter(selector: Selector) -> Callable[[_Event], list[object]]:
    """A function returning every value a wildcard selector reaches.

    AWS: "You can use the JSON wildcard to select any array element or any
    JSON object field."  ``.*`` fans out over an object's member values and
    ``[*]`` over an array's elements; applied to anything else they select
    nothing.
    """
    segments = selector.segments

    def get_many(e: _Event) -> list[object]:
        nodes: list[object] = [e]
        for segment in segments:
            found: list[object] = []
            for node in nodes:
                if isinstance(segment, Key):
                    if isinstance(node, dict) and segment.name in node:
                        found.append(node[segment.name])
                elif isinstance(segment, Index):
                    if isinstance(node, list) and segment.index < len(node):
                        found.append(node[segment.index])
                elif isinstance(segment, AnyKey):
                    if isinstance(node, dict):
                        found.extend(node.values())
                elif isinstance(segment, AnyIndex) and isinstance(node, list):
                    found.extend(node)
            nodes = found
        return nodes

    return get_many


def _bind_many(selector: Selector, test: _Test) -> Callable[[_Event], bool]:
    """Wildcard selectors match when ``test`` holds for any value reached."""
    many = _many_getter(selector)

    def any_value(e: _Event) -> bool:
        return any(test(v) for v in many(e))

    return any_value


# ----------------------------------------------------------------------------
# Value tests
#
# A test receives the selected JSON value (or _MISSING / None for an absent
# key, which no test accepts).  Only strings and numbers are "value nodes":
# AWS says "If a property selector points to an array or object, the filter
# pattern won't match the log format", so '=' and '!=' are both false for
# arrays, objects, null, booleans and missing keys.


def _number_text(v: int | float) -> str | None:
    """The JSON text of a number: what string-style tests see."""
    try:
        return repr(v)
    except ValueError:  # an int too long for str(); not a real log value
        return None


def _parse_number(text: str) -> Decimal | None:
    """``text`` as an exact number if it is written in AWS's number grammar."""
    if NUMBER.fullmatch(text) is None:
        return None
    return Decimal(text)


def _number_literal(text: str) -> tuple[_Exact, float]:
    """The exact value of a number literal, and its nearest float.

    Integers and floats from the event compare exactly with the first, except
    that JSON floats compare with the second so ``= 0.1`` matches ``0.1``.
    """
    exact = Decimal(text)
    # Keep ordinary integers as int: int == int is faster than int == Decimal.
    # Huge exponents stay Decimal rather than becoming enormous ints.
    value: _Exact = exact
    if abs(exact.adjusted()) < 64 and exact == exact.to_integral_value():
        value = int(exact)
    # float() of a Decimal never raises: out-of-range values become +-inf or 0.0.
    approx = float(exact)
    return value, approx


def _value_test(op: ComparisonOp, value: Value, *, strings_as_numbers: bool) -> tuple[int, _Test]:
    """Compile ``<selected value> op value`` into a rank and a test.

    ``strings_as_numbers`` is set for space-delimited fields, which are
    always text: there ``bytes > 1000`` parses the field as a number.  In a
    JSON pattern, relational operators only apply to JSON numbers.
    """
    if isinstance(value, NumberValue):
        return _number_test(op, value.text, strings_as_numbers)
    negate = op is ComparisonOp.NE
    if isinstance(value, StringValue):
        if negate:
            return _RANK_NEGATIVE, _ne_string(value.value)
        return _RANK_EXACT, _eq_string(value.value)
    if isinstance(value, WildcardValue):
        rank = _RANK_NEGATIVE if negate else _RANK_WILDCARD
        return rank, _text_test(_wildcard_predicate(value), negate)
    rx = aws_regex.compiled(value.pattern).search
    return _RANK_REGEX, _text_test(lambda s: rx(s) is not None, negate)


def _eq_string(s: str) -> _Test:
    def eq(v: object) -> bool:
        if type(v) is str:
            return v == s
        if type(v) is int or type(v) is float:
            return _number_text(v) == s
        return False

    return eq


def _ne_string(s: str) -> _Test:
    def ne(v: object) -> bool:
        if type(v) is str:
            return v != s
        if type(v) is int or type(v) is float:
            return _number_text(v) != s
        return False

    return ne


def _wildcard_predicate(value: WildcardValue) -> Callable[[str], bool]:
    core = value.core
    if value.leading and value.trailing:
        return lambda s: core in s
    if value.leading:
        return lambda s: s.endswith(core)
    return lambda s: s.startswith(core)


def _text_test(predicate: Callable[[str], bool], negate: bool) -> _Test:
    """Apply a text predicate to strings, and to numbers via their JSON text."""

    def test(v: object) -> bool:
        if type(v) is str:
            return predicate(v) is not negate
        if type(v) is int or type(v) is float:
            text = _number_text(v)
            return negate if text is None else predicate(text) is not negate
        return False

    return test


def _number_test(op: ComparisonOp, literal: str, strings_as_numbers: bool) -> tuple[int, _Test]:
    exact, approx = _number_literal(literal)
    compare = _COMPARE[op]
    if op in (ComparisonOp.EQ, ComparisonOp.NE):
        # A JSON string that is written as a number compares by value, so
        # '$.recipientAccountId = 123456789012' matches the string CloudTrail
        # logs; any other string is simply not equal.
        unparsable = op is ComparisonOp.NE
        rank = _RANK_NEGATIVE if unparsable else _RANK_KEYWORD

        def equality(v: object) -> bool:
            if type(v) is int:
                return compare(v, exact)
            if type(v) is float:
                return compare(v, approx)
            if type(v) is str:
                parsed = _parse_number(v)
                return unparsable if parsed is None else compare(parsed, exact)
            return False

        return rank, equality

    def relational(v: object) -> bool:
        if type(v) is int:
            return compare(v, exact)
        if type(v) is float:
            return compare(v, approx)
        if strings_as_numbers and type(v) is str:
            parsed = _parse_number(v)
            return parsed is not None and compare(parsed, exact)
        return False

    return _RANK_NUMERIC, relational


_COMPARE: dict[ComparisonOp, Callable[[Any, Any], bool]] = {
    ComparisonOp.EQ: operator.eq,
    ComparisonOp.NE: operator.ne,
    ComparisonOp.LT: operator.lt,
    ComparisonOp.LE: operator.le,
    ComparisonOp.GT: operator.gt,
    ComparisonOp.GE: operator.ge,
}


# ----------------------------------------------------------------------------
# Space-delimited patterns


def _split_fields(line: str) -> list[tuple[str, int]]:
    """Split a log line into ``(field, start offset)`` pairs.

    AWS: "Characters between brackets ("[]") and double quotation marks ("")
    are considered single fields."  The brackets or quotes are not part of
    the field (the AWS extracted-fields example shows ``$4`` as
    ``10/Oct/2000:13:25:15 -0700``).  An unclosed bracket or quote runs to
    the end of the line.
    """
    fields: list[tuple[str, int]] = []
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
            continue
        if c in '"[':
            close = line.find('"' if c == '"' else "]", i + 1)
            end = n if close == -1 else close
            fields.append((line[i + 1 : end], i))
            i = end + 1
            continue
        start = i
        while i < n and not line[i].isspace():
            i += 1
        fields.append((line[start:i], start))
    return fields


def _compile_delimited(root: SpaceDelimitedPattern) -> Matcher:
    slots = root.fields
    skip = next((i for i, s in enumerate(slots) if isinstance(s, SkipFields)), None)
    head = slots if skip is None else slots[:skip]
    tail = () if skip is None else slots[skip + 1 :]
    # (slot position among the extracted values, field name)
    named: list[tuple[int, str]] = []
    for offset, slot in enumerate((*head, *tail)):
        if isinstance(slot, DelimitedField) and slot.name is not None:
            named.append((offset, slot.name))
    conditions = [s.condition for s in slots if isinstance(s, DelimitedField) and s.condition is not None]
    check: _Scope | None = None
    if conditions:
        whole = conditions[0] if len(conditions) == 1 else And(tuple(conditions))
        source = _Source()
        check = source.function(_compile_condition(whole, _delimited_leaf, source).expr)
    n_head = len(head)
    n_tail = len(tail)

    def values_of(line: str) -> list[str] | None:
        fields = _split_fields(line)
        if len(fields) < n_head + n_tail:
            return None
        if skip is not None:
            chosen = fields[:n_head] + (fields[len(fields) - n_tail :] if n_tail else [])
            return [text for text, _ in chosen]
        values = [text for text, _ in fields[:n_head]]
        if len(fields) > n_head and n_head:
            # Without '...', the last field takes the rest of the line: AWS's
            # [w1=ERROR, w2] matches "ERROR 09/25/2014 12:00:02 Failed to
            # process request", and the docs say a trailing blank field must
            # be given for that reason.
            values[-1] = line[fields[n_head - 1][1] :].rstrip()
        return values

    def match(event: object) -> bool:
        line = _event_text(event)
        if line is None:
            return False
        values = values_of(line)
        if values is None:
            return False
        if check is None:
            return True
        return check({name: values[offset] for offset, name in named})

    return match


def _delimited_leaf(condition: Condition, source: _Source) -> _Compiled:
    exact = _exact_string_test(condition)
    if exact is not None:
        return _Compiled(_RANK_EXACT, _member_expr(exact[0], frozenset((exact[1],)), source))
    assert isinstance(condition, FieldComparison)  # space-delimited patterns hold only these
    rank, test = _value_test(condition.op, condition.value, strings_as_numbers=True)
    return _Compiled(rank, f"{source.bind(test)}(e[{condition.field!r}])")


# ----------------------------------------------------------------------------
# Term and standalone regex patterns


def _compile_terms(root: TermPattern) -> Matcher:
    # A term that is empty or only whitespace matches everything: AWS's
    # "Match everything" example is the pattern '" "'.
    effective = [t for t in root.terms if t.text.strip()]
    required = [t.text for t in effective if t.mode is TermMode.REQUIRED]
    excluded = [t.text for t in effective if t.mode is TermMode.EXCLUDED]
    optional = [t.text for t in effective if t.mode is TermMode.OPTIONAL]
    if required or excluded:
        # AWS: "If you combine '?' with other filter patterns, all question
        # mark terms will be ignored."
        optional = []
    if not (required or excluded or optional):
        return lambda event: _event_text(event) is not None
    if len(required) == 1 and not excluded:
        (only,) = required

        def one_term(event: object) -> bool:
            line = _event_text(event)
            return line is not None and only in line

        return one_term

    def terms(event: object) -> bool:
        line = _event_text(event)
        if line is None:
            return False
        return (
            all(t in line for t in required)
            and not any(t in line for t in excluded)
            and (not optional or any(t in line for t in optional))
        )

    return terms


def _compile_regex_pattern(root: RegexPattern) -> Matcher:
    search = aws_regex.compiled(root.pattern).search

    def match(event: object) -> bool:
        line = _event_text(event)
        return line is not None and search(line) is not None

    return match
