"""Input forms (CloudTrail file, array, object, JSON Lines, concatenations; gzip or not) and the S3 layout walk."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from trailwatch_constructs.cli import readers
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.readers import Problem, RecordBatch

from .conftest import ORG_ACCOUNT, S3_ACCOUNT, denied, encode, quiet_record, root_login, run_json, write

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


CONCATENATED = [[quiet_record(0), denied(1)], [denied(2), quiet_record(3), denied(4)], [denied(5)]]
"""Three CloudTrail files' records: the denied calls are records 1, 2, 4 and 5 of the concatenation."""


def concatenate(documents: list[bytes], *, separator: bytes = b"", gz: bool = False) -> bytes:
    """``cat`` of files holding ``documents``, each followed by ``separator``, gzip-compressed or not."""
    files = [document + separator for document in documents]
    return b"".join(gzip.compress(f) for f in files) if gz else b"".join(files)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("separator", [b"", b"\n", b" \r\n\n "], ids=["adjacent", "newline", "whitespace"])
@pytest.mark.parametrize("form", ["cloudtrail", "pretty"])
def test_concatenated_cloudtrail_files_are_read_document_by_document(
    runner: CliRunner, tmp_path: Path, form: str, separator: bytes, gz: bool
) -> None:
    # GIVEN three CloudTrail files concatenated (`cat a.json.gz b.json.gz c.json.gz > all.json.gz`)
    data = concatenate([encode(form, records) for records in CONCATENATED], separator=separator, gz=gz)
    path = write(tmp_path / "all.json.gz", data)
    out = tmp_path / "m.jsonl"
    # WHEN the file is replayed with the matches written out
    _, report = run_json(runner, ["replay", str(path), "--matches-out", str(out)])
    # THEN every record of every document is evaluated, indexed across the file
    assert (report["files"], report["events"], report["skipped"]) == (1, 6, [])
    assert [json.loads(line)["index"] for line in out.read_text().splitlines()] == [1, 2, 4, 5]


def test_a_line_of_several_documents_is_read_document_by_document(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN JSON Lines whose first line is two CloudTrail files one after the other
    first, second, third = (encode("cloudtrail", records) for records in CONCATENATED)
    path = write(tmp_path / "all.jsonl", first + second + b"\n" + third + b"\n")
    # WHEN it is replayed
    _, report = run_json(runner, ["replay", str(path)])
    # THEN the records of all three documents are evaluated
    assert (report["events"], report["skipped"]) == (6, [])


def test_trailwatch_test_reads_concatenated_files_from_stdin(runner: CliRunner) -> None:
    # GIVEN concatenated gzip CloudTrail files piped in
    data = concatenate([encode("cloudtrail", records) for records in CONCATENATED], gz=True)
    # WHEN a pattern is tested on them
    result = runner.invoke(cli, ["test", "--control", "unauthorized-api-calls", "--format", "jsonl"], input=data)
    # THEN every record has its line, indexed across the documents
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["index"], line["matched"]) for line in lines] == [
        (0, False),
        (1, True),
        (2, True),
        (3, False),
        (4, True),
        (5, True),
    ]


