"""The CLI must not import aws_cdk, jsii or constructs, directly or indirectly (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("aws_cdk", "jsii", "constructs")

PROBE = """
import json, sys
from click.testing import CliRunner
from trailwatch_constructs.cli.main import cli
runner = CliRunner()
runs = [
    runner.invoke(cli, ["controls", "--format", "json", "--privileged-group", "Admins"]),
    runner.invoke(cli, ["test", "--control", "root-account-usage", "--format", "jsonl"], input=b"{}"),
    runner.invoke(cli, ["replay", sys.argv[1], "--format", "json", "--jobs", "2"]),
    runner.invoke(cli, ["compliance", "--format", "json", "--tuned-variant", "unauthorized-api-calls-tuned"]),
]
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"exit_codes": [r.exit_code for r in runs], "loaded": loaded}))
"""


def test_running_every_command_loads_no_cdk_module(tmp_path: Path) -> None:
    # GIVEN a fresh interpreter
    log = tmp_path / "log.json"
    log.write_text('{"Records": [{"eventName": "StopLogging"}]}')
    # WHEN it imports the CLI and runs controls, test, replay (with worker processes) and compliance
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(log), json.dumps(FORBIDDEN)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(out.stdout.splitlines()[-1])
    # THEN every command succeeded and no CDK module was imported
    assert result == {"exit_codes": [0, 0, 0, 0], "loaded": []}


def test_importtime_of_the_entry_point_shows_no_cdk_module() -> None:
    # GIVEN python -X importtime, which lists every module imported
    # WHEN only the console-script module is imported
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import trailwatch_constructs.cli.main"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    # THEN the CLI and its dependencies are there, and none of the CDK's
    assert {"trailwatch_constructs", "click", "orjson"} <= imported
    assert imported.isdisjoint(FORBIDDEN)
