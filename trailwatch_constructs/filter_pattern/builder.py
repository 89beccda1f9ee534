"""Typed helpers that write JSON filter patterns the way AWS's CIS patterns do.

Example::

    >>> json_pattern(
    ...     all_of(
    ...         field("$.eventSource").eq("kms.amazonaws.com"),
    ...         event_name_in("DisableKey", "ScheduleKeyDeletion"),
    ...     )
    ... )
    '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}'

Every comparison is parenthesised with no spaces around the operator;
``||`` and ``&&`` get one space either side; strings are bare when they are
dotted words (``ConsoleLogin``, ``kms.amazonaws.com``) and double-quoted
otherwise (``"Failed authentication"``, ``"AccessDenied*"``).  The text is
exactly :func:`render.render_condition` of the tree, so a pattern built here
renders back to itself after parsing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.errors import FilterPatternError
from trailwatch_constructs.filter_pattern.parser import classify_string, join, parse, parse_selector
from trailwatch_constructs.filter_pattern.render import render_condition
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    Comparison,
    ComparisonOp,
    NumberValue,
    Or,
    RegexValue,
    Selector,
    StateCheck,
    StateTest,
    StringValue,
    Value,
    WildcardValue,
)
from trailwatch_constructs.filter_pattern.syntax import Condition as _Node


@dataclass(frozen=True, slots=True)
class JsonCondition:
    """A condition of a JSON pattern, built by :class:`JsonField` methods.

    Combine conditions with :func:`all_of` / :func:`any_of` (or ``&`` and
    ``|``), then wrap the result with :func:`json_pattern`.
    """

    node: _Node

    @property
    def text(self) -> str:
        """The condition as it appears inside ``{...}``."""
        return render_condition(self.node)

    def __str__(self) -> str:
        return self.text

    def __and__(self, other: JsonCondition) -> JsonCondition:
        return all_of(self, other)

    def __or__(self, other: JsonCondition) -> JsonCondition:
        return any_of(self, other)


@dataclass(frozen=True, slots=True)
class JsonField:
    """A property selector, ready to be compared.  Create with :func:`field`."""

    selector: Selector

    # -- exact values ------------------------------------------------------

    def eq(self, value: str | int | float) -> JsonCondition:
        """``($.f=value)``: the field is exactly ``value``.

        A string is compared as text; an ``int``/``float`` is written as a
        number literal.  Raises :class:`FilterPatternError` for a string
        that starts or ends with ``*`` (that would be a wildcard: use
        :meth:`like`), and ``TypeError`` for ``bool`` (use :meth:`is_true`).
        """
        return self._compare(ComparisonOp.EQ, _exact(value))

    def ne(self, value: str | int | float) -> JsonCondition:
        """``($.f!=value)``: the field has a string or number value other than ``value``.

        False when the field is missing, null, a boolean, an array or an
        object (AWS: a selector pointing to an array or object never matches).
        """
        return self._compare(ComparisonOp.NE, _exact(value))

    # -- wildcards and regex -------------------------------------------------

    def like(self, pattern: str) -> JsonCondition:
        """``($.f="AccessDenied*")``: a ``*`` wildcard at the start and/or end.

        ``"*"`` alone matches any string or number value.
        """
        return self._compare(ComparisonOp.EQ, _wildcard(pattern))

    def not_like(self, pattern: str) -> JsonCondition:
        """``($.f!="123.123.*")``: a string/number value not matching the wildcard."""
        return self._compare(ComparisonOp.NE, _wildcard(pattern))

    def regex(self, pattern: str) -> JsonCondition:
        """``($.f=%pattern%)``: the value contains a match of the AWS-subset regex."""
        return self._compare(ComparisonOp.EQ, _regex(pattern))

    def not_regex(self, pattern: str) -> JsonCondition:
        """``($.f!=%pattern%)``: a string/number value with no match of the regex."""
        return self._compare(ComparisonOp.NE, _regex(pattern))

    # -- numbers -------------------------------------------------------------

    def lt(self, number: int | float) -> JsonCondition:
        """``($.f<number)``: a JSON number below ``number``."""
        return self._compare(ComparisonOp.LT, _number(number))

    def le(self, number: int | float) -> JsonCondition:
        """``($.f<=number)``."""
        return self._compare(ComparisonOp.LE, _number(number))

    def gt(self, number: int | float) -> JsonCondition:
        """``($.f>number)``."""
        return self._compare(ComparisonOp.GT, _number(number))

    def ge(self, number: int | float) -> JsonCondition:
        """``($.f>=number)``."""
        return self._compare(ComparisonOp.GE, _number(number))

    # -- keyword tests ---------------------------------------------------------

    def is_null(self) -> JsonCondition:
        """``($.f IS NULL)``: the field is present and JSON ``null``."""
        return JsonCondition(StateTest(self.selector, StateCheck.IS_NULL))

    def is_true(self) -> JsonCondition:
        """``($.f IS TRUE)``: the field is the JSON boolean ``true``."""
        return JsonCondition(StateTest(self.selector, StateCheck.IS_TRUE))

    def is_false(self) -> JsonCondition:
        """``($.f IS FALSE)``: the field is the JSON boolean ``false``."""
        return JsonCondition(StateTest(self.selector, StateCheck.IS_FALSE))

    def not_exists(self) -> JsonCondition:
        """``($.f NOT EXISTS)``: the field is absent (an explicit null exists)."""
        return JsonCondition(StateTest(self.selector, StateCheck.NOT_EXISTS))

    def _compare(self, op: ComparisonOp, value: Value) -> JsonCondition:
        return JsonCondition(Comparison(self.selector, op, value))


def field(selector: str) -> JsonField:
    """Start a condition on a property selector such as ``"$.userIdentity.type"``.

    Raises:
        FilterPatternError: ``selector`` is not a valid property selector.
    """
    return JsonField(parse_selector(selector))


def any_of(*conditions: JsonCondition) -> JsonCondition:
    """``a || b || ...``: at least one condition holds.  One condition is returned as is."""
    return _combine(Or, conditions)


def all_of(*conditions: JsonCondition) -> JsonCondition:
    """``a && b && ...``: every condition holds.  One condition is returned as is."""
    return _combine(And, conditions)


def event_name_in(*names: str) -> JsonCondition:
    """``($.eventName=A) || ($.eventName=B) || ...`` for CloudTrail event names."""
    name_field = field("$.eventName")
    return any_of(*(name_field.eq(name) for name in names))


def json_pattern(condition: JsonCondition) -> str:
    """Wrap a condition in braces and check the whole pattern against AWS's limits.

    Returns:
        The pattern text, e.g. ``{($.eventName=CreateTrail) || ($.eventName=UpdateTrail)}``.

    Raises:
        FilterPatternError: the pattern breaks a limit (1,024 characters,
            2 regex, 3 wildcard selectors).
    """
    text = "{" + condition.text + "}"
    parse(text)
    return text


def _combine(kind: type[And] | type[Or], conditions: tuple[JsonCondition, ...]) -> JsonCondition:
    if not conditions:
        name = "any_of" if kind is Or else "all_of"
        raise TypeError(f"{name}() needs at least one condition")
    return JsonCondition(join(kind, [c.node for c in conditions]))


def _exact(value: str | int | float) -> StringValue | NumberValue:
    if isinstance(value, bool):
        raise TypeError("use is_true() or is_false() to test a JSON boolean")
    if isinstance(value, int | float):
        return _number(value)
    if not isinstance(value, str):
        raise TypeError(f"expected str, int or float, not {type(value).__name__}")
    if isinstance(classify_string(value), WildcardValue):
        raise FilterPatternError(
            pattern=value,
            position=0 if value.startswith("*") else len(value) - 1,
            reason="a '*' at the start or end of a value is a wildcard",
            hint="use like() to match with a wildcard; filter patterns cannot "
            "express an exact value that starts or ends with '*'",
            fragment="*",
        )
    return StringValue(value)


def _number(number: int | float) -> NumberValue:
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise TypeError(f"expected int or float, not {type(number).__name__}")
    if isinstance(number, float) and not math.isfinite(number):
        text = repr(number)
        raise FilterPatternError(
            pattern=text,
            position=0,
            reason=f"{text} is not a number a filter pattern can express",
        )
    return NumberValue(repr(number))


def _wildcard(pattern: str) -> WildcardValue:
    value = classify_string(pattern)
    if not isinstance(value, WildcardValue):
        raise FilterPatternError(
            pattern=pattern,
            position=0,
            reason="a wildcard needs '*' at its start and/or end",
            hint="use eq() for an exact value",
        )
    return value


def _regex(pattern: str) -> RegexValue:
    try:
        aws_regex.compiled(pattern)
    except aws_regex.RegexSyntaxError as exc:
        raise FilterPatternError(
            pattern="%" + pattern + "%",
            position=1 + exc.offset,
            reason=exc.reason,
            hint=exc.hint,
        ) from None
    return RegexValue(pattern)
