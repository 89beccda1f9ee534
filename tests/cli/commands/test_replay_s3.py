"""``trailwatch replay s3://bucket/prefix``: an archive read from S3 (moto on 127.0.0.1) as it is read from disk."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.aws_server import AwsEndpoint
from trailwatch_constructs.cli.main import cli

from ..helpers import denied, encode, root_login, run_json, write

BUCKET = "trail-bucket"


def bucket(aws: AwsEndpoint) -> Any:
    """Creates :data:`BUCKET`; returns an S3 client."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": aws.region})
    return s3


def upload(aws: AwsEndpoint, root: Path) -> None:
    """Creates :data:`BUCKET` and puts every file under ``root`` in it, keyed by its path relative to ``root``."""
    s3 = bucket(aws)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        s3.put_object(Bucket=BUCKET, Key=path.relative_to(root).as_posix(), Body=path.read_bytes())


def replay_s3(runner: CliRunner, aws: AwsEndpoint, *args: str) -> dict[str, Any]:
    """Runs ``replay ARGS --endpoint-url URL --format json``; returns the report."""
    _, report = run_json(runner, ["replay", *args, "--endpoint-url", aws.url])
    return report


def as_in_s3(report: dict[str, Any], root: Path) -> dict[str, Any]:
    """Returns a local run's report with its files named as the same objects in :data:`BUCKET`."""
    text = json.dumps(report).replace(f"{root}/", f"s3://{BUCKET}/")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_an_s3_prefix_gives_the_report_of_the_same_files_on_disk(
    runner: CliRunner, aws: AwsEndpoint, s3_archive: Path
) -> None:
    # GIVEN a trail's bucket (log files, an organization trail's file, digest files) on disk and in S3
    upload(aws, s3_archive)
    # WHEN both are replayed
    _, local = run_json(runner, ["replay", str(s3_archive)])
    remote = replay_s3(runner, aws, f"s3://{BUCKET}/")
    # THEN the reports are the same (files, events, matches per control, digest files skipped and counted)
    assert remote == as_in_s3(local, s3_archive)
    assert (remote["files"], remote["events"], remote["skipped_by_category"]) == (3, 6, {"digest": 2})
    assert {c: v["matches"] for c, v in remote["controls"].items() if v["matches"]} == {
        "root-account-usage": 1,
        "unauthorized-api-calls": 1,
        "cloudtrail-config-changes": 1,
    }


def test_a_prefix_is_read_as_a_folder(runner: CliRunner, aws: AwsEndpoint, s3_archive: Path) -> None:
    # GIVEN the bucket, and a key that starts like the AWSLogs folder without being in it
    upload(aws, s3_archive)
    aws.client("s3").put_object(Bucket=BUCKET, Key="AWSLogs2/x.json", Body=encode("cloudtrail", [denied(0)]))
    # WHEN s3://bucket/AWSLogs is replayed (no trailing slash)
    remote = replay_s3(runner, aws, f"s3://{BUCKET}/AWSLogs")
    # THEN only what is under AWSLogs/ is read: the three log files and the digest file among them
    assert (remote["files"], remote["files_skipped"]) == (3, 1)


def test_two_jobs_give_the_report_of_one(runner: CliRunner, aws: AwsEndpoint, s3_archive: Path) -> None:
    # GIVEN the bucket in S3
    upload(aws, s3_archive)
    # WHEN it is replayed by one process, then by two
    one = replay_s3(runner, aws, f"s3://{BUCKET}/", "--jobs", "1")
    two = replay_s3(runner, aws, f"s3://{BUCKET}/", "--jobs", "2")
    # THEN the reports are the same
    assert two == one
    assert one["files"] == 3


def test_matches_out_names_each_match_by_its_object(
    runner: CliRunner, aws: AwsEndpoint, s3_archive: Path, tmp_path: Path
) -> None:
    # GIVEN the bucket in S3
    upload(aws, s3_archive)
    out = tmp_path / "matches.jsonl"
    # WHEN it is replayed with --matches-out and two workers
    replay_s3(runner, aws, f"s3://{BUCKET}/AWSLogs/", "--jobs", "2", "--matches-out", str(out))
    # THEN each match names the object it is in
    files = [json.loads(line)["file"] for line in out.read_text().splitlines()]
    assert len(files) == 3
    assert all(f.startswith(f"s3://{BUCKET}/AWSLogs/") and f.endswith(".json.gz") for f in files)


