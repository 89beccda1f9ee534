"""The engine: records that are not objects are skipped and counted; every match of a record is kept."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import catalog_controls
from trailwatch_constructs.cli.engine import Replayer
from trailwatch_constructs.cli.inputs import InputFile
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.report_model import Match

from .helpers import (
    denied,
    encode,
    quiet_record,
    root_login,
    run_json,
    stop_logging,
    write,
)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (7, "record is a number, not a JSON object"),
        ("text", "record is a string, not a JSON object"),
        (None, "record is null, not a JSON object"),
        ([1], "record is an array, not a JSON object"),
        (True, "record is a boolean, not a JSON object"),
    ],
)
def test_record_that_is_not_an_object_is_skipped(runner: CliRunner, tmp_path: Path, value: object, reason: str) -> None:
    # GIVEN a CloudTrail file whose second record is not an object
    path = write(tmp_path / "log.json", encode("cloudtrail", [denied(0), value, denied(2)]))
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN that record is skipped with its index and type
    assert report["skipped"] == [
        {"file": str(path), "index": 1, "kind": "record", "category": "not-an-object", "reason": reason}
    ]
    assert (report["events"], report["records_skipped"], report["records_seen"]) == (2, 1, 3)


def test_matches_out_lists_every_control_a_record_matches(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a StopLogging call that was denied: it matches two controls
    record = stop_logging(0) | {"errorCode": "AccessDenied"}
    path = write(tmp_path / "log.json", encode("object", [record]))
    out = tmp_path / "m.jsonl"
    # WHEN replayed with --matches-out
    run_json(runner, ["replay", str(path), "--matches-out", str(out)])
    # THEN the record has one line per control, in catalogue order
    assert [json.loads(line)["control"] for line in out.read_text().splitlines()] == [
        "unauthorized-api-calls",
        "cloudtrail-config-changes",
    ]


def test_matches_out_event_id_is_null_when_missing(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a matching record without eventID
    record = denied(0)
    del record["eventID"]
    path = write(tmp_path / "log.json", encode("object", [record]))
    out = tmp_path / "m.jsonl"
    # WHEN replayed with --matches-out
    run_json(runner, ["replay", str(path), "--matches-out", str(out)])
    # THEN its line has eventID null
    assert json.loads(out.read_text())["eventID"] is None


# --- the replayer on its own ---------------------------------------------------------------------

CONTROLS = catalog_controls()


def test_a_file_s_result_counts_records_matches_and_problems(tmp_path: Path) -> None:
    # GIVEN JSON Lines: a denied call, a value that is not an object, a broken line, a root sign-in
    data = encode("jsonl", [denied(0), 5]) + b"{oops\n" + encode("jsonl", [root_login(3)])
    path = write(tmp_path / "a.jsonl", data)
    # WHEN the file is processed, keeping matches
    result = Replayer(CONTROLS, keep_matches=True).process(InputFile(str(path), str(path)))
    # THEN every record is seen, two evaluated, two skipped; each match has its place and eventID
    assert (result.read, result.partial) == (True, False)
    assert (result.records_seen, result.events, result.records_skipped) == (4, 2, 2)
    assert [(p.index, p.category) for p in result.problems] == [(1, "not-an-object"), (2, "invalid-json")]
    assert result.matches == [
        Match("unauthorized-api-calls", str(path), 0, "GetObject-0"),
        Match("root-account-usage", str(path), 3, "ConsoleLogin-3"),
    ]
    assert {cid: stats.matches for cid, stats in result.stats.items()} == {
        "unauthorized-api-calls": 1,
        "root-account-usage": 1,
    }


def test_matches_are_only_listed_when_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", encode("array", [denied(0), denied(1)]))
    result = Replayer(CONTROLS, keep_matches=False).process(InputFile(str(path), str(path)))
    assert result.matches == []
    assert result.stats["unauthorized-api-calls"].matches == 2


def test_the_events_time_span_is_only_read_when_kept(tmp_path: Path) -> None:
    # GIVEN records out of time order, one without an eventTime, and a value that is not an object
    late, early, timeless = quiet_record(9), quiet_record(2), quiet_record(5)
    del timeless["eventTime"]
    path = write(tmp_path / "a.json", encode("array", [late, 5, early, timeless]))
    # WHEN processed keeping the span, and without
    kept = Replayer(CONTROLS, keep_matches=False, keep_span=True).process(InputFile(str(path), str(path)))
    skipped = Replayer(CONTROLS, keep_matches=False).process(InputFile(str(path), str(path)))
    # THEN the span is the earliest and latest eventTime, or nothing when not asked for
    assert (kept.first_event_time, kept.last_event_time) == ("2024-05-01T00:02:00Z", "2024-05-01T00:09:00Z")
    assert (skipped.first_event_time, skipped.last_event_time) == (None, None)


def test_a_skipped_file_and_a_damaged_one(tmp_path: Path) -> None:
    # GIVEN a digest file skipped by discovery, and a truncated gzip file of JSON Lines
    digest = Problem("d", None, "file", "digest", "digest")
    cut = gzip.compress(encode("jsonl", [denied(n) for n in range(200)]))
    path = write(tmp_path / "cut.jsonl.gz", cut[: len(cut) // 2])
    replayer = Replayer(CONTROLS, keep_matches=False)
    # WHEN both are processed
    skipped = replayer.process(digest)
    damaged = replayer.process(InputFile(str(path), str(path)))
    # THEN the first is not read, and the second is read in part
    assert (skipped.read, skipped.problems) == (False, [digest])
    assert (damaged.read, damaged.partial, damaged.records_skipped) == (True, True, 0)
    assert damaged.events == damaged.stats["unauthorized-api-calls"].matches > 0


def test_standard_input_is_read_from_the_stream_given() -> None:
    result = Replayer(CONTROLS, keep_matches=True).process(
        InputFile("<stdin>", "-"), io.BytesIO(encode("object", [denied(7)]))
    )
    assert result.matches == [Match("unauthorized-api-calls", "<stdin>", 0, "GetObject-7")]
