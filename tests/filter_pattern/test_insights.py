"""Logs Insights translation: each construct, and None where no faithful translation exists."""

from __future__ import annotations

import pytest

from trailwatch_constructs.filter_pattern import parse_filter_pattern, to_logs_insights_filter, to_logs_insights_query

PREFIX = "fields @timestamp, eventSource, eventName, userIdentity.arn, sourceIPAddress"
SUFFIX = " | sort @timestamp desc | limit 100"


def _filter(pattern: str) -> str:
    """The text between '| filter ' and the sort command."""
    query = to_logs_insights_query(parse_filter_pattern(pattern))
    assert query is not None
    assert query.endswith(SUFFIX)
    return query.split(" | filter ", 1)[1][: -len(SUFFIX)]


def test_query_has_fields_filter_sort_and_limit() -> None:
    # GIVEN a CIS pattern
    pattern = parse_filter_pattern("{($.eventName=CreateTrail) || ($.eventName=UpdateTrail)}")
    # WHEN it is translated
    query = to_logs_insights_query(pattern)
    # THEN it is one Insights query, newest first, capped at 100 rows
    assert query == (
        f'{PREFIX} | filter eventName in ["CreateTrail", "UpdateTrail"] | sort @timestamp desc | limit 100'
    )


def test_fields_list_adds_every_field_the_pattern_tests() -> None:
    # GIVEN a pattern on fields outside the default list
    query = to_logs_insights_query(parse_filter_pattern('{ $.errorMessage = "Failed authentication" }'))
    # WHEN it is translated
    # THEN the tested field is shown too
    assert query is not None
    assert query.startswith(PREFIX + ", errorMessage | filter ")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.eventName = ConsoleLogin }", 'eventName = "ConsoleLogin"'),
        ('{ $.a = "it\'s" }', 'a = "it\'s"'),
        ('{ $.a = "q\\"uote" }', "a = 'q\"uote'"),
        ("{ $.a != x }", '(ispresent(a) and a != "x")'),
        ("{ $.errorCode = 400 }", "errorCode = 400"),
        ("{ $.latency > +1000 }", "latency > 1000"),
        ("{ $.latency <= 55.5 }", "latency <= 55.5"),
        ("{ $.a != 5 }", "(ispresent(a) and a != 5)"),
        ("{ $.a = * }", "ispresent(a)"),
        ("{ $.a = AccessDenied* }", "a like /^AccessDenied/"),
        ('{ $.a = "*UnauthorizedOperation" }', "a like /UnauthorizedOperation$/"),
        ("{ $.a = *sso.amazonaws.com* }", "a like /sso\\.amazonaws\\.com/"),
        ("{ $.a != 123.123.* }", "(ispresent(a) and a not like /^123\\.123\\./)"),
        ("{ $.a = %/service/[0-9]+$% }", "a like /\\/service\\/[0-9]+$/"),
        ("{ $.a != %Trail% }", "(ispresent(a) and a not like /Trail/)"),
        ("{ $.a = %10\\.0\\/8% }", "a like /10\\.0\\/8/"),
        ("{ $.userIdentity.invokedBy NOT EXISTS }", "not ispresent(userIdentity.invokedBy)"),
        ("{ $.items[0].instanceId = i-1 }", 'items.0.instanceId = "i-1"'),
        ("{ $.x-y = 1 }", "`x-y` = 1"),
        ("{ $.a = 1 && ($.b = 2 || $.c = 3) }", "a = 1 and (b = 2 or c = 3)"),
        ("{ $.a = 1 || $.b = 2 && $.c = 3 }", "a = 1 or (b = 2 and c = 3)"),
        ("{ $.a = x || $.b = y || $.a = z }", 'a in ["x", "z"] or b = "y"'),
        ("ERROR", '@message like "ERROR"'),
        (
            'ERROR -ARGUMENTS "two words"',
            '@message like "ERROR" and @message like "two words" and @message not like "ARGUMENTS"',
        ),
        ("?ERROR ?WARN", '@message like "ERROR" or @message like "WARN"'),
        ("?ERROR ?WARN REQUEST", '@message like "REQUEST"'),
        ("%^[hc]at%", "@message like /^[hc]at/"),
    ],
)
def test_construct_translates_to_insights_filter(pattern: str, expected: str) -> None:
    # GIVEN a pattern using one construct
    # WHEN it is translated
    # THEN the filter expression is the faithful Insights equivalent
    assert _filter(pattern) == expected


