"""The README's numbers about the auditors are the catalogue's."""

from __future__ import annotations

import re
from pathlib import Path

from trailwatch_constructs.catalog import STATIC_CONTROLS
from trailwatch_constructs.catalog.auditors import deployed_texts

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_states_how_many_filters_every_auditor_needs() -> None:
    # GIVEN the README's sentence on the filters every auditor needs
    found = re.search(r"\((\d+) filters for the (\d+) static controls\)", README)
    assert found is not None
    # THEN its numbers are what the static controls deploy with every auditor
    assert int(found.group(1)) == sum(len(deployed_texts(c)) for c in STATIC_CONTROLS)
    assert int(found.group(2)) == len(STATIC_CONTROLS)


def test_readme_lists_every_auditor_the_option_accepts() -> None:
    # GIVEN the options table's auditors row THEN it names every auditor
    from trailwatch_constructs.catalog.auditors import Auditor

    (row,) = [line for line in README.splitlines() if line.startswith("| `auditors` |")]
    assert re.findall(r"`([a-z0-9.-]+)`", row)[1:] == [a.value for a in Auditor]
