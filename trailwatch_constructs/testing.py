"""Synthesized templates normalized for snapshot tests of stacks that use trailwatch.

A snapshot should change when what a deploy would create changes, and not when the CDK is
upgraded or an unrelated file inside an asset is edited. :func:`snapshot_template` gives a
stack's template with that churn replaced or dropped; :func:`normalize_template` does the same
to a template you already have (``Template.to_json()``, a ``cdk.out/*.template.json`` file).
Both return plain JSON-able dicts, for syrupy's ``JSONSnapshotExtension`` or any other
snapshot tool. This module imports no test framework.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Template

ASSET_HASH_PLACEHOLDER = "<asset-hash>"
"""What every asset hash (64 lower-case hex digits) is replaced with."""

_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")

# Written by the CDK's default stack synthesizer; their content follows the CDK version.
_BOOTSTRAP_VERSION_PARAMETER = "BootstrapVersion"
_BOOTSTRAP_VERSION_RULE = "CheckBootstrapVersion"
# Version-reporting resource (`analyticsReporting`); its condition lists the regions of the CDK release.
_CDK_METADATA_TYPE = "AWS::CDK::Metadata"
# Resource metadata about the construct tree and local asset paths, written by `cdk synth`.
_CONSTRUCT_PATH_METADATA = "aws:cdk:path"
_ASSET_METADATA_PREFIX = "aws:asset:"


def normalize_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of a CloudFormation template without what churns between synths.

    Replaced: every asset hash (64 lower-case hex digits standing alone, as in a Lambda
    function's ``S3Key`` ``<hash>.zip``, a container image tag or a nested stack's template URL)
    by ``<asset-hash>``.

    Dropped: the CDK's ``BootstrapVersion`` parameter and ``CheckBootstrapVersion`` rule, the
    ``AWS::CDK::Metadata`` resource and its condition, and the ``aws:cdk:path`` and
    ``aws:asset:*`` entries of resource metadata (other metadata, such as cdk-nag
    suppressions, stays). A section or a resource's ``Metadata`` left empty is dropped.

    Everything else is kept as it is, including what a CDK upgrade changes in the deployed
    resources (a custom resource's Lambda runtime, say): a deploy would change those too.

    Args:
        template: a synthesized template, as parsed JSON. It is not modified.

    Returns:
        The normalized template, a new dict of JSON values in the template's order.
    """
    resources: Mapping[str, Any] = template.get("Resources", {})
    dropped_conditions = {
        resource["Condition"]
        for resource in resources.values()
        if resource.get("Type") == _CDK_METADATA_TYPE and "Condition" in resource
    }
    dropped: dict[str, set[str]] = {
        "Parameters": {_BOOTSTRAP_VERSION_PARAMETER},
        "Rules": {_BOOTSTRAP_VERSION_RULE},
        "Conditions": dropped_conditions,
    }
    normalized: dict[str, Any] = {}
    for section, body in template.items():
        if section == "Resources":
            body = {
                logical_id: _without_churning_metadata(resource)
                for logical_id, resource in body.items()
                if resource.get("Type") != _CDK_METADATA_TYPE
            }
        elif section in dropped:
            body = {name: value for name, value in body.items() if name not in dropped[section]}
            if not body:
                continue
        normalized[section] = _replace_asset_hashes(body)
    return normalized


def snapshot_template(stack: Stack) -> dict[str, Any]:
    """Synthesize ``stack`` and return its template normalized for a snapshot.

    Example::

        def test_stack_matches_snapshot(snapshot):
            assert snapshot_template(stack) == snapshot.use_extension(JSONSnapshotExtension)

    Args:
        stack: the stack to synthesize (its whole app is synthesized, as
            ``Template.from_stack`` does).

    Returns:
        The template as :func:`normalize_template` returns it.
    """
    return normalize_template(Template.from_stack(stack).to_json())


def _without_churning_metadata(resource: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in resource.items():
        if key == "Metadata" and isinstance(value, Mapping):
            value = {name: entry for name, entry in value.items() if not _churns(name)}
            if not value:
                continue
        kept[key] = value
    return kept


def _churns(metadata_key: str) -> bool:
    return metadata_key == _CONSTRUCT_PATH_METADATA or metadata_key.startswith(_ASSET_METADATA_PREFIX)


def _replace_asset_hashes(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _replace_asset_hashes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_asset_hashes(item) for item in value]
    if isinstance(value, str):
        return _ASSET_HASH.sub(ASSET_HASH_PLACEHOLDER, value)
    return value
