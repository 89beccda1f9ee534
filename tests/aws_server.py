"""A real AWS API endpoint on 127.0.0.1 for tests: moto in server mode, started and stopped by the test.

Code under test talks to it exactly as it talks to AWS: through boto3 with ``endpoint_url``. Each
test gets a fresh account state (the server is reset), fake credentials in the environment, and
no network beyond 127.0.0.1.

Use the ``aws`` fixture (registered by ``tests/conftest.py``)::

    def test_x(aws: AwsEndpoint) -> None:
        logs = aws.client("logs")
        ...
        run(["verify", "--endpoint-url", aws.url, "--region", aws.region])
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"
ACCOUNT = "123456789012"
"""moto's default account id: what STS GetCallerIdentity returns for the fake credentials."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class AwsEndpoint:
    """The running endpoint: its URL, and boto3 clients bound to it."""

    url: str
    region: str = REGION
    account: str = ACCOUNT

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for ``service`` talking to this endpoint."""
        return boto3.client(service, region_name=region or self.region, endpoint_url=self.url)

    def reset(self) -> None:
        """Forgets every resource (moto's reset API)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@pytest.fixture(scope="session")
def aws_server() -> Iterator[AwsEndpoint]:
    """One moto server for the test session (each test resets it through ``aws``)."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield AwsEndpoint(url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture
def aws(aws_server: AwsEndpoint, monkeypatch: pytest.MonkeyPatch) -> AwsEndpoint:
    """The endpoint with a fresh account, and fake credentials so nothing can reach real AWS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    aws_server.reset()
    return aws_server
