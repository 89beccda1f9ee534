"""``trailwatch hunt``: the controls as Athena SQL over the CloudTrail table, for an organization's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import click
import orjson

from trailwatch_constructs.catalog.auditors import ALL_AUDITORS, Auditor, deployed_texts
from trailwatch_constructs.catalog.definition import ControlDefinition
from trailwatch_constructs.catalog.selection import resolve_selection
from trailwatch_constructs.cli.options import auditor_option, format_option, privileged_group_option
from trailwatch_constructs.filter_pattern.athena import DEFAULT_TABLE, AthenaQuery, to_athena_sql

HuntFormat = Literal["sql", "json"]
"""``trailwatch hunt --format``; the first is the default."""

PARTITION_COLUMN = "timestamp"
"""The partition of AWS's partition-projection table for CloudTrail: ``yyyy/MM/dd`` of the object's key."""


@click.command("hunt", short_help="Print the controls as Athena SQL over the CloudTrail table.")
@click.option("--print-sql", is_flag=True, help="Print the queries (the only mode today; required).")
@click.option("--table", default=DEFAULT_TABLE, show_default=True, help="The CloudTrail table: name or db.name.")
@click.option("--include", "included", multiple=True, metavar="ID", help="Only this control (repeatable).")
@click.option("--exclude", "excluded", multiple=True, metavar="ID", help="Leave a control out (repeatable).")
@privileged_group_option
@auditor_option
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (UTC) to search.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day (UTC) to search.")
@format_option(HuntFormat, help="sql: one statement per control; json: {dialect, table, queries}.")
def hunt_command(
    print_sql: bool,
    table: str,
    included: tuple[str, ...],
    excluded: tuple[str, ...],
    privileged_groups: tuple[str, ...],
    auditors: tuple[str, ...],
    since: dt.datetime | None,
    until: dt.datetime | None,
    fmt: HuntFormat,
) -> int:
    """Print each selected control as an Athena (Trino) query over the table AWS documents in "Create
    the table for CloudTrail logs in Athena using partition projection": one row per matching event
    (eventid, eventtime, source and name, principal, source IP, Region, account), no LIMIT.

    --since/--until bound the partition column (timestamp, yyyy/MM/dd), which is what cuts the bytes
    Athena scans, and eventtime. A control matches what the filters it deploys for the --auditor set
    match, as in replay.
    """
    if not print_sql:
        raise click.UsageError("give --print-sql (running the queries from trailwatch is not built yet)")
    if since and until and since > until:
        raise click.UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    controls = _controls(included, excluded, privileged_groups, auditors or ALL_AUDITORS)
    where = time_predicates(since, until)
    queries = {c.id: to_athena_sql(c.filter_pattern, table=table, where=where) for c in controls}
    click.echo(_render(queries, table, fmt), nl=False)
    return 0


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
