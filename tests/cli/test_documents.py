"""Documents one after another (``cat a.json b.json``), split document by document."""

from __future__ import annotations

import io
import json
from pathlib import Path
from unittest import mock

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from trailwatch_constructs.cli import documents as splitting
from trailwatch_constructs.cli import readers, streams
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.readers import RecordBatch

from .helpers import (
    CONCATENATED,
    concatenate,
    decode,
    denied,
    encode,
    quiet_record,
    run_json,
    write,
)


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
        mock.patch.object(streams, "CHUNK_SIZE", chunk),
        mock.patch.object(splitting, "SPLIT_SIZE", 0 if eager else splitting.SPLIT_SIZE),
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
    with mock.patch.object(streams, "CHUNK_SIZE", 64), mock.patch.object(splitting, "SPLIT_SIZE", 1024):
        for n, item in enumerate(readers.decode("x", streams.content(stream))):
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
    *batches, problem = list(readers.decode("x", streams.content(io.BytesIO(data))))
    # THEN the good documents' records come out, and the broken one is the next record index
    assert [(b.start, len(b.records)) for b in batches if isinstance(b, RecordBatch)] == [(0, 1), (1, 2)]
    assert isinstance(problem, Problem)
    assert (problem.index, problem.kind, problem.category) == (3, "record", "invalid-json")


# --- the splitter on its own: what it decodes, and how often it tries -----------------------------


class CountingLoads:
    """``orjson.loads`` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.JSONDecodeError = orjson.JSONDecodeError

    def loads(self, data: bytes | bytearray) -> object:
        self.calls += 1
        return orjson.loads(data)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> CountingLoads:
    # The splitter's own orjson only: everything else decodes as usual.
    counting = CountingLoads()
    monkeypatch.setattr(splitting, "orjson", counting)
    return counting


def test_nothing_is_split_or_decoded_below_the_split_size(loads: CountingLoads) -> None:
    # GIVEN two documents, exactly as long as the split size
    data = b'{"a": 1}{"b": 2}'
    with mock.patch.object(splitting, "SPLIT_SIZE", len(data)):
        splitter = splitting.DocumentSplitter()
        # WHEN they are fed THEN nothing is decoded yet; one byte more, and the first is split off
        assert splitter.feed(data) == []
        assert loads.calls == 0
        assert splitter.feed(b" ") == [{"a": 1}]
    assert splitter.take() == bytearray(b'{"b": 2} ')


def test_pairs_inside_a_string_cost_one_failed_decoding(loads: CountingLoads) -> None:
    # GIVEN a document whose string holds many "}{" pairs, then a second document
    data = b'{"a": "' + b"}{" * 50 + b'"}{"b": 2}'
    # WHEN split
    documents = splitting.DocumentSplitter(data).split()
    # THEN the first document is split off after one failed try, strings being tracked from then on
    assert documents == [{"a": "}{" * 50}]
    assert loads.calls == 2


def test_a_broken_document_stops_the_splitting(loads: CountingLoads) -> None:
    # GIVEN a good document, a broken one, then many good ones
    data = b'{"a": 1}{"b": }' + b'{"c": 3}' * 20
    splitter = splitting.DocumentSplitter(data)
    # WHEN split
    documents = splitter.split()
    # THEN only the good one before it comes out, and the documents after it are not even tried
    assert documents == [{"a": 1}]
    assert loads.calls == 2
    assert splitter.take() == data[len(b'{"a": 1}') :]


def test_a_splitter_starts_afresh_after_take(loads: CountingLoads) -> None:
    # GIVEN a splitter that met a broken document
    splitter = splitting.DocumentSplitter(b'{"b": }{"c": 3}')
    assert splitter.split() == []
    splitter.take()
    # WHEN documents are fed after take THEN they are split again
    with mock.patch.object(splitting, "SPLIT_SIZE", 0):
        assert splitter.feed(b'{"d": 4}{"e": 5}') == [{"d": 4}]


def test_a_document_ending_a_read_is_split_when_the_next_one_begins() -> None:
    # GIVEN a document fed whole, its closing bracket the last byte
    splitter = splitting.DocumentSplitter()
    with mock.patch.object(splitting, "SPLIT_SIZE", 0):
        assert splitter.feed(b'{"a": [1, 2]} \n') == []
        # WHEN the next document's first byte arrives THEN the first is split off
        assert splitter.feed(b"[") == [{"a": [1, 2]}]
        assert splitter.feed(b"3]") == []
    assert splitter.take() == bytearray(b"[3]")
