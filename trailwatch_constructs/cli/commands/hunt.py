"""``trailwatch hunt``: the controls as Athena SQL over the CloudTrail table, for an organization's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import click
import orjson

from trailwatch_constructs.catalog.auditors import ALL_AUDITORS, Auditor, deployed_texts
from trailwatch_constructs.catalog.definition import ControlDefinition
from trailwatch_constructs.catalog.selection import resolve_selection
from trailwatch_constructs.cli.options import (
    auditor_option,
    aws_connection_options,
    format_option,
    privileged_group_option,
    timeout_option,
)
from trailwatch_constructs.filter_pattern.athena import DEFAULT_TABLE, AthenaQuery, to_athena_sql

if TYPE_CHECKING:
    from trailwatch_constructs.aws.athena_runner import QueryOutcome

HuntFormat = Literal["sql", "json"]
"""``trailwatch hunt --format``; the first is the default."""

PARTITION_COLUMN = "timestamp"
"""The partition of AWS's partition-projection table for CloudTrail: ``yyyy/MM/dd`` of the object's key."""


@click.command("hunt", short_help="Print or run the controls as Athena SQL over the CloudTrail table.")
@click.option("--print-sql", is_flag=True, help="Print the queries (this or --run is required).")
@click.option("--run", is_flag=True, help="Run the queries in Athena (boto3) and report each one's matches.")
@click.option("--table", default=DEFAULT_TABLE, show_default=True, help="The CloudTrail table: name or db.name.")
@click.option("--include", "included", multiple=True, metavar="ID", help="Only this control (repeatable).")
@click.option("--exclude", "excluded", multiple=True, metavar="ID", help="Leave a control out (repeatable).")
@privileged_group_option
@auditor_option
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (UTC) to search.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day (UTC) to search.")
@format_option(
    HuntFormat, help="sql: one statement (--run: one line) per control; json: {dialect, table, queries|controls}."
)
@click.option("--workgroup", default="primary", show_default=True, help="--run: the Athena workgroup.")
@click.option(
    "--output-location", metavar="S3_URL", help="--run: where Athena writes results; default: the workgroup's."
)
@timeout_option(300.0, help="--run: how long to wait for each query; then it is stopped.")
@click.option(
    "--rows",
    "max_rows",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="--run, json: how many rows of each query to print (all are counted).",
)
@click.option(
    "--region", metavar="REGION", help="--run: the Region; default: the session's (AWS_REGION, the profile's)."
)
@aws_connection_options("--run's AWS calls")
def hunt_command(
    print_sql: bool,
    run: bool,
    table: str,
    included: tuple[str, ...],
    excluded: tuple[str, ...],
    privileged_groups: tuple[str, ...],
    auditors: tuple[str, ...],
    since: dt.datetime | None,
    until: dt.datetime | None,
    fmt: HuntFormat,
    workgroup: str,
    output_location: str | None,
    timeout: float,
    max_rows: int,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
) -> int:
    """Print each selected control as an Athena (Trino) query over the table AWS documents in "Create
    the table for CloudTrail logs in Athena using partition projection": one row per matching event
    (eventid, eventtime, source and name, principal, source IP, Region, account), no LIMIT.

    --since/--until bound the partition column (timestamp, yyyy/MM/dd), which is what cuts the bytes
    Athena scans, and eventtime. A control matches what the filters it deploys for the --auditor set
    match, as in replay.

    --run starts each query in Athena (--workgroup, --output-location), waits up to --timeout for it
    to end, and reports per control its matches, the bytes it scanned, and why a query failed.
    Exit 1 when a query did not succeed.
    """
    if print_sql and run:
        raise click.UsageError("--print-sql and --run are mutually exclusive")
    if not (print_sql or run):
        raise click.UsageError("give --print-sql or --run")
    if since and until and since > until:
        raise click.UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    controls = _controls(included, excluded, privileged_groups, auditors or ALL_AUDITORS)
    where = time_predicates(since, until)
    queries = {c.id: to_athena_sql(c.filter_pattern, table=table, where=where) for c in controls}
    if not run:
        click.echo(_render(queries, table, fmt), nl=False)
        return 0
    # Imported here: boto3 is not needed for the other commands' start, nor for --print-sql.
    from trailwatch_constructs.aws import AwsCallError
    from trailwatch_constructs.aws.athena_runner import QueryRun, athena_client, run_queries

    settings = QueryRun(workgroup=workgroup, output_location=output_location, timeout=timeout, max_rows=max_rows)
    try:
        client = athena_client(region=region, profile=profile, endpoint_url=endpoint_url)
        outcomes = run_queries(client, {k: q.sql for k, q in queries.items()}, settings)
    except AwsCallError as err:
        raise click.ClickException(str(err)) from err
    click.echo(_render_outcomes(outcomes, table, fmt), nl=False)
    return 0 if all(o.succeeded for o in outcomes.values()) else 1


def _controls(
    included: Sequence[str], excluded: Sequence[str], groups: Sequence[str], auditors: Sequence[str]
) -> list[ControlDefinition]:
    selection = resolve_selection(include=included or None, exclude=excluded, privileged_groups=groups)
    if selection.problems:
        raise click.UsageError("; ".join(selection.problems))
    chosen = [Auditor(a) for a in auditors]
    return [c.deploying(deployed_texts(c, chosen)) for c in selection.controls]


def time_predicates(since: dt.datetime | None, until: dt.datetime | None) -> list[str]:
    """The partition and ``eventtime`` bounds of a day range (inclusive, UTC).

    CloudTrail names each object after its delivery day and ``eventtime`` is ISO 8601 text
    (``2026-11-29T23:59:59Z``), so both compare as strings.
    """
    predicates = []
    if since is not None:
        predicates += [f"\"{PARTITION_COLUMN}\" >= '{since:%Y/%m/%d}'", f"eventtime >= '{since:%Y-%m-%d}T00:00:00Z'"]
    if until is not None:
        predicates += [f"\"{PARTITION_COLUMN}\" <= '{until:%Y/%m/%d}'", f"eventtime <= '{until:%Y-%m-%d}T23:59:59Z'"]
    return predicates


def _render(queries: dict[str, AthenaQuery], table: str, fmt: HuntFormat) -> str:
    if fmt == "json":
        data = {"dialect": "athena", "table": table, "queries": {k: q.sql for k, q in queries.items()}}
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    blocks = []
    for control_id, query in queries.items():
        notes = "".join(f"-- note: {note}\n" for note in query.notes)
        blocks.append(f"-- {control_id}\n{notes}{query.sql};\n")
    return "\n".join(blocks)


def _render_outcomes(outcomes: dict[str, QueryOutcome], table: str, fmt: HuntFormat) -> str:
    if fmt == "json":
        controls = {
            control_id: {
                "matches": o.matches,
                "bytes_scanned": o.bytes_scanned,
                "state": o.state,
                **({"reason": o.reason} if o.reason else {}),
                "rows": list(o.rows),
            }
            for control_id, o in outcomes.items()
        }
        total = sum(o.bytes_scanned for o in outcomes.values())
        data = {"dialect": "athena", "table": table, "controls": controls, "bytes_scanned": total}
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    width = max((len(k) for k in outcomes), default=0)
    lines = []
    for control_id, o in outcomes.items():
        what = f"{o.matches} matches" if o.succeeded else (o.reason or "no reason given")
        lines.append(f"{control_id:<{width}}  {o.state}  {what}  {o.bytes_scanned} bytes scanned\n")
    return "".join(lines)
