"""docs/cli.md tells the truth: its example outputs are those of its commands, its numbers the code's."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import CONTROL_IDS
from trailwatch_constructs.cli.documents import SPLIT_SIZE
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.report_model import MAX_LISTED_PROBLEMS
from trailwatch_constructs.cli.tables import PIPE_WIDTH

from .helpers import (
    S3_ACCOUNT,
    build_s3_archive,
    denied,
    encode,
    quiet_record,
    root_login,
    service_denied,
    write,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
TEXT = DOC.read_text(encoding="utf-8")

# A documented run: a ```sh block with one `$ trailwatch ...` line, then a block with its output.
EXAMPLE = re.compile(r"```sh\n\$ (trailwatch [^\n]*)\n```\n\n```(\w*)\n(.*?)```", re.DOTALL)
EXAMPLES = EXAMPLE.findall(TEXT)


def build_example_inputs(root: Path) -> None:
    """What the documented commands read: a small copy of a trail's bucket, and events.json."""
    day = f"AWSLogs/{S3_ACCOUNT}/CloudTrail/us-east-1/2024/05/01"
    bob = f"arn:aws:iam::{S3_ACCOUNT}:user/bob"
    build_s3_archive(
        root,
        {
            f"{day}/{S3_ACCOUNT}_CloudTrail_us-east-1_20240501T0000Z_a.json.gz": [
                quiet_record(0),
                denied(1),
                denied(2, ip="203.0.113.5"),
                root_login(3),
            ],
            f"{day}/{S3_ACCOUNT}_CloudTrail_us-east-1_20240501T0005Z_b.json.gz": [
                denied(4, arn=bob),
                service_denied(5),
                quiet_record(6),
            ],
        },
    )
    digest_day = f"AWSLogs/{S3_ACCOUNT}/CloudTrail-Digest/us-east-1/2024/05/01"
    digest = f"{S3_ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T0100Z.json.gz"
    write(root / digest_day / digest, b"{}", gz=True)
    write(root / "events.json", encode("cloudtrail", [root_login(0), quiet_record(1)]))


def test_the_doc_has_documented_runs() -> None:
    # GIVEN docs/cli.md WHEN its documented runs are collected THEN the JSON report and the test table are among them
    assert [command.split()[1] for command, _, _ in EXAMPLES] == ["test", "replay"]


@pytest.mark.parametrize(("command", "language", "expected"), EXAMPLES, ids=[c for c, _, _ in EXAMPLES])
def test_documented_output_is_what_the_command_prints(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, language: str, expected: str
) -> None:
    # GIVEN the inputs the doc's examples read, in the current directory
    build_example_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    # WHEN the documented command runs
    result = runner.invoke(cli, shlex.split(command)[1:])
    # THEN it succeeds and prints what the doc shows (the same JSON value, or the same lines)
    assert result.exit_code == 0, result.output
    if language == "json":
        assert json.loads(result.stdout) == json.loads(expected)
    else:
        assert result.stdout == expected


@pytest.mark.parametrize(
    "quoted",
    [
        f"the {len(CONTROL_IDS)}th control",
        f"the first {MAX_LISTED_PROBLEMS:,} entries",
        f"{PIPE_WIDTH} columns wide",
        f"passes {SPLIT_SIZE // 2**20} MiB",
    ],
)
def test_numbers_in_the_doc_are_the_code_s(quoted: str) -> None:
    # GIVEN a number the doc quotes, as the code defines it
    # WHEN the doc is read
    # THEN it says the same
    assert quoted in " ".join(TEXT.split())
