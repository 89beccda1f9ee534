"""Render a syntax tree back to canonical filter-pattern text.

The canonical form is the compact style of the AWS Security Hub / CIS
patterns, e.g. ``{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey)
|| ($.eventName=ScheduleKeyDeletion))}``:

* every JSON comparison is parenthesised, with no spaces around the operator;
* ``&&`` and ``||`` have one space either side; an OR inside an AND, and an
  AND inside an OR, is parenthesised (the latter is not needed for meaning,
  AND binds tighter, but AWS's own patterns write it that way);
* strings are bare when they are dotted words (``kms.amazonaws.com``),
  otherwise double-quoted; JSON wildcards are always quoted
  (``"AccessDenied*"``), as in the CIS patterns, while space-delimited
  wildcards stay bare when they can (``status_code=4*``), as in AWS's
  space-delimited examples.

Parsing the rendered text gives an equal tree, so rendering is idempotent.
"""

from __future__ import annotations

import re

from trailwatch_constructs.filter_pattern.parser import (
    BARE_VALUE_CHARS,
    NUMBER,
    PROPERTY_NAME_CHARS,
    TERM_CHARS,
)
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    AnyIndex,
    AnyKey,
    Comparison,
    Condition,
    DelimitedField,
    FieldComparison,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    PatternRoot,
    RegexValue,
    Selector,
    SkipFields,
    SpaceDelimitedPattern,
    StateTest,
    StringValue,
    Term,
    TermPattern,
    Value,
    WildcardValue,
)

_BARE_STRING = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
"""Strings written without quotes: dotted words, as AWS writes
``kms.amazonaws.com``.  Hyphens are quoted to stay within the documented
"alphanumeric characters and the underscore" rule."""
_KEYWORD_STRINGS = frozenset({"true", "false", "null"})


def render_pattern(root: PatternRoot) -> str:
    """The canonical text of a whole pattern."""
    if isinstance(root, JsonPattern):
        return "{" + render_condition(root.condition) + "}"
    if isinstance(root, SpaceDelimitedPattern):
        return "[" + ", ".join(_render_slot(s) for s in root.fields) + "]"
    if isinstance(root, TermPattern):
        return " ".join(_render_term(t) for t in root.terms)
    return "%" + root.pattern + "%"


def render_condition(condition: Condition) -> str:
    """A JSON condition in canonical form (what goes between the braces)."""
    if isinstance(condition, And):
        return " && ".join(_operand(c, Or) for c in condition.operands)
    if isinstance(condition, Or):
        return " || ".join(_operand(c, And) for c in condition.operands)
    if isinstance(condition, Comparison):
        return (
            f"({render_selector(condition.selector)}{condition.op.value}"
            f"{render_value(condition.value, quote_wildcards=True)})"
        )
    if isinstance(condition, StateTest):
        return f"({render_selector(condition.selector)} {condition.check.value})"
    return _render_field_condition(condition)


def _operand(condition: Condition, wrap: type[And] | type[Or]) -> str:
    text = render_condition(condition)
    return f"({text})" if isinstance(condition, wrap) else text


def render_selector(selector: Selector) -> str:
    """``$`` plus each segment: ``.name``, ``.['odd.name']``, ``[0]``, ``.*``, ``[*]``."""
    parts = ["$"]
    for segment in selector.segments:
        if isinstance(segment, Key):
            name = segment.name
            if name and all(c in PROPERTY_NAME_CHARS for c in name):
                parts.append("." + name)
            else:
                parts.append(".['" + name + "']")
        elif isinstance(segment, Index):
            parts.append(f"[{segment.index}]")
        elif isinstance(segment, AnyKey):
            parts.append(".*")
        else:
            assert isinstance(segment, AnyIndex)
            parts.append("[*]")
    return "".join(parts)


def render_value(value: Value, *, quote_wildcards: bool) -> str:
    """A comparison value; see the module docstring for the quoting rule."""
    if isinstance(value, NumberValue):
        return value.text
    if isinstance(value, RegexValue):
        return "%" + value.pattern + "%"
    if isinstance(value, WildcardValue):
        text = ("*" if value.leading else "") + value.core + ("*" if value.trailing else "")
        bare = not quote_wildcards and all(c in BARE_VALUE_CHARS for c in value.core)
        return text if text == "*" or bare else quote(text)
    assert isinstance(value, StringValue)
    return value.value if _bare(value.value) else quote(value.value)


def _bare(text: str) -> bool:
    return _BARE_STRING.fullmatch(text) is not None and NUMBER.fullmatch(text) is None and text not in _KEYWORD_STRINGS


def quote(text: str) -> str:
    """Double-quote ``text``, escaping backslashes and double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_slot(slot: DelimitedField | SkipFields) -> str:
    if isinstance(slot, SkipFields):
        return "..."
    if slot.condition is not None:
        return _render_field_condition(slot.condition)
    return slot.name or ""


def _render_field_condition(condition: Condition) -> str:
    # Space-delimited conditions have no parentheses; AND binds tighter than
    # OR, and the parser only ever builds an OR of ANDs here.
    if isinstance(condition, Or):
        return " || ".join(_render_field_condition(c) for c in condition.operands)
    if isinstance(condition, And):
        return " && ".join(_render_field_condition(c) for c in condition.operands)
    assert isinstance(condition, FieldComparison)
    return f"{condition.field}{condition.op.value}{render_value(condition.value, quote_wildcards=False)}"


def _render_term(term: Term) -> str:
    text = term.text
    body = text if text and all(c in TERM_CHARS for c in text) else quote(text)
    return term.mode.value + body
