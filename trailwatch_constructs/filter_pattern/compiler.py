"""Compile a filter-pattern syntax tree into one matcher function.

A JSON pattern, and the conditions of a space-delimited pattern, become one
generated Python function whose body is a single expression; term and regex
patterns become small closures.  How and why (inline selectors, merged
``=`` tests, operand ordering, the measurements behind it) is in the
"Performance" section of docs/filter-patterns.md, and the semantics in its
"Semantics" table.

The generated source only ever contains names created here, operators, and
``repr()`` of keys and integer indexes; every value from the pattern reaches
the function through its globals, never spliced into the source.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias, assert_never, cast

from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.parser import NUMBER, join
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
    TermPattern,
    Value,
    WildcardValue,
)
from trailwatch_constructs.filter_pattern.terms import term_condition

Matcher: TypeAlias = Callable[[object], bool]
"""A compiled pattern: takes any decoded JSON value or a raw line."""

_Scope: TypeAlias = Callable[[Any], bool]
"""A compiled condition over its scope ``e``: the event object (JSON patterns)
or the dictionary of extracted fields (space-delimited patterns).  ``Any``
because the two scopes are different dictionary types."""

_Leaf: TypeAlias = Comparison | StateTest | FieldComparison
_Target: TypeAlias = Selector | str
"""What a comparison tests: a JSON selector, or a space-delimited field's name."""
_TextValue: TypeAlias = StringValue | WildcardValue | RegexValue

_Expr: TypeAlias = Callable[[str], str]
"""Source of a test, given the source of the value it tests."""

_NumberTest: TypeAlias = Callable[[object], bool]


class _Missing:
    """Type of :data:`_MISSING`; never equal to any JSON value."""

    __slots__ = ()


_MISSING = _Missing()
"""The value of an absent key or index.  Distinct from ``None`` because
``IS NULL`` (explicit null) and ``NOT EXISTS`` (absent) are different tests."""

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
        """Returns a global name holding ``value`` in the generated function."""
        name = f"_g{self._count}"
        self._count += 1
        self.namespace[name] = value
        return name

    def temp(self) -> str:
        """Returns a fresh local variable name (assigned with ``:=``)."""
        name = f"_v{self._count}"
        self._count += 1
        return name

    def function(self, body: str) -> _Scope:
        """Compiles ``def _match(e): return <body>`` in this namespace."""
        code = compile(f"def _match(e):\n    return {body}\n", "<filter pattern>", "exec")
        exec(code, self.namespace)
        return cast(_Scope, self.namespace.pop("_match"))


def compile_pattern(root: PatternRoot) -> Matcher:
    """Compiles a parsed pattern into its matcher.

    Args:
        root: the syntax tree of a whole pattern.

    Returns:
        The function ``FilterPattern.matches`` documents.
    """
    match root:
        case JsonPattern():
            return _compile_json(root)
        case SpaceDelimitedPattern():
            return _compile_delimited(root)
        case TermPattern():
            return _compile_terms(root)
        case RegexPattern():
            return _compile_regex_pattern(root)
        case _:
            assert_never(root)


# ----------------------------------------------------------------------------
# Event text for TERM and SPACE_DELIMITED patterns


