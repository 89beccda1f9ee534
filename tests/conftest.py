"""Fixtures every test directory may use."""

from __future__ import annotations

from tests.aws_server import aws, aws_server

__all__ = ["aws", "aws_server"]
