"""Bad input is reported (file, record index, reason), counted, and the run goes on.

Totals invariants checked throughout: ``files + files_skipped == files_found`` and
``events + records_skipped == records_seen``.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trailwatch_constructs.cli import readers

from .conftest import denied, encode, quiet_record, run_json, write


def assert_totals(report: dict[str, Any]) -> None:
    assert report["files"] + report["files_skipped"] == report["files_found"]
    assert report["events"] + report["records_skipped"] == report["records_seen"]


def test_unreadable_file_is_reported(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a file whose open fails with a permission error (tests run as root, so chmod would not do)
    locked = write(tmp_path / "locked.json", encode("cloudtrail", [denied(0)]))
    real_open = readers._open_path

    def guarded(path: str) -> Any:
        if path == str(locked):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path)

    monkeypatch.setattr(readers, "_open_path", guarded)
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(locked)])
    # THEN it is skipped as unreadable, with the OS's reason
    assert report["skipped"] == [
        {"file": str(locked), "index": None, "kind": "file", "category": "unreadable", "reason": "Permission denied"}
    ]
    assert report["files_skipped"] == 1


def test_broken_symlink_in_a_folder_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a folder with a good file and a dangling symbolic link
    folder = tmp_path / "logs"
    write(folder / "a.json", encode("cloudtrail", [denied(0)]))
    os.symlink(folder / "gone.json", folder / "b.json")
    # WHEN the folder is replayed
    _, report = run_json(runner, ["replay", str(folder)])
    # THEN the link is a skipped file and the good file is read
    assert report["skipped"] == [
        {
            "file": str(folder / "b.json"),
            "index": None,
            "kind": "file",
            "category": "missing",
            "reason": "broken symbolic link",
        }
    ]
    assert (report["files"], report["events"]) == (1, 1)
    assert_totals(report)


def test_truncated_gzip_of_json_lines_keeps_the_records_before_the_cut(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN 200 JSON Lines records, gzip-compressed, with the last third of the bytes cut off
    records = [denied(i) for i in range(200)]
    data = gzip.compress(encode("jsonl", records))
    path = write(tmp_path / "cut.jsonl.gz", data[: len(data) * 2 // 3])
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN the records decoded before the cut are evaluated, the file counts as read, and one
    #      partial problem says what happened and how many records were read
    (problem,) = report["skipped"]
    read = report["events"]
    assert 0 < read < 200
    assert (problem["file"], problem["index"], problem["kind"], problem["category"]) == (
        str(path),
        None,
        "partial",
        "truncated-gzip",
    )
    assert problem["reason"].startswith("gzip stream is truncated (it ends before its end-of-stream marker, after ")
    assert problem["reason"].endswith(f"; the {read:,} record(s) before it were read, the rest of the file is lost")
    assert (report["files"], report["files_partial"], report["files_skipped"]) == (1, 1, 0)
    assert report["controls"]["unauthorized-api-calls"]["matches"] == read
    assert_totals(report)


def test_truncated_gzip_of_a_cloudtrail_file_skips_the_file(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a CloudTrail file (one JSON document), gzip-compressed and cut in half
    data = gzip.compress(encode("cloudtrail", [denied(i) for i in range(100)]))
    path = write(tmp_path / "cut.json.gz", data[: len(data) // 2])
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN nothing can be decoded: the file is skipped with the gzip reason
    (problem,) = report["skipped"]
    assert (problem["kind"], problem["category"], problem["index"]) == ("file", "truncated-gzip", None)
    assert problem["reason"].endswith("; the JSON document in it is incomplete")
    assert (report["files_skipped"], report["records_seen"]) == (1, 0)


def test_invalid_json_document_skips_the_file(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a CloudTrail file cut short (not compressed)
    path = write(tmp_path / "bad.json", b'{"Records": [{"eventName": "A"}, {"eventN')
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN it is skipped with orjson's reason and position
    (problem,) = report["skipped"]
    assert (problem["kind"], problem["category"]) == ("file", "invalid-json")
    assert problem["reason"].startswith("invalid JSON: ") and "line 1 column" in problem["reason"]


def test_invalid_json_line_skips_one_record(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN JSON Lines whose second line is broken
    data = encode("jsonl", [denied(0)]) + b'{"eventName": \n' + encode("jsonl", [denied(2)])
    path = write(tmp_path / "lines.jsonl", data)
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN that line is record 1, skipped with its line number, and the others are evaluated
    (problem,) = report["skipped"]
    assert (problem["index"], problem["kind"], problem["category"]) == (1, "record", "invalid-json")
    assert problem["reason"].startswith("line 2: invalid JSON: ")
    assert (report["records_seen"], report["events"], report["records_skipped"]) == (3, 2, 1)


def test_broken_first_line_of_json_lines_is_one_skipped_record(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN JSON Lines whose first line is broken and three good lines after it
    data = b"{oops\n" + encode("jsonl", [denied(1), denied(2), denied(3)])
    path = write(tmp_path / "lines.jsonl", data)
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN only the first line is lost
    (problem,) = report["skipped"]
    assert (problem["index"], problem["category"]) == (0, "invalid-json")
    assert (report["events"], report["records_skipped"]) == (3, 1)


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


def test_records_that_is_not_a_list_is_one_skipped_record(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a file whose Records member is a string
    path = write(tmp_path / "log.json", b'{"Records": "oops"}')
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN it is reported as one bad record
    assert report["skipped"] == [
        {
            "file": str(path),
            "index": 0,
            "kind": "record",
            "category": "bad-records",
            "reason": "'Records' is a string, not an array",
        }
    ]
    assert_totals(report)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_empty_file_is_skipped(runner: CliRunner, tmp_path: Path, gz: bool) -> None:
    # GIVEN an empty file
    path = write(tmp_path / "empty.json", b"", gz=gz)
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN it is a skipped file
    assert [p["category"] for p in report["skipped"]] == ["empty"]
    assert report["files_skipped"] == 1


def test_data_after_the_gzip_stream_is_reported_but_the_records_count(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a gzip CloudTrail file followed by junk bytes
    path = write(tmp_path / "junk.json.gz", gzip.compress(encode("cloudtrail", [denied(0), denied(1)])) + b"junk")
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN both records are evaluated and the junk is a partial problem
    (problem,) = report["skipped"]
    assert (problem["kind"], problem["category"]) == ("partial", "corrupt-gzip")
    assert report["events"] == 2


def test_mixed_archive_totals_add_up(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a folder with good, bad and damaged files
    root = tmp_path / "mixed"
    write(root / "1-good.json.gz", encode("cloudtrail", [denied(0), quiet_record(1)]), gz=True)
    write(root / "2-invalid.json", b"not json at all")
    write(root / "3-objects.json", encode("array", [denied(2), 5, "x"]))
    cut = gzip.compress(encode("jsonl", [denied(i) for i in range(100)]))
    write(root / "4-cut.jsonl.gz", cut[: len(cut) // 2])
    write(root / "5-empty.json", b"")
    write(root / "CloudTrail-Digest" / "6-digest.json.gz", b"{}", gz=True)
    # WHEN the folder is replayed
    _, report = run_json(runner, ["replay", str(root)])
    # THEN every file is either read or skipped, and every record evaluated or skipped
    assert report["files_found"] == 6
    assert (report["files"], report["files_skipped"], report["files_partial"]) == (3, 3, 1)
    assert report["records_skipped"] == 2
    assert report["skipped_by_category"] == {
        "digest": 1,
        "empty": 1,
        "invalid-json": 1,
        "not-an-object": 2,
        "truncated-gzip": 1,
    }
    assert_totals(report)


def test_strict_exits_1_when_input_was_skipped(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN one file with a record that is not an object
    path = write(tmp_path / "log.json", encode("array", [denied(0), 1]))
    # WHEN replayed with and without --strict
    lenient = runner.invoke(cli_main(), ["replay", str(path), "--format", "json"])
    strict = runner.invoke(cli_main(), ["replay", str(path), "--format", "json", "--strict"])
    # THEN only --strict fails the run
    assert (lenient.exit_code, strict.exit_code) == (0, 1)


def test_strict_ignores_digest_files(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN a trail bucket whose only skips are digest files
    # WHEN it is replayed with --strict
    result = runner.invoke(cli_main(), ["replay", str(s3_archive), "--strict", "--format", "json"])
    # THEN the run succeeds
    assert result.exit_code == 0


def cli_main() -> Any:
    from trailwatch_constructs.cli.main import cli

    return cli


pieces = st.sampled_from(
    [
        "good",
        "jsonl",
        "not-object",
        "bad-line",
        "invalid",
        "cut-jsonl",
        "cut-doc",
        "empty",
        "concatenated",
        "cut-concatenated",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(pieces, min_size=1, max_size=6))
def test_totals_invariant_holds_for_any_mix(runner: CliRunner, kinds: list[str]) -> None:
    # GIVEN any mix of good and bad files
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths: list[str] = []
        for n, kind in enumerate(kinds):
            path = root / f"{n}.json"
            paths.append(str(path))
            records = [denied(i) for i in range(30)]
            if kind == "good":
                write(path, encode("cloudtrail", records), gz=n % 2 == 0)
            elif kind == "jsonl":
                write(path, encode("jsonl", records), gz=n % 2 == 0)
            elif kind == "not-object":
                write(path, encode("array", [*records[:3], 1, None]))
            elif kind == "bad-line":
                write(path, encode("jsonl", records[:3]) + b"{bad\n" + encode("jsonl", records[3:5]))
            elif kind == "invalid":
                write(path, b"[{]")
            elif kind == "cut-jsonl":
                data = gzip.compress(encode("jsonl", records))
                write(path, data[: len(data) // 2])
            elif kind == "cut-doc":
                data = gzip.compress(encode("cloudtrail", records))
                write(path, data[: len(data) // 2])
            elif kind == "empty":
                write(path, b"")
            elif kind in ("concatenated", "cut-concatenated"):
                data = b"".join(gzip.compress(encode("cloudtrail", records[i : i + 10])) for i in (0, 10, 20))
                write(path, data if kind == "concatenated" else data[: len(data) * 5 // 6])
        # WHEN they are replayed
        _, report = run_json(runner, ["replay", *paths])
    # THEN the totals add up, and each named path is one file found
    assert report["files_found"] == len(kinds)
    assert_totals(report)
    assert report["controls"]["unauthorized-api-calls"]["matches"] == report["events"]
