"""CloudWatch Logs filter patterns: parse, validate, match, render, translate.

Pure Python (standard library only, no ``aws_cdk``).  The syntax and the
semantics, with their AWS sources and our decisions where AWS is silent, are
in docs/filter-patterns.md.

Typical use::

    from trailwatch_constructs.filter_pattern import parse_filter_pattern

    pattern = parse_filter_pattern('{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }')
    pattern.matches(cloudtrail_record)   # -> bool
    pattern.render()                     # canonical text
"""

from __future__ import annotations

from trailwatch_constructs.filter_pattern.athena import (
    AthenaCondition,
    AthenaQuery,
    AthenaTranslationError,
    to_athena_condition,
    to_athena_sql,
)
from trailwatch_constructs.filter_pattern.builder import (
    JsonCondition,
    JsonField,
    all_of,
    any_of,
    event_name_in,
    field,
    json_pattern,
)
from trailwatch_constructs.filter_pattern.errors import FilterPatternError, PatternWarning
from trailwatch_constructs.filter_pattern.insights import to_logs_insights_filter, to_logs_insights_query
from trailwatch_constructs.filter_pattern.pattern import FilterPattern, parse_filter_pattern, union_of
from trailwatch_constructs.filter_pattern.syntax import PatternKind

__all__ = [
    "AthenaCondition",
    "AthenaQuery",
    "AthenaTranslationError",
    "FilterPattern",
    "FilterPatternError",
    "JsonCondition",
    "JsonField",
    "PatternKind",
    "PatternWarning",
    "all_of",
    "any_of",
    "event_name_in",
    "field",
    "json_pattern",
    "parse_filter_pattern",
    "to_athena_condition",
    "to_athena_sql",
    "to_logs_insights_filter",
    "to_logs_insights_query",
    "union_of",
]
