"""Translate a filter pattern into a CloudWatch Logs Insights query.

The query returns the events the pattern matches, newest first::

    fields @timestamp, eventSource, eventName, userIdentity.arn, sourceIPAddress
    | filter eventName in ["CreateTrail", "UpdateTrail"]
    | sort @timestamp desc | limit 100

Insights sees JSON events through its discovered fields: nested keys joined
with dots and array elements as ``.0``, ``.1`` (AWS: "Fields in JSON logs").
Where a filter-pattern construct has no faithful equivalent the function
returns ``None`` rather than a query that silently means something else.
The table of translations and their known differences is in
docs/filter-patterns.md.
"""

from __future__ import annotations

import re
import string
from typing import assert_never

from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.pattern import FilterPattern
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    AnyIndex,
    AnyKey,
    Comparison,
    ComparisonOp,
    Condition,
    FieldComparison,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    RegexPattern,
    RegexValue,
    Selector,
    SpaceDelimitedPattern,
    StateCheck,
    StateTest,
    StringValue,
    TermPattern,
    WildcardValue,
)
from trailwatch_constructs.filter_pattern.terms import term_condition

BASE_FIELDS = ("@timestamp", "eventSource", "eventName", "userIdentity.arn", "sourceIPAddress")
"""Always shown: who did what, from where, when."""

# A quoted Insights string literal whose content needs no regex escaping.
_PLAIN_NAME = re.compile(r'^"[A-Za-z0-9_]+"$')
_PLAIN_PATH_CHARS = frozenset(string.ascii_letters + string.digits + "_.")
"""A field path of these characters needs no backticks."""
_REGEX_SPECIAL = frozenset(".^$|?*+()[]{}\\/")


def to_logs_insights_query(pattern: FilterPattern) -> str | None:
    """A Logs Insights query returning the events ``pattern`` matches.

    Returns ``None`` when some part of the pattern has no faithful Insights
    equivalent: space-delimited patterns, wildcard selectors (``.*``,
    ``[*]``), ``IS NULL`` / ``IS TRUE`` / ``IS FALSE``, ``!= *``, keys that
    contain a dot or a backtick, numbers that need an exponent, and strings
    containing both quote characters, a backslash or a line break.
    """
    translated = _translate(pattern, compact=False)
    if translated is None:
        return None
    expr, fields = translated
    commands = [f"fields {', '.join(fields)}"]
    if expr:
        commands.append(f"filter {expr}")
    commands += ["sort @timestamp desc", "limit 100"]
    return " | ".join(commands)


def to_logs_insights_filter(pattern: FilterPattern, *, compact: bool = False) -> str | None:
    """Only the ``filter`` expression of :func:`to_logs_insights_query` ("" when it matches everything).

    For places where length counts, such as a console link inside an alarm description: a
    query of just ``filter ...`` shows each matching event whole (``@timestamp``, ``@message``).
    ``compact`` writes a set of plain names as one anchored regex, ``eventName =~ /^(A|B)$/``,
    which URL-encodes to about a third of ``eventName in ["A", "B"]``.
    """
    translated = _translate(pattern, compact=compact)
    return None if translated is None else translated[0]


def _translate(pattern: FilterPattern, *, compact: bool) -> tuple[str, list[str]] | None:
    """Returns the filter expression and the fields to show, or ``None`` if there is no faithful query."""
    match pattern.root:
        case JsonPattern(condition):
            expr = _condition(condition, compact)
            names = (_field_name(selector) for selector in _selectors(condition))
            extra = [name for name in dict.fromkeys(names) if name is not None and name not in BASE_FIELDS]
        case TermPattern() as root:
            expr, extra = _terms(root), ["@message"]
        case RegexPattern(regex):
            expr, extra = f"@message like /{aws_regex.to_insights(regex)}/", ["@message"]
        case SpaceDelimitedPattern():
            return None
        case _:
            assert_never(pattern.root)
    return None if expr is None else (expr, [*BASE_FIELDS, *extra])


def _selectors(condition: Condition) -> list[Selector]:
    match condition:
        case And(operands) | Or(operands):
            return [s for c in operands for s in _selectors(c)]
        case Comparison(selector) | StateTest(selector):
            return [selector]
        case FieldComparison():
            return []
        case _:
            assert_never(condition)


def _condition(condition: Condition, compact: bool) -> str | None:
    match condition:
        case And(operands):
            parts = [_condition(c, compact) for c in operands]
            if any(p is None for p in parts):
                return None
            return " and ".join(f"({p})" if isinstance(c, Or) else str(p) for c, p in zip(operands, parts, strict=True))
        case Or():
            return _or(condition, compact)
        case Comparison():
            return _comparison(condition)
        case StateTest():
            return _state_test(condition)
        case FieldComparison():
            return None
        case _:
            assert_never(condition)


