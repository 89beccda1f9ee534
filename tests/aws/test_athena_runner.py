"""Athena queries run with boto3 (aws/athena_runner.py): against moto's Athena, whose results are set
through its API, and a botocore Stubber where moto cannot go (moto's queries always SUCCEED, scanning 0 bytes).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.aws_server import AwsEndpoint
from trailwatch_constructs.aws import AwsCallError
from trailwatch_constructs.aws.athena_runner import QueryRun, athena_client, run_queries

COLUMNS = ("eventid", "eventname")


def set_results(aws: AwsEndpoint, *results: list[tuple[str | None, ...]]) -> None:
    """Queues one result per query (taken in the order the queries' results are read), each with
    Athena's header row first."""
    body = {
        "account_id": aws.account,
        "region": aws.region,
        "results": [
            {
                "rows": [
                    {"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in (COLUMNS, *rows)
                ],
                "column_info": [{"Name": c, "Type": "varchar"} for c in COLUMNS],
            }
            for rows in results
        ],
    }
    request = urllib.request.Request(
        f"{aws.url}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_each_query_reports_its_rows_and_matches(aws: AwsEndpoint) -> None:
    # GIVEN moto's Athena answering the first query with two rows and the second with none
    set_results(aws, [("e1", "ConsoleLogin"), ("e2", None)], [])
    client = athena_client(region=aws.region, endpoint_url=aws.url)
    # WHEN both run, keeping one row each
    run = QueryRun(output_location="s3://results/hunt/", max_rows=1, poll_interval=0)
    outcomes = run_queries(client, {"a": "SELECT 1", "b": "SELECT 2"}, run, sleep=lambda _s: None)
    # THEN the header row is not a match, every row is counted and only the first is kept
    assert (outcomes["a"].state, outcomes["a"].matches, outcomes["a"].bytes_scanned) == ("SUCCEEDED", 2, 0)
    assert outcomes["a"].rows == ({"eventid": "e1", "eventname": "ConsoleLogin"},)
    assert (outcomes["b"].matches, outcomes["b"].rows, outcomes["b"].succeeded) == (0, (), True)


def _stubbed(aws: AwsEndpoint) -> tuple[Any, Stubber]:
    client = athena_client(region=aws.region, endpoint_url=aws.url)
    return client, Stubber(client)


def test_a_failed_query_reports_its_state_reason_and_bytes(aws: AwsEndpoint) -> None:
    # GIVEN an Athena that fails the query (moto cannot: a Stubber answers for it)
    client, stub = _stubbed(aws)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", {"QueryExecution": {"Status": {"State": "RUNNING"}}})
    failed = {"State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: cloudtrail_logs"}
    stub.add_response(
        "get_query_execution",
        {"QueryExecution": {"Status": failed, "Statistics": {"DataScannedInBytes": 42}}},
        {"QueryExecutionId": "q1"},
    )
    # WHEN it runs
    with stub:
        (outcome,) = run_queries(client, {"a": "SELECT 1"}, QueryRun(poll_interval=0), sleep=lambda _s: None).values()
    # THEN its state, reason and scanned bytes are reported, and no results are read
    assert (outcome.state, outcome.reason, outcome.bytes_scanned, outcome.matches) == (
        "FAILED",
        "TABLE_NOT_FOUND: cloudtrail_logs",
        42,
        0,
    )
    stub.assert_no_pending_responses()


def test_results_are_paged(aws: AwsEndpoint) -> None:
    # GIVEN a result of two pages (moto does not page: a Stubber answers)
    client, stub = _stubbed(aws)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    done = {"Status": {"State": "SUCCEEDED"}, "Statistics": {"DataScannedInBytes": 7}}
    stub.add_response("get_query_execution", {"QueryExecution": done})
    meta = {"ColumnInfo": [{"Name": "eventid", "Type": "varchar"}]}
    page1 = [{"Data": [{"VarCharValue": "eventid"}]}, {"Data": [{"VarCharValue": "e1"}]}]
    stub.add_response("get_query_results", {"ResultSet": {"Rows": page1, "ResultSetMetadata": meta}, "NextToken": "t"})
    page2 = [{"Data": [{"VarCharValue": "e2"}]}]
    stub.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": page2, "ResultSetMetadata": meta}},
        {"QueryExecutionId": "q1", "MaxResults": 1000, "NextToken": "t"},
    )
    with stub:
        (outcome,) = run_queries(client, {"a": "SELECT 1"}, QueryRun(poll_interval=0)).values()
    assert (outcome.matches, outcome.bytes_scanned) == (2, 7)
    assert outcome.rows == ({"eventid": "e1"}, {"eventid": "e2"})


def test_a_query_past_the_timeout_is_stopped(aws: AwsEndpoint) -> None:
    # GIVEN a query that stays RUNNING and a clock past the timeout on the second look
    client, stub = _stubbed(aws)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    running = {"QueryExecution": {"Status": {"State": "RUNNING"}}}
    stub.add_response("get_query_execution", running)
    stub.add_response("get_query_execution", running)
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q1"})
    ticks = iter([0.0, 1.0, 11.0])
    with stub:
        (outcome,) = run_queries(
            client, {"a": "SELECT 1"}, QueryRun(timeout=10), sleep=lambda _s: None, clock=lambda: next(ticks)
        ).values()
    # THEN it is stopped and reported CANCELLED
    assert (outcome.state, outcome.reason) == ("CANCELLED", "no final state after 10 s: stopped")
    stub.assert_no_pending_responses()


def test_an_unreachable_endpoint_is_an_aws_call_error(aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    client = athena_client(region=aws.region, endpoint_url="http://127.0.0.1:1")
    with pytest.raises(AwsCallError, match="cannot call AWS in eu-west-1"):
        run_queries(client, {"a": "SELECT 1"}, QueryRun())
