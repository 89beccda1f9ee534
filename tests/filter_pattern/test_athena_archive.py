"""Athena SQL over the benchmark archive's records: every query returns exactly what the engine matches.

The archive is the head of ``benchmarks/generate_archive.py``'s (tests/conftest.py): its everyday
traffic (assumed roles, services without an ARN, denied calls, data events) is what the samples
alone do not have.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import BENCHMARK_HEAD_RECORDS
from tests.filter_pattern.athena_table import cloudtrail_table, engine_matches, run_athena_sql
from trailwatch_constructs.catalog import TUNED_VARIANTS, ControlDefinition, catalog_controls
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.filter_pattern import to_athena_sql

CATALOGUE = catalog_controls(privileged_groups=["Admins"])
CONTROLS: tuple[ControlDefinition, ...] = (
    *CATALOGUE,
    *TUNED_VARIANTS,
    *(c.deploying(deployed_texts(c)) for c in CATALOGUE),
)


def _read_archive(root: Path) -> dict[str, Mapping[str, Any]]:
    records: dict[str, Mapping[str, Any]] = {}
    for path in sorted(root.glob("AWSLogs/**/*_CloudTrail_*.json.gz")):
        for record in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            records[record["eventID"]] = record
    return records


@pytest.fixture(scope="module")
def archive(benchmark_archive_head: Path) -> dict[str, Mapping[str, Any]]:
    return _read_archive(benchmark_archive_head)


@pytest.fixture(scope="module")
def table(archive: dict[str, Mapping[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return cloudtrail_table(archive.items(), tmp_path_factory.mktemp("archive-table"))


def test_archive_has_every_record_once(archive: dict[str, Mapping[str, Any]]) -> None:
    # The event ids are the rows' keys: a repeated id would hide a row.
    assert len(archive) == BENCHMARK_HEAD_RECORDS


@pytest.mark.parametrize("control", [pytest.param(c, id=f"{c.id}/{len(c.deployed_patterns)}") for c in CONTROLS])
def test_query_over_the_archive_returns_exactly_what_the_engine_matches(
    archive: dict[str, Mapping[str, Any]], table: duckdb.DuckDBPyConnection, control: ControlDefinition
) -> None:
    # GIVEN a control (catalogue, tuned variant, or the union of every auditor's texts) and the
    # benchmark archive's first records as rows of AWS's documented table
    # WHEN its Athena query runs (transpiled to DuckDB)
    query = to_athena_sql(control.filter_pattern)
    returned = run_athena_sql(table, query.sql)
    # THEN it returns exactly the events the engine matches, event by event
    assert returned == engine_matches(control.filter_pattern, archive, query.notes)


def test_archive_gives_every_catalogue_control_something_to_find(
    archive: dict[str, Mapping[str, Any]], table: duckdb.DuckDBPyConnection
) -> None:
    # The equality above would hold vacuously over records no control matches.
    silent = [c.id for c in CATALOGUE if not run_athena_sql(table, to_athena_sql(c.filter_pattern).sql)]
    assert silent == []
