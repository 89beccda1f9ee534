"""Per-control statistics: principals (with their fallbacks), event names, source IPs, time span, top lists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli.statistics import ControlStats, principal_of, top

from .helpers import (
    ALICE,
    BOB,
    run_json,
)


def test_control_stats_count_matches_principals_names_ips_and_time_span(runner: CliRunner, archive: Path) -> None:
    # GIVEN 5 denied calls: alice x3, bob, and an AWS service without an ARN
    # WHEN the archive is replayed
    _, report = run_json(runner, ["replay", str(archive)])
    stats = report["controls"]["unauthorized-api-calls"]
    # THEN the principals are counted by ARN, falling back to type:invokedBy, most common first
    assert stats["matches"] == 5
    assert stats["principals"] == 3
    assert stats["top_principals"] == [
        {"value": ALICE, "count": 3},
        {"value": "AWSService:ec2.amazonaws.com", "count": 1},
        {"value": BOB, "count": 1},
    ]
    assert stats["top_event_names"] == [{"value": "GetObject", "count": 4}, {"value": "Decrypt", "count": 1}]
    assert stats["top_source_ips"] == [
        {"value": "198.51.100.9", "count": 3},
        {"value": "203.0.113.5", "count": 1},
        {"value": "ec2.amazonaws.com", "count": 1},
    ]
    # AND the first and last eventTime span all files, whatever their order in the files
    assert (stats["first_event_time"], stats["last_event_time"]) == ("2024-05-01T01:02:00Z", "2024-05-01T01:09:00Z")


def test_top_limits_the_top_lists(runner: CliRunner, archive: Path) -> None:
    # GIVEN three distinct principals among the matches
    # WHEN replayed with --top 1
    _, report = run_json(runner, ["replay", str(archive), "--top", "1"])
    # THEN one principal is listed, but all are counted
    stats = report["controls"]["unauthorized-api-calls"]
    assert stats["top_principals"] == [{"value": ALICE, "count": 3}]
    assert stats["principals"] == 3


@pytest.mark.parametrize(
    ("identity", "principal"),
    [
        ({"type": "IAMUser", "arn": "arn:aws:iam::1:user/a", "principalId": "AIDA"}, "arn:aws:iam::1:user/a"),
        ({"type": "AWSAccount", "arn": "", "principalId": "AIDA:x"}, "AWSAccount:AIDA:x"),
        ({"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}, "AWSService:ec2.amazonaws.com"),
        ({"type": "AWSService", "principalId": "", "invokedBy": "s3.amazonaws.com"}, "AWSService:s3.amazonaws.com"),
        ({"principalId": "AIDA:y"}, "AIDA:y"),
        ({"type": "Unknown"}, "Unknown"),
        ({"type": 5, "principalId": "AIDA:z"}, "AIDA:z"),
        ({"type": "", "arn": 5}, "(unknown)"),
        ({}, "(unknown)"),
        ("not an object", "(no userIdentity)"),
        (None, "(no userIdentity)"),
    ],
    ids=[
        "arn",
        "principal-id",
        "invoked-by",
        "empty-principal-id",
        "no-type",
        "type-only",
        "type-not-a-string",
        "nothing",
        "empty",
        "str",
        "null",
    ],
)
def test_the_principal_falls_back_from_the_arn(identity: object, principal: str) -> None:
    # GIVEN a record with this userIdentity
    # WHEN its principal is named
    # THEN it is the ARN; else type:principalId, type:invokedBy, type; else a placeholder
    assert principal_of({"userIdentity": identity}) == principal


def test_a_record_without_user_identity_has_a_placeholder_principal() -> None:
    assert principal_of({}) == "(no userIdentity)"


def test_add_counts_values_and_widens_the_time_span() -> None:
    # GIVEN empty statistics
    stats = ControlStats()
    # WHEN three records are added, out of time order, one without name, address or time
    stats.add({"eventName": "A", "sourceIPAddress": "1.1.1.1", "eventTime": "2024-05-01T00:00:02Z"})
    stats.add({"eventName": "B", "sourceIPAddress": "2.2.2.2", "eventTime": "2024-05-01T00:00:01Z"})
    stats.add({"eventName": 5, "eventTime": 7})
    # THEN everything is counted, missing values as "(none)", and the span covers the times given
    assert stats.matches == 3
    assert stats.event_names == Counter({"A": 1, "B": 1, "(none)": 1})
    assert stats.source_ips == Counter({"1.1.1.1": 1, "2.2.2.2": 1, "(none)": 1})
    assert stats.principals == Counter({"(no userIdentity)": 3})
    assert (stats.first_event_time, stats.last_event_time) == ("2024-05-01T00:00:01Z", "2024-05-01T00:00:02Z")


def test_merge_adds_counts_and_widens_the_span() -> None:
    # GIVEN two controls' statistics from two files
    first, second = ControlStats(), ControlStats()
    first.add({"eventName": "A", "eventTime": "2024-05-01T00:00:05Z"})
    second.add({"eventName": "A", "eventTime": "2024-05-01T00:00:01Z"})
    second.add({"eventName": "B", "eventTime": "2024-05-01T00:00:09Z"})
    # WHEN the second is merged into the first
    first.merge(second)
    # THEN the counts add up and the span is the union
    assert first.matches == 3
    assert first.event_names == Counter({"A": 2, "B": 1})
    assert (first.first_event_time, first.last_event_time) == ("2024-05-01T00:00:01Z", "2024-05-01T00:00:09Z")


def test_merge_of_statistics_without_times_keeps_the_span() -> None:
    # GIVEN statistics with a span, and statistics of records without eventTime
    stats, timeless = ControlStats(), ControlStats()
    stats.add({"eventTime": "2024-05-01T00:00:05Z"})
    timeless.add({})
    # WHEN merged
    stats.merge(timeless)
    # THEN the span is unchanged
    assert (stats.first_event_time, stats.last_event_time) == ("2024-05-01T00:00:05Z", "2024-05-01T00:00:05Z")


def test_top_breaks_ties_by_value_and_keeps_n() -> None:
    # GIVEN counts with ties
    counts = Counter({"b": 2, "a": 2, "c": 3, "d": 1})
    # WHEN the top 3 are taken THEN the most common come first, ties in value order
    assert top(counts, 3) == [("c", 3), ("a", 2), ("b", 2)]
    assert top(counts, 1) == [("c", 3)]
