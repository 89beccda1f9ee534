"""Conformance: every worked example of AWS's filter-pattern documentation.

The examples live in aws_doc_examples.json (pattern, log event, expected
result); each test id names the AWS page and section it comes from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trailwatch_constructs.filter_pattern import parse_filter_pattern

_DATA = json.loads((Path(__file__).parent / "aws_doc_examples.json").read_text(encoding="utf-8"))
_CASES: list[dict[str, Any]] = _DATA["cases"]


def _event(case: dict[str, Any]) -> object:
    if "event_ref" in case:
        return _DATA["events"][case["event_ref"]]
    if "event" in case:
        return case["event"]
    return case["line"]


@pytest.mark.parametrize("case", [c for c in _CASES if c["matches"] is not None], ids=lambda c: c["id"])
def test_documented_example_matches_as_documented(case: dict[str, Any]) -> None:
    # GIVEN a pattern and a log event from AWS's documentation
    pattern = parse_filter_pattern(case["pattern"])
    # WHEN the event is matched
    result = pattern.matches(_event(case))
    # THEN the result is the one AWS documents
    assert result is case["matches"]


@pytest.mark.parametrize("case", [c for c in _CASES if c["matches"] is None], ids=lambda c: c["id"])
def test_documented_syntax_example_parses(case: dict[str, Any]) -> None:
    # GIVEN a syntax-only example from AWS's documentation
    # WHEN it is parsed
    pattern = parse_filter_pattern(case["pattern"])
    # THEN it is accepted and keeps its text
    assert pattern.text == case["pattern"]


@pytest.mark.parametrize("case", _CASES, ids=lambda c: c["id"])
def test_documented_example_means_the_same_after_rendering(case: dict[str, Any]) -> None:
    # GIVEN a documented pattern
    pattern = parse_filter_pattern(case["pattern"])
    # WHEN it is rendered to canonical text and parsed again
    again = parse_filter_pattern(pattern.render())
    # THEN the tree is the same, and rendering is stable
    assert again.root == pattern.root
    assert again.render() == pattern.render()


def test_every_case_cites_a_known_source() -> None:
    # GIVEN the example file
    # WHEN each case id is split into page and section
    pages = {case["id"].split("#", 1)[0] for case in _CASES}
    # THEN every page is a listed source with a title and URL
    assert pages <= set(_DATA["sources"])
    assert all(source["url"].startswith("https://") for source in _DATA["sources"].values())
