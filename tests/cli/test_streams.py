"""gzip detected by content, members one after another, and damage: what was read before it still counts."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli import readers, streams
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.readers import RecordBatch

from .helpers import (
    FailingStream,
    assert_totals,
    decode_items,
    denied,
    encode,
    records_of,
    run_json,
    write,
)


def test_gzip_is_detected_by_content_not_extension(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN gzip data named .json and plain JSON named .gz
    a = write(tmp_path / "a.json", encode("cloudtrail", [denied(0)]), gz=True)
    b = write(tmp_path / "b.json.gz", encode("cloudtrail", [denied(1)]), gz=False)
    # WHEN both are replayed
    _, report = run_json(runner, ["replay", str(a), str(b)])
    # THEN both decode
    assert (report["files"], report["events"], report["records_skipped"]) == (2, 2, 0)


def test_concatenated_gzip_members_are_all_read(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN two gzip members one after the other (what `cat a.gz b.gz` makes)
    data = gzip.compress(encode("jsonl", [denied(0)])) + gzip.compress(encode("jsonl", [denied(1), denied(2)]))
    path = write(tmp_path / "joined.jsonl.gz", data)
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN the records of both members are evaluated
    assert report["events"] == 3


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


def test_data_after_the_gzip_stream_is_reported_but_the_records_count(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a gzip CloudTrail file followed by junk bytes
    path = write(tmp_path / "junk.json.gz", gzip.compress(encode("cloudtrail", [denied(0), denied(1)])) + b"junk")
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN both records are evaluated and the junk is a partial problem
    (problem,) = report["skipped"]
    assert (problem["kind"], problem["category"]) == ("partial", "corrupt-gzip")
    assert report["events"] == 2


def test_a_truncated_gzip_keeps_the_lines_before_the_damage_with_tiny_chunks() -> None:
    # GIVEN JSON Lines, gzip-compressed, cut in the middle
    lines = [{"n": i, "pad": "x" * 30} for i in range(50)]
    data = gzip.compress(encode("jsonl", lines))
    cut = data[: len(data) // 2]
    # WHEN decoded 7 bytes at a time
    with mock.patch.object(streams, "CHUNK_SIZE", 7):
        items = list(readers.decode("x", streams.content(io.BytesIO(cut))))
    # THEN a prefix of the records comes out, then one partial problem
    *batches, last = items
    got = [r for b in batches if isinstance(b, RecordBatch) for r in b.records]
    assert got == lines[: len(got)] and got
    assert isinstance(last, Problem) and (last.kind, last.category) == ("partial", "truncated-gzip")


def test_a_truncated_gzip_of_concatenated_files_keeps_the_documents_before_the_cut() -> None:
    # GIVEN two gzip CloudTrail files concatenated, the second one cut in half
    second = gzip.compress(encode("cloudtrail", [denied(n) for n in range(1, 40)]))
    data = gzip.compress(encode("cloudtrail", [denied(0)])) + second[: len(second) // 2]
    # WHEN decoded
    *batches, problem = list(readers.decode("x", streams.content(io.BytesIO(data))))
    # THEN the first file's record comes out, then one partial problem for the rest
    assert [b.records for b in batches if isinstance(b, RecordBatch)] == [[denied(0)]]
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.category) == ("partial", "truncated-gzip")
    assert problem.reason.endswith("; the 1 record(s) before it were read, the rest of the file is lost")


# --- damage at every point of a stream -----------------------------------------------------------


def test_corrupt_gzip_data_mid_stream_keeps_the_lines_before_it() -> None:
    # GIVEN gzip JSON Lines, then a second gzip member whose compressed data is garbage
    first = encode("jsonl", [denied(0), denied(1)])
    data = gzip.compress(first) + gzip.compress(encode("jsonl", [denied(2)]))[:10] + b"\xff" * 20
    # WHEN decoded 16 bytes at a time
    with mock.patch.object(streams, "CHUNK_SIZE", 16):
        items = decode_items(data)
    # THEN the first member's lines come out, then one partial corrupt-gzip problem counting its bytes
    assert records_of(items) == [denied(0), denied(1)]
    last = items[-1]
    assert isinstance(last, Problem)
    assert (last.kind, last.category) == ("partial", "corrupt-gzip")
    assert last.reason.startswith(f"corrupt gzip data after {len(first):,} bytes: ")
    assert last.reason.endswith("; the 2 record(s) before it were read, the rest of the file is lost")


def test_corrupt_gzip_data_before_any_record_skips_the_file() -> None:
    # GIVEN the gzip magic bytes followed by garbage
    # WHEN decoded
    (problem,) = decode_items(b"\x1f\x8b" + b"\x00" * 30)
    # THEN the file is skipped: no record could be decoded
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.category) == ("file", "corrupt-gzip")
    assert problem.reason.startswith("corrupt gzip data after 0 bytes: ")
    assert problem.reason.endswith("; no record could be decoded")


def test_a_gzip_stream_cut_before_any_output_skips_the_file() -> None:
    # GIVEN only the first 12 bytes of a gzip stream (its header)
    data = gzip.compress(encode("jsonl", [denied(0)]))[:12]
    # WHEN decoded
    (problem,) = decode_items(data)
    # THEN the file is skipped as truncated
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.category) == ("file", "truncated-gzip")
    assert problem.reason == (
        "gzip stream is truncated (it ends before its end-of-stream marker, after 0 bytes); no record could be decoded"
    )


def test_a_read_error_mid_file_keeps_the_lines_read_before_it() -> None:
    # GIVEN JSON Lines whose reading fails with an I/O error after the data
    data = encode("jsonl", [denied(0), denied(1)])
    stream = FailingStream(data, OSError(5, "Input/output error"))
    # WHEN decoded
    items = list(readers.decode("x", streams.content(stream)))
    # THEN both lines are records, then a partial unreadable problem with the OS's reason
    assert records_of(items) == [denied(0), denied(1)]
    assert items[-1] == Problem(
        "x",
        None,
        "partial",
        "unreadable",
        "read error: Input/output error; the 2 record(s) before it were read, the rest of the file is lost",
    )


def test_a_read_error_before_any_data_skips_the_file() -> None:
    # GIVEN a stream that fails on its first read
    stream = FailingStream(b"", OSError(5, "Input/output error"))
    # WHEN decoded
    items = list(readers.decode("x", streams.content(stream)))
    # THEN the file is skipped as unreadable
    assert items == [
        Problem("x", None, "file", "unreadable", "read error: Input/output error; no record could be decoded")
    ]


def test_a_read_error_inside_a_document_skips_the_file_as_incomplete() -> None:
    # GIVEN a CloudTrail document whose reading fails half-way
    data = encode("cloudtrail", [denied(0), denied(1)])
    stream = FailingStream(data[: len(data) // 2], OSError(5, "Input/output error"))
    # WHEN decoded
    items = list(readers.decode("x", streams.content(stream)))
    # THEN the file is skipped: its one document is incomplete
    assert items == [
        Problem(
            "x", None, "file", "unreadable", "read error: Input/output error; the JSON document in it is incomplete"
        )
    ]


def test_zero_padding_after_the_last_gzip_member_is_ignored() -> None:
    # GIVEN a gzip member followed by zero bytes (as tape and block devices pad)
    data = gzip.compress(encode("jsonl", [denied(0)])) + b"\0" * 100
    # WHEN decoded, 7 bytes at a time so that the padding spans reads
    with mock.patch.object(streams, "CHUNK_SIZE", 7):
        items = decode_items(data)
    # THEN the record is read and nothing is reported
    assert items == [RecordBatch(0, [denied(0)])]


@pytest.mark.parametrize("padding", [1, 2, 3, 4])
@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_a_gzip_member_after_zero_padding_is_read(padding: int, chunk: int) -> None:
    # GIVEN two gzip members with zero bytes between them
    first = gzip.compress(encode("jsonl", [denied(0)]), mtime=0)
    data = first + b"\0" * padding + gzip.compress(encode("jsonl", [denied(1)]))
    # WHEN decoded `chunk` bytes at a time
    with mock.patch.object(streams, "CHUNK_SIZE", chunk):
        items = decode_items(data)
    # THEN both members' records are read
    assert records_of(items) == [denied(0), denied(1)]
    assert all(isinstance(item, RecordBatch) for item in items)


def test_output_beyond_one_chunk_is_all_delivered() -> None:
    # GIVEN gzip data that decompresses to many times the chunk size from a single small read
    lines = [{"n": i, "pad": "y" * 200} for i in range(50)]
    data = gzip.compress(encode("jsonl", lines))
    # WHEN its content is read with 64-byte chunks
    with mock.patch.object(streams, "CHUNK_SIZE", 64):
        chunks = list(streams.content(io.BytesIO(data)))
    # THEN every byte is delivered, never more than a chunk at a time
    assert b"".join(chunks) == encode("jsonl", lines)
    assert max(map(len, chunks)) == 64


def test_a_pipe_that_delivers_one_byte_at_a_time_is_still_recognised_as_gzip() -> None:
    # GIVEN gzip data read one byte at a time
    data = gzip.compress(encode("object", [denied(0)]))
    # WHEN its content is read
    with mock.patch.object(streams, "CHUNK_SIZE", 1):
        content = b"".join(streams.content(io.BytesIO(data)))
    # THEN it is decompressed
    assert content == encode("object", [denied(0)])


def test_plain_data_shorter_than_the_gzip_magic_is_delivered() -> None:
    # GIVEN a one-byte plain file
    # WHEN its content is read
    # THEN the byte comes out as it is
    assert b"".join(streams.content(io.BytesIO(b"7"))) == b"7"


def test_junk_after_a_whole_document_loses_nothing() -> None:
    # GIVEN a gzip CloudTrail file followed by bytes that are not gzip
    data = gzip.compress(encode("cloudtrail", [denied(0), denied(1)])) + b"junk"
    # WHEN decoded
    items = decode_items(data)
    # THEN both records are read, and the problem says nothing was lost
    assert items == [
        RecordBatch(0, [denied(0), denied(1)]),
        Problem(
            "x",
            None,
            "partial",
            "corrupt-gzip",
            "data that is not gzip follows the end of the gzip stream; the 2 record(s) before it were read",
        ),
    ]


@pytest.mark.parametrize("junk", [b"X", b"XX", b"\0X"])
def test_anything_but_zero_bytes_after_the_gzip_stream_is_damage(junk: bytes) -> None:
    # GIVEN a gzip member followed by a few bytes that are not zero
    data = gzip.compress(encode("object", [denied(0)])) + junk
    # WHEN decoded
    items = decode_items(data)
    # THEN the record is read, and the bytes are reported
    assert records_of(items) == [denied(0)]
    assert isinstance(items[-1], Problem) and items[-1].category == "corrupt-gzip"


def test_truncation_says_how_many_bytes_were_delivered() -> None:
    # GIVEN a gzip stream of 20,000 bytes of content, cut in the middle
    content = encode("jsonl", [{"n": i, "pad": "z" * 100} for i in range(200)])
    data = gzip.compress(content)[:-50]
    # WHEN its content is read 100 bytes at a time until the damage
    delivered = 0
    with mock.patch.object(streams, "CHUNK_SIZE", 100), pytest.raises(streams.StreamDamage) as raised:
        for chunk in streams.content(io.BytesIO(data)):
            delivered += len(chunk)
    # THEN the damage counts exactly the bytes delivered before it
    assert 0 < delivered < len(content)
    assert raised.value.category == "truncated-gzip"
    assert raised.value.reason == (
        f"gzip stream is truncated (it ends before its end-of-stream marker, after {delivered:,} bytes)"
    )
    assert str(raised.value) == raised.value.reason
