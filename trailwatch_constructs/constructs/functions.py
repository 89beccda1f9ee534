"""What every Lambda function trailwatch deploys shares: its pinned runtime, architecture and log retention."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from trailwatch_constructs.constructs.nag import suppress

HANDLER_RUNTIME = lambda_.Runtime.PYTHON_3_13
"""Pinned, so that upgrading aws-cdk-lib never changes the runtime under a deployed stack."""
HANDLER_ARCHITECTURE = lambda_.Architecture.ARM_64
FUNCTION_LOG_RETENTION = logs.RetentionDays.ONE_YEAR
"""A year, like the trail's: Security Hub's CloudWatch.16 asks it of every log group."""


def justify_pinned_runtime(function: lambda_.Function, imports: str) -> None:
    """Suppress cdk-nag's latest-runtime rule on ``function``, saying what its handler imports."""
    suppress(
        function,
        "AwsSolutions-L1",
        f"{HANDLER_RUNTIME.name} is pinned so that upgrading aws-cdk-lib never changes the runtime under a "
        "deployed stack; it is in Lambda's standard support until June 2029 (Lambda runtimes page), and the "
        f"handler uses {imports}.",
    )
