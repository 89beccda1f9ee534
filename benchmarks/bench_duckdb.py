"""Is DuckDB over the archive directory a faster local engine than ``trailwatch replay``?

Issue 13 asked to offer ``replay --engine duckdb`` only if it were the fastest local engine. This
measures DuckDB's quickest path we found on the same files as bench_replay.py: read each log file
as one JSON object (``read_json_objects``), cut ``Records`` into rows with the documented Athena
schema (``json_transform``, every column of "Create the table for CloudTrail logs in Athena"), and
run each catalogue control's translated query (``to_athena_sql``, transpiled by sqlglot). Its
per-control counts must equal replay's (checked), so both engines did the same work.

Both are timed as bench_replay.py times replay: a process each, wall clock, in rounds (DuckDB uses
every core: its default threads). Where a control's query carries a translation note (an explicit
JSON null that a struct column shows as missing), the counts may differ by exactly those records:
the difference is printed with the note. Other read paths tried and slower: ``read_json`` with
the schema given as ``columns`` (about 3x the time of the path below).

Usage::

    python benchmarks/bench_duckdb.py [--archive DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import sqlglot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_replay import DEFAULT_ARCHIVE, GROUP, Run, log_files, replay_command
from tests.filter_pattern.athena_table import SCHEMA
from trailwatch_constructs.catalog import catalog_controls
from trailwatch_constructs.filter_pattern import to_athena_sql

# json_transform matches members by exact name, where Athena's SerDe lower-cases them: the documented
# table's columns (the tests' copy) under the record members' own names. The query's lower-case
# identifiers then resolve in DuckDB, whose identifiers ignore case.
MEMBER_NAMES = {
    name.lower(): name
    for name in (
        "eventVersion",
        "userIdentity",
        "principalId",
        "accountId",
        "invokedBy",
        "accessKeyId",
        "userName",
        "onBehalfOf",
        "userId",
        "identityStoreArn",
        "sessionContext",
        "mfaAuthenticated",
        "creationDate",
        "sessionIssuer",
        "ec2RoleDelivery",
        "webIdFederationData",
        "federatedProvider",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "requestParameters",
        "responseElements",
        "additionalEventData",
        "requestID",
        "eventID",
        "readOnly",
        "ARN",
        "eventType",
        "apiVersion",
        "recipientAccountId",
        "serviceEventDetails",
        "sharedEventID",
        "vpcEndpointId",
        "vpcEndpointAccountId",
        "eventCategory",
        "updatedFields",
        "originalRequestID",
        "originalEventID",
        "sessionCredentialFromConsole",
        "edgeDeviceDetails",
        "tlsDetails",
        "tlsVersion",
        "cipherSuite",
        "clientProvidedHostHeader",
    )
}


def json_structure(kind: Any) -> Any:
    """The json_transform structure of a schema entry of tests/filter_pattern/athena_table.py."""
    if isinstance(kind, dict):
        return {MEMBER_NAMES.get(name, name): json_structure(k) for name, k in kind.items()}
    if isinstance(kind, list):
        return [json_structure(kind[0])]
    return {"json": "JSON", "map": "MAP(VARCHAR, VARCHAR)"}.get(kind, "VARCHAR")


def duckdb_counts(files: list[str]) -> dict[str, int]:
    """Load the files as the documented table and count each control's query's rows."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE raw AS SELECT json FROM read_json_objects(?, format = 'auto', maximum_object_size = 1000000000)",
        [files],
    )
    connection.execute(
        "CREATE TABLE cloudtrail_logs AS SELECT r.* FROM "
        "(SELECT unnest(json_transform(json -> 'Records', ?)) AS r FROM raw)",
        [json.dumps([json_structure(SCHEMA)])],
    )
    connection.execute("DROP TABLE raw")
    counts: dict[str, int] = {}
    for control in catalog_controls(privileged_groups=[GROUP]):
        (sql,) = sqlglot.transpile(to_athena_sql(control.filter_pattern).sql, read="trino", write="duckdb")
        counts[control.id] = len(connection.execute(sql).fetchall())
    return counts


def compare(counts: dict[str, int], replayed: dict[str, int]) -> None:
    """Stop unless the counts agree, or differ only where the query's notes say they may."""
    for control in catalog_controls(privileged_groups=[GROUP]):
        notes = to_athena_sql(control.filter_pattern).notes
        if counts[control.id] == replayed[control.id]:
            continue
        if not notes:
            raise SystemExit(f"{control.id}: DuckDB {counts[control.id]} != replay {replayed[control.id]}")
        print(f"{control.id}: DuckDB {counts[control.id]}, replay {replayed[control.id]}; note: {notes[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--count", nargs="+", metavar="FILE", help=argparse.SUPPRESS)  # the timed DuckDB process
    args = parser.parse_args()
    if args.count:
        print(json.dumps(duckdb_counts(args.count)))
        return
    files = log_files(args.archive)
    duck = Run("duckdb (load + 17 queries)", [sys.executable, __file__, "--count", *files])
    runs = (duck, Run("replay --jobs 1", replay_command(files, 1)), Run("replay --jobs 2", replay_command(files, 2)))
    for round_ in range(1, args.repeat + 1):
        print(f"round {round_}/{args.repeat}", flush=True)
        for run in runs:
            run.once()
    compare(json.loads(duck.stdout), {cid: c["matches"] for cid, c in json.loads(runs[2].stdout)["controls"].items()})
    print(f"\n{len(files)} files, the same counts but where noted; wall time over {args.repeat} rounds:")
    for run in runs:
        print(f"  {run.label:<28} median {run.median:6.2f} s (range {min(run.wall):.2f}-{max(run.wall):.2f})")


if __name__ == "__main__":
    main()
