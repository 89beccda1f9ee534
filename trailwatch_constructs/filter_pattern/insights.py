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

from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.pattern import FilterPattern
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    Comparison,
    ComparisonOp,
    Condition,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    RegexPattern,
    RegexValue,
    Selector,
    StateCheck,
    StateTest,
    StringValue,
    TermMode,
    TermPattern,
    WildcardValue,
)

BASE_FIELDS = ("@timestamp", "eventSource", "eventName", "userIdentity.arn", "sourceIPAddress")
"""Always shown: who did what, from where, when."""

# A quoted Insights string literal whose content needs no regex escaping.
_PLAIN_NAME = re.compile(r'^"[A-Za-z0-9_]+"$')
_PLAIN_FIELD_CHARS = frozenset(string.ascii_letters + string.digits + "_")
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
    root = pattern.root
    fields = list(BASE_FIELDS)
    if isinstance(root, JsonPattern):
        expr = _condition(root.condition, compact)
        for selector in _selectors(root.condition):
            name = _field_name(selector)
            if name is not None and name not in fields:
                fields.append(name)
    elif isinstance(root, TermPattern):
        expr = _terms(root)
        fields.append("@message")
    elif isinstance(root, RegexPattern):
        expr = f"@message like /{aws_regex.to_insights(root.pattern)}/"
        fields.append("@message")
    else:
        return None
    if expr is None:
        return None
    return expr, fields


def _selectors(condition: Condition) -> list[Selector]:
    if isinstance(condition, And | Or):
        return [s for c in condition.operands for s in _selectors(c)]
    if isinstance(condition, Comparison | StateTest):
        return [condition.selector]
    return []


def _condition(condition: Condition, compact: bool) -> str | None:
    if isinstance(condition, And):
        parts = [_condition(c, compact) for c in condition.operands]
        if any(p is None for p in parts):
            return None
        return " and ".join(
            f"({p})" if isinstance(c, Or) else str(p) for c, p in zip(condition.operands, parts, strict=True)
        )
    if isinstance(condition, Or):
        return _or(condition, compact)
    if isinstance(condition, Comparison):
        return _comparison(condition)
    if isinstance(condition, StateTest):
        return _state_test(condition)
    return None


def _or(condition: Or, compact: bool) -> str | None:
    # An OR of exact-string '=' tests on one field becomes 'field in [...]',
    # the set-membership form the Insights filter command documents.
    groups: dict[str, list[str]] = {}
    order: list[tuple[bool, str]] = []  # (is a group name, text or name)
    for operand in condition.operands:
        if isinstance(operand, Comparison) and operand.op is ComparisonOp.EQ and isinstance(operand.value, StringValue):
            name = _field_name(operand.selector)
            literal = _string(operand.value.value)
            if name is None or literal is None:
                return None
            if name not in groups:
                groups[name] = []
                order.append((True, name))
            groups[name].append(literal)
            continue
        text = _condition(operand, compact)
        if text is None:
            return None
        order.append((False, f"({text})" if isinstance(operand, And) else text))
    out: list[str] = []
    for is_group, text in order:
        if not is_group:
            out.append(text)
        elif len(groups[text]) == 1:
            out.append(f"{text} = {groups[text][0]}")
        elif compact and all(_PLAIN_NAME.match(v) for v in groups[text]):
            names = "|".join(v[1:-1] for v in groups[text])
            out.append(f"{text} =~ /^({names})$/")
        else:
            out.append(f"{text} in [{', '.join(groups[text])}]")
    return " or ".join(out)


def _comparison(condition: Comparison) -> str | None:
    name = _field_name(condition.selector)
    if name is None:
        return None
    op = condition.op
    value = condition.value
    if isinstance(value, StringValue):
        literal = _string(value.value)
        if literal is None:
            return None
        return _present_and(name, f"{name} {op.value} {literal}", op)
    if isinstance(value, NumberValue):
        number = _number(value.text)
        if number is None:
            return None
        return _present_and(name, f"{name} {op.value} {number}", op)
    if isinstance(value, WildcardValue):
        if value.core == "" and not value.trailing:
            return f"ispresent({name})" if op is ComparisonOp.EQ else None
        body = _escape_regex(value.core)
        if not value.leading:
            body = "^" + body
        if value.leading and not value.trailing:
            body = body + "$"
        return _like(name, body, op)
    assert isinstance(value, RegexValue)
    return _like(name, aws_regex.to_insights(value.pattern), op)


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
    effective = [t for t in root.terms if t.text.strip()]
    required = [t for t in effective if t.mode is TermMode.REQUIRED]
    excluded = [t for t in effective if t.mode is TermMode.EXCLUDED]
    optional = [t for t in effective if t.mode is TermMode.OPTIONAL]
    if required or excluded:
        optional = []  # AWS ignores '?' terms combined with other terms
    parts: list[str] = []
    for term in required + excluded:
        literal = _string(term.text)
        if literal is None:
            return None
        verb = "like" if term.mode is TermMode.REQUIRED else "not like"
        parts.append(f"@message {verb} {literal}")
    if optional:
        literals = [_string(t.text) for t in optional]
        if any(lit is None for lit in literals):
            return None
        either = " or ".join(f"@message like {lit}" for lit in literals)
        parts.append(f"({either})" if len(optional) > 1 and parts else either)
    return " and ".join(parts)


def _field_name(selector: Selector) -> str | None:
    """The Insights field for a selector, or ``None`` if it has none."""
    parts: list[str] = []
    plain = True
    for segment in selector.segments:
        if isinstance(segment, Key):
            # A dot inside a key is indistinguishable from nesting once
            # Insights flattens the event, and a backtick cannot be quoted.
            if "." in segment.name or "`" in segment.name:
                return None
            plain = plain and all(c in _PLAIN_FIELD_CHARS for c in segment.name)
            parts.append(segment.name)
        elif isinstance(segment, Index):
            parts.append(str(segment.index))
        else:
            return None
    name = ".".join(parts)
    return name if plain else f"`{name}`"


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
