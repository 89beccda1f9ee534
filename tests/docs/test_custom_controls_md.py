"""docs/custom-controls.md: its project is written out, its tests and shell session run as shown.

The doc's labelled blocks become a project in a temporary directory. Its own tests run in a separate
interpreter, as the reader's would; this module also loads its definition and stacks and checks
them itself, so a weakened test in the doc cannot hide a broken example.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from tests.docs.examples import DOCS, CodeBlock, code_blocks, console_session, run_pytest, run_shell, write_project
from trailwatch_constructs.catalog import ControlDefinition, load_samples, sample_control_ids

DOC = DOCS / "custom-controls.md"
DOC_MODULES = ("my_controls", "security_stack", "org_trail_stack")
ENV = cdk.Environment(account="111122223333", region="eu-west-1")
# 2 firing records + 2 near misses + 2 stacks.
TESTS_IN_DOC = 6


@dataclass(frozen=True)
class Example:
    root: Path
    modules: dict[str, ModuleType]

    @property
    def definition(self) -> ControlDefinition:
        definition: ControlDefinition = self.modules["my_controls"].ROLE_TRUST_AND_BOUNDARY_CHANGES
        return definition

    def records(self, events_file: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = json.loads((self.root / "events" / events_file).read_text())["Records"]
        return records


@pytest.fixture(scope="module")
def blocks() -> list[CodeBlock]:
    return code_blocks(DOC)


@pytest.fixture(scope="module")
def example(blocks: list[CodeBlock], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Example]:
    """The doc's project on disk, and its modules imported in this interpreter."""
    root = tmp_path_factory.mktemp("custom-controls-md")
    write_project(blocks, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(root))
        modules = {name: importlib.import_module(name) for name in DOC_MODULES}
    yield Example(root, modules)
    for name in DOC_MODULES:
        sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def templates(example: Example) -> dict[str, Template]:
    """Each of the doc's stacks, synthesized once, in an app of its own."""
    security = example.modules["security_stack"].SecurityStack(cdk.App(), "Security", env=ENV)
    org_trail = example.modules["org_trail_stack"].OrgTrailStack(cdk.App(), "OrgTrail", env=ENV)
    return {"security": Template.from_stack(security), "org_trail": Template.from_stack(org_trail)}


def catalogue_records() -> list[Any]:
    samples = [load_samples(control_id) for control_id in sample_control_ids()]
    return [event.record for s in samples for event in (*s.fires, *s.ignores)]


def test_every_python_block_is_a_file_of_the_project(blocks: list[CodeBlock]) -> None:
    # GIVEN the doc's Python blocks THEN each names its file, so each is run below
    python = [b for b in blocks if b.language == "python"]
    assert python
    assert [b.text[:40] for b in python if b.title is None] == []


@pytest.mark.parametrize("events_file", ["fires.json", "near-misses.json"])
def test_sample_records_are_the_catalogues_full_cloudtrail_records(example: Example, events_file: str) -> None:
    # GIVEN the doc's sample records THEN each is one of the catalogue's samples, unchanged
    known = catalogue_records()
    records = example.records(events_file)
    assert records
    assert [r["eventName"] for r in records if r not in known] == []


def test_definition_fires_on_every_sample_and_on_no_near_miss(example: Example) -> None:
    # GIVEN the doc's definition and records WHEN evaluated THEN exactly the firing records match
    assert [example.definition.matches(r) for r in example.records("fires.json")] == [True, True]
    assert [example.definition.matches(r) for r in example.records("near-misses.json")] == [False, False]


def test_the_docs_own_tests_pass(example: Example) -> None:
    # GIVEN the project WHEN `python -m pytest` runs in it THEN every test the doc shows passes
    run = run_pytest(example.root)
    assert run.returncode == 0, run.output
    assert re.search(rf"\b{TESTS_IN_DOC} passed\b", run.output), run.output


def test_shell_session_prints_what_the_doc_shows(example: Example, blocks: list[CodeBlock]) -> None:
    # GIVEN the doc's console session (trailwatch test --pattern on both sample files)
    (session,) = [b for b in blocks if b.language == "console"]
    script, shown = console_session(session)
    # WHEN its commands run in the project THEN they print exactly what the doc shows
    run = run_shell(script, example.root)
    assert run.returncode == 0, run.output
    assert run.output == shown


@pytest.mark.parametrize(
    ("stack", "namespace", "period"),
    [("security", "CloudTrailMetrics", 60), ("org_trail", "CloudTrailMetrics/OrgTrail", 300)],
)
def test_stack_has_the_filter_with_the_pattern_and_an_alarm_on_its_metric(
    example: Example, templates: dict[str, Template], stack: str, namespace: str, period: int
) -> None:
    # GIVEN a synthesized stack of the doc THEN the filter carries the pattern byte for byte
    template = templates[stack]
    definition = example.definition
    template.has_resource_properties(
        "AWS::Logs::MetricFilter",
        {
            "FilterPattern": definition.pattern,
            "MetricTransformations": [Match.object_like({"MetricName": definition.metric_name})],
        },
    )
    # AND an alarm on its metric notifies a topic
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": definition.metric_name,
            "Namespace": namespace,
            "Period": period,
            "AlarmActions": [{"Ref": Match.string_like_regexp("Topic")}],
        },
    )
