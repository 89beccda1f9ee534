"""``trailwatch ... | head`` ends quietly with exit 0, whatever the output path (checked with a real pipe)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import denied, encode, write

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 20_000


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One log file of denied calls, each by its own principal from its own address.

    Every report below is then megabytes long: far more than a pipe buffers, so the pipe
    really is closed while trailwatch still writes.
    """
    records = [
        denied(n, arn=f"arn:aws:iam::111122223333:user/u{n}", ip=f"10.{n // 250}.{n % 250}.1") for n in range(EVENTS)
    ]
    return write(tmp_path_factory.mktemp("pipe") / "big.json.gz", encode("cloudtrail", records), gz=True)


@pytest.mark.parametrize(
    "args",
    [
        ["replay", "--format", "table", "--top", str(EVENTS)],
        ["replay", "--format", "json", "--top", str(EVENTS)],
        ["replay", "--format", "markdown", "--top", str(EVENTS)],
        ["test", "--control", "unauthorized-api-calls", "--format", "jsonl"],
        ["test", "--control", "unauthorized-api-calls", "--format", "table"],
    ],
    ids=["replay-table", "replay-json", "replay-markdown", "test-jsonl", "test-table"],
)
def test_output_into_a_closed_pipe_ends_quietly_with_exit_0(archive: Path, args: list[str]) -> None:
    # GIVEN a report far longer than what `head -2` reads
    trailwatch = shlex.join([sys.executable, "-m", "trailwatch_constructs.cli.main", *args, str(archive)])
    # WHEN it is piped into head, with pipefail so that trailwatch's own exit status counts
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{trailwatch} | head -2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    # THEN head printed its two lines, and trailwatch stopped without a message and with exit 0
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == ""
    assert result.returncode == 0
