"""Justified cdk-nag suppressions, recorded without a runtime dependency on cdk-nag.

cdk-nag reads suppressions from the ``cdk_nag`` metadata entry of a CloudFormation resource;
writing that entry here keeps cdk-nag a test-time tool while every finding we accept is
explained next to the code that causes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnResource
from constructs import IConstruct

NAG_METADATA_KEY = "cdk_nag"


def suppress(construct: IConstruct, rule_id: str, reason: str, *, applies_to: Sequence[str] = ()) -> None:
    """Suppress cdk-nag ``rule_id`` on ``construct``'s CloudFormation resource, with ``reason``.

    ``construct`` is an L1 resource or an L2 whose default child is one.
    """
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to annotate")
    metadata = resource.get_metadata(NAG_METADATA_KEY) or {}
    rules = list(metadata.get("rules_to_suppress", []))
    entry: dict[str, object] = {"id": rule_id, "reason": reason}
    if applies_to:
        entry["applies_to"] = list(applies_to)
    rules.append(entry)
    resource.add_metadata(NAG_METADATA_KEY, {**metadata, "rules_to_suppress": rules})
