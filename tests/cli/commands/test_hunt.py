"""``trailwatch hunt --print-sql``: the controls as Athena SQL, run in DuckDB over the documented table."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner, Result

from tests.aws.test_athena_runner import set_results
from tests.aws_server import AwsEndpoint
from tests.filter_pattern.athena_table import cloudtrail_table, run_athena_sql
from trailwatch_constructs.aws import athena_runner
from trailwatch_constructs.aws.athena_runner import athena_client
from trailwatch_constructs.catalog import catalog_controls, load_samples
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.cli.main import cli

GROUPS = ["Admins"]


def _records() -> list[tuple[str, dict[str, Any]]]:
    """Every control's samples, each under an id of its own, on two days."""
    records = []
    for control in catalog_controls(privileged_groups=GROUPS):
        samples = load_samples(control.id)
        for n, sample in enumerate((*samples.fires, *samples.ignores)):
            day = "2026-11-01" if n % 2 else "2026-11-20"
            records.append((f"{control.id}/{n}", {**sample.record, "eventTime": f"{day}T10:00:00Z"}))
    return records


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Any:
    connection = cloudtrail_table(_records(), tmp_path_factory.mktemp("hunt"))
    # AWS's partition-projection table is partitioned by the objects' delivery day, yyyy/MM/dd.
    connection.execute('ALTER TABLE cloudtrail_logs ADD COLUMN "timestamp" VARCHAR')
    connection.execute("UPDATE cloudtrail_logs SET \"timestamp\" = replace(substr(eventtime, 1, 10), '-', '/')")
    return connection


def _queries(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["hunt", "--print-sql", "--format", "json", "--privileged-group", "Admins", *args])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _engine_matches(control_id: str, since: str = "", until: str = "") -> set[str]:
    (control,) = [c for c in catalog_controls(privileged_groups=GROUPS) if c.id == control_id]
    union = control.deploying(deployed_texts(control))
    return {
        event_id
        for event_id, record in _records()
        if union.matches(record)
        and since <= record["eventTime"][:10]
        and (not until or record["eventTime"][:10] <= until)
    }


def test_json_names_the_dialect_the_table_and_one_query_per_control(runner: CliRunner) -> None:
    data = _queries(runner, "--table", "security.cloudtrail_logs")
    assert (data["dialect"], data["table"]) == ("athena", "security.cloudtrail_logs")
    assert list(data["queries"]) == [c.id for c in catalog_controls(privileged_groups=GROUPS)]
    assert all(
        " FROM security.cloudtrail_logs WHERE " in sql and "LIMIT" not in sql for sql in data["queries"].values()
    )


def test_every_query_returns_exactly_the_events_the_engine_matches(runner: CliRunner, table: Any) -> None:
    # GIVEN every control's samples in the documented table WHEN each printed query runs (sqlglot -> DuckDB)
    for control_id, sql in _queries(runner)["queries"].items():
        # THEN it returns exactly the samples the engine matches (the control's filters' union), except the
        # documented missing-vs-null limit of struct members: root usage's probe with "invokedBy": null
        returned = run_athena_sql(table, sql)
        extra = {e for e in returned - _engine_matches(control_id)}
        assert _engine_matches(control_id) <= returned, control_id
        assert all(dict(_records())[e]["userIdentity"].get("invokedBy", "") is None for e in extra), control_id
        assert not extra or control_id == "root-account-usage", control_id


def test_since_and_until_bound_the_partition_and_eventtime(runner: CliRunner, table: Any) -> None:
    # GIVEN a day range holding only the 2026-11-20 records
    queries = _queries(runner, "--since", "2026-11-10", "--until", "2026-11-25")["queries"]
    sql = queries["root-account-usage"]
    assert "\"timestamp\" >= '2026/11/10'" in sql and "\"timestamp\" <= '2026/11/25'" in sql
    # THEN each query returns only the matches of that range
    for control_id, query in queries.items():
        returned = run_athena_sql(table, query)
        assert returned >= _engine_matches(control_id, "2026-11-10", "2026-11-25"), control_id
        assert all(dict(_records())[e]["eventTime"].startswith("2026-11-20") for e in returned), control_id


