"""A DuckDB copy of AWS's documented CloudTrail table, to run the Athena translation on.

The schema is written out here from "Create the table for CloudTrail logs in Athena using
partition projection" (not taken from the translator), with DuckDB's names for the types. Rows
are what Athena's JSON SerDe shows of a record: members matched to columns by lower-cased name,
a string column shows a JSON boolean or number as its text, a JSON-string column the record's
object as JSON text, and a missing member and a JSON null are both NULL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import sqlglot

from trailwatch_constructs.filter_pattern import FilterPattern

_SESSION_ISSUER = {
    "type": "string",
    "principalid": "string",
    "arn": "string",
    "accountid": "string",
    "username": "string",
}
SCHEMA: dict[str, Any] = {
    "eventversion": "string",
    "useridentity": {
        "type": "string",
        "principalid": "string",
        "arn": "string",
        "accountid": "string",
        "invokedby": "string",
        "accesskeyid": "string",
        "username": "string",
        "onbehalfof": {"userid": "string", "identitystorearn": "string"},
        "sessioncontext": {
            "attributes": {"mfaauthenticated": "string", "creationdate": "string"},
            "sessionissuer": _SESSION_ISSUER,
            "ec2roledelivery": "string",
            "webidfederationdata": {"federatedprovider": "string", "attributes": "map"},
        },
    },
    "eventtime": "string",
    "eventsource": "string",
    "eventname": "string",
    "awsregion": "string",
    "sourceipaddress": "string",
    "useragent": "string",
    "errorcode": "string",
    "errormessage": "string",
    "requestparameters": "json",
    "responseelements": "json",
    "additionaleventdata": "json",
    "requestid": "string",
    "eventid": "string",
    "readonly": "string",
    "resources": [{"arn": "string", "accountid": "string", "type": "string"}],
    "eventtype": "string",
    "apiversion": "string",
    "recipientaccountid": "string",
    "serviceeventdetails": "json",
    "sharedeventid": "string",
    "vpcendpointid": "string",
    "vpcendpointaccountid": "string",
    "eventcategory": "string",
    "addendum": {
        "reason": "string",
        "updatedfields": "string",
        "originalrequestid": "string",
        "originaleventid": "string",
    },
    "sessioncredentialfromconsole": "string",
    "edgedevicedetails": "json",
    "tlsdetails": {"tlsversion": "string", "ciphersuite": "string", "clientprovidedhostheader": "string"},
}
"""Column -> "string", "json" (a STRING holding JSON), "map", a struct (dict) or an array of one (list)."""


def duckdb_type(kind: Any) -> str:
    """The DuckDB type of a schema entry."""
    if isinstance(kind, dict):
        return "STRUCT(" + ", ".join(f"{name} {duckdb_type(k)}" for name, k in kind.items()) + ")"
    if isinstance(kind, list):
        return duckdb_type(kind[0]) + "[]"
    return "MAP(VARCHAR, VARCHAR)" if kind == "map" else "VARCHAR"


def serde_value(kind: Any, value: Any) -> Any:
    """What the SerDe shows of ``value`` in a column of type ``kind``."""
    if value is None:
        return None
    if isinstance(kind, dict):
        return serde_row(kind, value) if isinstance(value, dict) else None
    if isinstance(kind, list):
        return [serde_value(kind[0], v) for v in value] if isinstance(value, list) else None
    if kind == "map":
        return {k: serde_value("string", v) for k, v in value.items()} if isinstance(value, dict) else None
    if kind == "string" and isinstance(value, str):
        return value
    return json.dumps(value)


def serde_row(struct: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a struct (or the table), matched to the record's members by lower-cased name."""
    by_column = {str(k).lower(): v for k, v in record.items()}
    return {column: serde_value(kind, by_column.get(column)) for column, kind in struct.items()}


def cloudtrail_table(records: Iterable[tuple[str, Mapping[str, Any]]], directory: Path) -> duckdb.DuckDBPyConnection:
    """A connection holding ``cloudtrail_logs``, one row per ``(event id, record)``.

    The event id replaces the record's own ``eventID``, so that rows are told apart by it.
    """
    path = directory / "records.ndjson"
    with path.open("w", encoding="utf-8") as out:
        for event_id, record in records:
            out.write(json.dumps(serde_row(SCHEMA, record) | {"eventid": event_id}) + "\n")
    columns = {column: duckdb_type(kind) for column, kind in SCHEMA.items()}
    connection = duckdb.connect()
    reader = f"read_json(?, format = 'newline_delimited', columns = {columns!r})"
    connection.execute(f"CREATE TABLE cloudtrail_logs AS SELECT * FROM {reader}", [str(path)])
    return connection


def run_athena_sql(connection: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    """The event ids an Athena query returns, run through sqlglot's Trino-to-DuckDB transpiler."""
    (duck,) = sqlglot.transpile(sql, read="trino", write="duckdb")
    return {row[0] for row in connection.execute(duck).fetchall()}


JSON_COLUMNS = {
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "edgeDeviceDetails",
}


def _without_nulls(value: Any) -> Any:
    """An object without its null members, at every depth."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _as_columns_show(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with the null members the table shows as missing dropped (outside the JSON-string columns)."""
    return {k: v if k in JSON_COLUMNS else _without_nulls(v) for k, v in record.items() if v is not None}


def engine_matches(
    pattern: FilterPattern, records: Mapping[str, Mapping[str, Any]], notes: Sequence[str] = ()
) -> set[str]:
    """The ids of the records the engine matches (with the nulls dropped where the notes say null counts as missing)."""
    if any("an explicit null counts as missing" in note for note in notes):
        return {event_id for event_id, record in records.items() if pattern.matches(_as_columns_show(record))}
    return {event_id for event_id, record in records.items() if pattern.matches(record)}
