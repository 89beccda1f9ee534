"""Canonical rendering: the compact CIS style, with the same meaning as the input."""

from __future__ import annotations

import pytest

from trailwatch_constructs.filter_pattern import parse_filter_pattern

CANONICAL = [
    # (input, canonical rendering)
    (
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }",
        "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail)}",
    ),
    (
        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
        "{($.userIdentity.type=Root) && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType!=AwsServiceEvent)}",
    ),
    (
        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
    ),
    (
        '{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = "AccessDenied*") }',
        '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    ),
    ("{ $.a = 1 || $.b = 2 && $.c = 3 }", "{($.a=1) || (($.b=2) && ($.c=3))}"),
    ("{ $.latency = * }", "{($.latency=*)}"),
    ('{ $.errorMessage = "Failed authentication" }', '{($.errorMessage="Failed authentication")}'),
    ('{ $.a = "400" }', '{($.a="400")}'),
    ('{ $.a = "true" }', '{($.a="true")}'),
    ('{ $.a = "us-east-1" }', '{($.a="us-east-1")}'),
    ('{ $.a = "say \\"hi\\"" }', '{($.a="say \\"hi\\"")}'),
    ("{ $.numbers[0] < 10e-3 }", "{($.numbers[0]<10e-3)}"),
    ("{ $.['cluster.name'] = c }", "{($.['cluster.name']=c)}"),
    ("{ $.a[*] = %val.{2}% }", "{($.a[*]=%val.{2}%)}"),
    ("{ $.SomeObject IS NULL }", "{($.SomeObject IS NULL)}"),
    ("[ip , user,...,status_code = 4* && bytes>1000,bytes]", "[ip, user, ..., status_code=4* && bytes>1000, bytes]"),
    ("[..., request =*.html*, status_code = 4*,]", "[..., request=*.html*, status_code=4*, ]"),
    ("[w1=ERROR || w1=WARNING, w2]", "[w1=ERROR || w1=WARNING, w2]"),
    ('[a = "x y", b = "-"]', '[a="x y", b="-"]'),
    ("  ERROR   -ARGUMENTS  ?x ", "ERROR -ARGUMENTS ?x"),
    ('"INTERNAL SERVER ERROR"', '"INTERNAL SERVER ERROR"'),
    ('"ERROR"', "ERROR"),
    ("", ""),
    ('" "', '" "'),
    ("  %^[hc]at%  ", "%^[hc]at%"),
]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL, ids=[c[0] or "(empty)" for c in CANONICAL])
def test_pattern_renders_in_canonical_form(text: str, canonical: str) -> None:
    # GIVEN a pattern in any valid spelling
    # WHEN it is rendered
    rendered = parse_filter_pattern(text).render()
    # THEN it is the canonical text
    assert rendered == canonical


@pytest.mark.parametrize(("text", "canonical"), CANONICAL, ids=[c[0] or "(empty)" for c in CANONICAL])
def test_canonical_form_renders_to_itself(text: str, canonical: str) -> None:
    # GIVEN canonical text
    # WHEN it is parsed and rendered
    # THEN nothing changes
    assert parse_filter_pattern(canonical).render() == canonical


def test_str_of_a_pattern_is_its_rendering() -> None:
    # GIVEN a parsed pattern
    pattern = parse_filter_pattern("{ $.a = 1 }")
    # WHEN it is converted to str
    # THEN it is the canonical rendering
    assert str(pattern) == pattern.render() == "{($.a=1)}"


def test_backslash_at_the_end_of_a_string_is_escaped() -> None:
    # GIVEN a value ending in a backslash (written escaped in the pattern)
    pattern = parse_filter_pattern('{ $.path = "C:\\\\" }')
    # WHEN it is rendered
    rendered = pattern.render()
    # THEN the backslash is escaped, so the closing quote still closes the string
    assert rendered == '{($.path="C:\\\\")}'
    assert parse_filter_pattern(rendered).root == pattern.root
