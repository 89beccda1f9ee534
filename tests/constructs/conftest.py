"""Fixtures of the construct tests (helpers live in tests/constructs/helpers.py)."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from tests.constructs.helpers import new_stack


@pytest.fixture
def synth() -> Callable[[Callable[[cdk.Stack], object]], Template]:
    """Build a fresh stack with ``build(stack)`` and return its template."""

    def run(build: Callable[[cdk.Stack], object]) -> Template:
        stack = new_stack()
        build(stack)
        return Template.from_stack(stack)

    return run
