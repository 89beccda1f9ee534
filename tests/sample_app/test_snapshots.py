"""Snapshots of the sample stacks: they catch unintended change, they prove nothing about detection.

Updating them (``pytest --snapshot-update``) is a reviewed decision. The templates go through
``trailwatch_constructs.testing.normalize_template``, as users' snapshot tests do, so that a CDK
upgrade does not churn them.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.sample_app.helpers import SampleApp
from trailwatch_constructs.testing import normalize_template


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_main_stack_matches_snapshot(sample: SampleApp, snapshot_json: SnapshotAssertion) -> None:
    assert normalize_template(sample.main.to_json()) == snapshot_json


def test_existing_log_group_stack_matches_snapshot(sample: SampleApp, snapshot_json: SnapshotAssertion) -> None:
    assert normalize_template(sample.existing.to_json()) == snapshot_json