def test_match_everything_pattern_has_no_filter_command() -> None:
    # GIVEN the pattern that matches every event
    query = to_logs_insights_query(parse_filter_pattern('" "'))
    # WHEN it is translated
    # THEN the query has no filter
    assert query == f"{PREFIX}, @message{SUFFIX}"


def test_root_usage_pattern_translates_completely() -> None:
    # GIVEN the CIS CloudWatch.1 pattern
    text = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
    # WHEN it is translated
    # THEN every condition is present
    assert _filter(text) == (
        'userIdentity.type = "Root" and not ispresent(userIdentity.invokedBy) '
        'and (ispresent(eventType) and eventType != "AwsServiceEvent")'
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "[ip, user, status_code=4*, bytes]",
        "{ $.arrayKey[*] = value }",
        "{ $.* = value }",
        "{ $.SomeObject IS NULL }",
        "{ $.flag IS TRUE }",
        "{ $.flag IS FALSE }",
        "{ $.a != * }",
        "{ $.['cluster.name'] = c }",
        "{ $.numbers[0] < 10e3 }",
        '{ $.a = "back\\\\slash" }',
        "{ $.a = 1 && $.b[*] = 2 }",
        '{ $.a = x || $.b = "back\\\\slash" }',
        '"back\\\\slash"',
        "{ $.['a.b'] NOT EXISTS }",
        "{ $.['a`b'] = 1 }",
        '{ $.a = "line\nbreak" }',
        '{ $.a = "carriage\rreturn" }',
        '{ $.a = "say \\"it\'s\\"" }',
        "{ $.a = 1E3 }",
        '?ERROR ?"back\\\\slash"',
    ],
)
def test_construct_without_a_faithful_translation_gives_none(pattern: str) -> None:
    # GIVEN a pattern using a construct Insights cannot express faithfully
    # WHEN it is translated
    # THEN there is no query rather than a wrong one
    assert to_logs_insights_query(parse_filter_pattern(pattern)) is None


def test_compact_filter_writes_a_name_set_as_one_anchored_regex() -> None:
    # GIVEN an OR of plain event names WHEN translated compactly THEN one anchored regex replaces the list
    pattern = parse_filter_pattern("{($.eventName=CreateTrail) || ($.eventName=StopLogging)}")
    assert to_logs_insights_filter(pattern, compact=True) == "eventName =~ /^(CreateTrail|StopLogging)$/"
    assert to_logs_insights_filter(pattern) == 'eventName in ["CreateTrail", "StopLogging"]'


def test_compact_filter_keeps_the_list_when_a_name_needs_escaping() -> None:
    # GIVEN a value with a regex-special character THEN the compact form falls back to the exact list
    pattern = parse_filter_pattern('{($.eventSource="s3.amazonaws.com") || ($.eventSource="kms.amazonaws.com")}')
    assert to_logs_insights_filter(pattern, compact=True) == 'eventSource in ["s3.amazonaws.com", "kms.amazonaws.com"]'


def test_compact_filter_applies_inside_an_and() -> None:
    # GIVEN the CIS KMS pattern: an AND holding an OR of event names
    pattern = parse_filter_pattern(
        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}"
    )
    # WHEN it is translated compactly
    # THEN the nested name set is the anchored regex too
    assert to_logs_insights_filter(pattern, compact=True) == (
        'eventSource = "kms.amazonaws.com" and (eventName =~ /^(DisableKey|ScheduleKeyDeletion)$/)'
    )


def test_compact_filter_applies_inside_an_and_inside_an_or() -> None:
    # GIVEN an OR whose first operand is an AND holding a name set
    pattern = parse_filter_pattern("{ ($.a = x && ($.eventName = A || $.eventName = B)) || $.c = y }")
    # WHEN it is translated compactly
    # THEN the name set two levels down is the anchored regex too
    assert to_logs_insights_filter(pattern, compact=True) == '(a = "x" and (eventName =~ /^(A|B)$/)) or c = "y"'


def test_standalone_regex_query_shows_the_message() -> None:
    # GIVEN a standalone regex pattern
    # WHEN it is translated
    query = to_logs_insights_query(parse_filter_pattern("%ERR%"))
    # THEN the query shows @message beside the base fields
    assert query == f"{PREFIX}, @message | filter @message like /ERR/{SUFFIX}"


def test_filter_of_a_pattern_without_a_faithful_translation_is_none() -> None:
    # GIVEN a space-delimited pattern
    # WHEN only its filter expression is asked for
    # THEN there is none
    assert to_logs_insights_filter(parse_filter_pattern("[a, b]")) is None
