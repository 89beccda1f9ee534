"""The sample app (app.py), synthesized once per test session (per xdist worker) with the cdk-nag packs.

Synthesizing loads jsii and takes seconds, so every sample-app test reads the same templates.
"""

from __future__ import annotations

import pytest

from tests.sample_app.helpers import SampleApp, synthesize_sample


@pytest.fixture(scope="session")
def sample() -> SampleApp:
    """The sample app (it adds the Security Hub aspect itself), with the cdk-nag packs, synthesized once."""
    return synthesize_sample()
