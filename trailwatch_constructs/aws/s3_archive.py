"""A CloudTrail archive in S3: the objects under an ``s3://bucket/prefix`` address, listed and streamed with boto3.

Objects come out as ``s3://`` addresses in key order (the order S3 lists them in), and each opens
as a binary stream that the CLI's readers consume like a local file. Which objects are digest
files is the caller's rule, the same for S3 and for disk.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Final, cast

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from trailwatch_constructs.aws import aws_errors, error_code
from trailwatch_constructs.core.errors import UnusableInputError

S3_SCHEME: Final = "s3://"
_MISSING_CODES: Final = frozenset({"NoSuchKey", "404", "NotFound"})
_DENIED_CODES: Final = frozenset({"AccessDenied", "403", "Forbidden"})


@dataclass(frozen=True, slots=True)
class S3Address:
    """An ``s3://bucket/prefix`` address, split."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Address:
        """Returns the bucket and the key prefix of ``url``.

        Args:
            url: ``s3://bucket`` or ``s3://bucket/prefix`` (the scheme in any case).

        Raises:
            UnusableInputError: the address names no bucket.
        """
        bucket, _, prefix = url[len(S3_SCHEME) :].partition("/")
        if not url.lower().startswith(S3_SCHEME) or not bucket:
            raise UnusableInputError(f"{url!r} is not an S3 address: expected s3://bucket/prefix")
        return cls(bucket, prefix)

    def url(self, key: str) -> str:
        """Returns the ``s3://`` address of one object of this bucket.

        Args:
            key: the object's key.
        """
        return f"{S3_SCHEME}{self.bucket}/{key}"

    def holds(self, key: str) -> bool:
        """Returns whether ``key`` is under this address as a path: ``AWSLogs`` holds ``AWSLogs/x``, not ``AWSLogs2/x``.

        Args:
            key: a key that starts with :attr:`prefix`.
        """
        return not self.prefix or self.prefix.endswith("/") or key == self.prefix or key[len(self.prefix)] == "/"


class S3Archive:
    """Lists and opens the objects under ``s3://`` addresses, with one client per process.

    A worker process forked from the one that listed gets a client of its own: boto3 clients hold
    connections that must not be shared between processes. The archive itself pickles without
    its client, so that it can be handed to workers however they start.
    """

    def __init__(self, *, profile: str | None = None, endpoint_url: str | None = None) -> None:
        """Prepares to read; nothing is called until the first listing or object.

        Args:
            profile: the AWS profile. Default: the usual credential chain.
            endpoint_url: send every call to this endpoint (a local test server). Default: AWS's.
        """
        self._profile = profile
        self._endpoint_url = endpoint_url
        self._client: Any = None
        self._pid = 0

    def __getstate__(self) -> dict[str, object]:
        return {"profile": self._profile, "endpoint_url": self._endpoint_url}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(profile=state["profile"], endpoint_url=state["endpoint_url"])  # type: ignore[misc]

    def objects(self, url: str) -> Iterator[str]:
        """Yields the address of every object under ``url``, in key order, page by page as S3 lists them.

        Args:
            url: ``s3://bucket/prefix``; a prefix not ending in ``/`` names an object or a folder.

        Raises:
            UnusableInputError: ``url`` names no bucket.
            AwsCallError: the listing failed (no credentials, no such bucket, access denied).
        """
        address = S3Address.parse(url)
        with aws_errors():
            pages = self._s3().get_paginator("list_objects_v2").paginate(Bucket=address.bucket, Prefix=address.prefix)
            for page in pages:
                for item in page.get("Contents", ()):
                    key: str = item["Key"]
                    if address.holds(key):
                        yield address.url(key)

    def open(self, url: str) -> BinaryIO:
        """Returns the content of one object as an unbuffered binary stream.

        Args:
            url: the object's ``s3://`` address.

        Raises:
            OSError: the object cannot be read: ``FileNotFoundError`` when it is gone,
                ``PermissionError`` when access is denied; the reason is AWS's message.
        """
        address = S3Address.parse(url)
        try:
            response = self._s3().get_object(Bucket=address.bucket, Key=address.prefix)
        except ClientError as err:
            raise _os_error(err) from err
        except BotoCoreError as err:
            raise OSError(str(err)) from err
        return cast(BinaryIO, _Body(response["Body"]))

    def _s3(self) -> Any:
        if self._client is None or self._pid != os.getpid():
            with aws_errors():
                session = boto3.Session(profile_name=self._profile)
                self._client = session.client("s3", endpoint_url=self._endpoint_url)
            self._pid = os.getpid()
        return self._client


def _os_error(err: ClientError) -> OSError:
    code = error_code(err)
    if code in _MISSING_CODES:
        return FileNotFoundError(str(err))
    if code in _DENIED_CODES:
        return PermissionError(13, str(err))
    return OSError(str(err))


class _Body(io.RawIOBase):
    """An object's streaming body whose failures read as ``OSError``, as a local file's do."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        self._body = body

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data: bytes = self._body.read(size if size >= 0 else None)
        except (BotoCoreError, ClientError) as err:
            raise OSError(str(err)) from err
        return data

    def close(self) -> None:
        self._body.close()
        super().close()