def test_a_corrupt_gzip_object_is_reported_and_skipped(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN a good object and one whose gzip data is corrupt
    good = gzip.compress(encode("cloudtrail", [root_login(0)]))
    bad = good[:10] + b"\xff" * 20 + good[30:]
    s3 = bucket(aws)
    s3.put_object(Bucket=BUCKET, Key="logs/a.json.gz", Body=good)
    s3.put_object(Bucket=BUCKET, Key="logs/b.json.gz", Body=bad)
    # WHEN the prefix is replayed
    remote = replay_s3(runner, aws, f"s3://{BUCKET}/logs/")
    # THEN the good one is read, and the bad one is reported by its address and skipped
    assert (remote["files"], remote["files_skipped"], remote["events"]) == (1, 1, 1)
    (problem,) = remote["skipped"]
    assert (problem["file"], problem["kind"], problem["category"]) == (
        f"s3://{BUCKET}/logs/b.json.gz",
        "file",
        "corrupt-gzip",
    )


def test_local_paths_and_s3_prefixes_can_be_mixed(
    runner: CliRunner, aws: AwsEndpoint, s3_archive: Path, tmp_path: Path
) -> None:
    # GIVEN the bucket in S3, and a local file
    upload(aws, s3_archive)
    local = write(tmp_path / "extra.json", encode("cloudtrail", [denied(7)]))
    # WHEN both are replayed together
    remote = replay_s3(runner, aws, str(local), f"s3://{BUCKET}/AWSLogs/")
    # THEN both are read and counted
    assert (remote["files"], remote["events"]) == (4, 7)
    assert remote["controls"]["unauthorized-api-calls"]["matches"] == 2


def test_an_s3_prefix_with_no_objects_is_a_usage_error(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN an empty bucket
    bucket(aws)
    # WHEN a prefix of it is replayed
    result = runner.invoke(cli, ["replay", f"s3://{BUCKET}/AWSLogs/", "--endpoint-url", aws.url, "--format", "json"])
    # THEN it is a usage error, as an empty directory is
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: nothing to read: 's3://{BUCKET}/AWSLogs/' has no objects under it\n"
    assert result.stdout == ""


def test_a_prefix_of_digest_files_only_is_a_usage_error(runner: CliRunner, aws: AwsEndpoint, s3_archive: Path) -> None:
    # GIVEN the bucket in S3
    upload(aws, s3_archive)
    # WHEN only its digest folder is replayed
    url = f"s3://{BUCKET}/AWSLogs/111122223333/CloudTrail-Digest/"
    result = runner.invoke(cli, ["replay", url, "--endpoint-url", aws.url])
    # THEN it is a usage error that says so
    assert result.exit_code == 2
    assert result.stderr == (
        f"trailwatch: error: nothing to read: '{url}' holds only CloudTrail digest files "
        "(integrity manifests, not events)\n"
    )


def test_a_missing_bucket_is_one_error_line_exit_1(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN no bucket at all
    # WHEN a prefix of a bucket that does not exist is replayed
    result = runner.invoke(cli, ["replay", "s3://no-such-bucket/AWSLogs/", "--endpoint-url", aws.url])
    # THEN the failed AWS call is one line, exit 1, and nothing is printed on stdout
    assert result.exit_code == 1
    assert result.stderr.startswith("trailwatch: error: cannot call AWS: ")
    assert "NoSuchBucket" in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_no_credentials_is_one_error_line_exit_1(
    runner: CliRunner, aws: AwsEndpoint, s3_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a bucket, and no credentials anywhere (nor an instance metadata service to ask)
    upload(aws, s3_archive)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # WHEN it is replayed
    result = runner.invoke(cli, ["replay", f"s3://{BUCKET}/", "--endpoint-url", aws.url])
    # THEN the run ends with one line that says so
    assert (result.exit_code, result.stderr) == (
        1,
        "trailwatch: error: cannot call AWS: Unable to locate credentials\n",
    )


def test_an_unknown_profile_is_one_error_line_exit_1(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN no configured profile
    # WHEN a profile is named
    result = runner.invoke(cli, ["replay", f"s3://{BUCKET}/", "--endpoint-url", aws.url, "--profile", "nope"])
    # THEN the run ends with one line that names it
    assert (result.exit_code, result.stderr) == (
        1,
        "trailwatch: error: cannot call AWS: The config profile (nope) could not be found\n",
    )


def test_an_endpoint_url_that_is_not_a_url_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN an endpoint without a scheme
    # WHEN it is given
    result = runner.invoke(cli, ["replay", "s3://b/", "--endpoint-url", "localhost:5000"])
    # THEN it is a usage error naming the option
    assert result.exit_code == 2
    assert "'localhost:5000' is not an http:// or https:// URL" in result.stderr


def test_an_s3_address_without_a_bucket_is_a_usage_error(runner: CliRunner, aws: AwsEndpoint) -> None:
    # GIVEN an address that names no bucket
    # WHEN it is replayed
    result = runner.invoke(cli, ["replay", "s3://", "--endpoint-url", aws.url])
    # THEN it is a usage error naming it
    assert (result.exit_code, result.stderr) == (
        2,
        "trailwatch: error: 's3://' is not an S3 address: expected s3://bucket/prefix\n",
    )


def test_a_progress_bar_leaves_the_report_alone(runner: CliRunner, aws: AwsEndpoint, s3_archive: Path) -> None:
    # GIVEN the bucket in S3
    upload(aws, s3_archive)
    # WHEN it is replayed with a progress bar (which lists the objects to count them) and without
    with_bar = replay_s3(runner, aws, f"s3://{BUCKET}/", "--progress")
    without = replay_s3(runner, aws, f"s3://{BUCKET}/", "--no-progress")
    # THEN the report is the same
    assert with_bar == without


def test_a_replay_of_local_files_does_not_load_boto3(tmp_path: Path) -> None:
    # GIVEN a local log file and a fresh interpreter
    log = write(tmp_path / "a.json", encode("cloudtrail", [denied(0)]))
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from trailwatch_constructs.cli.main import cli\n"
        "result = CliRunner().invoke(cli, ['replay', sys.argv[1], '--format', 'json'])\n"
        "print(result.exit_code, 'boto3' in sys.modules)\n"
    )
    # WHEN it replays the file
    out = subprocess.run([sys.executable, "-c", probe, str(log)], capture_output=True, text=True, check=True)
    # THEN boto3 was never imported: only s3:// paths pay for it
    assert out.stdout.split() == ["0", "False"]
