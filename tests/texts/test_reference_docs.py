"""The committed reference docs equal what the catalogue generates (run `make docs` to refresh)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trailwatch_constructs.catalog import ControlDefinition, catalog_controls
from trailwatch_constructs.texts.reference_docs import GENERATED, render_controls_markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("relative", sorted(GENERATED))
def test_committed_doc_is_fresh(relative: str) -> None:
    # GIVEN the generated doc WHEN compared with the committed copy THEN they are identical
    committed = (ROOT / relative).read_text(encoding="utf-8")
    assert committed == GENERATED[relative](), f"{relative} is stale: run `make docs`"


@pytest.mark.parametrize("control", catalog_controls(privileged_groups=["Administrators"]), ids=lambda c: c.id)
def test_controls_doc_shows_each_pattern_verbatim(control: ControlDefinition) -> None:
    # GIVEN a control THEN the doc has its id heading and its exact pattern in a code block
    text = render_controls_markdown()
    assert f"## `{control.id}`" in text
    assert f"```\n{control.pattern}\n```" in text
