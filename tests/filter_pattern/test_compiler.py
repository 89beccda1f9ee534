"""Compiled matchers do the minimum work per event (the CLI's hot path)."""

from __future__ import annotations

from trailwatch_constructs.filter_pattern import parse_filter_pattern

EVENT_NAMES = [
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
    "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
    "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
    "DetachGroupPolicy",
]  # fmt: skip
CIS_IAM_POLICY = "{" + "||".join(f"($.eventName={name})" for name in EVENT_NAMES) + "}"


class CountingDict(dict[str, object]):
    """A JSON object that counts key lookups, to observe the compiled matcher."""

    lookups: list[str]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.lookups = []

    def get(self, key: str, default: object = None) -> object:
        self.lookups.append(key)
        return super().get(key, default)


def test_or_of_sixteen_equalities_reads_the_field_once() -> None:
    # GIVEN the CIS IAM-policy pattern: 16 ($.eventName=X) clauses joined by ||
    pattern = parse_filter_pattern(CIS_IAM_POLICY)
    event = CountingDict(eventName="DescribeInstances")
    # WHEN a non-matching event is tested
    assert pattern.matches(event) is False
    # THEN eventName was looked up once (one frozenset membership test, not 16 comparisons)
    assert event.lookups == ["eventName"]


def test_or_of_sixteen_equalities_matches_each_listed_name() -> None:
    # GIVEN the CIS IAM-policy pattern
    pattern = parse_filter_pattern(CIS_IAM_POLICY)
    # WHEN each listed event name is tested
    # THEN every one matches
    assert all(pattern.matches({"eventName": name}) for name in EVENT_NAMES)


def test_and_runs_the_selective_equality_before_the_inequality() -> None:
    # GIVEN the CIS root-usage pattern, written with '!=' last but NOT EXISTS second
    pattern = parse_filter_pattern(
        '{$.eventType !="AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type="Root"}'
    )
    event = CountingDict(eventType="AwsApiCall", userIdentity={"type": "IAMUser"})
    # WHEN an IAM-user event (the common case) is tested
    assert pattern.matches(event) is False
    # THEN the exact-string test on userIdentity.type ran first and short-circuited the rest
    assert event.lookups == ["userIdentity"]


def test_equalities_merge_per_field_inside_a_mixed_or() -> None:
    # GIVEN an OR mixing two fields
    pattern = parse_filter_pattern("{ $.a = x || $.b = y || $.a = z }")
    event = CountingDict(a="q", b="q")
    # WHEN nothing matches
    assert pattern.matches(event) is False
    # THEN each field was read once
    assert sorted(event.lookups) == ["a", "b"]


def test_keys_with_quotes_backslashes_and_newlines_are_looked_up_verbatim() -> None:
    # GIVEN a bracketed key full of characters that are special in Python source
    pattern = parse_filter_pattern("{ $.['say \"hi\"\\\n'] = x }")
    # WHEN an event has exactly that key
    # THEN the generated matcher finds it
    assert pattern.matches({'say "hi"\\\n': "x"}) is True


def test_most_deeply_nested_pattern_that_fits_compiles_and_matches() -> None:
    # GIVEN AND and OR alternating as deep as 1,024 characters allow
    inner = "$.a=1"
    depth = 0
    while True:
        wider = f"($.b={depth % 10} {'||' if depth % 2 else '&&'} {inner})"
        if len(wider) + 2 > 1024:
            break
        inner, depth = wider, depth + 1
    pattern = parse_filter_pattern("{" + inner + "}")
    outermost = (depth - 1) % 10
    assert depth > 80 and pattern.text.startswith(f"{{($.b={outermost} ||")
    # WHEN events are matched
    # THEN the generated matcher follows the outermost OR and the innermost test
    assert pattern.matches({"b": outermost}) is True
    assert pattern.matches({"a": 2, "b": -1}) is False
