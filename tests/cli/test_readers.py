"""Records out of every input form, and bad JSON reported (file, record index, reason) while the run goes on."""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trailwatch_constructs.cli import documents as splitting
from trailwatch_constructs.cli import readers, streams
from trailwatch_constructs.cli.inputs import InputFile
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.readers import RecordBatch

from .helpers import (
    assert_totals,
    decode,
    decode_items,
    denied,
    encode,
    quiet_record,
    records_of,
    root_login,
    run_json,
    write,
)

FORMS = ["cloudtrail", "array", "jsonl", "pretty"]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("form", FORMS)
def test_every_form_is_read(runner: CliRunner, tmp_path: Path, form: str, gz: bool) -> None:
    # GIVEN three records, one of them a denied call, in one input form
    path = write(tmp_path / "input", encode(form, [quiet_record(0), denied(1), quiet_record(2)]), gz=gz)
    # WHEN the file is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN all three records are evaluated and the denied call is found
    assert (report["files"], report["events"], report["skipped"]) == (1, 3, [])
    assert report["controls"]["unauthorized-api-calls"]["matches"] == 1


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_one_json_object_is_one_record(runner: CliRunner, tmp_path: Path, gz: bool) -> None:
    # GIVEN a file holding a single record
    path = write(tmp_path / "one.json", encode("object", [root_login(0)]), gz=gz)
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN it is one event, matched by the root control
    assert report["events"] == 1
    assert report["controls"]["root-account-usage"]["matches"] == 1


