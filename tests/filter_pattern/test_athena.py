"""Athena SQL translation: run through DuckDB, it returns exactly the events the engine matches."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.filter_pattern.athena_table import cloudtrail_table, engine_matches, run_athena_sql
from trailwatch_constructs.catalog import TUNED_VARIANTS, ControlDefinition, catalog_controls, load_samples
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.catalog.samples import sample_control_ids
from trailwatch_constructs.filter_pattern import (
    AthenaTranslationError,
    FilterPattern,
    parse_filter_pattern,
    to_athena_condition,
    to_athena_sql,
)

_DOC = json.loads((Path(__file__).parent / "aws_doc_examples.json").read_text(encoding="utf-8"))

CONTROLS: tuple[ControlDefinition, ...] = (*catalog_controls(privileged_groups=["Admins"]), *TUNED_VARIANTS)
AUDITED = tuple(c.deploying(deployed_texts(c)) for c in CONTROLS)

CONSTRUCT_RECORDS: dict[str, dict[str, Any]] = {
    "typed-values": {
        "eventName": "PutObject",
        "errorCode": "AccessDenied",
        "readOnly": False,
        "requestParameters": {
            "s": "abc",
            "n": 400,
            "f": 1.5,
            "t": True,
            "fa": False,
            "z": None,
            "o": {"k": "v"},
            "a": ["x", 5, None, True, {"k": "v"}],
            "k.x": "dot",
            "hy-phen": "h",
            "pct": "50%_off",
            "ns": "4e2",
            "digits": "400",
        },
        "resources": [{"ARN": "arn:aws:s3:::b", "accountId": "111122223333", "type": "AWS::S3::Bucket"}, {"type": "x"}],
    },
    "empty-objects": {
        "eventName": "ConsoleLogin",
        "errorCode": "Client.UnauthorizedOperation",
        "readOnly": True,
        "requestParameters": {"a": [], "o": {}, "pct": "50%Xoff", "s": "aXc"},
        "resources": [],
    },
    "not-containers": {
        "eventName": "Ev*ent",
        "errorCode": "x_y",
        "requestParameters": {"a": "not an array", "o": ["not", "an", "object"], "n": "400", "f": -2},
        "responseElements": None,
    },
    "sparse": {
        "eventName": "GetObject",
        "errorCode": "x%y",
        "recipientAccountId": "123456789012",
        "requestParameters": {"n": 401, "digits": 2, "t": "true"},
    },
    "text-edges": {
        "eventName": "Event",
        "errorCode": "400",
        "errorMessage": "line1\nline2",
        "recipientAccountId": " 123456789012",
        "sourceIPAddress": "123.123.1.1",
        "userIdentity": {"type": "AssumedRole", "sessionContext": {"attributes": {"mfaAuthenticated": "true"}}},
        "additionalEventData": {"MFAUsed": "No"},
        "responseElements": {"ConsoleLogin": "Success", "n": 10},
    },
}

CONSTRUCT_PATTERNS = [
    "{ $.eventName = ConsoleLogin }",
    '{ $.eventName = "Ev*ent" }',
    "{ $.errorCode = *_y }",
    '{ $.errorCode = "x%*" }',
    "{ $.errorCode = 400 }",
    "{ $.errorCode != 400 }",
    "{ $.recipientAccountId = 123456789012 }",
    "{ $.errorCode = * }",
    "{ $.errorCode != * }",
    "{ $.errorCode != AccessDenied }",
    "{ $.errorMessage NOT EXISTS }",
    "{ $.errorMessage = %^line1.line2$% }",
    "{ $.errorMessage = %\\w\\s\\w% }",
    "{ $.errorCode = %[^\\d]% }",
    "{ $.errorCode != %Access% }",
    "{ $.requestParameters.s = abc }",
    '{ $.requestParameters.n = "4*" }',
    "{ $.requestParameters.n = 400 }",
    "{ $.requestParameters.ns = 400 }",
    "{ $.requestParameters.n != 400 }",
    "{ $.requestParameters.s != 400 }",
    "{ $.requestParameters.t != 400 }",
    "{ $.requestParameters.n > 399 }",
    "{ $.requestParameters.digits > 1 }",
    "{ $.requestParameters.f <= 1.5 }",
    "{ $.requestParameters.f = 1.5 }",
    "{ $.requestParameters.f < 0 }",
    "{ $.requestParameters.t IS TRUE }",
    "{ $.requestParameters.fa IS FALSE }",
    "{ $.requestParameters.z IS NULL }",
    "{ $.requestParameters.z NOT EXISTS }",
    "{ $.requestParameters.missing NOT EXISTS }",
    "{ $.requestParameters.t = true }",
    "{ $.requestParameters.t != x }",
    "{ $.requestParameters.o = * }",
    "{ $.requestParameters.o.k = v }",
    "{ $.requestParameters.a[0] = x }",
    "{ $.requestParameters.a[1] = 5 }",
    "{ $.requestParameters.a[2] IS NULL }",
    "{ $.requestParameters.a[9] NOT EXISTS }",
    "{ $.requestParameters.a[*] = 5 }",
    "{ $.requestParameters.a[*] = * }",
    "{ $.requestParameters.a[*] IS NULL }",
    "{ $.requestParameters.a[*] IS TRUE }",
    "{ $.requestParameters.a[*] != x }",
    "{ $.requestParameters.a[*].k = v }",
    "{ $.requestParameters.a[*] NOT EXISTS }",
    "{ $.requestParameters.* = abc }",
    "{ $.requestParameters.o.* = v }",
    "{ $.requestParameters.o.* NOT EXISTS }",
    "{ $.requestParameters.['k.x'] = dot }",
    "{ $.requestParameters.hy-phen = h }",
    '{ $.requestParameters.pct = "50%_off" }',
    '{ $.requestParameters.pct = "50%*" }',
    "{ $.requestParameters.s = %^a.c$% }",
    "{ $.requestParameters.n = %^4\\d+$% }",
    "{ $.responseElements.n >= 10 }",
    '{ $.resources[*].ARN = "arn:aws:s3:::*" }',
    "{ $.resources[0].accountId = 111122223333 }",
    "{ $.resources[1].ARN NOT EXISTS }",
    "{ $.resources[*].ARN NOT EXISTS }",
    "{ $.readOnly IS TRUE }",
    "{ $.readOnly IS FALSE }",
    "{ $.userIdentity.sessionContext.attributes.mfaAuthenticated = true }",
    "{ ($.errorCode = AccessDenied || $.eventName = ConsoleLogin) && $.requestParameters.s = abc }",
    "{ $.errorCode = AccessDenied || $.eventName = ConsoleLogin && $.requestParameters.s = aXc }",
]

UNTRANSLATABLE = {
    "{ $.latency > 5 }": "'latency' is not a column",
    "{ $.eventname = x }": "'eventname' is not a column",
    "{ $.eventName > 5 }": "string column",
    "{ $.userIdentity = x }": "holds an object",
    "{ $.userIdentity.* = x }": "holds an object",
    "{ $.requestParameters = x }": "JSON text of an object",
    "{ $.requestParameters IS NULL }": "JSON null and a missing member alike",
    "{ $.errorCode IS NULL }": "JSON null and a missing member alike",
    "{ $.errorCode IS TRUE }": "JSON null and a missing member alike",
    "{ $.readOnly = true }": "boolean readOnly",
    "{ $.userIdentity.sessionContext.webIdFederationData.attributes.x = y }": "a map",
    "{ $.requestParameters.n > 1e999 }": "beyond the range of DOUBLE",
    "ERROR": "raw log line",
    "%ERROR%": "raw log line",
    "[a, b=1]": "space-delimited",
}


def _doc_events() -> Iterator[tuple[str, Mapping[str, Any]]]:
    for case in _DOC["cases"]:
        event = _DOC["events"][case["event_ref"]] if "event_ref" in case else case.get("event")
        if isinstance(event, dict):
            yield f"doc:{case['id']}", event


def _records() -> dict[str, Mapping[str, Any]]:
    records: dict[str, Mapping[str, Any]] = {f"hand:{k}": v for k, v in CONSTRUCT_RECORDS.items()}
    for control_id in sample_control_ids():
        samples = load_samples(control_id)
        for kind, events in (("fires", samples.fires), ("ignores", samples.ignores)):
            records |= {f"{control_id}:{kind}:{i}": e.record for i, e in enumerate(events)}
    return records | dict(_doc_events())


RECORDS = _records()


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return cloudtrail_table(RECORDS.items(), tmp_path_factory.mktemp("athena"))


def _engine_matches(pattern: FilterPattern, notes: tuple[str, ...] = ()) -> set[str]:
    return engine_matches(pattern, RECORDS, notes)


# Each control with its own pattern, and with the union of every text an auditor accepts.
_QUERIED = [
    *(pytest.param(c, id=c.id) for c in CONTROLS),
    *(pytest.param(c, id=f"{c.id}+auditors") for c in AUDITED),
]


@pytest.mark.parametrize("control", _QUERIED)
def test_control_query_returns_exactly_what_the_engine_matches(
    table: duckdb.DuckDBPyConnection, control: ControlDefinition
) -> None:
    # GIVEN a catalogue control (or tuned variant, or a union of auditors' texts) and every sample,
    # construct and doc record
    # WHEN its Athena query runs (transpiled to DuckDB)
    query = to_athena_sql(control.filter_pattern)
    returned = run_athena_sql(table, query.sql)
    # THEN it returns exactly the events the engine matches (as far as the notes say), and the
    # control's own samples fire
    assert returned == _engine_matches(control.filter_pattern, query.notes)
    assert {f"{control.id}:fires:{i}" for i in range(len(load_samples(control.id).fires))} <= returned


@pytest.mark.parametrize("text", CONSTRUCT_PATTERNS)
def test_construct_query_returns_exactly_what_the_engine_matches(table: duckdb.DuckDBPyConnection, text: str) -> None:
    # GIVEN a pattern exercising one construct, over records with missing keys, nulls, booleans,
    # numbers, arrays and objects
    pattern = parse_filter_pattern(text)
    # WHEN its Athena query runs
    query = to_athena_sql(pattern)
    returned = run_athena_sql(table, query.sql)
    # THEN it returns exactly the events the engine matches (as far as the notes say)
    assert returned == _engine_matches(pattern, query.notes)


@pytest.mark.parametrize("text", sorted({case["pattern"] for case in _DOC["cases"]}))
def test_documented_pattern_translates_exactly_or_raises_the_named_error(
    table: duckdb.DuckDBPyConnection, text: str
) -> None:
    # GIVEN a pattern from AWS's documentation
    pattern = parse_filter_pattern(text)
    # WHEN it is translated
    try:
        query = to_athena_sql(pattern)
    except AthenaTranslationError as error:
        # THEN either the error names the construct
        assert error.construct
        return
    # OR the query returns exactly what the engine matches
    assert run_athena_sql(table, query.sql) == _engine_matches(pattern, query.notes)


@pytest.mark.parametrize(("text", "reason"), UNTRANSLATABLE.items())
def test_untranslatable_construct_raises_naming_it(text: str, reason: str) -> None:
    # GIVEN a construct the documented table cannot answer faithfully
    # WHEN it is translated
    with pytest.raises(AthenaTranslationError, match="cannot translate") as raised:
        to_athena_sql(parse_filter_pattern(text))
    # THEN the error says why
    assert reason in raised.value.reason


def test_query_selects_who_what_where_with_extra_predicates_and_limit() -> None:
    # GIVEN a pattern, a table, partition predicates and a limit
    pattern = parse_filter_pattern("{ $.eventName = StopLogging }")
    # WHEN it is translated
    query = to_athena_sql(pattern, table="security.trail", where=["timestamp >= '2026/01/01'"], limit=10)
    # THEN the query selects the result columns, ANDs the predicates and keeps the limit
    assert query.sql == (
        "SELECT eventid, eventtime, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, "
        "awsregion, recipientaccountid FROM security.trail "
        "WHERE (eventname = 'StopLogging') AND (timestamp >= '2026/01/01') LIMIT 10"
    )
    assert query.notes == ()


def test_wildcard_escapes_like_metacharacters() -> None:
    # GIVEN a wildcard value holding '%', '_' and a quote
    condition = to_athena_condition(parse_filter_pattern('{ $.errorCode = "50%_it\'s*" }'))
    # THEN they are escaped for LIKE and the string literal
    assert condition.sql == "errorcode LIKE '50\\%\\_it''s%' ESCAPE '\\'"


def test_not_exists_on_a_struct_member_notes_that_null_counts_as_missing(tmp_path: Path) -> None:
    # GIVEN a member that is JSON null, which the engine counts as existing
    pattern = parse_filter_pattern("{ $.userIdentity.invokedBy NOT EXISTS }")
    record = {"userIdentity": {"type": "Root", "invokedBy": None}}
    # WHEN it is translated and run
    condition = to_athena_condition(pattern)
    returned = run_athena_sql(cloudtrail_table([("null", record)], tmp_path), to_athena_sql(pattern).sql)
    # THEN the notes say the table cannot tell it from a missing member, which is what happens
    assert condition.sql == "useridentity.invokedby IS NULL"
    assert "is NULL both when the member is missing and when it is JSON null" in condition.notes[0]
    assert returned == {"null"}
    assert not pattern.matches(record)


def test_not_exists_inside_a_json_column_needs_no_note() -> None:
    # GIVEN NOT EXISTS inside a JSON-string column, where null and missing differ
    condition = to_athena_condition(parse_filter_pattern("{ $.requestParameters.x NOT EXISTS }"))
    # THEN the translation is exact
    assert condition == type(condition)("json_extract(requestparameters, '$.x') IS NULL", ())
