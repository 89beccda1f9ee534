"""Fixtures for the CLI tests: a click runner and a trail bucket built in tmp_path (helpers: helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from trailwatch_constructs.cli.main import cli

from .helpers import (
    BOB,
    ORG_ACCOUNT,
    S3_ACCOUNT,
    build_s3_archive,
    denied,
    encode,
    quiet_record,
    root_login,
    service_denied,
    stop_logging,
    write,
)


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


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two files: 3 denied calls by alice, 1 by bob, 1 by an AWS service, a root sign-in, a quiet call."""
    root = tmp_path / "archive"
    write(root / "a.json.gz", encode("cloudtrail", [denied(5), root_login(1), denied(9, ip="203.0.113.5")]), gz=True)
    write(root / "b.jsonl", encode("jsonl", [quiet_record(0), denied(2), denied(3, arn=BOB), service_denied(4)]))
    return root
