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
from typing import assert_never

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
    RegexPattern,
    RegexValue,
    Segment,
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
    """Returns the canonical text of a whole pattern."""
    match root:
        case JsonPattern(condition):
            return "{" + render_condition(condition) + "}"
        case SpaceDelimitedPattern(fields):
            return "[" + ", ".join(_render_slot(s) for s in fields) + "]"
        case TermPattern(terms):
            return " ".join(_render_term(t) for t in terms)
        case RegexPattern(pattern):
            return "%" + pattern + "%"
        case _:
            assert_never(root)


def render_condition(condition: Condition) -> str:
    """Returns a JSON condition in canonical form (what goes between the braces)."""
    match condition:
        case And(operands):
            return " && ".join(_operand(c, Or) for c in operands)
        case Or(operands):
            return " || ".join(_operand(c, And) for c in operands)
        case Comparison() | StateTest() | FieldComparison():
            return _render_leaf(condition)
        case _:
            assert_never(condition)


def _operand(condition: Condition, wrap: type[And] | type[Or]) -> str:
    text = render_condition(condition)
    return f"({text})" if isinstance(condition, wrap) else text


def _render_leaf(condition: Comparison | StateTest | FieldComparison) -> str:
    match condition:
        case Comparison(selector, op, value):
            return f"({render_selector(selector)}{op.value}{render_value(value, quote_wildcards=True)})"
        case StateTest(selector, check):
            return f"({render_selector(selector)} {check.value})"
        case FieldComparison(name, op, value):
            return f"{name}{op.value}{render_value(value, quote_wildcards=False)}"
        case _:
            assert_never(condition)


def render_selector(selector: Selector) -> str:
    """Returns ``$`` plus each segment: ``.name``, ``.['odd.name']``, ``[0]``, ``.*``, ``[*]``."""
    return "$" + "".join(_render_segment(s) for s in selector.segments)


def _render_segment(segment: Segment) -> str:
    match segment:
        case Key(name) if name and all(c in PROPERTY_NAME_CHARS for c in name):
            return "." + name
        case Key(name):
            return ".['" + name + "']"
        case Index(index):
            return f"[{index}]"
        case AnyKey():
            return ".*"
        case AnyIndex():
            return "[*]"
        case _:
            assert_never(segment)


def render_value(value: Value, *, quote_wildcards: bool) -> str:
    """Returns a comparison value; see the module docstring for the quoting rule."""
    match value:
        case NumberValue(text):
            return text
        case RegexValue(pattern):
            return "%" + pattern + "%"
        case WildcardValue(core, leading, trailing):
            text = ("*" if leading else "") + core + ("*" if trailing else "")
            bare = not quote_wildcards and all(c in BARE_VALUE_CHARS for c in core)
            return text if text == "*" or bare else quote(text)
        case StringValue(text):
            return text if _bare(text) else quote(text)
        case _:
            assert_never(value)


def _bare(text: str) -> bool:
    return _BARE_STRING.fullmatch(text) is not None and NUMBER.fullmatch(text) is None and text not in _KEYWORD_STRINGS


def quote(text: str) -> str:
    """Returns ``text`` double-quoted, with backslashes and double quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_slot(slot: DelimitedField | SkipFields) -> str:
    match slot:
        case SkipFields():
            return "..."
        case DelimitedField(_, condition) if condition is not None:
            return _render_field_condition(condition)
        case DelimitedField(name, _):
            return name or ""
        case _:
            assert_never(slot)


def _render_field_condition(condition: Condition) -> str:
    # Space-delimited conditions have no parentheses; AND binds tighter than
    # OR, and the parser only ever builds an OR of ANDs here.
    match condition:
        case Or(operands):
            return " || ".join(_render_field_condition(c) for c in operands)
        case And(operands):
            return " && ".join(_render_field_condition(c) for c in operands)
        case Comparison() | StateTest() | FieldComparison():
            return _render_leaf(condition)
        case _:
            assert_never(condition)


def _render_term(term: Term) -> str:
    text = term.text
    body = text if text and all(c in TERM_CHARS for c in text) else quote(text)
    return term.mode.value + body