def _event_text(event: object) -> str | None:
    """Returns the log line a TERM or SPACE_DELIMITED pattern is matched against.

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
# Conditions, for JSON and space-delimited patterns alike


def _compile_json(root: JsonPattern) -> Matcher:
    """Compiles a JSON pattern into one generated function of the event."""
    source = _Source()
    condition = _compile_condition(root.condition, source)
    # 'type(e) is dict' is the fast path for decoded JSON; isinstance() keeps
    # dict subclasses working.
    return source.function(f"(type(e) is dict or isinstance(e, dict)) and {condition.expr}")


def _compile_condition(condition: Condition, source: _Source) -> _Compiled:
    """Compiles a condition of either pattern kind into an expression over ``e``."""
    match condition:
        case And(operands):
            return _joined([_compile_condition(c, source) for c in operands], " and ")
        case Or(operands):
            return _joined(_compile_or_operands(operands, source), " or ")
        case Comparison() | StateTest() | FieldComparison():
            return _compile_leaf(condition, source)
        case _:
            assert_never(condition)


def _joined(parts: list[_Compiled], connective: str) -> _Compiled:
    """Joins compiled operands, cheapest first; one operand stands alone."""
    if len(parts) == 1:
        return parts[0]
    parts = sorted(parts, key=lambda p: p.rank)
    return _Compiled(max(p.rank for p in parts), "(" + connective.join(p.expr for p in parts) + ")")


def _compile_or_operands(operands: Sequence[Condition], source: _Source) -> list[_Compiled]:
    """Compiles OR operands, merging the exact-string ``=`` tests of each target into one set test."""
    groups: dict[_Target, list[str]] = {}
    rest: list[Condition] = []
    for operand in operands:
        exact = _exact_string_test(operand)
        if exact is None:
            rest.append(operand)
        else:
            groups.setdefault(exact[0], []).append(exact[1])
    parts = [
        _apply_string_test(target, _RANK_EXACT, _one_of(values, source), source) for target, values in groups.items()
    ]
    parts.extend(_compile_condition(c, source) for c in rest)
    return parts


def _exact_string_test(condition: Condition) -> tuple[_Target, str] | None:
    """Returns ``(target, string)`` of an exact-string ``=`` test, else ``None``."""
    match condition:
        case Comparison(selector, ComparisonOp.EQ, StringValue(text)):
            return selector, text
        case FieldComparison(name, ComparisonOp.EQ, StringValue(text)):
            return name, text
        case _:
            return None


def _compile_leaf(condition: _Leaf, source: _Source) -> _Compiled:
    """Compiles a comparison or a state test."""
    match condition:
        case StateTest():
            return _state_test(condition, source)
        case Comparison(selector, op, value):
            return _comparison(selector, op, value, source)
        case FieldComparison(name, op, value):
            return _comparison(name, op, value, source)
        case _:
            assert_never(condition)


def _comparison(target: _Target, op: ComparisonOp, value: Value, source: _Source) -> _Compiled:
    """Compiles ``target op value``."""
    match value:
        case NumberValue(text):
            return _apply_number_test(target, op, text, source)
        case StringValue() | WildcardValue() | RegexValue():
            rank, test = _string_test(op, value, source)
            return _apply_string_test(target, rank, test, source)
        case _:
            assert_never(value)


def _state_test(condition: StateTest, source: _Source) -> _Compiled:
    """Compiles ``IS NULL``, ``IS TRUE``, ``IS FALSE`` or ``NOT EXISTS``."""
    selector, check = condition.selector, condition.check
    if check is not StateCheck.NOT_EXISTS:
        wanted = _STATE_VALUES[check]
        return _select(selector, _RANK_KEYWORD, lambda v: f"({v} is {wanted!r})", source, missing="_MISSING")
    if selector.wildcard_count:
        return _Compiled(_RANK_NEGATIVE + _RANK_MULTI_SELECTOR, f"not {source.bind(_many_getter(selector))}(e)")
    return _Compiled(_RANK_NEGATIVE, f"({_value_expr(selector, source, missing='_MISSING')} is _MISSING)")


_STATE_VALUES: dict[StateCheck, bool | None] = {
    StateCheck.IS_NULL: None,
    StateCheck.IS_TRUE: True,
    StateCheck.IS_FALSE: False,
}


# ----------------------------------------------------------------------------
# Applying a test to what a target selects


def _apply_string_test(target: _Target, rank: int, test: _Expr, source: _Source) -> _Compiled:
    """Applies a string test to a target.

    A space-delimited field is always a string.  A JSON value is tested when
    it is a string, and through its JSON text when it is a number; anything
    else (AWS: "If a property selector points to an array or object, the
    filter pattern won't match the log format"), including null, booleans and
    a missing key, fails both ``=`` and ``!=``.
    """
    if isinstance(target, str):
        return _Compiled(rank, test(f"e[{target!r}]"))

    def value_node(value: str) -> str:
        v, t = source.temp(), source.temp()
        return (
            f"({test(v)} if ({t} := type({v} := {value})) is str "
            f"else ({t} is int or {t} is float) and {test(f'_ntext({v})')})"
        )

    return _select(target, rank, value_node, source)


def _apply_number_test(target: _Target, op: ComparisonOp, literal: str, source: _Source) -> _Compiled:
    """Applies a number-literal comparison; a space-delimited field is parsed as a number."""
    rank, test = _number_test(op, literal, strings_as_numbers=isinstance(target, str))
    name = source.bind(test)
    if isinstance(target, str):
        return _Compiled(rank, f"{name}(e[{target!r}])")
    return _select(target, rank, lambda v: f"{name}({v})", source)


def _select(selector: Selector, rank: int, test: _Expr, source: _Source, *, missing: str = "None") -> _Compiled:
    """Applies ``test`` to the value a selector reaches, or to any of the values a wildcard selector reaches.

    AWS: "You can use the JSON wildcard to select any array element or any
    JSON object field"; the condition holds when it holds for one of them.
    ``missing`` is what ``test`` sees for an absent path (see :func:`_value_expr`).
    """
    if not selector.wildcard_count:
        return _Compiled(rank, test(_value_expr(selector, source, missing=missing)))
    each = source.temp()
    many = source.bind(_many_getter(selector))
    return _Compiled(rank + _RANK_MULTI_SELECTOR, f"any({test(each)} for {each} in {many}(e))")


def _value_expr(selector: Selector, source: _Source, *, missing: str) -> str:
    """Returns an expression for the value a non-wildcard selector reaches from ``e``.

    Args:
        selector: a selector without wildcards.
        source: the generated function's namespace.
        missing: the value of an absent path: ``"None"`` for comparisons,
            which ``None`` fails like any absent value (and ``e.get(k)`` is
            the fastest lookup), ``"_MISSING"`` for state tests, where an
            explicit null and an absent key differ.

    Returns:
        ``e.get('a')`` for ``$.a``; longer paths check each container's type
        as they go, e.g. ``$.a.b`` is ``(_v0.get('b') if (type(_v0 :=
        e.get('a')) is dict or isinstance(_v0, dict)) else None)``.
    """
    segments = selector.segments
    guards: list[str] = []
    current = "e"  # the top-level function has already checked it is a dict
    for position, segment in enumerate(segments[:-1]):
        holder = source.temp()
        kind = "dict" if isinstance(segments[position + 1], Key) else "list"
        access = _access(current, segment, guards, "")
        guards.append(f"(type({holder} := {access}) is {kind} or isinstance({holder}, {kind}))")
        current = holder
    access = _access(current, segments[-1], guards, "" if missing == "None" else f", {missing}")
    if not guards:
        return access
    return f"({access} if {' and '.join(guards)} else {missing})"


def _access(container: str, segment: Segment, guards: list[str], default: str) -> str:
    """Returns the source reading ``segment`` of ``container``, adding any guard it needs to ``guards``."""
    match segment:
        case Key(name):
            return f"{container}.get({name!r}{default})"
        case Index(index):
            guards.append(f"len({container}) > {index}")
            return f"{container}[{index}]"
        case AnyKey() | AnyIndex():
            raise AssertionError("wildcard selectors are walked by _many_getter")
        case _:
            assert_never(segment)


def _many_getter(selector: Selector) -> Callable[[object], list[object]]:
    """Returns a function listing every value a wildcard selector reaches.

    ``.*`` fans out over an object's member values and ``[*]`` over an
    array's elements; applied to anything else a segment selects nothing.
    """
    steps = [_step(segment) for segment in selector.segments]

    def get_many(e: object) -> list[object]:
        nodes = [e]
        for step in steps:
            nodes = [found for node in nodes for found in step(node)]
        return nodes

    return get_many


def _step(segment: Segment) -> Callable[[object], list[object]]:
    """Returns what one segment selects from one node."""
    match segment:
        case Key(name):
            return lambda node: [node[name]] if isinstance(node, dict) and name in node else []
        case Index(index):
            return lambda node: [node[index]] if isinstance(node, list) and index < len(node) else []
        case AnyKey():
            return lambda node: list(node.values()) if isinstance(node, dict) else []
        case AnyIndex():
            return lambda node: node if isinstance(node, list) else []
        case _:
            assert_never(segment)


# ----------------------------------------------------------------------------
# Value tests
#
# String tests are source text over a str, inlined in the generated function;
# this is the only implementation of the string rules (see "Performance" in
# docs/filter-patterns.md for the measurement that chose it).  Number-literal
# tests, which need exact decimal arithmetic, are functions the generated
# code calls.


def _string_test(op: ComparisonOp, value: _TextValue, source: _Source) -> tuple[int, _Expr]:
    """Returns the rank and the ``=`` or ``!=`` test of a string against a string, wildcard or regex value."""
    match value:
        case StringValue(text):
            rank, test = _RANK_EXACT, _one_of([text], source)
        case WildcardValue():
            rank, test = _RANK_WILDCARD, _wildcard_test(value, source.bind(value.core))
        case RegexValue(pattern):
            rank, test = _RANK_REGEX, _regex_test(source.bind(aws_regex.compiled(pattern).search))
        case _:
            assert_never(value)
    if op is ComparisonOp.NE:
        return max(rank, _RANK_NEGATIVE), lambda v: f"(not {test(v)})"
    return rank, test


def _one_of(values: Sequence[str], source: _Source) -> _Expr:
    """Returns the test that a string is one of ``values``: one set lookup however many there are."""
    name = source.bind(frozenset(values))
    return lambda v: f"({v} in {name})"


def _wildcard_test(value: WildcardValue, core: str) -> _Expr:
    """Returns the test of a ``*`` wildcard whose text between the stars is bound to ``core``."""
    if value.leading and value.trailing:
        return lambda v: f"({core} in {v})"
    if value.leading:
        return lambda v: f"{v}.endswith({core})"
    return lambda v: f"{v}.startswith({core})"


def _regex_test(search: str) -> _Expr:
    """Returns the test of a regex whose ``search`` method is bound to ``search``: a match anywhere."""
    return lambda v: f"({search}({v}) is not None)"


def _number_text(v: int | float) -> str:
    """Returns the JSON text of a number: what string tests see."""
    try:
        return repr(v)
    except ValueError:  # an int longer than Python's int-to-str limit
        return str(Decimal(v))


def _parse_number(text: str) -> Decimal | None:
    """Returns ``text`` as an exact number if it is written in AWS's number grammar."""
    if NUMBER.fullmatch(text) is None:
        return None
    return Decimal(text)


def _number_literal(text: str) -> tuple[_Exact, float]:
    """Returns the exact value of a number literal, and its nearest float.

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
    return value, float(exact)


def _number_test(op: ComparisonOp, literal: str, *, strings_as_numbers: bool) -> tuple[int, _NumberTest]:
    """Returns the rank and test of ``<value> op literal``.

    ``strings_as_numbers`` is set for space-delimited fields, which are
    always text: there ``bytes > 1000`` parses the field as a number.  In a
    JSON pattern, relational operators only apply to JSON numbers.
    """
    exact, approx = _number_literal(literal)
    if op is ComparisonOp.EQ or op is ComparisonOp.NE:
        return _number_equality(op, exact, approx)
    compare = _COMPARE[op]

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


def _number_equality(op: ComparisonOp, exact: _Exact, approx: float) -> tuple[int, _NumberTest]:
    """Returns the rank and test of ``=`` or ``!=`` against a number literal.

    A string written as a number compares by value, so
    ``$.recipientAccountId = 123456789012`` matches the string CloudTrail
    logs; any other string is simply not equal.
    """
    compare = _COMPARE[op]

    def equality(v: object) -> bool:
        if type(v) is int:
            return compare(v, exact)
        if type(v) is float:
            return compare(v, approx)
        if type(v) is str:
            # None (not a number) is unequal to every number.
            return compare(_parse_number(v), exact)
        return False

    return (_RANK_NEGATIVE if op is ComparisonOp.NE else _RANK_KEYWORD), equality


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


def _compile_delimited(root: SpaceDelimitedPattern) -> Matcher:
    """Compiles a space-delimited pattern: split the line, pick the slots' values, test the conditions."""
    slots = root.fields
    skip = next((i for i, s in enumerate(slots) if isinstance(s, SkipFields)), None)
    head = slots[:skip]
    tail = None if skip is None else slots[skip + 1 :]
    extract = _field_extractor(len(head), None if tail is None else len(tail))
    # (position among the extracted values, field name)
    named = [
        (offset, slot.name)
        for offset, slot in enumerate((*head, *(tail or ())))
        if isinstance(slot, DelimitedField) and slot.name is not None
    ]
    check = _fields_check(slots)

    def match(event: object) -> bool:
        line = _event_text(event)
        values = None if line is None else extract(line)
        if values is None:
            return False
        return check is None or check({name: values[offset] for offset, name in named})

    return match


def _fields_check(slots: Sequence[DelimitedField | SkipFields]) -> _Scope | None:
    """Returns the test that every slot's condition holds, over ``{name: value}``; ``None`` if there is none."""
    conditions = [s.condition for s in slots if isinstance(s, DelimitedField) and s.condition is not None]
    if not conditions:
        return None
    source = _Source()
    return source.function(_compile_condition(join(And, conditions), source).expr)


def _field_extractor(n_head: int, n_tail: int | None) -> Callable[[str], list[str] | None]:
    """Returns the function picking a line's values for the pattern's slots.

    Args:
        n_head: slots before ``...``, or all slots when there is no ``...``.
        n_tail: slots after ``...``; ``None`` when there is no ``...``.

    The function returns ``None`` for a line with fewer fields than slots.
    """
    if n_tail is not None:

        def around_skip(line: str) -> list[str] | None:
            fields = _split_fields(line)
            if len(fields) < n_head + n_tail:
                return None
            return [text for text, _ in fields[:n_head] + fields[len(fields) - n_tail :]]

        return around_skip

    def rest_in_last(line: str) -> list[str] | None:
        fields = _split_fields(line)
        if len(fields) < n_head:
            return None
        values = [text for text, _ in fields[:n_head]]
        if len(fields) > n_head:
            # Without '...', the last field takes the rest of the line: AWS's
            # [w1=ERROR, w2] matches "ERROR 09/25/2014 12:00:02 Failed to
            # process request", and the docs say a trailing blank field must
            # be given for that reason.
            values[-1] = line[fields[n_head - 1][1] :].rstrip()
        return values

    return rest_in_last


def _split_fields(line: str) -> list[tuple[str, int]]:
    """Splits a log line into ``(field, start offset)`` pairs.

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


# ----------------------------------------------------------------------------
# Term and standalone regex patterns


def _compile_terms(root: TermPattern) -> Matcher:
    """Compiles a term pattern: substring tests on the line (see :func:`.terms.term_condition`)."""
    condition = term_condition(root)
    required, excluded, any_of = condition.required, condition.excluded, condition.any_of

    def terms(event: object) -> bool:
        line = _event_text(event)
        if line is None:
            return False
        return (
            all(t in line for t in required)
            and not any(t in line for t in excluded)
            and (not any_of or any(t in line for t in any_of))
        )

    return terms


def _compile_regex_pattern(root: RegexPattern) -> Matcher:
    """Compiles a standalone regex: a search anywhere in the line."""
    search = aws_regex.compiled(root.pattern).search

    def match(event: object) -> bool:
        line = _event_text(event)
        return line is not None and search(line) is not None

    return match
