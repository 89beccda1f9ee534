"""S3Archive: the objects under an s3:// address listed and opened with boto3, on moto (tests/aws_server.py)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from tests.aws_server import AwsEndpoint
from trailwatch_constructs.aws import AwsCallError
from trailwatch_constructs.aws.s3_archive import S3Address, S3Archive
from trailwatch_constructs.core.errors import UnusableInputError

BUCKET = "archive"


@pytest.fixture
def s3(aws: AwsEndpoint) -> Any:
    """An S3 client of the endpoint, with :data:`BUCKET` created."""
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": aws.region})
    return client


def put(s3: Any, *keys: str) -> None:
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [("s3://b", "b", ""), ("s3://b/", "b", ""), ("S3://b/AWSLogs/1/", "b", "AWSLogs/1/")],
)
def test_an_address_splits_into_bucket_and_prefix(url: str, bucket: str, prefix: str) -> None:
    # GIVEN an address WHEN it is parsed THEN it gives its bucket and its key prefix
    assert S3Address.parse(url) == S3Address(bucket, prefix)


@pytest.mark.parametrize("url", ["s3://", "s3:///key", "/tmp/x"])
def test_an_address_without_a_bucket_is_unusable_input(url: str) -> None:
    # GIVEN an address that names no bucket WHEN it is parsed THEN it is refused, named
    with pytest.raises(UnusableInputError, match="is not an S3 address"):
        S3Address.parse(url)


def test_objects_come_in_key_order_under_the_prefix_read_as_a_folder(aws: AwsEndpoint, s3: Any) -> None:
    # GIVEN objects in and next to a folder
    put(s3, "AWSLogs/b.json", "AWSLogs2/x.json", "AWSLogs/a/c.json", "other.json", "AWSLogs")
    archive = S3Archive(endpoint_url=aws.url)
    # WHEN the folder is listed, with and without its slash THEN only what it holds comes, in key order
    expected = ["s3://archive/AWSLogs/a/c.json", "s3://archive/AWSLogs/b.json"]
    assert list(archive.objects("s3://archive/AWSLogs/")) == expected
    assert list(archive.objects("s3://archive/AWSLogs")) == ["s3://archive/AWSLogs", *expected]
    # AND a whole bucket is every object
    assert len(list(archive.objects("s3://archive"))) == 5


def test_listing_goes_on_past_the_first_page(aws: AwsEndpoint, s3: Any) -> None:
    # GIVEN five objects, and S3 asked for pages of two keys (rather than 1,000: fewer objects to put)
    keys = [f"logs/{n}.json" for n in range(5)]
    put(s3, *keys)
    archive = S3Archive(endpoint_url=aws.url)
    events = archive._s3().meta.events
    events.register("before-parameter-build.s3.ListObjectsV2", lambda params, **_: params.update(MaxKeys=2))
    pages: list[object] = []
    events.register("after-call.s3.ListObjectsV2", lambda **kwargs: pages.append(kwargs))
    # WHEN the prefix is listed THEN every object comes, over three pages
    assert list(archive.objects("s3://archive/logs/")) == [f"s3://archive/{k}" for k in keys]
    assert len(pages) == 3


def test_an_object_opens_as_a_binary_stream(aws: AwsEndpoint, s3: Any) -> None:
    # GIVEN an object
    s3.put_object(Bucket=BUCKET, Key="logs/a.json", Body=b'{"Records": []}')
    # WHEN it is opened and read in chunks THEN its bytes come, then the end
    with S3Archive(endpoint_url=aws.url).open("s3://archive/logs/a.json") as body:
        assert (body.read(4), body.read(1 << 20), body.read(1 << 20)) == (b'{"Re', b'cords": []}', b"")


def test_an_object_that_is_gone_is_file_not_found(aws: AwsEndpoint, s3: Any) -> None:
    # GIVEN no such object WHEN it is opened THEN the error is the one a missing local file raises
    with pytest.raises(FileNotFoundError, match="NoSuchKey"):
        S3Archive(endpoint_url=aws.url).open("s3://archive/logs/gone.json")


def test_listing_a_missing_bucket_is_an_aws_call_error(aws: AwsEndpoint) -> None:
    # GIVEN no bucket WHEN it is listed THEN the failed call is named
    with pytest.raises(AwsCallError, match="NoSuchBucket"):
        list(S3Archive(endpoint_url=aws.url).objects("s3://no-such-bucket/AWSLogs/"))


def test_an_archive_pickles_without_its_client_and_reads_after(aws: AwsEndpoint, s3: Any) -> None:
    # GIVEN an archive that has listed (and so made its client)
    put(s3, "logs/a.json")
    archive = S3Archive(endpoint_url=aws.url)
    assert list(archive.objects("s3://archive/")) == ["s3://archive/logs/a.json"]
    # WHEN it is pickled (as for a worker process that is spawned) THEN no client goes with it
    data = pickle.dumps(archive)
    assert b"botocore" not in data
    # AND the copy makes its own and reads
    with pickle.loads(data).open("s3://archive/logs/a.json") as body:
        assert body.read() == b"logs/a.json"
