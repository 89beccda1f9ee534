"""Finds an organization trail's CloudWatch Logs log group by name prefix: a CloudFormation custom resource.

The ``on_event`` handler of a CDK ``custom_resources.Provider``. Create and Update look the name up
with DescribeLogGroups, so changing any property of the resource looks it up again; Delete does
nothing, as the log group belongs to whoever owns the trail (Control Tower). Plain Python and boto3,
importing nothing of trailwatch: this file is the function's whole asset.

A log group matches when its name is the prefix itself, or the prefix followed by ``-`` and a suffix:
Control Tower landing zone 3.x names it ``aws-controltower/CloudTrailLogs``, 4.0 appends a random
suffix (``aws-controltower/CloudTrailLogs-tfw-qeb``). A prefix that itself ends with ``-``, ``_``,
``/``, ``.`` or ``#`` matches any continuation. Exactly one group must match; zero or several fail
the deploy with a message that names the prefix and the groups found.

boto3 reads ``AWS_ENDPOINT_URL`` itself (AWS SDKs and Tools Reference Guide, "Service-specific
endpoints"; boto3 1.28 and later), so the same code runs against any endpoint, a local one in tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import boto3  # type: ignore[import-untyped]

PREFIX_PROPERTY = "Prefix"
"""The resource property holding the name prefix."""
MAX_LENGTH_PROPERTY = "MaxNameLength"
"""The resource property bounding the found name's length (the stack sized its alarm descriptions for it)."""
NAME_ATTRIBUTE = "LogGroupName"
"""The attribute (``Fn::GetAtt``) giving the log group's name."""
ARN_ATTRIBUTE = "LogGroupArn"
"""The attribute giving the log group's ARN, as DescribeLogGroups returns it (ending in ``:*``)."""

# A prefix ending with one of these already marks where the suffix begins.
_BOUNDARIES = "-_/.#"
# The near misses a message lists before it says "and N more".
_SHOWN = 10

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class LogGroupLookupError(Exception):
    """No log group, or more than one, matches the prefix; the message says which were found."""


def on_event(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """Handle one CloudFormation request for the custom resource.

    Args:
        event: the request: ``RequestType`` (``Create``, ``Update`` or ``Delete``),
            ``ResourceProperties`` with ``Prefix``, and ``PhysicalResourceId`` for Update and Delete.
        context: the Lambda context (unused).

    Returns:
        ``PhysicalResourceId`` (the log group's name) and, for Create and Update, ``Data`` with
        ``LogGroupName`` and ``LogGroupArn``.

    Raises:
        LogGroupLookupError: zero or several log groups match, or the prefix is missing.
    """
    request = event["RequestType"]
    if request == "Delete":
        return {"PhysicalResourceId": event["PhysicalResourceId"]}
    if request not in ("Create", "Update"):
        raise LogGroupLookupError(f"unknown CloudFormation request type {request!r}")
    prefix = event.get("ResourceProperties", {}).get(PREFIX_PROPERTY)
    if not isinstance(prefix, str) or not prefix:
        raise LogGroupLookupError(f"the custom resource needs a non-empty {PREFIX_PROPERTY} property; got {prefix!r}")
    group = find_log_group(boto3.client("logs"), prefix)
    _check_length(group["logGroupName"], event["ResourceProperties"].get(MAX_LENGTH_PROPERTY))
    logger.info("%s: prefix %r resolved to log group %r", request, prefix, group["logGroupName"])
    return {
        "PhysicalResourceId": group["logGroupName"],
        "Data": {NAME_ATTRIBUTE: group["logGroupName"], ARN_ATTRIBUTE: group["arn"]},
    }


def find_log_group(client: Any, prefix: str) -> dict[str, Any]:
    """The one log group whose name matches ``prefix`` (see the module docstring).

    Args:
        client: a boto3 CloudWatch Logs client.
        prefix: the start of the log group's name.

    Returns:
        The log group as DescribeLogGroups describes it.

    Raises:
        LogGroupLookupError: zero or several log groups match; the message lists the matches, or
            the groups that start with the prefix without matching it.
    """
    region = client.meta.region_name
    groups = list(_groups_starting_with(client, prefix))
    matches = [g for g in groups if matches_prefix(g["logGroupName"], prefix)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(repr(g["logGroupName"]) for g in matches)
        raise LogGroupLookupError(
            f"{len(matches)} CloudWatch Logs log groups in {region} match the prefix {prefix!r}: {names}; exactly "
            "one must. Give a longer prefix that only the organization trail's group matches, or import the "
            "group by its name (logs.LogGroup.from_log_group_name) instead of looking it up"
        )
    raise LogGroupLookupError(
        f"no CloudWatch Logs log group in {region} is named {prefix!r} or {prefix!r} followed by '-' and a "
        f"suffix{_near_miss_clause(prefix, [g['logGroupName'] for g in groups])}. Deploy this stack in the "
        "account and Region where the organization trail delivers to CloudWatch Logs (with Control Tower: the "
        "management account, in the home Region), or give the prefix of that group's name"
    )


def _check_length(name: str, max_length: object) -> None:
    # CloudFormation passes every property as a string.
    if max_length is not None and len(name) > int(str(max_length)):
        raise LogGroupLookupError(
            f"the log group {name!r} is {len(name)} characters long, more than the {max_length} the stack's alarm "
            "descriptions were sized for; raise max_name_length on OrganizationTrailLogGroup"
        )


def matches_prefix(name: str, prefix: str) -> bool:
    """Whether the log group ``name`` is ``prefix`` itself or continues it after a boundary.

    Args:
        name: a log group's name.
        prefix: the start of the wanted group's name.

    Returns:
        ``True`` for the prefix itself, for the prefix followed by ``-`` and a suffix, and for any
        continuation of a prefix that ends with ``-``, ``_``, ``/``, ``.`` or ``#``.
    """
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix) :]
    return not rest or rest.startswith("-") or prefix.endswith(tuple(_BOUNDARIES))


def _groups_starting_with(client: Any, prefix: str) -> Iterator[dict[str, Any]]:
    # DescribeLogGroups returns at most 50 groups a call; the paginator follows nextToken to the end.
    for page in client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
        yield from page.get("logGroups", [])


def _near_miss_clause(prefix: str, names: list[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(repr(n) for n in names[:_SHOWN])
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return (
        f"; {len(names)} group(s) start with {prefix!r} but continue without '-', so they do not match: {shown}{more}"
    )
