"""Security Hub CloudWatch.1-14: each catalogue pattern is AWS's prescribed text, byte for byte."""

from __future__ import annotations

import pytest

from tests.security_hub_texts import DOCUMENTED_PATTERNS, SECURITY_HUB_DOC
from trailwatch_constructs.catalog import STATIC_CONTROLS

CATALOGUE_BY_SECURITY_HUB = {c.security_hub_control: c for c in STATIC_CONTROLS if c.security_hub_control}


def test_catalogue_covers_every_security_hub_cloudwatch_control() -> None:
    # GIVEN the catalogue WHEN mapping it to Security Hub THEN CloudWatch.1-14 each have exactly one control
    assert sorted(CATALOGUE_BY_SECURITY_HUB, key=lambda c: int(c.split(".")[1])) == list(DOCUMENTED_PATTERNS)


@pytest.mark.parametrize("security_hub_control", list(DOCUMENTED_PATTERNS), ids=lambda c: f"{SECURITY_HUB_DOC}#{c}")
def test_catalogue_pattern_is_security_hub_text(security_hub_control: str) -> None:
    # GIVEN the control mapped to this Security Hub item WHEN reading its pattern
    # THEN it is the documented text, byte for byte (whitespace included)
    assert CATALOGUE_BY_SECURITY_HUB[security_hub_control].pattern == DOCUMENTED_PATTERNS[security_hub_control]
