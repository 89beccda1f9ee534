"""Runs Athena queries with boto3: start each, poll it to a final state, page its results.

``trailwatch hunt --run`` runs each control's query (:mod:`trailwatch_constructs.filter_pattern.athena`)
through :func:`run_queries` and reports, per query, its final state, the rows it returned and the bytes
Athena scanned (what a query costs). Nothing here imports click or ``aws_cdk``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]

from trailwatch_constructs.aws import aws_errors

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
"""The states an Athena query execution ends in."""

Row = dict[str, str | None]
"""One result row: column name to its text (``None``: SQL NULL)."""


@dataclass(frozen=True)
class QueryRun:
    """How to run the queries: where, and how long to wait for each.

    Attributes:
        workgroup: the Athena workgroup.
        output_location: the S3 URL of the results; ``None``: the workgroup's.
        timeout: seconds to wait for one query to end; then it is stopped.
        poll_interval: seconds between two GetQueryExecution calls.
        max_rows: how many rows of each query's result to keep (all are counted).
    """

    workgroup: str = "primary"
    output_location: str | None = None
    timeout: float = 300.0
    poll_interval: float = 1.0
    max_rows: int = 10


@dataclass(frozen=True)
class QueryOutcome:
    """One query's end: its state, why it did not succeed, its matches and the bytes it scanned."""

    execution_id: str
    state: str
    reason: str
    matches: int
    bytes_scanned: int
    rows: tuple[Row, ...]

    @property
    def succeeded(self) -> bool:
        """Whether the query ended SUCCEEDED."""
        return self.state == "SUCCEEDED"


def athena_client(*, region: str | None, profile: str | None = None, endpoint_url: str | None = None) -> Any:
    """Returns a boto3 Athena client.

    Args:
        region: the Region; ``None``: the session's (``AWS_REGION``, the profile's).
        profile: the AWS profile. Default: the usual credential chain.
        endpoint_url: send every call to this endpoint (a local test server). Default: AWS's.

    Raises:
        AwsCallError: the profile does not exist, or there is no Region.
    """
    with aws_errors(region):
        session = boto3.Session(profile_name=profile)
        return session.client("athena", region_name=region or session.region_name, endpoint_url=endpoint_url)


def run_queries(
    client: Any,
    queries: Mapping[str, str],
    run: QueryRun,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, QueryOutcome]:
    """Runs each query in turn and returns its outcome under its key.

    Args:
        client: a boto3 Athena client.
        queries: SQL by name (a control's id).
        run: the workgroup, results location and timeout.
        sleep: waits between polls (tests pass a no-op).
        clock: seconds, for the timeout.

    Raises:
        AwsCallError: a call failed (no credentials, no such workgroup, a permission missing).
    """
    return {name: run_query(client, sql, run, sleep=sleep, clock=clock) for name, sql in queries.items()}


def run_query(
    client: Any,
    sql: str,
    run: QueryRun,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> QueryOutcome:
    """Starts one query, waits for its final state (stopping it after the timeout) and reads its rows.

    Args:
        client: a boto3 Athena client.
        sql: the query.
        run: the workgroup, results location and timeout.
        sleep: waits between polls.
        clock: seconds, for the timeout.

    Raises:
        AwsCallError: a call failed.
    """
    region = getattr(getattr(client, "meta", None), "region_name", None)
    with aws_errors(region):
        start: dict[str, Any] = {"QueryString": sql, "WorkGroup": run.workgroup}
        if run.output_location:
            start["ResultConfiguration"] = {"OutputLocation": run.output_location}
        execution_id: str = client.start_query_execution(**start)["QueryExecutionId"]
        deadline = clock() + run.timeout
        while True:
            execution = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            status = execution.get("Status", {})
            state = str(status.get("State", ""))
            if state in FINAL_STATES:
                break
            if clock() >= deadline:
                client.stop_query_execution(QueryExecutionId=execution_id)
                return QueryOutcome(
                    execution_id, "CANCELLED", f"no final state after {run.timeout:g} s: stopped", 0, 0, ()
                )
            sleep(run.poll_interval)
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        if state != "SUCCEEDED":
            return QueryOutcome(execution_id, state, str(status.get("StateChangeReason", "")), 0, scanned, ())
        matches, rows = _results(client, execution_id, run.max_rows)
    return QueryOutcome(execution_id, state, "", matches, scanned, tuple(rows))


def _results(client: Any, execution_id: str, max_rows: int) -> tuple[int, list[Row]]:
    """Pages GetQueryResults: the number of data rows, and the first ``max_rows`` of them as dicts."""
    matches = 0
    kept: list[Row] = []
    names: list[str] | None = None
    token: str | None = None
    while True:
        args: dict[str, Any] = {"QueryExecutionId": execution_id, "MaxResults": 1000}
        if token:
            args["NextToken"] = token
        page = client.get_query_results(**args)
        result_set = page.get("ResultSet", {})
        values = [[d.get("VarCharValue") for d in row.get("Data", [])] for row in result_set.get("Rows", [])]
        if names is None:
            names = [str(c.get("Name", "")) for c in result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])]
            # A SELECT's first row is its header: the column names again.
            if values and names and values[0] == names:
                values = values[1:]
        matches += len(values)
        for row in values[: max(0, max_rows - len(kept))]:
            kept.append({name: value for name, value in zip(names or _positions(row), row, strict=False)})
        token = page.get("NextToken")
        if not token:
            return matches, kept


def _positions(row: list[str | None]) -> list[str]:
    return [f"_col{n}" for n in range(len(row))]
