"""AWS at run time: the boto3 clients trailwatch's AWS-facing code shares, and how a failed call reads.

:mod:`.region_view` (what one Region holds, read with boto3), :mod:`.verify` (Security Hub's checks,
judged on it; their results in :mod:`.verdicts`) and :mod:`.fire_drill` (alarms forced to ALARM) take
their clients from a :class:`Clients` factory, so that a test can hand them clients bound to a local
endpoint, or a stubbed client for one service. Nothing here imports ``aws_cdk``, and the
CLI imports this package only when ``trailwatch verify`` runs (boto3 takes over 100 ms to load).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal, Protocol

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from trailwatch_constructs.core.errors import TrailwatchError

Service = Literal["cloudtrail", "cloudwatch", "logs", "sns", "sts"]
"""The AWS services trailwatch calls."""


class AwsCallError(TrailwatchError):
    """A call to AWS failed: no credentials, an endpoint that does not answer, a permission missing."""


class Clients(Protocol):
    """Returns the boto3 client of one service in one Region."""

    def __call__(self, service: Service, region: str) -> Any:
        """Returns the client.

        Args:
            service: the AWS service.
            region: the Region the client calls.
        """


class SessionClients:
    """The clients of one boto3 session (the usual credential chain, or a profile), made once each."""

    def __init__(self, *, profile: str | None = None, endpoint_url: str | None = None) -> None:
        """Start a session.

        Args:
            profile: the AWS profile. Default: the usual credential chain.
            endpoint_url: send every call to this endpoint (a local test server). Default: AWS's.

        Raises:
            AwsCallError: the profile does not exist.
        """
        with aws_errors():
            self._session: Any = boto3.Session(profile_name=profile)
        self._endpoint_url = endpoint_url
        self._clients: dict[tuple[Service, str], Any] = {}

    @property
    def region(self) -> str | None:
        """The session's own Region (``AWS_REGION``, the profile's), if it has one."""
        region: str | None = self._session.region_name
        return region

    def __call__(self, service: Service, region: str) -> Any:
        """Returns the client of one service in one Region, made on the first call for it.

        Args:
            service: the AWS service.
            region: the Region the client calls.
        """
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=region, endpoint_url=self._endpoint_url)
        return self._clients[key]


@contextlib.contextmanager
def aws_errors(region: str | None = None) -> Iterator[None]:
    """Turns botocore's exceptions into one :class:`AwsCallError` naming the Region.

    Args:
        region: the Region being called, for the message. Default: none named.

    Raises:
        AwsCallError: a call in the block failed.
    """
    try:
        yield
    except (BotoCoreError, ClientError) as err:
        where = f" in {region}" if region else ""
        raise AwsCallError(f"cannot call AWS{where}: {err}") from err


def error_code(err: Exception) -> str:
    """Returns the AWS error code of a botocore ``ClientError`` (e.g. ``AccessDenied``), or ``""``.

    Args:
        err: the exception raised by a client call.
    """
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))
