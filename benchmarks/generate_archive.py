"""Generate a realistic, deterministic CloudTrail archive for benchmarking ``trailwatch replay``.

The archive has the layout of a trail's S3 bucket copied to disk::

    <out>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz
    <out>/AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/..._CloudTrail-Digest_....json.gz
    <out>/AWSLogs/o-<org>/<account>/CloudTrail/<region>/...      (an organization trail)

Each log file is ``{"Records": [...]}``, gzip-compressed, with 1,000-5,000 records in time order.
Records are drawn from templates of everyday API traffic (AssumeRole, Describe*, Get*/List*,
KMS Decrypt, S3 data events, console sign-ins, denied calls...) with varied identities: assumed
roles, IAM users, AWS services (no ARN), federated users and, rarely, root. About 2 % of the
records are the catalogue's sample events (both those that fire a control and their near
misses), so the controls have something realistic to find. The same seed gives the same bytes.

Usage::

    python benchmarks/generate_archive.py                       # 520,000 records, seed 20240501
    python benchmarks/generate_archive.py --records 100000 --out /tmp/archive
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent
SAMPLES_DIR = ROOT.parent / "trailwatch_constructs" / "catalog" / "samples"
DEFAULT_OUT = ROOT / "data" / "archive"

Record = dict[str, Any]

ACCOUNTS = ("111122223333", "444455556666")
ORG_ID = "o-a1b2c3d4e5"
ORG_ACCOUNTS = ("777788889999",)
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")
START = datetime(2024, 5, 1, tzinfo=UTC)

# The archive docs/performance.md measures: `python benchmarks/generate_archive.py` with no options.
RECORDS = 520_000
SEED = 20240501
MIN_PER_FILE = 1000
MAX_PER_FILE = 5000
SAMPLE_RATE = 0.02
DIGEST_EVERY = 8
"""A digest file after every this many log files (CloudTrail writes one an hour)."""

USER_AGENTS = (
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython",
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.6",
    "aws-sdk-java/2.25.16 Linux/5.10.210 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc.",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0",
    "AWS Internal",
)
SOURCE_IPS = tuple(f"198.51.100.{i}" for i in range(1, 40)) + tuple(f"203.0.113.{i}" for i in range(1, 25))
SERVICES_INVOKING = (
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "autoscaling.amazonaws.com",
    "config.amazonaws.com",
)


def _identity(rng: random.Random, account: str) -> tuple[Record, str]:
    """A caller identity and the source IP (or service name) that goes with it."""
    roll = rng.random()
    if roll < 0.55:
        role = rng.choice(("app-backend", "deploy-pipeline", "data-etl", "monitoring", "AWSReservedSSO_Admin_0a1b2c3d"))
        session = rng.choice(
            ("i-0a1b2c3d4e5f60718", "botocore-session-1714531200", "alice@example.com", "GitHubActions")
        )
        identity: Record = {
            "type": "AssumedRole",
            "principalId": f"AROA{rng.randrange(10**15):015d}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": f"ASIA{rng.randrange(10**15):015d}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{rng.randrange(10**15):015d}",
                    "arn": f"arn:aws:iam::{account}:role/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "2024-05-01T00:00:00Z", "mfaAuthenticated": "false"},
            },
        }
        if rng.random() < 0.3:
            service: str = rng.choice(SERVICES_INVOKING)
            identity["invokedBy"] = service
            return identity, service
        return identity, rng.choice(SOURCE_IPS)
    if roll < 0.75:
        user = rng.choice(("alice", "bob", "carol", "ci-user", "backup-agent", "legacy-app"))
        return {
            "type": "IAMUser",
            "principalId": f"AIDA{rng.randrange(10**15):015d}",
            "arn": f"arn:aws:iam::{account}:user/{user}",
            "accountId": account,
            "accessKeyId": f"AKIA{rng.randrange(10**15):015d}",
            "userName": user,
        }, rng.choice(SOURCE_IPS)
    if roll < 0.97:
        service = rng.choice((*SERVICES_INVOKING, "cloudtrail.amazonaws.com", "s3.amazonaws.com"))
        return {"type": "AWSService", "invokedBy": service}, service
    if roll < 0.995:
        return {
            "type": "FederatedUser",
            "principalId": f"{account}:dave",
            "arn": f"arn:aws:sts::{account}:federated-user/dave",
            "accountId": account,
            "accessKeyId": f"ASIA{rng.randrange(10**15):015d}",
        }, rng.choice(SOURCE_IPS)
    return {"type": "AWSAccount", "principalId": f"AIDA{rng.randrange(10**15):015d}", "accountId": "999988887777"}, (
        rng.choice(SOURCE_IPS)
    )


def _base(rng: random.Random, account: str, region: str, when: datetime, source: str, name: str) -> Record:
    identity, ip = _identity(rng, account)
    return {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": rng.choice(USER_AGENTS),
        "requestParameters": None,
        "responseElements": None,
        "requestID": str(uuid.UUID(int=rng.getrandbits(128))),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128))),
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
        },
    }


def _assume_role(rng: random.Random, r: Record) -> None:
    account = r["recipientAccountId"]
    r["requestParameters"] = {
        "roleArn": f"arn:aws:iam::{account}:role/app-backend",
        "roleSessionName": f"botocore-session-{rng.randrange(10**10)}",
        "durationSeconds": 3600,
    }
    r["responseElements"] = {
        "credentials": {
            "accessKeyId": f"ASIA{rng.randrange(10**15):015d}",
            "sessionToken": "IQoJb3JpZ2luX2VjE" + "x" * 80,
            "expiration": "May 1, 2024, 1:00:00 PM",
        },
        "assumedRoleUser": {
            "assumedRoleId": f"AROA{rng.randrange(10**15):015d}:session",
            "arn": f"arn:aws:sts::{account}:assumed-role/app-backend/session",
        },
    }
    r["resources"] = [
        {"accountId": account, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{account}:role/app-backend"}
    ]


def _describe_instances(rng: random.Random, r: Record) -> None:
    r["requestParameters"] = {
        "instancesSet": {},
        "filterSet": {"items": [{"name": "tag:Environment", "valueSet": {"items": [{"value": "production"}]}}]},
    }


def _s3_data(rng: random.Random, r: Record) -> None:
    bucket = rng.choice(("app-assets-prod", "data-lake-raw", "logs-archive"))
    key = f"year=2024/month=05/part-{rng.randrange(10**5):05d}.parquet"
    r.update(
        readOnly=r["eventName"] != "PutObject",
        managementEvent=False,
        eventCategory="Data",
        requestParameters={"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", "key": key},
        additionalEventData={
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "bytesTransferredOut": rng.randrange(10**7),
            "x-amz-id-2": "x" * 76,
        },
        resources=[
            {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
            {"accountId": r["recipientAccountId"], "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
        ],
    )


def _kms(rng: random.Random, r: Record) -> None:
    key = f"arn:aws:kms:{r['awsRegion']}:{r['recipientAccountId']}:key/{uuid.UUID(int=rng.getrandbits(128))}"
    r["requestParameters"] = {
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "encryptionContext": {"aws:lambda:FunctionArn": "arn:aws:lambda:fn"},
    }
    r["resources"] = [{"accountId": r["recipientAccountId"], "type": "AWS::KMS::Key", "ARN": key}]


def _logs(rng: random.Random, r: Record) -> None:
    r["requestParameters"] = {
        "logGroupName": f"/aws/lambda/fn-{rng.randrange(50)}",
        "logStreamName": "2024/05/01/[$LATEST]abc",
    }
    r["readOnly"] = False


def _console_login_ok(rng: random.Random, r: Record) -> None:
    r.update(
        eventType="AwsConsoleSignIn",
        readOnly=False,
        responseElements={"ConsoleLogin": "Success"},
        additionalEventData={
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes",
        },
    )


def _denied(rng: random.Random, r: Record) -> None:
    r["errorCode"] = rng.choice(
        (
            "AccessDenied",
            "Client.UnauthorizedOperation",
            "ThrottlingException",
            "ResourceNotFoundException",
            "ValidationException",
        )
    )
    r["errorMessage"] = (
        "User is not authorized to perform this operation"
        if "Auth" in r["errorCode"] or ("Denied" in r["errorCode"])
        else "Rate exceeded"
    )


def _nothing(rng: random.Random, r: Record) -> None:
    pass


# (weight, eventSource, eventName(s), shaper)
TEMPLATES: tuple[tuple[float, str, tuple[str, ...], Callable[[random.Random, Record], None]], ...] = (
    (14, "sts.amazonaws.com", ("AssumeRole", "GetCallerIdentity"), _assume_role),
    (
        12,
        "ec2.amazonaws.com",
        ("DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups", "DescribeSubnets"),
        _describe_instances,
    ),
    (14, "s3.amazonaws.com", ("GetObject", "PutObject", "HeadObject"), _s3_data),
    (8, "s3.amazonaws.com", ("ListBuckets", "GetBucketAcl", "GetBucketLocation", "GetBucketPolicy"), _nothing),
    (12, "kms.amazonaws.com", ("Decrypt", "GenerateDataKey", "Encrypt"), _kms),
    (8, "logs.amazonaws.com", ("CreateLogStream", "DescribeLogGroups", "DescribeLogStreams"), _logs),
    (6, "iam.amazonaws.com", ("ListRoles", "GetRole", "ListAttachedRolePolicies", "GetPolicyVersion"), _nothing),
    (5, "lambda.amazonaws.com", ("ListFunctions20150331", "GetFunction20150331v2"), _nothing),
    (5, "monitoring.amazonaws.com", ("DescribeAlarms", "GetMetricData"), _nothing),
    (4, "ssm.amazonaws.com", ("GetParameter", "GetParameters", "UpdateInstanceInformation"), _nothing),
    (4, "ecr.amazonaws.com", ("GetAuthorizationToken", "BatchGetImage"), _nothing),
    (3, "dynamodb.amazonaws.com", ("DescribeTable", "ListTables"), _nothing),
    (2, "cloudtrail.amazonaws.com", ("LookupEvents", "DescribeTrails", "GetTrailStatus"), _nothing),
    (1, "signin.amazonaws.com", ("ConsoleLogin",), _console_login_ok),
    (1.5, "ec2.amazonaws.com", ("DescribeInstances", "RunInstances", "TerminateInstances"), _denied),
)
WEIGHTS = [t[0] for t in TEMPLATES]


def load_samples() -> list[Record]:
    """Every sample record of the catalogue (those that fire and the near misses)."""
    records: list[Record] = []
    for path in sorted(SAMPLES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        records += [e["record"] for e in data["fires"]] + [e["record"] for e in data["ignores"]]
    if not records:
        raise SystemExit(f"no sample events under {SAMPLES_DIR}")
    return records


def make_record(
    rng: random.Random, samples: list[Record], account: str, region: str, when: datetime, sample_rate: float
) -> Record:
    """One record: a catalogue sample (fresh eventID and time) or an everyday call."""
    if rng.random() < sample_rate:
        record = copy.deepcopy(rng.choice(samples))
        record["eventID"] = str(uuid.UUID(int=rng.getrandbits(128)))
        record["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        return record
    _, source, names, shaper = rng.choices(TEMPLATES, weights=WEIGHTS)[0]
    record = _base(rng, account, region, when, source, rng.choice(names))
    shaper(rng, record)
    return record


def _digest(account: str, region: str, when: datetime) -> bytes:
    return json.dumps(
        {
            "awsAccountId": account,
            "digestStartTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestEndTime": (when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestS3Bucket": "org-trail-bucket",
            "digestSignatureAlgorithm": "SHA256withRSA",
            "logFiles": [],
        }
    ).encode()


def file_sizes(records: int, seed: int, min_per_file: int, max_per_file: int) -> list[int]:
    """The records in each log file, in order.

    The sizes come from their own random stream, so the archive's shape (how many log and digest
    files) is known without generating it: a test checks the counts docs/performance.md quotes.
    """
    rng = random.Random(f"{seed}/file-sizes")
    sizes: list[int] = []
    left = records
    while left > 0:
        sizes.append(min(rng.randint(min_per_file, max_per_file), left))
        left -= sizes[-1]
    return sizes


def digest_count(log_files: int) -> int:
    """The digest files written alongside ``log_files`` log files."""
    return log_files // DIGEST_EVERY


def generate(
    out: Path, records: int, seed: int, min_per_file: int, max_per_file: int, sample_rate: float
) -> dict[str, int]:
    """Write the archive; return counts."""
    rng = random.Random(seed)
    samples = load_samples()
    prefixes = [(out / "AWSLogs" / a, a) for a in ACCOUNTS] + [(out / "AWSLogs" / ORG_ID / a, a) for a in ORG_ACCOUNTS]
    written = files = digests = 0
    size = 0
    when = START
    for count in file_sizes(records, seed, min_per_file, max_per_file):
        base, account = prefixes[files % len(prefixes)]
        region = REGIONS[(files // len(prefixes)) % len(REGIONS)]
        step = timedelta(seconds=300 / max(count, 1))
        batch = [make_record(rng, samples, account, region, when + step * i, sample_rate) for i in range(count)]
        stamp = when.strftime("%Y%m%dT%H%MZ")
        day = base / "CloudTrail" / region / when.strftime("%Y/%m/%d")
        day.mkdir(parents=True, exist_ok=True)
        name = f"{account}_CloudTrail_{region}_{stamp}_{rng.getrandbits(64):016x}.json.gz"
        # mtime=0: the same seed gives the same bytes.
        data = gzip.compress(orjson.dumps({"Records": batch}), compresslevel=6, mtime=0)
        (day / name).write_bytes(data)
        size += len(data)
        written += count
        files += 1
        if files % DIGEST_EVERY == 0:
            digest_dir = base / "CloudTrail-Digest" / region / when.strftime("%Y/%m/%d")
            digest_dir.mkdir(parents=True, exist_ok=True)
            digest_name = f"{account}_CloudTrail-Digest_{region}_trail_{region}_{stamp}.json.gz"
            (digest_dir / digest_name).write_bytes(gzip.compress(_digest(account, region, when), mtime=0))
            digests += 1
        when += timedelta(minutes=5)
    return {"files": files, "records": written, "digests": digests, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--records", type=int, default=RECORDS, help=f"records to write (default: {RECORDS:,})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    parser.add_argument("--min-per-file", type=int, default=MIN_PER_FILE)
    parser.add_argument("--max-per-file", type=int, default=MAX_PER_FILE)
    parser.add_argument(
        "--sample-rate",
        type=float,
        default=SAMPLE_RATE,
        help=f"share of records drawn from the catalogue samples (default: {SAMPLE_RATE})",
    )
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty; remove it first (rm -r {args.out})")
    started = time.perf_counter()
    counts = generate(args.out, args.records, args.seed, args.min_per_file, args.max_per_file, args.sample_rate)
    print(
        f"wrote {counts['records']:,} records in {counts['files']:,} files (+{counts['digests']} digest files, "
        f"{counts['bytes'] / 1e6:.1f} MB gzip) to {args.out} in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