def test_json_lines_of_cloudtrail_files_are_expanded(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN JSON Lines whose lines are whole CloudTrail files (e.g. `zcat *.gz > all.jsonl`)
    data = encode("cloudtrail", [denied(0), denied(1)]) + b"\n" + encode("cloudtrail", [denied(2)]) + b"\n"
    path = write(tmp_path / "all.jsonl", data)
    # WHEN it is replayed with the matches written out
    out = tmp_path / "m.jsonl"
    _, report = run_json(runner, ["replay", str(path), "--matches-out", str(out)])
    # THEN every record of every line is evaluated, indexed across the file
    assert report["events"] == 3
    assert [json.loads(line)["index"] for line in out.read_text().splitlines()] == [0, 1, 2]


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


record_strategy = st.dictionaries(
    st.sampled_from(["eventName", "eventID", "n", "userIdentity"]),
    st.one_of(
        st.text(max_size=5),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.none(),
        st.dictionaries(st.just("type"), st.text(max_size=3)),
    ),
    max_size=4,
)


@settings(max_examples=80, deadline=None)
@given(
    records=st.lists(record_strategy, min_size=1, max_size=6),
    form=st.sampled_from(["cloudtrail", "array", "jsonl", "pretty"]),
    members=st.integers(min_value=0, max_value=3),
    chunk=st.integers(min_value=1, max_value=40),
    cut=st.floats(min_value=0, max_value=1),
)
def test_decoding_does_not_depend_on_chunk_boundaries(
    records: list[dict[str, object]], form: str, members: int, chunk: int, cut: float
) -> None:
    # GIVEN records in any form, plain (members=0) or split over 1-3 concatenated gzip members
    data = encode(form, records)
    if members:
        at = sorted({int(len(data) * cut * k / members) for k in range(1, members)})
        pieces = [data[a:b] for a, b in zip([0, *at], [*at, len(data)], strict=True)]
        data = b"".join(gzip.compress(p) for p in pieces)
    # WHEN they are decoded reading `chunk` bytes at a time
    with mock.patch.object(streams, "CHUNK_SIZE", chunk):
        decoded = decode(data)
    # THEN exactly the records come out
    assert decoded == records


def test_pretty_printed_json_with_blank_lines_first_reports_file_line_numbers() -> None:
    # GIVEN two blank lines, then a pretty-printed document broken on its third line
    data = b'\n\n[\n  {"a": 1},,\n]\n'
    # WHEN decoded
    (problem,) = list(readers.decode("x", streams.content(io.BytesIO(data))))
    # THEN the invalid-JSON position counts the file's lines (line 4), not the document's
    assert isinstance(problem, Problem)
    assert problem.category == "invalid-json"
    assert "line 4 column" in problem.reason


# --- edge cases of the decoder -------------------------------------------------------------------


def test_an_invalid_last_line_without_a_newline_is_one_skipped_record() -> None:
    # GIVEN JSON Lines whose last line, with no newline after it, is broken
    data = encode("jsonl", [denied(0), denied(1)]) + b'{"eventName": '
    # WHEN decoded
    *batches, problem = decode_items(data)
    # THEN the good lines are records 0 and 1, and the last line is record 2, skipped with its line number
    assert records_of(batches) == [denied(0), denied(1)]
    assert isinstance(problem, Problem)
    assert (problem.index, problem.kind, problem.category) == (2, "record", "invalid-json")
    assert problem.reason.startswith("line 3: invalid JSON: ")


def test_a_valid_last_line_without_a_newline_is_read() -> None:
    # GIVEN JSON Lines whose last line has no newline after it
    data = encode("jsonl", [denied(0)]) + encode("object", [denied(1)])
    # WHEN decoded
    items = decode_items(data)
    # THEN both lines are records, and nothing is reported
    assert records_of(items) == [denied(0), denied(1)]
    assert all(isinstance(item, RecordBatch) for item in items)


@pytest.mark.parametrize("data", [b"   ", b"\n\n", b" \r\n\t\n  "], ids=["spaces", "newlines", "mixed"])
def test_a_whitespace_only_document_is_an_empty_file(data: bytes) -> None:
    # GIVEN a file holding only whitespace
    # WHEN decoded
    items = decode_items(data)
    # THEN it is one skipped, empty file
    assert items == [Problem("x", None, "file", "empty", "empty file: no JSON in it")]


def test_blank_lines_between_json_lines_use_no_index() -> None:
    # GIVEN JSON Lines with blank lines between them
    data = encode("object", [denied(0)]) + b"\n\n  \n" + encode("object", [denied(1)]) + b"\n"
    # WHEN decoded
    items = decode_items(data)
    # THEN the records are 0 and 1
    assert [(b.start, len(b.records)) for b in items if isinstance(b, RecordBatch)] == [(0, 1), (1, 1)]


def test_a_records_member_that_is_not_an_array_in_json_lines_names_its_line() -> None:
    # GIVEN JSON Lines whose second line has a Records member that is a number
    data = encode("object", [denied(0)]) + b"\n" + b'{"Records": 5}\n'
    # WHEN decoded
    items = decode_items(data)
    # THEN that line is one skipped record, named by its line
    assert items[-1] == Problem("x", 1, "record", "bad-records", "line 2: 'Records' is a number, not an array")


def test_an_empty_array_is_read_as_no_record() -> None:
    # GIVEN a file holding an empty JSON array
    # WHEN decoded
    items = decode_items(b"[]")
    # THEN nothing is skipped and there is no record
    assert items == [RecordBatch(0, [])]


# --- JSON Lines with a broken first line: salvaged only when most lines decode ------------------


def test_more_than_half_of_the_lines_decoding_is_json_lines_with_a_broken_first_line() -> None:
    # GIVEN three lines, the first broken: two of three decode
    data = b"{oops\n" + encode("jsonl", [denied(1), denied(2)])
    # WHEN decoded
    items = decode_items(data)
    # THEN it is read as JSON Lines: the first line is record 0, skipped
    assert isinstance(items[0], Problem)
    assert (items[0].index, items[0].kind, items[0].category) == (0, "record", "invalid-json")
    assert records_of(items) == [denied(1), denied(2)]


def test_exactly_half_of_the_lines_decoding_is_not_json_lines() -> None:
    # GIVEN four lines, two of which decode
    data = b"{oops\n" + encode("jsonl", [denied(1)]) + b"[nope\n" + encode("jsonl", [denied(2)])
    # WHEN decoded
    items = decode_items(data)
    # THEN it is one invalid file, not two skipped records
    (problem,) = items
    assert isinstance(problem, Problem)
    assert (problem.index, problem.kind, problem.category) == (None, "file", "invalid-json")


def test_one_broken_line_is_an_invalid_file() -> None:
    # GIVEN a single non-blank line that does not decode, then blank lines
    # WHEN decoded
    (problem,) = decode_items(b"{oops\n\n\n")
    # THEN it is one invalid file
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.category) == ("file", "invalid-json")
    assert problem.reason.startswith("invalid JSON: ")


