"""Input forms (CloudTrail file, array, object, JSON Lines; gzip or not) and the S3 layout walk."""

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
    # GIVEN the path of a digest file
    digest = next(s3_archive.rglob("*_CloudTrail-Digest_*"))
    # WHEN it is named on the command line
    _, report = run_json(runner, ["replay", str(digest)])
    # THEN it is skipped as a digest, not parsed as events
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
