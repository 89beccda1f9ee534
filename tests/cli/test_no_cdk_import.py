"""The CLI must not import aws_cdk, jsii or constructs, directly or indirectly (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.aws_server import AwsEndpoint

FORBIDDEN = ("aws_cdk", "jsii", "constructs")

_PRELUDE = """
import json, sys
from click.testing import CliRunner
from trailwatch_constructs.cli.main import cli

def loaded():
    return sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
"""
"""The start of each probe: its first argument is :data:`FORBIDDEN`, as JSON."""

PROBE = (
    _PRELUDE
    + """
runner = CliRunner()
runs = [
    runner.invoke(cli, ["controls", "--format", "json", "--privileged-group", "Admins"]),
    runner.invoke(cli, ["test", "--control", "root-account-usage", "--format", "jsonl"], input=b"{}"),
    runner.invoke(cli, ["replay", sys.argv[2], "--format", "json", "--jobs", "2"]),
    runner.invoke(cli, ["compliance", "--format", "json", "--tuned-variant", "unauthorized-api-calls-tuned"]),
]
print(json.dumps({"exit_codes": [r.exit_code for r in runs], "loaded": loaded()}))
"""
)

VERIFY_PROBE = (
    _PRELUDE
    + """
args = ["verify", "--endpoint-url", sys.argv[2], "--region", "eu-west-1", "--format", "json", "--fire-drill"]
result = CliRunner().invoke(cli, args)
checks = json.loads(result.stdout)["checks"]
print(json.dumps({"exit_code": result.exit_code, "checks": len(checks), "loaded": loaded()}))
"""
)


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs a fresh interpreter with these arguments; raises when it exits with an error."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, timeout=60)


def test_running_every_command_loads_no_cdk_module(tmp_path: Path) -> None:
    # GIVEN a fresh interpreter
    log = tmp_path / "log.json"
    log.write_text('{"Records": [{"eventName": "StopLogging"}]}')
    # WHEN it imports the CLI and runs controls, test, replay (with worker processes) and compliance
    out = _python("-c", PROBE, json.dumps(FORBIDDEN), str(log))
    result = json.loads(out.stdout.splitlines()[-1])
    # THEN every command succeeded and no CDK module was imported
    assert result == {"exit_codes": [0, 0, 0, 0], "loaded": []}


def test_running_verify_loads_no_cdk_module(aws: AwsEndpoint) -> None:
    # GIVEN a fresh interpreter (with the fixture's fake credentials in its environment)
    # WHEN it runs verify, fire drill included, against the local endpoint (boto3 and the AWS code loaded)
    out = _python("-c", VERIFY_PROBE, json.dumps(FORBIDDEN), aws.url)
    # THEN verify ran (an empty account fails) and no CDK module was imported
    assert json.loads(out.stdout.splitlines()[-1]) == {"exit_code": 1, "checks": 18, "loaded": []}


def test_importtime_of_the_entry_point_shows_no_cdk_module() -> None:
    # GIVEN python -X importtime, which lists every module imported
    # WHEN only the console-script module is imported
    out = _python("-X", "importtime", "-c", "import trailwatch_constructs.cli.main")
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    # THEN the CLI and its dependencies are there, and none of the CDK's
    assert {"trailwatch_constructs", "click", "orjson"} <= imported
    assert imported.isdisjoint(FORBIDDEN)