def test_sql_format_prints_one_statement_per_control_with_its_notes(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["hunt", "--print-sql", "--include", "root-account-usage"])
    assert result.stdout.startswith("-- root-account-usage\n-- note: ")
    assert result.stdout.rstrip().endswith(";")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --print-sql"),
        (["--print-sql", "--since", "2026-11-02", "--until", "2026-11-01"], "--since 2026-11-02 is after --until"),
        (["--print-sql", "--include", "nope"], "nope"),
    ],
    ids=["no-mode", "reversed-range", "unknown-control"],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["hunt", *args])
    assert result.exit_code == 2
    assert message in result.stderr


# --run: the queries run in Athena, here moto's (tests/aws_server.py), whose results are set through its API.

RUN_CONTROLS = ["--include", "root-account-usage", "--include", "cloudtrail-config-changes"]


def _run(runner: CliRunner, aws: AwsEndpoint, *args: str) -> Result:
    base = ["hunt", "--run", "--endpoint-url", aws.url, "--region", aws.region]
    return runner.invoke(cli, [*base, *RUN_CONTROLS, *args])


def test_run_reports_each_controls_matches_rows_and_bytes(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN moto's Athena answering the first query with two rows and the second with none
    set_results(aws, [("e1", "ConsoleLogin"), ("e2", "GetCallerIdentity")], [])
    # WHEN hunt runs both, printing one row each
    result = _run(runner, aws, "--format", "json", "--rows", "1", "--output-location", "s3://results/")
    # THEN each control reports its matches, first rows, state and bytes scanned (moto scans none)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["dialect"], data["table"], data["bytes_scanned"]) == ("athena", "cloudtrail_logs", 0)
    assert data["controls"] == {
        "root-account-usage": {
            "matches": 2,
            "bytes_scanned": 0,
            "state": "SUCCEEDED",
            "rows": [{"eventid": "e1", "eventname": "ConsoleLogin"}],
        },
        "cloudtrail-config-changes": {"matches": 0, "bytes_scanned": 0, "state": "SUCCEEDED", "rows": []},
    }


def test_run_sql_format_prints_one_line_per_control(runner: CliRunner, aws: AwsEndpoint) -> None:
    set_results(aws, [("e1", "ConsoleLogin")])
    result = _run(runner, aws)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "root-account-usage         SUCCEEDED  1 matches  0 bytes scanned",
        "cloudtrail-config-changes  SUCCEEDED  0 matches  0 bytes scanned",
    ]


def test_run_exits_1_with_the_reason_of_a_failed_query(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an Athena failing the query (moto cannot: a botocore Stubber answers every call of this client)
    client = athena_client(region=aws.region, endpoint_url=aws.url)
    stub = Stubber(client)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    failed = {"State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: cloudtrail_logs"}
    stub.add_response(
        "get_query_execution", {"QueryExecution": {"Status": failed, "Statistics": {"DataScannedInBytes": 5}}}
    )
    monkeypatch.setattr(athena_runner, "athena_client", lambda **_kwargs: client)
    # WHEN hunt runs it
    with stub:
        result = runner.invoke(cli, ["hunt", "--run", "--include", "root-account-usage", "--format", "json"])
    # THEN the state and reason are reported, and the exit is 1
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["controls"]["root-account-usage"] == {
        "matches": 0,
        "bytes_scanned": 5,
        "state": "FAILED",
        "reason": "TABLE_NOT_FOUND: cloudtrail_logs",
        "rows": [],
    }
    assert data["bytes_scanned"] == 5


def test_run_against_an_unreachable_endpoint_is_one_error_line(
    runner: CliRunner, aws: AwsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    args = ["hunt", "--run", "--endpoint-url", "http://127.0.0.1:1", "--region", aws.region]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("trailwatch: error: cannot call AWS in eu-west-1")
    assert len(result.stderr.splitlines()) == 1


def test_print_sql_and_run_are_mutually_exclusive(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["hunt", "--print-sql", "--run"])
    assert result.exit_code == 2
    assert "--print-sql and --run are mutually exclusive" in result.stderr
