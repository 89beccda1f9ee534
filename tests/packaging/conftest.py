"""Fixtures for the packaging tests, built once per session.

``make test`` runs pytest with ``--dist loadgroup`` and these tests are in one xdist group, so one
worker builds and installs once.
"""

from __future__ import annotations

import pytest

from tests.packaging.helpers import Distributions, FreshVenv, build_distributions, install_in_fresh_venv


@pytest.fixture(scope="session")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    """The sdist and wheel of this tree."""
    return build_distributions(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def fresh_venv(distributions: Distributions, tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """The wheel installed, with its runtime dependencies only, in a new virtual environment."""
    return install_in_fresh_venv(distributions.wheel, tmp_path_factory.mktemp("fresh") / "venv")
