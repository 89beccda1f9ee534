"""Snapshots of the sample stacks: they catch unintended change, they prove nothing about detection.

Updating them (``pytest --snapshot-update``) is a reviewed decision. Asset hashes are
normalised so that an upgrade of the CDK does not churn them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.constructs.conftest import SampleApp

_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def normalise(value: Any) -> Any:
    """Replace asset hashes (64 hex digits) so that snapshots survive CDK upgrades."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return _ASSET_HASH.sub("<asset-hash>", value)
    return value


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_main_stack_matches_snapshot(sample: SampleApp, snapshot_json: SnapshotAssertion) -> None:
    assert normalise(sample.main.to_json()) == snapshot_json


def test_existing_log_group_stack_matches_snapshot(sample: SampleApp, snapshot_json: SnapshotAssertion) -> None:
    assert normalise(sample.existing.to_json()) == snapshot_json


def test_normalise_replaces_asset_hashes_only() -> None:
    digest = "a" * 64
    assert normalise({"k": [f"{digest}.zip", "abc"]}) == {"k": ["<asset-hash>.zip", "abc"]}