def test_salvaged_lines_are_numbered_after_the_blank_lines_before_them() -> None:
    # GIVEN two blank lines, then a broken line and two good ones
    data = b"\n\n{oops\n" + encode("jsonl", [denied(1), denied(2)])
    # WHEN decoded
    items = decode_items(data)
    # THEN the broken line is named as line 3 of the file
    assert isinstance(items[0], Problem)
    assert items[0].reason.startswith("line 3: invalid JSON: ")


# --- where each problem is placed: its file, record index and line ------------------------------


def test_standard_input_that_is_not_there_skips_it() -> None:
    # GIVEN a process without standard input
    # WHEN '-' is read
    items = list(readers.read_file(InputFile("<stdin>", "-"), stdin=None))
    # THEN it is one unreadable file
    assert items == [Problem("<stdin>", None, "file", "unreadable", "standard input is not available")]


def test_problems_of_standard_input_are_named_stdin() -> None:
    # GIVEN standard input holding a broken document
    # WHEN it is read
    (problem,) = list(readers.read_file(InputFile("<stdin>", "-"), stdin=io.BytesIO(b"[{]")))
    # THEN the problem names standard input
    assert isinstance(problem, Problem)
    assert (problem.source, problem.category) == ("<stdin>", "invalid-json")


def test_a_file_that_vanished_after_discovery_is_missing(tmp_path: Path) -> None:
    # GIVEN a file that no longer exists when it is opened
    path = str(tmp_path / "gone.json")
    # WHEN it is read
    items = list(readers.read_file(InputFile(path, path)))
    # THEN it is one missing file
    assert items == [Problem(path, None, "file", "missing", "no such file or directory")]


def test_files_are_opened_unbuffered(tmp_path: Path) -> None:
    # GIVEN a file
    path = write(tmp_path / "a.json", b"{}")
    # WHEN it is opened for reading
    with readers._open_path(str(path)) as stream:
        # THEN it is the raw file: reads are already big, a buffer would only add a copy
        assert isinstance(stream, io.FileIO)


def test_a_records_member_that_is_not_an_array_uses_one_index() -> None:
    # GIVEN a document whose Records is a number, then a good record on the next line
    data = b'{"Records": 5}\n' + encode("object", [denied(0)])
    # WHEN decoded
    first, second = decode_items(data)
    # THEN the bad document is record 0 and the good record is record 1
    assert first == Problem("x", 0, "record", "bad-records", "line 1: 'Records' is a number, not an array")
    assert second == RecordBatch(1, [denied(0)])


def test_a_broken_line_uses_one_index() -> None:
    # GIVEN a good line, a broken line, and a good line
    data = encode("jsonl", [denied(0)]) + b"{oops\n" + encode("jsonl", [denied(2)])
    # WHEN decoded
    items = decode_items(data)
    # THEN the lines are records 0, 1 and 2
    assert [(item.start if isinstance(item, RecordBatch) else item.index) for item in items] == [0, 1, 2]
    assert isinstance(items[1], Problem) and items[1].source == "x"


def test_a_bad_records_member_on_the_last_line_names_its_line() -> None:
    # GIVEN JSON Lines whose last line, without a newline, has a Records member that is a string
    data = encode("jsonl", [denied(0)]) + b'{"Records": "x"}'
    # WHEN decoded
    items = decode_items(data)
    # THEN the problem names line 2
    assert items[-1] == Problem("x", 1, "record", "bad-records", "line 2: 'Records' is a string, not an array")


def test_a_bad_records_member_in_a_line_of_several_documents_names_its_line() -> None:
    # GIVEN a second line holding three documents, the second of them with a bad Records member
    data = encode("jsonl", [denied(0)]) + b'{"Records": [{"a": 1}]}{"Records": 5}{"Records": []}\n'
    # WHEN decoded
    items = decode_items(data)
    # THEN the bad document is one record index, named by its line
    assert items[2] == Problem("x", 2, "record", "bad-records", "line 2: 'Records' is a number, not an array")
    assert records_of(items) == [denied(0), {"a": 1}]


