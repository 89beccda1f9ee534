"""Helpers for the CLI tests: CloudTrail records with known matches, input forms, files, runs.

Records come from the catalogue's sample events or are built to match one control each, so the
archives hold realistic CloudTrail shapes with known matches: ``fires`` samples match their
control, ``ignores`` samples do not.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner, Result

from trailwatch_constructs.catalog import load_samples
from trailwatch_constructs.cli import readers, streams
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.readers import RecordBatch

Record = dict[str, Any]


def fires(control_id: str) -> list[Record]:
    """Sample records that ``control_id`` must match (deep copies)."""
    return [json.loads(json.dumps(e.record)) for e in load_samples(control_id).fires]


def ignores(control_id: str) -> list[Record]:
    """Sample near misses that ``control_id`` must not match (deep copies)."""
    return [json.loads(json.dumps(e.record)) for e in load_samples(control_id).ignores]


def quiet_record(n: int) -> Record:
    """An everyday record that no catalogue control matches."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:app",
            "arn": "arn:aws:sts::111122223333:assumed-role/app/session",
            "accountId": "111122223333",
        },
        "eventTime": f"2024-05-01T00:{n % 60:02d}:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "eventID": f"quiet-{n}",
        "eventType": "AwsApiCall",
    }


def _call(n: int, name: str, source: str, identity: Record, ip: str, **extra: Any) -> Record:
    record: Record = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": f"2024-05-01T01:{n % 60:02d}:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "eventID": f"{name}-{n}",
        "eventType": "AwsApiCall",
    }
    record.update(extra)
    return record


ALICE = "arn:aws:iam::111122223333:user/alice"
ROOT = "arn:aws:iam::111122223333:root"


def root_login(n: int) -> Record:
    """Matches root-account-usage only."""
    identity = {"type": "Root", "principalId": "111122223333", "arn": ROOT, "accountId": "111122223333"}
    return _call(
        n,
        "ConsoleLogin",
        "signin.amazonaws.com",
        identity,
        "203.0.113.24",
        eventType="AwsConsoleSignIn",
        responseElements={"ConsoleLogin": "Success"},
        additionalEventData={"MFAUsed": "Yes"},
    )