def test_s3_layout_is_walked_with_org_trails_and_digests_skipped(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN a trail bucket on disk with three log files (one from an organization trail) and
    #       two digest files
    # WHEN the bucket folder is replayed
    _, report = run_json(runner, ["replay", str(s3_archive)])
    # THEN the log files are read, the digests skipped and counted, and the org trail's record evaluated
    assert (report["files_found"], report["files"], report["files_skipped"]) == (5, 3, 2)
    assert report["events"] == 6
    assert report["skipped_by_category"] == {"digest": 2}
    assert {p["category"] for p in report["skipped"]} == {"digest"}
    assert all("CloudTrail-Digest" in p["file"] for p in report["skipped"])
    assert report["controls"]["cloudtrail-config-changes"]["matches"] == 1


def test_walk_order_is_sorted_by_path(runner: CliRunner, s3_archive: Path, tmp_path: Path) -> None:
    # GIVEN the trail bucket
    out = tmp_path / "matches.jsonl"
    # WHEN it is replayed with the matches written out
    run_json(runner, ["replay", str(s3_archive), "--matches-out", str(out)])
    # THEN matches follow the sorted path order: account 1111... before the o-... org folder
    files = [json.loads(line)["file"] for line in out.read_text().splitlines()]
    assert [S3_ACCOUNT in f for f in files] == [True, True, False]
    assert ORG_ACCOUNT in files[-1]


def test_a_digest_file_named_explicitly_is_still_skipped(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN the path of a digest file and of a log file (what a shell glob over a bucket gives)
    digest = next(s3_archive.rglob("*_CloudTrail-Digest_*"))
    log = next(s3_archive.rglob("*_CloudTrail_*"))
    # WHEN both are named on the command line
    _, report = run_json(runner, ["replay", str(digest), str(log)])
    # THEN the digest is skipped as a digest, not parsed as events
    assert report["skipped"] == [
        {
            "file": str(digest),
            "index": None,
            "kind": "file",
            "category": "digest",
            "reason": "CloudTrail digest file (an integrity manifest, not events)",
        }
    ]


# --- the decoder on its own, with tiny chunks so that every boundary case happens ------------

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


def decode(data: bytes) -> list[object]:
    out: list[object] = []
    for item in readers._decode("x", readers._chunks(io.BytesIO(data))):
        assert isinstance(item, RecordBatch), item
        out.extend(item.records)
    return out


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
    with mock.patch.object(readers, "CHUNK_SIZE", chunk):
        decoded = decode(data)
    # THEN exactly the records come out
    assert decoded == records


def test_a_truncated_gzip_keeps_the_lines_before_the_damage_with_tiny_chunks() -> None:
    # GIVEN JSON Lines, gzip-compressed, cut in the middle
    lines = [{"n": i, "pad": "x" * 30} for i in range(50)]
    data = gzip.compress(encode("jsonl", lines))
    cut = data[: len(data) // 2]
    # WHEN decoded 7 bytes at a time
    with mock.patch.object(readers, "CHUNK_SIZE", 7):
        items = list(readers._decode("x", readers._chunks(io.BytesIO(cut))))
    # THEN a prefix of the records comes out, then one partial problem
    *batches, last = items
    got = [r for b in batches if isinstance(b, RecordBatch) for r in b.records]
    assert got == lines[: len(got)] and got
    assert isinstance(last, Problem) and (last.kind, last.category) == ("partial", "truncated-gzip")


def test_pretty_printed_json_with_blank_lines_first_reports_file_line_numbers() -> None:
    # GIVEN two blank lines, then a pretty-printed document broken on its third line
    data = b'\n\n[\n  {"a": 1},,\n]\n'
    # WHEN decoded
    (problem,) = list(readers._decode("x", readers._chunks(io.BytesIO(data))))
    # THEN the invalid-JSON position counts the file's lines (line 4), not the document's
    assert isinstance(problem, Problem)
    assert problem.category == "invalid-json"
    assert "line 4 column" in problem.reason


# --- concatenated documents, decoded with tiny chunks and either way of splitting ---------------

tricky_text = st.sampled_from(["}{", "] [", '\\"}{', "\\", '{"a": 1}{', "]\n["])
tricky_record = st.dictionaries(
    st.sampled_from(["eventName", "eventID", "n"]), st.one_of(tricky_text, st.integers(-9, 9), st.none()), max_size=3
)


@settings(max_examples=120, deadline=None)
@given(
    documents=st.lists(st.lists(tricky_record, max_size=4), min_size=1, max_size=4),
    form=st.sampled_from(["cloudtrail", "array", "pretty"]),
    separator=st.sampled_from([b"", b" ", b"\n", b"\r\n", b"\n\n  "]),
    gz=st.booleans(),
    chunk=st.integers(min_value=1, max_value=40),
    eager=st.booleans(),
)
def test_concatenated_documents_do_not_depend_on_chunks_or_strings(
    documents: list[list[dict[str, object]]], form: str, separator: bytes, gz: bool, chunk: int, eager: bool
) -> None:
    # GIVEN documents one after another, some strings holding brackets, quotes and backslashes
    data = concatenate([encode(form, records) for records in documents], separator=separator, gz=gz)
    # WHEN they are decoded `chunk` bytes at a time, split as they arrive (eager) or once gathered
    with (
        mock.patch.object(readers, "CHUNK_SIZE", chunk),
        mock.patch.object(readers, "SPLIT_SIZE", 0 if eager else readers.SPLIT_SIZE),
    ):
        decoded = decode(data)
    # THEN exactly the records come out, in order
    assert decoded == [record for records in documents for record in records]


class CountingStream(io.RawIOBase):
    """A stream that remembers how many bytes have been read from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        out = self._data.read(size)
        self.consumed += len(out)
        return out


def test_concatenated_documents_are_split_off_as_they_arrive() -> None:
    # GIVEN 60 CloudTrail documents one after another, about 600 bytes each, with no newline
    documents = [encode("cloudtrail", [denied(n), quiet_record(n)]) for n in range(60)]
    stream = CountingStream(b"".join(documents))
    ends = [sum(map(len, documents[: n + 1])) for n in range(len(documents))]
    # WHEN they are decoded 64 bytes at a time, with a 1,024-byte split threshold
    lags = []
    with mock.patch.object(readers, "CHUNK_SIZE", 64), mock.patch.object(readers, "SPLIT_SIZE", 1024):
        for n, item in enumerate(readers._decode("x", readers._chunks(stream))):
            assert isinstance(item, RecordBatch)
            lags.append(stream.consumed - ends[n])
    # THEN each document comes out within a threshold, a document and a chunk of its end:
    #      memory never holds the whole concatenation
    assert len(lags) == 60
    assert max(lags) <= 1024 + len(documents[0]) + 64


def test_a_broken_document_after_good_ones_is_one_skipped_record() -> None:
    # GIVEN two documents, then one that is cut short
    data = encode("cloudtrail", [denied(0)]) + encode("cloudtrail", [denied(1), denied(2)]) + b'{"Records": [{"a'
    # WHEN decoded
    *batches, problem = list(readers._decode("x", readers._chunks(io.BytesIO(data))))
    # THEN the good documents' records come out, and the broken one is the next record index
    assert [(b.start, len(b.records)) for b in batches if isinstance(b, RecordBatch)] == [(0, 1), (1, 2)]
    assert isinstance(problem, Problem)
    assert (problem.index, problem.kind, problem.category) == (3, "record", "invalid-json")


def test_a_truncated_gzip_of_concatenated_files_keeps_the_documents_before_the_cut() -> None:
    # GIVEN two gzip CloudTrail files concatenated, the second one cut in half
    second = gzip.compress(encode("cloudtrail", [denied(n) for n in range(1, 40)]))
    data = gzip.compress(encode("cloudtrail", [denied(0)])) + second[: len(second) // 2]
    # WHEN decoded
    *batches, problem = list(readers._decode("x", readers._chunks(io.BytesIO(data))))
    # THEN the first file's record comes out, then one partial problem for the rest
    assert [b.records for b in batches if isinstance(b, RecordBatch)] == [[denied(0)]]
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.category) == ("partial", "truncated-gzip")
    assert problem.reason.endswith("; the 1 record(s) before it were read, the rest of the file is lost")