@pytest.mark.parametrize("chunk", [1, 3, 7, 16, 41, 64, 1 << 20])
def test_documents_split_off_a_growing_line_name_its_line(chunk: int) -> None:
    # GIVEN a long second line of documents (split off as they arrive), one with a bad Records member
    data = b"[1]\n" + b'{"Records": [{"a": 1}]}{"Records": 5}{"Records": [{"b": 2}]}\n' + b"[3]\n"
    # WHEN decoded `chunk` bytes at a time, splitting documents as soon as they end
    with mock.patch.object(streams, "CHUNK_SIZE", chunk), mock.patch.object(splitting, "SPLIT_SIZE", 0):
        items = decode_items(data)
    # THEN the bad document is named by its line, whichever read its bytes arrived in
    assert Problem("x", 2, "record", "bad-records", "line 2: 'Records' is a number, not an array") in items
    assert records_of(items) == [1, {"a": 1}, {"b": 2}, 3]


def test_a_bad_records_member_in_a_multi_line_document_names_no_line() -> None:
    # GIVEN pretty-printed documents one after another, the second with a bad Records member
    data = b'{\n  "Records": [{"a": 1}]\n}\n{\n  "Records": 5\n}\n'
    # WHEN decoded, splitting documents as soon as they end
    with mock.patch.object(splitting, "SPLIT_SIZE", 0):
        items = decode_items(data)
    # THEN the problem has no line number: the document spans lines
    assert items == [
        RecordBatch(0, [{"a": 1}]),
        Problem("x", 1, "record", "bad-records", "'Records' is a number, not an array"),
    ]


def test_a_broken_document_after_a_multi_line_one_names_no_line() -> None:
    # GIVEN a pretty-printed document, then a broken one
    data = b'{\n  "Records": [{"a": 1}]\n}\n{\n  "Records": [\n'
    # WHEN decoded
    items = decode_items(data)
    # THEN the broken document is one record, its reason orjson's, without a line number
    assert records_of(items) == [{"a": 1}]
    problem = items[-1]
    assert isinstance(problem, Problem)
    assert (problem.source, problem.index, problem.kind, problem.category) == ("x", 1, "record", "invalid-json")
    assert problem.reason.startswith("invalid JSON: ") and "column" in problem.reason


def test_an_invalid_file_reason_is_orjson_s_own() -> None:
    # GIVEN a document that is not valid JSON, on the first line
    data = b'{"a": [1, 2}'
    # WHEN decoded
    (problem,) = decode_items(data)
    # THEN the reason is orjson's message, whole
    with pytest.raises(orjson.JSONDecodeError) as raised:
        orjson.loads(data)
    assert problem == Problem("x", None, "file", "invalid-json", f"invalid JSON: {raised.value}")


def test_an_invalid_file_after_one_blank_line_counts_it() -> None:
    # GIVEN one blank line, then a broken multi-line document
    data = b'\n[\n  {"a": 1},,\n]\n'
    # WHEN decoded
    (problem,) = decode_items(data)
    # THEN the position is the file's line 3 (the document's line 2)
    assert isinstance(problem, Problem)
    assert problem.source == "x"
    assert "line 3 column" in problem.reason and "(char" not in problem.reason


def test_salvaged_json_lines_keep_the_source() -> None:
    # GIVEN JSON Lines with a broken first line
    data = b"{oops\n" + encode("jsonl", [denied(1), denied(2)])
    # WHEN decoded from a named input
    items = decode_items(data, source="events.jsonl")
    # THEN every problem names the input, and every line is decoded as JSON Lines
    assert items[0] == Problem(
        "events.jsonl", 0, "record", "invalid-json", items[0].reason if isinstance(items[0], Problem) else ""
    )
    assert items[1:] == [RecordBatch(1, [denied(1)]), RecordBatch(2, [denied(2)])]


def test_records_after_a_bad_records_member_keep_counting() -> None:
    # GIVEN two records, a document whose Records is not an array, and one more record
    data = encode("jsonl", [denied(0), denied(1)]) + b'{"Records": null}\n' + encode("jsonl", [denied(3)])
    # WHEN decoded THEN the last record is record 3
    assert decode_items(data)[-1] == RecordBatch(3, [denied(3)])