def denied(n: int, arn: str = ALICE, ip: str = "198.51.100.9") -> Record:
    """Matches unauthorized-api-calls only."""
    identity = {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": arn, "accountId": "111122223333"}
    return _call(
        n, "GetObject", "s3.amazonaws.com", identity, ip, errorCode="AccessDenied", errorMessage="Access Denied"
    )


def service_denied(n: int) -> Record:
    """Matches unauthorized-api-calls; its identity has no ARN (an AWS service)."""
    identity = {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}
    return _call(n, "Decrypt", "kms.amazonaws.com", identity, "ec2.amazonaws.com", errorCode="AccessDenied")


def stop_logging(n: int) -> Record:
    """Matches cloudtrail-config-changes only."""
    identity = {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": ALICE, "accountId": "111122223333"}
    return _call(n, "StopLogging", "cloudtrail.amazonaws.com", identity, "198.51.100.9")


def add_to_admins(n: int) -> Record:
    """Matches privileged-group-membership-changes for the group Admins only."""
    identity = {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": ALICE, "accountId": "111122223333"}
    return _call(
        n,
        "AddUserToGroup",
        "iam.amazonaws.com",
        identity,
        "198.51.100.9",
        requestParameters={"groupName": "Admins", "userName": "mallory"},
    )


def encode(form: str, records: Sequence[object]) -> bytes:
    """``records`` in one of the input forms: cloudtrail, array, object (one record), jsonl."""
    if form == "cloudtrail":
        return orjson.dumps({"Records": list(records)})
    if form == "array":
        return orjson.dumps(list(records))
    if form == "object":
        (only,) = records
        return orjson.dumps(only)
    if form == "jsonl":
        return b"".join(orjson.dumps(r) + b"\n" for r in records)
    if form == "pretty":
        return json.dumps({"Records": list(records)}, indent=2).encode()
    raise ValueError(form)


def write(path: Path, data: bytes, *, gz: bool = False) -> Path:
    """Write ``data`` (gzip-compressed when ``gz``) to ``path``, creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def run_json(runner: CliRunner, args: Sequence[str], **kwargs: Any) -> tuple[Result, dict[str, Any]]:
    """Invoke ``trailwatch <args> --format json`` and decode stdout."""
    result = runner.invoke(cli, [*args, "--format", "json"], **kwargs)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result, json.loads(result.stdout)


S3_ACCOUNT = "111122223333"
ORG_ACCOUNT = "777788889999"


def build_s3_archive(root: Path, files: Mapping[str, Sequence[Record]]) -> list[Path]:
    """A trail bucket copied to disk: ``files`` maps a path relative to ``root`` to its records."""
    return [write(root / rel, encode("cloudtrail", records), gz=True) for rel, records in files.items()]


BOB = "arn:aws:iam::111122223333:user/bob"


def assert_totals(report: dict[str, Any]) -> None:
    assert report["files"] + report["files_skipped"] == report["files_found"]
    assert report["events"] + report["records_skipped"] == report["records_seen"]


CONCATENATED = [[quiet_record(0), denied(1)], [denied(2), quiet_record(3), denied(4)], [denied(5)]]
"""Three CloudTrail files' records: the denied calls are records 1, 2, 4 and 5 of the concatenation."""


def concatenate(documents: list[bytes], *, separator: bytes = b"", gz: bool = False) -> bytes:
    """``cat`` of files holding ``documents``, each followed by ``separator``, gzip-compressed or not."""
    files = [document + separator for document in documents]
    return b"".join(gzip.compress(f) for f in files) if gz else b"".join(files)


def decode(data: bytes) -> list[object]:
    out: list[object] = []
    for item in readers.decode("x", streams.content(io.BytesIO(data))):
        assert isinstance(item, RecordBatch), item
        out.extend(item.records)
    return out


def big_archive(root: Path) -> Path:
    """Twelve files with matches spread over them, plus bad input, for the --jobs comparison."""
    for n in range(12):
        records: list[Any] = [quiet_record(i) for i in range(20)]
        records[n % 20] = denied(n, arn=f"arn:aws:iam::111122223333:user/u{n % 3}")
        records[(n * 7) % 20] = root_login(n)
        write(
            root / f"AWSLogs/1/CloudTrail/us-east-1/2024/05/{n:02d}/f.json.gz", encode("cloudtrail", records), gz=True
        )
    write(root / "AWSLogs/1/CloudTrail-Digest/d.json.gz", b"{}", gz=True)
    write(root / "bad/x.json", encode("array", [denied(99), 3]))
    cut = gzip.compress(encode("jsonl", [denied(i) for i in range(50)]))
    write(root / "bad/y.jsonl.gz", cut[: len(cut) // 2])
    return root


DENIED = '{ $.errorCode = "AccessDenied*" }'


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def decode_items(data: bytes, source: str = "x") -> list[RecordBatch | Problem]:
    """Everything :func:`readers.decode` yields for ``data`` (gzip or not): batches and problems."""
    return list(readers.decode(source, streams.content(io.BytesIO(data))))


def records_of(items: list[RecordBatch | Problem]) -> list[object]:
    """The records of the batches among ``items``, in order."""
    return [record for item in items if isinstance(item, RecordBatch) for record in item.records]


class FailingStream(io.RawIOBase):
    """A stream that delivers ``data``, then fails with ``error`` (an I/O error mid-read)."""

    def __init__(self, data: bytes, error: OSError) -> None:
        self._data = io.BytesIO(data)
        self._error = error

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        out = self._data.read(size)
        if not out:
            raise self._error
        return out
