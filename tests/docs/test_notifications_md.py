"""docs/notifications.md says what the code does: its examples, options, defaults and permissions.

The rendered examples are regenerated from the catalogue's samples by the function's own code
(tests/docs/notification_examples.py) and must equal the committed ones; the options table and the
permissions table are compared with ``EnrichmentOptions`` and with the synthesized role.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

import pytest
from aws_cdk.assertions import Template

from tests.constructs.helpers import new_stack, resources_of
from tests.docs.examples import code_blocks
from tests.docs.notification_examples import DOC, EXAMPLES, generated_section, render_examples
from trailwatch_constructs import CloudTrailSecurityMonitoring, EnrichmentOptions, TrailOptions
from trailwatch_constructs.catalog import Severity, catalog_controls, get_control
from trailwatch_constructs.constructs.alert_enricher import (
    DEFAULT_MARGIN_SECONDS,
    DEFAULT_MAX_EVENTS,
    DEFAULT_RESERVED_CONCURRENCY,
)


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def _table(text: str, heading: str) -> dict[str, list[str]]:
    """The rows of the first table after ``heading``: first cell (backticks dropped) -> the other cells."""
    after = text.split(f"\n{heading}\n", 1)[1].splitlines()
    start = next(n for n, line in enumerate(after) if line.startswith("|"))
    table = list(itertools.takewhile(lambda line: line.startswith("|"), after[start:]))
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in table[2:]]
    return {c[0].replace("`", ""): c[1:] for c in cells}


def test_the_rendered_examples_are_current(text: str) -> None:
    # GIVEN the examples the function renders today from the catalogue's samples
    # THEN the committed doc shows exactly those (run `python -m tests.docs.notification_examples`)
    assert generated_section(text) == render_examples(), "docs/notifications.md is stale"


def test_each_family_example_shows_its_control_and_the_chat_json(text: str) -> None:
    section = generated_section(text)
    for example in EXAMPLES:
        assert f"### {example.family}: `{example.control_id}`" in section
    assert section.count("```json\n") == len(EXAMPLES)
    assert get_control("root-account-usage").text("ja").title in section


def test_the_options_table_names_every_option_with_the_codes_defaults(text: str) -> None:
    rows = _table(text, "### Options")
    assert sorted(rows) == sorted(f.name for f in dataclasses.fields(EnrichmentOptions))
    defaults = {name: cells[-1] for name, cells in rows.items()}
    assert defaults["max_events"] == str(DEFAULT_MAX_EVENTS)
    assert defaults["margin_seconds"] == str(DEFAULT_MARGIN_SECONDS)
    assert defaults["reserved_concurrency"] == str(DEFAULT_RESERVED_CONCURRENCY)


def test_the_permissions_table_lists_exactly_the_roles_actions(text: str) -> None:
    # GIVEN the enricher's synthesized role THEN the doc's table has one row per statement, with its actions
    stack = new_stack()
    monitoring = CloudTrailSecurityMonitoring(
        stack, "M", trail=TrailOptions(), include=["vpc-changes"], enrich=EnrichmentOptions()
    )
    assert monitoring.enricher is not None
    role_id = stack.resolve(monitoring.enricher.role.node.default_child.logical_id)  # type: ignore[union-attr]
    (policy,) = [
        p
        for p in resources_of(Template.from_stack(stack), "AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    actions = [
        [s["Action"]] if isinstance(s["Action"], str) else s["Action"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    documented = [re.findall(r"[a-z]+:[A-Za-z*]+", action) for action in _table(text, "## Permissions")]
    assert documented == actions


def test_the_opening_example_enriches_every_alarm(text: str) -> None:
    # GIVEN the doc's first Python block, run in a stack as `self`
    (block, *_) = [b for b in code_blocks(DOC) if b.language == "python"]
    stack = new_stack()
    scope: dict[str, object] = {"self": stack}
    exec(block.text, scope)
    # THEN every alarm of the construct it creates has the alarm topic and the function as actions
    monitoring = stack.node.find_child("SecurityMonitoring")
    assert isinstance(monitoring, CloudTrailSecurityMonitoring) and monitoring.enricher is not None
    alarms = resources_of(Template.from_stack(stack), "AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 16
    assert all(len(a["Properties"]["AlarmActions"]) == 2 for a in alarms)


def test_the_critical_topics_controls_are_the_catalogues_critical_ones() -> None:
    # The doc names the catalogue's CRITICAL controls (root usage and CloudTrail changes, as issue 12 asked).
    critical = [c.id for c in catalog_controls(privileged_groups=["Admins"]) if c.severity is Severity.CRITICAL]
    assert critical == ["root-account-usage", "cloudtrail-config-changes"]
    named = " and ".join(f"`{control_id}`" for control_id in critical)
    assert f"for controls of CRITICAL severity ({named} in the catalogue)" in DOC.read_text(encoding="utf-8")
