"""docs/testing.md: the team's snapshot test, run as the doc shows it, in a project of its own.

The project is the doc's labelled blocks written to a temporary directory. Its tests run once in a
separate interpreter, as the reader's would, and write the snapshot. Then, in this interpreter (a
second pytest run would load the CDK again), the stack is rebuilt as the doc's test builds it:
after an edit of the function's code it must still equal the snapshot, and after a change to the
stack it must not.
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
from aws_cdk import aws_sns_subscriptions as subscriptions

from tests.docs.examples import DOCS, CodeBlock, Completed, code_blocks, run_pytest, write_project
from trailwatch_constructs import get_control
from trailwatch_constructs.testing import snapshot_template

DOC = DOCS / "testing.md"
SNAPSHOT = "tests/__snapshots__/test_service_stack/test_stack_matches_snapshot.json"
HANDLER = "my_service/handler/index.py"
TESTS_IN_DOC = 2
# As the doc's test builds the stack.
ENV = cdk.Environment(account="111122223333", region="eu-west-1")


@dataclass(frozen=True)
class Project:
    root: Path
    first_run: Completed


@pytest.fixture(scope="module")
def blocks() -> list[CodeBlock]:
    return code_blocks(DOC)


@pytest.fixture(scope="module")
def project(blocks: list[CodeBlock], tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The doc's project after ``python -m pytest --snapshot-update``."""
    root = tmp_path_factory.mktemp("testing-md")
    write_project(blocks, root)
    return Project(root, run_pytest(root, "--snapshot-update"))


@pytest.fixture(scope="module")
def stack_module(project: Project) -> Iterator[ModuleType]:
    """The doc's ``my_service.stack``, imported in this interpreter."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(project.root))
        module = importlib.import_module("my_service.stack")
    yield module
    for name in ("my_service.stack", "my_service"):
        sys.modules.pop(name, None)


def build_stack(project: Project, stack_module: ModuleType) -> Any:
    """The service stack, built as the doc's test builds it."""
    context = json.loads((project.root / "cdk.json").read_text())["context"]
    return stack_module.ServiceStack(cdk.App(context=context), "Service", env=ENV)


@pytest.fixture(scope="module")
def after_code_change(project: Project, stack_module: ModuleType) -> dict[str, Any]:
    """The snapshot of the stack once the function's code is edited (so its asset hash changes)."""
    handler = project.root / HANDLER
    handler.write_text(handler.read_text().replace('"body": "ok"', '"body": "OK"'))
    return snapshot_template(build_stack(project, stack_module))


@pytest.fixture(scope="module")
def after_stack_change(project: Project, stack_module: ModuleType) -> dict[str, Any]:
    """The snapshot of the stack with one more address subscribed to the alarm topic."""
    stack = build_stack(project, stack_module)
    stack.monitoring.topic.add_subscription(subscriptions.EmailSubscription("secops@example.com"))
    return snapshot_template(stack)


def snapshot_json(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / SNAPSHOT).read_text())
    return data


def test_every_python_block_is_a_file_of_the_project(blocks: list[CodeBlock]) -> None:
    # GIVEN the doc's Python blocks THEN each names its file, so each is run below
    python = [b for b in blocks if b.language == "python"]
    assert python
    assert [b.text[:40] for b in python if b.title is None] == []


def test_first_run_passes_and_writes_the_snapshot_the_doc_names(project: Project) -> None:
    # GIVEN the project WHEN `python -m pytest --snapshot-update` runs
    # THEN both tests pass and the snapshot is where the doc says
    assert project.first_run.returncode == 0, project.first_run.output
    assert re.search(rf"\b{TESTS_IN_DOC} passed\b", project.first_run.output), project.first_run.output
    assert SNAPSHOT in DOC.read_text()
    assert (project.root / SNAPSHOT).is_file()


def test_snapshot_holds_the_controls_and_no_churn(project: Project) -> None:
    # GIVEN the written snapshot
    text = (project.root / SNAPSHOT).read_text()
    resources = snapshot_json(project)["Resources"].values()
    # THEN it has the construct's metric filters, and no asset hash or CDK bootstrap rule
    patterns = {r["Properties"]["FilterPattern"] for r in resources if r["Type"] == "AWS::Logs::MetricFilter"}
    assert get_control("root-account-usage").pattern in patterns
    assert re.search(r"\b[0-9a-f]{64}\b", text) is None
    assert "BootstrapVersion" not in text


def test_snapshot_shows_the_functions_code_as_the_doc_does(project: Project, blocks: list[CodeBlock]) -> None:
    # GIVEN the doc's JSON fragment of the function's code
    (fragment,) = [b.text for b in blocks if b.language == "json" and b.title is None]
    # THEN the snapshot holds it (whitespace aside)
    assert " ".join(fragment.split()) in " ".join((project.root / SNAPSHOT).read_text().split())


def test_snapshot_still_matches_after_the_functions_code_changes(
    project: Project, after_code_change: dict[str, Any]
) -> None:
    # GIVEN the handler's code edited after the snapshot was written
    # WHEN the stack is taken as a snapshot again THEN it equals the stored one
    assert after_code_change == snapshot_json(project)


def test_snapshot_no_longer_matches_after_the_stack_changes(
    project: Project, after_stack_change: dict[str, Any]
) -> None:
    # GIVEN a second alarm address subscribed WHEN the stack is taken as a snapshot again
    # THEN it differs from the stored one, by the new subscription
    assert after_stack_change != snapshot_json(project)
    assert "secops@example.com" in json.dumps(after_stack_change)
