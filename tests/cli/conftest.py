"""Fixtures for the CLI tests: a click runner and small CloudTrail archives built in tmp_path.

Records come from the catalogue's sample events, so the archives hold realistic CloudTrail
shapes with known matches: ``fires`` samples match their control, ``ignores`` samples do not.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from trailwatch_constructs.catalog import load_samples
from trailwatch_constructs.cli.main import cli

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


@pytest.fixture
def runner() -> CliRunner:
    """A click runner with stdout and stderr kept apart, and no inherited terminal width.

    pytest-xdist workers (and some CI shells) set COLUMNS; unset, the CLI's output to a
    non-terminal uses its own pipe width, which is what these tests describe.
    """
    return CliRunner(env={"COLUMNS": None, "LINES": None})


@pytest.fixture
def invoke(runner: CliRunner) -> Callable[..., Result]:
    """``invoke("replay", path, ...)``: run the CLI in-process."""

    def _invoke(*args: str, input: bytes | str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input)

    return _invoke


S3_ACCOUNT = "111122223333"
ORG_ACCOUNT = "777788889999"


def build_s3_archive(root: Path, files: Mapping[str, Sequence[Record]]) -> list[Path]:
    """A trail bucket copied to disk: ``files`` maps a path relative to ``root`` to its records."""
    return [write(root / rel, encode("cloudtrail", records), gz=True) for rel, records in files.items()]


@pytest.fixture
def s3_archive(tmp_path: Path) -> Path:
    """``AWSLogs`` with two log files, an organization trail's file and two digest files.

    Matches (all controls, no privileged groups): root-account-usage 1 + unauthorized-api-calls 1
    in the first file, 1 cloudtrail-config-changes in the org trail's file.
    """
    root = tmp_path / "bucket"
    day = f"AWSLogs/{S3_ACCOUNT}/CloudTrail/us-east-1/2024/05/01"
    org_day = f"AWSLogs/o-a1b2c3d4e5/{ORG_ACCOUNT}/CloudTrail/eu-west-1/2024/05/01"
    build_s3_archive(
        root,
        {
            f"{day}/{S3_ACCOUNT}_CloudTrail_us-east-1_20240501T0000Z_a.json.gz": [
                quiet_record(0),
                root_login(1),
                denied(2),
            ],
            f"{day}/{S3_ACCOUNT}_CloudTrail_us-east-1_20240501T0005Z_b.json.gz": [quiet_record(1), quiet_record(2)],
            f"{org_day}/{ORG_ACCOUNT}_CloudTrail_eu-west-1_20240501T0000Z_c.json.gz": [stop_logging(3)],
        },
    )
    digest = {"awsAccountId": S3_ACCOUNT, "logFiles": []}
    write(
        root / f"AWSLogs/{S3_ACCOUNT}/CloudTrail-Digest/us-east-1/2024/05/01/"
        f"{S3_ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T0030Z.json.gz",
        orjson.dumps(digest),
        gz=True,
    )
    # A digest file outside a CloudTrail-Digest folder is still recognised by its name.
    write(
        root / f"misc/{S3_ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T0130Z.json.gz",
        orjson.dumps(digest),
        gz=True,
    )
    return root