def _or(condition: Or, compact: bool) -> str | None:
    # An OR of exact-string '=' tests on one field becomes 'field in [...]',
    # the set-membership form the Insights filter command documents.
    groups: dict[str, list[str]] = {}
    parts: list[str | tuple[str, list[str]]] = []  # a translated operand, or (field, its group)
    for operand in condition.operands:
        match operand:
            case Comparison(selector, ComparisonOp.EQ, StringValue(text)):
                name, literal = _field_name(selector), _string(text)
                if name is None or literal is None:
                    return None
                if name not in groups:
                    groups[name] = []
                    parts.append((name, groups[name]))
                groups[name].append(literal)
            case _:
                translated = _condition(operand, compact)
                if translated is None:
                    return None
                parts.append(f"({translated})" if isinstance(operand, And) else translated)
    return " or ".join(p if isinstance(p, str) else _one_of(*p, compact=compact) for p in parts)


def _one_of(name: str, literals: list[str], *, compact: bool) -> str:
    """Returns the test that ``name`` equals one of ``literals``."""
    if len(literals) == 1:
        return f"{name} = {literals[0]}"
    if compact and all(_PLAIN_NAME.match(v) for v in literals):
        return f"{name} =~ /^({'|'.join(v[1:-1] for v in literals)})$/"
    return f"{name} in [{', '.join(literals)}]"


def _comparison(condition: Comparison) -> str | None:
    name = _field_name(condition.selector)
    if name is None:
        return None
    op = condition.op
    match condition.value:
        case StringValue(text):
            literal = _string(text)
            return None if literal is None else _present_and(name, f"{name} {op.value} {literal}", op)
        case NumberValue(text):
            number = _number(text)
            return None if number is None else _present_and(name, f"{name} {op.value} {number}", op)
        case WildcardValue() as wildcard:
            return _wildcard(name, wildcard, op)
        case RegexValue(regex):
            return _like(name, aws_regex.to_insights(regex), op)
        case _:
            assert_never(condition.value)


def _wildcard(name: str, value: WildcardValue, op: ComparisonOp) -> str | None:
    if value.core == "" and not value.trailing:
        return f"ispresent({name})" if op is ComparisonOp.EQ else None
    body = _escape_regex(value.core)
    if not value.leading:
        body = "^" + body
    if value.leading and not value.trailing:
        body = body + "$"
    return _like(name, body, op)


def _like(name: str, body: str, op: ComparisonOp) -> str:
    if op is ComparisonOp.EQ:
        return f"{name} like /{body}/"
    return f"(ispresent({name}) and {name} not like /{body}/)"


def _present_and(name: str, test: str, op: ComparisonOp) -> str:
    # A filter pattern's '!=' is false when the field is missing; say so
    # explicitly rather than rely on how Insights compares a missing field.
    if op is ComparisonOp.NE:
        return f"(ispresent({name}) and {test})"
    return test


def _state_test(condition: StateTest) -> str | None:
    if condition.check is not StateCheck.NOT_EXISTS:
        return None
    name = _field_name(condition.selector)
    return None if name is None else f"not ispresent({name})"


def _terms(root: TermPattern) -> str | None:
    condition = term_condition(root)
    if condition.any_of:
        # By the '?' rule this is then the whole condition, so it needs no parentheses.
        return _message_tests([("like", text) for text in condition.any_of], " or ")
    tests = [("like", text) for text in condition.required] + [("not like", text) for text in condition.excluded]
    return _message_tests(tests, " and ")


def _message_tests(tests: list[tuple[str, str]], connective: str) -> str | None:
    """Returns ``@message <verb> "<text>"`` for each ``(verb, text)``, joined; ``None`` if a text cannot be quoted."""
    parts: list[str] = []
    for verb, text in tests:
        literal = _string(text)
        if literal is None:
            return None
        parts.append(f"@message {verb} {literal}")
    return connective.join(parts)


def _field_name(selector: Selector) -> str | None:
    """The Insights field for a selector, or ``None`` if it has none."""
    parts: list[str] = []
    for segment in selector.segments:
        match segment:
            # A dot inside a key is indistinguishable from nesting once
            # Insights flattens the event, and a backtick cannot be quoted.
            case Key(name) if "." not in name and "`" not in name:
                parts.append(name)
            case Index(index):
                parts.append(str(index))
            case Key() | AnyKey() | AnyIndex():
                return None
            case _:
                assert_never(segment)
    name = ".".join(parts)
    return name if all(c in _PLAIN_PATH_CHARS for c in name) else f"`{name}`"


def _string(text: str) -> str | None:
    if "\\" in text or "\n" in text or "\r" in text:
        return None
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return None


def _number(text: str) -> str | None:
    # Insights documents plain integer and decimal literals; a number that
    # needs an exponent is not translated.
    if "e" in text or "E" in text:
        return None
    return text.lstrip("+")


def _escape_regex(text: str) -> str:
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in text)
